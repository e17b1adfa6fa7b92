"""Read a document file (YAML or JSON) into plain Python data, with the line of each key.

Only parsing happens here: which items are allowed is :mod:`piadiff.document`'s job.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .errors import InputError

#: refuse files larger than this; a real 全項目評価書 is well under 1 MB
MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 40


class LineDict(dict):
    """A mapping that remembers the line each key was written on (YAML only)."""

    lines: dict[str, int]


def decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), or Shift_JIS/CP932 as Windows tools save it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source}: UTF-16 のファイルは読めません（UTF-8 か Shift_JIS(CP932) で保存し直してください）")
    if b"\x00" in data:
        raise InputError(f"{source}: NUL 文字を含むため読めません（テキストファイルを指定してください）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp932")
        if re.search("[\ue000-\uf8ff]", text):  # bytes CP932 maps to private-use characters: not text
            raise UnicodeDecodeError("cp932", data, 0, 1, "private use")
        return text
    except UnicodeDecodeError:
        raise InputError(
            f"{source}: 文字コードを判別できません（UTF-8 か Shift_JIS(CP932) で保存してください）"
        ) from None


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{p}: フォルダです（評価書のファイルを指定してください）")
        if p.stat().st_size > MAX_BYTES:
            raise InputError(f"{p}: ファイルが大きすぎます（{MAX_BYTES // (1024 * 1024)} MB まで）")
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: ファイルがありません") from None
    except PermissionError:
        raise InputError(f"{p}: 読む権限がありません") from None


def parse_text(text: str, source: str, fmt: str | None = None) -> Any:
    """Parse YAML or JSON text. ``fmt`` is 'json', 'yaml' or None (guess from the content)."""
    if fmt is None:
        fmt = "json" if text.lstrip().startswith(("{", "[")) else "yaml"
    data = _parse_json(text, source) if fmt == "json" else _parse_yaml(text, source)
    _check_depth(data, source)
    return data


def read_document_data(path: str | Path) -> Any:
    """Read a document file into plain data (dicts, lists, strings, numbers, None)."""
    p = Path(path)
    text = decode(read_bytes(p), str(p))
    suffix = p.suffix.lower()
    fmt = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else None
    return parse_text(text, str(p), fmt)


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{source}:{e.lineno}: JSON として読めません（{e.msg}, {e.colno} 文字目）") from None
    except RecursionError:
        raise InputError(f"{source}: 入れ子が深すぎます") from None


def _parse_yaml(text: str, source: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_document_loader())
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f":{mark.line + 1}" if mark else ""
        what = e.problem or e.context or "書き方に誤りがあります"
        raise InputError(f"{source}{line}: YAML として読めません（{what}）") from None
    except yaml.YAMLError as e:
        raise InputError(f"{source}: YAML として読めません（{e}）") from None
    except RecursionError:
        raise InputError(f"{source}: 入れ子が深すぎます") from None


def _check_depth(data: Any, source: str) -> None:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{source}: 入れ子が深すぎます（{MAX_DEPTH} 段まで）")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


_LOADER = None


def _document_loader():
    """A safe YAML loader for documents.

    - every scalar stays a string (no 1.1 booleans, octal numbers or dates guessed from text),
      except an empty value / ``null`` / ``~``, which is None: the wording is the officer's;
    - anchors and aliases are refused: a document has no use for them, and they are how a small
      file expands into a huge one;
    - each mapping remembers the line of its keys, for error messages.
    """
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    class DocumentLoader(yaml.SafeLoader):
        pass

    DocumentLoader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag == "tag:yaml.org,2002:null"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "アンカー/エイリアス(& や *)は使えません", event.start_mark
            )
        return yaml.SafeLoader.compose_node(self, parent, index)

    def construct_mapping(self, node, deep=False):
        mapping = LineDict()
        mapping.lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, "項目名には文字列を書いてください", key_node.start_mark
                )
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"「{key}」が二度書かれています", key_node.start_mark
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.lines[key] = key_node.start_mark.line + 1
        return mapping

    DocumentLoader.compose_node = compose_node
    DocumentLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    _LOADER = DocumentLoader
    return _LOADER
