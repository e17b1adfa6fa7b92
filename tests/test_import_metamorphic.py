"""Publication artifacts as tests: what real publications do to the text must not change what it says.

Each kind of alteration (tests/metamorphic.py) is applied to the published seeds (000: pdftotext
text, 001 and 003: tab-separated text with HTML fragments), alone and in random combinations.
Importing the altered text must give:

* the same form kind and the same items, compared after :func:`normalized` (below);
* the same annex rows, as many and with the same cells (a kind that changes a row on purpose —
  a row printed twice, a placeholder or a date written another way — says what to expect);
* nothing lost: no annex row is lost; the import's account (``ImportResult.account``) has seen
  every non-blank line of the altered text; and every text the original import left in
  ``unplaced`` is, if still in the altered text, still in the import (placed or unplaced). The
  importers expose only the account's totals, not which line went where, so a line's own fate is
  left to their check (``piadiff.importers.account.settle``).

A kind that fails today is marked xfail(strict=True) with what breaks, in :data:`KNOWN_FAILURES`:
the suite stays green, and a fix of the importers turns the case into an XPASS that fails until
its mark is removed.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import DATA
from metamorphic import EDITION_WORDING, KINDS, Altered, alter, applies, tsv_annex
from piadiff.errors import PiadiffError
from piadiff.importers import ImportResult, detect_format, import_text

SEEDS = {
    "000": "seeds/000_e7ab5a5bb9cf9333.txt",
    "001": "seeds/001_390dc73fa7d93b30.txt",
    "003": "seeds/003_d3c2f59301631452.txt",
}
#: the random stream of the single-kind cases (the combinations draw their own)
RNG_SEED = 1

#: (seed, kind) -> what breaks today, as seen with RNG_SEED
KNOWN_FAILURES: dict[tuple[str, str], str] = {
    # 000: pdftotext text
    ("000", "cell_wrap"): "a wrapped （手数料額、納付方法： …） keeps its closing ） in the value",
    ("000", "page_break_blank"): "a value separated from its label by a new page break is dropped: 5 items missing",
    ("000", "page_number_bare"): "refused: the cover's page number 1 is a second 評価書番号 candidate",
    # 001: tab-separated text with HTML
    # 003: tab-separated text with HTML
}


#: failures found beyond the single-kind cases (another random stream, or kinds failing only
#: together): (seed, kinds, rng seed) -> what breaks. Each is a case of its own, and its kinds are
#: left out of the combinations that must hold.
FOUND: dict[tuple[str, tuple[str, ...], int], str] = {
    ("000", ("section_heading_repeat",), 3): "a Ⅲ heading repeated at a page break: リスク4 リスクへの対策は十分か missing",
    ("000", ("section_heading_repeat",), 4): "a Ⅲ heading repeated at a page break: 4 items missing (Ⅲ-5 リスク1 ルールの内容… )",
}

# --- the publications and their imports ------------------------------------------------------


@functools.cache
def published(seed: str) -> tuple[str, str]:
    text = (DATA / SEEDS[seed]).read_text(encoding="utf-8")
    return text, detect_format(text)


@functools.cache
def original(seed: str) -> ImportResult:
    text, _ = published(seed)
    return import_text(text, SEEDS[seed])


def altered(seed: str, kinds: tuple[str, ...], rng_seed: int) -> Altered:
    text, fmt = published(seed)
    return alter(text, fmt, original(seed).legacy_rows, kinds, rng_seed)


# --- what "the same" means -------------------------------------------------------------------


def norm_text(s: str) -> str:
    """A text's words: NFKC (full-/half-width, NBSP and U+3000 as spaces), then no whitespace at all.

    Where a publication breaks a line, and whether it separates words with an ASCII or an
    ideographic space, is layout: Japanese text does not depend on it, and the importers keep
    a value's line breaks as printed (a <br> or a wrapped line becomes one). Everything else —
    every character, the order of entries, which option was chosen — must be equal.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


#: a choice printed in another edition's wording is the same choice: the catalog keeps some such
#: wordings as printed (``also``) and reads others as the option they name, so either is the same
SAME_CHOICE = {norm_text(k): norm_text(v) for k, v in EDITION_WORDING.items()}


