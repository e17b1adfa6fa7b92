"""Published assessments as "tab-separated text with HTML fragments" to piadiff documents.

The text is what a converter made of the published form: one row of the form per line, cells
separated by tabs, many values still carrying HTML (``<p>``, ``<ul>``, ``<input>``), a few rows
redrawn as Markdown tables, and some long values written as paragraphs on lines of their own.

The importer is driven by the form catalog: a row's label is looked up among the items of the
sections it may belong to (the innermost first), an entry of a repeating group starts at the
heading the catalog's ``title`` gives (``委託事項3``), and a value is read according to the kind
of the item it belongs to. What it knows of the seeds' markup is listed near the top of this
file. Whatever text it cannot put on an item goes to :attr:`ImportResult.unplaced`, never away.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Item, fold, kind_name, load_catalog
from ..errors import InputError, PiadiffError
from ..wareki import parse_date, parse_month
from . import ImportResult, Unplaced
from .account import is_page_mark
from .annex_table import ANNEX_FIELDS, annex_cells, annex_header

# --- the markup conventions of the seeds ------------------------------------------------------

#: the title line names the form kind: 特定個人情報保護評価書(重点項目評価書)
_TITLE = re.compile(r"特定個人情報保護評価書\s*[(（]\s*([^()（）]+?評価書)\s*[)）]")
#: HTML elements the converter left in the text. Only these are markup: the forms themselves
#: write headings in angle brackets (<北九州市における措置>, <選択肢>, <Public Medical Hub…>).
_HTML_NAMES = (
    "p|ul|ol|li|br|div|span|table|tbody|thead|tfoot|tr|td|th|small|big|input|b|strong|i|em|u|s|"
    "font|a|sup|sub|h[1-6]|hr|center|label|section|blockquote|pre|code|col|colgroup|caption"
)
_TAG = re.compile(rf"</?(?:{_HTML_NAMES})\b[^<>]*>", re.I)
#: an HTML tag in capitals (<INPUT CHECKED>); the forms' own <北九州市における措置> are not tags
_ANY_TAG = re.compile(rf"</?(?:{_HTML_NAMES})\b[^<>]*>", re.I)
_BLOCK_TAG = re.compile(r"</?(?:p|ul|ol|li|br|div|table|tbody|thead|tfoot|tr|h[1-6]|hr|center|section|blockquote|pre)\b[^<>]*>", re.I)
_CELL_TAG = re.compile(r"</?(?:td|th)\b[^<>]*>", re.I)
_CUT_TAG = re.compile(rf"<(?:/?(?:{_HTML_NAMES})\b[^<>]*)?$", re.I)  # a tag cut off by truncation
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,5});")
#: a chosen option in brackets, half- or full-width: [十分である] / ［十分である］
_BRACKETED = re.compile(r"[\[［]([^\[\]［］]*)[\]］]")
#: the printed marker of a choice list; what precedes it is the chosen value
_CHOICES = "<選択肢>"
#: a checkbox as the converter drew it: [○], [], [<input …/>], <input …/>, [<input …/> (unclosed)
_MARK = re.compile(r"\[\s*(?:<input\b[^<>]*>\s*)?(?:[○〇◯●✓✔]\s*)?\]?|<input\b[^<>]*>|[■□☑☐]")
_BOX_GLYPHS = ("■", "□", "☑", "☐")
#: the glyphs of a ticked box where a word processor drew the box itself (■ / ☑ beside □ / ☐)
_TICKED_GLYPHS = "○〇◯●✓✔■☑"
#: a box drawn with full-width brackets: ［ ］ / ［○］
_WIDE_BOX = re.compile(r"［(\s*(?:<input\b[^<>]*>)?\s*[○〇◯●✓✔]?\s*)］", re.I)
#: a count written beside a choice: (4) 件, () 件, (   ) 件, and the mangled () 2) 件
_COUNT = re.compile(r"[(（]\s*(\d*)\s*[)）]\s*(?:(\d+)\s*[)）]\s*)?件")
#: an option number in a choice list: 1) 2） ３)
_OPTION_NO = re.compile(r"(?<![\w(（])\d{1,2}\s*[)）]")
#: rows that only draw a table's frame (Markdown rules, dashes)
_RULE_ONLY = re.compile(r"^[\s\-|:=_─━]+$")
#: a printed item number: Ⅲ / III, (別添1), 1., ①, リスク1:
_NUMBER = re.compile(
    r"^\s*(?:(?P<roman>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|(?:IX|IV|V?I{1,3}|V|X))(?:\s+|(?=[^\x00-\x7f]))"
    r"|(?P<annex>[(（]\s*別添\s*\d+\s*[)）])\s*"
    r"|(?P<arabic>\d{1,2})\s*[.．]\s*"
    r"|(?P<circled>[①-⑳])\s*"
    r"|(?P<risk>リスク\s*\d*)\s*[:：]\s*)"
)
_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI", "Ⅶ": "VII", "Ⅷ": "VIII", "Ⅸ": "IX", "Ⅹ": "X"}
#: the cover's list of contents: its lines name the sections and are skipped
_CONTENTS = "項目一覧"
#: the annex of changes: heading and first header cell
_CHANGES = re.compile(r"^[(（]\s*別添\s*\d+\s*[)）]\s*変更箇所\s*$")
_CHANGES_HEADER = "変更日"
_TIMINGS = ("事前", "事後")
_DASHES = ("-", "－", "ー", "―", "—", "‐")

_FUZZY = 0.9  # how alike a label must be to an item's (typos in the published labels)
_LOOSE = 0.7  # how alike a label cell must be to the one nearest item of its section (another wording)
_READ_ERROR = "(読み取れなかった行)"


# --- text helpers ----------------------------------------------------------------------------

def _unescape(text: str) -> str:
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def html_to_text(fragment: str) -> str:
    """A cell's text: tags removed, block boundaries (<p>, <li>, <br>, …) as line breaks.

    Whitespace runs inside a line fold to one space (as HTML shows them); empty lines go.
    """
    s = _CUT_TAG.sub("", fragment)
    s = _BLOCK_TAG.sub("\n", s)
    s = _CELL_TAG.sub(" ", s)
    s = _TAG.sub("", s)
    s = _unescape(s)
    # HTML folds ASCII whitespace, not the ideographic space: an indent of 　 is part of the text
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip(" \t\r\f\v") for line in s.split("\n"))
    return "\n".join(line for line in lines if line.strip())


def _flat(fragment: str) -> str:
    """A cell's text on one line: tags removed, whitespace runs folded to one space."""
    s = _TAG.sub(" ", _CUT_TAG.sub("", fragment))
    return re.sub(r"\s+", " ", _unescape(s)).strip()


