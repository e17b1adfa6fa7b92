"""The corpus of bad and hostile inputs (tests/badinputs/corpus/, made by make_corpus.py) through
every command that reads input: each ends in a clear message and a non-zero exit, with no
traceback and no change to the store."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, snapshot
from piadiff.cli import cli

sys.path.insert(0, str(Path(__file__).parent / "badinputs"))
import make_corpus  # noqa: E402  (how each input is made; the large ones are made here, in a temporary folder)

CORPUS = sorted((Path(__file__).parent / "badinputs" / "corpus").iterdir())
DOCUMENTS = [p for p in CORPUS if p.suffix in (".yaml", ".json") and not p.name.startswith("settings-")]
PUBLISHED = [p for p in CORPUS if p.suffix == ".txt"]
ROWS = [p for p in CORPUS if p.suffix == ".jsonl"]
SETTINGS = [p for p in CORPUS if p.name.startswith("settings-")]
OUTCOMES: Counter = Counter()
#: inputs refused where they enter (piadiff/limits.py, piadiff/load.py): one line, with the line of the file
AT_A_LINE = ("digits-", "surrogate-", "tag-", "json-duplicate-", "limit-", "rows-digits", "rows-surrogate", "rows-duplicate",
             "rows-item-", "rows-text-", "rows-rows-", "rows-good-then-bad", "large-keys-150000", "large-systems-30000.json",
             "large-text-", "large-rows-")
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


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


def refused(args: list[str], store: Path, kind: str, one_line: bool = False) -> str:
    before = snapshot(store)
    takes_store = args[0] not in ("validate", "classify")
    result = CliRunner().invoke(cli, args + ["--store", str(store)] if takes_store else args)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1 or (result.exit_code == 2 and args[1].startswith("-")), (args, output)
    assert "Traceback" not in output
    assert output.strip().splitlines()[0].startswith(("エラー", "NG")), output  # click's usage errors too, in Japanese
    if one_line:
        assert len(output.strip().splitlines()) == 1 and JAPANESE.search(output) and len(output) < 500, output
    assert snapshot(store) == before
    OUTCOMES[(kind, output.split("\n")[0][:12])] += 1
    return output


def at_a_line(path: Path, out: str) -> None:
    """The message names the file and the line of what is refused (or says the file is too large)."""
    if path.name.startswith(AT_A_LINE):
        assert re.search(re.escape(path.name) + r":\d+: ", out) or "ファイルが大きすぎます" in out, out


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 200


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_bad_documents(store, path):
    one_line = path.name.startswith(AT_A_LINE)
    checked = refused(["validate", str(path)], store, "validate", one_line)
    out = refused(["record", str(path)], store, "record", one_line)
    assert path.name in out  # the message names the file
    at_a_line(path, out)
    # validate and record agree: the same refusal, word for word after their first words
    assert checked.split(" ", 1)[1] == out.split(" ", 1)[1], (checked, out)


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """The inputs past the limits in size (tests/badinputs/make_corpus.py LARGE), made once."""
    out = tmp_path_factory.mktemp("large")
    make_corpus.write_large(out)
    return out


@pytest.mark.parametrize("name", list(make_corpus.LARGE), ids=str)
def test_large_inputs(store, large, name):
    path = large / name
    if path.suffix == ".jsonl":
        out = refused(["classify", "--rows", str(path)], store, "classify", one_line=True)
    else:
        refused(["validate", str(path)], store, "validate", one_line=True)
        out = refused(["record", str(path)], store, "record", one_line=True)
    assert path.name in out
    at_a_line(path, out)


@pytest.mark.parametrize("path", PUBLISHED + DOCUMENTS[:20], ids=lambda p: p.name)
def test_bad_published_texts(store, path):
    refused(["import", str(path), "--record"], store, "import")


@pytest.mark.parametrize("path", ROWS, ids=lambda p: p.name)
def test_bad_annex_rows(store, path):
    out = refused(["classify", "--rows", str(path)], store, "classify", one_line=True)
    assert path.name in out
    at_a_line(path, out)


@pytest.mark.parametrize("path", SETTINGS, ids=lambda p: p.name)
def test_bad_settings(store, path):
    target = store / "settings.yaml"
    target.write_bytes(path.read_bytes())
    try:
        refused(["changes", "99"], store, "settings")
        refused(["annex", "99"], store, "settings")
    finally:
        target.unlink()


#: who records or decides, and a version's message: they go into commits (piadiff/inputs.py checks them)
BAD_AUTHORS = ["evil\x1fname", "evil\x1ename", "a\nb", "a\rb", "a\u2028b", "a\u2029b", "a\x85b", "a<b>c", "<x@y>", "a\x1b[2Jb",
               "a\u202eb", "a\tb", "x" * 101, "  ", "\ud800"]
BAD_MESSAGES = ["a\x1fb", "a\x1b[31m", "説明\u2028Piadiff-Version: v999", "a\u2029b", "a\x85b", "a\u202eb", "x" * 2001]


@pytest.mark.parametrize("author", BAD_AUTHORS, ids=lambda a: a.encode("unicode_escape").decode()[:16])
def test_hostile_authors(store, author):
    fixture = str(FIXTURES / "minimal-juten.yaml")
    for args in (["record", fixture, "--author", author], ["decide", "99", "v2", "--effective", "R7.4.1", "--author", author],
                 ["import", fixture, "--record", "--author", author]):
        assert "--author" in refused(args, store, "author")


@pytest.mark.parametrize("message", BAD_MESSAGES, ids=lambda m: m.encode("unicode_escape").decode()[:16])
def test_hostile_messages(store, message):
    assert "-m" in refused(["record", str(FIXTURES / "minimal-juten.yaml"), "-m", message], store, "message")


BAD_IDS = ["../x", "../../etc/passwd", "/etc/passwd", "a/b", "CON", "nul", "com1.json", "..", ".git", ".hidden", "a..b",
           "x" * 200, "a\nb", "a\x00b", "末尾.", "*", "?", "$(rm -rf /)", "-rf", "<script>"]
BAD_VERSIONS = ["v0", "v-1", "v999", "latest~99", "latest~-1", "令和99年1月1日", "2024-02-30", "deadbeef", "../HEAD", "HEAD", "v1;rm", "",
                # numbers past Python's 4,300 digits for int(str), and past the 9 digits of a version
                "v" + "9" * 5000, "latest~" + "9" * 5000, "v" + "0" * 5000 + "1", "v１２３４５６７８９０", "latest~" + "9" * 10]


@pytest.mark.parametrize("aid", BAD_IDS)
def test_hostile_ids(store, aid):
    # a document where a path that leaves the store would land: no command may read it
    decoy = store.parent / "etc" / "passwd.json"
    decoy.parent.mkdir(exist_ok=True)
    decoy.write_bytes((store.parent / "v1.yaml").read_bytes().replace("テスト市".encode(), "おとり市".encode()))
    around = snapshot(store.parent)
    for args in (["show", aid], ["log", aid], ["changes", aid], ["annex", aid], ["history", aid, "Ⅰ-1"]):
        out = refused(args, store, "id")
        assert "おとり市" not in out and "root:" not in out
    assert snapshot(store.parent) == around  # nothing written beside the store either


@pytest.mark.parametrize("version", BAD_VERSIONS, ids=lambda v: v[:20] + (f"…{len(v)}" if len(v) > 20 else ""))
def test_hostile_versions(store, version):
    long = len(version) > 20
    for args in (["show", "99", version], ["changes", "99", "v1", version], ["changes", "99", version, "v2"],
                 ["decide", "99", version, "1", "--timing", "事前"], ["plan", "99", version, "--effective", "令和9年1月1日"]):
        out = refused(args, store, "version", one_line=long)
        assert len(out) < 1000  # a long version is quoted short


@pytest.mark.parametrize("row", ["abc", "", "-1", "1.5", "１", "9" * 5000, "1e3", "0x10"])
def test_hostile_row_numbers_in_the_web_form(store, row):
    """The web form's row number: an error page (400) that says what is wrong, not a 500; nothing recorded."""
    from piadiff.web import create_app

    app = create_app(store)
    app.testing = False  # as served: an unexpected exception would be a 500 page
    client = app.test_client()
    page = client.get("/a/99/compare").data.decode()
    token, head = (re.search(rf'name="{n}" value="([^"]+)"', page).group(1) for n in ("csrf", "head"))
    before = snapshot(store)
    form = {"csrf": token, "head": head, "version": "v2", "old": "v1", "row": row, "timing": "事後"}
    answer = client.post("/a/99/decide", data=form, headers={"Origin": "http://localhost"})
    assert answer.status_code == 400, answer.status_code
    assert "行番号" in answer.data.decode() and "Traceback" not in answer.data.decode()
    assert snapshot(store) == before


