"""Nothing lost: `piadiff record` killed (SIGKILL) at many points of its run.

Each trial starts a real `piadiff record` of a new version and kills it after a random delay
spread over a whole record's duration; then the store must pass fsck and every version recorded
before must read back byte for byte. The trials, failures and where the kills fell are printed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from conftest import FIXTURES
from piadiff.fsck import fsck
from piadiff.store import Store, init_store

TRIALS = 100
DOC = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")


def version(tmp_path, n: int):
    path = tmp_path / f"v{n}.yaml"
    path.write_text(DOC.replace("③委託先名: テスト情報株式会社", f"③委託先名: テスト情報株式会社 第{n}版"), encoding="utf-8")
    return path


def record_process(tmp_path, n: int) -> subprocess.Popen:
    env = {**os.environ, "PIADIFF_AUTHOR": "crash-test"}
    # every version keeps the fixture's 公表日: each is a second version of that day (--same-date)
    return subprocess.Popen([sys.executable, "-m", "piadiff", "record", str(version(tmp_path, n)), "--same-date",
                             "--store", str(tmp_path / "store")],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killing_record_at_any_point_loses_nothing(tmp_path):
    init_store(tmp_path / "store").close()
    # how long a whole record takes here, so the kills are spread over all of it
    durations = []
    for n in range(3):
        t = time.perf_counter()
        assert record_process(tmp_path, 1000 + n).wait(60) == 0
        durations.append(time.perf_counter() - t)
    whole = max(durations)
    known: dict[str, bytes] = {}
    with Store(tmp_path / "store") as store:
        for rev in store.revisions(store.resolve_id("99")):
            known[rev.commit] = store.read_bytes(rev)
    assert len(known) == 3

    rng = random.Random(20261123)
    failures, completed, delays, leftovers = [], 0, [], set()
    for trial in range(TRIALS):
        delay = rng.uniform(0, 1.6 * whole)  # some kills land after the record finished
        delays.append(delay)
        proc = record_process(tmp_path, trial)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        with Store(tmp_path / "store") as store:
            report = fsck(store)
            revs = store.revisions(store.resolve_id("99"))
            now = {r.commit: store.read_bytes(r) for r in revs}
        lost = [c for c in known if c not in now or now[c] != known[c]]
        leftovers |= set(report.leftovers)
        labels_ok = [r.label for r in revs] == [f"v{i}" for i in range(1, len(revs) + 1)]
        if not report.ok or lost or not labels_ok:
            failures.append((trial, round(delay, 3), [f.problem for f in report.findings][:3], lost[:3], labels_ok))
        completed += len(now) > len(known)
        known = now
    print(f"\ncrash trials: {TRIALS}, kills spread over 0–{1.6 * whole * 1000:.0f} ms (a whole record takes {whole * 1000:.0f} ms), "
          f"records that completed before the kill: {completed}, failures: {len(failures)}, "
          f"half-written objects left unreferenced by killed runs: {len(leftovers)}")
    assert failures == []
    assert 0 < completed < TRIALS  # the kills really fell before, during and after the write


BULK_TRIALS = 12
BULK_FILES = 15


def bulk_process(tmp_path, trial: int, numbers=range(1, BULK_FILES + 1)) -> subprocess.Popen:
    folder = tmp_path / f"folder{trial}"
    folder.mkdir()
    for n in numbers:
        (folder / f"{n:02d}.yaml").write_text(DOC.replace("評価書番号: 99", f"評価書番号: {n}").replace(
            "③委託先名: テスト情報株式会社", f"③委託先名: テスト情報株式会社 第{trial}版"), encoding="utf-8")
    env = {**os.environ, "PIADIFF_AUTHOR": "crash-test"}
    return subprocess.Popen([sys.executable, "-m", "piadiff", "record", str(folder), "--same-date",
                             "--store", str(tmp_path / "store")],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def every_version(store) -> tuple[dict[str, bytes], bool]:
    """Each recorded version's bytes by commit, and whether every assessment's labels run v1, v2, … without a gap."""
    known, gapless = {}, True
    for aid in store.assessment_ids():
        revs = store.revisions(aid)
        gapless &= [r.label for r in revs] == [f"v{i}" for i in range(1, len(revs) + 1)]
        known.update({r.commit: store.read_bytes(r) for r in revs})
    return known, gapless


def test_killing_a_bulk_record_at_any_point_loses_nothing(tmp_path):
    """`piadiff record DIR` writes objects in-process, moves the branch through one long-running
    update-ref and updates git's index once for many files: killed anywhere, the store still passes
    fsck, keeps every version, and the next bulk record puts the checked-out files and index right."""
    init_store(tmp_path / "store").close()
    t = time.perf_counter()
    assert bulk_process(tmp_path, 0).wait(120) == 0
    whole = time.perf_counter() - t
    with Store(tmp_path / "store") as store:
        known, _ = every_version(store)
    assert len(known) == BULK_FILES

    rng = random.Random(20261128)
    failures, grew = [], 0
    for trial in range(1, BULK_TRIALS + 1):
        delay = rng.uniform(0, 1.2 * whole)
        proc = bulk_process(tmp_path, trial)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        with Store(tmp_path / "store") as store:
            report = fsck(store)
            now, gapless = every_version(store)
        lost = [c for c in known if c not in now or now[c] != known[c]]
        if not report.ok or lost or not gapless:
            failures.append((trial, round(delay, 3), [f.problem for f in report.findings][:3], lost[:3], gapless))
        grew += len(now) > len(known)
        known = now
    print(f"\nbulk crash trials: {BULK_TRIALS}, kills spread over 0–{1.2 * whole * 1000:.0f} ms (a whole run of "
          f"{BULK_FILES} files takes {whole * 1000:.0f} ms), runs that recorded something before the kill: {grew}, "
          f"failures: {len(failures)}")
    assert failures == []
    # a bulk record of another assessment repairs what the killed runs left in the checkout and git's index
    assert bulk_process(tmp_path, 999, [500]).wait(120) == 0
    status = subprocess.run(["git", "status", "--porcelain"], cwd=tmp_path / "store", capture_output=True, text=True)
    assert status.stdout == ""
