"""Editing an assessment in the browser: the form model, drafts and carrying a draft over.

- :func:`form_tree` lays a document out as the form prints it, from the catalog (sections with
  their printed numbers and labels, ※, choices, checkboxes with their ( ) text, counts, dates in
  和暦, repeating groups with their entries); :func:`form_to_raw` reads the submitted form back into
  a raw document, which :func:`check` puts through :func:`~piadiff.document.normalize` (the same
  problems, with the same item paths, as ``piadiff validate``).
- :class:`Drafts` keeps drafts apart from versions, in ``<git dir>/piadiff-drafts`` (never in the
  history), each written whole or not at all, with the version it started from.
- :func:`draft_batch` gives the rows recording the draft would add, exactly as ``changes`` would
  print them once recorded (the body's habits learnt from the recorded versions).
- :func:`carry_over` re-applies a draft's own changes onto a version recorded since it started;
  where both changed the same value, the officer chooses.

Field names encode a place in the catalog as indices (``b.1.e0.3.2.e1.0``: body, its 2nd item, the
first entry of that group, …), so that a form is read back by walking the catalog, never by
trusting a name the browser sent.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Protocol

from .catalog import ENTRY_IDENTITY, ENTRY_NUMBER, Catalog, Item, load_catalog
from .document import COVER_KEY, KIND_KEY, NOTES_KEY, Document, canonical_text, normalize
from .errors import PiadiffError, Problem, ValidationError
from .wareki import parse_date, parse_month, to_wareki

DRAFTS_FOLDER = "piadiff-drafts"
NEW_FOLDER = "new"
#: raise when the shape of a draft file changes
DRAFT_FORMAT = 1
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
_ISO_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
_ISO_MONTH = re.compile(r"^\d{4}-\d\d$")


class FormData(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[str]: ...


# the form ---------------------------------------------------------------------------------------
@dataclass
class Option:
    index: int
    text: str
    checked: bool
    id: str
    old_wording: bool = False  # an accepted wording of an older edition of the form (catalog: also)
    detail_name: str = ""  # the ( ) text of a checkbox option that has one
    detail_id: str = ""
    detail: str = ""


@dataclass
class Node:
    """One place of the form: a section, a repeating group, one entry of a group, or a value."""

    kind: str  # section / group / entry / text / date / choice / checkbox / count / notes
    item: Item | None
    path: str
    id: str
    title: str  # 番号 and 項目名 as printed (委託事項2 for an entry)
    significant: bool = False
    required: bool = False
    children: list["Node"] = field(default_factory=list)
    value: str = ""  # text, date (和暦), count, as shown in the field
    options: list[Option] = field(default_factory=list)
    rows: int = 2  # of a textarea
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # 注意: allowed, but worth a look (as validate says)
    number: int = 0  # an entry's printed number
    identity_name: str = ""  # an entry's 識別名, kept as it is
    first: bool = False  # first / last entry of its group (no 上へ / 下へ)
    last: bool = False
    can_add: bool = True  # a group below its maximum
    depth: int = 0

    @property
    def name(self) -> str:
        return f"f:{self.path}"


def _id(prefix: str, path: str) -> str:
    return f"{prefix}-{path.replace('.', '-')}"


def _title(item: Item) -> str:
    """番号 and 項目名 as the form prints them (①事務の名称, 1. 基本情報); a label the catalog gives (委託事項名)."""
    if item.number and item.key.startswith(item.number):
        return item.key
    return f"{item.number} {item.label}".strip() if item.number else (item.label or item.key)


def _rows(text: str) -> int:
    """A textarea as tall as its text (a short name one line, an empty field two, at most 24)."""
    if not text:
        return 2
    lines = sum(max(1, -(-len(line) // 50)) for line in text.split("\n"))
    return 1 if lines == 1 and len(text) <= 40 else min(lines + 1, 24)


def _show_date(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if _ISO_DAY.match(text):
        try:
            return to_wareki(dt.date.fromisoformat(text))
        except ValueError:
            return text
    if _ISO_MONTH.match(text):
        try:
            return to_wareki(dt.date.fromisoformat(text + "-01")).rsplit("月", 1)[0] + "月"
        except ValueError:
            return text
    return text


def _ticks(value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in value if isinstance(value, list) else ([value] if value else []):
        if isinstance(v, dict) and len(v) == 1:
            (k, d), = v.items()
            out[str(k)] = "" if d is None else str(d)
        elif isinstance(v, str):
            out[v] = ""
    return out


class _Builder:
    def __init__(self, problems: list[Problem]):
        self.by_place: dict[str, Node] = {}  # a validation path -> the node it names
        self.problems = problems

    def value(self, item: Item, raw: Any, path: str, vpath: str, depth: int) -> Node:
        node = Node(item.kind, item, path, _id("f", path), _title(item), item.significant, item.required, depth=depth)
        if item.kind == "text":
            node.value = "" if raw is None else str(raw)
            node.rows = _rows(node.value)
        elif item.kind == "date":
            node.value = _show_date(raw)
        elif item.kind == "count":
            node.value = "" if raw is None else str(raw)
        elif item.kind == "choice":
            names = list(item.options) + [a for a in item.also if a == raw]
            node.options = [Option(i, o, o == raw, f"{node.id}-o{i}", i >= len(item.options)) for i, o in enumerate(names)]
        elif item.kind == "checkbox":
            ticked = _ticks(raw)
            every = list(item.options + item.also)
            names = list(item.options) + [a for a in item.also if a in ticked]
            for o in names:
                i = every.index(o)
                opt = Option(i, o, o in ticked, f"{node.id}-o{i}", o not in item.options)
                if o in item.detail:
                    opt.detail_name, opt.detail_id, opt.detail = f"x:{path}:{i}", f"{node.id}-x{i}", ticked.get(o, "")
                node.options.append(opt)
        self.by_place[vpath] = node
        return node

    def section(self, item: Item, raw: Any, path: str, vpath: str, depth: int, kind: str = "section") -> Node:
        node = Node(kind, item, path, _id("s", path), _title(item), item.significant, depth=depth)
        data = raw if isinstance(raw, dict) else {}
        for i, child in enumerate(item.children):
            node.children.append(self.item(child, data.get(child.key), f"{path}.{i}", _join(vpath, child.key), depth + 1))
        if vpath:
            self.by_place[vpath] = node
        return node

    def group(self, item: Item, raw: Any, path: str, vpath: str, depth: int) -> Node:
        node = Node("group", item, path, _id("g", path), _title(item), item.significant, depth=depth)
        entries = raw if isinstance(raw, list) else []
        for pos, entry in enumerate(entries):
            entry = entry if isinstance(entry, dict) else {}
            number = _int(entry.get(ENTRY_NUMBER)) or pos + 1
            epath = f"{path}.e{pos}"
            e = self.section(item, entry, epath, f"{vpath}[{pos + 1}]", depth + 1, kind="entry")
            e.id = _id("e", epath)
            e.title = item.title.replace("{番号}", str(number)) if item.title else f"{item.key}{number}"
            e.number, e.identity_name = number, str(entry.get(ENTRY_IDENTITY) or "")
            e.first, e.last = pos == 0, pos == len(entries) - 1
            node.children.append(e)
        node.can_add = item.max is None or len(entries) < int(item.max)
        self.by_place[vpath] = node
        return node

    def item(self, item: Item, raw: Any, path: str, vpath: str, depth: int) -> Node:
        if item.is_group:
            return self.group(item, raw, path, vpath, depth)
        if item.kind == "section":
            return self.section(item, raw, path, vpath, depth)
        return self.value(item, raw, path, vpath, depth)

    def place(self, problem: Problem) -> Node | None:
        """The node a problem's item path names (or the nearest place above it)."""
        path = problem.path
        while path:
            if path in self.by_place:
                return self.by_place[path]
            path = path.rpartition(" > ")[0] if " > " in path else ""
        return None


