"""The TSV importer (piadiff.importers.tsv) on the two published assessments in tests/data/seeds.

Accuracy is measured against hand-checked conversions of the same seeds (tests/fixtures): both
documents are flattened into leaves (path → value), a repeating group's entries named by their
識別名 or naming item (else their 番号), and a fixture leaf counts as reproduced when the import
holds the same value at the same path. Run with ``-s`` to see the figures and the misses.
"""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, shared
from piadiff.catalog import ENTRY_IDENTITY, ENTRY_NUMBER, load_catalog
from piadiff.document import load_document, normalize
from piadiff.errors import InputError
from piadiff.importers import ImportResult, Unplaced
from piadiff.importers.tsv import html_to_text, parse_tsv

KAWASAKI = "seeds/001_390dc73fa7d93b30.txt"
KITAKYUSHU = "seeds/003_d3c2f59301631452.txt"
ROWS = {KAWASAKI: 95, KITAKYUSHU: 47}
ROW_KEYS = ("item", "before", "after", "timing", "explanation", "date_iso")

_cache: dict[str, ImportResult] = {}


def seed_text(path: str) -> str:
    return shared(path).read_text(encoding="utf-8")


def imported(path: str) -> ImportResult:
    if path not in _cache:
        _cache[path] = parse_tsv(seed_text(path), path)
    return _cache[path]


# --- flattening ------------------------------------------------------------------------------

def leaves(data: dict, kind: str) -> dict[tuple[str, ...], object]:
    """(path → value) of a document; checkbox lists are one leaf."""
    catalog = load_catalog(kind)
    out: dict[tuple[str, ...], object] = {}

    def walk(node, item, path):
        if item is not None and item.is_group:
            for entry in node:
                name = entry.get(ENTRY_IDENTITY) or entry.get(item.identity) or f"#{entry[ENTRY_NUMBER]}"
                for k, v in entry.items():
                    if k == ENTRY_IDENTITY:
                        continue
                    if k == ENTRY_NUMBER:
                        out[path + (name, k)] = v
                    else:
                        walk(v, item.child(k), path + (name, k))
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(v, item.child(k) if item is not None else None, path + (k,))
        else:
            out[path] = node

    walk(data.get("表紙", {}), catalog.cover, ("表紙",))
    walk({k: v for k, v in data.items() if k not in ("様式", "表紙")}, catalog.root, ())
    return out


def accuracy(seed: str, fixture_name: str) -> tuple[int, int, list[str]]:
    fixture = FIXTURES / fixture_name
    if not fixture.exists():
        pytest.skip(f"{fixture} is not available")
    result = imported(seed)
    want = load_document(fixture).data
    got = normalize(result.data, source=seed).data
    a, b = leaves(want, want["様式"]), leaves(got, got["様式"])
    hits = [p for p, v in a.items() if b.get(p) == v]
    misses = [
        f"{' > '.join(map(str, p))}\n    want: {a[p]!r:.200}\n    got:  {b.get(p)!r:.200}"
        for p in a if b.get(p) != a[p]
    ]
    return len(hits), len(a), misses


# --- 1. both seeds import and validate -------------------------------------------------------

@pytest.mark.parametrize("seed", [KAWASAKI, KITAKYUSHU])
def test_seed_imports_and_validates(seed):
    result = imported(seed)
    assert result.kind == "重点項目評価書" and result.format == "tsv"
    doc = normalize(result.data, source=seed)
    assert doc.kind == "重点項目評価書"
    assert doc.number in ("46", "19")
    assert all(isinstance(u, Unplaced) and u.line >= 1 and u.text for u in result.unplaced)
    assert not [u for u in result.unplaced if u.where == "(読み取れなかった行)"]


