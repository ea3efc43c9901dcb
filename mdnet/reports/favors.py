"""``mdnet report favors``: the two-way street.  Pure.

What you gave: the introductions you made (``intro`` lines) and the things you
offered (``offers:``), each with whether you logged anything to that person
since your last conversation.  What you received: conversations (their time)
and referrals.  The contacts where you are far on the receiving end, so you can
look for something to give back; and the ``ask_about`` details waiting for the
next conversation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..graph import Resolver
from ..model import INTRO, MET, NOTE
from .common import Inputs

IMBALANCE = 3  # received - given at which a contact is "far on the receiving end"


@dataclass(frozen=True, slots=True)
class Intro:
    date: date
    path: str  # whose note the line is in
    name: str
    text: str
    to: tuple[str, ...]  # names of the other people the line links


@dataclass(frozen=True, slots=True)
class Offer:
    path: str
    name: str
    offer: str
    last_met: date | None
    since: date | None  # the first thing logged to them after that conversation (None: nothing yet)
    since_kind: str | None


@dataclass(frozen=True, slots=True)
class Balance:
    path: str
    name: str
    conversations: int  # their time
    referrals: int  # people they pointed you to
    intros: int  # introductions you made for them (in their note, or linking them)
    received: int
    given: int


@dataclass(frozen=True, slots=True)
class AskAbout:
    path: str
    name: str
    items: tuple[str, ...]
    next_due: date | None  # the next open follow-up with them, if any


@dataclass(frozen=True, slots=True)
class Favors:
    as_of: date
    intros: tuple[Intro, ...]  # newest first
    offers: tuple[Offer, ...]
    received: tuple[Balance, ...]  # everyone who helped, most received first
    receiving_end: tuple[Balance, ...]  # received - given >= IMBALANCE
    ask_about: tuple[AskAbout, ...]


def build(inp: Inputs) -> Favors:
    vault, as_of = inp.vault, inp.as_of
    by_path = {c.path: c for c in vault.contacts}
    intros: list[Intro] = []
    given: dict[str, int] = {}
    resolver: Resolver | None = None
    for path, log in vault.interactions.items():
        for i in log:
            if i.kind != INTRO or i.date > as_of or i.source != path:
                continue
            if i.links and resolver is None:
                resolver = Resolver(vault.notes)
            linked = list(dict.fromkeys(p for t in i.links if resolver and (p := resolver.resolve(t)) in by_path
                                        and p != path))
            intros.append(Intro(i.date, path, by_path[path].name, i.text, tuple(by_path[p].name for p in linked)))
            for p in {path, *linked}:
                given[p] = given.get(p, 0) + 1
    intros.sort(key=lambda x: (x.date, x.name), reverse=True)

    referrals: dict[str, int] = {}
    for refs in vault.referrals.values():
        for r in {r.referrer for r in refs if r.referrer}:
            referrals[r] = referrals.get(r, 0) + 1  # type: ignore[index]

    offers: list[Offer] = []
    balances: list[Balance] = []
    asks: list[AskAbout] = []
    nxt: dict[str, date] = {}
    for item in inp.items:
        if item.path and (item.path not in nxt or item.due < nxt[item.path]):
            nxt[item.path] = item.due
    for c in vault.contacts:
        log = [i for i in vault.interactions.get(c.path, ()) if i.date <= as_of]
        met = [i for i in log if i.kind == MET]
        last_met = met[-1].date if met else None
        if c.offers:
            after = next((i for i in log if i.kind != NOTE and (last_met is None or i.date > last_met)), None)
            offers.extend(Offer(c.path, c.name, o, last_met, after.date if after else None,
                                after.kind if after else None) for o in c.offers)
        conv = len({(i.source, i.line) for i in met})
        refs = referrals.get(c.path, 0)
        g = given.get(c.path, 0)
        if conv or refs or g:
            balances.append(Balance(c.path, c.name, conv, refs, g, conv + refs, g))
        if c.ask_about and c.active:
            asks.append(AskAbout(c.path, c.name, c.ask_about, nxt.get(c.path)))
    balances.sort(key=lambda b: (-b.received, b.given, b.name.casefold()))
    asks.sort(key=lambda a: (a.next_due or date.max, a.name.casefold()))
    return Favors(as_of, tuple(intros), tuple(offers),
                  tuple(b for b in balances if b.received),
                  tuple(sorted((b for b in balances if b.received - b.given >= IMBALANCE),
                               key=lambda b: (b.given - b.received, b.name.casefold()))),
                  tuple(asks))

