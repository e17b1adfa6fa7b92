"""An assessment as an Excel workbook an officer fills in, and the workbook read back.

:func:`write_workbook` lays out every item of the form's catalog: one sheet per section of the
form (and 表紙), one row per item with 番号, 項目, ※ and 記載. Choices are drop-down lists,
checkboxes one row per option (○ to tick), repeating groups (システム, 委託事項, 提供先 …) one
block per entry with a few blank blocks to add entries. Only the 記載 cells are unlocked. A hidden
column holds each row's item key, so that reading back needs no guessing from labels.

:func:`read_workbook` turns a workbook back into the raw data :func:`piadiff.document.normalize`
checks, as a YAML file would give. The workbook is untrusted input: its size is checked before it
is opened, formulas are refused (never evaluated), the keys of the hidden column are checked
against the catalog, and every problem names its sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from . import limits
from .catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Catalog, Item, load_catalog
from .errors import InputError, PiadiffError, Problem, ValidationError
from .limits import short, text_problem
from .load import LineDict, read_bytes

if TYPE_CHECKING:
    from .document import Document

KIND_KEY, COVER_KEY, NOTES_KEY = "様式", "表紙", "注記"  # as in piadiff.document (imported lazily there)
#: the hidden sheet the drop-down lists take their options from; never read back
LISTS_SHEET = "選択肢"
HEADERS = ("番号", "項目", "※", "記載")
VALUE_COLUMN, KEY_COLUMN = 3, 4  # D: 記載, E: the hidden item key
VALUE_LETTER, KEY_LETTER = "D", "E"
WIDTHS = (8, 44, 4, 80)
TICK = "○"
#: marks read as a tick: ○ and what an officer may type for it instead
TICKS = frozenset("○〇◯●◎✓✔☑レ")
#: blank blocks after the entries of a repeating group: a few for 委託事項, 提供先 …; one more
#: 特定個人情報ファイル (groups without a catalog max hold whole sections of the form)
SPARE_ENTRIES, SPARE_FILES = 3, 1
#: a longer text is written over several rows (「（続き）」): Excel keeps at most 32,767 UTF-16 units in a cell
CELL_CHARS = 16_000
#: rows one text may take (limits.TEXT_CHARS in pieces of at least CELL_CHARS / 2)
PIECES = 2 * limits.TEXT_CHARS // CELL_CHARS + 2

# what a workbook may be; far above what piadiff writes (a 全項目評価書 of 200 KB: under 200 KB
# zipped, 2 MB unzipped, 2,000 rows), low enough to read any workbook in a few seconds
WORKBOOK_BYTES = 5 * limits.DOCUMENT_BYTES
UNZIPPED_BYTES = 15 * limits.DOCUMENT_BYTES
MEMBERS = 1_000
ROWS = 20_000
KEY_CHARS = 2_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any workbook saved with a password
_ESCAPED = re.compile(r"_x[0-9A-Fa-f]{4}_")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# --------------------------------------------------------------------------------------------
# layout: the rows of each sheet, from the catalog (and a document's values)

@dataclass
class _Row:
    style: str  # title | heading | block | value | fixed | option | detail | guide
    number: str = ""
    label: str = ""
    mark: str = ""
    value: str | None = None
    key: list | None = None
    depth: int = 0
    choices: tuple[str, ...] = ()  # the drop-down list of a choice (or ○ of an option row)


@dataclass
class _Sheet:
    name: str
    rows: list[_Row] = field(default_factory=list)


def sheet_names(catalog: Catalog) -> dict[str, Item]:
    """Sheet name → the item it holds: 表紙, then each top-level item of the form, in form order."""
    out: dict[str, Item] = {COVER_KEY: catalog.cover}
    for item in catalog.root.children:
        name = _SHEET_FORBIDDEN.sub("＿", item.key)[:31].strip("'") or "シート"
        base, n = name, 2
        while name in out or name == LISTS_SHEET:
            name = f"{base[:31 - len(str(n)) - 1]}_{n}"
            n += 1
        out[name] = item
    return out


def _layout(catalog: Catalog, data: dict[str, Any]) -> list[_Sheet]:
    sheets = []
    for name, top in sheet_names(catalog).items():
        sheet = _Sheet(name)
        if top is catalog.cover:
            _cover_rows(sheet.rows, catalog, data)
        elif top.is_value:  # an annex of one text: (別添1) …
            _value_rows(sheet.rows, top, data.get(top.key), [top.key], 0)
        else:
            sheet.rows.append(_Row("title", top.number, top.label or top.key, _mark(top)))
            if top.is_group:
                _group_rows(sheet.rows, top, data.get(top.key), [top.key], 0)
            else:
                for child in top.children:
                    _item_rows(sheet.rows, child, (data.get(top.key) or {}).get(child.key), [top.key, child.key], 1)
        sheets.append(sheet)
    return sheets


_GUIDE = ("記載（D 列）だけに書き込めます。選択肢はセルの ▼ から選び、チェック項目は付ける行に ○ を入れます"
          "（付けない行は空欄）。日付は 令和7年4月1日 のように和暦で、件数は数で書きます。委託事項・提供先などは、"
          "「（追加用）」の一件に書き足します。空欄のままの一件は記録されません。行やシートの追加・削除はできません。",
          "書き終えたら、piadiff validate このファイル で確かめ、piadiff record このファイル で記録します。"
          "問題はシートとセル（「Ⅱ 特定個人情報ファイルの概要」シート D37 など）で示されます。")


def _cover_rows(rows: list[_Row], catalog: Catalog, data: dict[str, Any]) -> None:
    rows.append(_Row("title", "", f"{COVER_KEY}（{catalog.title or catalog.kind}）"))
    rows.extend(_Row("guide", label=text) for text in _GUIDE)
    rows.append(_Row("fixed", "", KIND_KEY, value=catalog.kind, key=[KIND_KEY]))
    cover = data.get(COVER_KEY) or {}
    for item in catalog.cover.children:
        _item_rows(rows, item, cover.get(item.key), [COVER_KEY, item.key], 0)
    _value_rows(rows, _NOTES, data.get(NOTES_KEY), [NOTES_KEY], 0)


#: the document's own notes (what an import could not place): a text, not an item of the form
_NOTES = Item(key=NOTES_KEY, kind="text", label=f"{NOTES_KEY}（piadiff の控え。様式には印刷されません）")


def _mark(item: Item) -> str:
    return "※" if item.significant else ""


def _item_rows(rows: list[_Row], item: Item, value: Any, path: list, depth: int) -> None:
    if item.is_group:
        _group_rows(rows, item, value, path, depth)
    elif item.kind == "section":
        rows.append(_Row("heading", item.number, item.label or item.key, _mark(item), depth=depth))
        for child in item.children:
            _item_rows(rows, child, (value or {}).get(child.key), path + [child.key], depth + 1)
    else:
        _value_rows(rows, item, value, path, depth)


def _spare(item: Item, present: int) -> int:
    room = min(item.max or limits.ENTRIES, limits.ENTRIES) - present
    return max(0, min(SPARE_ENTRIES if item.max else SPARE_FILES, room))


def _group_rows(rows: list[_Row], item: Item, value: Any, path: list, depth: int) -> None:
    entries: list[dict | None] = list(value or [])
    last = max((e.get(ENTRY_NUMBER, 0) for e in entries if e), default=0)
    entries += [None] * _spare(item, len(entries))
    name = item.title.replace("{番号}", "") if item.title else item.label or item.key  # 委託事項, 特定個人情報ファイル
    for pos, entry in enumerate(entries, start=1):
        if entry is None:
            last += 1
        number = entry[ENTRY_NUMBER] if entry else last
        title = item.title.replace("{番号}", str(number)) if item.title else f"{name}{number}"
        rows.append(_Row("block", "", title + ("（追加用）" if entry is None else ""), _mark(item), depth=depth))
        epath = path + [pos]
        entry = entry or {}
        rows.append(_Row("value", "", f"{ENTRY_NUMBER}（{name}の番号）", value=str(number), key=epath + [ENTRY_NUMBER],
                         depth=depth + 1))
        rows.append(_Row("value", "", f"{ENTRY_IDENTITY}（同じ名前の{name}が二つあるときだけ。見分ける名前）",
                         value=entry.get(ENTRY_IDENTITY), key=epath + [ENTRY_IDENTITY], depth=depth + 1))
        for child in item.children:
            _item_rows(rows, child, entry.get(child.key), epath + [child.key], depth + 1)


def _value_rows(rows: list[_Row], item: Item, value: Any, path: list, depth: int) -> None:
    number, label = item.number, item.label or item.key
    if item.kind == "checkbox":
        rows.append(_Row("heading", number, label + "（付けるものに ○）", _mark(item), depth=depth))
        ticked: dict[str, str] = {}
        for v in value or []:
            option, detail = next(iter(v.items())) if isinstance(v, dict) else (v, "")
            ticked[option] = detail
        for option in item.options + item.also:
            rows.append(_Row("option", "", option, value=TICK if option in ticked else None, key=path + [["tick", option]],
                             depth=depth + 1, choices=(TICK,)))
            if option in item.detail:
                rows.append(_Row("detail", "", f"（{option}）の ( ) 内に書く内容", value=ticked.get(option) or None,
                                 key=path + [["detail", option]], depth=depth + 2))
        return
    text = None if value is None else _date_text(value) if item.kind == "date" else str(value)
    hint = {"date": "（和暦: 令和7年4月1日）", "count": "（件数）"}.get(item.kind, "")
    pieces = _pieces(text) if item.kind == "text" and text else [text]
    # the drop-down offers the form's options (and an older wording, where the document has one)
    choices = item.options + ((text,) if text in item.also else ()) if item.kind == "choice" else ()
    rows.append(_Row("value", number, label + hint, _mark(item), pieces[0], path, depth, choices))
    for n, piece in enumerate(pieces[1:], start=2):
        rows.append(_Row("value", "", f"（{label}の続き）", value=piece, key=path + [["more", n]], depth=depth + 1))


def _pieces(text: str) -> list[str]:
    """A text cut into cells: at a line end when there is one in the second half of a cell (the
    line end begins the next piece, so that joining the pieces gives the text back)."""
    out = []
    while len(text) > CELL_CHARS:
        cut = text.rfind("\n", CELL_CHARS // 2, CELL_CHARS)
        cut = cut if cut > 0 else CELL_CHARS
        out.append(text[:cut])
        text = text[cut:]
    return out + [text]


def _date_text(value: str) -> str:
    """A stored date (2025-04-01, 2017-07 or 「-」) as 和暦 text the loader reads back the same."""
    from .wareki import to_wareki

    if m := re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", value):
        return to_wareki(dt.date(*map(int, m.groups())))
    if m := re.fullmatch(r"(\d{4})-(\d\d)", value):
        return to_wareki(dt.date(int(m.group(1)), int(m.group(2)), 1)).rsplit("月", 1)[0] + "月"
    return value


# --------------------------------------------------------------------------------------------
# writing

def write_workbook(document: "Document | None", kind: str | None = None) -> bytes:
    """The workbook (.xlsx bytes) of ``document``, or of a blank document of ``kind`` when None."""
    if document is not None:
        catalog, data = document.catalog, document.data
    elif kind is not None:
        catalog = load_catalog(kind)
        data = {KIND_KEY: catalog.kind}
    else:
        raise ValueError("write_workbook needs a document or a kind")
    return _write(catalog, _layout(catalog, data), str((data.get(COVER_KEY) or {}).get("評価書名") or catalog.kind))


def _write(catalog: Catalog, sheets: list[_Sheet], title: str) -> bytes:
    import xlsxwriter

    from .render import XLSX_FONT

    buf = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buf, options) as wb:
        wb.set_properties({"title": title, "subject": catalog.title or catalog.kind, "comments": "piadiff で作成"})
        formats = _Formats(wb, XLSX_FONT)
        lists = _Lists()
        for sheet in sheets:
            ws = wb.add_worksheet(sheet.name)
            _write_sheet(ws, sheet, formats, lists)
        ws = wb.add_worksheet(LISTS_SHEET)
        for col, options_ in enumerate(lists.columns):
            for row, option in enumerate(options_):
                ws.write_string(row, col, option)
        ws.hide()
        ws.protect()
    return buf.getvalue()


class _Lists:
    """The option lists of the drop-downs, one column each of the hidden sheet (an inline list
    would split 「1,000人未満」 at its comma)."""

    def __init__(self) -> None:
        self.columns: list[tuple[str, ...]] = []

    def source(self, options: tuple[str, ...]) -> str:
        from xlsxwriter.utility import xl_col_to_name

        if options not in self.columns:
            self.columns.append(options)
        col = xl_col_to_name(self.columns.index(options))
        return f"='{LISTS_SHEET}'!${col}$1:${col}${len(options)}"


class _Formats:
    """Cell formats, made once per workbook and depth."""

    def __init__(self, wb: Any, font: str):
        self.wb, self.cache = wb, {}
        self.base = {"font_name": font, "font_size": 10, "border": 1, "border_color": "#A0A0A0", "text_wrap": True,
                     "valign": "top"}

    def get(self, name: str, depth: int = 0) -> Any:
        if (name, depth) not in self.cache:
            extra = {
                "header": {"bold": True, "bg_color": "#D9D9D9", "align": "center", "valign": "vcenter"},
                "title": {"bold": True, "font_size": 12, "bg_color": "#BDD7EE"},
                "heading": {"bold": True, "bg_color": "#EDEDED"},
                "block": {"bold": True, "bg_color": "#E2EFDA"},
                "label": {},
                "guide": {"bg_color": "#FFF2CC"},
                "center": {"align": "center"},
                "locked": {"bg_color": "#F2F2F2", "num_format": "@"},
                "input": {"locked": False, "num_format": "@", "bg_color": "#FFFFFF"},
                "tick": {"locked": False, "num_format": "@", "align": "center", "bg_color": "#FFFFFF"},
            }[name]
            if depth and name in ("heading", "block", "label"):
                extra = {**extra, "indent": min(depth, 15)}
            self.cache[(name, depth)] = self.wb.add_format({**self.base, **extra})
        return self.cache[(name, depth)]


def _write_sheet(ws: Any, sheet: _Sheet, formats: _Formats, lists: _Lists) -> None:
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.set_column(KEY_COLUMN, KEY_COLUMN, 40, None, {"hidden": True})
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.print_area(0, 0, len(sheet.rows), VALUE_COLUMN)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_header("&L&A")
    ws.set_footer("&C&P / &N")
    for col, name in enumerate(HEADERS):
        ws.write_string(0, col, name, formats.get("header"))
    for r, row in enumerate(sheet.rows, start=1):
        _write_row(ws, r, row, formats, lists)
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True,
                    "select_unlocked_cells": True})


def _write_row(ws: Any, r: int, row: _Row, formats: _Formats, lists: _Lists) -> None:
    style = {"title": "title", "heading": "heading", "block": "block"}.get(row.style, "label")
    if row.style == "guide":
        ws.merge_range(r, 1, r, VALUE_COLUMN, "", formats.get("guide"))
        ws.write_string(r, 1, row.label, formats.get("guide"))
        ws.write_blank(r, 0, None, formats.get("guide"))
        ws.set_row(r, _height(row.label, sum(WIDTHS[1:])))
        return
    side = style if style != "label" else "center"
    _text(ws, r, 0, row.number, formats.get(side))
    _text(ws, r, 1, row.label, formats.get(style, row.depth))
    _text(ws, r, 2, row.mark, formats.get(side))
    if row.key is None or row.style == "fixed":
        _text(ws, r, VALUE_COLUMN, row.value or "", formats.get(style if style != "label" else "locked"))
    else:
        value = _escape(row.value or "")
        if len(value) > 2 * CELL_CHARS:  # a ( ) of a checkbox: texts are cut into pieces
            raise PiadiffError(f"{_path_text(row.key)}: {len(value):,} 文字あり、Excel の一つのセルに入りません"
                               f"（{2 * CELL_CHARS:,} 文字まで）。YAML で書き出して編集してください")
        _text(ws, r, VALUE_COLUMN, value, formats.get("tick" if row.style == "option" else "input"))
        if row.choices == (TICK,):
            ws.data_validation(r, VALUE_COLUMN, r, VALUE_COLUMN, {
                "validate": "list", "source": [TICK], "error_title": "チェック",
                "error_message": "付けるときは ○、付けないときは空欄にしてください"})
        elif row.choices:
            ws.data_validation(r, VALUE_COLUMN, r, VALUE_COLUMN, {
                "validate": "list", "source": lists.source(row.choices), "error_title": "選択肢",
                "error_message": "▼ の一覧から選んでください"})
    if row.key is not None:
        ws.write_string(r, KEY_COLUMN, json.dumps(row.key, ensure_ascii=False))
    ws.set_row(r, max(_height(row.label, WIDTHS[1] - 2 * row.depth), _height(row.value or "", WIDTHS[VALUE_COLUMN])))


def _text(ws: Any, r: int, c: int, text: str, fmt: Any) -> None:
    """A string cell, never a formula; an empty one is a blank cell with its format."""
    if text:
        ws.write_string(r, c, text, fmt)
    else:
        ws.write_blank(r, c, None, fmt)


def _escape(text: str) -> str:
    """Text as Excel shows it: a literal _x0041_ would be read by Excel as an escaped character."""
    return _ESCAPED.sub(lambda m: "_x005F" + m.group(0), text) if "_x" in text else text


def _height(text: str, width: int) -> float:
    """Points for the lines ``text`` wraps to in a column ``width`` wide (full-width characters take 2)."""
    if not text:
        return 15
    lines = sum(max(1, math.ceil(_columns(line) / max(width - 1, 4))) for line in text.split("\n"))
    return min(409, 13.5 * lines + 3)


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)


# --------------------------------------------------------------------------------------------
# reading

class Cell(int):
    """Where a value was read: a row number (entries are ordered by it) that prints as its sheet and
    cell, so that :class:`piadiff.errors.Problem` names 「Ⅱ 特定個人情報ファイルの概要」シート D37."""

    sheet: str
    column: str

    def __new__(cls, sheet: str, column: str, row: int) -> "Cell":
        cell = super().__new__(cls, row)
        cell.sheet, cell.column = sheet, column
        return cell

    def __format__(self, spec: str) -> str:
        return f"「{self.sheet}」シート {self.column}{int(self)}"

    __str__ = __repr__ = lambda self: self.__format__("")


def read_workbook(path: str | Path) -> LineDict:
    """The raw data of a workbook written by :func:`write_workbook` (and filled in), for
    :func:`piadiff.document.normalize`: every mapping's ``lines`` name the cell of each key."""
    p = Path(path)
    source = str(p)
    data = read_bytes(p, WORKBOOK_BYTES)
    _check_archive(data, source)
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of parts it does not read (extensions)
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except PiadiffError:
        raise
    except Exception as e:  # any damage openpyxl trips over: the workbook is refused, never half read
        raise InputError(f"{source}: Excel のブックとして読めません（壊れているか、.xlsx ではありません: {type(e).__name__}）") from None
    try:
        return _Reader(wb, source).read()
    except PiadiffError:
        raise
    except Exception as e:
        raise InputError(f"{source}: Excel のブックとして読めません（壊れています: {type(e).__name__}）") from None
    finally:
        wb.close()


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _check_archive(data: bytes, source: str) -> None:
    """Refuse, before any XML is parsed, what is not a plain workbook of a sensible size: the sizes
    the archive declares (zipfile never unpacks more than declared), encrypted parts, DTDs."""
    if data.startswith(_OLE):
        raise InputError(f"{source}: パスワードで保護されたブックか、古い形式（.xls）のファイルです。Excel で保護を外し、"
                         "「Excel ブック (*.xlsx)」として保存し直してください")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise InputError(f"{source}: Excel のブック（.xlsx）ではありません（壊れているか、別の形式のファイルです）") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MEMBERS:
            raise InputError(f"{source}: ブックの中のファイルが多すぎます（{len(infos):,} 個。{MEMBERS:,} 個まで）")
        total = sum(i.file_size for i in infos)
        if total > UNZIPPED_BYTES:
            raise InputError(f"{source}: 展開すると大きすぎます（{_megabytes(total)}。{_megabytes(UNZIPPED_BYTES)} まで）")
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(f"{source}: 暗号化された部分があります。Excel で保護を外して保存し直してください")
            _check_xml(zf, info, source)  # every part: openpyxl finds parts through relations, not by name


