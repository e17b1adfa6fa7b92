"""The store: a git repository holding every recorded version of every assessment.

The only module that knows git. Layout (also in the store's own README.md)::

    piadiff-store.json          marks the directory as a piadiff store
    assessments/<id>.json       one file per assessment, its latest version as canonical JSON
    README.md

One commit per recorded version; its metadata (assessment id, version label, 変更日, content hash)
is kept as trailers in the commit message, so ``git log`` shows it too. Every trailer's value is
written as one line of JSON (:func:`piadiff.inputs.encode_value`) after ``Piadiff-Format: 2``, and
only the message's last paragraph is read: nothing a document or a message holds can forge another
field. Commits written before (plain values, no Format trailer) are still read.

A version is written as git objects first and becomes part of history only when the branch ref is
moved, with git's compare-and-swap ``update-ref``. A crash before that leaves the history as it
was; two writers at once cannot both win, and the loser retries on top of the winner.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import time
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .errors import NotFoundError, PiadiffError, StoreDamagedError, StoreError
from .inputs import check_author, check_id, check_message, decode_value, encode_value, one_line, readable
from .wareki import parse_date, to_wareki

if TYPE_CHECKING:  # GitPython is imported only to write; a document only to read one
    import git

    from .document import Document

MARKER = "piadiff-store.json"
ASSESSMENTS = "assessments"
STORE_FORMAT = {"format": "piadiff-store", "version": 1}
TRAILER = "Piadiff-"
FORMAT_TRAILER = f"{TRAILER}Format: 2"  # values are JSON (encode_value); older commits have plain values
DEFAULT_STORE = "store"
_ZERO = "0" * 40
_RETRIES = 20
STALE_LOCK = 30  # seconds
INDEX_EVERY = 100  # in bulk, git's index takes the files recorded this often (and at the end)

_HEX = re.compile(r"^[0-9a-f]{4,40}$")
_LATEST = re.compile(r"^latest(?:~(\d+))?$")
_LABEL = re.compile(r"^v(\d+)$")
_RECORDED_LABEL = re.compile(r"^v[1-9][0-9]{0,8}$")  # what a commit may say
_SHA = re.compile(r"^[0-9a-f]{40}$")
_TRAILER_LINE = re.compile(r"^Piadiff-([A-Za-z][A-Za-z0-9-]*): ?(.*)$")


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
    revision: Revision  # the version recorded, or the earlier version the document is equal to
    recorded: bool  # False: identical to a version already recorded (the latest or an earlier one)
    new_assessment: bool
    latest: Revision | None = None  # the latest version before this call (None: a new assessment)

    @property
    def same_as_latest(self) -> bool:
        return not self.recorded and self.latest is not None and self.revision == self.latest


@dataclass(frozen=True)
class AssessmentSummary:
    assessment_id: str
    kind: str
    title: str
    latest: Revision
    count: int


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


#: why a folder cannot be made, as an officer reads it (errno → Japanese)
_OS_PROBLEMS = {errno.ENOTDIR: "途中の名前がフォルダではなくファイルです", errno.EACCES: "書き込む権限がありません",
                errno.EPERM: "書き込む権限がありません", errno.EROFS: "読み取り専用の場所です", errno.ENOSPC: "ディスクに空きがありません",
                errno.ENAMETOOLONG: "名前が長すぎます"}


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
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # a parent that is a file, no permission, a read-only disk
        why = _OS_PROBLEMS.get(e.errno or 0, "作れない場所です")
        raise StoreError(f"保存先のフォルダ {root} を作れません（{why}）。書き込める場所のフォルダを指定してください") from None
    repo = git.Repo.init(root, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("core", "quotepath", "false")  # show Japanese file names as they are
        # path-limited log (one assessment's versions) stays fast in a store of thousands of commits
        config.set_value("core", "commitGraph", "true")
        config.set_value("gc", "writeCommitGraph", "true")
        config.set_value("fetch", "writeCommitGraph", "true")
    from importlib import resources

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
        from .gitcli import ObjectReader, git_dir

        self.path = Path(path) if path is not None else default_store_path()
        self._repo: "git.Repo | None" = None  # GitPython, opened by the first write (reads go through git itself)
        self._cache: dict[tuple, object] = {}
        # the last commit this process wrote: its root and folder entries and assessment ids, so the next
        # commit on top of it reads no tree from git (a folder of thousands is not parsed for every version)
        self._tree: tuple[str, dict[str, tuple], dict[str, dict[str, tuple]], set[str] | None] | None = None
        self._bulk = 0  # inside bulk(): every version of every assessment is kept in memory (_history)
        self._history: tuple[str, dict[str, list[Revision]] | None] | None = None
        self._encoding: str | None = None
        self._updater = None  # inside bulk(): the long-running git update-ref --stdin (False: this git has none)
        self._index_queue: list[tuple[str, str]] = []  # inside bulk(): (blob, path) not yet in git's index
        hint = "piadiff init で作成してください（別の場所なら --store か環境変数 PIADIFF_STORE で指定）"
        if not self.path.is_dir():
            raise StoreError(f"保存先 {self.path} がありません。{hint}")
        found = git_dir(self.path)
        if found is None:
            raise StoreError(f"{self.path} は piadiff の保存先ではありません（git リポジトリではない）。{hint}")
        self.git_dir = found
        self.bare = found == self.path
        self._objects = ObjectReader(self.path)
        head = None if self.bare else self._head_sha()
        try:
            marker = self._blob_at(head, MARKER) if head else None
        except StoreDamagedError as e:  # a store whose latest commit cannot be read is damaged, not foreign
            self._objects.close()
            raise _damaged(f"保存先 {self.path} の最新の記録 {head[:10]}", e.__cause__ or e) from None
        if marker is None:
            self._objects.close()
            raise StoreError(f"{self.path} は piadiff の保存先ではありません（{MARKER} がない）。{hint}")

    @property
    def repo(self) -> "git.Repo":
        """GitPython's view of the store, for writing (opened when first asked for)."""
        if self._repo is None:
            git = _git()
            try:
                self._repo = git.Repo(self.path)
            except (git.InvalidGitRepositoryError, git.NoSuchPathError):
                raise StoreError(f"{self.path} は piadiff の保存先ではありません（git リポジトリではない）") from None
        return self._repo

    def close(self) -> None:
        self._flush_index()
        if self._updater:
            self._stop_updater()
        self._objects.close()
        if self._repo is not None:
            self._repo.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # reading -----------------------------------------------------------------------------------
    def assessment_ids(self) -> list[str]:
        """Ids of every assessment recorded, in name order."""
        return sorted(self._ids_at(self._head_sha()))

    def _ids_at(self, commit: str) -> set[str]:
        if self._tree is not None and self._tree[0] == commit and self._tree[3] is not None:
            return self._tree[3]  # the commit this process wrote last
        # a commit never changes, so what it holds is read once per process
        cached = self._cache.get(("ids", commit))
        if cached is not None:
            return cached
        ids = self._read_ids(commit)
        self._cache[("ids", commit)] = ids
        return ids

    def _read_ids(self, commit: str) -> set[str]:
        from .gitcli import tree_names

        folder = self._object(f"{commit}:{ASSESSMENTS}", f"評価書の一覧（{commit[:10]}）")
        if folder is None or folder[0] != "tree":
            return set()
        return {n[: -len(".json")] for n in tree_names(folder[1]) if n.endswith(".json")}

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
        from .document import Document, normalize  # not needed to list versions
        from .load import parse_text

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
        same_date: bool = False,
    ) -> RecordResult:
        """Record ``document`` as the next version of its assessment.

        Content identical to any version already recorded of that assessment records nothing
        (``recorded`` is False, ``revision`` is that version). A 変更日 earlier than the latest
        version's is refused, and so is the same 変更日 unless ``same_date``: the annex runs in the
        order of the versions. Never rewrites history. ``extra_files`` (path → bytes, e.g. imported
        annex rows) go into the same commit.
        """
        git = _git()
        date = parse_date(change_date) if change_date is not None else document.published
        actor = git.Actor(check_author(author) if author else self.default_author(), "")
        message = check_message(message)
        data = document.canonical_bytes()
        digest = document.content_hash()
        if not self._bulk:  # (a bulk run does this once, as it starts)
            self._remove_stale_temporaries()
        for attempt in range(_RETRIES):
            head = self._head_sha()
            ids = self._ids_at(head)  # one reading of the tree serves the id and whether it exists
            aid = check_id(assessment_id) if assessment_id is not None else self._id_from(document, ids)
            path = f"{ASSESSMENTS}/{aid}.json"
            revs = self._versions(head, aid, path, data) if aid in ids else []
            if aid in ids and not revs:
                raise StoreDamagedError(f"{path} はありますが、その版の記録（コミットの {TRAILER}… の情報）が見つかりません。"
                                        "piadiff fsck で点検してください（何も記録していません）")
            same = [r for r in revs if r.content_hash == digest]
            if same:
                return RecordResult(same[-1], recorded=False, new_assessment=False, latest=revs[-1])
            if revs:
                _check_order(revs[-1], date, same_date)
            label = f"v{revs[-1].number + 1}" if revs else "v1"
            text = _commit_message(aid, label, date, document, digest, message)
            files = {path: data, **(extra_files or {})}
            when = dt.datetime.now().astimezone().replace(microsecond=0)
            commit, blobs = self._commit_files(head, files, text, actor, when)
            if self._move_branch(commit, head):
                for p, d in files.items():
                    self._sync_worktree(p, d, blobs[p])
                rev = _parse_commit(commit, actor.name, when.isoformat(), text)  # as git log would read it
                self._remember(head, commit, path, rev)
                return RecordResult(rev, recorded=True, new_assessment=not revs, latest=revs[-1] if revs else None)
            time.sleep(0.05 * (attempt + 1))  # another writer won; build again on top of it
        raise StoreError("保存先が他の処理で更新され続けているため記録できませんでした。少し待ってからもう一度実行してください")

    def bulk(self) -> "_Bulk":
        """``with store.bulk():`` around many records in a row (a folder). Every version of every
        assessment is read once, from one reading of the whole log, and kept up to date as versions
        are recorded, instead of one ``git log`` per version; the branch moves through one long-running
        ``git update-ref``; git's index takes the recorded files every INDEX_EVERY and at the end (a
        bulk run first repairs what a killed one left there). Each version still becomes history on
        its own, by its own compare-and-swap of the branch."""
        return _Bulk(self)

    def _versions(self, head: str, aid: str, path: str, data: bytes) -> list[Revision]:
        """The versions of an assessment in the tree at ``head`` that ``record`` needs: the latest
        (it carries the label), or every one when these very bytes are already somewhere in the store
        (then it may equal an earlier one)."""
        history = self._history_at(head) if self._bulk else None
        if history and history.get(aid):
            return list(history[aid])
        revs = self._log(head, path, limit=1)
        if not revs or self._has_blob(data):
            revs = self._log(head, path)
        return revs

    def _remember(self, head: str, commit: str, path: str, rev: Revision) -> None:
        """What this process knows of ``head``'s history, carried to ``commit``, the version it just recorded
        on top of it: the next record of the same assessment reads no log."""
        self._cache[("log", commit, path, 1)] = [rev]
        earlier = self._cache.pop(("log", head, path, None), None)
        if earlier is not None:
            self._cache[("log", commit, path, None)] = [*earlier, rev]
        if self._history is not None and self._history[0] == head:
            if self._history[1] is not None:
                self._history[1].setdefault(rev.assessment_id, []).append(rev)
            self._history = (commit, self._history[1])

    def _history_at(self, head: str) -> dict[str, list[Revision]] | None:
        """Every version of every assessment as of ``head``, by id, oldest first. None when the history
        has merges (made by hand with plain git), where one file's log may leave out commits that the
        whole log holds, or when some commit's metadata cannot be read: one file's log is read then."""
        if self._history is not None and self._history[0] == head:
            return self._history[1]
        git = _git()
        by_id: dict[str, list[Revision]] | None = {}
        try:
            if self.repo.git.rev_list("--merges", "-n1", head).strip():
                by_id = None
            else:
                for rev in self._read_log(head, None):
                    by_id.setdefault(rev.assessment_id, []).append(rev)
        except (StoreDamagedError, git.GitCommandError):
            by_id = None
        self._history = (head, by_id)
        return by_id

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
        actor = git.Actor(check_author(author) if author else self.default_author(), "")
        text = _with_trailers([one_line(message)], trailers or {})
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
        """PIADIFF_AUTHOR (checked like --author), or the login name."""
        given = os.environ.get("PIADIFF_AUTHOR", "")
        if given.strip():
            return check_author(given, "環境変数 PIADIFF_AUTHOR")
        try:
            return check_author(_default_author())
        except PiadiffError:  # a login name no commit can carry
            return "piadiff"

    # git internals -----------------------------------------------------------------------------
    def _branch(self) -> str:
        return self.repo.head.reference.path  # refs/heads/main

    def _head_sha(self) -> str | None:
        """The commit the branch points at (its object is not read: a damaged one is reported where
        it is read); None on a branch with no commit yet."""
        from .gitcli import head_commit

        return head_commit(self.git_dir, self.path)

    def _blob_exists(self, commit: str, path: str) -> bool:
        try:
            self.repo.commit(commit).tree[path]
            return True
        except KeyError:
            return False

    def _has_blob(self, data: bytes) -> bool:
        """Whether ``data`` is stored as a git object already (asked of git's long-running cat-file)."""
        import hashlib

        binsha = hashlib.sha1(b"blob %d\0" % len(data) + data).digest()
        try:
            if self.repo.odb.has_object(binsha):  # a loose object (gitdb looks at loose objects only)
                return True
            self.repo.git.get_object_header(binsha.hex())  # packed, e.g. after git gc
            return True
        except ValueError:
            return False  # cat-file: missing
        except _read_errors():
            return True  # cannot tell: read every version

    def _blob_at(self, commit: str, path: str) -> bytes | None:
        # through git's long-running cat-file: no parsing of a folder of thousands of entries
        found = self._object(f"{commit}:{path}", path)
        return found[1] if found is not None and found[0] == "blob" else None

    def _object(self, name: str, what: str) -> tuple[str, bytes] | None:
        """An object as ``<commit>:<path>``: None where the commit has no such path; a commit that
        is missing or damaged is a damaged store."""
        from .gitcli import GitFailed

        try:
            found = self._objects.read(name)
            if found is None and ":" in name and not self._absent(*name.split(":", 1)):
                raise GitFailed("cat-file", 128, f"fatal: {name} を読めません（git のオブジェクトがありません）")
            return found
        except GitFailed as e:
            raise _damaged(what, e) from None

    def _absent(self, commit: str, path: str) -> bool:
        """Whether ``path`` is not in ``commit``'s trees (rather than named there with its object lost)."""
        from .gitcli import tree_names

        tree, parts = f"{commit}^{{tree}}", path.split("/")
        for i, part in enumerate(parts):
            found = self._objects.read(tree)
            if found is None or found[0] != "tree":
                return False  # the commit or one of its trees is lost
            if part not in tree_names(found[1]):
                return True
            tree = f"{commit}:{'/'.join(parts[:i + 1])}"
        return False

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
        """Write a git object as git itself writes a loose one, in this process (no git process per
        object): zlib at git's default loose-object level, into a temporary ``tmp_obj_`` file that is
        then linked into place, so a killed write leaves at most a temporary file (git ignores it and
        its gc removes it), never a half-written object."""
        import hashlib
        import tempfile
        import zlib

        header = b"%s %d\0" % (kind, len(data))
        sha = hashlib.sha1(header)
        sha.update(data)
        binsha = sha.digest()
        hexsha = binsha.hex()
        folder = Path(self.repo.odb.root_path()) / hexsha[:2]
        target = folder / hexsha[2:]
        if target.exists():
            return binsha
        z = zlib.compressobj(1)  # core.loosecompression's default
        packed = z.compress(header) + z.compress(data) + z.flush()
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(packed)
            os.chmod(tmp, 0o444)
            try:
                os.link(tmp, target)  # never replaces an object another writer just wrote
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: a rename is atomic too
                os.replace(tmp, target)
        finally:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        return binsha

    def _store_tree(self, entries: Iterable[tuple[bytes, int, str]]) -> bytes:
        """A tree object from (binsha, mode, name) entries, in git's order. Written here rather than by
        GitPython's tree_to_stream, which checks every name again (16 ms for a folder of 1,000): the
        names come from trees GitPython read and checked, or were checked on the way in."""
        named = [(name.encode("utf-8", "surrogateescape"), binsha, mode) for binsha, mode, name in entries]
        named.sort(key=lambda e: e[0] + b"/" if e[2] == 0o040000 else e[0])
        return self._store_object(b"tree", b"".join(b"%o %s\0%s" % (mode, name, binsha) for name, binsha, mode in named))

    def _entries(self, commit: str) -> tuple[dict[str, tuple], dict[str, dict[str, tuple]]]:
        """The root entries of ``commit`` (name → (binsha, mode, name)) and the folders known so far:
        from memory when this process wrote that commit, else read from git."""
        if self._tree is not None and self._tree[0] == commit:
            return dict(self._tree[1]), dict(self._tree[2])
        tree = self.repo.commit(commit).tree
        return {o.name: (o.binsha, o.mode, o.name) for o in tree}, {}

    def _folder(self, commit: str, folders: dict[str, dict[str, tuple]], folder: str) -> dict[str, tuple]:
        if folder in folders:
            return dict(folders[folder])
        return {o.name: (o.binsha, o.mode, o.name) for o in self.repo.commit(commit).tree[folder]}

    def _commit_encoding(self) -> str:
        if self._encoding is None:  # what GitPython's Commit.create_from_tree reads, read once
            with self.repo.config_reader() as config:
                self._encoding = str(config.get_value("i18n", "commitencoding", "UTF-8"))
        return self._encoding

    def _commit_files(self, head: str, files: dict[str, bytes], message: str, actor,
                      when: dt.datetime | None = None) -> tuple[str, dict[str, str]]:
        """Write blobs, trees and the commit for ``files`` (path → bytes) on top of ``head``.

        Returns the commit's id and each file's blob id. Nothing refers to them until the branch moves.
        """
        from git import Commit, Tree
        from git.objects.util import parse_date as git_date

        root, folders = self._entries(head)
        blobs: dict[str, str] = {}
        by_folder: dict[str, dict[str, bytes]] = {}
        for path, data in files.items():
            folder, name = path.split("/")
            by_folder.setdefault(folder, {})[name] = data
        for folder, named in by_folder.items():
            sub = self._folder(head, folders, folder) if folder in root else {}
            for name, data in named.items():
                _check_entry_name(name)
                blob = self._store_object(b"blob", data)
                sub[name] = (blob, 0o100644, name)
                blobs[f"{folder}/{name}"] = blob.hex()
            root[folder] = (self._store_tree(sub.values()), 0o040000, folder)
            folders[folder] = sub
        tree = self._store_tree(root.values())
        ids = None  # the ids of the new commit, when those of head are known
        known = self._tree[3] if self._tree is not None and self._tree[0] == head else self._cache.get(("ids", head))
        if known is not None:
            ids = known | {n[: -len(".json")] for n in by_folder.get(ASSESSMENTS, {}) if n.endswith(".json")}
        seconds, offset = git_date(when or dt.datetime.now().astimezone().replace(microsecond=0))
        # GitPython's own serialisation (and its check of the names), written by _store_object
        commit = Commit(self.repo, Commit.NULL_BIN_SHA, Tree(self.repo, tree), actor, seconds, offset, actor,
                        seconds, offset, message, [Commit(self.repo, bytes.fromhex(head))], self._commit_encoding())
        buf = BytesIO()
        commit._serialize(buf)
        sha = self._store_object(b"commit", buf.getvalue()).hex()
        self._tree = (sha, root, folders, ids)
        return sha, blobs

    def _move_branch(self, new: str, old: str) -> bool:
        """Compare-and-swap the branch from ``old`` to ``new``; False if someone else moved it.

        Inside bulk() through one long-running ``git update-ref --stdin``, one transaction a version
        (the same compare-and-swap, without a git process for each)."""
        git = _git()
        said = self._move_branch_stdin(new, old) if self._bulk and self._updater is not False else None
        if said == "":
            return True
        if said is None:
            try:
                self.repo.git.update_ref(self._branch(), new, old)
                return True
            except git.GitCommandError as e:
                said = f"{e}\n{e.stderr}"
        if "lock" in said:
            self._clear_stale_lock(Path(self.repo.git_dir) / f"{self._branch()}.lock")
            return False
        if "but expected" in said or "is at" in said:
            return False
        raise StoreError(f"保存先の更新に失敗しました: {_unwrap(said).strip()[-300:]}")

    def _move_branch_stdin(self, new: str, old: str) -> str | None:
        """One transaction of the long-running update-ref: "" when the branch moved, git's message when
        it did not (git then ends the process; the next one starts another), None when this git has no
        transactions on stdin (before 2.27)."""
        import subprocess

        if self._updater is None:
            # GitPython's handle is kept: dropping it ends the process
            self._updater = self.repo.git.update_ref("--stdin", as_process=True, istream=subprocess.PIPE)
        proc = self._updater.proc
        try:
            proc.stdin.write(f"start\nupdate {self._branch()} {new} {old}\ncommit\n".encode())
            proc.stdin.flush()
            replies = [proc.stdout.readline(), proc.stdout.readline()]
        except OSError:  # the process ended
            replies = []
        if replies == [b"start: ok\n", b"commit: ok\n"]:
            return ""
        said = self._stop_updater()
        if "unknown command" in said:
            self._updater = False
            return None
        return said or "update-ref が応答しませんでした"

    def _stop_updater(self) -> str:
        """End the long-running update-ref (its stdin closed, as git expects); what it said on stderr."""
        handle, self._updater = self._updater, None
        if not handle:
            return ""
        proc = handle.proc
        try:
            proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(30)
        except Exception:  # noqa: BLE001 - a git that does not end is ended
            proc.kill()
            proc.wait()
        return (proc.stderr.read() or b"").decode("utf-8", errors="replace")

    @staticmethod
    def _clear_stale_lock(lock: Path) -> None:
        """Remove a lock file left by a process that was killed: git holds its locks for
        milliseconds, so one older than STALE_LOCK seconds belongs to nobody."""
        try:
            if time.time() - lock.stat().st_mtime > STALE_LOCK:
                lock.unlink()
        except FileNotFoundError:
            pass

    def _remove_stale_temporaries(self) -> None:
        """Remove the ``.<file>.<pid>.tmp`` a record killed while writing a checked-out file left
        behind (a writer still running keeps its own)."""
        for tmp in (self.path / ASSESSMENTS).glob(".*.tmp"):
            pid = _int_or_none(tmp.name.rsplit(".", 2)[-2])
            if pid is None or pid == os.getpid() or _running(pid):
                continue
            try:
                tmp.unlink()
            except OSError:
                pass

    def _sync_worktree(self, path: str, data: bytes, blob: str, *, queue: bool = False) -> None:
        """Keep the checked-out files and index equal to the branch, for plain git users."""
        git = _git()
        target = self.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        if self._bulk or queue:  # git's index is rewritten whole each time: in bulk, once for many files
            self._index_queue.append((blob, path))
            if len(self._index_queue) >= INDEX_EVERY:
                self._flush_index()
            return
        for attempt in range(10):
            try:
                self.repo.git.update_index("--add", "--cacheinfo", f"100644,{blob},{path}")
                return
            except git.GitCommandError:
                self._clear_stale_lock(Path(self.repo.git_dir) / "index.lock")
                time.sleep(0.05 * (attempt + 1))  # index.lock held by another writer

    def _heal_index(self) -> None:
        """Put right what a record killed after moving the branch leaves behind: checked-out files or
        index entries still at the version before (in bulk, up to INDEX_EVERY index entries). Only
        where that is certain: the file equals the branch and only the index is behind, or the file
        and index both hold the assessment's previous version (or nothing, for a new one). A change
        made or staged by hand stays as it is."""
        import hashlib

        git = _git()
        head = self._head_sha()
        if head is None or self.bare:
            return
        self._remove_stale_temporaries()
        try:
            out = self.repo.git.diff_index("--cached", "-z", "--no-renames", head, "--", ASSESSMENTS,
                                           stdout_as_string=False)
        except git.GitCommandError:
            return  # only a repair; fsck reports a damaged store
        fields = out.split(b"\0")
        for meta, raw in zip(fields[0::2], fields[1::2]):
            parts = meta.decode("ascii", errors="replace").split()
            if len(parts) != 5 or parts[0] != ":100644" or parts[4] not in ("M", "D"):
                continue
            path, branch, index = raw.decode("utf-8", errors="surrogateescape"), parts[2], parts[3]
            try:
                data = (self.path / path).read_bytes()
                disk = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            except FileNotFoundError:
                disk = None
            except OSError:
                continue
            try:
                if disk == branch:
                    self._index_queue.append((branch, path))
                elif (parts[4] == "D" and disk is None) or (parts[4] == "M" and disk == index == self._previous_blob(head, path)):
                    content = self._blob_at(head, path)
                    if content is not None:
                        self._sync_worktree(path, content, branch, queue=True)
            except StoreDamagedError:
                continue  # only a repair; fsck reports a damaged store
        self._flush_index()

    def _previous_blob(self, head: str, path: str) -> str | None:
        """The blob ``path`` held before its latest version at ``head``."""
        git = _git()
        latest = self._log(head, path, limit=1)
        try:
            return self.repo.git.rev_parse(f"{latest[-1].commit}^:{path}") if latest else None
        except git.GitCommandError:
            return None

    def _flush_index(self) -> None:
        """Put the files bulk() recorded since the last flush into git's index, with one git process."""
        import subprocess

        queued, self._index_queue = self._index_queue, []
        if not queued:
            return
        git = _git()
        lines = b"".join(b"100644 %s\t%s\0" % (blob.encode(), path.encode("utf-8")) for blob, path in queued)
        for attempt in range(10):
            try:
                handle = self.repo.git.update_index("-z", "--index-info", as_process=True, istream=subprocess.PIPE)
                _, said = handle.proc.communicate(lines)
                if handle.proc.returncode:
                    raise git.GitCommandError(["git", "update-index"], handle.proc.returncode, said)
                return
            except git.GitCommandError:
                self._clear_stale_lock(Path(self.repo.git_dir) / "index.lock")
                time.sleep(0.05 * (attempt + 1))  # index.lock held by another writer

    def _log(self, ref: str, path: str | None, limit: int | None = None) -> list[Revision]:
        """Versions from ``git log`` (one process), oldest first; all assessments if path is None.

        Cached per commit id: the history below a commit never changes."""
        key = ("log", ref, path, limit)
        if key not in self._cache:
            if path is not None and limit is None:
                self._cache[key] = self._path_log(ref, path)
            else:
                self._cache[key] = self._read_log(ref, path, limit)
        return list(self._cache[key])

    def _read_log(self, ref: str, path: str | None, limit: int | None = None) -> list[Revision]:
        return _revisions(self._log_records(ref, path, limit), path)

    def _log_records(self, ref: str, path: str | None, limit: int | None = None) -> list[tuple[str, str, str, str]]:
        """(commit, author, date, message) of each commit of ``git log ref [-- path]``, newest first."""
        # one record per commit, ended by NUL (-z); inside it the id, the author's name and the date are
        # one line each (git's commit header has no room for a newline in them), then the message as is
        from .gitcli import GitFailed, run

        args = ["log", ref, "-z", "--format=%H%n%an%n%aI%n%B"] + ([f"-n{limit}"] if limit else [])
        if path:
            args += ["--", path]
        try:
            out = run(self.path, *args)
        except GitFailed as e:
            raise _damaged("履歴", e) from None
        records = []
        for record in out.split(b"\0"):
            fields = record.lstrip(b"\n").decode("utf-8", errors="replace").split("\n", 3)
            if len(fields) >= 3 and _SHA.match(fields[0]):
                records.append(tuple((fields + [""])[:4]))
        return records

    def _path_log(self, head: str, path: str) -> list[Revision]:
        """One file's versions. Its log is kept (in the derived cache, with the commit it was read at),
        so that a later read asks git only about the commits since: in a store of thousands of
        assessments one file's full log walks every commit, the kept one only the new ones."""
        from .derived import DerivedCache, key

        cache = DerivedCache(self.git_dir)
        k = key("path-log", 1, path)
        kept = cache.get(k)
        since = kept.get("head") if kept else None
        old = _kept_records(kept.get("records")) if kept else None
        records = None
        if isinstance(since, str) and _SHA.match(since) and old is not None:
            if since == head:
                records = old
            else:
                new = self._commits_since(since, head)
                if new is not None:
                    records = (self._log_records(f"{since}..{head}", path) if new else []) + old
        if records is None:
            records = self._log_records(head, path)
        if since != head:
            cache.put(k, {"head": head, "records": [list(r) for r in records]})
        return _revisions(records, path)

    def _commits_since(self, since: str, head: str) -> int | None:
        """How many commits ``head`` has on top of ``since``: None unless ``since`` is an ancestor of
        ``head`` and the commits since form one line (a merge's file log is not the sum of two)."""
        from .gitcli import GitFailed, run

        try:
            out = run(self.path, "rev-list", "--parents", "--left-right", f"{since}...{head}").decode("ascii", errors="replace")
        except GitFailed:
            return None  # e.g. the kept commit is gone (history rewritten by hand)
        count = 0
        for line in out.splitlines():
            fields = line.split()  # >commit parent
            if len(fields) != 2 or not fields[0].startswith(">"):
                return None  # a commit of ``since`` that ``head`` lacks, or a merge
            count += 1
        return count


