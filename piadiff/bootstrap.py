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
from .classify import became_empty, facts_kind, was_empty
from .document import Document, normalize
from .evidence import flat, option_for, option_meant, ticked
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
    # the document is evidence for 項目 written short, cut off or blank: it holds each row's 変更後
    read = read_rows(({**r, "assessment_type": document.kind, "seed": "newest"} for r in rows), document=document)
    results: list[Undo] = []
    for r in read:
        item, raw = r.resolution.item, r.raw
        before, after = str(raw.get("before", "")), str(raw.get("after", ""))
        if item is None:
            results.append(Undo(raw, False, r.resolution.reason or "項目を様式の項目に解決できない"))
            continue
        if "(省略)" in before + after or "（省略）" in before + after or "(略)" in before + after:
            before, after = (re.split(r"[(（]省?略[)）]", t) for t in (before, after))
            before, after = max(before, key=len).strip(), max(after, key=len).strip()
        if item.is_group:
            results.append(_undo_entry(data, item, r.resolution.entry, before, after, raw))
            continue
        holder = _container(data, item, r.resolution.entry) if item.is_value else None
        if item.kind in ("choice", "checkbox") and holder is not None:
            undo = _undo_choice if item.kind == "choice" else _undo_ticks
            results.append(undo(item, holder, before, after, raw))
            continue
        if became_empty(after) and item.is_value:
            results.append(_undo_removal(data, item, r.resolution.entry, before, raw))
            continue
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
        span = _find(current, quote)
        if span is None:
            results.append(Undo(raw, False, "引用された変更後の文言が本文にない（要約・抜粋して書かれている）"))
            continue
        restored = "" if kind == "added" and was_empty(before) else before
        node[key] = (current[:span[0]] + restored + current[span[1]:]).strip() or None
        results.append(Undo(raw, True, "追記された部分を取り除いた" if not restored else "変更後の記載を変更前に戻した"))
    return data, results


def _undo_entry(data: dict, item: Item, number: int | None, before: str, after: str, raw: dict[str, Any]) -> Undo:
    """A whole 委託事項 / システム / 提供先 entry: an added one goes, a removed one comes back empty
    but for its name (the rows after it, naming its items, fill it in)."""
    entries_at = _container(data, item, None)
    group = entries_at[0].get(entries_at[1]) if entries_at else None
    kind = facts_kind(before, after)
    if number is None or not (isinstance(group, list) or (kind == "removed" and entries_at)):
        return Undo(raw, False, "繰り返し項目の一件全体を元に戻せない（番号が分からない）")
    group = group if isinstance(group, list) else []
    if kind == "added":
        kept = [e for e in group if e.get(ENTRY_NUMBER) != number]
        if len(kept) == len(group) - 1:
            entries_at[0][entries_at[1]] = kept
            return Undo(raw, True, f"{item.key}{number} を取り除いた")
        return Undo(raw, False, f"追加された{item.key}{number}が本文にない")
    if kind == "removed" and before.strip():
        if any(e.get(ENTRY_NUMBER) == number for e in group):
            # the form renumbers entries after a removal; which ones moved is not written anywhere
            return Undo(raw, False, f"削除された{item.key}{number}の番号が本文で別の一件に使われている")
        entry = {ENTRY_NUMBER: number, item.identity: before.strip()}
        entries_at[0][entries_at[1]] = sorted(group + [entry], key=lambda e: e.get(ENTRY_NUMBER) or 0)
        return Undo(raw, True, f"削除された{item.key}{number}を戻した")
    return Undo(raw, False, "繰り返し項目の一件全体の変更は元に戻せない（追加・削除以外）")


def _undo_removal(data: dict, item: Item, number: int | None, before: str, raw: dict[str, Any]) -> Undo:
    """A value the row says went (削除, 記載なし, －): it comes back where the form has it."""
    holder = _container(data, item, number)
    if holder is None:
        return Undo(raw, False, "削除された項目の置き場所（繰り返し項目のその番号の一件）が本文にない")
    node, key = holder
    current = node.get(key)
    if current not in (None, "", []) and not became_empty(str(current)):
        return Undo(raw, False, "削除されたはずの項目に本文で記載がある")
    if was_empty(before):
        return Undo(raw, True, "変更前も空欄だったので何もしない")
    value, why = _restored_value(item, before)
    if value is None:
        return Undo(raw, False, why)
    node[key] = value
    return Undo(raw, True, why or "削除された記載を戻した")


