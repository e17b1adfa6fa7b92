"""The (別添) 変更箇所 of a pdftotext publication: the text reader and the PDF word-position reader.

The text reader is tried on annexes written the ways pdftotext writes them apart (header in another
order, glued, at every page; dates as a list before or after the rows; cells wrapped; 提出時期
glued to a cell; identical rows), built from the published rows of 001 and 003. Whatever it reads,
a row it does not mark uncertain must be the published row, and no line may be lost.

The committed texts under tests/data/pdftext were made by the real tools (Chromium's print of
the annex, pdftotext; tests/published_pdf.py): the word positions read every row of them.
"""

from __future__ import annotations

import re

import pytest
from conftest import shared

from published_pdf import COLUMNS, HEADER, KEPT, annex_lines, groundtruth
from piadiff.importers.annex_pdfbox import read_boxes
from piadiff.importers.annex_pdftext import UNCERTAIN_DATE, read_annex


def fold(text: str) -> str:
    return re.sub(r"\s+", "", text)


def same(row: dict, published: dict) -> bool:
    """Dates and 提出時期 exactly, the texts after folding whitespace."""
    return (row["date_text"] == published["date_text"] and row["timing"] == published["timing"]
            and all(fold(row[k]) == fold(published[k]) for k in ("item", "before", "after", "explanation")))


def width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, columns: int) -> list[str]:
    """A cell's text as pdftotext writes it: cut where it reaches the cell's edge."""
    lines, line = [], ""
    for ch in text:
        if width(line + ch) > columns:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    return [s.strip() for s in lines if s.strip()]


HEADERS = {
    "lines": "\n".join(HEADER),  # each cell a line, in the form's order
    "glued": "提出時期に係る説明変更日 項目 変更前の記載 変更後の記載 提出時期",  # as 000 prints it
    "reordered": "項目\n変更日\n変更後の記載\n変更前の記載\n提出時期に係る説明\n提出時期",
    "split": "変更日\n項目\n変更前の\n記載\n変更後の記載\n提出時\n期\n提出時期に係\nる説明",  # narrow cells wrap the names
}


def annex_text(rows: list[dict], *, header: str = "lines", per_page: int = 6, dates: str = "inline",
               timing: str = "line", widths: tuple[int, int, int, int] = (24, 40, 40, 28)) -> str:
    """An annex as pdftotext may write it: pages of ``per_page`` rows, the header on each."""
    wi, wb, wa, we = widths
    out = ["（別添３）変更箇所"]
    for start in range(0, len(rows), per_page):
        page = rows[start:start + per_page]
        if start:
            out += ["", ""]
        out.append(HEADERS[header])
        if dates == "before":
            out += [r["date_text"] for r in page]
        for r in page:
            if dates == "inline":
                out.append(r["date_text"])
            out += wrap(r["item"], wi) + wrap(r["before"], wb)
            after = wrap(r["after"], wa)
            if r["timing"] and timing != "line" and after:
                after[-1] += (" " if timing == "glued-space" else "") + r["timing"]
            elif r["timing"]:
                after.append(r["timing"])
            out += after + wrap(r["explanation"], we)
        if dates == "after":
            out += [r["date_text"] for r in page]
    return "\n".join(out) + "\n"


def read(text: str):
    return read_annex(annex_lines(text))


def is_header(line: str) -> bool:
    """Header names end to end, or a piece of one (a name wrapped in a narrow cell)."""
    from piadiff.importers.annex_pdftext import _header_reach

    s = fold(line)
    return _header_reach(s)[0] or any(s in h for h in HEADER)


def assert_nothing_lost(text: str, rows: list[dict], unplaced) -> None:
    """Every non-blank line after the heading is in a row, in what is reported, or header."""
    kept = {n for r in rows for n in r["lines"]} | {u.line for u in unplaced}
    for n, line in annex_lines(text):
        if line.strip() and n not in kept:
            assert is_header(line), f"line {n} lost: {line!r}"


def assert_read(published: list[dict], rows: list[dict]) -> int:
    """Every published row back, in order; a row read otherwise is marked uncertain. Returns how
    many are marked."""
    assert len(rows) == len(published)
    for n, (row, pub) in enumerate(zip(rows, published), start=1):
        assert same(row, pub) or row.get("uncertain"), f"row {n} read wrong without a doubt: {row} != {pub}"
    return sum(1 for r in rows if r.get("uncertain"))


