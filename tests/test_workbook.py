"""Assessments in Excel: `new` / `show -o ….xlsx` write a workbook to fill in, `validate` / `record`
read it back, exactly, with problems named by sheet and cell; hostile workbooks are refused."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell

from conftest import FIXTURES, assert_clean_error, snapshot
from piadiff.catalog import load_catalog
from piadiff.document import load_document, normalize
from piadiff.errors import PiadiffError, ValidationError
from piadiff.examples import example_ids, example_versions
from piadiff.load import parse_text
from piadiff.template import blank_document
from piadiff.workbook import LISTS_SHEET, read_workbook, sheet_names, write_workbook

MINIMAL = FIXTURES / "minimal-juten.yaml"
EXAMPLES = [v for aid in example_ids() for v in example_versions(aid)]
DOCUMENTS = sorted(FIXTURES.glob("*.yaml")) + [f"{v.assessment_id}/{v.file}" for v in EXAMPLES]
II = "Ⅱ 特定個人情報ファイルの概要"


def document(name) -> "object":
    if isinstance(name, Path):
        return load_document(name)
    return next(v for v in EXAMPLES if f"{v.assessment_id}/{v.file}" == name).document()


def save(tmp_path: Path, doc, name: str = "評価書.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(write_workbook(doc))
    return path


def rows_by_key(ws) -> dict[str, object]:
    """The 記載 cell of each row, by its hidden key without the sheet's own name."""
    out = {}
    for r in ws.iter_rows(min_row=2, max_col=5):
        if r[4].value:
            key = json.loads(r[4].value)
            out[json.dumps(key[1:] if key[0] == ws.title else key, ensure_ascii=False)] = r[3]
    return out


def edit(path: Path, sheet: str, changes: dict[str, object], out: Path | None = None) -> Path:
    """Write values into 記載 cells (found by key) as an officer would in Excel, and save."""
    wb = openpyxl.load_workbook(path)
    cells = rows_by_key(wb[sheet])
    for key, value in changes.items():
        cells[key].value = value
    wb.save(out or path)
    return out or path


def problems(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as e:
        load_document(path)
    return e.value.lines()


# round trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DOCUMENTS, ids=str)
def test_a_document_read_back_from_its_workbook_is_the_same(tmp_path, name):
    doc = document(name)
    back = load_document(save(tmp_path, doc))
    assert back.canonical_bytes() == doc.canonical_bytes()


@pytest.mark.parametrize("name", DOCUMENTS, ids=str)
def test_show_to_xlsx_then_record_records_nothing_new(run, store_dir, tmp_path, name):
    source = tmp_path / "元.yaml"
    source.write_bytes(document(name).canonical_bytes())
    assert run("record", str(source)).exit_code == 0
    aid = json.loads(source.read_bytes())["表紙"]["評価書番号"]
    before = snapshot(store_dir)
    r = run("show", aid, "latest", "-o", "評価書.xlsx")
    assert r.exit_code == 0 and "評価書.xlsx に書き出しました" in r.output
    assert zipfile.is_zipfile(tmp_path / "評価書.xlsx")
    r = run("validate", "評価書.xlsx")
    assert r.exit_code == 0 and r.output.startswith("OK 評価書.xlsx: ")
    r = run("record", "評価書.xlsx")
    assert r.exit_code == 0 and "最新版 v1 と同じ内容です。何も記録しませんでした。" in r.output
    assert snapshot(store_dir) == before


@pytest.mark.parametrize("seed", ["000_e7ab5a5bb9cf9333.txt", "001_390dc73fa7d93b30.txt", "003_d3c2f59301631452.txt"])
def test_the_seeds_as_imported_come_back_the_same(run, tmp_path, seed):
    """Real published documents, with their long 注記 (over what one Excel cell holds)."""
    from conftest import shared

    assert run("import", str(shared(f"seeds/{seed}")), "-o", "取り込み.yaml").exit_code == 0
    doc = load_document(tmp_path / "取り込み.yaml")
    assert load_document(save(tmp_path, doc)).canonical_bytes() == doc.canonical_bytes()


@pytest.mark.parametrize("kind", ["重点項目評価書", "全項目評価書"])
def test_new_xlsx_reads_back_as_the_blank_document(run, tmp_path, kind):
    assert run("new", kind, "-o", "空.xlsx").exit_code == 0
    template = parse_text(blank_document(kind), "空.yaml", "yaml")
    workbook = read_workbook(tmp_path / "空.xlsx")
    said = []
    for raw in (template, workbook):
        with pytest.raises(ValidationError) as e:
            normalize(raw)
        said.append([(p.path, p.message) for p in e.value.problems])
    assert said[0] == said[1] and [p for p, _ in said[0]] == ["表紙 > 評価書番号", "表紙 > 評価書名", "表紙 > 評価実施機関名", "表紙 > 公表日"]
    for raw in (template, workbook):
        raw["表紙"].update({"評価書番号": "7", "評価書名": "例", "評価実施機関名": "例市長", "公表日": "令和7年4月1日"})
    assert normalize(template).data == normalize(workbook).data == {
        "様式": kind, "表紙": {"評価書番号": "7", "評価書名": "例", "評価実施機関名": "例市長", "公表日": "2025-04-01"}}
    r = run("validate", "空.xlsx")
    assert r.exit_code == 1 and "NG 空.xlsx: 4 件の問題があります" in r.output
    assert "空.xlsx:「表紙」シート D6: 表紙 > 評価書番号: 必須の項目です" in r.output
    assert_clean_error(run("new", kind, "-o", "空.xlsx"), "既にあります")


TRICKY = ["=SUM(A1:A3)", "+81-3-1234-5678", "@担当", "'引用符で始まる", "  先頭の空白", "行1\n\n行3", "タブ\tの後",
          "_x0041_ は A ではない", "1,000人未満", "０１２３", "🀄 と 𠮷野家", "-", "00123", "1e5", "TRUE"]


@pytest.mark.parametrize("text", TRICKY)
def test_texts_come_back_exactly_as_written(tmp_path, text):
    doc = load_document(MINIMAL)
    data = json.loads(doc.canonical_bytes())
    data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]["②事務の内容"] = text
    data["表紙"]["特記事項"] = text
    doc = normalize(data)
    back = load_document(save(tmp_path, doc))
    assert back.data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]["②事務の内容"] == text
    assert back.canonical_bytes() == doc.canonical_bytes()


