"""しきい値判断 and the procedure a 重要な変更 triggers (rules in piadiff/rules/procedure.yaml).

- :func:`required_kind`: which kind of assessment a document's 対象人数, 取扱者数 and 重大事故 call for;
- :func:`threshold_warnings`: a warning when a revision moves the task into a higher kind;
- :func:`plan`: what must be done before a revision's changes take effect, with the latest dates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .document import Document
from .errors import PiadiffError
from .wareki import to_wareki


@lru_cache(maxsize=None)
def _rules() -> dict[str, Any]:
    import yaml

    return yaml.safe_load((resources.files("piadiff") / "rules" / "procedure.yaml").read_text(encoding="utf-8"))


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
            parts.append("重大事故の発生あり（様式のⅢ-7 は過去3年の個人情報、しきい値判断は過去1年の特定個人情報について問う点に注意）")
        return "、".join(parts)


def required_kind(doc: Document) -> Threshold | None:
    """The kind the document's own answers call for; None if 対象人数 is not filled in."""
    r = _rules()
    inputs = r["inputs"]
    persons = _lower_bound(_find(doc, inputs["persons"]))
    if persons is None:
        return None
    handlers = (_lower_bound(_find(doc, inputs["handlers"])) or 0) >= int(inputs["handlers_at_least"])
    incident = _find(doc, inputs["incident"]) == inputs["incident_value"]
    flags = {"handlers": handlers, "incident": incident}
    for row in r["thresholds"]:
        if persons >= int(row["persons"]) and (not row.get("with") or any(flags[w] for w in row["with"])):
            return Threshold(row["kind"], persons, handlers, incident)
    return Threshold("", persons, handlers, incident)


def threshold_warnings(old: Document | None, new: Document) -> list[str]:
    """A warning when the new version's answers call for a higher kind than the document is."""
    order = _rules()["order"]
    now = required_kind(new)
    if now is None or not now.kind or now.kind not in order or new.kind not in order:
        return []
    before = required_kind(old) if old is not None else None
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