def _kept_records(value: object) -> list[tuple[str, str, str, str]] | None:
    """Log records as the derived cache kept them; None if they do not have that shape."""
    if not isinstance(value, list):
        return None
    out = []
    for r in value:
        if not (isinstance(r, list) and len(r) == 4 and all(isinstance(x, str) for x in r) and _SHA.match(r[0])):
            return None
        out.append((r[0], r[1], r[2], r[3]))
    return out


def _revisions(records: list[tuple[str, str, str, str]], path: str | None) -> list[Revision]:
    """The versions log records hold, oldest first (one file's only, when ``path`` is given)."""
    revs = []
    for sha, author, when, body in records:
        rev = _parse_commit(sha, author, when, body)
        if rev is not None and (path is None or f"{ASSESSMENTS}/{rev.assessment_id}.json" == path):
            revs.append(rev)
    revs.reverse()
    return revs


class _Bulk:
    """What :meth:`Store.bulk` returns: a context in which records share what they read."""

    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> Store:
        if not self.store._bulk:
            self.store._heal_index()
        self.store._bulk += 1
        return self.store

    def __exit__(self, *exc) -> None:
        self.store._bulk -= 1
        if not self.store._bulk:
            self.store._history = None
            self.store._flush_index()
            if self.store._updater:
                self.store._stop_updater()


