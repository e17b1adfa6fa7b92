"""Check a store: git's own integrity check, then every version of every assessment read back,
validated against its catalog, and compared with its canonical form and recorded hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .errors import PiadiffError


@dataclass(frozen=True)
class Finding:
    where: str  # "git", or "ID v3", or a file of the store
    problem: str


@dataclass(frozen=True)
class FsckReport:
    assessments: int
    versions: int
    findings: list[Finding]
    leftovers: list[str] = field(default_factory=list)  # damaged objects nothing refers to

    @property
    def ok(self) -> bool:
        return not self.findings


def git_fsck(path) -> list[Finding]:
    """git's own check alone, for a store too damaged to open."""
    return [Finding("git", l) for l in _git_fsck_lines(path)]


def _git_fsck_lines(path) -> list[str]:
    """What ``git fsck --strict`` finds, one problem a line, as git wrote it (nothing dropped but
    its progress and dangling objects)."""
    import subprocess

    done = subprocess.run(["git", "fsck", "--strict", "--no-progress"], cwd=path, capture_output=True)
    text = (done.stdout + b"\n" + done.stderr).decode("utf-8", errors="replace")
    lines = [l.strip() for l in text.splitlines()
             if l.strip() and not l.startswith(("dangling", "Checking", "notice"))]
    if done.returncode and not lines:
        lines = [f"git fsck が失敗しました（終了コード {done.returncode}）"]
    return lines


def fsck(store, tick: Callable[[], None] | None = None) -> FsckReport:
    """Everything wrong with the store (an empty list of findings when all is well)."""
    import json

    from .canonical import content_hash
    from .document import normalize
    from .errors import ValidationError
    from .store import _read_errors, git_problem

    findings: list[Finding] = []
    git_lines = _git_fsck_lines(store.path)
    leftovers = _unreferenced(store, git_lines)
    findings += [Finding("git", l) for l in git_lines if not any(sha in l for sha in leftovers)]
    try:
        ids = store.assessment_ids()
    except PiadiffError as e:
        findings.append(Finding("git", f"評価書の一覧を読めません: {_said(e)}"))
        ids = []
    except _read_errors() as e:
        findings.append(Finding("git", f"評価書の一覧を読めません: {git_problem(e)}"))
        ids = []
    versions = 0
    for aid in ids:
        try:
            revs = store.revisions(aid)
        except PiadiffError as e:  # names the commit whose metadata cannot be read
            findings.append(Finding(aid, f"版の一覧を読めません: {_said(e)}"))
            continue
        except _read_errors() as e:
            findings.append(Finding(aid, f"版の一覧を読めません: {git_problem(e)}"))
            continue
        labels = [r.label for r in revs]
        if labels != [f"v{i}" for i in range(1, len(revs) + 1)]:
            findings.append(Finding(aid, f"版の番号が続いていません: {', '.join(labels)}"))
        for rev in revs:
            versions += 1
            where = f"{aid} {rev.label}"
            try:
                data = store.read_bytes(rev)
                doc = normalize(json.loads(data.decode("utf-8")), where)
                if doc.canonical_bytes() != data:
                    findings.append(Finding(where, "正規化した形と記録されたバイト列が違います"))
                if content_hash(doc.data) != rev.content_hash:
                    findings.append(Finding(where, f"内容のハッシュが記録と違います（記録 {rev.content_hash[:20]}…）"))
            except ValidationError as e:
                findings.append(Finding(where, f"様式に合いません: {e.lines()[0]}"))
            except (ValueError, UnicodeDecodeError, PiadiffError) as e:
                findings.append(Finding(where, f"読めません: {_said(e)}"))
            if tick:
                tick()
    for folder in ("decisions", "legacy"):
        for aid in ids:
            try:
                import yaml

                data = store.read_file(f"{folder}/{aid}.yaml")
                if data is None:
                    continue
                yaml.safe_load(data.decode("utf-8"))
                if folder == "decisions":
                    from .decisions import check_decisions

                    findings += [Finding(f"{folder}/{aid}.yaml", p) for p in check_decisions(data)]
            except Exception as e:  # noqa: BLE001
                findings.append(Finding(f"{folder}/{aid}.yaml", f"読めません: {e}"))
    return FsckReport(len(ids), versions, findings, sorted(leftovers))


def _said(error: Exception) -> str:
    """An error's message as a finding of fsck: without its advice to run fsck."""
    return str(error).replace("piadiff fsck で点検し、", "").replace("。piadiff fsck で点検してください", "")


def _unreferenced(store, lines: list[str]) -> set[str]:
    """Objects git complains about that no branch, tag or reflog reaches: what a killed process
    was writing when it stopped. They are not part of any recorded version."""
    named = {m for line in lines for m in re.findall(r"\b[0-9a-f]{40}\b", line)}
    if not named:
        return set()
    from .store import _git

    try:
        reachable = set(store.repo.git.rev_list("--objects", "--all", "--reflog").split())
    except _git().GitCommandError:  # the history itself cannot be walked: every complaint counts
        return set()
    return {sha for sha in named if sha not in reachable}
