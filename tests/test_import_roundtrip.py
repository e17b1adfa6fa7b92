"""Round trip through the published text: a document printed by :func:`publication.write_publication`
(the conventions of the tab-separated publications 001/003), read back by ``import_text``.

For the shipped examples (全項目評価書 1-kakuu-jumin v1–v3, 重点項目評価書 12-kakuu-kodomo-iryo v1–v3),
the hand-checked conversions of the seeds (kawasaki-001, kitakyushu-003) and a document of each
kind with every item written (all-items-*), importing the printed publication must give back

- the same document, compared after ``normalize`` leaf by leaf (注記 left out: it holds only what
  the reader could not place), and
- the annex rows that were printed, in order, cell for cell: for an example, the rows piadiff's
  own annex holds for that version (every version before it recorded in a store); for a fixture,
  the rows its publication printed (tests/data/groundtruth/annex-rows.jsonl).

Where the reader gets something wrong, the difference is listed in :data:`KNOWN` with its cause,
the exact test is marked ``xfail(strict=True)`` with that reason, and a second test checks that
everything else comes back exactly (so the suite stays green and a new difference still fails).
When the reader is fixed, the strict xfail turns into a failure: remove the entry from KNOWN.
"""

from __future__ import annotations

import itertools
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, shared
from piadiff.annex import cumulative_annex
from piadiff.catalog import ENTRY_NUMBER, load_catalog
from piadiff.document import normalize
from piadiff.examples import example_versions
from piadiff.importers import import_text
from piadiff.settings import Settings
from piadiff.store import init_store
from publication import ANNEX_KEYS, write_publication

EXAMPLES = Path(__file__).parent.parent / "piadiff" / "examples"
ZENKOMOKU = "1-kakuu-jumin"
JUTEN = "12-kakuu-kodomo-iryo"
SEEDS = {"kawasaki-001": "001_390dc73fa7d93b30.txt", "kitakyushu-003": "003_d3c2f59301631452.txt"}
#: every item of a form filled, seven entries in each repeating group (past the 「6～10」 heading), two files
FULL = {"all-items-zenkomoku": "全項目評価書", "all-items-juten": "重点項目評価書"}
DOCUMENTS = [f"{ZENKOMOKU}/v{n}" for n in (1, 2, 3)] + [f"{JUTEN}/v{n}" for n in (1, 2, 3)] + list(SEEDS) + list(FULL)

# --- what the reader gets wrong (see the module docstring) -------------------------------------

#: a blank line inside a value (a paragraph break) is lost
BLANK_LINE = ("html_to_text() drops empty lines: a value printed as 「<p>…</p> <p></p> <p>…</p>」 (a blank line "
              "between paragraphs) reads back without the blank line")
#: not the reader's fault: HTML does not show the ASCII spaces a paragraph starts with, and the printed
#: text has no other way to carry them (the fixture keeps the Markdown indentation 「 - 」 of its source)
LEADING_SPACE = ("format limit, not a reader defect: a line's leading ASCII spaces (「<p> - ・本市の…</p>」) are "
                 "not shown by HTML, so they cannot come back (「- ・本市の…」)")

_JIMU = ("Ⅰ 基本情報", "1. 特定個人情報ファイルを取り扱う事務", "②事務の内容")

#: document → {leaf path: cause}; a leaf path is the keys down to the value, entries as #番号
KNOWN: dict[str, dict[tuple[str, ...], str]] = {
    **{f"{ZENKOMOKU}/v{n}": {_JIMU: BLANK_LINE} for n in (1, 2, 3)},
    "kawasaki-001": {
        ("Ⅱ 特定個人情報ファイルの概要", "#1", "7. 備考", "備考"): f"{BLANK_LINE}; {LEADING_SPACE}",
        ("Ⅲ リスク対策", "#1", "7. 特定個人情報の保管・消去", "リスク: 特定個人情報の漏えい・滅失・毀損リスク", "その他の措置の内容"): BLANK_LINE,
    },
}
#: document → cause, where the annex rows do not come back cell for cell
KNOWN_ANNEX: dict[str, str] = {}
#: document → cause, where the annex rows do not come back even with line breaks not counted
KNOWN_ANNEX_WORDS: dict[str, str] = {}


