"""Loading and checking documents: what an officer sees when a file is right or wrong."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES
from piadiff.document import canonical_text, load_document, normalize
from piadiff.errors import InputError, ValidationError

MINIMAL = FIXTURES / "minimal-juten.yaml"


def write(tmp_path, name: str, text: str, encoding: str = "utf-8") -> str:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return str(p)


def problems(path) -> list[str]:
    with pytest.raises(ValidationError) as e:
        load_document(path)
    return e.value.lines()


def test_minimal_document_loads_into_catalog_order():
    doc = load_document(MINIMAL)
    assert doc.kind == "重点項目評価書"
    assert doc.number == "99"  # a YAML number stays the text the officer wrote
    assert doc.published.isoformat() == "2024-04-01"
    assert list(doc.data) == ["様式", "表紙", "Ⅰ 基本情報", "Ⅱ 特定個人情報ファイルの概要"]
    jimu = doc.data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]
    assert jimu["②事務の内容"] == "児童手当法に基づく認定、支給及び受給資格の確認に関する事務。\n・認定請求の受付\n・現況の確認"


def test_yaml_and_json_of_the_same_document_are_the_same_document(tmp_path):
    doc = load_document(MINIMAL)
    as_json = write(tmp_path, "same.json", json.dumps(doc.data, ensure_ascii=True))
    assert load_document(as_json) == doc
    assert load_document(as_json).canonical_bytes() == doc.canonical_bytes()


def test_loose_spellings_land_on_the_catalog_items(tmp_path):
    path = write(tmp_path, "loose.yaml", """
様式: 重点
表紙: {評価書番号: "1", 評価書名: 例, 評価実施機関名: 例市長, 公表日: R6.4.1}
Ⅰ:
  1:
    1 事務の名称: 例の事務
    ③: "[ 1万人以上10万人未満 ]"
  2:
    システム:
      - ①: 例システム
        ③他のシステムとの接続: ["その他 (予防接種台帳システム)", 庁内連携システム]
""")
    doc = load_document(path)
    jimu = doc.data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]
    assert jimu == {"①事務の名称": "例の事務", "③対象人数": "1万人以上10万人未満"}
    system = doc.data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"][0]
    assert system["③他のシステムとの接続"] == ["庁内連携システム", {"その他": "予防接種台帳システム"}]
    assert system["番号"] == 1


def test_every_problem_is_reported_at_once_with_file_line_and_path(tmp_path):
    path = write(tmp_path, "bad.yaml", """様式: 重点項目評価書
表紙:
  評価書番号: "5"
  評価書名: 例
  公表日: 令和6年13月1日
Ⅰ 基本情報:
  1. 特定個人情報ファイルを取り扱う事務:
    ①事務の名前: 例
    ③対象人数: 50万人
Ⅱ 特定個人情報ファイルの概要:
  - 1. 特定個人情報ファイル名: 例ファイル
    4. 特定個人情報ファイルの取扱いの委託:
      委託件数: たくさん
      委託事項: 委託なし
""")
    lines = problems(path)
    text = "\n".join(lines)
    assert len(lines) == 6, text
    assert f"{path}:8: Ⅰ 基本情報 > 1. 特定個人情報ファイルを取り扱う事務 > ①事務の名前" in text
    assert "もしかして「①事務の名称」" in text
    assert f"{path}:9:" in text and "「50万人」は選択肢にありません" in text and "4) 10万人以上30万人未満" in text
    assert "表紙 > 評価実施機関名: 必須の項目です" in text
    assert "令和6年13月1日" in text
    assert "件数「たくさん」は 0 以上の整数" in text
    assert "委託事項は一件ずつ「- 」で始まるリスト" in text


def test_group_entries_need_a_name_that_tells_them_apart(tmp_path):
    path = write(tmp_path, "dup.yaml", """様式: 重点項目評価書
表紙: {評価書番号: "5", 評価書名: 例, 評価実施機関名: 例市長, 公表日: 令和6年4月1日}
Ⅱ 特定個人情報ファイルの概要:
  - 1. 特定個人情報ファイル名: 例ファイル
    5. 特定個人情報の提供・移転(委託に伴うものを除く。):
      提供先:
        - {番号: 1, 名称: 各市町村長}
        - {番号: 2, 名称: 各市町村長}
        - {番号: 3, ①法令上の根拠: 番号法}
