"""A blank document of one form kind, with every item, for an officer to fill in.

Each item's key is written as the catalog has it; a comment says its printed number, whether it
carries ※ and which options it allows. Empty values and empty repeating entries count as blank.
"""

from __future__ import annotations

from .catalog import ENTRY_NUMBER, Item, load_catalog
from .document import COVER_KEY, KIND_KEY


def _key(text: str) -> str:
    import yaml

    return yaml.safe_dump(text, allow_unicode=True, width=10**6).removesuffix("\n...\n").strip()


def _comment(item: Item) -> str:
    notes = [item.code] if item.parent is not None else []
    if item.significant:
        notes.append("※")
    if item.kind == "choice":
        notes.append("選択: " + " / ".join(item.options))
    elif item.kind == "checkbox":
        notes.append("チェック: " + " / ".join(item.options))
    elif item.kind == "date":
        notes.append("日付")
    elif item.kind == "count":
        notes.append("件数")
    elif item.required:
        notes.append("必須")
    return f"  # {' '.join(notes)}" if notes else ""


def _lines(items: list[Item], indent: int) -> list[str]:
    pad = "  " * indent
    out = []
    for item in items:
        if item.is_value:
            out.append(f"{pad}{_key(item.key)}:{_comment(item)}")
        elif item.is_group:
            out.append(f"{pad}{_key(item.key)}:{_comment(item)}  （一件ずつ「- 」で。{item.identity} で見分ける）")
            out.append(f"{pad}  - {ENTRY_NUMBER}: 1")
            out += _lines(item.children, indent + 2)
        else:
            out.append(f"{pad}{_key(item.key)}:{_comment(item)}")
            out += _lines(item.children, indent + 1)
    return out


def blank_document(kind: str) -> str:
    """YAML text of an empty document of ``kind`` with every item of the form."""
    catalog = load_catalog(kind)
    lines = [f"# {catalog.title or catalog.kind} — piadiff の文書。空欄の項目は書かなかったものと同じです。",
             f"{KIND_KEY}: {catalog.kind}", f"{COVER_KEY}:"]
    lines += _lines(catalog.cover.children, 1)
    lines += _lines(catalog.root.children, 0)
    return "\n".join(lines) + "\n"
