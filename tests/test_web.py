"""The local web view: as a person uses it in headless Chromium, and its safety rules."""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, TESTS, snapshot

ARTIFACTS = TESTS / "artifacts"


@pytest.fixture
def browser_page(browser):
    return browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900}, locale="ja-JP").new_page()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def test_an_officer_compares_overrules_and_downloads(server, browser_page, tmp_path):
    page = browser_page
    page.goto(server + "/")
    assert page.locator("h1").inner_text() == "評価書の一覧（2 件）"
    assert page.locator("#assessments tbody tr").count() == 2
    shot(page, "home")
    page.get_by_role("link", name="12-kakuu-kodomo-iryo").click()
    assert page.locator("#timeline li").count() == 3
    shot(page, "assessment")
    page.select_option("#old", "v1")
    page.select_option("#new", "v3")
    page.click("#compare")
    assert "v1 → v3 の変更箇所" in page.locator("h1").inner_text()
    assert page.locator("#rows tbody tr").count() > 10
    assert page.locator("#rows ins").count() > 0 and page.locator("#rows del").count() > 0
    shot(page, "compare-v1-v3")
    # filters: ※ items only (some rows, not all of them: an empty or unfiltered table must fail)
    every = page.locator("#rows tbody tr").count()
    page.check("input[name=significant]")
    page.click("text=絞り込む")
    items = page.locator("#rows tbody tr td:nth-child(2)").all_inner_texts()
    assert 0 < len(items) < every and all("※" in t for t in items)
    # overrule one decision on the newest revision, with the keyboard-usable form
    page.goto(server + "/a/12-kakuu-kodomo-iryo/compare?old=v2&new=v3")
    row = page.locator("#row-2")
    assert "事後" in row.locator(".timing").inner_text()
    page.select_option("#timing-2", "事前")
    page.fill("#explanation-2", "所管替えを先に公表するため")
    page.click("#decide-2")
    row = page.locator("#row-2")
    assert "事前" in row.locator(".timing").inner_text() and "（担当者の判断）" in row.inner_text()
    shot(page, "decided")
    # the annex and its xlsx, with the decision in it
    page.goto(server + "/a/12-kakuu-kodomo-iryo/annex")
    with page.expect_download() as download:
        page.click("#dl-xlsx")
    path = tmp_path / "annex.xlsx"
    download.value.save_as(path)
    from openpyxl import load_workbook

    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert list(rows[0]) == ["変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明"]
    decided = [r for r in rows if r[1] == "Ⅰ 基本情報(6. 評価実施機関における担当部署 ①部署)"]
    assert decided and decided[0][4] == "事前" and decided[0][5] == "所管替えを先に公表するため"
    assert len(rows) == 1 + 11 + 13
    # the same file as the CLI writes
    from click.testing import CliRunner

    from piadiff.cli import cli

    assert CliRunner().invoke(cli, ["annex", "12", "-o", str(tmp_path / "cli.xlsx"), "--store", str(tmp_path / "store")]).exit_code == 0
    assert list(load_workbook(tmp_path / "cli.xlsx").active.iter_rows(values_only=True)) == rows
    page.goto(server + "/a/12-kakuu-kodomo-iryo/history?item=" + "Ⅰ-6①")
    assert page.locator("#history tbody tr").count() == 1
    shot(page, "history")


def test_keyboard_reaches_the_compare_button(server, browser_page):
    page = browser_page
    page.goto(server + "/a/12-kakuu-kodomo-iryo")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "compare":
            break
    assert page.evaluate("document.activeElement.id") == "compare"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/compare\?old=v1&new=v3"))


def client(store, password=None):
    from piadiff.web import create_app

    app = create_app(store, password=password)
    return app.test_client()


#: what a browser sends with a form of the test client's pages (its base URL is http://localhost/)
SAME_ORIGIN = {"Origin": "http://localhost"}


def decide_form(c) -> dict:
    html = c.get("/a/12/compare").data.decode()
    token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    head = re.search(r'name="head" value="([^"]+)"', html).group(1)
    return {"csrf": token, "head": head, "version": "v3", "old": "v2", "row": "1", "timing": "事後"}


