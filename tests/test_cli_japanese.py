"""What an officer reads from the command line is Japanese: help pages with examples, click's own
usage errors, YAML mistakes, and the sentence `decide` records when no explanation is given."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from conftest import FIXTURES, assert_clean_error
from piadiff.cli import EXAMPLES, cli

#: click's English that must never reach an officer
ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message", "Show the version", "Error:", "Try '", "No such",
           "Missing", "Invalid value", "[default", "[required]", "[env var", "TEXT", "INTEGER", "PATH", "FILENAME",
           "[OPTIONS]", "COMMAND [ARGS]", "Got unexpected", "requires an argument", "does not take", "Aborted")


def all_commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    """(name below piadiff, command) for piadiff itself and every command and subcommand."""
    yield " ".join(path), group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from all_commands(command, path + (name,))
        else:
            yield " ".join(path + (name,)), command


COMMANDS = list(all_commands())


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n or "piadiff" for n, _ in COMMANDS])
def test_every_help_page_is_japanese_with_an_example_and_every_option_described(run, name, command):
    r = run(*name.split(), "--help")
    assert r.exit_code == 0, r.output
    page = r.output
    assert page.startswith(f"使いかた: piadiff {name}".rstrip() + " ["), page
    assert "\n例:\n" in page
    examples = page.split("\n例:\n", 1)[1].split("\n\n")[0].splitlines()
    assert examples and all(line.strip().startswith("piadiff ") for line in examples), examples
    assert "オプション:" in page and "この説明を表示して終わる" in page
    for word in ENGLISH:
        assert word not in page, (name, word, page)
    ctx = click.Context(command, info_name=name or "piadiff")
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), (name, param.opts)
    # each option's line in the page has its description beside it or under it
    options = page.split("オプション:\n", 1)[1].split("\n\n")[0]
    for line in options.splitlines():
        if line.startswith("  -"):
            assert re.search(r"\S\s{2,}\S", line.strip()) or options.split(line, 1)[1].startswith("\n   "), line


def test_the_examples_of_the_help_pages_run_after_the_demo(run, tmp_path):
    """Every 例 line runs as written after `piadiff demo` (serve and push/pull need a browser or a
    shared store; the rows file of classify is the officer's own)."""
    assert run("demo").exit_code == 0
    (tmp_path / "行.jsonl").write_text('{"assessment_type": "重点項目評価書", "item": "Ⅰ-6①", "before": "こども課",'
                                       ' "after": "こども家庭課", "date_iso": "2025-07-31"}\n', encoding="utf-8")
    lines = [line for _, examples in sorted(EXAMPLES.items()) for line in examples]
    assert set(EXAMPLES) == {name for name, _ in COMMANDS}
    ran = 0
    for line in lines:
        argv = shlex.split(line)[1:]
        if argv[0] in ("serve", "push", "pull", "demo"):
            continue
        r = run(*argv)
        assert r.exit_code == 0, (line, r.output)
        ran += 1
    assert ran >= 25


@pytest.mark.parametrize("args, said", [
    (["log", "--xyz"], "「--xyz」というオプションは piadiff log にはありません"),
    (["--xyz", "log"], "「--xyz」というオプションは piadiff にはありません"),
    (["log", "--stor", "x"], "（もしかして --store？）"),
    (["--format", "json", "changes", "12"], "「--format」は show / changes / annex のオプションです。コマンドの後に書いてください"),
    (["frobnicate"], "「frobnicate」というコマンドはありません"),
    (["chnages", "12"], "（もしかして changes？）"),
    (["changes"], "ID を指定してください（使いかた: piadiff changes [オプション] ID [OLD] [NEW]）"),
    (["record"], "FILE を指定してください"),
    (["show", "12", "--format", "pdf"], "--format には yaml / json のどれかを書いてください"),
    (["decide", "12", "v3", "二", "--timing", "事後"], "ROW には数（1、2 のような整数）を書いてください"),
    (["decide", "12", "v3", "2", "--timing"], "--timing の後に値を書いてください（--timing 事前 / 事後）"),
    (["changes", "12", "--review=yes"], "--review には値を書けません"),
    (["decide", "12", "v3", "2", "--timing", "事後", "--reason", "組織", "改正"],
     "余分な引数「改正」があります。空白を含む値は引用符（\"…\"）で囲んでください"),
    (["--store", "store"], "コマンドを指定してください"),
    (["classify"], "--rows を指定してください"),
    (["remote", "frob"], "「frob」というコマンドはありません"),
    (["show", "12", "-o", "."], "「.」はフォルダです。ファイル名を指定してください"),
])
def test_usage_errors_say_what_is_wrong_and_what_to_do_in_japanese(run, args, said):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("エラー: "), r.output
    assert said in lines[0], lines[0]
    assert "--help" in lines[0] or "書いてください" in lines[0] or "指定してください" in lines[0]
    for word in ENGLISH:
        assert word not in r.output, (word, r.output)


def test_piadiff_alone_shows_its_help_in_japanese(run):
    r = run()
    assert r.output.startswith("使いかた: piadiff [オプション] コマンド [引数]...")
    assert "コマンド:\n" in r.output and "Usage" not in r.output


def test_store_before_or_after_the_command(run, tmp_path, monkeypatch):
    assert run("demo", "--store", "one").exit_code == 0
    assert run("--store", "two", "init").exit_code == 0
    assert (tmp_path / "two" / ".git").exists()
    assert "12-kakuu-kodomo-iryo" in run("--store", "one", "log").output
    assert "12-kakuu-kodomo-iryo" in run("log", "--store", "one").output
    assert "まだ評価書がありません" in run("--store", "two", "log").output
    assert "まだ評価書がありません" in run("--store", "one", "log", "--store", "two").output  # the command's own wins
    monkeypatch.setenv("PIADIFF_STORE", "one")
    assert "12-kakuu-kodomo-iryo" in run("log").output
    assert "まだ評価書がありません" in run("--store", "two", "log").output  # written beats the environment
    assert run("--store", "one", "remote", "list").exit_code == 0


@pytest.mark.parametrize("text, line, said", [
    ("様式: 重点項目評価書\n表紙:\n\t評価書番号: 1\n", 3, "タブ文字は使えません。字下げや区切りには半角の空白を使ってください"),
    ("様式: 重点項目評価書\n表紙: 評価書番号: 1\n", 2, "ここに「: 」は書けません"),
    ("様式: 重点項目評価書\n表紙\n注記: x\n", 2, "「項目名: 値」の「:」がありません"),
    ("様式: 重点項目評価書\n注記: \"閉じない\n表紙: x\n", 2, "引用符（\" または '）が閉じられていません"),
    ("様式: 重点項目評価書\n注記: [a, b\n表紙: x\n", 2, "「[」で始めた並びが閉じられていません"),
    ("様式: 重点項目評価書\n表紙:\n    評価書番号: 1\n  評価書名: x\n", 4, "字下げがそろっていません"),
    ("様式: 重点項目評価書\n注記: @x\n", 2, "「@」で始まる値は書けません。値全体を引用符"),
    ("様式: 重点項目評価書\n様式: 全項目評価書\n", 2, "「様式」が二度書かれています"),
])
def test_yaml_mistakes_are_said_in_japanese_with_the_line(run, tmp_path, text, line, said):
    (tmp_path / "評価書.yaml").write_text(text, encoding="utf-8")
    r = run("validate", "評価書.yaml")
    assert r.exit_code == 1
    assert f"評価書.yaml:{line}: " in r.output and said in r.output, r.output
    assert not re.search(r"found|expected|while (scanning|parsing)|not allowed|could not", r.output), r.output


def test_every_broken_yaml_of_the_corpus_is_said_in_japanese():
    from piadiff.errors import PiadiffError
    from piadiff.load import read_document_data

    corpus = sorted((FIXTURES.parent / "badinputs" / "corpus").glob("*.yaml"))
    said = 0
    for path in corpus:
        try:
            read_document_data(path)
        except PiadiffError as e:
            message = str(e)
            assert not re.search(r"found|expected|while (scanning|parsing)|not allowed|could not|special characters", message), message
            said += "YAML として読めません" in message
    assert said >= 15


def test_a_broken_settings_file_is_said_the_same_way(run, tmp_path):
    assert run("demo").exit_code == 0
    (tmp_path / "store" / "settings.yaml").write_text("項目の書き方: 番号\n記載:\n\t新規: 新規\n", encoding="utf-8")
    assert_clean_error(run("changes", "12"), "settings.yaml:3: YAML として読めません（3 行目 1 文字目）: タブ文字は使えません")


def test_a_file_written_by_powershell_redirection_is_refused_with_the_way_to_write_it(run, tmp_path):
    text = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    for name, data in (("bom.yaml", text.encode("utf-16")), ("nobom.yaml", text.encode("utf-16-le"))):
        (tmp_path / name).write_bytes(data)
        r = run("validate", name)
        assert r.exit_code == 1 and "UTF-16 のファイルは読めません" in r.output, r.output
        assert "piadiff show ID VERSION -o ファイル名.yaml" in r.output and "PowerShell" in r.output


def annex_rows(run, *args):
    import json

    return json.loads(run("changes", *args, "--format", "json").stdout_bytes)["batches"][0]["rows"]


def test_decide_without_a_reason_records_the_reasons_sentence_and_says_it(run, demo):
    rows = annex_rows(run, "12")
    assert (rows[4]["timing"], rows[4]["reason"], rows[4]["explanation"]) == ("事前", "addition", "")  # pulled by the revision
    r = run("decide", "12", "v3", "5", "--timing", "事後")
    assert r.exit_code == 0, r.output
    sentence = "重要な変更の対象となる項目（※）以外への追記であるため、事前の提出・公表は義務付けられない"
    assert f"説明: 「{sentence}」（この行の理由「※のない項目への追記」の説明）" in r.output
    row = annex_rows(run, "12")[4]
    assert (row["timing"], row["explanation"], row["decided_by_person"]) == ("事後", sentence, True)
    assert f"説明: {sentence}" in (demo / "decisions" / "12-kakuu-kodomo-iryo.yaml").read_text(encoding="utf-8")


def test_decide_uses_the_stores_own_wording_for_the_reason(run, demo):
    (demo / "settings.yaml").write_text("説明:\n  addition: 追記のため事後とする\n", encoding="utf-8")
    assert "「追記のため事後とする」" in run("decide", "12", "v3", "5", "--timing", "事後").output
    assert annex_rows(run, "12")[4]["explanation"] == "追記のため事後とする"


def test_decide_pre_without_a_reason_leaves_no_stale_post_sentence(run, demo):
    assert annex_rows(run, "12")[1]["explanation"].startswith("組織の改正")
    r = run("decide", "12", "v3", "2", "--timing", "事前")
    assert r.exit_code == 0 and "説明: なし（事前の行には説明を書かない設定・習慣のため、説明は空欄）" in r.output
    assert annex_rows(run, "12")[1]["explanation"] == ""


def test_decide_post_on_a_significant_row_says_the_explanation_is_missing(run, demo):
    assert annex_rows(run, "12")[8]["reason"] == "significant-item"
    r = run("decide", "12", "v3", "9", "--timing", "事後")
    assert r.exit_code == 0
    assert ("説明: なし（この行の理由「重要な変更（※の項目）」は事前の理由なので説明は空欄。--reason \"組織の改正に伴う変更であるため、"
            "重要な変更に当たらない\" のように説明を付けて記録し直してください）") in r.output
    r = run("decide", "12", "v3", "9", "--timing", "事後", "--reason", "文言の整理であるため、重要な変更に当たらない")
    assert r.exit_code == 0 and "説明: 「文言の整理であるため、重要な変更に当たらない」" in r.output
    assert annex_rows(run, "12")[8]["explanation"] == "文言の整理であるため、重要な変更に当たらない"


def test_decide_asks_for_the_explanation_it_cannot_take_from_the_reason(demo):
    from piadiff.decisions import decide
    from piadiff.settings import load_settings
    from piadiff.store import Store

    asked = []
    with Store(demo) as store:
        entry = decide(store, "12", "v3", 9, load_settings(demo), timing="事後",
                       ask=lambda q: asked.append(q) or "様式の文言の整理であるため")
    assert asked == ["この行の理由「重要な変更（※の項目）」は事前の理由なので、事後とする説明を書いてください"]
    assert entry["説明"] == "様式の文言の整理であるため" and entry.note == "入力された説明"