def _check_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> None:
    """No DTD: entities are how a small XML file expands into a huge one."""
    tail = b""
    try:
        with zf.open(info) as f:
            while chunk := f.read(1 << 16):
                if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                    raise InputError(f"{source}: ブックの中に DTD（<!DOCTYPE>）があります。Excel で保存し直したブックを使ってください")
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, RuntimeError, ValueError,
            zlib.error):
        raise InputError(f"{source}: ブックが壊れています（{info.filename} を展開できません）") from None


@dataclass
class _Target:
    """Where a row's value goes: ``path`` from the top of the document (keys and 1-based entry
    positions); the value item, or ENTRY_NUMBER / ENTRY_IDENTITY; a checkbox row's (tick|detail, option)."""

    path: list
    item: Item | None
    option: tuple[str, str] | None = None


class _Reader:
    def __init__(self, wb: Any, source: str):
        self.wb, self.source = wb, source
        self.problems: list[Problem] = []
        self.raw = LineDict()
        self.raw.lines = {}
        self.nodes = 0
        self.seen: dict[str, Cell] = {}
        self.boxes: dict[str, dict] = {}  # checkbox path → its rows
        self.more: dict[str, tuple] = {}  # text path → (path, cell, the pieces after the first)

    def fail(self, cell: Cell | None, message: str, path: list | None = None) -> None:
        self.problems.append(Problem(_path_text(path) if path else "", message, cell))

    def read(self) -> LineDict:
        names = list(self.wb.sheetnames)
        if COVER_KEY not in names:
            raise InputError(f"{self.source}: 「{COVER_KEY}」シートがありません（piadiff new か piadiff show の -o ….xlsx で"
                             "作ったブックに書き込んでください）")
        cover = list(self._rows(COVER_KEY))
        catalog = self._catalog(cover)
        sheets = sheet_names(catalog)
        unknown = [n for n in names if n not in sheets and n != LISTS_SHEET]
        if unknown:
            shown = "、".join(f"「{short(n)}」" for n in unknown[:5])
            raise InputError(f"{self.source}: {shown}というシートは{catalog.kind}のブックにありません。シートは足さずに、"
                             f"決まったシート（{'、'.join(sheets)}）に書いてください")
        for name, top in sheets.items():
            if name not in names:
                continue
            for cell, value, key in (cover if top is catalog.cover else self._rows(name)):
                self._row(catalog, top, cell, value, key)
        self._checkboxes()
        self._pieces()
        if self.problems:
            raise ValidationError(self.source, self.problems)
        return self.raw

    def _catalog(self, cover: list) -> Catalog:
        for cell, value, key in cover:
            if _parse_key(key) == [KIND_KEY]:
                kind = self._value(cell, value)
                if not isinstance(kind, str) or not kind.strip():
                    raise ValidationError(self.source, self.problems or [Problem(KIND_KEY, "様式がありません", cell)])
                try:
                    catalog = load_catalog(kind)
                except PiadiffError as e:
                    raise ValidationError(self.source, [Problem(KIND_KEY, str(e), cell)]) from None
                self.raw[KIND_KEY] = catalog.kind
                self.raw.lines[KIND_KEY] = cell
                return catalog
        raise InputError(f"{self.source}: 「{COVER_KEY}」シートに様式の行がありません（piadiff new か piadiff show の"
                         " -o ….xlsx で作ったブックに書き込んでください）")

    def _rows(self, name: str) -> Iterator[tuple[Cell, Any, Any]]:
        """(where, the 記載 cell, the hidden key) of every row of a sheet with a key or a value."""
        ws = self.wb[name]
        if not hasattr(ws, "iter_rows"):
            raise InputError(f"{self.source}: 「{short(name)}」はグラフのシートです。表のシートにしてください")
        for r, row in enumerate(ws.iter_rows(min_row=2, max_col=KEY_COLUMN + 1), start=2):  # below the headers
            if r > ROWS:
                raise InputError(f"{self.source}: 「{short(name)}」シートの行が多すぎます（{ROWS:,} 行まで）")
            value = row[VALUE_COLUMN] if len(row) > VALUE_COLUMN else None
            key = row[KEY_COLUMN] if len(row) > KEY_COLUMN else None
            if getattr(value, "value", None) in (None, "") and getattr(key, "value", None) in (None, ""):
                continue
            key_value = getattr(key, "value", None) or None
            if getattr(key, "data_type", "s") != "s":
                key_value = key_value if key_value is None else _NOT_A_KEY  # a number, formula or error
            yield Cell(name, VALUE_LETTER, r), value, key_value

    def _row(self, catalog: Catalog, top: Item, cell: Cell, value: Any, key: Any) -> None:
        key_cell = Cell(cell.sheet, KEY_LETTER, int(cell))
        if key is None:
            self.fail(cell, "見出しの行には書けません。記載は白い欄に書いてください")
            return
        parts = _parse_key(key)
        if top is catalog.cover and parts == [KIND_KEY]:
            return  # read first, by _catalog
        target = self._target(catalog, top, parts)
        if target is None:
            self.fail(key_cell, "この行の項目キー（隠した E 列）が読めません。piadiff が書き出したブックの行をそのまま使い、"
                                "行の追加・コピー・移動はしないでください")
            return
        seen = json.dumps(parts, ensure_ascii=False)
        if seen in self.seen:
            self.fail(cell, f"同じ項目の行が二つあります（{self.seen[seen]} と同じ。行をコピーしないでください）", target.path)
            return
        self.seen[seen] = cell
        self.nodes += 1
        if self.nodes > limits.NODES:
            raise InputError(f"{self.source}: 項目の行が多すぎます（{limits.NODES:,} 行まで）")
        read = self._value(cell, value, target.path)
        if read is _BAD:
            return
        if target.option is None:
            self._place(target.path, read, cell)
            return
        which, option = target.option
        if which == "more":
            self.more.setdefault(json.dumps(target.path, ensure_ascii=False), (target.path, cell, {}))[2][option] = read
            return
        box = self.boxes.setdefault(json.dumps(target.path, ensure_ascii=False), {"path": target.path, "rows": {}})
        state = box["rows"].setdefault(option, {"tick": False, "detail": None, "cell": cell})
        if which == "tick":
            state["tick"], state["cell"] = self._tick(cell, read, target.path), cell
        else:
            state["detail"], state["detail_cell"] = read, cell

    def _tick(self, cell: Cell, read: Any, path: list) -> bool:
        if read is None:
            return False
        if isinstance(read, str) and unicodedata.normalize("NFKC", read).strip() in TICKS:
            return True
        self.fail(cell, f"「{short(str(read))}」はチェックの印になりません。付けるときは ○、付けないときは空欄にしてください", path)
        return False

    def _target(self, catalog: Catalog, top: Item, parts: Any) -> _Target | None:
        """The place a hidden key names, checked against the catalog; None for anything else."""
        if not isinstance(parts, list) or not parts:
            return None
        if top is catalog.cover and parts[0] == NOTES_KEY:
            top = _NOTES
        elif parts[0] != top.key:
            return None
        node, path, i = top, [top.key], 1
        while True:
            if node.is_value:
                if i == len(parts):
                    return _Target(path, node) if node.kind != "checkbox" else None
                if i == len(parts) - 1 and _option_key(parts[i], node):
                    return _Target(path, node, tuple(parts[i]))
                return None
            if i >= len(parts):
                return None
            if node.is_group:
                pos = parts[i]
                if type(pos) is not int or not 1 <= pos <= min(node.max or limits.ENTRIES, limits.ENTRIES):
                    return None
                path, i = path + [pos], i + 1
                if i == len(parts) - 1 and parts[i] in (ENTRY_NUMBER, ENTRY_IDENTITY):
                    return _Target(path + [parts[i]], None)
            name = parts[i] if i < len(parts) else None
            child = next((c for c in node.children if c.key == name), None) if isinstance(name, str) else None
            if child is None:
                return None
            node, path, i = child, path + [name], i + 1

    def _value(self, cell: Cell, value: Any, path: list | None = None) -> Any:
        """A cell's value as a document holds it (text, or a whole number), or _BAD when refused."""
        if value is None or value.value in (None, ""):
            return None
        v, kind = value.value, getattr(value, "data_type", "s")
        if kind == "f":
            self.fail(cell, "数式は使えません（計算はしません）。記載は文字で書いてください", path)
            return _BAD
        if kind == "e":
            self.fail(cell, f"エラー値「{short(str(v))}」は書けません。記載を文字で書いてください", path)
            return _BAD
        if isinstance(v, bool):
            self.fail(cell, "TRUE / FALSE は書けません。記載を文字で書いてください", path)
            return _BAD
        if isinstance(v, dt.datetime):
            return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
        if isinstance(v, (dt.date, dt.time)):
            return v.isoformat()
        if isinstance(v, float):
            if not math.isfinite(v):
                self.fail(cell, "数として読めない値です。記載を文字で書いてください", path)
                return _BAD
            v = int(v) if v.is_integer() and abs(v) < 1e15 else repr(v)
        if isinstance(v, int):
            if len(str(abs(v))) > limits.DIGITS:
                self.fail(cell, f"数が {len(str(abs(v))):,} 桁あります（{limits.DIGITS} 桁まで）", path)
                return _BAD
            return v
        if not isinstance(v, str):
            self.fail(cell, "読めない値です。記載を文字で書いてください", path)
            return _BAD
        v = v.replace("_x000D_", "\r").replace("_x000d_", "\r")  # Excel's escape of CR, which openpyxl leaves
        if what := text_problem(v):
            self.fail(cell, f"「{short(v)}」: {what}", path)
            return _BAD
        return v

    def _place(self, path: list, value: Any, cell: Cell) -> None:
        holder: Any = self.raw
        for part, after in zip(path, path[1:]):
            if isinstance(part, int):
                while len(holder) < part:  # entries before this one with no row: blank slots
                    entry = LineDict()
                    entry.lines = {}
                    holder.append(entry)
                    self.nodes += 1
                holder = holder[part - 1]
                continue
            if part not in holder:
                holder[part] = [] if isinstance(after, int) else LineDict()
                if isinstance(after, str):
                    holder[part].lines = {}
                holder.lines[part] = cell
            holder = holder[part]
        if self.nodes > limits.NODES:
            raise InputError(f"{self.source}: 項目の行が多すぎます（{limits.NODES:,} 行まで）")
        holder[path[-1]] = value
        holder.lines[path[-1]] = cell

    def _pieces(self) -> None:
        """A long text written over several rows, joined again."""
        for path, cell, pieces in self.more.values():
            holder = self._holder(path)
            first = holder.get(path[-1]) if isinstance(holder, dict) else None
            text = "".join(str(p) for _, p in sorted(pieces.items()) if p is not None)
            text = ("" if first is None else str(first)) + text
            if what := text_problem(text):
                self.fail(cell, f"続きの行と合わせて {what}", path)
            elif text:
                self._place(path, text, cell)

    def _holder(self, path: list) -> Any:
        holder: Any = self.raw
        for part in path[:-1]:
            try:
                holder = holder[part - 1] if isinstance(part, int) else holder.get(part)
            except (IndexError, KeyError, AttributeError, TypeError):
                return None
        return holder

    def _checkboxes(self) -> None:
        """Each checkbox item's ticked options, placed as a YAML document lists them."""
        for box in self.boxes.values():
            ticked, at = [], None
            for option, row in box["rows"].items():
                detail = row["detail"]
                if detail not in (None, "") and not row["tick"]:
                    self.fail(row["detail_cell"], f"「{option}」に ○ が付いていないのに ( ) 内が書かれています。"
                                                  "○ を付けるか、( ) 内を消してください", box["path"])
                elif row["tick"]:
                    ticked.append({option: str(detail)} if detail not in (None, "") else option)
                    at = at or row["cell"]
            first = next(iter(box["rows"].values()))["cell"]
            self._place(box["path"], ticked or None, at or first)


def _parse_key(key: Any) -> Any:
    """A hidden key as JSON, or None: it is untrusted text, so its length is bounded first."""
    if not isinstance(key, str) or len(key) > KEY_CHARS:
        return None
    try:
        return json.loads(key)
    except (ValueError, RecursionError):
        return None


_NOT_A_KEY = object()
_BAD = object()


def _option_key(part: Any, node: Item) -> bool:
    """A key's last part: (tick|detail, option) of a checkbox, (more, n) of a text's continuation."""
    if not isinstance(part, list) or len(part) != 2:
        return False
    which, what = part
    if node.kind == "text":
        return which == "more" and type(what) is int and 2 <= what <= PIECES
    return (node.kind == "checkbox" and which in ("tick", "detail") and isinstance(what, str) and node.accepts(what)
            and (which == "tick" or what in node.detail))


def _path_text(path: list) -> str:
    """An item path as :func:`piadiff.document.normalize` writes it: 「Ⅱ …[1] > 4. … > 委託事項[2] > 名称」."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f" > {part}" if out else str(part))
    return out
