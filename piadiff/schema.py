"""A JSON Schema (draft 2020-12) for the documents of one form kind, generated from its catalog.

Editors that validate YAML/JSON against a schema (VS Code's YAML extension, for instance) then
check item names and choices while the officer types. The schema accepts the canonical
spelling of every item; piadiff itself also accepts looser spellings (① as 1, full-width digits).
"""

from __future__ import annotations

from typing import Any

from .catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Item, load_catalog
from .document import COVER_KEY, KIND_KEY, NOTES_KEY

_TEXT = {"type": "string"}
_DATE = {"type": "string", "description": "令和7年7月31日 / R7.7.31 / 2025-07-31"}


def _node(item: Item) -> dict[str, Any]:
    desc = f"{item.code} {item.label}".strip() + (" ※" if item.significant else "")
    if item.kind == "text":
        return {**_TEXT, "description": desc}
    if item.kind == "date":
        return {**_DATE, "description": f"{desc}（{_DATE['description']}）"}
    if item.kind == "count":
        return {"type": ["integer", "string"], "description": desc}
    if item.kind == "choice":
        return {"enum": list(item.options + item.also), "description": desc}
    if item.kind == "checkbox":
        plain = {"enum": list(item.options + item.also)}
        variants: list[dict[str, Any]] = [plain]
        if item.detail:
            variants.append({
                "type": "object",
                "minProperties": 1,
                "maxProperties": 1,
                "propertyNames": {"enum": list(item.detail)},
                "additionalProperties": {"type": "string"},
            })
            variants.append({"type": "string", "pattern": "^(" + "|".join(_rx(d) for d in item.detail) + r")\s*[(（].*[)）]$"})
        return {"type": "array", "items": {"anyOf": variants}, "uniqueItems": True, "description": desc}
    obj = _object(item.children)
    obj["description"] = desc
    if item.is_group:
        obj["properties"][ENTRY_NUMBER] = {"type": ["integer", "string"], "description": "印字される番号"}
        obj["properties"][ENTRY_IDENTITY] = {"type": "string", "description": "同じ名前の項目を見分ける名前"}
        return {"type": "array", "items": obj, "description": desc}
    return obj


def _rx(text: str) -> str:
    import re

    return re.escape(text)


def _object(children: list[Item]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {c.key: _node(c) for c in children},
        "additionalProperties": False,
    }


def json_schema(kind: str) -> dict[str, Any]:
    """The schema of documents of ``kind`` (全項目評価書 / 重点項目評価書)."""
    catalog = load_catalog(kind)
    body = _object(catalog.root.children)
    cover = _object(catalog.cover.children)
    cover["required"] = [c.key for c in catalog.cover.children if c.required]
    body["properties"] = {
        KIND_KEY: {"const": catalog.kind},
        COVER_KEY: cover,
        **body["properties"],
        NOTES_KEY: {"type": "string", "description": "様式に載らないメモ"},
    }
    body["required"] = [KIND_KEY, COVER_KEY]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"piadiff 文書: {catalog.title or catalog.kind}",
        **body,
    }