def _check_entry_name(name: str) -> None:
    """A file name piadiff adds to a tree: one plain name (GitPython's own check where it has one)."""
    try:
        from git.objects.fun import _validate_tree_entry_name
    except ImportError:  # an older GitPython
        if not name or "/" in name or "\0" in name or name in (".", "..") or name.lower() == ".git":
            raise ValueError(f"Invalid tree entry name: {name!r}") from None
        return
    _validate_tree_entry_name(name, 0o100644)


def _default_author() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no user name on some containers
        return "piadiff"


def _damaged(what: str, error: BaseException) -> StoreDamagedError:
    """A damaged-store error naming what could not be read and git's reason, in plain words."""
    return StoreDamagedError(f"保存先の git のデータが壊れています（{what}: {git_problem(error)}）。"
                             "piadiff fsck で点検し、共有先かバックアップから戻してください")


def git_problem(error: BaseException) -> str:
    """What git (or GitPython) said, as one line of plain text: never a Python repr."""
    from .gitcli import GitFailed

    if isinstance(error, GitFailed):
        return _git_said(error.stderr, error.status)
    git = _git()
    if isinstance(error, git.GitCommandError):
        return _git_said("\n".join(_unwrap(getattr(error, a, "") or "") for a in ("stderr", "stdout")), error.status)
    text = str(error)
    if shas := re.findall(r"[0-9a-f]{40}", text):
        return f"git のオブジェクト {shas[0]} が壊れているか、ありません"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return "git のオブジェクトを読めません"


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    return True


