"""Editing in a real headless Chromium: an officer edits a value of every kind and adds a 委託事項 with
the keyboard alone, sees its row proposed 事前, records it and finds it in the annex; a new
assessment from a blank form. Screenshots of the editor go to tests/artifacts/ (editor-*.png).

Needs Chromium (see tests/test_browser.py): skipped without it unless PIADIFF_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import re

import pytest

from conftest import TESTS

ARTIFACTS = TESTS / "artifacts"
AID = "12-kakuu-kodomo-iryo"


@pytest.fixture
def page(browser):
    return browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP").new_page()


def shot(page, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"), full_page=full)


def focused(page) -> str:
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def tab_to(page, element_id: str, limit: int = 3000) -> None:
    """Press Tab until the element has the focus: only the keyboard, as an officer without a mouse."""
    for _ in range(limit):
        if focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def retype(page, element_id: str, value: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def unlabelled(page) -> list[str]:
    """Every field a person can reach that has no <label>."""
    return page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => e.type !== 'hidden' && (!e.labels || e.labels.length === 0))
        .map(e => e.outerHTML.slice(0, 120))""")


def test_an_officer_edits_every_kind_adds_a_consignment_and_records_it_with_the_keyboard(server, page):
    page.goto(f"{server}/a/{AID}")
    tab_to(page, "edit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/edit$"))
    assert page.locator("h1").inner_text().endswith("の編集")
    assert unlabelled(page) == []
    shot(page, "form")
    # text (Ⅰ-6①), choice (委託事項1 ②委託先における取扱者数), checkbox (システム4 ③), count (委託件数), date (⑥使用開始日)
    retype(page, "f-b-0-5-0", "こども家庭局こども支援部こども医療給付課")
    tab_to(page, "f-b-1-e0-3-2-e0-2-o1")  # the checked option of the radio group: 10人以上50人未満
    page.keyboard.press("ArrowRight")  # the next option, selected as it gets the focus
    assert page.is_checked("#f-b-1-e0-3-2-e0-2-o2")
    tab_to(page, "f-b-0-1-0-e3-2-o1")
    page.keyboard.press("Space")  # tick 庁内連携システム
    assert page.is_checked("#f-b-0-1-0-e3-2-o1")
    retype(page, "f-b-1-e0-2-6", "令和8年4月1日")
    retype(page, "f-b-1-e0-3-1", "5")
    page.keyboard.press("Enter")  # Enter in a field saves (the first button of the form)
    page.wait_for_url(re.compile(r".*/edit\?msg=saved"))
    assert "下書きを保存しました" in page.locator("#notice").inner_text()
    assert page.locator("#valid").is_visible()
    # add a 委託事項 and fill it in
    tab_to(page, "add-g-b-1-e0-3-2")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*msg=added#e-b-1-e0-3-2-e4"))
    assert page.locator("#e-b-1-e0-3-2-e4 legend").first.inner_text() == "委託事項5"
    retype(page, "f-b-1-e0-3-2-e4-0", "電子申請の受付補助業務")
    retype(page, "f-b-1-e0-3-2-e4-1", "電子申請データの形式確認及び受付処理の補助")
    retype(page, "f-b-1-e0-3-2-e4-3", "架空電子サービス株式会社")
    tab_to(page, "f-b-1-e0-3-2-e4-4-0-none")  # ④再委託の有無: 空欄 is checked
    page.keyboard.press("ArrowLeft")  # → 再委託しない
    assert page.is_checked("#f-b-1-e0-3-2-e4-4-0-o1")
    page.locator("#e-b-1-e0-3-2-e4").scroll_into_view_if_needed()
    shot(page, "new-entry")
    tab_to(page, "to-compare")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/edit/compare$"))
    # the rows this edit adds: the new 委託事項 proposed 事前, one row per value edited
    row = page.locator("#rows tbody tr", has_text="委託事項5").filter(has_text="(新規)")
    assert row.count() == 1 and row.locator(".timing").inner_text() == "事前"
    items = page.locator("#rows tbody tr td:nth-child(2)").all_inner_texts()
    for item in ("①部署", "②委託先における取扱者数", "③他のシステムとの接続", "⑥使用開始日", "委託件数", "委託事項5"):
        assert any(item in i for i in items), item
    assert "まだ記録していません" in page.locator("main").inner_text()
    assert unlabelled(page) == []
    shot(page, "compare", full=True)
    # record with 変更日, message and author
    retype(page, "change-date", "令和8年4月1日")
    retype(page, "message", "委託事項の追加ほか")
    retype(page, "author", "ブラウザの担当")
    tab_to(page, "record-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/compare\?old=v3&new=v4"))
    assert "v3 → v4" in page.locator("h1").inner_text()
    page.goto(f"{server}/a/{AID}/annex")
    found = page.locator("#annex tbody tr", has_text="委託事項5").filter(has_text="(新規)")
    assert found.count() == 1
    cells = found.locator("td").all_inner_texts()
    assert cells[0] == "令和8年4月1日" and cells[4].startswith("事前") and "架空電子サービス株式会社" in cells[3]
    page.goto(f"{server}/a/{AID}")
    assert "ブラウザの担当: 委託事項の追加ほか" in page.locator("#timeline").inner_text()


