"""Plain-text tables for the terminal, aligned by display width (全角 = 2 columns)."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, cols: int) -> str:
    return text + " " * max(0, cols - width(text))


def clip(text: str, cols: int) -> str:
    """Cut ``text`` to ``cols`` display columns, marking the cut with …"""
    if width(text) <= cols:
        return text
    out, used = "", 0
    for c in text:
        w = width(c)
        if used + w > cols - 1:
            break
        out, used = out + c, used + w
    return out + "…"


def table(header: list[str], rows: list[list[str]], last_max: int = 40) -> str:
    """Columns padded to their widest cell; the last column clipped to ``last_max``."""
    rows = [r[:-1] + [clip(r[-1], last_max)] for r in rows]
    widths = [max(width(str(r[i])) for r in [header] + rows) for i in range(len(header))]
    lines = ["  ".join(pad(str(c), widths[i]) for i, c in enumerate(r)).rstrip() for r in [header] + rows]
    return "\n".join(lines)


def wrap(text: str, cols: int, first: str = "", rest: str | None = None) -> list[str]:
    """Lines of at most ``cols`` display columns; ``first``/``rest`` prefix the first/other lines."""
    rest = first if rest is None else rest
    out: list[str] = []
    prefix = first
    for para in (text or "").split("\n") or [""]:
        line, used = "", width(prefix)
        for c in para:
            w = width(c)
            if used + w > cols and line:
                out.append(prefix + line)
                prefix, line, used = rest, "", width(rest)
            line, used = line + c, used + w
        out.append(prefix + line)
        prefix = rest
    return out
