"""The (別添) 変更箇所 table as pdftotext (without ``-layout``) wrote it: its rows, and what is left.

pdftotext writes a table's cells as text blocks in an order of its own, and the columns come
apart in ways that differ between publications. What the text still tells, and what is read here:

* the header (変更日 / 項目 / 変更前の記載 / 変更後の記載 / 提出時期 / 提出時期に係る説明) is known by
  its names alone, in any order, glued together or split over lines, and printed again at each
  page break; a header printed again starts the table's next page;
* a 変更日 and a 提出時期 (事前 / 事後) are known by their shape, wherever they stand: a date at the
  start of a line, a date wrapped over two lines, a 提出時期 on its own line or glued to a cell;
* a row starts at its 変更日 when the dates stand in the rows; when they were printed apart as a
  list (before or after the rows), each row ends at its 提出時期 and the list is laid beside the
  rows: in order when the counts agree (the whole table, or page by page), otherwise a row gets a
  date only where every order-keeping alignment gives it the same one, and is marked uncertain;
* the text cells between are told apart by how pdftotext wraps a cell: every line of a cell but
  its last runs to the cell's edge, so they are about as wide as each other, and a line wider
  than the one before it starts another cell. A blank line (a new pdftotext block) ends a cell.

A row the text does not decide (which of 変更前 and 変更後 is empty, cells that do not fit the
columns) is kept with its best reading and an ``uncertain`` reason. Identical rows stay two rows:
rows are cut at dates and 提出時期, never compared. A line that is in no row is returned with its
line number, so nothing of the table is lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator

from . import Unplaced
from .annex_table import ANNEX_HEADERS, iso_date, join_wrapped

#: the table's header cells as the form prints them, in its order
HEADER = tuple(ANNEX_HEADERS)
TIMINGS = ("事前", "事後")
WHERE = "（別添）変更箇所"
UNCERTAIN_DATE = "変更日を揃えられませんでした"

_DIGIT = "[0-9０-９]"
_DATE = re.compile(
    rf"^(?:(?:令和|平成|昭和)\s*(?:元|{_DIGIT}{{1,2}})\s*年\s*{_DIGIT}{{1,2}}\s*月\s*{_DIGIT}{{1,2}}\s*日"
    rf"|[RHSrhs]\s*{_DIGIT}{{1,2}}\s*[./．]\s*{_DIGIT}{{1,2}}\s*[./．]\s*{_DIGIT}{{1,2}}(?!{_DIGIT})"
    rf"|{_DIGIT}{{4}}\s*[-/.年]\s*{_DIGIT}{{1,2}}\s*[-/.月]\s*{_DIGIT}{{1,2}}\s*日?(?!{_DIGIT}))"
)
#: the start of a wareki date that a narrow column wrapped (令和5年1月25 / 日)
_DATE_START = re.compile(rf"^(?:令和|平成|昭和)\s*(?:元|{_DIGIT}{{1,2}})(?:\s*年(?:\s*{_DIGIT}{{1,2}}(?:\s*月(?:\s*{_DIGIT}{{1,2}})?)?)?)?$")
#: 事前 / 事後 as a word of its own: a cell, or glued to another cell after a space
_TIMING_WORD = re.compile(r"(?<!\S)(事前|事後)(?!\S)")
#: 事前 / 事後 glued to the end of another cell's line without a space (not to a line's start: a
#: wrapped 説明 line may well start with 事前の提出…)
_GLUED = re.compile(r"(?<=\S)(事前|事後)$")
#: how the 項目 cell starts: a section of the form (Ⅰ-1-②, Ⅱ 特定…, 表紙, (別添1)); only to choose
#: between two readings of a list-dated table, never to reject a row
_ITEM_START = re.compile(r"^(?:[IVX]{1,4}(?![A-Za-z])|表紙|[(]?別添)")
#: a line narrower than this (half-width columns) cannot have been wrapped at a cell's edge:
#: no text column of the form is this narrow
_MIN_FULL = 12
#: blank lines that stand for a page break (pdftotext's form feed, as the pdftotext importer reads it)
_PAGE_BREAK = 2
#: readings of one stretch of lines, at most: enough to tell one reading from several
_MAX_READINGS = 64


@dataclass
class _Piece:
    """What one line, or part of a line, holds: a date, a 提出時期, or a cell's text."""

    kind: str  # date | timing | text
    text: str
    lines: list[int]  # 1-based lines of the source (a wrapped date has two)
    page: int  # the table's part: a header printed again starts the next
    blank: int = 0  # blank lines right before it (a header counts as a page break)

    @property
    def width(self) -> int:
        return _width(self.text)