# --- the text reader --------------------------------------------------------------------------

@pytest.mark.parametrize("header", sorted(HEADERS))
@pytest.mark.parametrize("seed", ["001", "003"])
def test_header_in_any_order_and_at_every_page(seed, header):
    published = groundtruth(seed)[:30]
    text = annex_text(published, header=header)
    rows, unplaced = read(text)
    doubts = assert_read(published, rows)
    # which of 変更前 / 変更後 is blank, or whether a cell ends at its edge, the text cannot always tell
    assert doubts <= len(published) // 4
    assert unplaced == []
    assert_nothing_lost(text, rows, unplaced)


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("seed", ["001", "003"])
def test_dates_printed_apart_are_laid_beside_their_rows(seed, where):
    published = groundtruth(seed)[:40]
    text = annex_text(published, dates=where)
    rows, unplaced = read(text)
    assert [r["date_text"] for r in rows] == [p["date_text"] for p in published]
    assert [r["date_iso"] for r in rows] == [p["date_iso"] for p in (dict(p, date_iso=_iso(p["date_text"])) for p in published)]
    assert_read(published, rows)
    assert unplaced == []
    assert_nothing_lost(text, rows, unplaced)


def _iso(date_text: str) -> str:
    from piadiff.wareki import parse_date

    return parse_date(date_text).isoformat()


def test_a_date_list_that_does_not_match_the_rows_marks_the_dates_uncertain():
    published = groundtruth("003")[:18]
    text = annex_text(published, dates="before")
    lines = text.split("\n")
    dropped = next(i for i, line in enumerate(lines) if line == published[7]["date_text"])  # page 2's list loses a date
    text = "\n".join(lines[:dropped] + lines[dropped + 1:])
    rows, unplaced = read(text)
    assert len(rows) == len(published)
    for row, pub in zip(rows, published):
        if UNCERTAIN_DATE in row.get("uncertain", ""):
            assert row["date_text"] == ""
        else:  # every order-keeping alignment gives it the same date
            assert row["date_text"] == pub["date_text"]
    assert any(UNCERTAIN_DATE in r.get("uncertain", "") for r in rows)
    # the list itself is kept with its line numbers
    assert sorted(u.text for u in unplaced) == sorted(p["date_text"] for k, p in enumerate(published) if k != 7)
    assert all("変更日の一覧" in u.where for u in unplaced)
    assert_nothing_lost(text, rows, unplaced)


@pytest.mark.parametrize("timing", ["glued-space", "glued"])
@pytest.mark.parametrize("dates", ["inline", "before"])
def test_timing_glued_to_the_end_of_a_cell(timing, dates):
    published = groundtruth("001")[:24]
    text = annex_text(published, timing=timing, dates=dates)
    rows, unplaced = read(text)
    assert [r["timing"] for r in rows] == [p["timing"] for p in published]
    assert_read(published, rows)
    assert_nothing_lost(text, rows, unplaced)


@pytest.mark.parametrize("dates", ["inline", "before", "after"])
def test_identical_consecutive_rows_stay_two_rows(dates):
    published = groundtruth("003")[:5]
    published = published[:3] + [published[2]] + published[3:]
    text = annex_text(published, dates=dates)
    rows, _ = read(text)
    assert len(rows) == 6
    assert same(rows[2], published[2]) and same(rows[3], published[2])
    assert rows[2]["lines"] != rows[3]["lines"]


def test_each_row_names_its_lines():
    published = groundtruth("003")[:3]
    text = annex_text(published)
    rows, _ = read(text)
    lines = text.split("\n")
    for row, pub in zip(rows, published):
        texts = [lines[n - 1] for n in row["lines"]]
        assert texts[0] == pub["date_text"] and pub["item"].startswith(texts[1])
        assert fold("".join(texts)) == fold("".join(pub[k] for k in COLUMNS))


