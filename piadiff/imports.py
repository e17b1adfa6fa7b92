"""Bringing a published assessment into a store: record it with its own annex rows, and ask what
happened to one item over time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .annex import CARRIED_OVER, AnnexRow, Batch, cumulative_annex, legacy_path
from .document import Document
from .errors import PiadiffError
from .settings import Settings
from .wareki import to_wareki


def _legacy_file(rows: list[dict[str, Any]], version: str) -> bytes:
    import yaml

    text = "# 取り込んだ評価書に載っていた（別添）変更箇所の行（記載のまま、記載の順）\n"
    # a copy of each row: yaml writes a row met twice as an alias, and a reader must see two rows
    rows = [dict(r) for r in rows]
    return (text + yaml.safe_dump({"版": version, "rows": rows}, allow_unicode=True, sort_keys=False, width=10**6)).encode("utf-8")


def record_import(store, document: Document, legacy_rows: list[dict[str, Any]], *, assessment_id: str | None = None,
                  with_history: bool = False, author: str | None = None) -> list[str]:
    """Record an imported document with every row of its own annex, as published.

    With ``with_history``, the version before it is rebuilt from the newest batch of those rows
    (see :func:`newest_batch`) and recorded first; the published rows of that batch are kept as
    the published version's batch. Returns lines of a report for the officer.
    """
    from .store import check_id

    aid = check_id(assessment_id) if assessment_id else store.id_for(document)
    if store.revisions(aid):
        raise PiadiffError(f"評価書「{aid}」は既に記録されています。新しい版は piadiff record で記録してください")
    if not with_history:
        rev = store.record(document, assessment_id=aid, message="公表版を取り込み", author=author,
                           extra_files={legacy_path(aid): _legacy_file(legacy_rows, "v1")} if legacy_rows else None).revision
        report = [f"{aid}: {rev.label}（変更日 {rev.change_date_wareki}）として記録し、既存の変更箇所 {len(legacy_rows)} 行を付けました。"]
        return report + [_kept_line(legacy_rows, cumulative_annex(store, aid, _settings(store)))]
    return _record_with_history(store, document, legacy_rows, aid, author)


def _record_with_history(store, document: Document, rows: list[dict[str, Any]], aid: str, author: str | None) -> list[str]:
    from .bootstrap import previous_version

    newest_date, why = newest_batch(rows, cover_date(document))
    prev_date = previous_batch_date(rows, newest_date)
    newest = [r for r in rows if r.get("date_iso") == newest_date]
    previous, undone = previous_version(document, newest, prev_date)
    # the published version will be v2 (a new assessment starts at v1): its published rows name it,
    # so that the annex shows them as its batch; if v2 is never recorded they stay with the others
    tagged = [{**r, "version": "v2"} if r.get("date_iso") == newest_date else r for r in rows]
    v1 = store.record(previous, assessment_id=aid, change_date=prev_date, author=author,
                      message=f"公表版の変更箇所（{newest_date}）を逆にたどって作った一つ前の版",
                      extra_files={legacy_path(aid): _legacy_file(tagged, "v1")}).revision
    v2 = store.record(document, assessment_id=aid, change_date=newest_date, author=author, message="公表版を取り込み").revision
    annex = cumulative_annex(store, aid, _settings(store))
    reproduced = sum(1 for b in annex if b.version == v2.label for r in b.rows if not r.carried_over)
    done = [u for u in undone if u.done]
    report = [
        f"{aid}: 一つ前の版を {v1.label}（変更日 {v1.change_date_wareki}）、公表版を {v2.label}（{v2.change_date_wareki}）として記録しました。",
        f"最新のまとまりは {to_wareki(dt.date.fromisoformat(newest_date))}（{why}）の {len(newest)} 行です。",
        _kept_line(rows, annex),
        f"最新のまとまり {len(newest)} 行: 元に戻せた {len(done)} 行、piadiff の行で再現 {reproduced} 行、"
        f"{CARRIED_OVER} {len(newest) - reproduced} 行。",
    ]
    later = [r for r in rows if (r.get("date_iso") or "") > newest_date]
    if later:
        report.append(f"  変更日が最新のまとまりより後の行が {len(later)} 行あります（既存の変更箇所として記載の位置に残しました）。")
    report += [f"  戻せなかった行: {u.row.get('item', '')}: {u.why}" for u in undone if not u.done]
    return report


def cover_date(document: Document) -> str | None:
    """The cover's 公表日 (ISO), if the publication printed one."""
    cover = document.data.get("表紙")
    value = cover.get("公表日") if isinstance(cover, dict) else None
    return str(value) if value else None


