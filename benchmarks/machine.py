"""What every benchmark prints first (date, CPU model, cores) and how it times a whole command."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_line() -> str:
    return (f"{dt.date.today().isoformat()}  {cpu_model()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {sys.platform}")


def installed_env(env: dict[str, str], pycache: Path) -> dict[str, str]:
    """``env`` as a pip-installed piadiff runs: Python's bytecode cached (in ``pycache``), even where
    the shell says PYTHONDONTWRITEBYTECODE (so that no figure counts compiling piadiff's source)."""
    out = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = str(pycache)
    return out


def run_timed(cmd: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Medians of (wall, CPU) seconds of ``cmd`` as a whole process (its children included)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if r.returncode not in (0, 1) or (r.returncode == 1 and cmd[0] != "git"):
            raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.decode(errors='replace')[-500:]}")
    return statistics.median(walls), statistics.median(cpus)


def median_call(fn, runs: int) -> float:
    """Median seconds of ``fn()`` in this process."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)
