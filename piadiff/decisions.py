"""Officers' decisions: a 提出時期 (and its explanation) set by a person, kept in the store.

One file per assessment, ``decisions/<id>.yaml``, committed like every version, so a decision is
versioned and shared with the store. A decision names its row by the changed place (item keys with
entry names), so it stays with its row when the annex is generated again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .errors import NotFoundError, PiadiffError

FOLDER = "decisions"


def decisions_path(assessment_id: str) -> str:
    return f"{FOLDER}/{assessment_id}.yaml"


def read_decisions(store, assessment_id: str) -> dict[str, dict[str, dict[str, Any]]]:
    """version → place → decision, from the latest commit."""
    import yaml

    data = store.read_file(decisions_path(assessment_id))
    if data is None:
        return {}
    entries = yaml.safe_load(data.decode("utf-8")) or []
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for e in entries:
        out.setdefault(str(e["版"]), {})[str(e["場所"])] = {
            "timing": str(e["提出時期"]), "explanation": e.get("説明"), "author": e.get("判断した人"), "item": e.get("項目")}
    return out


def decide(store, assessment_id: str, version: str, row: int, timing: str, explanation: str | None,
           settings, author: str | None = None) -> dict[str, Any]:
    """Record an officer's 提出時期 for row ``row`` (1-based, as printed) of ``version``'s batch."""
    import yaml

    from .annex import cumulative_annex

    if timing not in ("事前", "事後"):
        raise PiadiffError(f"提出時期「{timing}」は使えません（事前 か 事後）")
    rev = store.revision(assessment_id, version)
    aid = rev.assessment_id
    batch = next((b for b in cumulative_annex(store, aid, settings, until=rev.label) if b.version == rev.label), None)
    if batch is None:
        raise NotFoundError(f"{rev.label} は最初の版なので変更箇所がありません")
    if not 1 <= row <= len(batch.rows):
        raise NotFoundError(f"{rev.label} の変更箇所は {len(batch.rows)} 行です（{row} 行目はありません。piadiff changes {aid} で番号を確認してください）")
    target = batch.rows[row - 1]
    data = store.read_file(decisions_path(aid))
    entries = (yaml.safe_load(data.decode("utf-8")) if data else None) or []
    entries = [e for e in entries if not (str(e["版"]) == rev.label and e["場所"] == target.place)]
    entry = {"版": rev.label, "場所": target.place, "項目": target.item, "提出時期": timing}
    if explanation is not None:
        entry["説明"] = explanation
    entry["判断した人"] = author or store.default_author()
    entry["判断した日"] = dt.date.today().isoformat()
    entries.append(entry)
    text = "# 担当者が決めた提出時期（piadiff decide で記録）\n" + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
    store.write_file(decisions_path(aid), text.encode("utf-8"),
                     f"{aid} {rev.label} {row}行目の提出時期を{timing}に決定", author=author,
                     trailers={"Decision-For": f"{aid} {rev.label}"})
    return entry