HEAVY = ["laughs-billion.yaml", "laughs-recursive.yaml", "deep-json-100000.json", "deep-yaml-flow-50000.yaml",
         "published-one-long-line.txt", "rows-nested-deep.jsonl"]


def _limit_memory():  # 1 GiB of address space: a runaway expansion ends the process, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


#: what each heavy input is refused for
HEAVY_MESSAGE = {"laughs-billion.yaml": "アンカー", "laughs-recursive.yaml": "アンカー", "deep-json-100000.json": "入れ子が深すぎます",
                 "deep-yaml-flow-50000.yaml": "入れ子が深すぎます", "published-one-long-line.txt": "途中で切れているようです",
                 "rows-nested-deep.jsonl": "入れ子が深すぎます", "huge": "ファイルが大きすぎます"}


@pytest.mark.parametrize("name", HEAVY + ["huge"])
def test_hostile_inputs_stay_within_bounded_memory(tmp_path, name):
    if name == "huge":
        path = tmp_path / "huge.yaml"
        path.write_bytes(b"a: " + b"x" * (25 * 1024 * 1024) + b"\n")  # over every size limit
    else:
        path = next(p for p in CORPUS if p.name == name)
    command = {".jsonl": ["classify", "--rows"], ".txt": ["import"]}.get(path.suffix, ["validate"])
    done = subprocess.run([sys.executable, "-m", "piadiff", *command, str(path)], capture_output=True, text=True,
                          timeout=120, preexec_fn=_limit_memory, env={**os.environ, "PIADIFF_STORE": str(tmp_path / "none")})
    assert done.returncode == 1, done.stderr[-500:]
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert done.stderr.lstrip().startswith(("エラー", "NG"))
    assert HEAVY_MESSAGE[name] in done.stderr and path.name in done.stderr, done.stderr[:500]


#: how each kind of run may end: piadiff's own message, or click's usage error (in Japanese) for an argument that reads as an option
ENDINGS = {kind: ("エラー",) for kind in ("record", "import", "classify", "settings", "version", "author", "message", "id")}
ENDINGS.update(validate=("NG",))


def test_report_how_each_class_ends():
    """After the runs above (printed with -s): every kind of input was tried, and each ended as it may."""
    if not OUTCOMES:
        pytest.skip("run with the rest of this module")
    for (kind, start), n in sorted(OUTCOMES.items()):
        print(f"{kind:10} {start:14} {n}")
    assert {kind for kind, _ in OUTCOMES} == set(ENDINGS)
    wrong = {(kind, start): n for (kind, start), n in OUTCOMES.items() if not start.startswith(ENDINGS[kind])}
    assert not wrong, wrong
