"""Officers' decisions, effective dates, the しきい値判断 and the procedure plan, through the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import FIXTURES, assert_clean_error, shared, snapshot


def rows(run, *args):
    return json.loads(run("changes", *args, "--format", "json").stdout_bytes)["batches"][0]


def test_an_officer_overrules_a_row_and_the_decision_lasts(run, demo, tmp_path):
    before = rows(run, "12")["rows"]
    assert before[1]["timing"] == "事後" and before[1]["rule"] == "organisation"
    r = run("decide", "12", "v3", "2", "--timing", "事前", "--reason", "所管替えを先に公表するため")
    assert r.exit_code == 0 and "v3 Ⅰ 基本情報(6. 評価実施機関における担当部署 ①部署): 提出時期 事前" in r.output
    after = rows(run, "12")["rows"]
    assert (after[1]["timing"], after[1]["explanation"], after[1]["rule"], after[1]["decided_by_person"]) == (
        "事前", "所管替えを先に公表するため", "person", True)
    assert [r for i, r in enumerate(after) if i != 1] == [r for i, r in enumerate(before) if i != 1]
    assert "事前（担当者の判断）" in run("changes", "12").output
    # the decision is a commit of the store, visible to plain git, and survives a new version
    log = run("log", "12").output
    assert "v3" in log
    (tmp_path / "v4.yaml").write_text(run("show", "12").output.replace("公表日: '2025-07-31'", "公表日: 令和8年4月1日"), encoding="utf-8")
    assert run("record", "v4.yaml").exit_code == 0
    annex = json.loads(run("annex", "12", "--format", "json").stdout_bytes)
    assert annex["batches"][1]["rows"][1]["decided_by_person"] is True
    assert (demo / "decisions" / "12-kakuu-kodomo-iryo.yaml").read_text(encoding="utf-8").count("版: v3") == 1


def test_deciding_again_replaces_the_earlier_decision(run, demo):
    run("decide", "12", "v3", "2", "--timing", "事前")
    run("decide", "12", "v3", "2", "--timing", "事後", "--reason", "組織改正のため")
    row = rows(run, "12")["rows"][1]
    assert (row["timing"], row["explanation"]) == ("事後", "組織改正のため")


def test_a_significant_change_effective_before_submission_is_flagged(run, demo):
    assert run("decide", "12", "v3", "--effective", "令和7年7月1日").exit_code == 0
    r = run("changes", "12")
    assert "⚠ 重要な変更（事前）なのに施行日 令和7年7月1日 が提出・公表（変更日 令和7年7月31日）より前です" in r.output.replace("\n          ", "").replace("\n    ", "")
    batch = rows(run, "12")
    flagged = [x for x in batch["rows"] if x["violation"]]
    assert flagged and all(x["timing"] == "事前" for x in flagged)
    assert all(x["effective"] == "2025-07-01" for x in batch["rows"])
    assert run("decide", "12", "v3", "--effective", "令和7年9月1日").exit_code == 0
    assert not [x for x in rows(run, "12")["rows"] if x["violation"]]


@pytest.mark.parametrize("args, message", [
    (["12", "v3", "99", "--timing", "事前"], "v3 の変更箇所は 13 行です"),
    (["12", "v1", "1", "--timing", "事前"], "最初の版なので変更箇所がありません"),
    (["12", "v3", "1"], "--timing（事前 / 事後）か --effective"),
    (["12", "v3", "--timing", "事前"], "行の番号を指定してください"),
    (["12", "v3", "--effective", "来月"], "日付「来月」が読めません"),
    (["12", "v9", "1", "--timing", "事前"], "版「v9」はありません"),
])
def test_bad_decisions_are_refused_and_change_nothing(run, demo, args, message):
    before = snapshot(demo)
    assert_clean_error(run("decide", *args), message)
    assert snapshot(demo) == before


def test_plan_lists_the_steps_before_the_effective_date(run, demo, monkeypatch):
    from piadiff import procedure

    monkeypatch.setattr(procedure, "_today", lambda: dt.date(2025, 1, 6))
    r = run("plan", "1", "--effective", "令和7年6月1日")
    assert r.exit_code == 0
    assert "全項目評価書: 施行日 令和7年6月1日 の前に終えること（重要な変更 1 件、今日 令和7年1月6日）" in r.output
    # 30 暦日 ending on an 開庁日, before 14 + 35 開庁日 (春分の日, 昭和の日 and the May holidays skipped)
    assert "住民等の意見の聴取（パブリックコメント）（原則30日以上）: 遅くとも 令和7年2月17日（月）に始め、令和7年3月18日（火）までに終える" in r.output
    assert "第三者点検: 遅くとも 令和7年3月19日（水）に始め、令和7年4月8日（火）までに終える" in r.output
    assert "個人情報保護委員会への提出・公表: 遅くとも 令和7年4月9日（水）に始め、令和7年5月30日（金）までに終える" in r.output
    assert "第三者点検" in r.output and "委託事項3" in r.output
    national = run("plan", "1", "--effective", "令和7年6月1日", "--body", "national").output
    assert "個人情報保護委員会の承認" in national and "第三者点検" not in national
    late = run("plan", "1", "--effective", "令和7年3月1日").output
    assert "⚠ 施行日 令和7年3月1日 が この版の変更日（提出・公表）令和7年4月1日 以前です" in late
    juten = run("plan", "12", "--effective", "令和7年10月1日").output
    assert "重点項目評価書" in juten and "個人情報保護委員会への提出・公表（意見の聴取・第三者点検は任意）" in juten
    assert_clean_error(run("plan", "12", "v1", "--effective", "令和7年10月1日"), "最初の版です")


def test_a_revision_without_significant_change_needs_no_advance_procedure(run, store_dir, tmp_path):
    text = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日")
                                     .replace("③委託先名: テスト情報株式会社", "③委託先名: テスト情報システム株式会社"), encoding="utf-8")
    run("record", "a.yaml"), run("record", "b.yaml")
    assert "重要な変更はありません" in run("plan", "99", "--effective", "令和7年5月1日").output


def test_moving_up_a_threshold_warns(run, store_dir, tmp_path):
    from piadiff.canonical import canonical_yaml
    from piadiff.document import load_document, normalize
    from piadiff.procedure import required_kind, threshold_warnings

    doc = load_document(FIXTURES / "minimal-juten.yaml")  # 10万人以上30万人未満, few handlers
    assert required_kind(doc).kind == "重点項目評価書"
    data = json.loads(doc.canonical_bytes())
    data["表紙"]["公表日"] = "2025-04-01"
    data["Ⅱ 特定個人情報ファイルの概要"][0]["3. 特定個人情報の入手・使用"] = {"④使用の主体": {"使用者数": "500人以上1,000人未満"}}
    bigger = normalize(data)
    assert required_kind(bigger).kind == "全項目評価書"  # 10万–30万 with 500+ handlers
    (warning,) = threshold_warnings(doc, bigger)
    assert "取扱者 500人以上 のため 全項目評価書 が必要です（いまは 重点項目評価書）" in warning
    assert threshold_warnings(bigger, bigger) == []  # said once, when the answers move
    (tmp_path / "b.yaml").write_text(canonical_yaml(bigger.data), encoding="utf-8")
    run("record", str(FIXTURES / "minimal-juten.yaml")), run("record", "b.yaml")
    r = run("changes", "99")
    assert "注意（v2）: しきい値判断:" in r.output and "全項目評価書 が必要です" in r.output


def test_classify_rows_writes_one_json_object_per_row(run, tmp_path):
    source = shared("groundtruth/annex-rows.jsonl")
    lines = source.read_text(encoding="utf-8").splitlines()[:12]
    (tmp_path / "rows.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("classify", "--rows", "rows.jsonl")
    assert r.exit_code == 0
    out = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(out) == 12
    # doubt (why it is 低) only on a 低 row; the rest of the keys on every row
    assert all(set(o) - {"doubt"} == {"timing", "reason", "explanation", "item_key", "rule", "confidence"} for o in out)
    assert all(o["confidence"] in ("高", "低") and ("doubt" in o) == (o["confidence"] == "低") for o in out)
    assert out[1]["item_key"] == "Ⅰ-5-②" and out[1]["timing"] == "事後" and out[1]["rule"] == "law-renumbering"
    (tmp_path / "bad.jsonl").write_text('{"item": "I-4"}\n{oops\n', encoding="utf-8")
    assert_clean_error(run("classify", "--rows", "bad.jsonl"), "bad.jsonl:2: JSON として読めません")
    (tmp_path / "nokey.jsonl").write_text('{"before": "a"}\n', encoding="utf-8")
    assert_clean_error(run("classify", "--rows", "nokey.jsonl"), "item（項目）")