def _join(path: str, name: str) -> str:
    return f"{path} > {name}" if path else name


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


@dataclass
class Form:
    """The whole form of one document, ready for the template."""

    kind: str
    cover: Node
    body: list[Node]
    notes: Node
    problems: list[tuple[Problem, str]]  # each problem, with the id of the field it names ("" if none)
    warnings: list[tuple[Problem, str]] = field(default_factory=list)


def form_tree(raw: dict[str, Any], problems: list[Problem] | None = None, warnings: list[Problem] | None = None) -> Form:
    """The form for a raw document (a version as recorded, or a draft as typed), with ``problems``
    (and the 注意 ``warnings`` of a valid one) placed beside the fields they name."""
    catalog = load_catalog(raw[KIND_KEY])
    problems = problems or []
    b = _Builder(problems)
    cover = b.section(catalog.cover, raw.get(COVER_KEY), "c", COVER_KEY, 0)
    cover.title = COVER_KEY
    body = [b.item(child, raw.get(child.key), f"b.{i}", child.key, 1) for i, child in enumerate(catalog.root.children)]
    notes = Node("notes", None, "notes", "f-notes", f"{NOTES_KEY}（様式の項目に置けなかった記載）", value=str(raw.get(NOTES_KEY) or ""))
    notes.rows = _rows(notes.value)
    b.by_place[NOTES_KEY] = notes
    placed: dict[str, list[tuple[Problem, str]]] = {"problems": [], "warnings": []}
    for name, found in (("problems", problems), ("warnings", warnings or [])):
        for p in found:
            node = b.place(p)
            if node is not None:
                getattr(node, name).append(p.message)
            placed[name].append((p, node.id if node is not None else ""))
    return Form(catalog.kind, cover, body, notes, placed["problems"], placed["warnings"])


