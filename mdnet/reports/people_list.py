"""``mdnet report list``: the list of 100.  Pure.

Progress toward ``goals.list_size``, contacts by circle, how many know you are
searching (``knows_search``), how many you have never contacted, and how many
were added each week (``added:``, else the day mdnet first saw the note).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .common import Inputs, added_on, contacted, iso_week, monday, weeks

DEFAULT_WEEKS = 12
NO_CIRCLE = "(no circle)"


@dataclass(frozen=True, slots=True)
class Added:
    week: str
    monday: date
    added: int


@dataclass(frozen=True, slots=True)
class PeopleList:
    as_of: date
    people: int  # contacts in the vault (all statuses)
    goal: int
    active: int  # not paused, do-not-contact or archived
    knows_search: int
    never_contacted: int  # active contacts with nothing but notes in their log
    circles: tuple[tuple[str, int], ...]  # by size, then name; a contact in two circles counts in both
    since: date
    added: tuple[Added, ...]  # per ISO week of the period


def build(inp: Inputs) -> PeopleList:
    vault, as_of = inp.vault, inp.as_of
    until = inp.end
    since = inp.since or (monday(until) - timedelta(weeks=DEFAULT_WEEKS - 1))
    contacts = list(vault.contacts)
    circles: dict[str, int] = {}
    for c in contacts:
        for k in set(c.circles) or {NO_CIRCLE}:  # the parser lower-cases circles
            circles[k] = circles.get(k, 0) + 1
    per_week: dict[date, int] = {}
    for c in contacts:
        d = added_on(vault, c)
        if d is not None and since <= d <= until:
            per_week[monday(d)] = per_week.get(monday(d), 0) + 1
    active = [c for c in contacts if c.active]
    return PeopleList(
        as_of=as_of, people=len(contacts), goal=inp.config["goals.list_size"], active=len(active),
        knows_search=sum(1 for c in contacts if c.knows_search),
        never_contacted=sum(1 for c in active if not contacted(vault.interactions.get(c.path, ()))),
        circles=tuple(sorted(circles.items(), key=lambda t: (-t[1], t[0] == NO_CIRCLE, t[0].casefold()))),
        since=since,
        added=tuple(Added(iso_week(m), m, per_week.get(m, 0)) for m in weeks(since, until)))
