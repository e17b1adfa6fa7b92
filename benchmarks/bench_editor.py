"""The browser editor's compare-before-record page for a full-size 全項目評価書 (target under 0.5 s).

    python benchmarks/bench_editor.py [--changes 30] [--runs 10] [--versions 3]

Records --versions full-size versions (every item filled, ~210 KB each) in a temporary store, saves
a draft of the next version with --changes edited texts (as the editor keeps it), starts the web
view on localhost and times over HTTP:

- GET /a/ID/edit/compare, the page the officer reads before 「記録」: cold (nothing derived yet),
  after an edit (the recorded versions' batches kept, the draft's judged anew: each run saves a
  draft that differs by one more text), and the same draft again;
- GET /a/ID/edit (the form) and the POST of 「保存して照合」 (form read back, checked, draft written).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fulldoc import full_document, revise  # noqa: E402
from machine import machine_line  # noqa: E402

from piadiff.editor import Draft, Drafts  # noqa: E402
from piadiff.store import init_store  # noqa: E402
from piadiff.web import create_app  # noqa: E402

TARGET = 0.5


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


#: one browser: the session cookie carries the CSRF token of the form
_BROWSER = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())


def _get(url: str) -> tuple[float, bytes]:
    t = time.perf_counter()
    with _BROWSER.open(url) as r:
        body = r.read()
    return time.perf_counter() - t, body


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--changes", type=int, default=30)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--versions", type=int, default=3)
    a = p.parse_args()
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "store"
        docs = [full_document()]
        for n in range(2, a.versions + 1):
            docs.append(revise(docs[-1], 5, n, f"20{10 + n}-04-01"))
        with init_store(store_path) as store:
            for d in docs:
                store.record(d, assessment_id="bench")
            latest = store.revision("bench")
            git_dir = store.repo.git_dir
        draft_doc = revise(docs[-1], a.changes, 99, "2030-04-01")
        drafts = Drafts(git_dir)

        def save_draft(extra: int) -> None:
            data = copy.deepcopy(draft_doc.data)
            if extra:  # one more edited text: a draft the annex has not judged yet
                first = data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]
                first["②事務の内容"] = first["②事務の内容"] + f"（編集{extra}）"
            drafts.save("bench", Draft(latest.kind, data, "bench", latest.label, latest.commit))

        save_draft(0)
        httpd = make_server("127.0.0.1", 0, create_app(store_path), threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{httpd.server_port}/a/bench/edit"
        cold, page = _get(base + "/compare")
        rows = page.decode().count('<tr id="row-')
        edited = []
        for i in range(1, a.runs + 1):
            save_draft(i)
            edited.append(_get(base + "/compare")[0])
        again = [_get(base + "/compare")[0] for _ in range(a.runs)]
        forms = [_get(base) for _ in range(a.runs)]
        form_html = forms[-1][1].decode()
        saves = []
        fields = _form_fields(form_html)
        for _ in range(a.runs):
            data = urllib.parse.urlencode(fields + [("action", "save")]).encode()
            req = urllib.request.Request(base, data=data, headers={"Origin": f"http://127.0.0.1:{httpd.server_port}"})
            t = time.perf_counter()
            try:
                _BROWSER.open(req).read()
            except urllib.error.HTTPError as e:
                raise SystemExit(f"save refused: {e.code}") from None
            saves.append(time.perf_counter() - t)
            fields = _form_fields(_get(base)[1].decode())
        httpd.shutdown()
    size = len(draft_doc.canonical_bytes()) // 1024
    print(f"compare-before-record page, 全項目評価書 {size} KB, {a.versions} recorded versions, draft with {a.changes} "
          f"edited texts ({rows} rows; one more per edit), page {len(page) // 1024} KB")
    print(f"  cold (nothing derived yet)        {_ms(cold)}")
    print(f"  after an edit (draft judged anew) median {_ms(statistics.median(edited))}, max {_ms(max(edited))} over {a.runs}"
          f"   [target < {_ms(TARGET)}]")
    print(f"  the same draft again              median {_ms(statistics.median(again))}, max {_ms(max(again))}")
    print(f"edit form: GET median {_ms(statistics.median(t for t, _ in forms))} (page {len(form_html.encode()) // 1024} KB); "
          f"「保存して照合」 POST + redirect median {_ms(statistics.median(saves))}")
    worst = max(max(edited), cold)
    print("OK" if worst < TARGET else f"SLOW: {_ms(worst)} ≥ {_ms(TARGET)}")


def _form_fields(html: str) -> list[tuple[str, str]]:
    """What a browser sends for the editor's form (checked boxes and radios only, no button)."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.inside, self.fields, self.area = False, [], None

        def handle_starttag(self, tag, attrs):
            d = dict(attrs)
            if tag == "form":
                self.inside = d.get("id") == "editor"
            elif self.inside and tag == "input" and "name" in d:
                if d.get("type") in ("radio", "checkbox") and "checked" not in d:
                    return
                self.fields.append((d["name"], d.get("value", "")))
            elif self.inside and tag == "textarea":
                self.area = [d["name"], ""]

        def handle_data(self, data):
            if self.area is not None:
                self.area[1] += data

        def handle_endtag(self, tag):
            if tag == "textarea" and self.area is not None:
                self.fields.append((self.area[0], self.area[1].removeprefix("\n")))
                self.area = None
            elif tag == "form":
                self.inside = False

    r = Reader()
    r.feed(html)
    return r.fields


if __name__ == "__main__":
    main()
