"""Check a store: git's own integrity check, then every version of every assessment read back,
validated against its catalog, and compared with its canonical form and recorded hash.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    @property
    def ok(self) -> bool:
        return not self.findings


def git_fsck(path) -> list[Finding]:
    """git's own check alone, for a store too damaged to open."""
    import subprocess

    done = subprocess.run(["git", "fsck", "--strict", "--no-progress"], cwd=path, capture_output=True, text=True)
    lines = [l.strip() for l in (done.stdout + done.stderr).splitlines()
             if l.strip() and not l.startswith(("dangling", "Checking", "notice"))]
    if done.returncode and not lines:
        lines = [f"git fsck が失敗しました（終了コード {done.returncode}）"]
    return [Finding("git", l) for l in lines]


def fsck(store, tick: Callable[[], None] | None = None) -> FsckReport:
    """Everything wrong with the store (an empty list of findings when all is well)."""
    import json

    from .canonical import content_hash
    from .document import normalize
    from .errors import ValidationError
    from .store import _git

    git = _git()
    findings: list[Finding] = []
    try:
        out = store.repo.git.fsck("--strict", "--no-progress", with_extended_output=True)
        for line in (out[1] + "\n" + out[2]).splitlines():
            if line.strip() and not line.startswith(("dangling", "Checking", "notice")):
                findings.append(Finding("git", line.strip()))
    except git.GitCommandError as e:
        findings.append(Finding("git", (e.stderr or str(e)).strip().splitlines()[-1]))
    try:
        ids = store.assessment_ids()
    except (ValueError, OSError, PiadiffError) as e:
        findings.append(Finding("git", f"評価書の一覧を読めません: {str(e)[:120]}"))
        ids = []
    versions = 0
    for aid in ids:
        try:
            revs = store.revisions(aid)
        except (ValueError, OSError, git.GitCommandError) as e:
            findings.append(Finding(aid, f"版の一覧を読めません: {str(e)[:120]}"))
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
                findings.append(Finding(where, f"読めません: {e}"))
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
            except Exception as e:  # noqa: BLE001
                findings.append(Finding(f"{folder}/{aid}.yaml", f"読めません: {e}"))
    return FsckReport(len(ids), versions, findings)
