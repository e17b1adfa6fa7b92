"""確度 (高 / 低) as an officer sees it: 低 rows marked 要確認 wherever a proposal is shown, never in
the six cells pasted into the form, and listed alone by ``changes --review``.

Most tests force one row 低 by wrapping the classifier (the rules that make a row 低 change; what is
tested here is what the outputs do with it); the last ones go through the real classifier.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest

from conftest import FIXTURES
from piadiff import annex as annex_module
from piadiff import legacy as legacy_module
from piadiff.classify import HIGH, LOW, decide_revision

MINIMAL = FIXTURES / "minimal-juten.yaml"
NEW_CONTRACTOR = "テスト情報サービス株式会社"
MARK = "要確認（規則が競合）"


def _forcing(low_when):
    """decide_revision as the classifier decides, with 確度 set by ``low_when(facts)`` alone."""

    def decide(facts, *args, **kwargs):
        out = decide_revision(facts, *args, **kwargs)
        return [replace(d, confidence=LOW, doubt="rules-conflict") if low_when(f) else replace(d, confidence=HIGH, doubt="")
                for f, d in zip(facts, out)]

    return decide


@pytest.fixture
def one_low(monkeypatch):
    """The change of 委託先名 is judged 低 (規則が競合); every other change 高."""
    monkeypatch.setattr(annex_module, "decide_revision", _forcing(lambda f: NEW_CONTRACTOR in f.after))


@pytest.fixture
def two_versions(run, store_dir, tmp_path):
    """v1 the minimal fixture; v2 with 事務の内容 and 委託先名 changed (two rows)."""
    text = MINIMAL.read_text(encoding="utf-8")
    v2 = text.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日").replace("・現況の確認", "・現況の届出の確認")
    v2 = v2.replace("③委託先名: テスト情報株式会社", f"③委託先名: {NEW_CONTRACTOR}")
    (tmp_path / "v2.yaml").write_text(v2, encoding="utf-8")
    assert run("record", str(MINIMAL)).exit_code == 0
    assert run("record", "v2.yaml").exit_code == 0
    return store_dir


def _json_rows(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [r for b in json.loads(result.stdout)["batches"] for r in b["rows"]]


def test_low_row_is_marked_in_table_html_and_json(run, two_versions, one_low):
    rows = _json_rows(run("changes", "99", "--format", "json"))
    assert len(rows) == 2
    (low,) = [r for r in rows if r["confidence"] == LOW]
    (high,) = [r for r in rows if r["confidence"] == HIGH]
    assert NEW_CONTRACTOR in low["after"]
    assert (low["doubt"], low["doubt_text"], low["review"]) == ("rules-conflict", "規則が競合", MARK)
    assert (high["doubt"], high["doubt_text"], high["review"]) == ("", "", "")

    table = run("changes", "99").stdout
    assert table.count("要確認") == 2  # the batch's count and the row's mark
    assert "2 件（うち 要確認 1 件）" in table
    low_block = next(b for b in table.split("\n\n") if NEW_CONTRACTOR in b)
    assert f"  ▲ {MARK}" in low_block.splitlines()
    high_block = next(b for b in table.split("\n\n") if "現況の届出の確認" in b)
    assert "要確認" not in high_block

    html = run("changes", "99", "--format", "html").stdout
    assert html.count(MARK) == 1 and 'data-confidence="低"' in html and 'data-confidence="高"' in html
    assert 'data-doubt="rules-conflict"' in html


def test_sheet_cells_never_carry_the_mark(run, two_versions, one_low, tmp_path):
    from openpyxl import load_workbook

    assert run("changes", "99", "-o", "変更箇所.xlsx").exit_code == 0
    ws = load_workbook(tmp_path / "変更箇所.xlsx").active
    cells = [c.value or "" for row in ws.iter_rows() for c in row]
    assert ws.max_column == 6 and ws.max_row == 3
    assert not any("要確認" in v or v in (HIGH, LOW) for v in cells)
    for fmt in ("csv", "md"):
        out = run("changes", "99", "--format", fmt).stdout
        assert "要確認" not in out and "規則が競合" not in out, fmt
    rows = list(csv.reader(io.StringIO(run("changes", "99", "--format", "csv").stdout.lstrip("\ufeff"))))
    assert [len(r) for r in rows] == [6, 6, 6]


def test_review_lists_only_low_rows_keeping_their_numbers(run, two_versions, one_low, tmp_path):
    full = run("changes", "99").stdout
    number = next(b for b in full.split("\n\n") if NEW_CONTRACTOR in b).split("]")[0]  # "[2"

    r = run("changes", "99", "--review")
    assert r.exit_code == 0, r.output
    assert "要確認（確度 低）の行だけを出力: 1 件 / 全 2 件" in r.stdout
    assert NEW_CONTRACTOR in r.stdout and "現況の届出の確認" not in r.stdout
    assert f"\n{number}] " in r.stdout  # the ROW an officer gives piadiff decide

    data = json.loads(run("changes", "99", "--review", "--format", "json").stdout)
    assert data["note"] == "要確認（確度 低）の行だけを出力: 1 件 / 全 2 件"
    (batch,) = data["batches"]
    assert batch["whole"] == 2 and [r["confidence"] for r in batch["rows"]] == [LOW]
    assert batch["rows"][0]["number"] == int(number.lstrip("["))

    html = run("changes", "99", "--review", "--format", "html").stdout
    assert html.count('data-confidence="低"') == 1 and 'data-confidence="高"' not in html and "1 件 / 全 2 件" in html

    r = run("changes", "99", "--review", "--format", "csv")
    assert [len(row) for row in csv.reader(io.StringIO(r.stdout.lstrip("\ufeff")))] == [6, 6]
    assert "1 件 / 全 2 件" in r.stderr and "要確認" not in r.stdout  # the summary beside, not in, the sheet
    assert run("changes", "99", "--review", "-o", "low.xlsx").exit_code == 0
    from openpyxl import load_workbook

    ws = load_workbook(tmp_path / "low.xlsx").active
    assert ws.max_row == 2 and NEW_CONTRACTOR in ws.cell(row=2, column=4).value


def test_review_without_low_rows_says_so(run, two_versions, monkeypatch):
    monkeypatch.setattr(annex_module, "decide_revision", _forcing(lambda f: False))
    r = run("changes", "99", "--review")
    assert r.exit_code == 0, r.output
    assert "要確認（確度 低）の行だけを出力: 0 件 / 全 2 件" in r.stdout and "（要確認の行はありません）" in r.stdout
    assert "▲" not in run("changes", "99").stdout


def test_an_officers_decision_is_high(run, two_versions, one_low):
    number = next(b for b in run("changes", "99").stdout.split("\n\n") if NEW_CONTRACTOR in b).split("]")[0].lstrip("[")
    assert run("decide", "99", "v2", number, "--timing", "事後").exit_code == 0
    rows = _json_rows(run("changes", "99", "--format", "json"))
    assert all(r["confidence"] == HIGH and r["review"] == "" for r in rows)
    assert "0 件 / 全 2 件" in run("changes", "99", "--review").stdout


def test_annex_marks_low_rows_and_published_rows_have_no_confidence(run, two_versions, one_low):
    batches = json.loads(run("annex", "99", "--format", "json").stdout)["batches"]
    rows = [r for b in batches for r in b["rows"]]
    assert [r["review"] for r in rows if r["confidence"] == LOW] == [MARK]
    assert "▲ " + MARK in run("annex", "99").stdout

    from piadiff.annex import published_rows

    (published,) = published_rows([{"item": "Ⅰ-6①", "before": "a課", "after": "b課", "timing": "事後",
                                    "date_iso": "2024-04-01", "date_text": "令和6年4月1日"}], "重点項目評価書")
    # the body's own decision, not a proposal: nothing to be sure or unsure of
    assert (published.row.confidence, published.row.review_mark) == ("", "")


def test_item_history_marks_low_rows(run, two_versions, one_low):
    out = run("history", "99", "Ⅱ-4委託事項1③").stdout
    assert f"事後 {MARK}" in out or f"事前 {MARK}" in out
    assert "要確認" not in run("history", "99", "Ⅰ-1②").stdout


def test_demo_marks_exactly_the_rows_the_classifier_finds_low(run, tmp_path):
    """Through the real classifier, whichever rows it finds 低: each is marked, no other is."""
    assert run("demo").exit_code == 0
    rows = _json_rows(run("changes", "12", "--format", "json"))
    assert all(r["confidence"] in (HIGH, LOW) for r in rows)
    low = [r for r in rows if r["confidence"] == LOW]
    assert all(r["review"].startswith("要確認（") and r["doubt_text"] for r in low)
    assert all(r["review"] == "" and r["doubt"] == "" for r in rows if r["confidence"] == HIGH)
    assert run("changes", "12").stdout.count("  ▲ 要確認") == len(low)
    review = run("changes", "12", "--review", "--format", "json")
    assert [r["place"] for r in _json_rows(review)] == [r["place"] for r in low]
    assert f"{len(low)} 件 / 全 {len(rows)} 件" in json.loads(review.stdout)["note"]


def test_web_compare_marks_and_filters_low_rows(two_versions, one_low):
    from piadiff.web import create_app

    client = create_app(two_versions).test_client()
    page = client.get("/a/99/compare").get_data(as_text=True)
    assert page.count(MARK) == 1 and "要確認（確度 低）の行: 1 件 / 全 2 件" in page
    assert 'name="review"' in page  # the filter beside the others
    only = client.get("/a/99/compare?review=1").get_data(as_text=True)
    assert only.count('data-confidence="低"') == 1 and 'data-confidence="高"' not in only
    annex_page = client.get("/a/99/annex").get_data(as_text=True)
    assert annex_page.count(MARK) == 1
    sheet = client.get("/a/99/annex.csv").get_data(as_text=True)
    assert "要確認" not in sheet


# classify --rows ---------------------------------------------------------------------------------
ROWS = [
    {"seed": "x", "assessment_type": "重点項目評価書", "date_iso": "2024-04-01", "item": "Ⅰ-6①",
     "before": "子ども家庭課", "after": "こども家庭課"},
    {"seed": "x", "assessment_type": "重点項目評価書", "date_iso": "2024-04-01", "item": "Ⅱ-4委託事項1③",
     "before": "テスト情報株式会社", "after": NEW_CONTRACTOR},
]


def _classify(run, tmp_path, rows) -> list[dict]:
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = run("classify", "--rows", "rows.jsonl")
    assert r.exit_code == 0, r.output
    return [json.loads(line) for line in r.stdout.splitlines()]


def test_classify_rows_gives_confidence_and_the_doubt_of_low_rows(run, tmp_path, monkeypatch):
    monkeypatch.setattr(legacy_module, "decide_revision", _forcing(lambda f: NEW_CONTRACTOR in f.after))
    high, low = _classify(run, tmp_path, ROWS)
    assert set(high) == {"timing", "reason", "explanation", "item_key", "rule", "confidence"}
    assert high["confidence"] == HIGH
    assert set(low) == set(high) | {"doubt"} and (low["confidence"], low["doubt"]) == (LOW, "rules-conflict")


def test_classify_rows_without_forcing_has_the_key_on_every_row(run, tmp_path):
    out = _classify(run, tmp_path, ROWS)
    assert all(o["confidence"] in (HIGH, LOW) for o in out)
    assert all(("doubt" in o) == (o["confidence"] == LOW) for o in out)


def test_a_row_whose_item_cannot_be_resolved_is_low(run, tmp_path):
    """The real classifier: a 項目 that names no item of the form cannot be judged with certainty."""
    unknown = {**ROWS[0], "item": "その他の事項", "before": "受付窓口で確認する", "after": "受付窓口とオンラインで確認する"}
    (out,) = _classify(run, tmp_path, [unknown])
    assert out["item_key"] is None
    assert (out["confidence"], out["doubt"]) == (LOW, "item-unknown")
