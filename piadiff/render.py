"""The annex in every format an officer needs: terminal table, HTML, xlsx, CSV, JSON, Markdown.

Every function takes the batches of :mod:`piadiff.annex` and returns bytes, so that the CLI, a
web page or a script write exactly the same file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typing import TYPE_CHECKING

from .display import wrap

if TYPE_CHECKING:
    from .annex import AnnexRow, Batch

#: the mark of a published row kept as written (see AnnexRow.carried_over); never in the six cells
CARRIED_OVER = "公表版から引継ぎ"

#: the mark of a row whose proposal is 低 (AnnexRow.review_mark): shown to the officer in the table,
#: HTML and JSON, never in the six cells pasted into the form (xlsx, CSV, Markdown)
REVIEW = "要確認"

#: the six columns of the official (別添) 変更箇所 sheet
COLUMNS = ("変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明")

FORMATS = ("table", "html", "xlsx", "csv", "json", "md")
#: the formats that print a note above the rows; the others are the form's six columns and nothing else
NOTE_FORMATS = ("table", "html", "json")


def render(batches: list[Batch], fmt: str, title: str = "", width: int = 80, note: str = "") -> bytes:
    """``batches`` as ``fmt`` (one of :data:`FORMATS`); ``note`` (e.g. the summary of --review) is
    printed above the rows in :data:`NOTE_FORMATS`."""
    if fmt == "table":
        return to_table(batches, title, width, note).encode("utf-8")
    if fmt == "html":
        return to_html(batches, title, note).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(batches, title)
    if fmt == "csv":
        return to_csv(batches).encode("utf-8-sig")
    if fmt == "json":
        return to_json(batches, title, note).encode("utf-8")
    if fmt == "md":
        return to_markdown(batches, title).encode("utf-8")
    raise ValueError(fmt)


def _rows(batches: list[Batch]) -> list[AnnexRow]:
    return [r for b in batches for r in b.rows]


def _counts(batch: Batch) -> str:
    """「13 件（うち 要確認 2 件）」: the batch's size and its marked rows (the same where only the
    要確認 rows are listed: the size is the whole batch's)."""
    carried = sum(1 for row in batch.rows if row.carried_over)
    low = sum(1 for row in batch.rows if row.needs_review)
    parts = ([f"{CARRIED_OVER} {carried} 件"] if carried else []) + ([f"{REVIEW} {low} 件"] if low else [])
    size = len(batch.rows) if batch.whole is None else batch.whole
    return f"  {size} 件" + (f"（うち {'、'.join(parts)}）" if parts else "")


def to_table(batches: list[Batch], title: str = "", width: int = 80, note: str = "") -> str:
    """Blocks that read in an 80-column terminal, Japanese wrapped by display width."""
    out = [title, ""] if title else []
    if note:
        out += wrap(note, width) + [""]
    n = 0
    for batch in batches:
        if batch.version == "既存":
            head = f"■ {batch.rows[0].date_text if batch.rows else ''}  （既存の変更箇所、記載のまま）"
        else:
            head = f"■ {batch.rows[0].date_text if batch.rows else batch.change_date.isoformat()}  {batch.previous} → {batch.version}"
        out.append(head + _counts(batch))
        if not batch.rows:
            out.append(f"  （{REVIEW}の行はありません）" if batch.whole is not None else "  （変更なし）")
        for i, row in enumerate(batch.rows):
            n += 1
            out.append("")
            carried_mark = f"〔{CARRIED_OVER}〕 " if row.carried_over else ""  # first, where wrapping cannot split it
            # a listing of some rows keeps each row's number in the whole one: the ROW of piadiff decide
            out += wrap(f"[{batch.numbers[i] if batch.numbers else n}] {carried_mark}{row.item}", width)
            for label, text in (("変更前", row.before), ("変更後", row.after)):
                out += wrap(text, width, f"  {label}: ", " " * 10)
            mark = "※" if row.significant else ""
            who = "（担当者の判断）" if row.decided_by_person else ""
            out += wrap(f"{row.timing_text}{mark}{who}  {row.explanation}".rstrip(), width, "  提出時期: ", " " * 12)
            if row.needs_review:  # a line of its own, so that wrapping never splits the mark from its reason
                out += wrap(f"▲ {row.review_mark}", width, "  ", "    ")
            if row.violation:
                out += wrap(f"⚠ {row.violation}", width, "  ", "    ")
        for warning in batch.warnings:
            if "施行日" not in warning:
                out += [""] + wrap(f"⚠ {warning}", width, "", "  ")
        out.append("")
    if not batches:
        out.append("（版が一つしかないため、変更箇所はまだありません）")
    if any(row.significant for batch in batches for row in batch.rows):
        out += wrap(SIGNIFICANT_NOTE, width) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


