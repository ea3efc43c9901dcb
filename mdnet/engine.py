"""The vault as of a day, kept current edit by edit.  Pure.

:class:`Engine` holds what :func:`mdnet.graph.resolve` and
:func:`mdnet.rules.follow_ups` compute, broken down so that an edit redoes only
what it can change.  Which contacts can an edit change?  It is decided by
relation classes, not by rule:

* **names**: what other notes' links resolve to (a note's path, title,
  ``name:`` and ``aliases``; see :func:`mdnet.graph.shape`).  When an edit
  changes them (or adds, deletes or renames a note) any link anywhere may
  now point elsewhere, so everything is recomputed.  Such edits are rare.
* **links**: what a note adds to other contacts (meeting interactions,
  referrals: :class:`mdnet.graph.Links`).  The contacts its old and new links
  name are redone.
* **company**: try-another compares colleagues, so every active contact of
  the old and new company of a redone contact is redone too.
* **vault-wide**: outreach pacing and the monthly update read every contact;
  their inputs (who waits for a slot, who was met) are small and kept, so
  they are recomputed at every update.

A new rule fits when its items for a contact depend only on these relations
(the contact's note, its interactions and referrals, its company); anything
wider belongs in :func:`mdnet.rules.vault_wide`.  The property test in
``tests/test_engine.py`` compares the result with a full rebuild, item for
item and feed byte for byte, over generated sequences of edits, renames and
deletes: it is the safety net when rules change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Iterable, Mapping

from .config import Config
from .feed import EventCache, build_feed
from .graph import (Links, Names, contact_referrals, duplicate_names, first_new_names, links_of, order_diagnostics,
                    order_interactions, shape)
from .model import READ_AS_MEANT, Diagnostic, FollowUp, Interaction, Note, Referral, Vault
from .rules import Summary, by_contact, company_key, gone_quiet, in_order, vault_wide

__all__ = ["ContactState", "Engine", "NoteState", "State", "has_problem", "shape_text"]

_NONE = Links()


def shape_text(note: Note) -> str:
    """A note's :func:`~mdnet.graph.shape` as JSON: stored, compared, and read back by
    :meth:`mdnet.graph.Names.of_shapes`."""
    return json.dumps(shape(note), ensure_ascii=False, separators=(",", ":"))


def has_problem(diagnostics: Iterable[Diagnostic]) -> bool:
    """Does any of these hide or change a follow-up (see :func:`mdnet.model.notes_with_problems`)?"""
    return any(d.code not in READ_AS_MEANT for d in diagnostics)


@dataclass(frozen=True, slots=True)
class NoteState:
    """What the engine knows of one note that another process needs to redo an edit of it."""

    shape: str  # shape_text: an edit that keeps it changes no other note's links
    targets: frozenset[str]  # the contacts its Links name (the reverse edges)
    new_names: tuple[Referral, ...]  # its Links' new names (vault.new_names is the first of each)
    problem: bool  # it has a problem that may hide follow-ups (its own, its links', duplicate-name)
    dup: bool  # ... of which a duplicate-name warning (unchanged by an edit that keeps the names)


@dataclass(frozen=True, slots=True)
class ContactState:
    """One contact's follow-ups as the engine computed them."""

    company: str | None  # company_key: try-another's colleagues
    items: tuple[FollowUp, ...]
    summary: Summary
    failed: Diagnostic | None  # rules-failed


@dataclass
class State:
    """The engine's results broken down per note and per contact, for a process to keep:
    everything (``full``) or only the rows an edit changed."""

    notes: dict[str, NoteState]
    contacts: dict[str, ContactState]
    wide: list[FollowUp]  # the vault-wide items
    wide_failed: list[Diagnostic]
    full: bool
    #: The resolver's maps (by path, title, name, alias: a name key -> the note it names),
    #: with a full state only: an edit the state can be brought forward over changes none.
    names: tuple[Mapping[str, str], ...] = ()
    targets: tuple[str, ...] = ()  # Profile.md's target companies it was made with