def _restored_value(item: Item, before: str) -> tuple[Any, str]:
    """A 変更前 as the item holds it: a text as written, a date, the option or ticks written."""
    if item.kind == "date":
        try:
            return parse_date(before).isoformat(), "日付を戻した"
        except Exception:
            return None, "変更前の日付が読めない"
    if item.kind == "choice":
        return _option_as_written(item, before)
    if item.kind == "checkbox":
        ticks = [_tick(item, label) for label in ticked(before)]
        if not ticks or any(t is None for t in ticks):
            return None, "変更前のチェック項目が様式のチェック項目に当たらない"
        return [{o: d} if d else o for o, d in ticks if o], "チェックを戻した"
    if item.kind == "count":
        digits = re.sub(r"\D", "", before)
        return (int(digits), "件数を戻した") if digits else (None, "変更前の件数が読めない")
    return before.strip(), ""


def _option_as_written(item: Item, text: str) -> tuple[str | None, str]:
    """The option a 変更前 names, kept as written when the form accepts that wording (an earlier
    edition's 十分にしている), else the catalog's option it is closest to."""
    written = _TICK_MARK.sub("", text).strip().strip("[]［］").strip()
    option = option_for(item, written)
    if option is None:
        return None, f"変更前の「{text.strip()}」が様式の選択肢にない"
    if item.accepts(written):
        return written, "選択肢を戻した"
    return option, f"選択肢を戻した（公表された「{written}」を様式の「{option}」として）"


_TICK_MARK = re.compile(r"^\s*\[\s*[○〇◯]?\s*\]\s*")


def _undo_choice(item: Item, holder: tuple[dict, str], before: str, after: str, raw: dict[str, Any]) -> Undo:
    """A choice: the 変更後 must be the option the document shows (by similarity: another
    edition's wording or a typo is the same option); the 変更前 comes back as written."""
    node, key = holder
    current = node.get(key)
    if became_empty(after):
        if current not in (None, ""):
            return Undo(raw, False, "削除されたはずの選択肢が本文で選ばれている")
    else:
        shown = option_meant(item, str(current)) if current else None
        if shown is None or option_meant(item, _TICK_MARK.sub("", after)) != shown:
            return Undo(raw, False, f"変更後の選択肢「{after.strip()}」が本文の「{current or ''}」と合わない")
    if was_empty(before):
        node[key] = None
        return Undo(raw, True, "追加された選択を取り除いた")
    value, why = _option_as_written(item, before)
    if value is None:
        return Undo(raw, False, why)
    node[key] = value
    return Undo(raw, True, why)


def _undo_ticks(item: Item, holder: tuple[dict, str], before: str, after: str, raw: dict[str, Any]) -> Undo:
    """Check boxes: boxes ticked in the 変更後 and not in the 変更前 are unticked, and the other way
    round. A placeholder 変更前 (右記を追記) means none of the 変更後's boxes was ticked."""
    node, key = holder
    now = [_tick(item, label) for label in ticked(after)]
    then = [] if was_empty(before) else [_tick(item, label) for label in ticked(before)]
    if not (now or then) or any(t is None for t in now + then):
        return Undo(raw, False, "チェック項目の記載が様式のチェック項目に当たらない")
    held = list(node.get(key) or [])
    if any(all(_held_option(v) != option for v in held) for option, _ in now):
        missing = next(o for o, _ in now if all(_held_option(v) != o for v in held))
        return Undo(raw, False, f"変更後でチェックされた「{missing}」が本文でチェックされていない")
    gone = {o for o, _ in now}
    held = [v for v in held if _held_option(v) not in gone]
    for option, detail in then:  # as the 変更前 printed it, with its ( ) text
        held = [v for v in held if _held_option(v) != option] + [{option: detail} if detail else option]
    node[key] = held or None
    return Undo(raw, True, "チェックを戻した")


def _tick(item: Item, label: str) -> tuple[str, str] | None:
    """(option, text in its ( )) of a ticked label; the option matched by similarity."""
    m = re.match(r"^(.*?)\s*[(（](.*)[)）]\s*$", label, re.S)
    name, detail = (m.group(1), m.group(2).strip()) if m else (label, "")
    option = option_for(item, name)
    if option is None:  # その他 【…】: the option's name, then its text without brackets
        option = next((o for o in item.options + item.also if flat(label).startswith(flat(o))), None)
        detail = label[len(option):].strip() if option else ""
    return (option, detail) if option else None


def _held_option(value: Any) -> str:
    return next(iter(value)) if isinstance(value, dict) else str(value)


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