def _has_tags(text: str) -> bool:
    return bool(_TAG.search(text))


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _split_number(text: str) -> tuple[str, str, str]:
    """(kind, number, rest) of a label: ("arabic", "3", "特定個人情報ファイル名")."""
    m = _NUMBER.match(text)
    if not m:
        return "", "", text.strip()
    kind = next(k for k, v in m.groupdict().items() if v)
    num = m.group(kind)
    if kind == "roman":
        num = _ROMAN.get(num, num)
    num = re.sub(r"\s+", "", _nfkc(num))
    if kind == "risk":
        num = num.replace("リスク", "")
    if kind == "annex":
        num = re.sub(r"\D", "", num)
    return kind, num, text[m.end():].strip()


def _clean_label(text: str) -> str:
    """A label as printed, without markup and the ※ of a 重要な変更 item (and its proviso)."""
    s = _flat(text)
    s = re.sub(r"\s*※.*$", "", s)  # 「①ファイルの種類 ※」「Ⅲ リスク対策 ※(7. ②を除く。)」
    return s.strip()


def _is_dash(text: str) -> bool:
    return text.strip() in _DASHES


def _is_rule(cells: list[str]) -> bool:
    """A row that only draws a table's frame; a lone 「-」 is a value (nothing to write)."""
    if len(cells) == 1 and _is_dash(cells[0]):
        return False
    return all(_RULE_ONLY.match(c) for c in cells)


def _count_digits(m: re.Match) -> int | None:
    digits = m.group(1) or m.group(2)
    return int(digits) if digits else None


def _balanced(text: str) -> tuple[str, str]:
    """The text inside the parenthesis ``text`` starts with, and what follows it.

    Both kinds of parentheses nest; an unclosed one (the seeds have them) runs to the end.
    """
    depth = 0
    for i, ch in enumerate(text):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth -= 1
            if depth == 0:
                return text[1:i].strip(), text[i + 1:]
    return text[1:].strip(), ""


# --- catalog helpers -------------------------------------------------------------------------

@dataclass
class _Names:
    """The forms an item's name is matched by."""

    key: str
    label: str
    kind: str
    num: str
    rest: str
    printed: str = ""  # what the form prints where the key adds whose it is: 具体的な管理方法(ユーザ認証の管理)


_OWNER = re.compile(r"^(.*?)\s*[(（]([^()（）]+)[)）]$")


def _names(item: Item) -> _Names:
    kind, num, rest = _split_number(item.key)
    printed = ""
    m = _OWNER.match(item.key)
    if m and item.parent is not None and any(
            fold(_split_number(s.key)[2]) == fold(m.group(2)) for s in item.parent.children if s is not item):
        printed = fold(m.group(1))  # the form prints the label alone, after the item it belongs to
    return _Names(fold(item.key), fold(item.label), kind, num, fold(rest), printed)


def _score(label: str, names: _Names) -> float:
    """How well a printed label names an item: 3 exactly, 2 without its number, <2 loosely, 0 not."""
    lf = fold(label)
    if not lf:
        return 0.0
    if lf == names.key or lf == names.printed:
        return 3.0
    kind, num, rest = _split_number(label)
    rf = fold(rest)
    if kind and names.kind:
        if (kind, num) != (names.kind, names.num):
            return 0.0
        if rf == names.rest:
            return 3.0
        return _fuzzy(rf, names.rest)
    if kind:  # the label is numbered, the item is not (a section's own value: 3. ファイル名 → ファイル名)
        return 1.5 if rf == names.rest else 0.0
    if rf == names.label or rf == names.rest:
        return 2.0 if names.kind else 3.0
    return _fuzzy(rf, names.rest)


def _fuzzy(a: str, b: str) -> float:
    if len(a) < 4 or len(b) < 4 or abs(len(a) - len(b)) > max(len(a), len(b)) * 0.2:
        return 0.0
    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if m.quick_ratio() < _FUZZY:
        return 0.0
    r = m.ratio()
    return 1.0 + r if r >= _FUZZY else 0.0


def _match_option(item: Item, text: str) -> str | None:
    """The option of ``item`` that ``text`` names, loosely (full-width, brackets, a leading 「2)」)."""
    t = text.strip()
    if not t:
        return None
    if item.accepts(t):
        return t
    t = re.sub(r"^\s*\d+\s*[)）]\s*", "", t).strip().strip("[]［］「」").strip()
    want = fold(t)
    for option in item.options + item.also:
        if fold(option) == want:
            return option
    return None


def _option_prefix(item: Item, text: str) -> tuple[str, str] | None:
    """The option ``text`` starts with (the longest), and the rest of ``text``."""
    s = text.lstrip()
    for option in sorted(item.options + item.also, key=len, reverse=True):
        if s.startswith(option):
            return option, s[len(option):]
    folded = fold(s)
    for option in sorted(item.options + item.also, key=len, reverse=True):
        fo = fold(option)
        if fo and folded.startswith(fo):
            for k in range(1, len(s) + 1):
                if fold(s[:k]) == fo:
                    return option, s[k:]
    return None


def _earliest_option(item: Item, text: str) -> str | None:
    """The option written first in ``text`` (the longest one where several start together)."""
    best: tuple[int, int, str] | None = None
    wide = _nfkc(text)  # digits and letters printed full-width: １０人以上５０人未満
    for option in item.options + item.also:
        for form, where in ((option, text), (_nfkc(option), wide)):
            i = where.find(form)
            if i >= 0 and (best is None or (i, -len(form)) < (best[0], best[1])):
                best = (i, -len(form), option)
    return best[2] if best else None


