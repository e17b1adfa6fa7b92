"""`piadiff changes` and `piadiff annex` as whole CLI runs, beside plain git diff.

    python benchmarks/bench_annex.py [--versions 50] [--changes 30] [--runs 5]

Builds a store holding one full-size 全項目評価書 (every item filled) with ``--versions`` versions,
each changing ``--changes`` items. Times (median of ``--runs``):
- ``piadiff changes ID v1 v2`` (whole process, JSON to a file),
- ``piadiff annex ID`` over every version (whole process, xlsx to a file),
- ``git diff --no-index --word-diff`` on the same two canonical files,
- a bare ``deepdiff.DeepDiff`` of the two loaded documents, in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fulldoc import full_document, revise  # noqa: E402

from piadiff.store import init_store  # noqa: E402


def timed(cmd: list[str], runs: int, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=cmd[0] != "git")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=50)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        docs = [full_document()]
        start = dt.date(2020, 1, 1)
        for i in range(1, args.versions):
            docs.append(revise(docs[-1], args.changes, i, (start + dt.timedelta(days=30 * i)).isoformat()))
        store = init_store(tmp / "store")
        t = time.perf_counter()
        for d in docs:
            store.record(d, assessment_id="bench")
        build = time.perf_counter() - t
        store.close()
        (tmp / "v1.json").write_bytes(docs[0].canonical_bytes())
        (tmp / "v2.json").write_bytes(docs[1].canonical_bytes())

        piadiff = [sys.executable, "-m", "piadiff"]
        changes = timed(piadiff + ["changes", "bench", "v1", "v2", "-o", "c.json"], args.runs, tmp)
        annex = timed(piadiff + ["annex", "bench", "-o", "a.xlsx"], args.runs, tmp)
        startup = timed(piadiff + ["--version"], args.runs, tmp)
        git = timed(["git", "diff", "--no-index", "--word-diff", "v1.json", "v2.json"], args.runs, tmp)
        from deepdiff import DeepDiff

        t = time.perf_counter()
        DeepDiff(docs[0].data, docs[1].data)
        bare = time.perf_counter() - t
        rows = subprocess.run(piadiff + ["changes", "bench", "v1", "v2", "--format", "json"], cwd=tmp, capture_output=True, text=True).stdout.count('"item_code"')

    size = len(docs[0].canonical_bytes()) / 1024
    print(f"document: 全項目評価書, every item filled, {size:.0f} KB; {args.versions} versions × {args.changes} changed items")
    print(f"store built in {build:.1f} s")
    print(f"piadiff changes v1 v2 (whole CLI run, {rows} rows): {changes * 1000:.0f} ms   [target < 500 ms]")
    print(f"piadiff annex over {args.versions} versions (whole CLI run, xlsx): {annex * 1000:.0f} ms   [target < 2000 ms]")
    print(f"piadiff --version (start-up alone): {startup * 1000:.0f} ms")
    print(f"git diff --no-index --word-diff v1 v2: {git * 1000:.0f} ms  (changes/git = {changes / git:.1f}×)")
    print(f"bare DeepDiff of the two loaded documents: {bare * 1000:.0f} ms  (changes/DeepDiff = {changes / bare:.1f}×)")


if __name__ == "__main__":
    main()
