"""Several officers, one store: git remotes, push and pull.

The store is a plain git repository, so sharing is git's: ``git push`` / ``git pull`` work too.
``piadiff pull`` adds what git cannot know: versions are numbered per assessment. When both sides
recorded versions, the local ones that the other side has not seen are written again on top of
the other side's history (their versions keep their numbers, ours get the next ones), so numbers
stay unique and nothing is lost. When both sides recorded the same assessment, pull stops and
names both versions; ``--next mine`` or ``--next theirs`` says which one becomes the latest.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .document import Document
from .gitcli import ObjectReader
from .errors import PiadiffError, StoreError
from .store import ASSESSMENTS, MARKER, Revision, Store, _commit_message, _git, _parse_commit

#: the largest file ``pull`` takes in (a real 全項目評価書 is well under 1 MB); tests set a small value
MAX_FILE_BYTES = 20 * 1024 * 1024
#: problems a refused ``pull`` prints at most (the count says how many there were)
MAX_SHOWN = 40


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


class PullRefused(StoreError):
    """What a remote holds breaks the store's rules: nothing was taken in. One line per problem."""

    def __init__(self, name: str, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_SHOWN]
        more = [f"ほか {len(problems) - len(shown)} 件"] if len(problems) > len(shown) else []
        super().__init__(
            f"共有先「{name}」の記録に受け取れないものがあるため、何も取り込みませんでした（問題 {len(problems)} 件。"
            "この保存先は変わっていません）:\n" + "\n".join(f"  {line}" for line in shown + more))


def pull(store: Store, name: str = "origin", next_: str | None = None) -> PullResult:
    """Bring in the remote's versions; see the module's description.

    What the remote sends is fetched into a quarantine (a temporary repository that borrows this
    store's objects) and checked commit by commit as ``record`` would check it (:class:`_Checker`);
    only when all of it passes are its objects taken into the store.
    """
    git = _git()
    _remote(store, name)
    try:
        return _pull(store, name, next_)
    except git.GitCommandError as e:  # whatever git says, said as one line
        said = _git_said(e)
        raise StoreError(f"共有先「{name}」から取り込めませんでした（git: {said[-1] if said else f'終了コード {e.status}'}）") from None
    except OSError as e:  # the temporary folder (disk full, no permission)
        raise StoreError(f"共有先「{name}」から取り込めませんでした（一時フォルダ: {e.strerror or e}）") from None


_INCOMING = "refs/heads/incoming"


def _git_said(e) -> list[str]:
    """The lines of git's stderr in a GitCommandError (GitPython wraps them in "stderr: '…'")."""
    text = (e.stderr or "").strip()
    text = re.sub(r"^stderr: '", "", text)
    text = text[:-1] if text.endswith("'") else text
    return [l.strip() for l in text.splitlines() if l.strip()]


@contextmanager
def _quarantine(store: Store):
    """A temporary bare repository that sees this store's objects (git alternates) and keeps what is
    fetched apart from them; removed afterwards, whatever happens."""
    git = _git()
    tmp = Path(tempfile.mkdtemp(prefix="piadiff-pull-"))
    repo = None
    try:
        repo = git.Repo.init(tmp / "quarantine.git", bare=True)
        objects = Path(getattr(store.repo, "common_dir", None) or store.repo.git_dir) / "objects"
        (Path(repo.git_dir) / "objects" / "info" / "alternates").write_text(f"{objects.resolve()}\n", encoding="utf-8")
        with repo.config_writer() as config:
            config.set_value("gc", "auto", "0")
            config.set_value("maintenance", "auto", "false")
            config.set_value("core", "quotepath", "false")
            # git's own check of every object received, except what _Checker says in Japanese with its path
            config.set_value("fetch", "fsckObjects", "true")
            for msg in _OWN_CHECKS:
                config.set_value('fetch "fsck"', msg, "ignore")  # fetch.fsck.<msg>
        repo.git.symbolic_ref("HEAD", _INCOMING)
        yield repo
    finally:
        if repo is not None:
            repo.close()
        shutil.rmtree(tmp, ignore_errors=True)


# git fsck's findings about tree entries that _Checker reports itself, with the commit and path
# (names, and modes other than a plain file or folder); git's other findings refuse the fetch
_OWN_CHECKS = ("fullPathname", "hasDot", "hasDotdot", "hasDotgit", "emptyName", "badFilemode")