def _title_pattern(group: Item) -> re.Pattern | None:
    """The heading of a group's entries, from the catalog's title: システム{番号} → システム3, システム2～5."""
    if "{番号}" not in group.title:
        return None
    before, _, after = group.title.partition("{番号}")
    return re.compile(
        rf"^{re.escape(_nfkc(before).strip())}\s*(\d+)(?:\s*[~～〜\-－―]\s*(\d+))?\s*{re.escape(_nfkc(after).strip())}$"
    )


# --- the parse -------------------------------------------------------------------------------

@dataclass
class _Line:
    no: int  # 1-based
    raw: str
    cells: list[str]  # without the empty cells at the start and end

    @property
    def blank(self) -> bool:
        return not self.cells


@dataclass
class _Frame:
    """A section or group entry being filled: the catalog item and its dict in the document."""

    item: Item
    data: dict
    name: str  # how the frame is named in an Unplaced's ``where``
    group: list | None = None  # the list an entry belongs to


@dataclass
class _Block:
    """A value being written over several lines."""

    frame: _Frame
    item: Item
    line: int
    lines: list[str] = field(default_factory=list)


def _canonical_markup(raw: str) -> str:
    """A line with its markup written one way: tags in lower case (their quoted values as written),
    boxes drawn with full-width brackets as [ ]. Text outside the markup is not touched."""
    if "<" in raw:
        raw = _ANY_TAG.sub(lambda m: re.sub(r'"[^"]*"|\'[^\']*\'|[^"\']+',
                                            lambda p: p.group(0) if p.group(0)[0] in "\"'" else p.group(0).lower(), m.group(0)), raw)
    if "［" in raw:
        raw = _WIDE_BOX.sub(lambda m: f"[{m.group(1)}]", raw)
    return raw


