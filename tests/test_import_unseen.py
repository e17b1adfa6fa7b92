"""Import of publications laid out in ways the seeds are not: what real publications do to text.

Each case alters a real seed the way another body's publication differs (no title, no cover, the
annex's header printed again at page breaks, rows repeated, an option in another edition's
wording) and checks that the import means the same, that no annex row is lost, and that every
line of the text is accounted for.
"""

from __future__ import annotations

import pytest

from conftest import assert_clean_error, shared
from piadiff.importers import import_text

SEEDS = {"000": "seeds/000_e7ab5a5bb9cf9333.txt", "001": "seeds/001_390dc73fa7d93b30.txt",
         "003": "seeds/003_d3c2f59301631452.txt"}
TSV = ("001", "003")
_cache: dict[str, object] = {}


def text_of(seed: str) -> str:
    return shared(SEEDS[seed]).read_text(encoding="utf-8")


def original(seed: str):
    if seed not in _cache:
        _cache[seed] = import_text(text_of(seed), seed)
    return _cache[seed]


def cells(rows: list[dict]) -> list[tuple]:
    """An annex row as the officer sees it (its line in the source moves with the alteration)."""
    return [(r["date_text"], r["item"], r["before"], r["after"], r["timing"], r["explanation"]) for r in rows]


def annex_lines(lines: list[str]) -> tuple[int, list[int]]:
    """The index of the annex's header row and of its rows."""
    header = next(i for i, l in enumerate(lines) if l.startswith("変更日\t"))
    rows = [i for i in range(header + 1, len(lines)) if lines[i][:2] in ("令和", "平成", "<p")]
    return header, rows


# --- the title and the cover ------------------------------------------------------------------

@pytest.mark.parametrize("seed", list(SEEDS))
def test_without_the_title_the_body_tells_the_form(seed):
    lines = [l for l in text_of(seed).splitlines() if "特定個人情報保護評価書(" not in l and "特定個人情報保護評価書（" not in l]
    result = import_text("\n".join(lines), "notitle.txt")
    assert result.kind == original(seed).kind
    assert result.data == original(seed).data
    assert cells(result.legacy_rows) == cells(original(seed).legacy_rows)


@pytest.mark.parametrize("seed", TSV)
def test_without_the_cover_page_the_missing_items_are_named_and_can_be_given(run, tmp_path, seed):
    lines = text_of(seed).splitlines()
    start = next(i for i, l in enumerate(lines) if "個人のプライバシー等の権利利益の保護の宣言" in l)
    (tmp_path / "nocover.txt").write_text("\n".join(lines[start:]), encoding="utf-8")
    r = run("import", "nocover.txt", "-o", "x.yaml")
    assert_clean_error(r, "表紙の「評価書番号」「評価書名」が読み取れません", "--cover 評価書番号=…")
    assert not (tmp_path / "x.yaml").exists()
    cover = original(seed).data["表紙"]
    r = run("import", "nocover.txt", "-o", "x.yaml", "--cover", f"評価書番号={cover['評価書番号']}",
            "--cover", f"評価書名={cover['評価書名']}")
    assert r.exit_code == 0, r.output
    assert f"変更箇所 {len(original(seed).legacy_rows)} 行" in r.output
    assert cover["評価書名"] in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_a_cover_item_that_is_not_one_is_refused(run, tmp_path):
    (tmp_path / "p.txt").write_text(text_of("003"), encoding="utf-8")
    assert_clean_error(run("import", "p.txt", "--cover", "番号=1"), "「番号」は表紙の項目ではありません")
    assert_clean_error(run("import", "p.txt", "--cover", "評価書番号"), "「項目=値」の形で")


def test_a_text_that_is_no_assessment_says_so_with_its_line(run, tmp_path):
    (tmp_path / "memo.txt").write_text("\n\n会議の議事録\n出席者 山田\n", encoding="utf-8")
    assert_clean_error(run("import", "memo.txt"), "memo.txt:3: 特定個人情報保護評価書ではないようです")