def normalized(data: Any) -> Any:
    """The document for comparison: texts by :func:`norm_text`, 注記 left out (the importer's own
    notes on what it could not place: those may rightly change with the layout)."""
    if isinstance(data, dict):
        return {k: normalized(v) for k, v in data.items() if k != "注記"}
    if isinstance(data, list):
        return [normalized(v) for v in data]
    if isinstance(data, str):
        s = norm_text(data)
        return SAME_CHOICE.get(s, s)
    return data


def leaves(data: Any, path: str = "") -> dict[str, Any]:
    """path -> value of every leaf (a checkbox's list of ticks is one leaf); entries named by 番号."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(leaves(v, f"{path} > {k}" if path else k))
    elif isinstance(data, list) and data and all(isinstance(e, dict) and "番号" in e for e in data):
        for e in data:
            out.update(leaves({k: v for k, v in e.items() if k != "番号"}, f"{path}[{e['番号']}]"))
    else:
        out[path] = repr(data)
    return out


def expected_data(doc: Altered, orig: ImportResult) -> dict:
    data = dict(orig.data)
    if doc.no_cover:
        data.pop("表紙", None)
    elif doc.cover_lost and "表紙" in data:
        data["表紙"] = {k: v for k, v in data["表紙"].items() if k not in doc.cover_lost}
    return normalized(data)


ROW_CELLS = ("date_text", "item", "before", "after", "timing", "explanation")


def content(s: str) -> str:
    """Letters and digits only (NFKC): to find a text again whatever became of its brackets and spaces."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", s))


def strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in [str(k)] + strings(v)]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return [str(data)]


def first_difference(got: str, want: str) -> str:
    """Where two (normalized) values part: a little context, then what each has there."""
    n = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
    lo = max(0, n - 12)
    return f"…{got[lo:n + 20]!r} instead of …{want[lo:n + 20]!r}"


