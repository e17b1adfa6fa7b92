"""`import --record --with-history`: the newest batch is the one the cover dates, and every published
annex row stays in the annex as published (carried over where piadiff's own row does not print it)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import assert_clean_error, shared, snapshot

SEED_003 = "seeds/003_d3c2f59301631452.txt"
SEED_001 = "seeds/001_390dc73fa7d93b30.txt"
NUMBER = {SEED_003: "19", SEED_001: "46"}
CELLS = ("date_text", "item", "before", "after", "timing", "explanation")


def fold(text: str) -> str:
    return " ".join(str(text or "").split())


def published(seed: str) -> list[tuple[str, ...]]:
    """The real annex rows of a seed (groundtruth), six cells each, in published order."""
    lines = shared("groundtruth/annex-rows.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    return [tuple(fold(r[k]) for k in CELLS) for r in rows if r["seed"] == seed.split("/")[-1]]


def annex_json(run, number: str) -> list[dict]:
    result = run("annex", number, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout_bytes)["batches"]


def shown(batches: list[dict]) -> list[tuple[str, ...]]:
    return [tuple(fold(r[k]) for k in CELLS) for b in batches for r in b["rows"]]


def figures(output: str) -> dict[str, int]:
    """The figures of the import report."""
    kept = re.search(r"変更箇所: 公表 (\d+) 行、変更箇所の表に残した行 (\d+) 行", output)
    newest = re.search(r"最新のまとまり (\d+) 行: 元に戻せた (\d+) 行、piadiff の行で再現 (\d+) 行、公表版から引継ぎ (\d+) 行", output)
    assert kept and newest, output
    return {"published": int(kept[1]), "kept": int(kept[2]), "newest": int(newest[1]), "undone": int(newest[2]),
            "reproduced": int(newest[3]), "carried": int(newest[4])}


def annex_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of 003's text and the indexes of its annex rows (one line each, after the last header)."""
    lines = text.split("\n")
    header = max(i for i, line in enumerate(lines) if line.startswith("変更日\t項目"))
    return lines, [i for i in range(header + 1, len(lines)) if lines[i].strip()]


def row_date(line: str) -> str:
    return re.sub(r"<[^>]+>", "", line.split("\t")[0]).strip()


# every published row stays -------------------------------------------------------------------

@pytest.mark.parametrize("seed, newest", [(SEED_003, 9), (SEED_001, 51)])
def test_every_published_row_stays_in_the_annex_in_order(run, store_dir, seed, newest):
    r = run("import", str(shared(seed)), "--record", "--with-history")
    assert r.exit_code == 0, r.output
    batches = annex_json(run, NUMBER[seed])
    real = published(seed)
    assert shown(batches) == real  # each row, with its count, in published order
    v2 = [row for b in batches if b["version"] == "v2" for row in b["rows"]]
    assert len(v2) == newest and {row["date_text"] for row in v2} == {real[-1][0]}
    carried = [row for row in v2 if row["carried_over"]]
    assert all(row["carried_over_label"] == "公表版から引継ぎ" for row in carried)
    got = figures(r.output)
    assert (got["published"], got["kept"], got["newest"]) == (len(real), len(real), newest)
    assert got["reproduced"] + got["carried"] == newest and got["carried"] == len(carried)
    assert r.output.count("戻せなかった行") == newest - got["undone"]
    table = run("annex", NUMBER[seed]).output
    assert table.count("〔公表版から引継ぎ〕") == len(carried)


