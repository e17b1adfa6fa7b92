"""Record 100 versions of a full-size 全項目評価書 and read every version back.

    python benchmarks/bench_store.py [--versions 100]

Prints the document size, time per record, per read (bytes and parsed document), per CLI
``piadiff show`` run, and the peak memory of this process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_line  # noqa: E402
from fulldoc import full_document  # noqa: E402

from piadiff.store import init_store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--versions", type=int, default=100)
    args = parser.parse_args()

    docs = [full_document(version=v) for v in range(1, args.versions + 1)]
    size = len(docs[0].canonical_bytes())
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "store")
        rec = []
        for d in docs:
            t = time.perf_counter()
            result = store.record(d, assessment_id="bench", message="bench")
            rec.append(time.perf_counter() - t)
            assert result.recorded
        revs = store.revisions("bench")
        raw, parsed = [], []
        for rev in revs:
            t = time.perf_counter()
            data = store.read_bytes(rev)
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            doc = store.read(rev)
            parsed.append(time.perf_counter() - t)
            assert data == doc.canonical_bytes()
        cli = []
        for label in ("v1", "v50", "latest"):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "piadiff", "show", "bench", label, "--format", "json", "--store", str(store.path)],
                           check=True, capture_output=True)
            cli.append(time.perf_counter() - t)
        store.close()

    ms = lambda xs: f"median {statistics.median(xs) * 1000:.1f} ms, max {max(xs) * 1000:.1f} ms"  # noqa: E731
    print(machine_line())
    print(f"document: 全項目評価書, every item filled, {size / 1024:.0f} KB canonical JSON")
    print(f"record  ×{len(rec)}: {ms(rec)}, total {sum(rec):.1f} s")
    print(f"read bytes ×{len(raw)}: {ms(raw)}")
    print(f"read + validate ×{len(parsed)}: {ms(parsed)}")
    print(f"CLI show --format json ×{len(cli)} (whole process): {ms(cli)}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
