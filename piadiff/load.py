"""Read a document file (YAML or JSON) into plain Python data, with the line of each key.

Only parsing happens here: which items are allowed is :mod:`piadiff.document`'s job.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from . import limits
from .errors import InputError
from .limits import short, text_problem

#: kept for callers of earlier versions; the limits themselves live in :mod:`piadiff.limits`
MAX_BYTES = limits.FILE_BYTES
MAX_DEPTH = limits.DEPTH


class LineDict(dict):
    """A mapping that remembers the line each key was written on."""

    lines: dict[str, int]


def decode(data: bytes, source: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), or Shift_JIS/CP932 as Windows tools save it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        raise InputError(
            f"{source}: UTF-16 のファイルは読めません。Windows の PowerShell で「piadiff show … > ファイル」のように > で"
            "書き出すと UTF-16 になります。piadiff show ID VERSION -o ファイル名.yaml で書き出し直すか、"
            "UTF-8 か Shift_JIS(CP932) で保存し直してください"
        )
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


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without its byte-order mark: NULs (the high bytes of Latin letters and line ends) in
    the bytes of one parity (almost) only, and the whole reads as UTF-16."""
    head = data[:2000]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if not max(even, odd) or max(even, odd) * 50 < len(head) or min(even, odd) * 10 > max(even, odd) or len(data) % 2:
        return False
    try:
        data.decode("utf-16-le" if odd else "utf-16-be")
    except UnicodeDecodeError:
        return False
    return True


def read_bytes(path: str | Path, limit: int = limits.FILE_BYTES, head: int | None = None) -> bytes:
    """A file's bytes (its first ``head`` bytes only, if given), refused with a clear message
    when it is a folder, missing, unreadable or larger than ``limit``."""
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{p}: フォルダです（評価書のファイルを指定してください）")
        size = p.stat().st_size
        if size > limit:
            raise InputError(f"{p}: ファイルが大きすぎます（{_megabytes(size)} あります。{_megabytes(limit)} まで）")
        if head is None:
            return p.read_bytes()
        with p.open("rb") as f:
            return f.read(head)
    except FileNotFoundError:
        raise InputError(f"{p}: ファイルがありません") from None
    except PermissionError:
        raise InputError(f"{p}: 読む権限がありません") from None


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n % (1024 * 1024) else f"{n // (1024 * 1024)} MB"


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
    if p.suffix.lower() == ".xlsx":  # a workbook of piadiff's own layout (piadiff new / show -o ….xlsx)
        from .workbook import read_workbook

        return read_workbook(p)
    text = decode(read_bytes(p, limits.DOCUMENT_BYTES), str(p))
    suffix = p.suffix.lower()
    fmt = "json" if suffix == ".json" else "yaml" if suffix in (".yaml", ".yml") else None
    return parse_text(text, str(p), fmt)


def _parse_json(text: str, source: str, first_line: int = 1) -> Any:
    """JSON as the standard parser reads it (its message for a syntax error), refusing what a
    document cannot hold. The quick look is at the parsed data; only when it finds something is the
    text read again (:class:`_JsonReader`) to say on which line."""
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_float=_bounded_float, object_pairs_hook=_pairs)
    except json.JSONDecodeError as e:
        line = e.lineno + first_line - 1
        raise InputError(f"{source}:{line}: JSON として読めません（{e.msg}, {e.colno} 文字目）") from None
    except RecursionError:
        where = f":{first_line}" if first_line > 1 else ""
        raise InputError(f"{source}{where}: 入れ子が深すぎます（{limits.DEPTH} 段まで）") from None
    except _Suspect:
        data = _Suspect
    if data is _Suspect or not _fits(data):
        _JsonReader(text, source, first_line).read()  # raises, naming the line
        raise InputError(f"{source}: 読めない値があります")  # the reader sees all the quick look sees
    return data


class _Suspect(Exception):
    """A key written twice or a number too long: the reader will say where."""


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > limits.DIGITS:
        raise _Suspect
    return int(digits)


def _bounded_float(text: str) -> float:
    if len(text.lstrip("-").split(".")[0]) > limits.DIGITS:
        raise _Suspect
    return float(text)


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Suspect
    return out


