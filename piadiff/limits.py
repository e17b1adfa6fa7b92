"""How much piadiff reads from one input: every limit, in one place.

Each limit is far above what a real document or annex holds (the figures in the comments are the
largest found in the published documents and the examples), and low enough that no input keeps a
command busy for more than a few seconds. An input over a limit is refused where it enters
(:mod:`piadiff.load` for documents and settings, :mod:`piadiff.legacy` for annex rows, the
version parser of :mod:`piadiff.store`), with a message that says which limit and where.
"""

from __future__ import annotations

import re

#: any file piadiff reads as text (a published text to import): a real one is under 200 KB
FILE_BYTES = 20 * 1024 * 1024
#: a document file (YAML or JSON) or settings.yaml: a real 全項目評価書 is under 100 KB
DOCUMENT_BYTES = 2 * 1024 * 1024
#: nesting of mappings and lists in a document: a form has 6 levels
DEPTH = 40
#: keys, values and list items of one document together: a real one has about 1,200
NODES = 10_000
#: entries of one list (システム, 委託事項, 特定個人情報ファイル…): a real one has at most about 10
ENTRIES = 100
#: characters of one value: the longest real one has about 3,000
TEXT_CHARS = 50_000
#: digits one after another in a value or a key: a count, a 番号 or a date has a few, and no number
#: anyone writes has this many
DIGITS = 100
#: a file of annex rows for ``classify --rows``: the published documents' 142 rows take 140 KB
ROWS_BYTES = 5 * 1024 * 1024
#: rows in one such file: a body's whole annex history is a few hundred
ROWS = 1_000
#: characters of one row's 項目: the longest real one has 85
ITEM_CHARS = 300
#: digits of a version number (v3, latest~1) or a row number
VERSION_DIGITS = 9
#: a diff of two texts compares at most this many pairs of characters (what is left once the
#: common start and end are set aside); past it, the differing middle counts as rewritten whole
DIFF_PAIRS = 250_000

_DIGIT_RUN = re.compile(r"\d{%d,}" % (DIGITS + 1))
_SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str, max_chars: int = TEXT_CHARS) -> str | None:
    """What is wrong with one piece of text read from a file, or None: too long, a run of digits
    no count or date has, or half of a UTF-16 surrogate pair (no character at all)."""
    if len(text) > max_chars:
        return f"{len(text):,} 文字あります（一つの値は {max_chars:,} 文字まで）"
    if m := _SURROGATE.search(text):
        return f"文字ではない符号(U+{ord(m.group(0)):04X}、対になっていないサロゲート)が含まれています。その文字を書き直してください"
    # \d is every decimal digit, the full-width ones too: no normalising of the whole text needed
    if len(text) > DIGITS and (m := _DIGIT_RUN.search(text)):
        return f"数字が {len(m.group(0)):,} 桁続いています（続けて書けるのは {DIGITS} 桁まで。件数や番号は正しい数で書いてください）"
    return None


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def short(text: str, chars: int = 40) -> str:
    """A value as a one-line message quotes it: its start, with how long it is when it is long,
    control characters and surrogates written as escapes (\\n, \\ud800)."""
    cut = text if len(text) <= chars else f"{text[:chars]}…（{len(text):,} 文字）"
    return _UNPRINTABLE.sub(lambda m: m.group(0).encode("unicode_escape", "backslashreplace").decode("ascii")
                            if m.group(0) < "\ud800" else f"\\u{ord(m.group(0)):04x}", cut)
