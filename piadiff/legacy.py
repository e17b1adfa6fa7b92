"""Annex rows written by a body (its existing 変更箇所 table) read as facts piadiff can judge.

Each row's 項目 is free text; :class:`~piadiff.resolve.Resolver` finds the catalog item. Rows are
grouped into revisions by document and 変更日, in the order given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .catalog import Item, kind_name, load_catalog
from . import limits
from .classify import LOW, Decision, Facts, Habits, decide_revision, facts_kind, learn_habits, load_rules, was_empty
from .procedure import threshold_move
from .errors import InputError
from .resolve import Resolution, Resolver


@dataclass(frozen=True)
class LegacyRow:
    """One row as a body wrote it, with what piadiff reads from it."""

    raw: dict[str, Any]
    resolution: Resolution
    facts: Facts


def read_rows_file(path: Path) -> list[dict[str, Any]]:
    """The rows of a file for ``classify --rows`` (one JSON object a line), each checked where it
    enters: the file's size, the number of rows, every value as a document's (length, digits,
    surrogates, keys written twice) and the 項目's length, each refusal naming its line."""
    from .load import decode, parse_json_line, read_bytes

    text = decode(read_bytes(path, limits.ROWS_BYTES), str(path))
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(rows) == limits.ROWS:
            raise InputError(f"{path}:{n}: 行が多すぎます（一度に {limits.ROWS:,} 行まで。ファイルを分けてください）")
        row = parse_json_line(line, str(path), n)
        if not isinstance(row, dict) or "item" not in row:
            raise InputError(f"{path}:{n}: 行には item（項目）、before、after、date_iso を書いてください")
        item = row["item"] if isinstance(row["item"], str) else ""
        if len(item) > limits.ITEM_CHARS:
            raise InputError(f"{path}:{n}: item（項目）が {len(item):,} 文字あります（{limits.ITEM_CHARS} 文字まで）")
        rows.append(row)
    return rows


def _in_group(item: Item | None) -> bool:
    return item is not None and (item.is_group or any(a.is_group and a.parent is not None and a.parent.parent is not None for a in item.ancestors))


def read_rows(rows: Iterable[dict[str, Any]], document: Any = None) -> list[LegacyRow]:
    """Resolve each row's 項目 and read what kind of change it records.

    ``document`` (the imported document the rows were published with, or its data) lets a 項目
    written short, cut off or blank be placed by where its 変更後 stands.
    """
    resolvers: dict[str, Resolver] = {}
    previous: dict[str, Item | None] = {}
    ruleset = load_rules()
    out = []
    for raw in rows:
        kind = kind_name(str(raw.get("assessment_type") or "重点項目評価書"))
        resolver = resolvers.get(kind) or resolvers.setdefault(kind, Resolver(load_catalog(kind)))
        doc = str(raw.get("seed", ""))
        before, after = str(raw.get("before") or ""), str(raw.get("after") or "")
        res = resolver.resolve(str(raw.get("item", "")), previous.get(doc), before=before, after=after, document=document)
        if res.item is not None:
            previous[doc] = res.item
        change = facts_kind(before, after, ruleset)
        entry = None
        if _in_group(res.item) and change == "added" and was_empty(before, ruleset):
            entry = "added"
        elif _in_group(res.item) and change == "removed":
            entry = "removed"
        label = (res.item.label or res.item.key) if res.item is not None else ""
        out.append(LegacyRow(raw, res, Facts(res.item, change, before, after, entry, threshold_move(label, before, after))))
    return out


def revisions(rows: list[LegacyRow]) -> list[tuple[tuple[str, str], list[int]]]:
    """(document, 変更日) → indexes of its rows, in order of first appearance."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(rows):
        key = (str(r.raw.get("seed", "")), str(r.raw.get("date_iso") or r.raw.get("date_text") or ""))
        groups.setdefault(key, []).append(i)
    return list(groups.items())


def classify_rows(raw_rows: Iterable[dict[str, Any]], *, use_history: bool = True, policy: str | None = None) -> list[dict[str, Any]]:
    """Propose 提出時期 for rows in the shape of groundtruth/annex-rows.jsonl, in input order.

    With ``use_history``, rows of the same document with an earlier 変更日 in the same input teach
    the body's habits (never rows of the same or a later date).
    """
    rows = read_rows(raw_rows)
    decisions: list[Decision | None] = [None] * len(rows)
    groups = revisions(rows)
    for (doc, date), idx in groups:
        history = []
        if use_history:
            for (d2, date2), idx2 in groups:
                if d2 == doc and date2 and date and date2 < date:
                    actual = [(str(rows[i].raw.get("timing") or ""), str(rows[i].raw.get("explanation") or "")) for i in idx2]
                    if any(t for t, _ in actual):
                        history.append(([rows[i].facts for i in idx2], actual))
        habits = learn_habits(history, Habits(policy=policy) if policy else None)
        for i, d in zip(idx, decide_revision([rows[i].facts for i in idx], habits)):
            decisions[i] = d
    return [_proposal(r, d) for r, d in zip(rows, decisions)]


def _proposal(row: LegacyRow, decision: Decision | None) -> dict[str, Any]:
    assert decision is not None  # every row belongs to one revision, which decides all its rows
    out = {"timing": decision.timing.value, "reason": decision.reason, "explanation": decision.text,
           "item_key": row.resolution.key, "rule": decision.rule, "confidence": decision.confidence}
    if decision.confidence == LOW:  # the code only where there is a doubt: a 高 row has nothing to explain
        out["doubt"] = decision.doubt
    if row.resolution.reason:  # the 項目 named no single item: say why, for the officer to fix the row
        out["item_reason"] = row.resolution.reason
    return out
