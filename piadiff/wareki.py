"""和暦 dates at the edges: parse what officers write, print what the annex shows.

Inside piadiff a date is always a ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from .errors import PiadiffError

#: era name, its romaji initial, the first day of the era
ERAS = (
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("昭和", "S", dt.date(1926, 12, 25)),
)

_KANJI = re.compile(r"^(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_ROMAJI = re.compile(r"^([RHS])\s*(\d{1,2})[./-](\d{1,2})[./-](\d{1,2})$", re.IGNORECASE)
_WESTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str | dt.date) -> dt.date:
    """Read a date written as 令和7年7月31日, 令和元年5月1日, R7.7.31, 2025-07-31 or 2025/7/31."""
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    s = unicodedata.normalize("NFKC", str(text)).strip()
    try:
        if m := _KANJI.match(s):
            era = next(e for e in ERAS if e[0] == m.group(1))
            year = 1 if m.group(2) == "元" else int(m.group(2))
            return _from_era(era, year, int(m.group(3)), int(m.group(4)))
        if m := _ROMAJI.match(s):
            era = next(e for e in ERAS if e[1] == m.group(1).upper())
            return _from_era(era, int(m.group(2)), int(m.group(3)), int(m.group(4)))
        if m := _WESTERN.match(s):
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise PiadiffError(f"日付「{text}」はありえない日付です") from None
    raise PiadiffError(f"日付「{text}」が読めません（例: 令和7年7月31日、R7.7.31、2025-07-31）")


_KANJI_MONTH = re.compile(r"^(令和|平成|昭和)\s*(元|\d{1,2})\s*年\s*(\d{1,2})\s*月$")
_ROMAJI_MONTH = re.compile(r"^([RHS])\s*(\d{1,2})[./-](\d{1,2})$", re.IGNORECASE)
_WESTERN_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def parse_month(text: str) -> str | None:
    """A year and month with no day (平成29年7月, H29.7, 2017-07) as ``YYYY-MM``; None if not one."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if m := _KANJI_MONTH.match(s):
        era, year, month = m.group(1), m.group(2), int(m.group(3))
    elif m := _ROMAJI_MONTH.match(s):
        era, year, month = next(e[0] for e in ERAS if e[1] == m.group(1).upper()), m.group(2), int(m.group(3))
    elif m := _WESTERN_MONTH.match(s):
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}" if 1 <= int(m.group(2)) <= 12 else None
    else:
        return None
    start = next(e[2] for e in ERAS if e[0] == era)
    y = start.year + (1 if year == "元" else int(year)) - 1
    return f"{y:04d}-{month:02d}" if 1 <= month <= 12 else None


def _from_era(era: tuple[str, str, dt.date], year: int, month: int, day: int) -> dt.date:
    name, _, start = era
    if year < 1:
        raise ValueError(year)
    date = dt.date(start.year + year - 1, month, day)
    if date < start:
        raise PiadiffError(f"{name}{year}年{month}月{day}日は{name}の始まり（{start.isoformat()}）より前です")
    return date


def to_wareki(date: dt.date, gannen: bool = False) -> str:
    """令和7年7月31日. The first year is 令和1年 (as the published annexes write it) unless gannen."""
    for name, _, start in ERAS:
        if date >= start:
            year = date.year - start.year + 1
            y = "元" if (year == 1 and gannen) else str(year)
            return f"{name}{y}年{date.month}月{date.day}日"
    return f"{date.year}年{date.month}月{date.day}日"


@dataclass(frozen=True)
class EraOverrun:
    """A 和暦 date written in an era after that era ended (平成32年1月1日 is 令和2年1月1日)."""

    written: str
    era: str
    last_day: dt.date  # the era's last day
    suggested: str  # the same day in the era it falls in

    def message(self) -> str:
        return (f"「{self.written}」は{self.era}の終わり（{to_wareki(self.last_day)}）より後の日付です。"
                f"「{self.suggested}」と書いてください")


def _era_end(name: str) -> dt.date | None:
    """The last day of an era; None for the current one."""
    later = [e[2] for e in ERAS if e[2] > next(s for n, _, s in ERAS if n == name)]
    return min(later) - dt.timedelta(days=1) if later else None


def era_overrun(text: str) -> EraOverrun | None:
    """The overrun of a date or a year and month (平成32年1月1日, H32.1, 昭和64年1月8日) written in an
    era that had ended by then; None when it fits its era or is not a 和暦 date at all."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    m = _KANJI.match(s) or _ROMAJI.match(s) or _KANJI_MONTH.match(s) or _ROMAJI_MONTH.match(s)
    if not m:
        return None
    era = next(e for e in ERAS if m.group(1) in (e[0], e[1], e[1].lower()))
    year = 1 if m.group(2) == "元" else int(m.group(2))
    month = int(m.group(3))
    day = int(m.group(4)) if m.re in (_KANJI, _ROMAJI) else 1
    end = _era_end(era[0])
    try:
        date = dt.date(era[2].year + year - 1, month, day)
    except ValueError:
        return None  # not a date at all: the parser says so
    if end is None or date <= end or year < 1:
        return None
    if m.re in (_KANJI, _ROMAJI):
        suggested = to_wareki(date)
    else:
        suggested = to_wareki(date).rsplit("月", 1)[0] + "月"
    return EraOverrun(str(text).strip(), era[0], end, suggested)
