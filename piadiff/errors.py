"""One family of errors, each carrying a message for the user (in Japanese).

The CLI prints the message on one line and exits 1; anything else that escapes is a bug.
"""

from __future__ import annotations


class PiadiffError(Exception):
    """An error the user can fix; ``str(err)`` says what is wrong and what to do."""


class InputError(PiadiffError):
    """A file could not be read or parsed."""


class UnknownFormError(PiadiffError):
    """The document names a form kind piadiff has no catalog for."""


class ValidationError(PiadiffError):
    """A document does not fit its catalog. Holds every problem found, not just the first."""

    def __init__(self, source: str, problems: list["Problem"]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} 件の問題があります")

    def lines(self) -> list[str]:
        return [p.format(self.source) for p in self.problems]


class StoreError(PiadiffError):
    """The store is missing, is not a piadiff store, or cannot be written."""


class StoreDamagedError(StoreError):
    """git objects of the store are missing or damaged."""


class NotFoundError(PiadiffError):
    """An assessment or a version that the store does not hold."""


class Problem:
    """One problem in a document: where (item path, line) and what."""

    __slots__ = ("path", "message", "line")

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path, self.message, self.line = path, message, line

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"Problem({self.path!r}, {self.message!r}, line={self.line})"