def test_a_date_wrapped_in_a_narrow_column():
    text = "（別添３）変更箇所\n" + "\n".join(HEADER) + "\n令和5年1\n月25日\nⅠ-1\n変更前\n変更後\n事後\n"
    (row,), unplaced = read(text)
    assert (row["date_text"], row["date_iso"], row["item"], row["before"], row["after"], row["timing"]) == (
        "令和5年1月25日", "2023-01-25", "Ⅰ-1", "変更前", "変更後", "事後")
    assert row["lines"] == [8, 9, 10, 11, 12, 13] and unplaced == []


def test_what_is_before_the_first_row_or_after_the_table_is_reported():
    published = groundtruth("003")[:2]
    text = annex_text(published).replace("（別添３）変更箇所\n", "（別添３）変更箇所\n表の前の注意書き\n")
    text += "\n\n\n別紙1 重大事故の報告\n"
    rows, unplaced = read(text)
    assert len(rows) == 2
    assert [(u.text, "表の行より前" in u.where or "表の後" in u.where) for u in unplaced] == [
        ("表の前の注意書き", True), ("別紙1 重大事故の報告", True)]
    assert all(u.line == text.split("\n").index(u.text) + 1 for u in unplaced)


def test_an_empty_annex():
    assert read("（別添３）変更箇所\n提出時期に係る説明変更日 項目 変更前の記載 変更後の記載 提出時期\n\n\n") == ([], [])


def test_through_the_pdftotext_importer():
    """The reader is what the pdftotext importer uses: rows to legacy_rows, the rest reported."""
    from piadiff.importers.pdftext import parse_pdf_text

    seed = shared("seeds/000_e7ab5a5bb9cf9333.txt").read_text(encoding="utf-8")
    published = groundtruth("003")[:8]
    head, _, _ = seed.rpartition("（別添３）変更箇所")
    text = head + annex_text(published, header="glued") + "\n\n\n別紙 後に付いた記載\n"
    result = parse_pdf_text(text, "000.txt")
    assert_read(published, result.legacy_rows)
    base = head.count("\n") + 1
    assert all(n > base for r in result.legacy_rows for n in r["lines"])
    (extra,) = [u for u in result.unplaced if u.line > base]
    assert extra.text == "別紙 後に付いた記載" and "変更箇所" in extra.where


# --- texts made by Chromium and pdftotext ------------------------------------------------------

@pytest.mark.parametrize("seed, n", KEPT)
def test_chromium_text_read_by_the_text_reader_loses_nothing(seed, n):
    """The text of a real table: its cells come out interleaved, so the text reader reads few rows
    right (the PDF reader reads the word positions instead, below); it still loses no line."""
    text = shared(f"pdftext/annex-{seed}-chromium.txt").read_text(encoding="utf-8")
    rows, unplaced = read(text)
    assert_nothing_lost(text, rows, unplaced)


@pytest.mark.parametrize("seed, n", KEPT)
def test_chromium_pdf_word_positions_give_every_row(seed, n):
    text = shared(f"pdftext/annex-{seed}-chromium.txt").read_text(encoding="utf-8")
    boxes = shared(f"pdftext/annex-{seed}-chromium.bbox.html").read_text(encoding="utf-8")
    table = read_boxes(boxes, text)
    published = groundtruth(seed)[:n]
    assert table is not None and len(table.rows) == n
    for row, pub in zip(table.rows, published):
        assert same(row, pub), (row, pub)
    # each row names the lines of the text its words are on; the header too
    lines = text.split("\n")
    for row, pub in zip(table.rows, published):
        assert pub["date_text"][:4] in "".join(lines[k - 1] for k in row["lines"])
    assert all(is_header(lines[k - 1]) for k in table.header_lines)
    kept = table.header_lines | {k for r in table.rows for k in r["lines"]}
    assert all(not line.strip() or k in kept for k, line in annex_lines(text))  # every line of the table


def test_word_positions_of_another_text_are_not_used():
    text = shared("pdftext/annex-003-chromium.txt").read_text(encoding="utf-8")
    boxes = shared("pdftext/annex-003-chromium.bbox.html").read_text(encoding="utf-8")
    assert read_boxes(boxes, text.replace("I-4", "I-5", 1)) is None
    assert read_boxes("<html>not pdftotext</html", text) is None
