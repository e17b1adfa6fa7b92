"""Folders of documents, and the status of every assessment in a store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from conftest import FIXTURES, assert_clean_error, shared, snapshot
from piadiff.document import load_document
from piadiff.store import Store

DOC = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")


def test_record_a_folder_one_bad_file_stops_nothing(run, store_dir, tmp_path):
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    for n in range(1, 4):
        (folder / f"{n}.yaml").write_text(DOC.replace("評価書番号: 99", f"評価書番号: {n}"), encoding="utf-8")
    (folder / "sub" / "4.json").write_text('{"様式": "重点項目評価書", "表紙": {}}', encoding="utf-8")  # bad
    (folder / "sub" / "5.yaml").write_text("様式: [", encoding="utf-8")  # bad
    (folder / "notes.txt").write_text("not a document", encoding="utf-8")  # ignored
    r = run("record", "docs")
    assert r.exit_code == 1
    assert "記録 3 件 / 変更なし 0 件 / 失敗 2 件" in r.output
    assert "失敗 docs/sub/4.json: docs/sub/4.json: 4 件の問題があります" in r.output and "YAML として読めません" in r.output
    assert [l.split()[0] for l in run("log").output.splitlines()[1:]] == [
        "1-テスト市-児童手当に関する事務-重点項目評価書", "2-テスト市-児童手当に関する事務-重点項目評価書",
        "3-テスト市-児童手当に関する事務-重点項目評価書"]
    shutil.rmtree(folder / "sub")
    r = run("record", "docs")
    assert r.exit_code == 0 and "記録 0 件 / 変更なし 3 件 / 失敗 0 件" in r.output
    assert_clean_error(run("record", "docs", "--id", "x"), "--id と --date は使えません")
    (tmp_path / "empty").mkdir()
    assert_clean_error(run("record", "empty"), "のファイルがありません")


def test_import_a_folder_of_published_assessments(run, store_dir, tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    shutil.copy(shared("seeds/003_d3c2f59301631452.txt"), folder / "003.txt")
    shutil.copy(shared("seeds/001_390dc73fa7d93b30.txt"), folder / "001.txt")
    (folder / "broken.txt").write_text("これは評価書ではない", encoding="utf-8")
    before = snapshot(store_dir)
    r = run("import", "published")
    assert r.exit_code == 1 and "記録 2 件 / 変更なし 0 件 / 失敗 1 件" in r.output
    assert "broken.txt: published/broken.txt:1: 特定個人情報保護評価書ではないようです" in r.output
    assert {l.split()[0][:2] for l in run("log").output.splitlines()[1:]} == {"19", "46"}
    assert snapshot(store_dir) != before


def test_status_shows_what_is_due(run, tmp_path):
    assert run("demo").exit_code == 0
    r = run("status", "--today", "令和7年12月1日")
    assert r.exit_code == 0
    lines = {l.split()[0]: l for l in r.output.splitlines()[1:]}
    # 1-kakuu-jumin: last 変更日 令和7年4月1日 → review due 令和8年4月1日; assessed 令和7年3月3日 → 5 years
    assert "令和8年4月1日" in lines["1-kakuu-jumin"] and "令和12年3月3日" in lines["1-kakuu-jumin"]
    late = run("status", "--today", "令和12年1月1日").output
    assert "期限切れ 令和8年4月1日" in late and "間近 令和12年3月3日" in late
    assert "期限を過ぎているもの" in late
    empty = tmp_path / "empty"
    assert run("init", "--store", "empty").exit_code == 0
    assert "まだ評価書がありません" in run("status", "--store", "empty").output


# bulk record: objects written in-process, one update-ref for many versions, git's index once per batch ------

def _folder(tmp_path, name: str, numbers, vendor: str):
    folder = tmp_path / name
    folder.mkdir()
    for n in numbers:
        text = DOC.replace("評価書番号: 99", f"評価書番号: {n}").replace(
            "③委託先名: テスト情報株式会社", f"③委託先名: テスト情報株式会社 {vendor}")
        (folder / f"{n:02d}.yaml").write_text(text, encoding="utf-8")
    return folder


def _git(store, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=store, capture_output=True, text=True, check=True).stdout


def _versions(store_dir) -> dict[str, list[str]]:
    with Store(store_dir) as store:
        return {aid: [r.label for r in store.revisions(aid)] for aid in store.assessment_ids()}


def test_a_bulk_record_writes_what_single_records_write(run, store_dir, tmp_path):
    first, second = _folder(tmp_path, "a", range(1, 6), "A社"), _folder(tmp_path, "b", range(1, 6), "B社")
    assert "記録 5 件" in run("record", "a").output
    assert "記録 5 件" in run("record", "b", "--same-date").output
    assert set(map(tuple, _versions(store_dir).values())) == {("v1", "v2")}
    with Store(store_dir) as store:
        for folder, label in ((first, "v1"), (second, "v2")):
            for f in sorted(folder.iterdir()):
                doc = load_document(f)
                rev = store.revision(store.id_for(doc), label)
                assert store.read_bytes(rev) == doc.canonical_bytes() and rev.content_hash == doc.content_hash()
                assert (store_dir / "assessments" / f"{rev.assessment_id}.json").exists()
    # checked-out files and git's index follow the branch; git's own strict check passes
    assert _git(store_dir, "status", "--porcelain") == ""
    _git(store_dir, "fsck", "--strict")
    assert "記録 0 件 / 変更なし 5 件" in run("record", "b", "--same-date").output


def test_two_bulk_records_at_once_keep_every_version(store_dir, tmp_path):
    _folder(tmp_path, "a", range(1, 13), "A社")
    _folder(tmp_path, "b", range(1, 13), "B社")
    procs = [subprocess.Popen([sys.executable, "-m", "piadiff", "record", name, "--same-date"], cwd=tmp_path,
                              env={**os.environ, "PIADIFF_AUTHOR": "テスト担当"}, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for name in ("a", "b")]
    for p in procs:
        out = p.communicate(timeout=300)[0]
        assert p.returncode == 0 and "記録 12 件 / 変更なし 0 件 / 失敗 0 件" in out, out
    # each assessment has both versions, numbered without a gap, whoever won each compare-and-swap
    assert list(_versions(store_dir).values()) == [["v1", "v2"]] * 12
    assert _git(store_dir, "status", "--porcelain") == ""
    _git(store_dir, "fsck", "--strict")


def test_bulk_record_in_a_history_with_a_merge_numbers_versions_by_the_file(run, store_dir, tmp_path):
    _folder(tmp_path, "a", range(1, 3), "A社")
    _folder(tmp_path, "b", range(1, 3), "B社")
    assert run("record", "a").exit_code == 0
    # a merge made with plain git: the whole log and one file's log may differ, so each file's is read
    tree, head = _git(store_dir, "rev-parse", "HEAD^{tree}").strip(), _git(store_dir, "rev-parse", "HEAD").strip()
    merge = _git(store_dir, "-c", "user.name=x", "-c", "user.email=x@example.jp", "commit-tree", tree,
                 "-p", head, "-p", f"{head}~1", "-m", "merge").strip()
    _git(store_dir, "update-ref", "refs/heads/main", merge, head)
    with Store(store_dir) as store:
        assert store._history_at(merge) is None
    assert "記録 2 件" in run("record", "b", "--same-date").output
    assert list(_versions(store_dir).values()) == [["v1", "v2"]] * 2


def test_a_killed_records_leftovers_in_gits_index_are_put_right_and_hand_staging_stays(run, store_dir, tmp_path):
    _folder(tmp_path, "a", range(1, 4), "A社")
    _folder(tmp_path, "b", range(1, 4), "B社")
    _folder(tmp_path, "c", range(4, 5), "C社")
    assert run("record", "a").exit_code == 0 and run("record", "b", "--same-date").exit_code == 0
    with Store(store_dir) as store:
        paths = [f"assessments/{aid}.json" for aid in store.assessment_ids()]
        old = {p: _git(store_dir, "rev-parse", f"HEAD~{3}:{p}").strip() for p in paths}
    # 1: killed after the checkout, before git's index; 2: killed before the checkout; 3: staged by hand
    _git(store_dir, "update-index", "--cacheinfo", f"100644,{old[paths[0]]},{paths[0]}")
    _git(store_dir, "update-index", "--cacheinfo", f"100644,{old[paths[1]]},{paths[1]}")
    (store_dir / paths[1]).write_bytes(_blob(store_dir, old[paths[1]]))
    (store_dir / paths[2]).write_text("{}\n", encoding="utf-8")
    _git(store_dir, "add", paths[2])
    assert run("record", "c").exit_code == 0
    assert _git(store_dir, "status", "--porcelain").splitlines() == [f"M  {paths[2]}"]


def _blob(store, sha: str) -> bytes:
    return subprocess.run(["git", "cat-file", "blob", sha], cwd=store, capture_output=True, check=True).stdout