def newest_batch(rows: list[dict[str, Any]], cover: str | None) -> tuple[str, str]:
    """The 変更日 (ISO) of the batch the imported document published, and why that one.

    It is the batch dated with the cover's 公表日, wherever it is printed; without a 公表日, the
    latest date in the annex. A 公表日 that dates no row is refused rather than guessed: rebuilding
    from another batch would make a previous version that never existed.
    """
    dates = {str(r.get("date_iso")) for r in rows if r.get("date_iso")}
    if not dates:
        raise PiadiffError("文書に変更箇所の行がない（または変更日が読めない）ため、一つ前の版を作れません")
    if cover is None:
        return max(dates), "表紙に公表日がないため、変更箇所の最も新しい変更日"
    if cover not in dates:
        latest = to_wareki(dt.date.fromisoformat(max(dates)))
        raise PiadiffError(f"表紙の公表日 {to_wareki(dt.date.fromisoformat(cover))} の変更箇所の行がないため、"
                           f"一つ前の版を作れません（変更箇所の最も新しい変更日は {latest}）。"
                           "--with-history を付けずに取り込んでください")
    return cover, "表紙の公表日"


def previous_batch_date(rows: list[dict[str, Any]], newest: str) -> str:
    """The date of the rebuilt previous version: the latest 変更日 before the newest batch's
    (the day before it when the annex has no earlier row)."""
    earlier = [str(r["date_iso"]) for r in rows if r.get("date_iso") and str(r["date_iso"]) < newest]
    return max(earlier) if earlier else (dt.date.fromisoformat(newest) - dt.timedelta(days=1)).isoformat()


def _kept_line(published: list[dict[str, Any]], annex: list[Batch]) -> str:
    shown = [r for b in annex for r in b.rows]
    return f"変更箇所: 公表 {len(published)} 行、変更箇所の表に残した行 {kept_in_order(published, shown)} 行。"


def kept_in_order(published: list[dict[str, Any]], annex: list[AnnexRow]) -> int:
    """How many published rows the annex shows with their six cells, in published order (each
    annex row counts once, so two identical published rows need two annex rows)."""
    fold = lambda cells: tuple(" ".join(str(c or "").split()) for c in cells)  # noqa: E731
    shown = [fold(r.cells()) for r in annex]
    at, kept = 0, 0
    for row in published:
        want = fold(row.get(k) for k in ("date_text", "item", "before", "after", "timing", "explanation"))
        hit = next((i for i in range(at, len(shown)) if shown[i] == want), None)
        if hit is not None:
            kept, at = kept + 1, hit + 1
    return kept


def _settings(store) -> Settings:
    """The store's settings (the annex is judged with them); the defaults if they cannot be read:
    the figures of a report must not fail an import that is already recorded."""
    from .settings import load_settings

    try:
        return load_settings(getattr(store, "path", None))
    except PiadiffError:
        return Settings()


def item_history(store, assessment_id: str, item_text: str, settings: Settings) -> tuple[str, list[AnnexRow]]:
    """Every change of one item across the existing annex rows and the recorded versions.

    Returns the item as the history names it and its rows. Where the text names an entry
    (委託事項3), only that entry's rows, with the rows that added or removed the entry whole:
    piadiff's own rows by the entry's name in the latest version (its number may have moved),
    published rows by the number they print. A text that names no item whole is refused with the
    items it may mean, never guessed.
    """
    from .catalog import load_catalog
    from .resolve import entry_groups, entry_number, resolve_typed, suggestions

    rev = store.revision(assessment_id)
    catalog = load_catalog(rev.kind)
    resolution = resolve_typed(catalog, item_text)
    item = resolution.item
    if item is None:
        close = suggestions(catalog, item_text)
        why = resolution.reason or f"項目「{item_text}」が{catalog.kind}の様式のどの項目か分からない"
        maybe = f"もしかして: {'、'.join(close)}。" if close else ""
        raise PiadiffError(f"{why}。{maybe}書き方の例: Ⅱ-4委託事項3③、Ⅰ-6①、Ⅲ-7")
    code = item.code
    named = [(g, n) for g in reversed(entry_groups(item)) if (n := entry_number(g, item_text)) is not None]
    group, number = named[0] if named else (None, None)
    rows = [r for b in cumulative_annex(store, rev.assessment_id, settings) for r in b.rows
            if r.item_code == code or r.item_code.startswith(code + "-") or (group is not None and r.item_code == group.code)]
    if group is None:
        return code, rows
    names = _entry_names(store.read(rev).data, group, number)
    rows = [r for r in rows if _in_entry(r, group, number, names)]
    title = group.title.replace("{番号}", str(number))
    return f"{code}（{title}{''.join(f'「{n}」' for n in names)}）", rows