def test_a_text_longer_than_a_cell_takes_several_rows_and_comes_back_whole(tmp_path):
    doc = load_document(MINIMAL)
    data = json.loads(doc.canonical_bytes())
    long = "\n".join(f"{n}行目: " + "記録項目の説明。" * 30 for n in range(200)) + "改行のない長い行" * 5000
    data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]["②事務の内容"] = long[:49_000]
    doc = normalize(data)
    path = save(tmp_path, doc)
    wb = openpyxl.load_workbook(path)
    continued = [r for r in wb["Ⅰ 基本情報"].iter_rows(min_row=2, max_col=4) if r[1].value == "（事務の内容の続き）"]
    assert len(continued) >= 2 and all(len(r[3].value) <= 32_767 for r in wb["Ⅰ 基本情報"].iter_rows(min_row=2, max_col=4) if r[3].value)
    assert load_document(path).canonical_bytes() == doc.canonical_bytes()


# the workbook as an officer sees it ----------------------------------------------------------

def test_the_workbook_is_laid_out_like_the_form(tmp_path):
    path = save(tmp_path, load_document(MINIMAL))
    wb = openpyxl.load_workbook(path)
    catalog = load_catalog("重点項目評価書")
    assert wb.sheetnames == ["表紙"] + [i.key for i in catalog.root.children] + [LISTS_SHEET]
    assert list(sheet_names(catalog)) == wb.sheetnames[:-1]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    for name in wb.sheetnames[:-1]:
        ws = wb[name]
        assert [c.value for c in ws[1][:4]] == ["番号", "項目", "※", "記載"]
        assert ws.protection.sheet and ws.column_dimensions["E"].hidden  # labels protected, keys hidden
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide
        for row in ws.iter_rows(min_row=2, max_col=5):
            if row[4].value:  # only the 記載 of an item can be written in
                assert not row[3].protection.locked or json.loads(row[4].value) == ["様式"]
            for cell in row[:3]:
                if not isinstance(cell, MergedCell):  # openpyxl reads no format of the rest of a merged range
                    assert cell.protection.locked and cell.font.name == "ＭＳ 明朝"
    assert wb["Ⅱ 特定個人情報ファイルの概要"].column_dimensions["D"].width >= 60

    ws = wb[II]
    cells = rows_by_key(ws)
    labels: dict = {}
    for r in ws.iter_rows(min_row=2, max_col=5):
        labels.setdefault(r[1].value, r)  # the first 特定個人情報ファイル's
    # the row of an item: 番号, 項目, ※, 記載
    row = labels["委託の有無"]
    assert [c.value for c in row[:4]] == [None, "委託の有無", "※", "委託する"]
    assert [c.value for c in labels["ファイルの種類"][:3]] == ["①", "ファイルの種類", "※"]
    # a choice is a drop-down of its options, from the hidden sheet
    choice = next(v for v in ws.data_validations.dataValidation if row[3].coordinate in str(v.sqref))
    col = choice.formula1.split("!")[1].split(":")[0].replace("$", "")
    options = [c.value for c in wb[LISTS_SHEET][col[0]] if c.value]
    assert options == ["委託する", "委託しない"]
    # dates in 和暦, counts as text
    assert cells['[1, "2. 基本情報", "⑤保有開始日"]'].value == "平成29年7月1日"
    assert cells['[1, "4. 特定個人情報ファイルの取扱いの委託", "委託件数"]'].value == "1"
    assert cells['[1, "4. 特定個人情報ファイルの取扱いの委託", "委託件数"]'].number_format == "@"
    # a checkbox: one row per option, ○ where ticked, the ( ) text below an option that has one
    systems = rows_by_key(wb["Ⅰ 基本情報"])
    def box(which: str, option: str) -> str:
        return json.dumps(["2. 特定個人情報ファイルを取り扱う事務において使用するシステム", "システム", 1, "③他のシステムとの接続",
                           [which, option]], ensure_ascii=False)

    assert systems[box("tick", "庁内連携システム")].value == "○" and systems[box("tick", "税務システム")].value is None
    assert box("detail", "その他") in systems and box("detail", "税務システム") not in systems
    # repeating groups: the entries, then blank ones to add (a whole second file for Ⅱ)
    import re

    blocks = [r[1].value for r in ws.iter_rows(min_row=2, max_col=2) if re.match(r"(委託事項|提供先|特定個人情報ファイル)\d", r[1].value or "")]
    assert blocks[:5] == ["特定個人情報ファイル1", "委託事項1", "委託事項2（追加用）", "委託事項3（追加用）", "委託事項4（追加用）"]
    assert blocks[5:8] == ["提供先1（追加用）", "提供先2（追加用）", "提供先3（追加用）"]
    assert "特定個人情報ファイル2（追加用）" in blocks


