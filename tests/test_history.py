"""`piadiff history ID ITEM`: the rows of the entry asked for, each labelled with its entry; long
texts cut to the part that changed; an item that names nothing refused with what it may mean."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, assert_clean_error, shared

SEED_003 = "seeds/003_d3c2f59301631452.txt"  # 北九州市 母子保健, 評価書番号 19


@pytest.fixture
def kitakyushu(run, store_dir):
    assert run("import", str(shared(SEED_003)), "--record", "--with-history").exit_code == 0


def test_an_entry_gets_only_its_own_rows(run, kitakyushu):
    out = run("history", "19", "Ⅱ-4委託事項3③").output
    assert out.startswith("Ⅱ-4-委託事項-③（委託事項3「団体内統合宛名システムの運用保守業務」） の変更（2 件）\n")
    assert "令和3年10月1日  既存  委託事項3  事後\n  変更前: 富士通株式会社\n  変更後: 富士通Japan株式会社北九州支店\n" in out
    assert "変更後: 富士通Japan株式会社九州北部公共ビジネス部" in out
    # 委託事項4 and 5 changed the same day: not this entry
    assert "株式会社RKKCS" not in out and "株式会社グラファー" not in out


def test_without_an_entry_every_row_says_which_entry(run, kitakyushu):
    out = run("history", "19", "Ⅱ-4委託事項③").output
    assert "（4 件）" in out
    assert "令和3年10月1日  既存  委託事項4  事後\n  変更前: 富士通株式会社\n  変更後: 株式会社RKKCS\n" in out
    assert "令和3年10月1日  既存  委託事項5  事後\n  変更前: 富士通株式会社\n  変更後: 株式会社グラファー\n" in out


def test_an_entry_is_followed_by_its_name_when_its_number_moves(run, demo, tmp_path):
    text = run("show", "1").output
    first, second = "    - 番号: 1\n      名称: 住民記録システムの運用・保守", "    - 番号: 2\n      名称: 住民異動届等の窓口受付及び入力補助業務"
    assert first in text and second in text
    text = (text.replace(first, first.replace("番号: 1", "番号: 2")).replace(second, second.replace("番号: 2", "番号: 1"))
            .replace("公表日: '2025-04-01'", "公表日: '2026-04-01'"))
    (tmp_path / "v4.yaml").write_text(text, encoding="utf-8")
    assert run("record", "v4.yaml").exit_code == 0
    out = run("history", "1", "Ⅱ-4委託事項1①").output
    # the change v2 made to this entry when it was 委託事項2, then its move to number 1
    assert "委託事項1「住民異動届等の窓口受付及び入力補助業務」" in out.splitlines()[0]
    assert "令和6年10月1日  v2  委託事項2  事後" in out and "変更後: 市民窓口課の窓口における住民異動届等の受付" in out
    assert "令和8年4月1日   v4  委託事項1  事後\n  変更前: 委託事項2\n  変更後: 委託事項1\n" in out
    assert "住民記録システムの稼働監視" not in out  # the other entry's ①


def test_long_texts_show_the_part_that_changed(run, demo):
    out = run("history", "1", "Ⅲ-3リスク2").output
    # the texts open alike for far more than a line: the changed sentence is shown, the rest (省略)
    assert "変更前: (省略)・セキュリティ責任者（市民課長）の承認を得て、操作者用ICカー" in out
    assert "変更後: (省略)・セキュリティ責任者（市民窓口課長）の承認を得て、操作者用IC" in out
    assert "パスワードに加えて、静脈認証による二要素認証を行っている。(省略)" in out.replace("\n          ", "")


def test_short_texts_are_shown_whole(run, demo):
    out = run("history", "12", "Ⅰ-6①").output
    assert "変更前: 子ども未来局子ども家庭部こども家庭課\n  変更後: こども家庭局こども支援部こども医療助成課" in out
    assert "(省略)" not in out


@pytest.mark.parametrize("item, why, maybe", [
    ("2-4-3-3", "項目「2-4-3-3」は、番号 3・4 が近い項目「Ⅰ-2」の番号にないため、どの項目か決められません",
     "もしかして: Ⅱ-4委託事項3③（委託先名）"),
    ("3-3", "どの節（Ⅰ、Ⅱ…）の項目か書かれていないため", "もしかして: Ⅲ-3（特定個人情報の使用）"),
    ("ほげ", "項目「ほげ」に当たる項目が重点項目評価書の様式にない", "書き方の例: Ⅱ-4委託事項3③、Ⅰ-6①、Ⅲ-7"),
])
def test_an_item_that_names_nothing_is_refused_with_suggestions(run, demo, item, why, maybe):
    assert_clean_error(run("history", "12", item), why, maybe)


def test_suggestions_name_the_item_they_suggest():
    from piadiff.catalog import load_catalog
    from piadiff.resolve import resolve_typed, suggestions

    for kind in ("重点項目評価書", "全項目評価書"):
        catalog = load_catalog(kind)
        (suggested,) = suggestions(catalog, "2-4-3-3")
        resolution = resolve_typed(catalog, suggested)
        assert (resolution.key, resolution.entry) == ("Ⅱ-4-委託事項-③", 3), suggested
    assert resolve_typed(load_catalog("重点項目評価書"), "2-4-3-3").item is None


@pytest.mark.parametrize("text, code", [
    ("Ⅱ-4委託事項3③", "Ⅱ-4-委託事項-③"), ("Ⅰ-6①", "Ⅰ-6-①"), ("Ⅲ-7", "Ⅲ-7"), ("Ⅱ-4-委託事項-③", "Ⅱ-4-委託事項-③"),
    ("II 特定個人情報ファイルの概要(4. 特定個人情報ファイルの取扱いの委託 委託事項2 ③委託先名)", "Ⅱ-4-委託事項-③"),
])
def test_items_as_officers_type_them_still_resolve(text, code):
    from piadiff.catalog import load_catalog
    from piadiff.resolve import resolve_typed

    assert resolve_typed(load_catalog("重点項目評価書"), text).key == code


def test_history_of_the_minimal_fixture_still_reads(run, store_dir):
    assert run("record", str(FIXTURES / "minimal-juten.yaml")).exit_code == 0
    assert run("history", "99", "Ⅰ-1②").output == "Ⅰ-1-② の変更は記録されていません。\n"