@dataclass
class _Row:
    date: _Piece | None = None
    pre: list[_Piece] = field(default_factory=list)  # cells before the 提出時期: 項目, 変更前, 変更後
    timing: _Piece | None = None
    post: list[_Piece] = field(default_factory=list)  # after it: 提出時期に係る説明
    date_text: str = ""
    doubts: list[str] = field(default_factory=list)

    @property
    def page(self) -> int:
        first = next(iter([*self.pre, *([self.timing] if self.timing else []), *self.post]), None)
        return first.page if first else 0


def read_annex(lines: list[tuple[int, str]]) -> tuple[list[dict[str, Any]], list[Unplaced]]:
    """The rows of the annex of changes from pdftotext's lines after its heading (see the module).

    ``lines`` are (1-based line number, text). Each row is a dict with date_text, date_iso, item,
    before, after, timing, explanation (as the tab-separated importer makes them), ``lines`` (the
    source lines it was read from) and, when the text did not decide it, ``uncertain`` (why).
    The second value holds every non-blank line that is in no row and is not the header.
    """
    pieces = list(_pieces(lines))
    stray: list[tuple[_Piece, str]] = []
    wide = _wide(pieces)
    if any(p.kind == "date" for p in pieces) and _dates_inline(pieces):
        rows = _rows_by_date(pieces, stray)
    else:
        rows = _rows_by_timing(pieces, stray, wide)
    out = [_row_dict(r, wide) for r in rows]
    text_of = dict(lines)
    unplaced = {n: Unplaced(n, f"{WHERE}（{why}）", text_of[n].strip()) for p, why in stray for n in p.lines}
    return out, sorted(unplaced.values(), key=lambda u: u.line)


# --- lines to pieces --------------------------------------------------------------------------

def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _width(text: str) -> int:
    """Half-width columns: a line's width as wrapping sees it."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _header_reach(text: str) -> tuple[bool, bool]:
    """(whole, open): ``text`` is header names end to end / names and the start of one more."""
    reach = {0}
    for i in range(len(text) + 1):
        if i in reach:
            reach.update(i + len(n) for n in HEADER if text.startswith(n, i))
    whole = len(text) in reach
    return whole, any(n.startswith(text[i:]) and len(text) - i < len(n) for i in reach if i < len(text) for n in HEADER)


def _header_end(lines: list[tuple[int, str]], i: int) -> int:
    """The index after the header that starts at line ``i`` (``i`` when none does)."""
    acc, end = "", i
    for j in range(i, len(lines)):
        s = _fold(lines[j][1])
        if not s:
            if end > i and acc and _header_reach(acc)[0]:
                continue  # a header cell of its own block: the next name may follow
            break
        acc += s
        whole, open_ = _header_reach(acc)
        if whole:
            end = j + 1
        elif not open_:
            break
    return end


def _pieces(lines: list[tuple[int, str]]) -> Iterator[_Piece]:
    page = blank = 0
    i = 0
    while i < len(lines):
        no, raw = lines[i]
        s = raw.strip()
        if not s:
            blank += 1
            i += 1
            continue
        end = _header_end(lines, i)
        if end > i:  # a header: the table (re)starts, as after a page break
            page += 1
            blank = _PAGE_BREAK
            i = end
            continue
        date, rest, used = _leading_date(lines, i)
        if date is not None:
            yield _Piece("date", date, [lines[k][0] for k in range(i, i + used)], page, blank)
            blank = 0
            no = lines[i + used - 1][0]
            i += used - 1
        for kind, text in _split_timing(rest if date is not None else s):
            yield _Piece(kind, text, [no], page, blank)
            blank = 0
        i += 1


def _leading_date(lines: list[tuple[int, str]], i: int) -> tuple[str | None, str, int]:
    """(the date a line starts with, what follows it, lines used): a wrapped date takes two."""
    s = lines[i][1].strip()
    m = _DATE.match(s)
    if m and _parses(m.group()):
        return m.group().strip(), s[m.end():].strip(), 1
    if i + 1 < len(lines) and _DATE_START.match(s):
        nxt = lines[i + 1][1].strip()
        m = _DATE.match(s + nxt)
        if m and m.end() > len(s) and _parses(m.group()):
            return m.group().strip(), (s + nxt)[m.end():].strip(), 2
    return None, s, 1


def _parses(text: str) -> bool:
    from ..errors import PiadiffError
    from ..wareki import parse_date

    try:
        parse_date(unicodedata.normalize("NFKC", text))
        return True
    except PiadiffError:
        return False


def _split_timing(text: str) -> Iterator[tuple[str, str]]:
    """A line's text and the 提出時期 glued to it, in the order they stand."""
    pos = 0
    for m in _TIMING_WORD.finditer(text):
        if text[pos:m.start()].strip():
            yield "text", text[pos:m.start()].strip()
        yield "timing", m.group(1)
        pos = m.end()
    if text[pos:].strip():
        yield "text", text[pos:].strip()


