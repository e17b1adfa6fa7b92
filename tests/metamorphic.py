"""What real publications do to the text of an assessment, as alterations that keep its meaning.

Each kind of alteration is one function registered in :data:`KINDS`. It works on an
:class:`Altered` — the text and what importing it should give — because a few kinds change the
meaning on purpose (a row printed twice is two rows; a placeholder or a date written another way
is kept as printed) and must say so; all others only change ``text``. Randomness (where a page
breaks, which row repeats) comes from the ``random.Random`` passed in, so every altered text is
reproducible from its seed.

Kinds run in stages (:attr:`Kind.stage`), whatever order they were asked in, because some must
see the text as published: the cover is cut first; annex rows are rewritten while each row is
still one line; characters and markup change next; page furniture is inserted after that (it
finds rows and headings through the changed characters); line endings and the BOM come last,
as a file on disk has them.

Two formats (see ``piadiff.importers``): "tsv" (tab-separated text with HTML fragments) and
"pdftext" (pdftotext output, without ``-layout``). A kind names the formats it fits.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from piadiff.wareki import ERAS, parse_date

# --- the altered publication -----------------------------------------------------------------


@dataclass
class Altered:
    """An altered text and what importing it must give (where a kind changes that)."""

    text: str
    fmt: str  # "tsv" or "pdftext"
    rows: list[dict[str, Any]]  # the annex rows expected, in order
    no_cover: bool = False  # the whole cover is gone: its items cannot be expected
    cover_lost: set[str] = field(default_factory=set)  # cover items whose labels were cut away
    notes: list[str] = field(default_factory=list)  # what each kind did (for a failure message)


@dataclass(frozen=True)
class Kind:
    name: str
    apply: Callable[[Altered, random.Random], None]
    formats: frozenset[str]
    stage: int

    @property
    def what(self) -> str:
        return (self.apply.__doc__ or "").strip()


KINDS: dict[str, Kind] = {}


def kind(stage: int, *formats: str):
    def register(fn: Callable[[Altered, random.Random], None]):
        KINDS[fn.__name__] = Kind(fn.__name__, fn, frozenset(formats), stage)
        return fn

    return register


def alter(text: str, fmt: str, rows: list[dict[str, Any]], names: list[str] | tuple[str, ...], seed: int) -> Altered:
    """``text`` with the named kinds applied (each with its own random stream drawn from ``seed``)."""
    doc = Altered(text, fmt, copy.deepcopy(rows))
    order = list(KINDS)
    for name in sorted(set(names), key=lambda n: (KINDS[n].stage, order.index(n))):
        k = KINDS[name]
        if fmt in k.formats:
            k.apply(doc, random.Random(f"{seed}:{name}"))
    return doc


def applies(name: str, text: str, fmt: str, rows: list[dict[str, Any]]) -> bool:
    """Whether a kind fits the format and finds something to alter in this publication."""
    k = KINDS[name]
    return fmt in k.formats and alter(text, fmt, rows, [name], 0).text != text


# --- text helpers ----------------------------------------------------------------------------

#: HTML elements the converters leave in the text; angle brackets around anything else are the
#: form's own words (<選択肢>, <北九州市における措置>, <Public Medical Hub…>)
_HTML = (
    "p|ul|ol|li|br|div|span|table|tbody|thead|tfoot|tr|td|th|small|big|input|b|strong|i|em|u|s|"
    "font|a|sup|sub|h[1-6]|hr|center|label"
)
TAG = re.compile(rf"</?(?:{_HTML})\b[^<>]*>", re.I)
ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_MARKUP = re.compile(rf"{TAG.pattern}|{ENTITY.pattern}", re.I)
#: the annex of changes: its heading, and its header row's first cell
ANNEX_HEADING = re.compile(r"^[(（]\s*別添\s*\d+\s*[)）]\s*変更箇所$")
ANNEX_HEADER = "変更日"
#: page furniture this module inserts (and the importers should know)
PAGE_NUMBER = re.compile(r"^\s*(?:-\s*\d+\s*-|\d+\s*/\s*\d+|\d+)\s*$")
#: a section heading: Ⅰ 基本情報 / I 基本情報 (after NFKC, Ⅱ is "II")
ROMAN_HEAD = re.compile(r"^(?:VI|IV|V|I{1,3})[\s\u3000]+\S")
_TITLE = re.compile(r"特定個人情報保護評価書\s*[(（][^()（）]*評価書[)）]")
DECLARATION = "個人のプライバシー等の権利利益の保護の宣言"
CONTENTS = "項目一覧"


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def flat(cell: str) -> str:
    """A cell's words: no tags, entities read, whitespace folded, NFKC (for finding, not comparing)."""
    return re.sub(r"\s+", " ", nfkc(html.unescape(TAG.sub(" ", cell)))).strip()