def test_an_officer_adds_a_consignment_and_ticks_a_box(run, store_dir, tmp_path):
    assert run("record", str(MINIMAL)).exit_code == 0
    assert run("show", "99", "-o", "評価書.xlsx").exit_code == 0
    itaku = '[1, "4. 特定個人情報ファイルの取扱いの委託", '
    edit(tmp_path / "評価書.xlsx", II, {
        itaku + '"委託事項", 2, "名称"]': "コールセンター業務",
        itaku + '"委託事項", 2, "③委託先名"]': "架空コール株式会社",
        itaku + '"委託件数"]': "2",
        '[1, "3. 特定個人情報の入手・使用", "①入手元", ["tick", "その他"]]': "○",
        '[1, "3. 特定個人情報の入手・使用", "①入手元", ["detail", "その他"]]': "児童相談所",
        '[1, "3. 特定個人情報の入手・使用", "⑥使用開始日"]': "R6.4.1",
    })
    r = run("validate", "評価書.xlsx")
    assert r.exit_code == 0, r.output
    r = run("record", "評価書.xlsx", "--date", "令和6年5月1日", "-m", "委託の追加")
    assert r.exit_code == 0 and "v2（変更日 令和6年5月1日）を記録しました" in r.output
    doc = load_document(tmp_path / "評価書.xlsx")
    file = doc.data[II][0]
    assert file["3. 特定個人情報の入手・使用"]["①入手元"] == [{"その他": "児童相談所"}]
    assert file["3. 特定個人情報の入手・使用"]["⑥使用開始日"] == "2024-04-01"
    assert [e["名称"] for e in file["4. 特定個人情報ファイルの取扱いの委託"]["委託事項"]] == ["児童手当システムの運用保守", "コールセンター業務"]
    changes = run("changes", "99").output
    assert "委託事項2" in changes and "コールセンター業務" in changes and "(新規)" in changes


