"""Documents: one assessment, checked against its form catalog and put in canonical order.

:func:`normalize` is the single gate every document passes, whether typed by an officer, read
back from the store or produced by an importer. It collects every problem before failing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import catalog as cat
from .catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Catalog, Item, fold
from .errors import PiadiffError, Problem, ValidationError
from .load import read_document_data
from .wareki import era_overrun, parse_date, parse_month

KIND_KEY = "様式"
COVER_KEY = "表紙"
NOTES_KEY = "注記"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OPTION_NUMBER = re.compile(r"^\s*\d+\s*[)）]\s*")
_BRACKETS = "[]［］「」"
_DASHES = ("-", "－", "ー", "―")


def canonical_text(text: str) -> str:
    """The stored form of a text value.

    Changes only: Unicode NFC, line ends to LF, spaces at the end of each line, blank lines at
    the very start and end. Never the wording.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


@dataclass(frozen=True)
class Document:
    """One assessment document in canonical form (plain dicts and lists in catalog order)."""

    data: dict[str, Any]
    #: what the document may have wrong without being invalid (item path, line, what to fix)
    warnings: tuple[Problem, ...] = field(default=(), compare=False, repr=False)

    @property
    def kind(self) -> str:
        return self.data[KIND_KEY]

    @property
    def catalog(self) -> Catalog:
        return cat.load_catalog(self.kind)

    @property
    def cover(self) -> dict[str, Any]:
        return self.data[COVER_KEY]

    @property
    def number(self) -> str:
        """評価書番号"""
        return self.cover["評価書番号"]

    @property
    def title(self) -> str:
        """評価書名"""
        return self.cover["評価書名"]

    @property
    def published(self) -> dt.date:
        """公表日"""
        return dt.date.fromisoformat(self.cover["公表日"])

    def canonical_bytes(self) -> bytes:
        from .canonical import canonical_bytes

        return canonical_bytes(self.data)

    def content_hash(self) -> str:
        from .canonical import content_hash

        return content_hash(self.data)


def load_document(path: str | Path) -> Document:
    """Read, check and normalise a document file (YAML or JSON)."""
    return normalize(read_document_data(path), source=str(path))


def normalize(raw: Any, source: str = "<文書>") -> Document:
    """Check ``raw`` against its catalog and return it in canonical form.

    Raises :class:`ValidationError` listing every problem found. What is doubtful but allowed (a
    count that disagrees with its entries, a date past its era's end) is in ``Document.warnings``.
    """
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        raise ValidationError(source, [Problem("", "文書の一番上は「様式:」「表紙:」などの項目の並び(マッピング)にしてください")])
    kind = raw.get(KIND_KEY)
    if not isinstance(kind, str) or not kind.strip():
        allowed = "、".join(cat.known_kinds())
        raise ValidationError(source, [Problem(KIND_KEY, f"様式がありません（{allowed} のどれかを書いてください）", _line(raw, KIND_KEY))])
    try:
        catalog = cat.load_catalog(kind)
    except PiadiffError as e:
        raise ValidationError(source, [Problem(KIND_KEY, str(e), _line(raw, KIND_KEY))]) from None

    warnings: list[Problem] = []
    checker = _Checker(catalog, problems, warnings)
    out: dict[str, Any] = {KIND_KEY: catalog.kind}
    cover_raw = raw.get(COVER_KEY)
    if cover_raw is None:
        problems.append(Problem(COVER_KEY, "表紙がありません（評価書番号・評価書名・評価実施機関名・公表日は必須です）", _line(raw, KIND_KEY)))
        cover_raw = {}
    out[COVER_KEY] = checker.section(catalog.cover, cover_raw, COVER_KEY, _line(raw, COVER_KEY)) or {}
    reported = {p.path for p in problems}
    for item in catalog.cover.children:
        if item.required and item.key not in out[COVER_KEY] and f"{COVER_KEY} > {item.key}" not in reported:
            line = _line(cover_raw, item.key) or _line(raw, COVER_KEY)
            problems.append(Problem(f"{COVER_KEY} > {item.key}", "必須の項目です。書いてください", line))

    body = {k: v for k, v in raw.items() if k not in (KIND_KEY, COVER_KEY, NOTES_KEY)}
    out.update(checker.section(catalog.root, _with_lines(body, raw), "", None) or {})
    if raw.get(NOTES_KEY) is not None:
        notes = checker.value(cat.Item(key=NOTES_KEY, kind="text"), raw[NOTES_KEY], NOTES_KEY, _line(raw, NOTES_KEY))
        if notes is not None:
            out[NOTES_KEY] = notes
    if problems:
        raise ValidationError(source, problems)
    return Document(out, tuple(warnings))