def outside_markup(s: str, fn: Callable[[str], str]) -> str:
    """``fn`` applied to the words of ``s`` only: tags and entities are left as they are."""
    out, pos = [], 0
    for m in _MARKUP.finditer(s):
        out.append(fn(s[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(s[pos:]))
    return "".join(out)


def is_date(text: str) -> bool:
    try:
        parse_date(text)
        return True
    except Exception:  # noqa: BLE001 - any failure to read is "not a date"
        return False


def _blank(line: str) -> bool:
    return not line.replace("\t", "").replace("\f", "").strip()


def header_column(line: str) -> int | None:
    """The column of 変更日 if ``line`` is the annex's header row (its columns in any order)."""
    cells = [flat(c) for c in line.split("\t")]
    return cells.index(ANNEX_HEADER) if ANNEX_HEADER in cells and "変更前の記載" in cells else None


def _furniture(line: str) -> bool:
    """A line a page break leaves behind: a page number, or the annex's heading or header again."""
    first = flat(line.split("\t")[0])
    return bool(PAGE_NUMBER.match(line)) or header_column(line) is not None or bool(ANNEX_HEADING.match(first))


# --- where things are (tsv) ------------------------------------------------------------------


@dataclass
class Annex:
    heading: int  # line index of (別添N) 変更箇所
    header: int  # line index of 変更日⇥項目⇥…
    rows: list[int]  # line index of each row


def tsv_annex(lines: list[str]) -> Annex | None:
    """The annex table of a tsv text: the last (別添N) 変更箇所, its header row, its rows."""
    # the heading stands in the list of contents too, and may be printed again inside the table:
    # the annex starts at the first heading whose next line is the header row
    heading = header = None
    for i, ln in enumerate(lines):
        if ANNEX_HEADING.match(flat(ln.split("\t")[0])):
            j = i + 1
            while j < len(lines) and _blank(lines[j]):
                j += 1
            if j < len(lines) and header_column(lines[j]) is not None:
                heading, header = i, j
                break
    if heading is None or header is None:
        return None
    col = header_column(lines[header]) or 0
    rows = []
    for i in range(header + 1, len(lines)):
        ln = lines[i]
        if _blank(ln) or _furniture(ln):
            continue
        cells = ln.split("\t")
        date = flat(cells[col]) if col < len(cells) else ""
        if len([c for c in cells if c.strip()]) < 2 or len(cells) < 3 or (date and not _date_like(date)):
            break
        rows.append(i)
    return Annex(heading, header, rows)


def _date_like(text: str) -> bool:
    return is_date(text) or bool(re.match(r"^(令和|平成|昭和|[RHS]\d|\d{4}[/.年-])", nfkc(text)))


def tsv_body(lines: list[str]) -> tuple[int, int]:
    """(first, end) line indexes of the form's body: after the cover's list of contents, before the annex."""
    start = 0
    at = next((i for i, ln in enumerate(lines) if flat(ln.split("\t")[0]) == CONTENTS), None)
    if at is not None:
        i = at + 1
        while i < len(lines) and _blank(lines[i]):
            i += 1
        while i < len(lines) and not _blank(lines[i]):
            i += 1
        start = i
    annex = tsv_annex(lines)
    return start, annex.heading if annex else len(lines)


def tsv_row_boundaries(lines: list[str]) -> list[int]:
    """Indexes of body lines a page may break before: a table row (a label and its value cells)."""
    start, end = tsv_body(lines)
    out = []
    for i in range(start + 1, end):
        cells = [c for c in lines[i].split("\t") if c.strip()]
        if len(cells) >= 2 and not _blank(lines[i - 1]) and not ROMAN_HEAD.match(flat(cells[0])):
            out.append(i)
    return out


def annex_boundaries(lines: list[str]) -> list[int]:
    """Indexes of annex rows a page may break before (not the first: a page break there is no break)."""
    annex = tsv_annex(lines)
    return annex.rows[1:] if annex else []


def section_headings(lines: list[str], start: int) -> list[int]:
    """Indexes of the body's section headings (Ⅰ 基本情報 … in either numeral)."""
    return [i for i in range(start, len(lines)) if ROMAN_HEAD.match(flat(lines[i].split("\t")[0]))]


def insert_at(lines: list[str], where: dict[int, list[str]]) -> list[str]:
    """``lines`` with the given lines inserted before each index."""
    out: list[str] = []
    for i, ln in enumerate(lines):
        out.extend(where.get(i, []))
        out.append(ln)
    out.extend(where.get(len(lines), []))
    return out


def _pick(rng: random.Random, seq: list[int], lo: int, hi: int) -> list[int]:
    if not seq:
        return []
    return sorted(rng.sample(seq, min(len(seq), rng.randint(lo, hi))))


# --- where things are (pdftext) --------------------------------------------------------------


def pdf_body_start(lines: list[str]) -> int:
    """The first line after the cover page: past the first page break that follows 項目一覧."""
    at = next((i for i, ln in enumerate(lines) if ln.strip() == CONTENTS), None)
    if at is None:
        return 0
    blanks = 0
    for i in range(at + 1, len(lines)):
        if not lines[i].strip():
            blanks += 1
            continue
        if blanks >= 2 or "\f" in lines[i]:
            return i
        blanks = 0
    return 0


def pdf_annex(lines: list[str]) -> int:
    """The line of the annex of changes' heading (the last one: the first is in the list of contents)."""
    found = [i for i, ln in enumerate(lines) if re.match(r"^[\s\u3000]*[(（]\s*別添\s*[3３]\s*[)）][\s\u3000]*変更箇所", ln)]
    return found[-1] if found else len(lines)


def pdf_page_breaks(lines: list[str]) -> list[int]:
    """Indexes of the first line of each page after the first (after a run of two or more blank lines)."""
    out, blanks = [], 0
    for i, ln in enumerate(lines):
        if not ln.strip():
            blanks += 1
            continue
        if blanks >= 2 or ln.startswith("\f"):
            out.append(i)
        blanks = 0
    return out


def pdf_block_boundaries(lines: list[str]) -> list[int]:
    """Indexes of body lines that start a pdftotext block after a single blank line (a cell boundary)."""
    start, end = pdf_body_start(lines), pdf_annex(lines)
    return [i for i in range(start + 2, end)
            if lines[i].strip() and not lines[i - 1].strip() and lines[i - 2].strip()]


# --- the cover -------------------------------------------------------------------------------

_COVER_LABELS = ("評価書番号", "評価書名", DECLARATION, "特記事項", "評価実施機関名", "公表日",
                 "個人情報保護委員会承認日【行政機関等のみ】")


def _lose_cover(doc: Altered, removed: list[str]) -> None:
    """The cover items whose labels were on the removed lines can no longer be expected."""
    for ln in removed:
        for cell in ln.split("\t"):
            c = re.sub(r"[\s\u3000]", "", flat(cell))
            for label in _COVER_LABELS:
                if c == re.sub(r"\s", "", nfkc(label)):
                    doc.cover_lost.add(label)


@kind(0, "tsv", "pdftext")
def cover_page_missing(doc: Altered, rng: random.Random) -> None:
    """The cover page (title, number, declaration, list of contents) is missing: the text starts at the body."""
    lines = doc.text.split("\n")
    start = tsv_body(lines)[0] if doc.fmt == "tsv" else pdf_body_start(lines)
    while start < len(lines) and _blank(lines[start]):
        start += 1
    if start == 0:
        return
    doc.text = "\n".join(lines[start:])
    doc.no_cover = True


@kind(0, "tsv", "pdftext")
def cover_title_missing(doc: Altered, rng: random.Random) -> None:
    """The text starts at 個人のプライバシー等の権利利益の保護の宣言: the title (and what preceded it) was not extracted."""
    lines = doc.text.split("\n")
    at = next((i for i, ln in enumerate(lines) if re.sub(r"\s", "", flat(ln.split("\t")[0])) == DECLARATION), None)
    if at is None:
        return
    removed = lines[:at] + [ln for ln in lines[at:] if _TITLE.fullmatch(re.sub(r"\s", "", flat(ln)))]
    kept = [ln for ln in lines[at:] if not _TITLE.fullmatch(re.sub(r"\s", "", flat(ln)))]
    _lose_cover(doc, removed)
    doc.text = "\n".join(kept)


# --- the annex rows (tsv) --------------------------------------------------------------------


def _annex_rows(doc: Altered) -> tuple[list[str], Annex]:
    lines = doc.text.split("\n")
    annex = tsv_annex(lines)
    if annex is None or len(annex.rows) != len(doc.rows):
        raise AssertionError(f"the generator lost track of the annex: {len(annex.rows) if annex else 0} row lines "
                             f"for {len(doc.rows)} expected rows")
    return lines, annex


@kind(1, "tsv")
def annex_row_duplicate(doc: Altered, rng: random.Random) -> None:
    """A row printed twice, word for word (an entry repeated for two items, a copy-paste): two rows."""
    if not doc.rows:
        return
    lines, annex = _annex_rows(doc)
    picks = _pick(rng, list(range(len(doc.rows))), 1, 3)
    for k in reversed(picks):
        lines.insert(annex.rows[k] + 1, lines[annex.rows[k]])
        doc.rows.insert(k + 1, copy.deepcopy(doc.rows[k]))
    doc.text = "\n".join(lines)
    doc.notes.append(f"annex_row_duplicate: rows {[k + 1 for k in picks]}")


#: how bodies write "nothing was written here before" in the 変更前 column
PLACEHOLDERS = ("記載無し", "記載なし", "なし", "－", "―", "(空欄)")
_EMPTY_BEFORE = {"", "-", "－", "―", "—", "ー", "新規", "(新規)", "（新規）"} | set(PLACEHOLDERS)


@kind(1, "tsv")
def annex_before_placeholder(doc: Altered, rng: random.Random) -> None:
    """An empty 変更前 written with another placeholder (記載無し / 記載なし / なし / － / ― / (空欄)): kept as printed."""
    if not doc.rows:
        return
    lines, annex = _annex_rows(doc)
    empty = [k for k, r in enumerate(doc.rows) if nfkc(r["before"]).strip() in {nfkc(x) for x in _EMPTY_BEFORE}]
    picks = _pick(rng, empty, 1, 4)
    for k in picks:
        cells = lines[annex.rows[k]].split("\t")
        now = flat(cells[2])
        word = rng.choice([p for p in PLACEHOLDERS if nfkc(p) != now])
        cells[2] = word  # the cell as another body prints it: the word alone
        lines[annex.rows[k]] = "\t".join(cells)
        doc.rows[k]["before"] = word
    doc.text = "\n".join(lines)
    doc.notes.append(f"annex_before_placeholder: rows {[k + 1 for k in picks]}")


def _fullwidth_digits(s: str) -> str:
    return re.sub(r"[0-9]", lambda m: chr(ord(m.group(0)) + 0xFEE0), s)


def date_styles(d: dt.date) -> list[str]:
    """The same day as bodies write it in the annex."""
    era = next((e for e in ERAS if d >= e[2]), None)
    out = [f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"]
    if era is not None:
        name, initial, start = era
        y = d.year - start.year + 1
        out += [
            _fullwidth_digits(f"{name}{y}年{d.month}月{d.day}日"),
            f"{initial}{y}.{d.month}.{d.day}",
            f"{name}{y:02d}年{d.month:02d}月{d.day:02d}日",
        ]
        if y == 1:
            out.append(f"{name}元年{d.month}月{d.day}日")
    return out


@kind(1, "tsv")
def annex_date_style(doc: Altered, rng: random.Random) -> None:
    """The 変更日 written another way (令和７年１月１６日 / R7.1.16 / 2025/1/16 / 令和元年…): kept as printed, same day."""
    if not doc.rows:
        return
    lines, annex = _annex_rows(doc)
    dated = [k for k, r in enumerate(doc.rows) if r["date_text"] and is_date(r["date_text"])]
    picks = _pick(rng, dated, max(1, len(dated) // 4), max(1, len(dated) // 2))
    for k in picks:
        row = doc.rows[k]
        cells = lines[annex.rows[k]].split("\t")
        if row["date_text"] not in cells[0]:
            continue
        new = rng.choice([s for s in date_styles(parse_date(row["date_text"])) if s != row["date_text"]])
        cells[0] = cells[0].replace(row["date_text"], new, 1)
        lines[annex.rows[k]] = "\t".join(cells)
        row["date_text"] = new
    doc.text = "\n".join(lines)


@kind(1, "tsv")
def annex_columns_reordered(doc: Altered, rng: random.Random) -> None:
    """The annex's columns in another order (a body's own layout of 変更日 / 項目 / 変更前 / 変更後 / 提出時期 / 説明)."""
    if not doc.rows:
        return
    lines, annex = _annex_rows(doc)
    order = list(range(6))
    while order == list(range(6)):
        rng.shuffle(order)

    def permute(line: str) -> str:
        cells = line.split("\t")
        cells = (cells + [""] * 6)[:6] if len(cells) <= 6 else cells[:5] + [" ".join(cells[5:])]
        return "\t".join(cells[k] for k in order)

    for i in [annex.header] + annex.rows:
        lines[i] = permute(lines[i])
    doc.text = "\n".join(lines)
    doc.notes.append(f"annex_columns_reordered: {order}")


# --- markup and characters -------------------------------------------------------------------


def _map_lines(doc: Altered, fn: Callable[[str], str], start: int = 0, end: int | None = None) -> None:
    lines = doc.text.split("\n")
    end = len(lines) if end is None else end
    doc.text = "\n".join(fn(ln) if start <= i < end else ln for i, ln in enumerate(lines))


@kind(2, "tsv")
def label_split_p(doc: Altered, rng: random.Random) -> None:
    """A label cell written as two <p> parts (the form wraps a long label in its narrow column)."""
    lines = doc.text.split("\n")
    start, end = tsv_body(lines)
    cands = []
    for i in range(start, end):
        cells = lines[i].split("\t")
        label = cells[0]
        if (len([c for c in cells if c.strip()]) >= 2 and len(label) >= 4 and "<" not in label and "[" not in label
                and not ROMAN_HEAD.match(flat(label)) and not is_date(label)):
            cands.append(i)
    for i in _pick(rng, cands, 3, 8):
        cells = lines[i].split("\t")
        label = cells[0]
        cut = rng.randint(2, len(label) - 2)
        cells[0] = f"<p>{label[:cut]}</p><p>{label[cut:]}</p>"
        lines[i] = "\t".join(cells)
    doc.text = "\n".join(lines)


@kind(2, "tsv")
def br_variants(doc: Altered, rng: random.Random) -> None:
    """Paragraphs of a cell separated by <br> / <br/> / <br /> / <BR> instead of </p> <p>."""
    def one(m: re.Match) -> str:
        return rng.choice(["<br>", "<br/>", "<br />", "<BR>", "<br>\u00a0"]) if rng.random() < 0.6 else m.group(0)

    doc.text = re.sub(r"</p> *<p(?: [^<>]*)?>", one, doc.text)  # within a cell: never across a tab


def _wrap(rng: random.Random, text: str) -> str:
    """A long run of words broken at one place with <br> (the publication's own line break)."""
    if "<input" in text.lower() or "[" in text or "選択肢" in text:
        return text  # a checkbox or choice cell: its option names are not wrapped text
    def one(part: str) -> str:
        if len(part) < 30 or rng.random() > 0.5:
            return part
        cut = rng.randint(10, len(part) - 10)
        if part[cut - 1].isspace() or part[cut].isspace():
            return part
        return part[:cut] + rng.choice(["<br>", "<br/>"]) + part[cut:]

    return outside_markup(text, one)


@kind(2, "tsv", "pdftext")
def cell_wrap(doc: Altered, rng: random.Random) -> None:
    """Long cells wrapped at another width: a line break inside a value (<br> in tsv, a new line in pdftotext)."""
    lines = doc.text.split("\n")
    if doc.fmt == "tsv":
        for i, ln in enumerate(lines):
            cells = ln.split("\t")
            if len(cells) >= 2 and rng.random() < 0.3:
                lines[i] = "\t".join([cells[0]] + [_wrap(rng, c) for c in cells[1:]])
        doc.text = "\n".join(lines)
        return
    start, end = pdf_body_start(lines), pdf_annex(lines)
    out = []
    for i, ln in enumerate(lines):
        # a value line (labels start with one space), long, with no box or choice drawn on it
        if (start <= i < end and len(ln) >= 30 and not ln.startswith(" ") and not re.search(r"[\[\]＜<]", ln)
                and rng.random() < 0.15):
            cut = rng.randint(8, len(ln) - 8)
            if not (ln[cut - 1].isspace() or ln[cut].isspace()):
                out += [ln[:cut], ln[cut:]]
                continue
        out.append(ln)
    doc.text = "\n".join(out)


@kind(2, "tsv")
def value_in_table(doc: Altered, rng: random.Random) -> None:
    """A value cell written as an HTML <table> of one cell (a converter keeps the cell's own frame)."""
    lines = doc.text.split("\n")
    start, end = tsv_body(lines)
    cands = [i for i in range(start, end)
             if len(cells := [c for c in lines[i].split("\t") if c.strip()]) == 2
             and "<" not in cells[1] and "[" not in cells[1] and len(cells[1].strip()) >= 6 and not ROMAN_HEAD.match(flat(cells[0]))]
    for i in _pick(rng, cands, 3, 8):
        cells = lines[i].split("\t")
        k = next(j for j, c in enumerate(cells) if j > 0 and c.strip())
        cells[k] = f'<table style="width: 100%;"> <tr> <td>{cells[k].strip()}</td> </tr> </table>'
        lines[i] = "\t".join(cells)
    doc.text = "\n".join(lines)


#: an older edition's wording of the same options (the catalog's first)
EDITION_WORDING = {"十分に行っていない": "十分にしていない", "十分に行っている": "十分にしている"}


@kind(2, "tsv", "pdftext")
def choice_other_edition(doc: Altered, rng: random.Random) -> None:
    """Options printed in another edition's wording (十分にしている / 十分にしていない for 十分に行っている / 十分に行っていない)."""
    lines = doc.text.split("\n")
    if doc.fmt == "tsv":
        annex = tsv_annex(lines)
        end = annex.heading if annex else len(lines)
    else:
        end = pdf_annex(lines)
    pattern = re.compile("|".join(EDITION_WORDING))  # the longer wording first: 十分に行っていない before 十分に行っている
    doc.text = "\n".join([pattern.sub(lambda m: EDITION_WORDING[m.group(0)], "\n".join(lines[:end]))] + lines[end:])


_TICKED_INPUT = r"<input\b[^<>]*\bchecked\b[^<>]*>"
_UNTICKED_INPUT = r"<input\b(?![^<>]*\bchecked\b)(?![^<>]*radio)[^<>]*>"


def _ticks(doc: Altered, rng: random.Random, ticked: Callable[[], str], unticked: Callable[[], str]) -> None:
    if doc.fmt == "tsv":
        # the body only: the annex quotes old values ([○]接続しない(入手)), which are kept as printed
        lines = doc.text.split("\n")
        annex = tsv_annex(lines)
        cut = annex.heading if annex else len(lines)
        s = "\n".join(lines[:cut])
        s = re.sub(rf"\[\s*{_TICKED_INPUT}\s*\]", lambda m: ticked(), s)
        s = re.sub(rf"\[\s*{_UNTICKED_INPUT}\s*\]", lambda m: unticked(), s)
        s = re.sub(rf"(?<!\[){_TICKED_INPUT}", lambda m: ticked(), s)
        # an unticked <input/> that opens a bracket with text in it (「[<input/> 十分にしている]」) is a choice, left alone
        s = re.sub(rf"(?<!\[){_UNTICKED_INPUT}", lambda m: unticked(), s)
        s = re.sub(r"\[\s*[○〇◯]\s*\]", lambda m: ticked(), s)
        doc.text = "\n".join([s] + lines[cut:])
        return
    s = re.sub(r"\[\s*[○〇◯]\s*\]", lambda m: ticked(), doc.text)
    # a box stands before its option's name; a "[ ]" ending a line is a chosen value's bracket
    doc.text = re.sub(r"\[ \](?=[ \t　]*\S)", lambda m: unticked(), s)


@kind(2, "tsv", "pdftext")
def tick_circle(doc: Altered, rng: random.Random) -> None:
    """Ticked boxes drawn as [○] / [〇] / [ ◯ ] (and unticked as [ ]) instead of the form's own drawing."""
    if doc.fmt == "tsv":
        _ticks(doc, rng, lambda: rng.choice(["[○]", "[〇]", "[ ○ ]", "[ ◯ ]"]), lambda: rng.choice(["[ ]", "[]"]))
    else:
        _ticks(doc, rng, lambda: rng.choice(["[○]", "[〇]", "[ 〇 ]", "[ ◯ ]"]), lambda: rng.choice(["[]", "[　]"]))


@kind(2, "tsv", "pdftext")
def tick_square(doc: Altered, rng: random.Random) -> None:
    """Ticked boxes printed as ■ and unticked as □ (a word processor's check boxes)."""
    _ticks(doc, rng, lambda: "■", lambda: "□")


@kind(2, "tsv", "pdftext")
def choice_bracket_spacing(doc: Altered, rng: random.Random) -> None:
    """The chosen option printed with or without spaces inside its brackets: [十分である] / [ 十分である ]."""
    def one(m: re.Match) -> str:
        inner = m.group(1)
        if not inner.strip() or re.fullmatch(r"\s*[○〇◯●]\s*", inner):
            return m.group(0)
        return f"[{inner.strip()}]" if inner != inner.strip() else f"[ {inner} ]"

    doc.text = re.sub(r"\[([^\[\]<>＜＞\n\t]+)\]", one, doc.text)


_ROMAN_TO_ASCII = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI"}


@kind(2, "tsv", "pdftext")
def roman_ascii(doc: Altered, rng: random.Random) -> None:
    """Section headings numbered with Latin letters: I 基本情報 for Ⅰ 基本情報."""
    doc.text = re.sub(r"(?m)^([ \t\u3000]*)([ⅠⅡⅢⅣⅤⅥ])(?=[ \u3000])", lambda m: m.group(1) + _ROMAN_TO_ASCII[m.group(2)], doc.text)


@kind(2, "tsv", "pdftext")
def roman_unicode(doc: Altered, rng: random.Random) -> None:
    """Section headings numbered with the Roman numeral characters: Ⅰ 基本情報 for I 基本情報."""
    back = {v: k for k, v in _ROMAN_TO_ASCII.items()}
    doc.text = re.sub(r"(?m)^([ \t\u3000]*)(VI|IV|V|III|II|I)(?=[ \u3000])", lambda m: m.group(1) + back[m.group(2)], doc.text)


def _chars(doc: Altered, fn: Callable[[str], str]) -> None:
    doc.text = outside_markup(doc.text, fn) if doc.fmt == "tsv" else fn(doc.text)


@kind(2, "tsv", "pdftext")
def fullwidth_digits(doc: Altered, rng: random.Random) -> None:
    """Digits typed full-width (１．, 令和７年, （ ２ ） 件), as many bodies' word processors do."""
    _chars(doc, _fullwidth_digits)


@kind(2, "tsv", "pdftext")
def halfwidth_digits(doc: Altered, rng: random.Random) -> None:
    """Digits typed half-width where the form prints them full-width (1. for １．)."""
    _chars(doc, lambda s: re.sub(r"[０-９]", lambda m: chr(ord(m.group(0)) - 0xFEE0), s))


@kind(2, "tsv", "pdftext")
def fullwidth_letters(doc: Altered, rng: random.Random) -> None:
    """Latin letters typed full-width (ＩＤ, ＰＭＨ, ＵＳＢ); a heading's numeral stays (roman_* kinds change those)."""
    def fn(s: str) -> str:
        def line(ln: str) -> str:
            m = re.match(r"^[ \t\u3000]*(?:VI|IV|V|III|II|I)(?=[ \u3000])", ln)
            keep = m.end() if m else 0
            return ln[:keep] + re.sub(r"[A-Za-z]", lambda c: chr(ord(c.group(0)) + 0xFEE0), ln[keep:])

        return "\n".join(line(ln) for ln in s.split("\n"))

    # line starts are only seen whole outside markup in pdftext; in tsv a heading has no tags
    if doc.fmt == "tsv":
        lines = doc.text.split("\n")
        doc.text = "\n".join(outside_markup(ln, fn) if "<" in ln else fn(ln) for ln in lines)
    else:
        doc.text = fn(doc.text)


@kind(2, "tsv", "pdftext")
def fullwidth_brackets(doc: Altered, rng: random.Random) -> None:
    """Brackets typed full-width: ［十分である］, ［○］, ［ ］."""
    _chars(doc, lambda s: s.replace("[", "［").replace("]", "］"))


def _interior_spaces(s: str, old: str, new: str) -> str:
    """Spaces between words replaced; a line's leading indentation is kept (pdftotext marks labels with it)."""
    return "\n".join(re.sub(rf"(?<=\S){re.escape(old)}+(?=\S)", lambda m: new * len(m.group(0)), ln) for ln in s.split("\n"))


@kind(2, "tsv", "pdftext")
def ideographic_spaces(doc: Altered, rng: random.Random) -> None:
    """Words separated by ideographic spaces (U+3000) instead of ASCII spaces."""
    _chars(doc, lambda s: _interior_spaces(s, " ", "\u3000"))


@kind(2, "tsv", "pdftext")
def nbsp_spaces(doc: Altered, rng: random.Random) -> None:
    """Words separated by no-break spaces (U+00A0), as converters write &nbsp; out."""
    _chars(doc, lambda s: _interior_spaces(s, " ", "\u00a0"))


@kind(2, "tsv", "pdftext")
def ascii_spaces(doc: Altered, rng: random.Random) -> None:
    """Ideographic spaces between words typed as ASCII spaces (Ⅰ 基本情報 for Ⅰ　基本情報)."""
    _chars(doc, lambda s: _interior_spaces(s, "\u3000", " "))


def _in_html_cells(doc: Altered, fn: Callable[[str], str]) -> None:
    """``fn`` on the words of the cells an HTML serializer wrote (those holding tags)."""
    lines = doc.text.split("\n")
    for i, ln in enumerate(lines):
        cells = ln.split("\t")
        lines[i] = "\t".join(outside_markup(c, fn) if TAG.search(c) else c for c in cells)
    doc.text = "\n".join(lines)


@kind(2, "tsv")
def entity_escapes(doc: Altered, rng: random.Random) -> None:
    """In HTML cells, < > & of the words written as &lt; &gt; &amp; (an HTML serializer escapes them)."""
    _in_html_cells(doc, lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


@kind(2, "tsv")
def entity_nbsp(doc: Altered, rng: random.Random) -> None:
    """In HTML cells, spaces between words written as &nbsp;."""
    _in_html_cells(doc, lambda s: re.sub(r"(?<=\S) (?=\S)", lambda m: "&nbsp;" if rng.random() < 0.5 else " ", s))


@kind(2, "tsv")
def entity_numeric(doc: Altered, rng: random.Random) -> None:
    """In HTML cells, some characters written as numeric references (&#12354; / &#x3042;), as ASCII-only serializers do."""
    def fn(s: str) -> str:
        return "".join((f"&#{ord(c)};" if rng.random() < 0.5 else f"&#x{ord(c):x};") if ord(c) > 127 and rng.random() < 0.2 else c
                       for c in s)

    _in_html_cells(doc, fn)


@kind(2, "tsv")
def uppercase_tags(doc: Altered, rng: random.Random) -> None:
    """HTML tags and attribute names in upper case (<P>, <BR>, <INPUT CHECKED TYPE="checkbox">), as old converters write them."""
    def tag(m: re.Match) -> str:
        return re.sub(r'"[^"]*"|[^"]+', lambda p: p.group(0) if p.group(0).startswith('"') else p.group(0).upper(), m.group(0))

    doc.text = TAG.sub(tag, doc.text)


# --- page breaks -----------------------------------------------------------------------------


@kind(3, "tsv")
def annex_header_repeat(doc: Altered, rng: random.Random) -> None:
    """The annex's header row (変更日 / 項目 / 変更前の記載 …) printed again at page breaks inside the table."""
    lines = doc.text.split("\n")
    annex = tsv_annex(lines)
    if annex is None:
        return
    header = lines[annex.header]
    picks = _pick(rng, annex_boundaries(lines), 1, 4)
    doc.text = "\n".join(insert_at(lines, {i: ([""] if rng.random() < 0.5 else []) + [header] for i in picks}))


@kind(3, "tsv")
def annex_title_repeat(doc: Altered, rng: random.Random) -> None:
    """The annex's heading and header row ((別添2) 変更箇所, 変更日 …) printed again at a page break inside the table."""
    lines = doc.text.split("\n")
    annex = tsv_annex(lines)
    if annex is None:
        return
    repeat = ["", lines[annex.heading], "", lines[annex.header]]
    doc.text = "\n".join(insert_at(lines, {i: repeat for i in _pick(rng, annex_boundaries(lines), 1, 2)}))


@kind(3, "tsv", "pdftext")
def section_heading_repeat(doc: Altered, rng: random.Random) -> None:
    """The heading of Ⅱ or Ⅲ printed again at the top of a page its table runs over."""
    lines = doc.text.split("\n")
    if doc.fmt == "tsv":
        start, end = tsv_body(lines)
        bounds = tsv_row_boundaries(lines)
    else:
        start, end = pdf_body_start(lines), pdf_annex(lines)
        bounds = pdf_page_breaks(lines) + pdf_block_boundaries(lines)
    heads = [i for i in section_headings(lines, start) if i < end]
    where: dict[int, list[str]] = {}
    for h, nxt in zip(heads, heads[1:] + [end]):
        if not re.match(r"^(II|III)[\s\u3000]", flat(lines[h].split("\t")[0])):
            continue
        inside = [b for b in bounds if h + 1 < b < nxt]
        for b in _pick(rng, inside, 1, 2):
            where[b] = ["", lines[h], ""] if doc.fmt == "tsv" else ["", "", lines[h], ""]
    doc.text = "\n".join(insert_at(lines, where))


def _breaks(doc: Altered, rng: random.Random, furniture: Callable[[int, int], list[str]]) -> None:
    """Page furniture inserted at new page breaks: between table rows (tsv; in the annex too), between
    blocks (pdftotext, where a single blank line becomes a page break)."""
    lines = doc.text.split("\n")
    if doc.fmt == "tsv":
        picks = _pick(rng, annex_boundaries(lines), 1, 3) + _pick(rng, tsv_row_boundaries(lines), 2, 5)
    else:
        picks = _pick(rng, pdf_block_boundaries(lines), 2, 5)
    total = 40
    where = {i: furniture(n + 2, total) for n, i in enumerate(sorted(picks))}
    doc.text = "\n".join(insert_at(lines, where))


def _number_pages(doc: Altered, rng: random.Random, footer: Callable[[int, int], str]) -> None:
    """A page number at the end of each page: at the existing page breaks (pdftotext), at new ones (tsv)."""
    if doc.fmt == "tsv":
        _breaks(doc, rng, lambda n, total: ["", footer(n, total), ""])
        return
    lines = doc.text.split("\n")
    starts = [i for i in pdf_page_breaks(lines) if i > 0]
    total = len(starts) + 1
    where: dict[int, list[str]] = {}
    for n, i in enumerate(starts, start=1):
        # the footer is the page's last block, before the blank lines that end it
        j = i
        while j > 0 and not lines[j - 1].strip():
            j -= 1
        where[j] = ["", footer(n, total)]
    doc.text = "\n".join(insert_at(lines, where))


@kind(3, "tsv", "pdftext")
def page_break_blank(doc: Altered, rng: random.Random) -> None:
    """A page break as blank lines between rows (the converter keeps the page's end)."""
    _breaks(doc, rng, lambda n, total: [""] * rng.randint(2, 4))


@kind(3, "tsv", "pdftext")
def page_break_formfeed(doc: Altered, rng: random.Random) -> None:
    """A page break as a form feed (pdftotext ends each page with \\f)."""
    if doc.fmt == "tsv":
        _breaks(doc, rng, lambda n, total: ["\f"])
        return
    # pdftotext's own convention: the next page's first line starts right after the \f
    doc.text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+(?=\S)", "\n\f", doc.text)


@kind(3, "tsv", "pdftext")
def page_number_dash(doc: Altered, rng: random.Random) -> None:
    """A page number printed at the page's foot as "- 12 -"."""
    _number_pages(doc, rng, lambda n, total: f"- {n} -")


@kind(3, "tsv", "pdftext")
def page_number_fraction(doc: Altered, rng: random.Random) -> None:
    """A page number printed at the page's foot as "12 / 40"."""
    _number_pages(doc, rng, lambda n, total: f"{n} / {total}")


@kind(3, "tsv", "pdftext")
def page_number_bare(doc: Altered, rng: random.Random) -> None:
    """A page number printed at the page's foot as the number alone ("12")."""
    _number_pages(doc, rng, lambda n, total: f"{n}")


# --- the file --------------------------------------------------------------------------------


@kind(4, "tsv")
def tabs_doubled(doc: Altered, rng: random.Random) -> None:
    """Every cell boundary written as two tabs (merged cells exported as an empty cell beside each)."""
    doc.text = doc.text.replace("\t", "\t\t")


@kind(4, "tsv", "pdftext")
def trailing_whitespace(doc: Altered, rng: random.Random) -> None:
    """Spaces and tabs left at the ends of lines (and on blank lines)."""
    tails = [" ", "  ", "\t", " \t", "\u3000"] if doc.fmt == "tsv" else [" ", "  ", "   ", "\u3000"]
    doc.text = "\n".join(ln + rng.choice(tails) if rng.random() < 0.4 else ln for ln in doc.text.split("\n"))


@kind(5, "tsv", "pdftext")
def crlf(doc: Altered, rng: random.Random) -> None:
    """Windows line endings (CRLF)."""
    doc.text = doc.text.replace("\r\n", "\n").replace("\n", "\r\n")


@kind(6, "tsv", "pdftext")
def bom(doc: Altered, rng: random.Random) -> None:
    """A byte-order mark at the start (a file saved as "UTF-8 with BOM" and read as text)."""
    doc.text = "\ufeff" + doc.text
