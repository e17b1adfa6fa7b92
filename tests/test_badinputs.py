"""The corpus of bad and hostile inputs (tests/badinputs/corpus/, made by make_corpus.py) through
every command that reads input: each ends in a clear message and a non-zero exit, with no
traceback and no change to the store."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, snapshot
from piadiff.cli import cli

CORPUS = sorted((Path(__file__).parent / "badinputs" / "corpus").iterdir())
DOCUMENTS = [p for p in CORPUS if p.suffix in (".yaml", ".json") and not p.name.startswith("settings-")]
PUBLISHED = [p for p in CORPUS if p.suffix == ".txt"]
ROWS = [p for p in CORPUS if p.suffix == ".jsonl"]
SETTINGS = [p for p in CORPUS if p.name.startswith("settings-")]
OUTCOMES: Counter = Counter()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store with one assessment of two versions, shared by the whole corpus run."""
    root = tmp_path_factory.mktemp("bad")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--store", str(root / "store")]).exit_code == 0
    doc = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
    (root / "v1.yaml").write_text(doc, encoding="utf-8")
    (root / "v2.yaml").write_text(doc.replace("公表日: 令和6年4月1日", "公表日: 令和7年4月1日").replace("テスト情報株式会社", "テスト情報"), encoding="utf-8")
    for v in ("v1.yaml", "v2.yaml"):
        assert runner.invoke(cli, ["record", str(root / v), "--store", str(root / "store")]).exit_code == 0
    return root / "store"


def refused(args: list[str], store: Path, kind: str) -> str:
    before = snapshot(store)
    takes_store = args[0] not in ("validate", "classify")
    result = CliRunner().invoke(cli, args + ["--store", str(store)] if takes_store else args)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1 or (result.exit_code == 2 and args[1].startswith("-")), (args, output)
    assert "Traceback" not in output
    assert output.strip().splitlines()[0].startswith(("エラー", "NG", "Usage", "Error")), output
    assert snapshot(store) == before
    OUTCOMES[(kind, output.split("\n")[0][:12])] += 1
    return output


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 200


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_bad_documents(store, path):
    refused(["validate", str(path)], store, "validate")
    out = refused(["record", str(path)], store, "record")
    assert str(path) in out or path.name in out or "評価書" in out


@pytest.mark.parametrize("path", PUBLISHED + DOCUMENTS[:20], ids=lambda p: p.name)
def test_bad_published_texts(store, path):
    refused(["import", str(path), "--record"], store, "import")


@pytest.mark.parametrize("path", ROWS, ids=lambda p: p.name)
def test_bad_annex_rows(store, path):
    refused(["classify", "--rows", str(path)], store, "classify")


@pytest.mark.parametrize("path", SETTINGS, ids=lambda p: p.name)
def test_bad_settings(store, path):
    target = store / "settings.yaml"
    target.write_bytes(path.read_bytes())
    try:
        refused(["changes", "99"], store, "settings")
        refused(["annex", "99"], store, "settings")
    finally:
        target.unlink()


BAD_IDS = ["../x", "../../etc/passwd", "/etc/passwd", "a/b", "CON", "nul", "com1.json", "..", ".git", ".hidden", "a..b",
           "x" * 200, "a\nb", "a\x00b", "末尾.", "*", "?", "$(rm -rf /)", "-rf", "<script>"]
BAD_VERSIONS = ["v0", "v-1", "v999", "latest~99", "latest~-1", "令和99年1月1日", "2024-02-30", "deadbeef", "../HEAD", "HEAD", "v1;rm", ""]


@pytest.mark.parametrize("aid", BAD_IDS)
def test_hostile_ids(store, aid):
    for args in (["show", aid], ["log", aid], ["changes", aid], ["annex", aid], ["history", aid, "Ⅰ-1"]):
        refused(args, store, "id")
    outside = Path("/etc/passwd").read_bytes() if Path("/etc/passwd").exists() else None
    assert outside is None or Path("/etc/passwd").read_bytes() == outside


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_hostile_versions(store, version):
    refused(["show", "99", version], store, "version")
    refused(["changes", "99", "v1", version], store, "version")


HEAVY = ["laughs-billion.yaml", "laughs-recursive.yaml", "deep-json-100000.json", "deep-yaml-flow-50000.yaml",
         "published-one-long-line.txt", "rows-nested-deep.jsonl"]


def _limit_memory():  # 1 GiB of address space: a runaway expansion ends the process, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.parametrize("name", HEAVY + ["huge"])
def test_hostile_inputs_stay_within_bounded_memory(tmp_path, name):
    if name == "huge":
        path = tmp_path / "huge.yaml"
        path.write_bytes(b"a: " + b"x" * (25 * 1024 * 1024) + b"\n")  # over the 20 MB limit
    else:
        path = next(p for p in CORPUS if p.name == name)
    command = {".jsonl": ["classify", "--rows"], ".txt": ["import"]}.get(path.suffix, ["validate"])
    done = subprocess.run([sys.executable, "-m", "piadiff", *command, str(path)], capture_output=True, text=True,
                          timeout=120, preexec_fn=_limit_memory, env={**os.environ, "PIADIFF_STORE": str(tmp_path / "none")})
    assert done.returncode == 1, done.stderr[-500:]
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert done.stderr.lstrip().startswith(("エラー", "NG"))


def test_report_how_each_class_ends():
    """Printed with -s: how many inputs of each kind ended with which message."""
    for (kind, start), n in sorted(OUTCOMES.items()):
        print(f"{kind:10} {start:14} {n}")
