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

from ..model import MET, NOTE, REACHED_OUT, REPLIED, THANKED, plural
from .common import Inputs, added_on, iso_week, monday, weeks

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
    days, people = _per_day(inp)
    added: dict[date, int] = {}
    for c in vault.contacts:
        if (d := added_on(vault, c)) is not None and d <= as_of:
            added[d] = added.get(d, 0) + 1

    def span(first: date, last: date, label: str) -> Week:
        """The sums over the days first..last."""
        n = [0, 0, 0, 0]
        met: set[str] = set()
        new = 0
        d = first
        while d <= last:
            if (c := days.get(d)) is not None:
                n = [a + b for a, b in zip(n, c)]
                met |= people.get(d, set())
            new += added.get(d, 0)
            d += timedelta(days=1)
        return Week(label, monday(first), n[0], len(met), n[1], n[2], n[3], new, _kept(n[0], n[1], g_conv, g_out))

    shown = tuple(span(max(m, since), min(m + timedelta(days=6), until), iso_week(m)) for m in weeks(since, until))
    totals = span(since, until, "total")
    totals = Week(totals.week, totals.monday, totals.conversations, totals.people_met, totals.outreach,
                  totals.replies, totals.thanks, totals.added, False)

    by_week: dict[date, list[int]] = {}
    for d, c in days.items():
        w = by_week.setdefault(monday(d), [0, 0])
        w[0] += c[0]
        w[1] += c[1]
    current, longest = _streaks(by_week, as_of, g_conv, g_out)
    first_day = monday(as_of) - timedelta(weeks=HEATMAP_WEEKS - 1)
    heatmap = tuple((d, days[d][4] if d in days else 0)
                    for d in (first_day + timedelta(days=n) for n in range((as_of - first_day).days + 1)))
    return Activity(as_of, since, until, g_conv, g_out, shown, totals, current, longest, heatmap,
                    _slip(days, as_of, g_conv, g_out))


def _per_day(inp: Inputs) -> tuple[dict[date, list[int]], dict[date, set[str]]]:
    """day -> [conversations, outreach, replies, thanks, events], and day -> the people met.

    One pass over the log.  A meeting note naming three people gives each of them an
    interaction with the same source and line: one event, three people met.
    """
    days: dict[date, list[int]] = {}
    people: dict[date, set[str]] = {}
    shared: set[tuple[str, int, str]] = set()
    slot = {MET: 0, REACHED_OUT: 1, REPLIED: 2, THANKED: 3}
    as_of = inp.as_of
    for path, log in inp.vault.interactions.items():
        for i in log:
            kind = i.kind
            if kind == NOTE or i.date > as_of:
                continue
            if kind == MET:
                people.setdefault(i.date, set()).add(path)
            if i.source != path:
                key = (i.source, i.line, kind)
                if key in shared:
                    continue
                shared.add(key)
            c = days.get(i.date)
            if c is None:
                c = days[i.date] = [0, 0, 0, 0, 0]
            c[4] += 1
            if (k := slot.get(kind)) is not None:
                c[k] += 1
    return days, people


def _kept(conversations: int, outreach: int, g_conv: int, g_out: int) -> bool:
    if not g_conv and not g_out:
        return False
    return conversations >= g_conv and outreach >= g_out


def _streaks(by_week: dict[date, list[int]], as_of: date, g_conv: int, g_out: int) -> tuple[int, int]:
    """(current, longest) runs of consecutive ISO weeks that met the goal."""
    if not by_week or (not g_conv and not g_out):
        return 0, 0

    def kept(m: date) -> bool:
        w = by_week.get(m)
        return w is not None and _kept(w[0], w[1], g_conv, g_out)

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


def _slip(days: dict[date, list[int]], as_of: date, g_conv: int, g_out: int) -> str | None:
    """"2 conversations in the last 3 weeks; your goal is 3 a week", or None when on track."""
    start = as_of - timedelta(weeks=SLIP_WEEKS) + timedelta(days=1)
    recent = [c for d, c in days.items() if start <= d <= as_of]
    conv = sum(c[0] for c in recent)
    out = sum(c[1] for c in recent)
    parts = []
    if g_conv and conv < g_conv * SLIP_WEEKS:
        parts.append(f"{plural(conv, 'conversation')} in the last {SLIP_WEEKS} weeks; your goal is {g_conv} a week")
    if g_out and out < g_out * SLIP_WEEKS:
        parts.append(f"{plural(out, 'message')} sent in the last {SLIP_WEEKS} weeks; your goal is {g_out} a week")
    return ". ".join(parts) + "." if parts else None

