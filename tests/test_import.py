"""`piadiff import`: published assessments into the store, their annex history kept and continued."""

from __future__ import annotations

import json

import pytest

from conftest import assert_clean_error, shared, snapshot
from piadiff.importers import import_text

SEED_003 = "seeds/003_d3c2f59301631452.txt"
SEED_001 = "seeds/001_390dc73fa7d93b30.txt"


def real_rows(seed: str) -> list[dict]:
    rows = [json.loads(l) for l in shared("groundtruth/annex-rows.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["seed"].startswith(seed[6:9])]


def test_import_writes_a_document_that_validates(run, tmp_path):
    src = shared(SEED_003)
    r = run("import", str(src), "-o", "003.yaml")
    assert r.exit_code == 0, r.output
    assert "重点項目評価書「北九州市 母子保健に関する事務 重点項目評価書」を取り込みました" in r.stderr
    assert "変更箇所 47 行" in r.stderr
    assert run("validate", "003.yaml").exit_code == 0
    assert run("import", str(src), "-o", "003.json").exit_code == 0
    from piadiff.document import load_document

    assert load_document(tmp_path / "003.json") == load_document(tmp_path / "003.yaml")


@pytest.mark.parametrize("seed, rows", [(SEED_003, 47), (SEED_001, 95)])
def test_recorded_import_keeps_the_existing_annex_first(run, store_dir, seed, rows):
    r = run("import", str(shared(seed)), "--record")
    assert r.exit_code == 0, r.output
    assert f"既存の変更箇所 {rows} 行を付けました" in r.output
    number = "19" if "003" in seed else "46"
    annex = json.loads(run("annex", number, "--format", "json").stdout_bytes)
    legacy = annex["batches"]
    written = [row for b in legacy for row in b["rows"]]
    assert len(written) == rows and all(row["change"] == "legacy" for row in written)
    real = real_rows(seed)
    assert [(w["item"], w["timing"]) for w in written] == [(x["item"], x["timing"]) for x in real]
    assert "（既存の変更箇所、記載のまま）" in run("annex", number).output


def test_the_next_annex_continues_the_history(run, store_dir, tmp_path):
    run("import", str(shared(SEED_003)), "--record")
    text = run("show", "19").output.replace("公表日: '2025-01-16'", "公表日: 令和8年1月15日").replace(
        "②所属長の役職名: 子育て支援課長", "②所属長の役職名: 子育て支援課長（兼務）")
    (tmp_path / "next.yaml").write_text(text, encoding="utf-8")
    assert run("record", "next.yaml").exit_code == 0
    batches = json.loads(run("annex", "19", "--format", "json").stdout_bytes)["batches"]
    assert batches[-1]["version"] == "v2" and batches[-1]["rows"][0]["item_code"] == "Ⅰ-6-②"
    assert sum(len(b["rows"]) for b in batches[:-1]) == 47


def test_history_of_one_item_across_legacy_and_recorded_versions(run, store_dir, tmp_path):
    run("import", str(shared(SEED_003)), "--record")
    text = run("show", "19").output.replace("公表日: '2025-01-16'", "公表日: 令和8年1月15日").replace(
        "③委託先名: 富士通Japan株式会社九州北部公共ビジネス部", "③委託先名: 富士通Japan株式会社")
    (tmp_path / "next.yaml").write_text(text, encoding="utf-8")
    run("record", "next.yaml")
    r = run("history", "19", "Ⅱ-4委託事項3③")
    assert r.exit_code == 0, r.output
    # only 委託事項3 (委託事項4 and 5 changed the same day in 令和3年), each row saying so
    assert r.output.startswith("Ⅱ-4-委託事項-③（委託事項3「団体内統合宛名システムの運用保守業務」） の変更（3 件）")
    assert "令和8年1月15日  v2    委託事項3  事後" in r.output and "株式会社RKKCS" not in r.output
    for date in ("令和3年10月1日", "令和6年1月22日", "令和8年1月15日"):
        assert date in r.output
    assert_clean_error(run("history", "19", "謎の項目"), "項目「謎の項目」")


@pytest.mark.parametrize("seed", [SEED_003, SEED_001])
def test_with_history_rebuilds_the_previous_version(run, store_dir, seed):
    r = run("import", str(shared(seed)), "--record", "--with-history")
    assert r.exit_code == 0, r.output
    number = "19" if "003" in seed else "46"
    newest = [x for x in real_rows(seed) if x["date_iso"] == max(y["date_iso"] for y in real_rows(seed))]
    log = run("log", number).output
    assert "v1" in log and "v2" in log
    assert run("show", number, "v1").output != run("show", number, "v2").output, "the rebuilt version differs"
    # the published version's rows are its published batch (tests/test_import_history.py checks them)
    batch = json.loads(run("changes", number, "--format", "json").stdout_bytes)["batches"][0]
    fold = lambda text: " ".join(text.split())  # noqa: E731  (the groundtruth folds whitespace; the rows keep their lines)
    assert [(x["item"], fold(x["after"])) for x in batch["rows"]] == [(x["item"], fold(x["after"])) for x in newest]
    undone = int(r.output.split("元に戻せた ")[1].split(" 行")[0])
    assert undone >= (7 if "003" in seed else 16)  # the rows that quote the text as it stands
    assert undone <= len(newest)
    assert r.output.count("戻せなかった行") == len(newest) - undone


@pytest.mark.parametrize("content, message", [
    (b"", "特定個人情報保護評価書ではないようです"),
    ("これは評価書ではありません\n売上\t100\n".encode(), "特定個人情報保護評価書ではないようです"),
    (b"\xff\xfe\xfa\xfb garbage", "UTF-16 のファイルは読めません"),
    (b"\x81\x39\xfd\xfe garbage", "文字コードを判別できません"),
    (("特定個人情報保護評価書(重点項目評価書)\n" + "あ" * 1_000_000).encode(), "bad.txt:2: 途中で切れているようです"),
])
def test_bad_files_are_refused_without_touching_the_store(run, store_dir, tmp_path, content, message):
    (tmp_path / "bad.txt").write_bytes(content)
    before = snapshot(store_dir)
    result = run("import", "bad.txt", "--record")
    assert_clean_error(result, message)
    assert snapshot(store_dir) == before


def test_other_forms_are_refused_and_broken_annex_rows_kept(run, store_dir, tmp_path):
    (tmp_path / "kiso.txt").write_text("特定個人情報保護評価書(基礎項目評価書)\n\n評価書番号\t評価書名\n1\t例\n", encoding="utf-8")
    assert_clean_error(run("import", "kiso.txt", "--record"), "基礎項目評価書にはまだ対応していません")
    lines = shared(SEED_003).read_text(encoding="utf-8").splitlines()
    at = next(i for i, l in enumerate(lines) if l.startswith("令和7年1月16日\t"))
    lines[at] = "\t".join(lines[at].split("\t")[:2])  # a row of the annex that lost its cells
    (tmp_path / "cells.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # a row that lost its cells is kept where it stands, marked uncertain, not dropped
    result = import_text((tmp_path / "cells.txt").read_text(encoding="utf-8"), "cells.txt")
    short = [r for r in result.legacy_rows if r.get("line") == at + 1]
    assert len(result.legacy_rows) == 47 and len(short) == 1 and "2 列" in short[0]["uncertain"]
    assert short[0]["item"] == lines[at].split("\t")[1]
    half = shared(SEED_003).read_bytes()
    (tmp_path / "mixed.txt").write_bytes(half[:20000] + shared(SEED_003).read_text(encoding="utf-8")[20000:].encode("cp932", errors="ignore"))
    assert_clean_error(run("import", "mixed.txt"), "文字コードを判別できません")


@pytest.mark.parametrize("seed", [SEED_003, SEED_001, "seeds/000_e7ab5a5bb9cf9333.txt"])
def test_a_truncated_publication_is_refused_with_its_last_line(run, store_dir, tmp_path, seed):
    lines = shared(seed).read_text(encoding="utf-8").splitlines()
    (tmp_path / "cut.txt").write_text("\n".join(lines[: len(lines) // 2]), encoding="utf-8")
    before = snapshot(store_dir)
    assert_clean_error(run("import", "cut.txt", "--record"), f"cut.txt:{len(lines) // 2}: 途中で切れているようです")
    assert snapshot(store_dir) == before


def test_shift_jis_publication_imports_like_utf8(run, tmp_path):
    text = shared(SEED_003).read_text(encoding="utf-8")
    try:
        (tmp_path / "sjis.txt").write_bytes(text.encode("cp932"))
    except UnicodeEncodeError:  # characters outside CP932 (the seed has some Thai): drop them for this test
        (tmp_path / "sjis.txt").write_bytes(text.encode("cp932", errors="ignore"))
    r = run("import", "sjis.txt", "-o", "x.yaml")
    assert r.exit_code == 0 and "北九州市 母子保健に関する事務" in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_importing_twice_is_refused(run, store_dir):
    run("import", str(shared(SEED_003)), "--record")
    before = snapshot(store_dir)
    assert_clean_error(run("import", str(shared(SEED_003)), "--record"), "既に記録されています")
    assert snapshot(store_dir) == before


@pytest.mark.parametrize("seed, newest, undone, reproduced", [(SEED_003, 9, 7, 7), (SEED_001, 51, 17, 16)])
def test_changes_reproduces_the_undone_rows_of_the_newest_batch(tmp_path, seed, newest, undone, reproduced):
    """The figure stated in README.md: of the newest batch, the rows --with-history could undo, and
    how many of them `changes latest~1 latest` gives back (same item, the quoted text in 変更後)."""
    from piadiff.annex import changes_between
    from piadiff.bootstrap import _find, previous_version
    from piadiff.document import normalize
    from piadiff.importers import import_text, with_notes
    from piadiff.legacy import read_rows
    from piadiff.settings import Settings
    from piadiff.store import init_store

    result = import_text(shared(seed).read_text(encoding="utf-8"), seed)
    doc = normalize(with_notes(result))
    last = max(r["date_iso"] for r in result.legacy_rows)
    rows = [r for r in result.legacy_rows if r["date_iso"] == last]
    previous, undos = previous_version(doc, rows, "2000-01-01")
    with init_store(tmp_path / "store") as store:
        store.record(previous, assessment_id="x", change_date="2000-01-01")
        store.record(doc, assessment_id="x")
        batch = changes_between(store, "x", "v1", "v2", Settings())
    done = [u for u in undos if u.done]
    read = read_rows({**u.row, "assessment_type": doc.kind, "seed": "x"} for u in done)
    hits = 0
    for u, r in zip(done, read):
        quote = u.row["after"] if u.row["after"] not in ("削除",) else u.row["before"]
        quote = quote.replace("【追加】", "").split("(省略)")[-1].strip()
        same_item = [row for row in batch.rows if row.item_code.startswith(r.resolution.key or "?") or (r.resolution.key or "").startswith(row.item_code)]
        hits += any(_find(row.after_full or row.after, quote) or _find(row.after_full or row.after, quote[:30])
                    or _same_date(row.after, quote) for row in same_item)
    missed = [u.row["item"] for u, r in zip(done, read) if not any(
        row.item_code.startswith(r.resolution.key or "?") or (r.resolution.key or "").startswith(row.item_code) for row in batch.rows)]
    print(f"{seed}: newest batch {len(rows)} rows, undone {len(done)}, reproduced {hits}; no row at the item: {missed}")
    assert (len(rows), len(done), hits) == (newest, undone, reproduced)
    assert missed == []  # every undone row has its piadiff row at the same item


def _same_date(a: str, b: str) -> bool:
    from piadiff.errors import PiadiffError
    from piadiff.wareki import parse_date

    try:
        return parse_date(a) == parse_date(b)
    except PiadiffError:
        return False
