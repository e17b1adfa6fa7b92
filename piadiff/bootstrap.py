"""Rebuild the version before an imported document from its newest annex batch.

Real annex rows quote what an item said before and after. Where they quote whole texts (or exact
fragments), putting 変更前 back where 変更後 stands undoes the row; what was (新規) or 右記を追記 is
removed, what was 削除 is restored. Rows that describe instead of quoting, or whose text cannot be
found, cannot be undone: they are reported with the reason.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from .catalog import ENTRY_NUMBER, Item
from .classify import facts_kind, load_rules
from .document import Document, normalize
from .legacy import read_rows
from .wareki import parse_date


@dataclass(frozen=True)
class Undo:
    row: dict[str, Any]
    done: bool
    why: str = ""  # why not, or what was done


def _container(data: dict, item: Item, entry: int | None) -> tuple[dict, str] | None:
    """The dict holding ``item``'s value in the document, and its key.

    The one 特定個人情報ファイル is taken as it is; an inner group entry (委託事項3) by its number.
    """
    node: Any = data
    path = item.ancestors + [item]
    for i, step in enumerate(path):
        if i == len(path) - 1:
            return (node, step.key) if isinstance(node, dict) else None
        node = node.get(step.key) if isinstance(node, dict) else None
        if node is None:
            return None
        if step.is_group:
            top = step.ancestors == []
            hit = node if top and len(node) == 1 else [e for e in node if not top and e.get(ENTRY_NUMBER) == entry]
            if len(hit) != 1:
                return None
            node = hit[0]
    return None


def _places(data: Any, node: Item, under: Item) -> list[tuple[dict, str]]:
    """Every (holder, key) of a text value of ``under`` (or below it), in every group entry."""
    out: list[tuple[dict, str]] = []
    if not isinstance(data, dict):
        return out
    for child in node.children:
        value = data.get(child.key)
        if value is None:
            continue
        inside = child is under or under in child.ancestors
        if child.is_value:
            if inside and isinstance(value, str) and child.kind == "text":  # short choices would match anywhere
                out.append((data, child.key))
        elif child.is_group:
            for entry in value:
                out += _places(entry, child, under if not inside else child)
        else:
            out += _places(value, child, under if not inside else child)
    return out


def _squash(text: str) -> str:
    return _loose(text)[0]


def _loose(text: str) -> tuple[str, list[int]]:
    """The text without spaces, line breaks and list bullets, with where each kept character was.

    Annex rows quote texts with whitespace folded and bullets dropped; the body keeps them.
    """
    kept, where = [], []
    line_start = True
    for i, c in enumerate(text):
        if c.isspace():
            line_start = line_start or c == "\n"
            continue
        if line_start and c == "-" and i + 1 < len(text) and text[i + 1] == " ":
            continue
        line_start = False
        kept.append(c)
        where.append(i)
    return "".join(kept), where


def _find(current: str, fragment: str) -> tuple[int, int] | None:
    """The span of ``current`` that ``fragment`` quotes, whitespace and bullets aside (first match)."""
    if not fragment.strip():
        return None
    if fragment in current:
        start = current.index(fragment)
        return start, start + len(fragment)
    flat, where = _loose(current)
    want = _squash(fragment)
    at = flat.find(want) if want else -1
    if at < 0:
        return None
    return where[at], where[at + len(want) - 1] + 1


def undo_batch(document: Document, rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Undo]]:
    """The previous version's data (not yet validated) and what happened to each row."""
    data = copy.deepcopy(document.data)
    read = read_rows({**r, "assessment_type": document.kind, "seed": "newest"} for r in rows)
    blanks = load_rules().patterns.get("blank", [])
    results: list[Undo] = []
    for r in read:
        item, raw = r.resolution.item, r.raw
        before, after = str(raw.get("before", "")), str(raw.get("after", ""))
        if item is None:
            results.append(Undo(raw, False, "項目を様式の項目に解決できない"))
            continue
        if "(省略)" in before + after or "（省略）" in before + after or "(略)" in before + after:
            before, after = (re.split(r"[(（]省?略[)）]", t) for t in (before, after))
            before, after = max(before, key=len).strip(), max(after, key=len).strip()
        if item.is_group:
            entries_at = _container(data, item, None)
            group = entries_at[0].get(entries_at[1]) if entries_at else None
            number = r.resolution.entry
            if facts_kind(before, after) == "added" and isinstance(group, list) and number is not None:
                kept = [e for e in group if e.get(ENTRY_NUMBER) != number]
                if len(kept) == len(group) - 1:
                    entries_at[0][entries_at[1]] = kept
                    results.append(Undo(raw, True, f"{item.key}{number} を取り除いた"))
                    continue
            results.append(Undo(raw, False, "繰り返し項目の一件全体を元に戻せない（追加以外、または番号が分からない）"))
            continue
        holder = _container(data, item, r.resolution.entry) if item.is_value else None
        quote = re.sub(r"^【追加】\s*", "", after).strip() if facts_kind(before, after) == "added" else after
        misquoted = holder is not None and item.kind == "text" and _find(str(holder[0].get(holder[1]) or ""), quote) is None
        named_entry_missing = holder is None and item.is_value and r.resolution.entry is not None
        if named_entry_missing:
            results.append(Undo(raw, False, "繰り返し項目のその番号の一件が本文にない"))
            continue
        if holder is None or misquoted:
            # the 項目 names a section, or an item of a group without saying which entry (or the
            # wrong one): the quoted text itself says where, if it stands in exactly one place
            places = [p for p in _places(data, _root(item), item) if _find(p[0][p[1]], quote)]
            if len(places) != 1:
                why = "引用された変更後の文言が本文にない（要約・抜粋して書かれている）" if not places else \
                    "引用された変更後の文言が本文の複数の箇所にあり、どれか決まらない"
                results.append(Undo(raw, False, why))
                continue
            holder = places[0]
        node, key = holder
        current = node.get(key)
        kind = facts_kind(before, after)
        if item.kind == "date":
            try:
                node[key] = parse_date(before).isoformat()
                results.append(Undo(raw, True, "日付を戻した"))
            except Exception:
                results.append(Undo(raw, False, "変更前の日付が読めない"))
            continue
        if not isinstance(current, str):
            results.append(Undo(raw, False, "選択肢・チェック項目・件数の記載からは元の値を決められない"))
            continue
        if after.strip() in ("削除", "(削除)"):
            results.append(Undo(raw, False, "削除された項目は本文にないので戻す場所が分からない"))
            continue
        span = _find(current, quote)
        if span is None:
            results.append(Undo(raw, False, "引用された変更後の文言が本文にない（要約・抜粋して書かれている）"))
            continue
        restored = "" if kind == "added" and before.strip() in blanks else before
        node[key] = (current[:span[0]] + restored + current[span[1]:]).strip() or None
        results.append(Undo(raw, True, "追記された部分を取り除いた" if not restored else "変更後の記載を変更前に戻した"))
    return data, results


def _root(item: Item) -> Item:
    while item.parent is not None:
        item = item.parent
    return item


def previous_version(document: Document, rows: list[dict[str, Any]], date_iso: str) -> tuple[Document, list[Undo]]:
    """The rebuilt previous version, with 公表日 set to the previous batch's date."""
    data, results = undo_batch(document, rows)
    data = _prune(data)
    if date_iso:
        data["表紙"]["公表日"] = date_iso
    return normalize(data, "一つ前の版（再構成）"), results


def _prune(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _prune(v) for k, v in node.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(node, list):
        return [_prune(v) for v in node]
    return node
