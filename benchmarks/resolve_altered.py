"""How well 項目 written short, cut off or blank still find their item.

    python benchmarks/resolve_altered.py

Every published row of tests/data/groundtruth/annex-rows.jsonl is altered the way publications
alter 項目, and resolved again; the answer is compared with what the published 項目 resolves to:

- label only: the words after the last number or bracket (``委託先名`` for ``II …③委託先名)``)
- label cut: those words cut to two thirds (``委託先`` … a cell too narrow)
- text cut: the whole 項目 cut to three quarters (a page or cell edge)
- blank (merged cell): a row printed under the same 項目 as the row above, its cell left blank

Each alteration is counted as the same item, the item's section or a value inside it ("near"),
another item ("wrong") or unresolved (with a reason). Rows of the newest batch are resolved a
second time with the imported document as evidence: it holds their 変更後.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from piadiff.catalog import Item, load_catalog
from piadiff.document import Document, normalize
from piadiff.importers import import_text, with_notes
from piadiff.resolve import Resolver

ROOT = Path(__file__).resolve().parents[1] / "tests" / "data"
_LAST_WORDS = re.compile(r"[()（）\[\]【】①-⑳:：]|\d+\.")


def alterations(text: str, merged: bool) -> dict[str, str]:
    out = {}
    last = next((p.strip() for p in reversed(_LAST_WORDS.split(text.rstrip(")）"))) if p.strip()), "")
    if len(last) >= 4 and last != text:
        out["label only"] = last
        out["label cut"] = last[: max(2, len(last) * 2 // 3)]
    if len(text) >= 12:
        out["text cut"] = text[: len(text) * 3 // 4]
    if merged:
        out["blank (merged cell)"] = ""
    return out


def verdict(got: Item | None, want: Item | None) -> str:
    if got is None:
        return "unresolved"
    if got is want:
        return "same"
    if want is not None and (got in want.ancestors or want in got.ancestors):
        return "near"
    return "wrong"


def document(seed: str) -> Document:
    return normalize(with_notes(import_text((ROOT / "seeds" / seed).read_text(encoding="utf-8"), seed)))


def main() -> None:
    rows = [json.loads(line) for line in (ROOT / "groundtruth" / "annex-rows.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    counts: dict[tuple[str, str], Counter] = {}
    for seed in sorted({r["seed"] for r in rows}):
        mine = [r for r in rows if r["seed"] == seed]
        doc = document(seed)
        resolver = Resolver(load_catalog(doc.kind))
        newest = max(r["date_iso"] for r in mine)
        previous, previous_text = None, None
        for r in mine:
            want = resolver.resolve(r["item"], previous).item
            for kind, text in alterations(r["item"], r["item"] == previous_text).items():
                evidence = [("no document", None)] + ([("with document", doc)] if r["date_iso"] == newest else [])
                for how, with_doc in evidence:
                    got = resolver.resolve(text, previous, before=r["before"], after=r["after"], document=with_doc)
                    counts.setdefault((how, kind), Counter())[verdict(got.item, want)] += 1
            previous, previous_text = want, r["item"]
    print(f"{'':38} {'same':>5} {'near':>5} {'wrong':>5} {'unresolved':>10}")
    for (how, kind), c in sorted(counts.items()):
        print(f"{how + ', ' + kind:38} {c['same']:>5} {c['near']:>5} {c['wrong']:>5} {c['unresolved']:>10}")


if __name__ == "__main__":
    main()