def test_posts_need_the_csrf_token_and_a_fresh_page(demo_store):
    c = client(demo_store)
    form = decide_form(c)
    assert c.post("/a/12/decide", data={**form, "csrf": "forged"}, headers=SAME_ORIGIN).status_code == 400
    assert client(demo_store).post("/a/12/decide", data=form, headers=SAME_ORIGIN).status_code == 400  # another session's token
    assert c.post("/a/12/decide", data=form, headers=SAME_ORIGIN).status_code == 303
    stale = c.post("/a/12/decide", data={**form, "timing": "事前"}, headers=SAME_ORIGIN)
    assert stale.status_code == 409 and "ページを開き直して" in stale.data.decode()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io:8000",
                                  "localhost:abc", "user@localhost", "localhost/x", "[::1", "", "ｌｏｃａｌｈｏｓｔ"])
def test_a_host_that_is_not_the_bound_address_is_refused(demo_store, host):
    """DNS rebinding: a hostile page whose name now points at 127.0.0.1 sends its own name as Host."""
    c = client(demo_store)
    before = snapshot(demo_store)
    for path in ("/", "/a/12", "/a/12/compare", "/a/12/annex", "/a/12/annex.csv", "/a/12/history?item=Ⅰ-6①", "/nowhere"):
        page = c.get(path, headers={"Host": host})
        assert page.status_code == 400, (path, page.status_code)
        assert "という名前では開けません" in page.data.decode() and "--allow-host" in page.data.decode()
        assert "12-kakuu-kodomo-iryo" not in page.data.decode() and page.mimetype == "text/html"
    # a form sent through the rebound name, even with a token and the page's own Origin, records nothing
    form = decide_form(c)
    sent = c.post("/a/12/decide", data=form, headers={"Host": host, "Origin": f"http://{host}"})
    assert sent.status_code == 400 and snapshot(demo_store) == before


@pytest.mark.parametrize("host", ["localhost", "LocalHost.", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]:8000",
                                  "[0:0:0:0:0:0:0:1]:8000"])
def test_the_loopback_names_are_answered(demo_store, host):
    assert client(demo_store).get("/", headers={"Host": host}).status_code == 200


def test_allow_host_adds_names_and_every_address_allows_ip_addresses(demo_store, run, monkeypatch):
    from conftest import assert_clean_error
    from piadiff.web import create_app

    def listen(*args, **kwargs):
        raise AssertionError("serve started listening")

    monkeypatch.setattr("werkzeug.serving.make_server", listen)

    named = create_app(demo_store, allow_hosts=["pia.example.lg.jp", "10.0.0.5"]).test_client()
    for host in ("pia.example.lg.jp", "PIA.example.lg.jp.:8000", "10.0.0.5:8000", "localhost"):
        assert named.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("example.lg.jp", "x.pia.example.lg.jp", "10.0.0.6"):
        assert named.get("/", headers={"Host": host}).status_code == 400, host
    lan = create_app(demo_store, host="192.168.1.5").test_client()
    assert lan.get("/", headers={"Host": "192.168.1.5:8000"}).status_code == 200
    assert lan.get("/", headers={"Host": "pia.example.lg.jp"}).status_code == 400
    everywhere = create_app(demo_store, host="0.0.0.0", password="秘密のことば").test_client()
    assert everywhere.get("/", headers={"Host": "192.168.1.5:8000"}).status_code == 401  # then the password
    assert everywhere.get("/", headers={"Host": "[fe80::1]:8000"}).status_code == 401
    assert everywhere.get("/", headers={"Host": "pia.example.lg.jp"}).status_code == 400  # before the password
    for bad in ("*", "evil/x", "http://pia.example.lg.jp", "a b", "-"):
        assert_clean_error(run("serve", "--allow-host", bad), "ホスト名として使えません")
    started = run("serve", "--allow-host", "pia.example.lg.jp", "--allow-host", "[::1]:8000")
    assert "serve started listening" in repr(started.exception)  # good names get as far as listening


ORIGINS = [
    ({}, "送信元（Origin・Referer）の分からない"),
    ({"Origin": "null"}, "ほかのページ"),
    ({"Origin": "http://evil.example"}, "ほかのページ"),
    ({"Origin": "http://localhost:8001"}, "ほかのページ"),
    ({"Origin": "https://localhost"}, "ほかのページ"),
    ({"Origin": "http://localhost.evil.example"}, "ほかのページ"),
    ({"Origin": "http://localhost@evil.example"}, "ほかのページ"),
    ({"Origin": "http://evil.example", "Referer": "http://localhost/a/12/compare"}, "ほかのページ"),
    ({"Referer": "http://evil.example/a/12/compare"}, "ほかのページ"),
]


