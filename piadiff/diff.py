"""Item-by-item differences between two versions of one assessment.

Repeating groups are matched by their identity (their name), so adding 委託事項3 does not look like
a change to every group after it; an entry whose name changed but kept its printed number is the
same entry renamed. deepdiff finds what differs; this module turns its paths into changes of form
items. It knows nothing of 事前/事後 or of how rows are printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterator

from .catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Catalog, Item
from .document import COVER_KEY, KIND_KEY, NOTES_KEY, Document


class ChangeKind(str, Enum):
    ADDED = "added"  # a value or a group entry that was not there
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"  # a group entry whose printed number changed (委託事項3 → 委託事項2)


@dataclass(frozen=True)
class Step:
    """One level of a change's location: a catalog item, and for a group entry its title."""

    item: Item
    entry: str | None = None  # 委託事項2 (the printed title of a group entry)
    identity: str | None = None
    siblings: int = 0  # how many entries the group has (a lone 特定個人情報ファイル needs no title)


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    item: Item  # the value item, or the group item when a whole entry changed
    steps: tuple[Step, ...]
    before: Any = None  # canonical value, or the entry's dict for whole entries
    after: Any = None

    @property
    def whole_entry(self) -> bool:
        return self.item.is_group

    @property
    def key(self) -> str:
        """A stable name of the changed place: item keys with entry identities in [ ]."""
        return "/".join(s.item.key + (f"[{s.identity}]" if s.identity else "") for s in self.steps)


def entry_title(group: Item, number: int) -> str:
    return group.title.replace("{番号}", str(number)) if group.title else f"{group.key}{number}"


def entry_identity(group: Item, entry: dict) -> str:
    return str(entry.get(ENTRY_IDENTITY) or entry.get(group.identity) or "")


# aligning: groups become mappings keyed by identity, renamed entries keyed as before ---------------
def _align_section(node: Item, old: dict | None, new: dict | None) -> tuple[dict, dict]:
    old, new = old or {}, new or {}
    a, b = {}, {}
    for child in node.children:
        o, n = old.get(child.key), new.get(child.key)
        if o is None and n is None:
            continue
        if child.is_group:
            o, n = _align_group(child, o or [], n or [])
        elif child.kind == "section":
            o, n = _align_section(child, o, n) if o is not None and n is not None else (_keyed(child, o), _keyed(child, n))
        if o is not None:
            a[child.key] = o
        if n is not None:
            b[child.key] = n
    return a, b


def _align_group(group: Item, old: list[dict], new: list[dict]) -> tuple[dict, dict]:
    olds = {entry_identity(group, e): e for e in old}
    news = {entry_identity(group, e): e for e in new}
    # an entry renamed in place keeps its printed number: its old name went, a new one came
    gone = {e[ENTRY_NUMBER]: k for k, e in olds.items() if k not in news}
    match = {}  # new identity -> old identity
    for k, e in news.items():
        if k in olds:
            match[k] = k
        elif e[ENTRY_NUMBER] in gone:
            match[k] = gone.pop(e[ENTRY_NUMBER])
    a = {k: _keyed_entry(group, e) for k, e in olds.items() if k not in match.values()}
    b = {}
    for k, e in news.items():
        if k in match:  # keyed by the old name on both sides, so deepdiff compares the two
            a[match[k]], b[match[k]] = _align_entry(group, olds[match[k]], e)
        else:
            b[k] = _keyed_entry(group, e)
    return a, b


def _align_entry(group: Item, old: dict, new: dict) -> tuple[dict, dict]:
    a, b = _align_section(group, old, new)
    for side, src in ((a, old), (b, new)):
        side[ENTRY_NUMBER] = src[ENTRY_NUMBER]
        side[ENTRY_IDENTITY] = entry_identity(group, src)
    return a, b


def _keyed_entry(group: Item, entry: dict) -> dict:
    out = _keyed(group, entry) or {}
    out[ENTRY_NUMBER] = entry[ENTRY_NUMBER]
    out[ENTRY_IDENTITY] = entry_identity(group, entry)
    return out


def _keyed(node: Item, data: Any) -> Any:
    if data is None:
        return None
    a, _ = _align_section(node, data, data)
    return a


