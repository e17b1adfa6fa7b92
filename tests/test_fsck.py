"""piadiff fsck: a store checked end to end, and what it says when something is wrong."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path


def git(cwd, *args, input: str | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, input=input).stdout.strip()


def test_a_healthy_store_passes(run):
    assert run("demo").exit_code == 0
    r = run("fsck")
    assert r.exit_code == 0 and "評価書 2 件、版 6 件を点検しました: 問題はありません。" in r.output


def test_a_version_changed_behind_piadiffs_back_is_found(run, tmp_path):
    run("demo")
    store = tmp_path / "store"
    path = "assessments/12-kakuu-kodomo-iryo.json"
    text = git(store, "show", f"HEAD:{path}") + "\n"
    (store / path).write_text(text.replace("架空市長", "架空市長  ", 1), encoding="utf-8")  # trailing spaces: not canonical
    git(store, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam",
        "手で編集\n\nPiadiff-Assessment: 12-kakuu-kodomo-iryo\nPiadiff-Version: v4\nPiadiff-Change-Date: 2025-08-01\n"
        "Piadiff-Content-Hash: sha256:0000")
    r = run("fsck")
    assert r.exit_code == 1
    assert "問題 12-kakuu-kodomo-iryo v4: 正規化した形と記録されたバイト列が違います" in r.output
    assert "問題 12-kakuu-kodomo-iryo v4: 内容のハッシュが記録と違います" in r.output
    assert "問題 1件" not in r.output and "問題 2 件。" in r.output


def test_a_gap_in_the_version_numbers_is_found(run, tmp_path):
    run("demo")
    store = tmp_path / "store"
    path = "assessments/12-kakuu-kodomo-iryo.json"
    first = git(store, "log", "--reverse", "--format=%H", "--", path).split()[0]
    (store / path).write_text(git(store, "show", f"{first}:{path}") + "\n", encoding="utf-8")  # v1's content again
    content_hash = re.search(r"Piadiff-Content-Hash: (\S+)", git(store, "log", "--format=%B", "-1", first))
    git(store, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam",
        "手で記録\n\nPiadiff-Assessment: 12-kakuu-kodomo-iryo\nPiadiff-Version: v5\nPiadiff-Change-Date: 2026-04-01\n"
        f"Piadiff-Content-Hash: {content_hash.group(1).strip(chr(34))}")
    r = run("fsck")
    assert r.exit_code == 1
    assert "問題 12-kakuu-kodomo-iryo: 版の番号が続いていません: v1, v2, v3, v5" in r.output
    assert "問題 1 件。" in r.output  # the version itself reads back, canonical and with its hash


def _objects(store: Path) -> dict[str, str]:
    """Every loose object of a store: id → kind."""
    ids = [p.parent.name + p.name for p in sorted((store / ".git" / "objects").glob("??/*"))]
    return {sha: git(store, "cat-file", "-t", sha) for sha in ids}


def _corrupt(store: Path, sha: str) -> None:
    victim = store / ".git" / "objects" / sha[:2] / sha[2:]
    victim.chmod(0o644)
    victim.write_bytes(b"not a zlib stream")


def test_a_finding_of_gits_own_check_alone_is_reported(run, tmp_path):
    """An object piadiff never reads itself (the store's README.md): only git's check sees it."""
    run("demo")
    store = tmp_path / "store"
    readme = git(store, "rev-parse", "HEAD:README.md")
    _corrupt(store, readme)
    r = run("fsck")
    assert r.exit_code == 1
    found = [line for line in r.output.splitlines() if line.startswith("問題 ")]
    assert found and all(line.startswith("問題 git: ") for line in found), r.output
    assert any(readme in line for line in found)


def test_every_broken_object_is_reported_and_nothing_leaks(run, tmp_path):
    """Each object of the example store broken in turn, the latest commit, its trees and the store's
    mark included: fsck always reports it (exit 1) in plain words, never "not a store, run init"."""
    run("demo")
    clean = tmp_path / "clean"
    (tmp_path / "store").rename(clean)
    head = git(clean, "rev-parse", "HEAD")
    objects = _objects(clean)
    assert head in objects and {"commit", "tree", "blob"} <= set(objects.values())
    for sha, kind in objects.items():
        store = tmp_path / "store"
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(clean, store, symlinks=True)
        _corrupt(store, sha)
        r = run("fsck")
        where = f"{kind} {sha}"
        assert r.exit_code == 1 and "問題" in r.output, where
        for leak in ("Traceback", "piadiff init", "保存先ではありません", "b'", "stderr: '", "stdout: '"):
            assert leak not in r.output, (where, r.output)
        assert sha in r.output, (where, r.output)
        if sha == head:
            assert "問題 保存先: 保存先の git のデータが壊れています（保存先 store の最新の記録" in r.output
