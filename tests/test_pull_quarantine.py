"""pull from a hostile or careless remote: fetched into quarantine, checked as record would check
it, and taken in only when all of it passes; the local store is left exactly as it was.

Each malicious remote is a bare repository built with git's plumbing on top of the shared history:
one commit that breaks one rule (or several), made the way an attacker would, not through piadiff.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_clean_error, snapshot

DOC = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
AID = "1-X市-事務-重点項目評価書"


def git(cwd, *args, data: bytes | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=True).stdout.decode().strip()


def document(tmp_path, name: str, date: str, company: str = "テスト情報株式会社", number: str = "1",
             title: str = "X市 事務 重点項目評価書") -> str:
    text = DOC.replace("評価書番号: 99", f"評価書番号: {number}").replace(
        "テスト市 児童手当に関する事務 重点項目評価書", title).replace("公表日: 令和6年4月1日", f"公表日: {date}")
    text = text.replace("③委託先名: テスト情報株式会社", f"③委託先名: {company}")
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


class Bare:
    """A bare repository written with git's plumbing: any tree, any commit, however malformed."""

    def __init__(self, path: Path):
        self.path = path

    def blob(self, data: bytes) -> str:
        return git(self.path, "hash-object", "-w", "--stdin", data=data)

    def entries(self, tree: str) -> dict[bytes, tuple[str, str]]:
        out = subprocess.run(["git", "ls-tree", "-z", tree], cwd=self.path, capture_output=True, check=True).stdout
        entries = {}
        for line in out.split(b"\0"):
            if line:
                meta, name = line.split(b"\t", 1)
                mode, _, sha = meta.decode().split()
                entries[name] = (mode, sha)
        return entries

    def tree(self, entries: dict[bytes, tuple[str, str]]) -> str:
        """A tree object with exactly these entries (names are not checked: that is the point)."""
        key = lambda item: item[0] + (b"/" if item[1][0].lstrip("0") == "40000" else b"")  # noqa: E731
        raw = b"".join(f"{mode.lstrip('0')} ".encode() + name + b"\0" + bytes.fromhex(sha)
                       for name, (mode, sha) in sorted(entries.items(), key=key))
        return git(self.path, "hash-object", "-t", "tree", "--literally", "-w", "--stdin", data=raw)

    def root(self, rev: str = "main") -> dict[bytes, tuple[str, str]]:
        return self.entries(git(self.path, "rev-parse", f"{rev}^{{tree}}"))

    def with_file(self, path: str, data: bytes, mode: str = "100644", rev: str = "main") -> str:
        """The tree of ``rev`` with ``path`` (top or one folder down) set to ``data``."""
        root = self.root(rev)
        parts = path.encode().split(b"/")
        blob = self.blob(data)
        if len(parts) == 1:
            root[parts[0]] = (mode, blob)
        else:
            folder = self.entries(root[parts[0]][1]) if parts[0] in root else {}
            folder[parts[1]] = (mode, blob)
            root[parts[0]] = ("40000", self.tree(folder))
        return self.tree(root)

    def commit(self, tree: str, message: str, author: str = "悪意 <>", parent: str = "main") -> str:
        """A commit object as given (author line included), and the branch moved to it."""
        head = git(self.path, "rev-parse", parent)
        raw = (f"tree {tree}\nparent {head}\nauthor {author} 1735700000 +0900\n"
               f"committer {author} 1735700000 +0900\n\n{message}").encode()
        sha = git(self.path, "hash-object", "-t", "commit", "--literally", "-w", "--stdin", data=raw)
        git(self.path, "update-ref", "refs/heads/main", sha)
        return sha


@pytest.fixture
def world(run, tmp_path):
    """Officer A's store with one assessment (v1), the shared repository, officer B's clone of it,
    and a scratch clone where real versions are recorded to borrow their commit messages."""
    assert run("init", "--store", "a").exit_code == 0
    assert run("record", document(tmp_path, "x1.yaml", "令和6年4月1日"), "--store", "a").exit_code == 0
    git(tmp_path, "clone", "-q", "--bare", "a", "shared.git")
    git(tmp_path, "clone", "-q", "shared.git", "b")
    git(tmp_path, "clone", "-q", "shared.git", "scratch")
    return tmp_path


