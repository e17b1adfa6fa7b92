"""Annex rows: the (別添) 変更箇所 table built from changes, one batch per recorded version.

Turns each :class:`~piadiff.diff.Change` into an :class:`AnnexRow` as an officer writes it: 項目 in
the body's style, values as the form prints them, placeholders for what appeared or went, and the
proposed 提出時期 with its reason.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any

from .catalog import ENTRY_NUMBER, Item
from .classify import (DOUBTS, HIGH, LOW, Facts, HabitLearner, Habits, Timing, decide_revision, facts_kind, person_decision,
                       reason_label, rule_label, with_effective)
from .render import CARRIED_OVER, COLUMNS, REVIEW  # noqa: F401  (the sheet's columns and marks live with the renderers)
from .settings import Settings
from .wareki import to_wareki

if TYPE_CHECKING:  # diffing is imported where a version is judged: a kept annex needs none of it
    from .diff import Change, Step


@dataclass(frozen=True)
class AnnexRow:
    """One row of the 変更箇所 annex, with what decided it."""

    change_date: dt.date | None
    item: str  # 項目, as printed
    before: str  # 変更前の記載
    after: str  # 変更後の記載
    timing: Timing | None  # None only on an existing (legacy) row left blank by its body
    explanation: str  # 提出時期に係る説明
    item_code: str  # the catalog item (Ⅱ-4-委託事項-③)
    place: str  # the changed place, with entry names: stable across versions
    change: str  # added / removed / changed / moved
    significant: bool  # the item carries ※
    reason: str  # reason code of the decision
    rule: str  # id of the rule that decided
    version: str  # the version this row belongs to (v3)
    before_full: str = ""  # the whole texts, where before/after are excerpts
    after_full: str = ""
    date_text: str = ""  # 変更日 as printed (和暦)
    decided_by_person: bool = False  # an officer overruled the proposal (piadiff decide)
    effective: str = ""  # 施行日 (ISO) where the officer stated one
    violation: str = ""  # a 重要な変更 taking effect before it is submitted
    legacy: bool = False  # a row of the document's own annex, imported as written
    # a published row of a recorded version (import --with-history) that piadiff's own row for the
    # same change does not print identically: kept as published, so that no published row is lost
    carried_over: bool = False
    # how sure the proposal is: 高 / 低 (classify.HIGH / LOW); "" on a published row, which is the
    # body's own decision and not a proposal
    confidence: str = ""
    doubt: str = ""  # why it is 低: a key of classify.DOUBTS
    value_kind: str = ""  # the catalog kind of the item (text, choice, checkbox, count, date; group)

    @property
    def reason_label(self) -> str:
        """理由 in Japanese (the code stays in JSON)."""
        return reason_label(self.reason) if self.reason else ""

    @property
    def rule_label(self) -> str:
        """規則 in Japanese (the id stays in JSON)."""
        return rule_label(self.rule) if self.rule else ""

    @property
    def prose(self) -> bool:
        """Texts a reader compares character by character; a choice, count or date is read whole."""
        return self.value_kind in ("", "text")

    @property
    def timing_text(self) -> str:
        return self.timing.value if self.timing else ""

    @property
    def needs_review(self) -> bool:
        """The proposal is 低: an officer should look at it before it is submitted."""
        return self.confidence == LOW

    @property
    def doubt_text(self) -> str:
        return DOUBTS.get(self.doubt, "")

    @property
    def review_mark(self) -> str:
        """「要確認（団体により扱いが分かれる）」 on a 低 row, "" otherwise. Never one of the six cells."""
        if not self.needs_review:
            return ""
        return f"{REVIEW}（{self.doubt_text}）" if self.doubt_text else REVIEW

    def cells(self) -> tuple[str, str, str, str, str, str]:
        """The six columns of the official sheet."""
        return (self.date_text, self.item, self.before, self.after, self.timing_text, self.explanation)

    def fields(self) -> dict[str, Any]:
        """Every field as it is (all are plain values: no deep copy needed)."""
        return {name: getattr(self, name) for name in _ROW_FIELD_NAMES}

    def as_dict(self) -> dict[str, Any]:
        d = self.fields()
        d["change_date"] = self.change_date.isoformat() if self.change_date else ""
        d["timing"] = self.timing_text
        d["carried_over_label"] = CARRIED_OVER if self.carried_over else ""
        d["doubt_text"] = self.doubt_text
        d["review"] = self.review_mark
        return d


_ROW_FIELD_NAMES = tuple(f.name for f in fields(AnnexRow))


@dataclass(frozen=True)
class Batch:
    """The rows one recorded version adds to the annex (or one date of the existing annex)."""

    version: str
    change_date: dt.date | None
    previous: str
    rows: list[AnnexRow]
    warnings: list[str] = field(default_factory=list)  # しきい値判断, effective dates before submission
    # where only some rows are listed (changes --review): each listed row's number in the whole
    # listing, so that it is still the ROW an officer gives piadiff decide, and the whole batch's size
    numbers: tuple[int, ...] = ()
    whole: int | None = None


@dataclass(frozen=True)
class Review:
    """The rows an officer should look at before submitting (確度 低), out of all the rows."""

    batches: list[Batch]  # the same batches, each holding only its 低 rows
    low: int
    total: int

    @property
    def summary(self) -> str:
        return f"{REVIEW}（確度 低）の行だけを出力: {self.low} 件 / 全 {self.total} 件"


def review(batches: list[Batch]) -> Review:
    """Only the rows whose proposal is 低 (``changes --review``), numbered as in the whole listing."""
    out, n, low, total = [], 0, 0, 0
    for batch in batches:
        kept, numbers = [], []
        for row in batch.rows:
            n += 1
            if row.needs_review:
                kept.append(row)
                numbers.append(n)
        low, total = low + len(kept), total + len(batch.rows)
        out.append(replace(batch, rows=kept, numbers=tuple(numbers), whole=len(batch.rows)))
    return Review(out, low, total)


# 項目 -----------------------------------------------------------------------------------------
def _step_names(steps: tuple[Step, ...]) -> list[tuple[Step, str]]:
    """Printed name of each step: entry titles for group entries, keys otherwise.

    A group with a single entry at the top (the one 特定個人情報ファイル) needs no title.
    """
    out = []
    for i, s in enumerate(steps):
        if s.entry is not None:
            if i == 0 and s.siblings <= 1:
                out.append((s, s.item.key))
                continue
            out.append((s, s.entry if i else f"{s.item.key}【{s.identity}】"))  # which 特定個人情報ファイル
        else:
            out.append((s, s.item.key))
    return out


def item_label(change: Change, style: str = "official") -> str:
    """項目: ``Ⅱ 特定個人情報ファイルの概要(4. 特定個人情報ファイルの取扱いの委託 委託事項2 ③委託先名)``
    or, in the code style seen in real annexes, ``Ⅱ-4委託事項2③``."""
    names = _step_names(change.steps)
    if style == "code":
        parts = []
        for s, name in names:
            if s.entry is not None and (s is not change.steps[0] or s.siblings > 1):
                parts.append(s.entry)
            elif s.item.number:
                parts.append(s.item.number.rstrip("."))
            else:  # an unnumbered item is named by its label, set apart so that names do not run together
                parts.append(" " + s.item.label if parts else s.item.label)
        head, rest = parts[0], parts[1:]
        return head + ("-" + "".join(rest).lstrip() if rest else "")
    head, rest = names[0][1], [n for _, n in names[1:]]
    return f"{head}({' '.join(rest)})" if rest else head


# values as the form prints them ---------------------------------------------------------------
def format_value(item: Item, value: Any, settings: Settings) -> str:
    if value is None:
        return ""
    if item.kind == "date":
        return _format_date(value, settings)
    if item.kind == "count":
        return f"({value})件"
    if item.kind == "checkbox":
        return "\n".join(_tick(option, detail) for option, detail in _ticks(value).items())
    if item.is_group:
        return _format_entry(item, value, settings)
    return str(value)


def _format_date(value: str, settings: Settings) -> str:
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return to_wareki(dt.date.fromisoformat(value), gannen=settings.gannen)
    if re.fullmatch(r"\d{4}-\d\d", value):
        return to_wareki(dt.date.fromisoformat(value + "-01"), gannen=settings.gannen).rsplit("月", 1)[0] + "月"
    return value


def _ticks(value: list) -> dict[str, str]:
    out = {}
    for v in value or []:
        if isinstance(v, dict):
            (k, d), = v.items()
            out[k] = d
        else:
            out[v] = ""
    return out


def _tick(option: str, detail: str | None, ticked: bool = True) -> str:
    mark = "[○]" if ticked else "[ ]"
    return f"{mark} {option}" + (f" ({detail})" if detail else "")


def _checkbox_change(item: Item, before: list | None, after: list | None) -> tuple[str, str]:
    """Only the boxes whose tick or ( ) text changed: ``[ ] その他`` → ``[○] その他 (申請管理システム)``."""
    a, b = _ticks(before), _ticks(after)
    lines_a, lines_b = [], []
    for option in item.options + item.also:
        if option in a or option in b:
            if a.get(option) == b.get(option):
                continue
            lines_a.append(_tick(option, a.get(option), option in a))
            lines_b.append(_tick(option, b.get(option), option in b))
    return "\n".join(lines_a), "\n".join(lines_b)


def _format_entry(group: Item, entry: dict, settings: Settings) -> str:
    """A whole group entry as the form prints it: its title, then each filled item."""
    from .diff import entry_title

    lines = [f"{entry_title(group, entry[ENTRY_NUMBER])}"]
    lines += _entry_lines(group, entry, settings)
    return "\n".join(lines)


def _entry_lines(node: Item, data: dict, settings: Settings) -> list[str]:
    lines = []
    for child in node.children:
        value = data.get(child.key)
        if value is None:
            continue
        if child.is_group:
            for e in sorted(value.values() if isinstance(value, dict) else value, key=lambda e: e[ENTRY_NUMBER]):
                lines.append(_format_entry(child, e, settings))
        elif child.is_value:
            text = format_value(child, value, settings)
            lines.append(f"{child.key}: {text}" if "\n" not in text else f"{child.key}:\n{text}")
        else:
            lines += _entry_lines(child, value, settings)
    return lines


# excerpts ---------------------------------------------------------------------------------------
_SENTENCE = re.compile(r"[^。\n]*(?:。|\n|$)")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s]


def excerpt(before: str, after: str, omitted: str) -> tuple[str, str]:
    """Keep the sentences that changed; write ``omitted`` once for each run of unchanged ones."""
    a, b = _sentences(before), _sentences(after)
    out_a: list[str] = []
    out_b: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        for out, kept in ((out_a, a[i1:i2]), (out_b, b[j1:j2])):
            text = "".join(kept).strip()
            if tag == "equal" or not text:  # a change of blank lines only is no change to print
                if not out or out[-1] != omitted:
                    out.append(omitted)
            else:
                out.append(text)
    return "\n".join(out_a), "\n".join(out_b)


# rows -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Texts:
    before: str
    after: str
    before_full: str = ""
    after_full: str = ""


def _texts(change: Change, settings: Settings) -> _Texts:
    """変更前 / 変更後 as the form prints them, with placeholders and, if asked, excerpts."""
    from .diff import ChangeKind

    item = change.item
    if change.kind is ChangeKind.MOVED:
        return _Texts(change.before, change.after)
    if change.kind is ChangeKind.ADDED:
        return _Texts(settings.placeholder("新規" if item.is_group else "追記"), format_value(item, change.after, settings))
    if change.kind is ChangeKind.REMOVED:
        return _Texts(format_value(item, change.before, settings), settings.placeholder("削除"))
    if item.kind == "checkbox":
        return _Texts(*_checkbox_change(item, change.before, change.after))
    before, after = format_value(item, change.before, settings), format_value(item, change.after, settings)
    if settings.excerpt and item.kind == "text" and max(len(before), len(after)) >= settings.excerpt_min_chars:
        short_before, short_after = excerpt(before, after, settings.placeholder("省略"))
        return _Texts(short_before, short_after, before, after)
    return _Texts(before, after)


def change_facts(change: Change, texts: _Texts) -> Facts:
    """What the classifier needs to know about one change."""
    from .diff import ChangeKind
    from .procedure import threshold_move

    before, after = texts.before_full or texts.before, texts.after_full or texts.after
    kind = change.kind.value
    if change.kind is ChangeKind.CHANGED:
        kind = facts_kind(before, after)  # a box newly ticked, or text kept whole and added to, is an addition
    entry = kind if change.whole_entry and kind in ("added", "removed") else None
    return Facts(change.item, kind, before, after, entry, threshold_move(change.item.label or change.item.key, before, after))


def batch_rows(changes: list[Change], change_date: dt.date, version: str, settings: Settings,
               habits: Habits | None = None, decisions: "VersionDecisions | None" = None) -> list[AnnexRow]:
    """The rows of one revision: each change judged with the others (a revision is one submission)."""
    return _judged_batch(changes, change_date, version, settings, habits, decisions)[0]


def _judged_batch(changes: list[Change], change_date: dt.date, version: str, settings: Settings,
                  habits: Habits | None = None, decisions: "VersionDecisions | None" = None) -> tuple[list[AnnexRow], list[Facts]]:
    """:func:`batch_rows`, with the facts each row was judged on."""
    from .decisions import VersionDecisions

    decisions = decisions or VersionDecisions()
    texts = [_texts(c, settings) for c in changes]
    facts = [change_facts(c, t) for c, t in zip(changes, texts)]
    proposed = decide_revision(facts, settings.habits(habits), settings.explanations)
    rows = []
    for change, text, decision in zip(changes, texts, proposed):
        own = decisions.rows.get(change.key)
        if own is not None:
            decision = person_decision(own["timing"], own.get("explanation"), decision)
        effective = decisions.row_effective.get(change.key) or decisions.effective
        decision = with_effective(decision, change_date, effective, settings.habits(habits))
        # an officer's decision is no longer a proposal: nothing is left for anyone to check
        confidence, doubt = (HIGH, "") if decision.by_person else (decision.confidence, decision.doubt)
        violation = ""
        if effective is not None and decision.timing is Timing.PRE and effective < change_date:
            violation = (f"重要な変更（事前）なのに施行日 {to_wareki(effective)} が提出・公表（変更日 "
                         f"{to_wareki(change_date)}）より前です")
        rows.append(AnnexRow(
            change_date=change_date,
            item=item_label(change, settings.item_style),
            before=text.before,
            after=text.after,
            timing=decision.timing,
            explanation=decision.text,
            item_code=change.item.code,
            place=change.key,
            change=change.kind.value,
            significant=change.item.significant,
            reason=decision.reason,
            rule=decision.rule,
            version=version,
            before_full=text.before_full,
            after_full=text.after_full,
            date_text=to_wareki(change_date, gannen=settings.gannen),
            decided_by_person=decision.by_person,
            effective=effective.isoformat() if effective else "",
            violation=violation,
            confidence=confidence,
            doubt=doubt,
            value_kind="group" if change.item.is_group else change.item.kind,
        ))
    return rows, facts


def annex_row(change: Change, change_date: dt.date, version: str, settings: Settings) -> AnnexRow:
    """The row for one change judged on its own (see :func:`batch_rows` for a whole revision)."""
    return batch_rows([change], change_date, version, settings)[0]


def _decided(rows: list[AnnexRow]) -> list[tuple[str, str]]:
    """What was decided for each row of a revision, as the habits learn it."""
    return [(r.timing_text, r.explanation) for r in rows]


def changes_between(store, assessment_id: str, old_ref: str, new_ref: str, settings: Settings) -> Batch:
    """The rows that version ``new_ref`` adds, compared with ``old_ref``.

    Between consecutive versions this is exactly that version's batch of the annex (the body's
    habits are learnt from the batches before it).
    """
    old_rev = store.revision(assessment_id, old_ref)
    new_rev = store.revision(assessment_id, new_ref)
    revs = store.revisions(old_rev.assessment_id)
    if [r.label for r in revs].index(new_rev.label) - [r.label for r in revs].index(old_rev.label) == 1:
        walk = _walk(store, old_rev.assessment_id, settings, until=new_rev.label, only=True)
        batch = version_batch([b for _, b in sorted(walk.placed, key=lambda pair: pair[0])], new_rev.label)
        if batch is not None:
            return batch
    old, new = store.read(old_rev), store.read(new_rev)
    decisions = load_decisions(store, old_rev.assessment_id).get(new_rev.label)
    from .diff import diff

    rows = batch_rows(diff(old, new), new_rev.change_date, new_rev.label, settings, None, decisions)
    return Batch(new_rev.label, new_rev.change_date, old_rev.label, rows, _warnings(old, new, rows, settings))


def version_batch(batches: list[Batch], version: str) -> Batch | None:
    """The whole batch of one recorded version, its parts joined: the batch of a version published
    with its own rows is printed in parts where the published table printed it in parts."""
    parts = [b for b in batches if b.version == version]
    if not parts:
        return None
    return Batch(version, parts[0].change_date, parts[0].previous, [r for b in parts for r in b.rows],
                 [w for b in parts for w in b.warnings])


def cumulative_annex(store, assessment_id: str, settings: Settings, until: str | None = None) -> list[Batch]:
    """The whole annex: the document's own published rows, then one batch per recorded version
    after the first.

    Each batch is judged with the habits learnt from the batches before it (as decided, officers'
    decisions included), so a later batch never changes an earlier one. Published rows keep their
    published order; those published with a recorded version (import --with-history) make up that
    version's batch (see :func:`with_published`).

    Each version's batch and the habits learnt up to it are kept (:mod:`piadiff.derived`) under a
    key that chains every version before it: the annex reads what it judged before and judges only
    versions it has not met, so adding a version costs one batch.
    """
    placed = _walk(store, assessment_id, settings, until=until).placed
    return [b for _, b in sorted(placed, key=lambda pair: pair[0])]


@dataclass
class LearntSoFar:
    """What the habits learnt from a body's batches before one version (see :func:`habits_before`)."""

    learner: HabitLearner
    batches: int  # how many batches (published 変更日 and recorded versions) they come from
    version: str  # the version whose batch these habits judge


