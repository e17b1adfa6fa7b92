"""Read a 項目 as bodies write it in their annexes and find the catalog item it names.

Real annexes write the same item many ways: ``II 特定個人情報ファイルの概要(4. 特定個人情報ファイル
の取扱いの委託 委託事項2 ③委託先名)``, ``Ⅱ-4委託事項2③``, ``V-1-①``, or a bare ``その内容`` under
the row before. The resolver scores every item of the form by how many parts of its printed path
(section numeral, numbers, labels, group titles) the text contains, and takes the best.

Published 項目 are also short (``所属長``), cut off mid-word (``…7. 評価実施機関における担``) or blank.
The end of the text then counts when it begins or stands inside an item's label, and the row's own
texts settle what the 項目 leaves open (:mod:`piadiff.evidence`): among items the text names about
equally well, the one whose value in the imported document is the row's 変更後. A row that still
names no single item is left unresolved, with the reason.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from typing import Any

from .catalog import Catalog, Item
from .evidence import INSIDE_VALUE, RowTexts, support

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = {"Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV", "Ⅴ": "V", "Ⅵ": "VI"}
_LEADING_ROMAN = re.compile(r"^(VI|IV|V|III|II|I)(?![A-Za-z])[\s.\-・、]*")
_NOISE = re.compile(r"[\s()（）\[\]【】「」<>＜＞:：・、,.．。\-‐ー―]")
#: misspellings seen in real annexes, mapped to the form's words
_ALIASES = {"提携先": "提供先", "従業員": "従業者", "業務": "事務"}


def _norm(text: str) -> str:
    """NFKC (full-width to ASCII, Ⅱ to II) but keeping ① … ⑳ apart from plain digits."""
    keep = {c: f"\uE000{i}\uE001" for i, c in enumerate(_CIRCLED)}
    for c, mark in keep.items():
        text = text.replace(c, mark)
    text = unicodedata.normalize("NFKC", text)
    for c, mark in keep.items():
        text = text.replace(mark, c)
    for wrong, right in _ALIASES.items():
        text = text.replace(wrong, right)
    return text


def _squash(text: str) -> str:
    return _NOISE.sub("", _norm(text))


#: tail of a 項目 after its last number or bracket: the words that name the item itself
_TAIL_CUT = re.compile(rf"[()\[\]{_CIRCLED}:]|\d+\.")
#: items scoring this close to the best are told apart by the row's texts
_CLOSE = 1.0
#: … and wider for a 項目 cut off or written short, whose few last characters begin many labels
_CLOSE_CUT = 2.0


@dataclass(frozen=True)
class Resolution:
    item: Item | None
    score: float
    entry: int | None = None  # the entry number written (委託事項3 → 3)
    reason: str = ""  # why no item was found, as the caller shows it
    basis: str = ""  # what settled the item when the 項目 alone did not (the row before, its 変更後)

    @property
    def key(self) -> str | None:
        return self.item.code if self.item is not None else None


@dataclass(frozen=True)
class _Query:
    """A 項目 taken apart: the section it names, its numbers, its words."""

    text: str
    norm: str
    section: str | None
    flat: str
    tail: str  # the last words, when they are not a whole label (short or cut off); else ""
    circled: frozenset[str]
    arabic: frozenset[str]
    entry: int | None
    annex: str | None


class Resolver:
    """Resolves free-text 項目 of one form kind. Build once, call many times."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.items = list(catalog.root.walk())
        self._parts = {id(i): self._path_parts(i) for i in catalog.root.walk()}
        self._labels = {p[2] for parts in self._parts.values() for p in parts if len(p[2]) >= 2}
        self._label_starts = {label[:n] for label in self._labels for n in range(2, len(label))}

    def _path_parts(self, item: Item) -> list[tuple[str, str, str]]:
        """(kind of number, number, label) of each level below the section, the section first."""
        parts = []
        for node in item.ancestors + [item]:
            number = _norm(node.number).rstrip(".")
            kind = "circled" if number in _CIRCLED else "roman" if number in _ROMAN.values() else "arabic" if number.isdigit() \
                else "risk" if re.fullmatch(r"リスク\d+", number) else "word"
            parts.append((kind, number, _squash(node.label or node.key)))
        return parts

    def resolve(self, text: str, previous: Item | None = None, *, before: str = "", after: str = "",
                document: Any = None) -> Resolution:
        """The item ``text`` names; ``previous`` (the item of the row before) settles bare labels.

        ``before`` / ``after`` are the row's 変更前 / 変更後 and ``document`` the imported document
        (or its data): optional evidence for a 項目 that is short, cut off or blank.
        """
        texts = RowTexts(before, after, document)
        query = self._parse(text)
        if not query.flat and query.section is None and query.annex is None:
            return self._resolve_blank(previous, texts)
        ranked = self._rank(query, previous)
        if not ranked:
            return self._resolve_unmatched(query)
        return self._decide(query, ranked, texts)

    def _parse(self, text: str) -> _Query:
        norm = _norm(text).strip()
        section = None
        m = _LEADING_ROMAN.match(norm)
        if m:
            section = m.group(1)
            norm = norm[m.end():]
        flat = _squash(norm)
        entry = re.search(r"(?:委託事項|提供先|移転先|システム)(\d+)", norm)
        annex = re.search(r"別添(\d+)", norm)
        return _Query(
            text=text, norm=norm, section=section, flat=flat, tail=self._tail(norm, flat),
            circled=frozenset(re.findall(f"[{_CIRCLED}]", norm)),
            arabic=frozenset(re.findall(r"(?<![\d第])(\d{1,2})(?![\d件人項号条])",
                                        re.sub(r"(委託事項|提供先|移転先|システム|リスク)\d+", "", norm))),
            entry=int(entry.group(1)) if entry else None,
            annex=annex.group(1) if annex else None,
        )

    def _tail(self, norm: str, flat: str) -> str:
        """The last words of a 項目 that are not a whole label: the start of one (cut off), else a
        part of one (written short, 所属長 for 所属長の役職名); "" when the text ends with a label."""
        if not flat or flat[-1].isdigit() or flat[-1] in _CIRCLED or any(flat.endswith(label) for label in self._labels):
            return ""  # the text ends with a number or a whole label: it names the item in full
        cut = next((flat[i:] for i in range(len(flat) - 1) if flat[i:] in self._label_starts), "")
        if cut:
            return cut
        pieces = [_squash(re.sub(r"\d", "", p)) for p in _TAIL_CUT.split(norm)]
        last = next((p for p in reversed(pieces) if p), "")
        if len(last) < 2 or last in self._labels:
            return ""
        return last if any(last in label for label in self._labels) else ""

    def _rank(self, q: _Query, previous: Item | None) -> list[tuple[float, Item]]:
        """Every item the text names at all, best first; on a tie the shallower, then the earlier."""
        scored: list[tuple[float, int, int, Item]] = []
        for order, item in enumerate(self.items):
            score = self._item_score(q, item, previous)
            if score is not None and score > 0:
                scored.append((score, len(self._parts[id(item)]), order, item))
        scored.sort(key=lambda s: (-s[0], s[1], s[2]))
        return [(s[0], s[3]) for s in scored]

    def _item_score(self, q: _Query, item: Item, previous: Item | None) -> float | None:
        parts = self._parts[id(item)]
        if q.annex:  # (別添1) items stand at the top, whatever section the text names
            if parts[0][1] != f"(別添{q.annex})":
                return None
            score = 3 + self._score(parts[:1], q)
        elif q.section is not None and parts[0][1] != q.section:
            return None
        else:
            score = self._score(parts[1:], q)
        own = parts[-1][2]
        longer = any(len(p[2]) > len(own) and q.flat.endswith(p[2]) for p in parts[:-1])
        if len(parts) > 1 and len(own) >= 2 and q.flat.endswith(own) and not longer:
            score += 4  # the text ends with this item's own label: it names this item, not its parent
        elif len(parts) > 1 and len(own) >= 2:
            score += _tail_credit(own, q.tail)  # … or with the beginning or a part of it
        if score <= 0:
            return None  # nothing of the text names this item: the row before alone does not
        if q.section is None and previous is not None:
            score += _shared_prefix(item, previous) * 0.5  # a bare label belongs near the row before
        return score

    @staticmethod
    def _score(parts: list[tuple[str, str, str]], q: _Query) -> float:
        score = 0.0
        for kind, number, label in parts:
            matched = False
            if kind == "circled" and number in q.circled:
                score += 2
                matched = True
            elif kind == "arabic" and number in q.arabic:
                score += 1.5
                matched = True
            if label and len(label) >= 2:
                if label in q.flat:
                    score += 2 + min(len(label), 20) / 10
                    matched = True
                else:
                    partial = _partial_credit(label, q.flat)
                    score += partial
                    matched = matched or partial > 0
            if kind == "risk" and number in q.flat:
                score += 1.5  # リスク2: risks are numbered within their section
            if not matched and kind in ("circled", "arabic"):
                score -= 0.75  # the text names another number here
        return score

    def _decide(self, q: _Query, ranked: list[tuple[float, Item]], texts: RowTexts) -> Resolution:
        """The best item, unless the row's texts point at another one the text names about as well."""
        best_score = ranked[0][0]
        window = _CLOSE_CUT if q.tail else _CLOSE
        close = _rivals([_only_value(item) or item for score, item in ranked if best_score - score <= window])
        chosen, basis = close[0], ""
        if texts and len(close) > 1:
            weights = [self._support(c, texts, q.entry) for c in close]
            top = max(weights)
            if top > weights[0] and weights.count(top) == 1:
                chosen = close[weights.index(top)]
                basis = f"変更後の記載が本文の「{chosen.code}」の記載に当たるため"
        if q.tail and len(close) > 1 and not basis:
            # a short or cut-off 項目 that fits several items equally: guessing would misplace the row
            codes = "、".join(c.code for c in close[:4]) + (" ほか" if len(close) > 4 else "")
            return Resolution(None, best_score, q.entry, reason=f"項目「{q.text.strip()}」は様式の複数の項目（{codes}）"
                              "に当たり、変更前・変更後の記載からも決められない")
        if chosen.kind == "section":
            chosen, basis = self._narrow(chosen, texts, q.entry, basis)
        return Resolution(chosen, best_score, q.entry, basis=basis)

    def _support(self, item: Item, texts: RowTexts, entry: int | None) -> float:
        if item.is_value:
            return support(item, texts, entry)
        return max((support(v, texts, entry) for v in item.walk() if v.is_value), default=0.0)

    @staticmethod
    def _narrow(section: Item, texts: RowTexts, entry: int | None, basis: str) -> tuple[Item, str]:
        """The one value of ``section`` the imported document shows the 変更後 in, if there is one."""
        if texts.data is None or not texts:
            return section, basis
        weights = [(support(v, texts, entry), v) for v in section.walk() if v.is_value]
        top = max((w for w, _ in weights), default=0.0)
        hits = [v for w, v in weights if w == top]
        if top < INSIDE_VALUE or len(hits) != 1:
            return section, basis
        return hits[0], f"変更後の記載が本文の「{hits[0].code}」の記載に当たるため"

    def _resolve_blank(self, previous: Item | None, texts: RowTexts) -> Resolution:
        """A blank 項目: the item whose value is the 変更後, else the item of the row before.

        A blank 項目 cell is mostly a cell merged with the one above it in the published table.
        """
        hits = self._found_in_document(texts)
        if len(hits) == 1:
            return Resolution(hits[0], 0.5, basis=f"項目が空欄のため、変更後の記載がある本文の「{hits[0].code}」とした")
        if previous is not None and (not hits or previous in hits):
            return Resolution(previous, 0.5, basis="項目が空欄のため、前の行と同じ項目とした")
        if hits:
            codes = "、".join(h.code for h in hits[:4]) + (" ほか" if len(hits) > 4 else "")
            return Resolution(None, 0, reason=f"項目が空欄で、変更後の記載が本文の複数の項目（{codes}）にあるため決められない")
        return Resolution(None, 0, reason="項目が空欄で、変更前・変更後の記載からも項目を決められない")

    def _found_in_document(self, texts: RowTexts) -> list[Item]:
        """Value items whose value in the document is the row's 変更後 (whole, else containing it)."""
        if texts.data is None or not texts:
            return []
        weights = [(support(i, texts), i) for i in self.catalog.root.walk() if i.is_value]
        top = max((w for w, _ in weights), default=0.0)
        return [i for w, i in weights if w >= INSIDE_VALUE and w == top]

    def _resolve_unmatched(self, q: _Query) -> Resolution:
        if q.section is not None:
            top = next((c for c in self.catalog.root.children if _norm(c.number) == q.section), None)
            return Resolution(top, 0.5)
        return Resolution(None, 0, reason=f"項目「{q.text.strip()}」に当たる項目が{self.catalog.kind}の様式にない")