def test_a_new_assessment_with_problems_shown_as_you_go(server, page):
    page.goto(server + "/")
    page.select_option("#new-kind", "重点項目評価書")
    page.click("#new-document")
    page.wait_for_url(re.compile(r".*/new/[0-9a-f]{16}/edit$"))
    assert unlabelled(page) == []
    page.fill("#f-c-0", "31")
    page.fill("#f-c-1", "架空市 新しい事務 重点項目評価書")
    page.fill("#f-c-5", "令和8年13月1日")  # no such date
    page.click("#save")
    problems = page.locator("#problems li").all_inner_texts()
    assert any(p.startswith("表紙 > 公表日: 日付「令和8年13月1日」") for p in problems)
    assert any(p.startswith("表紙 > 評価実施機関名: 必須の項目です") for p in problems)
    assert page.get_attribute("#f-c-5", "aria-invalid") == "true"
    shot(page, "problems")
    page.click("#problems li a >> nth=0")  # the link takes the reader to the field
    page.fill("#f-c-4", "架空市長")
    page.fill("#f-c-5", "令和8年6月1日")
    page.fill("#f-b-0-0-0", "新しい事務")
    page.click("#to-compare")
    page.wait_for_url(re.compile(r".*/compare$"))
    assert "最初の版（v1）として記録します" in page.locator("main").inner_text()
    assert page.input_value("#change-date") == "令和8年6月1日"
    page.click("#record-button")
    page.wait_for_url(re.compile(r".*/a/31-.*"))
    page.goto(server + "/")
    assert page.locator("#assessments tbody tr", has_text="架空市 新しい事務 重点項目評価書").count() == 1
    assert page.locator("#new-drafts").count() == 0


def test_typing_is_saved_without_a_button_and_survives_a_closed_tab(server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP")
    first = context.new_page()
    first.goto(f"{server}/a/{AID}/edit")
    retype(first, "f-b-0-5-0", "自動保存で残る部署")
    first.locator("#autosave-state", has_text="自動で保存しました").wait_for(timeout=15000)
    first.close()  # the tab closed without pressing a button
    second = context.new_page()
    second.goto(f"{server}/a/{AID}/edit")
    assert second.input_value("#f-b-0-5-0") == "自動保存で残る部署"
    # and the page still saves with its button afterwards (its token is the one the last save gave)
    retype(second, "f-b-0-5-0", "その後ボタンで保存")
    second.click("#save")
    second.wait_for_url(re.compile(r".*/edit\?msg=saved"))
    assert second.input_value("#f-b-0-5-0") == "その後ボタンで保存"
    context.close()
