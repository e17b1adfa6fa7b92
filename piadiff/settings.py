"""Per-store settings: how this body writes its annex (settings.yaml at the top of the store).

Every key is optional; what is not written keeps its default, or, for the body's habits (改訂の扱い,
事前の説明, 説明), what the assessment's earlier annex rows show. ``piadiff settings [ID]`` prints the
settings in effect and where each comes from, as a file that can be saved as it is: what was not
written stays commented out, so saving it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import PiadiffError

SETTINGS_FILE = "settings.yaml"
STYLES = {"正式": "official", "番号": "code"}
#: 改訂の扱い: how rows that are not 重要な変更 are marked in a revision that holds one
POLICY_NAMES = {"各行": "none", "追加": "additions", "すべて": "all"}

DEFAULT_PLACEHOLDERS = {
    "新規": "(新規)",  # 変更前 of a repeating group that appears (a new 委託事項)
    "追記": "右記を追記",  # 変更前 of a value that was blank
    "削除": "削除",  # 変更後 of a value or group that went
    "省略": "(省略)",  # what stands for unchanged sentences in an excerpt
}


@dataclass(frozen=True)
class Settings:
    item_style: str = "official"  # official: Ⅱ 特定個人情報ファイルの概要(4. … 委託事項2 ③委託先名); code: Ⅱ-4委託事項2③
    gannen: bool = False  # 令和元年 instead of 令和1年
    excerpt: bool = False  # keep only changed sentences of long texts
    excerpt_min_chars: int = 200
    placeholders: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PLACEHOLDERS))
    explanations: dict[str, str] = field(default_factory=dict)  # reason code -> house phrasing
    policy: str | None = None  # none / additions / all; None: learnt from earlier batches, else additions
    explain_pre: bool | None = None  # write an explanation on 事前 rows; None: learnt, else no
    serious_incident: bool = False  # しきい値判断: a 重大事故 concerning 特定個人情報 (the officer states it)

    def habits(self, learnt: "Habits | None"):
        """The habits to apply: what the store's settings say, else what was learnt, else defaults."""
        from .classify import DEFAULT_POLICY, Habits

        base = learnt or Habits()
        if self.policy:  # written: the body's own practice, stated rather than estimated
            policy, known, rate = self.policy, True, None
        elif learnt:  # how sure the estimate is (learnt_policy, pull_rate) goes with it: it sets the 確度
            policy, known, rate = base.policy, base.learnt_policy, base.pull_rate
        else:
            policy, known, rate = DEFAULT_POLICY, False, None
        return Habits(
            policy=policy,
            explain_pre=self.explain_pre if self.explain_pre is not None else base.explain_pre,
            phrasing=base.phrasing,
            learnt_policy=known,
            pull_rate=rate,
        )

    def placeholder(self, name: str) -> str:
        return self.placeholders.get(name, DEFAULT_PLACEHOLDERS[name])

    def with_options(self, **changes: Any) -> "Settings":
        from dataclasses import replace

        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(store_path: str | Path | None) -> Settings:
    """The settings of a store; defaults where the file or a key is missing."""
    data = written_settings(store_path)
    if not data:
        return Settings()
    path = Path(store_path) / SETTINGS_FILE  # type: ignore[arg-type]
    known = {"項目の書き方", "元年", "抜粋", "抜粋する長さ", "記載", "説明", "改訂の扱い", "事前の説明", "重大事故"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise PiadiffError(f"{path}: 「{unknown[0]}」という設定はありません（使えるもの: {'、'.join(sorted(known))}）")
    style = data.get("項目の書き方", "正式")
    if style not in STYLES:
        raise PiadiffError(f"{path}: 項目の書き方「{style}」は使えません（正式 か 番号）")
    placeholders = dict(DEFAULT_PLACEHOLDERS)
    for k, v in (data.get("記載") or {}).items():
        if k not in DEFAULT_PLACEHOLDERS:
            raise PiadiffError(f"{path}: 記載「{k}」はありません（使えるもの: {'、'.join(DEFAULT_PLACEHOLDERS)}）")
        placeholders[k] = str(v or "")
    explanations = {str(k): str(v or "") for k, v in (data.get("説明") or {}).items()}
    from .classify import load_rules

    for code in explanations:
        if code not in load_rules().reasons:
            raise PiadiffError(f"{path}: 説明「{code}」という理由はありません（使えるもの: {'、'.join(load_rules().reasons)}）")
    policy = data.get("改訂の扱い")
    if policy is not None and policy not in POLICY_NAMES:
        raise PiadiffError(f"{path}: 改訂の扱い「{policy}」は使えません（{' / '.join(POLICY_NAMES)}）")
    return Settings(
        item_style=STYLES[style],
        gannen=_flag(data.get("元年"), path, "元年"),
        excerpt=_flag(data.get("抜粋"), path, "抜粋"),
        excerpt_min_chars=int(data.get("抜粋する長さ") or 200),
        placeholders=placeholders,
        explanations=explanations,
        policy=POLICY_NAMES.get(policy) if policy is not None else None,
        explain_pre=_flag(data.get("事前の説明"), path, "事前の説明") if data.get("事前の説明") is not None else None,
        serious_incident=_incident(data.get("重大事故"), path),
    )


def written_settings(store_path: str | Path | None) -> dict[str, Any]:
    """What the store's settings.yaml writes, as read (empty when there is no file)."""
    if store_path is None:
        return {}
    path = Path(store_path) / SETTINGS_FILE
    if not path.exists():
        return {}
    from .load import read_document_data

    data = read_document_data(path)  # a YAML mistake is said as for documents: file, line, what to do
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PiadiffError(f"{path}: 設定は「項目の書き方: 正式」のような項目の並びで書いてください")
    for key in ("記載", "説明"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            raise PiadiffError(f"{path}: {key} は「  新規: (新規)」のように、字下げした項目の並びで書いてください")
    return data


def _incident(value: Any, path: Path) -> bool:
    """しきい値判断の重大事故: あり / なし (written by the officer; the form does not ask it)."""
    if value is None or str(value).strip() in ("なし", "無し", "発生なし"):
        return False
    if str(value).strip() in ("あり", "有り", "発生あり"):
        return True
    raise PiadiffError(f"{path}: 重大事故 は「あり」か「なし」で書いてください（「{value}」）")


def _flag(value: Any, path: Path, name: str) -> bool:
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in ("true", "yes", "はい", "する", "1"):
        return True
    if text in ("false", "no", "いいえ", "しない", "0", ""):
        return False
    raise PiadiffError(f"{path}: {name} は「する」か「しない」で書いてください（「{value}」）")


@dataclass(frozen=True)
class Learnt:
    """What an assessment's earlier annex rows taught, up to (not including) one version's batch."""

    habits: "Habits | None"  # None: no earlier batch to learn from
    batches: int = 0  # the earlier batches (published 変更日 and recorded versions) learnt from
    pre_rows: int = 0  # 事前 rows among them: 事前の説明 is learnt only from these
    version: str = ""  # the version whose batch these habits apply to


def learnt_habits(store, assessment_id: str, settings: Settings, version: str | None = None) -> Learnt:
    """The habits learnt from the batches before ``version``'s (default: the latest), as
    ``changes``/``annex`` learn them for that batch: the published rows, then each recorded version's
    batch as decided (officers' decisions included)."""
    from .annex import habits_before

    so_far = habits_before(store, assessment_id, settings, version)
    learner = so_far.learner
    return Learnt(learner.habits() if learner.seen else None, so_far.batches, learner.pre_rows, so_far.version)


DEFAULT, LEARNT, WRITTEN = "既定", "学習", "設定ファイル"


@dataclass(frozen=True)
class SettingLine:
    """One setting as it is applied: its value, where it comes from, and whether the line is in effect
    when saved (a learnt or a learnable default value stays commented out: saving it changes nothing)."""

    key: str
    value: str
    source: str  # 既定 / 学習 / 設定ファイル
    note: str = ""
    commented: bool = False
    indent: int = 0


def effective_settings(store_path: str | Path | None, learnt: Learnt | None = None) -> list[SettingLine]:
    """Every setting as applied (to ``learnt.version``'s batch when given), with its source."""
    from .classify import DEFAULT_POLICY, load_rules

    written = written_settings(store_path)
    s = load_settings(store_path)
    habits = learnt.habits if learnt else None

    def plain(key: str, value: str, note: str) -> SettingLine:
        return SettingLine(key, value, WRITTEN if key in written else DEFAULT, note)

    style = next(k for k, v in STYLES.items() if v == s.item_style)
    lines = [
        plain("項目の書き方", style, "正式: Ⅱ 特定個人情報ファイルの概要(4. … 委託事項2 ③委託先名) / 番号: Ⅱ-4委託事項2③"),
        plain("元年", "する" if s.gannen else "しない", "する: 令和元年 / しない: 令和1年"),
        plain("抜粋", "する" if s.excerpt else "しない", "する: 長い文の変更は変わった文だけを残し、ほかを (省略) と書く"),
        plain("抜粋する長さ", str(s.excerpt_min_chars), "この文字数以上の文を抜粋する"),
    ]
    policy_note = "重要な変更を含む改訂で、ほかの行を 各行: それぞれの判定のまま / 追加: 改訂が新たに取り扱うものに触れる行も事前 / すべて: すべて事前"
    if s.policy:
        lines.append(SettingLine("改訂の扱い", _policy_name(s.policy), WRITTEN, policy_note))
    elif habits is not None and habits.learnt_policy:
        rate = f"。※のない項目の変更を事前にした割合の推定 {habits.pull_rate:.0%}" if habits.pull_rate is not None else ""
        lines.append(SettingLine("改訂の扱い", _policy_name(habits.policy), LEARNT,
                                 f"前の変更箇所 {learnt.batches} まとまりから{rate}。{policy_note}", True))
    else:
        why = (f"前の変更箇所（{learnt.batches} まとまり）からはまだ学べない" if learnt
               else "評価書ごとに前の変更箇所から学び、学べないときはこの値")
        lines.append(SettingLine("改訂の扱い", _policy_name(DEFAULT_POLICY), DEFAULT, f"{why}。{policy_note}", True))
    pre_note = "事前の行にも提出時期に係る説明を書く"
    if s.explain_pre is not None:
        lines.append(SettingLine("事前の説明", "する" if s.explain_pre else "しない", WRITTEN, pre_note))
    elif habits is not None and learnt.pre_rows:
        lines.append(SettingLine("事前の説明", "する" if habits.explain_pre else "しない", LEARNT,
                                 f"前の変更箇所の事前の行 {learnt.pre_rows} 行から。{pre_note}", True))
    else:
        lines.append(SettingLine("事前の説明", "しない", DEFAULT, pre_note, True))
    lines.append(plain("重大事故", "あり" if s.serious_incident else "なし",
                       "しきい値判断の問い: 特定個人情報に関する重大事故の発生（様式のⅢ-7 とは別の問い）"))
    lines.append(SettingLine("記載", "", WRITTEN if "記載" in written else DEFAULT, "置き換える文言"))
    placeholders = written.get("記載") or {}
    lines += [SettingLine(k, _q(s.placeholder(k)), WRITTEN if k in placeholders else DEFAULT, indent=2)
              for k in DEFAULT_PLACEHOLDERS]
    lines.append(SettingLine("説明", "", WRITTEN if "説明" in written else DEFAULT, "提出時期に係る説明（理由ごと）"))
    phrasing = (habits.phrasing if habits else None) or {}
    for code, reason in load_rules().reasons.items():
        if code in s.explanations:
            lines.append(SettingLine(code, _q(s.explanations[code]), WRITTEN, reason.label, indent=2))
        elif code in phrasing:
            lines.append(SettingLine(code, _q(phrasing[code]), LEARNT, reason.label, True, 2))
        else:
            lines.append(SettingLine(code, _q(reason.text), DEFAULT, reason.label, True, 2))
    return lines


def settings_report(store_path: str | Path | None, learnt: Learnt | None = None, assessment: str = "") -> str:
    """The settings in effect as a settings.yaml: each line says where its value comes from. Lines
    not written in the store's file (learnt habits, the defaults they replace) are commented out,
    so that saving the report as settings.yaml changes nothing."""
    where = Path(store_path) / SETTINGS_FILE if store_path is not None else Path(SETTINGS_FILE)
    scope = (f"評価書 {assessment} の {learnt.version} の変更箇所に当てはめる設定" if learnt
             else "この保存先のすべての評価書に効く設定（学習する習慣は piadiff settings ID で評価書ごとに表示）")
    out = [
        f"# piadiff の設定: {scope}",
        f"# 各行の # の後は値の出どころ: {DEFAULT} / {LEARNT}（前の変更箇所から） / {WRITTEN}（{where}）",
        "# 行頭が # の行は学習か既定に任せている値の控えで、# を外すとその値に固定します（学習しなくなります）。",
        "# この内容をそのまま保存しても動きは変わりません。",
    ]
    for line in effective_settings(store_path, learnt):
        text = f"{' ' * line.indent}{'# ' if line.commented else ''}{line.key}:" + (f" {line.value}" if line.value else "")
        note = f"{line.source}。{line.note}" if line.note else line.source
        out.append(f"{text}    # {note}")
    return "\n".join(out) + "\n"


def _policy_name(policy: str | None) -> str:
    return next((k for k, v in POLICY_NAMES.items() if v == (policy or "additions")), "追加")


def _q(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
