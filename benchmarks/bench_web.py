"""Page load of the compare view for a full-size 全項目評価書 pair (target under 0.5 s).

    python benchmarks/bench_web.py [--changes 30] [--runs 10]

Records two full-size versions (every item filled, ~210 KB) in a temporary store, starts the web
view on localhost and times GET /a/ID/compare over HTTP (median and max of --runs), plus the
first load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_line  # noqa: E402
from fulldoc import full_document, revise  # noqa: E402

from piadiff.store import init_store  # noqa: E402
from piadiff.web import create_app  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--changes", type=int, default=30)
    p.add_argument("--runs", type=int, default=10)
    a = p.parse_args()
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    with tempfile.TemporaryDirectory() as tmp:
        v1 = full_document()
        v2 = revise(v1, a.changes, 1, "2025-04-01")
        with init_store(Path(tmp) / "store") as store:
            store.record(v1, assessment_id="bench")
            store.record(v2, assessment_id="bench")
        httpd = make_server("127.0.0.1", 0, create_app(Path(tmp) / "store"), threaded=True)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{httpd.server_port}/a/bench/compare?old=v1&new=v2"
        times = []
        for _ in range(a.runs + 1):
            t = time.perf_counter()
            body = urllib.request.urlopen(url).read()
            times.append(time.perf_counter() - t)
        httpd.shutdown()
    print(machine_line())
    print(f"compare view, 全項目評価書 {len(v1.canonical_bytes()) // 1024} KB, {a.changes} changed items, page {len(body) // 1024} KB")
    print(f"first load {times[0] * 1000:.0f} ms; then median {statistics.median(times[1:]) * 1000:.0f} ms, "
          f"max {max(times[1:]) * 1000:.0f} ms over {a.runs} loads   [target < 500 ms]")


if __name__ == "__main__":
    main()
