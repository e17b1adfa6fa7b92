"""What an annex row's own texts say about which item it is about.

A 項目 written short (``所属長``), cut off (``…7. 評価実施機関における担``) or left blank can still be
placed: the row's 変更後 is what the item says now, so where the imported document holds that text
is where the row belongs. Options and dates say something even without a document: ``発生あり``
can only be the answer of an item offering it.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .catalog import ENTRY_NUMBER, Item, fold
from .classify import became_empty

#: how a ticked or unticked box is printed in annexes: [○]内部監査, [ ]内部監査
_TICK = re.compile(r"\[\s*([○〇◯]?)\s*\]\s*")
_OMITTED = re.compile(r"[(（]\s*省?略\s*[)）]")
_ADDED_MARK = re.compile(r"^\s*【(?:追加|新規)】\s*")
_DETAIL = re.compile(r"^(.*?)\s*[(（](.*)[)）]\s*$", re.S)  # その他(申請管理システム)
#: how close a written option must be to the catalog's to be taken for it
OPTION_SIMILARITY = 0.75

#: strengths of the evidence, strongest first
WHOLE_VALUE = 1.0  # the quote is the item's whole value in the document
INSIDE_VALUE = 0.8  # the quote stands inside the item's value
FITS_FORM = 0.5  # the quote is one of the item's options, or a date for a date item


@dataclass(frozen=True)
class RowTexts:
    """A row's 変更前 and 変更後 as published, and the imported document they can be found in."""

    before: str = ""
    after: str = ""
    document: Any = None  # a Document or its data

    @property
    def data(self) -> dict | None:
        data = getattr(self.document, "data", self.document)
        return data if isinstance(data, dict) else None

    @cached_property
    def quote(self) -> str:  # read once per candidate item: computed once
        return quoted(self.after)

    def __bool__(self) -> bool:
        return bool(self.quote)


def quoted(after: str) -> str:
    """The part of a 変更後 that should stand in the document as written ("" if it says 削除)."""
    if became_empty(after):
        return ""
    text = _ADDED_MARK.sub("", after)
    if _OMITTED.search(text):  # (省略) stands for the unchanged rest: the longest piece is quoted
        text = max(_OMITTED.split(text), key=len)
    return text.strip()


def flat(text: str) -> str:
    """A text as compared with the document: NFKC, no spaces or line breaks, no list bullets."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?m)^\s*[-・]\s+", "", text)
    return re.sub(r"\s", "", text)


def values_of(data: dict | None, item: Item, entry: int | None = None) -> list[Any]:
    """Every value ``item`` has in the document: one per group entry it stands in.

    ``entry`` (委託事項3 → 3) keeps only that entry of the innermost repeating group, if there is one.
    """
    if data is None:
        return []
    nodes: list[Any] = [data]
    path = item.ancestors + [item]
    inner = max((i for i, step in enumerate(path[:-1]) if step.is_group), default=None)
    for i, step in enumerate(path):
        nodes = [n.get(step.key) for n in nodes if isinstance(n, dict)]
        nodes = [n for n in nodes if n not in (None, "", [], {})]
        if step.is_group and i < len(path) - 1:
            entries = [e for n in nodes if isinstance(n, list) for e in n]
            if i == inner and entry is not None and any(e.get(ENTRY_NUMBER) == entry for e in entries):
                entries = [e for e in entries if e.get(ENTRY_NUMBER) == entry]
            nodes = entries
    return nodes


def option_for(item: Item, text: str) -> str | None:
    """The catalog option ``text`` names: as printed, or the one it is clearly closest to.

    Another edition's wording (十分にしている for 十分に行っている) and typos are taken by similarity;
    the closest option must stand out, since 十分に行っている and 十分に行っていない differ by a word.
    """
    want = fold(_TICK.sub("", text).strip().strip("[]［］()（）"))
    options = item.options + item.also
    if not want or not options:
        return None
    for option in options:
        if fold(option) == want:
            return option
    if len(want) > 2 * max(len(o) for o in options):
        return None  # a sentence, not another spelling of an option (and costly to compare)
    # an option inside a longer word (委託する in 再委託する) is another word, not another spelling
    ranked = sorted(((_ratio(fold(o), want), o) for o in options if fold(o) not in want and want not in fold(o)),
                    reverse=True)
    if not ranked:
        return None
    best = ranked[0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    if best[0] >= OPTION_SIMILARITY and best[0] - second >= 0.1:
        return best[1]
    return None


def option_meant(item: Item, text: str) -> str | None:
    """The catalog option ``text`` stands for, in the form's current wording: an earlier edition's
    wording the catalog accepts (``also``: 十分にしている) is the option it is closest to."""
    option = option_for(item, text)
    if option is None or option in item.options:
        return option
    current = Item(key=item.key, kind=item.kind, options=item.options)  # the same item without ``also``
    return option_for(current, option) or option


def ticked(text: str) -> list[str]:
    """The labels printed with a ticked box ([○]民間事業者(医療機関)) in an annex cell."""
    parts = _TICK.split(text)
    # split gives [before the first box, mark, label, mark, label, …]
    return [label.strip() for mark, label in zip(parts[1::2], parts[2::2]) if mark and label.strip()]


def support(item: Item, texts: RowTexts, entry: int | None = None) -> float:
    """How strongly the row's texts point at ``item`` (0 when they say nothing about it)."""
    quote = texts.quote
    if not quote or not item.is_value:
        return 0.0
    values = values_of(texts.data, item, entry)
    in_document = max((_value_support(item, v, quote) for v in values), default=0.0)
    return max(in_document, _form_support(item, quote))


def _value_support(item: Item, value: Any, quote: str) -> float:
    if item.kind == "checkbox":
        return _checkbox_support(item, value, quote)
    if item.kind == "choice":
        option = option_meant(item, quote)
        return WHOLE_VALUE if option is not None and option == option_meant(item, str(value)) else 0.0
    if item.kind == "date":
        return WHOLE_VALUE if _date(quote) is not None and _date(quote) == _date(str(value)) else 0.0
    want, have = flat(quote), flat(str(value))
    if not want:
        return 0.0
    if want == have:
        return WHOLE_VALUE
    return INSIDE_VALUE if len(want) >= 4 and want in have else 0.0


def _checkbox_support(item: Item, value: Any, quote: str) -> float:
    """A ticked box of the 変更後 the item holds: with its ( ) text too, or the box alone."""
    held: dict[str, str] = {}
    for v in value if isinstance(value, list) else [value]:
        name, detail = next(iter(v.items())) if isinstance(v, dict) else (str(v), "")
        held[name] = flat(str(detail or ""))
    best = 0.0
    for label in ticked(quote) or [quote]:
        m = _DETAIL.match(label)
        name, detail = (m.group(1), flat(m.group(2))) if m else (label, "")
        option = option_for(item, name)
        if option is None or option not in held:
            continue
        whole = detail and held[option] and (detail in held[option] or held[option] in detail)
        best = max(best, WHOLE_VALUE if whole else INSIDE_VALUE)
    return best


def _form_support(item: Item, quote: str) -> float:
    """Evidence without a document: the quote can only be this kind of item's value."""
    if item.kind in ("choice", "checkbox"):
        names = ticked(quote) or [quote]
        return FITS_FORM if all(option_for(item, _DETAIL.sub(r"\1", n)) for n in names) else 0.0
    if item.kind == "date":
        return FITS_FORM if _date(quote) is not None else 0.0
    return 0.0


def _date(text: str) -> Any:
    from .errors import PiadiffError
    from .wareki import parse_date

    try:
        return parse_date(text)
    except (PiadiffError, ValueError):
        return None


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
