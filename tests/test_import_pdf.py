"""`piadiff import 評価書.pdf`: a PDF read through poppler's pdftotext, and what is refused clearly.

The PDFs that must be read are made by the real tools (Chromium prints a page; tests/published_pdf.py);
the ones that must be refused are written here byte by byte (an encrypted PDF, a PDF without text).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import assert_clean_error, chromium, piadiff

from published_pdf import COLUMNS, annex_html, assessment_html, bbox_layout, groundtruth, print_pdf
from piadiff.importers.annex_pdfbox import read_boxes
from piadiff.importers.pdf import pdf_text



@pytest.fixture
def with_pdftotext():
    """poppler's pdftotext; skipped without it, unless PIADIFF_REQUIRE_BROWSER=1 (as in CI, which installs it)."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("PIADIFF_REQUIRE_BROWSER") == "1":
            pytest.fail("pdftotext is required (PIADIFF_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("poppler's pdftotext is not installed")


needs_pdftotext = pytest.mark.usefixtures("with_pdftotext")


def minimal_pdf(*, encrypted: bool = False) -> bytes:
    """A one-page PDF with no text; with an /Encrypt dictionary that no empty password opens."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    trailer = b""
    if encrypted:
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>")
        trailer = b"/Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] "
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def fake_pdftotext(folder: Path, script: str) -> str:
    """A PATH whose pdftotext is ``script`` (a shell script), and the system's tools after it."""
    exe = folder / "pdftotext"
    exe.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    exe.chmod(0o755)
    return f"{folder}{os.pathsep}/usr/bin{os.pathsep}/bin"


def fold(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- refused, with a message the officer can act on -------------------------------------------

def test_without_pdftotext_the_message_says_how_to_install_it(tmp_path):
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf())
    empty = tmp_path / "no-tools"
    empty.mkdir()
    r = piadiff("import", "評価書.pdf", cwd=tmp_path, env={"PATH": str(empty)})
    assert_clean_error(r, "評価書.pdf", "pdftotext", "sudo apt install poppler-utils", "brew install poppler", "Windows")
    assert len((r.stdout + r.stderr).strip().splitlines()) == 1


def test_a_file_renamed_pdf_that_is_not_one(run, tmp_path):
    (tmp_path / "評価書.pdf").write_text("特定個人情報保護評価書（全項目評価書）\n", encoding="utf-8")
    assert_clean_error(run("import", "評価書.pdf"), "評価書.pdf", "PDF ではありません", ".txt")


@needs_pdftotext
def test_an_encrypted_pdf(run, tmp_path):
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf(encrypted=True))
    assert_clean_error(run("import", "評価書.pdf"), "評価書.pdf", "パスワードで保護")


@needs_pdftotext
def test_a_pdf_without_text_is_a_scan(run, tmp_path):
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf())
    assert_clean_error(run("import", "評価書.pdf"), "評価書.pdf", "文字がありません", "画像")


@needs_pdftotext
def test_a_damaged_pdf(run, tmp_path):
    (tmp_path / "評価書.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    assert_clean_error(run("import", "評価書.pdf"), "評価書.pdf", "PDF として読めません")


def test_a_pdf_too_large(run, tmp_path, monkeypatch):
    monkeypatch.setattr("piadiff.importers.pdf.MAX_PDF_BYTES", 100)
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf())
    assert_clean_error(run("import", "評価書.pdf"), "大きすぎます")


def test_pdftotext_that_does_not_finish_is_stopped(run, tmp_path, monkeypatch):
    monkeypatch.setattr("piadiff.importers.pdf.TIMEOUT_SECONDS", 0.5)
    monkeypatch.setenv("PATH", fake_pdftotext(tmp_path, "sleep 5"))
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf())
    assert_clean_error(run("import", "評価書.pdf"), "秒で終わらない")


def test_a_pdf_that_forbids_copying(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", fake_pdftotext(tmp_path, "echo 'Copying of text from this document is not allowed.' >&2; exit 3"))
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf())
    assert_clean_error(run("import", "評価書.pdf"), "コピーが禁止")


