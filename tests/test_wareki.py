import datetime as dt

import pytest

from piadiff.errors import PiadiffError
from piadiff.wareki import parse_date, to_wareki


@pytest.mark.parametrize(
    "text, expected",
    [
        ("令和7年7月31日", dt.date(2025, 7, 31)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和1年5月1日", dt.date(2019, 5, 1)),
        ("平成29年7月1日", dt.date(2017, 7, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("R7.7.31", dt.date(2025, 7, 31)),
        ("r7.1.16", dt.date(2025, 1, 16)),
        ("H29.7.1", dt.date(2017, 7, 1)),
        ("２０２５－０７－３１", dt.date(2025, 7, 31)),
        ("令和７年１月１６日", dt.date(2025, 1, 16)),
        ("2025-07-31", dt.date(2025, 7, 31)),
        ("2025/7/31", dt.date(2025, 7, 31)),
        ("2025年7月31日", dt.date(2025, 7, 31)),
    ],
)
def test_parse_date_accepts_what_officers_write(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["令和7年2月30日", "令和元年4月30日", "7月31日", "来年", "2025-13-01", ""])
def test_parse_date_refuses_impossible_or_unreadable_dates(text):
    with pytest.raises(PiadiffError) as e:
        parse_date(text)
    assert "日付" in str(e.value) or "令和" in str(e.value)


def test_to_wareki_writes_the_first_year_as_the_seeds_do():
    assert to_wareki(dt.date(2025, 7, 31)) == "令和7年7月31日"
    assert to_wareki(dt.date(2019, 5, 1)) == "令和1年5月1日"
    assert to_wareki(dt.date(2019, 5, 1), gannen=True) == "令和元年5月1日"
    assert to_wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"


def test_every_annex_date_of_the_real_annexes_reads_back(tmp_path):
    import json

    from conftest import shared

    rows = [json.loads(l) for l in shared("groundtruth/annex-rows.jsonl").read_text(encoding="utf-8").splitlines()]
    dated = [r for r in rows if r["date_iso"]]
    assert len(dated) > 100
    for r in dated:
        date = parse_date(r["date_text"].strip())
        assert date.isoformat() == r["date_iso"], r
        assert to_wareki(date) == r["date_text"].replace(" ", "").strip()


@pytest.mark.parametrize("text, expected", [("平成29年7月", "2017-07"), ("令和元年5月", "2019-05"), ("H28.1", "2016-01"), ("2017-07", "2017-07"), ("2017年7月", "2017-07"), ("平成29年13月", None), ("7月", None)])
def test_year_and_month_without_a_day(text, expected):
    from piadiff.wareki import parse_month

    assert parse_month(text) == expected