def test_problems_name_the_sheet_and_the_cell(run, tmp_path):
    path = save(tmp_path, load_document(MINIMAL))
    wb = openpyxl.load_workbook(path)
    cells = rows_by_key(wb[II])
    choice = cells['[1, "4. 特定個人情報ファイルの取扱いの委託", "委託の有無"]']
    count = cells['[1, "4. 特定個人情報ファイルの取扱いの委託", "委託件数"]']
    choice.value, count.value = "たぶん委託する", "三件"
    cover = rows_by_key(wb["表紙"])
    cover['["公表日"]'].value = "令和6年13月1日"
    wb.save(path)
    r = run("validate", "評価書.xlsx")
    assert r.exit_code == 1 and "NG 評価書.xlsx: 3 件の問題があります" in r.output
    assert f"評価書.xlsx:「{II}」シート {choice.coordinate}: {II}[1] > 4. 特定個人情報ファイルの取扱いの委託 > 委託の有無: 「たぶん委託する」は選択肢にありません" in r.output
    assert f"評価書.xlsx:「{II}」シート {count.coordinate}: " in r.output and "件数「三件」は 0 以上の整数で書いてください" in r.output
    date = cover['["公表日"]'].coordinate
    assert f"評価書.xlsx:「表紙」シート {date}: 表紙 > 公表日: 日付「令和6年13月1日」はありえない日付です" in r.output


def test_a_count_that_disagrees_is_a_warning_at_its_cell(run, tmp_path):
    path = save(tmp_path, load_document(FIXTURES / "kawasaki-001.yaml"))
    r = run("validate", str(path.name))
    assert r.exit_code == 0 and "注意 評価書.xlsx:「Ⅱ 特定個人情報ファイルの概要」シート D" in r.output and "委託件数は (4) 件" in r.output


def test_typed_values_of_excel_are_read_as_text(tmp_path):
    """What Excel may store instead of text: a number, a date it recognised, a number with a fraction."""
    import datetime as dt

    path = save(tmp_path, load_document(MINIMAL))
    wb = openpyxl.load_workbook(path)
    cover = rows_by_key(wb["表紙"])
    cover['["評価書番号"]'].value = 99
    cover['["公表日"]'].value = dt.datetime(2024, 4, 1)
    cover['["特記事項"]'].value = 2.5
    cells = rows_by_key(wb[II])
    cells['[1, "4. 特定個人情報ファイルの取扱いの委託", "委託件数"]'].value = 1.0
    wb.save(path)
    doc = load_document(path)
    assert doc.cover["評価書番号"] == "99" and doc.cover["公表日"] == "2024-04-01" and doc.cover["特記事項"] == "2.5"
    assert doc.data[II][0]["4. 特定個人情報ファイルの取扱いの委託"]["委託件数"] == 1


# hostile workbooks ---------------------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path) -> Path:
    return save(tmp_path, load_document(MINIMAL))


def refused(run, path: Path, *needles: str) -> str:
    """validate and record both refuse, naming the file; the store is left as it was."""
    r = run("validate", path.name)
    assert r.exit_code == 1 and "Traceback" not in r.output and r.output.startswith("NG"), r.output
    for n in needles:
        assert n in r.output, r.output
    store = path.parent / "store"
    if not store.exists():
        assert run("init").exit_code == 0
    before = snapshot(store)
    assert_clean_error(run("record", path.name), path.name, *needles)
    assert snapshot(store) == before
    return r.output


def test_a_formula_is_refused_never_evaluated(run, workbook):
    wb = openpyxl.load_workbook(workbook)
    cell = rows_by_key(wb["表紙"])['["評価書名"]']
    cell.value = '=HYPERLINK("http://example.com/","x")&WEBSERVICE("http://example.com/")'
    wb.save(workbook)
    refused(run, workbook, f"「表紙」シート {cell.coordinate}: 表紙 > 評価書名: 数式は使えません")


@pytest.mark.parametrize("value, said", [(True, "TRUE / FALSE は書けません"), ("#N/A", "エラー値「#N/A」は書けません"),
                                         ("x", "「x」はチェックの印になりません")])