def _rivals(items: list[Item]) -> list[Item]:
    """The first item and those after it that are neither it, nor above or below it: the items a
    text could mean instead (a section and one of its values are the same answer, more or less precise)."""
    out: list[Item] = []
    for item in items:
        if all(item is not o and item not in o.ancestors and o not in item.ancestors for o in out):
            out.append(item)
    return out


def _partial_credit(label: str, flat: str) -> float:
    """A label written with typos or dropped characters."""
    if len(label) < 6:
        return 0.0
    ratio = _partial_ratio(label, flat)
    return 2 * ratio if ratio >= 0.75 else 0.0


def _tail_credit(label: str, tail: str) -> float:
    """A 項目 that ends in the beginning of an item's own ``label`` (cut off) or a part of it
    (written short): less than the whole label, and more the more of the label it covers, so that
    ``特定個人情報の保管・消`` names the section 保管・消去 rather than a longer label beginning alike."""
    if not tail:
        return 0.0
    cover = len(tail) / len(label)
    if label.startswith(tail):
        return 2 + 4 * cover
    if tail in label:
        return 1 + 3 * cover
    return 0.0


def _partial_ratio(label: str, text: str) -> float:
    """How well ``label`` matches its best window of ``text`` (typos, dropped characters)."""
    if len(text) < len(label) // 2:
        return 0.0
    m = difflib.SequenceMatcher(None, label, text, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks()) / len(label)


