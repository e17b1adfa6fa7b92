"""The HTML annex as a reader sees it, in a real headless Chromium.

Needs Chromium (Debian: apt-get install chromium fonts-noto-cjk) and the playwright package; the
browser is the system's, nothing is downloaded. Without Chromium these tests are skipped, unless
PIADIFF_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import pytest

from conftest import FIXTURES, TESTS

ARTIFACTS = TESTS / "artifacts"


@pytest.fixture
def page(browser):
    return browser.new_page(viewport={"width": 1400, "height": 1000})


def test_annex_page_shows_rows_and_highlights(run, page, tmp_path):
    assert run("demo").exit_code == 0
    assert run("annex", "12", "-o", "annex.html").exit_code == 0
    page.goto((tmp_path / "annex.html").as_uri())
    assert page.locator("h1").inner_text() == "（別添）変更箇所"
    assert page.locator("thead th").all_inner_texts() == ["変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明"]
    rows = page.locator("tbody tr")
    assert rows.count() == 11 + 13
    typo = page.locator("tbody tr", has_text="人事異動")
    assert typo.locator("td.before del").inner_text() == "移"
    assert typo.locator("td.after ins").inner_text() == "異"
    style = lambda el, prop: el.evaluate(f"e => getComputedStyle(e).{prop}")  # noqa: E731
    assert "line-through" in style(typo.locator("td.before del"), "textDecorationLine")
    assert "underline" in style(typo.locator("td.after ins"), "textDecorationLine")
    new_system = page.locator("tbody tr", has_text="システム4").first
    assert new_system.locator("td").nth(2).inner_text() == "(新規)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "annex-12.png"), full_page=True)
    pdf = page.pdf(format="A4", landscape=True)  # prints on A4 landscape
    assert pdf.startswith(b"%PDF")


def test_values_are_text_never_markup(run, page, tmp_path):
    hostile = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"><a href="javascript:window.pwned=3">x</a>'
    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (tmp_path / "v1.yaml").write_text(doc, encoding="utf-8")
    (tmp_path / "v2.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日")
                                      .replace("③委託先名: テスト情報株式会社", f"③委託先名: '{hostile}'"), encoding="utf-8")
    assert run("init").exit_code == 0
    assert run("record", "v1.yaml").exit_code == 0 and run("record", "v2.yaml").exit_code == 0
    assert run("changes", "99", "-o", "x.html").exit_code == 0
    page.goto((tmp_path / "x.html").as_uri())
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None
    assert page.locator("script").count() == 0 and page.locator("tbody img").count() == 0
    assert hostile in page.locator("td.after").first.inner_text()