def walk(nodes: list[Node]) -> Iterator[Node]:
    for n in nodes:
        yield n
        yield from walk(n.children)


# reading a submitted form back --------------------------------------------------------------------
def form_to_raw(kind: str, form: FormData) -> dict[str, Any]:
    """The raw document a submitted form holds. Values are kept as typed where they do not read
    (a date that is no date), so that :func:`check` reports them as ``piadiff validate`` would;
    what reads is put in its stored form (dates as ISO, counts as numbers), so that an unchanged
    field gives back exactly the recorded value."""
    catalog = load_catalog(kind)
    raw: dict[str, Any] = {KIND_KEY: catalog.kind}
    cover = _read_section(catalog.cover, form, "c")
    raw[COVER_KEY] = cover or {}
    for i, child in enumerate(catalog.root.children):
        value = _read_item(child, form, f"b.{i}")
        if value is not None:
            raw[child.key] = value
    notes = canonical_text(str(form.get("f:notes") or ""))
    if notes:
        raw[NOTES_KEY] = notes
    return raw


def _read_item(item: Item, form: FormData, path: str) -> Any:
    if item.is_group:
        return _read_group(item, form, path)
    if item.kind == "section":
        return _read_section(item, form, path)
    return _read_value(item, form, path)


def _read_section(node: Item, form: FormData, path: str) -> dict[str, Any] | None:
    out = {}
    for i, child in enumerate(node.children):
        value = _read_item(child, form, f"{path}.{i}")
        if value is not None:
            out[child.key] = value
    return out or None