@pytest.mark.parametrize("headers, message", ORIGINS)
def test_a_post_from_another_page_is_refused(demo_store, headers, message):
    c = client(demo_store)
    form = decide_form(c)  # the token is right: only where the form came from is wrong
    before = snapshot(demo_store)
    sent = c.post("/a/12/decide", data=form, headers=headers)
    assert sent.status_code == 403 and message in sent.data.decode() and "何も記録していません" in sent.data.decode()
    assert snapshot(demo_store) == before


@pytest.mark.parametrize("headers", [{"Origin": "http://localhost"}, {"Origin": "http://LOCALHOST:80"},
                                     {"Referer": "http://localhost/a/12/compare?old=v2&new=v3"}])
def test_a_post_from_this_servers_page_is_taken(demo_store, headers):
    c = client(demo_store)
    assert c.post("/a/12/decide", data=decide_form(c), headers=headers).status_code == 303


def test_a_real_server_refuses_a_rebound_name(server):
    import urllib.error
    import urllib.request

    port = server.rsplit(":", 1)[1]
    with urllib.request.urlopen(server + "/") as ok:
        assert ok.status == 200 and ok.headers["Referrer-Policy"] == "same-origin"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(server + "/", headers={"Host": f"rebind.example:{port}"}))
    assert refused.value.code == 400 and "という名前では開けません" in refused.value.read().decode()


def test_values_are_escaped_and_paths_are_checked(run, tmp_path):
    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(doc, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日").replace(
        "③委託先名: テスト情報株式会社", "③委託先名: '<script>alert(1)</script><img src=x onerror=alert(2)>'"), encoding="utf-8")
    run("init"), run("record", "a.yaml"), run("record", "b.yaml")
    c = client(tmp_path / "store")
    page = c.get("/a/99/compare").data.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "default-src 'none'" in c.get("/").headers["Content-Security-Policy"]
    for bad in ["/a/..%2F..%2Fetc%2Fpasswd", "/a/%2Fetc%2Fpasswd", "/a/CON", "/a/99/annex.exe", "/a/99/compare?old=../../x"]:
        assert c.get(bad).status_code in (400, 404), bad


def test_a_password_guards_every_page_when_set(demo_store):
    import base64

    c = client(demo_store, password="秘密のことば")
    assert c.get("/").status_code == 401
    good = base64.b64encode("officer:秘密のことば".encode()).decode()
    assert c.get("/", headers={"Authorization": f"Basic {good}"}).status_code == 200
    bad = base64.b64encode(b"officer:wrong").decode()
    assert c.get("/", headers={"Authorization": f"Basic {bad}"}).status_code == 401


def test_serve_refuses_to_listen_beyond_localhost_without_a_password(run, demo_store, monkeypatch):
    from conftest import assert_clean_error

    monkeypatch.delenv("PIADIFF_PASSWORD", raising=False)
    assert_clean_error(run("serve", "--host", "0.0.0.0"), "パスワードが必要です")
    assert_clean_error(run("serve", "--store", "nowhere"), "piadiff init で作成してください")


@pytest.mark.parametrize("fmt, content_type", [("csv", "text/csv; charset=utf-8"), ("html", "text/html; charset=utf-8"),
                                               ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
def test_downloads_name_their_type_once(demo_store, fmt, content_type):
    r = client(demo_store).get(f"/a/12/annex.{fmt}")
    assert r.status_code == 200 and r.headers["Content-Type"] == content_type


def test_the_annex_page_keeps_each_change_date_on_one_line(demo_store):
    html = client(demo_store).get("/a/12/annex").data.decode()
    assert '<td class="date">令和' in html and re.search(r"td\.date\s*\{[^}]*white-space:\s*nowrap", html)


def test_the_compare_page_names_reasons_and_rules_in_japanese(demo_store):
    html = client(demo_store).get("/a/12/compare").data.decode()
    assert "理由: リスクを高める追加" in html and "規則: 項目（システム・委託・提供先・移転先など）の追加" in html
    assert "risk-increase" not in html and "new-entry" not in html
