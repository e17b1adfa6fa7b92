"""提出時期: whether each change is submitted before (事前) or after (事後) it takes effect, and why.

The rules are data (``piadiff/rules/timing.yaml``): the first rule whose conditions fit a change
gives its reason; the reason gives the timing and the default explanation. What the rules look
at is a :class:`Facts`: the catalog item, what kind of change, and the before/after texts as
printed, so the same rules judge a change piadiff found and a row of an existing annex.

A revision is one submission: if any of its rows is a 重要な変更, the revision is 事前, and rows
whose reason says ``revision`` follow it; the revision policy says whether other rows do too.
提出時期 says whether what a row describes takes effect after the submission (事前) or is already
practice (事後). So in a revision that introduces something (its significant additions), a row that
speaks of what is introduced goes 事前 with it, and a rewrite of a ※ text that does not describes
today's arrangement: proposed 事後, 低.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, replace
from enum import Enum
from functools import lru_cache
from typing import Any, Iterable

from .chardiff import edits, opcodes, sentences
from .catalog import Item


class Timing(str, Enum):
    PRE = "事前"
    POST = "事後"


#: how non-significant rows of a revision holding a 重要な変更 are marked
POLICIES = {
    "none": "each row keeps its own timing",
    "additions": "rows about what the revision introduces (or, where that cannot be read, rows that add "
                 "content) are 事前 with the revision; other rows keep theirs, and ※ rewrites about "
                 "something else are 事後",
    "all": "every row of the revision is 事前",
}
DEFAULT_POLICY = "additions"


#: how sure a proposal is: 高 (the guideline decides it) or 低 (an officer should look at it)
HIGH, LOW = "高", "低"
#: why a proposal is 低 (the keys are codes for JSON; the values are what an officer reads)
DOUBTS = {
    "bodies-differ": "団体により扱いが分かれる",
    "rules-conflict": "規則が競合",
    "text-unclear": "文面から判定できない",
    "item-unknown": "項目が特定できない",
}


@dataclass(frozen=True)
class Decision:
    timing: Timing
    reason: str  # reason code, e.g. law-amendment
    text: str  # 提出時期に係る説明
    rule: str  # id of the rule that decided ("person" when an officer decided)
    by_person: bool = False
    confidence: str = HIGH  # 高 / 低
    doubt: str = ""  # why it is 低: a key of DOUBTS

    @property
    def doubt_text(self) -> str:
        return DOUBTS.get(self.doubt, "")


@dataclass(frozen=True)
class Facts:
    """What the classifier looks at for one row."""

    item: Item | None
    change: str  # added / removed / changed / moved
    before: str = ""
    after: str = ""
    entry: str | None = None  # "added" / "removed": a whole group entry appeared or went
    threshold: str | None = None  # "up": the change moves the しきい値判断 to a higher kind of assessment


@dataclass(frozen=True)
class Reason:
    timing: str  # 事前 / 事後 / revision
    text: str
    words: tuple[str, ...] = ()  # a body's sentence explains this reason only if it holds one of them
    label: str = ""  # its Japanese name, for people (the code is for JSON)

    def fits(self, sentence: str) -> bool:
        """Whether a sentence a body wrote can explain this reason (it says what this reason says)."""
        return any(w in sentence for w in self.words)


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    when: dict[str, Any]
    label: str = ""  # its Japanese name, for people (the id is for JSON)


@dataclass(frozen=True)
class RuleSet:
    reasons: dict[str, Reason]
    rules: tuple[Rule, ...]
    patterns: dict[str, list[str]]
    limits: dict[str, int]


@lru_cache(maxsize=None)
def load_rules() -> RuleSet:
    """The rule table shipped with piadiff (piadiff/rules/timing.yaml)."""
    from .compiled import load_data_file

    data = load_data_file("rules/timing.yaml")  # parsed once, kept by the file's hash
    reasons = {k: Reason(str(v["timing"]), v.get("text") or "", tuple(v.get("words") or ()), str(v.get("label") or k))
               for k, v in data["reasons"].items()}
    rules = tuple(Rule(r["id"], r["reason"], dict(r.get("if") or {}), str(r.get("label") or r["id"])) for r in data["rules"])
    for r in rules:
        if r.reason not in reasons:
            raise ValueError(f"rule {r.id}: unknown reason {r.reason}")
    if rules[-1].when:
        raise ValueError("the last rule must have no conditions, so that every change gets a reason")
    patterns = {k: [str(p) for p in v] for k, v in data.get("patterns", {}).items()}
    return RuleSet(reasons, rules, patterns, dict(data.get("limits", {})))


def reason_label(code: str) -> str:
    """理由 as people read it (リスクを高める追加), for a reason code (risk-increase)."""
    reason = load_rules().reasons.get(code)
    return reason.label if reason else {"person": "担当者の判断"}.get(code, code)


def rule_label(rule_id: str) -> str:
    """規則 as people read it, for a rule id; "person" is an officer's decision."""
    if rule_id == "person":
        return "担当者の判断"
    return next((r.label for r in load_rules().rules if r.id == rule_id), rule_id)


