"""The git-backed store through the library: record, read back, address versions, stay intact."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import subprocess

import pytest

from conftest import FIXTURES, snapshot
from piadiff.document import load_document, normalize
from piadiff.errors import NotFoundError, PiadiffError, StoreError
from piadiff.store import Store, check_id, init_store

MINIMAL = FIXTURES / "minimal-juten.yaml"


def revise(doc, **cover):
    """A copy of ``doc`` with some cover fields changed (a new version)."""
    data = json.loads(doc.canonical_bytes())
    data["表紙"].update(cover)
    return normalize(data)


@pytest.fixture
def store(tmp_path):
    s = init_store(tmp_path / "store")
    yield s
    s.close()


def git(store, *args) -> str:
    return subprocess.run(["git", *args], cwd=store.path, capture_output=True, text=True, check=True).stdout


def test_record_and_read_back_exactly(store):
    doc = load_document(MINIMAL)
    result = store.record(doc, message="初版の公表", author="児童課 山田")
    rev = result.revision
    assert result.recorded and result.new_assessment
    assert rev.assessment_id == "99-テスト市-児童手当に関する事務-重点項目評価書"
    assert (rev.label, rev.change_date, rev.author, rev.message) == ("v1", dt.date(2024, 4, 1), "児童課 山田", "初版の公表")
    assert rev.content_hash == doc.content_hash()
    assert store.read_bytes(rev) == doc.canonical_bytes()
    assert store.read(rev) == doc
    # the checked-out file and git's own view agree with piadiff: plain git users see the same
    assert (store.path / "assessments" / f"{rev.assessment_id}.json").read_bytes() == doc.canonical_bytes()
    assert git(store, "status", "--porcelain") == ""


def test_metadata_is_visible_to_plain_git_log(store):
    rev = store.record(load_document(MINIMAL), change_date="R6.5.1", message="委託先の変更").revision
    out = git(store, "log", "-1", "--format=%an%n%B")
    assert out.startswith(f"{rev.author}\n{rev.assessment_id} v1 令和6年5月1日: 委託先の変更")
    for line in ["Piadiff-Format: 2", 'Piadiff-Version: "v1"', 'Piadiff-Change-Date: "2024-05-01"',
                 f'Piadiff-Content-Hash: "{rev.content_hash}"', 'Piadiff-Message: "委託先の変更"']:
        assert line in out
    # git's own trailer parser finds every one of them, one value a line
    parsed = subprocess.run(["git", "interpret-trailers", "--parse"], input=out.split("\n", 1)[1], cwd=store.path,
                            capture_output=True, text=True, check=True).stdout
    assert [line.split(":")[0] for line in parsed.splitlines()] == [
        "Piadiff-Format", "Piadiff-Assessment", "Piadiff-Version", "Piadiff-Change-Date", "Piadiff-Kind", "Piadiff-Title",
        "Piadiff-Message", "Piadiff-Content-Hash", "Piadiff-Assessed-On"]


def test_identical_content_records_nothing(store):
    doc = load_document(MINIMAL)
    first = store.record(doc).revision
    head = git(store, "rev-parse", "HEAD")
    again = store.record(doc, message="もう一度")
    assert not again.recorded and again.revision == first
    assert git(store, "rev-parse", "HEAD") == head


def test_versions_are_addressable_every_documented_way(store):
    doc = load_document(MINIMAL)
    aid = store.record(doc).revision.assessment_id
    store.record(revise(doc, 公表日="令和6年10月1日"))
    v3 = store.record(revise(doc, 公表日="令和7年4月1日"), change_date="2025-04-02").revision
    labels = lambda ref: store.revision(aid, ref).label  # noqa: E731
    assert [r.label for r in store.revisions(aid)] == ["v1", "v2", "v3"]
    assert labels("latest") == labels(None) == "v3"
    assert labels("latest~1") == "v2" and labels("latest~2") == "v1"
    assert labels("v2") == labels("V2") == labels("ｖ２") == "v2"
    assert labels("令和6年10月1日") == labels("R6.10.1") == "v2"  # 変更日 defaults to 公表日
    assert labels("2025-04-02") == "v3"  # an explicit 変更日 wins
    assert labels(v3.commit[:8]) == "v3"
    assert store.revision("99", "v1").label == "v1"  # 評価書番号 alone names the assessment
    for ref, message in [("v4", "あるのは v1〜v3"), ("latest~3", "あるのは v1〜v3"), ("令和5年1月1日", "変更日 令和5年1月1日 の版はありません"), ("next", "版「next」が分かりません")]:
        with pytest.raises(NotFoundError, match=message):
            store.revision(aid, ref)


def test_a_revision_of_the_same_assessment_finds_its_id_from_the_number(store):
    doc = load_document(MINIMAL)
    aid = store.record(doc).revision.assessment_id
    renamed = revise(doc, 評価書名="テスト市 児童手当等に関する事務 重点項目評価書", 公表日="令和7年4月1日")
    result = store.record(renamed)
    assert result.revision.assessment_id == aid and result.revision.label == "v2" and not result.new_assessment
    other = store.record(renamed, assessment_id="99-別系統").revision
    assert other.label == "v1"
    with pytest.raises(PiadiffError, match="--id で指定してください"):
        store.record(revise(doc, 公表日="令和8年4月1日"))
    assert sorted(s.assessment_id for s in store.summaries()) == sorted([aid, "99-別系統"])


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/b", "CON", "nul.json", "..", ".hidden", "a..b", "", "x" * 101, "a\nb", "末尾."])
def test_ids_that_could_escape_the_store_or_break_a_file_system_are_refused(store, bad):
    before = snapshot(store.path)
    with pytest.raises(PiadiffError, match="評価書ID"):
        store.record(load_document(MINIMAL), assessment_id=bad)
    assert snapshot(store.path) == before


def test_japanese_ids_are_allowed():
    assert check_id("児童手当-1") == "児童手当-1"


def test_a_crash_before_the_branch_moves_leaves_history_as_it_was(store, monkeypatch):
    doc = load_document(MINIMAL)
    v1 = store.record(doc).revision
    head = git(store, "rev-parse", "HEAD")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the officer presses Ctrl-C, or the power goes, mid-record

    monkeypatch.setattr(Store, "_move_branch", crash)
    with pytest.raises(KeyboardInterrupt):
        store.record(revise(doc, 公表日="令和7年4月1日"))
    monkeypatch.undo()
    assert git(store, "rev-parse", "HEAD") == head
    assert store.revisions(v1.assessment_id) == [v1]
    assert git(store, "status", "--porcelain") == ""
    git(store, "fsck", "--strict")  # raises if git finds anything wrong
    assert store.record(revise(doc, 公表日="令和7年4月1日")).revision.label == "v2"


def _record_many(path: str, prefix: str, n: int) -> None:
    store = Store(path)
    doc = load_document(MINIMAL)
    for i in range(n):
        store.record(revise(doc, 公表日=f"令和7年{i + 1}月1日"), assessment_id=prefix)
    store.close()


def test_two_processes_recording_at_once_lose_nothing(store):
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_record_many, args=(str(store.path), name, 6)) for name in ("a-課", "b-課", "a-課")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    a = store.revisions("a-課")
    assert [r.label for r in store.revisions("b-課")] == [f"v{i}" for i in range(1, 7)]
    # two writers on the same assessment: each version is kept once, labels stay a gapless sequence
    assert [r.label for r in a] == [f"v{i}" for i in range(1, len(a) + 1)]
    assert 6 <= len(a) <= 12
    git(store, "fsck", "--strict")
    assert git(store, "status", "--porcelain") == ""


def test_missing_and_foreign_stores_are_refused(tmp_path):
    with pytest.raises(StoreError, match="piadiff init で作成してください"):
        Store(tmp_path / "nowhere")
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(StoreError, match="git リポジトリではない"):
        Store(plain)
    subprocess.run(["git", "init", "-q", str(plain)], check=True)
    with pytest.raises(StoreError, match="piadiff の保存先ではありません"):
        Store(plain)
    (plain / "other.txt").write_text("x")
    with pytest.raises(StoreError, match="空ではありません"):
        init_store(plain)


def test_init_refuses_an_existing_store_and_keeps_it(store):
    before = snapshot(store.path)
    with pytest.raises(StoreError, match="既に piadiff の保存先です"):
        init_store(store.path)
    assert snapshot(store.path) == before


def test_empty_store_lists_nothing(store):
    assert store.summaries() == [] and store.assessment_ids() == []
    with pytest.raises(NotFoundError, match="まだ評価書がありません"):
        store.revision("99")


def test_the_checkout_store_readme_is_the_one_init_writes(store):
    from pathlib import Path

    checkout = Path(__file__).parents[1] / "store" / "README.md"
    assert (store.path / "README.md").read_text(encoding="utf-8") == checkout.read_text(encoding="utf-8")


def test_content_equal_to_an_earlier_version_is_found_after_git_packs_it(store):
    doc = load_document(MINIMAL)
    v1 = store.record(doc).revision
    store.record(revise(doc, 公表日="令和7年4月1日"))
    git(store, "gc", "-q")  # the blobs move from loose objects into a pack
    result = store.record(doc, change_date="2030-01-01")
    assert not result.recorded and result.revision == v1


def test_reads_go_to_the_store_whatever_gits_variables_say(store, tmp_path, monkeypatch):
    """Reading goes through the git command: a GIT_DIR or GIT_INDEX_FILE left in the shell must not
    point it at another repository."""
    rev = store.record(load_document(MINIMAL)).revision
    other = tmp_path / "other"
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / "index"))
    with Store(store.path) as again:
        assert [r.label for r in again.revisions(rev.assessment_id)] == ["v1"]
        assert again.read(again.revision(rev.assessment_id)) == load_document(MINIMAL)


def test_the_branch_is_found_after_git_packs_its_refs(store):
    doc = load_document(MINIMAL)
    store.record(doc)
    git(store, "pack-refs", "--all")  # refs/heads/main moves into packed-refs
    assert not (store.git_dir / "refs" / "heads" / "main").exists()
    with Store(store.path) as again:
        assert [s.latest.label for s in again.summaries()] == ["v1"]
        again.record(revise(doc, 公表日="令和7年4月1日"))
        assert [r.label for r in again.revisions(again.assessment_ids()[0])] == ["v1", "v2"]


def test_a_read_only_command_does_not_open_gitpython(store):
    """GitPython's import costs more than a read; it is opened for writing only."""
    rev = store.record(load_document(MINIMAL)).revision
    with Store(store.path) as again:
        again.summaries()
        again.read(again.revision(rev.assessment_id, "v1"))
        assert again.read_file("settings.yaml") is None
        assert again._repo is None


