"""README.md's 使いかた block, run as a new user would: in an empty folder after `piadiff demo`,
every line that starts with `piadiff`, in order, must run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from conftest import piadiff

README = Path(__file__).parent.parent / "README.md"


def usage_commands() -> list[str]:
    """The `piadiff …` lines of the first code block under 「## 使いかた」, without their comments."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"^## 使いかた\n.*?^```(?:sh|bash|console)?\n(.*?)^```", text, re.S | re.M)
    assert block, "README.md has no 使いかた block"
    lines = [line for line in block.group(1).splitlines() if line.startswith("piadiff ")]
    return [shlex.split(line, comments=True) for line in lines]


def test_every_usage_line_runs_after_the_demo(tmp_path):
    assert piadiff("demo", cwd=tmp_path).returncode == 0
    assert (tmp_path / "公表版.txt").exists()  # the demo leaves an example publication to import
    commands = usage_commands()
    assert len(commands) >= 15
    for argv in commands:
        done = piadiff(*argv[1:], cwd=tmp_path)
        assert done.returncode == 0, (argv, done.stdout[-500:], done.stderr[-500:])
        assert "Traceback" not in done.stderr, argv


def test_the_demo_never_overwrites_a_file_of_the_officers_own(tmp_path):
    (tmp_path / "公表版.txt").write_text("わたしのメモ", encoding="utf-8")
    assert piadiff("demo", cwd=tmp_path).returncode == 0
    assert (tmp_path / "公表版.txt").read_text(encoding="utf-8") == "わたしのメモ"