def habits_before(store, assessment_id: str, settings: Settings, version: str | None = None) -> LearntSoFar:
    """The habits ``changes``/``annex`` apply to ``version``'s batch (default: the latest):
    learnt from the published rows and each earlier recorded version's batch, as decided."""
    aid = store.resolve_id(assessment_id)
    target = store.revision(aid, version or "latest").label
    walk = _walk(store, aid, settings, before=target)
    return LearntSoFar(walk.learner, walk.batches, target)


def next_batch(store, assessment_id: str, document, change_date: dt.date, settings: Settings) -> Batch:
    """The rows recording ``document`` as the next version would add, judged as ``changes`` will judge
    it then (with the habits learnt from every batch before). Nothing is recorded or kept: a draft
    seen before recording leaves no trace."""
    aid = store.resolve_id(assessment_id)
    latest = store.revision(aid, "latest")
    walk = _walk(store, aid, settings, until=latest.label, only=True)  # the learner kept with the latest batch
    old = store.read(latest)
    label = f"v{latest.number + 1}"
    from .diff import diff

    rows, _ = _judged_batch(diff(old, document), change_date, label, settings, walk.learner.habits(settings.habits(None)))
    return Batch(label, change_date, latest.label, rows, _warnings(old, document, rows, settings))


@dataclass
class _Walked:
    placed: list[tuple[int, Batch]]  # (place in the published order, batch)
    learner: HabitLearner  # after the last batch walked
    batches: int


