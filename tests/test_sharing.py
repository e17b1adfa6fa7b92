"""Several officers on one store through a bare git repository on the local disk."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import FIXTURES, assert_clean_error, snapshot

DOC = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")


def git(cwd, *args) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def version(tmp_path, name: str, number: str, title: str, date: str, extra: str = "") -> str:
    text = DOC.replace("評価書番号: 99", f"評価書番号: {number}").replace(
        "テスト市 児童手当に関する事務 重点項目評価書", title).replace("公表日: 令和6年4月1日", f"公表日: {date}")
    if extra:
        text = text.replace("③委託先名: テスト情報株式会社", f"③委託先名: {extra}")
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


@pytest.fixture
def two(run, tmp_path):
    """Officer A's store, a shared bare repository, and officer B's clone of it."""
    assert run("init", "--store", "a").exit_code == 0
    git(tmp_path, "clone", "-q", "--bare", "a", "shared.git")
    assert run("remote", "add", "origin", str(tmp_path / "shared.git"), "--store", "a").exit_code == 0
    git(tmp_path, "clone", "-q", "shared.git", "b")
    return tmp_path / "a", tmp_path / "b"


def labels(run, store, aid) -> list[tuple[str, str]]:
    out = run("log", aid, "--store", store).output.splitlines()[2:]
    return [(l.split()[0], l.split()[1]) for l in out]


def test_officers_recording_different_assessments_merge_cleanly(run, two, tmp_path):
    a, b = two
    assert run("record", version(tmp_path, "x1.yaml", "1", "X市 事務 重点項目評価書", "令和6年4月1日"), "--store", "a").exit_code == 0
    assert run("push", "--store", "a").exit_code == 0
    assert run("pull", "--store", "b").exit_code == 0
    run("record", version(tmp_path, "y1.yaml", "2", "Y市 事務 重点項目評価書", "令和6年5月1日"), "--store", "b")
    run("record", version(tmp_path, "x2.yaml", "1", "X市 事務 重点項目評価書", "令和7年4月1日", "X社"), "--store", "a")
    assert run("push", "--store", "a").exit_code == 0
    r = run("pull", "--store", "b")
    assert r.exit_code == 0 and "2-Y市-事務-重点項目評価書 v1→v1" in r.output
    assert run("push", "--store", "b").exit_code == 0
    assert run("pull", "--store", "a").exit_code == 0
    for store in ("a", "b"):
        assert labels(run, store, "1") == [("v1", "令和6年4月1日"), ("v2", "令和7年4月1日")]
        assert labels(run, store, "2") == [("v1", "令和6年5月1日")]
        assert git(tmp_path / store, "status", "--porcelain") == ""
        git(tmp_path / store, "fsck", "--strict")
    assert git(a, "rev-parse", "HEAD") == git(b, "rev-parse", "HEAD")


def test_two_officers_recording_the_same_assessment_keep_both(run, two, tmp_path):
    a, b = two
    run("record", version(tmp_path, "z1.yaml", "3", "Z市 事務 重点項目評価書", "令和6年4月1日"), "--store", "a")
    run("push", "--store", "a"), run("pull", "--store", "b")
    run("record", version(tmp_path, "za.yaml", "3", "Z市 事務 重点項目評価書", "令和7年4月1日", "A社"), "--store", "a", "--author", "A")
    run("push", "--store", "a")
    run("record", version(tmp_path, "zb.yaml", "3", "Z市 事務 重点項目評価書", "令和7年4月2日", "B社"), "--store", "b", "--author", "B")
    head = git(b, "rev-parse", "HEAD")
    before = {k: v for k, v in snapshot(b).items() if not k.startswith(".git/")}
    r = run("pull", "--store", "b")
    assert_clean_error(r, "同じ評価書が両方で記録されています", "こちらの v2（令和7年4月2日、B、", "共有先の v2（令和7年4月1日、A、", "--next mine")
    assert git(b, "rev-parse", "HEAD") == head and {k: v for k, v in snapshot(b).items() if not k.startswith(".git/")} == before
    r = run("pull", "--next", "mine", "--store", "b")
    assert r.exit_code == 0 and "v2→v3" in r.output
    assert labels(run, "b", "3") == [("v1", "令和6年4月1日"), ("v2", "令和7年4月1日"), ("v3", "令和7年4月2日")]
    assert "B社" in run("show", "3", "v3", "--store", "b").output and "A社" in run("show", "3", "v2", "--store", "b").output
    assert run("push", "--store", "b").exit_code == 0
    assert run("pull", "--store", "a").exit_code == 0
    assert labels(run, "a", "3") == labels(run, "b", "3")
    changes = json.loads(run("changes", "3", "--format", "json", "--store", "a").stdout_bytes)
    assert changes["batches"][0]["rows"][0]["after"] == "B社"


def test_the_other_officers_version_can_be_made_the_latest(run, two, tmp_path):
    a, b = two
    run("record", version(tmp_path, "z1.yaml", "3", "Z市 事務 重点項目評価書", "令和6年4月1日"), "--store", "a")
    run("push", "--store", "a"), run("pull", "--store", "b")
    run("record", version(tmp_path, "za.yaml", "3", "Z市 事務 重点項目評価書", "令和7年4月1日", "A社"), "--store", "a")
    run("push", "--store", "a")
    run("record", version(tmp_path, "zb.yaml", "3", "Z市 事務 重点項目評価書", "令和7年4月2日", "B社"), "--store", "b")
    assert run("pull", "--next", "theirs", "--store", "b").exit_code == 0
    assert [l for l, _ in labels(run, "b", "3")] == ["v1", "v2", "v3", "v4"]
    assert "A社" in run("show", "3", "latest", "--store", "b").output
    assert "B社" in run("show", "3", "v3", "--store", "b").output  # nothing lost


def test_push_behind_the_remote_says_to_pull_first(run, two, tmp_path):
    a, b = two
    run("record", version(tmp_path, "x1.yaml", "1", "X市 事務 重点項目評価書", "令和6年4月1日"), "--store", "a")
    run("push", "--store", "a")
    run("record", version(tmp_path, "y1.yaml", "2", "Y市 事務 重点項目評価書", "令和6年5月1日"), "--store", "b")
    assert_clean_error(run("push", "--store", "b"), "先に piadiff pull origin を実行してください")
    assert_clean_error(run("pull", "nowhere", "--store", "b"), "共有先「nowhere」はありません")


def test_plain_git_pull_in_the_store_works_too(run, two, tmp_path):
    a, b = two
    run("record", version(tmp_path, "x1.yaml", "1", "X市 事務 重点項目評価書", "令和6年4月1日"), "--store", "a")
    run("push", "--store", "a")
    run("record", version(tmp_path, "y1.yaml", "2", "Y市 事務 重点項目評価書", "令和6年5月1日"), "--store", "b")
    git(b, "-c", "user.name=B", "-c", "user.email=b@example.jp", "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert labels(run, "b", "1") == [("v1", "令和6年4月1日")] and labels(run, "b", "2") == [("v1", "令和6年5月1日")]
    run("record", version(tmp_path, "y2.yaml", "2", "Y市 事務 重点項目評価書", "令和7年5月1日", "Y社"), "--store", "b")
    assert [l for l, _ in labels(run, "b", "2")] == ["v1", "v2"]
    git(b, "push", "-q", "origin", "main")
    assert run("pull", "--store", "a").exit_code == 0 and [l for l, _ in labels(run, "a", "2")] == ["v1", "v2"]
