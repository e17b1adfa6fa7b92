"""Folders of documents, and the status of every assessment in a store."""

from __future__ import annotations

import shutil

from conftest import FIXTURES, assert_clean_error, shared, snapshot

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
