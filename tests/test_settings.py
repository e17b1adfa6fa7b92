"""Settings: what is applied and where it comes from (既定 / 学習 / 設定ファイル); saving what
`piadiff settings` prints changes nothing; a learnt policy keeps how sure it is."""

from __future__ import annotations

import pytest

from piadiff.classify import Habits
from piadiff.settings import Settings, load_settings


def test_a_learnt_policy_keeps_how_sure_it_is():
    learnt = Habits(policy="all", explain_pre=True, phrasing={"organisation": "組織改正のため"}, learnt_policy=True, pull_rate=0.8)
    applied = Settings().habits(learnt)
    assert (applied.policy, applied.learnt_policy, applied.pull_rate) == ("all", True, 0.8)
    assert applied.explain_pre is True and applied.phrasing == {"organisation": "組織改正のため"}
    unsure = Settings().habits(Habits(policy="additions", learnt_policy=False))
    assert (unsure.learnt_policy, unsure.pull_rate) == (False, None)


def test_a_written_policy_is_the_bodys_own_and_beats_what_was_learnt():
    learnt = Habits(policy="all", learnt_policy=True, pull_rate=0.5)
    applied = Settings(policy="none", explain_pre=False).habits(learnt)
    assert (applied.policy, applied.learnt_policy, applied.pull_rate, applied.explain_pre) == ("none", True, None, False)
    assert Settings().habits(None).policy == "additions" and not Settings().habits(None).learnt_policy


def report_lines(output: str) -> dict[str, str]:
    """key → its line of the report (commented or not)."""
    out = {}
    for line in output.splitlines():
        body = line.strip().lstrip("# ").strip()
        if ":" in body and not line.startswith("# piadiff") and not line.startswith("# 各行") and not line.startswith("# 行頭") \
                and not line.startswith("# この"):
            out.setdefault(body.split(":", 1)[0], line)
    return out


def test_settings_show_where_each_value_comes_from(run, demo):
    (demo / "settings.yaml").write_text("項目の書き方: 番号\n説明:\n  wording: 誤字の修正のため\n", encoding="utf-8")
    lines = report_lines(run("settings", "12").output)
    assert lines["項目の書き方"].startswith("項目の書き方: 番号    # 設定ファイル")
    assert lines["元年"].startswith("元年: しない    # 既定")
    assert lines["事前の説明"].startswith("# 事前の説明: しない    # 学習。前の変更箇所の事前の行")
    assert lines["改訂の扱い"].startswith("# 改訂の扱い: 追加    # 既定")
    assert lines["wording"] == '  wording: "誤字の修正のため"    # 設定ファイル。誤字・文言の修正'
    assert lines["organisation"].startswith('  # organisation: "組織の改正又は庁舎の移転')
    plain = run("settings").output
    assert "学習" not in report_lines(plain)["事前の説明"] and "piadiff settings ID" in plain


def test_a_policy_learnt_from_the_assessments_batches_is_shown_as_learnt(run, demo, tmp_path):
    from piadiff.settings import learnt_habits
    from piadiff.store import Store

    with Store(demo) as store:
        learnt = learnt_habits(store, "1", load_settings(demo))
    assert learnt.version == "v3" and learnt.batches == 1
    fake = type(learnt)(Habits(policy="all", learnt_policy=True, pull_rate=0.75, phrasing={"personnel": "異動のため"}),
                        3, 4, "v4")
    from piadiff.settings import settings_report

    text = settings_report(demo, fake, "1")
    assert "# 改訂の扱い: すべて    # 学習。前の変更箇所 3 まとまりから。※のない項目の変更を事前にした割合の推定 75%" in text
    assert '  # personnel: "異動のため"    # 学習。人事異動' in text


@pytest.mark.parametrize("args", [["settings"], ["settings", "12"], ["settings", "1"], ["settings", "12", "v2"]])
def test_saving_the_settings_output_changes_no_annex(run, demo, args):
    before = {aid: run("annex", aid, "--format", "json").stdout_bytes for aid in ("1", "12")}
    r = run(*args)
    assert r.exit_code == 0, r.output
    (demo / "settings.yaml").write_bytes(r.stdout_bytes)
    load_settings(demo)  # what it prints reads back
    assert {aid: run("annex", aid, "--format", "json").stdout_bytes for aid in ("1", "12")} == before
    assert run(*args).stdout_bytes.replace("設定ファイル".encode(), "既定".encode()).count(b"\n") == r.stdout_bytes.count(b"\n")


def test_uncommenting_a_learnt_line_fixes_that_value(run, demo):
    text = run("settings", "12").output.replace("# 事前の説明: しない", "事前の説明: する")
    (demo / "settings.yaml").write_text(text, encoding="utf-8")
    assert report_lines(run("settings", "12").output)["事前の説明"].startswith("事前の説明: する    # 設定ファイル")
    import json

    rows = json.loads(run("changes", "12", "--format", "json").stdout_bytes)["batches"][0]["rows"]
    assert all(r["explanation"] for r in rows if r["timing"] == "事前")