def _read_group(group: Item, form: FormData, path: str) -> list[dict[str, Any]] | None:
    count = _int(form.get(f"n:{path}")) or 0
    entries = []
    for pos in range(min(count, 1000)):
        epath = f"{path}.e{pos}"
        entry: dict[str, Any] = {ENTRY_NUMBER: _int(form.get(f"k:{epath}")) or pos + 1}
        ident = canonical_text(str(form.get(f"i:{epath}") or ""))
        if ident:
            entry[ENTRY_IDENTITY] = ident
        entry.update(_read_section(group, form, epath) or {})
        entries.append(entry)  # an empty entry stays in the draft: the officer just added it
    return entries or None


def _read_value(item: Item, form: FormData, path: str) -> Any:
    name = f"f:{path}"
    if item.kind == "checkbox":
        every = item.options + item.also
        out = []
        for v in sorted({_int(x) for x in form.getlist(name)} - {None}):
            if v >= len(every):
                continue
            option = every[v]
            detail = canonical_text(str(form.get(f"x:{path}:{v}") or "")) if option in item.detail else ""
            out.append({option: detail} if detail else option)
        return out or None
    text = canonical_text(str(form.get(name) or ""))
    if item.kind == "choice":
        index = _int(text)
        every = item.options + item.also
        return every[index] if index is not None and index < len(every) else None
    if not text:
        return None
    if item.kind == "date":
        # the stored form where the field shows it unchanged; otherwise as typed, so that normalize
        # reads it as validate would (its problems, and its 注意 of a date past its era's end)
        try:
            stored = parse_date(text).isoformat()
        except PiadiffError:
            stored = None if item.required else parse_month(text)
        return stored if stored is not None and _show_date(stored) == text else text
    if item.kind == "count":
        folded = unicodedata.normalize("NFKC", text)
        return int(folded) if folded.isascii() and folded.isdigit() else text
    return text


def check(raw: dict[str, Any], source: str = "下書き") -> tuple[Document | None, list[Problem]]:
    """The draft as a document, or the problems ``piadiff validate`` would report for it. A valid
    document carries validate's 注意 in ``warnings`` (see :func:`warnings_of`)."""
    try:
        return normalize(copy.deepcopy(raw), source), []
    except ValidationError as e:
        return None, list(e.problems)


def warnings_of(document: Document | None) -> list[Problem]:
    return list(getattr(document, "warnings", ()) or ())


# entries: add, remove, move -------------------------------------------------------------------------
def _locate(raw: dict[str, Any], path: str, create: bool = False) -> tuple[Item, Any, list[Any] | None, int | None]:
    """The item a path names, its value's container and, for an entry, its list and position."""
    parts = path.split(".")
    catalog = load_catalog(raw[KIND_KEY])
    if not parts or parts[0] not in ("c", "b"):
        raise PiadiffError("操作する場所が読めません（ページを開き直してください）")
    node: Item = catalog.cover if parts[0] == "c" else catalog.root
    data: Any = raw.setdefault(COVER_KEY, {}) if parts[0] == "c" else raw
    entries, pos = None, None
    for step in parts[1:]:
        if step.startswith("e") and node.is_group and isinstance(data, list):
            i = _int(step[1:])
            if i is None or i >= len(data):
                raise PiadiffError("操作する一件が見つかりません（ページを開き直してください）")
            entries, pos, data = data, i, data[i]
            continue
        i = _int(step)
        if i is None or i >= len(node.children) or not isinstance(data, dict):
            raise PiadiffError("操作する場所が読めません（ページを開き直してください）")
        node = node.children[i]
        if node.is_group:
            if create and not isinstance(data.get(node.key), list):
                data[node.key] = []
            data = data.get(node.key)
        elif node.kind == "section":
            if create and not isinstance(data.get(node.key), dict):
                data[node.key] = {}
            data = data.get(node.key)
        else:
            data = data.get(node.key)
        entries, pos = None, None
    return node, data, entries, pos


def blank_entry(group: Item, number: int) -> dict[str, Any]:
    """An empty entry, with one empty entry in each group inside it (a 特定個人情報ファイル has its 委託事項)."""
    entry: dict[str, Any] = {ENTRY_NUMBER: number}
    entry.update(_blank_groups(group))
    return entry