""")
    text = "\n".join(problems(path))
    assert "提供先2の「各市町村長」は1件目と同じです" in text and "識別名" in text
    assert "提供先3に「名称」がありません" in text
    fixed = path.replace("dup", "ok")
    with open(path, encoding="utf-8") as f, open(fixed, "w", encoding="utf-8") as g:
        g.write(f.read().replace("{番号: 2, 名称: 各市町村長}", "{番号: 2, 名称: 各市町村長, 識別名: 各市町村長(健診)}")
                .replace("        - {番号: 3, ①法令上の根拠: 番号法}\n", ""))
    doc = load_document(fixed)
    entries = doc.data["Ⅱ 特定個人情報ファイルの概要"][0]["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]["提供先"]
    assert [e.get("識別名", e["名称"]) for e in entries] == ["各市町村長", "各市町村長(健診)"]


def test_wrong_kinds_of_value_are_named(tmp_path):
    path = write(tmp_path, "kinds.json", json.dumps({
        "様式": "重点項目評価書",
        "表紙": {"評価書番号": 5, "評価書名": "例", "評価実施機関名": "例市長", "公表日": "2024-04-01"},
        "Ⅰ 基本情報": {"1. 特定個人情報ファイルを取り扱う事務": {"①事務の名称": ["a", "b"], "②事務の内容": True}},
        "Ⅱ 特定個人情報ファイルの概要": [{"1. 特定個人情報ファイル名": "f", "3. 特定個人情報の入手・使用": {"①入手元": ["郵便"]}}],
    }, ensure_ascii=False))
    text = "\n".join(problems(path))
    assert "①事務の名称: 文字を一つ書いてください" in text
    assert "②事務の内容: 「True」は書けません" in text
    assert "「郵便」はチェック項目にありません" in text and "本人又は本人の代理人" in text


def test_unknown_form_kinds_say_what_is_supported(tmp_path):
    kiso = write(tmp_path, "kiso.yaml", "様式: 基礎項目評価書\n表紙: {}\n")
    assert "基礎項目評価書にはまだ対応していません" in "\n".join(problems(kiso))
    other = write(tmp_path, "other.yaml", "様式: 簡易評価書\n")
    assert "全項目評価書、重点項目評価書" in "\n".join(problems(other))
    none = write(tmp_path, "none.yaml", "表紙: {評価書番号: 1}\n")
    assert "様式がありません" in "\n".join(problems(none))


def test_shift_jis_and_bom_files_are_read_correctly(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8")
    reference = load_document(MINIMAL)
    assert load_document(write(tmp_path, "sjis.yaml", text, "cp932")) == reference
    assert load_document(write(tmp_path, "bom.yaml", "\ufeff" + text)) == reference
    assert load_document(write(tmp_path, "crlf.yaml", text.replace("\n", "\r\n"))) == reference


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe\x00a\x00b", "UTF-16"),
        (b"a: b\x00c\n", "NUL"),
        (b"\x81\x39\x81\x39 invalid", "文字コードを判別できません"),
        ("様式: [重点\n表紙:".encode(), "YAML として読めません"),
        ("{\"様式\": \"重点項目評価書\",}".encode(), "JSON として読めません"),
        ("a: &x [1]\nb: *x\n".encode(), "アンカー"),
        ("様式: 重点項目評価書\n様式: 全項目評価書\n".encode(), "二度書かれています"),
        (("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60))).encode(), "入れ子が深すぎます"),
    ],
)
def test_unreadable_files_give_one_clear_message(tmp_path, content, message):
    p = tmp_path / ("bad.json" if content.startswith(b"{") else "bad.yaml")
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_document(p)
    assert message in str(e.value)
    assert str(p) in str(e.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="ファイルがありません"):
        load_document(tmp_path / "nothing.yaml")
    with pytest.raises(InputError, match="フォルダです"):
        load_document(tmp_path)


def test_yaml_never_guesses_types_from_the_officers_text(tmp_path):
    path = write(tmp_path, "types.yaml", MINIMAL.read_text(encoding="utf-8").replace(
        "①事務の名称: 児童手当に関する事務", "①事務の名称: no"
    ).replace("法令上の根拠: 番号法第9条第1項 別表第一の56の項", "法令上の根拠: 0.10"))
    doc = load_document(path)
    assert doc.data["Ⅰ 基本情報"]["1. 特定個人情報ファイルを取り扱う事務"]["①事務の名称"] == "no"
    assert doc.data["Ⅰ 基本情報"]["4. 個人番号の利用"]["法令上の根拠"] == "0.10"


def test_canonical_text_changes_only_layout_never_wording():
    assert canonical_text("  ・一行目  \r\n二行目\t\r\n\n") == "  ・一行目\n二行目"
    assert canonical_text("か\u3099") == "が"  # NFC
    assert canonical_text("ＡＢＣ①（全角）") == "ＡＢＣ①（全角）"  # no NFKC: the wording stays


def test_empty_values_are_the_same_as_absent(tmp_path):
    path = write(tmp_path, "empty.yaml", MINIMAL.read_text(encoding="utf-8") + "Ⅳ 開示請求、問合せ:\n  1. 特定個人情報の開示・訂正・利用停止請求:\n    ①請求先: ''\n    ②請求方法:\n")
    assert load_document(path) == load_document(MINIMAL)


def test_top_level_must_be_a_mapping():
    with pytest.raises(ValidationError) as e:
        normalize(["a"], "x.yaml")
    assert "マッピング" in e.value.lines()[0]


def test_dates_keep_their_precision_but_the_publication_date_needs_a_day(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace("⑤保有開始日: 平成29年7月1日", "⑤保有開始日: 平成29年7月")
    doc = load_document(write(tmp_path, "month.yaml", text))
    assert doc.data["Ⅱ 特定個人情報ファイルの概要"][0]["2. 基本情報"]["⑤保有開始日"] == "2017-07"
    bad = write(tmp_path, "pub.yaml", text.replace("公表日: 令和6年4月1日", "公表日: 令和6年4月"))
    assert "表紙 > 公表日: 日付「令和6年4月」が読めません" in "\n".join(problems(bad))