# --- pieces to rows ---------------------------------------------------------------------------

def _date_runs(pieces: list[_Piece]) -> list[list[int]]:
    """Indexes of dates standing next to each other (nothing but blank lines between)."""
    runs: list[list[int]] = []
    for k, p in enumerate(pieces):
        if p.kind != "date":
            continue
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _starts(pieces: list[_Piece]) -> set[int]:
    """Dates that start their rows: the last of its run when the row's text follows it (the
    others of that run are cells of the row before that hold a date, as 評価実施日 does)."""
    return {run[-1] for run in _date_runs(pieces) if run[-1] + 1 < len(pieces) and pieces[run[-1] + 1].kind == "text"}


def _listed(pieces: list[_Piece]) -> list[int]:
    """Dates printed apart as a list: runs that begin or end a page of the table (a date inside
    a page that starts no row is a cell's text)."""
    first = {p.page: k for k, p in reversed(list(enumerate(pieces)))}
    last = {p.page: k for k, p in enumerate(pieces)}
    return [k for run in _date_runs(pieces)
            if first[pieces[run[0]].page] == run[0] or last[pieces[run[-1]].page] == run[-1] for k in run]


def _dates_inline(pieces: list[_Piece]) -> bool:
    """Whether the dates stand in their rows rather than apart: more rows start at one of their
    own than the lists hold."""
    alone = {k for k in _starts(pieces) if k - 1 < 0 or pieces[k - 1].kind != "date"}
    listed = [k for k in _listed(pieces) if k not in alone]
    return len(alone) > 0 and len(alone) >= len(listed)


def _rows_by_date(pieces: list[_Piece], stray: list[tuple[_Piece, str]]) -> list[_Row]:
    """Rows that start at their 変更日; a date inside a row that starts no row is a cell's text."""
    starts = _starts(pieces)
    rows: list[_Row] = []
    for k, p in enumerate(pieces):
        if k in starts:
            rows.append(_Row(date=p, date_text=p.text))
            continue
        if not rows:
            stray.append((p, "表の行より前にあり、どの行のものか決められません"))
            continue
        _add(rows[-1], p if p.kind != "date" else _Piece("text", p.text, p.lines, p.page, p.blank))
    for row in rows:
        if row.timing is None:
            _unglue(row)
    _trailing(rows, stray)
    return rows


def _glued(p: _Piece) -> tuple[str, str, str] | None:
    """A 提出時期 glued to a cell's line without a space: (text before, 事前/事後, text after)."""
    m = _GLUED.search(p.text) if p.kind == "text" else None
    return (p.text[:m.start()].strip(), m.group(1), p.text[m.end():].strip()) if m else None