def test_wrong_kinds_of_value_are_refused_at_their_cell(run, workbook, value, said):
    wb = openpyxl.load_workbook(workbook)
    key = '[1, "3. 特定個人情報の入手・使用", "②入手方法", ["tick", "紙"]]'
    cell = rows_by_key(wb[II])[key]
    cell.value = value
    if value == "#N/A":
        cell.data_type = "e"
    wb.save(workbook)
    refused(run, workbook, f"「{II}」シート {cell.coordinate}: ", said)


def test_a_detail_without_its_tick_is_refused(run, workbook):
    edit(workbook, II, {'[1, "3. 特定個人情報の入手・使用", "②入手方法", ["detail", "その他"]]': "郵送"})
    refused(run, workbook, "「その他」に ○ が付いていないのに ( ) 内が書かれています")


def test_unknown_sheets_are_refused(run, workbook):
    wb = openpyxl.load_workbook(workbook)
    wb.create_sheet("メモ")
    wb.save(workbook)
    refused(run, workbook, "「メモ」というシートは重点項目評価書のブックにありません")


def test_a_workbook_without_its_cover_or_kind_is_refused(run, workbook):
    wb = openpyxl.load_workbook(workbook)
    rows_by_key(wb["表紙"])['["様式"]'].value = "基本項目評価書"
    wb.save(workbook)
    refused(run, workbook, "「表紙」シート D5: 様式: 様式「基本項目評価書」は知りません")
    wb = openpyxl.load_workbook(workbook)
    wb["表紙"].title = "表紙2"
    wb.save(workbook)
    refused(run, workbook, "「表紙」シートがありません")


@pytest.mark.parametrize("key", [
    '["Ⅱ 特定個人情報ファイルの概要", 1, "存在しない項目"]',
    '["Ⅰ 基本情報", "1. 特定個人情報ファイルを取り扱う事務", "①事務の名称"]',  # another sheet's item
    '["Ⅱ 特定個人情報ファイルの概要", 999, "1. 特定個人情報ファイル名"]',
    '["Ⅱ 特定個人情報ファイルの概要", "1", "1. 特定個人情報ファイル名"]',
    '["Ⅱ 特定個人情報ファイルの概要", 1, "2. 基本情報"]',  # a section, not a value
    '["Ⅱ 特定個人情報ファイルの概要", 1, "3. 特定個人情報の入手・使用", "①入手元", ["tick", "友人"]]',
    '["Ⅱ 特定個人情報ファイルの概要", 1, "1. 特定個人情報ファイル名", ["more", 100000]]',
    '{"__class__": "os.system"}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
    "[" * 1500 + "]" * 1500, "x" * 5000,
])
def test_keys_that_name_no_item_are_refused(run, workbook, key):
    wb = openpyxl.load_workbook(workbook)
    ws = wb[II]
    row = next(r for r in ws.iter_rows(min_row=2, max_col=5) if r[4].value and r[3].value)
    row[4].value = key
    wb.save(workbook)
    refused(run, workbook, f"「{II}」シート E{row[4].row}: この行の項目キー（隠した E 列）が読めません")