def test_kitakyushu_structure():
    data = normalize(imported(KITAKYUSHU).data).data
    systems = data["Ⅰ 基本情報"]["2. 特定個人情報ファイルを取り扱う事務において使用するシステム"]["システム"]
    assert [s[ENTRY_NUMBER] for s in systems] == [1, 2, 4, 5]
    file = data["Ⅱ 特定個人情報ファイルの概要"][0]
    itaku = file["4. 特定個人情報ファイルの取扱いの委託"]
    assert (itaku["委託の有無"], itaku["委託件数"]) == ("委託する", 5)
    assert [e["名称"] for e in itaku["委託事項"]][3] == "宛名管理システムの運用・保守の委託"
    teikyo = file["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]
    assert teikyo["提供件数"] == 2 and "移転先" not in teikyo  # the blank 移転先1 slot is left out
    assert [e[ENTRY_IDENTITY] for e in teikyo["提供先"]] == ["各市町村長(被災者台帳)", "各市町村長(健康診査)"]
    assert file["2. 基本情報"]["⑤保有開始日"] == "2017-07-01"


def test_kawasaki_quirks():
    data = normalize(imported(KAWASAKI).data).data
    file = data["Ⅱ 特定個人情報ファイルの概要"][0]
    assert file["2. 基本情報"]["⑤保有開始日"] == "2017-07"  # printed as 平成29年7月
    itaku = file["4. 特定個人情報ファイルの取扱いの委託"]
    assert itaku["委託件数"] == 4 and [e[ENTRY_NUMBER] for e in itaku["委託事項"]] == [1]
    iten = file["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]
    assert iten["提供・移転の有無"] == ["移転を行っている"] and iten["移転件数"] == 2
    risk = data["Ⅲ リスク対策"][0]
    # the text has no 「6. 情報提供ネットワークシステムとの接続」 heading: its リスク2 is still found
    assert "リスク2: 不正な提供が行われるリスク" in risk["6. 情報提供ネットワークシステムとの接続"]
    assert risk["8. 監査"]["実施の有無"] == ["自己点検", "外部監査"]


# --- 2. accuracy against the hand-checked conversions ----------------------------------------

def test_accuracy_kitakyushu_003():
    hits, total, misses = accuracy(KITAKYUSHU, "kitakyushu-003.yaml")
    print(f"\n003 北九州市: {hits}/{total} leaves reproduced ({hits / total:.1%})")
    print("\n".join(misses))
    assert hits / total >= 0.95


def test_accuracy_kawasaki_001():
    hits, total, misses = accuracy(KAWASAKI, "kawasaki-001.yaml")
    print(f"\n001 川崎市: {hits}/{total} leaves reproduced ({hits / total:.1%})")
    print("\n".join(misses))
    assert hits / total >= 0.95


# --- 3. the (別添2) 変更箇所 rows ----------------------------------------------------------------

@pytest.mark.parametrize("seed", [KAWASAKI, KITAKYUSHU])
def test_legacy_rows_equal_the_groundtruth(seed):
    truth_file = shared("groundtruth/annex-rows.jsonl")
    name = seed.split("/")[-1]
    truth = [r for r in map(json.loads, truth_file.read_text(encoding="utf-8").splitlines()) if r["seed"] == name]
    rows = imported(seed).legacy_rows
    assert len(truth) == ROWS[seed] and len(rows) == ROWS[seed]
    assert all(set(r) - {"line", "uncertain"} == {"date_text", "date_iso", "item", "before", "after", "timing", "explanation"} for r in rows)
    assert all(isinstance(r["line"], int) for r in rows)  # where each row stands in the publication
    # the groundtruth folds whitespace runs to one space; the importer keeps a cell's lines as printed
    fold = lambda text: " ".join(str(text).split())  # noqa: E731
    differ = [
        (t["row"], [k for k in ROW_KEYS if fold(r[k]) != fold(t[k])])
        for r, t in zip(rows, truth)
        if any(fold(r[k]) != fold(t[k]) for k in ROW_KEYS)
    ]
    print(f"\n{name}: {ROWS[seed] - len(differ)}/{ROWS[seed]} rows equal the groundtruth; differ: {differ}")
    assert not differ
    assert [r["date_text"] for r in rows] == [t["date_text"] for t in truth]


# --- 4. what cannot be placed ----------------------------------------------------------------

def test_an_unknown_row_is_unplaced_with_its_line():
    lines = seed_text(KITAKYUSHU).split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("②所属長の役職名")) + 1
    lines.insert(at, "⑨架空の項目\t架空の値です")
    result = parse_tsv("\n".join(lines), "fake.txt")
    lost = [u for u in result.unplaced if "架空の値です" in u.text]
    assert len(lost) == 1
    assert lost[0].line == at + 1  # 1-based line of the inserted row
    assert lost[0].where.startswith("Ⅰ 基本情報")
    # the rest reads as before
    data = normalize(result.data).data
    assert data["Ⅰ 基本情報"]["7. 他の評価実施機関"]["他の評価実施機関"] == "-"
    cells = lambda rows: [{k: v for k, v in r.items() if k != "line"} for r in rows]  # noqa: E731 (lines moved by one)
    assert cells(result.legacy_rows) == cells(imported(KITAKYUSHU).legacy_rows)


def test_seed_unplaced_texts():
    """What each seed leaves unplaced: unticked options' ( ) texts and 001's 別紙 after the annex."""
    kita = imported(KITAKYUSHU).unplaced
    # the same unticked text printed on two lines is kept twice, once for each line
    assert [(u.line, u.text) for u in kita] == [(42, "[ ] その他 (予防接種台帳システム)"), (46, "[ ] その他 (予防接種台帳システム)")]
    kawa = imported(KAWASAKI).unplaced
    assert {u.line for u in kawa if u.where.startswith("Ⅱ")} == {64, 71, 72}
    after = [u for u in kawa if u.where == "(別添) 変更箇所の後"]
    assert after[0].text == "個人情報に関する重大事故について" and after[-1].line == 533


# --- 5. bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text, line",
    [
        ("", 1),
        ("これは評価書ではありません。\n二行目", 1),
        ("\n\n特定個人情報保護評価書(重点項目評価書)\n\n評価書名\n何かの事務\n", 4),
    ],
)
def test_not_an_assessment(text, line):
    with pytest.raises(InputError) as e:
        parse_tsv(text, "memo.txt")
    message = str(e.value)
    assert message.startswith(f"memo.txt:{line}: ") and "\n" not in message


