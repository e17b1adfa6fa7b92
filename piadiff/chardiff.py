"""The one character-level diff of the package: the classifier's edits, excerpts and the HTML highlights.

diff-match-patch (Myers' algorithm after trimming the common opening and ending), without its
deadline so that the same pair always gives the same answer. Japanese has no spaces, so words are
no unit; sentences are. A pair too long to compare character by character
(:data:`piadiff.limits.DIFF_PAIRS`) is compared sentence by sentence first, then the characters of
each run of differing sentences; a run still too long counts as rewritten whole. So no pair of
texts keeps anyone waiting.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import limits

EQUAL, DELETE, INSERT = 0, -1, 1
Diffs = list[tuple[int, str]]
Opcode = tuple[str, int, int, int, int]  # as difflib.SequenceMatcher.get_opcodes gives them

_SENTENCE = re.compile(r"[^。\n]*(?:。|\n|$)")
_CODES = 0xF0000  # a private-use plane: one character stands for one sentence


@lru_cache(maxsize=1)
def _engine():
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # deterministic: no answer depends on the machine's speed
    return dmp


def sentences(text: str) -> list[str]:
    """``text`` cut after each 。 and line break; the pieces join back to ``text``."""
    return [s for s in _SENTENCE.findall(text) if s]


def diffs(a: str, b: str) -> Diffs:
    """How ``b`` differs from ``a``: (op, text) pieces, op -1 taken from ``a``, 1 put into ``b``, 0 kept."""
    if a == b:
        return [(EQUAL, a)] if a else []
    if len(a) * len(b) <= limits.DIFF_PAIRS:
        return _engine().diff_main(a, b, False)
    return _by_sentences(a, b)


def _by_sentences(a: str, b: str) -> Diffs:
    pa, pb = sentences(a), sentences(b)
    code: dict[str, str] = {}
    for s in pa + pb:
        code.setdefault(s, chr(_CODES + len(code)))
    if len(code) > 0xFFFD:  # more sentences than codes: say the texts were rewritten
        return [(DELETE, a), (INSERT, b)]
    text = {c: s for s, c in code.items()}
    coarse = _engine().diff_main("".join(code[s] for s in pa), "".join(code[s] for s in pb), False)
    out: Diffs = []
    pending = {DELETE: "", INSERT: ""}
    for op, codes in coarse + [(EQUAL, "")]:
        piece = "".join(text[c] for c in codes)
        if op != EQUAL:
            pending[op] += piece
            continue
        old, new = pending[DELETE], pending[INSERT]
        if old and new and len(old) * len(new) <= limits.DIFF_PAIRS:
            out += _engine().diff_main(old, new, False)
        else:
            out += [(o, t) for o, t in ((DELETE, old), (INSERT, new)) if t]
        pending = {DELETE: "", INSERT: ""}
        if piece:
            out.append((EQUAL, piece))
    return out


def opcodes(a: str, b: str) -> list[Opcode]:
    """The same answer as :func:`diffs`, as difflib's opcodes (equal / delete / insert / replace)."""
    out: list[Opcode] = []
    i = j = 0
    for op, text in diffs(a, b):
        n = len(text)
        if op == EQUAL:
            out.append(("equal", i, i + n, j, j + n))
            i, j = i + n, j + n
            continue
        if out and out[-1][0] in ("delete", "insert", "replace"):
            _, i1, i2, j1, j2 = out.pop()  # a deletion next to an insertion is one replacement
        else:
            i1, i2, j1, j2 = i, i, j, j
        if op == DELETE:
            i2, i = i2 + n, i + n
        else:
            j2, j = j2 + n, j + n
        out.append(("replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert", i1, i2, j1, j2))
    return out


def edits(a: str, b: str) -> tuple[str, str]:
    """The characters deleted from ``a`` and those inserted into ``b``, each run on a line of its own."""
    deleted, inserted = [], []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag in ("delete", "replace"):
            deleted.append(a[i1:i2])
        if tag in ("insert", "replace"):
            inserted.append(b[j1:j2])
    return "\n".join(deleted), "\n".join(inserted)


def readable(a: str, b: str) -> Diffs:
    """:func:`diffs` with the pieces grouped for a reader (whole words and phrases, not scattered
    characters that happen to match): what the HTML highlights show."""
    d = diffs(a, b)
    _engine().diff_cleanupSemantic(d)
    return d
