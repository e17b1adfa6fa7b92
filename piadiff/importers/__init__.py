"""Importers: published assessments (as text) to piadiff documents, with their annex rows.

Each importer returns an :class:`ImportResult`; :func:`import_text` picks the importer by the
shape of the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


def detect_format(text: str) -> str:
    """"tsv" for the tab-separated text with HTML fragments, "pdftext" for pdftotext output."""
    head = text[:20000]
    if "\t" in head and "<" in text and ("評価書番号\t" in head or "<p" in text or "<input" in text):
        return "tsv"
    return "pdftext"


def import_text(text: str, source: str) -> ImportResult:
    """A published assessment (its text) as a piadiff document, with its own annex rows."""
    from ..errors import InputError

    if "特定個人情報保護評価書" not in text[:5000]:
        raise InputError(f"{source}: 特定個人情報保護評価書ではないようです（先頭に「特定個人情報保護評価書」の表題がありません）")
    import re

    from ..catalog import UNSUPPORTED_KINDS, kind_name

    title = re.search(r"特定個人情報保護評価書\s*[(（]\s*(\S+?評価書)\s*[)）]", text[:5000])
    if title and kind_name(title.group(1)) in UNSUPPORTED_KINDS:
        raise InputError(f"{source}: {UNSUPPORTED_KINDS[kind_name(title.group(1))]}")
    # the annex heading stands twice: in the contents (項目一覧) and over the last table
    annex = [n for n, line in enumerate(text.splitlines(), start=1)
             if re.fullmatch(r"[\s　]*[(（]\s*別添\s*[0-9０-９]+\s*[)）][\s　]*変更箇所[\s　]*", line.split("\t")[0])]
    if len(annex) < 2:
        last = text.count("\n") + 1
        raise InputError(f"{source}:{last}: 途中で切れているようです（最後の「（別添）変更箇所」の表までありません）。"
                         "ファイル全体を書き出し直してください")
    fmt = detect_format(text)
    if fmt == "tsv":
        from .tsv import parse_tsv

        result = parse_tsv(text, source)
    else:
        from .pdftext import parse_pdf_text

        result = parse_pdf_text(text, source)
    result.format = fmt
    return result


def with_notes(result: ImportResult) -> dict[str, Any]:
    """The document with what could not be placed kept in its notes (注記), never dropped."""
    data = dict(result.data)
    if result.unplaced:
        lines = ["取り込み時に様式の項目に置けなかった記載（行番号: 場所: 内容）:"]
        lines += [f"{u.line}: {u.where}: {u.text}" for u in result.unplaced]
        data["注記"] = "\n".join(lines)
    return data
