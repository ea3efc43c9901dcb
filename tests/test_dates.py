from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from mdnet.config import Duration, parse_duration
from mdnet.dates import (
    add_business_days,
    add_duration,
    add_months,
    monthly_day,
    next_weekday,
    short_date,
    weekday_of_month,
)

FRI = date(2026, 11, 6)
SAT = date(2026, 11, 7)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (FRI, 7, date(2026, 11, 17)),  # the example: Friday 6 Nov + 7bd = Tuesday 17 Nov
        (SAT, 1, date(2026, 11, 9)),  # one business day after a Saturday is Monday
        (date(2026, 11, 8), 1, date(2026, 11, 9)),  # Sunday -> Monday
        (FRI, 1, date(2026, 11, 9)),  # Friday -> Monday
        (SAT, 5, date(2026, 11, 13)),  # a whole week from Saturday ends on Friday, not Saturday
        (SAT, 6, date(2026, 11, 16)),
        (date(2026, 11, 9), 10, date(2026, 11, 23)),
        (date(2026, 11, 27), 3, date(2026, 12, 2)),  # Friday 27 Nov across a weekend and a month end
        (date(2026, 12, 31), 1, date(2027, 1, 1)),  # across a year end
        (date(2026, 11, 11), 0, date(2026, 11, 11)),
    ],
)
def test_add_business_days(start: date, n: int, expected: date) -> None:
    assert add_business_days(start, n) == expected


def _slow_business_days(d: date, n: int) -> date:
    while n:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=1, max_value=60))
def test_business_days_agree_with_walking_day_by_day(d: date, n: int) -> None:
    result = add_business_days(d, n)
    assert result == _slow_business_days(d, n)
    assert result.weekday() < 5


def test_negative_business_days_are_refused() -> None:
    with pytest.raises(ValueError):
        add_business_days(FRI, -1)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # clamped to the month's end
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 15), 2, date(2027, 1, 15)),  # across a year end
        (date(2026, 12, 31), 3, date(2027, 3, 31)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
    ],
)
def test_add_months(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


@pytest.mark.parametrize(
    "text, start, expected",
    [
        ("14d", date(2026, 11, 18), date(2026, 12, 2)),
        ("2w", date(2026, 11, 18), date(2026, 12, 2)),
        ("7bd", FRI, date(2026, 11, 17)),
        ("1m", date(2026, 1, 31), date(2026, 2, 28)),
        ("quarterly", date(2026, 11, 30), date(2027, 2, 28)),
        ("1y", date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_add_duration(text: str, start: date, expected: date) -> None:
    d = parse_duration(text)
    assert d is not None
    assert add_duration(start, d) == expected


def test_add_duration_rejects_unknown_unit() -> None:
    with pytest.raises(ValueError):
        add_duration(FRI, Duration(1, "h"))


@pytest.mark.parametrize(
    "year, month, ordinal, weekday, expected",
    [
        (2026, 11, "first", 0, date(2026, 11, 2)),
        (2026, 6, "first", 0, date(2026, 6, 1)),  # the 1st is itself a Monday
        (2026, 11, "second", 2, date(2026, 11, 11)),
        (2026, 11, "fourth", 3, date(2026, 11, 26)),
        (2026, 11, "last", 4, date(2026, 11, 27)),
        (2026, 7, "last", 4, date(2026, 7, 31)),  # the last day is itself a Friday
        (2027, 2, "last", 6, date(2027, 2, 28)),
    ],
)
def test_weekday_of_month(year: int, month: int, ordinal: str, weekday: int, expected: date) -> None:
    assert weekday_of_month(year, month, ordinal, weekday) == expected


def test_monthly_day_by_number_and_by_weekday() -> None:
    assert monthly_day(2026, 12, ("day", 15)) == date(2026, 12, 15)
    assert monthly_day(2026, 12, ("first", 0)) == date(2026, 12, 7)


def test_next_weekday() -> None:
    assert next_weekday(SAT) == date(2026, 11, 9)
    assert next_weekday(FRI) == FRI


def test_short_date_adds_the_year_only_when_it_differs() -> None:
    assert short_date(date(2026, 11, 18), date(2026, 12, 1)) == "18 Nov"
    assert short_date(date(2025, 11, 18), date(2026, 1, 5)) == "18 Nov 2025"
    assert short_date(date(2026, 3, 1)) == "1 Mar"


def test_parse_day_as_people_type_it() -> None:
    from datetime import date

    from mdnet.dates import parse_day

    monday = date(2026, 11, 30)
    assert parse_day("2026-11-20", monday) == date(2026, 11, 20)
    assert parse_day("today", monday) == monday
    assert parse_day("Yesterday", monday) == date(2026, 11, 29)
    assert parse_day("-3d", monday) == date(2026, 11, 27)
    assert parse_day("-1w", monday) == date(2026, 11, 23)
    assert parse_day("3d", monday) == date(2026, 12, 3)
    assert parse_day("2w", monday) == date(2026, 12, 14)
    assert parse_day("mon", monday) == monday  # the most recent Monday, today included
    assert parse_day("mon", monday, future=True) == date(2026, 12, 7)
    assert parse_day("friday", monday) == date(2026, 11, 27)
    assert parse_day("fri", monday, future=True) == date(2026, 12, 4)
    assert parse_day("tues", monday) == date(2026, 11, 24)
    for bad in ("", "someday", "-1m", "2026-02-30", "mo"):
        assert parse_day(bad, monday) is None, bad

# --- extreme dates and durations (issue 7): arithmetic saturates at date.max ---------------


@pytest.mark.parametrize("text", ["7bd", "1d", "9999y", "3652058d", "521722w", "119988m", "9998y"])
def test_adding_a_duration_to_the_last_days_saturates_at_date_max(text: str) -> None:
    d = parse_duration(text)
    assert d is not None
    for start in (date(9999, 12, 30), date(9999, 12, 31), date(9999, 1, 1)):
        assert start <= add_duration(start, d) <= date.max


@pytest.mark.parametrize("text", ["99999999999d", "9999999999d", "999999999y", "10000y", "3652059d",
                                  "1" * 5000 + "d", "521723w", "119989m"])
def test_durations_beyond_the_calendar_are_not_durations(text: str) -> None:
    assert parse_duration(text) is None


@given(st.dates(), st.integers(min_value=0, max_value=10**7))
def test_business_days_and_months_never_raise(d: date, n: int) -> None:
    assert d <= add_business_days(d, n) <= date.max
    assert d <= add_months(d, n) <= date.max

