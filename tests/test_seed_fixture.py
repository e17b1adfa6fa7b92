"""A real published assessment (北九州市 母子保健 重点項目評価書, seed 003) in piadiff's format."""

from __future__ import annotations

import html
import re

import pytest

from conftest import FIXTURES, shared
from piadiff.document import load_document
from piadiff.store import init_store

FIXTURE = FIXTURES / "kitakyushu-003.yaml"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def texts(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from texts(v, f"{path} > {k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from texts(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def test_the_real_document_validates_against_the_catalog():
    doc = load_document(FIXTURE)
    assert doc.kind == "重点項目評価書"
    assert (doc.number, doc.title, doc.published.isoformat()) == ("19", "北九州市 母子保健に関する事務 重点項目評価書", "2025-01-16")
    file = doc.data["Ⅱ 特定個人情報ファイルの概要"][0]
    itaku = file["4. 特定個人情報ファイルの取扱いの委託"]
    assert itaku["委託の有無"] == "委託する" and itaku["委託件数"] == 5
    assert [e["番号"] for e in itaku["委託事項"]] == [1, 2, 3, 4, 5]
    assert itaku["委託事項"][2]["③委託先名"] == "富士通Japan株式会社九州北部公共ビジネス部"
    systems = doc.data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"]
    assert [s["番号"] for s in systems] == [1, 2, 4, 5]  # システム3 is not in the published text
    teikyo = file["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]["提供先"]
    assert [t["名称"] for t in teikyo] == ["各市町村長", "各市町村長"] and len({t["識別名"] for t in teikyo}) == 2
    risk = doc.data["Ⅲ リスク対策"][0]["7. 特定個人情報の保管・消去"]["リスク: 特定個人情報の漏えい・滅失・毀損リスク"]
    assert risk["②過去3年以内に、評価実施機関において、個人情報に関する重大事故が発生したか"] == "発生なし"


REAL = [("kitakyushu-003.yaml", "seeds/003_d3c2f59301631452.txt"), ("kawasaki-001.yaml", "seeds/001_390dc73fa7d93b30.txt")]


@pytest.mark.parametrize("fixture, seed", REAL)
def test_every_text_value_is_worded_as_published(fixture, seed):
    """Nothing was reworded on the way in: each text value occurs in the published text."""
    raw = shared(seed).read_text(encoding="utf-8")
    published = squash(html.unescape(re.sub(r"<[^>]*>", "", raw)))
    doc = load_document(FIXTURES / fixture)
    checked = 0
    for path, value in texts({k: v for k, v in doc.data.items() if k != "表紙"}):
        if "識別名" in path or "公表日" in path or re.fullmatch(r"\d{4}-\d\d(-\d\d)?", value):
            continue  # names piadiff asks for, and dates stored as ISO
        assert squash(re.sub(r"<[^>]*>", "", value)) in published, path  # the seed writes <委託先> unescaped
        checked += 1
    assert checked >= 100


@pytest.mark.parametrize("fixture, seed", REAL)
def test_the_real_document_records_and_reads_back_byte_for_byte(tmp_path, fixture, seed):
    doc = load_document(FIXTURES / fixture)
    with init_store(tmp_path / "store") as store:
        rev = store.record(doc).revision
        assert rev.assessment_id.startswith(f"{doc.number}-")
        assert store.read_bytes(rev) == doc.canonical_bytes()
        assert len(doc.canonical_bytes()) > 30_000