def _fresh_versions(store, aid):
    """The versions as a store that has kept nothing reads them."""
    import shutil

    shutil.rmtree(store.git_dir / "piadiff-cache", ignore_errors=True)
    with Store(store.path) as fresh:
        return fresh.revisions(aid)


def test_one_assessments_kept_log_follows_records_resets_and_merges(store):
    """A file's log is kept with the commit it was read at, and a later read asks git only about
    the commits since; whatever happened since, it gives what a full read gives."""
    doc = load_document(MINIMAL)
    aid = store.record(doc).revision.assessment_id
    with Store(store.path) as s:
        assert [r.label for r in s.revisions(aid)] == ["v1"]  # kept now
    store.record(revise(doc, 公表日="令和7年4月1日"))
    other = revise(doc, 評価書番号="98", 評価書名="テスト市 別の事務 重点項目評価書")
    store.record(other)  # a commit that does not touch the file
    with Store(store.path) as s:
        assert [r.label for r in s.revisions(aid)] == ["v1", "v2"] == [r.label for r in _fresh_versions(store, aid)]
    with Store(store.path) as s:
        s.revisions(aid)
    git(store, "reset", "-q", "--hard", "HEAD~2")  # history rewritten by hand: the kept commit is gone from it
    with Store(store.path) as s:
        assert [r.label for r in s.revisions(aid)] == ["v1"]
    # a merge made with plain git: read in full
    git(store, "checkout", "-q", "-b", "side")
    with Store(store.path) as s:
        s.record(revise(doc, 公表日="令和7年4月1日"))
    git(store, "checkout", "-q", "main")
    with Store(store.path) as s:
        s.record(other)
        s.revisions(aid)
    git(store, "-c", "user.name=x", "-c", "user.email=x", "merge", "-q", "--no-edit", "side")
    with Store(store.path) as s:
        assert [r.label for r in s.revisions(aid)] == [r.label for r in _fresh_versions(store, aid)] == ["v1", "v2"]


def test_a_damaged_kept_log_is_read_again_from_git(store):
    doc = load_document(MINIMAL)
    aid = store.record(doc).revision.assessment_id
    store.record(revise(doc, 公表日="令和7年4月1日"))
    with Store(store.path) as s:
        s.revisions(aid)
    for kept in (store.git_dir / "piadiff-cache").glob("*/*.json.z"):
        kept.write_bytes(b"not zlib")
    with Store(store.path) as s:
        assert [r.label for r in s.revisions(aid)] == ["v1", "v2"]


def test_a_checked_out_file_a_killed_record_was_writing_is_cleaned_up(store):
    """Killed between writing the checked-out file's temporary and renaming it, a record leaves
    ``.<file>.<pid>.tmp``: the next record removes it, unless its writer is still running."""
    import os

    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = store.path / "assessments"
    folder.mkdir(exist_ok=True)
    stale = folder / f".99-x.json.{dead.pid}.tmp"
    stale.write_bytes(b"{}")
    running = folder / f".98-x.json.{os.getppid()}.tmp"  # a writer that is still there
    running.write_bytes(b"{}")
    store.record(load_document(MINIMAL))
    assert not stale.exists() and running.exists()
