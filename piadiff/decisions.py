"""Officers' decisions: a 提出時期 (and its explanation) set by a person, kept in the store.

One file per assessment, ``decisions/<id>.yaml``, committed like every version, so a decision is
versioned and shared with the store. A decision names its row by the changed place (item keys with
entry names), so it stays with its row when the annex is generated again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import NotFoundError, PiadiffError

FOLDER = "decisions"


def decisions_path(assessment_id: str) -> str:
    return f"{FOLDER}/{assessment_id}.yaml"


@dataclass
class VersionDecisions:
    """What officers decided for one version: per row (by place) and its effective date."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    effective: dt.date | None = None  # 施行日 of the whole revision
    row_effective: dict[str, dt.date] = field(default_factory=dict)  # 施行日 of single changes


def _entries(store, assessment_id: str) -> list[dict[str, Any]]:
    data = store.read_file(decisions_path(assessment_id))
    if not data:
        return []  # most assessments have no decisions: PyYAML is not even imported
    import yaml

    text = data.decode("utf-8", "replace")
    try:
        return yaml.safe_load(text) or []
    except yaml.YAMLError as e:  # fsck and pull check these files; one edited by hand can still be wrong
        from .load import yaml_error_message

        raise PiadiffError(yaml_error_message(e, decisions_path(assessment_id), text)) from None


def check_decisions(data: bytes) -> list[str]:
    """What keeps a decisions file from being read by :func:`read_decisions` (empty when nothing
    does): used by fsck and by pull for what another store sends."""
    import yaml

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["UTF-8 として読めません（piadiff decide で記録し直してください）"]
    try:
        entries = yaml.safe_load(text)
    except yaml.YAMLError as e:
        from .load import yaml_error_message

        return [yaml_error_message(e, None, text)]
    if entries is None:
        return []
    if not isinstance(entries, list):
        return ["判断の並び（- 版: v2 …）になっていません"]
    problems = []
    for n, e in enumerate(entries, 1):
        if not isinstance(e, dict):
            problems.append(f"{n} 件目が項目の並びになっていません")
            continue
        label = str(e.get("版", ""))
        if not (label.startswith("v") and label[1:].isascii() and label[1:].isdigit() and len(label) <= 10):
            problems.append(f"{n} 件目: 版「{label[:40]}」は v2 のような版の名前ではありません")
        if e.get("施行日"):
            try:
                dt.date.fromisoformat(str(e["施行日"]))
            except ValueError:
                problems.append(f"{n} 件目（{label[:40]}）: 施行日「{str(e['施行日'])[:40]}」は日付（2025-04-01 の形）ではありません")
        if e.get("提出時期") is not None and e["提出時期"] not in ("事前", "事後"):
            problems.append(f"{n} 件目（{label[:40]}）: 提出時期「{str(e['提出時期'])[:40]}」は 事前 か 事後 です")
        if e.get("場所") is not None and not isinstance(e["場所"], str):
            problems.append(f"{n} 件目（{label[:40]}）: 場所は文字で書きます")
    return problems


def read_decisions(store, assessment_id: str) -> dict[str, VersionDecisions]:
    """version → its decisions, from the latest commit."""
    out: dict[str, VersionDecisions] = {}
    for e in _entries(store, assessment_id):
        v = out.setdefault(str(e["版"]), VersionDecisions())
        place = e.get("場所")
        if e.get("施行日"):
            date = dt.date.fromisoformat(str(e["施行日"]))
            if place:
                v.row_effective[str(place)] = date
            else:
                v.effective = date
        if place and e.get("提出時期"):
            v.rows[str(place)] = {"timing": str(e["提出時期"]), "explanation": e.get("説明"), "author": e.get("判断した人")}
    return out


class Decided(dict):
    """The entry recorded (as written to decisions/<id>.yaml), with ``note``: where its 説明 came from
    when the officer gave none (empty when one was given)."""

    note: str = ""


