"""`piadiff changes` and `piadiff annex` as whole CLI runs, each beside its anchor measured in the same run.

    python benchmarks/bench_annex.py [--versions 50] [--changes 30] [--runs 5] [--quick] [--check]

Builds stores holding one full-size 全項目評価書 (every item filled) with ``--versions`` and twice
as many versions, each version changing ``--changes`` long texts. Prints (medians of ``--runs``;
wall and CPU seconds of the whole process):

- ``changes ID v1 v2`` beside ``git diff --no-index --word-diff`` of the same canonical files;
- ``changes ID`` (latest~1 → latest) in the store of ``--versions`` versions;
- ``annex`` over every version: the first run (nothing judged yet: every batch is judged) and
  later runs (each batch read back), as xlsx, html and the terminal table; over twice as many
  versions; per version, as a multiple of ``changes`` of one pair;
- in this process, diff + classification of the pair beside a bare ``deepdiff.DeepDiff`` of it.

``--check`` (CI) exits 1 unless ``annex`` over the versions takes at most 3 × the CPU time of ``changes`` of one
pair and the store of twice as many versions at most 2 × as long: linear whatever the machine. Its
figures are the best CPU times of the three commands taken in turn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fulldoc import full_document, revise  # noqa: E402
from machine import installed_env, machine_line, median_call, run_timed  # noqa: E402

from piadiff.store import init_store  # noqa: E402

PIADIFF = [sys.executable, "-m", "piadiff"]


def build(path: Path, docs) -> None:
    store = init_store(path)
    for d in docs:
        store.record(d, assessment_id="bench")
    store.close()


def fmt(wall_cpu: tuple[float, float]) -> str:
    wall, cpu = wall_cpu
    return f"{wall * 1000:6.0f} ms wall, {cpu * 1000:6.0f} ms CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=50)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 runs each (CI)")
    parser.add_argument("--check", action="store_true", help="exit 1 unless annex is linear in versions")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    n = args.versions

    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        docs = [full_document()]
        start = dt.date(2020, 1, 1)
        for i in range(1, 2 * n):
            docs.append(revise(docs[-1], args.changes, i, (start + dt.timedelta(days=30 * i)).isoformat()))
        build(tmp / "store", docs[:n])
        build(tmp / "double" / "store", docs)
        (tmp / "v1.json").write_bytes(docs[0].canonical_bytes())
        (tmp / "v2.json").write_bytes(docs[1].canonical_bytes())
        env = installed_env({**os.environ, "PIADIFF_STORE": str(tmp / "store")}, tmp / "pycache")
        cache = tmp / "store" / ".git" / "piadiff-cache"

        run_timed(PIADIFF + ["--help"], tmp, 1, env)  # the bytecode written once, as pip install does
        git = run_timed(["git", "diff", "--no-index", "--word-diff", "v1.json", "v2.json"], tmp, runs)
        startup = run_timed(PIADIFF + ["--version"], tmp, runs, env)
        pair_first = run_timed(PIADIFF + ["changes", "bench", "v1", "v2", "-o", "c.json"], tmp, 1, env)
        pair = run_timed(PIADIFF + ["changes", "bench", "v1", "v2", "-o", "c.json"], tmp, runs, env)
        shutil.rmtree(cache, ignore_errors=True)
        annex_first = run_timed(PIADIFF + ["annex", "bench", "-o", "a.xlsx"], tmp, 1, env)
        latest = run_timed(PIADIFF + ["changes", "bench", "-o", "l.json"], tmp, runs, env)
        annex = {f: run_timed(PIADIFF + ["annex", "bench", "-o", f"a.{f}"] if f != "table" else PIADIFF + ["annex", "bench"],
                              tmp, runs, env) for f in ("xlsx", "html", "table")}
        double_env = {**env, "PIADIFF_STORE": str(tmp / "double" / "store")}
        run_timed(PIADIFF + ["annex", "bench", "-o", "d.xlsx"], tmp, 1, double_env)
        double = run_timed(PIADIFF + ["annex", "bench", "-o", "d.xlsx"], tmp, runs, double_env)
        if args.check:
            # the check's figures: the three commands taken in turn, best CPU time of each, so that a
            # busy moment of a shared machine cannot fall on one of them only
            best = [float("inf")] * 3
            for _ in range(max(runs, 5)):
                for i, (cmd, e) in enumerate([(PIADIFF + ["changes", "bench", "v1", "v2", "-o", "c.json"], env),
                                              (PIADIFF + ["annex", "bench", "-o", "a.xlsx"], env),
                                              (PIADIFF + ["annex", "bench", "-o", "d.xlsx"], double_env)]):
                    best[i] = min(best[i], run_timed(cmd, tmp, 1, e)[1])
            check_pair, check_annex, check_double = best
        rows = (tmp / "c.json").read_text(encoding="utf-8").count('"item_code"')
        annex_rows = sum(1 for _ in (tmp / "a.html").read_text(encoding="utf-8").split("<tr")) - 1

        from deepdiff import DeepDiff

        from piadiff.annex import batch_rows
        from piadiff.classify import clear_caches
        from piadiff.diff import diff
        from piadiff.settings import Settings

        # as in a `changes` process, only the two documents are held: the other versions built above
        # would make every garbage collection walk them too
        import gc

        size = len(docs[0].canonical_bytes()) / 1024
        v1, v2 = docs[0], docs[1]
        del docs
        gc.collect()

        def diff_and_classify():
            clear_caches()  # nothing judged or read before: each run judges the pair anew
            batch_rows(diff(v1, v2), dt.date(2020, 2, 1), "v2", Settings())

        in_process = median_call(diff_and_classify, max(runs, 5))
        bare = median_call(lambda: DeepDiff(v1.data, v2.data), max(runs, 5))

    print(f"document: 全項目評価書, every item filled, {size:.0f} KB canonical JSON; {args.changes} long texts changed per version")
    print(f"anchors: git diff --no-index --word-diff v1 v2 {fmt(git)}; piadiff --version {fmt(startup)}")
    print(f"changes bench v1 v2 ({rows} rows), first run    {fmt(pair_first)}")
    print(f"changes bench v1 v2, later runs            {fmt(pair)}   = {pair[0] / git[0]:.0f}× git diff   [target ≤ 300 ms wall, ≤ 250 ms CPU]")
    print(f"changes bench (v{n - 1} → v{n}) in {n} versions   {fmt(latest)}   [target ≤ 300 ms, whatever the history]")
    print(f"annex over {n} versions ({annex_rows} rows), first run (every batch judged), xlsx {fmt(annex_first)}")
    for f, t in annex.items():
        print(f"annex over {n} versions, later runs, {f:5}      {fmt(t)}   = {t[0] / pair[0]:.1f}× changes of one pair")
    print(f"annex over {2 * n} versions, later runs, xlsx      {fmt(double)}   = {double[0] / annex['xlsx'][0]:.2f}× {n} versions   [target ≤ 2×]")
    print(f"in process: diff + classify of v1 v2 {in_process * 1000:.1f} ms; bare DeepDiff {bare * 1000:.1f} ms "
          f"(= {in_process / bare:.2f}×)   [target ≤ 20 ms]")
    if args.check:
        problems = []
        print(f"check (best CPU of runs taken in turn): changes of one pair {check_pair * 1000:.0f} ms, annex over {n} "
              f"versions {check_annex * 1000:.0f} ms, over {2 * n} versions {check_double * 1000:.0f} ms")
        if check_annex > 3 * check_pair:
            problems.append(f"annex over {n} versions takes {check_annex / check_pair:.1f}× changes of one pair (at most 3×)")
        if check_double > 2 * check_annex:
            problems.append(f"annex over {2 * n} versions takes {check_double / check_annex:.1f}× {n} versions (at most 2×)")
        for p in problems:
            print(f"CHECK FAILED: {p}")
        if problems:
            raise SystemExit(1)
        print("check: annex is linear in versions")


if __name__ == "__main__":
    main()
