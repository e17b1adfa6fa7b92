"""Form catalogs: the items of each kind of assessment, read from data files.

A catalog file (``piadiff/catalogs/*.yaml``) lists every item of one form kind as a tree. This
module turns it into :class:`Item` objects and answers questions about them; it holds no
knowledge of any particular item itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator

from .errors import UnknownFormError

#: kinds of value an item can hold
VALUE_KINDS = ("text", "date", "choice", "checkbox", "count")
CONTAINER_KINDS = ("section", "group")

#: fields every repeating-group entry may carry besides its catalog items
ENTRY_NUMBER = "番号"
ENTRY_IDENTITY = "識別名"

_NUMBER = re.compile(
    r"^(?:(?P<roman>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ])\s"
    r"|(?P<annex>\(別添\d+\))"
    r"|(?P<arabic>\d+)\.\s?"
    r"|(?P<circled>[①-⑳])"
    r"|(?P<risk>リスク\d*)[:：])"
)


def fold(text: str) -> str:
    """The form of a name used to match what a user typed against the catalog.

    NFKC turns ① into 1 and full-width letters into ASCII; spaces and the dot after a number do
    not count. Only for matching: stored names are always the catalog's own.
    """
    text = unicodedata.normalize("NFKC", str(text))
    return re.sub(r"[\s.:：、]", "", text)


@dataclass(eq=False)  # items are compared by identity: blocks built from one YAML anchor look alike
class Item:
    """One item of a form: a section, a repeating group or a value."""

    key: str
    kind: str
    number: str = ""
    label: str = ""
    significant: bool = False
    options: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()
    required: bool = False
    identity: str = ""
    title: str = ""
    max: int | None = None
    children: list["Item"] = field(default_factory=list)
    parent: "Item | None" = field(default=None, repr=False, compare=False)
    _aliases: dict[str, "Item"] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_value(self) -> bool:
        return self.kind in VALUE_KINDS

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    @property
    def ancestors(self) -> list["Item"]:
        """Items above this one, outermost first (the cover and root excluded)."""
        chain: list[Item] = []
        node = self.parent
        while node is not None and node.parent is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    @property
    def code(self) -> str:
        """The printed number path, e.g. ``Ⅱ-3-①``; unnumbered items add their label."""
        parts = [a.number or a.label for a in self.ancestors] + [self.number or self.label]
        return "-".join(p.rstrip(".") for p in parts)

    def child(self, name: str) -> "Item | None":
        """The child called ``name``: its key, its number or its label, loosely matched."""
        return self._aliases.get(fold(name))

    def walk(self) -> Iterator["Item"]:
        for c in self.children:
            yield c
            yield from c.walk()

    def accepts(self, option: str) -> bool:
        return option in self.options or option in self.also

    def nearest_option(self, text: str) -> str | None:
        """The option ``text`` names in other words (another edition's wording, a typo), if one is clearly it.

        The closest option must be close (similarity ≥ 0.75) and clearly closer than the next one
        (by 0.15), so that 十分にしていない reads as 十分に行っていない and never as 十分に行っている.
        """
        import difflib  # only for the rare misspelt option; not on every start

        want = fold(text)
        if len(want) < 3:
            return None
        scored = sorted(((difflib.SequenceMatcher(None, want, fold(o), autojunk=False).ratio(), o)
                         for o in self.options + self.also), reverse=True)
        if not scored:
            return None
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        best, option = scored[0]
        if best < 0.75 or best - runner_up < 0.15:
            return None
        return option  # an option, or an accepted wording of one (also)


@dataclass
class Catalog:
    """All items of one form kind."""

    kind: str
    title: str
    cover: Item
    root: Item
    source: str

    def item(self, code: str) -> Item | None:
        """Find an item by its printed code (``Ⅱ-3-①``)."""
        for it in self.root.walk():
            if it.code == code:
                return it
        return None


def _index_aliases(node: Item) -> None:
    """Let a child be named by its key, its number alone or its label alone, if unambiguous."""
    seen: dict[str, list[Item]] = {}
    for c in node.children:
        for name in {c.key, c.number, c.label} - {""}:
            seen.setdefault(fold(name), []).append(c)
    for name, items in seen.items():
        unique = {id(i): i for i in items}
        if len(unique) == 1:
            node._aliases[name] = items[0]
    for c in node.children:  # a key always wins over another item's number or label
        node._aliases[fold(c.key)] = c


def _split_number(key: str) -> tuple[str, str]:
    m = _NUMBER.match(key)
    if not m:
        return "", key
    num = next(v for v in m.groupdict().values() if v)
    if m.group("arabic"):
        num += "."
    return num, key[m.end():].strip()


def _build(spec: dict, parent: Item | None, inherited: bool) -> Item:
    key = str(spec["key"])
    number, label = _split_number(key)
    kind = spec.get("kind") or ("section" if "children" in spec else "text")
    if kind not in VALUE_KINDS + CONTAINER_KINDS:
        raise ValueError(f"catalog item {key!r}: unknown kind {kind!r}")
    significant = bool(spec.get("significant", inherited))
    item = Item(
        key=key,
        kind=kind,
        number=str(spec.get("number", number)),
        label=str(spec.get("label", label)),
        significant=significant,
        options=tuple(str(o) for o in spec.get("options", ())),
        also=tuple(str(o) for o in spec.get("also", ())),
        detail=tuple(str(o) for o in spec.get("detail", ())),
        required=bool(spec.get("required", False)),
        identity=str(spec.get("identity", "")),
        title=str(spec.get("title", "")),
        max=spec.get("max"),
        parent=parent,
    )
    item.children = [_build(c, item, significant) for c in spec.get("children", ())]
    _index_aliases(item)
    if item.is_group and item.child(item.identity) is None:
        raise ValueError(f"catalog group {key!r}: identity {item.identity!r} is not one of its items")
    return item


def parse_catalog(data: dict, source: str = "") -> Catalog:
    """Build a :class:`Catalog` from the parsed content of a catalog file."""
    root = Item(key="", kind="section")
    root.children = [_build(s, root, False) for s in data["items"]]
    _index_aliases(root)
    cover = Item(key="表紙", kind="section")
    cover.children = [_build(s, None, False) for s in data["cover"]]
    _index_aliases(cover)
    return Catalog(kind=str(data["kind"]), title=str(data.get("title", "")), cover=cover, root=root, source=source)


#: form kinds piadiff knows, and the catalog file of each
CATALOG_FILES = {"全項目評価書": "zenkomoku.yaml", "重点項目評価書": "juten.yaml"}
#: kinds that exist but whose structure piadiff has no catalog for yet
UNSUPPORTED_KINDS = {"基礎項目評価書": "基礎項目評価書にはまだ対応していません（様式を確認できていないため）。全項目評価書か重点項目評価書を指定してください"}


def kind_name(kind: str) -> str:
    """The official name of a form kind, accepting short forms (全項目, 重点)."""
    folded = fold(kind)
    for name in list(CATALOG_FILES) + list(UNSUPPORTED_KINDS):
        if folded in (fold(name), fold(name.removesuffix("評価書")), fold(name.removesuffix("項目評価書"))):
            return name
    return str(kind)


def load_catalog(kind: str) -> Catalog:
    """The catalog of a form kind (全項目評価書 / 重点項目評価書, or 全項目 / 重点); read once per process."""
    return _load_catalog(kind_name(kind))


@lru_cache(maxsize=None)
def _load_catalog(name: str) -> Catalog:
    from .compiled import load_data_file

    if name in UNSUPPORTED_KINDS:
        raise UnknownFormError(UNSUPPORTED_KINDS[name])
    if name not in CATALOG_FILES:
        allowed = "、".join(CATALOG_FILES)
        raise UnknownFormError(f"様式「{name}」は知りません（使えるもの: {allowed}）")
    data = load_data_file(f"catalogs/{CATALOG_FILES[name]}")  # parsed once, then read from the cache
    return parse_catalog(data, source=CATALOG_FILES[name])


def known_kinds() -> list[str]:
    return list(CATALOG_FILES)
