"""Importers: published assessments (as text) to piadiff documents, with their annex rows.

Each importer returns an :class:`ImportResult`; :func:`import_text` picks the importer by the
shape of the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
import unicodedata
from typing import Any


@dataclass
class Unplaced:
    """Text of the published document that could not be put on a catalog item."""

    line: int  # 1-based line of the source text
    where: str  # the section / label it was found under
    text: str


@dataclass
class ImportResult:
    kind: str  # 全項目評価書 / 重点項目評価書
    data: dict[str, Any]  # the document in piadiff's format (passes piadiff.document.normalize)
    legacy_rows: list[dict[str, Any]] = field(default_factory=list)  # the document's own 変更箇所 rows
    unplaced: list[Unplaced] = field(default_factory=list)
    format: str = ""  # "tsv" or "pdftext"
    account: Any = None  # :class:`piadiff.importers.account.Account`: what became of every line


def detect_format(text: str) -> str:
    """"tsv" for the tab-separated text with HTML fragments, "pdftext" for pdftotext output."""
    head = text[:20000]
    if "\t" in head and "<" in text and ("評価書番号\t" in head or "<p" in text or "<input" in text):
        return "tsv"
    return "pdftext"


_TITLE = re.compile(r"特定個人情報保護評価書\s*[(（]\s*([^()（）\n]+?評価書)\s*[)）]")
_ANNEX_HEADING = re.compile(r"[\s　]*[(（]\s*別添\s*[0-9０-９]+\s*[)）][\s　]*変更箇所[\s　]*")


def detect_kind(text: str, source: str) -> str:
    """The form kind: the one the title names, or else the one whose section headings the body holds.

    A publication may lack its cover (the title with it), so the body decides: each catalog's
    top-level headings (Ⅰ 基本情報 … Ⅵ 評価実施手続) are looked for at the starts of lines, and the
    catalog with the larger share found wins.
    """
    from ..catalog import CATALOG_FILES, UNSUPPORTED_KINDS, fold, kind_name, load_catalog
    from ..errors import InputError

    title = _TITLE.search(text[:8000])
    if title:
        name = kind_name(unicodedata.normalize("NFKC", title.group(1)).strip())
        if name in UNSUPPORTED_KINDS:
            raise InputError(f"{source}:{text[:title.start()].count(chr(10)) + 1}: {UNSUPPORTED_KINDS[name]}")
        if name in CATALOG_FILES:
            return name
    starts = {fold(line.split("\t")[0].replace("<p>", ""))[:40] for line in text.splitlines() if line.strip()}
    best, best_share = "", 0.0
    for kind in CATALOG_FILES:
        heads = [fold(re.sub(r"^[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩIVX]+\s*|^[(（]別添\d[)）]\s*", "", unicodedata.normalize("NFKC", c.key)))
                 for c in load_catalog(kind).root.children]
        found = sum(1 for h in heads if any(h and h in s for s in starts))
        share = found / len(heads)
        if share > best_share:
            best, best_share = kind, share
    if best_share < 0.5:
        first = next((n for n, line in enumerate(text.splitlines(), start=1) if line.strip()), 1)
        raise InputError(f"{source}:{first}: 特定個人情報保護評価書ではないようです（表題がなく、様式の見出し"
                         "「Ⅰ 基本情報」「Ⅱ 特定個人情報ファイルの概要」なども見つかりません）。公表された評価書のテキストか PDF を指定してください")
    return best


def import_text(text: str, source: str, annex_table: Any = None) -> ImportResult:
    """A published assessment (its text) as a piadiff document, with its own annex rows.

    ``annex_table`` is the annex a PDF's word positions gave (:func:`piadiff.importers.pdf.read_published`).
    """
    from ..errors import InputError

    kind = detect_kind(text, source)
    # the annex heading stands twice: in the contents (項目一覧) and over the last table; in a
    # publication without its cover and contents, once
    annex = [n for n, line in enumerate(text.splitlines(), start=1) if _ANNEX_HEADING.fullmatch(line.split("\t")[0])]
    if len(annex) < (2 if "項目一覧" in text else 1):
        last = text.count("\n") + 1
        raise InputError(f"{source}:{last}: 途中で切れているようです（最後の「（別添）変更箇所」の表までありません）。"
                         "ファイル全体を書き出し直してください")
    fmt = detect_format(text)
    if fmt == "tsv":
        from .tsv import parse_tsv

        result = parse_tsv(text, source, kind)
    else:
        from .pdftext import parse_pdf_text

        result = parse_pdf_text(text, source, kind, annex_table)
    result.format = fmt
    from ..catalog import load_catalog
    from .account import settle

    result.account = settle(text, result, load_catalog(kind))
    return result


def imported_document(result: ImportResult, source: str, cover: dict[str, str] | None = None):
    """The imported document, checked against its form, with unplaced text kept in 注記.

    ``cover`` supplies cover items the publication lacks (a publication without its cover page);
    what is still missing is named in the error, with the option that supplies it.
    """
    from ..catalog import load_catalog
    from ..document import COVER_KEY, normalize
    from ..errors import InputError

    data = with_notes(result)
    catalog = load_catalog(result.kind)
    given = dict(cover or {})
    unknown = [k for k in given if catalog.cover.child(k) is None]
    if unknown:
        allowed = "、".join(c.key for c in catalog.cover.children)
        raise InputError(f"--cover の「{unknown[0]}」は表紙の項目ではありません（表紙の項目: {allowed}）")
    data[COVER_KEY] = {**data.get(COVER_KEY, {}), **given}
    missing = [c.key for c in catalog.cover.children if c.required and not data[COVER_KEY].get(c.key)]
    if missing:
        options = " ".join(f"--cover {k}=…" for k in missing)
        raise InputError(f"{source}: 表紙の「{'」「'.join(missing)}」が読み取れません（表紙のページがないようです）。"
                         f"{options} で補ってください")
    return normalize(data, source)


def with_notes(result: ImportResult) -> dict[str, Any]:
    """The document with what could not be placed kept in its notes (注記), never dropped."""
    data = dict(result.data)
    if result.unplaced:
        lines = ["取り込み時に様式の項目に置けなかった記載（行番号: 場所: 内容）:"]
        lines += [f"{u.line}: {u.where}: {u.text}" for u in result.unplaced]
        data["注記"] = "\n".join(lines)
    return data