# --- the documents and their annex rows --------------------------------------------------------

def _source(name: str) -> Path:
    if name in SEEDS:
        return FIXTURES / f"{name}.yaml"
    aid, version = name.split("/")
    return EXAMPLES / aid / f"{version}.yaml"


@lru_cache(maxsize=None)
def document_data(name: str) -> dict:
    if name in FULL:
        return full_document(FULL[name])
    return yaml.safe_load(_source(name).read_text(encoding="utf-8"))


def full_document(kind: str, entries: int = 7, files: int = 2) -> dict:
    """A document with every item of the form written: texts of one and of two lines, each choice
    and box in turn, the ( ) text of every box that has one, counts, dates."""
    catalog = load_catalog(kind)
    serial = itertools.count(1)

    def value(item):
        k = next(serial)
        if item.kind == "text":
            return f"記載{k}" if k % 3 else f"記載{k}の一行目\n二行目{k}"
        if item.kind == "date":
            return "令和6年4月1日"
        if item.kind == "choice":
            return item.options[k % len(item.options)]
        if item.kind == "count":
            return k % 9 + 1
        ticks = [{o: f"内容{k}-{i}"} if o in item.detail else o for i, o in enumerate(item.options) if (i + k) % 2]
        return ticks or [item.options[0]]

    def fill(node):
        out = {}
        for c in node.children:
            if c.is_group:
                out[c.key] = [{ENTRY_NUMBER: n, **fill(c)} for n in range(1, entries + 1)]
            else:
                out[c.key] = fill(c) if c.kind == "section" else value(c)
        return out

    data = {"様式": kind, "表紙": {"評価書番号": "99", "評価書名": "試験市 全項目を記載した評価書", "評価実施機関名": "試験市長",
                                 "個人のプライバシー等の権利利益の保護の宣言": "試験市は、…宣言する。",
                                 "特記事項": "特記の一行目\n特記の二行目", "公表日": "令和7年1月1日"}}
    for c in catalog.root.children:
        if c.is_group:
            data[c.key] = [{ENTRY_NUMBER: n, **fill(c)} for n in range(1, files + 1)]
        else:
            data[c.key] = fill(c) if c.kind == "section" else value(c)
    return data


_annexes: dict[str, list[dict]] = {}


@pytest.fixture(scope="module")
def example_annexes(tmp_path_factory) -> dict[str, list[dict]]:
    """The annex piadiff prints for each example version: every version up to it recorded."""
    if not _annexes:
        store = init_store(tmp_path_factory.mktemp("roundtrip") / "store")
        for aid in (ZENKOMOKU, JUTEN):
            for v in example_versions(aid):
                store.record(v.document(), assessment_id=aid, change_date=v.date, message=v.message, author=v.author)
            for n in (1, 2, 3):
                batches = cumulative_annex(store, aid, Settings(), until=f"v{n}") if n > 1 else []
                _annexes[f"{aid}/v{n}"] = [dict(zip(ANNEX_KEYS, row.cells())) for b in batches for row in b.rows]
        store.close()
    return _annexes


def annex_rows(name: str, annexes: dict[str, list[dict]]) -> list[dict]:
    if name in FULL:
        return []
    if name in SEEDS:
        rows = [json.loads(line) for line in shared("groundtruth/annex-rows.jsonl").read_text(encoding="utf-8").splitlines()]
        return [{k: r[k] for k in ANNEX_KEYS} for r in rows if r["seed"] == SEEDS[name]]
    return annexes[name]


_results: dict[str, tuple] = {}


def roundtrip(name: str, annexes: dict[str, list[dict]]):
    """(text, rows printed, import result) of one document."""
    if name not in _results:
        rows = annex_rows(name, annexes)
        text = write_publication(document_data(name), rows)
        _results[name] = (text, rows, import_text(text, f"{name.replace('/', '-')}.txt"))
    return _results[name]


