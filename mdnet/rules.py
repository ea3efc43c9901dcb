"""Follow-up rules: pure functions from a resolved :class:`Vault` to dated :class:`FollowUp` items.

No I/O and no clock: the as-of date and the :class:`Config` come in as arguments.
The rules, their settings and how they combine are documented for users in
``docs/follow-up-rules.md``; keep the two in step.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Container, Iterable, Iterator, Mapping, TypeVar

from .config import CONFIG_NAME, Config, Duration, holiday_spec, is_no_cadence, parse_duration, parse_monthly_day
from .dates import MONTH_NAMES, add_days, add_duration, monthly_day, next_month, public_holidays, short_date
from .model import (ERROR, MET, NOTE, REACHED_OUT, REPLIED, THANKED, UPDATE, Contact, Diagnostic, FollowUp,
                    Interaction, Referral, Vault, name_key)
from .timeofday import time_in_text

FOLLOW_UP = "follow-up"
THANK_YOU = "thank-you"
NUDGE = "nudge"
GONE_QUIET = "gone-quiet"
REFERRAL = "referral"
TRY_ANOTHER = "try-another"
KEEP_IN_TOUCH = "keep-in-touch"
OUTREACH = "outreach"
MONTHLY_UPDATE = "monthly-update"
UPCOMING = "upcoming"
PREPARE = "prepare"
RULES = (FOLLOW_UP, THANK_YOU, NUDGE, REFERRAL, TRY_ANOTHER, KEEP_IN_TOUCH, OUTREACH, MONTHLY_UPDATE,
         UPCOMING, PREPARE)

#: What ends each rule's item when you act on it (``mdnet done``): the kind word to log,
#: and for ``follow-up`` also clearing ``follow_up:`` (a note line alone does not end it).
#: Kept beside the rules: docs/follow-up-rules.md says the same in words.
ENDED_BY: dict[str, str] = {
    FOLLOW_UP: "note",
    THANK_YOU: "thanks",
    NUDGE: "reached-out",
    REFERRAL: "reached-out",
    TRY_ANOTHER: "reached-out",
    KEEP_IN_TOUCH: "reached-out",
    OUTREACH: "reached-out",
    MONTHLY_UPDATE: "update",
}

_T = TypeVar("_T")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_duration = lru_cache(maxsize=256)(parse_duration)  # a vault repeats a handful of cadences


# --- public API ---------------------------------------------------------------------------


def follow_ups(vault: Vault, config: Config, as_of: date, *, targets: Iterable[str] = (),
               diagnostics: list[Diagnostic] | None = None) -> list[FollowUp]:
    """Every open item, overdue or future, sorted by (due, rule, contact name, path).

    ``targets`` are the companies the user wants to work at (``Profile.md``'s list,
    read by the caller): their people come right after warm circles in outreach.
    Gone-quiet contacts are not here (see :func:`gone_quiet`).  A contact whose
    items cannot be computed (a bug the date arithmetic did not foresee) is
    left out, with a ``rules-failed`` error appended to ``diagnostics``; every
    other contact keeps its items.
    """
    engine = _Engine(vault, config, as_of, targets)
    items = _sorted(engine.run(quiet=False))
    if diagnostics is not None:
        diagnostics.extend(engine.diagnostics)
    return items


def by_contact(vault: Vault, config: Config, as_of: date, only: set[str] | None = None, *,
               diagnostics: list[Diagnostic] | None = None) -> dict[str, tuple[tuple[FollowUp, ...], "Summary"]]:
    """Each contact's items (of all, or of those in ``only``) and its :class:`Summary` (what
    the vault-wide rules read of it); with :func:`vault_wide`, what :func:`follow_ups` is
    made of.  The incremental engine calls it for the contacts an edit can change.  A
    contact whose items raise gets no items and a ``rules-failed`` error in ``diagnostics``;
    its summary, fenced apart, still counts in the monthly update."""
    engine = _Engine(vault, config, as_of)
    out = engine.by_contact(only)
    if diagnostics is not None:
        diagnostics.extend(engine.diagnostics)
    return out


def vault_wide(vault: Vault, config: Config, as_of: date, summaries: Mapping[str, "Summary"], *,
               targets: Iterable[str] = (), diagnostics: list[Diagnostic] | None = None) -> list[FollowUp]:
    """The items of no one contact, combined from each contact's :class:`Summary`
    (``summaries``: every contact's, by path): outreach slots and the monthly update;
    and the new names of ``vault.new_names`` (their referrers must be among
    ``vault.contacts``).  ``targets``: as for :func:`follow_ups`."""
    engine = _Engine(vault, config, as_of, targets)
    out = engine.vault_wide(summaries)
    if diagnostics is not None:
        diagnostics.extend(engine.diagnostics)
    return out


#: What the rules compute from the same notes and settings: bump it when that changes, so
#: the follow-ups a one-shot command stored (``mdnet.persisted``) are computed again.
RULES_VERSION = 2

_NAMED_MONTH = re.compile(r"\b(" + "|".join(MONTH_NAMES) + r") ([0-9]{4})\b", re.IGNORECASE)


def update_month(i: Interaction) -> tuple[int, int]:
    """The month an ``update`` line is for: the one its text names (``mdnet update --sent``
    writes ``November 2026 update``, and it may be sent in the first days of December),
    else the month it is dated in."""
    m = _NAMED_MONTH.search(i.text) if i.text else None
    if m is not None:
        year = int(m.group(2))
        if year >= 1:
            return year, [n.casefold() for n in MONTH_NAMES].index(m.group(1).casefold()) + 1
    return i.date.year, i.date.month


def company_key(contact: Contact) -> str | None:
    """The company as try-another groups colleagues (None: no company)."""
    return _company_key(contact)


def in_order(items: Iterable[FollowUp]) -> list[FollowUp]:
    """Items sorted as :func:`follow_ups` returns them."""
    return _sorted(items)


def gone_quiet(vault: Vault, config: Config, as_of: date, *, only: set[str] | None = None,
               diagnostics: list[Diagnostic] | None = None) -> list[FollowUp]:
    """Contacts (of all, or of those in ``only``) whose run of unanswered messages reached
    ``rules.max_attempts`` (rule ``gone-quiet``).  A contact's answer depends only on its
    own note and interactions, so the incremental engine redoes only the contacts an edit
    changes (``only``)."""
    engine = _Engine(vault, config, as_of)
    items = _sorted(engine.run(quiet=True, only=only))
    if diagnostics is not None:
        diagnostics.extend(engine.diagnostics)
    return items


def select_due(items: Iterable[FollowUp], as_of: date, within: int = 0,
               rules: set[str] | None = None) -> list[FollowUp]:
    """Items due on or before ``as_of + within`` days (of the given rules, if any), overdue first."""
    last = add_days(as_of, within)
    return _sorted(i for i in items if i.due <= last and (rules is None or i.rule in rules))


# --- helpers ------------------------------------------------------------------------------


def _sorted(items: Iterable[FollowUp]) -> list[FollowUp]:
    return sorted(items, key=lambda i: (i.due, i.rule, i.contact or "", i.path or ""))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def company_text_key(company: str | None) -> str | None:
    """How two spellings of a company are matched (``Fabrikam``, ``[[Fabrikam]]``,
    `` fabrikam``): the try-another rule and the reports share it."""
    c = name_key(" ".join((company or "").split()))  # NFC + casefold, as names
    return c or None


def _company_key(contact: Contact) -> str | None:
    return company_text_key(contact.company)


@dataclass(frozen=True, slots=True)
class _Run:
    """The messages sent since the last reply or meeting, when that is where the log ends."""

    messages: tuple[Interaction, ...]  # the reached-out interactions of the run, in order

    @property
    def first(self) -> date:
        return self.messages[0].date

    @property
    def last(self) -> date:
        return self.messages[-1].date


@dataclass(frozen=True, slots=True)
class Waiting:
    """A contact waiting for an outreach slot: what ranks it, and its item (due on its slot)."""

    warm: bool
    company: str | None  # company_text_key: a target company's people come next
    added: int  # the ``added`` day's ordinal (0: none); the most recently connected first
    name: str  # case-folded; ties by name, then path
    snooze_until: date | None
    item: FollowUp  # its ``due`` is replaced by the slot's day

    def rank(self, targets: Container[str]) -> tuple[bool, bool, int, str, str]:
        """Warm circles first, then people at a target company, then the most recently
        connected (``added``; none last), ties by name."""
        return (not self.warm, self.company not in targets, -self.added, self.name, self.item.path or "")


@dataclass(frozen=True, slots=True)
class Summary:
    """What the vault-wide rules read of one contact: small, and kept per contact so that
    the monthly update and outreach pacing are a combination of these
    (:func:`vault_wide`), never a pass over the whole vault."""

    waiting: Waiting | None = None  # for an outreach slot (active, never contacted, not referred)
    met: date | None = None  # the first meeting on or before as_of (active contacts only)
    recipient: tuple[str, str | None] | None = None  # (name, first email): active and met
    sent: tuple[tuple[int, int], ...] = ()  # (year, month) of each update line, sorted
    newest: int = 0  # the newest mtime_ns of the notes its met and update lines come from


_NO_SUMMARY = Summary()


def _unanswered_run(log: tuple[Interaction, ...], thanks_by: Callable[[date], date]) -> _Run | None:
    """Only ``replied`` and ``met`` end a run; other kinds neither end nor extend it.

    The first message after a meeting, sent by ``thanks_by(meeting day)`` with no
    ``thanked`` or ``update`` before it, is the thank-you: it asks nothing, so it
    is not part of a run (``- 12-16 email: great to see you`` the day after a
    coffee starts no nudges).
    """
    messages: list[Interaction] = []
    k = len(log) - 1
    while k >= 0:
        i = log[k]
        if i.kind in (REPLIED, MET):
            break
        if i.kind == REACHED_OUT:
            messages.append(i)
        k -= 1
    if messages and k >= 0 and log[k].kind == MET and messages[-1].date <= thanks_by(log[k].date):
        first = messages[-1]
        for i in log[k + 1:]:
            if i is first:
                messages.pop()
                break
            if i.kind in (THANKED, UPDATE):
                break
    if not messages:
        return None
    return _Run(tuple(reversed(messages)))


#: The parts of a contact :meth:`_Engine.guard` fences apart, and what each leaves out.
ITEMS, SUMMARY, NEW_NAMES = "items", "summary", "new names"
_LEFT_OUT = {ITEMS: "this contact's follow-ups", SUMMARY: "this contact's place in outreach and the monthly update",
             NEW_NAMES: "the new names this contact suggested"}


class _Engine:
    def __init__(self, vault: Vault, config: Config, as_of: date, targets: Iterable[str] = ()) -> None:
        self.vault = vault
        self.targets = {k for t in targets if (k := company_text_key(t))}
        self.config = config
        self.as_of = as_of
        self.by_path: dict[str, Contact] = {c.path: c for c in vault.contacts}
        self.active = [c for c in vault.contacts if c.active]
        self.warm = {w.casefold() for w in config["rules.warm_circles"]}
        self.thank_you_window = config.duration("rules.thank_you_window")
        self.nudge_after = config.duration("rules.nudge_after")
        self.try_another_after = config.duration("rules.try_another_after")
        self.referral_after = config.duration("rules.referral_after")
        self.max_attempts: int = config["rules.max_attempts"]
        spec = holiday_spec(config["rules.holidays"])
        self.holidays: Container[date] | None = public_holidays(*spec) if spec else None  # None: weekends only
        # circle or tag (case-folded) -> cadence; "none" entries are left out
        self.cadences: dict[str, Duration] = {}
        for k, v in config["cadence"].items():
            if not is_no_cadence(v) and (d := parse_duration(v)):
                self.cadences[str(k).casefold()] = d
        self._contacted: dict[str, bool] = {}
        self._sources: dict[str, tuple[str, ...]] = {}
        self._past: dict[str, tuple[Interaction, ...]] = {}
        self._prepared: set[str] | None = None
        #: ``rules-failed`` errors, one per contact left out.
        self.diagnostics: list[Diagnostic] = []
        self._failed: set[str] = set()  # the contacts whose items were left out
        self._failed_parts: dict[str, set[str]] = {}  # part -> paths left out of it (see guard)

    def guard(self, contact: Contact | None, compute: Callable[[], _T], part: str = ITEMS) -> _T | None:
        """``compute()``, or None when it raises: the contact's ``part`` (or, for None, the
        vault-wide rule) is left out with a diagnostic, and the run goes on.

        Each part has its own fence: a contact whose items raise still counts in the
        monthly update (its :class:`Summary`, ``part=SUMMARY``) and keeps the new names
        it suggested (``part=NEW_NAMES``), as they never read its items.  A summary left
        out after the items were adds no second diagnostic.

        The date arithmetic saturates, so nothing in a note should raise here;
        this is the fence that keeps one unforeseen value from costing every
        other contact their items."""
        path = contact.path if contact else CONFIG_NAME
        failed = self._failed if part == ITEMS else self._failed_parts.setdefault(part, set())
        if path in failed:
            return None
        try:
            return compute()
        except Exception as exc:  # noqa: BLE001 - any bug: one contact, not the vault
            failed.add(path)
            if part == SUMMARY and path in self._failed:
                return None  # its rules-failed error is already there
            who = _LEFT_OUT[part] if contact else "the vault-wide follow-ups (outreach, monthly update)"
            self.diagnostics.append(Diagnostic(path, 1, ERROR, "rules-failed",
                                               f"{who} could not be computed ({type(exc).__name__}: {exc}); "
                                               "left out, everything else is unaffected"))
            return None

    # context ---------------------------------------------------------------------------

    def add(self, d: date, duration: Duration) -> date:
        """``d`` plus a duration; business days skip the configured public holidays."""
        return add_duration(d, duration, self.holidays)

    def thanks_by(self, met: date) -> date:
        """The last day a message after a meeting on ``met`` is the thank-you."""
        return self.add(met, self.thank_you_window)

    def log(self, contact: Contact) -> tuple[Interaction, ...]:
        """The interactions that have happened: a conversation dated after ``as_of``
        is planned, not met, so it is left out (see :meth:`planned`)."""
        full = self.vault.interactions.get(contact.path, ())
        if not full or full[-1].date <= self.as_of:  # the common case: nothing planned
            return full
        past = self._past.get(contact.path)
        if past is None:
            past = self._past[contact.path] = tuple(i for i in full if i.date <= self.as_of or i.kind != MET)
        return past

    def planned(self, contact: Contact) -> tuple[Interaction, ...]:
        """Conversations dated after ``as_of``: a meeting is set, but has not happened."""
        full = self.vault.interactions.get(contact.path, ())
        if not full or full[-1].date <= self.as_of:
            return ()
        return tuple(i for i in full if i.date > self.as_of and i.kind == MET)

    def contacted(self, contact: Contact) -> bool:
        """True once any interaction other than a note is logged, or a conversation is planned."""
        known = self._contacted.get(contact.path)
        if known is None:
            known = self._contacted[contact.path] = (any(i.kind != NOTE for i in self.log(contact))
                                                      or bool(self.planned(contact)))
        return known

    def is_warm(self, contact: Contact) -> bool:
        return any(c.casefold() in self.warm for c in contact.circles)

    def rank(self, contact: Contact) -> tuple[bool, bool, int, str, str]:
        """Warm circles first, then people at a target company, then the most recently
        connected (``added``; none last), ties by name."""
        return (not self.is_warm(contact), _company_key(contact) not in self.targets,
                -contact.added.toordinal() if contact.added else 0, contact.name.casefold(), contact.path)

    def changed(self, *paths: str) -> datetime | None:
        """When the newest of these notes last changed (UTC), None if unknown."""
        ns = max((self.vault.mtimes.get(p, 0) for p in paths), default=0)
        return _EPOCH + timedelta(microseconds=ns // 1000) if ns else None

    def sources(self, contact: Contact) -> tuple[str, ...]:
        """Every note an item about this contact can depend on: theirs, the meeting
        notes that name them, and the notes of whoever referred them.  The feed's
        SEQUENCE comes from the newest, so an event moved by an edit to any of
        them rises in SEQUENCE (or Google keeps its old date)."""
        known = self._sources.get(contact.path)
        if known is None:
            paths = {contact.path}
            paths.update([i.source for i in self.vault.interactions.get(contact.path, ())])  # planned ones too
            paths.update([r.source for r in self.vault.referrals.get(contact.path, ())])
            known = self._sources[contact.path] = tuple(paths)
        return known

    def item(self, contact: Contact, rule: str, due: date, reason: str, anchor: str,
             also: tuple[str, ...] = ()) -> FollowUp:
        modified = self.changed(*self.sources(contact), *also)
        return FollowUp(
            rule=rule, due=due, reason=reason, contact=contact.name, path=contact.path, anchor=anchor,
            next_step=contact.next_step, ask_about=contact.ask_about, offers=contact.offers,
            recent=tuple(i.raw for i in self.log(contact)[-2:]),
            email=contact.emails[0] if contact.emails else None,
            phone=contact.phone, linkedin=contact.linkedin, modified=modified,
            key=self.vault.keys.get(contact.path),
        )

    def day(self, d: date) -> str:
        return short_date(d, self.as_of)

    # the run ---------------------------------------------------------------------------

    def run(self, *, quiet: bool, only: set[str] | None = None) -> list[FollowUp]:
        if quiet:
            max_attempts = self.max_attempts
            # A planned conversation means they answered: a meeting is set.
            runs: dict[str, _Run] = {}
            for c in (self.active if only is None else [c for c in self.active if c.path in only]):
                if (r := self.guard(c, lambda: None if self.planned(c) else _unanswered_run(self.log(c), self.thanks_by))):
                    runs[c.path] = r
            quiet_items = [self.guard(c, lambda: self.snoozed(c, [self.gone_quiet(c, runs[c.path])])[0])
                           for c in self.active if c.path in runs and len(runs[c.path].messages) >= max_attempts]
            return [i for i in quiet_items if i is not None]
        out: list[FollowUp] = []
        mine = self.by_contact(None)
        for items, _ in mine.values():
            out.extend(items)
        out.extend(self.vault_wide({p: summary for p, (_, summary) in mine.items()}))
        return out

    def by_contact(self, only: set[str] | None) -> dict[str, tuple[tuple[FollowUp, ...], Summary]]:
        """Contact (all, or those in ``only``) -> (its items, its :class:`Summary`), in the
        vault's contact order.  An item's inputs are the contact's note, its interactions and
        referrals, and (try-another) its company's colleagues.  Each contact's items and its
        summary are computed behind their own :meth:`guard`: one whose items raise gets no
        items and keeps its summary (without an outreach slot: that is one of its items)."""
        everyone = self.vault.contacts if only is None else [c for c in self.vault.contacts if c.path in only]
        people = self.active if only is None else [c for c in self.active if c.path in only]
        companies = None if only is None else {k for c in people if (k := self.guard(c, lambda: _company_key(c)))}
        runs: dict[str, _Run] = {}
        for c in self.active:
            if companies is None or c.path in only or self.guard(c, lambda: _company_key(c)) in companies:  # type: ignore[operator]
                if (r := self.guard(c, lambda: None if self.planned(c) else _unanswered_run(self.log(c), self.thanks_by))):
                    runs[c.path] = r
        try_another = self.try_another(runs, companies)
        out: dict[str, tuple[tuple[FollowUp, ...], Summary]] = {}
        for c in everyone:
            found = self.guard(c, lambda: self.contact_items(c, runs, try_another) if c.active else ((), None))
            items, waiting = found if found is not None else ((), None)
            summary = self.guard(c, lambda: self.summary(c, waiting), SUMMARY)
            out[c.path] = items, summary if summary is not None else _NO_SUMMARY
        return out

    def contact_items(self, c: Contact, runs: Mapping[str, _Run],
                      try_another: Mapping[str, FollowUp]) -> tuple[tuple[FollowUp, ...], Waiting | None]:
        """One active contact's items, and its wait for an outreach slot (if it waits)."""
        referred = self.referred(c)
        mine: list[FollowUp] = []
        follow_up = self.follow_up(c)
        if follow_up:
            mine.append(follow_up)
        if (t := self.thank_you(c)):
            mine.append(t)
        run = runs.get(c.path)
        if run and len(run.messages) < self.max_attempts:
            mine.append(self.nudge(c, run))
        if referred:
            if (r := self.referral(c)):
                mine.append(r)
        if c.path in try_another:
            mine.append(try_another[c.path])
        if not follow_up and not run and not self.planned(c) and (k := self.keep_in_touch(c)):
            mine.append(k)
        waiting = (not follow_up and not referred and c.path not in try_another and not self.contacted(c))
        mine = self.snoozed(c, mine) if c.snooze_until else mine
        # a conversation's day is fixed: no snooze
        return tuple(mine + self.upcoming(c)), self.waiting(c) if waiting else None

    def waiting(self, c: Contact) -> Waiting:
        warm = [x for x in c.circles if x.casefold() in self.warm]
        reason = f"Reach out to {c.name} for a first conversation"
        if warm:
            reason += f" ({warm[0]})"
        return Waiting(bool(warm), _company_key(c), c.added.toordinal() if c.added else 0, c.name.casefold(),
                       c.snooze_until, self.item(c, OUTREACH, self.as_of, reason, ""))

    def summary(self, c: Contact, waiting: Waiting | None) -> Summary:
        """What the monthly update reads of one contact (one pass over its interactions)."""
        mtimes = self.vault.mtimes
        newest = 0
        first: date | None = None
        sent: set[tuple[int, int]] = set()
        for i in self.vault.interactions.get(c.path, ()):
            kind = i.kind
            if kind == MET:
                if i.date <= self.as_of and (first is None or i.date < first):  # a planned conversation is not met yet
                    first = i.date
            elif kind == UPDATE:
                sent.add(update_month(i))
            else:
                continue
            newest = max(newest, mtimes.get(i.source, 0))
        if not c.active:
            first = None
        if waiting is None and first is None and not sent and not newest:
            return _NO_SUMMARY
        return Summary(waiting, first, (c.name, c.emails[0] if c.emails else None) if first else None,
                       tuple(sorted(sent)), newest)

    def vault_wide(self, summaries: Mapping[str, Summary]) -> list[FollowUp]:
        """The items of no one contact: outreach slots for the waiting contacts, the new
        names, the monthly update; combined from each contact's :class:`Summary` (by path)."""
        ordered = [summaries[p] for p in sorted(summaries)]
        out = self.guard(None, lambda: self.outreach([s.waiting for s in ordered if s.waiting is not None])) or []
        for r in self.vault.new_names:
            c = self.by_path.get(r.referrer or "")
            if c is not None and c.active and (item := self.guard(c, lambda: self.new_name(r), NEW_NAMES)):
                out.append(item)
        if (m := self.guard(None, lambda: self.monthly_update(ordered))):
            out.append(m)
        return out

    @staticmethod
    def snoozed(c: Contact, items: list[FollowUp]) -> list[FollowUp]:
        """``snooze_until: D`` moves a contact's items due before D to D (same anchor, so same UID)."""
        until = c.snooze_until
        if until is None:
            return items
        return [replace(i, due=until) if i.due < until else i for i in items]

    # the rules -------------------------------------------------------------------------

    def follow_up(self, c: Contact) -> FollowUp | None:
        d = c.follow_up
        if d is None or any(i.kind != NOTE and i.date >= d for i in self.vault.interactions.get(c.path, ())):
            return None
        reason = f"Follow up with {c.name} (planned for {self.day(d)})"  # the next step is context, not the reason
        return self.item(c, FOLLOW_UP, d, reason, d.isoformat())

    def thank_you(self, c: Contact) -> FollowUp | None:
        met = None
        for i in reversed(self.log(c)):  # the latest meeting, unless thanked or written to since
            if i.kind == MET:
                met = i
                break
            if i.kind in (THANKED, REACHED_OUT, UPDATE):
                return None
        if met is None or self.add(met.date, self.thank_you_window) < self.as_of:
            return None
        what = "the meeting" if met.word.lower() in ("", MET) else f"the {met.word.lower()}"
        reason = f"Thank {c.name} for {what} on {self.day(met.date)}"
        return self.item(c, THANK_YOU, add_days(met.date, 1), reason, met.date.isoformat())

    def nudge(self, c: Contact, run: _Run) -> FollowUp:
        due = self.add(run.last, self.nudge_after)
        n, of = len(run.messages) + 1, self.max_attempts
        reason = f"No reply from {c.name} since {self.day(run.first)}: nudge ({_ordinal(n)} of {of})"
        return self.item(c, NUDGE, due, reason, run.last.isoformat())

    def gone_quiet(self, c: Contact, run: _Run) -> FollowUp:
        due = self.add(run.last, self.nudge_after)
        count = len(run.messages)
        reason = (f"{c.name} has not answered {count} message{'s' if count != 1 else ''} "
                  f"since {self.day(run.first)}: gone quiet, no more nudges")
        return self.item(c, GONE_QUIET, due, reason, run.first.isoformat())

    def referred(self, c: Contact) -> bool:
        return bool(self.vault.referrals.get(c.path)) and not self.contacted(c)

    def referral(self, c: Contact) -> FollowUp | None:
        refs = self.vault.referrals.get(c.path, ())
        dated = sorted((r for r in refs if r.date is not None), key=lambda r: (r.date, r.source, r.line))
        ref = dated[0] if dated else refs[0]
        base = ref.date or c.added or self.vault.first_seen.get(c.path) or self.as_of
        referrer = self.by_path.get(ref.referrer or "")
        who = referrer.name if referrer else ref.referrer_name
        reason = f"Reach out to {c.name}: referred by {who}" if who else f"Reach out to {c.name}: referred to you"
        if ref.date:
            reason += f" on {self.day(ref.date)}"
        due = self.add(base, self.referral_after)
        return self.item(c, REFERRAL, due, reason, base.isoformat())

    def new_name(self, r: Referral) -> FollowUp:
        """A name linked from a met/replied line that has no note yet: add them (as soon as a referral)."""
        base = r.date or self.as_of
        reason = f"{r.referrer_name} suggested {r.contact} on {self.day(base)}: add them"
        # The anchor names the person: the item's note is the referrer's, which may hold
        # several new names of one day (and a referral item of its own), each its own event.
        return FollowUp(rule=REFERRAL, due=self.add(base, self.referral_after), reason=reason, contact=r.contact,
                        path=r.referrer, anchor=f"{base.isoformat()} {r.contact.casefold()}",
                        modified=self.changed(r.source), key=self.vault.keys.get(r.referrer or ""))

    def try_another(self, runs: Mapping[str, _Run], companies: set[str] | None = None) -> dict[str, FollowUp]:
        """One suggestion per company (of ``companies``, or all) where the latest attempt is
        unanswered; keyed by the colleague's path."""
        by_company: dict[str, list[Contact]] = {}
        for c in self.active:
            if (key := self.guard(c, lambda: _company_key(c))) and (companies is None or key in companies):
                by_company.setdefault(key, []).append(c)
        out: dict[str, FollowUp] = {}
        for people in by_company.values():
            people = [c for c in people if c.path not in self._failed]
            if people and (found := self.guard(people[0], lambda: self.suggest_another(people, runs))):
                out[found.path] = found
        return out

    def suggest_another(self, people: list[Contact], runs: Mapping[str, _Run]) -> FollowUp | None:
        """The try-another item for one company's people, if one is due."""
        after = self.try_another_after
        waiting = [c for c in people if c.path in runs]
        fresh = [c for c in people if not self.contacted(c) and not self.vault.referrals.get(c.path)]
        if not waiting or not fresh:
            return None
        # The most recent attempt at the company is the one to back up (the 3B7 routine).
        x = max(waiting, key=lambda c: (runs[c.path].first, c.path))
        since = runs[x.path].first
        answered = any(i.kind in (REPLIED, MET) and i.date >= since
                       for c in people for i in self.vault.interactions.get(c.path, ()))
        if answered:
            return None
        y = min(fresh, key=self.rank)
        reason = (f"No reply from {x.name} at {x.company} since {self.day(since)}: "
                  f"try {y.name}, also at {y.company}")
        return self.item(y, TRY_ANOTHER, self.add(since, after), reason, since.isoformat(),
                         also=self.sources(x))

    def cadence(self, c: Contact) -> list[Duration]:
        if c.cadence is not None:
            if is_no_cadence(c.cadence):
                return []
            own = _duration(c.cadence)
            if own:
                return [own]
        found = []
        for name in (*c.circles, *c.tags):
            if (d := self.cadences.get(name.lstrip("#").casefold())):
                found.append(d)
        return found

    def keep_in_touch(self, c: Contact) -> FollowUp | None:
        cadences = self.cadence(c)
        if not cadences:
            return None
        last = next((i for i in reversed(self.log(c)) if i.kind != NOTE), None)
        if last is None:
            return None
        due, cadence = min((self.add(last.date, d), str(d)) for d in cadences)
        reason = f"Keep in touch with {c.name}: last contact {self.day(last.date)} (every {cadence})"
        return self.item(c, KEEP_IN_TOUCH, due, reason, last.date.isoformat())

    def outreach(self, planned: list[Waiting]) -> list[FollowUp]:
        per_week = self.config["rules.new_per_week"]
        if per_week <= 0 or not planned:
            return []
        # Contacts snoozed past a slot wait for a slot on or after their snooze date.
        targets = self.targets
        ready = [(w.rank(targets), w) for w in planned if not (w.snooze_until and w.snooze_until > self.as_of)]
        later = sorted(((w.snooze_until, w.rank(targets), w) for w in planned
                        if w.snooze_until and w.snooze_until > self.as_of), key=lambda x: x[:2], reverse=True)
        ready.sort(key=lambda x: x[0])  # a sorted list is a heap; ranks are unique (they end with the path)
        out = []
        slots = _slots(self.as_of, per_week)
        while ready or later:
            if not ready:
                # Nobody is ready until the next snooze ends: jump there rather than
                # week by week (a snooze until 9999 would walk 400,000 weeks).
                slots = _slots(later[-1][0], per_week)
            slot = next(slots, None)
            if slot is None:
                break  # the calendar ended
            while later and later[-1][0] <= slot:  # type: ignore[operator]
                _, rank, w = later.pop()
                heapq.heappush(ready, (rank, w))
            if not ready:
                continue
            _, w = heapq.heappop(ready)
            out.append(replace(w.item, due=slot))
        return out

    def prepared(self, source: str) -> bool:
        """Is ``source`` a meeting note that already holds a prep section?"""
        if self._prepared is None:
            self._prepared = {n.path for n in self.vault.notes if n.meeting is not None and n.meeting.prepared}
        return source in self._prepared

    def upcoming(self, c: Contact) -> list[FollowUp]:
        """A conversation on its day (rule upcoming), and the day before, a reminder to prepare."""
        full = self.vault.interactions.get(c.path, ())
        if not full or full[-1].date < self.as_of:
            return []
        days: dict[date, list[Interaction]] = {}
        for i in full:
            if i.kind == MET and i.date >= self.as_of:
                days.setdefault(i.date, []).append(i)
        out = []
        for day, found in days.items():
            # One per day: a meeting note comes first in the log; the first time given wins.
            first = found[0]
            at = next((t for i in found if (t := i.time or time_in_text(i.text))), None)
            what = first.word.lower() if first.word and first.word.lower() != MET else "meeting"
            reason = f"{what.capitalize()} with {c.name} on {self.day(day)}"
            if at:
                reason += f" at {at}"  # not the line's text: a minimal feed carries reasons, never free text
            item = self.item(c, UPCOMING, day, reason, day.isoformat())
            out.append(replace(item, at=at))
            if day > self.as_of and not any(self.prepared(i.source) for i in found):
                hint = c.name if '"' in c.name else f'"{c.name}"'
                out.append(self.item(c, PREPARE, day - timedelta(days=1),
                                     f"Prepare for the {what} with {c.name} tomorrow: mdnet prep {hint}",
                                     day.isoformat()))
        return out

    def monthly_update(self, summaries: list[Summary]) -> FollowUp | None:
        spec = parse_monthly_day(self.config["rules.monthly_update"]) if self.config["rules.monthly_update"] != "off" else None
        if spec is None:
            return None
        newest = 0
        first: date | None = None  # the first meeting with anyone active
        met: list[tuple[str, str | None]] = []  # who the update goes to (active contacts met), by path
        sent: set[tuple[int, int]] = set()
        for s in summaries:
            newest = max(newest, s.newest)
            sent.update(s.sent)
            if s.met is not None and (first is None or s.met < first):
                first = s.met
            if s.recipient is not None:
                met.append(s.recipient)
        people = len(met)
        if people == 0 or first is None:
            return None
        # The first update is for the first full month of meeting people: someone who
        # started on 27 Nov owes no November update.
        start = (first.year, first.month) if first.day == 1 else next_month(first.year, first.month)
        if start is None:
            return None  # first met in December 9999: the calendar has no full month left
        year, month = max((self.as_of.year, self.as_of.month), start)
        if (year, month) in sent:
            after = next_month(year, month)
            if after is None:
                return None  # December 9999 is done: the calendar has no next month
            year, month = after
        due = monthly_day(year, month, spec)
        reason = (f"Send your {MONTH_NAMES[month - 1]} update to {people} "
                  f"{'person' if people == 1 else 'people'} you have met")
        recipients = tuple(sorted(met, key=lambda r: (r[0].casefold(), r[0])))
        return FollowUp(rule=MONTHLY_UPDATE, due=due, reason=reason, contact=None, path=None,
                        anchor=f"{year:04d}-{month:02d}", recipients=recipients,
                        modified=_EPOCH + timedelta(microseconds=newest // 1000) if newest else None)


def _slots(start: date, per_week: int) -> Iterator[date]:
    """Outreach days from ``start`` on: ``per_week`` a week spread over Monday-Friday.

    Slot k of a week falls on weekday ``k * 5 // per_week`` (5 a week: one each weekday;
    2: Monday and Wednesday; 10: two each weekday); slots before ``start`` are skipped.
    """
    monday = start - timedelta(days=start.weekday())
    while True:
        for k in range(per_week):
            d = monday + timedelta(days=k * 5 // per_week)
            if d >= start:
                yield d
        if monday > _LAST_MONDAY - timedelta(weeks=1):
            return  # the calendar ends on Friday 31 Dec 9999
        monday += timedelta(weeks=1)


_LAST_MONDAY = date(9999, 12, 27)