def _unglue(row: _Row) -> None:
    """A row without 提出時期: one glued to a cell (no space between) is taken, if just one is."""
    found = [(k, g) for k, p in enumerate(row.pre) if (g := _glued(p))]
    if len(found) != 1:
        if found:
            row.doubts.append("提出時期らしい語が二つ以上の行の端にあり、決められません")
        return
    k, (head, timing, tail) = found[0]
    p = row.pre[k]
    rest = row.pre[k + 1:]
    row.pre = row.pre[:k] + ([_Piece("text", head, p.lines, p.page, p.blank)] if head else [])
    row.timing = _Piece("timing", timing, p.lines, p.page)
    row.post = ([_Piece("text", tail, p.lines, p.page)] if tail else []) + rest


def _add(row: _Row, p: _Piece) -> None:
    if p.kind == "timing" and row.timing is None and not row.post:
        row.timing = p
        return
    if p.kind == "timing":
        row.doubts.append("提出時期が二つ以上あります")
        p = _Piece("text", p.text, p.lines, p.page, p.blank)
    (row.post if row.timing else row.pre).append(p)


def _trailing(rows: list[_Row], stray: list[tuple[_Piece, str]]) -> None:
    """What stands after the last row across a page break is not the table's (a 別紙 may follow)."""
    last = rows[-1] if rows else None
    if last is None or last.timing is None:
        return
    k = next((k for k, p in enumerate(last.post) if p.blank >= _PAGE_BREAK), None)
    if k is not None:
        stray.extend((q, "表の後にあり、変更箇所の行として読めません") for q in last.post[k:])
        del last.post[k:]


def _rows_by_timing(pieces: list[_Piece], stray: list[tuple[_Piece, str]], wide: int) -> list[_Row]:
    """Rows that end at their 提出時期, with the dates printed apart laid beside them."""
    listed = set(_listed(pieces))
    dates = [pieces[k] for k in sorted(listed)]
    rest = [p if p.kind != "date" else _Piece("text", p.text, p.lines, p.page, p.blank)
            for k, p in enumerate(pieces) if k not in listed]
    rest = _unglue_counted(rest, len(dates))
    stops = [k for k, p in enumerate(rest) if p.kind == "timing"]
    if not stops:
        for p in pieces:
            stray.append((p, "提出時期（事前・事後）も行の変更日も読めず、行に分けられません"))
        return []
    rows = [_Row(timing=rest[k]) for k in stops]
    rows[0].pre = rest[:stops[0]]
    for n, (a, b) in enumerate(zip(stops, stops[1:])):
        post, pre, doubt = _between(rest[a + 1:b], wide)
        rows[n].post, rows[n + 1].pre = post, pre
        if doubt:
            rows[n].doubts.append(doubt)
            rows[n + 1].doubts.append(doubt)
    rows[-1].post = rest[stops[-1] + 1:]
    _trailing(rows, stray)
    rows = _split_untimed(rows)
    _lay_dates(dates, rows, stray)
    return rows


def _split_untimed(rows: list[_Row]) -> list[_Row]:
    """Rows without 提出時期 ran into the next: a row whose cells are too many for one row is cut
    where a cell starts like a 項目 (a section of the form) after a row's worth of cells."""
    out: list[_Row] = []
    for n, row in enumerate(rows):
        if not row.pre or _readings(row.pre, 3):
            out.append(row)
            continue
        cuts = _cut_points(row.pre, [k for k in range(1, len(row.pre)) if _item_like(row.pre[k:])])
        if cuts and n and out and not _item_like(row.pre) and not out[-1].post and _one_cell(row.pre[:cuts[0]]):
            # what stands before the first 項目 is the 説明 of the row before (its end was not found)
            out[-1].post, row.pre = row.pre[:cuts[0]], row.pre[cuts[0]:]
            cuts = [k - cuts[0] for k in cuts[1:]]
        bounds = [0, *cuts, len(row.pre)]
        parts = [row.pre[a:b] for a, b in zip(bounds, bounds[1:])]
        for part in parts[:-1]:
            out.append(_Row(pre=part, doubts=["提出時期がなく、項目の形から次の行と分けました"]))
        row.pre = parts[-1]
        if len(parts) > 1:
            row.doubts.append("提出時期のない前の行と、項目の形から分けました")
        out.append(row)
    return out


