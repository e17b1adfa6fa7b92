"""Differences between versions, and the annex rows an officer would write for them."""

from __future__ import annotations

import copy
import datetime as dt


from conftest import FIXTURES
from piadiff.annex import annex_row, excerpt
from piadiff.classify import Timing
from piadiff.diff import ChangeKind, diff
from piadiff.document import load_document, normalize
from piadiff.settings import Settings

BASE = load_document(FIXTURES / "minimal-juten.yaml")
DAY = dt.date(2025, 7, 31)
II = "Ⅱ 特定個人情報ファイルの概要"
ITAKU = "4. 特定個人情報ファイルの取扱いの委託"


def edit(fn) -> object:
    data = copy.deepcopy(BASE.data)
    fn(data)
    return normalize(data)


def itaku(data) -> dict:
    return data[II][0][ITAKU]


def rows(old, new, **settings):
    return [annex_row(c, DAY, "v2", Settings(**settings)) for c in diff(old, new)]


def add_entries(data, *entries):
    itaku(data)["委託事項"] += [dict(e) for e in entries]


def test_identical_versions_have_no_changes():
    assert diff(BASE, BASE) == []


def test_a_changed_text_is_one_row_with_the_official_and_the_code_label():
    new = edit(lambda d: itaku(d)["委託事項"][0].__setitem__("③委託先名", "テスト情報システム株式会社"))
    (row,) = rows(BASE, new)
    assert row.item == f"{II}(4. 特定個人情報ファイルの取扱いの委託 委託事項1 ③委託先名)"
    assert (row.before, row.after, row.change) == ("テスト情報株式会社", "テスト情報システム株式会社", "changed")
    assert row.date_text == "令和7年7月31日"
    (code,) = rows(BASE, new, item_style="code")
    assert code.item == "Ⅱ-4委託事項1③"


def test_a_new_group_entry_is_one_row_holding_its_whole_content():
    new = edit(lambda d: add_entries(d, {"番号": 2, "名称": "申請書のデータ入力", "③委託先名": "入力センター株式会社",
                                         "再委託": {"④再委託の有無": "再委託しない"}}))
    (row,) = rows(BASE, new)
    assert row.item == f"{II}(4. 特定個人情報ファイルの取扱いの委託 委託事項2)"
    assert row.before == "(新規)"
    assert row.after == "委託事項2\n名称: 申請書のデータ入力\n③委託先名: 入力センター株式会社\n④再委託の有無: 再委託しない"


def test_adding_an_entry_in_the_middle_does_not_touch_the_others():
    two = edit(lambda d: add_entries(d, {"番号": 2, "名称": "B業務", "③委託先名": "B社"}))
    three = normalize({**copy.deepcopy(two.data)})
    entries = itaku(three.data)["委託事項"]
    entries.insert(1, {"番号": 2, "名称": "新業務", "③委託先名": "新社"})
    entries[2]["番号"] = 3  # B業務 is now printed as 委託事項3
    three = normalize(three.data)
    changes = diff(two, three)
    assert [(c.kind, c.key.rsplit("/", 1)[-1]) for c in changes] == [
        (ChangeKind.ADDED, "委託事項[新業務]"), (ChangeKind.MOVED, "委託事項[B業務]")]
    moved = annex_row(changes[1], DAY, "v3", Settings())
    assert (moved.before, moved.after) == ("委託事項2", "委託事項3")


def test_a_removed_entry_is_one_row_written_削除():
    two = edit(lambda d: add_entries(d, {"番号": 2, "名称": "B業務", "③委託先名": "B社"}))
    (row,) = rows(two, BASE)
    assert row.after == "削除" and row.before.startswith("委託事項2\n名称: B業務")
    assert row.change == "removed"


def test_a_renamed_entry_is_one_change_of_its_name():
    new = edit(lambda d: itaku(d)["委託事項"][0].__setitem__("名称", "児童手当システムの運用保守業務"))
    (row,) = rows(BASE, new)
    assert row.item.endswith("委託事項1 名称)") and row.after == "児童手当システムの運用保守業務"