# what the texts say ----------------------------------------------------------------------------
def _strip_words(text: str, words: list[str]) -> str:
    for w in sorted(words, key=len, reverse=True):
        text = text.replace(w, "")
    return re.sub(r"[\s\d０-９()（）\[\]【】「」<>＜＞\-.,、。・～~]", "", text)


def _numbers(text: str) -> list[int]:
    import unicodedata

    return [int(n) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", text))]


class _Detect:
    """Detectors named in the rules' ``detect`` condition, driven by the patterns of the rule file."""

    def __init__(self, facts: Facts, rules: RuleSet):
        self.f, self.p, self.limits = facts, rules.patterns, rules.limits
        # choices, counts and dates are not prose: their wording is the form's, not the body's
        self.prose = facts.item is None or facts.item.kind not in ("choice", "count", "date")
        self.deleted, self.inserted = edits(facts.before, facts.after) if self.prose else ("", "")

    def law(self) -> bool:
        """Only law references changed: the texts are equal once law words and numbers are taken out."""
        words = self.p.get("law", [])
        if not (self.prose and self.f.before != self.f.after and
                _strip_words(self.f.before, words) == _strip_words(self.f.after, words)):
            return False
        # and every change stands in an article reference (第19条第8号), not in a plain count (年1回)
        b, a = self.f.before, self.f.after
        for tag, i1, i2, j1, j2 in opcodes(b, a):
            if tag != "equal" and not re.search("[条項号表令]", b[max(0, i1 - 3):i2 + 3] + a[max(0, j1 - 3):j2 + 3]):
                return False
        return True

    def _only(self, pattern: str) -> bool:
        """Both texts are the same once every match of ``pattern`` is blanked out.

        A match never spans a sentence end (the rule file's organisation and personnel patterns
        hold no 。 or line break), so the texts are compared sentence by sentence and only the
        sentences that differ are searched: a long text with one renamed 課 costs one sentence."""
        if not self.prose or self.f.before == self.f.after:
            return False
        a, b = sentences(self.f.before), sentences(self.f.after)
        if len(a) != len(b):
            return False
        compiled = re.compile(pattern)
        return all(x == y or compiled.sub("〇", x) == compiled.sub("〇", y) for x, y in zip(a, b))

    def organisation(self) -> bool:
        units = "|".join(re.escape(w) for w in self.p.get("organisation", []))
        return bool(units) and self._only(rf"[^\s、。,，・()（）「」]*?(?:{units})(?:長)?")

    def personnel(self) -> bool:
        pats = self.p.get("personnel", [])
        return bool(pats) and self._only("|".join(f"(?:{p})" for p in pats))

    def wording(self) -> bool:
        if not self.prose or refers_elsewhere(self.f.before) or refers_elsewhere(self.f.after):
            return False  # 別紙1 → 別紙1(内容修正): what changed is in the 別紙, which the row does not quote
        if self.f.before == self.f.after and self.f.before:
            return True  # only the layout changed (width, wrapping): read the same
        d, i = len(self.deleted.replace("\n", "")), len(self.inserted.replace("\n", ""))
        numbers_only = re.fullmatch(r"[\d０-９\s]+", self.deleted + self.inserted) is not None
        if 0 < max(d, i) <= int(self.limits.get("wording_chars", 5)) and len(self.f.before) >= 5 and not numbers_only:
            return True  # a typo; a changed number (年1回 → 年2回) is not wording
        # a short remark added in brackets: ID/パスワード → ID/パスワード(又は生体認証)
        return d == 0 and 0 < i <= int(self.limits.get("short_insertion", 12)) and \
            bool(re.fullmatch(r"[(（][^()（）]*[)）]", self.inserted.strip()))

    def form(self) -> bool:
        return self.prose and any(w in self.inserted or w in self.deleted for w in self.p.get("form", []))


def _ticks(text: str) -> int:
    return len(re.findall(r"\[\s*[○〇◯]\s*\]", text))


def _matches(rule: Rule, facts: Facts, ruleset: RuleSet, detect: _Detect) -> bool:
    item = facts.item
    for key, want in rule.when.items():
        wants = want if isinstance(want, list) else [want]
        if key == "significant":
            if item is None or item.significant is not bool(want):
                return False
        elif key == "change":
            if facts.change not in wants:
                return False
        elif key == "entry":
            if facts.entry != want:
                return False
        elif key == "section":
            if item is None or not any(w in a.key for a in item.ancestors + [item] for w in wants):
                return False
        elif key == "labels":
            if item is None or not any(w in (item.label or item.key) for w in wants):
                return False
        elif key == "count":
            if item is None or item.kind != "count" and "件" not in facts.before + facts.after:
                return False
            a, b = _numbers(facts.before), _numbers(facts.after)
            if not a or not b or a[-1] == b[-1] or (want == "up") != (b[-1] > a[-1]):
                return False
        elif key == "ticks":
            a, b = _ticks(facts.before), _ticks(facts.after)
            if (want == "removed" and not (a > b)) or (want == "added" and not (b > a)):
                return False
            if want == "removed" and "(" in detect.inserted:
                return False
        elif key == "negation":
            text = facts.before + facts.after + (item.key if item else "")
            if "しない" not in text or not (_ticks(facts.before) > _ticks(facts.after)):
                return False
        elif key == "excluded":
            inside = item is not None and not item.significant and any(a.significant for a in item.ancestors)
            if inside is not bool(want):
                return False
        elif key == "had_value":
            had = not was_empty(facts.before, ruleset)
            if had is not bool(want):
                return False
        elif key == "threshold":
            if facts.threshold != want:
                return False
        elif key == "detect":
            if not any(getattr(detect, w)() for w in wants):
                return False
        else:
            raise ValueError(f"rule {rule.id}: unknown condition {key}")
    return True


_PLACEHOLDER_BRACKETS = "()[]{}【】「」<>〈〉《》"
_PART_COUNTER = re.compile(r"\(\d+/\d+\)$")  # 右記を追記(1/2): one addition printed over two rows


#: placeholders are a few characters; a text this long (spaces aside) is never one, and is not
#: normalised to find out
_PLACEHOLDER_MAX = 64


def _placeholder_form(text: str) -> str:
    """``text`` as placeholders are compared: NFKC, no spaces, no brackets around it, no (1/2)."""
    import unicodedata

    if len(text) > _PLACEHOLDER_MAX and len("".join(text.split())) > _PLACEHOLDER_MAX:
        return text  # longer than any placeholder: compares equal to none
    form = re.sub(r"\s", "", unicodedata.normalize("NFKC", text))
    form = _PART_COUNTER.sub("", form)
    return form.strip(_PLACEHOLDER_BRACKETS)


def _placeholders(ruleset: RuleSet | None, *lists: str) -> frozenset[str]:
    if ruleset is None or ruleset is load_rules():
        return _shipped_placeholders(lists)  # the rule file's lists, formed once
    return frozenset(_placeholder_form(w) for name in lists for w in ruleset.patterns.get(name, []))


@lru_cache(maxsize=None)
def _shipped_placeholders(lists: tuple[str, ...]) -> frozenset[str]:
    p = load_rules().patterns
    return frozenset(_placeholder_form(w) for name in lists for w in p.get(name, []))


def was_empty(before: str, ruleset: RuleSet | None = None) -> bool:
    """Whether a 変更前 cell says the item had no text (記載なし, －, (空欄), 新規, 右記を追記 …).

    The spellings are the rule file's ``empty`` and ``blank`` patterns: one list, read by every
    caller (the classifier, the reading of annex rows, the rebuilding of the previous version).
    """
    return _placeholder_form(before) in _placeholders(ruleset, "empty", "blank")


def became_empty(after: str, ruleset: RuleSet | None = None) -> bool:
    """Whether a 変更後 cell says the item has no text any more (削除, 記載なし, －, (空欄) …).

    A blank 変更後 cell does not count: bodies write a removal out, and a blank cell is more often
    one the layout lost.
    """
    return bool(after.strip()) and _placeholder_form(after) in _placeholders(ruleset, "empty", "removed")


def facts_kind(before: str, after: str, ruleset: RuleSet | None = None) -> str:
    """added / removed / changed, read from placeholders as annexes write them."""
    p = (ruleset or load_rules()).patterns
    b, a = layout_free_pair(before, after)  # however each was wrapped or printed
    if was_empty(b, ruleset) or any(b.startswith(m) for m in p.get("addition_markers", [])):
        return "added"
    if became_empty(a, ruleset):
        return "removed"
    if any(m in a for m in p.get("addition_markers", [])[:2]) or (b and b in a and len(a) - len(b) > 12):
        return "added"  # 【追加】, or the old text kept whole with something long added to it
    if _ticks(a) > _ticks(b):
        return "added"  # a box newly ticked
    return "changed"


def layout_free_pair(before: str, after: str) -> tuple[str, str]:
    """Both texts of a change as the rules read them (:func:`layout_free`): widths are undone in both
    or in neither, so that a text printed one way is never compared with one read another way."""
    wide = bool(_WIDTH.search(before) or _WIDTH.search(after))
    return layout_free(before, wide), layout_free(after, wide)


@lru_cache(maxsize=4096)
def layout_free(text: str, widths: bool = True) -> str:
    """A text as the rules read it: what a publication's layout does to it undone — lines wrapped
    inside a sentence, runs of spaces and, with ``widths``, full-width letters and digits and
    half-width kana (NFKC; needed only where one of the two texts has them)."""
    import unicodedata

    if widths:
        text = unicodedata.normalize("NFKC", text)
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "").replace("\n", "")
    return (_SPACES.sub(" ", text) if "  " in text or "\t" in text else text).strip()