def evil(world: Path, name: str = "evil.git") -> Bare:
    git(world, "clone", "-q", "--bare", "shared.git", name)
    return Bare(world / name)


def real_version(run, world: Path, company: str = "Y社", date: str = "令和7年4月1日") -> tuple[str, bytes]:
    """A version recorded by piadiff itself in the scratch store: its commit message and document bytes."""
    r = run("record", document(world, f"v-{company}.yaml", date, company), "--store", "scratch")
    assert r.exit_code == 0, r.output
    message = git(world / "scratch", "log", "-1", "--format=%B") + "\n"
    data = (world / "scratch" / "assessments" / f"{AID}.json").read_bytes()
    git(world / "scratch", "reset", "-q", "--hard", "HEAD~1")  # the scratch store forgets it again
    return message, data


def trailer(message: str, key: str, value: str) -> str:
    """``message`` with the value of trailer Piadiff-<key> replaced, however values are encoded
    (plain, or one line of JSON)."""
    pattern = re.compile(rf'^(Piadiff-{key}: ?"?)[^"\n]*', re.MULTILINE)
    assert pattern.search(message), message
    return pattern.sub(lambda m: m.group(1) + value, message, count=1)


def state(store: Path) -> tuple[str, dict[str, bytes]]:
    """Every ref of a store and every file (.git included)."""
    return git(store, "for-each-ref", "--format=%(refname) %(objectname)") + git(store, "symbolic-ref", "HEAD"), snapshot(store)


def refused(run, world: Path, *reasons: str, remote: str = "evil.git") -> str:
    """pull from ``remote`` is refused naming every reason, exit 1, and store b is unchanged."""
    b = world / "b"
    if "evil" not in git(b, "remote"):
        assert run("remote", "add", "evil", str(world / remote), "--store", "b").exit_code == 0
    before = state(b)
    r = run("pull", "evil", "--store", "b")
    assert_clean_error(r, "共有先「evil」の記録に受け取れないものがあるため、何も取り込みませんでした", *reasons)
    assert "GitCommandError" not in r.output
    after = state(b)
    assert after[0] == before[0]
    assert after[1] == before[1]
    lines = r.output.splitlines()
    assert all(l.startswith("  ") for l in lines[1:]), r.output  # one indented line per problem
    return r.output


def test_a_document_that_fails_validation_is_refused(run, world):
    message, data = real_version(run, world)
    bad = data.replace("Y社".encode(), "Y社".encode()).replace('"評価書番号": "1"'.encode(), '"評価書番号": ""'.encode())
    assert bad != data
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", bad), message)
    out = refused(run, world, f"assessments/{AID}.json: 様式に合わない文書です: 表紙 > 評価書番号")
    assert re.search(r"コミット [0-9a-f]{8}: ", out)


