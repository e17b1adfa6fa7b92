"""Start-up: a command imports only what it needs, and the data files are parsed once.

No timings here (they depend on the machine; benchmarks/bench_startup.py prints them): the tests
count what is imported, in a fresh interpreter each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from piadiff import compiled

HEAVY = ("git", "gitdb", "deepdiff", "openpyxl", "flask", "jinja2", "yaml", "diff_match_patch")
DATA_FILES = sorted(str(p.relative_to(Path(compiled.__file__).parent)).replace(os.sep, "/")
                    for d in ("catalogs", "rules") for p in (Path(compiled.__file__).parent / d).glob("*.yaml"))


def imported_by(args: list[str], cwd: Path, cache: Path, before: str = "") -> set[str]:
    """The modules loaded once ``piadiff ARGS`` has run, in a fresh interpreter."""
    code = (
        "import json, sys\n"
        f"{before}\n"
        "from piadiff.cli import main\n"
        f"sys.argv = ['piadiff', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PIADIFF_STORE", None)
    r = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    line = [x for x in r.stderr.splitlines() if x.startswith("MODULES ")]
    assert line, r.stdout + r.stderr
    return set(json.loads(line[-1][len("MODULES "):]))


def top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_imports_no_heavy_module(tmp_path):
    mods = imported_by(["--help"], tmp_path, tmp_path / "cache")
    assert not top(mods) & set(HEAVY), sorted(top(mods) & set(HEAVY))
    assert {m for m in mods if m.startswith("piadiff")} == {"piadiff", "piadiff.cli", "piadiff.errors"}
    assert "pathlib" not in mods  # paths are made when a command runs


def test_command_help_imports_no_heavy_module(tmp_path):
    for args in (["changes", "--help"], ["import", "--help"], ["serve", "--help"]):
        mods = imported_by(args, tmp_path, tmp_path / "cache")
        assert not top(mods) & set(HEAVY), (args, sorted(top(mods) & set(HEAVY)))


def test_log_on_an_empty_store_reads_through_git_without_gitpython(tmp_path):
    from conftest import piadiff

    assert piadiff("init", cwd=tmp_path).returncode == 0
    mods = imported_by(["log"], tmp_path, tmp_path / "cache")
    assert "piadiff.gitcli" in mods and "git" not in mods  # GitPython is for writing
    assert not top(mods) & {"deepdiff", "openpyxl", "flask", "jinja2", "yaml", "diff_match_patch"}
    assert not mods & {"piadiff.annex", "piadiff.render", "piadiff.classify", "piadiff.diff", "piadiff.web"}


def test_catalogs_and_procedure_come_from_the_cache_without_yaml(tmp_path):
    load = ("import piadiff.catalog as c, piadiff.procedure as p\n"
            "c.load_catalog('全項目'); c.load_catalog('重点'); p._rules()")
    first = imported_by(["--help"], tmp_path, tmp_path / "cache", before=load)
    assert "yaml" in first  # nothing cached yet: parsed
    again = imported_by(["--help"], tmp_path, tmp_path / "cache", before=load)
    assert "yaml" not in again
    assert sorted(os.listdir(tmp_path / "cache" / "piadiff")) == sorted(
        compiled._cache_name(f, compiled.hashlib.sha256(Path(compiled.data_path(f)).read_bytes()).hexdigest())
        for f in ("catalogs/zenkomoku.yaml", "catalogs/juten.yaml", "rules/procedure.yaml"))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "piadiff"


@pytest.mark.parametrize("name", DATA_FILES)
def test_cached_data_is_what_yaml_gives(cache, name):
    expected = yaml.safe_load(Path(compiled.data_path(name)).read_text(encoding="utf-8"))
    assert compiled.load_data_file(name) == expected  # parsed and stored
    assert len(list(cache.iterdir())) == 1
    assert compiled.load_data_file(name) == expected  # read back


def only_file(cache: Path) -> Path:
    files = list(cache.iterdir())
    assert len(files) == 1, files
    return files[0]


def test_a_corrupt_cache_file_is_parsed_again_and_replaced(cache):
    name = "rules/procedure.yaml"
    expected = compiled.load_data_file(name)
    f = only_file(cache)
    good = f.read_bytes()
    for bad in (b"", b"garbage", good[:-10], good[:-3] + b"99}", good.replace(b'"format": 1', b'"format": 0'),
                b"\xff\xfe\n\x00"):
        f.write_bytes(bad)
        assert compiled.load_data_file(name) == expected
        assert f.read_bytes() == good


def test_data_that_does_not_match_its_digest_is_not_used(cache):
    name = "rules/procedure.yaml"
    compiled.load_data_file(name)
    f = only_file(cache)
    head, body = f.read_bytes().split(b"\n", 1)
    forged = json.loads(body)
    forged["order"] = ["偽の様式"]
    f.write_bytes(head + b"\n" + json.dumps(forged, ensure_ascii=False).encode("utf-8"))
    assert compiled.load_data_file(name)["order"] != ["偽の様式"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_others_can_write_is_not_trusted(cache):
    name = "rules/procedure.yaml"
    compiled.load_data_file(name)
    f = only_file(cache)
    head, body = f.read_bytes().split(b"\n", 1)
    forged = json.loads(body)
    forged["order"] = ["偽の様式"]
    body = json.dumps(forged, ensure_ascii=False).encode("utf-8")
    header = json.loads(head)
    header["data_sha256"] = compiled.hashlib.sha256(body).hexdigest()  # a consistent forgery
    f.write_bytes(json.dumps(header).encode("ascii") + b"\n" + body)
    assert compiled.load_data_file(name)["order"] == ["偽の様式"]  # (our own file: trusted)
    for path, mode in ((f, 0o666), (cache, 0o777)):
        path.chmod(mode)
        assert compiled.load_data_file(name)["order"] != ["偽の様式"]
        path.chmod(0o600 if path == f else 0o700)


def test_a_changed_source_file_is_parsed_again(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(compiled, "_PACKAGE_DIR", str(tmp_path / "pkg"))
    (tmp_path / "pkg" / "rules").mkdir(parents=True)
    source = tmp_path / "pkg" / "rules" / "x.yaml"
    source.write_text("a: 1\n", encoding="utf-8")
    assert compiled.load_data_file("rules/x.yaml") == {"a": 1}
    source.write_text("a: 2\n", encoding="utf-8")
    assert compiled.load_data_file("rules/x.yaml") == {"a": 2}
    assert only_file(cache).name.startswith("rules__x.yaml.")  # the old one is removed


def test_data_json_cannot_hold_is_not_cached(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(compiled, "_PACKAGE_DIR", str(tmp_path / "pkg"))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "d.yaml").write_text("when: 2025-07-31\n1: one\n", encoding="utf-8")
    data = compiled.load_data_file("d.yaml")
    assert data == {"when": __import__("datetime").date(2025, 7, 31), 1: "one"}
    assert compiled.load_data_file("d.yaml") == data
    assert not cache.exists() or not list(cache.iterdir())


def test_no_writable_cache_dir_parses_silently(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the directory would be
    assert compiled.load_data_file("rules/procedure.yaml")["order"]
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # ignored (XDG): falls back to ~/.cache
    monkeypatch.setenv("HOME", str(blocker))
    assert compiled.load_data_file("rules/procedure.yaml")["order"]
    assert not (tmp_path / "relative").exists()


def test_only_files_of_the_package(cache):
    for bad in ("../pyproject.toml", "/etc/passwd", "rules/../../x.yaml", ""):
        with pytest.raises(ValueError):
            compiled.load_data_file(bad)


def test_version_is_the_installed_one():
    from importlib.metadata import version

    import piadiff

    assert piadiff.__version__ == version("piadiff")


def test_cli_formats_are_the_renderers():
    from piadiff import cli, render

    assert cli.FORMATS == render.FORMATS
