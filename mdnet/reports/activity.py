"""``mdnet report activity``: is the weekly habit holding?  Pure.

Per ISO week: conversations held (``met`` events: a meeting note naming three
people is one conversation and three people met), outreach sent, replies,
thank-yous and contacts added; the weekly goal, the current and the longest
streak of weeks that meet it, a day-by-day heatmap, and a plain sentence when
the habit slips.  Weeks are ISO weeks counted by their Monday, so a streak runs
across a year boundary and through week 53 like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..model import MET, REACHED_OUT, REPLIED, THANKED
from .common import Event, Inputs, added_on, events, iso_week, monday, weeks

HEATMAP_WEEKS = 26
DEFAULT_WEEKS = 26  # the period shown when --since is not given
SLIP_WEEKS = 3


@dataclass(frozen=True, slots=True)
class Week:
    week: str  # 2026-W48
    monday: date
    conversations: int  # met events
    people_met: int  # distinct contacts in them
    outreach: int
    replies: int
    thanks: int
    added: int
    kept: bool  # met the weekly goal


@dataclass(frozen=True, slots=True)
class Activity:
    as_of: date
    since: date
    until: date
    goal_conversations: int
    goal_outreach: int
    weeks: tuple[Week, ...]  # the period's weeks, oldest first
    totals: Week  # the period's sums (week: "total")
    current_streak: int  # weeks in a row meeting the goal, up to this week (a week in progress does not break it)
    longest_streak: int  # over the whole log up to as_of
    heatmap: tuple[tuple[date, int], ...]  # every day of the last 26 weeks up to as_of: (day, events that day)
    slip: str | None  # a plain sentence when the last three weeks fall short of the goal


def build(inp: Inputs) -> Activity:
    vault, config, as_of = inp.vault, inp.config, inp.as_of
    g_conv: int = config["goals.conversations_per_week"]
    g_out: int = config["goals.outreach_per_week"]
    until = inp.end
    since = inp.since or (monday(until) - timedelta(weeks=DEFAULT_WEEKS - 1))

    evs = [e for e in events(vault) if e.date <= as_of]
    added = [d for c in vault.contacts if (d := added_on(vault, c)) is not None and d <= as_of]
    by_week: dict[date, list[Event]] = {}
    for e in evs:
        by_week.setdefault(monday(e.date), []).append(e)
    added_by_week: dict[date, list[date]] = {}
    for d in added:
        added_by_week.setdefault(monday(d), []).append(d)

    def week(m: date, lo: date, hi: date) -> Week:
        es = [e for e in by_week.get(m, ()) if lo <= e.date <= hi]
        met = [e for e in es if e.kind == MET]
        conv, out = len(met), sum(1 for e in es if e.kind == REACHED_OUT)
        n_added = sum(1 for d in added_by_week.get(m, ()) if lo <= d <= hi)
        return Week(iso_week(m), m, conv, len({p for e in met for p in e.contacts}), out,
                    sum(1 for e in es if e.kind == REPLIED), sum(1 for e in es if e.kind == THANKED),
                    n_added, _kept(conv, out, g_conv, g_out))

    shown = tuple(week(m, since, until) for m in weeks(since, until))
    period = [e for e in evs if since <= e.date <= until]
    met = [e for e in period if e.kind == MET]
    totals = Week("total", monday(since), len(met), len({p for e in met for p in e.contacts}),
                  sum(1 for e in period if e.kind == REACHED_OUT), sum(1 for e in period if e.kind == REPLIED),
                  sum(1 for e in period if e.kind == THANKED), sum(1 for d in added if since <= d <= until), False)

    current, longest = _streaks(by_week, as_of, g_conv, g_out)
    first_day = monday(as_of) - timedelta(weeks=HEATMAP_WEEKS - 1)
    per_day: dict[date, int] = {}
    for e in evs:
        if e.date >= first_day:
            per_day[e.date] = per_day.get(e.date, 0) + 1
    heatmap = tuple((first_day + timedelta(days=n), per_day.get(first_day + timedelta(days=n), 0))
                    for n in range((as_of - first_day).days + 1))
    return Activity(as_of, since, until, g_conv, g_out, shown, totals, current, longest, heatmap,
                    _slip(evs, as_of, g_conv, g_out))


def _kept(conversations: int, outreach: int, g_conv: int, g_out: int) -> bool:
    if not g_conv and not g_out:
        return False
    return conversations >= g_conv and outreach >= g_out


def _streaks(by_week: dict[date, list[Event]], as_of: date, g_conv: int, g_out: int) -> tuple[int, int]:
    """(current, longest) runs of consecutive ISO weeks that met the goal."""
    if not by_week or (not g_conv and not g_out):
        return 0, 0

    def kept(m: date) -> bool:
        es = by_week.get(m, ())
        return _kept(sum(1 for e in es if e.kind == MET), sum(1 for e in es if e.kind == REACHED_OUT), g_conv, g_out)

    this = monday(as_of)
    longest = run = 0
    for m in weeks(min(by_week), this):
        run = run + 1 if kept(m) else 0
        longest = max(longest, run)
    m = this if kept(this) else this - timedelta(weeks=1)  # the week in progress may still get there
    current = 0
    while kept(m):
        current += 1
        m -= timedelta(weeks=1)
    return current, longest


def _slip(evs: list[Event], as_of: date, g_conv: int, g_out: int) -> str | None:
    """"2 conversations in the last 3 weeks; your goal is 3 a week", or None when on track."""
    start = as_of - timedelta(weeks=SLIP_WEEKS) + timedelta(days=1)
    recent = [e for e in evs if start <= e.date <= as_of]
    parts = []
    conv = sum(1 for e in recent if e.kind == MET)
    out = sum(1 for e in recent if e.kind == REACHED_OUT)
    if g_conv and conv < g_conv * SLIP_WEEKS:
        parts.append(f"{_n(conv, 'conversation')} in the last {SLIP_WEEKS} weeks; your goal is {g_conv} a week")
    if g_out and out < g_out * SLIP_WEEKS:
        parts.append(f"{_n(out, 'message')} sent in the last {SLIP_WEEKS} weeks; your goal is {g_out} a week")
    return ". ".join(parts) + "." if parts else None


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
