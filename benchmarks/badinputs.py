"""The figures of README's Reliability for bad inputs: every input of the corpus through every command
that reads it, as tests/test_badinputs.py runs them, each run timed.

    python benchmarks/badinputs.py

Inputs: the committed corpus (tests/badinputs/corpus/), the large inputs make_corpus.py makes
(LARGE), the hostile assessment ids, versions, names, messages and web-form row numbers of the test. Prints how
many inputs and runs, how many ended in a traceback (an exception other than piadiff's own
message), how many ended otherwise than as a refusal (exit 1; click's usage error, 2, for an id
that reads as an option), how many took more than 10 s, and the slowest runs.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "badinputs")]

from click.testing import CliRunner  # noqa: E402

import make_corpus  # noqa: E402
from piadiff.cli import cli  # noqa: E402
from test_badinputs import BAD_AUTHORS, BAD_IDS, BAD_MESSAGES, BAD_VERSIONS, CORPUS, DOCUMENTS, PUBLISHED, ROWS, SETTINGS  # noqa: E402

SLOW = 10.0


def main() -> None:
    runs: list[tuple[float, str, int, bool]] = []  # seconds, what, exit code, traceback
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = tmp / "store"
        runner = CliRunner()
        runner.invoke(cli, ["init", "--store", str(store)])
        doc = (ROOT / "tests" / "fixtures" / "minimal-juten.yaml").read_text(encoding="utf-8")
        (tmp / "v1.yaml").write_text(doc, encoding="utf-8")
        (tmp / "v2.yaml").write_text(doc.replace("令和6年4月1日", "令和7年4月1日").replace("テスト情報株式会社", "テスト情報"), encoding="utf-8")
        for v in ("v1.yaml", "v2.yaml"):
            runner.invoke(cli, ["record", str(tmp / v), "--store", str(store)])
        large = tmp / "large"
        make_corpus.write_large(large)

        def run(args: list[str]) -> None:
            takes_store = args[0] not in ("validate", "classify")
            start = time.perf_counter()
            result = runner.invoke(cli, args + ["--store", str(store)] if takes_store else args)
            seconds = time.perf_counter() - start
            crashed = (result.exception is not None and not isinstance(result.exception, SystemExit)) or "Traceback" in result.output
            shown = [Path(a).name if a.startswith(("/", str(tmp))) else a for a in args]
            what = " ".join(_shown(a) for a in shown)
            runs.append((seconds, what, result.exit_code, crashed))

        for path in DOCUMENTS + sorted(large.glob("*.yaml")) + sorted(large.glob("*.json")):
            run(["validate", str(path)])
            run(["record", str(path)])
        for path in PUBLISHED + DOCUMENTS[:20]:
            run(["import", str(path), "--record"])
        for path in ROWS + sorted(large.glob("*.jsonl")):
            run(["classify", "--rows", str(path)])
        for path in SETTINGS:
            (store / "settings.yaml").write_bytes(path.read_bytes())
            run(["changes", "99"])
            run(["annex", "99"])
            (store / "settings.yaml").unlink()
        for aid in BAD_IDS:
            for args in (["show", aid], ["log", aid], ["changes", aid], ["annex", aid], ["history", aid, "Ⅰ-1"]):
                run(args)
        for version in BAD_VERSIONS:
            for args in (["show", "99", version], ["changes", "99", "v1", version], ["changes", "99", version, "v2"],
                         ["decide", "99", version, "1", "--timing", "事前"], ["plan", "99", version, "--effective", "令和9年1月1日"]):
                run(args)
        fixture = str(ROOT / "tests" / "fixtures" / "minimal-juten.yaml")
        for author in BAD_AUTHORS:
            for args in (["record", fixture, "--author", author], ["decide", "99", "v2", "--effective", "R7.4.1", "--author", author],
                         ["import", fixture, "--record", "--author", author]):
                run(args)
        for message in BAD_MESSAGES:
            run(["record", fixture, "-m", message])
        rows = web_rows(store, runs)

    inputs = len(CORPUS) + len(make_corpus.LARGE) + len(BAD_IDS) + len(BAD_VERSIONS) + len(BAD_AUTHORS) + len(BAD_MESSAGES) + rows
    crashed = [r for r in runs if r[3]]
    not_refused = [r for r in runs if r[2] != 1 and not (r[2] == 2 and r[1].split(" ")[1].startswith("-"))]
    slow = [r for r in runs if r[0] > SLOW]
    print(f"inputs: {inputs} (corpus files {len(CORPUS)}, large inputs {len(make_corpus.LARGE)}, assessment ids {len(BAD_IDS)}, "
          f"versions {len(BAD_VERSIONS)}, names of who records {len(BAD_AUTHORS)}, messages {len(BAD_MESSAGES)}, "
          f"web-form row numbers {rows})")
    print(f"runs: {len(runs)}; tracebacks: {len(crashed)}; not refused: {len(not_refused)}; runs over {SLOW:.0f} s: {len(slow)}")
    for seconds, what, code, _ in sorted(runs, reverse=True)[:5]:
        print(f"  {seconds:6.2f} s  exit {code}  {what}")
    for _, what, code, _ in crashed + not_refused:
        print(f"  PROBLEM exit {code}: {what}")


def _shown(arg: str) -> str:
    arg = arg if len(arg) <= 40 else f"{arg[:20]}…({len(arg)})"
    return arg if arg.isprintable() else arg.encode("unicode_escape").decode("ascii")


def web_rows(store: Path, runs: list) -> int:
    """The web form's row numbers of the test, each posted once: a refusal is an error page (400)."""
    from test_badinputs import test_hostile_row_numbers_in_the_web_form as test

    from piadiff.web import create_app

    rows = test.pytestmark[0].args[1]
    app = create_app(store)
    client = app.test_client()
    for row in rows:
        page = client.get("/a/99/compare").data.decode()
        token, head = (re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf", "head"))
        start = time.perf_counter()
        answer = client.post("/a/99/decide", data={"csrf": token, "head": head, "version": "v2", "old": "v1", "row": row, "timing": "事後"},
                             headers={"Origin": "http://localhost"})
        runs.append((time.perf_counter() - start, f"web decide row={row[:20]}", 1 if answer.status_code == 400 else answer.status_code,
                     answer.status_code >= 500))
    return len(rows)


if __name__ == "__main__":
    main()
