"""しきい値判断 and the procedure a 重要な変更 triggers (rules in piadiff/rules/procedure.yaml).

- :func:`required_kind`: which kind of assessment a document's 対象人数 and 取扱者数 call for, with
  the しきい値判断's 重大事故 as the officer states it (the form's Ⅲ-7 asks another question);
- :func:`threshold_move`: whether one changed value moves the しきい値判断 up (a row's reason);
- :func:`threshold_warnings`: a warning when a revision moves the task into a higher kind;
- :func:`plan`: the steps before an effective date, counted in 暦日 or 開庁日 (Japanese holidays and
  the year-end closure), with the latest day each can start;
- :func:`revision_plan`: what a recorded revision's 重要な変更 need, with the 施行日 given or recorded
  by ``piadiff decide``, and what is already late today.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
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


# the calendar -----------------------------------------------------------------------------------
CALENDAR_DAYS = "暦日"
OPEN_DAYS = "開庁日"
_WEEKDAYS = "月火水木金土日"


@lru_cache(maxsize=64)
def _national_holidays(year: int) -> dict[dt.date, str]:
    import holidays  # only when a plan is made: not on every start

    return dict(holidays.country_holidays("JP", years=year, language="ja"))


def closed_reason(day: dt.date) -> str:
    """Why offices are closed on ``day`` (土曜日, 成人の日, 年末年始); "" on an 開庁日."""
    for period in _rules()["calendar"]["closed"]:
        start, end = (tuple(int(x) for x in str(period[k]).split("-")) for k in ("from", "to"))
        here = (day.month, day.day)
        inside = start <= here <= end if start <= end else (here >= start or here <= end)
        if inside:
            return str(period["name"])
    if day in _national_holidays(day.year):
        return _national_holidays(day.year)[day]
    return {5: "土曜日", 6: "日曜日"}.get(day.weekday(), "")


def is_open(day: dt.date) -> bool:
    """An 開庁日: not a weekend, a national holiday or a closed period of the rule file."""
    return not closed_reason(day)


def _open_on_or_before(day: dt.date) -> dt.date:
    while not is_open(day):
        day -= dt.timedelta(days=1)
    return day


def _open_on_or_after(day: dt.date) -> dt.date:
    while not is_open(day):
        day += dt.timedelta(days=1)
    return day


def _add_open_days(day: dt.date, n: int, step: int) -> dt.date:
    """The ``n``-th 開庁日 from the 開庁日 ``day`` (which counts as the first), going by ``step`` (±1)."""
    for _ in range(n - 1):
        day = day + dt.timedelta(days=step)
        while not is_open(day):
            day += dt.timedelta(days=step)
    return day


def day_text(day: dt.date) -> str:
    """令和8年1月19日（月）"""
    return f"{to_wareki(day)}（{_WEEKDAYS[day.weekday()]}）"


# the steps --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    name: str
    days: int
    note: str
    start: dt.date  # latest start so that it ends before the next step
    end: dt.date
    count: str = CALENDAR_DAYS  # 暦日 or 開庁日: how ``days`` is counted

    def closed_days(self) -> list[tuple[dt.date, str]]:
        """The days from start to end on which offices are closed, with why."""
        days = (self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1))
        return [(d, r) for d in days if (r := closed_reason(d))]

    def length(self) -> str:
        """暦日 30 日、うち閉庁日 11 日: 年末年始 6 日・土日・祝日 5 日 / 開庁日 14 日、暦日では 20 日"""
        span = (self.end - self.start).days + 1
        if self.count == OPEN_DAYS:
            return f"開庁日 {self.days} 日、暦日では {span} 日"
        closed = self.closed_days()
        if not closed:
            return f"暦日 {span} 日"
        periods = {str(p["name"]) for p in _rules()["calendar"]["closed"]}
        parts = [f"{name} {n} 日" for name in sorted(periods) if (n := sum(1 for _, r in closed if r == name))]
        rest = sum(1 for _, r in closed if r not in periods)
        parts += [f"土日・祝日 {rest} 日"] if rest else []
        return f"暦日 {span} 日、うち閉庁日 {len(closed)} 日: {'・'.join(parts)}"


def _step_specs(kind: str, body: str) -> list[dict[str, Any]]:
    steps = _rules()["steps"].get(kind, {}).get(body)
    if steps is None:
        raise PiadiffError(f"{kind} の手続（{body}）は登録されていません（local: 地方公共団体等 / national: 行政機関等）")
    return steps


def plan(kind: str, effective: dt.date, body: str = "local") -> list[Step]:
    """The steps to finish before ``effective``, each with the latest day it can start.

    Computed backwards from the day before the effective date with the durations of the rule
    file (typical figures, to be adjusted by the body). A step counted in 開庁日 counts only the
    days offices are open; one counted in 暦日 counts every day but starts and ends on an 開庁日.
    """
    out: list[Step] = []
    limit = effective - dt.timedelta(days=1)
    for s in reversed(_step_specs(kind, body)):
        days, count = int(s["days"]), str(s.get("count", CALENDAR_DAYS))
        end = _open_on_or_before(limit)
        if count == OPEN_DAYS:
            start = _add_open_days(end, days, -1)
        else:  # at least ``days`` days: an earlier start keeps the period long enough
            start = _open_on_or_before(end - dt.timedelta(days=days - 1))
        out.append(Step(s["name"], days, s.get("note", ""), start, end, count))
        limit = start - dt.timedelta(days=1)
    return list(reversed(out))


def earliest_effective(kind: str, body: str, today: dt.date) -> dt.date:
    """The earliest effective date if every step starts from ``today`` and takes its typical time."""
    cursor = today
    for s in _step_specs(kind, body):
        days, count = int(s["days"]), str(s.get("count", CALENDAR_DAYS))
        start = _open_on_or_after(cursor)
        if count == OPEN_DAYS:
            end = _add_open_days(start, days, 1)
        else:
            end = _open_on_or_after(start + dt.timedelta(days=days - 1))
        cursor = end + dt.timedelta(days=1)
    return cursor


def counting_note(steps: list[Step]) -> str:
    """Which days each step counts, in words (the plan says it under the steps)."""
    closed = "・".join(f"{p['name']}（{_month_day(p['from'])}〜{_month_day(p['to'])}）" for p in _rules()["calendar"]["closed"])
    by_count = {c: [s.name for s in steps if s.count == c] for c in (CALENDAR_DAYS, OPEN_DAYS)}
    parts = []
    if by_count[CALENDAR_DAYS]:
        parts.append(f"{'・'.join(by_count[CALENDAR_DAYS])}は暦日（土日・祝日・{closed}も数える。始める日と終える日は開庁日）")
    if by_count[OPEN_DAYS]:
        parts.append(f"{'・'.join(by_count[OPEN_DAYS])}は開庁日（土日・国民の祝日・休日と{closed}を除く）")
    return "日数の数え方: " + "、".join(parts) + "で数えます。日数は目安です（rules/procedure.yaml）。"


def _month_day(text: Any) -> str:
    month, day = (int(x) for x in str(text).split("-"))
    return f"{month}月{day}日"


# the plan of one revision -----------------------------------------------------------------------
#: reasons that make a row a 重要な変更 needing the procedure before the change
SIGNIFICANT_REASONS = ("significant-item", "risk-increase")


def _today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class RevisionPlan:
    """What one revision needs before its changes take effect (see :func:`revision_plan`)."""

    assessment_id: str
    version: str
    kind: str
    body: str
    change_date: dt.date  # 変更日 (submission and publication) of the version
    today: dt.date
    significant: list  # the AnnexRows that are 重要な変更
    effective: dt.date | None = None
    effective_source: str = ""  # 指定 (--effective) / 記録 (piadiff decide)
    steps: list[Step] = field(default_factory=list)

    def late_steps(self) -> list[Step]:
        """Steps whose latest start is before today."""
        return [s for s in self.steps if s.start < self.today]

    def warnings(self) -> list[str]:
        """What is wrong with the dates, and what to do, in Japanese."""
        if self.effective is None:
            return []
        out = []
        if self.effective <= self.change_date:
            out.append(f"施行日 {to_wareki(self.effective)} が この版の変更日（提出・公表）{to_wareki(self.change_date)} 以前です。"
                       "重要な変更は提出・公表の後に施行してください")
        redo = f"piadiff decide {self.assessment_id} {self.version} --effective 日付"
        if self.effective <= self.today:
            out.append(f"施行日 {to_wareki(self.effective)} は今日（{to_wareki(self.today)}）までに来ています。"
                       "手続を終えずに施行したのなら、速やかに評価を再実施し、個人情報保護委員会に提出・公表してください。"
                       f"施行日がまだ先なら、{redo} で記録し直してください")
            return out
        late = self.late_steps()
        if late:
            first = late[0]
            earliest = earliest_effective(self.kind, self.body, self.today)
            out.append(f"遅れ: {first.name}は遅くとも {day_text(first.start)}に始める必要がありました（今日 {day_text(self.today)}）。"
                       f"まだ始めていなければ、今日から始めても施行日 {to_wareki(self.effective)} に間に合いません"
                       f"（日数の目安どおりなら、施行日は早くとも {day_text(earliest)}）。"
                       f"施行日を延ばすなら {redo} で記録し直し、延ばせないなら日程を詰めてください")
        return out

    def _state(self, step: Step) -> str:
        if self.effective is None or self.effective <= self.today or step.start >= self.today:
            return ""
        if step.end < self.today:
            return " ⚠ 今日には終えているはずの手続です"
        return " ⚠ 今日には始めているはずの手続です"

    def text(self) -> str:
        """The plan as the terminal prints it."""
        if not self.significant:
            return f"{self.version} に重要な変更はありません。変更の後に提出しても差し支えありません（事後）。\n"
        assert self.effective is not None
        source = {"記録": "（piadiff decide で記録した施行日）"}.get(self.effective_source, "")
        lines = [f"{self.kind}: 施行日 {to_wareki(self.effective)}{source} の前に終えること（重要な変更 {len(self.significant)} 件、"
                 f"今日 {to_wareki(self.today)}）"]
        for s in self.steps:
            note = f"（{s.note}）" if s.note else ""
            lines.append(f"  {s.name}{note}: 遅くとも {day_text(s.start)}に始め、{day_text(s.end)}までに終える"
                         f"（目安: {s.length()}）{self._state(s)}")
        lines.append(f"  {counting_note(self.steps)}")
        lines += [f"  ⚠ {w}" for w in self.warnings()]
        lines.append("  重要な変更:")
        lines += [f"  - {r.item}（{r.reason_label}: {r.rule_label}）" for r in self.significant]
        return "\n".join(lines) + "\n"


def revision_plan(store, assessment_id: str, version: str = "latest", effective: dt.date | None = None,
                  body: str = "local", settings: Any = None, today: dt.date | None = None) -> RevisionPlan:
    """The procedure a revision's 重要な変更 need before they take effect, with the latest dates.

    ``effective`` defaults to the 施行日 recorded with ``piadiff decide`` (the earliest one of the
    significant rows: the procedure must end before the first of them takes effect). ``today``
    (default: the real today) says which dates have passed.
    """
    from .annex import changes_between
    from .settings import Settings

    rev = store.revision(assessment_id, version)
    if rev.number == 1:
        raise PiadiffError(f"{rev.label} は最初の版です。変更の手続は二つ目の版から調べられます")
    _step_specs(rev.kind, body)  # an unknown kind or body is refused before the annex is built
    batch = changes_between(store, rev.assessment_id, f"v{rev.number - 1}", rev.label, settings or Settings())
    significant = [r for r in batch.rows if r.timing_text == "事前" and r.reason in SIGNIFICANT_REASONS]
    today = today or _today()
    common = dict(assessment_id=rev.assessment_id, version=rev.label, kind=rev.kind, body=body,
                  change_date=rev.change_date, today=today, significant=significant)
    if not significant:
        return RevisionPlan(**common)
    source = "指定"
    if effective is None:
        recorded = sorted({r.effective for r in significant if r.effective})
        if not recorded:
            raise PiadiffError(f"{rev.label} の施行日が分かりません。--effective 令和8年4月1日 のように指定するか、"
                               f"piadiff decide {rev.assessment_id} {rev.label} --effective 施行日 で記録してください")
        effective, source = dt.date.fromisoformat(recorded[0]), "記録"
    return RevisionPlan(**common, effective=effective, effective_source=source, steps=plan(rev.kind, effective, body))

