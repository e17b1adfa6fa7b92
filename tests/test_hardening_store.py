"""No name, title or message can break or forge the store; versions go forward in time and are not
recorded twice (issue 13: points 1, 2, 4, the --author part of 6, and the tests that would not notice).

Every input that ends up in a commit is checked in one place (piadiff/inputs.py) where it enters,
and every value written into a commit is encoded, then read back with a parser that no value can
fool.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, assert_clean_error, snapshot
from piadiff.document import load_document
from piadiff.errors import InputError, NotFoundError, StoreDamagedError
from piadiff.inputs import check_author, check_message, decode_value, encode_value
from piadiff.store import Store, _parse_commit, init_store

MINIMAL = FIXTURES / "minimal-juten.yaml"
AID = "99-テスト市-児童手当に関する事務-重点項目評価書"
TEXT = MINIMAL.read_text(encoding="utf-8")

#: names an attacker or a careless colleague could give as the one who records or decides
HOSTILE_AUTHORS = ["evil\x1fname", "evil\x1ename", "a\nb", "a\rb", "a\u2028b", "a\u2029b", "a\x85b", "a<b>c", "<x@y>",
                   "a>b", "a\x00b", "a\x1b[31mb", "a\u202eb", "a\tb", "x" * 101, " ", "\ud800"]


def version(tmp_path, name: str, published: str = "令和6年4月1日", vendor: str = "テスト情報株式会社", title: str | None = None):
    text = TEXT.replace("公表日: 令和6年4月1日", f"公表日: {published}").replace("テスト情報株式会社", vendor)
    if title is not None:
        text = text.replace("評価書名: テスト市 児童手当に関する事務 重点項目評価書", f"評価書名: {json.dumps(title)}")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def git(cwd, *args, input: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, input=input).stdout


def labels(run, aid: str = "99") -> list[str]:
    out = run("log", aid).output
    return re.findall(r"^(v\d+)  ", out, re.MULTILINE)


def no_repr(output: str) -> None:
    """No traceback and no Python representation leaks into what an officer reads."""
    for leak in ("Traceback", "b'", 'b"', "stderr: '", "stdout: '", "Error(", "\\x"):
        assert leak not in output, output


# 1, 6 — who records or decides ------------------------------------------------------------------

@pytest.mark.parametrize("name", HOSTILE_AUTHORS, ids=lambda n: n.encode("unicode_escape", "backslashreplace").decode()[:20])
def test_a_hostile_author_is_refused_by_record_decide_import_and_the_environment(run, store_dir, tmp_path, monkeypatch, name):
    if "\x00" in name:  # no argv can carry NUL: the library boundary refuses it
        with pytest.raises(InputError):
            check_author(name)
        return
    assert run("record", str(MINIMAL)).exit_code == 0
    before = snapshot(store_dir)
    for args in (["record", version(tmp_path, "v2.yaml", "令和7年4月1日", "テスト情報")],
                 ["decide", "99", "v1", "--effective", "R7.4.1"],
                 ["import", str(FIXTURES / "minimal-juten.yaml"), "--record"]):
        r = run(*args, "--author", name)
        assert_clean_error(r, "--author")
        no_repr(r.output)
    if name.strip() and "\ud800" not in name:  # a blank variable is no variable; no environment holds a lone surrogate
        monkeypatch.setenv("PIADIFF_AUTHOR", name)
        r = run("record", version(tmp_path, "v2.yaml", "令和7年4月1日", "テスト情報"))
        assert_clean_error(r, "環境変数 PIADIFF_AUTHOR")
    assert snapshot(store_dir) == before


def test_what_a_refused_author_message_says(run, store_dir):
    r = run("record", str(MINIMAL), "--author", "evil\x1fname")
    assert r.output.strip() == ("エラー: --author に使えない文字があります（5 文字目に制御文字 U+001F）。"
                                "名前は 1 行・100 字までで、改行・制御文字・< > は使えません")
    assert "--author が空です" in run("record", str(MINIMAL), "--author", "  ").output


def test_a_fair_name_is_kept_as_written(run, store_dir):
    r = run("record", str(MINIMAL), "--author", "児童課　山田 太郎 (Yamada)")
    assert r.exit_code == 0
    assert "児童課　山田 太郎 (Yamada)" in run("log", "99").output


def test_the_library_refuses_a_hostile_author_and_message_too(tmp_path):
    store = init_store(tmp_path / "store")
    before = snapshot(store.path)
    for kwargs in ({"author": "a\x1fb"}, {"author": "a<b>"}, {"message": "x\x1by"}, {"message": "a\u2028Piadiff-Version: v9"},
                   {"message": "x" * 2001}):
        with pytest.raises(InputError):
            store.record(load_document(MINIMAL), **kwargs)
    with pytest.raises(InputError):
        store.write_file("decisions/x.yaml", b"[]\n", "x", author="a\nb")
    assert snapshot(store.path) == before
    store.close()


def test_the_web_form_refuses_a_hostile_author_with_a_message(run, tmp_path):
    from piadiff.web import create_app

    assert run("demo").exit_code == 0
    store = tmp_path / "store"
    c = create_app(store).test_client()
    html = c.get("/a/12/compare").data.decode()
    form = {"csrf": re.search(r'name="csrf" value="([^"]+)"', html).group(1),
            "head": re.search(r'name="head" value="([^"]+)"', html).group(1),
            "version": "v3", "old": "v2", "row": "1", "timing": "事後"}
    before = snapshot(store)
    for name in ("a<b>c", "evil\nname", "evil\x1fname", "x" * 101):
        sent = c.post("/a/12/decide", data={**form, "author": name}, headers={"Origin": "http://localhost"})
        assert sent.status_code == 400, sent.data.decode()[:300]
        assert "判断した人" in sent.data.decode()
    assert snapshot(store) == before
    sent = c.post("/a/12/decide", data={**form, "author": "児童課 佐藤"}, headers={"Origin": "http://localhost"})
    assert sent.status_code == 303


def test_a_store_written_with_a_hostile_name_by_an_older_piadiff_still_reads(run, store_dir, tmp_path):
    """Before names were checked, ``--author $'evil\\x1fname'`` made every command fail: a store like
    that is read again (the log is parsed by NUL-ended records, not by separators names can hold)."""
    assert run("record", str(MINIMAL)).exit_code == 0
    doc = load_document(version(tmp_path, "v2.yaml", "令和7年4月1日", "テスト情報"))
    store = Store(store_dir)
    import git as gitpython

    from piadiff.store import _commit_message

    head = store._head_sha()
    text = _commit_message(AID, "v2", doc.published, doc, doc.content_hash(), "")
    commit, _ = store._commit_files(head, {f"assessments/{AID}.json": doc.canonical_bytes()}, text,
                                    gitpython.Actor("evil\x1fname\x1e", ""))
    assert store._move_branch(commit, head)
    store.close()
    assert labels(run) == ["v1", "v2"]
    assert "evil" in run("log", "99").output
    for args in (["show", "99", "v2", "--format", "json"], ["changes", "99"], ["status"], ["fsck"]):
        r = run(*args)
        assert r.exit_code == 0, (args, r.output)
    r = run("record", version(tmp_path, "v3.yaml", "令和8年4月1日", "テスト3"))
    assert r.exit_code == 0 and "v3" in r.output


# 2 — metadata cannot be forged from document content or a message ---------------------------------

FORGED_TITLE = "テスト市\u2028Piadiff-Assessment: evil\u2028Piadiff-Version: v999\u2029Piadiff-Change-Date: 2000-01-01"


def test_a_title_cannot_forge_the_commits_metadata(run, store_dir, tmp_path):
    r = run("record", version(tmp_path, "v1.yaml", title=FORGED_TITLE))
    assert r.exit_code == 0, r.output
    with Store(store_dir) as store:
        ((aid, label),) = [(s.assessment_id, s.latest.label) for s in store.summaries()]
    assert aid.startswith("99-テスト市-") and label == "v1"
    rows = run("log").output.split("\n")[1:-1]
    assert [row.split()[0] for row in rows] == [aid]  # one assessment, and not "evil"
    assert labels(run) == ["v1"]
    r = run("record", version(tmp_path, "v2.yaml", "令和7年4月1日", "テスト情報", title=FORGED_TITLE))
    assert r.exit_code == 0 and "v2" in r.output  # the real assessment goes on (it started again at v1)
    assert labels(run) == ["v1", "v2"]
    r = run("fsck")
    assert r.exit_code == 0 and "問題はありません" in r.output
    with Store(store_dir) as store:
        assert [s.assessment_id for s in store.summaries()] == [aid]
        assert store.revision(aid).title == load_document(tmp_path / "v2.yaml").title
        assert "\u2028Piadiff-Assessment: evil" in store.revision(aid).title
        assert store.revision(aid).change_date.isoformat() == "2025-04-01"


@pytest.mark.parametrize("message", [
    "説明\n\nPiadiff-Assessment: evil\nPiadiff-Version: v998",
    "説明\nPiadiff-Version: v998\nPiadiff-Change-Date: 2000-01-01",
    "説明\n\nPiadiff-Format: 2\nPiadiff-Version: \"v998\"",
])
def test_a_message_cannot_forge_the_commits_metadata(run, store_dir, message):
    assert run("record", str(MINIMAL), "-m", message).exit_code == 0
    with Store(store_dir) as store:
        (rev,) = store.revisions(AID)
        assert (rev.assessment_id, rev.label, rev.change_date.isoformat(), rev.message) == (AID, "v1", "2024-04-01", message)
        assert [s.assessment_id for s in store.summaries()] == [AID]


def test_a_store_forged_under_the_old_format_reads_the_real_assessment(run, store_dir, tmp_path):
    """Commits written before (plain trailer values, read then with splitlines) are still read, and
    read by lines as git counts them: a title with U+2028 stays a title."""
    assert run("record", str(MINIMAL)).exit_code == 0
    doc = load_document(version(tmp_path, "v2.yaml", "令和7年4月1日", "テスト情報"))
    path = store_dir / "assessments" / f"{AID}.json"
    path.write_bytes(doc.canonical_bytes())
    old = (f"{AID} v2 令和7年4月1日: 改訂\n\nPiadiff-Assessment: {AID}\nPiadiff-Version: v2\nPiadiff-Change-Date: 2025-04-01\n"
           f"Piadiff-Kind: 重点項目評価書\nPiadiff-Title: {FORGED_TITLE}\nPiadiff-Message: \"\"\n"
           f"Piadiff-Content-Hash: {doc.content_hash()}\nPiadiff-Assessed-On: -\n")
    git(store_dir, "-c", "user.name=旧版", "-c", "user.email=x@x", "commit", "-q", "-a", "-F", "-", input=old)
    assert labels(run) == ["v1", "v2"]
    assert "evil" not in run("log").output.splitlines()[1].split()[0]
    assert run("fsck").exit_code == 0
    assert run("record", version(tmp_path, "v3.yaml", "令和8年4月1日", "テスト3")).output.count("v3") == 1


@pytest.mark.parametrize("trailer, why", [
    ("Piadiff-Change-Date: 2025-13-45", "Change-Date が日付"),
    ("Piadiff-Version: v1\u2028x", "版の名前"),
    ("Piadiff-Version: v" + "9" * 5000, "版の名前"),
    ("Piadiff-Assessment: ../../etc/passwd", "評価書ID"),
])
def test_a_commit_whose_metadata_cannot_be_read_is_named_not_a_traceback(run, store_dir, tmp_path, trailer, why):
    assert run("record", str(MINIMAL)).exit_code == 0
    doc = load_document(version(tmp_path, "v2.yaml", "令和7年4月1日", "テスト情報"))
    (store_dir / "assessments" / f"{AID}.json").write_bytes(doc.canonical_bytes())
    fields = {"Assessment": AID, "Version": "v2", "Change-Date": "2025-04-01", "Content-Hash": doc.content_hash()}
    key = trailer.split(":")[0].removeprefix("Piadiff-")
    lines = [f"Piadiff-{k}: {v}" for k, v in fields.items() if k != key] + [trailer]
    git(store_dir, "-c", "user.name=手", "-c", "user.email=x@x", "commit", "-q", "-a", "-F", "-",
        input="手で記録\n\n" + "\n".join(lines) + "\n")
    sha = git(store_dir, "rev-parse", "HEAD").strip()
    for args in (["log"], ["log", "99"], ["show", "99"], ["changes", "99"],
                 ["record", version(tmp_path, "v3.yaml", "令和8年4月1日", "テスト3")]):
        r = run(*args)
        assert_clean_error(r, f"記録 {sha[:10]} の版の情報を読めません", why)
        no_repr(r.output)
    r = run("fsck")
    assert r.exit_code == 1 and f"記録 {sha[:10]} の版の情報を読めません" in r.output
    no_repr(r.output)


def test_a_trailer_written_twice_is_not_taken(tmp_path):
    body = "x\n\nPiadiff-Format: 2\nPiadiff-Assessment: \"a\"\nPiadiff-Version: \"v1\"\nPiadiff-Version: \"v9\"\n" \
           "Piadiff-Change-Date: \"2025-01-01\"\n"
    with pytest.raises(StoreDamagedError, match="二度"):
        _parse_commit("0" * 40, "x", "2025-01-01T00:00:00+09:00", body)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.text(), st.lists(st.sampled_from(
    ["\n", "\r", "\u2028", "\u2029", "\x85", "\x1c", "\x1d", "\x1e", "\x1f", "\v", "\f", ":", '"', "\\", "P", " ", "\ud800",
     "Piadiff-Version: v9", "\U0001f600", "\U000e0001", "テスト"])).map("".join)))
def test_an_encoded_value_is_one_line_by_every_definition_and_reads_back(value):
    line = encode_value(value)
    assert line.splitlines() == [line] and "\n" not in line and line.isprintable()
    assert decode_value(line) == value
    body = f"s\n\nPiadiff-Format: 2\nPiadiff-Assessment: \"a\"\nPiadiff-Version: \"v1\"\nPiadiff-Change-Date: \"2025-01-01\"\n" \
           f"Piadiff-Title: {line}\n"
    rev = _parse_commit("0" * 40, "x", "2025-01-01T00:00:00+09:00", body)
    assert (rev.assessment_id, rev.label, rev.title) == ("a", "v1", value or "")


def test_message_checks_keep_lines_and_refuse_the_rest():
    assert check_message("一行目\r\n二行目\tタブ") == "一行目\n二行目\tタブ"
    for bad in ("a\x00", "a\x1f", "a\u2028b", "a\u2029", "a\x7f", "a\u202e"):
        with pytest.raises(InputError, match="使えない文字"):
            check_message(bad)


# 4 — versions go forward in time and are not recorded twice --------------------------------------

def test_an_earlier_change_date_is_refused_with_the_reason(run, store_dir, tmp_path):
    assert run("record", version(tmp_path, "v1.yaml", "令和7年4月1日")).exit_code == 0
    before = snapshot(store_dir)
    r = run("record", version(tmp_path, "v2.yaml", "令和6年4月1日", "テスト情報"))
    assert_clean_error(r, "変更日 令和6年4月1日 は最新版 v1 の変更日 令和7年4月1日 より前です", "何も記録していません")
    r = run("record", version(tmp_path, "v2.yaml", "令和8年4月1日", "テスト情報"), "--date", "R7.3.31")
    assert_clean_error(r, "より前です")
    assert snapshot(store_dir) == before


def test_the_same_change_date_needs_same_date_and_then_a_date_names_two_versions(run, store_dir, tmp_path):
    assert run("record", str(MINIMAL)).exit_code == 0
    second = version(tmp_path, "v2.yaml", vendor="テスト情報")
    before = snapshot(store_dir)
    assert_clean_error(run("record", second), "最新版 v1 の変更日と同じです", "--same-date")
    assert snapshot(store_dir) == before
    r = run("record", second, "--same-date")
    assert r.exit_code == 0 and "v2（変更日 令和6年4月1日）" in r.output
    # a 変更日 that matches two versions is refused, never silently the first
    for args in (["show", "99", "令和6年4月1日"], ["changes", "99", "R6.4.1", "v2"]):
        assert_clean_error(run(*args), "変更日 令和6年4月1日 の版が複数あります（v1、v2）")
    with Store(store_dir) as store, pytest.raises(NotFoundError, match="複数"):
        store.revision(AID, "2024-04-01")


def test_recording_a_folder_twice_records_nothing_the_second_time(run, store_dir, tmp_path):
    folder = tmp_path / "versions"
    folder.mkdir()
    for name, date, vendor in (("v1", "令和6年4月1日", "A社"), ("v2", "令和6年10月1日", "B社"), ("v3", "令和7年4月1日", "C社")):
        version(folder, f"{name}.yaml", date, vendor)
    r = run("record", str(folder))
    assert r.exit_code == 0 and "記録 3 件 / 変更なし 0 件 / 失敗 0 件" in r.output
    head = git(store_dir, "rev-parse", "HEAD")
    r = run("record", str(folder))
    assert r.exit_code == 0 and "記録 0 件 / 変更なし 3 件 / 失敗 0 件" in r.output
    assert labels(run) == ["v1", "v2", "v3"] and git(store_dir, "rev-parse", "HEAD") == head


def test_a_document_equal_to_an_earlier_version_is_reported_not_recorded(run, store_dir, tmp_path):
    first = version(tmp_path, "v1.yaml")
    assert run("record", first).exit_code == 0
    assert run("record", version(tmp_path, "v2.yaml", "令和7年4月1日", "B社")).exit_code == 0
    head = git(store_dir, "rev-parse", "HEAD")
    r = run("record", first)
    assert r.exit_code == 0
    assert f"{AID}: v1（変更日 令和6年4月1日）と同じ内容です（最新版は v2）" in r.output and "何も記録しませんでした" in r.output
    assert git(store_dir, "rev-parse", "HEAD") == head
    # the library says which version it is equal to
    with Store(store_dir) as store:
        result = store.record(load_document(first), change_date="2030-01-01")
        assert not result.recorded and result.revision.label == "v1" and result.latest.label == "v2"
        assert not result.same_as_latest


# 9 — a damaged store is reported as damaged ------------------------------------------------------

def _corrupt(store_path, sha: str) -> None:
    path = store_path / ".git" / "objects" / sha[:2] / sha[2:]
    path.chmod(0o644)
    path.write_bytes(b"not a zlib stream")


def test_a_store_whose_latest_commit_is_corrupt_is_damaged_not_foreign(run, tmp_path):
    assert run("demo").exit_code == 0
    store = tmp_path / "store"
    head = git(store, "rev-parse", "HEAD").strip()
    _corrupt(store, head)
    r = run("fsck")
    assert r.exit_code == 1 and "piadiff init" not in r.output and "保存先ではありません" not in r.output
    assert f"問題 保存先: 保存先の git のデータが壊れています（保存先 store の最新の記録 {head[:10]}" in r.output
    assert "問題 git: " in r.output and head in r.output
    no_repr(r.output)
    r = run("log")
    assert_clean_error(r, "git のデータが壊れています", "piadiff fsck")
    no_repr(r.output)
    assert_clean_error(run("init"), "既に piadiff の保存先です")