# --- comparing ---------------------------------------------------------------------------------

def leaves(data: dict) -> dict[tuple[str, ...], object]:
    """(path → value) of a normalised document, 注記 left out; an entry of a group is #番号."""
    out: dict[tuple[str, ...], object] = {}

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, path + (str(k),))
        elif isinstance(node, list) and node and all(isinstance(e, dict) and ENTRY_NUMBER in e for e in node):
            for e in node:
                walk(e, path + (f"#{e[ENTRY_NUMBER]}",))
        else:
            out[path] = node

    walk({k: v for k, v in data.items() if k != "注記"}, ())
    return out


def differences(name: str, annexes) -> dict[tuple[str, ...], tuple[object, object]]:
    _, _, result = roundtrip(name, annexes)
    want = leaves(normalize(document_data(name), source=name).data)
    got = leaves(normalize(result.data, source=name).data)
    return {p: (want.get(p), got.get(p)) for p in sorted(set(want) | set(got)) if want.get(p) != got.get(p)}


def report(diffs: dict) -> str:
    return "\n".join(f"{' > '.join(p)}\n    want: {w!r:.300}\n    got:  {g!r:.300}" for p, (w, g) in diffs.items())


def imported_rows(name: str, annexes) -> list[dict]:
    _, _, result = roundtrip(name, annexes)
    return [{k: r.get(k, "") for k in ANNEX_KEYS} for r in result.legacy_rows]


def _fold(value: str) -> str:
    """Runs of the whitespace HTML collapses (not U+3000) as one space: a cell's line breaks do not count."""
    return re.sub(r"[ \t\r\n\f]+", " ", value).strip(" ")


def _known(name: str):
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="; ".join(sorted(set(KNOWN[name].values())))))
            if KNOWN.get(name) else name]


def _known_annex(name: str, known: dict[str, str]):
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=known[name])) if name in known else name]


# --- tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [p for n in DOCUMENTS for p in _known(n)])
def test_every_item_comes_back(name, example_annexes):
    diffs = differences(name, example_annexes)
    assert not diffs, f"{len(diffs)} items differ after the round trip:\n{report(diffs)}"


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_item_but_the_known_defects_comes_back(name, example_annexes):
    diffs = differences(name, example_annexes)
    known = KNOWN.get(name, {})
    unexpected = {p: d for p, d in diffs.items() if p not in known}
    assert not unexpected, f"items differ beyond the known reader defects:\n{report(unexpected)}"
    fixed = [p for p in known if p not in diffs]
    assert not fixed, f"known defects no longer seen (remove them from KNOWN): {fixed}"


@pytest.mark.parametrize("name", [p for n in DOCUMENTS for p in _known_annex(n, KNOWN_ANNEX)])
def test_every_annex_row_comes_back_cell_for_cell(name, example_annexes):
    rows = annex_rows(name, example_annexes)
    got = imported_rows(name, example_annexes)
    assert len(got) == len(rows)
    bad = [(k, a, b) for k, (a, b) in enumerate(zip(rows, got), start=1) if a != b]
    assert not bad, "\n".join(f"row {k}:\n    want: {a}\n    got:  {b}" for k, a, b in bad[:10])


@pytest.mark.parametrize("name", [p for n in DOCUMENTS for p in _known_annex(n, KNOWN_ANNEX_WORDS)])
def test_every_annex_row_comes_back_with_its_words(name, example_annexes):
    """The rows, their cells compared with runs of whitespace (line breaks) folded to one space."""
    rows = annex_rows(name, example_annexes)
    got = imported_rows(name, example_annexes)
    assert [{k: _fold(v) for k, v in r.items()} for r in got] == [{k: _fold(str(v or "")) for k, v in r.items()} for r in rows]