def _split_cells(raw: str) -> list[str]:
    cells = raw.split("\t")
    s = raw.strip()
    if s.startswith("|") and s.endswith("|") and "\t" not in s and len(s) > 1:  # a Markdown table row
        cells = s[1:-1].split("|")
    cells = [c.strip() for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    while cells and not cells[0]:
        cells.pop(0)
    return cells


class _Parser:
    def __init__(self, text: str, source: str):
        self.source = source
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        raws = (_canonical_markup(raw) for raw in text.split("\n"))
        self.lines = [_Line(i, raw, _split_cells(raw)) for i, raw in enumerate(raws, start=1)]
        self.unplaced: list[Unplaced] = []
        self.legacy: list[dict[str, Any]] = []
        self._seen_unplaced: set[tuple[int, str, str]] = set()
        self._path_cache: dict[tuple[int, int], list[list[Item]]] = {}

    # results ------------------------------------------------------------------------------------
    def lose(self, line: int, where: str, text: str) -> None:
        text = text.strip()
        # the same text may be reached twice from one line; two lines that say the same are two
        if not text or (line, where, text) in self._seen_unplaced:
            return
        self._seen_unplaced.add((line, where, text))
        self.unplaced.append(Unplaced(line, where, text))

    # entry point --------------------------------------------------------------------------------
    def run(self, kind: str) -> ImportResult:
        title_at = self._find_title()
        try:
            catalog = load_catalog(kind_name(kind))
        except PiadiffError as e:
            raise InputError(f"{self.source}:{title_at + 1}: {e}") from None
        self.catalog = catalog
        self.order = {id(it): i for i, it in enumerate(catalog.root.walk())}
        self.names = {id(it): _names(it) for it in catalog.root.walk()}
        self.data: dict[str, Any] = {"様式": catalog.kind}
        body_at = self._cover(title_at + 1)
        self._body(body_at)
        if not any(self._root_heading(_clean_label(ln.cells[0])) for ln in self.lines[body_at:] if not ln.blank):
            # a cover alone (or a memo that names the form) is not an assessment
            no = self.lines[min(title_at + 1, len(self.lines) - 1)].no
            raise InputError(f"{self.source}:{no}: 様式の本文（Ⅰ 基本情報 …）がありません。"
                             "公表された評価書のテキストではないか、途中までしかないようです")
        self._finish()
        return ImportResult(kind=catalog.kind, data=self.data, legacy_rows=self.legacy, unplaced=self.unplaced, format="tsv")

    def _find_title(self) -> int:
        """The index of the title line; -1 where the publication lacks its cover (the title with it)."""
        for i, line in enumerate(self.lines[:60]):
            if not line.blank and _TITLE.search(_flat(line.raw)):
                return i
        return -1

    # the cover ----------------------------------------------------------------------------------
    def _cover(self, start: int) -> int:
        """Read the cover up to the list of contents; returns the index where the body starts."""
        cover_items = self.catalog.cover
        values: dict[str, tuple[str, int]] = {}
        pending: list[Item] = []
        collected: list[str] = []
        collect_line = 0
        i = start

        def keep(item: Item, text: str, no: int) -> None:
            if item.key in values:
                self.lose(no, f"表紙 > {item.key}", text)
            else:
                values[item.key] = (text, no)

        def flush() -> None:
            nonlocal pending, collected
            if len(pending) == 1 and collected:
                keep(pending[0], "\n".join(collected), collect_line)
            pending, collected = [], []

        def label_item(cell: str) -> Item | None:
            c = cover_items.child(_clean_label(cell))
            return c if c is not None and fold(_clean_label(cell)) in (fold(c.key), fold(c.label)) else None

        while i < len(self.lines):
            line = self.lines[i]
            if line.blank:
                i += 1
                continue
            first = _clean_label(line.cells[0])
            if fold(first) == fold(_CONTENTS):
                flush()
                i = self._skip_contents(i + 1)
                break
            if self._root_heading(first) is not None or _CHANGES.match(_nfkc(first)):
                flush()
                break
            labels = [label_item(c) if c else None for c in line.cells]  # empty columns between labels
            named = [item for item in labels if item is not None]
            if named and len(named) == sum(1 for c in line.cells if c):
                flush()
                if len(named) == 1:
                    pending = [named[0]]
                else:  # a header row: the next line holds the values in the same columns
                    nxt = i + 1
                    while nxt < len(self.lines) and self.lines[nxt].blank:
                        nxt += 1
                    if nxt < len(self.lines):
                        vals = self.lines[nxt].cells
                        for k, val in enumerate(vals):
                            item = labels[k] if k < len(labels) else None
                            if item is not None:
                                keep(item, html_to_text(val), self.lines[nxt].no)
                            elif val:
                                self.lose(self.lines[nxt].no, "表紙", html_to_text(val))
                        i = nxt
                i += 1
                continue
            if len(pending) == 1:
                if not collected:
                    collect_line = line.no
                collected.append(html_to_text("\t".join(line.cells)))
            else:
                self.lose(line.no, "表紙", html_to_text(" ".join(line.cells)))
            i += 1
        flush()

        cover: dict[str, Any] = {}
        for item in cover_items.children:
            if item.key not in values:
                continue
            text, no = values[item.key]
            value = self._value(item, text, no, "表紙")
            if value is not None:
                cover[item.key] = value
        self.data["表紙"] = cover
        return i

    def _skip_contents(self, i: int) -> int:
        """Skip the list of contents (its lines name the sections); returns where the body starts."""
        while i < len(self.lines) and self.lines[i].blank:
            i += 1
        while i < len(self.lines) and not self.lines[i].blank:
            first = _clean_label(self.lines[i].cells[0])
            if self._root_heading(first) is None and not _CHANGES.match(_nfkc(first)):
                self.lose(self.lines[i].no, _CONTENTS, _flat(self.lines[i].raw))
            i += 1
        return i

    # the body -----------------------------------------------------------------------------------
    def _root_heading(self, label: str) -> Item | None:
        for item in self.catalog.root.children:
            if _score(label, self.names[id(item)]) >= 3.0:
                return item
        return None

    def _body(self, start: int) -> None:
        self.root = _Frame(self.catalog.root, self.data, "")
        self.frames: list[_Frame] = [self.root]
        self.block: _Block | None = None
        self.pending: tuple[_Frame, Item] | None = None  # a label with its value on the next lines
        self.last: tuple[_Frame, Item] | None = None  # the item of the latest row (continuations)
        self.cursor = -1  # catalog position of the latest item: where the form goes on
        i = start
        while i < len(self.lines):
            line = self.lines[i]
            if not line.blank and _CHANGES.match(_nfkc(_clean_label(line.cells[0]))):
                self._flush()
                self._changes(i + 1)
                return
            try:
                self._line(line)
            except PiadiffError:
                raise
            except Exception:  # noqa: BLE001 - a line the parser did not foresee must not stop the import
                self.lose(line.no, _READ_ERROR, html_to_text(line.raw))
            i += 1
        self._flush()

    def _where(self, item: Item | None = None, frames: list[_Frame] | None = None) -> str:
        parts = [f.name for f in (frames or self.frames) if f.name]
        if item is not None:
            parts.append(item.key)
        return " > ".join(parts) or "本文"

    def _line(self, line: _Line) -> None:
        if line.blank:
            if self.block is not None:
                self.block.lines.append("")
            return
        if _is_rule(line.cells) or is_page_mark(line.raw):  # a table's frame drawn in dashes; a page number
            return
        first = line.cells[0]
        label = _clean_label(first)

        root = self._root_heading(label)
        if root is not None:
            if len(line.cells) == 1 and len(self.frames) > 1 and self.frames[1].item is root:
                return  # the heading printed again at the top of a page its table runs over
            self._flush()
            self._open_root(root, line)
            return

        heading = self._group_heading(label)
        if heading is not None:
            self._flush()
            self._open_entry(heading, line)
            return

        found = self._resolve(label)
        if found is None and len(line.cells) > 1:
            found = self._resolve_loosely(label)
        if found is None and any(m in first for m in ("[", "<input", *_BOX_GLYPHS)):  # 「4. …の委託 [] 委託しない」
            cut = min(p for p in (first.find(m) for m in ("[", "<input", *_BOX_GLYPHS)) if p >= 0)
            if cut > 0:
                head = _clean_label(first[:cut])
                found = self._resolve(head)
                if found is not None:
                    line = _Line(line.no, line.raw, [first[:cut], first[cut:]] + line.cells[1:])
        if found is not None:
            self._flush()
            self._labelled(found, line)
            return
        self._content(line)

    # headings -----------------------------------------------------------------------------------
    def _open_root(self, item: Item, line: _Line) -> None:
        self.frames = [self.root]
        self.pending = None
        self.last = None
        self.cursor = self.order.get(id(item), self.cursor)
        if item.is_group:
            entries = self.data.setdefault(item.key, [])
            if not entries:
                entries.append({ENTRY_NUMBER: 1})
            self.frames.append(_Frame(item, entries[-1], f"{item.key}[{entries[-1][ENTRY_NUMBER]}]", entries))
        elif item.kind == "section":
            self.frames.append(_Frame(item, self.data.setdefault(item.key, {}), item.key))
        else:  # a value of its own: (別添1) …記録項目, written on the lines below
            self.pending = (self.root, item)
            self.last = (self.root, item)
        rest = [c for c in line.cells[1:] if c]
        if not rest:
            return
        if item.is_value:
            self.pending = None
            self._assign(self.root, item, "\t".join(rest), line.no)
        else:
            self._values(self.frames[-1], item, rest, line)

    def _group_heading(self, label: str) -> tuple[int, list[Item], int, int | None] | None:
        """A group entry's heading (システム3, 委託事項6～10): (frame index, path to the group, from, to)."""
        text = re.sub(r"\s+", "", _nfkc(label))  # a heading split into parts: <p>委託</p><p>事項1</p>
        if not text or len(text) > 40:
            return None
        for fi in range(len(self.frames) - 1, 0, -1):
            for path in self._groups_under(self.frames[fi].item):
                pattern = _title_pattern(path[-1])
                m = pattern.match(text) if pattern else None
                if m:
                    return fi, path, int(m.group(1)), int(m.group(2)) if m.group(2) else None
        return None

    def _groups_under(self, node: Item) -> list[list[Item]]:
        out: list[list[Item]] = []

        def walk(n: Item, path: list[Item]) -> None:
            for c in n.children:
                if c.is_group:
                    out.append(path + [c])
                elif c.kind == "section":
                    walk(c, path + [c])

        walk(node, [])
        return out

    def _open_entry(self, heading: tuple[int, list[Item], int, int | None], line: _Line) -> None:
        fi, path, number, upto = heading
        frames = self.frames[: fi + 1]
        for sec in path[:-1]:
            frames.append(_Frame(sec, frames[-1].data.setdefault(sec.key, {}), sec.key))
        group = path[-1]
        self.pending = None
        self.last = None
        if upto is not None:  # 「システム6～10」: the form's blank slots
            self.frames = frames
            if line.cells[1:]:
                self.lose(line.no, self._where(group), html_to_text("\n".join(line.cells[1:])))
            return
        entries = frames[-1].data.setdefault(group.key, [])
        entry = next((e for e in entries if e.get(ENTRY_NUMBER) == number), None)
        if entry is None:
            entry = {ENTRY_NUMBER: number}
            entries.append(entry)
        title = group.title.replace("{番号}", str(number))
        frames.append(_Frame(group, entry, title, entries))
        self.frames = frames
        self.cursor = self.order.get(id(group), self.cursor)
        rest = [c for c in line.cells[1:] if c]
        if rest:  # the name beside the heading: 委託事項1⇥システム基盤(オペレーション業務等)
            ident = group.child(group.identity)
            if ident is not None and ident.kind == "text":
                self._assign(frames[-1], ident, "\n".join(rest), line.no)
            else:
                self.lose(line.no, self._where(), html_to_text("\n".join(rest)))

    # labels -------------------------------------------------------------------------------------
    def _resolve(self, label: str) -> tuple[int, list[Item]] | None:
        """The item a label names: (frame index, path from that frame's item down to it).

        The best-scoring item wins; among equals the innermost frame, then the shallowest item,
        then the first one at or after where the form has got to.
        """
        if not label or len(label) > 160:
            return None
        best: tuple[tuple, int, list[Item]] | None = None
        for fi in range(len(self.frames) - 1, 0, -1):
            for path in self._paths(self.frames[fi].item):
                item = path[-1]
                s = _score(label, self.names.get(id(item)) or _names(item))
                if s <= 0:
                    continue
                pos = self.order.get(id(item), 0)
                key = (s, fi, -len(path), pos > self.cursor, -pos)
                if best is None or key > best[0]:
                    best = (key, fi, path)
        return None if best is None else (best[1], best[2])

    def _resolve_loosely(self, label: str) -> tuple[int, list[Item]] | None:
        """A label worded a little differently from the form's (変更に係る妥当性 for 変更の妥当性).

        Only in a label cell (a value follows it on the line), only among the items of the section
        being read, and only where one item is clearly the nearest and not yet filled.
        """
        kind, num, rest = _split_number(label)
        rf = fold(rest)
        if not 3 <= len(rf) <= 40 or "。" in rest:
            return None
        fi = len(self.frames) - 1
        if fi < 1:
            return None
        scored = []
        for path in self._paths(self.frames[fi].item, limit=1):
            names = self.names.get(id(path[-1])) or _names(path[-1])
            if kind and (kind, num) != (names.kind, names.num):
                continue
            ratio = difflib.SequenceMatcher(None, rf, names.rest, autojunk=False).ratio()
            scored.append((ratio, path))
        scored.sort(key=lambda x: x[0], reverse=True)
        if not scored or scored[0][0] < _LOOSE:
            return None
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.15:
            return None
        path = scored[0][1]
        if path[-1].key in self.frames[fi].data:
            return None
        return fi, path

    def _paths(self, node: Item, limit: int = 4) -> list[list[Item]]:
        """Paths to the items under ``node``, not entering repeating groups (they need a heading)."""
        cache = self._path_cache
        if (id(node), limit) in cache:
            return cache[(id(node), limit)]
        out: list[list[Item]] = []

        def walk(n: Item, path: list[Item]) -> None:
            if len(path) >= limit:
                return
            for c in n.children:
                if c.is_group:
                    continue
                out.append(path + [c])
                if c.kind == "section":
                    walk(c, path + [c])

        walk(node, [])
        cache[(id(node), limit)] = out
        return out

    def _labelled(self, found: tuple[int, list[Item]], line: _Line) -> None:
        """A row whose first cell names an item; its other cells may name sub-items, then the value."""
        fi, path = found
        frames = self.frames[: fi + 1]
        for sec in path[:-1]:
            frames.append(_Frame(sec, frames[-1].data.setdefault(sec.key, {}), sec.key))
        item = path[-1]
        self.pending = None
        self.last = None
        cells = line.cells[1:]
        if item.kind == "section":
            frames.append(_Frame(item, frames[-1].data.setdefault(item.key, {}), item.key))
            self.frames = frames
            self.cursor = max(self.cursor, self.order.get(id(item), self.cursor))
            # the next cell may name an item of this section: ④使用の主体⇥使用部署⇥…
            while cells and not cells[0]:
                cells = cells[1:]
            if cells:
                sub = self._resolve(_clean_label(cells[0]))
                if sub is not None and sub[0] == len(self.frames) - 1:
                    self._labelled(sub, _Line(line.no, line.raw, cells))
                    return
                self._values(self.frames[-1], item, cells, line)
            else:
                self.pending = (self.frames[-1], item)
            return
        self.frames = frames
        self.cursor = max(self.cursor, self.order.get(id(item), self.cursor))
        values = [c for c in cells if c]
        self.last = (frames[-1], item)
        if not values:
            self.pending = (frames[-1], item)
            return
        self._assign(frames[-1], item, "\t".join(values), line.no)

    def _values(self, frame: _Frame, section: Item, cells: list[str], line: _Line) -> None:
        """Cells beside a section's heading: a checkbox of the section, or its one value."""
        text = "\t".join(c for c in cells if c)
        flat = _flat(text)
        if not flat:
            return
        for child in section.children:
            if child.kind in ("checkbox", "choice") and any(o in flat or _nfkc(o) in _nfkc(flat) for o in child.options):
                self._assign(frame, child, text, line.no)
                self.last = (frame, child)
                return
        child = self._own_value(section)
        if child is not None:
            self._assign(frame, child, text, line.no)
            self.last = (frame, child)
            return
        self.lose(line.no, self._where(section), html_to_text(text))

    def _own_value(self, section: Item) -> Item | None:
        """The value a section heading stands for (3. 特定個人情報ファイル名 → 特定個人情報ファイル名)."""
        values = [c for c in section.children if c.is_value]
        same = [c for c in values if fold(c.label) == fold(section.label) or fold(c.key) == fold(section.label)]
        if same:
            return same[0]
        if len(section.children) == 1 and values:
            return values[0]
        return None

    # lines that name nothing --------------------------------------------------------------------
    def _content(self, line: _Line) -> None:
        single = len(line.cells) == 1
        if self.block is not None and single:
            self.block.lines.append(self._paragraph(line))
            return
        if self.pending is not None:
            frame, item = self.pending
            if item.kind == "section":
                item = self._own_value(item) or item
            if item.kind == "section" or (item.kind == "text" and not single):
                # a row of several cells that names nothing: not this label's value
                self.lose(line.no, self._where(), html_to_text("\n".join(line.cells)))
                return
            self.pending = None
            self.last = (frame, item)
            if item.kind == "text":
                self.block = _Block(frame, item, line.no, [self._paragraph(line)])
            else:
                self._assign(frame, item, "\t".join(line.cells), line.no)
            return
        if self.last is not None and self.block is None:
            frame, item = self.last
            if item.kind in ("choice", "checkbox") and self._continues_choice(frame, item, line):
                return
            if item.kind == "text" and len(line.cells) == 1 and item.key in frame.data:
                frame.data[item.key] = frame.data[item.key] + "\n" + self._paragraph(line)
                return
        self.lose(line.no, self._where(), html_to_text("\n".join(line.cells)))

    def _paragraph(self, line: _Line) -> str:
        text = "\t".join(line.cells) if len(line.cells) > 1 else line.cells[0]
        if _has_tags(text):
            return html_to_text(text)
        # a paragraph line is kept as written (a Markdown 「- 」 included): only its end is trimmed
        return "\n".join(part.rstrip() for part in line.raw.split("\t") if part.strip())

    def _continues_choice(self, frame: _Frame, item: Item, line: _Line) -> bool:
        """A line redrawing the options of the latest choice or checkbox (the seeds repeat tables)."""
        text = "\t".join(line.cells)
        if item.kind == "checkbox" and _MARK.search(text):
            ticked, lost = self._checkbox(item, text)
            for t in lost:
                self.lose(line.no, self._where(item, self._frames_of(frame)), t)
            if ticked:
                old = frame.data.get(item.key) or []
                names = {self._option_name(o) for o in old}
                frame.data[item.key] = old + [t for t in ticked if self._option_name(t) not in names]
            return True
        rest = _nfkc(_flat(text)).replace(_CHOICES, " ")  # options printed in full-width digits too
        rest = _OPTION_NO.sub(" ", rest)
        rest = _MARK.sub(" ", rest)
        for option in sorted(item.options + item.also, key=len, reverse=True):
            rest = rest.replace(_nfkc(option), " ")
        return not re.sub(r"[\s\[\]()（）]", "", rest)

    def _frames_of(self, frame: _Frame) -> list[_Frame]:
        if frame in self.frames:
            return self.frames[: self.frames.index(frame) + 1]
        return [frame]

    @staticmethod
    def _option_name(value: Any) -> str:
        return next(iter(value)) if isinstance(value, dict) else str(value)

    def _flush(self) -> None:
        """End a value written over several lines."""
        block, self.block = self.block, None
        if block is None:
            return
        lines = block.lines
        while lines and not lines[-1]:
            lines.pop()
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
        if text:
            self._assign(block.frame, block.item, text, block.line, parsed=True)

    # values -------------------------------------------------------------------------------------
    def _assign(self, frame: _Frame, item: Item, raw: str, line: int, parsed: bool = False) -> None:
        where = self._where(item, self._frames_of(frame))
        value = raw if parsed else self._value(item, raw, line, where, frame)
        if value is None:
            return
        data = frame.data
        if item.key not in data:
            data[item.key] = value
            return
        if data[item.key] == value:
            return
        if frame.group is not None and item.key == frame.item.identity:
            # a second file (Ⅱ/Ⅲ) starts with its name, as the form has no heading for it
            number = max((e.get(ENTRY_NUMBER, 0) for e in frame.group), default=0) + 1
            entry = {ENTRY_NUMBER: number, item.key: value}
            frame.group.append(entry)
            frame.data = entry
            frame.name = f"{frame.item.key}[{number}]"
            # the form starts again for this file: a label printed twice under one heading
            # (具体的な管理方法) names the first of its items again, not the one after the last file's
            self.cursor = self.order.get(id(item), self.cursor)
            return
        self.lose(line, where, value if isinstance(value, str) else html_to_text(raw))

    def _value(self, item: Item, raw: str, line: int, where: str, frame: _Frame | None = None) -> Any:
        """The value of ``item`` written in ``raw``; what cannot be read goes to unplaced."""
        if item.kind == "text":
            return html_to_text(raw.replace("\t", "\n")) or None
        if item.kind == "date":
            text = _flat(raw)
            if not text:
                return None
            if _is_dash(text):
                return text
            try:
                parse_date(text)
                return text
            except PiadiffError:
                if parse_month(text) is not None:
                    return text
            self.lose(line, where, text)
            return None
        if item.kind == "count":
            text = _flat(raw)
            m = _COUNT.search(text)
            n = _count_digits(m) if m else None
            if n is None and re.fullmatch(r"\d+\s*件?", _nfkc(text)):
                n = int(re.match(r"\d+", _nfkc(text)).group(0))
            if n is None and text and not re.fullmatch(r"[()（）\s件]*", text):
                self.lose(line, where, text)
            return n
        # choice / checkbox: counts written beside go to the count items that follow
        text = raw
        counts = list(_COUNT.finditer(_flat(text)))
        if counts:
            self._counts(item, [_count_digits(m) for m in counts], line, frame)
            text = _COUNT.sub(" ", _TAG.sub(lambda m: m.group(0) if m.group(0).lower().startswith("<input") else " ", text))
        if item.kind == "choice":
            return self._choice(item, text, line, where)
        ticked, lost = self._checkbox(item, text)
        for t in lost:
            self.lose(line, where, t)
        return ticked or None

    def _counts(self, item: Item, numbers: list[int | None], line: int, frame: _Frame | None) -> None:
        parent = item.parent
        siblings = parent.children if parent is not None else []
        after = siblings[siblings.index(item) + 1:] if item in siblings else []
        slots = [c for c in after if c.kind == "count"]
        for n, slot in zip(numbers, slots):
            if n is not None and frame is not None:
                frame.data.setdefault(slot.key, n)
        for n in numbers[len(slots):]:
            if n is not None:
                self.lose(line, self._where(item), f"({n}) 件")

    def _choice(self, item: Item, raw: str, line: int, where: str) -> str | None:
        flat = _flat(raw)
        head = flat.split(_CHOICES)[0]
        for m in _BRACKETED.finditer(head):
            option = _match_option(item, m.group(1))
            if option is not None:
                return option
        option = _earliest_option(item, head)
        if option is not None:
            return option
        # another edition's wording of an option, in brackets or alone before the list of options
        bare = re.sub(r"\s+", " ", _MARK.sub(" ", head)).strip()
        for written in [m.group(1).strip() for m in _BRACKETED.finditer(head)] + ([bare] if bare else []):
            option = item.nearest_option(written)
            if option is not None:
                self.lose(line, where, f"[{written}]（記載のまま。様式の選択肢「{option}」として読みました）")
                return option
        rest = re.sub(r"[\[\]\s]", "", _MARK.sub("", head))
        if rest and not _is_dash(rest):
            self.lose(line, where, head.strip())
        elif rest:
            self.lose(line, where, rest)
        return None

    def _checkbox(self, item: Item, raw: str) -> tuple[list[Any], list[str]]:
        """The ticked options (with their ( ) text) and the texts that could not be placed."""
        s = _TAG.sub(lambda m: m.group(0) if m.group(0).lower().startswith("<input") else " ", _CUT_TAG.sub("", raw))
        s = _unescape(s).replace("\t", " ")
        marks: list[tuple[int, int, str]] = []
        for m in _MARK.finditer(s):
            if not m.group(0).strip():
                continue
            if marks and not s[marks[-1][1]:m.start()].strip():  # <input/> [] : one box drawn twice
                marks[-1] = (marks[-1][0], m.end(), marks[-1][2] + m.group(0))
            else:
                marks.append((m.start(), m.end(), m.group(0)))
        if not marks:
            return [], ([] if not s.strip() else self._unmarked(item, s))
        states = []
        for _, _, mark in marks:
            checked = "checked" in mark.lower() or any(g in mark for g in _TICKED_GLYPHS)
            radio = 'type="radio"' in mark.lower().replace("'", '"')
            states.append((checked, radio))
        if not any(c for c, _ in states) and any(r for _, r in states) and not all(r for _, r in states):
            states = [(r, r) for _, r in states]  # the seeds draw a tick as a radio among checkboxes
        ticked: list[Any] = []
        lost: list[str] = []
        for k, (start, end, _) in enumerate(marks):
            segment = s[end: marks[k + 1][0] if k + 1 < len(marks) else len(s)]
            checked = states[k][0]
            found = _option_prefix(item, segment)
            if found is None and checked:  # a ticked label with a typo: the option it clearly is
                name = re.split(r"[(（]", segment, maxsplit=1)[0].strip()
                option = item.nearest_option(name)
                if option is not None:
                    found = (option, segment.lstrip()[len(name):])
                    lost.append(f"[○] {name}（記載のまま。様式の選択肢「{option}」として読みました）")
            if found is None:
                text = re.sub(r"\s+", " ", segment).strip()
                if checked and text:
                    lost.append(f"[○] {text}")
                continue
            option, rest = found
            detail = ""
            if rest.lstrip().startswith(("(", "（")):
                detail, rest = _balanced(rest.lstrip())
                detail = re.sub(r"\s+", " ", detail).strip()
            if checked:
                if detail and option in item.detail:
                    ticked.append({option: detail})
                else:
                    ticked.append(option)
                    if detail:
                        lost.append(f"{option} ({detail})")
            elif detail:
                lost.append(f"[ ] {option} ({detail})")
        names = []
        out = []
        for t in ticked:
            name = self._option_name(t)
            if name not in names:
                names.append(name)
                out.append(t)
        return out, lost

    def _unmarked(self, item: Item, s: str) -> list[str]:
        text = re.sub(r"\s+", " ", s).strip()
        if _is_dash(text):
            return []
        return [text]

    # the annex of changes -----------------------------------------------------------------------
    def _changes(self, i: int) -> None:
        """The rows of the annex, each as published; a header printed again at a page break (in any
        column order) sets the columns of the rows after it. Lines between rows that are not rows
        (a page number) are kept in 注記; so is what follows the table."""
        columns: list[str | None] = list(ANNEX_FIELDS)
        header = False
        previous_iso = ""
        between: list[_Line] = []  # lines after the latest row that are not rows
        while i < len(self.lines):
            line = self.lines[i]
            i += 1
            if line.blank or is_page_mark(line.raw) or _CHANGES.match(_nfkc(_clean_label(line.cells[0]))):
                continue  # the annex's heading printed again at the top of a page
            # a cell as printed: its paragraphs on lines of their own, its full-width spaces kept
            cells = [html_to_text(c) for c in line.raw.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            order = annex_header(cells)
            if order is not None:
                columns, header = order, True
                continue
            row = annex_cells(cells, columns)
            date_text = row["date_text"]
            dated = bool(date_text) and self._is_date(date_text)
            reached = sum(1 for k in columns[:len(cells)] if k)  # the columns this line's cells reach
            # a row that lost cells is still a row where it stands in the table (right after a row)
            short = dated and 1 < reached < 4 and bool(self.legacy) and not between
            filled = [c for c in cells if c]
            if not short and (len(filled) < 2 or reached < 3 or (date_text and not dated)
                              or (not date_text and not self.legacy)):
                between.append(line)
                continue
            for other in between:  # inside the table: a page's running text
                self.lose(other.no, "(別添) 変更箇所", self._paragraph(other))
            between = []
            if date_text:
                try:
                    date_iso = parse_date(date_text).isoformat()
                except PiadiffError:
                    date_iso = ""
                previous_iso = date_iso
            else:  # a blank 変更日 continues the row above (the cell is kept as written: blank)
                date_iso = previous_iso
            timing = row.get("timing", "")
            self.legacy.append({
                "date_text": date_text,
                "date_iso": date_iso,
                "item": row.get("item", ""),
                "before": row.get("before", ""),
                "after": row.get("after", ""),
                "timing": timing if timing in _TIMINGS else "",
                "explanation": row.get("explanation", ""),
                "line": line.no,
                **({"uncertain": f"セルが {reached} 列しかありません（6 列のはず）"} if short else {}),
            })
            if timing and timing not in _TIMINGS:
                self.lose(line.no, "(別添) 変更箇所 > 提出時期", timing)
        if not header and not self.legacy:
            self.lose(self.lines[i - 1].no if i else 1, "(別添) 変更箇所", "変更箇所の表が見つかりません")
        # what follows the table (川崎市: a 別紙 on a serious incident) is not part of the form
        for line in between:
            if not _is_rule(line.cells):
                self.lose(line.no, "(別添) 変更箇所の後", self._paragraph(line))

    @staticmethod
    def _is_date(text: str) -> bool:
        try:
            parse_date(text)
            return True
        except PiadiffError:
            return bool(re.match(r"^(令和|平成|昭和|[RHS]\d|\d{4}[/.年-])", _nfkc(text)))

    # the end ------------------------------------------------------------------------------------
    def _finish(self) -> None:
        body = {k: v for k, v in self.data.items() if k not in ("様式", "表紙")}
        for key in list(body):
            item = self.catalog.root.child(key)
            cleaned = self._clean(item, self.data[key])
            if cleaned in (None, {}, []):
                del self.data[key]
            else:
                self.data[key] = cleaned

    def _clean(self, item: Item | None, value: Any) -> Any:
        if item is None:
            return value
        if item.is_group:
            entries = []
            for entry in value if isinstance(value, list) else []:
                fields = {k: v for k, v in entry.items() if k not in (ENTRY_NUMBER, ENTRY_IDENTITY)}
                cleaned = self._clean_section(item, fields)
                if not cleaned:
                    continue  # a blank slot
                out = {ENTRY_NUMBER: entry.get(ENTRY_NUMBER, len(entries) + 1)}
                out.update(cleaned)
                entries.append(out)
            self._name_entries(item, entries)
            return entries
        if item.kind == "section":
            return self._clean_section(item, value if isinstance(value, dict) else {})
        return value

    def _clean_section(self, item: Item, fields: dict) -> dict:
        out = {}
        for key, v in fields.items():
            child = item.child(key)
            c = self._clean(child, v)
            if c not in (None, {}, [], ""):
                out[key] = c
        return out

    def _name_entries(self, group: Item, entries: list[dict]) -> None:
        """識別名 where two entries share a name or an entry has none."""
        ident = group.identity
        title = group.title or f"{group.key}{{番号}}"
        by_name: dict[str, list[dict]] = {}
        for e in entries:
            if not e.get(ident):
                e[ENTRY_IDENTITY] = title.replace("{番号}", str(e[ENTRY_NUMBER]))
            else:
                by_name.setdefault(e[ident], []).append(e)
        second = next((c for c in group.children if _split_number(c.key)[:2] == ("circled", "2")), None)
        for name, same in by_name.items():
            if len(same) < 2:
                continue
            parts = [self._distinguishing(e.get(second.key, "") if second else "") for e in same]
            if all(parts) and len(set(parts)) == len(parts):
                for e, p in zip(same, parts):
                    e[ENTRY_IDENTITY] = f"{name}({p})"
            else:
                for e in same:
                    e[ENTRY_IDENTITY] = f"{name}({e[ENTRY_NUMBER]})"

    @staticmethod
    def _distinguishing(text: str) -> str:
        """A short part of a purpose that tells entries apart: 「…法による被災者台帳の作成に関する事務」→ 被災者台帳."""
        if not isinstance(text, str) or not text:
            return ""
        text = text.replace("\n", "")  # a line break where the cell wrapped is not part of the words
        head = text.split("に関する")[0]
        if "による" in head:
            head = head.rsplit("による", 1)[1]
        head = head.split("の")[0].strip()
        return head if 0 < len(head) <= 20 and "\n" not in head else ""


def parse_tsv(text: str, source: str, kind: str | None = None) -> ImportResult:
    """Read a published assessment written as tab-separated text with HTML fragments.

    ``kind`` is the form kind; without it, :func:`piadiff.importers.detect_kind` decides. Text that cannot be put on a
    catalog item is returned in ``unplaced``.
    """
    if not isinstance(text, str):
        raise InputError(f"{source}:1: テキストとして読めません")
    if kind is None:
        from . import detect_kind

        kind = detect_kind(text, source)
    return _Parser(text, source).run(kind)