# --- the annex ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", TSV)
@pytest.mark.parametrize("every", [3, 10, 25])
def test_the_annex_header_printed_again_at_each_page_loses_no_row(seed, every):
    lines = text_of(seed).splitlines()
    header, rows = annex_lines(lines)
    for k, at in reversed(list(enumerate(rows))):
        if k and k % every == 0:  # a page break: running page number, blank lines, the header again
            lines[at:at] = ["", f"- {k // every + 20} -", "", lines[header]]
    result = import_text("\n".join(lines), "paged.txt")
    assert cells(result.legacy_rows) == cells(original(seed).legacy_rows)
    assert result.data == original(seed).data


@pytest.mark.parametrize("seed", TSV)
def test_the_annex_columns_in_another_order_are_read_by_their_header(seed):
    lines = text_of(seed).splitlines()
    header, rows = annex_lines(lines)
    order = [1, 0, 3, 2, 5, 4]

    def swap(line: str) -> str:
        c = line.split("\t")
        if len(c) != 6:
            return line
        return "\t".join(c[j] for j in order)

    if any(len(lines[i].split("\t")) != 6 for i in rows):
        rows = [i for i in rows if len(lines[i].split("\t")) == 6]
    keep = set(rows) | {header}
    lines = [swap(l) if i in keep else l for i, l in enumerate(lines)]
    result = import_text("\n".join(lines), "swapped.txt")
    got = cells(result.legacy_rows)
    assert len(got) == len(original(seed).legacy_rows)
    assert all(r in got for r in cells([original(seed).legacy_rows[k] for k, i in enumerate(annex_lines(text_of(seed).splitlines())[1]) if i in keep]))


@pytest.mark.parametrize("seed", TSV)
def test_identical_consecutive_rows_are_two_rows(seed):
    lines = text_of(seed).splitlines()
    _, rows = annex_lines(lines)
    at = rows[len(rows) // 2]
    lines.insert(at + 1, lines[at])
    result = import_text("\n".join(lines), "twice.txt")
    want = cells(original(seed).legacy_rows)
    k = rows.index(at)
    assert cells(result.legacy_rows) == want[:k + 1] + [want[k]] + want[k + 1:]


# --- choices in other words -------------------------------------------------------------------

def test_an_option_in_another_editions_wording_is_read_and_its_wording_kept():
    text = text_of("003")
    assert "[十分に行っている]" in text
    result = import_text(text.replace("[十分に行っている]", "[十分にしている]"), "older.txt")
    assert result.data == original("003").data
    assert any("十分にしている" in u.text and "十分に行っている" in u.text for u in result.unplaced)


def test_a_negative_option_in_other_words_is_never_read_as_the_positive_one():
    from piadiff.catalog import load_catalog

    item = next(i for i in load_catalog("重点項目評価書").root.walk() if i.key == "①事故発生時手順の策定・周知")
    assert item.nearest_option("十分にしていない") == "十分に行っていない"
    assert item.nearest_option("十分にしている") == "十分に行っている"
    assert item.nearest_option("わからない") is None


# --- nothing lost ------------------------------------------------------------------------------

def _values(data):
    if isinstance(data, dict):
        for v in data.values():
            yield from _values(v)
    elif isinstance(data, list):
        for v in data:
            yield from _values(v)
    elif isinstance(data, str):
        yield data


@pytest.mark.parametrize("seed", list(SEEDS))
@pytest.mark.parametrize("where", [0.2, 0.4, 0.6, 0.8])
def test_a_foreign_line_anywhere_is_kept(seed, where):
    """In a value it continues (a free text), or in 注記 with its line number: never dropped."""
    lines = text_of(seed).splitlines()
    at = int(len(lines) * where)
    foreign = "この行は様式のどこにもない文です。どこかに残らなければならない"
    lines.insert(at, foreign)
    result = import_text("\n".join(lines), "x.txt")
    noted = [u.line for u in result.unplaced if foreign in u.text]
    valued = [v for v in _values(result.data) if foreign in v]
    assert noted == [at + 1] or (len(valued) == 1 and not noted)


@pytest.mark.parametrize("seed", list(SEEDS))
def test_the_account_counts_every_line(run, tmp_path, seed):
    text = text_of(seed)
    (tmp_path / "p.txt").write_text(text, encoding="utf-8")
    r = run("import", "p.txt", "-o", "x.yaml")
    account = original(seed).account
    assert account.lines == sum(1 for l in text.splitlines() if l.strip())
    assert f"{account.lines:,} 行: 項目 {account.items}、変更箇所 {len(original(seed).legacy_rows)} 行、注記 {account.notes} 行" in r.output