def _walk(store, assessment_id: str, settings: Settings, until: str | None = None, before: str | None = None,
          only: bool = False) -> _Walked:
    """The batches of :func:`cumulative_annex` up to ``until`` (included) or ``before`` (excluded).

    ``only``: just ``until``'s batch is wanted (``changes``); where it was kept, it is read alone,
    without reading the batches before it (their keys are still chained: any change there is seen)."""
    from .derived import DerivedCache, code_fingerprint, key

    aid = store.resolve_id(assessment_id)
    revisions = store.revisions(aid)
    decisions = load_decisions(store, aid)
    legacy = read_legacy(store, aid)
    published = published_rows(legacy, revisions[0].kind if revisions else "重点項目評価書")
    # a row tagged with a version that was never recorded (an import stopped half-way) stays in the
    # annex with the earlier rows: a published row is never dropped
    owners = {r.label for r in revisions[1:]}
    earlier = [p for p in published if p.owner not in owners]
    placed = [(run[0].position, Batch("既存", run[0].row.change_date, "", [p.row for p in run])) for run in _runs(earlier)]
    learner, batches = HabitLearner(), 0
    for group in _by_date(earlier):
        learner.add([p.facts for p in group], _decided([p.row for p in group]))
        batches += 1
    cache = DerivedCache(getattr(store, "git_dir", None))
    chain = key(code_fingerprint(), asdict(settings), legacy, revisions[0].commit if revisions else "")
    documents: dict[str, Any] = {}  # read only for the versions not judged before, each once
    if only and until is not None and not any(p.owner == until for p in published):
        link = chain
        for rev in revisions[1:]:
            link = key(link, rev.label, rev.commit, rev.change_date, _decisions_state(decisions.get(rev.label)))
            if rev.label == until:
                kept = _batch_from_cache(cache.get(link))
                if kept is not None:
                    return _Walked([(len(published) + rev.number, kept[0])], kept[1], batches)
                break

    def read(rev):
        if rev.label not in documents:
            documents[rev.label] = store.read(rev)
        return documents[rev.label]

    walked = revisions if before is None else revisions[:[r.label for r in revisions].index(before) + 1]
    for old_rev, new_rev in zip(walked, walked[1:]):
        if new_rev.label == before:
            break
        own = [p for p in published if p.owner == new_rev.label]
        chain = key(chain, new_rev.label, new_rev.commit, new_rev.change_date, _decisions_state(decisions.get(new_rev.label)))
        kept = None if own else _batch_from_cache(cache.get(chain))
        if kept is not None:
            batch, learner = kept
            placed.append((len(published) + new_rev.number, batch))
        else:
            old, new = read(old_rev), read(new_rev)
            habits = learner.habits(settings.habits(None))
            from .diff import diff

            rows, facts = _judged_batch(diff(old, new), new_rev.change_date, new_rev.label, settings, habits, decisions.get(new_rev.label))
            batch = Batch(new_rev.label, new_rev.change_date, old_rev.label, rows, _warnings(old, new, rows, settings))
            if own:
                rows, facts = with_published(rows, facts, own)
                placed += _published_parts(batch, rows, own)
            else:
                placed.append((len(published) + new_rev.number, batch))
            learner.add(facts, _decided(rows))
            if not own:
                cache.put(chain, _batch_to_cache(batch, learner))
            documents.pop(old_rev.label, None)
        batches += 1
        if new_rev.label == until:
            break
    return _Walked(placed, learner, batches)


