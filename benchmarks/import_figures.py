"""What `piadiff import` gets back from each publication: the figures of README.md (取り込みの数字).

    python benchmarks/import_figures.py [--altered N]

For each published seed in tests/data/seeds (and, with ``--altered N``, N altered copies of each,
made by tests/metamorphic.py as real publications alter text: page breaks, repeated headers,
other spellings …), prints:
- the account of the import: non-blank lines, items placed, annex rows, lines in 注記;
- annex rows imported / published (published: tests/data/groundtruth/annex-rows.jsonl);
- after `import --record --with-history` into a fresh store: published rows the annex still shows
  with their six cells in published order, and of the newest batch: rows undone (the previous
  version rebuilt) and rows piadiff's own diff reproduces cell for cell.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from piadiff.annex import cumulative_annex  # noqa: E402
from piadiff.errors import PiadiffError  # noqa: E402
from piadiff.importers import import_text, imported_document  # noqa: E402
from piadiff.imports import _settings, kept_in_order, record_import  # noqa: E402
from piadiff.store import init_store  # noqa: E402

SEEDS = {"000": "000_e7ab5a5bb9cf9333", "001": "001_390dc73fa7d93b30", "003": "003_d3c2f59301631452"}


def published_rows(seed: str) -> int:
    lines = (ROOT / "tests/data/groundtruth/annex-rows.jsonl").read_text(encoding="utf-8").splitlines()
    return sum(1 for line in lines if json.loads(line)["seed"].startswith(SEEDS[seed]))


def figures(name: str, text: str, published: int) -> str:
    result = import_text(text, name)
    a = result.account
    cells = [f"{name:<22}", f"{a.lines:>6,}", f"{a.items:>5}", f"{len(result.legacy_rows):>4}/{published:<4}", f"{a.notes:>5}"]
    if not result.legacy_rows:
        return " ".join(cells + ["      -", "        -"])
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "store")
        try:
            report = record_import(store, imported_document(result, name), result.legacy_rows, with_history=True, author="bench")
        except PiadiffError as e:
            return " ".join(cells + [f"（記録できません: {e}）"])
        aid = store.assessment_ids()[0]
        annex = [r for b in cumulative_annex(store, aid, _settings(store)) for r in b.rows]
        kept = kept_in_order(result.legacy_rows, annex)
        newest = next((line for line in report if line.startswith("最新のまとまり ") and "元に戻せた" in line), "")
    return " ".join(cells + [f"{kept:>4}/{len(result.legacy_rows):<4}", newest.removeprefix("最新のまとまり ")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--altered", type=int, default=0, help="altered copies of each seed (tests/metamorphic.py)")
    args = parser.parse_args()
    print(f"{'publication':<22} {'lines':>6} {'items':>5} {'rows/published':>9} {'notes':>5} {'kept':>9}  newest batch")
    for seed, stem in SEEDS.items():
        text = (ROOT / "tests/data/seeds" / f"{stem}.txt").read_text(encoding="utf-8")
        print(figures(seed, text, published_rows(seed)))
        if args.altered:
            from metamorphic import KINDS, alter, applies
            from piadiff.importers import detect_format

            fmt = detect_format(text)
            rows = import_text(text, seed).legacy_rows
            usable = [k for k in KINDS if applies(k, text, fmt, rows)]
            for n in range(args.altered):
                rng = random.Random(n)
                kinds = rng.sample(usable, k=min(4, len(usable)))
                doc = alter(text, fmt, rows, kinds, n)
                print(figures(f"{seed}+{n}", doc.text, len(doc.rows)) + f"   ({'+'.join(kinds)})")


if __name__ == "__main__":
    main()
