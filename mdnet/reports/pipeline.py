"""``mdnet report pipeline``: target companies and who you know there.  Pure.

The companies are the ones ``Profile.md`` lists under "Companies I'd love an
introduction to" plus every contact's ``company:``, matched as the try-another
rule matches them (``Fabrikam``, ``[[Fabrikam]]`` and ``fabrikam`` are one).
Target companies where you still know nobody come first: that is where to ask
for introductions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..model import MET, NOTE, REPLIED
from ..rules import gone_quiet
from .common import Inputs, key_of

NEVER = "never contacted"
REACHED = "reached out"
REPLIED_STAGE = "replied"
MET_STAGE = "met"
QUIET = "gone quiet"
STAGES = (NEVER, REACHED, REPLIED_STAGE, MET_STAGE, QUIET)
_ORDER = {MET_STAGE: 0, REPLIED_STAGE: 1, REACHED: 2, QUIET: 3, NEVER: 4}  # closest first


@dataclass(frozen=True, slots=True)
class Person:
    path: str
    name: str
    role: str | None
    status: str
    stage: str
    last: date | None  # the last interaction other than a note
    last_kind: str | None
    next_due: date | None  # the next open follow-up
    next_rule: str | None
    next_reason: str | None


@dataclass(frozen=True, slots=True)
class Company:
    name: str  # as Profile.md writes it, else the most common spelling
    target: bool
    note: str  # what Profile.md says about it
    people: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class Pipeline:
    as_of: date
    targets: int
    targets_known: int  # target companies where you know someone
    companies: tuple[Company, ...]  # targets where you know nobody, targets, then the rest by name


def build(inp: Inputs) -> Pipeline:
    vault = inp.vault
    as_of = inp.as_of
    # The engine keeps gone-quiet per contact (Inputs.quiet); computed here only when not given.
    quiet = {i.path for i in (inp.quiet if inp.quiet is not None else gone_quiet(vault, inp.config, as_of))}
    nxt: dict[str, tuple[date, str, str]] = {}
    for item in inp.items:
        if item.path and (item.path not in nxt or item.due < nxt[item.path][0]):
            nxt[item.path] = (item.due, item.rule, item.reason)

    groups: dict[str, list] = {}  # type: ignore[type-arg]
    spellings: dict[str, dict[str, int]] = {}
    keys: dict[str | None, str | None] = {}  # a company's spelling -> its key (spellings repeat)
    for c in vault.contacts:
        company = c.company
        k = keys[company] if company in keys else keys.setdefault(company, key_of(company))
        if k is None:
            continue
        groups.setdefault(k, []).append(c)
        s = spellings.setdefault(k, {})
        name = company.strip()  # type: ignore[union-attr]
        s[name] = s.get(name, 0) + 1

    def person(c) -> Person:  # type: ignore[no-untyped-def]
        last = None  # the last interaction by as_of other than a note
        met = replied = planned = False
        for i in vault.interactions.get(c.path, ()):  # one pass: every contact of every company is here
            kind = i.kind
            if i.date <= as_of:
                if kind != NOTE:
                    last = i
                    if kind == MET:
                        met = True
                    elif kind == REPLIED:
                        replied = True
            elif kind == MET:
                planned = True  # a planned conversation is not met...
        n = nxt.get(c.path)
        if c.path in quiet:
            stage = QUIET
        elif met:
            stage = MET_STAGE
        elif replied or planned:  # ...but they answered: a meeting is set
            stage = REPLIED_STAGE
        else:
            stage = REACHED if last is not None else NEVER  # a message, a thank-you, an intro: in touch
        return Person(c.path, c.name, c.role, c.status, stage,
                      last.date if last else None, last.kind if last else None,
                      n[0] if n else None, n[1] if n else None, n[2] if n else None)

    def people(k: str) -> tuple[Person, ...]:
        ps = [person(c) for c in groups.get(k, ())]
        return tuple(sorted(ps, key=lambda p: (_ORDER[p.stage], p.name.casefold(), p.path)))

    out: list[Company] = []
    seen: set[str] = set()
    for t in inp.profile.targets:
        k = key_of(t.name)
        if k is None or k in seen:
            continue
        seen.add(k)
        out.append(Company(t.name, True, t.note, people(k)))
    known = sum(1 for c in out if c.people)
    out.sort(key=lambda c: bool(c.people))  # stable: profile order within each half
    rest = [Company(_spelling(spellings[k]), False, "", people(k)) for k in groups if k not in seen]
    rest.sort(key=lambda c: c.name.casefold())
    return Pipeline(inp.as_of, len(out), known, tuple(out + rest))


def _spelling(counts: dict[str, int]) -> str:
    """The most used spelling; a tie goes to the first in sort order."""
    return min(counts, key=lambda s: (-counts[s], s))
