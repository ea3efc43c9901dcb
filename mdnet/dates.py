"""Calendar arithmetic for the follow-up rules: business days, durations, weekdays of a month.

Pure functions over :class:`datetime.date`; no clock, no locale.  Adding never
raises: a result past the calendar's end (31 Dec 9999) is that last day, so one
note dated 9999-12-30 costs its own items their meaning, never the vault's run.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache
from typing import Container

from .config import Duration

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")
ORDINALS = ("first", "second", "third", "fourth", "last")


def is_weekday(d: date) -> bool:
    """Monday to Friday."""
    return d.weekday() < 5


def next_weekday(d: date) -> date:
    """``d`` itself if it is a weekday, else the Monday after (or ``date.max``)."""
    while not is_weekday(d) and d < date.max:
        d += timedelta(days=1)
    return d


def add_days(d: date, n: int) -> date:
    """``d`` plus ``n`` days (``n`` may be negative), saturating at ``date.min``/``date.max``."""
    ordinal = d.toordinal() + n
    if ordinal > _MAX_ORDINAL:
        return date.max
    if ordinal < 1:
        return date.min
    return date.fromordinal(ordinal)


_MAX_ORDINAL = date.max.toordinal()


def add_business_days(d: date, n: int, holidays: Container[date] | None = None) -> date:
    """The ``n``-th weekday (Mon-Fri) strictly after ``d`` that is not in ``holidays``;
    ``d`` itself when ``n`` is 0; saturating at ``date.max``.

    7 business days after Friday 6 Nov 2026 is Tuesday 17 Nov; 1 after a Saturday is Monday;
    with US holidays, 7 after Wednesday 16 Dec 2026 is Monday 28 Dec (Christmas skipped).
    """
    if n < 0:
        raise ValueError("business days must not be negative")
    if n == 0:
        return d
    if holidays is not None:  # (a lazily filled holidays calendar is falsy until asked)
        while n and d < date.max:
            d += timedelta(days=1)
            if is_weekday(d) and d not in holidays:
                n -= 1
        return d
    # Any 7 consecutive days hold exactly 5 weekdays, so whole weeks are a jump;
    # keep the last 1-5 to walk, so the result always lands on a weekday.
    weeks, rest = divmod(n - 1, 5)
    d = add_days(d, 7 * weeks)
    rest += 1
    while rest and d < date.max:
        d += timedelta(days=1)
        if is_weekday(d):
            rest -= 1
    return d


def add_months(d: date, n: int) -> date:
    """The same day ``n`` calendar months later, clamped to the month's last day (31 Jan + 1m = 28/29 Feb).

    Saturates at ``date.max`` (and ``date.min`` for a negative ``n``)."""
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def add_duration(d: date, duration: Duration, holidays: Container[date] | None = None) -> date:
    """``d`` plus a :class:`~mdnet.config.Duration` (d, bd, w, m = calendar months, y);
    business days skip ``holidays``."""
    n, unit = duration.count, duration.unit
    if unit == "d":
        return add_days(d, n)
    if unit == "bd":
        return add_business_days(d, n, holidays)
    if unit == "w":
        return add_days(d, 7 * n)
    if unit == "m":
        return add_months(d, n)
    if unit == "y":
        return add_months(d, 12 * n)
    raise ValueError(f"unknown duration unit {unit!r}")


def weekday_of_month(year: int, month: int, ordinal: str, weekday: int) -> date:
    """``("first", 0)`` -> the first Monday of the month; ``"last"`` counts from the end.

    ``weekday`` is 0 (Monday) to 6 (Sunday); ``ordinal`` one of first, second, third, fourth, last.
    """
    if ordinal == "last":
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    k = ORDINALS.index(ordinal)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * k)


def monthly_day(year: int, month: int, spec: tuple[str, int]) -> date:
    """The day of a month named by :func:`mdnet.config.parse_monthly_day`'s result."""
    kind, value = spec
    if kind == "day":
        return date(year, month, value)
    return weekday_of_month(year, month, kind, value)


def next_month(year: int, month: int) -> tuple[int, int] | None:
    """The month after; None after December 9999 (the calendar ends there)."""
    if month == 12:
        return None if year >= date.max.year else (year + 1, 1)
    return (year, month + 1)


def short_date(d: date, as_of: date | None = None) -> str:
    """``18 Nov``; with the year when it differs from ``as_of``'s (``18 Nov 2025``)."""
    text = f"{d.day} {MONTH_ABBR[d.month - 1]}"
    if as_of is not None and d.year != as_of.year:
        text += f" {d.year}"
    return text


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_day(text: str, today: date, *, future: bool = False) -> date | None:
    """A day as a person types it -> date; None when it is not one.

    ``2026-11-20``, ``today``, ``yesterday``, ``tomorrow``, ``-3d`` (3 days ago),
    ``3d``/``+2w``/``1m`` (a span from today: a duration of :func:`mdnet.config.parse_duration`),
    and weekday names (``mon``, ``monday``): the most recent one, today included,
    or with ``future`` the next one after today.
    """
    from .config import parse_duration

    s = text.strip().lower()
    if not s:
        return None
    try:
        return date.fromisoformat(s)
    except ValueError:
        pass
    named = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if s in named:
        return today + timedelta(days=named[s])
    for i, wd in enumerate(_WEEKDAYS):
        if len(s) >= 3 and (s == wd or s.startswith(wd) and calendar.day_name[i].lower().startswith(s)):
            if future:
                return today + timedelta(days=(i - today.weekday() - 1) % 7 + 1)
            return today - timedelta(days=(today.weekday() - i) % 7)
    sign = 1
    if s[0] in "+-":
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    d = parse_duration(s)
    if d is None:
        return None
    if sign < 0:
        if d.unit == "d":
            return today - timedelta(days=d.count)
        if d.unit == "w":
            return today - timedelta(weeks=d.count)
        return None
    return add_duration(today, d)
@lru_cache(maxsize=8)
def public_holidays(country: str, subdivision: str | None = None) -> Container[date] | None:
    """The public holidays of a country (and subdivision), any year: a container of
    dates; None for a country the library does not know (a locale's ``en_XX``:
    the setting's own check refuses such a value in mdnet.toml).

    From the ``holidays`` library (imported here, on first use: it costs ~50 ms, so
    only a vault with a country pays for it).
    """
    import holidays

    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        return None
