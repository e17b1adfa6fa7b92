"""The examples shipped inside the package: valid, several real revisions each."""

from __future__ import annotations

import pytest

from piadiff.examples import example_ids, example_versions
from piadiff.wareki import parse_date


def test_both_form_kinds_are_shipped():
    kinds = {example_versions(aid)[0].document().kind for aid in example_ids()}
    assert kinds == {"全項目評価書", "重点項目評価書"}


@pytest.mark.parametrize("aid", example_ids())
def test_each_example_is_a_history_of_real_revisions(aid):
    versions = example_versions(aid)
    assert len(versions) >= 3
    docs = [v.document() for v in versions]
    assert aid.startswith(f"{docs[0].number}-")  # ids follow the 評価書番号-slug convention
    hashes = [d.content_hash() for d in docs]
    assert len(set(hashes)) == len(hashes), "every version changes something"
    dates = [parse_date(v.date) for v in versions]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert [d.published for d in docs] == dates  # 変更日 is each version's 公表日, as in the seeds
    assert len(docs[0].canonical_bytes()) > 30_000  # full-size documents, not stubs
