"""Bringing a published assessment into a store: record it with its own annex rows, and ask what
happened to one item over time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .annex import AnnexRow, cumulative_annex, legacy_path
from .document import Document
from .errors import PiadiffError
from .settings import Settings


def _legacy_file(rows: list[dict[str, Any]], version: str) -> bytes:
    import yaml

    text = "# 取り込んだ評価書に載っていた（別添）変更箇所の行（記載のまま）\n"
    return (text + yaml.safe_dump({"版": version, "rows": rows}, allow_unicode=True, sort_keys=False, width=10**6)).encode("utf-8")


def record_import(store, document: Document, legacy_rows: list[dict[str, Any]], *, assessment_id: str | None = None,
                  with_history: bool = False, author: str | None = None) -> list[str]:
    """Record an imported document; its annex rows go with the first recorded version.

    With ``with_history``, the version before it is rebuilt from the newest batch of those rows
    and recorded first; that batch is then what piadiff's own batch for the document reproduces.
    Returns lines of a report for the officer.
    """
    from .bootstrap import previous_version
    from .store import check_id

    aid = check_id(assessment_id) if assessment_id else store.id_for(document)
    if store.revisions(aid):
        raise PiadiffError(f"評価書「{aid}」は既に記録されています。新しい版は piadiff record で記録してください")
    report = []
    if not with_history:
        rev = store.record(document, assessment_id=aid, message="公表版を取り込み", author=author,
                           extra_files={legacy_path(aid): _legacy_file(legacy_rows, "v1")} if legacy_rows else None).revision
        report.append(f"{aid}: {rev.label}（変更日 {rev.change_date_wareki}）として記録し、既存の変更箇所 {len(legacy_rows)} 行を付けました。")
        return report
    dates = sorted({r.get("date_iso") for r in legacy_rows if r.get("date_iso")})
    if not dates:
        raise PiadiffError("文書に変更箇所の行がない（または変更日が読めない）ため、一つ前の版を作れません")
    newest = [r for r in legacy_rows if r.get("date_iso") == dates[-1]]
    earlier = [r for r in legacy_rows if r.get("date_iso") != dates[-1]]
    prev_date = dates[-2] if len(dates) > 1 else (dt.date.fromisoformat(dates[-1]) - dt.timedelta(days=1)).isoformat()
    previous, undone = previous_version(document, newest, prev_date)
    v1 = store.record(previous, assessment_id=aid, change_date=prev_date, author=author,
                      message=f"公表版の変更箇所（{dates[-1]}）を逆にたどって作った一つ前の版",
                      extra_files={legacy_path(aid): _legacy_file(earlier, "v1")} if earlier else None).revision
    v2 = store.record(document, assessment_id=aid, change_date=dates[-1], author=author, message="公表版を取り込み").revision
    done = [u for u in undone if u.done]
    report.append(f"{aid}: 一つ前の版を {v1.label}（変更日 {v1.change_date_wareki}）、公表版を {v2.label}（{v2.change_date_wareki}）として記録しました。")
    report.append(f"最新の変更箇所 {len(newest)} 行のうち {len(done)} 行を元に戻せました。既存の変更箇所 {len(earlier)} 行は {v1.label} に付けました。")
    for u in undone:
        if not u.done:
            report.append(f"  戻せなかった行: {u.row.get('item', '')}: {u.why}")
    return report


def item_history(store, assessment_id: str, item_text: str, settings: Settings) -> tuple[str, list[AnnexRow]]:
    """Every change of one item across the existing annex rows and the recorded versions."""
    from .catalog import load_catalog
    from .resolve import Resolver

    rev = store.revision(assessment_id)
    catalog = load_catalog(rev.kind)
    item = catalog.item(item_text)
    if item is None:
        resolution = Resolver(catalog).resolve(item_text)
        item = resolution.item
    if item is None:
        raise PiadiffError(f"項目「{item_text}」が様式のどの項目か分かりません（例: Ⅱ-4委託事項3③、Ⅰ-5②、Ⅲ-7）")
    code = item.code
    rows = [r for b in cumulative_annex(store, rev.assessment_id, settings) for r in b.rows
            if r.item_code == code or r.item_code.startswith(code + "-")]
    return code, rows