def _decisions_state(decisions: "VersionDecisions | None") -> Any:
    if decisions is None:
        return None
    return [decisions.rows, decisions.effective, sorted(decisions.row_effective.items())]


def _batch_to_cache(batch: Batch, learner: HabitLearner) -> dict[str, Any]:
    rows = [{**r.fields(), "change_date": r.change_date.isoformat() if r.change_date else None, "timing": r.timing_text}
            for r in batch.rows]
    return {"version": batch.version, "change_date": batch.change_date.isoformat() if batch.change_date else None,
            "previous": batch.previous, "rows": rows, "warnings": batch.warnings, "learner": learner.state()}


_ROW_FIELDS = set(_ROW_FIELD_NAMES)


def _batch_from_cache(value: dict[str, Any] | None) -> tuple[Batch, HabitLearner] | None:
    """A kept batch and the learner after it; None where the value is not one piadiff wrote."""
    if value is None:
        return None
    try:
        rows = []
        for r in value["rows"]:
            if set(r) != _ROW_FIELDS:
                return None
            rows.append(AnnexRow(**{**r, "change_date": dt.date.fromisoformat(r["change_date"]) if r["change_date"] else None,
                                    "timing": Timing(r["timing"]) if r["timing"] else None}))
        day = value["change_date"]
        batch = Batch(str(value["version"]), dt.date.fromisoformat(day) if day else None, str(value["previous"]), rows,
                      [str(w) for w in value["warnings"]])
        return batch, HabitLearner.from_state(value["learner"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _published_parts(batch: Batch, rows: list[AnnexRow], own: list[PublishedRow]) -> list[tuple[int, Batch]]:
    """A published version's batch, placed where its rows were printed: one part per run of adjacent
    published rows (a table printed in date order has one)."""
    parts: list[tuple[int, Batch]] = []
    for i, (row, p) in enumerate(zip(rows, own)):
        if i and own[i - 1].position + 1 == p.position:
            parts[-1][1].rows.append(row)
        else:
            warnings = batch.warnings if not parts else []
            parts.append((p.position, Batch(batch.version, batch.change_date, batch.previous, [row], warnings)))
    return parts


def read_legacy(store, assessment_id: str) -> list[dict[str, Any]]:
    """The document's own annex rows as published, in published order (legacy/<id>.yaml).

    A row published with a recorded version (import --with-history) names it under ``version``.
    """
    data = store.read_file(legacy_path(assessment_id))
    if not data:
        return []
    import yaml

    return (yaml.safe_load(data.decode("utf-8")) or {}).get("rows") or []


def legacy_path(assessment_id: str) -> str:
    return f"legacy/{assessment_id}.yaml"


@dataclass(frozen=True)
class PublishedRow:
    """One row of the document's own annex, as written, with what piadiff reads from it."""

    row: AnnexRow
    facts: Facts
    owner: str  # the recorded version it was published with; "" for the rows before it
    position: int  # its place in the published table (0-based)


def published_rows(rows: list[dict[str, Any]], kind: str) -> list[PublishedRow]:
    """Every published row as an annex row, in published order; identical rows stay two rows."""
    if not rows:
        return []  # nothing published: the reading of published rows (and its imports) is not needed
    from .legacy import read_rows

    read = read_rows({**r, "assessment_type": kind, "seed": "legacy"} for r in rows)  # one pass: 項目 read in context
    out = []
    for position, legacy_row in enumerate(read):
        raw = legacy_row.raw
        timing = Timing(raw["timing"]) if raw.get("timing") in ("事前", "事後") else None
        iso = raw.get("date_iso") or ""
        owner = str(raw.get("version") or "")
        row = AnnexRow(
            change_date=dt.date.fromisoformat(iso) if iso else None, item=str(raw.get("item", "")),
            before=str(raw.get("before", "")), after=str(raw.get("after", "")), timing=timing,
            explanation=str(raw.get("explanation", "")), item_code=legacy_row.resolution.key or "",
            place="", change="legacy", significant=bool(legacy_row.facts.item and legacy_row.facts.item.significant),
            reason="", rule="", version="既存", date_text=str(raw.get("date_text", "")), legacy=True)
        out.append(PublishedRow(row, legacy_row.facts, owner, position))
    return out


def _by_date(rows: list[PublishedRow]) -> list[list[PublishedRow]]:
    """Published rows as the revisions they record (one per 変更日, in order of first appearance):
    what the habits learn from, however the table is ordered."""
    groups: dict[Any, list[PublishedRow]] = {}
    for p in rows:
        groups.setdefault(_dated(p), []).append(p)
    return list(groups.values())


def _dated(p: PublishedRow) -> Any:
    return p.row.change_date or p.row.date_text  # a 変更日 that could not be read: as printed


def _runs(rows: list[PublishedRow]) -> list[list[PublishedRow]]:
    """Published rows as printed: runs of adjacent rows of one 変更日. A table whose dates are not
    in order is shown in its published order, never regrouped."""
    runs: list[list[PublishedRow]] = []
    for p in rows:
        last = runs[-1][-1] if runs else None
        if last is not None and last.position + 1 == p.position and _dated(last) == _dated(p):
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def with_published(rows: list[AnnexRow], facts: list[Facts], published: list[PublishedRow]) -> tuple[list[AnnexRow], list[Facts]]:
    """The batch of a version that was published with its own rows: every published row, in
    published order. piadiff's row stands in for a published one only where it prints the same six
    cells; every other published row is kept as written, marked carried over. piadiff's rows that
    reproduce none stay out: the annex of a published version is what was published.
    """
    free = list(range(len(rows)))  # each of piadiff's rows stands in for one published row at most
    out_rows, out_facts = [], []
    for p in published:
        hit = next((i for i in free if same_cells(rows[i], p.row)), None)
        if hit is None:
            out_rows.append(replace(p.row, carried_over=True, version=p.owner))
            out_facts.append(p.facts)
        else:
            free.remove(hit)
            out_rows.append(rows[hit])
            out_facts.append(facts[hit])
    return out_rows, out_facts


def same_cells(a: AnnexRow, b: AnnexRow) -> bool:
    """The two rows print the same six cells (the importer folds whitespace, so whitespace aside)."""
    return [" ".join(c.split()) for c in a.cells()] == [" ".join(c.split()) for c in b.cells()]


def load_decisions(store, assessment_id: str) -> dict[str, "VersionDecisions"]:
    """Officers' decisions of one assessment, by version."""
    from .decisions import read_decisions

    return read_decisions(store, assessment_id)


def _warnings(old, new, rows: list[AnnexRow], settings: Settings) -> list[str]:
    from .procedure import threshold_warnings

    return threshold_warnings(old, new, settings.serious_incident) + [f"{r.item}: {r.violation}" for r in rows if r.violation]