#: what NFKC changes that a rule reads: full-width letters and digits, half-width kana, the wide space
_WIDTH = re.compile("[０-９Ａ-Ｚａ-ｚ\uff61-\uff9f\u3000]")
_SPACES = re.compile(r"[ \t]+")


@lru_cache(maxsize=65536)
def judge(facts: Facts) -> tuple[Rule, Reason]:
    """The first rule that fits, and its reason (before any revision-level policy).

    Kept per facts: the habits of each batch are learnt from every earlier batch, so without it
    an annex of n versions judges its rows n times over.
    """
    before, after = layout_free_pair(facts.before, facts.after)
    facts = replace(facts, before=before, after=after)
    ruleset = load_rules()
    detect = _Detect(facts, ruleset)
    rule = next(r for r in ruleset.rules if _matches(r, facts, ruleset, detect))
    return rule, ruleset.reasons[rule.reason]


def clear_caches() -> None:
    """Forget every judged row and read text (for measuring a first judgement)."""
    for cached in (judge, layout_free, _terms_of):
        cached.cache_clear()


# a revision as one submission --------------------------------------------------------------------
@dataclass(frozen=True)
class Habits:
    """What a body does in its own annexes (its profile), learnt from its earlier rows or written
    in the store's settings: never a rule of the guideline."""

    policy: str = DEFAULT_POLICY
    explain_pre: bool = False
    phrasing: dict[str, str] | None = None  # reason code -> the body's own sentence for that reason
    learnt_policy: bool = False  # the policy comes from enough of the body's own batches
    pull_rate: float | None = None  # the estimated share of plain modifications it marks 事前 with a revision


