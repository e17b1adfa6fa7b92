"""Per-store settings: how this body writes its annex (settings.yaml at the top of the store).

Every key is optional; what is not written keeps its default. ``piadiff settings`` prints the
file with every default filled in, ready to edit.
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
        return Habits(
            policy=self.policy or (base.policy if learnt else DEFAULT_POLICY),
            explain_pre=self.explain_pre if self.explain_pre is not None else base.explain_pre,
            phrasing=base.phrasing,
        )

    def placeholder(self, name: str) -> str:
        return self.placeholders.get(name, DEFAULT_PLACEHOLDERS[name])

    def with_options(self, **changes: Any) -> "Settings":
        from dataclasses import replace

        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(store_path: str | Path | None) -> Settings:
    """The settings of a store; defaults where the file or a key is missing."""
    if store_path is None:
        return Settings()
    path = Path(store_path) / SETTINGS_FILE
    if not path.exists():
        return Settings()
    from .load import read_document_data

    data = read_document_data(path)
    if data is None:
        return Settings()
    if not isinstance(data, dict):
        raise PiadiffError(f"{path}: 設定は「項目の書き方: 正式」のような項目の並びで書いてください")
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


def settings_template(settings: Settings | None = None) -> str:
    """settings.yaml with every setting and its current value, for the officer to edit."""
    s = settings or Settings()
    from .classify import load_rules

    style = next(k for k, v in STYLES.items() if v == s.item_style)
    lines = [
        "# piadiff の設定（この保存先のすべての評価書に効きます）",
        f"項目の書き方: {style}    # 正式: Ⅱ 特定個人情報ファイルの概要(4. … 委託事項2 ③委託先名) / 番号: Ⅱ-4委託事項2③",
        f"元年: {'する' if s.gannen else 'しない'}        # する: 令和元年 / しない: 令和1年",
        f"抜粋: {'する' if s.excerpt else 'しない'}        # する: 長い文の変更は変わった文だけを残し、ほかを (省略) と書く",
        f"抜粋する長さ: {s.excerpt_min_chars}   # この文字数以上の文を抜粋する",
        f"改訂の扱い: {_policy_name(s.policy)}    # 重要な変更を含む改訂で、ほかの行を 各行: それぞれの判定のまま / 追加: 追記の行も事前 / すべて: すべて事前（書かなければ過去の変更箇所から学ぶ。既定は 追加）",
        f"事前の説明: {'する' if s.explain_pre else 'しない'}   # 事前の行にも提出時期に係る説明を書く",
        f"重大事故: {'あり' if s.serious_incident else 'なし'}     # しきい値判断の問い: 特定個人情報に関する重大事故の発生（様式のⅢ-7 とは別の問い）",
        "記載:",
    ]
    lines += [f"  {k}: {_q(s.placeholder(k))}" for k in DEFAULT_PLACEHOLDERS]
    lines.append("説明:     # 提出時期に係る説明（理由ごと）")
    for code, reason in load_rules().reasons.items():
        lines.append(f"  {code}: {_q(s.explanations.get(code, reason.text))}")
    return "\n".join(lines) + "\n"


def _policy_name(policy: str | None) -> str:
    return next((k for k, v in POLICY_NAMES.items() if v == (policy or "additions")), "追加")


def _q(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)
