"""Write the corpus of bad and hostile inputs (tests/badinputs/corpus/), once.

    python tests/badinputs/make_corpus.py            # the committed corpus
    python tests/badinputs/make_corpus.py --large    # also the large inputs, into corpus-large/

Each file is something an officer (or an attacker) could hand to piadiff; test_badinputs.py runs
every one through every command that reads input. The corpus is committed so that a failure can
be reproduced from the file alone; this script says how each was made. The large inputs (several
MB each, past the limits of piadiff/limits.py) are not committed: :data:`LARGE` makes each in a
fraction of a second, and test_badinputs.py writes them into a temporary folder.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Callable

HERE = Path(__file__).parent
OUT = HERE / "corpus"
GOOD = (HERE.parent / "fixtures" / "minimal-juten.yaml").read_text(encoding="utf-8")
COVER = "様式: 重点項目評価書\n表紙: {評価書番号: '1', 評価書名: 例, 評価実施機関名: 例市長, 公表日: 令和6年4月1日}\n"


def write(name: str, content: str | bytes, out: Path | None = None) -> None:
    path = (out or OUT) / name
    # surrogatepass: a lone surrogate in a YAML text is written as its bytes would be, however broken
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))


BIG = "9" * 5000  # past Python's 4,300 digits for int(str), and past piadiff's 100 digits in a row
GOOD_JSON = {"様式": "重点項目評価書", "表紙": {"評価書番号": "1", "評価書名": "例", "評価実施機関名": "例市長", "公表日": "2024-04-01"},
             "Ⅰ 基本情報": {"2. 特定個人情報ファイルを取り扱う事務において使用するシステム": {"システム": [{"番号": 1, "①システムの名称": "S"}]}},
             "Ⅱ 特定個人情報ファイルの概要": [{"1. 特定個人情報ファイル名": "f", "4. 特定個人情報ファイルの取扱いの委託": {"委託の有無": "委託する", "委託件数": 1}}]}
_SYSTEMS_AT = "      - 番号: 1\n"


def _json(**replace: str) -> str:
    """The good JSON document with a marker (as JSON text) replaced: the bad value goes in raw."""
    text = json.dumps(GOOD_JSON, ensure_ascii=False)
    for old, new in replace.items():
        old = {"count": '"委託件数": 1', "number": '"番号": 1', "title": '"評価書名": "例"', "cover": '"表紙": {'}[old]
        assert old in text
        text = text.replace(old, new, 1)
    return text


def _systems(n: int) -> str:
    """The good YAML document with ``n`` entries of システム."""
    at = GOOD.index(_SYSTEMS_AT)
    end = GOOD.index("  4. 個人番号の利用:")
    entries = "".join(f"      - ①システムの名称: システム{i}\n        ②システムの機能: 機能\n" for i in range(n))
    return GOOD[:at] + entries + GOOD[end:]


def _rows(*rows: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows)


#: inputs past the limits in size (made when needed, never committed): name -> content
LARGE: dict[str, Callable[[], str]] = {
    # 3 MB, 300,000 keys: past the size of a document file
    "large-keys-300000.yaml": lambda: "".join(f"k{i:06d}: v\n" for i in range(300_000)),
    # 1.6 MB, within the size: past the number of keys and values, stopped while reading
    "large-keys-150000.yaml": lambda: "".join(f"k{i:06d}: v\n" for i in range(150_000)),
    # 30,000 システム entries (2.2 MB in YAML; 0.9 MB in JSON, past the entries of a list)
    "large-systems-30000.yaml": lambda: _systems(30_000),
    "large-systems-30000.json": lambda: json.dumps({**GOOD_JSON, "Ⅰ 基本情報": {"2. 特定個人情報ファイルを取り扱う事務において使用するシステム": {
        "システム": [{"①システムの名称": f"S{i}"} for i in range(30_000)]}}}, ensure_ascii=False),
    # one value of 600,000 characters (1.8 MB: within the size, past the length of a value)
    "large-text-600000.yaml": lambda: GOOD.replace("①事務の名称: 児童手当に関する事務", "①事務の名称: " + "あいう" * 200_000),
    # annex rows: an item of a million characters, a before of a million, 2,000 rows
    "large-rows-item-1000000.jsonl": lambda: _rows({"item": "あ" * 1_000_000, "before": "a", "after": "b"}),
    "large-rows-before-1000000.jsonl": lambda: _rows({"item": "Ⅰ-1", "before": "あ" * 1_000_000, "after": "b"}),
    "large-rows-2000.jsonl": lambda: _rows(*[{"item": "Ⅰ 基本情報 1. ①事務の名称", "before": "a", "after": "b"}] * 2000),
}


def write_large(out: Path) -> None:
    out.mkdir(exist_ok=True)
    for name, make in LARGE.items():
        write(name, make(), out)


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir()
    n = 0

    # truncated documents: every cut inside the cover leaves a required field missing or the syntax broken
    cover_end = GOOD.index("公表日:") + len("公表日: 令和")  # every cut leaves 公表日 missing or unreadable
    for i, cut in enumerate(range(20, cover_end, max(1, (cover_end - 20) // 24))):
        write(f"truncated-{i:02d}.yaml", GOOD[:cut])
    good_json = json.dumps({"様式": "重点項目評価書", "表紙": {"評価書番号": "1", "評価書名": "例", "評価実施機関名": "例市長", "公表日": "2024-04-01"}}, ensure_ascii=False)
    for i, cut in enumerate(range(1, len(good_json) - 1, max(1, len(good_json) // 20))):
        write(f"truncated-{i:02d}.json", good_json[:cut])

    # YAML that is not YAML
    broken_yaml = {
        "unclosed-flow": "様式: [重点項目評価書\n", "unclosed-map": "表紙: {評価書番号: 1\n", "bad-indent": "表紙:\n  評価書番号: 1\n 評価書名: x\n",
        "tab-indent": "表紙:\n\t評価書番号: 1\n", "unclosed-quote": "様式: '重点項目評価書\n", "colon-soup": "様式: : : :\n",
        "duplicate-key": "様式: 重点項目評価書\n様式: 全項目評価書\n", "duplicate-nested": COVER + "Ⅰ 基本情報:\n  1:\n    ①: a\n    ①: b\n",
        "list-top": "- 様式\n- 表紙\n", "scalar-top": "重点項目評価書\n", "null-top": "~\n", "empty": "", "only-comment": "# 評価書\n",
        "multi-doc": COVER + "---\n" + COVER, "directive": "%YAML 1.1\n%TAG ! tag:x\n---\n様式: x\n", "python-object": "様式: !!python/object/apply:os.system ['echo pwned']\n",
        "custom-tag": "様式: !important 重点項目評価書\n", "binary-tag": "様式: !!binary aGVsbG8=\n", "set-tag": "様式: !!set {a, b}\n",
        "key-is-map": "{a: b}: c\n", "key-is-list": "[a, b]: c\n", "block-no-content": "表紙: |\n", "anchors-simple": "a: &x 1\nb: *x\n",
    }
    for name, text in broken_yaml.items():
        write(f"yaml-{name}.yaml", text)

    # billion laughs and friends: aliases are refused before anything expands
    laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    for level in range(1, 10):
        prev, cur = chr(ord("a") + level - 1), chr(ord("a") + level)
        laughs += f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    write("laughs-billion.yaml", laughs)
    write("laughs-in-document.yaml", COVER + "Ⅰ 基本情報:\n  1:\n    ②事務の内容: &x 長い文\n    ①事務の名称: *x\n")
    write("laughs-merge-key.yaml", "base: &b {様式: 重点項目評価書}\n<<: *b\n")
    write("laughs-recursive.yaml", "a: &a [*a]\n")

    # JSON that is not JSON
    broken_json = {
        "trailing-comma": '{"様式": "重点項目評価書",}', "single-quotes": "{'様式': '重点項目評価書'}", "comment": '{"様式": "x" // c\n}',
        "nan": '{"様式": NaN}', "infinity": '{"様式": Infinity}', "unterminated": '{"様式": "重点', "bare-key": "{様式: 1}",
        "two-objects": '{"a":1}{"b":2}', "array-top": '["様式"]', "number-top": "42", "null-top": "null", "string-top": '"様式"',
        "bad-escape": '{"様式": "\\x41"}', "lone-surrogate": '{"様式": "\\ud800"}', "control-in-string": '{"様式": "a\tb\u0001"}',
    }
    for name, text in broken_json.items():
        write(f"json-{name}.json", text)

    # deep nesting
    write("deep-json-100.json", '{"a":' * 100 + "1" + "}" * 100)
    write("deep-json-100000.json", "[" * 100000 + "]" * 100000)
    write("deep-yaml-100.yaml", "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "v\n")
    write("deep-yaml-flow-50000.yaml", "a: " + "[" * 50000 + "]" * 50000 + "\n")

    # bytes that are not text in a known encoding
    write("bytes-random.yaml", bytes(range(256)) * 4)
    write("bytes-utf8-cut.yaml", ("様式: 重点項目評価書\n").encode("utf-8")[:-3])
    write("bytes-utf16-le.yaml", "様式: 重点項目評価書\n".encode("utf-16"))
    write("bytes-utf16-be.yaml", b"\xfe\xff" + "様式: 重点\n".encode("utf-16-be"))
    write("bytes-nul.yaml", b"\xe6\xa7\x98\xe5\xbc\x8f: a\x00b\n")
    write("bytes-sjis-broken.yaml", "様式: 重点項目評価書\n".encode("cp932") + b"\x81\x39\xff")
    write("bytes-latin1.yaml", "yoshiki: caf\xe9 \xff\xfe\xfd\n".encode("latin-1"))
    write("bytes-mixed.yaml", "様式: 重点項目評価書\n".encode("utf-8") + "表紙: 例\n".encode("cp932") + b"\x80\x80")
    write("bytes-pua.yaml", b"\xf0\x9f\x98\x80: \xff\xfe\xfa")

    # control characters inside values
    for i, c in enumerate(["\x01", "\x07", "\x08", "\x1b[31m", "\x7f", "\x0b"]):
        write(f"control-{i}.json", json.dumps({"様式": "重点項目評価書", "表紙": {"評価書番号": "1", "評価書名": f"例{c}", "評価実施機関名": "例市長", "公表日": "2024-04-01"}}, ensure_ascii=True))

    # forms piadiff does not know
    for i, kind in enumerate(["基礎項目評価書", "簡易評価書", "", "1", "重点項目評価書（旧様式）", "<script>alert(1)</script>", "../../etc/passwd"]):
        write(f"form-unknown-{i}.yaml", f"様式: '{kind}'\n表紙: {{評価書番号: '1', 評価書名: 例, 評価実施機関名: 例市長, 公表日: 令和6年4月1日}}\n")

    # unknown items at every level, and values of the wrong kind
    unknown = ["Ⅶ 謎の節: {a: b}", "Ⅰ 基本情報: {9. 謎: {a: b}}", "Ⅰ 基本情報: {1: {④謎の項目: x}}", "Ⅰ 基本情報: {1: {事務の名前: x}}",
               "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f, 謎: x}]", "注記2: x", "表紙2: {}", "Ⅰ 基本情報: {2: {システム: [{①: a, ⑨: b}]}}",
               "Ⅲ リスク対策: [{1. 特定個人情報ファイル名: f, 2: {リスク9: x}}]", "Ⅴ 評価実施手続: {4: x}", "<img src=x onerror=alert(1)>: x",
               "'../../outside': x", "__proto__: {polluted: 1}", "constructor: {prototype: x}"]
    for i, extra in enumerate(unknown):
        write(f"item-unknown-{i:02d}.yaml", COVER + extra + "\n")
    wrong = ["Ⅰ 基本情報: [a, b]", "Ⅰ 基本情報: 文字", "Ⅰ 基本情報: {1: {①事務の名称: [a, b]}}", "Ⅰ 基本情報: {1: {①事務の名称: {a: b}}}",
             "Ⅰ 基本情報: {1: {③対象人数: 50万人}}", "Ⅰ 基本情報: {1: {③対象人数: [1万人未満]}}", "Ⅰ 基本情報: {2: {システム: {①: a}}}",
             "Ⅰ 基本情報: {2: {システム: [a, b]}}", "Ⅰ 基本情報: {2: {システム: [{①: a, ③他のシステムとの接続: [ファックス]}]}}",
             "Ⅰ 基本情報: {2: {システム: [{①: a, ③他のシステムとの接続: [{庁内連携システム: x}]}]}}",
             "Ⅰ 基本情報: {2: {システム: [{①: a, ③他のシステムとの接続: [{その他: [x]}]}]}}",
             "Ⅰ 基本情報: {2: {システム: [{①: a, ③他のシステムとの接続: [その他, その他]}]}}",
             "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f, 4: {委託件数: たくさん}}]",
             "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f, 4: {委託件数: -3}}]",
             "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f, 2: {⑤保有開始日: 昨日}}]",
             "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f, 2: {⑤保有開始日: 令和6年2月30日}}]",
             "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f}, {1. 特定個人情報ファイル名: f}]",
             "Ⅱ 特定個人情報ファイルの概要: [{番号: 0, 1. 特定個人情報ファイル名: f}]",
             "Ⅱ 特定個人情報ファイルの概要: [{番号: 一, 1. 特定個人情報ファイル名: f}]",
             "Ⅱ 特定個人情報ファイルの概要: [{番号: 1, 1. 特定個人情報ファイル名: f}, {番号: 1, 1. 特定個人情報ファイル名: g}]",
             "Ⅱ 特定個人情報ファイルの概要: [{2: {①ファイルの種類: システム用ファイル}}]",
             "Ⅱ 特定個人情報ファイルの概要: [{1. 特定個人情報ファイル名: f, 4: {委託事項: [{③委託先名: 名前なし}]}}]"]
    for i, extra in enumerate(wrong):
        write(f"value-wrong-{i:02d}.yaml", COVER + extra + "\n")
    for i, cover in enumerate(["表紙: {}", "表紙: []", "表紙: 文字", "表紙: {評価書番号: [1], 評価書名: x, 評価実施機関名: y, 公表日: 令和6年4月1日}",
                               "表紙: {評価書番号: '1', 評価書名: x, 評価実施機関名: y, 公表日: 令和6年4月}",
                               "表紙: {評価書番号: '1', 評価書名: x, 評価実施機関名: y, 公表日: 2024-13-01}",
                               "表紙: {評価書番号: '1', 評価書名: '', 評価実施機関名: y, 公表日: 令和6年4月1日}"]):
        write(f"cover-bad-{i}.yaml", f"様式: 重点項目評価書\n{cover}\n")
    write("cover-missing.yaml", "様式: 重点項目評価書\n")
    # in JSON a number or a boolean is not the text of a cover field (YAML keeps `true` as the text written)
    for i, value in enumerate([True, 1.5, None, [], {}]):
        write(f"cover-type-{i}.json", json.dumps({"様式": "重点項目評価書", "表紙": {"評価書番号": "1", "評価書名": value, "評価実施機関名": "例市長", "公表日": "2024-04-01"}}, ensure_ascii=False))
    write("kind-missing.yaml", "表紙: {評価書番号: '1'}\n")

    # a wrong value for every choice of the 重点 form, at its place in the document
    import sys

    sys.path.insert(0, str(HERE.parents[1]))
    from piadiff.catalog import load_catalog

    def nest(item, value):
        """The item's value placed in a document: sections as mappings, groups as one named entry."""
        placed = {item.key: value}
        for ancestor in reversed(item.ancestors):  # the nearest first
            inner = [{ancestor.identity: "名前", **placed}] if ancestor.is_group else placed
            placed = {ancestor.key: inner}
        return placed

    for i, item in enumerate(i for i in load_catalog("重点項目評価書").root.walk() if i.kind == "choice"):
        data = {"様式": "重点項目評価書", "表紙": {"評価書番号": "1", "評価書名": "例", "評価実施機関名": "例市長", "公表日": "2024-04-01"}}
        data.update(nest(item, "どれでもない値"))
        write(f"choice-wrong-{i:02d}.json", json.dumps(data, ensure_ascii=False))

    # integers past Python's 4,300 digits (and piadiff's 100): counts, entry numbers, in text
    write("digits-count-5000.yaml", GOOD.replace("委託件数: 1", f"委託件数: {BIG}"))
    write("digits-count-fullwidth-5000.yaml", GOOD.replace("委託件数: 1", f"委託件数: {'９' * 5000}件"))
    write("digits-count-5000.json", _json(count=f'"委託件数": {BIG}'))
    write("digits-count-negative-5000.json", _json(count=f'"委託件数": -{BIG}'))
    write("digits-count-5000-text.json", _json(count=f'"委託件数": "{BIG}"'))
    write("digits-number-5000.yaml", GOOD.replace(_SYSTEMS_AT, f"      - 番号: {BIG}\n"))
    write("digits-number-5000.json", _json(number=f'"番号": {BIG}'))
    write("digits-in-text-5000.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", f"①事務の名称: 児童手当{BIG}件"))
    write("digits-key-5000.yaml", COVER + f"{BIG}: x\n")
    write("digits-float-5000.json", _json(count=f'"委託件数": {BIG}.5'))

    # lone surrogates (half a UTF-16 pair, no character): JSON escapes, YAML escapes, and a pair kept whole
    write("surrogate-json-high.json", _json(title='"評価書名": "例\\ud800"'))
    write("surrogate-json-low.json", _json(title='"評価書名": "\\udc00例"'))
    write("surrogate-json-reversed.json", _json(title='"評価書名": "\\ude00\\ud83d"'))
    write("surrogate-json-key.json", _json(cover='"表紙": {"\\ud800": "x", '))
    write("surrogate-yaml-escape.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", '①事務の名称: "児童\\ud800手当"'))
    write("surrogate-yaml-low.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", '①事務の名称: "\\udfff"'))
    write("surrogate-yaml-key.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", '"①事務の名称\\ud800": 児童手当'))
    write("surrogate-yaml-utf32-escape.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", '①事務の名称: "\\U0000d800"'))

    # YAML tags: a value is the text written, never bytes, a number, a date or a set
    for name, tagged in {"binary": "!!binary aGVsbG8=", "int": f"!!int {BIG}", "float": "!!float 1e999", "timestamp": "!!timestamp 2024-04-01",
                         "bool": "!!bool yes", "map": "!!omap [{a: b}]", "python": "!!python/name:os.system", "local": "!x y"}.items():
        write(f"tag-{name}.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", f"①事務の名称: {tagged}"))

    # keys written twice in JSON (YAML refuses them too: yaml-duplicate-key)
    write("json-duplicate-top.json", _json(cover='"様式": "重点項目評価書", "表紙": {'))
    write("json-duplicate-cover.json", _json(title='"評価書名": "例", "評価書名": "別の例"'))
    write("json-duplicate-entry.json", _json(number='"番号": 1, "番号": 2'))
    write("json-duplicate-escaped.json", _json(title='"評価書名": "例", "\\u8a55\\u4fa1\\u66f8\\u540d": "別の例"'))

    # past the limits, small enough to commit: a value too long, too many entries, too many keys
    write("limit-text-60000.yaml", GOOD.replace("①事務の名称: 児童手当に関する事務", "①事務の名称: " + "あ" * 60_000))
    write("limit-entries-101.yaml", _systems(101))
    write("limit-nodes-10001.yaml", COVER + "".join(f"k{i}: v\n" for i in range(5001)))

    # published texts (piadiff import)
    published = {"empty": "", "no-title": "評価書番号\t評価書名\n1\t例\n", "title-only": "特定個人情報保護評価書(重点項目評価書)\n",
                 "kiso": "特定個人情報保護評価書(基礎項目評価書)\n\n評価書番号\t評価書名\n1\t例\n", "html-only": "<html><body>特定個人情報保護評価書</body></html>",
                 "one-long-line": "特定個人情報保護評価書(重点項目評価書)" + "あ" * 200000, "csv": "変更日,項目,変更前\n令和6年4月1日,I-1,a\n"}
    for name, text in published.items():
        write(f"published-{name}.txt", text)

    # annex rows for `piadiff classify --rows`
    rows = {"not-json": "row one\n", "array": "[1, 2]\n", "no-item": '{"before": "a"}\n', "half": '{"item": "I-1", "bef\n',
            "number-line": "12\n", "nested-deep": "[" * 10000 + "]" * 10000 + "\n",
            # past the limits: numbers, text and 項目 too long, half a surrogate pair, a key twice, too many rows
            "digits-5000": f'{{"item": "Ⅰ-1", "before": {BIG}, "after": "b"}}\n', "digits-in-text": _rows({"item": "Ⅰ-1", "before": f"{BIG}件", "after": "1件"}),
            "surrogate": '{"item": "Ⅰ-1", "before": "\\ud800", "after": "b"}\n', "duplicate-key": '{"item": "Ⅰ-1", "item": "Ⅱ-1", "before": "a", "after": "b"}\n',
            "item-301": _rows({"item": "Ⅰ" * 301, "before": "a", "after": "b"}), "text-60000": _rows({"item": "Ⅰ-1", "before": "あ" * 60_000, "after": "b"}),
            "rows-1001": _rows(*[{"item": "Ⅰ-1", "before": "a", "after": "b"}] * 1001),
            "good-then-bad": _rows({"item": "Ⅰ-1", "before": "a", "after": "b"}, f'{{"item": "Ⅰ-1", "n": {BIG}}}')}
    for name, text in rows.items():
        write(f"rows-{name}.jsonl", text)

    # store settings
    settings = {"style": "項目の書き方: 縦書き\n", "unknown": "色: 赤\n", "placeholder": "記載: {未知: x}\n", "reason": "説明: {no-such-reason: x}\n",
                "flag": "元年: たぶん\n", "broken": "記載: {新規: [1}\n", "policy": "改訂の扱い: 気分で\n", "list": "- a\n"}
    for name, text in settings.items():
        write(f"settings-{name}.yaml", text)

    n = len(list(OUT.iterdir()))
    print(f"{n} files in {OUT}")
    if "--large" in sys.argv:
        write_large(HERE / "corpus-large")
        print(f"{len(LARGE)} large inputs in {HERE / 'corpus-large'}")


if __name__ == "__main__":
    main()
