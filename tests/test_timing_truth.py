"""No proposal says something false of its row: explanations belong to the row's reason, a change
that moves the しきい値判断 is 事前, and the form's Ⅲ-7 is never read as the しきい値判断's question."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, shared
from piadiff.classify import Facts, decide_revision, load_rules
from piadiff.catalog import load_catalog
from piadiff.document import load_document
from piadiff.legacy import classify_rows
from piadiff.procedure import required_kind, threshold_move


def _annex_rows(run, assessment: str) -> list[dict]:
    r = run("annex", assessment, "--format", "json")
    assert r.exit_code == 0, r.output
    return [row for b in json.loads(r.stdout_bytes)["batches"] for row in b["rows"]]


def test_every_explanation_of_the_demo_belongs_to_its_reason(run):
    assert run("demo").exit_code == 0
    reasons = load_rules().reasons
    rows = _annex_rows(run, "1") + _annex_rows(run, "12")
    assert rows
    for row in rows:
        if row["explanation"] and row["reason"]:
            assert reasons[row["reason"]].fits(row["explanation"]), (row["item"], row["reason"], row["explanation"])


def test_the_demos_threshold_changes_are_submitted_before(run):
    assert run("demo").exit_code == 0
    moved = {r["item"].split("(")[-1]: r for r in _annex_rows(run, "1") + _annex_rows(run, "12")
             if r["reason"] == "threshold-change"}
    assert any("対象人数" in k for k in moved) and any("使用者数" in k for k in moved)
    assert all(r["timing"] == "事前" for r in moved.values())


def test_every_explanation_of_the_real_annexes_belongs_to_its_reason():
    """classify --rows with habits learnt from each body's own rows (001 writes one sentence for
    every 事後 row: it may stand only where it says what the row's reason is)."""
    rows = [json.loads(l) for l in shared("groundtruth/annex-rows.jsonl").read_text(encoding="utf-8").splitlines()]
    reasons = load_rules().reasons
    for p in classify_rows(rows, use_history=True):
        if p["explanation"]:
            assert reasons[p["reason"]].fits(p["explanation"]), p


@pytest.mark.parametrize("label, before, after, moved", [
    ("③対象人数", "1万人以上10万人未満", "10万人以上30万人未満", "up"),
    ("③対象人数", "10万人以上30万人未満", "30万人以上", "up"),
    ("③対象人数", "10万人以上30万人未満", "1万人以上10万人未満", None),
    ("③対象人数", "1,000人未満", "1,000人以上1万人未満", "up"),  # 基礎項目評価 becomes mandatory
    ("使用者数", "100人以上500人未満", "500人以上1,000人未満", "up"),
    ("使用者数", "500人以上1,000人未満", "1,000人以上", None),
    ("②しきい値判断結果", "基礎項目評価及び重点項目評価の実施が義務付けられる", "基礎項目評価及び全項目評価の実施が義務付けられる", "up"),
    ("②しきい値判断結果", "基礎項目評価及び全項目評価の実施が義務付けられる", "基礎項目評価及び重点項目評価の実施が義務付けられる", None),
    ("①事務の名称", "a", "b", None),
])
def test_a_threshold_input_that_moves_up(label, before, after, moved):
    assert threshold_move(label, before, after) == moved


def test_a_threshold_row_is_pre_with_its_own_reason_even_in_a_section_of_procedure_dates():
    catalog = load_catalog("全項目評価書")
    item = next(i for i in catalog.root.walk() if i.key == "②しきい値判断結果")
    before, after = "基礎項目評価及び重点項目評価の実施が義務付けられる", "基礎項目評価及び全項目評価の実施が義務付けられる"
    (d,) = decide_revision([Facts(item, "changed", before, after, None, threshold_move(item.key, before, after))])
    assert (d.timing.value, d.reason, d.confidence) == ("事前", "threshold-change", "高")


def test_the_forms_serious_incident_item_is_not_the_thresholds_question():
    doc = load_document(FIXTURES / "kawasaki-001.yaml")  # its Ⅲ-7 says 発生あり; its しきい値判断結果 is 重点
    assert required_kind(doc).kind == "重点項目評価書"
    assert required_kind(doc, incident=True).kind == "全項目評価書"  # when the officer states one


def test_the_officer_states_the_thresholds_serious_incident_in_the_settings(run, store_dir):
    (store_dir / "settings.yaml").write_text("重大事故: たぶん\n", encoding="utf-8")
    r = run("settings")
    assert r.exit_code == 1 and "重大事故 は「あり」か「なし」で書いてください" in r.output
    (store_dir / "settings.yaml").write_text("重大事故: あり\n", encoding="utf-8")
    assert "重大事故: あり" in run("settings").output


def test_a_plain_change_submitted_before_it_takes_effect_is_pre(run):
    """decide --effective: a change that is no 重要な変更, filed before its 施行日, is 事前."""
    assert run("demo").exit_code == 0
    rows = json.loads(run("changes", "12", "--format", "json").stdout_bytes)["batches"][0]["rows"]
    plain = next(i for i, r in enumerate(rows, start=1) if r["reason"] == "organisation")
    assert rows[plain - 1]["timing"] == "事後"
    r = run("decide", "12", "v3", str(plain), "--effective", "令和8年4月1日")  # after the 変更日 令和7年7月31日
    assert r.exit_code == 0, r.output
    after = json.loads(run("changes", "12", "--format", "json").stdout_bytes)["batches"][0]["rows"][plain - 1]
    assert (after["timing"], after["reason"]) == ("事前", "before-effect")
    r = run("decide", "12", "v3", str(plain), "--effective", "令和7年4月1日")  # took effect before it was filed
    after = json.loads(run("changes", "12", "--format", "json").stdout_bytes)["batches"][0]["rows"][plain - 1]
    assert after["timing"] == "事後"
