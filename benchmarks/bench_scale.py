"""A store of many assessments: build it with bulk record, then time one assessment's commands
beside the same commands in a store holding only that assessment.

    python benchmarks/bench_scale.py [--assessments 1000] [--versions 10] [--work DIR] [--build-only] [--fsck]

Documents are full-size (every item filled; one in five a 全項目評価書 of ~210 KB, the others
重点項目評価書 of ~130 KB); each version changes 5 items. Prints the build time (wall, and the CPU
time of the record processes with their git children) per version and extrapolated to 1,000 × 10,
and, unless --build-only, for `log`, `show`, `changes`, `annex` and `status`, the median of 5 whole
CLI runs in both stores, taken in turn.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from fulldoc import full_document  # noqa: E402
from machine import machine_line  # noqa: E402

PIADIFF = [sys.executable, "-m", "piadiff"]


def versions_of(i: int, count: int) -> list[bytes]:
    """Canonical bytes of ``count`` versions of assessment ``i`` (no re-validation: edits keep it canonical)."""
    kind = "全項目評価書" if i % 5 == 0 else "重点項目評価書"
    data = full_document(kind, seed=i).data
    out = [json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"]
    texts = []

    def collect(node):
        if isinstance(node, dict):
            for k, v in node.items():
                (texts.append((node, k)) if isinstance(v, str) and "\n" in v else collect(v))
        elif isinstance(node, list):
            for v in node:
                collect(v)

    for n in range(2, count + 1):
        data = copy.deepcopy(data)
        texts.clear()
        collect({k: v for k, v in data.items() if k != "表紙"})
        for node, key in random.Random(i * 100 + n).sample(texts, 5):
            node[key] = node[key].replace("規程", f"規程（第{n}次）", 1)
        data["表紙"]["公表日"] = (dt.date(2016, 4, 1) + dt.timedelta(days=200 * n)).isoformat()
        out.append(json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n")
    return out


def run(args: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run(PIADIFF + args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - t


def paired_medians(args: list[str], cwd: Path, runs: int = 5) -> tuple[float, float]:
    """Medians of ``args`` in the big and in the small store, runs taken in turn (big, small, big, …)
    so that a slow moment of a shared machine falls on both."""
    big, small = [], []
    for _ in range(runs):
        big.append(run(args + ["--store", "big"], cwd))
        small.append(run(args + ["--store", "small"], cwd))
    return statistics.median(big), statistics.median(small)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--assessments", type=int, default=1000)
    p.add_argument("--versions", type=int, default=10)
    p.add_argument("--work", type=Path)
    p.add_argument("--build-only", action="store_true", help="only the bulk record, not the per-command comparison")
    p.add_argument("--fsck", action="store_true", help="also time piadiff fsck over the whole store")
    a = p.parse_args()
    work = a.work or Path(tempfile.mkdtemp(prefix="piadiff-scale-"))
    work.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    for i in range(a.assessments):
        for n, data in enumerate(versions_of(i, a.versions), start=1):
            folder = work / f"v{n:02d}"
            folder.mkdir(exist_ok=True)
            (folder / f"{i:05d}.json").write_bytes(data)
    generated = time.perf_counter() - t
    size = sum(f.stat().st_size for f in (work / "v01").iterdir()) / a.assessments / 1024

    subprocess.run(PIADIFF + ["init", "--store", "big"], cwd=work, check=True, capture_output=True)
    t, cpu = time.perf_counter(), children_cpu()
    for n in range(1, a.versions + 1):
        subprocess.run(PIADIFF + ["record", f"v{n:02d}", "--store", "big"], cwd=work, check=True, capture_output=True)
    build, cpu = time.perf_counter() - t, children_cpu() - cpu
    count = a.assessments * a.versions
    print(machine_line())
    print(f"{a.assessments} assessments × {a.versions} versions, average {size:.0f} KB per document; files generated in {generated:.0f} s")
    print(f"bulk record (piadiff record DIR, {a.versions} runs): {build:.0f} s = {build / 60:.1f} min; per version "
          f"{build / count * 1000:.1f} ms wall, {cpu / count * 1000:.1f} ms CPU (record processes and their git); "
          f"1,000 × 10 at this rate: {build / count * 10000 / 60:.1f} min   [target ≤ 5 min]")
    if a.fsck:
        t = time.perf_counter()
        r = subprocess.run(PIADIFF + ["fsck", "--store", "big"], cwd=work, capture_output=True, text=True)
        took = time.perf_counter() - t
        print(f"fsck of the whole store: {took:.0f} s = {took / 60:.1f} min, exit {r.returncode}: {r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr.strip()[-200:]}")
    if a.build_only:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
        return
    subprocess.run(PIADIFF + ["init", "--store", "small"], cwd=work, check=True, capture_output=True)
    index = sorted((work / "v01").iterdir())[a.assessments // 2].name  # one from the middle of the big store
    for n in range(1, a.versions + 1):
        subprocess.run(PIADIFF + ["record", str(work / f"v{n:02d}" / index), "--store", "small"], cwd=work, check=True, capture_output=True)
    target = subprocess.run(PIADIFF + ["log", "--store", "small"], cwd=work, check=True, capture_output=True, text=True).stdout.splitlines()[1].split()[0]

    print(f"one assessment ({target}), median of 5 whole CLI runs in each store, taken in turn:")
    print(f"{'command':<28}{'big store':>12}{'only it':>12}{'ratio':>8}   [target: ratio ≤ 1.2]")
    for label, args in [("log ID", ["log", target]), ("show ID", ["show", target, "--format", "json"]),
                        ("changes ID", ["changes", target, "--format", "json"]),
                        ("annex ID (xlsx)", ["annex", target, "-o", "a.xlsx"]), ("status (all)", ["status"])]:
        big, small = paired_medians(args, work)
        print(f"{label:<28}{big * 1000:>10.0f}ms{small * 1000:>10.0f}ms{big / small:>7.2f}×")
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