def _cut_points(pieces: list[_Piece], starts: list[int]) -> list[int]:
    """Of the places a 項目 may start, those that leave each part readable as one row's cells."""
    out: list[int] = []
    last = 0
    for k in starts:
        if _readings(pieces[last:k], 3) and k > last:
            out.append(k)
            last = k
    return out if _readings(pieces[last:], 3) else []


def _unglue_counted(pieces: list[_Piece], dates: int) -> list[_Piece]:
    """Glued 提出時期 (no space) are taken when, with them, there are no more than listed dates
    (a row may have none, so there may be fewer)."""
    timings = sum(1 for p in pieces if p.kind == "timing")
    glued = [k for k, p in enumerate(pieces) if _glued(p)]
    if not glued or timings + len(glued) > dates:
        return pieces
    out: list[_Piece] = []
    for k, p in enumerate(pieces):
        g = _glued(p) if k in glued else None
        if g is None:
            out.append(p)
            continue
        head, timing, tail = g
        out += [_Piece("text", head, p.lines, p.page, p.blank)] if head else []
        out.append(_Piece("timing", timing, p.lines, p.page, 0 if head else p.blank))
        out += [_Piece("text", tail, p.lines, p.page)] if tail else []
    return out


def _between(stretch: list[_Piece], wide: int) -> tuple[list[_Piece], list[_Piece], str]:
    """Lines between two 提出時期: the first row's 説明, then the next row's 項目, 変更前, 変更後.

    Where the 説明 ends is chosen as the next row's cells read best (see :func:`_choose`), then
    where that row's first cell looks like a 項目 (a section of the form) and the 説明 does not.
    """
    scored: list[tuple[tuple, int]] = []
    for cut in range(len(stretch) + 1):
        post, pre = stretch[:cut], stretch[cut:]
        if post and not _one_cell(post):
            continue
        reading, _ = _choose(_readings(pre, 3), wide)
        if pre and not reading:
            continue
        score = (_rank(reading, wide) if pre else (0, 0), not _item_like(pre), bool(post) and _item_like(post))
        scored.append((score, cut))
    doubt = "説明と次の行の項目の境を決められません"
    if not scored:
        return [], stretch, doubt
    scored.sort()
    cut = scored[0][1]
    tied = len(scored) > 1 and scored[1][0] == scored[0][0]
    return stretch[:cut], stretch[cut:], doubt if tied else ""


def _item_like(pieces: list[_Piece]) -> bool:
    return bool(pieces) and bool(_ITEM_START.match(unicodedata.normalize("NFKC", pieces[0].text)))


def _lay_dates(dates: list[_Piece], rows: list[_Row], stray: list[tuple[_Piece, str]]) -> None:
    """Give each row its date from the list: in order where the counts agree, else where sure."""
    if len(dates) == len(rows):
        pairs = list(zip(dates, rows))
    else:
        pairs = _page_by_page(dates, rows)
    if pairs is not None:
        for d, r in pairs:
            r.date, r.date_text = d, d.text
        return
    for n, r in enumerate(rows):
        lo, hi = _window(n, len(rows), len(dates))
        choices = {_fold(d.text) for d in dates[lo:hi + 1]}
        if len(choices) == 1:
            r.date_text = dates[lo].text
        else:
            names = "／".join(dict.fromkeys(d.text for d in dates[lo:hi + 1]))
            r.doubts.append(f"{UNCERTAIN_DATE}（{len(dates)} 個の変更日と {len(rows)} 行。候補: {names or 'なし'}）")
    for d in dates:
        stray.append((d, f"変更日の一覧（{len(dates)} 個）が行（{len(rows)} 行）と揃わず、どの行のものか決められません"))


def _page_by_page(dates: list[_Piece], rows: list[_Row]) -> list[tuple[_Piece, _Row]] | None:
    pages = sorted({d.page for d in dates} | {r.page for r in rows})
    pairs: list[tuple[_Piece, _Row]] = []
    for page in pages:
        ds = [d for d in dates if d.page == page]
        rs = [r for r in rows if r.page == page]
        if len(ds) != len(rs):
            return None
        pairs.extend(zip(ds, rs))
    return pairs


