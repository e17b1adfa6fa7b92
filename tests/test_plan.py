"""`piadiff plan`: the procedure before a 重要な変更 takes effect, counted with Japanese holidays and
the year-end closure, with the 施行日 recorded by `decide`, and what is already late."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import assert_clean_error
from piadiff import procedure
from piadiff.procedure import closed_reason, is_open, plan


@pytest.fixture
def today(monkeypatch):
    """Set the day the plan is made on."""
    def set_today(date: dt.date) -> None:
        monkeypatch.setattr(procedure, "_today", lambda: date)
    return set_today


def test_the_calendar_knows_holidays_and_the_year_end_closure():
    assert closed_reason(dt.date(2027, 1, 11)) == "成人の日"
    assert closed_reason(dt.date(2026, 9, 22)) == "国民の休日"  # between two holidays
    assert closed_reason(dt.date(2026, 12, 29)) == closed_reason(dt.date(2027, 1, 3)) == "年末年始"
    assert closed_reason(dt.date(2026, 11, 28)) == "土曜日"
    assert is_open(dt.date(2026, 12, 28)) and is_open(dt.date(2027, 1, 4))


def test_a_period_of_open_days_skips_the_year_end_closure():
    (step,) = plan("重点項目評価書", dt.date(2027, 1, 5))
    # 10 開庁日 ending on Monday 4 January: 12月29日〜1月3日 and the weekends are not counted
    assert (step.start, step.end, step.count) == (dt.date(2026, 12, 16), dt.date(2027, 1, 4), "開庁日")
    assert step.length() == "開庁日 10 日、暦日では 20 日"


def test_the_public_comment_counts_calendar_days_and_starts_and_ends_on_open_days():
    comment, review, publish = plan("全項目評価書", dt.date(2027, 4, 1))
    assert comment.count == "暦日" and (comment.end - comment.start).days + 1 >= 30
    assert is_open(comment.start) and is_open(comment.end)
    assert "うち閉庁日" in comment.length() and "年末年始 6 日" in comment.length()
    assert comment.end < review.start and review.end < publish.start and publish.end < dt.date(2027, 4, 1)
    for step in (review, publish):
        days = [step.start + dt.timedelta(days=i) for i in range((step.end - step.start).days + 1)]
        assert sum(map(is_open, days)) == step.days


def test_plan_says_which_days_are_counted_how(run, demo, today):
    today(dt.date(2026, 10, 1))
    out = run("plan", "1", "--effective", "令和9年4月1日").output
    assert "全項目評価書: 施行日 令和9年4月1日 の前に終えること（重要な変更 1 件、今日 令和8年10月1日）" in out
    assert "日数の数え方: 住民等の意見の聴取（パブリックコメント）は暦日（土日・祝日・年末年始（12月29日〜1月3日）も数える" in out
    assert "第三者点検・個人情報保護委員会への提出・公表は開庁日（土日・国民の祝日・休日と年末年始（12月29日〜1月3日）を除く）" in out
    assert "（目安: 開庁日 14 日、暦日では" in out
    assert "⚠" not in out  # nothing is late on 1 October


def test_plan_names_the_changes_in_japanese(run, demo, today):
    today(dt.date(2026, 10, 1))
    out = run("plan", "12", "--effective", "令和9年4月1日").output
    assert "- Ⅰ 基本情報(2. 特定個人情報ファイルを取り扱う事務において使用するシステム システム4)" \
           "（リスクを高める追加: 項目（システム・委託・提供先・移転先など）の追加）" in out
    assert "重要な変更（※の項目）: ※の項目の変更" in out
    for code in ("risk-increase", "significant-item", "new-entry", "significant-change"):
        assert code not in out


def test_plan_uses_the_effective_date_recorded_by_decide(run, demo, today):
    today(dt.date(2026, 10, 1))
    assert_clean_error(run("plan", "1"), "v3 の施行日が分かりません", "piadiff decide 1-kakuu-jumin v3 --effective")
    assert run("decide", "1", "v3", "--effective", "令和9年4月1日").exit_code == 0
    out = run("plan", "1").output
    assert "施行日 令和9年4月1日（piadiff decide で記録した施行日） の前に終えること" in out
    # --effective still wins over what was recorded
    assert "施行日 令和9年5月1日 の前に" in run("plan", "1", "--effective", "令和9年5月1日").output


def test_plan_says_what_is_late_and_what_to_do(run, demo, today):
    today(dt.date(2026, 11, 28))
    out = run("plan", "1", "--effective", "令和9年2月1日").output
    assert ("住民等の意見の聴取（パブリックコメント）（原則30日以上）: 遅くとも 令和8年10月15日（木）に始め、"
            "令和8年11月13日（金）までに終える") in out
    assert "⚠ 今日には終えているはずの手続です" in out and "⚠ 今日には始めているはずの手続です" in out
    assert ("⚠ 遅れ: 住民等の意見の聴取（パブリックコメント）は遅くとも 令和8年10月15日（木）に始める必要がありました"
            "（今日 令和8年11月28日（土））") in out
    # started today, the steps' typical durations end on 17 March: the change can take effect on the 18th
    assert "施行日は早くとも 令和9年3月18日（木）" in out
    assert "piadiff decide 1-kakuu-jumin v3 --effective 日付 で記録し直し" in out


def test_plan_says_when_the_effective_date_has_come(run, demo, today):
    today(dt.date(2026, 11, 28))
    out = run("plan", "1", "--effective", "令和8年4月1日").output
    assert "⚠ 施行日 令和8年4月1日 は今日（令和8年11月28日）までに来ています。" in out
    assert "速やかに評価を再実施し" in out


def test_revision_plan_takes_today_as_an_argument(demo):
    from piadiff.procedure import revision_plan
    from piadiff.store import Store

    with Store(demo) as store:
        early = revision_plan(store, "1", effective=dt.date(2027, 2, 1), today=dt.date(2026, 9, 1))
        late = revision_plan(store, "1", effective=dt.date(2027, 2, 1), today=dt.date(2026, 11, 28))
    assert early.late_steps() == [] and early.warnings() == []
    assert [s.name for s in late.late_steps()] == ["住民等の意見の聴取（パブリックコメント）", "第三者点検"]