def test_checkboxes_show_only_the_boxes_that_changed_as_the_form_prints_them():
    path = lambda d: d["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"][0]  # noqa: E731
    new = edit(lambda d: path(d).__setitem__("③他のシステムとの接続", ["庁内連携システム", {"その他": "申請管理システム"}]))
    (row,) = rows(BASE, new)
    assert row.before == "[○] 宛名システム等\n[ ] その他"
    assert row.after == "[ ] 宛名システム等\n[○] その他 (申請管理システム)"


def test_counts_dates_and_values_that_appear_or_go():
    def change(d):
        itaku(d)["委託件数"] = 2
        d[II][0]["2. 基本情報"]["⑤保有開始日"] = "令和元年5月1日"
        d[II][0]["2. 基本情報"]["③対象となる本人の範囲"] = "児童手当の受給者及びその児童"
        del d["Ⅰ 基本情報"]["4. 個人番号の利用"]
    new = edit(change)
    by_item = {r.item_code: r for r in rows(BASE, new)}
    assert (by_item["Ⅱ-4-委託件数"].before, by_item["Ⅱ-4-委託件数"].after) == ("(1)件", "(2)件")
    assert (by_item["Ⅱ-2-⑤"].before, by_item["Ⅱ-2-⑤"].after) == ("平成29年7月1日", "令和1年5月1日")
    assert (by_item["Ⅱ-2-③"].before, by_item["Ⅱ-2-③"].change) == ("右記を追記", "added")
    assert (by_item["Ⅰ-4-法令上の根拠"].after, by_item["Ⅰ-4-法令上の根拠"].change) == ("削除", "removed")
    gannen = {r.item_code: r for r in rows(BASE, new, gannen=True)}
    assert gannen["Ⅱ-2-⑤"].after == "令和元年5月1日"


def test_rows_come_in_form_order():
    def change(d):
        d["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]["①事務の名称"] = "児童手当等に関する事務"
        itaku(d)["委託事項"][0]["③委託先名"] = "別の会社"
        d["Ⅰ 基本情報"]["4. 個人番号の利用"]["法令上の根拠"] = "番号法第9条第1項 別表の74の項"
    codes = [r.item_code for r in rows(BASE, edit(change))]
    assert codes == ["Ⅰ-1-①", "Ⅰ-4-法令上の根拠", "Ⅱ-4-委託事項-③"]


def test_timing_significant_items_before_others_after_with_the_house_phrasing():
    def change(d):
        d[II][0]["2. 基本情報"]["③対象となる本人の範囲"] = "児童手当の受給者"
    start = edit(change)
    widened = edit(lambda d: (change(d), d[II][0]["2. 基本情報"].__setitem__("③対象となる本人の範囲", "児童手当及び特例給付の受給者")))
    (pre,) = rows(start, widened)
    assert (pre.timing, pre.explanation, pre.rule, pre.significant) == (Timing.PRE, "", "significant-item", True)
    renamed = edit(lambda d: itaku(d)["委託事項"][0].__setitem__("③委託先名", "別の会社"))  # not ※
    (post,) = rows(BASE, renamed)
    assert post.timing is Timing.POST and post.reason == "not-significant-item" and "重要な変更" in post.explanation
    house = "重要な変更に該当しない項目の変更であるため、事前の提出・公表が義務付けられない"
    (own,) = rows(BASE, renamed, explanations={"not-significant-item": house})
    assert own.explanation == house


def test_excerpt_keeps_the_changed_sentences_and_omits_the_rest():
    before = "第一文です。第二文です。\n第三文は長い説明です。第四文です。"
    after = "第一文です。第二文を直しました。\n第三文は長い説明です。第四文です。"
    assert excerpt(before, after, "(省略)") == ("(省略)\n第二文です。\n(省略)", "(省略)\n第二文を直しました。\n(省略)")
    text = "・" + "とても長い説明の文です。" * 30
    new = edit(lambda d: d["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"].__setitem__("②事務の内容", text))
    newer = edit(lambda d: d["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"].__setitem__("②事務の内容", text.replace("説明の文です。", "説明の分です。", 1)))
    (row,) = rows(new, newer, excerpt=True)
    assert row.before == "・とても長い説明の文です。\n(省略)" and row.after == "・とても長い説明の分です。\n(省略)"
    assert row.before_full == text
