"""Shared fixtures: a fresh store per test, the CLI, and the real published documents (tests/data)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from piadiff.cli import cli

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
DATA = TESTS / "data"


#: test files that take minutes together (browsers, PDFs, killed processes, fuzzing, every altered
#: copy of the seeds): marked ``slow``. ``pytest`` runs the rest; ``pytest -m slow`` runs these.
SLOW_FILES = {
    "test_browser.py", "test_browser_editor.py", "test_crash.py", "test_fuzz.py", "test_import_metamorphic.py",
    "test_badinputs.py", "test_import_pdf.py", "test_annex_pdftext.py", "test_import_roundtrip.py", "test_fsck.py",
    "test_canonical.py", "test_import_tsv.py", "test_readme.py", "test_pull_quarantine.py",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


def shared(path: str) -> Path:
    """A file of the real published documents and their annex rows, copied under tests/data."""
    p = DATA / path
    assert p.exists(), f"{p} is missing from the repository"
    return p


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run the CLI in-process: run('record', 'x.yaml') -> click Result. Store defaults to tmp/store."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PIADIFF_AUTHOR", "テスト担当")
    monkeypatch.delenv("PIADIFF_STORE", raising=False)
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=True)

    return _run


@pytest.fixture
def store_dir(tmp_path, run):
    result = run("init")
    assert result.exit_code == 0, result.output
    return tmp_path / "store"


@pytest.fixture
def demo(run, tmp_path) -> Path:
    """The store ``piadiff demo`` makes (the two example assessments, three versions each)."""
    assert run("demo").exit_code == 0
    return tmp_path / "store"


@pytest.fixture
def demo_store(demo) -> Path:
    return demo


@pytest.fixture
def server(demo_store):
    """A real server on localhost, on a free port, serving the example store."""
    from werkzeug.serving import make_server

    from piadiff.web import create_app

    httpd = make_server("127.0.0.1", 0, create_app(demo_store), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def piadiff(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed command in a real process (what an officer's terminal does)."""
    full_env = {k: v for k, v in os.environ.items() if k != "PIADIFF_STORE"}
    full_env.update({"PIADIFF_AUTHOR": "テスト担当", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "piadiff", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
    )


def snapshot(store: Path) -> dict[str, bytes]:
    """Every file of a store, .git included: to prove a failed command changed nothing. What piadiff
    derives and keeps in .git/piadiff-cache is left out: reading may add to it, and it holds nothing
    the store does not (deleting it loses nothing)."""
    cache = store / ".git" / "piadiff-cache"
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock") and cache not in p.parents
    }


def assert_clean_error(result, *needles: str) -> None:
    """A user error: exit 1, a message naming the problem, no traceback."""
    if isinstance(result, subprocess.CompletedProcess):
        code, output, unexpected = result.returncode, result.stdout + result.stderr, None
    else:
        code, output = result.exit_code, result.output
        unexpected = result.exception if not isinstance(result.exception, SystemExit) else None
    assert unexpected is None, repr(unexpected)
    assert code == 1, output
    assert "Traceback" not in output, output
    assert output.lstrip().startswith(("エラー", "NG")), output
    for n in needles:
        assert n in output, output


def chromium() -> str:
    """The system's Chromium; skipped without one, unless PIADIFF_REQUIRE_BROWSER=1 (as in CI)."""
    import shutil

    path = os.environ.get("PIADIFF_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("PIADIFF_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (PIADIFF_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("Chromium is not installed")
    return path


@pytest.fixture
def browser():
    """A headless Chromium driven by Playwright (the system's browser: nothing is downloaded)."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()