#: reasons a revision holding a 重要な変更 may pull to 事前, by policy. The guideline's own
#: exceptions (law, organisation, personnel, wording, form, excluded items, risk reduction) are
#: 事後 whatever else the revision holds.
_PULLED = {"additions": {"addition"}, "all": {"addition", "not-significant-item"}}
#: exceptions the guideline names but bodies file differently inside a revision holding a 重要な変更:
#: one body marks such a revision's wording fix 事前 with the rest, another explains its renames
#: and wording fixes as 事後. The proposal stays 事後 (the guideline's); only its 確度 says so.
_FILED_EITHER_WAY = {"wording", "organisation", "personnel"}


def _terms(text: str) -> frozenset[str]:
    """The names a text uses: runs of katakana, Latin letters or kanji (the rule file's ``subject``),
    and the pieces of ``subject_chars`` characters of longer kanji runs, so that 北九州市電子申請
    and 電子申請 are one name."""
    rules = load_rules()
    return _terms_of(text, tuple(rules.patterns.get("subject", [])), int(rules.limits.get("subject_chars", 4)))


@lru_cache(maxsize=4096)
def _terms_of(text: str, patterns: tuple[str, ...], k: int) -> frozenset[str]:
    import unicodedata

    # a name wrapped over two lines, or printed in full-width letters, is the same name
    text = unicodedata.normalize("NFKC", "".join(text.split()))
    out = set()
    for run in (t for p in patterns for t in re.findall(p, text)):
        out.add(run)
        if len(run) > k and re.fullmatch(r"[一-龥々]+", run):  # kanji compounds run names together
            out.update(run[i:i + k] for i in range(len(run) - k + 1))
    return frozenset(out)