def differences(doc: Altered, orig: ImportResult, got: ImportResult) -> list[str]:
    """What the import of the altered text says differently from the original's (empty: the same)."""
    out: list[str] = []
    if got.kind != orig.kind:
        out.append(f"様式 {got.kind} instead of {orig.kind}")
    # the annex rows
    want, rows = doc.rows, got.legacy_rows
    if len(rows) != len(want):
        out.append(f"{len(rows)} annex rows instead of {len(want)}")
    changed = []
    for k, (w, g) in enumerate(zip(want, rows), start=1):
        cells = [c for c in ROW_CELLS if norm_text(str(w[c])) != norm_text(str(g[c]))]
        if w["date_iso"] != g["date_iso"]:
            cells.append("date_iso")
        if cells:
            changed.append((k, cells, w, g))
    if changed:
        k, cells, w, g = changed[0]
        c = cells[0]
        out.append(f"{len(changed)} annex rows differ, first row {k} {c}: {str(g[c])[:40]!r} instead of {str(w[c])[:40]!r}")
    # the items
    want_items, got_items = leaves(expected_data(doc, orig)), leaves(normalized(got.data))
    missing = [p for p in want_items if p not in got_items]
    extra = [p for p in got_items if p not in want_items]
    other = [p for p in want_items if p in got_items and want_items[p] != got_items[p]]
    for what, paths in (("missing", missing), ("extra", extra), ("changed", other)):
        if paths:
            out.append(f"{len(paths)} items {what}, e.g. {paths[0]}"
                       + (": " + first_difference(got_items[paths[0]], want_items[paths[0]]) if what == "changed" else ""))
    # nothing lost: what the original left unplaced is still accounted for, if still in the text
    import html

    present = content(html.unescape(re.sub(r"<[^<>]*>", "", doc.text)))
    # (an importer may keep a line it could not read with its markup: its words are still there)
    pool = content(html.unescape(re.sub(r"<[^<>]*>", "", "".join(
        strings(got.data) + [str(r[c]) for r in rows for c in ROW_CELLS] + [u.text for u in got.unplaced]))))
    lost = [u for u in orig.unplaced if len(content(u.text)) >= 4 and content(u.text) in present and content(u.text) not in pool]
    if lost:
        out.append(f"{len(lost)} unplaced texts of the original lost, e.g. line {lost[0].line}: {lost[0].text[:50]!r}")
    # nothing lost: the importer's account has seen every non-blank line (which line went where is
    # not exposed — only totals — so each line's fate is the importer's own check, account.settle)
    lines = sum(1 for ln in doc.text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n") if ln.strip())
    account = getattr(got, "account", None)
    if account is None:
        out.append("no account of the lines")
    elif account.lines != lines:
        out.append(f"the account counts {account.lines} non-blank lines, the text has {lines}")
    if out:
        out.append(f"({len(got.unplaced)} unplaced, original {len(orig.unplaced)})")
    return out


def check(seed: str, kinds: tuple[str, ...], rng_seed: int) -> None:
    doc = altered(seed, kinds, rng_seed)
    try:
        got = import_text(doc.text, SEEDS[seed])
    except PiadiffError as e:
        pytest.fail(f"{seed} {'+'.join(kinds)} (rng {rng_seed}): refused: {e}")
    diff = differences(doc, original(seed), got)
    assert not diff, f"{seed} {'+'.join(kinds)} (rng {rng_seed}): " + "; ".join(diff + doc.notes)


# --- the cases -------------------------------------------------------------------------------


@functools.cache
def applicable(seed: str) -> list[str]:
    text, fmt = published(seed)
    return [k for k in KINDS if applies(k, text, fmt, original(seed).legacy_rows)]


def single_cases() -> list:
    cases = []
    for seed in SEEDS:
        for name in applicable(seed):
            why = KNOWN_FAILURES.get((seed, name))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            cases.append(pytest.param(seed, name, marks=marks, id=f"{seed}-{name}"))
    return cases


def test_there_are_at_least_twenty_kinds_each_saying_what_publications_do():
    assert len(KINDS) >= 20
    for k in KINDS.values():
        assert k.what and "\n" not in k.what, k.name
        assert k.formats <= {"tsv", "pdftext"} and k.formats, k.name


@pytest.mark.parametrize("seed", [s for s in SEEDS if published(s)[1] == "tsv"])
def test_the_generator_finds_every_annex_row(seed):
    """The generator's own view of the annex matches the import's (or it would alter the wrong lines)."""
    text, _ = published(seed)
    annex = tsv_annex(text.split("\n"))
    assert annex is not None and len(annex.rows) == len(original(seed).legacy_rows)


@pytest.mark.parametrize("seed, kind", single_cases())
def test_one_alteration_keeps_the_meaning(seed, kind):
    check(seed, (kind,), RNG_SEED)


def found_cases() -> list:
    return [pytest.param(seed, kinds, rng, marks=[pytest.mark.xfail(strict=True, reason=why)],
                         id=f"{seed}-{'+'.join(kinds)}-rng{rng}")
            for (seed, kinds, rng), why in FOUND.items()]


@pytest.mark.parametrize("seed, kinds, rng", found_cases())
def test_found_cases_keep_the_meaning(seed, kinds, rng):
    check(seed, kinds, rng)


def passing(seed: str) -> list[str]:
    """The kinds that hold alone on this publication (in every case tried)."""
    failed = {k for (s, kinds, _) in FOUND if s == seed for k in kinds}
    return [k for k in applicable(seed) if (seed, k) not in KNOWN_FAILURES and k not in failed]


COMBINATIONS = settings(
    max_examples=25, deadline=None, derandomize=True, database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example costs an import; the message names the case
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@COMBINATIONS
@given(data=st.data())
def test_combinations_of_alterations_that_hold_alone_keep_the_meaning(data):
    seed = data.draw(st.sampled_from(list(SEEDS)), label="seed")
    kinds = data.draw(st.lists(st.sampled_from(passing(seed)), min_size=2, max_size=6, unique=True), label="kinds")
    rng_seed = data.draw(st.integers(0, 2**16), label="rng")
    check(seed, tuple(sorted(kinds)), rng_seed)


@pytest.mark.xfail(bool(KNOWN_FAILURES), strict=True, reason="combinations include the kinds that fail alone (KNOWN_FAILURES)")
@COMBINATIONS
@given(data=st.data())
def test_combinations_of_any_alterations_keep_the_meaning(data):
    seed = data.draw(st.sampled_from(list(SEEDS)), label="seed")
    kinds = data.draw(st.lists(st.sampled_from(applicable(seed)), min_size=2, max_size=6, unique=True), label="kinds")
    rng_seed = data.draw(st.integers(0, 2**16), label="rng")
    check(seed, tuple(sorted(kinds)), rng_seed)