def _git_said(text: str, status: object) -> str:
    """git's last fatal or error line (else its last line), without the prefix."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    fatal = [l for l in lines if l.startswith(("fatal:", "error:"))]
    line = (fatal or lines or [f"git が終了コード {status} で失敗しました"])[-1]
    return line.removeprefix("fatal: ").removeprefix("error: ")[:200]


def _unwrap(text: str) -> str:
    """GitPython shows a command's output as ``\\n  stderr: '…'``: the text inside."""
    m = re.match(r"^\s*(?:stderr|stdout): '(.*)'\s*$", text, re.DOTALL)
    return m.group(1) if m else text


# what reading a git object raises when the object is missing or damaged
def _read_errors() -> tuple[type[BaseException], ...]:
    import zlib

    from gitdb.exc import ODBError

    return (ValueError, OSError, ODBError, zlib.error, _git().GitCommandError)


def _check_order(latest: Revision, date: dt.date, same_date: bool) -> None:
    """Versions are recorded in the order of their 変更日: the annex runs in that order, and the
    deadlines count from the latest."""
    if date < latest.change_date:
        raise PiadiffError(
            f"変更日 {to_wareki(date)} は最新版 {latest.label} の変更日 {latest.change_date_wareki} より前です。"
            "版は変更日の順に記録します（前の日付では変更箇所の表の順と期限が狂います）。"
            "変更日を確かめて --date で指定してください（何も記録していません）")
    if date == latest.change_date and not same_date:
        raise PiadiffError(
            f"変更日 {to_wareki(date)} は最新版 {latest.label} の変更日と同じです。同じ日の二つ目の版として記録するなら"
            " --same-date を付けてください。別の日なら --date で指定してください（何も記録していません）")


