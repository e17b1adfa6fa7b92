"""The (別添) 変更箇所 table as every format prints it: its columns and its header row.

Shared by the format readers: a header row is known in any column order and wherever it stands
(printed again at the top of each page), and tells the columns of the rows that follow it.
"""

from __future__ import annotations

from ..catalog import fold

#: the keys of an annex row, in the order the form prints its columns
ANNEX_FIELDS = ("date_text", "item", "before", "after", "timing", "explanation")
#: the printed header of each column
ANNEX_HEADERS = {"変更日": "date_text", "項目": "item", "変更前の記載": "before", "変更後の記載": "after",
                 "提出時期": "timing", "提出時期に係る説明": "explanation"}
_FOLDED = {fold(k): v for k, v in ANNEX_HEADERS.items()}


def annex_header(cells: list[str]) -> list[str] | None:
    """The row keys of the columns, where ``cells`` is the annex's header row (in any order)."""
    keys = [_FOLDED.get(fold(c)) for c in cells if c.strip()]
    if len(keys) < 4 or None in keys or len(set(keys)) != len(keys):
        return None
    present = [k for k in keys]
    return present + [k for k in ANNEX_FIELDS if k not in present]
