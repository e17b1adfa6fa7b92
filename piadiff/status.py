"""What is due: the annual review and the 5-year re-assessment of every assessment in a store.

- annual review (努力義務): 12 months after the last 変更日;
- re-assessment (規則第15条, 努力義務): 5 years after the last assessment procedure, read from the
  latest dates of section Ⅴ/Ⅵ 評価実施手続 (基礎項目評価の実施日, 第三者点検の実施日, …).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .store import AssessmentSummary

ANNUAL = 12  # months
REASSESS = 5  # years
NEAR = 6  # months before the 5 years are up: "near"


def add_months(date: dt.date, months: int) -> dt.date:
    y, m = divmod(date.month - 1 + months, 12)
    year, month = date.year + y, m + 1
    import calendar

    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Status:
    summary: AssessmentSummary
    review_due: dt.date
    review_late: bool
    assessed_on: dt.date | None
    reassess_due: dt.date | None
    reassess_near: bool
    reassess_late: bool


def store_status(store, today: dt.date | None = None) -> list[Status]:
    """Every assessment with what is due, from one pass over the history."""
    today = today or dt.date.today()
    out = []
    for s in store.summaries():
        review = add_months(s.latest.change_date, ANNUAL)
        assessed = s.latest.assessed_on if s.latest.assessed_known else _assessed_on(store, s)
        due = add_months(assessed, REASSESS * 12) if assessed else None
        out.append(Status(s, review, today > review, assessed, due,
                          bool(due and add_months(due, -NEAR) <= today <= due), bool(due and today > due)))
    return out


def assessed_on(data: dict) -> dt.date | None:
    """The latest date under 評価実施手続 in a document's data."""
    dates: list[dt.date] = []

    def walk(node, inside: bool) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, inside or "評価実施手続" in k)
        elif isinstance(node, list):
            for v in node:
                walk(v, inside)
        elif inside and isinstance(node, str):
            try:
                dates.append(dt.date.fromisoformat(node))
            except ValueError:
                pass

    walk(data, False)
    return max(dates) if dates else None


def _assessed_on(store, summary: AssessmentSummary) -> dt.date | None:
    return assessed_on(store.read(summary.latest).data)  # versions recorded before the trailer existed
