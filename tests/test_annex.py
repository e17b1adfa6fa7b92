"""`piadiff changes` and `piadiff annex` as an officer uses them, in every output format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import assert_clean_error, snapshot
from piadiff.display import width

COLUMNS = ["変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明"]


def test_changes_defaults_to_the_newest_revision_in_80_columns(run, demo):
    r = run("changes", "12")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "架空市 こども医療費助成に関する事務 重点項目評価書"
    assert "■ 令和7年7月31日  v2 → v3  13 件" in r.output
    assert max(width(l) for l in lines) <= 80
    assert "  変更前: [ ] その他" in r.output and "  変更後: [○] その他 (申請管理システム(マイナポータルのぴっ" in r.output
    assert "[2] Ⅰ 基本情報(6. 評価実施機関における担当部署 ①部署)" in r.output


def test_changes_between_any_two_versions_by_label_or_date(run, demo):
    a = run("changes", "12", "v1", "v2", "--format", "json").stdout_bytes
    b = run("changes", "12", "令和5年7月3日", "R6.7.1", "--format", "json").stdout_bytes
    assert a == b
    data = json.loads(a)
    (batch,) = data["batches"]
    assert (batch["previous"], batch["version"], batch["change_date"]) == ("v1", "v2", "2024-07-01")
    rows = batch["rows"]
    assert len(rows) == 11
    first = rows[0]
    assert first["item"] == "Ⅰ 基本情報(1. 特定個人情報ファイルを取り扱う事務 ②事務の内容)"
    assert {"item_code", "place", "reason", "rule", "timing", "explanation", "significant", "change"} <= set(first)
    new_itaku = next(r for r in rows if r["change"] == "added")
    assert new_itaku["item"].endswith("委託事項4)") and new_itaku["before"] == "(新規)"


def test_annex_is_every_batch_oldest_first_and_only_grows(run, demo, tmp_path):
    whole = json.loads(run("annex", "1", "--format", "json").stdout_bytes)
    assert [(b["previous"], b["version"]) for b in whole["batches"]] == [("v1", "v2"), ("v2", "v3")]
    assert [b["change_date"] for b in whole["batches"]] == ["2024-10-01", "2025-04-01"]
    # record a fourth version: the annex gains a batch, the earlier rows stay exactly as they were
    run("show", "1", "-o", "v4.yaml")
    text = (tmp_path / "v4.yaml").read_text(encoding="utf-8").replace("公表日: '2025-04-01'", "公表日: 令和8年4月1日")
    (tmp_path / "v4.yaml").write_text(text.replace("市民窓口課長", "市民窓口課長（兼務）", 1), encoding="utf-8")
    assert run("record", "v4.yaml").exit_code == 0
    grown = json.loads(run("annex", "1", "--format", "json").stdout_bytes)
    assert grown["batches"][:2] == whole["batches"]
    assert grown["batches"][2]["version"] == "v4" and len(grown["batches"][2]["rows"]) == 1


def test_csv_opens_in_excel_with_the_six_official_columns(run, demo, tmp_path):
    assert run("annex", "12", "-o", "変更箇所.csv").exit_code == 0
    data = (tmp_path / "変更箇所.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == COLUMNS and len(table) == 1 + 11 + 13
    assert table[1][0] == "令和6年7月1日" and table[-1][0] == "令和7年7月31日"


def test_xlsx_has_the_official_sheet_with_wrapped_text_and_no_formulas(run, demo, tmp_path):
    from openpyxl import load_workbook

    assert run("annex", "1", "-o", "変更箇所.xlsx").exit_code == 0
    ws = load_workbook(tmp_path / "変更箇所.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert rows[1][0] == "令和6年10月1日" and rows[1][4] in ("事前", "事後")
    assert all(c.alignment.wrap_text for c in ws[2])
    assert ws.column_dimensions["C"].width >= 40 and ws.page_setup.orientation == "landscape"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # printed: the form's title above each page, page numbers below, a Japanese font; no title row to paste
    assert "（別添）変更箇所" in ws.oddHeader.center.text and "&P" in ws.oddFooter.center.text
    assert ws["B2"].font.name == "ＭＳ 明朝" and ws.print_title_rows == "$1:$1"
    csv_rows = list(csv.reader(io.StringIO(run("annex", "1", "--format", "csv").stdout_bytes.decode("utf-8-sig"))))
    assert [[c or "" for c in r] for r in rows] == csv_rows  # the same cells in both files (blank = empty)


def test_markdown_and_code_style(run, demo):
    md = run("changes", "12", "--format", "md", "--style", "番号").output
    assert md.startswith("# 架空市 こども医療費助成に関する事務 重点項目評価書\n\n| 変更日 | 項目 |")
    assert "| 令和7年7月31日 | Ⅰ-6① | 子ども未来局子ども家庭部こども家庭課 | こども家庭局こども支援部こども医療助成課 | 事後 |" in md


def test_html_is_self_contained_escaped_and_highlighted(run, demo, tmp_path):
    assert run("changes", "12", "-o", "変更箇所.html").exit_code == 0
    page = (tmp_path / "変更箇所.html").read_text(encoding="utf-8")
    assert "<link" not in page and "<script" not in page and "@page { size: A4 landscape" in page
    assert "人事<del>移</del>動" in page and "人事<ins>異</ins>動" in page


def test_store_settings_change_the_annex(run, demo):
    (demo / "settings.yaml").write_text(
        "項目の書き方: 番号\n元年: する\n記載:\n  新規: 新規\n説明:\n  organisation: 組織改正のため\n  not-significant-item: 重要な変更に当たらないため\n",
        encoding="utf-8")
    rows = json.loads(run("changes", "12", "v2", "v3", "--format", "json").stdout_bytes)["batches"][0]["rows"]
    assert rows[0]["item"] == "Ⅰ-2システム4" and rows[0]["before"] == "新規"
    assert {r["explanation"] for r in rows if r["reason"] == "organisation"} == {"組織改正のため"}
    early = json.loads(run("changes", "12", "v1", "v2", "--format", "json").stdout_bytes)["batches"][0]["rows"]
    # a set equal to one value, not a subset of it: no row at all with the reason must fail
    assert {r["explanation"] for r in early if r["reason"] == "not-significant-item"} == {"重要な変更に当たらないため"}
    assert "項目の書き方: 番号" in run("settings").output
    overridden = json.loads(run("changes", "12", "--style", "正式", "--format", "json").stdout_bytes)
    assert overridden["batches"][0]["rows"][0]["item"].startswith("Ⅰ 基本情報(")


@pytest.mark.parametrize("content, message", [
    ("項目の書き方: 縦書き\n", "項目の書き方「縦書き」は使えません"),
    ("色: 赤\n", "「色」という設定はありません"),
    ("記載: {新規: [1}\n", "YAML として読めません"),
])
def test_broken_settings_say_what_to_fix(run, demo, content, message):
    (demo / "settings.yaml").write_text(content, encoding="utf-8")
    assert_clean_error(run("changes", "12"), message, "settings.yaml")


def test_bad_requests_are_clear_and_change_nothing(run, demo):
    before = snapshot(demo)
    assert_clean_error(run("changes", "12", "v1", "v9"), "版「v9」はありません")
    assert_clean_error(run("annex", "77"), "評価書「77」は記録されていません")
    assert_clean_error(run("annex", "12", "--format", "xlsx"), "-o 変更箇所.xlsx")
    assert_clean_error(run("annex", "12", "-o", "out.pdf"), "拡張子から出力形式が分かりません")
    assert snapshot(demo) == before


def test_a_single_version_has_an_empty_annex(run, store_dir):
    from conftest import FIXTURES

    run("record", str(FIXTURES / "minimal-juten.yaml"))
    r = run("annex", "99")
    assert r.exit_code == 0 and "版が一つしかないため、変更箇所はまだありません" in r.output
    assert_clean_error(run("changes", "99"), "版「latest~1」はありません")


@pytest.mark.parametrize("hostile", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1",
                                     "  =HYPERLINK(\"http://x\")", "\t=1+1", "\r\n+1", " \t@SUM(A1)", "\u3000=1",
                                     "\u200b=1", "＝１＋１"])
def test_spreadsheet_cells_are_never_formulas(run, store_dir, tmp_path, hostile):
    from openpyxl import load_workbook

    from conftest import FIXTURES

    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(doc, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日").replace(
        "③委託先名: テスト情報株式会社", "③委託先名: " + json.dumps(hostile)), encoding="utf-8")
    run("record", "a.yaml"), run("record", "b.yaml")
    assert run("changes", "99", "-o", "x.csv").exit_code == 0 and run("changes", "99", "-o", "x.xlsx").exit_code == 0
    after = list(csv.reader(io.StringIO((tmp_path / "x.csv").read_bytes().decode("utf-8-sig"))))[1][3]
    assert after.startswith("'") and after[1:].strip() == hostile.strip()
    ws = load_workbook(tmp_path / "x.xlsx").active
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # the cell holds the text as written (a ' would be pasted into the form) and is marked as text
    assert ws["D2"].value.strip() == hostile.strip() and ws["D2"].data_type == "s" and ws["D2"].quotePrefix


def test_a_lone_dash_stays_as_the_forms_blank():
    from piadiff.render import neutralise

    assert neutralise("-") == "-" and neutralise("-1") == "'-1" and neutralise("通常の文") == "通常の文"
    assert neutralise(" - ") == " - " and neutralise("－") == "－" and neutralise("") == ""


@pytest.mark.parametrize("lead", ["", " ", "   ", "\t", "\r", "\n", "\r\n", " \t ", "\u3000", "\xa0", "\u200b", "\ufeff"])
@pytest.mark.parametrize("start", list("=+-@＝＋－＠"))
def test_whitespace_before_a_formula_does_not_hide_it(lead, start):
    from piadiff.render import neutralise

    value = f"{lead}{start}HYPERLINK(\"http://x\",\"y\")"
    assert neutralise(value) == "'" + value
    text = f"{lead}通常の文 {start}1"  # a sign later in the text is no formula
    assert neutralise(text) == ("'" + text if lead[:1] in ("\t", "\r") else text)


@pytest.mark.parametrize("before, after, shown", [
    ("平成29年7月", "令和元年5月", ("平成29年7月", "令和1年5月")),
    ("平成29年7月1日", "H30.2", ("平成29年7月1日", "平成30年2月")),
    ("2016-01", "平成29年7月1日", ("平成28年1月", "平成29年7月1日")),
])
def test_a_month_only_date_is_printed_without_a_day(run, store_dir, tmp_path, before, after, shown):
    """The forms print 保有開始日 as 平成29年7月 when only the month is known: never with a 1日 added."""
    from conftest import FIXTURES

    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(doc.replace("⑤保有開始日: 平成29年7月1日", f"⑤保有開始日: {before}"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日").replace(
        "⑤保有開始日: 平成29年7月1日", f"⑤保有開始日: {after}"), encoding="utf-8")
    for name in ("a.yaml", "b.yaml"):
        assert run("record", name).exit_code == 0
    rows = [r for r in json.loads(run("changes", "99", "--format", "json").stdout_bytes)["batches"][0]["rows"]
            if "保有開始日" in r["item"]]
    assert [(r["before"], r["after"]) for r in rows] == [shown]
    sheet = list(csv.reader(io.StringIO(run("changes", "99", "--format", "csv").stdout_bytes.decode("utf-8-sig"))))
    assert [tuple(r[2:4]) for r in sheet if "保有開始日" in r[1]] == [shown]
    assert f"変更前: {shown[0]}\n" in run("changes", "99").output


# Markdown: a value is text in any renderer ------------------------------------------------------
HOSTILE_MD = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[押してください](javascript:alert(3))",
    "<javascript:alert(4)>",
    "![画像](javascript:alert(5))",
    "[参照][r]\n\n[r]: javascript:alert(6)",
    "<a href=\"javascript:alert(7)\">委託先</a>",
    "委託先 | 偽の列 | 事前",
    "**太字** _斜体_ ~~取消~~ `コード` $x$ \\ &amp; &lt;b&gt;",
    "行1\r\n<b>行2</b>\r行3",
]


def _md_store(run, tmp_path, after: str, title: str = "テスト市 児童手当に関する事務 重点項目評価書"):
    from conftest import FIXTURES

    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    doc = doc.replace("評価書名: テスト市 児童手当に関する事務 重点項目評価書", "評価書名: " + json.dumps(title))
    (tmp_path / "a.yaml").write_text(doc, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日").replace(
        "③委託先名: テスト情報株式会社", "③委託先名: " + json.dumps(after)), encoding="utf-8")
    assert run("init").exit_code == 0
    for name in ("a.yaml", "b.yaml"):
        result = run("record", name)
        assert result.exit_code == 0, result.output


def _cell_texts(html: str) -> list[list[str]]:
    """The text of every body cell of the rendered table (a <br> as a line break), and whether
    anything but text and <br> is in it."""
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.rows, self.cell, self.tags = [], None, []

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []
            elif tag == "br" and self.cell is not None:
                self.cell.append("\n")
            elif self.cell is not None:
                self.tags.append((tag, attrs))

        def handle_endtag(self, tag):
            if tag in ("td", "th"):
                self.rows[-1].append("".join(self.cell))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(html)
    assert parser.tags == [], parser.tags  # no element came from a value: no link, image, script, emphasis
    return parser.rows


def _renderers():
    import markdown
    from markdown_it import MarkdownIt

    return {
        "markdown-it (CommonMark + GFM tables, raw HTML on)": lambda t: MarkdownIt("commonmark", {"html": True})
        .enable(["table", "strikethrough"]).render(t),
        "Python-Markdown (tables)": lambda t: markdown.markdown(t, extensions=["tables"]),
    }


@pytest.mark.parametrize("hostile", HOSTILE_MD)
def test_markdown_values_are_text_in_every_renderer(run, tmp_path, hostile):
    import html as htmllib
    import re

    title = "<script>x</script> [t](javascript:t) # 評価書 #"
    _md_store(run, tmp_path, hostile, title=title)
    md = run("changes", "99", "--format", "md").output
    assert "<" not in md.replace("<br>", "") and "[" not in md and "`" not in md  # in the file itself, too
    want = hostile.replace("\r\n", "\n").replace("\r", "\n")
    for name, render in _renderers().items():
        page = render(md)
        assert "<script" not in page and "javascript" not in re.sub(r">[^<]*<", "><", page), name  # in no tag
        rows = _cell_texts(page)
        assert rows[0] == COLUMNS and len(rows) == 2, (name, rows)
        assert rows[1][3] == want, (name, rows[1][3])
        assert rows[1][2] == "テスト情報株式会社", name
        assert htmllib.unescape(re.search(r"<h1>(.*?)</h1>", page).group(1)) == title, name


@pytest.mark.parametrize("before, after", [
    ("一。二。\n\n三。四。", "一。二。\n三。四。"),  # only blank lines differ
    ("一。二。三。", "一。追加。二。三。"),  # a sentence inserted between unchanged ones
    ("一。二。三。四。", "一。三。四。"),  # one removed
    ("一。\n二。\n三。", "一。\n二。\n三。四。"),
])
def test_an_excerpt_never_prints_the_omission_twice_in_a_row(before, after):
    from piadiff.annex import excerpt

    for side in excerpt(before, after, "(省略)"):
        lines = side.split("\n")
        assert all(not (x == y == "(省略)") for x, y in zip(lines, lines[1:])), side


def test_code_style_keeps_unnumbered_labels_apart(run, tmp_path):
    from piadiff.examples import record_examples
    from piadiff.store import Store

    run("init")
    with Store(tmp_path / "store") as store:
        record_examples(store)
    out = run("changes", "12", "--style", "番号").output
    assert "Ⅲ-2リスク リスクに対する措置の内容" in out  # numbers run together as real annexes write them; labels apart
    assert "リスクリスク" not in out and "Ⅰ-6①" in out


def test_html_shows_a_changed_choice_whole_and_marks_changed_characters_of_texts(run, store_dir, tmp_path):
    from conftest import FIXTURES

    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(doc, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日")
                                     .replace("③対象人数: 10万人以上30万人未満", "③対象人数: 1万人以上10万人未満")
                                     .replace("③委託先名: テスト情報株式会社", "③委託先名: テスト情報サービス株式会社"), encoding="utf-8")
    run("record", "a.yaml"), run("record", "b.yaml")
    assert run("changes", "99", "-o", "x.html").exit_code == 0
    html = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "10万人以上30万人未満" in html and "1万人以上10万人未満" in html  # each choice whole, not cut into characters
    assert "<ins>サービス</ins>" in html  # a text: only what changed is marked