def test_the_examples_have_annex_rows_to_print(example_annexes):
    assert all(example_annexes[f"{aid}/v{n}"] for aid in (ZENKOMOKU, JUTEN) for n in (2, 3))
    assert any("\n" in r["before"] + r["after"] for r in example_annexes[f"{ZENKOMOKU}/v3"])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_printed_text_is_read_as_a_tab_separated_publication(name, example_annexes):
    text, _, result = roundtrip(name, example_annexes)
    assert result.format == "tsv"
    assert result.kind == normalize(document_data(name)).kind
    assert text.splitlines()[2] == f"特定個人情報保護評価書({result.kind})"


# --- the example publication shipped for users (piadiff/examples/publication/公表版.txt) ----------

SHIPPED = Path(__file__).parent.parent / "piadiff" / "examples" / "publication" / "公表版.txt"

#: what goes wrong when ``import --with-history`` rebuilds v2 from the shipped publication of v3
WITH_HISTORY = (
    "bootstrap._undo_entry restores a removed 移転先2 with the whole "
    "flattened 変更前 (「移転先2 名称: 子ども未来局… ①法令上の根拠: …」, piadiff's own print of the entry) as its 名称 "
    "instead of reading the entry's items; a count row 「(2)件 → (1)件」 (移転件数) is not undone: undo_batch "
    "stops at `not isinstance(current, str)` (「選択肢・チェック項目・件数の記載からは元の値を決められない」) "
    "although _restored_value reads counts")


def test_the_shipped_publication_reads_back_as_the_latest_example():
    text = SHIPPED.read_text(encoding="utf-8")
    result = import_text(text, SHIPPED.name)
    want = leaves(normalize(document_data(f"{JUTEN}/v3")).data)
    got = leaves(normalize(result.data).data)
    assert got == want
    table = text.split("変更日\t項目\t変更前の記載\t変更後の記載\t提出時期\t提出時期に係る説明\n", 1)[1]
    assert len(result.legacy_rows) == len(table.strip("\n").split("\n")) > 0
    # the rows of v1→v2 and v2→v3, each batch dated with its version
    assert {r["date_text"] for r in result.legacy_rows} == {"令和6年7月1日", "令和7年7月31日"}
    assert all(r["timing"] in ("事前", "事後") for r in result.legacy_rows)


def _import_shipped(run, tmp_path):
    (tmp_path / SHIPPED.name).write_bytes(SHIPPED.read_bytes())
    plain = run("import", SHIPPED.name)
    assert run("init", "--store", "tmpstore").exit_code == 0
    history = run("import", SHIPPED.name, "--record", "--with-history", "--store", "tmpstore")
    return plain, history


def test_the_shipped_publication_imports_on_the_command_line(run, tmp_path):
    plain, history = _import_shipped(run, tmp_path)
    assert plain.exit_code == 0, plain.output
    assert "重点項目評価書「架空市 こども医療費助成に関する事務 重点項目評価書」を取り込みました" in plain.output
    assert history.exit_code == 0, history.output
    assert "v1（変更日 令和6年7月1日）" in history.output and "v2（令和7年7月31日）" in history.output
    log = run("log", "12", "--store", "tmpstore")
    assert log.exit_code == 0 and "v2" in log.output


@pytest.mark.xfail(strict=True, reason=WITH_HISTORY)
def test_with_history_rebuilds_the_previous_example_version(run, tmp_path):
    _, history = _import_shipped(run, tmp_path)
    assert history.exit_code == 0, history.output
    shown = run("show", "12", "v1", "--store", "tmpstore")
    rebuilt = leaves(normalize(yaml.safe_load(shown.output)).data)
    want = leaves(normalize(document_data(f"{JUTEN}/v2")).data)
    diffs = {p: (want.get(p), rebuilt.get(p)) for p in sorted(set(want) | set(rebuilt)) if want.get(p) != rebuilt.get(p)}
    assert not diffs, report(diffs)


def test_with_history_records_the_shipped_publication_as_the_latest_example(run, tmp_path):
    _, history = _import_shipped(run, tmp_path)
    shown = run("show", "12", "v2", "--store", "tmpstore")
    assert leaves(normalize(yaml.safe_load(shown.output)).data) == leaves(normalize(document_data(f"{JUTEN}/v3")).data)
