"""A published assessment as the PDF officers have: its text, as poppler's pdftotext extracts it.

pdftotext runs in the mode :mod:`piadiff.importers.pdftext` reads (no ``-layout``: text blocks in
reading order, UTF-8). Its page ends (form feeds) become two blank lines, which the pdftotext
importer takes for a page break; so every line number in a message is a line of that text, and
messages name it as such (``評価書.pdf（PDFから取り出したテキスト）:123``).

The annex of changes is read a second time, from where its words stand on the pages
(``pdftotext -bbox-layout``, :mod:`piadiff.importers.annex_pdfbox`): the text cannot always tell
the table's cells apart, the positions can. Its rows name the lines of the same text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ..errors import InputError

#: refuse larger files: a published assessment is a few MB even with images of its 別添
MAX_PDF_BYTES = 100 * 1024 * 1024
#: pdftotext reads a 100-page assessment in about a second; a PDF that takes this long is broken
TIMEOUT_SECONDS = 120
#: the PDF header may stand after some junk, but within the first 1024 bytes (PDF 32000-1, 7.5.2)
_MAGIC = b"%PDF-"
_HEAD = 1024
#: pdftotext's exit status when the document forbids copying its text (older poppler checks it)
_NOT_ALLOWED = 3
#: how messages name the text a PDF gave
TEXT_OF_PDF = "（PDFから取り出したテキスト）"

INSTALL_HINT = ("poppler の pdftotext が必要です。インストールしてください（Debian/Ubuntu: sudo apt install poppler-utils、"
                "macOS: brew install poppler、Windows: poppler の Windows 版の bin フォルダを PATH に追加するか "
                "conda install -c conda-forge poppler）")


def is_pdf(path: Path) -> bool:
    """Whether ``path`` is meant as a PDF: by its name, or by its first bytes whatever its name."""
    if path.suffix.lower() == ".pdf":
        return True
    try:
        with path.open("rb") as f:
            return _MAGIC in f.read(_HEAD)
    except OSError:
        return False  # the text reader reports a missing or unreadable file


def read_published(path: Path) -> tuple[str, str, Any]:
    """A published assessment's text, the name its messages use, and (for a PDF) its annex table
    read by where the words stand (None where there is none): ``import_text(*read_published(p))``."""
    if not is_pdf(path):
        from ..load import decode, read_bytes

        return decode(read_bytes(path), str(path)), str(path), None
    text = pdf_text(path)
    return text, f"{path}{TEXT_OF_PDF}", _read_table(path, text)


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext (no -layout) writes it, page ends as two blank lines."""
    _check_file(path)
    exe = shutil.which("pdftotext")
    if exe is None:
        raise InputError(f"{path}: PDF を読むには {INSTALL_HINT}")
    try:
        done = subprocess.run([exe, "-enc", "UTF-8", "-eol", "unix", str(path), "-"], capture_output=True,
                              timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL, env=_c_locale())
    except subprocess.TimeoutExpired:
        raise InputError(f"{path}: pdftotext が {TIMEOUT_SECONDS} 秒で終わらないため中止しました（PDF が壊れているかもしれません）") from None
    except OSError as e:
        raise InputError(f"{path}: pdftotext を実行できません（{e.strerror}）。{INSTALL_HINT}") from None
    if done.returncode != 0:
        raise InputError(f"{path}: {_failure(done.returncode, done.stderr.decode('utf-8', 'replace'))}")
    text = done.stdout.decode("utf-8", "replace")
    if not text.replace("\f", "").strip():
        raise InputError(f"{path}: PDF に文字がありません（紙を読み取った画像だけの PDF かもしれません）。"
                         "文字を含む PDF か、公表された評価書のテキストを指定してください")
    # a form feed ends each page; as blank lines the page break reads as in the seeds, and every
    # program counts the lines alike (str.splitlines would count a form feed as a line of its own)
    return text.replace("\f", "\n\n")


def _read_table(path: Path, text: str) -> Any:
    """The annex of changes read by where its words stand (an annex_pdfbox.BoxTable), or None.

    The text alone often cannot tell a table's cells apart (see annex_pdfbox); when this reading
    fails, the import reads the annex from the text as it can.
    """
    from .annex_pdfbox import read_boxes

    exe = shutil.which("pdftotext")
    try:
        done = subprocess.run([exe or "pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                              timeout=TIMEOUT_SECONDS, stdin=subprocess.DEVNULL, env=_c_locale())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return read_boxes(done.stdout.decode("utf-8", "replace"), text) if done.returncode == 0 else None


def _check_file(path: Path) -> None:
    from ..load import read_bytes

    head = read_bytes(path, MAX_PDF_BYTES, head=_HEAD)
    if _MAGIC not in head:
        raise InputError(f"{path}: PDF ではありません（ファイルの先頭に PDF の印「%PDF-」がありません）。"
                         "テキストなら拡張子を .txt にしてください")


def _failure(code: int, stderr: str) -> str:
    """What pdftotext's failure means for the officer (its messages are in English)."""
    said = " ".join(stderr.split())
    if "password" in said.lower():
        return "パスワードで保護（暗号化）された PDF のため読めません。保護を外した PDF を指定してください"
    if code == _NOT_ALLOWED:
        return "文字のコピーが禁止された PDF のため読めません。制限のない PDF を指定してください"
    last = stderr.strip().splitlines()[-1] if stderr.strip() else f"終了コード {code}"
    return f"PDF として読めません（壊れているかもしれません）: pdftotext: {last}"


def _c_locale() -> dict[str, str]:
    # pdftotext's own messages in English whatever the user's locale, so that _failure reads them
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}