def _window(n: int, rows: int, dates: int) -> tuple[int, int]:
    """The dates row ``n`` may have when dates and rows keep their order and none is skipped:
    with fewer dates, neighbouring rows share one (a blank 変更日); with more, some have no row."""
    if dates == 0:
        return 0, -1
    if dates < rows:
        return max(0, n - (rows - dates)), min(n, dates - 1)
    return n, min(dates - 1, n + (dates - rows))


# --- a row's cells ----------------------------------------------------------------------------

def _readings(pieces: list[_Piece], most: int) -> list[list[list[_Piece]]]:
    """Every way to cut ``pieces`` into 1..``most`` cells as pdftotext wraps them (a few at most)."""
    n = len(pieces)
    out: list[list[list[_Piece]]] = []

    def walk(start: int, cells: list[list[_Piece]]) -> None:
        if len(out) >= _MAX_READINGS or start == n or len(cells) == most:
            if start == n and cells:
                out.append(list(cells))
            return
        for end in range(start + 1, n + 1):
            if not _wrapped(pieces[start:end - 1]):
                break  # its wrapped lines disagree: a longer cell keeps them
            if _ends(pieces[start:end]):
                walk(end, cells + [pieces[start:end]])

    walk(0, [])
    return out


def _wrapped(lines: list[_Piece]) -> bool:
    """Whether lines can all be wrapped at one cell's edge: about as wide as each other, not
    narrow, in one pdftotext block (no blank line among them, none after the first)."""
    if not lines:
        return True
    widths = [p.width for p in lines]
    return (min(widths) >= _MIN_FULL and max(widths) - min(widths) <= _slack(max(widths))
            and not any(p.blank for p in lines[1:]))


def _ends(cell: list[_Piece]) -> bool:
    """Whether the last line can end the cell its wrapped lines began: no wider than they are."""
    if len(cell) < 2:
        return True
    full = max(p.width for p in cell[:-1])
    return not cell[-1].blank and cell[-1].width <= full + _slack(full)


def _one_cell(cell: list[_Piece]) -> bool:
    return _wrapped(cell[:-1]) and _ends(cell)


