"""How often piadiff's proposed 提出時期 agrees with what real bodies decided, and how sure it says it is.

    python benchmarks/classify_agreement.py [ROWS.jsonl]   (default: tests/data/groundtruth/annex-rows.jsonl)

Runs ``piadiff classify --rows`` logic and prints, per body (municipality) and overall, counting only
rows with a timing:

- today's figures: all rows in one input, rules alone and rules + habits learnt from each document's
  earlier rows;
- each body as a new user would meet it: its rows alone, in a fresh interpreter (so that nothing
  learnt from another body, not even a module-level cache, can reach it), rules alone and with
  habits from its own earlier batches only; a line says whether the one-input run gave the same;
- 確度: share of rows 高, agreement on 高 rows and on 低 rows (the bodies alone, with habits);
- every wrong row of that run with why: rule, reason, 確度 and the doubt of a 低 row.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from piadiff.display import width as display_width
from piadiff.legacy import classify_rows

HIGH, LOW = "高", "低"
#: on a body never seen ≥ 85 %, on 高 rows ≥ 95 % with ≥ 70 % of rows 高, on 001 and 003 ≥ 92 %
TARGETS = "targets: a body alone ≥ 85%; 高 rows ≥ 95% with ≥ 70% of rows 高; 001 and 003 ≥ 92%"

Pairs = list[tuple[dict, dict]]  # (real row, proposal)


def body(row: dict) -> str:
    return str(row.get("municipality") or row.get("seed") or "")


def alone(rows: list[dict], use_history: bool) -> list[dict]:
    """One body's rows proposed in an interpreter of their own: no state can come from another body."""
    spawn = multiprocessing.get_context("spawn")  # a new process, not a fork carrying this one's caches
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        return pool.submit(classify_rows, rows, use_history=use_history).result()


def pad(text: str, cells: int) -> str:
    """``text`` filled to ``cells`` terminal columns (a Japanese character takes two)."""
    return text + " " * max(1, cells - display_width(text))


def ratio(a: int, n: int) -> str:
    return f"{a}/{n} {a / n:6.1%}" if n else "—"


def agreement(pairs: Pairs) -> str:
    return ratio(sum(r["timing"] == p["timing"] for r, p in pairs), len(pairs))


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "tests/data/groundtruth/annex-rows.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bodies = list(dict.fromkeys(body(r) for r in rows))
    label = {b: f"{next(r['seed'][:3] for r in rows if body(r) == b)} {b}" for b in bodies}

    runs: dict[str, list[dict]] = {
        "one input, rules alone": classify_rows(rows, use_history=False),
        "one input, + habits": classify_rows(rows, use_history=True),
    }
    for history, name in ((False, "each body alone, rules alone"), (True, "each body alone, + own habits")):
        by_body = {b: iter(alone([r for r in rows if body(r) == b], history)) for b in bodies}
        runs[name] = [next(by_body[body(r)]) for r in rows]  # back in input order
    judged = {name: [(r, p) for r, p in zip(rows, proposed) if r.get("timing")] for name, proposed in runs.items()}

    resolved = sum(p["item_key"] is not None for p in runs["one input, + habits"])
    print(f"rows: {len(rows)} ({len(judged['one input, + habits'])} with a timing) from {len(bodies)} bodies; "
          f"項目 resolved: {ratio(resolved, len(rows))}")
    print(TARGETS)

    first = max(len(n) for n in runs) + 4
    print("\n" + pad("## agreement", first) + "".join(pad(label[b], 18) for b in bodies) + "overall")
    for name, pairs in judged.items():
        cells = [agreement([(r, p) for r, p in pairs if body(r) == b]) for b in bodies]
        print(pad("  " + name, first) + "".join(pad(c, 18) for c in cells) + agreement(pairs))
    same = runs["each body alone, + own habits"] == runs["one input, + habits"]
    print("  each body alone gives " + ("the same proposals as one input: no state passes between bodies" if same else
          f"OTHER proposals than one input on {sum(a != b for a, b in zip(runs['each body alone, + own habits'], runs['one input, + habits']))} "
          "rows: something passes between bodies"))

    pairs = judged["each body alone, + own habits"]
    print("\n" + pad("## 確度 (each body alone, + own habits)", first) + pad("rows 高", 18) + pad("agree on 高", 18) + "agree on 低")
    for name, part in [(label[b], [(r, p) for r, p in pairs if body(r) == b]) for b in bodies] + [("overall", pairs)]:
        high = [(r, p) for r, p in part if p["confidence"] == HIGH]
        low = [(r, p) for r, p in part if p["confidence"] == LOW]
        print(pad("  " + name, first) + pad(ratio(len(high), len(part)), 18) + pad(agreement(high), 18) + agreement(low))
    doubts = Counter(p.get("doubt", "") for _, p in pairs if p["confidence"] == LOW)
    print("  低 by doubt: " + (", ".join(f"{d}: {n}" for d, n in doubts.most_common()) or "none"))
    matrix = Counter((r["timing"], p["timing"]) for r, p in pairs)
    print("  confusion (real → proposed): " + ", ".join(f"{a}→{b}: {n}" for (a, b), n in sorted(matrix.items())))

    wrong = [(r, p) for r, p in pairs if r["timing"] != p["timing"]]
    print(f"\n## wrong (each body alone, + own habits): {len(wrong)} rows — row date real→proposed 確度 rule/reason item | before → after")
    for r, p in wrong:
        sure = p["confidence"] + (f" {p['doubt']}" if p.get("doubt") else "")
        print(f"  {r['seed'][:3]}-{r['row']:<3} {r['date_iso']} {r['timing']}→{p['timing']} {pad(sure, 16)}{p['rule']}/{p['reason']} "
              f"{p['item_key']} | {' '.join(r['before'].split())[:24]!r} → {' '.join(r['after'].split())[:24]!r}")


if __name__ == "__main__":
    main()
