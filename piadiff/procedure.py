"""しきい値判断 and the procedure a 重要な変更 triggers (rules in piadiff/rules/procedure.yaml).

- :func:`required_kind`: which kind of assessment a document's 対象人数 and 取扱者数 call for, with
  the しきい値判断's 重大事故 as the officer states it (the form's Ⅲ-7 asks another question);
- :func:`threshold_move`: whether one changed value moves the しきい値判断 up (a row's reason);
- :func:`threshold_warnings`: a warning when a revision moves the task into a higher kind;
- :func:`plan`: what must be done before a revision's changes take effect, with the latest dates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .compiled import load_data_file
from .errors import PiadiffError
from .wareki import to_wareki

if TYPE_CHECKING:
    from .document import Document


@lru_cache(maxsize=None)
def _rules() -> dict[str, Any]:
    return load_data_file("rules/procedure.yaml")


def _find(doc: Document, label: str) -> str | None:
    """The first value of the document whose item label contains ``label``."""
    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            for k, v in node.items():
                found = walk(v, k)
                if found is not None:
                    return found
        elif isinstance(node, list):
            for v in node:
                found = walk(v, key)
                if found is not None:
                    return found
        elif label in key and isinstance(node, str):
            return node
        return None

    return walk({k: v for k, v in doc.data.items() if k not in ("表紙", "様式")})


def _lower_bound(option: str | None) -> int | None:
    """10万人以上30万人未満 → 100000; 1,000人未満 → 0."""
    if not option:
        return None
    text = unicodedata.normalize("NFKC", option).replace(",", "")
    m = re.search(r"(\d+)(万)?人以上", text)
    if m:
        return int(m.group(1)) * (10000 if m.group(2) else 1)
    return 0 if "未満" in text else None


@dataclass(frozen=True)
class Threshold:
    kind: str  # the kind the document calls for
    persons: int | None
    handlers: bool
    incident: bool

    def describe(self) -> str:
        parts = [f"対象人数 {self.persons:,}人以上" if self.persons else "対象人数 1,000人未満"]
        if self.handlers:
            parts.append("取扱者 500人以上")
        if self.incident:
            parts.append("特定個人情報に関する重大事故の発生あり")
        return "、".join(parts)


def _kind_for(persons: int, handlers: bool, incident: bool) -> str:
    """The kind the しきい値 table calls for ("" where none is required)."""
    flags = {"handlers": handlers, "incident": incident}
    for row in _rules()["thresholds"]:
        if persons >= int(row["persons"]) and (not row.get("with") or any(flags[w] for w in row["with"])):
            return str(row["kind"])
    return ""


def required_kind(doc: Document, incident: bool = False) -> Threshold | None:
    """The kind the document's own answers call for; None if 対象人数 is not filled in.

    ``incident`` is the しきい値判断's question (a 重大事故 concerning 特定個人情報 within the period
    the 指針 sets), which the 全項目/重点 forms do not ask: the officer states it (settings.yaml
    「重大事故」). The form's Ⅲ-7 (個人情報, past three years) is a different question and is not read.
    """
    inputs = _rules()["inputs"]
    persons = _lower_bound(_find(doc, inputs["persons"]))
    if persons is None:
        return None
    handlers = (_lower_bound(_find(doc, inputs["handlers"])) or 0) >= int(inputs["handlers_at_least"])
    return Threshold(_kind_for(persons, handlers, incident), persons, handlers, incident)


def _rank(kind: str) -> int:
    order = _rules()["order"]
    return order.index(kind) + 1 if kind in order else 0


def _result_kind(text: str) -> str:
    """The kind a しきい値判断結果 makes mandatory: 基礎項目評価及び全項目評価の実施が義務付けられる → 全項目評価書."""
    mandatory = unicodedata.normalize("NFKC", text).split("の実施が義務付けられる")[0]
    if mandatory == unicodedata.normalize("NFKC", text):
        return ""  # 義務付けられない
    for kind in reversed(_rules()["order"]):
        if kind.removesuffix("書") in mandatory:
            return kind
    return ""


def threshold_move(label: str, before: str, after: str) -> str | None:
    """"up" where a changed value of one しきい値 input can call for a higher kind of assessment.

    One row alone does not show the other inputs, so a change counts as moving up when it does
    so for some value of them: 対象人数 crossing a line of the table, 使用者数 reaching 500人以上,
    the しきい値判断結果 itself naming a higher kind.
    """
    inputs = _rules()["inputs"]
    if inputs["result"] in label:
        return "up" if _rank(_result_kind(after)) > _rank(_result_kind(before)) else None
    if inputs["persons"] in label:
        old, new = _lower_bound(before), _lower_bound(after)
        if old is None or new is None:
            return None
        moved = any(_rank(_kind_for(new, h, i)) > _rank(_kind_for(old, h, i)) for h in (False, True) for i in (False, True))
        return "up" if moved else None
    if inputs["handlers"] in label:
        least = int(inputs["handlers_at_least"])
        old, new = _lower_bound(before), _lower_bound(after)
        return "up" if old is not None and new is not None and old < least <= new else None
    return None


def threshold_warnings(old: Document | None, new: Document, incident: bool = False) -> list[str]:
    """A warning when the new version's answers call for a higher kind than the document is."""
    order = _rules()["order"]
    now = required_kind(new, incident)
    if now is None or not now.kind or now.kind not in order or new.kind not in order:
        return []
    before = required_kind(old, incident) if old is not None else None
    if order.index(now.kind) > order.index(new.kind) and (before is None or before.kind != now.kind):
        return [f"しきい値判断: {now.describe()} のため {now.kind} が必要です（いまは {new.kind}）。"
                f"重要な変更として、{now.kind}による評価を変更の前に実施してください。"]
    return []


@dataclass(frozen=True)
class Step:
    name: str
    days: int
    note: str
    start: dt.date  # latest start so that it ends before the next step
    end: dt.date


def plan(kind: str, effective: dt.date, body: str = "local") -> list[Step]:
    """The steps to finish before ``effective``, each with the latest day it can start.

    Computed backwards from the day before the effective date, with the durations of the rule
    file (typical figures, to be adjusted by the body).
    """
    steps = _rules()["steps"].get(kind, {}).get(body)
    if steps is None:
        raise PiadiffError(f"{kind} の手続（{body}）は登録されていません（local: 地方公共団体等 / national: 行政機関等）")
    out: list[Step] = []
    end = effective - dt.timedelta(days=1)
    for s in reversed(steps):
        start = end - dt.timedelta(days=int(s["days"]) - 1)
        out.append(Step(s["name"], int(s["days"]), s.get("note", ""), start, end))
        end = start - dt.timedelta(days=1)
    return list(reversed(out))


def format_plan(kind: str, effective: dt.date, steps: list[Step], significant: int, violations: list[str]) -> str:
    lines = [f"{kind}: 施行日 {to_wareki(effective)} の前に終えること（重要な変更 {significant} 件）"]
    for s in steps:
        note = f"（{s.note}）" if s.note else ""
        lines.append(f"  {s.name}{note}: 遅くとも {to_wareki(s.start)} に始め、{to_wareki(s.end)} までに終える（目安 {s.days} 日）")
    lines += [f"  ⚠ {v}" for v in violations]
    return "\n".join(lines) + "\n"