def _blank_groups(node: Item) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in node.children:
        if child.is_group:
            out[child.key] = [blank_entry(child, 1)]
        elif child.kind == "section":
            inner = _blank_groups(child)
            if inner:
                out[child.key] = inner
    return out


def blank_raw(kind: str) -> dict[str, Any]:
    """A blank document of ``kind`` (as ``piadiff new``): every item empty, one entry per group."""
    catalog = load_catalog(kind)
    return {KIND_KEY: catalog.kind, COVER_KEY: {}, **_blank_groups(catalog.root)}


def apply_action(raw: dict[str, Any], action: str) -> tuple[dict[str, Any], str, str]:
    """Add, remove or move a group entry: ``add:PATH`` (the group), ``remove:PATH`` / ``up:PATH`` /
    ``down:PATH`` (the entry). Returns the new raw document, the id of the place to show, and what
    was done (added / removed / moved / edge). Entry numbers follow the entries: a new one takes the next number, a
    move swaps the numbers of the two entries, a removal leaves the others' numbers as they were."""
    verb, _, path = action.partition(":")
    raw = copy.deepcopy(raw)
    if verb == "add":
        group, entries, _, _ = _locate(raw, path, create=True)
        if not group.is_group or not isinstance(entries, list):
            raise PiadiffError("一件を追加できる場所ではありません（ページを開き直してください）")
        if group.max is not None and len(entries) >= int(group.max):
            raise PiadiffError(f"{group.label or group.key}は {group.max} 件までです")
        number = max((_int(e.get(ENTRY_NUMBER)) or 0 for e in entries if isinstance(e, dict)), default=0) + 1
        entries.append(blank_entry(group, number))
        return raw, _id("e", f"{path}.e{len(entries) - 1}"), "added"
    if verb not in ("remove", "up", "down"):
        raise PiadiffError("操作が読めません（ページを開き直してください）")
    group, entry, entries, pos = _locate(raw, path)
    if entries is None or pos is None:
        raise PiadiffError("操作する一件が見つかりません（ページを開き直してください）")
    group_path = path.rpartition(".")[0]
    if verb == "remove":
        entries.pop(pos)
        return raw, _id("g", group_path), "removed"
    other = pos - 1 if verb == "up" else pos + 1
    if not 0 <= other < len(entries):
        return raw, _id("e", path), "edge"
    a, b = entries[pos], entries[other]
    a[ENTRY_NUMBER], b[ENTRY_NUMBER] = b.get(ENTRY_NUMBER, other + 1), a.get(ENTRY_NUMBER, pos + 1)
    entries[pos], entries[other] = b, a
    return raw, _id("e", f"{group_path}.e{other}"), "moved"


# drafts ---------------------------------------------------------------------------------------------
@dataclass
class Draft:
    """A document being edited: raw data as typed, and the recorded version it started from."""

    kind: str
    data: dict[str, Any]
    assessment_id: str | None = None  # None: a new assessment
    base_label: str | None = None
    base_commit: str | None = None
    saved_at: str = ""
    base_hash: str | None = None  # the base's content: found again if pull records it anew under another commit

    @property
    def token(self) -> str:
        """Names this content: a page sends it back so that an edit made elsewhere is never overwritten."""
        text = json.dumps([self.data, self.base_commit], ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]

    def as_json(self) -> dict[str, Any]:
        return {"format": DRAFT_FORMAT, "kind": self.kind, "assessment_id": self.assessment_id,
                "base": {"label": self.base_label, "commit": self.base_commit, "content_hash": self.base_hash}
                if self.base_commit else None,
                "saved_at": self.saved_at, "data": self.data}


def new_token() -> str:
    return secrets.token_hex(8)


def check_token(token: str) -> str:
    if not _TOKEN.match(token or ""):
        raise PiadiffError("新しい評価書の下書きの番号が読めません（一覧から開き直してください）")
    return token


