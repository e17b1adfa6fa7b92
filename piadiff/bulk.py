"""Many documents at once: a folder recorded or imported file by file.

One bad file never stops the others and records nothing for itself: each file is read and checked
completely before its version is written, and each version is its own commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .errors import PiadiffError, ValidationError

DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")  # .xlsx: the workbook of piadiff new/show -o
PUBLISHED_SUFFIXES = (".txt", ".tsv", ".pdf")


@dataclass(frozen=True)
class Outcome:
    file: Path
    status: str  # recorded / unchanged / failed
    message: str


def files_in(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of ``folder`` (and its subfolders) with one of ``suffixes``, in name order."""
    if not folder.is_dir():
        raise PiadiffError(f"{folder}: フォルダがありません")
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    if not found:
        raise PiadiffError(f"{folder}: {' / '.join(suffixes)} のファイルがありません")
    return sorted(found)


def _why(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.lines()[0] if error.problems else ""
        more = f"（ほか {len(error.problems) - 1} 件）" if len(error.problems) > 1 else ""
        return f"{error}: {first}{more}"
    if isinstance(error, PiadiffError):
        return str(error)
    return f"予期しない誤り（不具合の可能性があります）: {type(error).__name__}: {error}"


def record_files(store, files: Iterable[Path], *, message: str | None = None, author: str | None = None,
                 same_date: bool = False, tick: Callable[[], None] | None = None) -> list[Outcome]:
    """Record each document file as the next version of its assessment. A file equal to a version
    already recorded (recording the same folder twice) is reported as unchanged, not recorded."""
    from .document import load_document

    out = []
    with store.bulk():
        for f in files:
            try:
                result = store.record(load_document(f), message=message, author=author, same_date=same_date)
                rev = result.revision
                same = "" if result.recorded else "（最新版と同じ）" if result.same_as_latest else "（記録済みの版と同じ）"
                out.append(Outcome(f, "recorded" if result.recorded else "unchanged", f"{rev.assessment_id} {rev.label}{same}"))
            except Exception as e:  # noqa: BLE001 - one bad file must not stop the others
                out.append(Outcome(f, "failed", _why(e)))
            if tick:
                tick()
    store.optimize()
    return out


def import_files(store, files: Iterable[Path], *, with_history: bool = False, author: str | None = None,
                 tick: Callable[[], None] | None = None) -> list[Outcome]:
    """Import and record each published assessment."""
    from .importers import import_text, imported_document
    from .imports import record_import
    from .importers.pdf import read_published

    out = []
    with store.bulk():
        for f in files:
            try:
                result = import_text(*read_published(f))
                doc = imported_document(result, str(f))
                report = record_import(store, doc, result.legacy_rows, with_history=with_history, author=author)
                out.append(Outcome(f, "recorded", report[0]))
            except Exception as e:  # noqa: BLE001
                out.append(Outcome(f, "failed", _why(e)))
            if tick:
                tick()
    store.optimize()
    return out


def summary(outcomes: list[Outcome]) -> list[str]:
    count = {s: sum(o.status == s for o in outcomes) for s in ("recorded", "unchanged", "failed")}
    lines = [f"記録 {count['recorded']} 件 / 変更なし {count['unchanged']} 件 / 失敗 {count['failed']} 件"]
    lines += [f"  失敗 {o.file}: {o.message}" for o in outcomes if o.status == "failed"]
    return lines