def _slack(width: int) -> int:
    # a wrapped line may end a character early (a 。 or ） is not put at a line's start) or a
    # word early (a Latin word is not cut), and proportional Latin letters are not one column
    return max(4, width // 8)


def _choose(readings: list[list[list[_Piece]]], wide: int) -> tuple[list[list[_Piece]], bool]:
    """The likeliest reading of 項目, 変更前, 変更後, and whether the text decides it.

    変更前 and 変更後 are the table's widest columns (``wide``): a line wrapped in them runs to that
    width, so a reading that takes a narrower line for a wrapped one is out while another reading
    is not. Of the rest, the one with more cells: two cells of one line each, as a small change
    prints, are two cells, not one wrapped cell. When several are left, the text does not decide;
    the one that ends fewest cells exactly at the column's edge (which a cell seldom does), then
    with fewest last lines wider than the cell's wrapped ones, is taken.
    """
    if not readings:
        return [], False
    best = min(_rank(r, wide) for r in readings)
    top = [r for r in readings if _rank(r, wide) == best]
    if len(top) == 1:
        return top[0], True
    fewest = [r for r in readings if _rank(r, wide)[0] == best[0]]
    return min(fewest, key=lambda r: (_at_edge(r, wide), _last_wider(r), -len(r))), False


def _rank(reading: list[list[_Piece]], wide: int) -> tuple[int, int]:
    """(narrower lines taken for lines wrapped in 変更前 / 変更後, fewer cells): lower is likelier."""
    edge = wide - _slack(wide)
    return sum(1 for cell in reading[1:] for p in cell[:-1] if p.width < edge), -len(reading)


def _last_wider(reading: list[list[_Piece]]) -> int:
    """Cells whose last line is wider than the lines wrapped before it (allowed, seldom so)."""
    return sum(1 for cell in reading if len(cell) > 1 and cell[-1].width > max(p.width for p in cell[:-1]))


def _at_edge(reading: list[list[_Piece]], wide: int) -> int:
    edge = wide - _slack(wide)
    return sum(1 for cell in reading[:-1] if cell[-1].width >= edge)


def _wide(pieces: list[_Piece]) -> int:
    """The width of the table's widest text column: lines wrapped there are the widest that
    several lines share (a line wider than the others is text of two cells on one line)."""
    widths = sorted((p.width for p in pieces if p.kind == "text"), reverse=True)
    for w in widths:
        if sum(1 for x in widths if w - _slack(w) <= x <= w) >= 3:
            return w
    return widths[0] if widths else 0


def _row_dict(row: _Row, wide: int) -> dict[str, Any]:
    doubts = list(row.doubts)
    item = before = after = ""
    if row.pre:
        cells, sure = _choose(_readings(row.pre, 3), wide)
        if not cells:  # more cells than the columns: kept whole, in order
            cells, sure = _forced(row.pre, 3), False
        if not sure:
            doubts.append("項目・変更前・変更後の区切りを決められません")
        texts = [_join(c) for c in cells]
        if len(texts) == 3:
            item, before, after = texts
        elif len(texts) == 2:
            item, after = texts
            doubts.append("変更前と変更後のどちらが空欄か決められません（変更前を空欄としました）")
        else:
            item = texts[0]
            doubts.append("変更前・変更後が読めません")
    else:
        doubts.append("項目・変更前・変更後がありません")
    if row.post and not _one_cell(row.post):
        doubts.append("提出時期に係る説明が一つのセルとして読めません")
    if row.timing is None:
        # a blank 提出時期 is rare; more often its 事前 / 事後 stands where the text lost it
        doubts.append("提出時期（事前・事後）が見つかりません")
    out: dict[str, Any] = {
        "date_text": row.date_text,
        "date_iso": iso_date(row.date_text),
        "item": item,
        "before": before,
        "after": after,
        "timing": row.timing.text if row.timing else "",
        "explanation": _join(row.post),
        "lines": sorted({n for p in _all(row) for n in p.lines}),
    }
    if doubts:
        out["uncertain"] = "。".join(dict.fromkeys(doubts))
    return out


def _forced(pieces: list[_Piece], most: int) -> list[list[_Piece]]:
    """No reading fits: the first cells a line each, the rest together (nothing dropped)."""
    return [[p] for p in pieces[:most - 1]] + [pieces[most - 1:]] if len(pieces) > most else [[p] for p in pieces]


def _all(row: _Row) -> list[_Piece]:
    return [p for p in (row.date, *row.pre, row.timing, *row.post) if p is not None]


def _join(cell: list[_Piece]) -> str:
    """A cell's lines as one text (pdftotext wrapped them)."""
    return join_wrapped([p.text for p in cell])


def place_annex(lines: list[Any], table: Any = None) -> list[dict[str, Any]]:
    """:func:`read_annex` for the pdftotext importer: its line objects (``no``, ``text``) are
    marked as it marks what it placed: ``state`` "value" for a row's lines, "form" for the header,
    and for a line in no row, ``where`` says why (the importer reports it with its line number).

    ``table`` is the annex as read from the PDF by where its words stand (annex_pdfbox), when the
    text came from a PDF: its rows are used, the text alone cannot tell its cells apart."""
    if table is not None:
        rows = table.rows
        used = {n for r in rows for n in r["lines"]} | table.header_lines
        stray = [Unplaced(ln.no, f"{WHERE}（表の外の記載）", ln.text.strip()) for ln in lines
                 if ln.text.strip() and ln.no not in used]
    else:
        rows, stray = read_annex([(ln.no, ln.text) for ln in lines])
    used = {n for r in rows for n in r["lines"]}
    why = {u.line: u.where for u in stray}
    for ln in lines:
        if ln.no in why:
            ln.where = why[ln.no]
        elif ln.text.strip():
            ln.state = "value" if ln.no in used else "form"
    return rows