def _only_value(item: Item) -> Item | None:
    """A section holding exactly one value (Ⅱ-6 保管場所 in the 重点 form) stands for it."""
    if item.kind != "section":
        return None
    values = [c for c in item.children if c.is_value]
    return values[0] if len(values) == 1 and len(item.children) == 1 else None


def _shared_prefix(a: Item, b: Item) -> int:
    pa, pb = a.ancestors + [a], b.ancestors + [b]
    n = 0
    for x, y in zip(pa, pb):
        if x is not y:
            break
        n += 1
    return n


# an item typed by an officer (piadiff history) -------------------------------------------------
_ROMAN_VALUE = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}


def _number_value(number: str) -> int | None:
    """1 for Ⅰ, 1., ①; None for an item printed without a number."""
    n = _norm(number).rstrip(".")
    if n in _CIRCLED:
        return _CIRCLED.index(n) + 1
    if n in _ROMAN_VALUE:
        return _ROMAN_VALUE[n]
    return int(n) if n.isdigit() else None


def entry_groups(item: Item) -> list[Item]:
    """The repeating groups an item sits in whose entries are numbered in a 項目 (委託事項3, システム5):
    the unnumbered groups of its path; a numbered one (Ⅱ, one block per file) is not written so."""
    return [n for n in item.ancestors + [item] if n.is_group and not n.number and "{番号}" in n.title]