def _fetch(store: Store, quarantine, name: str, branch: str) -> None:
    git = _git()
    url = store.repo.remotes[name].url
    try:
        # run from the store's folder, so a relative URL means what it means to git in the store
        git.Git(str(store.path))(git_dir=quarantine.git_dir).fetch(
            "--no-tags", "--no-recurse-submodules", "--", url, f"+refs/heads/{branch}:{_INCOMING}")
    except git.GitCommandError as e:
        said = _git_said(e)
        bad = [re.match(r"error: object ([0-9a-f]{40,64}): (\w+): (.*)", l) for l in said]
        if any(bad):
            raise PullRefused(name, [f"git のオブジェクト {m.group(1)[:8]}: git の検査で不正なデータです（{m.group(2)}: {m.group(3)}）"
                                     for m in bad if m]) from None
        if any("couldn't find remote ref" in l for l in said):
            raise StoreError(f"共有先「{name}」に {branch} がありません（まだ何も送られていません）") from None
        raise StoreError(f"共有先「{name}」から受け取れません: {said[-1] if said else e.status}") from None


def _pull(store: Store, name: str, next_: str | None) -> PullResult:
    git = _git()
    branch = store.repo.head.reference.name
    ours = store._head_sha()
    with _quarantine(store) as quarantine:
        _fetch(store, quarantine, name, branch)
        theirs = quarantine.git.rev_parse(_INCOMING)
        new = quarantine.git.rev_list("--reverse", "--topo-order", theirs, "--not", ours).split()
        if not new:
            return PullResult("up-to-date", 0, [], [])
        try:
            quarantine.git.merge_base(ours, theirs)
        except git.GitCommandError:
            raise StoreError(f"共有先「{name}」の履歴はこの保存先とつながっていません（別々に piadiff init した保存先です）。"
                             "共有先の保存先を使うには git clone してください") from None
        checker = _Checker(store, quarantine)
        try:
            problems = checker.run(new, ours, theirs)
        finally:
            checker.close()
        if problems:
            raise PullRefused(name, problems)
        # all of it passed: the objects move from the quarantine into the store
        store.repo.git.fetch("--no-tags", quarantine.git_dir, f"+{_INCOMING}:refs/remotes/{name}/{branch}")
    base = store.repo.git.merge_base(ours, theirs)
    received = len(new)
    if base == ours:
        try:
            store.repo.git.update_index("-q", "--refresh")
        except git.GitCommandError:
            pass
        try:
            store.repo.git.merge("--ff-only", theirs)
        except git.GitCommandError as e:
            said = _git_said(e)
            raise StoreError("共有先の版は受け取りましたが、保存先のフォルダにある手で置いたファイルと重なるため、"
                             f"最新にできませんでした（git: {said[-1] if said else e.status}）。そのファイルを移してから"
                             f" piadiff pull {name} をもう一度実行してください") from None
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


# what pull checks -----------------------------------------------------------------------------------

_TREE, _FILE, _EXECUTABLE, _LINK, _SUBMODULE = 0o040000, 0o100644, 0o100755, 0o120000, 0o160000
# control characters, and what Python's splitlines (and so a reader of lines) takes for a line end
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _show(text: str, limit: int = 60) -> str:
    """A name or value as it can be printed on one line: control characters as \\x1f, cut at limit."""
    shown = "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _short(e: BaseException) -> str:
    lines = [l for l in str(e).splitlines() if l.strip()]
    return _show(lines[0], 120) if lines else type(e).__name__


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n:,} バイト"


def _words(text: object) -> str:
    return " ".join(str(text).split())


def _is_dotgit(name: str) -> bool:
    """.git in any spelling a file system may take for it (case, trailing dots and spaces,
    ignorable characters, the 8.3 short name)."""
    import unicodedata

    if not name.isascii():
        name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    return name.rstrip(". ").casefold() in (".git", "git~1")


