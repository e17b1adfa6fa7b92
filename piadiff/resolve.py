"""Read a 項目 as bodies write it in their annexes and find the catalog item it names.

Real annexes write the same item many ways: ``II 特定個人情報ファイルの概要(4. 特定個人情報ファイル
の取扱いの委託 委託事項2 ③委託先名)``, ``Ⅱ-4委託事項2③``, ``V-1-①``, or a bare ``その内容`` under
the row before. The resolver scores every item of the form by how many parts of its printed path
(section numeral, numbers, labels, group titles) the text contains, and takes the best.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .catalog import Catalog, Item

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


@dataclass(frozen=True)
class Resolution:
    item: Item | None
    score: float
    entry: int | None = None  # the entry number written (委託事項3 → 3)

    @property
    def key(self) -> str | None:
        return self.item.code if self.item is not None else None


class Resolver:
    """Resolves free-text 項目 of one form kind. Build once, call many times."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.items = [i for i in catalog.root.walk() if i.is_value or i.is_group or _only_value(i) is None]
        self._parts = {id(i): self._path_parts(i) for i in catalog.root.walk()}

    def _path_parts(self, item: Item) -> list[tuple[str, str, str]]:
        """(kind of number, number, label) of each level below the section, the section first."""
        parts = []
        for node in item.ancestors + [item]:
            number = _norm(node.number).rstrip(".")
            kind = "circled" if number in _CIRCLED else "roman" if number in _ROMAN.values() else "arabic" if number.isdigit() else "word"
            parts.append((kind, number, _squash(node.label or node.key)))
        return parts

    def resolve(self, text: str, previous: Item | None = None) -> Resolution:
        """The item ``text`` names; ``previous`` (the item of the row before) settles bare labels."""
        norm = _norm(text).strip()
        section = None
        m = _LEADING_ROMAN.match(norm)
        if m:
            section = m.group(1)
            norm = norm[m.end():]
        flat = _squash(norm)
        if not flat and section is None:
            return Resolution(None, 0)
        circled = set(re.findall(f"[{_CIRCLED}]", norm))
        arabic = set(re.findall(r"(?<![\d第])(\d{1,2})(?![\d件人項号条])", re.sub(r"(委託事項|提供先|移転先|システム|リスク)\d+", "", norm)))
        entry = re.search(r"(?:委託事項|提供先|移転先|システム)(\d+)", norm)
        annex = re.search(r"別添(\d+)", norm)
        best: tuple[float, int, Item] | None = None
        for order, item in enumerate(self.items):
            parts = self._parts[id(item)]
            if annex:  # (別添1) items stand at the top, whatever section the text names
                if parts[0][1] != f"(別添{annex.group(1)})":
                    continue
                score = 3 + self._score(parts[:1], flat, circled, arabic)
            elif section is not None and parts[0][1] != section:
                continue
            else:
                score = self._score(parts[1:], flat, circled, arabic)
            own = parts[-1][2]
            if len(parts) > 1 and len(own) >= 2 and flat.endswith(own):
                score += 4  # the text ends with this item's own label: it names this item, not its parent
            if section is None and previous is not None:
                score += _shared_prefix(item, previous) * 0.5  # a bare label belongs near the row before
            if score <= 0:
                continue
            # on a tie the shallower item: levels that matched nothing say nothing
            if best is None or score > best[0] or (score == best[0] and len(parts) < len(self._parts[id(best[2])])):
                best = (score, order, item)
        if best is None:
            if section is not None:
                top = next((c for c in self.catalog.root.children if _norm(c.number) == section), None)
                return Resolution(top, 0.5)
            return Resolution(None, 0)
        item = _only_value(best[2]) or best[2]
        return Resolution(item, best[0], int(entry.group(1)) if entry else None)

    @staticmethod
    def _score(parts: list[tuple[str, str, str]], flat: str, circled: set[str], arabic: set[str]) -> float:
        score = 0.0
        for kind, number, label in parts:
            matched = False
            if kind == "circled" and number in circled:
                score += 2
                matched = True
            elif kind == "arabic" and number in arabic:
                score += 1.5
                matched = True
            if label and len(label) >= 2:
                if label in flat:
                    score += 2 + min(len(label), 20) / 10
                    matched = True
                elif len(label) >= 6:
                    ratio = _partial_ratio(label, flat)
                    if ratio >= 0.75:
                        score += 2 * ratio
                        matched = True
            if not matched and kind in ("circled", "arabic"):
                score -= 0.75  # the text names another number here
        return score


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