def entry_number(group: Item, text: str) -> int | None:
    """The entry number ``text`` writes for ``group`` (委託事項3 → 3), by the group's printed title."""
    pattern = re.escape(_norm(group.title)).replace(re.escape("{番号}"), r"\s*(\d+)")
    m = re.search(pattern, _norm(text))
    return int(m.group(1)) if m else None


def _slots(item: Item) -> list[tuple[Item, int | None]]:
    """The numbers of an item's path, in order: (node, its number), (entry group, None)."""
    out: list[tuple[Item, int | None]] = []
    groups = entry_groups(item)
    for node in item.ancestors + [item]:
        value = _number_value(node.number) if node.number else None
        if value is not None:
            out.append((node, value))
        elif node in groups:
            out.append((node, None))
    return out


def typed_name(item: Item, entries: dict[int, int] | None = None) -> str:
    """How an officer types an item: Ⅱ-4委託事項3③（委託先名）; ``entries`` gives the entry numbers
    of its groups by id (without one, the group is written without a number)."""
    entries = entries or {}
    parts: list[str] = []
    groups = entry_groups(item)
    for node in item.ancestors + [item]:
        value = _number_value(node.number) if node.number else None
        if value is not None and _norm(node.number).rstrip(".") in _ROMAN_VALUE:
            parts.append(node.number)
        elif value is not None and node.number.endswith("."):
            parts.append(f"-{value}")
        elif value is not None or (node.number and node is not item):
            parts.append(node.number)  # ③, リスク1
        elif node in groups:
            parts.append(f"{node.label or node.key}{entries.get(id(node), '')}")
        elif node is not item:
            parts.append(node.label or node.key)
    own = item.label or item.key
    if item.number and _number_value(item.number) is None:
        parts.append(item.number)
    return "".join(parts) + (f"（{own}）" if item.number or item in groups else own)


