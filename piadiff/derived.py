"""What piadiff derives from recorded versions, kept between runs so that each batch is judged once.

Each version's batch of the annex and the habits learnt up to it depend only on that version's
content, the versions before it, the officers' decisions, the store's settings and piadiff's own
code and rules. Their hash is the key: a version recorded later, a decision taken, a setting or an
upgrade of piadiff gives new keys, so nothing stale is ever read. The cache lives inside the git
directory, never in the history; deleting it loses nothing, and a file that cannot be read or does
not have the expected shape counts as absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

FOLDER = "piadiff-cache"
#: the most the cache keeps; past it the entries read longest ago go (an upgrade, a changed setting or
#: decision leaves entries no key will name again)
MAX_BYTES = 256 * 2**20
#: one put in this many (by key) looks at the size: a put stays cheap
_PRUNE_EVERY = 16
#: raise when the shape of what is kept changes
FORMAT = 1


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the code, rules and catalogs that turn versions into annex rows: what piadiff
    derives changes when they change (the importers and the examples do not take part)."""
    root = Path(__file__).parent
    h = hashlib.sha256(str(FORMAT).encode())
    for path in sorted([*root.glob("*.py"), *root.glob("rules/*.yaml"), *root.glob("catalogs/*.yaml")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def key(*parts: Any) -> str:
    """A content key of plain data (JSON-able)."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DerivedCache:
    """Content-keyed JSON values (zlib-compressed) in ``<git dir>/piadiff-cache``; a no-op where that
    cannot be written."""

    def __init__(self, git_dir: str | Path | None):
        self.root = Path(git_dir) / FOLDER if git_dir else None

    def _path(self, k: str) -> Path | None:
        if self.root is None or len(k) != 64 or not all(c in "0123456789abcdef" for c in k):
            return None
        return self.root / k[:2] / f"{k[2:]}.json.z"

    def get(self, k: str) -> dict[str, Any] | None:
        path = self._path(k)
        if path is None:
            return None
        try:
            value = json.loads(zlib.decompress(path.read_bytes()).decode("utf-8"))
        except (OSError, ValueError, zlib.error):
            return None
        if not (isinstance(value, dict) and value.get("key") == k):
            return None
        try:
            os.utime(path)  # read now: kept longest when the cache is pruned
        except OSError:
            pass
        return value

    def put(self, k: str, value: dict[str, Any]) -> None:
        """Keep ``value`` under ``k``: written whole or not at all (a half-written file is never read)."""
        path = self._path(k)
        if path is None:
            return
        data = zlib.compress(json.dumps({**value, "key": k}, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 1)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
            if int(k[-1], 16) % _PRUNE_EVERY == 0:
                self.prune()
        except OSError:
            # a read-only store still answers, only without keeping what it derived
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def prune(self, max_bytes: int = MAX_BYTES) -> int:
        """Remove the entries read longest ago until the cache holds at most ``max_bytes``; how many went."""
        if self.root is None or not self.root.is_dir():
            return 0
        entries = []
        for path in self.root.glob("*/*.json.z"):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        return removed
