"""Property-based fuzzing of the loaders and the differ: whatever comes in, piadiff either reads it
or says what is wrong (its own error), and two documents always diff without error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from piadiff.annex import batch_rows
from piadiff.diff import diff
from piadiff.document import normalize
from piadiff.errors import InputError, ValidationError
from piadiff.load import decode, parse_text
from piadiff.settings import Settings
from test_canonical import canonical_or_none, raw_documents

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=30,
)


@FAST
@given(st.binary(max_size=400))
def test_any_bytes_decode_or_say_why(data):
    try:
        assert isinstance(decode(data, "x"), str)
    except InputError as e:
        assert str(e).startswith("x:")


@FAST
@given(st.text(max_size=400), st.sampled_from(["yaml", "json", None]))
def test_any_text_parses_or_says_why(text, fmt):
    try:
        parse_text(text, "x", fmt)
    except InputError as e:
        assert str(e).startswith("x")


@FAST
@given(json_like)
def test_any_structure_normalizes_or_lists_its_problems(data):
    try:
        normalize(data, "x")
    except ValidationError as e:
        assert e.problems and all(line.startswith("x") for line in e.lines())


@FAST
@given(st.fixed_dictionaries({"様式": st.sampled_from(["重点項目評価書", "全項目評価書"]), "表紙": json_like}, optional={
    "Ⅰ 基本情報": json_like, "Ⅱ 特定個人情報ファイルの概要": json_like}))
def test_documents_with_random_parts_normalize_or_list_problems(data):
    try:
        normalize(data, "x")
    except ValidationError as e:
        assert e.problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw_documents(), raw_documents())
def test_any_two_documents_diff_into_rows(raw_a, raw_b):
    a, b = canonical_or_none(raw_a), canonical_or_none(raw_b)
    if a is None or b is None:
        return
    assert diff(a, a) == []
    if a.kind != b.kind:
        return
    changes = diff(a, b)
    body = lambda d: {k: v for k, v in d.data.items() if k not in ("表紙", "様式", "注記")}  # noqa: E731
    assert (changes == []) == (body(a) == body(b))
    import datetime as dt

    rows = batch_rows(changes, dt.date(2025, 4, 1), "v2", Settings())
    assert len(rows) == len(changes) and all(r.item and r.timing for r in rows)
