"""Every kind of input that ends up in the store's metadata, checked in one place.

What a person types (an assessment id, the name of who records or decides, a message) is checked
here once, at the boundary where it enters (CLI options, the environment variable PIADIFF_AUTHOR,
the web form, and again by the store itself for library callers). A refusal is one Japanese line
(:class:`InputError`, exit 1).

What a document carries (its 評価書名, …) is not refused here: it is *encoded* wherever it is
written into a commit (:func:`encode_value`), so no value can forge another field, whatever
characters it holds. Commit metadata is read back with :func:`decode_value`, never by splitting
text on separators a value could contain.
"""

from __future__ import annotations

import json
import re
import unicodedata

from .errors import InputError, PiadiffError

AUTHOR_MAX = 100  # characters of a person's name
MESSAGE_MAX = 2000  # characters of a version's message (-m)

_ID = re.compile(r"^[^\W_][\w.\-]{0,99}$")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)
# characters that reorder what a terminal or git log shows (a name could pose as another)
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KIND = {"Cc": "制御文字", "Cf": "書式制御文字", "Cs": "サロゲート", "Zl": "行区切り", "Zp": "段落区切り"}


def _name(ch: str) -> str:
    """制御文字 U+001F: a character named without printing it."""
    kind = "改行" if ch in "\r\n" else "タブ" if ch == "\t" else _KIND.get(unicodedata.category(ch), "使えない文字")
    return f"{kind} U+{ord(ch):04X}"


def _first_bad(text: str, allowed: str = "") -> tuple[int, str] | None:
    for i, ch in enumerate(text, start=1):
        if ch in allowed:
            continue
        if unicodedata.category(ch) in _KIND or ch in _BIDI:
            return i, ch
    return None


def check_id(assessment_id: str) -> str:
    """An assessment id that is safe as a file name everywhere, or a clear error."""
    aid = unicodedata.normalize("NFC", str(assessment_id))
    if (
        not _ID.match(aid)
        or ".." in aid
        or _RESERVED.match(aid.split(".")[0])
        or aid.endswith(".")
    ):
        shown = "".join(c if c.isprintable() else " " for c in str(assessment_id))[:120]
        raise PiadiffError(
            f"評価書ID「{shown}」は使えません（文字・数字と - _ . だけで100字まで、先頭は文字か数字）"
        )
    return aid


def check_author(name: str, where: str = "記録する人") -> str:
    """The name of who records or decides, as it goes into a commit's author and the decisions file.

    One line of at most AUTHOR_MAX characters: no control characters, no line breaks of any kind
    (newline, U+2028, U+2029), no < or > (git's own delimiters), no bidirectional overrides.
    """
    text = unicodedata.normalize("NFC", str(name)).strip()
    rule = f"名前は 1 行・{AUTHOR_MAX} 字までで、改行・制御文字・< > は使えません"
    if not text:
        raise InputError(f"{where} が空です（{rule}）")
    bad = _first_bad(text)
    if bad:
        raise InputError(f"{where} に使えない文字があります（{bad[0]} 文字目に{_name(bad[1])}）。{rule}")
    for i, ch in enumerate(text, start=1):
        if ch in "<>":
            raise InputError(f"{where} に使えない文字があります（{i} 文字目に「{ch}」）。{rule}")
    if len(text) > AUTHOR_MAX:
        raise InputError(f"{where} が長すぎます（{len(text)} 字）。{rule}")
    return text


def check_message(message: str | None, where: str = "メッセージ") -> str | None:
    """A version's message: lines (and tabs) are allowed, other control characters are not."""
    if message is None:
        return None
    text = str(message).replace("\r\n", "\n").replace("\r", "\n")
    rule = f"メッセージは {MESSAGE_MAX} 字までで、改行とタブのほかの制御文字や U+2028・U+2029 は使えません"
    bad = _first_bad(text, allowed="\n\t")
    if bad:
        raise InputError(f"{where} に使えない文字があります（{bad[0]} 文字目に{_name(bad[1])}）。{rule}")
    if len(text) > MESSAGE_MAX:
        raise InputError(f"{where} が長すぎます（{len(text)} 字）。{rule}")
    return text


def click_author(ctx, param, value: str | None) -> str | None:
    """click callback for an --author option."""
    return None if value is None else check_author(value, f"--{param.name}")


def click_message(ctx, param, value: str | None) -> str | None:
    """click callback for a -m/--message option."""
    return check_message(value, "-m（この版の説明）")


def one_line(text: str) -> str:
    """Text for a line a person reads (a commit's subject): every character that is not printable
    (line breaks of any kind, control characters) becomes a space."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def readable(text: str) -> str:
    """Several lines for a person to read: lines kept, every other unprintable character a space."""
    return "\n".join("".join(c if c.isprintable() or c == "\t" else " " for c in line).rstrip()
                     for line in text.split("\n"))


def encode_value(value: str | None) -> str:
    """A value as one line of JSON that no reader can split: Japanese stays readable, but every
    character that is not printable (newline, U+2028, U+2029, U+0085, controls, …) is escaped."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else
                   "".join(f"\\u{u:04x}" for u in _utf16(c)) for c in text)


def _utf16(ch: str) -> tuple[int, int]:
    n = ord(ch) - 0x10000
    return 0xD800 + (n >> 10), 0xDC00 + (n & 0x3FF)


def decode_value(text: str) -> str | None:
    """The value :func:`encode_value` wrote; ValueError if the text is not one JSON string or null."""
    value = json.loads(text)
    if value is not None and not isinstance(value, str):
        raise ValueError("文字列ではありません")
    return value