def test_a_copied_row_is_refused(run, workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb[II]
    row = next(r for r in ws.iter_rows(min_row=2, max_col=5) if r[4].value and r[3].value)
    ws.cell(ws.max_row + 1, 4, "別の名前")
    ws.cell(ws.max_row, 5, row[4].value)
    wb.save(workbook)
    refused(run, workbook, f"同じ項目の行が二つあります（「{II}」シート D{row[4].row} と同じ")


def test_writing_into_a_heading_is_refused(run, workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb[II]
    ws["D2"] = "ここに書いた"
    wb.save(workbook)
    refused(run, workbook, f"「{II}」シート D2: 見出しの行には書けません")


def test_too_many_rows_are_refused(run, workbook):
    wb = openpyxl.load_workbook(workbook)
    wb[II].cell(25_000, 4, "遠く")
    wb.save(workbook)
    refused(run, workbook, "シートの行が多すぎます（20,000 行まで）")


def test_a_text_past_the_limit_is_refused(run, tmp_path):
    data = json.loads(load_document(MINIMAL).canonical_bytes())
    data[II][0]["1. 特定個人情報ファイル名"] = "ここを長くする"  # openpyxl would cut what it writes at 32,767
    workbook = save(tmp_path, normalize(data))
    strings = zipfile.ZipFile(workbook).read("xl/sharedStrings.xml")
    rezip(workbook, {"xl/sharedStrings.xml": strings.replace("ここを長くする".encode(), ("長" * 50_001).encode())})
    refused(run, workbook, "50,001 文字あります（一つの値は 50,000 文字まで）")


def rezip(path: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> None:
    src = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in (add or {}).items():
            z.writestr(name, data)
    path.write_bytes(out.getvalue())


def test_a_zip_bomb_is_refused_before_it_is_opened(run, workbook):
    rezip(workbook, {}, {"xl/media/padding.xml": b" " * (40 * 1024 * 1024)})
    assert workbook.stat().st_size < 1024 * 1024
    refused(run, workbook, "展開すると大きすぎます（40.", "30.0 MB まで）")


def test_entities_are_refused(run, workbook):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    rezip(workbook, {"xl/sharedStrings.xml": laughs})
    refused(run, workbook, "DTD（<!DOCTYPE>）があります")


@pytest.mark.parametrize("content, said", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "パスワードで保護されたブックか、古い形式（.xls）"),
    ("様式: 重点項目評価書\n".encode(), "Excel のブック（.xlsx）ではありません"),
    (b"PK\x03\x04broken", "Excel のブック（.xlsx）ではありません"),
])
def test_files_that_are_not_workbooks_are_refused(run, tmp_path, content, said):
    path = tmp_path / "評価書.xlsx"
    path.write_bytes(content)
    refused(run, path, said)


def test_a_damaged_workbook_is_refused(run, workbook):
    rezip(workbook, {"xl/workbook.xml": b"<workbook>not really"})
    refused(run, workbook, "Excel のブックとして読めません")


def test_a_file_too_large_is_refused(run, tmp_path):
    path = tmp_path / "評価書.xlsx"
    path.write_bytes(b"PK" + b"\x00" * (11 * 1024 * 1024))
    refused(run, path, "ファイルが大きすぎます")


def test_a_value_too_long_for_excel_is_said_when_writing(tmp_path):
    doc = load_document(MINIMAL)
    data = json.loads(doc.canonical_bytes())
    data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"][0]["③他のシステムとの接続"] = [
        {"その他": "長" * 40_000}]
    with pytest.raises(PiadiffError, match="Excel の一つのセルに入りません"):
        write_workbook(normalize(data))


def test_an_older_wording_of_a_choice_stays_and_is_offered_only_where_used(tmp_path):
    data = json.loads(load_document(MINIMAL).canonical_bytes())
    data["Ⅲ リスク対策"] = [{"番号": 1, "1. 特定個人情報ファイル名": "児童手当情報ファイル",
                          "9. 従業者に対する教育・啓発": {"従業者に対する教育・啓発": "十分にしている"}}]
    doc = normalize(data)
    path = save(tmp_path, doc)
    assert load_document(path).canonical_bytes() == doc.canonical_bytes()
    lists = openpyxl.load_workbook(path)[LISTS_SHEET]
    offered = [[c.value for c in col if c.value] for col in lists.iter_cols()]
    assert ["特に力を入れて行っている", "十分に行っている", "十分に行っていない", "十分にしている"] in offered
    assert ["特に力を入れて行っている", "十分に行っている", "十分に行っていない"] in offered


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(run, workbook):
    """A bomb that lies about its size: never unpacked past what it declares, then refused as damaged."""
    import struct

    rezip(workbook, {}, {"xl/worksheets/sheet99.xml": b" " * (40 * 1024 * 1024)})
    data = bytearray(workbook.read_bytes())
    name = b"xl/worksheets/sheet99.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at != -1:
            head = 30 if signature == b"PK\x03\x04" else 46
            if data[at + head:at + head + len(name)] == name:
                data[at + offset:at + offset + 4] = struct.pack("<I", 1000)
            at = data.find(signature, at + 4)
    workbook.write_bytes(bytes(data))
    assert sum(i.file_size for i in zipfile.ZipFile(workbook).infolist()) < 1024 * 1024
    refused(run, workbook, "ブックが壊れています（xl/worksheets/sheet99.xml を展開できません）")


def test_record_a_folder_takes_its_workbooks_too(run, store_dir, tmp_path):
    folder = tmp_path / "まとめて"
    folder.mkdir()
    save(folder, document(DOCUMENTS[0]))
    r = run("record", str(folder))
    assert r.exit_code == 0 and "記録 1" in r.output, r.output
