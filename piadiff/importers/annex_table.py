"""The (別添) 変更箇所 table as every format prints it: its columns and its header row.

Shared by the format readers: a header row is known in any column order and wherever it stands
(printed again at the top of each page), and tells the columns of the rows that follow it.
"""

from __future__ import annotations

import re
import unicodedata

from ..catalog import fold

#: the keys of an annex row, in the order the form prints its columns
ANNEX_FIELDS = ("date_text", "item", "before", "after", "timing", "explanation")
#: the printed header of each column
ANNEX_HEADERS = {"変更日": "date_text", "項目": "item", "変更前の記載": "before", "変更後の記載": "after",
                 "提出時期": "timing", "提出時期に係る説明": "explanation"}
_FOLDED = {fold(k): v for k, v in ANNEX_HEADERS.items()}


def annex_header(cells: list[str]) -> list[str | None] | None:
    """The row key of each column (None for a column with no header), where ``cells`` is the
    annex's header row, its cells in any order, with empty columns between them or not."""
    keys = [_FOLDED.get(fold(c)) if c.strip() else None for c in cells]
    named = [k for k in keys if k]
    if len(named) < 4 or len(set(named)) != len(named) or len(named) != sum(1 for c in cells if c.strip()):
        return None
    return keys


def annex_cells(cells: list[str], columns: list[str | None]) -> dict[str, str]:
    """A row's cells by key, read by the columns of the header above it (a stray cell beyond the
    last column belongs to the last one)."""
    row = {k: "" for k in ANNEX_FIELDS}
    last = max((i for i, k in enumerate(columns) if k), default=-1)
    for i, cell in enumerate(cells):
        key = columns[min(i, last)] if last >= 0 else None
        if key and cell:
            row[key] = f"{row[key]} {cell}" if row[key] else cell
    return row


def join_wrapped(lines: list[str]) -> str:
    """A cell's lines as one text where a PDF wrapped them: joined without a space, except between
    two Latin words (a wrap at a space)."""
    out = ""
    for line in lines:
        if out and re.match(r"[A-Za-z0-9]", line) and re.search(r"[A-Za-z0-9.,)]$", out):
            out += " "
        out += line
    return out


def iso_date(date_text: str) -> str:
    """A 変更日 as printed, in ISO form; "" where it cannot be read."""
    from ..errors import PiadiffError
    from ..wareki import parse_date

    if not date_text:
        return ""
    try:
        return parse_date(unicodedata.normalize("NFKC", date_text)).isoformat()
    except PiadiffError:
        return ""
