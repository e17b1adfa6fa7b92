"""提出時期: whether each change is submitted before (事前) or after (事後) it takes effect.

The rules are data (piadiff/rules/timing.yaml): the first rule whose conditions fit a change
decides its reason, and the reason gives the timing and the default explanation. A store's
settings may give each reason the body's own wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any

from .diff import Change
from .settings import Settings


class Timing(str, Enum):
    PRE = "事前"
    POST = "事後"


@dataclass(frozen=True)
class Decision:
    timing: Timing
    reason: str  # reason code, e.g. not-significant-item
    text: str  # 提出時期に係る説明
    rule: str  # id of the rule that decided


@dataclass(frozen=True)
class Reason:
    timing: Timing
    text: str


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    when: dict[str, Any]

    def fits(self, change: Change) -> bool:
        for key, want in self.when.items():
            if key == "significant" and change.item.significant is not bool(want):
                return False
            if key == "kind" and change.kind.value not in (want if isinstance(want, list) else [want]):
                return False
        return True


@dataclass(frozen=True)
class RuleSet:
    reasons: dict[str, Reason]
    rules: tuple[Rule, ...]


@lru_cache(maxsize=None)
def load_rules() -> RuleSet:
    import yaml

    text = (resources.files("piadiff") / "rules" / "timing.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    reasons = {k: Reason(Timing(v["timing"]), v.get("text") or "") for k, v in data["reasons"].items()}
    rules = tuple(Rule(r["id"], r["reason"], dict(r.get("if") or {})) for r in data["rules"])
    for r in rules:
        if r.reason not in reasons:
            raise ValueError(f"rule {r.id}: unknown reason {r.reason}")
    return RuleSet(reasons, rules)


def classify(change: Change, settings: Settings | None = None) -> Decision:
    """The proposed 提出時期 of one change, with its reason and the rule that decided."""
    ruleset = load_rules()
    rule = next(r for r in ruleset.rules if r.fits(change))
    reason = ruleset.reasons[rule.reason]
    text = (settings.explanations.get(rule.reason, reason.text) if settings else reason.text)
    return Decision(reason.timing, rule.reason, text, rule.id)
