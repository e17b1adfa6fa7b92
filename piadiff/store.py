"""The store: a git repository holding every recorded version of every assessment.

The only module that knows git. Layout (also in the store's own README.md)::

    piadiff-store.json          marks the directory as a piadiff store
    assessments/<id>.json       one file per assessment, its latest version as canonical JSON
    README.md

One commit per recorded version; its metadata (assessment id, version label, 変更日, content hash)
is kept as trailers in the commit message, so ``git log`` shows it too.

A version is written as git objects first and becomes part of history only when the branch ref is
moved, with git's compare-and-swap ``update-ref``. A crash before that leaves the history as it
was; two writers at once cannot both win, and the loser retries on top of the winner.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from importlib import resources
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .document import Document, normalize
from .errors import NotFoundError, PiadiffError, StoreDamagedError, StoreError
from .load import parse_text
from .wareki import parse_date, to_wareki

if TYPE_CHECKING:  # GitPython is imported only when a store is opened
    import git

MARKER = "piadiff-store.json"
ASSESSMENTS = "assessments"
STORE_FORMAT = {"format": "piadiff-store", "version": 1}
TRAILER = "Piadiff-"
DEFAULT_STORE = "store"
_ZERO = "0" * 40
_RETRIES = 20
STALE_LOCK = 30  # seconds

_ID = re.compile(r"^[^\W_][\w.\-]{0,99}$")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)$", re.IGNORECASE)
_HEX = re.compile(r"^[0-9a-f]{4,40}$")
_LATEST = re.compile(r"^latest(?:~(\d+))?$")
_LABEL = re.compile(r"^v(\d+)$")


@dataclass(frozen=True)
class Revision:
    """One recorded version of one assessment."""

    assessment_id: str
    label: str  # v1, v2, …
    change_date: dt.date  # 変更日
    author: str
    message: str
    commit: str
    content_hash: str
    kind: str
    title: str
    recorded_at: dt.datetime
    assessed_on: dt.date | None = None  # the latest 評価実施手続 date of this version
    assessed_known: bool = False  # the commit says (older commits do not)

    @property
    def number(self) -> int:
        return int(self.label[1:])

    @property
    def change_date_wareki(self) -> str:
        return to_wareki(self.change_date)


@dataclass(frozen=True)
class RecordResult:
    revision: Revision
    recorded: bool  # False: identical to the latest version, nothing recorded
    new_assessment: bool


@dataclass(frozen=True)
class AssessmentSummary:
    assessment_id: str
    kind: str
    title: str
    latest: Revision
    count: int


def check_id(assessment_id: str) -> str:
    """An assessment id that is safe as a file name everywhere, or a clear error."""
    aid = unicodedata.normalize("NFC", str(assessment_id))
    if (
        not _ID.match(aid)
        or ".." in aid
        or _RESERVED.match(aid.split(".")[0])
        or aid.endswith(".")
    ):
        raise PiadiffError(
            f"評価書ID「{assessment_id}」は使えません（文字・数字と - _ . だけで100字まで、先頭は文字か数字）"
        )
    return aid


def make_id(number: str, title: str) -> str:
    """評価書番号 plus a slug of 評価書名: ``19-北九州市-母子保健に関する事務-重点項目評価書``."""
    text = unicodedata.normalize("NFKC", f"{number} {title}")
    slug = re.sub(r"[^\w.]+", "-", text).strip("-_.")
    slug = re.sub(r"-{2,}", "-", slug)[:80].rstrip("-_.")
    return check_id(slug or "assessment")


def default_store_path() -> Path:
    return Path(os.environ.get("PIADIFF_STORE") or DEFAULT_STORE)


def _git():
    try:
        import git
    except ImportError as e:  # GitPython refuses to import without a git executable
        raise StoreError(f"git コマンドが見つかりません。git をインストールしてください（{e}）") from None
    return git


def init_store(path: str | Path) -> "Store":
    """Create an empty store at ``path`` (a new directory, an empty one, or one with only README.md)."""
    git = _git()
    root = Path(path)
    if root.exists() and not root.is_dir():
        raise StoreError(f"{root} はファイルです。保存先には新しいフォルダを指定してください")
    if (root / MARKER).exists() and (root / ".git").exists():
        raise StoreError(f"{root} は既に piadiff の保存先です")
    if root.exists():
        extra = sorted(p.name for p in root.iterdir() if p.name not in ("README.md", ".git"))
        if extra:
            raise StoreError(f"{root} は空ではありません（{', '.join(extra[:5])} …）。空のフォルダか新しい名前を指定してください")
    root.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("core", "quotepath", "false")  # show Japanese file names as they are
        # path-limited log (one assessment's versions) stays fast in a store of thousands of commits
        config.set_value("core", "commitGraph", "true")
        config.set_value("gc", "writeCommitGraph", "true")
        config.set_value("fetch", "writeCommitGraph", "true")
    readme = (resources.files("piadiff") / "store_readme.md").read_text(encoding="utf-8")
    (root / "README.md").write_text(readme, encoding="utf-8", newline="\n")
    (root / MARKER).write_text(json.dumps(STORE_FORMAT, indent=2) + "\n", encoding="utf-8", newline="\n")
    (root / ASSESSMENTS).mkdir(exist_ok=True)
    repo.index.add(["README.md", MARKER])
    actor = git.Actor("piadiff", "")
    repo.index.commit("piadiff の保存先を作成", author=actor, committer=actor)
    repo.close()
    return Store(root)


class Store:
    """A piadiff store. Open with ``Store(path)``; create with :func:`init_store`."""

    def __init__(self, path: str | Path | None = None):
        git = _git()
        self.path = Path(path) if path is not None else default_store_path()
        self._cache: dict[tuple, object] = {}
        hint = f"piadiff init で作成してください（別の場所なら --store か環境変数 PIADIFF_STORE で指定）"
        if not self.path.is_dir():
            raise StoreError(f"保存先 {self.path} がありません。{hint}")
        try:
            self.repo = git.Repo(self.path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise StoreError(f"{self.path} は piadiff の保存先ではありません（git リポジトリではない）。{hint}") from None
        if self.repo.bare or not self._head_sha() or self._blob_at(self._head_sha(), MARKER) is None:
            self.repo.close()
            raise StoreError(f"{self.path} は piadiff の保存先ではありません（{MARKER} がない）。{hint}")

    def close(self) -> None:
        self.repo.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # reading -----------------------------------------------------------------------------------
    def assessment_ids(self) -> list[str]:
        """Ids of every assessment recorded, in name order."""
        return sorted(self._ids_at(self._head_sha()))

    def _ids_at(self, commit: str) -> set[str]:
        # a commit never changes, so what it holds is read once per process
        cached = self._cache.get(("ids", commit))
        if cached is not None:
            return cached
        ids = self._read_ids(commit)
        self._cache[("ids", commit)] = ids
        return ids

    def _read_ids(self, commit: str) -> set[str]:
        tree = self.repo.commit(commit).tree
        try:
            sub = tree[ASSESSMENTS]
        except KeyError:
            return set()
        return {b.name[: -len(".json")] for b in sub.blobs if b.name.endswith(".json")}

    def revisions(self, assessment_id: str, *, at: str | None = None) -> list[Revision]:
        """Every version of one assessment, oldest first. Unknown id: an empty list."""
        aid = check_id(assessment_id)
        return self._log(at or self._head_sha(), f"{ASSESSMENTS}/{aid}.json")

    def summaries(self) -> list[AssessmentSummary]:
        """Every assessment with its latest version, read from one pass over the history."""
        by_id: dict[str, list[Revision]] = {}
        for rev in self._log(self._head_sha(), None):
            by_id.setdefault(rev.assessment_id, []).append(rev)
        out = []
        for aid in sorted(by_id):
            revs = by_id[aid]
            latest = revs[-1]
            out.append(AssessmentSummary(aid, latest.kind, latest.title, latest, len(revs)))
        return out

    def resolve_id(self, given: str) -> str:
        """The assessment id a user means: exact, or the only one starting with ``given-``."""
        aid = check_id(given)
        ids = self.assessment_ids()
        if aid in ids:
            return aid
        prefixed = [i for i in ids if i.startswith(f"{aid}-")]
        if len(prefixed) == 1:
            return prefixed[0]
        if len(prefixed) > 1:
            raise NotFoundError(f"評価書ID「{given}」に当てはまるものが複数あります（{'、'.join(prefixed)}）。どれか一つを指定してください")
        if not ids:
            raise NotFoundError("保存先にはまだ評価書がありません。piadiff record FILE で記録してください")
        raise NotFoundError(f"評価書「{given}」は記録されていません（piadiff log で一覧を確認できます）")

    def revision(self, assessment_id: str, ref: str | None = None) -> Revision:
        """One version, addressed as v3, latest, latest~1, a 変更日, or a commit id."""
        aid = self.resolve_id(assessment_id)
        revs = self.revisions(aid)
        return _pick(aid, revs, ref)

    def read_bytes(self, revision: Revision) -> bytes:
        """The canonical JSON bytes of a version, exactly as recorded."""
        data = self._blob_at(revision.commit, f"{ASSESSMENTS}/{revision.assessment_id}.json")
        if data is None:
            raise StoreError(f"{revision.assessment_id} {revision.label} の内容が保存先にありません（piadiff fsck で点検してください）")
        return data

    def read(self, revision: Revision, *, check: bool = False) -> Document:
        """A version as a :class:`Document`.

        What the store holds was checked when it was recorded, so it is parsed as it is; ``check``
        validates it against the catalog again (as ``fsck`` does).
        """
        source = f"{revision.assessment_id} {revision.label}"
        data = parse_text(self.read_bytes(revision).decode("utf-8"), source, "json")
        return normalize(data, source) if check else Document(data)

    # writing -----------------------------------------------------------------------------------
    def record(
        self,
        document: Document,
        *,
        assessment_id: str | None = None,
        change_date: dt.date | str | None = None,
        message: str | None = None,
        author: str | None = None,
        extra_files: dict[str, bytes] | None = None,
    ) -> RecordResult:
        """Record ``document`` as the next version of its assessment.

        Content identical to the latest version records nothing (``recorded`` is False).
        Never rewrites history. ``extra_files`` (path → bytes, e.g. imported annex rows) go into
        the same commit.
        """
        git = _git()
        date = parse_date(change_date) if change_date is not None else document.published
        actor = git.Actor((author or self.default_author()).strip(), "")
        data = document.canonical_bytes()
        digest = document.content_hash()
        for attempt in range(_RETRIES):
            head = self._head_sha()
            ids = self._ids_at(head)  # one reading of the tree serves the id and whether it exists
            aid = check_id(assessment_id) if assessment_id is not None else self._id_from(document, ids)
            path = f"{ASSESSMENTS}/{aid}.json"
            # the latest version carries its label: no need for all; a new assessment needs no log at all
            revs = self._log(head, path, limit=1) if aid in ids else []
            if revs and revs[-1].content_hash == digest:
                return RecordResult(revs[-1], recorded=False, new_assessment=False)
            label = f"v{revs[-1].number + 1}" if revs else "v1"
            text = _commit_message(aid, label, date, document, digest, message)
            files = {path: data, **(extra_files or {})}
            when = dt.datetime.now().astimezone().replace(microsecond=0)
            commit, blobs = self._commit_files(head, files, text, actor, when)
            if self._move_branch(commit, head):
                for p, d in files.items():
                    self._sync_worktree(p, d, blobs[p])
                rev = _parse_commit(commit, actor.name, when.isoformat(), text)  # as git log would read it
                return RecordResult(rev, recorded=True, new_assessment=not revs)
            time.sleep(0.05 * (attempt + 1))  # another writer won; build again on top of it
        raise StoreError("保存先が他の処理で更新され続けているため記録できませんでした。少し待ってからもう一度実行してください")

    def optimize(self) -> None:
        """Write git's commit-graph with changed-path filters: a per-file log then skips, in
        microseconds, the commits of other assessments (done during and after bulk work)."""
        git = _git()
        try:
            self.repo.git.commit_graph("write", "--reachable", "--changed-paths", "--split")
        except git.GitCommandError:
            pass  # an optimisation only

    def read_file(self, path: str) -> bytes | None:
        """A file of the store (e.g. decisions/<id>.yaml) as of the latest commit; None if absent."""
        return self._blob_at(self._head_sha(), path)

    def write_file(self, path: str, data: bytes, message: str, *, author: str | None = None,
                   trailers: dict[str, str] | None = None) -> str:
        """Commit ``data`` as ``path`` on top of the latest commit (same safety as :meth:`record`)."""
        git = _git()
        actor = git.Actor(author or self.default_author(), "")
        text = message + "\n\n" + "".join(f"{TRAILER}{k}: {v}\n" for k, v in (trailers or {}).items())
        for attempt in range(_RETRIES):
            head = self._head_sha()
            commit, blobs = self._commit_files(head, {path: data}, text, actor)
            if self._move_branch(commit, head):
                self._sync_worktree(path, data, blobs[path])
                return commit
            time.sleep(0.05 * (attempt + 1))
        raise StoreError("保存先が他の処理で更新され続けているため書き込めませんでした。少し待ってからもう一度実行してください")

    @staticmethod
    def default_author() -> str:
        return (os.environ.get("PIADIFF_AUTHOR") or _default_author()).strip()

    # git internals -----------------------------------------------------------------------------
    def _branch(self) -> str:
        return self.repo.head.reference.path  # refs/heads/main

    def _head_sha(self) -> str | None:
        try:
            return self.repo.head.commit.hexsha
        except (ValueError, TypeError):
            return None

    def _blob_exists(self, commit: str, path: str) -> bool:
        try:
            self.repo.commit(commit).tree[path]
            return True
        except KeyError:
            return False

    def _blob_at(self, commit: str, path: str) -> bytes | None:
        if path.startswith(f"{ASSESSMENTS}/"):
            # through git's long-running cat-file: no parsing of a folder of thousands of entries
            try:
                return self.repo.git.get_object_data(f"{commit}:{path}")[3]
            except (ValueError, OSError):
                pass  # not there, or damaged: the tree below says which
        try:
            return self.repo.commit(commit).tree[path].data_stream.read()
        except KeyError:
            return None
        except (ValueError, OSError) as e:  # a missing or damaged git object
            raise StoreDamagedError(f"保存先の git のデータが壊れています（{path}: {str(e)[:80]}）。"
                             "piadiff fsck で点検し、共有先かバックアップから戻してください") from None

    def id_for(self, document: Document) -> str:
        """The id ``record`` gives a document recorded without --id."""
        return self._id_for(document, self._head_sha())

    def _id_for(self, document: Document, head: str) -> str:
        return self._id_from(document, self._ids_at(head))

    def _id_from(self, document: Document, existing: set[str]) -> str:
        number = unicodedata.normalize("NFKC", document.number).strip()
        prefix = make_id(number, "x")[:-2]
        ids = sorted(i for i in existing if i == prefix or i.startswith(f"{prefix}-"))
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise PiadiffError(f"評価書番号 {number} の評価書が複数あります（{'、'.join(ids)}）。--id で指定してください")
        return make_id(number, document.title)

    def _store_object(self, kind: bytes, data: bytes) -> bytes:
        from gitdb import IStream

        return self.repo.odb.store(IStream(kind, len(data), BytesIO(data))).binsha

    def _store_tree(self, entries: Iterable[tuple[bytes, int, str]]) -> bytes:
        from git.objects.fun import tree_to_stream

        ordered = sorted(entries, key=lambda e: e[2].encode() + (b"/" if e[1] == 0o040000 else b""))
        buf = BytesIO()
        tree_to_stream(ordered, buf.write)
        return self._store_object(b"tree", buf.getvalue())

    def _commit_files(self, head: str, files: dict[str, bytes], message: str, actor,
                      when: dt.datetime | None = None) -> tuple[str, dict[str, str]]:
        """Write blobs, trees and the commit for ``files`` (path → bytes) on top of ``head``.

        Returns the commit's id and each file's blob id. Nothing refers to them until the branch moves.
        """
        from git import Commit, Tree

        parent = self.repo.commit(head)
        root = {o.name: (o.binsha, o.mode, o.name) for o in parent.tree}
        blobs: dict[str, str] = {}
        by_folder: dict[str, dict[str, bytes]] = {}
        for path, data in files.items():
            folder, name = path.split("/")
            by_folder.setdefault(folder, {})[name] = data
        for folder, named in by_folder.items():
            sub = {o.name: (o.binsha, o.mode, o.name) for o in parent.tree[folder]} if folder in root else {}
            for name, data in named.items():
                blob = self._store_object(b"blob", data)
                sub[name] = (blob, 0o100644, name)
                blobs[f"{folder}/{name}"] = blob.hex()
            root[folder] = (self._store_tree(sub.values()), 0o040000, folder)
        tree = Tree(self.repo, self._store_tree(root.values()))
        stamp = when
        commit = Commit.create_from_tree(
            self.repo, tree, message, parent_commits=[parent], head=False, author=actor, committer=actor,
            author_date=stamp, commit_date=stamp,
        )
        return commit.hexsha, blobs

    def _move_branch(self, new: str, old: str) -> bool:
        """Compare-and-swap the branch from ``old`` to ``new``; False if someone else moved it."""
        git = _git()
        try:
            self.repo.git.update_ref(self._branch(), new, old)
            return True
        except git.GitCommandError as e:
            if "lock" in str(e):
                self._clear_stale_lock(Path(self.repo.git_dir) / f"{self._branch()}.lock")
                return False
            if "but expected" in str(e) or "is at" in str(e):
                return False
            raise StoreError(f"保存先の更新に失敗しました: {e.stderr.strip()}") from None

    @staticmethod
    def _clear_stale_lock(lock: Path) -> None:
        """Remove a lock file left by a process that was killed: git holds its locks for
        milliseconds, so one older than STALE_LOCK seconds belongs to nobody."""
        try:
            if time.time() - lock.stat().st_mtime > STALE_LOCK:
                lock.unlink()
        except FileNotFoundError:
            pass

    def _sync_worktree(self, path: str, data: bytes, blob: str) -> None:
        """Keep the checked-out files and index equal to the branch, for plain git users."""
        git = _git()
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        for attempt in range(10):
            try:
                self.repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{path}")
                return
            except git.GitCommandError:
                self._clear_stale_lock(Path(self.repo.git_dir) / "index.lock")
                time.sleep(0.05 * (attempt + 1))  # index.lock held by another writer

    def _log(self, ref: str, path: str | None, limit: int | None = None) -> list[Revision]:
        """Versions from ``git log`` (one process), oldest first; all assessments if path is None.

        Cached per commit id: the history below a commit never changes."""
        key = ("log", ref, path, limit)
        if key not in self._cache:
            self._cache[key] = self._read_log(ref, path, limit)
        return list(self._cache[key])

    def _read_log(self, ref: str, path: str | None, limit: int | None = None) -> list[Revision]:
        sep, end = "\x1f", "\x1e"
        args = [ref, f"--format=%H{sep}%an{sep}%aI{sep}%B{end}"] + ([f"-n{limit}"] if limit else [])
        if path:
            args += ["--", path]
        out = self.repo.git.log(*args)
        revs = []
        for chunk in out.split(end):
            chunk = chunk.strip("\n")
            if not chunk:
                continue
            sha, author, when, body = chunk.split(sep, 3)
            rev = _parse_commit(sha, author, when, body)
            if rev is not None and (path is None or f"{ASSESSMENTS}/{rev.assessment_id}.json" == path):
                revs.append(rev)
        revs.reverse()
        return revs


def _default_author() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name on some containers
        return "piadiff"


def _commit_message(aid: str, label: str, date: dt.date, doc: Document, digest: str, message: str | None) -> str:
    first = (message or "").strip().splitlines()[0] if (message or "").strip() else ("初版" if label == "v1" else "改訂")
    body = (message or "").strip()
    lines = [f"{aid} {label} {to_wareki(date)}: {first}", ""]
    if body and body != first:
        lines += [body, ""]
    trailers = {
        "Assessment": aid,
        "Version": label,
        "Change-Date": date.isoformat(),
        "Kind": doc.kind,
        "Title": doc.title.replace("\n", " "),
        "Message": json.dumps(body, ensure_ascii=False),
        "Content-Hash": digest,
    }
    from .status import assessed_on

    when = assessed_on(doc.data)
    trailers["Assessed-On"] = when.isoformat() if when else "-"
    lines += [f"{TRAILER}{k}: {v}" for k, v in trailers.items()]
    return "\n".join(lines) + "\n"


def _parse_commit(sha: str, author: str, when: str, body: str) -> Revision | None:
    fields = {}
    for line in body.splitlines():
        if line.startswith(TRAILER) and ": " in line:
            k, v = line[len(TRAILER):].split(": ", 1)
            fields[k] = v
    if "Assessment" not in fields or "Version" not in fields:
        return None  # the store's own commits (init) and anything made by hand
    try:
        message = json.loads(fields.get("Message", '""'))
    except ValueError:
        message = ""
    return Revision(
        assessment_id=fields["Assessment"],
        label=fields["Version"],
        change_date=dt.date.fromisoformat(fields["Change-Date"]),
        author=author,
        message=message,
        commit=sha,
        content_hash=fields.get("Content-Hash", ""),
        kind=fields.get("Kind", ""),
        title=fields.get("Title", ""),
        recorded_at=dt.datetime.fromisoformat(when),
        assessed_on=_date_or_none(fields.get("Assessed-On")),
        assessed_known="Assessed-On" in fields,
    )


def _date_or_none(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _pick(aid: str, revs: list[Revision], ref: str | None) -> Revision:
    if not revs:
        raise NotFoundError(f"評価書「{aid}」は記録されていません（piadiff log で一覧を確認できます）")
    have = f"あるのは {revs[0].label}〜{revs[-1].label}" if len(revs) > 1 else f"あるのは {revs[0].label} だけ"
    if ref is not None and not ref.strip():
        raise NotFoundError("版の指定が空です（v3、latest、latest~1、変更日、コミットIDで指定してください）")
    text = unicodedata.normalize("NFKC", (ref or "latest")).strip().lower()
    from .limits import VERSION_DIGITS, short

    if (m := _LATEST.match(text) or _LABEL.match(text)) and len(m.group(1) or "") > VERSION_DIGITS:
        raise NotFoundError(f"評価書「{aid}」に版「{short(ref or '')}」はありません（版の番号は {VERSION_DIGITS} 桁まで。{have}）")
    if m := _LATEST.match(text):
        back = int(m.group(1) or 0)
        if back >= len(revs):
            raise NotFoundError(f"評価書「{aid}」に版「{ref}」はありません（{have}）")
        return revs[-1 - back]
    if m := _LABEL.match(text):
        for r in revs:
            if r.number == int(m.group(1)):
                return r
        raise NotFoundError(f"評価書「{aid}」に版「{ref}」はありません（{have}）")
    if _HEX.match(text):
        hits = [r for r in revs if r.commit.startswith(text)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise NotFoundError(f"コミット「{ref}」に当てはまる版が複数あります。もっと長く書いてください")
    try:
        date = parse_date(ref or "")
    except PiadiffError:
        date = None
    if date is not None:
        hits = [r for r in revs if r.change_date == date]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            labels = "、".join(r.label for r in hits)
            raise NotFoundError(f"変更日 {to_wareki(date)} の版が複数あります（{labels}）。版の名前で指定してください")
        raise NotFoundError(f"評価書「{aid}」に変更日 {to_wareki(date)} の版はありません（{have}）")
    raise NotFoundError(
        f"版「{short(ref or '')}」が分かりません（v3、latest、latest~1、変更日(令和7年7月31日)、コミットIDで指定してください）"
    )