def _query_numbers(text: str) -> list[int]:
    """The numbers of a typed 項目 in order, the section first (Ⅱ or a plain 2)."""
    norm = _norm(text).strip()
    out = []
    m = _LEADING_ROMAN.match(norm)
    if m:
        out.append(_ROMAN_VALUE[m.group(1)])
        norm = norm[m.end():]
    for token in re.findall(rf"\d+|[{_CIRCLED}]", norm):
        out.append(_CIRCLED.index(token) + 1 if token in _CIRCLED else int(token))
    return out


def suggestions(catalog: Catalog, text: str, n: int = 5) -> list[str]:
    """Items a mistyped 項目 may mean, typed the way that names them (2-4-3-3 → Ⅱ-4委託事項3③（委託先名）).

    By its numbers first: items whose numbered path the numbers spell out, an entry group taking
    any number; else the items whose typed names are closest to the text."""
    numbers = _query_numbers(text)
    found: list[str] = []
    if numbers:
        for item in catalog.root.walk():
            slots = _slots(item)
            if len(slots) != len(numbers) or not slots or slots[-1][0] is not item:
                continue  # the item's own number is the last one written (not its unnumbered children)
            entries = {}
            for (node, value), number in zip(slots, numbers):
                if value is None and number >= 1:
                    entries[id(node)] = number
                elif value != number:
                    break
            else:
                found.append(typed_name(item, entries))
        if found:
            return found[:n]
    names = {typed_name(item): item for item in catalog.root.walk()}
    folded = {_squash(name): name for name in names}
    return [folded[c] for c in difflib.get_close_matches(_squash(text), list(folded), n=n, cutoff=0.5)]


def resolve_typed(catalog: Catalog, text: str) -> Resolution:
    """The item an officer typed (Ⅱ-4委託事項3③, Ⅰ-6①, or a path as the annex prints it), or a
    Resolution without an item and with the reason when the text does not name one item whole:
    a number the item's path does not have (2-4-3-3 is not Ⅰ-2) is not guessed away."""
    item = catalog.item(text.strip())
    if item is not None:
        return Resolution(item, 10.0)
    resolver = Resolver(catalog)
    resolution = resolver.resolve(text)
    if resolution.item is None:
        return resolution
    item, q = resolution.item, resolver._parse(text)
    parts = resolver._parts[id(item)]
    arabic = {number for kind, number, _ in parts if kind == "arabic"}
    circled = {number for kind, number, _ in parts if kind == "circled"}
    named = q.section is not None or any(len(label) >= 2 and label in q.flat for _, _, label in parts)
    extra = sorted(q.arabic - arabic) + sorted(q.circled - circled)
    if q.entry is not None and not entry_groups(item):
        extra.append(str(q.entry))
    if extra or not named:
        what = f"番号 {'・'.join(extra)} が近い項目「{item.code}」の番号にない" if extra else "どの節（Ⅰ、Ⅱ…）の項目か書かれていない"
        return Resolution(None, resolution.score, q.entry, reason=f"項目「{text.strip()}」は、{what}ため、どの項目か決められません")
    return resolution