def revision_subject(facts: list[Facts], judged: list[tuple[Rule, Reason]] | None = None) -> frozenset[str]:
    """What a revision introduces: the names its significant additions use that none of its rows
    used before (PMH, ガバメントクラウド). Empty when it adds nothing significant."""
    judged = judged or [judge(f) for f in facts]
    before: set[str] = set()
    for f in facts:
        before |= _terms(f.before)
    new: set[str] = set()
    for f, (_, reason) in zip(facts, judged):
        if reason.timing == Timing.PRE.value and f.change == "added":
            new |= _terms(f.after)
    return frozenset(new - before)


def refers_elsewhere(text: str) -> bool:
    """Whether a cell only points to another sheet (別紙1参照, 別紙1(内容修正)) instead of quoting a text."""
    p, limits = load_rules().patterns, load_rules().limits
    text = "".join(text.split())
    return 0 < len(text) <= int(limits.get("reference_chars", 24)) and any(w in text for w in p.get("reference", []))


def _about(f: Facts, subject: frozenset[str]) -> bool:
    """Whether a row speaks of what its revision introduces (a name it did not use before). A row that
    only points to a 別紙 cannot be read for it and goes with its revision: 事前 is never late."""
    return refers_elsewhere(f.after) or bool(subject & (_terms(f.after) - _terms(f.before)))


def decide_revision(facts: list[Facts], habits: Habits | None = None, explanations: dict[str, str] | None = None) -> list[Decision]:
    """Decisions for all rows of one revision, applying the revision-level policy."""
    habits = habits or Habits()
    judged = [judge(f) for f in facts]
    revision_pre = any(reason.timing == Timing.PRE.value for _, reason in judged)
    subject = revision_subject(facts, judged) if revision_pre and habits.policy == "additions" else frozenset()
    out = []
    for f, (rule, reason) in zip(facts, judged):
        code = rule.reason
        if reason.timing == "revision":
            timing = Timing.PRE if revision_pre else Timing.POST
        else:
            timing = Timing(reason.timing)
            if revision_pre and timing is Timing.POST and code in _PULLED["all"]:
                if habits.policy == "all" or (habits.policy == "additions" and (
                        _about(f, subject) if subject else code in _PULLED["additions"])):
                    timing = Timing.PRE
            elif subject and code == "significant-item" and f.change == "changed" and \
                    not was_empty(f.before) and not _about(f, subject):
                timing, code = Timing.POST, "unrelated-rewrite"
        text = explanation(code, habits, explanations)
        if timing is Timing.PRE and not habits.explain_pre:
            text = ""
        confidence, doubt = _confidence(f, rule, revision_pre and code in _PULLED["all"],
                                        revision_pre and code in _FILED_EITHER_WAY, habits)
        if code == "unrelated-rewrite":
            confidence, doubt = LOW, "bodies-differ"  # the guideline marks the item ※: an officer confirms
        out.append(Decision(timing, code, text, rule.id, confidence=confidence, doubt=doubt))
    return out