def _with_trailers(head: list[str], trailers: dict[str, str | None]) -> str:
    """A commit message: ``head`` (subject, body paragraphs), then the trailers as its last
    paragraph, every value encoded as one line of JSON."""
    lines = list(head)
    while lines and not lines[-1].strip():
        lines.pop()
    lines += ["", FORMAT_TRAILER] + [f"{TRAILER}{k}: {encode_value(v)}" for k, v in trailers.items()]
    return "\n".join(lines) + "\n"


def _commit_message(aid: str, label: str, date: dt.date, doc: Document, digest: str, message: str | None) -> str:
    body = readable((message or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    first = one_line(body.split("\n")[0]) if body else ("初版" if label == "v1" else "改訂")
    head = [f"{one_line(aid)} {label} {to_wareki(date)}: {first}", ""]
    if body and body != first:
        head += [body, ""]
    from .status import assessed_on

    when = assessed_on(doc.data)
    return _with_trailers(head, {
        "Assessment": aid,
        "Version": label,
        "Change-Date": date.isoformat(),
        "Kind": doc.kind,
        "Title": doc.title,
        "Message": (message or "").strip(),
        "Content-Hash": digest,
        "Assessed-On": when.isoformat() if when else None,
    })


def _trailers(body: str) -> dict[str, str]:
    """The ``Piadiff-…`` trailers of a commit message: only its last paragraph, lines as git
    counts them (ended by LF alone, never by U+2028 or other characters a value could hold)."""
    lines = body.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    start = len(lines)
    while start > 0 and lines[start - 1].strip():
        start -= 1
    fields: dict[str, str] = {}
    if start == 0:  # the subject's paragraph is never trailers
        return fields
    for line in lines[start:]:
        m = _TRAILER_LINE.match(line.rstrip("\r"))
        if m:
            if m.group(1) in fields:
                raise ValueError(f"{TRAILER}{m.group(1)} が二度書かれています")
            fields[m.group(1)] = m.group(2)
    return fields


def _parse_commit(sha: str, author: str, when: str, body: str) -> Revision | None:
    """The version a commit records; None for a commit that records none (init, decisions, by hand).

    A commit that claims a version but whose metadata cannot be read is a damaged store: a clear
    error naming the commit (never a traceback, never a guess)."""
    try:
        return _revision(sha, author, when, body)
    except (ValueError, TypeError, PiadiffError) as e:
        reason = str(e) if isinstance(e, PiadiffError) or str(e).isprintable() else type(e).__name__
        raise StoreDamagedError(f"記録 {sha[:10]} の版の情報を読めません（{reason[:160]}）。"
                                "piadiff fsck で点検してください") from None


def _revision(sha: str, author: str, when: str, body: str) -> Revision | None:
    fields = _trailers(body)
    if "Assessment" not in fields and "Version" not in fields:
        return None  # the store's own commits (init, decisions) and anything made by hand
    encoded = fields.pop("Format", None)
    if encoded is not None and encoded.strip() != "2":
        raise ValueError(f"{TRAILER}Format「{one_line(encoded)[:20]}」は分からない形式です")

    def value(key: str, required: bool = False) -> str | None:
        if key not in fields:
            if required:
                raise ValueError(f"{TRAILER}{key} がありません")
            return None
        raw = fields[key]
        if encoded:
            try:
                return decode_value(raw)
            except ValueError:
                raise ValueError(f"{TRAILER}{key} の値が JSON の文字列ではありません") from None
        if key == "Message":  # the one value older commits wrote as JSON
            try:
                return decode_value(raw) or ""
            except ValueError:
                return ""
        return None if key == "Assessed-On" and raw == "-" else raw

    aid = value("Assessment", True) or ""
    if check_id(aid) != aid:
        raise ValueError("評価書IDが正規化されていません")
    label = value("Version", True) or ""
    if not _RECORDED_LABEL.match(label):
        raise ValueError(f"版の名前「{one_line(label)[:20]}」が v1, v2, … の形ではありません")
    try:
        change_date = dt.date.fromisoformat(value("Change-Date", True) or "")
    except ValueError:
        raise ValueError(f"{TRAILER}Change-Date が日付（YYYY-MM-DD）ではありません") from None
    try:
        recorded_at = dt.datetime.fromisoformat(when.strip())
    except ValueError:
        raise ValueError("記録した日時が読めません") from None
    assessed = value("Assessed-On")
    return Revision(
        assessment_id=aid,
        label=label,
        change_date=change_date,
        author=author,
        message=value("Message") or "",
        commit=sha,
        content_hash=value("Content-Hash") or "",
        kind=value("Kind") or "",
        title=value("Title") or "",
        recorded_at=recorded_at,
        assessed_on=_date_or_none(assessed),
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
