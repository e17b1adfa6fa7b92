"""The store's read path through the git command itself: the branch's commit, objects, the log.

A read-only command (log, show, changes, annex) needs a few reads, and importing GitPython costs
more than all of them together; so reads go through ``git`` directly — one long-running
``git cat-file --batch`` per store — and GitPython is imported only to write (store.py).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{40}")

#: git's variables that would point a command at another repository, index or object folder than the
#: store's own: a store is read as the folder it is, whatever the shell around it has set
_REDIRECTING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                "GIT_NAMESPACE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM")


class GitFailed(Exception):
    """A git command ended with an error (or could not be started)."""

    def __init__(self, command: str, status: int, stderr: str):
        super().__init__(f"git {command}: {stderr.strip() or status}")
        self.command, self.status, self.stderr = command, status, stderr


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _REDIRECTING}


def run(cwd: Path, *args: str) -> bytes:
    """``git args`` in ``cwd``: its standard output, or :class:`GitFailed`."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, env=environment(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as e:  # no git executable
        raise GitFailed(args[0], -1, f"git を実行できません（{e.strerror or e}）") from None
    if done.returncode:
        raise GitFailed(args[0], done.returncode, done.stderr.decode("utf-8", errors="replace"))
    return done.stdout


def git_dir(worktree: Path) -> Path | None:
    """The git folder of a store folder: ``.git`` (or where a ``.git`` file points), the folder itself
    when it is a bare repository; None when it is not a git repository."""
    dot = worktree / ".git"
    if dot.is_dir():
        return dot
    if dot.is_file():
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:"):].strip())
            return target if target.is_absolute() else worktree / target
        return None
    if (worktree / "HEAD").is_file() and (worktree / "objects").is_dir() and (worktree / "refs").is_dir():
        return worktree  # bare
    return None


def head_commit(gitdir: Path, worktree: Path) -> str | None:
    """The commit HEAD's branch points at, read from git's files as git itself does (a loose ref, then
    packed-refs); None on a branch with no commit yet. Anything else asks ``git rev-parse``."""
    try:
        head = (gitdir / "HEAD").read_text(encoding="utf-8").strip()
        if _SHA.fullmatch(head):
            return head  # detached
        if head.startswith("ref: refs/") and not (gitdir / "reftable").exists():
            ref = head[len("ref: "):]
            loose = gitdir / ref
            if loose.is_file():
                sha = loose.read_text(encoding="utf-8").strip()
                if _SHA.fullmatch(sha):
                    return sha
            else:
                packed = gitdir / "packed-refs"
                if not packed.exists():
                    return None  # unborn
                for line in packed.read_text(encoding="utf-8").splitlines():
                    if line.endswith(f" {ref}") and _SHA.fullmatch(line[:40]):
                        return line[:40]
                return None
    except (OSError, UnicodeDecodeError):
        pass
    try:
        out = run(worktree, "rev-parse", "-q", "--verify", "HEAD^{commit}").decode("ascii", errors="replace").strip()
    except GitFailed:
        return None
    return out if _SHA.fullmatch(out) else None


class ObjectReader:
    """One ``git cat-file --batch`` process, started at the first read: objects by name (a sha,
    ``<commit>:<path>``). A missing object is None; a damaged one, :class:`GitFailed`."""

    def __init__(self, worktree: Path):
        self.worktree = worktree
        self._proc: subprocess.Popen | None = None

    def read(self, name: str) -> tuple[str, bytes] | None:
        """(type, content) of the object ``name``, or None if there is none."""
        if "\n" in name:
            raise ValueError("object names hold no line break")
        proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name.encode("utf-8") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except OSError:
            header = b""
        if not header:  # git stopped: a damaged object makes cat-file die
            raise self._failed()
        fields = header.decode("utf-8", errors="replace").split()
        if len(fields) >= 2 and fields[-1] in ("missing", "ambiguous"):
            return None
        if len(fields) != 3 or not _SHA.fullmatch(fields[0]):
            raise self._failed(header.decode("utf-8", errors="replace"))
        size = int(fields[2])
        data = proc.stdout.read(size + 1)  # the content and its closing newline
        if len(data) != size + 1:
            raise self._failed()
        return fields[1], data[:size]

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()
            proc.wait()

    def _start(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            try:
                self._proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.worktree, env=environment(),
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            except OSError as e:
                raise GitFailed("cat-file", -1, f"git を実行できません（{e.strerror or e}）") from None
        return self._proc

    def _failed(self, said: str = "") -> GitFailed:
        proc, self._proc = self._proc, None
        stderr = said
        status = -1
        if proc is not None:
            try:
                proc.kill()
                _, err = proc.communicate(timeout=5)
                stderr = err.decode("utf-8", errors="replace") or said
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
            status = proc.returncode if proc.returncode is not None else -1
        return GitFailed("cat-file", status, stderr)


def tree_names(data: bytes) -> list[str]:
    """The entry names of a raw git tree object (``<mode> <name>\\0<20-byte id>`` each)."""
    names, i = [], 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        names.append(data[space + 1:nul].decode("utf-8", errors="surrogateescape"))
        i = nul + 21
    return names