class Engine:
    """All notes resolved and their follow-ups computed as of one day.

    Build it from every note, then call :meth:`update` with what changed
    (a path -> its new note, or None when it is gone).
    """

    def __init__(self, notes: Iterable[Note], config: Config, as_of: date,
                 first_seen: Mapping[str, date] | None = None, keys: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.as_of = as_of
        self.targets: tuple[str, ...] = ()  # Profile.md's target companies (outreach order); set_targets
        self._feeds: dict[tuple[object, ...], EventCache] = {}
        self._keys: Mapping[str, str] = keys or {}  # path -> stable key, for renamed notes (see Vault.keys)
        self._build(notes, first_seen or {})

    # -- building ------------------------------------------------------------------------

    def _build(self, notes: Iterable[Note], first_seen: Mapping[str, date]) -> None:
        ordered = sorted(notes, key=lambda n: n.path)
        self.notes: dict[str, Note] = {n.path: n for n in ordered}
        self.names = Names(ordered)
        self._duplicates = duplicate_names(self.names)
        self._links: dict[str, Links] = {}
        self._meetings: dict[str, dict[str, tuple[Interaction, ...]]] = {}  # contact -> source -> interactions
        self._referrals: dict[str, dict[str, tuple[Referral, ...]]] = {}  # contact -> source -> referrals
        for note in ordered:
            self._link(note.path, links_of(note, self.names))
        interactions = {n.path: self._ordered(n) for n, _ in self.names.contacts}
        referrals = {p: kept for p, by_source in self._referrals.items()
                     if (kept := contact_referrals((r for rs in by_source.values() for r in rs), interactions.get(p, ())))}
        self._vault(interactions, referrals, {n.path: n.mtime_ns for n in ordered}, first_seen)
        self._contacts: dict[str, tuple[tuple[FollowUp, ...], Summary]] | None = None  # computed on first use
        self._wide: list[FollowUp] = []  # the vault-wide items (made with _items)
        self._items: list[FollowUp] | None = None
        self._failed: dict[str, Diagnostic] = {}  # contact path -> rules-failed (kept with _contacts)
        self._wide_failed: list[Diagnostic] = []  # the vault-wide rules' (made with _items)
        self._quiet: dict[str, FollowUp] | None = None  # contact path -> its gone-quiet item; on first use

    def _link(self, path: str, links: Links) -> set[str]:
        """Record a note's links in place of its old ones -> the contacts either names."""
        old = self._links.pop(path, _NONE)
        if links.interactions or links.referrals or links.diagnostics or links.new_names:
            self._links[path] = links
        if not (old.interactions or old.referrals or links.interactions or links.referrals):
            return set()  # most notes: a contact nobody else's links depend on
        touched = old.targets() | links.targets()
        for store, attr in ((self._meetings, "interactions"), (self._referrals, "referrals")):
            for target in {x.contact for x in getattr(old, attr)}:
                by_source = store.get(target)
                if by_source is not None:
                    by_source.pop(path, None)
                    if not by_source:
                        del store[target]
            grouped: dict[str, list] = {}
            for x in getattr(links, attr):
                grouped.setdefault(x.contact, []).append(x)
            for target, xs in grouped.items():
                store.setdefault(target, {})[path] = tuple(xs)
        return touched

    def _ordered(self, note: Note) -> tuple[Interaction, ...]:
        by_source = self._meetings.get(note.path)
        return order_interactions(note.log, [i for xs in by_source.values() for i in xs] if by_source else ())

    def _vault(self, interactions: dict[str, tuple[Interaction, ...]], referrals: dict[str, tuple[Referral, ...]],
               mtimes: dict[str, int], first_seen: Mapping[str, date]) -> None:
        notes = tuple(self.notes.values())
        diags = list(self._duplicates)
        new_names = []
        for path in sorted(self._links):  # in path order: the order resolve() gives ties
            diags.extend(self._links[path].diagnostics)
            new_names.extend(self._links[path].new_names)
        self.vault = Vault(notes=notes, contacts=tuple(n.contact for n in notes if n.contact is not None),
                           interactions=interactions, referrals=referrals, diagnostics=order_diagnostics(diags),
                           mtimes=mtimes, first_seen=dict(first_seen), keys=dict(self._keys),
                           new_names=first_new_names(new_names))

    @property
    def items(self) -> list[FollowUp]:
        """Every open item as of :attr:`as_of`, as :func:`mdnet.rules.follow_ups` returns them."""
        if self._items is None:
            if self._contacts is None:
                failed: list[Diagnostic] = []
                self._contacts = by_contact(self.vault, self.config, self.as_of, diagnostics=failed)
                self._failed = {d.path: d for d in failed}
            mine = [i for items, _ in self._contacts.values() for i in items]
            self._wide_failed = []
            self._wide = vault_wide(self.vault, self.config, self.as_of, self.summaries(),
                                    targets=self.targets, diagnostics=self._wide_failed)
            self._items = in_order(mine + self._wide)
        return self._items

    def state(self, *, notes: bool = True) -> State:
        """Everything, per note and per contact (see :class:`State`); the per-contact part
        only when not ``notes`` (the caller keeps the per-note part it has)."""
        self.items
        assert self._contacts is not None
        per_note = {}
        if notes:
            problems = {d.path for n in self.notes.values() for d in n.diagnostics if d.code not in READ_AS_MEANT}
            problems.update(d.path for d in self.vault.diagnostics if d.code not in READ_AS_MEANT)
            dups = {d.path for d in self._duplicates if d.code not in READ_AS_MEANT}
            for path, note in self.notes.items():
                links = self._links.get(path, _NONE)
                per_note[path] = NoteState(shape_text(note), frozenset(links.targets()), links.new_names,
                                           path in problems, path in dups)
        contacts = {}
        for c in self.vault.contacts:
            items, summary = self._contacts.get(c.path, ((), Summary()))
            contacts[c.path] = ContactState(company_key(c), items, summary, self._failed.get(c.path))
        r = self.names.resolver
        return State(per_note, contacts, list(self._wide), list(self._wide_failed), full=True,
                     names=(r.by_path, r.by_title, r.by_name, r.by_alias) if notes else (), targets=self.targets)

    def summaries(self) -> dict[str, Summary]:
        """Each contact's :class:`~mdnet.rules.Summary` (what the vault-wide rules read of it)."""
        if self._contacts is None:
            self.items
        assert self._contacts is not None
        return {p: summary for p, (_, summary) in self._contacts.items()}

    @property
    def gone_quiet(self) -> list[FollowUp]:
        """The gone-quiet contacts' items as of :attr:`as_of`, as :func:`mdnet.rules.gone_quiet`
        returns them (kept per contact, and redone only for the contacts an edit changes)."""
        if self._quiet is None:
            self._quiet = {i.path: i for i in gone_quiet(self.vault, self.config, self.as_of) if i.path}
        return in_order(self._quiet.values())

    @property
    def rule_diagnostics(self) -> list[Diagnostic]:
        """``rules-failed`` errors of :attr:`items`: contacts (or the vault-wide rules) left out."""
        self.items
        return sorted([*self._failed.values(), *self._wide_failed], key=lambda d: (d.path, d.line))

    # -- changing ------------------------------------------------------------------------

    def update(self, changed: Mapping[str, Note | None], first_seen: Mapping[str, date],
               keys: Mapping[str, str] | None = None) -> set[str] | None:
        """Apply an edit: ``changed`` maps each changed path to its new note (None: deleted);
        ``keys`` are the renamed notes' stable keys after it (None: unchanged).

        Returns the paths whose diagnostics may have changed, or None when the
        edit changed names (or which notes exist) and everything was rebuilt.
        """
        if keys is not None:
            self._keys = keys
        if not changed:
            return set()
        if any(new is None or p not in self.notes or shape(self.notes[p]) != shape(new)
               for p, new in changed.items()):
            notes = {**self.notes, **{p: n for p, n in changed.items() if n is not None}}
            for p, n in changed.items():
                if n is None:
                    notes.pop(p, None)
            self._build(notes.values(), first_seen)
            return None
        old_contacts = {p: self.notes[p].contact for p in changed}
        affected: set[str] = set()
        for path, note in changed.items():
            assert note is not None
            self.notes[path] = note
            affected |= self._link(path, links_of(note, self.names))
        affected |= {p for p in changed if self.notes[p].contact is not None}
        old = self.vault
        interactions = dict(old.interactions)
        referrals = dict(old.referrals)
        for p in affected:
            note = self.notes.get(p)
            if note is None or note.contact is None:
                continue
            interactions[p] = self._ordered(note)
            by_source = self._referrals.get(p)
            kept = contact_referrals((r for rs in by_source.values() for r in rs), interactions[p]) if by_source else ()
            if kept:
                referrals[p] = kept
            else:
                referrals.pop(p, None)
        mtimes = dict(old.mtimes)
        mtimes.update((p, self.notes[p].mtime_ns) for p in changed)
        self._vault(interactions, referrals, mtimes, first_seen)
        # company colleagues: try-another compares them
        companies = {k for c in old_contacts.values() if c is not None and (k := company_key(c))}
        for p in affected:
            c = self.notes[p].contact if p in self.notes else None
            if c is not None and (k := company_key(c)):
                companies.add(k)
        self._items = None
        if self._quiet is not None:  # a contact's gone-quiet item reads only its note and interactions
            for p in affected:
                self._quiet.pop(p, None)
            self._quiet.update((i.path, i) for i in gone_quiet(self.vault, self.config, self.as_of, only=affected)
                               if i.path)
        if self._contacts is not None:  # items were asked for: keep them current
            if companies:
                affected |= {c.path for c in self.vault.contacts if company_key(c) in companies}
            for p in affected:
                self._contacts.pop(p, None)
                self._failed.pop(p, None)
            failed: list[Diagnostic] = []
            self._contacts.update(by_contact(self.vault, self.config, self.as_of, affected, diagnostics=failed))
            self._failed.update((d.path, d) for d in failed)
        return set(changed)

    def set_targets(self, targets: Iterable[str]) -> None:
        """The companies outreach puts first (read from ``Profile.md`` by the caller: the
        index keeps no note's body).  Only the vault-wide items depend on them: within
        one company (try-another) everyone shares the same answer."""
        targets = tuple(targets)
        if targets != self.targets:
            self.targets = targets
            self._items = None

    def at(self, as_of: date) -> None:
        """Move to another day: every item is recomputed (their reasons name days relative to it)."""
        if as_of != self.as_of:
            self.as_of = as_of
            self._feeds.clear()
            self._contacts = self._items = self._quiet = None

    # -- reading -------------------------------------------------------------------------

    def diagnostics(self, paths: Iterable[str] | None = None) -> list[Diagnostic]:
        """Every problem in the notes and between them (of ``paths``, or all), by path and line."""
        if paths is None:
            found = [d for n in self.notes.values() for d in n.diagnostics]
            found.extend(self.vault.diagnostics)
        else:
            wanted = set(paths)
            found = [d for p in wanted if p in self.notes for d in self.notes[p].diagnostics]
            found.extend(d for d in self.vault.diagnostics if d.path in wanted)
        return sorted(found, key=lambda d: (d.path, d.line, d.severity))

    def feed(self, items: list[FollowUp], *, tz: tzinfo | None, todo: bool, name: str, details: str,
             note_url: str, vault_name: str, briefs: Mapping[tuple[str, str, str], str] | None = None) -> bytes:
        """:func:`mdnet.feed.build_feed` of ``items`` as of :attr:`as_of`, reusing the text of
        every event an earlier call already wrote with the same options."""
        key = (tz, todo, name, details, note_url, vault_name)
        events = self._feeds.get(key)
        if events is None:
            events = self._feeds[key] = EventCache()
        data = build_feed(items, as_of=self.as_of, name=name, details=details, note_url=note_url,
                          vault_name=vault_name, todo=todo, tz=tz, events=events, briefs=briefs)
        events.keep_only(items)
        return data