def default_explanation(store, assessment_id: str, version: str, row: int, target, timing: str, settings,
                        ask: Callable[[str], str] | None = None) -> tuple[str, str]:
    """(説明, where it came from) when an officer sets a row's 提出時期 without a 説明: the sentence the
    classifier proposes for the row's reason (the store's wording, else the body's learnt one, else
    the default), or none on a 事前 row where the body does not explain 事前 rows. When the row's
    reason says the other timing its sentence would contradict the decision: ``ask`` the officer,
    else leave it empty and say so."""
    from .classify import explanation, load_rules
    from .settings import learnt_habits

    habits = settings.habits(learnt_habits(store, assessment_id, settings, version).habits)
    if timing == "事前" and not habits.explain_pre:
        return "", "事前の行には説明を書かない設定・習慣のため、説明は空欄"
    reason = load_rules().reasons.get(target.reason)
    if reason is not None and reason.timing in (timing, "revision"):
        return explanation(target.reason, habits, settings.explanations), f"この行の理由「{reason.label}」の説明"
    said = f"この行の理由「{reason.label}」は{reason.timing}の理由" if reason is not None else "この行の理由が分からない"
    question = f"{said}なので、{timing}とする説明を書いてください"
    text = (ask(question) or "").strip() if ask is not None else ""
    if text:
        return text, "入力された説明"
    example = "組織の改正に伴う変更であるため、重要な変更に当たらない" if timing == "事後" else "リスク対策の追加であり、事前に提出・公表する"
    return "", f"{said}なので説明は空欄。--reason \"{example}\" のように説明を付けて記録し直してください"


def decide(store, assessment_id: str, version: str, row: int | None, settings, *, timing: str | None = None,
           explanation: str | None = None, effective: dt.date | None = None, author: str | None = None,
           ask: Callable[[str], str] | None = None) -> Decided:
    """Record an officer's decision for row ``row`` (1-based, as printed) of ``version``'s batch:
    its 提出時期 (and explanation) and/or its 施行日; without a row, the 施行日 of the revision."""
    import yaml

    from .annex import cumulative_annex, version_batch

    if timing is not None and timing not in ("事前", "事後"):
        raise PiadiffError(f"提出時期「{timing}」は使えません（事前 か 事後）")
    if timing is None and effective is None:
        raise PiadiffError("--timing（事前 / 事後）か --effective（施行日）を指定してください")
    if row is None and timing is not None:
        raise PiadiffError("提出時期を決めるには行の番号を指定してください（piadiff changes で確認できます）")
    rev = store.revision(assessment_id, version)
    aid = rev.assessment_id
    entry: dict[str, Any] = {"版": rev.label}
    note = ""
    if row is not None:
        batch = version_batch(cumulative_annex(store, aid, settings, until=rev.label), rev.label)
        if batch is None:
            raise NotFoundError(f"{rev.label} は最初の版なので変更箇所がありません")
        if not 1 <= row <= len(batch.rows):
            raise NotFoundError(f"{rev.label} の変更箇所は {len(batch.rows)} 行です（{row} 行目はありません。piadiff changes {aid} {batch.previous} {rev.label} で番号を確認してください）")
        target = batch.rows[row - 1]
        if target.carried_over:  # published as it stands: there is no piadiff change behind it to judge
            raise PiadiffError(f"{rev.label} の {row} 行目は公表版から引き継いだ行（公表された記載のまま）なので、判断を記録できません")
        entry.update({"場所": target.place, "項目": target.item})
    if timing is not None:
        entry["提出時期"] = timing
        if explanation is None and row is not None:
            explanation, note = default_explanation(store, aid, rev.label, row, target, timing, settings, ask)
        if explanation is not None:
            entry["説明"] = explanation
    if effective is not None:
        entry["施行日"] = effective.isoformat()
    entry["判断した人"] = author or store.default_author()
    entry["判断した日"] = dt.date.today().isoformat()
    same = lambda e: str(e["版"]) == rev.label and e.get("場所") == entry.get("場所") and (  # noqa: E731
        ("提出時期" in e) == ("提出時期" in entry))
    entries = [e for e in _entries(store, aid) if not same(e)] + [entry]
    text = "# 担当者が決めた提出時期と施行日（piadiff decide で記録）\n" + yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
    what = f"{row}行目" if row is not None else "改訂"
    store.write_file(decisions_path(aid), text.encode("utf-8"), f"{aid} {rev.label} {what}の判断を記録",
                     author=author, trailers={"Decision-For": f"{aid} {rev.label}"})
    decided = Decided(entry)
    decided.note = note
    return decided