def explanation(reason_code: str, habits: Habits | None = None, explanations: dict[str, str] | None = None) -> str:
    """The 説明 of a reason: the store's own wording, else the body's learnt sentence for that very
    reason, else the default. A sentence is never borrowed from another reason."""
    return ((explanations or {}).get(reason_code) or ((habits and habits.phrasing) or {}).get(reason_code)
            or load_rules().reasons[reason_code].text)


#: reasons whose proposal the guideline and the form settle (an exception it names, an item it marks)
_SETTLED = {"threshold-change", "procedure", "excluded-item", "risk-increase", "risk-reduction", "law-amendment",
            "organisation", "personnel", "wording", "form-change", "addition", "not-significant-item", "follows-revision"}
#: what stands for text the row does not quote: the row cannot be judged from its words
_UNQUOTED = ("省略", "参照", "別紙")


def _confidence(f: Facts, rule: Rule, by_policy: bool, exception_in_pre: bool, habits: Habits) -> tuple[str, str]:
    """高, or 低 with why: where the guideline leaves the call to the body, or the row cannot be read."""
    if f.item is None:
        return LOW, "item-unknown"
    if exception_in_pre:
        return LOW, "bodies-differ"
    unsettled = habits.pull_rate is not None and 0.25 < habits.pull_rate < 0.75
    if by_policy and (not habits.learnt_policy or unsettled):
        # a plain modification in a revision holding a 重要な変更: whether it goes 事前 with the
        # revision is the body's practice, and its own batches have not shown it clearly
        return LOW, "bodies-differ"
    if rule.reason in ("significant-item",):
        if any(w in f.before + f.after for w in _UNQUOTED):
            return LOW, "text-unclear"
        if f.change == "changed" and not was_empty(f.before):
            return LOW, "bodies-differ"  # a ※ text rewritten: some bodies explain it as 事後
    if rule.id == "significant-addition" and f.entry is None and f.item.kind == "checkbox":
        return LOW, "bodies-differ"  # a box ticked in a ※ list (入手元): bodies differ
    if rule.reason not in _SETTLED and rule.reason != "significant-item" and rule.id != "significant-addition":
        return LOW, "rules-conflict"
    return HIGH, ""


def learn_habits(history: Iterable[tuple[list[Facts], list[tuple[str, str]]]], default: Habits | None = None) -> Habits:
    """Learn a body's habits from its earlier revisions: (facts, [(timing, explanation)]) per revision
    (see :class:`HabitLearner`, which learns the same batch by batch)."""
    learner = HabitLearner()
    for facts, actual in history:
        learner.add(facts, actual)
    return learner.habits(default)


