"""Start-up cost of the command: CPU time of the whole process (children included), medians.

    python benchmarks/bench_startup.py [--runs 9] [--quick]

Every figure is printed with its ratio to `python -c pass` measured in the same run, in two
columns: with Python's bytecode cache (as a pip install leaves it; written to a temporary
PYTHONPYCACHEPREFIX by a first run) and without it (PYTHONDONTWRITEBYTECODE=1: every module of
piadiff compiled again on each run). The parsed-data cache (piadiff.compiled) lives in a
temporary XDG_CACHE_HOME: "cold" is each run with an empty one, "warm" after a first run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import cpu_model  # noqa: E402

TARGETS = {"piadiff --help": 0.08, "piadiff log (empty store)": 0.15}


def cpu_seconds(cmd: list[str], env: dict[str, str], cwd: Path, runs: int, before=None) -> float:
    """Median CPU time (user + system, the process and what it waited for) of ``cmd``."""
    times = []
    for _ in range(runs):
        if before:
            before()
        start = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        end = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.decode(errors='replace')}")
        times.append(end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--quick", action="store_true", help="3 runs each (CI)")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs

    script = Path(sys.executable).parent / "piadiff"
    piadiff = [str(script)] if script.exists() else [sys.executable, "-m", "piadiff"]
    work = Path(tempfile.mkdtemp(prefix="bench_startup_"))
    try:
        xdg = work / "xdg"
        base = {k: v for k, v in os.environ.items() if k not in ("PIADIFF_STORE", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
        base["XDG_CACHE_HOME"] = str(xdg)
        modes = {
            "bytecode cached": {**base, "PYTHONPYCACHEPREFIX": str(work / "pyc")},
            "no bytecode": {**base, "PYTHONDONTWRITEBYTECODE": "1"},
        }
        subprocess.run(piadiff + ["init"], env=modes["bytecode cached"], cwd=work, check=True, stdout=subprocess.DEVNULL)

        def empty_cache() -> None:
            shutil.rmtree(xdg, ignore_errors=True)

        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("python -c 'import click' (floor of every command)", [sys.executable, "-c", "import click"], None),
            ("piadiff --help", piadiff + ["--help"], None),
            ("piadiff log (empty store)", piadiff + ["log"], None),
            ("piadiff schema (catalog; data cache cold)", piadiff + ["schema", "全項目"], empty_cache),
            ("piadiff schema (catalog; data cache warm)", piadiff + ["schema", "全項目"], None),
        ]
        results: dict[str, dict[str, float]] = {}
        for mode, env in modes.items():
            for _, cmd, _ in cases[1:]:  # a first run writes the bytecode (and the data cache)
                subprocess.run(cmd, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, cmd, before in cases:
                results.setdefault(name, {})[mode] = cpu_seconds(cmd, env, work, runs, before)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"cpu: {cpu_model()}, {os.cpu_count()} cores; python {platform.python_version()}; median of {runs} runs")
    print("CPU seconds of the whole process (× python -c pass, same run)")
    width = max(len(n) for n in results)
    print(f"{'':{width}}  {'bytecode cached':>20}  {'no bytecode':>20}  target")
    anchor = results["python -c pass"]
    for name, by_mode in results.items():
        cells = [f"{by_mode[m]:.3f} s ({by_mode[m] / anchor[m]:4.1f}×)" for m in modes]
        target = f"≤ {TARGETS[name]:.2f} s" if name in TARGETS else ""
        print(f"{name:{width}}  {cells[0]:>20}  {cells[1]:>20}  {target}")


if __name__ == "__main__":
    main()