class Drafts:
    """Drafts of one store, under ``<git dir>/piadiff-drafts``: ``<assessment id>.json`` for an
    edit of a recorded assessment, ``new/<token>.json`` for a new one. Never part of the history."""

    def __init__(self, git_dir: str | Path):
        self.root = Path(git_dir) / DRAFTS_FOLDER

    def path(self, key: str) -> Path:
        """``key``: a checked assessment id, or ``new/<token>``."""
        if key.startswith(f"{NEW_FOLDER}/"):
            return self.root / NEW_FOLDER / f"{check_token(key.split('/', 1)[1])}.json"
        from .inputs import check_id

        return self.root / f"{check_id(key)}.json"

    def load(self, key: str) -> Draft | None:
        path = self.path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as e:
            raise PiadiffError(f"下書き {path.name} が読めません（{e.strerror}）") from None
        try:
            d = json.loads(text)
            if d.get("format") != DRAFT_FORMAT or not isinstance(d.get("data"), dict):
                raise ValueError("format")
            base = d.get("base") or {}
            return Draft(str(d["kind"]), d["data"], d.get("assessment_id"), base.get("label"), base.get("commit"),
                         str(d.get("saved_at") or ""), base.get("content_hash"))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise PiadiffError(f"下書き {path} の形が読めません（piadiff の下書きではないか、壊れています）。"
                               "捨てるには、このファイルを消してください") from None

    def save(self, key: str, draft: Draft) -> Draft:
        """Write the draft whole or not at all (a half-written draft is never read)."""
        path = self.path(key)
        draft.saved_at = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        data = json.dumps(draft.as_json(), ensure_ascii=False, indent=1).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return draft

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def new_drafts(self) -> list[tuple[str, Draft]]:
        """Drafts of new assessments (token, draft), newest first; unreadable ones are left out."""
        out = []
        for p in sorted((self.root / NEW_FOLDER).glob("*.json")):
            if _TOKEN.match(p.stem):
                try:
                    d = self.load(f"{NEW_FOLDER}/{p.stem}")
                except PiadiffError:
                    continue
                if d is not None:
                    out.append((p.stem, d))
        return sorted(out, key=lambda td: td[1].saved_at, reverse=True)


def base_revision(store, assessment_id: str, draft: Draft) -> Any:
    """The recorded version a draft started from: by its commit, else by its content (``pull`` records
    a version of this machine anew under another commit); None where neither is in the history."""
    revs = store.revisions(assessment_id)
    for rev in revs:
        if rev.commit == draft.base_commit:
            return rev
    for rev in reversed(revs):
        if draft.base_hash and rev.content_hash == draft.base_hash:
            return rev
    return None


def draft_title(draft: Draft) -> str:
    cover = draft.data.get(COVER_KEY) or {}
    return str(cover.get("評価書名") or "（評価書名はまだありません）")


# compare before recording --------------------------------------------------------------------------
def draft_batch(store, assessment_id: str, document: Document, change_date: dt.date, settings) -> Any:
    """The rows recording ``document`` as the next version would add (a :class:`~piadiff.annex.Batch`),
    judged as ``changes`` judges the latest version: with the habits learnt from every batch before."""
    from .annex import next_batch

    return next_batch(store, assessment_id, document, change_date, settings)


def draft_plan(batch: Any, kind: str, assessment_id: str, change_date: dt.date, effective: dt.date | None,
               body: str = "local", today: dt.date | None = None) -> Any:
    """What ``piadiff plan`` says of the draft's rows (a :class:`~piadiff.procedure.RevisionPlan`): the
    steps before the 施行日, when one is given; without it, only the 重要な変更 (no steps)."""
    from .procedure import SIGNIFICANT_REASONS, RevisionPlan, plan

    significant = [r for r in batch.rows if r.timing_text == "事前" and r.reason in SIGNIFICANT_REASONS]
    common = dict(assessment_id=assessment_id, version=batch.version, kind=kind, body=body, change_date=change_date,
                  today=today or dt.date.today(), significant=significant)
    if not significant or effective is None:
        return RevisionPlan(**common)
    return RevisionPlan(**common, effective=effective, effective_source="指定", steps=plan(kind, effective, body))