# mapping deepdiff's paths back to form items ----------------------------------------------------
def _locate(root: Item, a: dict, b: dict, path: list) -> tuple[str, tuple[Step, ...]] | None:
    """Walk ``path`` down the catalog: what kind of place it ends at, and the steps to it."""
    steps: list[Step] = []
    node, sa, sb, i = root, a, b, 0
    while i < len(path):
        child = next((c for c in node.children if c.key == path[i]), None)
        if child is None:
            return None
        steps.append(Step(child))
        sa, sb, i = (sa or {}).get(child.key), (sb or {}).get(child.key), i + 1
        if child.is_value:
            return "value", tuple(steps)
        if child.is_group and i < len(path):
            ident = path[i]
            ea, eb = (sa or {}).get(ident), (sb or {}).get(ident)
            count = max(len(sa or {}), len(sb or {}))
            steps[-1] = Step(child, entry_title(child, (eb or ea)[ENTRY_NUMBER]), ident, count)
            i += 1
            if i == len(path) or ea is None or eb is None:
                return "entry", tuple(steps)
            if path[i] == ENTRY_NUMBER:
                return "moved", tuple(steps)
            if path[i] == ENTRY_IDENTITY:
                return None  # piadiff's own name for the entry; not printed on the form
            sa, sb = ea, eb
        node = child
    return "section", tuple(steps)


def _get(tree: Any, steps: tuple[Step, ...]) -> Any:
    node = tree
    for s in steps:
        if node is None:
            return None
        node = node.get(s.item.key)
        if s.identity is not None and node is not None:
            node = node.get(s.identity)
    return node


def _leaves(node: Item, data: dict, steps: tuple[Step, ...]) -> Iterator[tuple[Item, tuple[Step, ...], Any]]:
    """Every value and group entry below a section or group, in form order."""
    if node.is_group:
        for ident, entry in sorted(data.items(), key=lambda kv: kv[1][ENTRY_NUMBER]):
            yield node, steps[:-1] + (Step(node, entry_title(node, entry[ENTRY_NUMBER]), ident, len(data)),), entry
        return
    for child in node.children:
        value = data.get(child.key)
        if value is None:
            continue
        here = steps + (Step(child),)
        if child.is_value:
            yield child, here, value
        else:
            yield from _leaves(child, value, here)


def _order(catalog: Catalog, steps: tuple[Step, ...], a: dict, b: dict) -> tuple:
    """Sort key: form order, then printed numbers of entries."""
    key: list = []
    node = catalog.root
    for s in steps:
        key.append(node.children.index(s.item) if s.item in node.children else 0)
        if s.identity is not None:
            entry = _get(b, steps[: steps.index(s) + 1]) or _get(a, steps[: steps.index(s) + 1]) or {}
            key.append(entry.get(ENTRY_NUMBER, 0))
        node = s.item
    return tuple(key)


def _prune(a: Any, b: Any) -> tuple[Any, Any]:
    """Drop what is equal on both sides: a plain ``==`` is far cheaper than deepdiff walking it."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a, b
    pa, pb = {}, {}
    for k in a.keys() | b.keys():
        if k in a and k in b:
            if a[k] != b[k]:
                pa[k], pb[k] = _prune(a[k], b[k])
        elif k in a:
            pa[k] = a[k]
        else:
            pb[k] = b[k]
    return pa, pb


def diff(old: Document, new: Document) -> list[Change]:
    """The changes from ``old`` to ``new`` (two versions of one assessment), in form order.

    The cover (表紙) and notes are not items of the form's body and are left out.
    """
    from deepdiff import DeepDiff

    catalog = new.catalog
    body = lambda d: {k: v for k, v in d.data.items() if k not in (KIND_KEY, COVER_KEY, NOTES_KEY)}  # noqa: E731
    a, b = _align_section(catalog.root, body(old), body(new))
    found = DeepDiff(*_prune(a, b), view="tree", verbose_level=2, threshold_to_diff_deeper=0)
    places: dict[str, tuple[str, tuple[Step, ...]]] = {}
    for levels in found.values():
        for level in levels:
            where = _locate(catalog.root, a, b, level.path(output_format="list"))
            if where is None:
                continue
            kind, steps = where
            name = "/".join(f"{s.item.key}[{s.identity}]" for s in steps)
            places.setdefault(name, (kind, steps))

    changes: list[Change] = []
    for kind, steps in places.values():
        if kind == "section":  # a whole section appeared or went: one change per value inside
            before, after = _get(a, steps), _get(b, steps)
            for item, sub, value in _leaves(steps[-1].item, before or after, steps):
                changes.append(_change(item, sub, None if before is None else value, None if after is None else value))
            continue
        before, after = _get(a, steps), _get(b, steps)
        if kind == "moved":
            changes.append(Change(ChangeKind.MOVED, steps[-1].item, steps,
                                  entry_title(steps[-1].item, before[ENTRY_NUMBER]), entry_title(steps[-1].item, after[ENTRY_NUMBER])))
            continue
        changes.append(_change(steps[-1].item, steps, before, after))
    changes.sort(key=lambda c: _order(catalog, c.steps, a, b))
    return changes


def _change(item: Item, steps: tuple[Step, ...], before: Any, after: Any) -> Change:
    if before is None:
        return Change(ChangeKind.ADDED, item, steps, None, after)
    if after is None:
        return Change(ChangeKind.REMOVED, item, steps, before, None)
    return Change(ChangeKind.CHANGED, item, steps, before, after)
