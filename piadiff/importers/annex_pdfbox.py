"""The (別添) 変更箇所 table of a PDF, read by where its words stand (``pdftotext -bbox-layout``).

pdftotext's text (without ``-layout``) loses where a table's cells are: the lines of cells side
by side come out interleaved or glued, and its blocks in an order of its own, so the text alone
often cannot tell one cell from the next (:mod:`piadiff.importers.annex_pdftext` does what it
can). A PDF still has the positions; with them the table reads as printed:

* the header row names the columns, in whatever order they stand; each column starts where the
  lines of its cells start (text in the form's cells is left-aligned), found between the header
  of the column before and its own;
* a cell is the lines of one column one line-pitch apart; a row is the cells side by side that
  overlap vertically (so cells aligned to the top, middle or bottom of a row read alike);
* the header printed again on every page starts the table's next page; a page without it at its
  top ends the table (what follows, a 別紙, is not the table's).

Each row names the lines of the pdftotext text its words are on (pdftotext writes the lines of
``-bbox-layout`` in the order and with the words of its text), so rows read here can stand for
the rows of that text. When the page does not read as such a table, :func:`read_boxes` says so
(None) and the text reader is used.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from .annex_pdftext import HEADER, TIMINGS
from .annex_table import iso_date, join_wrapped

_NS = "{http://www.w3.org/1999/xhtml}"
_HEADING = re.compile(r"^[\s\u3000]*[(（]\s*別添\s*[0-9０-９]+\s*[)）][\s\u3000]*変更箇所[\s\u3000]*$")
_COLUMNS = ("date_text", "item", "before", "after", "timing", "explanation")
#: what pdftotext takes for a hyphen at a line's end, and joins the next line to
_HYPHENS = ("-", "\u00ad", "\u2010", "\u2011")
#: words on one baseline differ in their top by less than this (points)
_SAME_LINE = 2.0
#: a row's cells are apart by at least their padding and border: a line farther below the one
#: before it than the line pitch and this starts another cell (points)
_CELL_GAP = 0.8


@dataclass
class _Word:
    x0: float
    y0: float
    x1: float
    text: str
    line: int  # the line of the pdftotext text it is on


@dataclass
class _Cell:
    column: int
    lines: list[list[_Word]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return self.lines[0][0].y0

    @property
    def bottom(self) -> float:
        return self.lines[-1][0].y0


@dataclass
class BoxTable:
    """The annex table of a PDF: its rows, and the text lines of its header and its rows."""

    rows: list[dict[str, Any]]
    header_lines: set[int]
    first_line: int  # the line of the （別添）変更箇所 heading


def read_boxes(xhtml: str, text: str) -> BoxTable | None:
    """The annex of changes from pdftotext's ``-bbox-layout`` output of the PDF whose text
    (without ``-layout``) is ``text``; None when the words do not read as the table."""
    pages = _pages(xhtml, text)
    if pages is None:
        return None
    start = _heading(pages)
    if start is None:
        return None
    page_no, heading = start
    parts: list[tuple[list[list[_Word]], list[_Word]]] = []
    for k, words in enumerate(pages[page_no:]):
        if k == 0:
            words = [w for w in words if w.y0 > heading.y0 + _SAME_LINE]
        head, body = _header(words)
        if head is None:
            if k == 0:
                return None  # no header under the heading: not a table this reader knows
            break  # a page without the header: the table has ended
        parts.append((head, body))
    # one table: its columns are where they are on every page, found from all of its lines
    columns = _columns(parts[0][0], [w for _, body in parts for w in body])
    if columns is None:
        return None
    rows: list[dict[str, Any]] = []
    for head, body in parts:
        page_rows = _rows(body, columns)
        if rows and page_rows and not page_rows[0]["date_text"] and not page_rows[0]["item"]:
            _continue(rows[-1], page_rows.pop(0))  # a row the page break cut: its cells go on
        rows += page_rows
    header_lines = {w.line for head, _ in parts for ws in head for w in ws}
    return BoxTable(rows, header_lines, heading.line)


def _continue(row: dict[str, Any], rest: dict[str, Any]) -> None:
    for key in ("before", "after", "timing", "explanation"):
        row[key] = join_wrapped([row[key], rest[key]]) if row[key] and rest[key] else row[key] or rest[key]
    row["lines"] = sorted({*row["lines"], *rest["lines"]})
    if rest.get("uncertain"):
        row["uncertain"] = "。".join(filter(None, (row.get("uncertain"), rest["uncertain"])))


# --- the PDF's words --------------------------------------------------------------------------

def _pages(xhtml: str, text: str) -> list[list[_Word]] | None:
    """The words of each page, each with its text line: the lines of -bbox-layout are the
    non-blank lines of the text, in order (checked; None when they differ), except that the text
    joins a line ending in a hyphen to the next."""
    try:
        root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xhtml, count=1))
    except ET.ParseError:
        return None
    targets = iter([(n, _fold(line)) for n, line in enumerate(text.split("\n"), start=1) if line.strip()])
    pages: list[list[_Word]] = []
    current, acc = None, ""
    for page in root.iter(f"{_NS}page"):
        words: list[_Word] = []
        for line in page.iter(f"{_NS}line"):
            ws = list(line.iter(f"{_NS}word"))
            if not ws:
                continue
            if current is None or acc == current[1]:
                current, acc = next(targets, (None, "")), ""
                if current is None:
                    return None
            part = _fold("".join(w.text or "" for w in ws))
            acc = acc[:-1] + part if acc.endswith(_HYPHENS) else acc + part
            if not current[1].startswith(acc.rstrip("".join(_HYPHENS))):
                return None
            words += [_Word(float(w.get("xMin", 0)), float(w.get("yMin", 0)), float(w.get("xMax", 0)), w.text or "", current[0])
                      for w in ws]
        pages.append(words)
    return pages if current is None or acc == current[1] else None


def _heading(pages: list[list[_Word]]) -> tuple[int, _Word] | None:
    """The last （別添N）変更箇所 heading (the first is in the list of contents)."""
    found = None
    for n, words in enumerate(pages):
        for line in _by_line(words):
            if _HEADING.match("".join(w.text for w in line)):
                found = (n, line[0])
    return found


def _by_line(words: list[_Word]) -> list[list[_Word]]:
    """Words on one baseline, top to bottom, each line left to right."""
    lines: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: (w.y0, w.x0)):
        if lines and abs(lines[-1][0].y0 - w.y0) < _SAME_LINE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


# --- the header and the columns ---------------------------------------------------------------

def _header(words: list[_Word]) -> tuple[list[list[_Word]] | None, list[_Word]]:
    """The header cells at the top of a page (each its words), in the order of ``HEADER``, and
    the words below them; (None, words) when the page does not start with the header."""
    lines = _by_line(words)
    band: list[_Word] = []
    for line in lines:
        if not all(any(_fold(w.text) in name for name in HEADER) for w in line):
            break
        band += line
    cells = _side_by_side(band)
    names = ["".join(w.text for w in sorted(c, key=lambda w: (w.y0, w.x0))) for c in cells]
    if sorted(_fold(n) for n in names) != sorted(HEADER):
        return None, words
    order = [next(c for c, n in zip(cells, names) if _fold(n) == h) for h in HEADER]
    taken = {id(w) for w in band}
    return order, [w for w in words if id(w) not in taken]


def _side_by_side(words: list[_Word]) -> list[list[_Word]]:
    """Words grouped into cells by where they stand across: a cell's lines overlap."""
    cells: list[list[_Word]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if cells and w.x0 <= max(x.x1 for x in cells[-1]) + _SAME_LINE:
            cells[-1].append(w)
        else:
            cells.append([w])
    return cells


def _columns(head: list[list[_Word]], body: list[_Word]) -> list[tuple[float, int]] | None:
    """Where each column starts (x, its index in ``HEADER``), left to right.

    A header may stand anywhere in its column, but a column's cells are left-aligned (or, for
    提出時期, all of a width), so between the header of the column before and its own header, the
    place where most lines start is in the column; the column's edge is the gap no word crosses
    (the gutter between two columns) just left of it.
    """
    spans = sorted((min(w.x0 for w in cell), max(w.x1 for w in cell), k) for k, cell in enumerate(head))
    starts = _line_starts(body)
    free = _uncovered(body)
    out = [(float("-inf"), spans[0][2])]
    for (_, right, _), (left, _, k) in zip(spans, spans[1:]):
        if left <= right:
            return None  # headers that overlap are not columns side by side
        inside = [round(x) for x in starts if right < x <= left + _SAME_LINE]
        most = min(set(inside), key=lambda x: (-inside.count(x), x)) if inside else left
        if any(a <= most <= b for a, b in free):
            edge = most  # nothing is printed there (an empty column): any place will do
        else:
            edge = max((b for a, b in free if out[-1][0] < b <= most + 1.0), default=most)
        out.append((edge - 0.5, k))
    return out


def _uncovered(words: list[_Word]) -> list[tuple[float, float]]:
    """Stretches across the page that no word covers, left to right."""
    spans = sorted((w.x0, w.x1) for w in words)
    out: list[tuple[float, float]] = []
    reach = float("-inf")
    for a, b in spans:
        if a > reach:
            out.append((reach, a))
        reach = max(reach, b)
    out.append((reach, float("inf")))
    return out


def _line_starts(words: list[_Word]) -> list[float]:
    """Where lines of text start: the first word on each baseline, and a word after a gap wider
    than a space (the next cell on the line). A column's edge is where two or more start."""
    starts = []
    for line in _by_line(words):
        starts.append(line[0].x0)
        for a, b in zip(line, line[1:]):
            if b.x0 - a.x1 > _space(a):
                starts.append(b.x0)
    return starts


def _space(w: _Word) -> float:
    # the widest gap a cell's own text leaves between words: a space is a quarter to a third of
    # the font's size; cells are apart by their padding and border, seldom under 0.4 of it. The
    # word's box is as wide as its characters, so its width per character gives the font's size
    em = (w.x1 - w.x0) / max(1, _width(w.text)) * 2
    return max(1.5, em * 0.35)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# --- cells and rows ---------------------------------------------------------------------------

def _rows(words: list[_Word], columns: list[tuple[float, int]]) -> list[dict[str, Any]]:
    by_column = [_by_line([w for w in words if _column(w, columns) == k]) for k in range(len(HEADER))]
    pitch = _pitch(by_column)
    cells = [c for k, lines in enumerate(by_column) for c in _cells(lines, k, pitch)]
    rows: list[list[_Cell]] = []
    for cell in sorted(cells, key=lambda c: c.top):
        # a row's cells overlap vertically: each cell spans its lines and one pitch below the last
        if rows and cell.top < max(c.bottom for c in rows[-1]) + pitch - _CELL_GAP / 2:
            rows[-1].append(cell)
        else:
            rows.append([cell])
    return [_row(r) for r in rows]


def _column(w: _Word, columns: list[tuple[float, int]]) -> int:
    return next(k for x, k in reversed(columns) if w.x0 >= x)


def _cells(lines: list[list[_Word]], column: int, pitch: float) -> list[_Cell]:
    """A column's lines as cells: lines one pitch apart are one cell's."""
    cells: list[_Cell] = []
    for line in lines:
        if cells and line[0].y0 - cells[-1].lines[-1][0].y0 <= pitch + _CELL_GAP / 2:
            cells[-1].lines.append(line)
        else:
            cells.append(_Cell(column, [line]))
    return cells


def _pitch(columns: list[list[list[_Word]]]) -> float:
    """The distance from one line to the next within a cell: the smallest distance between
    lines of a column that recurs (rows are farther apart: their cells' padding and border)."""
    gaps = sorted(round(b[0].y0 - a[0].y0, 1) for lines in columns for a, b in zip(lines, lines[1:]))
    recurring = [g for g in gaps if sum(1 for x in gaps if abs(x - g) <= 0.3) >= max(2, len(gaps) // 20)]
    return recurring[0] if recurring else 0.0


def _row(cells: list[_Cell]) -> dict[str, Any]:
    texts = {k: "" for k in range(len(HEADER))}
    for cell in sorted(cells, key=lambda c: c.top):
        joined = join_wrapped([" ".join(w.text for w in line) for line in cell.lines])
        texts[cell.column] = f"{texts[cell.column]} {joined}".strip() if texts[cell.column] else joined
    row: dict[str, Any] = {name: texts[k] for k, name in enumerate(_COLUMNS)}
    row["date_text"] = re.sub(r"\s+", "", row["date_text"])
    row["date_iso"] = iso_date(row["date_text"])
    doubts = []
    if row["timing"] and row["timing"] not in TIMINGS:
        doubts.append(f"提出時期「{row['timing']}」が事前・事後のどちらでもありません")
    if row["date_text"] and not row["date_iso"]:
        doubts.append(f"変更日「{row['date_text']}」が日付として読めません")
    row["lines"] = sorted({w.line for c in cells for line in c.lines for w in line})
    if doubts:
        row["uncertain"] = "。".join(doubts)
    return {k: row[k] for k in ("date_text", "date_iso", "item", "before", "after", "timing", "explanation", "lines",
                                *(["uncertain"] if doubts else []))}