def earliest_effective(kind: str, body: str, today: dt.date | None = None) -> dt.date:
    from .procedure import earliest_effective as earliest

    return earliest(kind, body, today or dt.date.today())


def default_change_date(document: Document | None, latest_date: dt.date | None, today: dt.date | None = None) -> dt.date:
    """The 公表日 of the draft where it is after the latest version's 変更日, else today."""
    today = today or dt.date.today()
    try:
        published = document.published if document is not None else None
    except (KeyError, ValueError):
        published = None
    if published is not None and (latest_date is None or published > latest_date):
        return published
    return today


# carrying a draft over to a newer version -------------------------------------------------------------
@dataclass(frozen=True)
class Conflict:
    n: int
    place: str
    base: str
    mine: str
    theirs: str


@dataclass
class Carry:
    data: dict[str, Any]  # the draft's changes applied onto the newer version
    applied: list[str]  # places of the draft's own changes carried over as they are
    conflicts: list[Conflict]  # places both changed differently: the officer chooses
    unresolved: int = 0


class _Merge:
    def __init__(self, choices: Mapping[str, str], settings):
        self.choices, self.settings = choices, settings
        self.applied: list[str] = []
        self.conflicts: list[Conflict] = []
        self.unresolved = 0

    def text(self, item: Item | None, value: Any) -> str:
        from .annex import format_value

        if value is None:
            return "（空欄）"
        if item is None:
            return str(value)
        try:
            return format_value(item, value, self.settings) or "（空欄）"
        except (KeyError, TypeError, ValueError, AttributeError):
            return json.dumps(value, ensure_ascii=False)

    def conflict(self, item: Item | None, place: str, base: Any, mine: Any, theirs: Any) -> Any:
        n = len(self.conflicts) + 1
        self.conflicts.append(Conflict(n, place, self.text(item, base), self.text(item, mine), self.text(item, theirs)))
        choice = self.choices.get(f"c{n}")
        if choice not in ("mine", "theirs"):
            self.unresolved += 1
        return mine if choice == "mine" else theirs

    def value(self, item: Item | None, base: Any, mine: Any, theirs: Any, place: str) -> Any:
        if mine == base or mine == theirs:
            return theirs
        if theirs == base:
            self.applied.append(place)
            return mine
        return self.conflict(item, place, base, mine, theirs)

    def section(self, node: Item, base: Any, mine: Any, theirs: Any, place: str) -> dict[str, Any] | None:
        if mine == base:
            return theirs
        base, mine, theirs = (x if isinstance(x, dict) else {} for x in (base, mine, theirs))
        out = {}
        for child in node.children:
            b, m, t = base.get(child.key), mine.get(child.key), theirs.get(child.key)
            here = _join(place, child.key)
            if child.is_group:
                v = self.group(child, b, m, t, here)
            elif child.kind == "section":
                v = self.section(child, b, m, t, here)
            else:
                v = self.value(child, b, m, t, here)
            if v not in (None, {}, []):
                out[child.key] = v
        return out or None

    def group(self, group: Item, base: Any, mine: Any, theirs: Any, place: str) -> list[dict[str, Any]] | None:
        from .diff import entry_identity

        if mine == base:
            return theirs

        def keyed(entries: Any) -> dict[str, dict[str, Any]]:
            out = {}
            for pos, e in enumerate(entries if isinstance(entries, list) else []):
                if isinstance(e, dict):
                    out[entry_identity(group, e) or f"#{e.get(ENTRY_NUMBER, pos + 1)}"] = e
            return out

        b, m, t = keyed(base), keyed(mine), keyed(theirs)
        out: list[dict[str, Any]] = []
        for k, te in t.items():
            be, me = b.get(k), m.get(k)
            here = f"{place}【{k}】"
            if me is None and be is not None:  # the draft removed it
                if te == be:
                    self.applied.append(f"{here}（削除）")
                elif self.conflict(group, f"{here}（下書きでは削除）", be, None, te) is not None:
                    out.append(te)
            elif me is None:
                out.append(te)  # added by the newer version
            else:
                out.append(self.entry(group, be, me, te, here))
        added = []
        for k, me in m.items():
            if k in t:
                continue
            be, here = b.get(k), f"{place}【{k}】"
            if be is None:
                if any(v not in (None, "", [], {}) for kk, v in me.items() if kk != ENTRY_NUMBER):
                    self.applied.append(f"{here}（追加）")
                added.append(copy.deepcopy(me))
            elif me != be and self.conflict(group, f"{here}（新しい版では削除）", be, me, None) is not None:
                out.append(me)
        numbers = {_int(e.get(ENTRY_NUMBER)) for e in out}
        for e in added:  # a new entry of the draft keeps its number unless the newer version took it
            if _int(e.get(ENTRY_NUMBER)) in numbers:
                e[ENTRY_NUMBER] = max((n or 0 for n in numbers), default=0) + 1
            numbers.add(_int(e.get(ENTRY_NUMBER)))
            out.append(e)
        out.sort(key=lambda e: _int(e.get(ENTRY_NUMBER)) or 0)
        return out or None

    def entry(self, group: Item, base: Any, mine: dict, theirs: dict, place: str) -> dict[str, Any]:
        merged = self.section(group, base, mine, theirs, place) or {}
        base = base or {}
        out = {ENTRY_NUMBER: mine[ENTRY_NUMBER] if theirs.get(ENTRY_NUMBER) == base.get(ENTRY_NUMBER) and ENTRY_NUMBER in mine
               else theirs.get(ENTRY_NUMBER, mine.get(ENTRY_NUMBER))}
        ident = self.value(None, base.get(ENTRY_IDENTITY), mine.get(ENTRY_IDENTITY), theirs.get(ENTRY_IDENTITY), _join(place, ENTRY_IDENTITY))
        if ident:
            out[ENTRY_IDENTITY] = ident
        out.update(merged)
        return out