def test_an_unsupported_kind_is_an_input_error():
    with pytest.raises(InputError, match=r"^x\.txt:1: 基礎項目評価書"):
        parse_tsv("特定個人情報保護評価書(基礎項目評価書)\n評価書番号\t評価書名\n1\tx\n", "x.txt")


def test_first_half_of_003_imports_what_is_there():
    lines = seed_text(KITAKYUSHU).split("\n")
    result = parse_tsv("\n".join(lines[: len(lines) // 2]), "half.txt")
    data = normalize(result.data).data
    assert data["表紙"]["評価書番号"] == "19"
    assert data["Ⅰ 基本情報"]["6. 評価実施機関における担当部署"]["②所属長の役職名"] == "子育て支援課長"
    assert "Ⅱ 特定個人情報ファイルの概要" in data and "Ⅲ リスク対策" not in data
    assert result.legacy_rows == []


@pytest.mark.parametrize("seed", [KAWASAKI, KITAKYUSHU])
def test_truncated_anywhere_never_crashes(seed):
    text = seed_text(seed)
    lines = text.split("\n")
    cuts = ["\n".join(lines[:k]) for k in range(0, len(lines), 17)]
    cuts += [text[:c] for c in range(0, len(text), len(text) // 40)]
    for cut in cuts:
        try:
            result = parse_tsv(cut, "cut.txt")
        except InputError:
            continue  # the cover is cut before its 評価書番号
        assert not [u for u in result.unplaced if u.where == "(読み取れなかった行)"], len(cut)
        if "公表日" in result.data["表紙"]:  # a cover cut short fails only for its required items
            normalize(result.data)


# --- the markup conventions ------------------------------------------------------------------

def test_html_fragments_become_lines():
    assert html_to_text("<p>一</p> <ul style='x'> ・二 ・三 <p><措置></p>") == "一\n・二 ・三\n<措置>"
    assert html_to_text("<Public Medical Hub(PMH)における措置> 本文") == "<Public Medical Hub(PMH)における措置> 本文"


def test_choices_checkboxes_and_counts_as_the_seeds_draw_them():
    text = "\n".join([
        "特定個人情報保護評価書(重点項目評価書)",
        "評価書番号\t評価書名",
        "7\t試しの事務 重点項目評価書",
        "評価実施機関名",
        "某市長",
        "公表日",
        "令和7年4月1日",
        "II 特定個人情報ファイルの概要",
        "1. 特定個人情報ファイル名\t",
        "試しファイル\t",
        "2. 基本情報",
        "②対象となる本人の数\t<input type=\"checkbox\"/> 1万人以上10万人未満 <input type=\"checkbox\"/> <選択肢> 1) 1万人未満",
        "主な記録項目 ※\t・識別情報 [<input type=\"radio\"/>] 個人番号 [<input type=\"checkbox\"/>] 個人番号対応符号"
        " [<input type=\"radio\"/>] その他 (口座情報)",
        "3. 特定個人情報の入手・使用",
        "④使用の主体\t使用部署\t某課",
        "\t使用者数\t<input type=\"checkbox\"/> 10人以上50人未満] <選択肢> 1) 10人未満",
        "4. 特定個人情報ファイルの取扱いの委託",
        "委託の有無 ※\t[委託する] <選択肢> 1) 委託する 2) 委託しない (2) 件",
        "委託事項1\t運用保守",
        "再委託\t④再委託の有無 ※\t[再委託しない]",
        "5. 特定個人情報の提供・移転(委託に伴うものを除く。)",
        "提供・移転の有無\t[○] 提供を行っている (1) 件 [] 移転を行っている () 件 [] 行っていない",
    ])
    data = normalize(parse_tsv(text, "t.txt").data).data
    file = data["Ⅱ 特定個人情報ファイルの概要"][0]
    assert file["2. 基本情報"]["②対象となる本人の数"] == "1万人以上10万人未満"
    assert file["2. 基本情報"]["主な記録項目"] == ["個人番号", {"その他": "口座情報"}]
    assert file["3. 特定個人情報の入手・使用"]["④使用の主体"] == {"使用部署": "某課", "使用者数": "10人以上50人未満"}
    itaku = file["4. 特定個人情報ファイルの取扱いの委託"]
    assert (itaku["委託の有無"], itaku["委託件数"]) == ("委託する", 2)
    assert itaku["委託事項"] == [{"番号": 1, "名称": "運用保守", "再委託": {"④再委託の有無": "再委託しない"}}]
    teikyo = file["5. 特定個人情報の提供・移転(委託に伴うものを除く。)"]
    assert (teikyo["提供・移転の有無"], teikyo["提供件数"]) == (["提供を行っている"], 1)
