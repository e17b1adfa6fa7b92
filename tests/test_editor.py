"""Editing in the browser, through the test client: the form model, drafts, compare, record, carry-over, safety."""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from conftest import FIXTURES, snapshot

#: what a browser sends with a form of the test client's pages (its base URL is http://localhost/)
SAME_ORIGIN = {"Origin": "http://localhost"}
AID = "12-kakuu-kodomo-iryo"


class _FormReader(HTMLParser):
    """The fields of one <form> as a browser sends them: checked boxes and radios only, no button."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.fields, self.buttons, self._textarea = action, False, [], [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action or a.get("id") == self.action
        if not self.inside:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if "name" in a:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "button" and "name" in a:
            self.buttons.append(a["value"])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.fields.append((name, value[1:] if value.startswith("\n") else value))  # as HTML drops it
            self._textarea = None
        elif tag == "form":
            self.inside = False


def read_form(html: str, action: str) -> tuple[MultiDict, list[str]]:
    reader = _FormReader(action)
    reader.feed(html)
    return MultiDict(reader.fields), reader.buttons


def field_for(html: str, label_start: str, within: str = "") -> str:
    """The name of the field whose <label> starts with ``label_start`` (after ``within`` in the page)."""
    start = html.index(within) if within else 0
    m = re.compile(r'<label for="(f-[^"]+)">' + re.escape(label_start)).search(html, start)
    assert m, label_start
    return "f:" + m.group(1)[2:].replace("-", ".")


def client(store, **kwargs):
    from piadiff.web import create_app

    return create_app(store, **kwargs).test_client()


def edit_page(c, url: str = f"/a/{AID}/edit") -> tuple[str, MultiDict, list[str]]:
    r = c.get(url)
    assert r.status_code == 200, r.data.decode()[:500]
    html = r.data.decode()
    form, buttons = read_form(html, "editor")
    return html, form, buttons


def post(c, url: str, form: MultiDict | dict, action: str = "save", **extra):
    data = MultiDict(form.items(multi=True) if isinstance(form, MultiDict) else form.items())
    if action:
        data.setlist("action", [action])
    for k, v in extra.items():
        data.setlist(k, [v])
    return c.post(url, data=data, headers=SAME_ORIGIN)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def head(store) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=store, capture_output=True, text=True, check=True).stdout.strip()


# the form ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", ["demo", "kawasaki-001.yaml", "kitakyushu-003.yaml", "minimal-juten.yaml"])
def test_the_form_gives_back_exactly_the_recorded_version(run, tmp_path, source):
    """Every field rendered and read back, untouched: the same canonical document (no spurious change)."""
    from piadiff.editor import check, form_to_raw
    from piadiff.store import Store

    if source == "demo":
        assert run("demo").exit_code == 0
    else:
        assert run("init").exit_code == 0
        assert run("record", str(FIXTURES / source)).exit_code == 0
    store = tmp_path / "store"
    with Store(store) as s:
        ids = s.assessment_ids()
        docs = {aid: s.read(s.revision(aid)) for aid in ids}
    c = client(store)
    for aid, doc in docs.items():
        html, form, _ = edit_page(c, f"/a/{aid}/edit")
        back, problems = check(form_to_raw(doc.kind, form))
        assert problems == [] and back.data == doc.data, aid
        assert back.canonical_bytes() == doc.canonical_bytes()


def test_the_form_is_laid_out_like_the_form_with_a_label_on_every_field(demo_store):
    html, form, buttons = edit_page(client(demo_store))
    # printed numbers and labels, ※ on 重要な変更 items, dates in 和暦, counts, textareas, radios, checkboxes
    assert '<label for="f-b-0-0-0">①事務の名称</label>' in html
    assert re.search(r"<legend>4\. 個人番号の利用 <abbr class=\"mark\"[^>]*>※</abbr></legend>", html)
    assert 'value="平成28年1月1日"' in html  # ⑥使用開始日 2016-01-01
    assert re.search(r'\(<input type="text" id="[^"]+" name="f:b\.1\.e0\.3\.1" value="4"', html)  # 委託件数
    assert '<textarea id="f-b-0-0-1"' in html
    assert re.search(r'<input type="radio" name="f:b\.0\.0\.2" value="3" id="[^"]+" checked> 4\) 10万人以上30万人未満', html)
    assert re.search(r'<input type="checkbox" name="f:b\.0\.1\.0\.e1\.2" value="6" id="([^"]+)" checked><label for="\1">その他</label>', html)
    assert 'value="中間サーバー"' in html  # the ( ) text of その他
    for title in ("システム1", "システム4", "委託事項4", "提供先1", "移転先1"):
        assert f"<legend>{title}</legend>" in html, title
    assert {b.split(":")[0] for b in buttons} == {"save", "compare", "add", "remove", "up", "down"}
    # every visible field has a label: <label for=id> or a label around it
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    for m in re.finditer(r"<(input|textarea|select)\b([^>]*)>", html):
        attrs = m.group(2)
        if 'type="hidden"' in attrs:
            continue
        field_id = re.search(r'id="([^"]+)"', attrs)
        wrapped = html.rfind("<label", 0, m.start()) > html.rfind("</label>", 0, m.start())
        assert wrapped or (field_id and field_id.group(1) in ids), m.group(0)


def test_actions_add_remove_and_move_entries_with_their_numbers():
    from piadiff.editor import apply_action, blank_raw

    raw = blank_raw("重点項目評価書")
    group = raw["Ⅱ 特定個人情報ファイルの概要"][0]["4. 特定個人情報ファイルの取扱いの委託"]["委託事項"]
    assert group == [{"番号": 1}]
    raw, anchor, code = apply_action(raw, "add:b.1.e0.3.2")
    raw, _, _ = apply_action(raw, "add:b.1.e0.3.2")
    entries = lambda r: r["Ⅱ 特定個人情報ファイルの概要"][0]["4. 特定個人情報ファイルの取扱いの委託"]["委託事項"]  # noqa: E731
    assert [e["番号"] for e in entries(raw)] == [1, 2, 3] and anchor == "e-b-1-e0-3-2-e1" and code == "added"
    entries(raw)[2]["名称"] = "三番目"
    raw, anchor, code = apply_action(raw, "up:b.1.e0.3.2.e2")
    assert [(e["番号"], e.get("名称")) for e in entries(raw)] == [(1, None), (2, "三番目"), (3, None)] and code == "moved"
    raw, _, code = apply_action(raw, "remove:b.1.e0.3.2.e0")
    assert [(e["番号"], e.get("名称")) for e in entries(raw)] == [(2, "三番目"), (3, None)] and code == "removed"
    assert apply_action(raw, "up:b.1.e0.3.2.e0")[2] == "edge"
    from piadiff.errors import PiadiffError

    for bad in ("add:b.99", "remove:b.1.e9", "up:x.1", "add:b.0.0.0", "explode:b.1"):
        with pytest.raises(PiadiffError):
            apply_action(raw, bad)


def test_problems_are_those_of_validate_with_their_item_paths(demo_store, run, tmp_path):
    """A typed date that is no date, a count that is no number, an entry with no name: the page says
    what ``piadiff validate`` says of the same document, beside the fields."""
    import yaml

    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "⑥使用開始日")] = "令和7年13月1日"
    form[field_for(html, "委託件数")] = "四件"
    r = post(c, f"/a/{AID}/edit", form, "add:b.1.e0.3.2")
    html, form, _ = edit_page(c)
    new_entry = 'id="e-b-1-e0-3-2-e4"'
    form[field_for(html, "①委託内容", new_entry)] = "名前のない委託"
    post(c, f"/a/{AID}/edit", form)
    html, form, _ = edit_page(c)
    shown = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', html)
    # the same draft written as a file and checked by the CLI
    draft = json.loads((demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").read_text(encoding="utf-8"))["data"]
    (tmp_path / "draft.yaml").write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    validated = run("validate", "draft.yaml")
    assert validated.exit_code == 1
    cli = [m.group(1) for line in validated.output.splitlines() if (m := re.match(r"\s+draft\.yaml(?::\d+)?: (.*)", line))]
    shown = [(t, html_lib.unescape(p), html_lib.unescape(m)) for t, p, m in shown]
    assert sorted(f"{p}: {m}" for _, p, m in shown) == sorted(cli) and len(cli) == 3
    assert any("日付「令和7年13月1日」" in m for _, _, m in shown) and any("件数「四件」" in m for _, _, m in shown)
    assert any(p.endswith("委託事項[5]") and "「名称」がありません" in m for _, p, m in shown)
    targets = {p: t for t, p, _ in shown}
    assert 'aria-invalid="true" aria-describedby="' + targets[next(p for p in targets if p.endswith("⑥使用開始日"))] in html
    # the compare page refuses to go on with problems, and says which
    page = c.get(f"/a/{AID}/edit/compare").data.decode()
    assert "下書きを直してください" in page and "記録" not in re.findall(r'<button[^>]*>([^<]*)</button>', page)


# compare, then record -----------------------------------------------------------------------------
def test_an_added_entry_is_proposed_pre_and_recorded_only_when_asked(demo_store):
    from piadiff.store import Store

    c = client(demo_store)
    before_head = head(demo_store)
    html, form, _ = edit_page(c)
    r = post(c, f"/a/{AID}/edit", form, "add:b.1.e0.3.2")
    assert r.status_code == 303 and r.headers["Location"].endswith("?msg=added#e-b-1-e0-3-2-e4")
    html, form, _ = edit_page(c)
    entry = 'id="e-b-1-e0-3-2-e4"'
    assert "<legend>委託事項5</legend>" in html
    form[field_for(html, "委託事項名", entry)] = "電子申請の受付補助業務"
    form[field_for(html, "①委託内容", entry)] = "電子申請データの形式確認及び受付処理の補助"
    form[field_for(html, "③委託先名", entry)] = "架空電子サービス株式会社"
    form[field_for(html, "委託件数")] = "5"
    r = post(c, f"/a/{AID}/edit", form, "compare")
    assert r.status_code == 303 and r.headers["Location"] == f"/a/{AID}/edit/compare"
    page = c.get(r.headers["Location"]).data.decode()
    rows = re.findall(r'<tr id="row-\d+".*?</tr>', page, re.S)
    new = [text(r) for r in rows if "委託事項5" in r and "(新規)" in r]
    assert len(new) == 1 and "事前" in new[0] and "確度 高" in new[0] and "電子申請の受付補助業務" in new[0]
    assert any("委託件数" in text(r) and "(4)件" in text(r) and "(5)件" in text(r) for r in rows)
    assert 'id="plan-needs-date"' in page and "重要な変更が 1 件" in page  # the plan asks for the 施行日
    # the rows are those `changes` prints once it is recorded; nothing recorded yet
    assert head(demo_store) == before_head
    with Store(demo_store) as s:
        assert len(s.revisions(AID)) == 3
    form, _ = read_form(page, f"/a/{AID}/edit/record")
    form["date"], form["message"], form["author"] = "令和8年4月1日", "委託事項の追加", "ブラウザの担当"
    r = post(c, f"/a/{AID}/edit/record", form, "")
    assert r.status_code == 303 and r.headers["Location"] == f"/a/{AID}/compare?old=v3&new=v4"
    with Store(demo_store) as s:
        rev = s.revision(AID)
        assert (rev.label, rev.author, rev.message.splitlines()[0]) == ("v4", "ブラウザの担当", "委託事項の追加")
        assert rev.change_date.isoformat() == "2026-04-01"
    from click.testing import CliRunner

    from piadiff.cli import cli

    printed = CliRunner().invoke(cli, ["changes", "12", "--format", "json", "--store", str(demo_store)]).output
    recorded = json.loads(printed)
    cells = [(r["item"], r["after"], r["timing"]) for b in recorded["batches"] for r in b["rows"]]
    assert len(cells) == len(rows)
    for (item, after, timing), row in zip(cells, rows):
        assert item in text(row) and timing in text(row)
    annex = c.get(f"/a/{AID}/annex").data.decode()
    assert "委託事項5" in annex and "電子申請の受付補助業務" in annex
    assert not (demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").exists()  # recorded: the draft is gone


def test_threshold_warning_and_plan_for_a_significant_change(demo_store):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    m = re.search(r'<legend>使用者数</legend>.*?name="(f:[^"]+)" value="(\d+)"[^>]*> \d\) 500人以上1,000人未満', html, re.S)
    assert m
    form[m.group(1)] = m.group(2)
    form[field_for(html, "③使用目的")] += "また、電子申請の受付に使用する。"  # a ※ item: a 重要な変更
    post(c, f"/a/{AID}/edit", form)
    page = c.get(f"/a/{AID}/edit/compare").data.decode()
    assert "しきい値判断: 対象人数 100,000人以上、取扱者 500人以上 のため 全項目評価書 が必要です" in page
    assert 'id="plan-needs-date"' in page and "③使用目的" in text(re.search(r'<section aria-labelledby="plan-title".*?</section>', page, re.S).group(0))
    page = c.get(f"/a/{AID}/edit/compare?effective=令和9年4月1日&body=local").data.decode()
    plan = html_lib.unescape(re.search(r'<pre class="plan" id="plan-text">(.*?)</pre>', page, re.S).group(1))
    assert plan.startswith("重点項目評価書: 施行日 令和9年4月1日 の前に終えること（重要な変更 1 件") and "遅くとも" in plan
    page = c.get(f"/a/{AID}/edit/compare?effective=いつか").data.decode()
    assert "日付「いつか」が読めません" in page


def test_nothing_changed_offers_no_record(demo_store):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    post(c, f"/a/{AID}/edit", form)
    page = c.get(f"/a/{AID}/edit/compare").data.decode()
    assert "最新版 v3 と同じ内容です" in page and 'id="record-button"' not in page


def test_a_wrong_change_date_records_nothing(demo_store):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "①部署")] = "こども家庭局こども医療課"
    post(c, f"/a/{AID}/edit", form)
    page = c.get(f"/a/{AID}/edit/compare").data.decode()
    record, _ = read_form(page, f"/a/{AID}/edit/record")
    before = snapshot(demo_store)
    for date, message in [("令和6年1月1日", "より前です"), ("令和7年7月31日", "同じ日の二つ目の版"), ("きのう", "読めません")]:
        record["date"] = date
        r = post(c, f"/a/{AID}/edit/record", record, "")
        assert r.status_code == 400 and message in r.data.decode() and "何も記録していません" in r.data.decode()
    assert snapshot(demo_store) == before
    record["date"], record["same_date"] = "令和7年7月31日", "1"
    assert post(c, f"/a/{AID}/edit/record", record, "").status_code == 303


# drafts --------------------------------------------------------------------------------------------
def test_a_draft_survives_a_closed_tab_and_stays_out_of_the_history(demo_store):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "①部署")] = "下書きの部署"
    post(c, f"/a/{AID}/edit", form)
    path = demo_store / ".git" / "piadiff-drafts" / f"{AID}.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["base"]["label"] == "v3" and saved["data"]["Ⅰ 基本情報"]["6. 評価実施機関における担当部署"]["①部署"] == "下書きの部署"
    assert not list(path.parent.glob(".tmp-*"))  # written whole, no leftovers
    # another browser, another run of the server (a new session and secret)
    again = client(demo_store)
    html = again.get(f"/a/{AID}/edit").data.decode()
    assert ">下書きの部署</textarea>" in html
    assert "下書きの編集を続ける" in again.get(f"/a/{AID}").data.decode()
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=demo_store, capture_output=True, text=True).stdout
    assert "piadiff-drafts" not in status and "下書き" not in status


def test_autosave_keeps_the_draft_and_hands_the_page_its_new_token(demo_store):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    assert '<script src="/editor.js" defer></script>' in html and 'id="autosave-state"' in html
    form[field_for(html, "①部署")] = "自動で保存した部署"
    r = post(c, f"/a/{AID}/edit", form, "autosave")
    assert r.status_code == 200 and r.is_json and set(r.get_json()) == {"token", "saved"}
    saved = json.loads((demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").read_text(encoding="utf-8"))
    assert saved["data"]["Ⅰ 基本情報"]["6. 評価実施機関における担当部署"]["①部署"] == "自動で保存した部署"
    assert post(c, f"/a/{AID}/edit", form, "autosave").status_code == 409  # the page's old token: never over it
    form.setlist("token", [r.get_json()["token"]])
    form[field_for(html, "①部署")] = "その続き"
    assert post(c, f"/a/{AID}/edit", form, "autosave").status_code == 200
    assert post(c, f"/a/{AID}/edit", {**{k: form[k] for k in form}, "csrf": "forged"}, "autosave").status_code == 400


def test_the_autosave_script_is_served_from_this_server_and_allowed_by_the_policy(demo_store):
    c = client(demo_store)
    r = c.get("/editor.js")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/javascript") and "autosave" in r.data.decode()
    policy = c.get(f"/a/{AID}/edit").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_a_page_made_from_an_older_draft_does_not_overwrite_it(demo_store):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "①部署")] = "一つ目のタブ"
    post(c, f"/a/{AID}/edit", form)
    html, first_tab, _ = edit_page(c)
    html, second_tab, _ = edit_page(c)
    first_tab[field_for(html, "①部署")] = "一つ目のタブの続き"
    assert post(c, f"/a/{AID}/edit", first_tab).status_code == 303
    draft = (demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").read_bytes()
    second_tab[field_for(html, "①部署")] = "二つ目のタブ"
    r = post(c, f"/a/{AID}/edit", second_tab)
    assert r.status_code == 409 and "上書きしないよう" in r.data.decode()
    assert (demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").read_bytes() == draft
    # a page opened before there was any draft, sent after another tab made one: refused too
    discard = {"csrf": first_tab["csrf"], "token": edit_page(c)[1]["token"]}
    assert c.post(f"/a/{AID}/edit/discard", data=discard, headers=SAME_ORIGIN).status_code == 303
    _, before_any, _ = edit_page(c)
    assert before_any["token"] == ""
    post(c, f"/a/{AID}/edit", before_any)  # another tab saves first
    assert post(c, f"/a/{AID}/edit", before_any).status_code == 409


def test_a_draft_from_v3_is_carried_over_to_v4_never_recorded_over_it(demo_store, run, tmp_path):
    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "①部署")] = "下書きの部署"
    form[field_for(html, "②所属長の役職名")] = "下書きの課長"
    post(c, f"/a/{AID}/edit", form)
    # meanwhile someone records v4 (changing ①部署 too, and ①事務の名称)
    shown = run("show", "12", "latest").output
    (tmp_path / "v4.yaml").write_text(shown.replace("①部署: こども家庭局こども支援部こども医療助成課", "①部署: 別の担当の部署")
                                      .replace("①事務の名称: こども医療費助成に関する事務", "①事務の名称: 別の担当の事務名"), encoding="utf-8")
    assert run("record", "v4.yaml", "--date", "令和8年1月5日").exit_code == 0
    html = c.get(f"/a/{AID}/edit").data.decode()
    assert "その後 v4" in html and 'id="carry-link"' in html
    assert c.get(f"/a/{AID}/edit/compare").headers["Location"] == f"/a/{AID}/edit/carry"
    # recording the stale draft is refused
    token = json.loads((demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").read_text(encoding="utf-8"))
    carry = c.get(f"/a/{AID}/edit/carry").data.decode()
    form, _ = read_form(carry, f"/a/{AID}/edit/carry")
    before = snapshot(demo_store)
    r = post(c, f"/a/{AID}/edit/record", {"csrf": form["csrf"], "token": form["token"], "date": "令和8年4月1日"}, "")
    assert r.status_code == 409 and "最新版に移して" in r.data.decode() and snapshot(demo_store) == before
    assert token["base"]["label"] == "v3"
    # the page shows what changed in between and what conflicts
    between = re.search(r'<table id="between">.*?</table>', carry, re.S).group(0)
    assert "別の担当の事務名" in between and "別の担当の部署" in between
    assert "②所属長の役職名" in text(re.search(r'<ul id="applied">.*?</ul>', carry, re.S).group(0))
    conflict = text(re.search(r'<fieldset class="conflict".*?</fieldset>', carry, re.S).group(0))
    assert "①部署" in conflict and "別の担当の部署" in conflict and "下書きの部署" in conflict
    # a choice is required for each conflict
    r = post(c, f"/a/{AID}/edit/carry", form, "")
    assert r.status_code == 400 and snapshot(demo_store) == before
    form["c1"] = "mine"
    r = post(c, f"/a/{AID}/edit/carry", form, "")
    assert r.status_code == 303 and r.headers["Location"].endswith("msg=carried")
    carried = json.loads((demo_store / ".git" / "piadiff-drafts" / f"{AID}.json").read_text(encoding="utf-8"))
    section = carried["data"]["Ⅰ 基本情報"]
    assert carried["base"]["label"] == "v4"
    assert section["6. 評価実施機関における担当部署"] == {"①部署": "下書きの部署", "②所属長の役職名": "下書きの課長"}
    assert section["1. 特定個人情報ファイルを取り扱う事務"]["①事務の名称"] == "別の担当の事務名"  # v4's change kept
    page = c.get(f"/a/{AID}/edit/compare").data.decode()
    assert "v4 → v5（下書き）" in page
    rows = [text(r) for r in re.findall(r'<tr id="row-\d+".*?</tr>', page, re.S)]
    assert len(rows) == 2 and "①部署" in rows[0] and "②所属長の役職名" in rows[1] and "下書きの" in rows[1]


def test_carry_over_merges_entries_by_name():
    from piadiff.editor import carry_over
    from piadiff.settings import Settings

    def doc(*entries):
        return {"様式": "重点項目評価書", "表紙": {"評価書番号": "1"},
                "Ⅰ 基本情報": {"2. 特定個人情報ファイルを取り扱う事務において使用するシステム": {"システム": list(entries)}}}

    def system(n, name, function=None):
        return {"番号": n, "①システムの名称": name, **({"②システムの機能": function} if function else {})}

    base = doc(system(1, "A"), system(2, "B"))
    mine = doc(system(1, "A", "下書きで機能を追記"), system(2, "B"), system(3, "C（下書きで追加）"))
    theirs = doc(system(1, "A"), system(2, "B", "新しい版の追記"), system(3, "D（新しい版で追加）"))
    out = carry_over(base, mine, theirs, Settings())
    systems = out.data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"]
    assert [(s["番号"], s["①システムの名称"], s.get("②システムの機能")) for s in systems] == [
        (1, "A", "下書きで機能を追記"), (2, "B", "新しい版の追記"), (3, "D（新しい版で追加）", None), (4, "C（下書きで追加）", None)]
    assert out.conflicts == [] and len(out.applied) == 2
    # the draft removed an entry the newer version changed: a conflict, the newer version's until chosen
    mine = doc(system(1, "A"))
    out = carry_over(base, mine, theirs, Settings())
    assert len(out.conflicts) == 1 and "下書きでは削除" in out.conflicts[0].place and out.unresolved == 1
    assert len(out.data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"]) == 3
    out = carry_over(base, mine, theirs, Settings(), {"c1": "mine"})
    names = [s["①システムの名称"] for s in out.data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"]]
    assert names == ["A", "D（新しい版で追加）"] and out.unresolved == 0


# a new assessment --------------------------------------------------------------------------------
def test_a_new_assessment_from_a_blank_form(demo_store):
    from piadiff.store import Store

    c = client(demo_store)
    home = c.get("/").data.decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
    assert '<option value="全項目評価書">' in home and 'id="new-document"' in home
    r = c.post("/new", data={"csrf": csrf, "kind": "全項目"}, headers=SAME_ORIGIN)
    assert r.status_code == 303 and re.fullmatch(r"/new/[0-9a-f]{16}/edit", r.headers["Location"])
    url = r.headers["Location"]
    html, form, _ = edit_page(c, url)
    assert "新しい評価書（全項目評価書）" in html and "<legend>Ⅵ 評価実施手続</legend>" in html
    form[field_for(html, "評価書番号")] = "88"
    form[field_for(html, "評価書名")] = "架空市 新しい事務 全項目評価書"
    form[field_for(html, "評価実施機関名")] = "架空市長"
    form[field_for(html, "公表日")] = "令和8年6月1日"
    form[field_for(html, "①事務の名称")] = "新しい事務"
    post(c, url, form)
    assert "架空市 新しい事務 全項目評価書" in c.get("/").data.decode()  # listed as a draft in progress
    page = c.get(url.replace("/edit", "/compare")).data.decode()
    assert "最初の版（v1）として記録します" in page
    record, _ = read_form(page, url.replace("/edit", "/record"))
    assert record["date"] == "令和8年6月1日"
    r = post(c, url.replace("/edit", "/record"), record, "")
    assert r.status_code == 303 and r.headers["Location"].startswith("/a/88-")
    with Store(demo_store) as s:
        aid = s.resolve_id("88")
        doc = s.read(s.revision(aid))
    assert doc.data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]["①事務の名称"] == "新しい事務"
    assert c.get(url).status_code == 404  # recorded: the new draft is gone
    # a second "new" document with a number already recorded is refused (edit that one instead)
    r = c.post("/new", data={"csrf": csrf, "kind": "重点項目評価書"}, headers=SAME_ORIGIN)
    url = r.headers["Location"]
    html, form, _ = edit_page(c, url)
    for label, value in (("評価書番号", "12"), ("評価書名", "架空市 こども医療費助成に関する事務 重点項目評価書"), ("評価実施機関名", "架空市長"),
                         ("公表日", "令和9年1月1日")):
        form[field_for(html, label)] = value
    post(c, url, form)
    page = c.get(url.replace("/edit", "/compare")).data.decode()
    assert "は既に記録されています" in page and 'id="record-button"' not in page


# safety --------------------------------------------------------------------------------------------
def _drafted(demo_store):
    """A client with a saved edit draft and a new-document draft, and the forms of their pages."""
    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "①部署")] = "下書きの部署"
    post(c, f"/a/{AID}/edit", form)
    csrf = form["csrf"]
    new_url = c.post("/new", data={"csrf": csrf, "kind": "重点項目評価書"}, headers=SAME_ORIGIN).headers["Location"]
    _, edit_form, _ = edit_page(c)
    _, new_form, _ = edit_page(c, new_url)
    compare, _ = read_form(c.get(f"/a/{AID}/edit/compare").data.decode(), f"/a/{AID}/edit/record")
    compare["date"] = "令和8年4月1日"
    token = new_url.split("/")[2]
    return c, {
        f"/a/{AID}/edit": edit_form, f"/a/{AID}/edit/record": compare,
        f"/a/{AID}/edit/discard": {"csrf": csrf, "token": edit_form["token"]},
        f"/a/{AID}/edit/carry": {"csrf": csrf, "token": edit_form["token"], "latest": "x"},
        "/new": {"csrf": csrf, "kind": "重点項目評価書"},
        f"/new/{token}/edit": new_form, f"/new/{token}/record": {"csrf": csrf, "token": new_form["token"], "date": "令和8年4月1日"},
        f"/new/{token}/discard": {"csrf": csrf, "token": new_form["token"]},
    }


POSTS = [f"/a/{AID}/edit", f"/a/{AID}/edit/record", f"/a/{AID}/edit/discard", f"/a/{AID}/edit/carry", "/new",
         "/new/TOKEN/edit", "/new/TOKEN/record", "/new/TOKEN/discard"]


@pytest.mark.parametrize("route", POSTS)
def test_every_post_that_changes_the_store_or_a_draft_needs_the_token_and_this_servers_page(demo_store, route):
    c, forms = _drafted(demo_store)
    url = next(u for u in forms if re.sub(r"/new/[0-9a-f]{16}/", "/new/TOKEN/", u) == route)
    form = MultiDict(forms[url].items(multi=True) if isinstance(forms[url], MultiDict) else forms[url].items())
    before = snapshot(demo_store)
    without = MultiDict(form)
    without.poplist("csrf")
    assert c.post(url, data=without, headers=SAME_ORIGIN).status_code == 400
    assert c.post(url, data={**form.to_dict(), "csrf": "forged"}, headers=SAME_ORIGIN).status_code == 400
    assert client(demo_store).post(url, data=form, headers=SAME_ORIGIN).status_code == 400  # another session's token
    assert c.post(url, data=form).status_code == 403  # no Origin or Referer
    assert c.post(url, data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert c.post(url, data=form, headers={"Host": "evil.example", "Origin": "http://evil.example"}).status_code == 400
    assert snapshot(demo_store) == before  # drafts live in .git: snapshot covers them
    assert c.post(url, data=form, headers=SAME_ORIGIN).status_code in (303, 400, 409)  # the same form, sent properly, is taken


def test_editor_pages_answer_only_their_host_and_escape_values(demo_store):
    c = client(demo_store)
    for path in (f"/a/{AID}/edit", f"/a/{AID}/edit/compare", f"/a/{AID}/edit/carry"):
        page = c.get(path, headers={"Host": "evil.example"})
        assert page.status_code == 400 and "という名前では開けません" in page.data.decode()
    html, form, _ = edit_page(c)
    hostile = '</textarea><script>alert(1)</script>"><img src=x onerror=alert(2)>'
    form[field_for(html, "①部署")] = hostile
    post(c, f"/a/{AID}/edit", form)
    for path in (f"/a/{AID}/edit", f"/a/{AID}/edit/compare"):
        page = c.get(path).data.decode()
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "default-src 'none'" in c.get(path).headers["Content-Security-Policy"]
    for bad in ("/new/../../etc/edit", "/new/zzzz/edit", "/a/..%2F..%2Fx/edit", "/a/CON/edit/compare"):
        assert c.get(bad).status_code in (400, 404), bad


def test_the_edit_page_and_the_compare_page_are_linked_from_the_assessment(demo_store):
    c = client(demo_store)
    page = c.get(f"/a/{AID}").data.decode()
    assert f'href="/a/{AID}/edit" id="edit">この版を編集</a>' in page


def test_a_draft_whose_version_was_recorded_anew_is_found_by_content_or_every_difference_is_chosen(demo_store):
    """pull records this machine's versions anew (other commits): the draft's base is found by its
    content; where it is gone altogether, each value the draft and the latest version differ on is a choice."""
    c = client(demo_store)
    html, form, _ = edit_page(c)
    form[field_for(html, "①部署")] = "下書きの部署"
    post(c, f"/a/{AID}/edit", form)
    path = demo_store / ".git" / "piadiff-drafts" / f"{AID}.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["base"]["commit"] = "0" * 40  # a commit no longer in the history, same content
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    carry = c.get(f"/a/{AID}/edit/carry").data.decode()
    assert 'id="between"' in carry and 'id="no-conflicts"' in carry and "①部署" in carry
    form, _ = read_form(carry, f"/a/{AID}/edit/carry")
    assert post(c, f"/a/{AID}/edit/carry", form, "").status_code == 303
    assert c.get(f"/a/{AID}/edit/compare").status_code == 200  # carried: comparable and recordable again
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["base"] = {"label": "v3", "commit": "0" * 40, "content_hash": "0" * 64}
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    carry = c.get(f"/a/{AID}/edit/carry").data.decode()
    assert 'id="no-base"' in carry
    conflicts = [text(f) for f in re.findall(r'<fieldset class="conflict".*?</fieldset>', carry, re.S)]
    assert len(conflicts) == 1 and "下書きの部署" in conflicts[0]
