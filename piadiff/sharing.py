"""Several officers, one store: git remotes, push and pull.

The store is a plain git repository, so sharing is git's: ``git push`` / ``git pull`` work too.
``piadiff pull`` adds what git cannot know: versions are numbered per assessment. When both sides
recorded versions, the local ones that the other side has not seen are written again on top of
the other side's history (their versions keep their numbers, ours get the next ones), so numbers
stay unique and nothing is lost. When both sides recorded the same assessment, pull stops and
names both versions; ``--next mine`` or ``--next theirs`` says which one becomes the latest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .document import Document
from .errors import PiadiffError, StoreError
from .store import ASSESSMENTS, Revision, Store, _commit_message, _git, _parse_commit


@dataclass(frozen=True)
class PullResult:
    status: str  # up-to-date / fast-forward / replayed
    received: int  # commits received
    replayed: list[str]  # our versions written again on top ("id v4")
    conflicts: list[str]  # assessments both sides recorded


def add_remote(store: Store, name: str, url: str) -> None:
    git = _git()
    if name in [r.name for r in store.repo.remotes]:
        raise PiadiffError(f"共有先「{name}」は既にあります（{store.repo.remotes[name].url}）")
    try:
        store.repo.create_remote(name, url)
    except git.GitCommandError as e:
        raise StoreError(f"共有先を追加できません: {e.stderr.strip()}") from None


def remotes(store: Store) -> list[tuple[str, str]]:
    return [(r.name, r.url) for r in store.repo.remotes]


def _remote(store: Store, name: str):
    if name not in [r.name for r in store.repo.remotes]:
        have = "、".join(r.name for r in store.repo.remotes) or "なし"
        raise PiadiffError(f"共有先「{name}」はありません（あるもの: {have}）。piadiff remote add {name} URL で追加してください")
    return store.repo.remotes[name]


def push(store: Store, name: str = "origin") -> str:
    """Send the recorded versions to the remote."""
    git = _git()
    _remote(store, name)
    branch = store.repo.head.reference.name
    try:
        store.repo.git.push(name, f"{branch}:{branch}")
    except git.GitCommandError as e:
        if "rejected" in e.stderr or "fetch first" in e.stderr or "non-fast-forward" in e.stderr:
            raise StoreError(f"共有先「{name}」に、まだ取り込んでいない版があります。先に piadiff pull {name} を実行してください") from None
        raise StoreError(f"共有先「{name}」に送れません: {e.stderr.strip().splitlines()[-1] if e.stderr.strip() else e}") from None
    return branch


def _changed(store: Store, base: str, tip: str) -> dict[str, list[str]]:
    """path → commits (oldest first) that changed it between base and tip."""
    # quotepath off: file names come as they are (a clone made by plain git quotes Japanese names)
    out = store.repo.git(c="core.quotepath=off").log("--reverse", "--format=%x1e%H", "--name-only", f"{base}..{tip}")
    changed: dict[str, list[str]] = {}
    for chunk in out.split("\x1e"):
        lines = [l for l in chunk.strip().splitlines() if l.strip()]
        if lines:
            for path in lines[1:]:
                changed.setdefault(path, []).append(lines[0])
    return changed


def _revision_of(store: Store, sha: str) -> Revision | None:
    c = store.repo.commit(sha)
    return _parse_commit(sha, c.author.name, c.authored_datetime.isoformat(), c.message)


def pull(store: Store, name: str = "origin", next_: str | None = None) -> PullResult:
    """Bring in the remote's versions; see the module's description."""
    git = _git()
    _remote(store, name)
    branch = store.repo.head.reference.name
    try:
        store.repo.git.fetch(name, branch)
    except git.GitCommandError as e:
        raise StoreError(f"共有先「{name}」から受け取れません: {e.stderr.strip().splitlines()[-1] if e.stderr.strip() else e}") from None
    ours = store._head_sha()
    theirs = store.repo.git.rev_parse(f"refs/remotes/{name}/{branch}")
    base = store.repo.git.merge_base(ours, theirs)
    if base == theirs:
        return PullResult("up-to-date", 0, [], [])
    received = int(store.repo.git.rev_list("--count", f"{ours}..{theirs}"))
    if base == ours:
        try:
            store.repo.git.update_index("-q", "--refresh")
        except git.GitCommandError:
            pass
        store.repo.git.merge("--ff-only", theirs)
        return PullResult("fast-forward", received, [], [])

    mine, other = _changed(store, base, ours), _changed(store, base, theirs)
    clash = sorted(p for p in mine if p in other and p.startswith(f"{ASSESSMENTS}/"))
    if clash and next_ not in ("mine", "theirs"):
        lines = []
        for path in clash:
            a, b = _revision_of(store, mine[path][-1]), _revision_of(store, other[path][-1])
            lines.append(f"{a.assessment_id}: こちらの {a.label}（{a.change_date_wareki}、{a.author}、{a.commit[:8]}）と"
                         f"共有先の {b.label}（{b.change_date_wareki}、{b.author}、{b.commit[:8]}）")
        raise StoreError("同じ評価書が両方で記録されています: " + "; ".join(lines) +
                         f"。どちらも残します。どちらを最新にするか選んで piadiff pull {name} --next mine（こちらを最新に）"
                         f" か --next theirs（共有先を最新に）を実行してください")

    # write our commits again on top of theirs, as objects first; the branch moves once at the end
    actor_git = git
    tip = theirs
    replayed = []
    for sha in store.repo.git.rev_list("--reverse", "--first-parent", f"{base}..{ours}").split():
        commit = store.repo.commit(sha)
        paths = [p for p, shas in mine.items() if sha in shas]
        rev = _parse_commit(sha, commit.author.name, commit.authored_datetime.isoformat(), commit.message)
        actor = actor_git.Actor(commit.author.name, commit.author.email or "")
        files = {p: store._blob_at(sha, p) for p in paths}
        files = {p: d for p, d in files.items() if d is not None}
        if not files:
            if paths:  # the commit deleted files: piadiff never does; refuse rather than lose it
                raise StoreError(f"こちらの記録 {sha[:8]} はファイルを削除しています。git で確かめてから取り込んでください")
            continue
        if rev is not None:
            path = f"{ASSESSMENTS}/{rev.assessment_id}.json"
            latest = store._log(tip, path, limit=1)
            label = f"v{latest[-1].number + 1}" if latest else "v1"
            doc = Document(json.loads(files[path]))
            message = _commit_message(rev.assessment_id, label, rev.change_date, doc, rev.content_hash, rev.message)
            replayed.append(f"{rev.assessment_id} {rev.label}→{label}")
        else:
            message = commit.message
        tip, _ = store._commit_files(tip, files, message, actor)
    if next_ == "theirs":  # their content becomes the latest again, as a version of its own
        for path in clash:
            latest_theirs = _revision_of(store, other[path][-1])
            doc = Document(json.loads(store._blob_at(theirs, path)))
            latest = store._log(tip, path, limit=1)
            label = f"v{latest[-1].number + 1}"
            message = _commit_message(latest_theirs.assessment_id, label, latest_theirs.change_date, doc,
                                      latest_theirs.content_hash, f"共有先の {latest_theirs.label} を最新として記録し直し")
            tip, _ = store._commit_files(tip, {path: store._blob_at(theirs, path)}, message,
                                         git.Actor(latest_theirs.author, ""))
            replayed.append(f"{latest_theirs.assessment_id} 共有先の{latest_theirs.label}→{label}")
    if not store._move_branch(tip, ours):
        raise StoreError("取り込みの途中で保存先が更新されました。もう一度 piadiff pull を実行してください")
    try:
        store.repo.git.update_index("-q", "--refresh")  # stat data of files piadiff wrote itself
    except git.GitCommandError:
        pass
    store.repo.git.read_tree("-m", "-u", ours, tip)  # bring the checked-out files along
    return PullResult("replayed", received, replayed, [p.split("/", 1)[1].removesuffix(".json") for p in clash])