class _Checker:
    """Every new commit of a pull checked as ``record`` would check it, every problem collected.

    - paths: only the store's layout (piadiff-store.json, README.md, settings.yaml at the top;
      assessments/<id>.json, decisions/<id>.yaml, legacy/<id>.yaml), names without ``/``, ``..``,
      ``.git`` or control characters, each name once;
    - kinds: plain files and folders only (no symbolic links, submodules or executables);
    - sizes: no file over :data:`MAX_FILE_BYTES`;
    - contents: documents validate (``normalize``, as the store's reader does) and are in canonical
      form; decisions, the published annex rows, settings and the store's marker can be read;
    - metadata: read by the store's own log reader; a version's trailers name the file the commit
      changes, the next version number, the content's hash and form; nothing is deleted; no
      document changes without a version; author names without control characters.

    Trees and files the local store already holds at the same place are not read again.
    """

    def __init__(self, store: Store, quarantine):
        from .annex import legacy_path
        from .decisions import decisions_path
        from .settings import SETTINGS_FILE

        self.store = store
        self.repo = quarantine
        # the store's own reading functions (log, trailers, documents) over the quarantine's objects
        self.view = copy.copy(store)
        self.view._repo = quarantine
        self.view.path = self.view.git_dir = Path(quarantine.git_dir)  # git runs in the bare quarantine
        self.view.bare = True
        self.view._objects = ObjectReader(self.view.path)
        self.view._cache = {}
        self.settings_file = SETTINGS_FILE
        self.decisions = decisions_path("x").split("/")[0]
        self.legacy = legacy_path("x").split("/")[0]
        self.root_files = (MARKER, "README.md", SETTINGS_FILE)
        self.folders = {ASSESSMENTS: ".json", self.decisions: ".yaml", self.legacy: ".yaml"}
        self.problems: list[str] = []
        self.reported: set[str] = set()
        self.seen: set[tuple[str, int, str]] = set()  # (path, mode, object) checked, or held by the store
        self.docs: dict[str, Document] = {}  # blob → the document it holds (when it passed)
        self.trees: dict[str, list[tuple[int, bytes, str]]] = {}
        self.meta: dict[str, Revision | None] | None = None
        self.touched: set[str] = set()  # assessments that new commits record versions of
        self.refused: set[tuple[str, int, str]] = set()  # (path, mode, object) whose name or kind was refused
        self.new: set[str] = set()  # the commits being checked
        self.unreadable = False  # a commit's metadata the store's reader cannot read

    def problem(self, where: str, text: str) -> None:
        if text not in self.reported:  # said once, for the first commit that brings it
            self.reported.add(text)
            self.problems.append(f"{where}: {text}")

    def close(self) -> None:
        self.view._objects.close()

    def run(self, new: list[str], ours: str, theirs: str) -> list[str]:
        self._trust(ours)
        self.new = set(new)
        self.meta = self._all_metadata(new, ours, theirs)
        for sha in new:
            where = f"コミット {sha[:8]}"
            try:
                self._commit(sha, where)
            except Exception as e:  # noqa: BLE001 — hostile data: what cannot be read is refused
                self.problem(where, f"読めません（{_short(e)}）")
        self._numbering(theirs)
        return self.problems

    # git objects --------------------------------------------------------------------------------
    def _info(self, sha: str) -> tuple[str, int]:
        info = self.repo.odb.info(bytes.fromhex(sha))
        return info.type.decode("ascii"), info.size

    def _data(self, sha: str) -> bytes:
        return self.repo.odb.stream(bytes.fromhex(sha)).read()

    def _entries(self, sha: str) -> list[tuple[int, bytes, str]]:
        """A tree's entries as git stores them: (mode, name bytes, object)."""
        if sha not in self.trees:
            stream = self.repo.odb.stream(bytes.fromhex(sha))
            raw = stream.read()
            if stream.type != b"tree":
                raise ValueError(f"フォルダのはずの git データが {stream.type.decode('ascii')} です")
            out, i, width = [], 0, len(sha) // 2
            while i < len(raw):
                space = raw.index(b" ", i)
                nul = raw.index(b"\0", space)
                out.append((int(raw[i:space], 8), raw[space + 1:nul], raw[nul + 1:nul + 1 + width].hex()))
                i = nul + 1 + width
            self.trees[sha] = out
        return self.trees[sha]

    def _files(self, root: str) -> dict[str, tuple[int, str]]:
        """path → (mode, object) of the top entries and of the store's folders' entries."""
        out: dict[str, tuple[int, str]] = {}
        for mode, raw, sha in self._entries(root):
            name = raw.decode("utf-8", "replace")
            out[name] = (mode, sha)
            if mode == _TREE and name in self.folders:
                for mode2, raw2, sha2 in self._entries(sha):
                    out[f"{name}/{raw2.decode('utf-8', 'replace')}"] = (mode2, sha2)
        return out

    def _trust(self, ours: str) -> None:
        root = self.store.repo.commit(ours).tree.hexsha
        self.seen.add(("", _TREE, root))
        self.seen.update((path, mode, sha) for path, (mode, sha) in self._files(root).items())

    # one commit ---------------------------------------------------------------------------------
    def _commit(self, sha: str, where: str) -> None:
        commit = self.repo.commit(sha)
        said = set()
        for role, person in (("作成者", commit.author), ("コミットした人", commit.committer)):
            for what, text in (("名前", person.name or ""), ("メールアドレス", person.email or "")):
                if _BAD_CHARS.search(text) and (what, text) not in said:  # the committer is usually the author
                    said.add((what, text))
                    self.problem(where, f"{role}の{what}「{_show(text)}」に制御文字か改行があります")
        root = commit.tree.hexsha
        self._tree(where, "", root)
        files = self._files(root)
        parents = [p.hexsha for p in commit.parents]
        before = self._files(self.repo.commit(parents[0]).tree.hexsha) if parents else {}
        for path in sorted(set(before) - set(files)):
            folder, _, _ = path.rpartition("/")
            if not folder or files.get(folder, (0,))[0] == _TREE:  # a folder that became something else is said above
                self.problem(where, f"{_show(path)}: 削除しています（piadiff は記録したものを削除しません）")
        changed = sorted(p for p, v in files.items() if before.get(p) != v and (v[0] != _TREE or p not in self.folders))
        rev = self._metadata(sha, where)
        if rev is _UNREADABLE:
            return
        if rev is not None:
            self._version(sha, where, rev, parents, files, changed)
            return
        for path in changed:
            if not path.startswith(f"{ASSESSMENTS}/") or (path, *files[path]) in self.refused:
                continue  # a name or kind refused above is not said again
            if len(parents) <= 1:
                self.problem(where, f"{_show(path)}: 評価書の内容を、版の記録（Piadiff- で始まる行）なしで変えています")
            elif not any(self._files(self.repo.commit(p).tree.hexsha).get(path) == files[path] for p in parents[1:]):
                self.problem(where, f"{_show(path)}: マージで評価書の内容を新しく作っています（どちらの側の版とも違います）")

    def _tree(self, where: str, path: str, sha: str) -> None:
        """A folder of the store (path "" is the top), its names, kinds, and the files in it."""
        if (path, _TREE, sha) in self.seen:
            return
        self.seen.add((path, _TREE, sha))
        try:
            entries = self._entries(sha)
        except Exception as e:  # noqa: BLE001
            self.problem(where, f"{path or '保存先の一番上'}: フォルダの git データを読めません（{_short(e)}）")
            return
        names: set[bytes] = set()
        for mode, raw, child in entries:
            loose = raw.decode("utf-8", "replace")
            key = (f"{path}/{loose}" if path else loose, mode, child)
            if raw in names:
                self.problem(where, f"{_show(key[0])}: 同じ名前が二つあります")
                self.refused.add(key)
                continue
            names.add(raw)
            if key in self.seen:
                continue  # held by the store already, or checked in an earlier commit
            name = self._name(where, path, raw)
            if name is None:
                self.refused.add(key)
                self.seen.add(key)
                continue
            full = key[0]
            if not path and name in self.folders:
                ok = self._kind(where, full, mode, child, _TREE)
                if ok:
                    self._tree(where, name, child)
            elif not path and name in self.root_files:
                ok = self._kind(where, full, mode, child, _FILE)
                if ok:
                    self._file(where, full, child)
            elif not path:
                what = "フォルダ" if mode == _TREE else "ファイル"
                allowed = "、".join([*self.root_files, *(f"{f}/" for f in self.folders)])
                self.problem(where, f"{_show(full)}: piadiff の保存先にない{what}です（置けるのは {allowed}）")
                ok = False
            elif ok := self._kind(where, full, mode, child, _FILE):
                suffix = self.folders[path]
                if not name.endswith(suffix) or not _valid_id(name[: -len(suffix)]):
                    self.problem(where, f"{_show(full)}: {path}/ に置けるのは「評価書ID{suffix}」という名前のファイルだけです")
                    ok = False
                else:
                    self._file(where, full, child)
            if not ok:
                self.refused.add((full, mode, child))
            self.seen.add((full, mode, child))

    def _name(self, where: str, folder: str, raw: bytes) -> str | None:
        place = f"{folder}/" if folder else "保存先の一番上"
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.problem(where, f"{place}: 名前が UTF-8 ではない項目があります（{_show(repr(raw))}）")
            return None
        full = f"{folder}/{name}" if folder else name
        if not name:
            reason = "名前が空の項目があります"
        elif "/" in name or "\\" in name:
            reason = "名前に / や \\ を含む項目です（保存先の外を指せる名前は受け取れません）"
        elif name in (".", ".."):
            reason = f"「{name}」という名前の項目は受け取れません（保存先の外を指せる名前です）"
        elif _is_dotgit(name):
            reason = "「.git」と読める名前の項目は受け取れません（git の管理データを書き換えられる名前です）"
        elif _BAD_CHARS.search(name):
            reason = "名前に制御文字か改行を含む項目です"
        else:
            return name
        self.problem(where, f"{_show(full) if name else place}: {reason}")
        return None

    def _kind(self, where: str, path: str, mode: int, sha: str, want: int) -> bool:
        if mode == want:
            return True
        should = "フォルダ" if want == _TREE else "ファイル"
        if mode == _LINK:
            try:
                target = self._data(sha)[:200].decode("utf-8", "replace") if self._info(sha)[1] <= 4096 else "…"
            except Exception:  # noqa: BLE001
                target = "?"
            text = f"シンボリックリンク（→ {_show(target)}）は受け取れません（{should}のはずです）"
        elif mode == _SUBMODULE:
            text = "サブモジュール（別の git リポジトリへの参照）は受け取れません"
        elif mode == _EXECUTABLE:
            text = "実行できるファイル（実行権限付き）は受け取れません"
        elif mode == _TREE:
            text = f"フォルダは置けません（{should}のはずです）"
        elif mode == _FILE:
            text = f"ファイルは置けません（{should}のはずです）"
        else:
            text = f"git の種類 {mode:o} のものは受け取れません"
        self.problem(where, f"{_show(path)}: {text}")
        return False

    def _file(self, where: str, path: str, sha: str) -> None:
        try:
            kind, size = self._info(sha)
        except Exception as e:  # noqa: BLE001
            self.problem(where, f"{_show(path)}: git のデータを読めません（{_short(e)}）")
            return
        if kind != "blob":
            self.problem(where, f"{_show(path)}: ファイルのはずの git データが {kind} です")
            return
        if size > MAX_FILE_BYTES:
            self.problem(where, f"{_show(path)}: ファイルが大きすぎます（{_size(size)}。{_size(MAX_FILE_BYTES)} まで）")
            return
        try:
            reasons = self._content(path, sha, self._data(sha))
        except Exception as e:  # noqa: BLE001
            reasons = [f"読めません（{_short(e)}）"]
        for reason in reasons:
            self.problem(where, f"{_show(path)}: {reason}")

    def _content(self, path: str, sha: str, data: bytes) -> list[str]:
        folder = path.rpartition("/")[0]
        if folder == ASSESSMENTS:
            return self._document(path, sha, data)
        if folder == self.decisions:
            from .decisions import check_decisions

            return [f"判断の記録: {p}" for p in check_decisions(data)[:5]]
        if folder == self.legacy:
            return [f"既存の変更箇所: {p}" for p in _legacy_problems(data)[:5]]
        if path == MARKER:
            return _marker_problems(data)
        if path == self.settings_file:
            return _settings_problems(data, self.settings_file)
        return []  # README.md: any text

    def _document(self, path: str, sha: str, data: bytes) -> list[str]:
        """A document as the store reads one (parse_text, then normalize), and in the form record writes."""
        from .document import normalize
        from .errors import ValidationError
        from .load import parse_text

        try:
            doc = normalize(parse_text(data.decode("utf-8"), path, "json"), path)
        except UnicodeDecodeError:
            return ["UTF-8 の文書ではありません"]
        except ValidationError as e:
            first = e.problems[0]
            more = f"（ほか {len(e.problems) - 1} 件）" if len(e.problems) > 1 else ""
            return [f"様式に合わない文書です: {_show(first.path + ': ' if first.path else '', 80)}{_show(first.message, 160)}{more}"]
        except Exception as e:  # noqa: BLE001 — InputError, and whatever a hostile file makes the reader raise
            text = _short(e)
            if text.startswith(path):  # the reader names the file, which this line names already
                line, _, rest = text[len(path):].lstrip(":").partition(": ")
                text = f"{line} 行目: {rest}" if line.isdigit() else text[len(path):].lstrip(": ")
            return [f"文書として読めません（{text}）"]
        if doc.canonical_bytes() != data:
            return ["piadiff が記録する形（正規化した JSON）ではありません"]
        self.docs[sha] = doc
        return []

    # metadata -----------------------------------------------------------------------------------
    def _all_metadata(self, new: list[str], ours: str, theirs: str) -> dict[str, Revision | None] | None:
        """Every new commit's version, read by the store's log reader in one pass; None when that
        pass fails or reads something odd (then each commit is read alone, to name the culprit)."""
        try:
            revs = self.view._read_log(f"{ours}..{theirs}", None)
        except Exception:  # noqa: BLE001
            return None
        by_commit = {r.commit: r for r in revs}
        if len(by_commit) != len(revs) or not set(by_commit) <= set(new):
            return None
        return {sha: by_commit.get(sha) for sha in new}

    def _metadata(self, sha: str, where: str):
        """The version a commit records (None: it records none), as the store's log reads it;
        _UNREADABLE when the log reader fails on it or reads it as something else."""
        if self.meta is not None and sha in self.meta:
            return self.meta[sha]
        try:
            revs = self.view._read_log(sha, None, 1)
        except Exception as e:  # noqa: BLE001
            reason = _short(e).split("。piadiff fsck")[0]
            self.problem(where, f"版の記録（Piadiff- で始まる行）を piadiff が読めません（{reason}。"
                                "受け取ると log などが動かなくなります）")
            self.unreadable = True
            return _UNREADABLE
        if len(revs) > 1 or any(r.commit != sha for r in revs):
            self.problem(where, "版の記録（Piadiff- で始まる行）が偽装されています（別のコミットの版として読めます）")
            self.unreadable = True
            return _UNREADABLE
        return revs[0] if revs else None

    def _version(self, sha: str, where: str, rev: Revision, parents: list[str],
                 files: dict[str, tuple[int, str]], changed: list[str]) -> None:
        """A version's trailers against what its commit does, as record would have written them."""
        from .wareki import to_wareki

        aid = rev.assessment_id
        if not _valid_id(aid):
            self.problem(where, f"版の記録の評価書ID「{_show(aid)}」は使えない形です")
            return
        path = f"{ASSESSMENTS}/{aid}.json"
        said = f"版の記録（{_show(aid)} {_show(rev.label)}）"
        self.touched.add(aid)
        if len(parents) > 1:
            self.problem(where, f"{said}がマージのコミットにあります（piadiff は版をマージで記録しません）")
        if path not in changed:
            self.problem(where, f"{said}が偽装されています: このコミットは {path} を変えていません")
            return
        others = [p for p in changed if p.startswith(f"{ASSESSMENTS}/") and p != path]
        if others:
            self.problem(where, f"{said}のコミットが、ほかの評価書も変えています（{_show('、'.join(others), 120)}）")
        # its number is checked with every other version of the assessment, in _numbering
        try:
            to_wareki(rev.change_date)
        except Exception:  # noqa: BLE001
            self.problem(where, f"{said}の変更日 {rev.change_date} は和暦にできません")
        blob = files[path][1]
        if blob not in self.docs:  # refused above, or a file the store holds already (read it now)
            try:
                kind, size = self._info(blob)
                if kind != "blob" or size > MAX_FILE_BYTES or self._document(path, blob, self._data(blob)):
                    return
            except Exception:  # noqa: BLE001
                return
        try:
            doc = self.view.read(rev, check=True)  # the store's own reader, as fsck reads a version
        except Exception as e:  # noqa: BLE001
            self.problem(where, f"{path}: piadiff が版として読めません（{_short(e)}）")
            return
        if doc.content_hash() != rev.content_hash:
            self.problem(where, f"{said}の内容のハッシュが {path} の内容と合いません（偽装か書き換え）")
        if rev.kind != doc.kind:
            self.problem(where, f"{said}の様式「{_show(rev.kind)}」が {path} の様式「{doc.kind}」と違います")
        if _words(rev.title) != _words(doc.title):
            self.problem(where, f"{said}の評価書名「{_show(rev.title)}」が {path} の評価書名と違います")

    def _numbering(self, theirs: str) -> None:
        """Each assessment's versions as the remote's log will read them (one pass over its history,
        as log and fsck read it): v1, v2, … in order, each new one with the next number record gives."""
        if not self.touched or self.unreadable:
            return  # a commit the reader cannot read is said where it is; the numbers cannot be read past it
        try:
            revs = self.view._log(theirs, None)
        except Exception as e:  # noqa: BLE001 — what the reader cannot read is said per commit above
            self.problem("共有先の履歴", f"版の一覧を読めません（{_short(e).split('。piadiff fsck')[0]}）")
            return
        by_id: dict[str, list[Revision]] = {}
        for rev in revs:
            by_id.setdefault(rev.assessment_id, []).append(rev)
        for aid in sorted(self.touched):
            labels = [r.label for r in by_id.get(aid, [])]
            wrong = [(i, r) for i, r in enumerate(by_id.get(aid, []), 1) if r.label != f"v{i}"]
            for i, r in wrong:
                if r.commit in self.new:
                    self.problem(f"コミット {r.commit[:8]}", f"版の記録（{aid} {_show(r.label)}）の版の番号が偽装されています: "
                                                           f"record ならここは v{i} です")
            if wrong and not any(r.commit in self.new for _, r in wrong):
                self.problem(f"評価書 {aid}", f"共有先の版の番号が続いていません: {_show(', '.join(labels), 120)}")
            versions = by_id.get(aid, [])
            for before, r in zip(versions, versions[1:]):  # record refuses a 変更日 before the latest version's
                if r.commit in self.new and r.change_date < before.change_date:
                    self.problem(f"コミット {r.commit[:8]}", f"版の記録（{aid} {_show(r.label)}）の変更日 {r.change_date} が"
                                                           f"前の版 {_show(before.label)} の変更日 {before.change_date} より前です"
                                                           "（record なら断ります）")


