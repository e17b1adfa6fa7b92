"""Nothing lost, by construction: every non-blank line of a publication is accounted for.

After a format reader has done its work, each non-blank line of the source must be found in what
the import produced — a value placed on an item, a cell of an annex row, text kept for 注記 — or
be printed markup of the form (its labels, option names, headings). A line found nowhere is added
to :attr:`ImportResult.unplaced` with its line number, so that it reaches 注記 whatever the reader
missed. The check compares texts with all markup, spaces and brackets taken out, so a value the
reader joined from several lines, or a choice printed with its tick, still counts as found.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from ..catalog import Catalog
from ..wareki import to_wareki
from . import ImportResult, Unplaced

#: HTML tags the converters leave in the text; the forms' own angle-bracket headings are kept
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>")
#: what a line may carry besides its text: spaces, brackets, ticks, rules, numbering punctuation
_NOISE = re.compile(r"[\s\[\]［］【】()（）<>＜＞「」『』○〇◯●✓✔■□・|｜:：、,，.．。\-－―—‐ー─━_=~～※*＊'\"`]+")
#: what every form prints around its items: headings of the cover, the contents and the annex
_FORM_PRINT = ("特定個人情報保護評価書", "全項目評価書", "重点項目評価書", "項目一覧", "別添", "変更箇所", "変更日", "項目",
               "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明", "選択肢", "件", "を除く")
#: a page number or a page's running line, printed by the publication, not part of the form
_PAGE_MARK = re.compile(r"^\s*(?:[-－ー—―]\s*\d+\s*[-－ー—―]|\d+\s*/\s*\d+|\d+\s*ページ|ページ\s*\d+|\d+)\s*$")


def is_page_mark(line: str) -> bool:
    """A line that is a page number (- 12 -, 12 / 40, 12) or blank: the publication's, not the form's."""
    return bool(_PAGE_MARK.match(line))


@dataclass(frozen=True)
class Account:
    """What became of the lines of one publication."""

    lines: int  # non-blank lines of the source
    items: int  # values placed on items of the form
    rows: int  # rows of the (別添) 変更箇所
    notes: int  # texts kept in 注記 (could not be placed on an item)

    def summary(self) -> str:
        return f"{self.lines:,} 行: 項目 {self.items}、変更箇所 {self.rows} 行、注記 {self.notes} 行"


def squash(text: str) -> str:
    """A text with markup, spaces and punctuation taken out: the form texts are compared in."""
    s = unicodedata.normalize("NFKC", html.unescape(_TAG.sub("", text)))
    return _NOISE.sub("", s)


def _leaves(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    elif isinstance(value, (dt.date, dt.datetime)):
        yield to_wareki(value) if isinstance(value, dt.date) else str(value)
        yield value.isoformat()
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        yield value
        yield to_wareki(dt.date.fromisoformat(value))
    elif value is not None:
        yield str(value)


def _values(value: Any) -> Iterable[Any]:
    """The filled values of a document (not its keys)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _values(v)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for v in value:
            yield from _values(v)
    elif value not in (None, "", [], {}):
        yield value


def _form_words(catalog: Catalog) -> Iterable[str]:
    """What the form itself prints: item names, options, entry headings, the section titles."""
    for root in (catalog.root, catalog.cover):
        for item in root.walk():
            yield item.key
            yield item.label
            yield item.number + item.label
            yield from item.options
            yield from item.also
            if item.title:
                yield item.title.replace("{番号}", "")


def _pieces(raw: str) -> list[str]:
    """The parts of a line that must each be found: its cells, and each cell's own lines."""
    cells = raw.split("\t") if "\t" in raw else [raw]
    out = []
    for cell in cells:
        for part in re.split(r"<(?:p|br|li|div|tr|td|th)\b[^<>]*>", cell, flags=re.I):
            s = squash(part)
            if s:
                out.append(s)
    return out


def _chunks(piece: str, words: list[str]) -> list[str]:
    """What is left of a line's piece once the form's own words are taken out, in runs.

    Digits between the form's words are its numbering and counts (1) 2) ③ システム2～5 (2) 件), and a
    single character left over is the end of a label wrapped onto the next line.
    """
    for w in words:
        if w in piece:
            piece = piece.replace(w, "\x00")
    return [c for c in piece.split("\x00") if len(re.sub(r"\d+", "", c)) > 1]


def settle(text: str, result: ImportResult, catalog: Catalog) -> Account:
    """Account for every non-blank line of ``text``; lines found nowhere go to ``result.unplaced``."""
    found_in = "\x00".join(squash(s) for s in _leaves(result.data))
    rows = "\x00".join(squash(str(v)) for r in result.legacy_rows for v in r.values() if isinstance(v, str))
    notes = "\x00".join(squash(u.text) for u in result.unplaced)
    words = sorted({w for w in map(squash, (*_form_words(catalog), *_FORM_PRINT)) if len(w) >= 2}, key=len, reverse=True)
    corpus = "\x00".join((found_in, rows, notes))
    printed = "\x00".join(words)
    lost: list[Unplaced] = []
    count = 0
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        count += 1
        if is_page_mark(raw):
            continue
        # a chunk inside a form word is a label pdftotext wrapped over two lines (④提供する情報の対象とな)
        missing = [c for p in _pieces(raw) for c in _chunks(p, words)
                   if c not in corpus and re.sub(r"\d+", "", c) not in printed]
        if missing:
            lost.append(Unplaced(no, "(どの項目にも置けなかった行)", _TAG.sub(" ", raw).strip()))
    result.unplaced.extend(lost)
    result.unplaced.sort(key=lambda u: u.line)
    placed = sum(1 for _ in _values({k: v for k, v in result.data.items() if k != "様式"}))
    return Account(lines=count, items=placed, rows=len(result.legacy_rows), notes=len(result.unplaced))
