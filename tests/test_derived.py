"""Each batch judged once: what an annex derives is kept by content and read back unchanged, and
anything that could change a batch (a new version, a decision, a setting, a damaged file) is seen."""

from __future__ import annotations

import copy
import json
import zlib
from pathlib import Path

import pytest

from piadiff import annex as annex_module
from piadiff.annex import cumulative_annex
from piadiff.decisions import decide
from piadiff.derived import FOLDER
from piadiff.document import normalize
from piadiff.examples import record_examples
from piadiff.settings import Settings
from piadiff.store import init_store

AID = "1-kakuu-jumin"


@pytest.fixture
def store(tmp_path):
    s = init_store(tmp_path / "store")
    record_examples(s)
    yield s
    s.close()


@pytest.fixture
def judged(monkeypatch):
    """The versions whose batch was judged (not read back) in this test."""
    seen: list[str] = []
    real = annex_module._judged_batch

    def counting(changes, change_date, version, *args, **kwargs):
        seen.append(version)
        return real(changes, change_date, version, *args, **kwargs)

    monkeypatch.setattr(annex_module, "_judged_batch", counting)
    return seen


def rows(batches):
    return [(b.version, b.warnings, [r.as_dict() for r in b.rows]) for b in batches]


def cache_dir(store) -> Path:
    return Path(store.repo.git_dir) / FOLDER


def test_an_annex_read_back_is_the_annex_judged(store, judged):
    first = cumulative_annex(store, AID, Settings())
    assert judged == ["v2", "v3"]
    assert cache_dir(store).is_dir()
    again = cumulative_annex(store, AID, Settings())
    assert judged == ["v2", "v3"]  # nothing judged a second time
    assert rows(again) == rows(first)
    assert sum(len(b.rows) for b in first) > 10


def test_a_new_version_costs_one_batch(store, judged):
    before = rows(cumulative_annex(store, AID, Settings()))
    data = copy.deepcopy(store.read(store.revisions(AID)[-1]).data)
    data["表紙"]["公表日"] = "2030-04-01"
    data = json.loads(json.dumps(data, ensure_ascii=False).replace("人事異動", "人事の異動", 1))
    store.record(normalize(data), assessment_id=AID, change_date="2030-04-01")
    after = cumulative_annex(store, AID, Settings())
    assert judged == ["v2", "v3", "v4"]
    assert rows(after)[:len(before)] == before  # the earlier batches read back as they were
    assert [r.after for r in after[-1].rows if "人事の異動" in r.after]


def test_a_decision_is_seen_from_its_version_on(store, judged):
    cumulative_annex(store, AID, Settings())
    decide(store, AID, "v3", 1, Settings(), timing="事前", explanation="担当者の判断")
    judged.clear()
    batches = cumulative_annex(store, AID, Settings())
    assert judged == ["v3"]  # v2 is read back; v3's decision changes its batch
    row = next(b for b in batches if b.version == "v3").rows[0]
    assert (row.timing_text, row.explanation, row.decided_by_person) == ("事前", "担当者の判断", True)


def test_a_setting_is_seen(store, judged):
    official = cumulative_annex(store, AID, Settings())
    code = cumulative_annex(store, AID, Settings(item_style="code"))
    assert judged == ["v2", "v3", "v2", "v3"]
    assert [r.item for b in official for r in b.rows] != [r.item for b in code for r in b.rows]


def test_a_damaged_or_foreign_cache_file_is_judged_again(store, judged):
    first = rows(cumulative_annex(store, AID, Settings()))
    files = sorted(p for p in cache_dir(store).rglob("*") if p.is_file()
                   and "rows" in json.loads(zlib.decompress(p.read_bytes())))  # the batches (not the kept logs)
    assert len(files) >= 2
    files[0].write_bytes(b"not zlib at all")
    for other in files[1:]:
        value = json.loads(zlib.decompress(other.read_bytes()))
        value["rows"][0]["timing"] = "ほか"  # not a timing piadiff writes
        other.write_bytes(zlib.compress(json.dumps(value).encode()))
    judged.clear()
    assert rows(cumulative_annex(store, AID, Settings())) == first
    assert sorted(judged) == ["v2", "v3"]


def test_a_cache_that_cannot_be_written_still_gives_the_annex(store, judged):
    cache_dir(store).write_text("a file where the cache folder should be")
    first = rows(cumulative_annex(store, AID, Settings()))
    assert rows(cumulative_annex(store, AID, Settings())) == first
    assert judged == ["v2", "v3", "v2", "v3"]  # nothing kept, nothing lost


def test_the_habits_settings_shows_are_the_ones_the_annex_applies(store, judged):
    from piadiff.annex import habits_before

    cumulative_annex(store, AID, Settings())
    judged.clear()
    before_v3 = habits_before(store, AID, Settings(), "v3")
    assert judged == [] and before_v3.version == "v3" and before_v3.batches >= 1  # read back, not judged again
    assert habits_before(store, AID, Settings(), "v1").batches == before_v3.batches - 1 == 0  # nothing before v1


def test_a_version_seen_before_recording_leaves_no_trace_and_is_the_batch_recorded(store):
    from piadiff.annex import changes_between, next_batch

    cumulative_annex(store, AID, Settings())
    kept = sorted(p for p in cache_dir(store).rglob("*") if p.is_file())
    data = copy.deepcopy(store.read(store.revisions(AID)[-1]).data)
    data = json.loads(json.dumps(data, ensure_ascii=False).replace("人事異動", "人事の異動", 1))
    import datetime as dt

    seen = next_batch(store, AID, normalize(data), dt.date(2030, 4, 1), Settings())
    assert sorted(p for p in cache_dir(store).rglob("*") if p.is_file()) == kept  # nothing kept for a draft
    store.record(normalize(data), assessment_id=AID, change_date="2030-04-01")
    recorded = changes_between(store, AID, "v3", "v4", Settings())
    assert [r.as_dict() for r in seen.rows] == [r.as_dict() for r in recorded.rows] and seen.rows


def test_changes_of_one_version_reads_only_its_own_kept_batch(store, judged, monkeypatch):
    from piadiff.annex import changes_between
    from piadiff.derived import DerivedCache

    whole = rows(cumulative_annex(store, AID, Settings()))
    reads: list[str] = []
    real_get = DerivedCache.get
    monkeypatch.setattr(DerivedCache, "get", lambda self, k: reads.append(k) or real_get(self, k))
    latest = changes_between(store, AID, "v2", "v3", Settings())
    assert len(reads) == 1 and judged == ["v2", "v3"]  # nothing judged again, one batch read
    assert [r.as_dict() for r in latest.rows] == whole[-1][2]
    # a decision on an earlier version changes the key of every later batch: v3 is judged again
    decide(store, AID, "v2", 1, Settings(), timing="事前", explanation="担当者の判断")
    changes_between(store, AID, "v2", "v3", Settings())
    assert judged[-1] == "v3"


def test_the_cache_keeps_what_was_read_last_within_its_size(store):
    import os

    from piadiff.derived import DerivedCache, key

    cache = DerivedCache(store.repo.git_dir)
    keys = [key("entry", n) for n in range(6)]
    for n, k in enumerate(keys):
        cache.put(k, {"n": n, "filler": "あ" * 2000})
        path = cache._path(k)
        os.utime(path, (1_000_000 + n, 1_000_000 + n))  # written one after the other
    assert cache.get(keys[0])["n"] == 0  # read now: the newest
    size = cache._path(keys[1]).stat().st_size
    assert cache.prune(max_bytes=3 * size) == 3
    assert [cache.get(k) is not None for k in keys] == [True, False, False, False, True, True]
