"""Published annex rows whose 項目 is short, cut off or blank, and 変更前 / 変更後 written as placeholders.

The rows are real rows of tests/data/groundtruth/annex-rows.jsonl, altered the way publications alter
them: the 項目 shortened to its last words, cut mid-word at a cell or page edge, or left blank (a cell
merged with the one above); placeholders spelled another way. The documents are the real
publications the rows come from (tests/data/seeds), imported as an officer would.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import pytest

from piadiff.catalog import load_catalog
from piadiff.classify import became_empty, facts_kind, load_rules, was_empty
from piadiff.document import Document, normalize
from piadiff.legacy import read_rows
from piadiff.resolve import Resolver

DATA = Path(__file__).parent / "data"
SEED_001 = "001_390dc73fa7d93b30.txt"
SEED_003 = "003_d3c2f59301631452.txt"


@lru_cache(maxsize=None)
def _rows() -> tuple[dict, ...]:
    lines = (DATA / "groundtruth" / "annex-rows.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def row(seed: str, number: int, **changes: str) -> dict:
    """Published row ``number`` of ``seed``, with the cells in ``changes`` written otherwise."""
    found = next(r for r in _rows() if r["seed"] == seed and r["row"] == number)
    return {**found, **changes}


def batch(seed: str, date_iso: str) -> list[dict]:
    return [dict(r) for r in _rows() if r["seed"] == seed and r["date_iso"] == date_iso]


@lru_cache(maxsize=None)
def document(seed: str) -> Document:
    from piadiff.importers import import_text, with_notes

    result = import_text((DATA / "seeds" / seed).read_text(encoding="utf-8"), seed)
    return normalize(with_notes(result))


def resolver(kind: str = "重点項目評価書") -> Resolver:
    return Resolver(load_catalog(kind))


def resolve(text: str, r: dict | None = None, doc: object = None, previous=None):
    r = r or {}
    return resolver().resolve(text, previous, before=r.get("before", ""), after=r.get("after", ""), document=doc)


# 所属長 alone ------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed, number", [(SEED_003, 18), (SEED_001, 28)])
def test_head_of_section_written_short(seed, number):
    published = row(seed, number)  # I-6② / I 基本情報(6. 評価実施機関における担当部署②所属長の役職名)
    assert resolve(published["item"]).key == "Ⅰ-6-②"
    assert resolve("所属長").key == "Ⅰ-6-②"
    assert resolve("所属長", published, document(SEED_003)).key == "Ⅰ-6-②"
    assert resolver("全項目評価書").resolve("所属長").key == "Ⅰ-7-②"  # numbered 7 in the 全項目 form


# 事務担当部署: Ⅰ-6 (評価実施機関における担当部署) or Ⅱ-2-⑥ --------------------------------------------
def _document_of_2019() -> dict:
    """003's document with Ⅰ-6-① as the 2019 batch left it (its row 17's 変更後): the body's
    担当部署 then named the section and its head, its 事務担当部署 (Ⅱ-2-⑥, row 19) the section alone."""
    data = copy.deepcopy(document(SEED_003).data)
    data["Ⅰ 基本情報"]["6. 評価実施機関における担当部署"]["①部署"] = row(SEED_003, 17)["after"]
    return data


def test_office_in_charge_is_decided_by_where_the_after_text_stands():
    data = _document_of_2019()
    of_section = row(SEED_003, 17, item="事務担当部署")  # published as I-6①
    of_file = row(SEED_003, 19, item="事務担当部署")  # published as II-2⑥
    decided = resolve(of_section["item"], of_section, data)
    assert decided.key == "Ⅰ-6-①" and "変更後の記載" in decided.basis
    assert resolve(of_file["item"], of_file, data).key == "Ⅱ-2-⑥"


def test_office_in_charge_without_evidence_is_the_item_of_that_name():
    assert resolve("事務担当部署").key == "Ⅱ-2-⑥"
    # both items hold the same text in the imported document: the texts decide nothing, the name does
    assert resolve("事務担当部署", row(SEED_003, 19), document(SEED_003)).key == "Ⅱ-2-⑥"
    assert resolver("全項目評価書").resolve("事務担当部署").key == "Ⅱ-2-⑥"


# cut mid-word ------------------------------------------------------------------------------------
def test_item_cut_mid_word_names_its_section_and_the_after_text_the_value():
    cut = "I 基本情報(7. 評価実施機関における担"  # 全項目 numbering, printed on a 重点 form, cut at the cell edge
    assert resolve(cut).key == "Ⅰ-6"
    assert resolver("全項目評価書").resolve(cut).key == "Ⅰ-7"
    head = resolve(cut, row(SEED_003, 18), document(SEED_003))  # 変更後 子育て支援課長
    assert head.key == "Ⅰ-6-②" and "Ⅰ-6-②" in head.basis


@pytest.mark.parametrize("seed, number, keep, expected", [
    (SEED_001, 27, "Ⅰ 基本情報(6. 評価実施機関における担当部署①部", "Ⅰ-6-①"),
    (SEED_001, 57, "II 特定個人情報ファイルの概要(3. 特定個人情報の入手・使用④使用の主体・使用部", "Ⅱ-3-④-使用部署"),
    (SEED_001, 60, "II 特定個人情報ファイルの概要(4. 特定個人情報ファイルの取扱いの委託 委託事項1③委託先", "Ⅱ-4-委託事項-③"),
    (SEED_001, 77, "Ⅲ リスク対策(4. 特定個人情報の取扱いの委託 リスク:委託先における不正な使用等のリスク 規定の内", "Ⅲ-4-リスク-規定の内容"),
    (SEED_001, 69, "II 特定個人情報ファイルの概要(6. 特定個人情報の保管・消", "Ⅱ-6-保管場所"),
    (SEED_001, 28, "I 基本情報(6. 評価実施機関における担当部署②所属長の役", "Ⅰ-6-②"),
])
def test_published_items_cut_off(seed, number, keep, expected):
    published = row(seed, number)
    assert published["item"].startswith(keep) and published["item"] != keep
    assert resolve(published["item"]).key == expected
    assert resolve(keep, published).key == expected


# blank 項目 -----------------------------------------------------------------------------------------
def test_blank_item_continues_the_row_above():
    rows = batch(SEED_001, "2025-07-31")
    numbers = {r["row"]: i for i, r in enumerate(rows)}
    merged = (70, 71, 89, 90)  # published under the same 項目 as the row above: a merged cell
    assert all(rows[numbers[n]]["item"] == rows[numbers[n] - 1]["item"] for n in merged)
    for n in merged:
        rows[numbers[n]]["item"] = ""
    read = read_rows(rows)
    got = {r.raw["row"]: r.resolution for r in read}
    assert got[70].key == got[71].key == got[69].key == "Ⅱ-6-保管場所"
    assert got[89].key == got[90].key == got[88].key == "Ⅲ-7-リスク-その他の措置の内容"
    assert "前の行" in got[70].basis


def test_blank_item_found_by_its_after_text_in_the_document():
    dated = resolve("", row(SEED_003, 47), document(SEED_003))  # V-1①, 変更後 2025/1/16
    assert dated.key == "Ⅴ-1-①" and "変更後の記載" in dated.basis
    law = resolve("", row(SEED_003, 41), document(SEED_003))  # I-5②
    assert law.key == "Ⅰ-5-②"


def test_blank_item_stays_unresolved_with_the_reason():
    # 003's Ⅱ-6 and Ⅲ-7 were given the same sentence: its 変更後 stands in both
    twice = resolve("", row(SEED_003, 44), document(SEED_003))
    assert twice.item is None and "複数の項目" in twice.reason and "Ⅱ-6-保管場所" in twice.reason
    alone = resolve("", row(SEED_003, 44))
    assert alone.item is None and alone.reason == "項目が空欄で、変更前・変更後の記載からも項目を決められない"


def test_short_item_naming_several_items_stays_unresolved():
    vague = resolve("内容")
    assert vague.item is None and "複数の項目" in vague.reason
    unknown = resolve("様式にない欄")
    assert unknown.item is None and "様式にない" in unknown.reason
    assert resolve("所属長").reason == ""


def test_unresolved_rows_keep_their_reason_through_the_undo():
    from piadiff.bootstrap import undo_batch

    rows = [row(SEED_003, 44, item="")]
    _, undos = undo_batch(document(SEED_003), rows)
    assert not undos[0].done and "複数の項目" in undos[0].why


# every real row ---------------------------------------------------------------------------------
def test_every_published_row_resolves_as_before_and_the_document_only_narrows():
    """The figure in the report: 142 of 142 published 項目 resolve, without and with the document;
    the document changes no item, it only names the value inside a section written alone (Ⅲ-6)."""
    alone = read_rows(_rows())
    assert all(r.resolution.item is not None and not r.resolution.reason for r in alone)
    for seed in (SEED_001, SEED_003):
        plain = [r for r in alone if r.raw["seed"] == seed]
        evidenced = read_rows([r.raw for r in plain], document=document(seed))
        for a, b in zip(plain, evidenced):
            assert b.resolution.item is a.resolution.item or a.resolution.item in b.resolution.item.ancestors, \
                (a.raw["item"], a.resolution.key, b.resolution.key)


# placeholders -----------------------------------------------------------------------------------
EMPTY_BEFORE = ["記載無し", "記載なし", "なし", "－", "―", "ー", "-", "(空欄)", "（空欄）", "空欄", "新規", "(新規)", "【新規】", "追加", "右記を追記", "右記を追記（1/2）", ""]
EMPTY_AFTER = ["削除", "(削除)", "記載なし", "記載無し", "なし", "－", "―", "ー", "(空欄)", "空欄"]


@pytest.mark.parametrize("spelling", EMPTY_BEFORE)
def test_placeholder_before_means_added(spelling):
    assert was_empty(spelling) and facts_kind(spelling, "別紙を参照") == "added"


@pytest.mark.parametrize("spelling", EMPTY_AFTER)
def test_placeholder_after_means_removed(spelling):
    assert became_empty(spelling) and facts_kind("別紙を参照", spelling) == "removed"


def test_placeholders_are_one_list_in_the_rule_file():
    patterns = load_rules().patterns
    assert {"empty", "blank", "removed"} <= set(patterns)
    assert not was_empty("発生なし") and not became_empty("発生なし") and not became_empty("")


@pytest.mark.parametrize("spelling", ["記載無し", "記載なし", "なし", "－", "―", "ー", "(空欄)", "空欄", "新規", "追加"])
def test_undo_of_rows_added_to_an_empty_item(spelling):
    from piadiff.bootstrap import previous_version

    doc = document(SEED_001)
    rows = batch(SEED_001, "2025-07-31")
    for r in rows:
        if r["row"] in (86, 87):  # その内容 / 再発防止策の内容: published 変更前 「-」
            r["before"] = spelling
    previous, undos = previous_version(doc, rows, "2024-03-26")
    done = {u.row["row"]: u for u in undos}
    assert done[86].done and done[87].done
    risk = previous.data["Ⅲ リスク対策"][0]["7. 特定個人情報の保管・消去"]["リスク: 特定個人情報の漏えい・滅失・毀損リスク"]
    assert "その内容" not in risk and "再発防止策の内容" not in risk
    assert risk["②過去3年以内に、評価実施機関において、個人情報に関する重大事故が発生したか"] == "発生なし"


@pytest.mark.parametrize("spelling", ["削除", "記載なし", "(空欄)", "－"])
def test_undo_of_rows_that_emptied_an_item_restores_it(spelling):
    """001's 2024 batch removed その内容 / 再発防止策の内容 (published 削除); undone on the version
    before the newest batch, where both are empty, they come back as published."""
    from piadiff.bootstrap import previous_version, undo_batch

    newest, _ = previous_version(document(SEED_001), batch(SEED_001, "2025-07-31"), "2024-03-26")
    rows = [row(SEED_001, n) for n in (40, 41, 42)]  # ②…発生したか, then その内容 / 再発防止策の内容 (bare)
    for r in rows[1:]:
        r["after"] = spelling
    data, undos = undo_batch(newest, rows)
    assert all(u.done for u in undos), [u.why for u in undos]
    risk = data["Ⅲ リスク対策"][0]["7. 特定個人情報の保管・消去"]["リスク: 特定個人情報の漏えい・滅失・毀損リスク"]
    assert risk["その内容"] == rows[1]["before"] and risk["再発防止策の内容"] == rows[2]["before"]
    assert risk["②過去3年以内に、評価実施機関において、個人情報に関する重大事故が発生したか"] == "発生あり"


# choices written another way ------------------------------------------------------------------------
def test_undo_of_a_choice_written_another_way():
    from piadiff.bootstrap import previous_version

    rows = batch(SEED_001, "2025-07-31")
    for r in rows:
        if r["row"] == 85:  # ②…重大事故が発生したか: 発生なし → 発生あり, printed with its box and a typo
            r["after"] = "[発生有り]"
    previous, undos = previous_version(document(SEED_001), rows, "2024-03-26")
    assert next(u for u in undos if u.row["row"] == 85).done
    risk = previous.data["Ⅲ リスク対策"][0]["7. 特定個人情報の保管・消去"]["リスク: 特定個人情報の漏えい・滅失・毀損リスク"]
    assert risk["②過去3年以内に、評価実施機関において、個人情報に関する重大事故が発生したか"] == "発生なし"


def test_undo_of_an_option_in_another_editions_wording_keeps_it_as_written():
    """003 prints Ⅲ-9 in an earlier edition's wording ([十分にしている]); a row quoting the catalog's
    wording (十分に行っている) still matches it, and what comes back is the 変更前 as written."""
    from piadiff.bootstrap import undo_batch

    doc = document(SEED_003)
    education = doc.data["Ⅲ リスク対策"][0]["9. 従業者に対する教育・啓発"]
    assert education["従業者に対する教育・啓発"] == "十分にしている"
    rows = [{"item": "Ⅲ-9 従業者に対する教育・啓発", "before": "[特に力を入れて行っている]", "after": "[十分に行っている]"},
            {"item": "Ⅲ-9 従業者に対する教育・啓発", "before": "[十分にしている]", "after": "[特に力を入れて行っている]"}]
    data, undos = undo_batch(doc, rows[:1])
    assert undos[0].done
    assert data["Ⅲ リスク対策"][0]["9. 従業者に対する教育・啓発"]["従業者に対する教育・啓発"] == "特に力を入れて行っている"
    data, undos = undo_batch(normalize(data), rows[1:])
    assert undos[0].done
    assert data["Ⅲ リスク対策"][0]["9. 従業者に対する教育・啓発"]["従業者に対する教育・啓発"] == "十分にしている"


def test_undo_of_a_choice_that_does_not_match_is_refused():
    from piadiff.bootstrap import undo_batch

    rows = [{"item": "Ⅲ-9 従業者に対する教育・啓発", "before": "[十分に行っている]", "after": "[十分に行っていない]"}]
    _, undos = undo_batch(document(SEED_003), rows)
    assert not undos[0].done and "合わない" in undos[0].why


def test_classify_output_says_why_a_row_has_no_item():
    from piadiff.legacy import classify_rows

    rows = [row(SEED_003, 44, item=""), row(SEED_003, 18, item="所属長")]
    blank, head = classify_rows(rows)
    assert blank["item_key"] is None and blank["item_reason"].startswith("項目が空欄")
    assert head["item_key"] == "Ⅰ-6-②" and "item_reason" not in head
