"""How often piadiff's proposed 提出時期 agrees with what real bodies decided.

    python benchmarks/classify_agreement.py [ROWS.jsonl]   (default: tests/data/groundtruth/annex-rows.jsonl)

Runs ``piadiff classify --rows`` logic with and without learning from each body's earlier rows,
and prints agreement per seed and overall (rows with an empty timing left out), the confusion
matrix, the share of 項目 that resolved to a catalog item, and every row it gets wrong.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from piadiff.legacy import classify_rows


def report(rows: list[dict], proposed: list[dict], title: str, show_misses: bool) -> float:
    judged = [(r, p) for r, p in zip(rows, proposed) if r.get("timing")]
    agree = sum(r["timing"] == p["timing"] for r, p in judged)
    print(f"\n## {title}: {agree}/{len(judged)} = {agree / len(judged):.1%}")
    for seed in sorted({r["seed"] for r in rows}):
        s = [(r, p) for r, p in judged if r["seed"] == seed]
        a = sum(r["timing"] == p["timing"] for r, p in s)
        print(f"  {seed[:3]} ({s[0][0]['municipality']} {s[0][0]['assessment_type']}): {a}/{len(s)} = {a / len(s):.1%}")
    matrix = Counter((r["timing"], p["timing"]) for r, p in judged)
    print("  confusion (real → proposed): " + ", ".join(f"{a}→{b}: {n}" for (a, b), n in sorted(matrix.items())))
    if show_misses:
        print("  wrong:")
        for r, p in judged:
            if r["timing"] != p["timing"]:
                print(f"    {r['seed'][:3]} row {r['row']:>2} {r['date_iso']} real {r['timing']} proposed {p['timing']} "
                      f"[{p['rule']}] {p['item_key']} | {r['before'][:30]!r} → {r['after'][:30]!r}")
    return agree / len(judged)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "tests/data/groundtruth/annex-rows.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with_history = classify_rows(rows, use_history=True)
    without = classify_rows(rows, use_history=False)
    resolved = sum(p["item_key"] is not None for p in with_history)
    print(f"rows: {len(rows)}; 項目 resolved to a catalog item: {resolved}/{len(rows)} = {resolved / len(rows):.1%}")
    report(rows, without, "rules alone (no history)", show_misses=False)
    report(rows, with_history, "rules + habits learnt from each body's earlier rows", show_misses=True)


if __name__ == "__main__":
    main()
