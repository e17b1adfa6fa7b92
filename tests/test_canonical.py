"""Canonical JSON: one byte form per logical document, and a hash of its content."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from piadiff.canonical import canonical_bytes, canonical_yaml, content_hash
from piadiff.catalog import Item, known_kinds, load_catalog
from piadiff.document import load_document, normalize
from piadiff.load import parse_text

# texts as officers paste them: Japanese, full-width, combining marks, CR/LF, trailing spaces
TEXT = st.text(
    alphabet=st.sampled_from(list("あいう漢字・、。（）()ＡＢＣabc123１２３①②ー- \t\n\r\u3000\u3099")),
    max_size=40,
)
DATES = st.sampled_from(["令和7年7月31日", "R6.4.1", "2024-04-01", "平成29年7月1日", "令和元年5月1日"])


def value_for(item: Item):
    if item.kind == "text":
        return TEXT
    if item.kind == "date":
        return DATES | st.sampled_from(["平成29年7月", "-"])
    if item.kind == "count":
        return st.integers(0, 99) | st.integers(0, 99).map(str)
    if item.kind == "choice":
        return st.sampled_from(item.options)
    if item.kind == "checkbox":
        ticks = [st.just(o) for o in item.options]
        ticks += [TEXT.map(lambda t, o=o: {o: t}) for o in item.detail]
        return st.lists(st.one_of(ticks), max_size=3, unique_by=lambda v: v if isinstance(v, str) else next(iter(v)))
    if item.is_group:
        entry = section_for(item)
        return st.lists(entry, min_size=1, max_size=3).map(
            lambda es: [{**e, "番号": i + 1, item.identity: f"名{i}"} for i, e in enumerate(es)]
        )
    return section_for(item)


def section_for(node: Item):
    return st.fixed_dictionaries({}, optional={c.key: value_for(c) for c in node.children})


@st.composite
def raw_documents(draw):
    kind = draw(st.sampled_from(known_kinds()))
    catalog = load_catalog(kind)
    body = draw(section_for(catalog.root))
    return {
        "様式": kind,
        "表紙": {"評価書番号": draw(st.integers(1, 999).map(str)), "評価書名": draw(TEXT.filter(lambda t: t.strip())) ,
                "評価実施機関名": "例市長", "公表日": draw(DATES)},
        **body,
    }


def canonical_or_none(raw):
    from piadiff.errors import ValidationError

    try:
        return normalize(raw, "generated")
    except ValidationError:
        return None  # e.g. a generated title made only of blanks; validation is tested elsewhere


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw_documents())
def test_canonical_form_is_a_fixed_point(raw):
    doc = canonical_or_none(raw)
    if doc is None:
        return
    data = doc.canonical_bytes()
    again = normalize(json.loads(data), "again")
    assert again == doc  # load(canonical(d)) == d
    assert again.canonical_bytes() == data  # canonical(canonical(d)) == canonical(d)
    assert normalize(parse_text(canonical_yaml(doc.data), "yaml", "yaml"), "yaml") == doc  # the YAML view too
    assert content_hash(again.data) == doc.content_hash()


def test_byte_form_is_readable_utf8_with_lf_and_final_newline():
    data = load_document(FIXTURES / "minimal-juten.yaml").canonical_bytes()
    text = data.decode("utf-8")
    assert "\\u" not in text and "児童手当" in text
    assert "\r" not in text and text.endswith("}\n") and not text.endswith("\n\n")
    assert '\n  "表紙": {\n    "評価書番号": "99",' in text  # indented: git diff shows one item per line


def test_hash_ignores_layout_but_not_content():
    doc = load_document(FIXTURES / "minimal-juten.yaml")
    shuffled = dict(reversed(list(doc.data.items())))
    assert content_hash(shuffled) == doc.content_hash()
    assert canonical_bytes(shuffled) != doc.canonical_bytes()  # bytes follow catalog order, the hash does not care
    changed = json.loads(doc.canonical_bytes())
    changed["表紙"]["評価書名"] += "。"
    assert content_hash(changed) != doc.content_hash()
    assert doc.content_hash().startswith("sha256:") and len(doc.content_hash()) == 7 + 64


def test_yaml_spelling_does_not_change_the_bytes(tmp_path):
    """Loose spellings, CRLF, key order and quoting of the same document give the same bytes."""
    reference = load_document(FIXTURES / "minimal-juten.yaml").canonical_bytes()
    text = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    variant = text.replace("①事務の名称", "1 事務の名称").replace("③対象人数: 10万人以上30万人未満", "③対象人数: '4) 10万人以上30万人未満'")
    p = tmp_path / "v.yaml"
    p.write_bytes(variant.replace("\n", "\r\n").encode("utf-8"))
    assert load_document(p).canonical_bytes() == reference