def test_pdftotext_is_run_in_the_mode_the_importer_reads(tmp_path, monkeypatch):
    """No -layout, UTF-8 to stdout; a page end (form feed) becomes two blank lines."""
    seen = tmp_path / "args"
    monkeypatch.setenv("PATH", fake_pdftotext(tmp_path, f'echo "$@" >> "{seen}"; printf "一頁目\\n\\f二頁目\\n\\f"'))
    (tmp_path / "評価書.pdf").write_bytes(minimal_pdf())
    assert pdf_text(tmp_path / "評価書.pdf") == "一頁目\n\n\n二頁目\n\n\n"
    args = seen.read_text(encoding="utf-8").split()
    assert "-layout" not in args and args[:4] == ["-enc", "UTF-8", "-eol", "unix"] and args[-1] == "-"


# --- read: PDFs printed by Chromium -----------------------------------------------------------

@pytest.fixture(scope="module")
def assessment_pdf(tmp_path_factory) -> Path:
    """A small complete 全項目評価書 with 12 rows of 003's annex, printed by Chromium."""
    exe = chromium()
    return print_pdf(assessment_html(groundtruth("003")[:12]), tmp_path_factory.mktemp("pdf") / "評価書.pdf", exe)


@needs_pdftotext
def test_import_a_pdf(run, tmp_path, assessment_pdf):
    shutil.copy(assessment_pdf, tmp_path / "評価書.pdf")
    r = run("import", "評価書.pdf", "-o", "評価書.yaml")
    assert r.exit_code == 0, r.output
    assert "全項目評価書「試験事務" in r.stderr and "変更箇所 12 行" in r.stderr
    # line numbers in the messages are the extracted text's, and say so
    assert "評価書.pdf（PDFから取り出したテキスト）:" in r.stderr
    text = (tmp_path / "評価書.yaml").read_text(encoding="utf-8")
    assert "評価書番号: '7'" in text and "公表日: '2024-04-01'" in text


@needs_pdftotext
def test_a_recorded_pdf_keeps_every_published_row(run, store_dir, tmp_path, assessment_pdf):
    shutil.copy(assessment_pdf, tmp_path / "評価書.pdf")
    r = run("import", "評価書.pdf", "--record")
    assert r.exit_code == 0, r.output
    batches = json.loads(run("annex", "7", "--format", "json").stdout_bytes)["batches"]
    written = [row for b in batches for row in b["rows"]]
    published = groundtruth("003")[:12]
    assert [(w["item"], w["timing"] or "") for w in written] == [(p["item"], p["timing"]) for p in published]
    assert [fold(w["after"]) for w in written] == [fold(p["after"]) for p in published]


@needs_pdftotext
def test_a_folder_of_pdfs(run, store_dir, tmp_path, assessment_pdf):
    folder = tmp_path / "公表版"
    folder.mkdir()
    shutil.copy(assessment_pdf, folder / "評価書.pdf")
    r = run("import", str(folder))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("記録 1 件")


@needs_pdftotext
@pytest.mark.parametrize("seed", ["001", "003"])
def test_every_row_of_a_long_annex_printed_over_many_pages(tmp_path, seed):
    """All published rows of 001 (95) and 003 (47) as one table over many pages, long cells wrapped,
    the header on every page (<thead>): every row back, dates and 提出時期 exactly."""
    published = groundtruth(seed)
    pdf = print_pdf(annex_html(published), tmp_path / "annex.pdf", chromium())
    text = pdf_text(pdf)
    assert text.count("変更前の記載") > 3  # the header printed on each page
    table = read_boxes(bbox_layout(pdf), text)
    assert table is not None and len(table.rows) == len(published)
    for row, pub in zip(table.rows, published):
        assert (row["date_text"], row["timing"]) == (pub["date_text"], pub["timing"])
        assert all(fold(row[k]) == fold(pub[k]) for k in COLUMNS), (row, pub)


@needs_pdftotext
def test_the_rows_come_from_the_word_positions_of_that_pdf(assessment_pdf):
    from piadiff.importers import import_text
    from piadiff.importers.pdf import read_published

    text, source, table = read_published(assessment_pdf)
    assert table is not None
    rows = import_text(text, source, table).legacy_rows
    assert [fold(r["before"]) for r in rows] == [fold(p["before"]) for p in groundtruth("003")[:12]]