def carry_over(base: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any], settings,
               choices: Mapping[str, str] | None = None) -> Carry:
    """The draft's own changes (``base`` → ``mine``) applied onto ``theirs``, a version recorded since
    the draft started. A place changed only by the draft takes the draft's value; one changed only
    by the newer version keeps it; one changed differently by both is a conflict, resolved by
    ``choices`` (``c1`` → ``mine`` / ``theirs``) and otherwise left as the newer version has it.
    Group entries are matched by their names, as the annex matches them."""
    catalog = load_catalog(theirs[KIND_KEY])
    m = _Merge(choices or {}, settings)
    data: dict[str, Any] = {KIND_KEY: catalog.kind}
    data[COVER_KEY] = m.section(catalog.cover, base.get(COVER_KEY), mine.get(COVER_KEY), theirs.get(COVER_KEY), COVER_KEY) or {}
    body = m.section(catalog.root, _body(base), _body(mine), _body(theirs), "") or {}
    data.update(body)
    notes = m.value(None, base.get(NOTES_KEY), mine.get(NOTES_KEY), theirs.get(NOTES_KEY), NOTES_KEY)
    if notes:
        data[NOTES_KEY] = notes
    return Carry(data, m.applied, m.conflicts, m.unresolved)


def _body(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in (KIND_KEY, COVER_KEY, NOTES_KEY)}


def catalog_of(kind: str) -> Catalog:
    return load_catalog(kind)