def _fits(data: Any) -> bool:
    """Whether parsed JSON stays within the limits of a document (see :mod:`piadiff.limits`)."""
    nodes, stack = 0, [(data, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > limits.NODES or depth > limits.DEPTH:
            return False
        if isinstance(node, dict):
            nodes += len(node)
            if any(text_problem(k) for k in node):
                return False
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            if len(node) > limits.ENTRIES:
                return False
            stack.extend((v, depth + 1) for v in node)
        elif isinstance(node, str) and text_problem(node):
            return False
    return True


def parse_json_line(text: str, source: str, line: int) -> Any:
    """One line of a file of JSON lines (annex rows), checked as a document's JSON is; messages
    name ``source`` and ``line``."""
    return _parse_json(text, source, line)


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?")
_CONSTANTS = (("null", None), ("true", True), ("false", False), ("NaN", float("nan")),
              ("Infinity", float("inf")), ("-Infinity", float("-inf")))


class _JsonReader:
    """Reads JSON text the standard parser has accepted, with the line of each key (as
    :class:`LineDict`), refusing with that line: a key written twice in one object, a number too
    long, too many values or entries, too deep, and text :func:`piadiff.limits.text_problem` refuses."""

    def __init__(self, text: str, source: str, first_line: int = 1):
        self.s, self.source, self.nodes, self.first_line = text, source, 0, first_line
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def read(self) -> Any:
        return self.value(self.ws(0), 0)[0]

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + self.first_line

    def refuse(self, pos: int, what: str):
        raise InputError(f"{self.source}:{self.line(pos)}: {what}")

    def ws(self, i: int) -> int:
        return _WS.match(self.s, i).end()

    def value(self, i: int, depth: int) -> tuple[Any, int]:
        _count(self, i, depth)
        s, c = self.s, self.s[i : i + 1]
        if c == '"':
            text, end = scanstring(s, i + 1, True)
            return self.text(text, i), end
        if c == "{":
            return self.mapping(i, depth)
        if c == "[":
            return self.sequence(i, depth)
        if (m := _NUMBER.match(s, i)) and m.end() > i:
            whole, frac, exp = m.groups()
            if len(whole.lstrip("-")) > limits.DIGITS:
                self.refuse(i, f"数が {len(whole.lstrip('-')):,} 桁あります（{limits.DIGITS} 桁まで。件数や番号は正しい数で書いてください）")
            return (float(m.group(0)) if frac or exp else int(whole)), m.end()
        for word, constant in _CONSTANTS:
            if s.startswith(word, i):
                return constant, i + len(word)
        self.refuse(i, "JSON として読めません")

    def text(self, text: str, pos: int) -> str:
        if what := text_problem(text):  # scanstring has made each pair of escapes one character
            self.refuse(pos, f"「{short(text)}」: {what}")
        return text

    def mapping(self, i: int, depth: int) -> tuple[LineDict, int]:
        out = LineDict()
        out.lines = {}
        i = self.ws(i + 1)
        if self.s[i] == "}":
            return out, i + 1
        while True:
            at = i
            _count(self, at, depth + 1)
            key, i = scanstring(self.s, i + 1, True)
            key = self.text(key, at)
            if key in out:
                self.refuse(at, f"「{short(key)}」が二度書かれています（{out.lines[key]} 行目にもあります。一つにまとめてください）")
            i = self.ws(self.ws(i) + 1)  # the colon
            out[key], i = self.value(i, depth + 1)
            out.lines[key] = self.line(at)
            i = self.ws(i)
            if self.s[i] != ",":
                return out, i + 1
            i = self.ws(i + 1)

    def sequence(self, i: int, depth: int) -> tuple[list, int]:
        out: list = []
        i = self.ws(i + 1)
        if self.s[i] == "]":
            return out, i + 1
        while True:
            if len(out) == limits.ENTRIES:
                self.refuse(i, f"並びが長すぎます（一つのリストに {limits.ENTRIES:,} 件まで）")
            item, i = self.value(i, depth + 1)
            out.append(item)
            i = self.ws(i)
            if self.s[i] != ",":
                return out, i + 1
            i = self.ws(i + 1)


def _count(reader, pos: int, depth: int) -> None:
    """One more key, value or list item read (JSON or YAML): refuse a document past the limits."""
    reader.nodes += 1
    if reader.nodes > limits.NODES:
        reader.refuse(pos, f"項目と値が多すぎます（一つの文書に {limits.NODES:,} まで）")
    if depth > limits.DEPTH:
        reader.refuse(pos, f"入れ子が深すぎます（{limits.DEPTH} 段まで）")


_SURROGATE_ONLY = re.compile("文字ではない符号")


def _join_pairs(text: str) -> str | None:
    """A character beyond U+FFFF written as two escapes (\\ud83d\\ude00) made one again; None
    when a half stands alone (or the text has another problem)."""
    try:
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return None
    return None if text_problem(joined) else joined


def _parse_yaml(text: str, source: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=_document_loader())
    except _Refused as e:
        raise InputError(f"{source}:{e.line}: {e.what}") from None
    except yaml.YAMLError as e:
        raise InputError(yaml_error_message(e, source, text)) from None
    except RecursionError:
        raise InputError(f"{source}: 入れ子が深すぎます（{limits.DEPTH} 段まで）") from None


def yaml_error_message(error: Exception, source: str | None, text: str | None = None) -> str:
    """A PyYAML error in Japanese, for an officer: ``source:line: YAML として読めません（… 行目 … 文字目）:
    what is wrong. what to do``. Documents, settings.yaml and decision files all say it this way."""
    line, column, what = yaml_problem(error, text)
    where = f"（{line} 行目 {column} 文字目）" if line and column else f"（{line} 行目）" if line else ""
    prefix = f"{source}:{line}: " if source and line else f"{source}: " if source else ""
    return f"{prefix}YAML として読めません{where}: {what}"


#: PyYAML's problem (or context) → what to say, and whether the place to name is where the
#: construct began (an unclosed quote or bracket) rather than where PyYAML noticed
_YAML_PROBLEMS: list[tuple[str, str, bool]] = [
    (r"'\\t'|\btab\b", "タブ文字は使えません。字下げや区切りには半角の空白を使ってください", False),
    (r"mapping values are not allowed", "ここに「: 」は書けません。値の中に「: 」があるなら値全体を引用符（\"…\"）で囲み、"
     "項目なら字下げを上の項目とそろえてください", False),
    (r"could not find expected ':'", "「項目名: 値」の「:」がありません。項目なら名前の後に「: 」を書き、前の行の続きなら"
     "値全体を引用符（\"…\"）で囲むか「|」の後に字下げして書いてください", True),
    (r"unexpected end of stream", "引用符（\" または '）が閉じられていません。値の終わりに、始めと同じ引用符を書いてください", True),
    (r"expected ',' or '\]'", "「[」で始めた並びが閉じられていません。「]」で閉じ、中の値は「,」で区切ってください", True),
    (r"expected ',' or '\}'", "「{」で始めた項目の並びが閉じられていません。「}」で閉じ、中の項目は「,」で区切ってください", True),
    (r"escape", "\"…\" の中では「\\」が特別な意味を持ちます。\\ をそのまま書くなら値を ' で囲むか、\\\\ と書いてください", False),
    (r"document start", "「%」で始まる行や「...」の後の行は書けません。値なら引用符で囲んでください", False),
    (r"found '<scalar>'", "値の後に余分な文字があります。引用符で囲んだ値の後ろには何も書かず、必要なら値全体を引用符で囲んでください", False),
    (r"expected <block end>, but found '-'|expected '-' indicator",
     "「- 」の並びの字下げがそろっていません。並びの行は同じ数の空白で字下げし、「項目名: 」と同じ階層に混ぜないでください", False),
    (r"expected <block end>|expected key|block mapping|block collection",
     "字下げがそろっていません。同じ階層の項目は同じ数の空白で字下げしてください", False),
    (r"anchor|alias", "「&」「*」で始まる値は書けません（アンカー/エイリアスは使えません）。値全体を引用符（\"…\"）で囲んでください", False),
    (r"cannot start any token", "この文字で始まる値は書けません。値全体を引用符（\"…\"）で囲んでください", False),
    (r"node content", "値がありません。「,」「]」「}」の前に値を書くか、余分な区切りを消してください", False),
    (r"another document", "一つのファイルに「---」で区切った文書が二つあります。一つのファイルには一つだけ書いてください", False),
    (r"block scalar", "「|」「>」の後には何も書かず、次の行から字下げして書いてください", False),
    (r"\btag\b", "タグ（! で始まる語）は使えません。値全体を引用符（\"…\"）で囲んでください", False),
    (r"unhashable", "項目名に [ ] や { } は使えません。項目名は文字で書いてください", False),
]


def yaml_problem(error: Exception, text: str | None = None) -> tuple[int | None, int | None, str]:
    """(line, column, what to say in Japanese) for a PyYAML error; line and column count from 1."""
    import yaml

    if isinstance(error, yaml.reader.ReaderError):
        line = column = None
        if text is not None and 0 <= error.position <= len(text):
            line = text.count("\n", 0, error.position) + 1
            column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        what = (f"使えない文字（U+{error.character:04X}）があります。その文字を消してください"
                if isinstance(error.character, int) else "文字コードが正しくありません。UTF-8 で保存し直してください")
        return line, column, what
    if not isinstance(error, yaml.MarkedYAMLError):
        return None, None, "書き方に誤りがあります。字下げ・「:」・引用符を確かめてください"
    problem, context = error.problem or "", error.context or ""
    if re.search("[\u3040-\u30ff\u4e00-\u9fff]", problem):  # piadiff's own refusal, already in Japanese
        mark = error.problem_mark or error.context_mark
        return (mark.line + 1 if mark else None), (mark.column + 1 if mark else None), problem
    for said in (problem, context):  # what PyYAML found first; what it was reading only if that says nothing known
        for pattern, what, at_start in _YAML_PROBLEMS:
            if not re.search(pattern, said):
                continue
            mark = (error.context_mark if at_start else None) or error.problem_mark or error.context_mark
            if "token" in pattern and (ch := re.search(r"character '(.)'", problem)):
                what = f"「{ch.group(1)}」で始まる値は書けません。値全体を引用符（\"…\"）で囲んでください"
            return (mark.line + 1 if mark else None), (mark.column + 1 if mark else None), what
    mark = error.problem_mark or error.context_mark
    return ((mark.line + 1 if mark else None), (mark.column + 1 if mark else None),
            "書き方に誤りがあります。この行と一つ前の行の字下げ・「:」・引用符を確かめてください")


class _Refused(Exception):
    """Raised inside the YAML loader: what is refused, at which line."""

    def __init__(self, line: int, what: str):
        super().__init__(what)
        self.line, self.what = line, what


#: the only tags a document may write: the plain kinds every value already is
_PLAIN_TAGS = (None, "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:null")


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
    - tags (``!!binary``, ``!!int``, ``!!python/…``) are refused: a value is the text written;
    - a key written twice, text :func:`piadiff.limits.text_problem` refuses (too long, a lone
      surrogate escape, a run of digits) and a document past the limits of nodes and entries
      are refused at their line, while reading: a huge file stops being read at the limit;
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

    def refuse(self, mark, what):
        raise _Refused(mark.line + 1, what)

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "アンカー/エイリアス(& や *)は使えません。& や * で始まる値は引用符（\"…\"）で囲んでください", event.start_mark
            )
        tag = getattr(event, "tag", None)
        if tag not in _PLAIN_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            refuse(self, event.start_mark, f"タグ「{short(shown)}」は使えません（タグを消して、値をそのまま文字で書いてください）")
        self.nodes = getattr(self, "nodes", 0)
        _count(self, event.start_mark, 0)
        return yaml.SafeLoader.compose_node(self, parent, index)

    def construct_str(self, node):
        value = self.construct_scalar(node)
        if what := text_problem(value):
            if _SURROGATE_ONLY.match(what) and (joined := _join_pairs(value)) is not None:
                return joined  # "\\ud83d\\ude00": one character written as its two UTF-16 halves
            refuse(self, node.start_mark, f"「{short(value)}」: {what}")
        return value

    def construct_sequence(self, node, deep=False):
        if len(node.value) > limits.ENTRIES:
            refuse(self, node.value[limits.ENTRIES].start_mark, f"並びが長すぎます（一つのリストに {limits.ENTRIES:,} 件まで）")
        return [self.construct_object(child, deep=True) for child in node.value]

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
                refuse(self, key_node.start_mark,
                       f"「{short(key)}」が二度書かれています（{mapping.lines[key]} 行目にもあります。一つにまとめてください）")
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.lines[key] = key_node.start_mark.line + 1
        return mapping

    DocumentLoader.compose_node = compose_node
    DocumentLoader.refuse = refuse
    DocumentLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
    DocumentLoader.add_constructor("tag:yaml.org,2002:seq", construct_sequence)
    DocumentLoader.add_constructor("tag:yaml.org,2002:str", construct_str)
    _LOADER = DocumentLoader
    return _LOADER
