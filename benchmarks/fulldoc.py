"""A full-size generated document: every item of a form kind filled, for benchmarks."""

from __future__ import annotations

import datetime as dt
import random

from piadiff.catalog import Item, load_catalog
from piadiff.document import Document, normalize

SENTENCE = "特定個人情報の取扱いに当たっては、関係法令及び本市の規程に基づき、権限を付与された職員のみが業務に必要な範囲で利用する。"


def _value(item: Item, rng: random.Random, version: int):
    if item.kind == "text":
        lines = rng.randint(1, 6)
        return "\n".join(f"・{SENTENCE}（{item.label}{i}、第{version}版）" for i in range(lines))
    if item.kind == "date":
        return f"令和{rng.randint(2, 7)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    if item.kind == "count":
        return rng.randint(0, 20)
    if item.kind == "choice":
        return rng.choice(item.options)
    if item.kind == "checkbox":
        ticked = rng.sample(item.options, k=min(3, len(item.options)))
        return [{o: "自由記入の内容"} if o in item.detail else o for o in ticked]
    if item.is_group:
        n = 1 if item.max is None else 6
        return [{"番号": i, **_section(item, rng, version), item.identity: f"{item.key}の名前{i}"} for i in range(1, n + 1)]
    return _section(item, rng, version)


def _section(node: Item, rng: random.Random, version: int) -> dict:
    return {c.key: _value(c, rng, version) for c in node.children}


def full_document(kind: str = "全項目評価書", seed: int = 0, version: int = 1) -> Document:
    """Every item filled; ``version`` changes a few texts so each version differs a little."""
    catalog = load_catalog(kind)
    rng = random.Random(seed)
    raw = {
        "様式": catalog.kind,
        "表紙": {"評価書番号": str(seed + 1), "評価書名": f"ベンチ市 事務{seed} {catalog.kind}", "評価実施機関名": "ベンチ市長",
                "公表日": (dt.date(2010, 1, 1) + dt.timedelta(days=7 * version)).isoformat()},  # later each version
        **_section(catalog.root, rng, 1),
    }
    if version > 1:  # a handful of changes per version, spread over the document
        _touch(raw, random.Random(version), version)
    return normalize(raw, f"bench-{seed}-v{version}")


def _touch(node, rng: random.Random, version: int) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, str) and "第1版" in v and rng.random() < 0.03:
                node[k] = v.replace("第1版", f"第{version}版")
            else:
                _touch(v, rng, version)
    elif isinstance(node, list):
        for v in node:
            _touch(v, rng, version)


def revise(doc: Document, changes: int, seed: int, date: str) -> Document:
    """A next version of ``doc`` with exactly ``changes`` text items edited and a new 公表日."""
    import copy

    data = copy.deepcopy(doc.data)
    texts: list[tuple[dict, str]] = []

    def collect(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, str) and "\n" in v:
                    texts.append((node, k))
                else:
                    collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect({k: v for k, v in data.items() if k != "表紙"})
    for node, key in random.Random(seed).sample(texts, changes):
        node[key] = node[key].replace("規程", f"規程（第{seed}次改正）", 1)
    data["表紙"]["公表日"] = date
    return normalize(data, f"bench-rev-{seed}")
