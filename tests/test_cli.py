"""The command line as an officer uses it: messages, exit codes, nothing lost on error."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, assert_clean_error, piadiff, snapshot

MINIMAL = str(FIXTURES / "minimal-juten.yaml")
AID = "99-テスト市-児童手当に関する事務-重点項目評価書"


def test_init_record_log_show(run, store_dir, tmp_path):
    r = run("record", MINIMAL, "-m", "初版の公表")
    assert r.exit_code == 0 and f"{AID}: 新しい評価書としてv1（変更日 令和6年4月1日）を記録しました。" in r.output
    r = run("record", MINIMAL)
    assert r.exit_code == 0 and "最新版 v1 と同じ内容です。何も記録しませんでした。" in r.output
    r = run("log")
    assert r.exit_code == 0 and AID in r.output and "令和6年4月1日" in r.output and "重点項目評価書" in r.output
    r = run("log", "99")
    assert r.exit_code == 0 and "v1  令和6年4月1日  テスト担当" in r.output and "初版の公表" in r.output
    r = run("show", "99", "v1", "--format", "json")
    assert r.exit_code == 0
    assert r.stdout_bytes == (store_dir / "assessments" / f"{AID}.json").read_bytes()
    r = run("show", "99", "-o", "out.yaml")
    assert r.exit_code == 0 and (tmp_path / "out.yaml").read_text(encoding="utf-8").startswith("様式: 重点項目評価書\n表紙:\n")
    # the YAML that show writes records as the same version
    assert "同じ内容です" in run("record", "out.yaml").output


def test_record_with_date_id_and_author(run, store_dir, tmp_path):
    r = run("record", MINIMAL, "--id", "jidou", "--date", "R6.4.10", "--author", "児童課 佐藤", "-m", "委託先の変更")
    assert r.exit_code == 0 and "jidou: 新しい評価書としてv1（変更日 令和6年4月10日）" in r.output
    assert "v1  令和6年4月10日  児童課 佐藤" in run("log", "jidou").output


@pytest.mark.parametrize(
    "content, needles",
    [
        ("様式: [重点\n", ["YAML として読めません"]),
        ("様式: 重点項目評価書\n表紙: {評価書番号: '1', 評価書名: x, 評価実施機関名: y, 公表日: 令和6年4月1日}\nⅠ 基本情報: {1: {事務の名前: x}}\n", ["「事務の名前」という項目は", ":3:"]),
        ("様式: 重点項目評価書\n", ["表紙がありません"]),
    ],
)
def test_record_refuses_bad_input_and_leaves_the_store_as_it_was(run, store_dir, tmp_path, content, needles):
    run("record", MINIMAL)
    before = snapshot(store_dir)
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    assert_clean_error(run("record", "bad.yaml"), *needles)
    assert snapshot(store_dir) == before


def test_shift_jis_file_records_like_utf8(run, store_dir, tmp_path):
    (tmp_path / "sjis.yaml").write_bytes((FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8").encode("cp932"))
    assert "新しい評価書として" in run("record", "sjis.yaml").output
    assert "同じ内容です" in run("record", MINIMAL).output


def test_commands_without_a_store_say_how_to_make_one(run):
    for args in (["log"], ["show", "1"], ["record", MINIMAL]):
        assert_clean_error(run(*args), "piadiff init で作成してください")


def test_unknown_ids_and_versions(run, store_dir):
    assert_clean_error(run("log", "1"), "まだ評価書がありません")
    run("record", MINIMAL)
    assert_clean_error(run("show", "42"), "評価書「42」は記録されていません")
    assert_clean_error(run("show", "99", "v7"), "版「v7」はありません", "あるのは v1 だけ")
    assert_clean_error(run("show", "../../etc"), "評価書ID「../../etc」は使えません")


def test_validate_reports_every_file(run, tmp_path):
    (tmp_path / "bad.json").write_text('{"様式": "重点項目評価書", "表紙": {}}', encoding="utf-8")
    r = run("validate", MINIMAL, "bad.json")
    assert r.exit_code == 1
    assert "OK" in r.output and "重点項目評価書「テスト市 児童手当に関する事務 重点項目評価書」 公表日 令和6年4月1日" in r.output
    assert "NG bad.json: 4 件の問題があります" in r.output and "評価書番号: 必須の項目です" in r.output
    assert run("validate", MINIMAL).exit_code == 0


def test_usage_errors_exit_2(run):
    assert run("record").exit_code == 2
    assert run("show", "1", "--format", "pdf").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_schema_is_json_schema_that_accepts_real_documents(run, tmp_path):
    import jsonschema

    r = run("schema", "重点", "-o", "schema.json")
    assert r.exit_code == 0
    schema = json.loads((tmp_path / "schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    from piadiff.document import load_document

    for path in [FIXTURES / "minimal-juten.yaml", FIXTURES / "kitakyushu-003.yaml"]:
        assert list(validator.iter_errors(load_document(path).data)) == []
    broken = load_document(FIXTURES / "minimal-juten.yaml").data | {"Ⅶ 謎の節": {}}
    assert list(validator.iter_errors(broken))
    assert_clean_error(run("schema", "基礎項目評価書"), "まだ対応していません")


def test_demo_records_the_shipped_examples_and_shows_their_history(run, tmp_path):
    r = run("demo")
    assert r.exit_code == 0, r.output
    assert "保存先 store を作成しました。" in r.output
    assert "12-kakuu-kodomo-iryo" in r.output and "1-kakuu-jumin" in r.output
    assert "v3  令和7年7月31日  架空市 こども医療助成課" in r.output
    assert "$ piadiff changes 12" in r.output and "■ 令和7年7月31日  v2 → v3  13 件" in r.output
    from piadiff.examples import example_versions

    first = example_versions("12-kakuu-kodomo-iryo")[0].document()
    assert run("show", "12", "v1", "--format", "json").stdout_bytes == first.canonical_bytes()
    again = run("demo")
    assert again.exit_code == 0 and "記録済みです" in again.output


def test_real_process_error_has_no_traceback(tmp_path):
    (tmp_path / "bad.yaml").write_text("様式: 重点項目評価書\n表紙: [", encoding="utf-8")
    result = piadiff("validate", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "YAML として読めません" in result.stderr
    assert piadiff("--help", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("kind", ["全項目評価書", "重点項目評価書"])
def test_new_writes_a_blank_document_with_every_item(run, tmp_path, kind):
    from piadiff.catalog import load_catalog
    from piadiff.document import load_document

    assert run("new", kind, "-o", "blank.yaml").exit_code == 0
    text = (tmp_path / "blank.yaml").read_text(encoding="utf-8")
    for item in load_catalog(kind).root.walk():
        assert item.key in text, item.code
    assert "# Ⅱ-3-① ※ チェック: 本人又は本人の代理人" in text
    # unfilled, it names exactly the four required cover fields, at their lines
    r = run("validate", "blank.yaml")
    assert r.exit_code == 1 and "4 件の問題があります" in r.output and "blank.yaml:4: 表紙 > 評価書番号: 必須の項目です" in r.output
    filled = text.replace("評価書番号:  # 必須", "評価書番号: 7").replace("評価書名:  # 必須", "評価書名: 例")
    filled = filled.replace("評価実施機関名:  # 必須", "評価実施機関名: 例市長").replace("公表日:  # 日付", "公表日: 令和7年4月1日")
    (tmp_path / "filled.yaml").write_text(filled, encoding="utf-8")
    doc = load_document(tmp_path / "filled.yaml")
    assert list(doc.data) == ["様式", "表紙"]
    assert_clean_error(run("new", kind, "-o", "blank.yaml"), "既にあります")


def test_a_folder_that_is_not_a_store_is_left_alone(run, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "memo.txt").write_text("メモ", encoding="utf-8")
    before = snapshot(tmp_path / "docs")
    assert_clean_error(run("log", "--store", "docs"), "piadiff の保存先ではありません")
    assert_clean_error(run("record", MINIMAL, "--store", "docs"), "piadiff の保存先ではありません")
    assert_clean_error(run("init", "--store", "docs"), "空ではありません")
    assert snapshot(tmp_path / "docs") == before


def test_store_from_environment_variable(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PIADIFF_STORE", str(tmp_path / "elsewhere"))
    assert run("init").exit_code == 0 and (tmp_path / "elsewhere" / "piadiff-store.json").exists()
    assert run("record", MINIMAL).exit_code == 0
    assert AID in run("log").output


def test_init_where_no_folder_can_be_made_says_why(run, tmp_path):
    (tmp_path / "a-file").write_text("x")
    r = run("init", "--store", str(tmp_path / "a-file" / "store"))
    assert r.exit_code == 1 and "作れません（途中の名前がフォルダではなくファイルです）" in r.output
    assert "Traceback" not in r.output and (tmp_path / "a-file").read_text() == "x"