def _entry_names(data: dict[str, Any], group, number: int) -> list[str]:
    """The names (identities) of the entries numbered ``number`` of ``group`` in a document: one
    per block of a repeated section (Ⅱ is one block per file)."""
    from .catalog import ENTRY_IDENTITY, ENTRY_NUMBER

    found: list[Any] = [data]
    for node in group.ancestors + [group]:
        below: list[Any] = []
        for d in found:
            value = d.get(node.key) if isinstance(d, dict) else None
            below += value if isinstance(value, list) else [value] if value is not None else []
        found = below
    return [str(e.get(ENTRY_IDENTITY) or e.get(group.identity)) for e in found
            if isinstance(e, dict) and e.get(ENTRY_NUMBER) == number and (e.get(ENTRY_IDENTITY) or e.get(group.identity))]


def _in_entry(row: AnnexRow, group, number: int, names: list[str]) -> bool:
    from .resolve import entry_number

    if row.place and names:
        return any(f"{group.key}[{n}]" in row.place for n in names)
    return entry_number(group, row.item) == number


def _row_entry(row: AnnexRow, catalog) -> str:
    """The entry a row is about, as the annex numbers it (委託事項3); "" outside repeating groups."""
    from .resolve import entry_groups, entry_number

    item = catalog.item(row.item_code)
    for group in reversed(entry_groups(item)) if item is not None else ():
        number = entry_number(group, row.item)
        if number is not None:
            return group.title.replace("{番号}", str(number))
    return ""


def changed_parts(before: str, after: str, omitted: str, limit: int = 100, context: int = 15) -> tuple[str, str]:
    """Long texts cut to what changed: each changed sentence (or, in a sentence too long to show,
    the changed characters with ``context`` around), ``omitted`` where something was left out."""
    if max(len(before), len(after)) <= limit:
        return before, after
    from .chardiff import opcodes

    changes = [op for op in opcodes(before, after) if op[0] != "equal"]
    if not changes:
        return before, after
    return (_cut(before, [(i1, i2) for _, i1, i2, _, _ in changes], omitted, limit, context),
            _cut(after, [(j1, j2) for _, _, _, j1, j2 in changes], omitted, limit, context))


def _cut(text: str, spans: list[tuple[int, int]], omitted: str, limit: int, context: int) -> str:
    windows: list[list[int]] = []
    for start, end in spans:
        lo = max(text.rfind("。", 0, start), text.rfind("\n", 0, start)) + 1  # the sentence around the change
        ends = [i for i in (text.find("。", end), text.find("\n", end)) if i >= 0]
        hi = min(ends) + 1 if ends else len(text)
        if hi - lo > limit:
            lo, hi = max(0, start - context), min(len(text), end + context)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    out = [] if windows[0][0] == 0 else [omitted]
    for n, (lo, hi) in enumerate(windows):
        if n:
            out.append(omitted)
        out.append(text[lo:hi].strip())
    if windows[-1][1] < len(text.rstrip()):
        out.append(omitted)
    return "".join(out)


def history_text(store, assessment_id: str, item_text: str, settings: Settings) -> str:
    """:func:`item_history` as the terminal prints it: a line per change (変更日, 版, the entry, 提出時期)
    and its texts, long ones cut to the part that changed."""
    from .catalog import load_catalog
    from .display import pad, width, wrap

    code, rows = item_history(store, assessment_id, item_text, settings)
    if not rows:
        return f"{code} の変更は記録されていません。\n"
    catalog = load_catalog(store.revision(assessment_id).kind)
    heads = [[r.date_text, r.version, _row_entry(r, catalog), " ".join(filter(None, (r.timing_text, r.review_mark)))] for r in rows]
    keep = [i for i in range(4) if any(h[i] for h in heads)]
    widths = {i: max(width(h[i]) for h in heads) for i in keep}
    omitted = settings.placeholder("省略")
    lines = [f"{code} の変更（{len(rows)} 件）"]
    for head, r in zip(heads, rows):
        lines.append("  ".join(pad(head[i], widths[i]) for i in keep).rstrip())
        before, after = changed_parts(r.before_full or r.before, r.after_full or r.after, omitted)
        lines += wrap(before, 76, "  変更前: ", " " * 10) + wrap(after, 76, "  変更後: ", " " * 10)
    return "\n".join(line.rstrip() for line in lines) + "\n"
