"""Plain-text tables for the terminal, aligned by display width, wrapped by Japanese line-breaking rules.

Width: 全角 and the East Asian "ambiguous" characters (①, Ⅱ, ※, ○, ─) take two columns, as they do
in the Japanese terminals and consoles officers use. Line breaks follow the basic 禁則処理: no
closing bracket or punctuation (。、」) at the start of a line, no opening bracket (「（) at its end,
and a run of Latin letters or digits is not split where a break a few characters earlier avoids it.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate

#: may not begin a line (行頭禁則)
NO_LINE_START = frozenset("、。，．,.:;!?）)]｝〕〉》」』】〙〗ー…‥・：；？！ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々ゝゞヽヾ")
#: may not end a line (行末禁則)
NO_LINE_END = frozenset("（([｛〔〈《「『【〘〖")
#: how far back a break is looked for before a line is cut where it is full
_LOOK_BACK = 8


@lru_cache(maxsize=8192)
def char_width(c: str) -> int:
    if unicodedata.combining(c) or unicodedata.category(c) in ("Cc", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WFA" else 1


def width(text: str) -> int:
    """Display columns of ``text``."""
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(map(char_width, text))


def pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


def clip(text: str, cols: int) -> str:
    """Cut ``text`` to ``cols`` display columns, marking the cut with …"""
    if width(text) <= cols:
        return text
    out, used, room = [], 0, cols - width("…")
    for c in text:
        w = char_width(c)
        if used + w > room:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def table(header: list[str], rows: list[list[str]], last_max: int = 40) -> str:
    """Columns padded to their widest cell; the last column clipped to ``last_max``."""
    rows = [r[:-1] + [clip(r[-1], last_max)] for r in rows]
    widths = [max(width(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(pad(str(c), widths[i]) for i, c in enumerate(r)).rstrip() for r in [header] + rows]
    return "\n".join(lines)


def _word(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _breakable(text: str, at: int) -> bool:
    """A line may break between text[at - 1] and text[at]."""
    before, after = text[at - 1], text[at]
    return after not in NO_LINE_START and before not in NO_LINE_END and not (_word(before) and _word(after))


def wrap(text: str, cols: int, first: str = "", rest: str | None = None) -> list[str]:
    """Lines of at most ``cols`` display columns; ``first``/``rest`` prefix the first/other lines."""
    rest = first if rest is None else rest
    out: list[str] = []
    prefix = first
    for para in (text or "").split("\n") or [""]:
        # where each line ends is found by bisecting the running width, not by walking characters
        ends = [0, *accumulate(map(char_width, para))]
        start = 0
        while True:
            end = bisect_right(ends, ends[start] + cols - width(prefix)) - 1
            if end >= len(para):
                break
            end = max(end, start + 1)  # a line holds at least one character
            cut = end
            while cut > start + 1 and cut > end - _LOOK_BACK and not _breakable(para, cut):
                cut -= 1
            if not _breakable(para, cut):
                cut = end  # no break allowed nearby: cut where the line is full
            out.append(prefix + para[start:cut])
            prefix, start = rest, cut
        out.append(prefix + para[start:])
        prefix = rest
    return out