def test_the_sheet_pasted_into_the_form_has_the_published_cells_only(run, store_dir):
    from openpyxl import load_workbook

    run("import", str(shared(SEED_003)), "--record", "--with-history")
    assert run("annex", "19", "-o", "annex.xlsx").exit_code == 0
    sheet = load_workbook(store_dir.parent / "annex.xlsx").active
    cells = [tuple(fold(c) for c in row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == published(SEED_003)
    assert sheet.max_column == 6


def test_a_carried_over_row_cannot_be_decided(run, store_dir):
    run("import", str(shared(SEED_003)), "--record", "--with-history")
    before = snapshot(store_dir)
    assert_clean_error(run("decide", "19", "v2", "1", "--timing", "事前"), "公表版から引き継いだ行")
    assert snapshot(store_dir) == before


def test_the_next_version_follows_the_published_rows(run, store_dir, tmp_path):
    run("import", str(shared(SEED_003)), "--record", "--with-history")
    text = run("show", "19").output.replace("公表日: '2025-01-16'", "公表日: 令和8年1月15日").replace(
        "②所属長の役職名: 子育て支援課長", "②所属長の役職名: 子育て支援課長（兼務）")
    (tmp_path / "next.yaml").write_text(text, encoding="utf-8")
    assert run("record", "next.yaml").exit_code == 0
    batches = annex_json(run, "19")
    assert shown(batches)[:47] == published(SEED_003)
    assert batches[-1]["version"] == "v3" and [r["item_code"] for r in batches[-1]["rows"]] == ["Ⅰ-6-②"]


# a piadiff row stands in only where it prints the published cells ------------------------------

def test_a_piadiff_row_that_prints_the_published_cells_stands_in_for_it(run, store_dir, tmp_path):
    """Make the published V-1① row read exactly as piadiff writes it: that row is piadiff's, the
    other eight stay carried over."""
    from piadiff.annex import cumulative_annex, legacy_path
    from piadiff.imports import _legacy_file
    from piadiff.settings import Settings
    from piadiff.store import Store, init_store

    run("import", str(shared(SEED_003)), "--record", "--with-history")
    with Store(store_dir) as store:
        v1, v2 = store.read(store.revision("19", "v1")), store.read(store.revision("19", "v2"))
    earlier = [r for r in json.loads(run("annex", "19", "--format", "json").stdout_bytes)["batches"] if r["version"] == "既存"]
    rows = [{k: row[k] for k in CELLS} | {"date_iso": row["change_date"]} for b in earlier for row in b["rows"]]
    with init_store(tmp_path / "own") as own:  # the same history without the published batch: piadiff's rows
        own.record(v1, assessment_id="19", change_date="2024-01-22", extra_files={legacy_path("19"): _legacy_file(rows, "v1")})
        own.record(v2, assessment_id="19", change_date="2025-01-16")
        mine = next(r for r in cumulative_annex(own, "19", Settings())[-1].rows if r.item_code == "Ⅴ-1-①")
    lines, at = annex_lines(shared(SEED_003).read_text(encoding="utf-8"))
    last = next(i for i in at if lines[i].split("\t")[1] == "V-1①" and row_date(lines[i]) == "令和7年1月16日")
    lines[last] = "\t".join(mine.cells())
    (tmp_path / "same.txt").write_text("\n".join(lines), encoding="utf-8")

    fresh = tmp_path / "fresh"
    assert run("init", "--store", str(fresh)).exit_code == 0
    r = run("import", "same.txt", "--record", "--with-history", "--store", str(fresh))
    assert r.exit_code == 0, r.output
    batches = json.loads(run("annex", "19", "--format", "json", "--store", str(fresh)).stdout_bytes)["batches"]
    v2_rows = [row for b in batches if b["version"] == "v2" for row in b["rows"]]
    assert [row["carried_over"] for row in v2_rows] == [True] * 8 + [False]
    assert v2_rows[-1]["item_code"] == "Ⅴ-1-①" and tuple(fold(v2_rows[-1][k]) for k in CELLS) == tuple(map(fold, mine.cells()))
    got = figures(r.output)
    assert (got["reproduced"], got["carried"], got["kept"]) == (1, 8, 47)


# the newest batch is the one the cover dates --------------------------------------------------

def test_the_newest_batch_follows_the_cover_date_not_the_latest_row(run, store_dir, tmp_path):
    """The cover dates an earlier-printed batch (令和6年1月22日) and later-dated rows follow it."""
    text = shared(SEED_003).read_text(encoding="utf-8")
    assert "\n公表日\n\n令和7年1月16日\n" in text
    (tmp_path / "cover.txt").write_text(text.replace("\n公表日\n\n令和7年1月16日\n", "\n公表日\n\n令和6年1月22日\n"), encoding="utf-8")
    r = run("import", "cover.txt", "--record", "--with-history")
    assert r.exit_code == 0, r.output
    assert "最新のまとまりは 令和6年1月22日（表紙の公表日）の 6 行です" in r.output
    log = run("log", "19").output
    assert re.search(r"v1\s+令和3年10月1日", log) and re.search(r"v2\s+令和6年1月22日", log), log
    batches = annex_json(run, "19")
    assert shown(batches) == published(SEED_003)
    v2 = [row for b in batches if b["version"] == "v2" for row in b["rows"]]
    assert len(v2) == 6 and {row["date_text"] for row in v2} == {"令和6年1月22日"}


def test_rows_printed_newest_first_keep_their_order(run, store_dir, tmp_path):
    """Batches printed newest first: the newest is still the cover's, and the annex keeps the print order."""
    lines, at = annex_lines(shared(SEED_003).read_text(encoding="utf-8"))
    blocks: dict[str, list[str]] = {}
    for i in at:
        blocks.setdefault(row_date(lines[i]), []).append(lines[i])
    reordered = [line for date in reversed(list(blocks)) for line in blocks[date]]
    assert reordered[0].startswith("令和7年1月16日")
    (tmp_path / "reversed.txt").write_text("\n".join(lines[: at[0]] + reordered), encoding="utf-8")
    r = run("import", "reversed.txt", "--record", "--with-history")
    assert r.exit_code == 0, r.output
    log = run("log", "19").output
    assert re.search(r"v1\s+令和6年1月22日", log) and re.search(r"v2\s+令和7年1月16日", log), log
    batches = annex_json(run, "19")
    real = published(SEED_003)
    order = [d for d in dict.fromkeys(row[0] for row in real)]
    expected = [row for date in reversed(order) for row in real if row[0] == date]
    assert shown(batches) == expected
    assert batches[0]["version"] == "v2" and len(batches[0]["rows"]) == 9
    assert figures(r.output)["kept"] == 47


def test_a_cover_date_that_dates_no_row_is_refused(run, store_dir, tmp_path):
    text = shared(SEED_003).read_text(encoding="utf-8").replace("\n公表日\n\n令和7年1月16日\n", "\n公表日\n\n令和7年2月3日\n")
    (tmp_path / "late.txt").write_text(text, encoding="utf-8")
    before = snapshot(store_dir)
    assert_clean_error(run("import", "late.txt", "--record", "--with-history"), "表紙の公表日 令和7年2月3日", "令和7年1月16日")
    assert snapshot(store_dir) == before
    assert run("import", "late.txt", "--record").exit_code == 0  # without history it imports as written


def test_without_a_cover_date_the_latest_row_date_is_the_newest_batch():
    from piadiff.imports import newest_batch, previous_batch_date

    rows = [{"date_iso": d} for d in ("2025-01-16", "2017-04-01", "2024-01-22", "", "2025-01-16")]
    assert newest_batch(rows, None)[0] == "2025-01-16"
    assert newest_batch(rows, "2024-01-22") == ("2024-01-22", "表紙の公表日")
    assert previous_batch_date(rows, "2024-01-22") == "2017-04-01"
    assert previous_batch_date([{"date_iso": "2025-01-16"}], "2025-01-16") == "2025-01-15"


# identical rows are two rows ------------------------------------------------------------------

@pytest.mark.parametrize("history", [False, True])
def test_a_row_repeating_the_one_before_it_is_kept_twice(run, store_dir, tmp_path, history):
    lines, at = annex_lines(shared(SEED_003).read_text(encoding="utf-8"))
    newest = next(i for i in at if lines[i].startswith("令和7年1月16日\tⅡ-6\t"))
    earlier = next(i for i in at if lines[i].startswith("令和6年1月22日\tⅡ-4委託事項3③\t"))
    for i in sorted((newest, earlier), reverse=True):
        lines.insert(i + 1, lines[i])
    (tmp_path / "twice.txt").write_text("\n".join(lines), encoding="utf-8")
    args = ["import", "twice.txt", "--record"] + (["--with-history"] if history else [])
    r = run(*args)
    assert r.exit_code == 0, r.output
    real = published(SEED_003)
    for date, item in (("令和7年1月16日", "Ⅱ-6"), ("令和6年1月22日", "Ⅱ-4委託事項3③")):
        k = next(n for n, row in enumerate(real) if row[:2] == (date, item))
        real.insert(k + 1, real[k])
    assert len(real) == 49
    assert shown(annex_json(run, "19")) == real
    assert "変更箇所: 公表 49 行、変更箇所の表に残した行 49 行" in r.output
    csv_rows = run("annex", "19", "--format", "csv").stdout_bytes.decode("utf-8-sig").count("\r\n令和6年1月22日,Ⅱ-4委託事項3③,")
    assert csv_rows == 2
    import yaml

    (legacy_file,) = (store_dir / "legacy").glob("19-*.yaml")  # the rows as the store keeps them
    written = legacy_file.read_text(encoding="utf-8")
    assert len(yaml.safe_load(written)["rows"]) == 49 and "&id" not in written
