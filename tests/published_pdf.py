"""Publications made by the real tools: an HTML page printed to PDF by headless Chromium, and
pdftotext's text of it (through piadiff's own PDF reader), as an officer's PDF would give.

Used by the tests of the PDF plumbing and of the pdftotext annex reader, and to regenerate the
texts committed under tests/data/pdftext/ (``python tests/published_pdf.py``).
"""

from __future__ import annotations

import html
import json
import subprocess
import tempfile
from pathlib import Path

DATA = Path(__file__).parent / "data"
COLUMNS = ("date_text", "item", "before", "after", "timing", "explanation")
HEADER = ("変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明")
#: the annex's columns, as wide as the PPC form prints them (share of the table's width)
WIDTHS = (10, 17, 27, 27, 6, 13)

_STYLE = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif; font-size: 9pt; }
h2 { font-size: 10pt; font-weight: normal; margin: 0 0 4mm 0; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border: 0.6pt solid #000; padding: %(padding)s; vertical-align: top; text-align: left;
         overflow-wrap: anywhere; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
"""


def groundtruth(seed: str) -> list[dict]:
    """The published annex rows of seed ``001`` or ``003`` (tests/data/groundtruth)."""
    rows = [json.loads(line) for line in (DATA / "groundtruth" / "annex-rows.jsonl").read_text(encoding="utf-8").splitlines()]
    return [{k: r[k] for k in COLUMNS} for r in rows if r["seed"].startswith(seed)]


def annex_html(rows: list[dict], *, padding: str = "3pt 10pt", heading: str = "（別添３）変更箇所") -> str:
    """The annex of changes as a page: a six-column table whose header Chromium repeats on each
    printed page (``<thead>``), rows never cut by a page break."""
    cols = "".join(f'<col style="width:{w}%">' for w in WIDTHS)
    head = "".join(f"<th>{h}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in COLUMNS) + "</tr>" for r in rows)
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><style>{_STYLE.replace("%(padding)s", padding)}'
            f"</style></head><body><h2>{html.escape(heading)}</h2><table><colgroup>{cols}</colgroup>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></body></html>")


#: a small 全項目評価書: its cover, one section, and the annex of changes
COVER = {
    "評価書番号": "7",
    "評価書名": "試験事務　全項目評価書",
    "個人のプライバシー等の権利利益の保護の宣言": "試験市は、試験事務における特定個人情報ファイルの取扱いにあたり、適切な措置を講じ、"
                                               "もって個人のプライバシー等の権利利益の保護に取り組んでいることを宣言する。",
    "評価実施機関名": "試験市長",
    "公表日": "令和6年4月1日",
}


def assessment_html(rows: list[dict], *, padding: str = "3pt 10pt") -> str:
    """A small complete assessment as a page: the cover as a table of labels and values, one
    section, and the annex of changes on its own page."""
    # the cover's values stand in text boxes of their own (pdftotext blocks), as on the form's cover:
    # sizes apart keep pdftotext from running them into one block
    cover = "".join(f'<tr><th>{html.escape(k)}</th><td style="font-size:{(8, 12, 16)[n % 3]}pt">{html.escape(v)}</td></tr>'
                    for n, (k, v) in enumerate(COVER.items()))
    annex = annex_html(rows, padding=padding)
    table = annex[annex.index("<h2>"):annex.index("</body>")]
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><style>{_STYLE.replace("%(padding)s", "6pt 14pt")}'
            ".cover th { width: 30%; } .page { break-before: page; }</style></head><body>"
            "<h1>特定個人情報保護評価書（全項目評価書）</h1>"
            f'<table class="cover">{cover}</table>'
            '<div class="page"><h2>Ⅰ\u3000基本情報</h2><table class="cover">'
            "<tr><th>①事務の名称</th><td>試験事務</td></tr></table></div>"
            f'<div class="page">{table}</div></body></html>')


def print_pdf(page: str, pdf: Path, chromium: str) -> Path:
    """``page`` printed to ``pdf`` by headless Chromium (no header or footer lines)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.html"
        src.write_text(page, encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--disable-background-networking", "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
                        f"--print-to-pdf={pdf}", src.as_uri()],
                       check=True, capture_output=True, timeout=120)
    assert pdf.exists() and pdf.stat().st_size > 0, "Chromium wrote no PDF"
    return pdf


def annex_lines(text: str) -> list[tuple[int, str]]:
    """The numbered lines after the last （別添N）変更箇所 heading of a text."""
    import re

    lines = text.split("\n")
    heads = [i for i, line in enumerate(lines) if re.fullmatch(r"[\s\u3000]*[(（]\s*別添\s*[0-9０-９]+\s*[)）][\s\u3000]*変更箇所[\s\u3000]*", line)]
    assert heads, "no annex heading"
    return [(i + 1, lines[i]) for i in range(heads[-1] + 1, len(lines))]


def bbox_layout(pdf: Path) -> str:
    """pdftotext's word positions of ``pdf`` (``-bbox-layout``), as piadiff's PDF reader reads them."""
    done = subprocess.run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=120)
    return done.stdout.decode("utf-8")


def compact(xhtml: str) -> str:
    """-bbox-layout output made small enough to keep in the repository: coordinates to 0.1 pt,
    without the flow and block elements (the reader uses pages, lines and words)."""
    import re

    out = re.sub(r'="(-?\d+\.\d)\d*"', r'="\1"', xhtml)
    out = re.sub(r"\s*</?(?:flow|block)\b[^>]*>", "", out)
    return re.sub(r"\n\s+", "\n", out)


#: the publications kept under tests/data/pdftext: (seed, rows) -> annex-<seed>-chromium.txt / .bbox.html
KEPT = (("003", 16), ("001", 10))


if __name__ == "__main__":  # regenerate tests/data/pdftext/ (needs Chromium and pdftotext)
    import shutil
    import sys

    from piadiff.importers.pdf import pdf_text

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("chromium is needed")
    out = DATA / "pdftext"
    out.mkdir(exist_ok=True)
    for seed, n in KEPT:
        with tempfile.TemporaryDirectory() as tmp:
            pdf = print_pdf(annex_html(groundtruth(seed)[:n]), Path(tmp) / "annex.pdf", exe)
            (out / f"annex-{seed}-chromium.txt").write_text(pdf_text(pdf), encoding="utf-8")
            (out / f"annex-{seed}-chromium.bbox.html").write_text(compact(bbox_layout(pdf)), encoding="utf-8")
        print(f"wrote {out}/annex-{seed}-chromium.txt and .bbox.html")
