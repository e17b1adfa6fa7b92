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

#: the six columns of the official (別添) 変更箇所 sheet
COLUMNS = ("変更日", "項目", "変更前の記載", "変更後の記載", "提出時期", "提出時期に係る説明")

FORMATS = ("table", "html", "xlsx", "csv", "json", "md")


def render(batches: list[Batch], fmt: str, title: str = "", width: int = 80) -> bytes:
    """``batches`` as ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "table":
        return to_table(batches, title, width).encode("utf-8")
    if fmt == "html":
        return to_html(batches, title).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(batches, title)
    if fmt == "csv":
        return to_csv(batches).encode("utf-8-sig")
    if fmt == "json":
        return to_json(batches, title).encode("utf-8")
    if fmt == "md":
        return to_markdown(batches, title).encode("utf-8")
    raise ValueError(fmt)


def _rows(batches: list[Batch]) -> list[AnnexRow]:
    return [r for b in batches for r in b.rows]


def to_table(batches: list[Batch], title: str = "", width: int = 80) -> str:
    """Blocks that read in an 80-column terminal, Japanese wrapped by display width."""
    out = [title, ""] if title else []
    n = 0
    for batch in batches:
        if batch.version == "既存":
            head = f"■ {batch.rows[0].date_text if batch.rows else ''}  （既存の変更箇所、記載のまま）"
        else:
            head = f"■ {batch.rows[0].date_text if batch.rows else batch.change_date.isoformat()}  {batch.previous} → {batch.version}"
        carried = sum(1 for row in batch.rows if row.carried_over)
        out.append(head + f"  {len(batch.rows)} 件" + (f"（うち {CARRIED_OVER} {carried} 件）" if carried else ""))
        if not batch.rows:
            out.append("  （変更なし）")
        for row in batch.rows:
            n += 1
            out.append("")
            carried_mark = f"〔{CARRIED_OVER}〕 " if row.carried_over else ""  # first, where wrapping cannot split it
            out += wrap(f"[{n}] {carried_mark}{row.item}", width)
            for label, text in (("変更前", row.before), ("変更後", row.after)):
                out += wrap(text, width, f"  {label}: ", " " * 10)
            mark = "※" if row.significant else ""
            who = "（担当者の判断）" if row.decided_by_person else ""
            out += wrap(f"{row.timing_text}{mark}{who}  {row.explanation}".rstrip(), width, "  提出時期: ", " " * 12)
            if row.violation:
                out += wrap(f"⚠ {row.violation}", width, "  ", "    ")
        for warning in batch.warnings:
            if "施行日" not in warning:
                out += [""] + wrap(f"⚠ {warning}", width, "", "  ")
        out.append("")
    if not batches:
        out.append("（版が一つしかないため、変更箇所はまだありません）")
    return "\n".join(out).rstrip("\n") + "\n"


def neutralise(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): a leading = + - @ tab or CR
    gets a ' in front. A lone 「-」 (the forms' own blank) is not a formula and stays as written."""
    if value and value[0] in "=+-@\t\r" and value.strip() != "-":
        return "'" + value
    return value


def to_csv(batches: list[Batch]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for row in _rows(batches):
        w.writerow([neutralise(c) for c in row.cells()])
    return buf.getvalue()


def to_json(batches: list[Batch], title: str = "") -> str:
    data = {
        "title": title,
        "columns": list(COLUMNS),
        "batches": [
            {"version": b.version, "previous": b.previous, "change_date": b.change_date.isoformat() if b.change_date else "",
             "warnings": b.warnings, "rows": [r.as_dict() for r in b.rows]}
            for b in batches
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_markdown(batches: list[Batch], title: str = "") -> str:
    cell = lambda t: t.replace("|", "\\|").replace("\n", "<br>")  # noqa: E731
    lines = [f"# {title}", ""] if title else []
    lines += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(c) for c in row.cells()) + " |" for row in _rows(batches)]
    return "\n".join(lines) + "\n"


def to_xlsx(batches: list[Batch], title: str = "") -> bytes:
    """The six columns of the official sheet, wrapped, A4 landscape: rows paste into the PPC form."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "変更箇所"
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap_top = Alignment(wrap_text=True, vertical="top")
    body = NamedStyle(name="変更箇所", alignment=wrap_top, border=border)
    wb.add_named_style(body)  # one style shared by every cell: setting it per cell is slow
    ws.append(list(COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="D9D9D9")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        c.border = border
    for r, row in enumerate(_rows(batches), start=2):
        for col, value in enumerate(row.cells(), start=1):
            c = ws.cell(row=r, column=col, value=neutralise(value))
            c.data_type = "s"  # always text: never a formula
            c.style = "変更箇所"
    for letter, w in zip("ABCDEF", (15, 32, 45, 45, 9, 32)):
        ws.column_dimensions[letter].width = w
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title:
        wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def highlight(before: str, after: str) -> tuple[str, str]:
    """HTML of both texts with the changed characters marked: <del> in 変更前, <ins> in 変更後.

    A character-level diff (diff-match-patch), so it works for Japanese without word boundaries.
    """
    from diff_match_patch import diff_match_patch
    from markupsafe import escape

    dmp = diff_match_patch()
    diffs = dmp.diff_main(before, after)
    dmp.diff_cleanupSemantic(diffs)
    a, b = [], []
    for op, text in diffs:
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


def to_html(batches: list[Batch], title: str = "") -> str:
    """One self-contained page, printable on A4 landscape; every value escaped."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup, escape

    env = Environment(loader=FileSystemLoader(templates_dir()), autoescape=select_autoescape(["html"]))
    views = []
    for batch in batches:
        rows = []
        for r in batch.rows:
            if r.change == "changed":
                before, after = highlight(r.before, r.after)
            else:
                before, after = (str(escape(t)).replace("\n", "<br>") for t in (r.before, r.after))
            rows.append({"row": r, "before": Markup(before), "after": Markup(after)})
        views.append({"batch": batch, "rows": rows})
    return env.get_template("annex.html").render(title=title, batches=views, columns=COLUMNS, carried_over=CARRIED_OVER)
