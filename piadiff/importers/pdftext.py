"""Published assessments as pdftotext extracted them from the PDF, to piadiff documents.

pdftotext (without ``-layout``) writes each page's text blocks in an order of its own: a label
often comes apart from its value, choice lists and checkbox brackets land far from their labels,
a value cut by a page break comes out in two places, and two entries of a group printed on one
page interleave. So this importer places a value only where the text itself ties it to an item,
and leaves everything else in :attr:`ImportResult.unplaced`, with the reason:

* text: on the label's own line (``①事務の名称 母子保健法による…``), in the label's own
  pdftotext block, or in the block right after a label that stands alone, with the following
  paragraphs of the same cell (a paragraph wider than the cell belongs to another cell);
* a choice: only where a bracket names one of the item's options (``[ 十分である``);
* a checkbox item: only where every option is drawn whole (bracket, tick, name) on one line;
* a count: only where it is printed beside a chosen or ticked option (``[ ○ ] 提供を行っている （ 2 ） 件``);
* a label the form prints under several items (``その妥当性``, ``リスクへの対策は十分か``):
  only where the label just before it, on the same page, says which one is meant;
* an entry of a repeating group (システム, 委託事項, …, and each 特定個人情報ファイル of Ⅱ and Ⅲ):
  the k-th printing of a label goes to the k-th entry, only when there are as many printings
  as entries and none falls inside another entry's stretch of text; an entry whose name cannot
  be read is left out whole.

Some values that look complete are left out all the same, because they may not be:

* a label-alone text right after a label that has no value of its own (it may be that label's);
* the label-alone texts of a page that also holds a paragraph nobody owns (one of them may have
  lost it to a page break), unless a label on that page that has no value explains it;
* a text that runs to the very end of the input (a cut-off text);
* an item printed twice.

All item names come from the form catalog; what this module knows is the layout of pdftotext's
output of the PPC forms, in the constants below. The annex of changes (別添3) is not read here.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..catalog import ENTRY_NUMBER, Catalog, Item, fold, load_catalog
from ..errors import InputError, PiadiffError, ValidationError
from . import ImportResult, Unplaced

# --- pdftotext's layout of the forms ----------------------------------------------------------

#: the title line names the form kind: 特定個人情報保護評価書（全項目評価書）
_TITLE = re.compile(r"特定個人情報保護評価書\s*[(（]\s*([^()（）]+?評価書)\s*[)）]")
#: a label cell of the form starts its line with one ASCII space; values start at the margin
_LABEL_LINE = re.compile(r"^ (?! )")
#: a section heading: Ⅰ　基本情報
_ROMAN = re.compile(r"^\s*(?:[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|(?:IX|IV|VI{0,3}|I{1,3}|X))[\s\u3000]")
#: an annex heading: （別添1） 事務の内容; the annex of changes (別添3, or 別添2 of a 重点項目評価書), and its header row
_ANNEX = re.compile(r"^[\s\u3000]*[(（]\s*別添")
_CHANGES = re.compile(r"^[\s\u3000]*[(（]\s*別添\s*[0-9０-９]+\s*[)）][\s\u3000]*変更箇所")
_CHANGES_HEADER = ("変更前の記載", "変更後の記載")
#: the cover's list of contents
_CONTENTS = "項目一覧"
#: the printed marker of a choice list, and an option number in it: 1) 2） ３)
_CHOICE_MARK = re.compile(r"[＜<]選択肢[＞>]")
_OPTION_NO = re.compile(r"[0-9０-９]{1,2}\s*[)）]")
#: a tick in a checkbox
_TICKS = "○〇◯●✓✔"
#: a checkbox drawn whole on one line: [ ○ ] 名前 （ 内容 ） or [ ] 名前
_CHECKBOX = re.compile(r"\[\s*([" + _TICKS + r"]?)\s*\]\s*([^\[\]]*)")
#: a count printed beside an option: （ 2 ） 件
_COUNT = re.compile(r"[(（]\s*([0-9０-９]*)\s*[)）]\s*件")
#: a choice: "[ 値" / "[ 値 ]" / "[ 値 ＜選択肢＞", or "値[" as pdftotext sometimes turns it
_CHOICE_OPEN = re.compile(r"^\]?\s*\[\s*([^\[\]＜<]+?)\s*(?:\]|[＜<]|$)")
_CHOICE_BEFORE = re.compile(r"^\]?\s*([^\[\]＜<]+?)\s*\[")
#: a value in parentheses after its label: （手数料額、納付方法： 閲覧は無料。 ）
_PAREN_LABEL = re.compile(r"^[(（]\s*([^：:()（）]+?)\s*[：:]\s*(.*?)\s*[)）]?\s*$")
#: lines that only draw the form's brackets (no name, no tick)
_DEBRIS = re.compile(r"^[\s\[\]()（）件]*$")
#: what may follow a label on its line
_LABEL_END = frozenset(" \t\u3000※[［\n")
#: how a new paragraph or list entry of a value starts (a line starting so was not broken off)
_PARA_START = re.compile(
    r"^(?:[・＜<【〈《○〇◎●◆■□※（(「『＊*＞>]|[①-⑳]|[\s\u3000]"
    r"|[0-9０-９]{1,2}[\s\u3000.．、)）]|[ア-ンｱ-ﾝ][\s\u3000.．)）])"
)
_SENTENCE_END = ("。", "．")
#: blank lines in a row that end a page (pdftotext's page break, its form feed gone)
_PAGE_BREAK = 2
#: a line this wide (half-width columns) has reached its cell's edge: the cell is that wide
_CELL_EDGE = 80
#: a line at least this share of the cell's width was broken by pdftotext, not by the writer
_FULL_LINE = 0.88
_DASHES = ("-", "－", "ー", "―", "—", "‐")

#: the cover prints its labels and values in no fixed order; its values are known by their shape
_COVER_NUMBER = re.compile(r"^[0-9０-９]{1,6}$")  # 評価書番号
_COVER_DECLARATION = "宣言"  # the declaration's label and its wording (…を宣言する。)
_COVER_NAME = "名"  # labels of names end so (評価書名, 評価実施機関名)
_COVER_ORG = re.compile(r"(?:長|知事|大臣|委員会|機構|連合|組合|法人|庁|省|局|本部)$")

_CIRCLED = re.compile("[\u2460-\u2473]")
#: a box drawn as a glyph, and whether it is ticked
_GLYPHS = {"■": True, "☑": True, "□": False, "☐": False}


def _mkey(text: str) -> str:
    """A printed name as it is matched: :func:`fold`, but ① stays apart from 1."""
    return fold(_CIRCLED.sub(lambda m: f"#{ord(m.group()) - 0x245F}#", text))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _is_date(text: str) -> bool:
    from ..wareki import parse_date, parse_month

    if text.strip() in _DASHES:
        return True
    try:
        parse_date(text)
        return True
    except PiadiffError:
        return parse_month(text) is not None


# --- the text as lines and tokens -------------------------------------------------------------

@dataclass(eq=False)
class _Line:
    no: int  # 1-based
    text: str
    block: int = 0  # pdftotext block: lines between blank lines
    page: int = 0  # lines between page breaks
    state: str = ""  # "" not placed / "form" printed by the form / "value" placed
    where: str = ""  # for lines not placed: where and why


@dataclass(eq=False)
class _Tok:
    kind: str  # label | entry | section | text | bracket | options | debris
    lines: list[_Line]
    items: list[Item] = field(default_factory=list)  # what a label may name
    item: Item | None = None  # what it names
    rest: str = ""  # what follows the label on its line
    group: Item | None = None  # entry headings: the group, the entry's number (or a range)
    number: int = 0
    number_to: int = 0
    partial: bool = False  # a label cut short: the start of an item's label

    @property
    def first(self) -> _Line:
        return self.lines[0]

    @property
    def last(self) -> _Line:
        return self.lines[-1]

    @property
    def text(self) -> str:
        return self.lines[0].text.strip()

    @property
    def is_head(self) -> bool:
        return self.kind in ("label", "entry", "section")


@dataclass(eq=False)
class _Value:
    tok: int  # the label's token
    item: Item
    value: Any
    lines: list[_Line]  # the lines it was read from, besides the label's own
    mode: str  # same-line | block | next-block | count | entry


# --- the importer -----------------------------------------------------------------------------

def parse_pdf_text(text: str, source: str, kind: str | None = None, annex_table: Any = None) -> ImportResult:
    """A published assessment as pdftotext wrote it, as a piadiff document (see the module's doc).

    ``kind`` is the form kind; without it, :func:`piadiff.importers.detect_kind` decides.
    """
    if kind is None:
        from . import detect_kind

        kind = detect_kind(text, source)
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n\n").split("\n")
    try:
        catalog = load_catalog(kind)
    except PiadiffError as e:
        raise InputError(f"{source}: {e}") from None
    return _Reader(catalog, [_printed_one_way(line) for line in lines], source, annex_table).read()


#: a page number between pages (- 12 -, 12 / 40): a page break, not text of the form
_PAGE_NUMBER = re.compile(r"^\s*(?:[-－ー—―]\s*\d+\s*[-－ー—―]|\d+\s*/\s*\d+)\s*$")
#: marks printed in other widths or glyphs than the ones this reader knows
_ONE_WAY = str.maketrans({"\u00a0": " ", "［": "[", "］": "]"})


def _printed_one_way(line: str) -> str:
    """A line with what publications print in several ways written one way: a no-break space as a
    space, full-width brackets as [ ], a page number as a blank line (the page break it stands at).
    Line numbers do not move."""
    if _PAGE_NUMBER.match(line):
        return ""
    return line.translate(_ONE_WAY)


class _Reader:
    def __init__(self, catalog: Catalog, lines: list[str], source: str, annex_table: Any = None):
        self.annex_table = annex_table  # the annex as read from the PDF's word positions, if any
        self.cat = catalog
        self.source = source
        self.lines = [_Line(no=i + 1, text=l.rstrip()) for i, l in enumerate(lines)]
        self.toks: list[_Tok] = []
        self.cover: dict[str, Any] = {}
        self.ambiguous: list[_Value] = []  # values of labels that name no one item
        self.notes: list[Unplaced] = []
        self.legacy_rows: list[dict[str, Any]] = []  # the annex of changes (annex_pdftext)
        self._split()
        self._index()
        self._glyph_boxes()

    def read(self) -> ImportResult:
        self.toks = self._tokens(self._cover_and_contents())
        self._resolve()
        values = self._distrust(self._values())
        cover = {c.key: self.cover[c.key] for c in self.cat.cover.children if c.key in self.cover}
        data: dict[str, Any] = {"様式": self.cat.kind, "表紙": cover}
        data.update(self._place(values))
        data = self._validate(data)
        return ImportResult(kind=self.cat.kind, data=data, legacy_rows=self.legacy_rows, unplaced=self._unplaced(), format="pdftext")

    # the text's structure and the catalog's names -----------------------------------------------
    def _split(self) -> None:
        block = page = blanks = 0
        for ln in self.lines:
            if not ln.text.strip():
                blanks += 1
                continue
            if blanks:
                block += 1
                page += blanks >= _PAGE_BREAK
            blanks = 0
            ln.block, ln.page = block, page

    def _index(self) -> None:
        """Every printed name of every item (folded), every option, and the groups' headings."""
        names: dict[str, list[Item]] = {}
        options: set[str] = set()
        for it in self.cat.root.walk():
            forms = {it.key, it.number + it.label}
            m = re.match(r"^(.*?)\s*[(（]([^()（）]+)[)）]$", it.key)
            if m and it.parent is not None:  # 具体的な方法(…): the part in ( ) names a sibling
                if any(_mkey(s.label) == _mkey(m.group(2)) for s in it.parent.children if s is not it):
                    forms.add(m.group(1))
            for f in forms:
                k = _mkey(f)
                if k and not any(x is it for x in names.setdefault(k, [])):
                    names[k].append(it)  # by identity: items of one catalog block compare equal
            options.update(_mkey(o) for o in it.options + it.also)
        self.names = names
        self.by_first: dict[str, list[str]] = {}
        for k in sorted(names, key=len, reverse=True):
            self.by_first.setdefault(k[0], []).append(k)
        self.options = options
        self.titles: list[tuple[re.Pattern, Item]] = []
        for it in self.cat.root.walk():
            if it.is_group and "{番号}" in it.title:
                prefix = re.escape(it.title.split("{番号}")[0])
                self.titles.append((re.compile(
                    rf"^{prefix}\s*([0-9０-９]{{1,2}})(?:\s*[～〜~\-－]\s*([0-9０-９]{{1,2}}))?(?:[\s\u3000]+(.*))?$"
                ), it))
        self.cover_names = {_mkey(c.key): c for c in self.cat.cover.children}

    def _glyph_boxes(self) -> None:
        """Boxes a word processor drew as glyphs (■ ticked, □ not) written as the form's [ ○ ] / [ ]:
        only where an option of the form follows the glyph, for ■ is a bullet in prose too."""
        for ln in self.lines:
            if not any(g in ln.text for g in _GLYPHS):
                continue

            def box(m: re.Match) -> str:
                rest = _mkey(ln.text[m.end():m.end() + 60])
                if not any(o and rest.startswith(o) for o in self.options):
                    return m.group(0)
                return "[ ○ ] " if _GLYPHS[m.group(1)] else "[ ] "

            ln.text = re.sub(r"([■□☑☐])\s*", box, ln.text)

    def _match(self, text: str) -> tuple[str, int] | None:
        """The longest printed name ``text`` starts with, ending where a label ends: (name, end)."""
        folded: list[str] = []
        pos: list[int] = []
        for i, ch in enumerate(text):
            for c in _mkey(ch):
                folded.append(c)
                pos.append(i)
        f = "".join(folded)
        for name in self.by_first.get(f[:1], ()):
            if f.startswith(name):
                end = pos[len(name) - 1] + 1
                if end >= len(text) or text[end] in _LABEL_END:
                    return name, end
        return None

    def _is_options(self, s: str) -> bool:
        """A line of a printed choice list (＜選択肢＞ 1) … 2) …), naming only the form's options."""
        t = _CHOICE_MARK.sub("", s).replace("[", "").replace("]", "")
        if not t.strip():
            return bool(_CHOICE_MARK.search(s))
        parts = _OPTION_NO.split(t)
        segs = [p.strip() for p in parts[1:] if p.strip()]
        return not parts[0].strip() and bool(segs) and all(self._is_option(p) for p in segs)

    def _is_option(self, text: str) -> bool:
        """An option of the form, or one in another edition's wording (十分にしていない)."""
        key = _mkey(text)
        if key in self.options:
            return True
        return 3 <= len(key) <= 40 and any(
            abs(len(o) - len(key)) <= 3 and difflib.SequenceMatcher(None, key, o, autojunk=False).ratio() >= 0.8
            for o in self.options)

    # the cover --------------------------------------------------------------------------------
    def _cover_and_contents(self) -> int:
        """Read the cover and pass over the list of contents; the index of the body's first line."""
        n = len(self.lines)
        start = n
        for i, ln in enumerate(self.lines):
            s = ln.text.strip()
            if s and (s == _CONTENTS or _ROMAN.match(ln.text) or _ANNEX.match(ln.text)
                      or _LABEL_LINE.match(ln.text) and self._match(s) and not self._cover_label(s)):
                start = i
                break
        self._read_cover(self.lines[:start])
        first_page = self.lines[start].page if start < n else 0
        contents = [ln for ln in self.lines[start:] if ln.text.strip() == _CONTENTS and ln.page <= first_page + 1]
        if contents:  # its lines name the sections: headings only, on the page of 項目一覧
            i = start
            while i < n and (not self.lines[i].text.strip() or self.lines[i].page <= contents[0].page):
                ln = self.lines[i]
                s = ln.text.strip()
                if s and not (s == _CONTENTS or _ROMAN.match(ln.text) or _ANNEX.match(ln.text)):
                    break
                if s:
                    ln.state = "form"
                i += 1
            start = i
        return start

    def _cover_label(self, s: str) -> Item | None:
        return self.cover_names.get(_mkey(s.replace("※", "")))

    def _read_cover(self, lines: list[_Line]) -> None:
        """The cover's values by their shape: a date, a number, the declaration, two names."""
        items = self.cat.cover.children
        blocks: dict[int, list[_Line]] = {}
        for ln in lines:
            s = ln.text.strip()
            if not s:
                continue
            if self._cover_label(s) or _mkey(s) == _mkey(self.cat.title):
                ln.state = "form"
            else:
                blocks.setdefault(ln.block, []).append(ln)
        texts = {b: [ln.text.strip() for ln in ls] for b, ls in blocks.items()}
        taken: set[int] = set()

        def put(item: Item, block: int, value: str) -> None:
            self.cover[item.key] = value
            taken.add(block)
            for ln in blocks[block]:
                ln.state = "value"

        def free(test) -> list[int]:
            return [b for b, t in texts.items() if b not in taken and test(t)]

        # dates: one is the required 公表日; of two, 公表日 is the later (承認 comes before 公表)
        from ..wareki import parse_date, parse_month

        def when(b: int):
            s = texts[b][0]
            try:
                return parse_date(s).isoformat()
            except PiadiffError:
                return parse_month(s) or ""

        dates = sorted(free(lambda t: len(t) == 1 and t[0] not in _DASHES and _is_date(t[0])), key=when)
        required = [it for it in items if it.kind == "date" and it.required]
        optional = [it for it in items if it.kind == "date" and not it.required]
        if len(dates) == 1 and len(required) == 1:
            put(required[0], dates[0], texts[dates[0]][0])
        elif len(dates) == 2 and len(required) == 1 and len(optional) == 1:
            put(optional[0], dates[0], texts[dates[0]][0])
            put(required[0], dates[1], texts[dates[1]][0])
        text_items = [it for it in items if it.kind == "text"]
        numbers = free(lambda t: len(t) == 1 and _COVER_NUMBER.match(t[0]))
        number_items = [it for it in text_items if it.label.endswith("番号")]
        if len(numbers) == 1 and len(number_items) == 1:
            put(number_items[0], numbers[0], unicodedata.normalize("NFKC", texts[numbers[0]][0]))
        declarations = free(lambda t: _COVER_DECLARATION in "".join(t) and len("".join(t)) > 40)
        declaration_items = [it for it in text_items if _COVER_DECLARATION in it.label]
        if len(declarations) == 1 and len(declaration_items) == 1:
            put(declaration_items[0], declarations[0], _paragraphs([texts[declarations[0]]]))
        # the assessment's name ends with the form's (…全項目評価書); a name is one line, rejoined
        name_items = [it for it in text_items if it.label.endswith(_COVER_NAME) and it not in number_items]
        title_items = [it for it in name_items if it.label.endswith("評価書" + _COVER_NAME)]
        titles = free(lambda t: len(t) <= 3 and "".join(t).endswith(self.cat.kind))
        if len(titles) == 1 and len(title_items) == 1:
            put(title_items[0], titles[0], "".join(texts[titles[0]]))
        # the body that assesses: the one short line left (or the one that names a body)
        org_items = [it for it in name_items if it not in title_items]
        short = free(lambda t: len(t) == 1 and len(t[0]) <= 40 and "。" not in t[0])
        pick = short if len(short) == 1 else [b for b in short if _COVER_ORG.search(texts[b][0])]
        if len(org_items) == 1 and len(pick) == 1:
            put(org_items[0], pick[0], texts[pick[0]][0])
        for b, ls in blocks.items():
            if b not in taken:
                for ln in ls:
                    ln.where = "表紙"

    # tokens -----------------------------------------------------------------------------------
    def _tokens(self, start: int) -> list[_Tok]:
        toks: list[_Tok] = []
        lines = self.lines
        i = start
        while i < len(lines):
            ln = lines[i]
            s = ln.text.strip()
            if not s:
                i += 1
                continue
            if _CHANGES.match(ln.text):  # the annex of changes, to the end: a reader of its own
                from .annex_pdftext import place_annex

                ln.state = "form"
                self.legacy_rows = place_annex(lines[i + 1:], self.annex_table)
                break
            block = [l for l in lines[i:i + 40] if l.block == ln.block and l.text.strip()]
            # a label printed one character a line (再／委／託)
            if len(block) >= 2 and all(len(l.text.strip()) == 1 for l in block):
                joined = "".join(l.text.strip() for l in block)
                m = self._match(joined)
                if m and m[1] == len(joined):
                    toks.append(_Tok("label", block, items=self.names[m[0]]))
                    i += len(block)
                    continue
            if _LABEL_LINE.match(ln.text) and not s.startswith(("[", "]")):
                tok, used = self._label(block)
                toks.append(tok)
                i += used
                continue
            m = self._match(s) if _ROMAN.match(ln.text) else None
            if m:
                toks.append(_Tok("section", [ln], items=self.names[m[0]]))
            elif self._is_options(s):
                toks.append(_Tok("options", [ln]))
            elif _DEBRIS.match(s):
                toks.append(_Tok("debris", [ln]))
            elif "[" in s or "]" in s or not s.strip(_TICKS + " \u3000"):
                toks.append(_Tok("bracket", [ln]))
            else:
                p = _PAREN_LABEL.match(s)
                hit = self._match(p.group(1)) if p else None
                if p and hit and hit[1] == len(p.group(1)) and p.group(2):
                    toks.append(_Tok("label", [ln], items=self.names[hit[0]], rest=p.group(2)))
                else:
                    toks.append(_Tok("text", [ln]))
            i += 1
        for t in toks:
            if t.kind in ("options", "debris"):
                t.first.state = "form"
        return toks

    def _label(self, block: list[_Line]) -> tuple[_Tok, int]:
        """A label cell starting the block: maybe over several lines, maybe with its value after it."""
        s = block[0].text.strip()
        for pat, group in self.titles:
            m = pat.match(s)
            if m:
                num = lambda g: int(unicodedata.normalize("NFKC", g)) if g else 0  # noqa: E731
                return _Tok("entry", [block[0]], group=group, number=num(m.group(1)),
                            number_to=num(m.group(2)), rest=(m.group(3) or "").strip()), 1
        cont = [block[0]]
        for l in block[1:5]:
            if _LABEL_LINE.match(l.text) or l.text.strip().startswith(("[", "]")):
                break
            cont.append(l)
        best: tuple[int, str, int, str] | None = None  # (length, name, lines, what follows it)
        for k in range(len(cont)):
            parts = [l.text.strip() for l in cont[:k + 1]]
            joined = "\n".join(parts)
            m = self._match(joined)
            if not m or k and m[1] <= len(joined) - len(parts[-1]) - 1:
                continue  # no name, or one that ends on an earlier line
            if best is None or len(m[0]) > best[0]:
                best = (len(m[0]), m[0], k + 1, joined[m[1]:])
        if best is None:
            key = _mkey(s)
            partial = bool(key) and any(n.startswith(key) for n in self.by_first.get(key[0], ()))
            return _Tok("label", [block[0]], partial=partial), 1
        _, name, used, rest = best
        lines = cont[:used]
        rest = rest.strip(" \u3000\n").lstrip("※").strip(" \u3000")
        if not rest and used < len(block) and block[used].text.strip() == "※":
            lines.append(block[used])
            used += 1
        return _Tok("label", lines, items=self.names[name], rest=rest), used

    # which item a label names -------------------------------------------------------------------
    def _resolve(self) -> None:
        prev: _Tok | None = None
        for t in self.toks:
            if not t.is_head:
                continue
            if prev is not None and prev.last.page != t.first.page:
                prev = None  # what came before on another page says nothing
            if t.kind == "entry":
                t.item = t.group
            elif t.items:
                t.item = self._choose(t.items, prev.item if prev else None)
            if t.item is not None and t.item.kind == "section" and len(t.item.children) == 1:
                only = t.item.children[0]  # 3. 特定個人情報ファイル名: the heading is its one item's label
                if only.is_value and _mkey(only.label) == _mkey(t.item.label):
                    t.item = only
            if t.item is not None or t.items:  # a label of the form, even where it names no one item
                for ln in t.lines:
                    ln.state = ln.state or "form"
            prev = t

    @staticmethod
    def _choose(cands: list[Item], ctx: Item | None) -> Item | None:
        """The one candidate nearest the item of the label before (None: ambiguous)."""
        if len(cands) == 1:
            return cands[0]
        node = None if ctx is None else ctx if not ctx.is_value else ctx.parent
        while node is not None:
            under = [c for c in cands if _within(c, node)]
            if under:
                return under[0] if len(under) == 1 else None
            node = node.parent
        return None

    # values -------------------------------------------------------------------------------------
    def _values(self) -> list[_Value]:
        out: list[_Value] = []
        for i, t in enumerate(self.toks):
            if t.kind != "label":
                continue
            if t.item is None and t.items:
                # printed under several items: read its value to report it, place it nowhere
                it = t.items[0]
                if len({c.kind for c in t.items}) == 1 and it.is_value:
                    v = self._value(i, it)
                    if v is not None:
                        self.ambiguous.append(v)
                        codes = "、".join(c.code for c in t.items[:4]) + (" ほか" if len(t.items) > 4 else "")
                        self._reject(v, f"どの項目の記載か決められません（{codes}）", self._name(t))
            elif t.item is not None and t.item.is_value:
                v = self._value(i, t.item)
                if v is not None:
                    out.append(v)
        return out + self._counts()

    def _value(self, i: int, item: Item) -> _Value | None:
        if item.kind == "text":
            return self._text(i, item)
        if item.kind == "date":
            return self._date(i, item)
        if item.kind == "choice":
            return self._choice(i, item)
        if item.kind == "checkbox":
            return self._checkbox(i, item)
        return None

    def _after(self, i: int) -> Iterator[tuple[int, _Tok]]:
        """The tokens after the i-th, on its page."""
        page = self.toks[i].last.page
        for j in range(i + 1, len(self.toks)):
            if self.toks[j].first.page != page:
                return
            yield j, self.toks[j]

    def _text(self, i: int, item: Item) -> _Value | None:
        t = self.toks[i]
        block = t.last.block
        it = self._after(i)
        nxt = next(it, None)
        if t.rest:  # on the label's line, with the lines under it in its block
            lines, used = [t.rest], []
            while nxt is not None and nxt[1].kind == "text" and nxt[1].first.block == block:
                lines.append(nxt[1].text)
                used.append(nxt[1].first)
                nxt = next(it, None)
            return _Value(i, item, _paragraphs([lines]), used, "same-line")
        first: list[_Line] = []
        while nxt is not None and nxt[1].kind == "text" and nxt[1].first.block == block:
            first.append(nxt[1].first)
            nxt = next(it, None)
        mode = "block"
        if not first:  # the label stands alone: the next block of text
            mode = "next-block"
            while nxt is not None and nxt[1].kind in ("options", "debris"):
                nxt = next(it, None)
            if nxt is None or nxt[1].kind != "text":
                return None
            blk = nxt[1].first.block
            while nxt is not None and nxt[1].first.block == blk:
                if nxt[1].is_head:
                    return None  # text and a label in one block: the text is that label's
                if nxt[1].kind != "text":
                    break  # a checkbox drawn into the block ends the text
                first.append(nxt[1].first)
                nxt = next(it, None)
            alone = first[0].text.strip()
            if len(first) == 1 and (_mkey(alone) in self.options or alone not in _DASHES and _is_date(alone)):
                return None  # a choice or a date printed away from its label
        paras = [first]
        width = max(_width(l.text) for l in first)
        while nxt is not None and nxt[1].kind == "text":  # further paragraphs of the same cell
            blk = nxt[1].first.block
            para: list[_Line] = []
            while nxt is not None and nxt[1].first.block == blk and nxt[1].kind == "text":
                para.append(nxt[1].first)
                nxt = next(it, None)
            if nxt is not None and nxt[1].first.block == blk and nxt[1].is_head:
                break  # text before a label in its block is that label's
            texts = [l.text for l in para]
            prose = len(para) >= 2 or "。" in "".join(texts) or _PARA_START.match(texts[0])
            wider = width >= _CELL_EDGE and max(_width(x) for x in texts) > width + 6
            if not prose or wider:
                break
            paras.append(para)
            width = max(width, max(_width(x) for x in texts))
        used = [l for p in paras for l in p]
        value = _paragraphs([[l.text if l.text.startswith("\u3000") else l.text.strip() for l in p] for p in paras])
        return _Value(i, item, value, used, mode)

    def _date(self, i: int, item: Item) -> _Value | None:
        t = self.toks[i]
        if t.rest:
            return _Value(i, item, t.rest, [], "same-line") if _is_date(t.rest) else None
        for _, u in self._after(i):
            if u.kind in ("options", "debris"):
                continue
            alone = [x for x in self.lines if x.block == u.first.block and x.text.strip()] == [u.first]
            if u.kind == "text" and _is_date(u.text) and (alone or u.first.block == t.last.block):
                return _Value(i, item, u.text, [u.first], "block" if u.first.block == t.last.block else "next-block")
            return None
        return None

    def _choice(self, i: int, item: Item) -> _Value | None:
        t = self.toks[i]
        if t.rest:
            v = _choice_in(t.rest, item)
            return _Value(i, item, v, [], "same-line") if v else None
        for _, u in self._after(i):
            if u.is_head:
                return None
            if u.kind in ("options", "debris"):
                continue
            v = _choice_in(u.text, item)
            if v:
                return _Value(i, item, v, [u.first], "block")
            if u.kind == "text":
                return None
        return None

    def _checkbox(self, i: int, item: Item) -> _Value | None:
        """Only where every option is drawn whole (bracket, tick, name) on its own line."""
        t = self.toks[i]
        texts = [t.rest] if t.rest else []
        used: list[_Line] = []
        for _, u in self._after(i):
            if u.is_head or u.kind == "text":
                break
            if u.kind == "bracket":
                texts.append(u.text)
                used.append(u.first)
        seen: dict[str, Any] = {}
        for s in texts:
            left = _CHECKBOX.sub("", s)
            if "[" in left or "]" in left or left.strip(_TICKS + " \u3000"):
                return None  # a bracket or a name drawn apart: the ticks cannot be read
            for m in _CHECKBOX.finditer(s):
                name, detail = _COUNT.sub("", m.group(2)).strip(), None
                d = re.match(r"^(.*?)\s*[(（](.*?)([)）]?)\s*$", name)
                if d and _option(item, d.group(1)):
                    if not d.group(3):
                        return None  # its ( ) text goes on elsewhere
                    name, detail = d.group(1), d.group(2).strip()
                opt = _option(item, name)
                if opt is None or opt in seen:
                    return None
                seen[opt] = None if not m.group(1) else {opt: detail} if detail and opt in item.detail else opt
        if set(seen) != set(item.options):
            return None
        return _Value(i, item, [seen[o] for o in item.options if seen[o] is not None], used, "block")

    def _counts(self) -> list[_Value]:
        """（ N ） 件 beside a chosen or ticked option: the count item next to that option's item."""
        out: list[_Value] = []
        for i, t in enumerate(self.toks):
            found: list[tuple[Item, str, str]] = []
            if t.kind == "bracket":
                for m in re.finditer(rf"\[\s*[{_TICKS}]\s*\]\s*([^\[\]（(]+?)\s*{_COUNT.pattern}", t.text):
                    owners = [it for it in self.cat.root.walk() if it.kind in ("choice", "checkbox") and _option(it, m.group(1))]
                    if len(owners) == 1:
                        found.append((owners[0], m.group(1), m.group(2)))
            elif t.kind == "label" and t.item is not None and t.item.kind == "choice" and t.rest:
                v, m = _choice_in(t.rest, t.item), _COUNT.search(t.rest)
                if v and m:
                    found.append((t.item, v, m.group(1)))
            for owner, option, num in found:
                counts = [c for c in owner.parent.children
                          if c.kind == "count" and option.startswith(c.label.removesuffix("件数"))]
                if num and len(counts) == 1:
                    lines = [t.first] if t.kind == "bracket" else []
                    out.append(_Value(i, counts[0], int(unicodedata.normalize("NFKC", num)), lines, "count"))
        return out

    # what cannot be trusted ---------------------------------------------------------------------
    def _distrust(self, values: list[_Value]) -> list[_Value]:
        by_tok = {v.tok: v for v in values if v.mode != "count"}
        read = by_tok.keys() | {v.tok for v in self.ambiguous}
        heads = [i for i, t in enumerate(self.toks) if t.is_head]
        drop: dict[int, str] = {}

        def label_alone(i: int) -> bool:
            v = by_tok.get(i)
            return v is not None and v.mode == "next-block" and v.item.kind == "text"

        # a label that has no value of its own, that could hold text: the next label-alone text may be its
        explains: dict[int, list[int]] = {}
        for a, b in zip(heads, heads[1:] + [None]):
            ta = self.toks[a]
            if a in read or not self._wants_text(ta):
                continue
            if ta.kind == "label":  # (an entry's missing name is no paragraph)
                explains.setdefault(ta.first.page, []).append(a)
            if b is not None and self.toks[b].first.page == ta.first.page and label_alone(b):
                drop[b] = f"直前の「{self._name(ta)}」に値がなく、どちらの記載か決められません"
        # a paragraph nobody owns: a label-alone text near it may have lost it to a page break
        used = {id(l) for v in values + self.ambiguous for l in v.lines}
        pages: dict[int, list[int]] = {}
        for i in heads:
            if label_alone(i):
                pages.setdefault(self.toks[i].first.page, []).append(i)
        seen: set[int] = set()
        for i, t in enumerate(self.toks):
            if t.kind != "text" or id(t.first) in used or t.first.block in seen:
                continue
            seen.add(t.first.block)
            para = [x.text for x in self.toks if x.kind == "text" and x.first.block == t.first.block and id(x.first) not in used]
            joined = "".join(para)
            page = t.first.page
            if not (len(para) >= 2 or "。" in joined and len(joined) >= 20) or explains.get(page):
                continue
            suspects = list(pages.get(page, []))
            if not any(j > i and self.toks[j].first.page == page for j in heads) and pages.get(page + 1):
                suspects.append(pages[page + 1][0])  # the last thing on its page: the cell goes on
            if not any(j < i and self.toks[j].first.page == page for j in heads) and pages.get(page - 1):
                suspects.append(pages[page - 1][-1])  # the first thing on its page: the cell began before
            for j in suspects:
                drop.setdefault(j, f"{t.first.no}行目からの段落がどの項目のものか決められず、この値も欠けているかもしれません")
        # a text running to the end of the input may go on past it (a cut-off text)
        last = max((l.no for l in self.lines if l.text.strip()), default=0)
        for v in values:
            if v.item.kind == "text" and max([l.no for l in v.lines] + [self.toks[v.tok].last.no]) >= last:
                drop.setdefault(v.tok, "本文がここで終わっていて、値が途中で切れているかもしれません")
        kept = []
        for v in values:
            if v.mode != "count" and v.tok in drop:
                self._reject(v, drop[v.tok])
            else:
                kept.append(v)
        return kept

    def _wants_text(self, t: _Tok) -> bool:
        if t.kind == "entry":
            return not t.rest and not t.number_to
        if t.kind != "label":
            return False
        if t.item is None:
            return t.partial or any(c.kind == "text" for c in t.items)
        return t.item.kind == "text"

    def _name(self, t: _Tok) -> str:
        return t.item.code if t.item is not None else " ".join(l.text.strip() for l in t.lines)

    def _reject(self, v: _Value, why: str, name: str | None = None) -> None:
        where = f"{name or v.item.code}（{why}）"
        lines = list(v.lines)
        if v.mode in ("same-line", "count") and v.tok >= 0:
            lines.append(self.toks[v.tok].last)
        for l in lines:
            l.state = ""
            l.where = where

    # groups and the document --------------------------------------------------------------------
    def _place(self, values: list[_Value]) -> dict[str, Any]:
        placed: dict[tuple, _Value] = {}
        for top in self.cat.root.children:
            mine = [v for v in values if _within(v.item, top)]
            if top.is_group:
                self._group(top, self._heads(top, 0, len(self.toks)), mine, (), placed)
            else:
                self._section(top, mine, placed)
        out: dict[str, Any] = {}
        for (path, _), v in placed.items():
            if v is None:
                continue
            _set(out, v.item, path, v.value)
            for l in v.lines:
                l.state = "value"
            if v.mode in ("same-line", "count") and v.tok >= 0:
                self.toks[v.tok].last.state = "value"
        return _ordered(self.cat.root, out)

    def _put(self, key: tuple, v: _Value, placed: dict) -> None:
        """Place ``v``; an item printed twice gets neither value (None keeps the place taken)."""
        if key not in placed:
            placed[key] = v
            return
        why = "同じ項目が二度以上印字されていて、どれが正しいか決められません"
        if placed[key] is not None:
            self._reject(placed[key], why)
        self._reject(v, why)
        placed[key] = None

    def _section(self, node: Item, values: list[_Value], placed: dict) -> None:
        for v in values:
            if _group_of(v.item, node) is None:
                self._put(((), v.item.code), v, placed)
        for it in node.walk():  # the groups directly below (Ⅰ-2 システム)
            if it.is_group and _group_of(it, node) is None:
                mine = [v for v in values if _within(v.item, it)]
                self._group(it, self._heads(it, 0, len(self.toks)), mine, (), placed)

    def _printed(self, group: Item) -> bool:
        return any(t.kind == "entry" and t.group is group for t in self.toks)

    def _heads(self, group: Item, lo: int, hi: int) -> list[int]:
        """Where the group's entries start: their headings (システム1), or their identity's label (Ⅱ, Ⅲ)."""
        if self._printed(group):
            return [i for i in range(lo, hi) if self.toks[i].kind == "entry"
                    and self.toks[i].group is group and not self.toks[i].number_to]
        ident = group.child(group.identity)
        return [i for i in range(lo, hi) if self.toks[i].item is ident]

    def _group(self, group: Item, heads: list[int], values: list[_Value], path: tuple, placed: dict) -> None:
        titled = self._printed(group)
        ident = group.child(group.identity)
        label = group.label or group.key
        numbers = [self.toks[h].number for h in heads] if titled else list(range(1, len(heads) + 1))
        if not heads or len(set(numbers)) != len(numbers):
            for v in values:
                self._reject(v, f"どの{label}のものか決められません")
            return
        # each entry's stretch of text: from its heading to the next, the last to where the group ends
        stop = len(self.toks)
        for j in range(heads[-1] + 1, len(self.toks)):
            t = self.toks[j]
            if t.is_head and t.item is not None and not _within(t.item, group):
                stop = j
                break
        spans = [(h, heads[k + 1] if k + 1 < len(heads) else stop) for k, h in enumerate(heads)]

        def span_of(pos: int) -> int | None:
            return next((k for k, (a, b) in enumerate(spans) if a <= pos < b), None)

        names: dict[int, str] = {}
        if titled:
            for k, h in enumerate(heads):
                if self.toks[h].rest:
                    names[k] = self.toks[h].rest
        assigned: dict[int, list[_Value]] = {k: [] for k in range(len(heads))}
        direct: dict[str, list[_Value]] = {}
        for v in values:
            if _group_of(v.item, group) is None:
                direct.setdefault(v.item.code, []).append(v)
            else:  # in a group inside this one: by the stretch it is printed in
                k = 0 if len(heads) == 1 else span_of(v.tok)
                if k is None:
                    self._reject(v, f"どの{label}のものか決められません")
                else:
                    assigned[k].append(v)
        for vs in direct.values():
            vs.sort(key=lambda v: v.tok)
            if len(vs) != len(heads):
                why = f"{len(heads)}件の{label}に{len(vs)}回印字されていて、どれのものか決められません"
            elif any(span_of(v.tok) not in (None, k) for k, v in enumerate(vs)):
                why = f"{label}の並びと印字の順が合わず、どれのものか決められません"
            else:
                for k, v in enumerate(vs):
                    assigned[k].append(v)
                    if v.item is ident:
                        names.setdefault(k, v.value)
                continue
            for v in vs:
                self._reject(v, why)
        for k in range(len(heads)):
            if k not in names:
                title = group.title.replace("{番号}", str(numbers[k])) if group.title else group.key
                for v in assigned[k]:
                    self._reject(v, f"{title}の{ident.label}が読めず、この{label}を置けません")
                continue
            epath = path + ((group.key, numbers[k]),)
            if titled and self.toks[heads[k]].rest:  # the name printed on the heading line
                self.toks[heads[k]].first.state = "value"
                placed[(epath, ident.code)] = _Value(-1, ident, names[k], [], "entry")
            for v in assigned[k]:
                if _group_of(v.item, group) is None and not (v.item is ident and (epath, ident.code) in placed):
                    self._put((epath, v.item.code), v, placed)
            inner = [v for v in assigned[k] if _group_of(v.item, group) is not None]
            lo, hi = (0, len(self.toks)) if len(heads) == 1 else spans[k]
            for sub in group.walk():
                if sub.is_group and _group_of(sub, group) is None:
                    self._group(sub, self._heads(sub, lo, hi), [v for v in inner if _within(v.item, sub)], epath, placed)

    # checking the result ------------------------------------------------------------------------
    def _validate(self, data: dict[str, Any]) -> dict[str, Any]:
        """What the document checker refuses is taken out again and reported; the rest as printed."""
        from ..document import normalize

        for _ in range(10):
            try:
                normalize(data, self.source)
                return data
            except ValidationError as e:
                problems = e.problems
            removed = False
            for p in problems:
                gone = _remove(data, p.path)
                if gone is not _MISSING:
                    removed = True
                    text = gone if isinstance(gone, str) else repr(gone)
                    line = next((l.no for l in self.lines if text[:12] and text[:12] in l.text), 0)
                    self.notes.append(Unplaced(line, f"{p.path}（様式に合わず外しました: {p.message}）", text))
            if not removed:
                if all(p.path.startswith("表紙") for p in problems) and any(k.startswith(("Ⅰ", "Ⅱ")) for k in data):
                    # the body was read, the cover page is missing: the import names what to supply
                    return data
                missing = "、".join(p.path.removeprefix("表紙 > ") for p in problems)
                raise InputError(f"{self.source}: {self.cat.title}の表紙から必須の項目を読み取れません（{missing}）")
        raise InputError(f"{self.source}: 取り込んだ文書を様式に合わせられませんでした")

    def _unplaced(self) -> list[Unplaced]:
        out: list[Unplaced] = []
        where = "表紙"
        heads = {id(t.first): t for t in self.toks if t.is_head and t.item is not None}
        for ln in self.lines:
            t = heads.get(id(ln))
            if t is not None:
                where = t.item.code
            if ln.text.strip() and not ln.state:
                out.append(Unplaced(ln.no, ln.where or where, ln.text.strip()))
        return out + self.notes


# --- helpers ----------------------------------------------------------------------------------

def _within(item: Item, node: Item) -> bool:
    p: Item | None = item
    while p is not None:
        if p is node:
            return True
        p = p.parent
    return False


def _group_of(item: Item, top: Item) -> Item | None:
    """The outermost group between ``item`` and ``top`` (None if there is none)."""
    p, found = item.parent, None
    while p is not None and p is not top:
        if p.is_group:
            found = p
        p = p.parent
    return found


def _option(item: Item, text: str) -> str | None:
    want = _mkey(text)
    return next((o for o in item.options + item.also if want and _mkey(o) == want), None)


def _choice_in(text: str, item: Item) -> str | None:
    s = text.strip()
    for pat in (_CHOICE_OPEN, _CHOICE_BEFORE):
        m = pat.match(s)
        if m and (opt := _option(item, m.group(1))):
            return opt
    for pat in (_CHOICE_OPEN, _CHOICE_BEFORE):
        # a bracketed choice in another edition's wording: the option it clearly is (the line, with
        # its wording, reaches 注記 through the import's account of every line)
        m = pat.match(s)
        if m and item.kind == "choice" and (opt := item.nearest_option(m.group(1))):
            return opt
    return None


def _paragraphs(paras: list[list[str]]) -> str:
    """A value's lines as written: only a line pdftotext broke at the cell's edge is joined to the next."""
    width = max((_width(l) for p in paras for l in p), default=0)
    out = []
    for p in paras:
        joined = [p[0]]
        for prev, cur in zip(p, p[1:]):
            if (width >= 60 and _width(prev) >= width * _FULL_LINE and not prev.endswith(_SENTENCE_END)
                    and not _PARA_START.match(cur)):
                joined[-1] += cur
            else:
                joined.append(cur)
        out.append("\n".join(joined))
    return "\n\n".join(out)


def _set(out: dict[str, Any], item: Item, path: tuple, value: Any) -> None:
    """Put ``value`` at ``item``, inside the group entries ``path`` names ((group key, 番号), …)."""
    entries = dict(path)
    node: Any = out
    for a in item.ancestors:
        if a.is_group:
            n = entries[a.key]
            lst = node.setdefault(a.key, [])
            entry = next((e for e in lst if e[ENTRY_NUMBER] == n), None)
            if entry is None:
                entry = {ENTRY_NUMBER: n}
                lst.append(entry)
            node = entry
        else:
            node = node.setdefault(a.key, {})
    node[item.key] = value


def _ordered(node: Item, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` in the catalog's order (entries by their number)."""
    out: dict[str, Any] = {}
    for c in node.children:
        if c.key not in data:
            continue
        v = data[c.key]
        if c.is_group:
            out[c.key] = [{ENTRY_NUMBER: e[ENTRY_NUMBER], **_ordered(c, e)} for e in sorted(v, key=lambda e: e[ENTRY_NUMBER])]
        elif not c.is_value:
            out[c.key] = _ordered(c, v)
        else:
            out[c.key] = v
    return out


_MISSING = object()


def _remove(data: Any, path: str) -> Any:
    """Take out the value a checker's problem names (``Ⅱ …[1] > 2. 基本情報 > ⑤保有開始日``); return it."""
    parts = [p.strip() for p in path.split(" > ") if p.strip()]
    node = data
    for k, part in enumerate(parts):
        m = re.match(r"^(.*)\[(\d+)\]$", part)
        key, pos = (m.group(1), int(m.group(2))) if m else (part, None)
        last = k == len(parts) - 1
        if not isinstance(node, dict) or key not in node or key == "表紙" and last:
            return _MISSING
        if last and pos is None:
            return node.pop(key)
        node = node[key]
        if pos is not None:
            if not isinstance(node, list) or not 0 < pos <= len(node):
                return _MISSING
            if last:
                return node.pop(pos - 1)
            node = node[pos - 1]
    return _MISSING
