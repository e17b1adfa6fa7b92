"""`piadiff validate` warns, without refusing, about what a document may have wrong: a count that
disagrees with the entries it counts, and a 和暦 date past the end of its era."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from piadiff.wareki import era_overrun

MINIMAL = (FIXTURES / "minimal-juten.yaml").read_text(encoding="utf-8")
ENTRUSTED = """        - 名称: 児童手当システムの運用保守
          ③委託先名: テスト情報株式会社
"""
FIVE = ENTRUSTED + "".join(f"        - 名称: 委託{n}\n          ③委託先名: 委託先{n}株式会社\n" for n in range(2, 6))


def validate(run, tmp_path, text: str):
    (tmp_path / "doc.yaml").write_text(text, encoding="utf-8")
    return run("validate", "doc.yaml")


def test_a_count_beside_more_entries_is_warned_with_its_path_and_line(run, tmp_path):
    text = MINIMAL.replace("委託件数: 1", "委託件数: 3").replace(ENTRUSTED, FIVE)
    r = validate(run, tmp_path, text)
    assert r.exit_code == 0  # a warning, not a refusal
    assert "OK doc.yaml: 重点項目評価書「テスト市 児童手当に関する事務 重点項目評価書」 公表日 令和6年4月1日（注意 1 件）" in r.output
    line = text.splitlines().index("      委託件数: 3") + 1
    assert (f"  注意 doc.yaml:{line}: Ⅱ 特定個人情報ファイルの概要[1] > 4. 特定個人情報ファイルの取扱いの委託 > 委託件数: "
            "委託件数は (3) 件ですが、委託事項は 5 件書かれています。委託件数を (5) にするか、"
            "委託事項に足りないもの・余分なものがないか確かめてください") in r.output


def test_the_provision_and_transfer_counts_are_checked_too(run, tmp_path):
    text = MINIMAL + """    5. 特定個人情報の提供・移転(委託に伴うものを除く。):
      提供・移転の有無: [提供を行っている]
      提供件数: 2
      提供先:
        - 名称: 県
"""
    r = validate(run, tmp_path, text)
    assert r.exit_code == 0
    assert "提供件数: 提供件数は (2) 件ですが、提供先は 1 件書かれています。提供件数を (1) にするか" in r.output


def test_a_count_that_agrees_is_not_warned(run, tmp_path):
    r = validate(run, tmp_path, MINIMAL.replace("委託件数: 1", "委託件数: 5").replace(ENTRUSTED, FIVE))
    assert r.exit_code == 0 and "注意" not in r.output


def test_a_date_past_its_eras_end_is_warned_with_the_right_era(run, tmp_path):
    r = validate(run, tmp_path, MINIMAL.replace("⑤保有開始日: 平成29年7月1日", "⑤保有開始日: 平成32年1月1日"))
    assert r.exit_code == 0
    assert ("Ⅱ 特定個人情報ファイルの概要[1] > 2. 基本情報 > ⑤保有開始日: 「平成32年1月1日」は平成の終わり"
            "（平成31年4月30日）より後の日付です。「令和2年1月1日」と書いてください") in r.output
    # the cover's date is checked as well, and several warnings are all shown
    r = validate(run, tmp_path, MINIMAL.replace("公表日: 令和6年4月1日", "公表日: 平成36年4月1日")
                 .replace("⑤保有開始日: 平成29年7月1日", "⑤保有開始日: 平成31年5月"))
    assert "（注意 2 件）" in r.output
    assert "表紙 > 公表日: 「平成36年4月1日」は平成の終わり（平成31年4月30日）より後の日付です。「令和6年4月1日」と書いてください" in r.output
    assert "⑤保有開始日: 「平成31年5月」は平成の終わり（平成31年4月30日）より後の日付です。「令和1年5月」と書いてください" in r.output


def test_an_error_still_fails_and_warnings_alone_do_not(run, tmp_path):
    r = validate(run, tmp_path, MINIMAL.replace("⑤保有開始日: 平成29年7月1日", "⑤保有開始日: 平成32年2月30日"))
    assert r.exit_code == 1 and "ありえない日付" in r.output


@pytest.mark.parametrize("written, suggested", [
    ("平成32年1月1日", "令和2年1月1日"), ("H32.1.1", "令和2年1月1日"), ("平成31年5月1日", "令和1年5月1日"),
    ("昭和64年1月8日", "平成1年1月8日"), ("昭和65年3月1日", "平成2年3月1日"), ("平成32年7月", "令和2年7月"),
])
def test_era_overrun_suggests_the_same_day_in_its_era(written, suggested):
    assert era_overrun(written).suggested == suggested


@pytest.mark.parametrize("text", ["平成31年4月30日", "昭和64年1月7日", "令和元年5月1日", "令和99年1月1日", "2020-01-01", "平成32年2月30日"])
def test_dates_within_their_era_or_not_wareki_are_fine(text):
    assert era_overrun(text) is None