_UNREADABLE = object()  # a commit whose metadata the store's reader cannot read (said where it is found)


def _valid_id(text: str) -> bool:
    from .store import check_id

    try:
        return check_id(text) == text
    except PiadiffError:
        return False


def _legacy_problems(data: bytes) -> list[str]:
    """What keeps legacy/<id>.yaml (the published annex rows) from being read by annex.read_legacy."""
    import datetime as dt

    import yaml

    from .load import yaml_error_message

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["UTF-8 の文字として読めません"]
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as e:
        return [yaml_error_message(e, None, text)]
    if content is None:
        return []
    if not isinstance(content, dict) or not isinstance(content.get("rows") or [], list):
        return ["「版:」と「rows:」（行の並び）の形になっていません"]
    problems = []
    for n, row in enumerate(content.get("rows") or [], 1):
        if not isinstance(row, dict):
            problems.append(f"{n} 行目が項目の並びになっていません")
            continue
        iso = row.get("date_iso")
        if iso:
            try:
                dt.date.fromisoformat(iso)
            except (TypeError, ValueError):
                problems.append(f"{n} 行目: date_iso「{_show(str(iso))}」は日付（2025-04-01 の形）ではありません")
        if row.get("timing") not in (None, "", "事前", "事後"):
            problems.append(f"{n} 行目: timing「{_show(str(row.get('timing')))}」は 事前 か 事後 です")
    return problems


def _marker_problems(data: bytes) -> list[str]:
    from .store import STORE_FORMAT

    try:
        marker = json.loads(data.decode("utf-8"))
    except Exception as e:  # noqa: BLE001
        return [f"JSON として読めません（{_short(e)}）"]
    if (not isinstance(marker, dict) or marker.get("format") != STORE_FORMAT["format"]
            or type(marker.get("version")) is not int or not 1 <= marker["version"] <= STORE_FORMAT["version"]):
        return [f"piadiff の保存先の印ではありません（{_show(json.dumps(marker, ensure_ascii=False))}）"]
    return []


def _settings_problems(data: bytes, name: str) -> list[str]:
    """settings.yaml read as load_settings reads it from a store's folder."""
    from .settings import load_settings

    with tempfile.TemporaryDirectory(prefix="piadiff-settings-") as tmp:
        (Path(tmp) / name).write_bytes(data)
        try:
            load_settings(tmp)
        except PiadiffError as e:
            return [_show(str(e).replace(str(Path(tmp) / name), "").lstrip(": "), 160)]
        except Exception as e:  # noqa: BLE001
            return [f"読めません（{_short(e)}）"]
    return []