class HabitLearner:
    """A body's habits, learnt one revision at a time, so that an annex of n versions learns each
    batch once:

    - phrasing: per reason, its most common sentence on rows of that reason, where the sentence
      says what the reason says (:meth:`Reason.fits`);
    - explain_pre: whether it explains 事前 rows;
    - policy: how, in revisions holding a 重要な変更, it marks rows the rules find 事後 — a
      Bayesian estimate with the guideline's default as prior, later batches weighing more, taken
      only from at least two batches that show it.

    Its state is plain data (:meth:`state`, :meth:`from_state`), so that it can be kept between runs.
    """

    def __init__(self) -> None:
        self.phrasing: dict[str, Counter] = {}
        self.pre_rows = self.pre_explained = 0
        self.batches: list[tuple[int, int, int, int]] = []  # (additions, pulled, modifications, pulled)
        self.seen = False

    def add(self, facts: list[Facts], actual: list[tuple[str, str]]) -> None:
        """One revision: its facts and what was decided for each row (timing, explanation)."""
        self.seen = True
        revision_pre = any(t == Timing.PRE.value for t, _ in actual)
        add = add_pre = mod = mod_pre = 0
        for (rule, reason), (timing, text) in zip((judge(f) for f in facts), actual):
            sentence = text.strip()
            own_timing = reason.timing if reason.timing != "revision" else timing
            if sentence and timing == own_timing and reason.fits(sentence):
                self.phrasing.setdefault(rule.reason, Counter())[sentence] += 1
            if timing == Timing.PRE.value:
                self.pre_rows += 1
                self.pre_explained += bool(sentence)
            if revision_pre and reason.timing == Timing.POST.value:
                if rule.reason == "addition":
                    add, add_pre = add + 1, add_pre + (timing == Timing.PRE.value)
                elif rule.reason == "not-significant-item":
                    mod, mod_pre = mod + 1, mod_pre + (timing == Timing.PRE.value)
        if add or mod:
            self.batches.append((add, add_pre, mod, mod_pre))

    def habits(self, default: Habits | None = None) -> Habits:
        """What the revisions so far show (``default`` before any)."""
        default = default or Habits()
        if not self.seen:
            return default
        common = {k: c.most_common(1)[0][0] for k, c in self.phrasing.items()}
        policy, learnt, rate = _policy(self.batches, default.policy)
        return Habits(policy=policy, explain_pre=self.pre_rows > 0 and self.pre_explained * 2 > self.pre_rows,
                      phrasing=common or default.phrasing, learnt_policy=learnt, pull_rate=rate)

    def state(self) -> dict[str, Any]:
        return {"phrasing": {k: dict(c) for k, c in self.phrasing.items()}, "pre_rows": self.pre_rows,
                "pre_explained": self.pre_explained, "batches": [list(b) for b in self.batches], "seen": self.seen}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "HabitLearner":
        learner = cls()
        learner.phrasing = {str(k): Counter({str(s): int(n) for s, n in c.items()}) for k, c in state["phrasing"].items()}
        learner.pre_rows, learner.pre_explained = int(state["pre_rows"]), int(state["pre_explained"])
        learner.batches = [tuple(int(x) for x in b) for b in state["batches"]]  # type: ignore[misc]
        learner.seen = bool(state["seen"])
        return learner


#: prior of the policy estimate: the guideline's default (additions follow a 事前 revision, other
#: modifications keep their own timing), worth this many rows of evidence
_PRIOR_ROWS = 2
#: a batch's weight halves with each later batch: a body's recent practice counts most
_DECAY = 0.5
#: batches that must show a habit before it is learnt
_MIN_BATCHES = 2


def _policy(batches: list[tuple[int, int, int, int]], default: str) -> tuple[str, bool, float | None]:
    """The policy a body's batches support, whether they were enough to learn it, and the
    estimated share of plain modifications it marks 事前 with a revision."""
    if len(batches) < _MIN_BATCHES:
        return default, False, None
    weights = [_DECAY ** (len(batches) - 1 - i) for i in range(len(batches))]

    def rate(prior: float, pairs: list[tuple[int, int]]) -> float:
        n = sum(w * total for w, (total, _) in zip(weights, pairs))
        k = sum(w * pulled for w, (_, pulled) in zip(weights, pairs))
        return (prior * _PRIOR_ROWS + k) / (_PRIOR_ROWS + n)

    additions = rate(1.0 if default in ("additions", "all") else 0.0, [(a, ap) for a, ap, _, _ in batches])
    modifications = rate(1.0 if default == "all" else 0.0, [(m, mp) for _, _, m, mp in batches])
    if modifications >= 0.6:
        return "all", True, modifications
    return ("additions" if additions >= 0.5 else "none"), True, modifications


def with_effective(decision: Decision, submitted: dt.date, effective: dt.date | None, habits: Habits | None = None) -> Decision:
    """A 事後 proposal for a change the officer says takes effect after it is submitted: 事前
    (submitted before the change takes effect). A 重要な変更 is 事前 anyway."""
    if effective is None or decision.by_person or decision.timing is Timing.PRE or not submitted < effective:
        return decision
    text = explanation("before-effect", habits) if (habits and habits.explain_pre) else ""
    return replace(decision, timing=Timing.PRE, reason="before-effect", text=text, confidence=HIGH, doubt="")


def person_decision(timing: str, text: str | None, proposed: Decision) -> Decision:
    """An officer's decision overruling the proposal."""
    return replace(proposed, timing=Timing(timing), text=proposed.text if text is None else text, rule="person", by_person=True,
                   confidence=HIGH, doubt="")  # an officer has looked at it