def _line(mapping: Any, key: str) -> int | None:
    return getattr(mapping, "lines", {}).get(key)


def _with_lines(sub: dict, original: Any) -> dict:
    from .load import LineDict

    d = LineDict(sub)
    d.lines = getattr(original, "lines", {})
    return d


def _join(path: str, name: str) -> str:
    return f"{path} > {name}" if path else name


class _Checker:
    """Walks raw data and the catalog side by side, building the canonical form."""

    def __init__(self, catalog: Catalog, problems: list[Problem], warnings: list[Problem] | None = None):
        self.catalog = catalog
        self.problems = problems
        self.warnings = warnings if warnings is not None else []

    def problem(self, path: str, message: str, line: int | None) -> None:
        self.problems.append(Problem(path, message, line))

    def warning(self, path: str, message: str, line: int | None) -> None:
        self.warnings.append(Problem(path, message, line))

    # containers ---------------------------------------------------------------------------------
    def section(self, node: Item, raw: Any, path: str, line: int | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            self.problem(path, f"項目の並び(マッピング)を書いてください（書ける項目: {self._names(node)}）", line)
            return None
        found: dict[str, tuple[Any, str, int | None]] = {}
        for key, value in raw.items():
            kline = _line(raw, key) or line
            child = node.child(key)
            if child is None:
                self.problem(_join(path, str(key)), self._unknown(node, str(key)), kline)
                continue
            if child.key in found:
                self.problem(_join(path, child.key), f"同じ項目が二度書かれています（「{found[child.key][1]}」と「{key}」）", kline)
                continue
            found[child.key] = (value, str(key), kline)
        out: dict[str, Any] = {}
        for child in node.children:  # catalog order is the canonical order
            if child.key not in found:
                continue
            value, _, kline = found[child.key]
            result = self.item(child, value, _join(path, child.key), kline)
            if result is not None:
                out[child.key] = result
        for child in node.children:
            if child.kind == "count" and isinstance(out.get(child.key), int):
                self._check_count(node, child, out, _join(path, child.key), found[child.key][2])
        return out or None

    def _check_count(self, node: Item, count: Item, out: dict[str, Any], path: str, line: int | None) -> None:
        """A count (委託件数) beside the entries it counts: the sibling group its name begins (委託事項)."""
        stem = count.key.removesuffix("件数")
        groups = [c for c in node.children if c.is_group and stem and c.key.startswith(stem)]
        if len(groups) != 1:
            return
        group, written, entries = groups[0], out[count.key], len(out.get(groups[0].key) or [])
        if written != entries:
            name = group.label or group.key
            self.warning(path, f"{count.key}は ({written}) 件ですが、{name}は {entries} 件書かれています。"
                               f"{count.key}を ({entries}) にするか、{name}に足りないもの・余分なものがないか確かめてください", line)

    def item(self, node: Item, raw: Any, path: str, line: int | None) -> Any:
        if node.is_group:
            return self.group(node, raw, path, line)
        if node.kind == "section":
            return self.section(node, raw, path, line)
        return self.value(node, raw, path, line)

    def group(self, node: Item, raw: Any, path: str, line: int | None) -> list[dict[str, Any]] | None:
        if raw is None:
            return None
        if not isinstance(raw, list):
            self.problem(path, f"{node.label or node.key}は一件ずつ「- 」で始まるリストで書いてください", line)
            return None
        entries: list[dict[str, Any]] = []
        identities: dict[str, int] = {}
        numbers: dict[int, int] = {}
        for pos, entry in enumerate(raw, start=1):
            epath = f"{path}[{pos}]"
            if not isinstance(entry, dict):
                self.problem(epath, "一件分の項目の並び(マッピング)を書いてください", line)
                continue
            eline = min(getattr(entry, "lines", {}).values(), default=line)
            number = self._entry_number(entry, pos, epath, eline)
            fields = {k: v for k, v in entry.items() if k not in (ENTRY_NUMBER, ENTRY_IDENTITY)}
            content = self.section(node, _with_lines(fields, entry), epath, eline) or {}
            out: dict[str, Any] = {ENTRY_NUMBER: number}
            ident_raw = entry.get(ENTRY_IDENTITY)
            if ident_raw is not None:
                ident = self.value(cat.Item(key=ENTRY_IDENTITY, kind="text"), ident_raw, _join(epath, ENTRY_IDENTITY), _line(entry, ENTRY_IDENTITY))
                if ident:
                    out[ENTRY_IDENTITY] = ident
            if not content and ENTRY_IDENTITY not in out:
                continue  # a blank slot, as the form prints unused 委託事項 and a blank template has
            out.update(content)
            identity = out.get(ENTRY_IDENTITY) or content.get(node.identity)
            title = node.title.replace("{番号}", str(number)) if node.title else f"{node.key}{number}"
            if not identity:
                self.problem(epath, f"{title}に「{node.identity}」がありません（同じ{node.label or node.key}を版をまたいで見分けるのに使います）", eline)
            elif identity in identities:
                self.problem(epath, f"{title}の「{identity}」は{identities[identity]}件目と同じです（「{ENTRY_IDENTITY}:」で見分けられる名前を付けてください）", eline)
            else:
                identities[identity] = pos
            if number in numbers:
                self.problem(_join(epath, ENTRY_NUMBER), f"番号 {number} は{numbers[number]}件目と重なっています", eline)
            numbers[number] = pos
            entries.append(out)
        entries.sort(key=lambda e: e[ENTRY_NUMBER])
        return entries or None

    def _entry_number(self, entry: dict, pos: int, path: str, line: int | None) -> int:
        raw = entry.get(ENTRY_NUMBER)
        if raw is None:
            return pos
        n = _as_int(raw)
        if n is None or n < 1:
            self.problem(_join(path, ENTRY_NUMBER), f"番号「{raw}」は 1 以上の整数で書いてください", _line(entry, ENTRY_NUMBER) or line)
            return pos
        return n

    # values -------------------------------------------------------------------------------------
    def value(self, node: Item, raw: Any, path: str, line: int | None) -> Any:
        if raw is None:
            return None
        if isinstance(raw, (dict, list)) and node.kind != "checkbox":
            self.problem(path, f"{_KIND_NAMES[node.kind]}を一つ書いてください（項目の並びやリストは書けません）", line)
            return None
        if isinstance(raw, bool) or isinstance(raw, float):
            self.problem(path, f"「{raw}」は書けません。引用符で囲んだ文字で書いてください", line)
            return None
        if isinstance(raw, int) and node.kind != "count":
            raw = str(raw)
        if isinstance(raw, str):
            if _CONTROL.search(raw):
                self.problem(path, "制御文字が含まれています。取り除いてください", line)
                return None
            raw = canonical_text(raw)
            if raw == "":
                return None
        return getattr(self, f"_{node.kind}")(node, raw, path, line)

    def _text(self, node: Item, raw: str, path: str, line: int | None) -> str:
        return raw

    def _date(self, node: Item, raw: str, path: str, line: int | None) -> str | None:
        if raw in _DASHES:  # the forms print 「-」 in a date field left unused; keep it as written
            return raw
        overrun = era_overrun(raw)
        if overrun is not None:
            self.warning(path, overrun.message(), line)
        try:
            return parse_date(raw).isoformat()
        except PiadiffError as e:
            # forms print 保有開始日 as 平成29年7月; a required date (公表日) needs its day
            month = None if node.required else parse_month(raw)
            if month is None:
                self.problem(path, str(e), line)
            return month

    def _count(self, node: Item, raw: Any, path: str, line: int | None) -> int | None:
        n = _as_int(raw)
        if n is None or n < 0:
            self.problem(path, f"件数「{raw}」は 0 以上の整数で書いてください", line)
            return None
        return n

    def _choice(self, node: Item, raw: str, path: str, line: int | None) -> str | None:
        option = _match_option(node, raw)
        if option is None:
            self.problem(path, f"「{raw}」は選択肢にありません（選べるもの: {_numbered(node.options)}）", line)
        return option

    def _checkbox(self, node: Item, raw: Any, path: str, line: int | None) -> list | None:
        values = raw if isinstance(raw, list) else [raw]
        ticked: dict[str, Any] = {}
        for v in values:
            option, detail = self._tick(node, v, path, line)
            if option is None:
                continue
            if option in ticked:
                self.problem(path, f"「{option}」が二度書かれています", line)
                continue
            ticked[option] = {option: detail} if detail else option
        order = {o: i for i, o in enumerate(node.options + node.also)}
        return [ticked[o] for o in sorted(ticked, key=order.__getitem__)] or None

    def _tick(self, node: Item, v: Any, path: str, line: int | None) -> tuple[str | None, str]:
        allowed = f"選べるもの: {'、'.join(node.options)}"
        if isinstance(v, dict):
            if len(v) != 1:
                self.problem(path, f"「その他: 内容」のように一つずつ書いてください（{allowed}）", line)
                return None, ""
            (name, detail), = v.items()
            option = _match_option(node, str(name))
            if option is None:
                self.problem(path, f"「{name}」はチェック項目にありません（{allowed}）", line)
                return None, ""
            if option not in node.detail:
                self.problem(path, f"「{option}」には( )内の記入欄がありません", line)
                return None, ""
            if detail is not None and not isinstance(detail, str):
                self.problem(path, f"「{option}」の( )内は文字で書いてください", line)
                return None, ""
            return option, canonical_text(detail or "")
        if not isinstance(v, str):
            self.problem(path, f"チェックした項目の名前を書いてください（{allowed}）", line)
            return None, ""
        text = canonical_text(v)
        option = _match_option(node, text)
        if option is not None:
            return option, ""
        m = re.match(r"^(.*?)\s*[(（](.*)[)）]\s*$", text, re.S)
        if m and (option := _match_option(node, m.group(1))) in node.detail:
            return option, m.group(2).strip()
        self.problem(path, f"「{text}」はチェック項目にありません（{allowed}）", line)
        return None, ""

    # messages -----------------------------------------------------------------------------------
    def _names(self, node: Item) -> str:
        names = [c.key for c in node.children]
        return "、".join(names) if len(names) <= 8 else "、".join(names[:8]) + " ほか"

    def _unknown(self, node: Item, key: str) -> str:
        where = f"「{node.key}」に" if node.key else "この様式の一番上に"
        msg = f"「{key}」という項目は{self.catalog.kind}の{where}ありません"
        keys = [c.key for c in node.children]
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.5)
        if close:
            return f"{msg}（もしかして「{close[0]}」？）"
        return f"{msg}（書ける項目: {self._names(node)}）"


_KIND_NAMES = {"text": "文字", "date": "日付", "choice": "選択肢", "checkbox": "チェック項目", "count": "件数"}


def _numbered(options: tuple[str, ...]) -> str:
    return " ".join(f"{i}) {o}" for i, o in enumerate(options, start=1))


def _match_option(node: Item, raw: str) -> str | None:
    """The option ``raw`` names: as printed, or loosely (full-width, [brackets], a leading 「2)」)."""
    if node.accepts(raw):
        return raw
    text = _OPTION_NUMBER.sub("", raw.strip().strip(_BRACKETS).strip())
    want = fold(text)
    for option in node.options + node.also:
        if fold(option) == want:
            return option
    return None


def _as_int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        s = unicodedata.normalize("NFKC", raw).strip().strip("()（）").replace("件", "").strip("() ")
        if s.isdigit():
            return int(s)
    return None