#: what the ※ after a 提出時期 means (the terminal table only: it is never one of the six cells)
SIGNIFICANT_NOTE = "※ 提出時期のあとの ※ は、様式で ※ の付いた項目（重要な変更の対象となる項目）の変更であることを示します。"


#: what a spreadsheet reads as the start of a formula; Japanese Excel also takes the full-width forms
#: as typed (＝１＋１ becomes =1+1)
FORMULA_STARTS = "=+-@＝＋－＠"
#: what a spreadsheet may skip before that start: any whitespace (spaces, tabs, CR, LF, full-width
#: spaces) and the invisible zero-width characters
_SKIPPED = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # every character str.isspace() is true of
            "\u200b\u200c\u200d\u2060\ufeff")
#: the forms' own blank (「-」), which is no formula and stays as written
_BLANKS = ("-", "－")


def neutralise(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): a value whose first character
    after any whitespace is = + - @ (or their full-width forms), or which starts with a tab or CR,
    gets a ' in front. A lone 「-」 (the forms' own blank) is not a formula and stays as written."""
    if not value or value.strip(_SKIPPED) in _BLANKS:
        return value
    lead = value.lstrip(_SKIPPED)[:1]
    if value[0] in "\t\r" or (lead and lead in FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(batches: list[Batch]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for row in _rows(batches):
        w.writerow([neutralise(c) for c in row.cells()])
    return buf.getvalue()


def to_json(batches: list[Batch], title: str = "", note: str = "") -> str:
    data = {
        "title": title,
        "columns": list(COLUMNS),
        "batches": [_json_batch(b) for b in batches],
    }
    if note:
        data["note"] = note
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _json_batch(b: Batch) -> dict:
    out = {"version": b.version, "previous": b.previous, "change_date": b.change_date.isoformat() if b.change_date else "",
           "warnings": b.warnings, "rows": [r.as_dict() for r in b.rows]}
    if b.whole is not None:  # some rows left out (--review): say how many there are, and where each listed row stands
        out["whole"] = b.whole
        for row, number in zip(out["rows"], b.numbers):
            row["number"] = number
    return out


#: characters a Markdown renderer may read as markup (HTML, links, code, emphasis, strikethrough,
#: math, table cells, headings, extensions' marks), written as character references: CommonMark, GFM,
#: Python-Markdown and Gruber's Markdown all print a reference as its character and never read it as
#: markup (a backslash escape is understood by some renderers and printed by others)
_MD_REFERENCES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"} | {c: f"&#{ord(c)};" for c in "\\`*_[]|~$^=+{}#"}
_MD_TABLE = str.maketrans(_MD_REFERENCES)


def md_text(value: str, newline: str = "<br>") -> str:
    """``value`` as Markdown that every renderer shows as exactly that text: no raw HTML, no link (a
    ``javascript:`` one included), no emphasis, no cell break; a line break becomes ``newline``."""
    text = value.translate(_MD_TABLE)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline)


def to_markdown(batches: list[Batch], title: str = "") -> str:
    """The six columns as a GFM table; every value from the document is text (see :func:`md_text`)."""
    lines = [f"# {md_text(title, ' ')}", ""] if title else []
    lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(md_text(c) for c in row.cells()) + " |" for row in _rows(batches)]
    return "\n".join(lines) + "\n"


#: the title the form gives the annex
ANNEX_TITLE = "（別添）変更箇所"
#: the font of the sheet: a Japanese font every Windows Excel has, as the official form is printed
XLSX_FONT = "ＭＳ 明朝"


def to_xlsx(batches: list[Batch], title: str = "") -> bytes:
    """The six columns of the official sheet, wrapped, A4 landscape, page numbers in the footer:
    rows paste into the PPC form.

    Every cell is a text cell holding exactly the text (never a formula, nothing added to it); a
    text a spreadsheet could take for a formula when edited carries the quote-prefix style, which
    Excel shows as nothing. Written by XlsxWriter, which streams rows (openpyxl reads workbooks).
    """
    import xlsxwriter

    buf = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buf, options) as wb:
        ws = wb.add_worksheet("変更箇所")
        base = {"font_name": XLSX_FONT, "font_size": 10, "border": 1, "border_color": "#808080", "text_wrap": True}
        head = wb.add_format({**base, "bold": True, "bg_color": "#D9D9D9", "align": "center", "valign": "vcenter"})
        body = wb.add_format({**base, "valign": "top"})
        quoted = wb.add_format({**base, "valign": "top", "quote_prefix": True})
        for col, width in enumerate((15, 32, 45, 45, 9, 32)):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        # the form's title of the annex, printed above the table on every page: in the print header,
        # not in a cell, so that the rows an officer copies into the form are the table alone
        ws.set_header(f"&C{ANNEX_TITLE}")
        ws.set_footer("&C&P / &N")  # page numbers, as a printed annex has them
        for col, name in enumerate(COLUMNS):
            ws.write_string(0, col, name, head)
        for r, row in enumerate(_rows(batches), start=1):
            for col, value in enumerate(row.cells()):
                ws.write_string(r, col, value, quoted if neutralise(value) != value else body)
        if title:
            wb.set_properties({"title": title})
    return buf.getvalue()


def highlight(before: str, after: str) -> tuple[str, str]:
    """HTML of both texts with the changed characters marked: <del> in 変更前, <ins> in 変更後.

    A character-level diff (:mod:`piadiff.chardiff`), so it works for Japanese without word boundaries.
    """
    from markupsafe import escape

    from .chardiff import readable

    a, b = [], []
    for op, text in readable(before, after):
        t = str(escape(text)).replace("\n", "<br>")
        if op == 0:
            a.append(t)
            b.append(t)
        elif op < 0:
            a.append(f"<del>{t}</del>")
        else:
            b.append(f"<ins>{t}</ins>")
    return "".join(a), "".join(b)


def templates_dir() -> Path:
    """templates/ at the top of a checkout, or inside the installed package."""
    here = Path(__file__).parent
    for candidate in (here.parent / "templates", here / "templates"):
        if (candidate / "annex.html").is_file():
            return candidate
    raise FileNotFoundError("templates/annex.html")


def to_html(batches: list[Batch], title: str = "", note: str = "") -> str:
    """One self-contained page, printable on A4 landscape; every value escaped."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup, escape

    env = Environment(loader=FileSystemLoader(templates_dir()), autoescape=select_autoescape(["html"]))
    views = []
    for batch in batches:
        rows = []
        for r in batch.rows:
            if r.change == "changed" and r.prose:  # a choice (1万人以上10万人未満) is shown whole
                before, after = highlight(r.before, r.after)
            else:
                before, after = (str(escape(t)).replace("\n", "<br>") for t in (r.before, r.after))
            rows.append({"row": r, "before": Markup(before), "after": Markup(after)})
        views.append({"batch": batch, "rows": rows})
    return env.get_template("annex.html").render(title=title, batches=views, columns=COLUMNS, carried_over=CARRIED_OVER, note=note)