def test_a_document_that_is_not_json_is_refused(run, world):
    message, _ = real_version(run, world)
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", b"{not json"), message)
    refused(run, world, f"assessments/{AID}.json: 文書として読めません")


def test_a_huge_file_is_refused_with_the_limit(run, world, monkeypatch):
    monkeypatch.setattr("piadiff.sharing.MAX_FILE_BYTES", 4096)
    e = evil(world)
    e.commit(e.with_file("README.md", b"x" * 10_000), "README を更新\n")
    refused(run, world, "README.md: ファイルが大きすぎます（10,000 バイト。4,096 バイト まで）")


def test_the_default_limit_is_far_above_a_real_document_and_below_80_mb():
    from piadiff import sharing

    assert 5 * 1024 * 1024 <= sharing.MAX_FILE_BYTES < 80 * 1024 * 1024


def test_a_symlink_replacing_the_assessments_folder_is_refused(run, world):
    e = evil(world)
    root = e.root()
    root[b"assessments"] = ("120000", e.blob(b".git"))
    e.commit(e.tree(root), "assessments をリンクに\n")
    out = refused(run, world, "assessments: シンボリックリンク（→ .git）は受け取れません")
    assert "削除しています" not in out  # the folder that became a link is said once, not file by file


def test_a_symlink_executable_or_submodule_in_place_of_a_file_is_refused(run, world):
    e = evil(world)
    tree = e.with_file("README.md", b"#!/bin/sh\nrm -rf ~\n", mode="100755")
    root = e.entries(tree)
    folder = e.entries(root[b"assessments"][1])
    folder[b"link.json"] = ("120000", e.blob(b"/etc/passwd"))
    folder[b"sub.json"] = ("160000", git(e.path, "rev-parse", "main"))
    root[b"assessments"] = ("40000", e.tree(folder))
    e.commit(e.tree(root), "いろいろ\n")
    refused(run, world, "README.md: 実行できるファイル（実行権限付き）は受け取れません",
            "assessments/link.json: シンボリックリンク（→ /etc/passwd）は受け取れません",
            "assessments/sub.json: サブモジュール（別の git リポジトリへの参照）は受け取れません")


def test_a_decisions_file_with_a_bad_date_is_refused(run, world):
    e = evil(world)
    e.commit(e.with_file(f"decisions/{AID}.yaml", "- 版: v1\n  施行日: not-a-date\n".encode()), "判断\n")
    refused(run, world, f"decisions/{AID}.yaml: 判断の記録: 1 件目（v1）: 施行日「not-a-date」は日付（2025-04-01 の形）ではありません")


def test_fsck_finds_a_decisions_file_with_a_bad_date(run, world):
    from piadiff.store import Store

    with Store(world / "b") as store:
        store.write_file(f"decisions/{AID}.yaml", "- 版: v1\n  施行日: not-a-date\n  提出時期: たぶん\n".encode(), "手で書いた判断")
    r = run("fsck", "--store", "b")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"問題 decisions/{AID}.yaml: 1 件目（v1）: 施行日「not-a-date」は日付（2025-04-01 の形）ではありません" in r.output
    assert "提出時期「たぶん」は 事前 か 事後 です" in r.output


def test_the_stores_other_files_must_read_as_piadiff_reads_them(run, world):
    e = evil(world)
    e.commit(e.with_file("piadiff-store.json", b'{"format": "other"}'), "印\n")
    e.commit(e.with_file("settings.yaml", "項目の書き方: 変\n".encode()), "設定\n")
    e.commit(e.with_file(f"legacy/{AID}.yaml", "版: v1\nrows:\n- item: x\n  date_iso: 令和\n".encode()), "既存\n")
    e.commit(e.with_file("decisions/x.txt", b"x"), "名前\n")
    refused(run, world, "piadiff-store.json: piadiff の保存先の印ではありません",
            "settings.yaml: 項目の書き方「変」は使えません（正式 か 番号）",
            f"legacy/{AID}.yaml: 既存の変更箇所: 1 行目: date_iso「令和」は日付（2025-04-01 の形）ではありません",
            "decisions/x.txt: decisions/ に置けるのは「評価書ID.yaml」という名前のファイルだけです")


def test_a_forged_version_number_is_refused(run, world):
    message, data = real_version(run, world)
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", data), trailer(message, "Version", "v999"))
    refused(run, world, "版の番号が偽装されています: record ならここは v2 です")


def test_a_change_date_that_is_no_date_is_refused(run, world):
    message, data = real_version(run, world)
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", data), trailer(message, "Change-Date", "not-a-date"))
    refused(run, world, "版の記録（Piadiff- で始まる行）を piadiff が読めません")


def test_a_change_date_before_the_latest_versions_is_refused(run, world):
    message, data = real_version(run, world)
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", data), trailer(message, "Change-Date", "2020-01-01"))
    refused(run, world, f"の変更日 2020-01-01 が前の版 v1 の変更日 2024-04-01 より前です（record なら断ります）")


def test_a_version_claiming_another_assessment_is_refused(run, world):
    message, data = real_version(run, world)
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", data), trailer(message, "Assessment", "2-Y市-事務-重点項目評価書"))
    refused(run, world, "が偽装されています: このコミットは assessments/2-Y市-事務-重点項目評価書.json を変えていません")


def test_a_content_hash_that_does_not_match_is_refused(run, world):
    message, _ = real_version(run, world, "Y社")
    _, other = real_version(run, world, "Z社")  # a valid document, but not the one the trailers describe
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", other), message)
    refused(run, world, f"の内容のハッシュが assessments/{AID}.json の内容と合いません")


def test_a_document_changed_without_a_version_is_refused(run, world):
    _, data = real_version(run, world)
    e = evil(world)
    e.commit(e.with_file(f"assessments/{AID}.json", data), "こっそり書き換え\n")
    refused(run, world, f"assessments/{AID}.json: 評価書の内容を、版の記録（Piadiff- で始まる行）なしで変えています")


def test_an_author_with_a_control_character_is_refused(run, world):
    e = evil(world)
    e.commit(e.with_file("README.md", b"readme\n"), "README\n", author="evil\x1fname <>")
    refused(run, world, "作成者の名前「evil\\x1fname」に制御文字か改行があります")


def test_a_deleted_assessment_is_refused(run, world):
    e = evil(world)
    root = e.root()
    root[b"assessments"] = ("40000", e.tree({b"other.json": ("100644", e.blob(b"{}"))}))
    e.commit(e.tree(root), "消す\n")
    refused(run, world, f"assessments/{AID}.json: 削除しています（piadiff は記録したものを削除しません）")


def test_a_tree_entry_leaving_the_store_is_refused_without_a_git_error(run, world):
    e = evil(world)
    root = e.root()
    root[b"../x"] = ("100644", e.blob(b"pwned\n"))
    e.commit(e.tree(root), "外へ\n")
    refused(run, world, "../x: 名前に / や \\ を含む項目です（保存先の外を指せる名前は受け取れません）")


def test_names_git_or_a_terminal_would_misread_are_refused(run, world):
    e = evil(world)
    root = e.root()
    folder = e.entries(root[b"assessments"][1])
    folder[b"a\x1bb.json"] = ("100644", e.blob(b"{}"))
    folder[b".."] = ("100644", e.blob(b"{}"))
    folder[b"\xff.json"] = ("100644", e.blob(b"{}"))
    root[b"assessments"] = ("40000", e.tree(folder))
    root[b".GIT"] = ("40000", e.tree({b"config": ("100644", e.blob(b"[core]\n\tfsmonitor = rm -rf ~\n"))}))
    root[b"tool.sh"] = ("100644", e.blob(b"echo\n"))
    e.commit(e.tree(root), "名前\n")
    refused(run, world, "assessments/a\\x1bb.json: 名前に制御文字か改行を含む項目です",
            "assessments/..: 「..」という名前の項目は受け取れません",
            "assessments/: 名前が UTF-8 ではない項目があります",
            ".GIT: 「.git」と読める名前の項目は受け取れません",
            "tool.sh: piadiff の保存先にないファイルです")


def test_what_only_git_itself_finds_is_refused_too(run, world):
    """A commit git's own object check refuses (an author line without an e-mail address): the
    quarantine's fetch fails, and pull says so in Japanese."""
    e = evil(world)
    e.commit(e.with_file("README.md", b"readme\n"), "README\n", author="evil")
    refused(run, world, "git の検査で不正なデータです（")


def test_a_malformed_tree_git_itself_refuses_is_refused(run, world):
    e = evil(world)
    root = e.root()
    raw = b"".join(f"{'040000' if mode == '040000' else mode} ".encode() + name + b"\0" + bytes.fromhex(sha)
                   for name, (mode, sha) in sorted(root.items(), key=lambda i: i[0] + (b"/" if i[1][0] == "040000" else b"")))
    tree = git(e.path, "hash-object", "-t", "tree", "--literally", "-w", "--stdin", data=raw)
    e.commit(tree, "0 で始まる種類\n")
    refused(run, world, "git の検査で不正なデータです（zeroPaddedFilemode")


def test_every_problem_is_listed_and_nothing_is_taken_even_when_a_later_commit_is_good(run, world):
    message, data = real_version(run, world)
    e = evil(world)
    root = e.root()
    root[b"assessments"] = ("120000", e.blob(b".git"))
    root[b"../x"] = ("100644", e.blob(b"x"))
    e.commit(e.tree(root), "壊す\n")
    e.commit(e.with_file(f"decisions/{AID}.yaml", "- 版: v1\n  施行日: not-a-date\n".encode()), "判断\n")
    out = refused(run, world, "assessments: シンボリックリンク", "../x: 名前に /", "施行日「not-a-date」")
    assert "問題 3 件" in out and len(out.splitlines()) == 4


def test_a_good_remote_still_pulls_and_the_store_stays_sound(run, world):
    message, data = real_version(run, world)
    e = evil(world, "good.git")
    e.commit(e.with_file(f"assessments/{AID}.json", data), message, author="テスト担当 <>")
    e.commit(e.with_file(f"decisions/{AID}.yaml", "- 版: v2\n  施行日: '2025-04-01'\n".encode()), "判断\n", author="B <>")
    e.commit(e.with_file("settings.yaml", "項目の書き方: 番号\n".encode()), "設定\n", author="B <>")
    b = world / "b"
    assert run("remote", "add", "good", str(world / "good.git"), "--store", "b").exit_code == 0
    r = run("pull", "good", "--store", "b")
    assert r.exit_code == 0, r.output
    assert "3 件の記録を受け取りました" in r.output
    assert git(b, "rev-parse", "HEAD") == git(world / "good.git", "rev-parse", "main")
    assert git(b, "status", "--porcelain") == ""
    assert run("fsck", "--store", "b").exit_code == 0
    assert "v2" in run("log", "1", "--store", "b").output
    assert run("pull", "good", "--store", "b").output.startswith("共有先 good から受け取る版はありません")


def test_a_relative_remote_url_is_fetched_from_the_store_folder(run, world):
    assert run("record", document(world, "x2.yaml", "令和7年4月1日", "Q社"), "--store", "a").exit_code == 0
    git(world / "a", "push", "-q", str(world / "shared.git"), "main")
    assert run("remote", "add", "rel", "../shared.git", "--store", "b").exit_code == 0
    r = run("pull", "rel", "--store", "b")
    assert r.exit_code == 0, r.output
    assert "Q社" in (world / "b" / "assessments" / f"{AID}.json").read_text(encoding="utf-8")


def test_a_remote_that_cannot_be_read_is_a_clear_error(run, world):
    b = world / "b"
    before = state(b)
    assert run("remote", "add", "gone", str(world / "nowhere.git"), "--store", "b").exit_code == 0
    assert_clean_error(run("pull", "gone", "--store", "b"), "共有先「gone」から受け取れません")
    git(world, "init", "-q", "--bare", "empty.git")
    assert run("remote", "add", "empty", str(world / "empty.git"), "--store", "b").exit_code == 0
    assert_clean_error(run("pull", "empty", "--store", "b"), "共有先「empty」に main がありません")
    assert run("init", "--store", "c").exit_code == 0  # a store of its own: no history in common
    # (two stores made in the same second have the same first commit: make this one its own)
    git(world / "c", "-c", "user.name=C", "-c", "user.email=c@example.jp", "commit", "-q", "--amend", "-m", "別の保存先")
    assert run("remote", "add", "other", str(world / "c"), "--store", "b").exit_code == 0
    assert_clean_error(run("pull", "other", "--store", "b"), "履歴はこの保存先とつながっていません")
    after = state(b)
    assert after[1] == before[1] or {k for k in after[1] if after[1][k] != before[1].get(k)} == {".git/config"}


def test_a_remote_url_that_looks_like_an_option_runs_nothing(run, world):
    b = world / "b"
    git(b, "config", "remote.evil.url", f"--upload-pack=touch {world / 'pwned'}")
    r = run("pull", "evil", "--store", "b")
    assert_clean_error(r, "共有先「evil」から受け取れません")
    assert not (world / "pwned").exists()


def test_broken_yaml_brought_by_a_pull_is_described_in_japanese(run, world):
    e = evil(world)
    e.commit(e.with_file(f"legacy/{AID}.yaml", "版: v1\nrows:\n\t- item: x\n".encode()), "既存\n")
    refused(run, world, f"legacy/{AID}.yaml: 既存の変更箇所: YAML として読めません（3 行目")
