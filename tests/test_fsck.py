"""piadiff fsck: a store checked end to end, and what it says when something is wrong."""

from __future__ import annotations

import subprocess


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


def test_a_broken_object_is_reported_by_gits_own_check(run, tmp_path):
    run("demo")
    store = tmp_path / "store"
    objects = sorted((store / ".git" / "objects").glob("??/*"))
    victim = objects[len(objects) // 2]
    victim.chmod(0o644)
    victim.write_bytes(b"not a zlib stream")
    r = run("fsck")
    assert r.exit_code == 1 and "問題" in r.output and "Traceback" not in r.output
