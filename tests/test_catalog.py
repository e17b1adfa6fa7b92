"""The form catalogs against the real published documents and the rules of pia-rules.md."""

from __future__ import annotations

import re

import pytest

from conftest import shared
from piadiff.catalog import fold, known_kinds, load_catalog
from piadiff.errors import UnknownFormError

SEEDS = {"重点項目評価書": ["seeds/001_390dc73fa7d93b30.txt", "seeds/003_d3c2f59301631452.txt"],
         "全項目評価書": ["seeds/000_e7ab5a5bb9cf9333.txt"]}


def seed_text(kind: str) -> str:
    text = "\n".join(shared(p).read_text(encoding="utf-8") for p in SEEDS[kind])
    return fold(re.sub(r"<[^>]*>", " ", text))


@pytest.mark.parametrize("kind", known_kinds())
def test_catalog_is_well_formed(kind):
    catalog = load_catalog(kind)
    items = list(catalog.root.walk())
    assert len(items) > 150
    for item in [catalog.root, *items]:
        folded = [fold(c.key) for c in item.children]
        assert len(folded) == len(set(folded)), f"{item.key}: two children with the same name"
        if item.is_group:
            assert item.child(item.identity) is not None, item.key
        if item.kind in ("choice", "checkbox"):
            assert len(item.options) >= 1, item.key
            assert len(set(item.options)) == len(item.options), item.key
    codes = [i.code for i in items]
    assert len(codes) == len(set(codes)), "printed codes must identify items"


@pytest.mark.parametrize("kind", known_kinds())
def test_every_choice_option_is_printed_in_a_real_document(kind):
    """Options are copied from the form: each must appear in a published assessment of its kind."""
    text, anywhere = seed_text(kind), "".join(seed_text(k) for k in SEEDS)
    missing = []
    for item in load_catalog(kind).root.walk():
        if item.kind == "choice":
            missing += [f"{item.code}: {o}" for o in item.options if fold(o) not in text]
            missing += [f"{item.code}: {o}" for o in item.also if fold(o) not in anywhere]  # other editions
    assert missing == []


def test_every_numbered_item_of_the_real_juten_documents_is_in_the_catalog():
    catalog = load_catalog("重点項目評価書")
    keys = {fold(i.key) for i in catalog.root.walk()}
    for path in SEEDS["重点項目評価書"]:
        labels = set()
        for line in shared(path).read_text(encoding="utf-8").splitlines():
            for cell in line.split("\t")[:2]:
                cell = re.sub(r"<[^>]*>", "", cell).replace("※", "").strip()
                if re.match(r"^[①-⑳][^\s、]{1,30}$", cell):
                    labels.add(cell)
        assert len(labels) > 30
        unknown = sorted(l for l in labels if fold(l) not in keys)
        assert unknown == [], path


JUTEN_SIGNIFICANT = [
    "Ⅰ-4-法令上の根拠", "Ⅰ-5-①", "Ⅰ-5-②", "Ⅱ-2-①", "Ⅱ-2-③", "Ⅱ-2-主な記録項目", "Ⅱ-3-①", "Ⅱ-3-③",
    "Ⅱ-4-委託の有無", "Ⅱ-4-委託事項-再委託-④", "Ⅱ-6-保管場所", "Ⅲ-2-リスク-リスクに対する措置の内容",
    "Ⅲ-7-リスク-①", "Ⅲ-7-リスク-その他の措置の内容", "Ⅲ-8-実施の有無", "Ⅲ-10-その他のリスク対策",
]
JUTEN_PLAIN = [
    "Ⅰ-1-①", "Ⅰ-1-②", "Ⅰ-6-①", "Ⅰ-6-②", "Ⅱ-2-②", "Ⅱ-2-⑥", "Ⅱ-3-②", "Ⅱ-4-委託事項-③",
    "Ⅱ-4-委託事項-再委託-⑤", "Ⅱ-5-提供先-①", "Ⅲ-7-リスク-②", "Ⅲ-7-リスク-その内容", "Ⅲ-7-リスク-再発防止策の内容",
    "Ⅳ-1-①", "Ⅴ-1-①", "Ⅴ-1-②",
]


ZENKOMOKU_SIGNIFICANT = [
    "Ⅰ-1-②", "Ⅰ-5-法令上の根拠", "Ⅰ-6-①", "Ⅰ-6-②", "Ⅱ-2-①", "Ⅱ-2-③", "Ⅱ-2-主な記録項目", "Ⅱ-3-①", "Ⅱ-3-⑥",
    "Ⅱ-3-⑦-使用部署", "Ⅱ-3-⑧", "Ⅱ-3-情報の突合", "Ⅱ-3-情報の統計分析", "Ⅱ-3-権利利益に影響を与え得る決定",
    "Ⅱ-4-委託の有無", "Ⅱ-4-委託事項-対象となる本人の範囲", "Ⅱ-4-委託事項-再委託-⑦", "Ⅱ-6-①",
    "Ⅲ-7-リスク1-⑧", "Ⅲ-7-リスク1-⑩", "Ⅳ-1-①", "Ⅳ-3-その他のリスク対策",
]
ZENKOMOKU_PLAIN = [
    "Ⅰ-1-①", "Ⅰ-1-③", "Ⅰ-7-①", "Ⅱ-2-②", "Ⅱ-3-②", "Ⅱ-3-⑦-使用者数", "Ⅱ-4-委託事項-⑥", "Ⅱ-4-委託事項-再委託-⑧",
    "Ⅱ-6-③", "Ⅲ-7-リスク1-⑨", "Ⅲ-7-リスク1-その内容", "Ⅲ-7-リスク1-再発防止策の内容", "Ⅴ-1-①", "Ⅵ-1-①",
]


SIGNIFICANCE = (
    [("重点", c, True) for c in JUTEN_SIGNIFICANT] + [("重点", c, False) for c in JUTEN_PLAIN]
    + [("全項目", c, True) for c in ZENKOMOKU_SIGNIFICANT] + [("全項目", c, False) for c in ZENKOMOKU_PLAIN]
)


@pytest.mark.parametrize("kind, code, significant", SIGNIFICANCE)
def test_items_carry_the_significance_mark_of_the_form(kind, code, significant):
    """※ as listed in pia-rules.md, including whole ※ sections and their exceptions."""
    item = load_catalog(kind).item(code)
    assert item is not None, code
    assert item.significant is significant


def test_unknown_and_unsupported_kinds():
    with pytest.raises(UnknownFormError, match="まだ対応していません"):
        load_catalog("基礎項目評価書")
    with pytest.raises(UnknownFormError, match="全項目評価書、重点項目評価書"):
        load_catalog("簡易評価書")
    assert load_catalog("全項目").kind == "全項目評価書"
    assert load_catalog("重点") is load_catalog("重点項目評価書")  # read once per process
