"""All notes -> one :class:`~mdnet.model.Vault`: links resolved, interactions
gathered per contact, referrals found, cross-note problems reported.  Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

from .config import Config
from .model import (
    MEETING,
    MET,
    NOTE,
    REPLIED,
    WARNING,
    Contact,
    Diagnostic,
    Interaction,
    Note,
    Referral,
    Vault,
    name_key,
)

_REFERRING_KINDS = frozenset({MET, REPLIED})


class Resolver:
    """Finds the note a wiki-link or a name points at, as Obsidian does.

    By path (``People/Ana Lopez``), by file name, then by a contact's
    ``name:``, then by its ``aliases``; case-insensitively and whatever the
    Unicode normalisation (see :func:`~mdnet.model.name_key`).  When two notes
    claim the same name the first by path wins.
    """

    def __init__(self, notes: Iterable[Note]) -> None:
        self.by_path: dict[str, str] = {}
        self.by_title: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        self.by_alias: dict[str, str] = {}
        for note in sorted(notes, key=lambda n: n.path):
            stem = note.path[:-3] if note.path.lower().endswith(".md") else note.path
            self.by_path.setdefault(name_key(stem), note.path)
            self.by_title.setdefault(name_key(note.title), note.path)
            c = note.contact
            if c is not None:
                self.by_name.setdefault(name_key(c.name), note.path)
                for a in c.aliases:
                    self.by_alias.setdefault(name_key(a), note.path)

    def resolve(self, target: str) -> str | None:
        key = name_key(target.strip())
        if key.endswith(".md"):
            key = key[:-3]
        if "/" in key:
            found = self.by_path.get(key)
            if found:
                return found
            key = key.rsplit("/", 1)[-1]
        return self.by_title.get(key) or self.by_name.get(key) or self.by_alias.get(key)


def _duplicate_names(contacts: list[tuple[Note, Contact]], resolver: Resolver) -> list[Diagnostic]:
    """Two contacts answering to the same name or alias: warn on the later one."""
    owner: dict[str, str] = {}
    out = []
    for note, c in contacts:
        names = [(c.name, "name")] + [(a, "aliases") for a in c.aliases]
        if name_key(c.name) != name_key(note.title):
            names.append((note.title, "file name"))
        seen_here = set()
        for value, prop in names:
            key = name_key(value)
            if key in seen_here:
                continue
            seen_here.add(key)
            first = owner.setdefault(key, note.path)
            if first != note.path:
                line = c.name_line if prop == "name" else c.aliases_line if prop == "aliases" else 1
                out.append(Diagnostic(note.path, line, WARNING, "duplicate-name",
                                      f"{value!r} also names {first}; [[{value}]] links go to {resolver.resolve(value)}"))
    return out


def _by_day_meetings_first(i: Interaction) -> tuple[date, int, str, int]:
    return (i.date, 0 if i.source != i.contact else 1, i.source, i.line)


def _in_order(log: tuple[Interaction, ...], meetings: list[Interaction] | None) -> tuple[Interaction, ...]:
    """By date; on one day meeting notes first, then log lines in file order."""
    if not meetings:
        for a, b in zip(log, log[1:]):
            if b.date < a.date:
                return tuple(sorted(log, key=_by_day_meetings_first))
        return log  # already in order: the common case costs one pass
    return tuple(sorted((*log, *meetings), key=_by_day_meetings_first))


@dataclass(frozen=True, slots=True)
class Links:
    """What one note adds to the resolved vault, given everyone's names.

    Resolving is the union of these over every note; the incremental engine
    (:mod:`mdnet.engine`) keeps them per note and redoes only the changed notes'.
    """

    interactions: tuple[Interaction, ...] = ()  # from a meeting note, one per person it names
    referrals: tuple[Referral, ...] = ()  # from referred_by: and from links in met/replied lines
    diagnostics: tuple[Diagnostic, ...] = ()  # with-unknown-person
    new_names: tuple[Referral, ...] = ()  # links in met/replied lines to a name no note answers to

    def targets(self) -> set[str]:
        """The contacts these change."""
        return {i.contact for i in self.interactions} | {r.contact for r in self.referrals}


class Names:
    """Everything about the other notes that one note's links depend on."""

    def __init__(self, notes: list[Note]) -> None:
        self.resolver = Resolver(notes)
        self.contacts = [(n, n.contact) for n in notes if n.contact is not None]
        self.contact_paths = {n.path for n, _ in self.contacts}
        self.name_of = {n.path: c.name for n, c in self.contacts}


def shape(note: Note) -> tuple[object, ...]:
    """What of a note other notes' links depend on: when it is unchanged by an
    edit, every other note's :class:`Links` are unchanged too."""
    c = note.contact
    if c is None:
        return (note.path, note.title)
    return (note.path, note.title, c.name, c.aliases, c.name_line, c.aliases_line)  # lines: duplicate-name's


def links_of(note: Note, names: Names) -> Links:
    """One note's :class:`Links` (pure; see :func:`resolve`)."""
    resolver, contact_paths = names.resolver, names.contact_paths
    c = note.contact
    if c is not None:
        refs: list[Referral] = []
        new: dict[str, Referral] = {}
        for e in note.log:
            if e.links and e.kind in _REFERRING_KINDS:
                for target in e.links:
                    who = resolver.resolve(target)
                    if who and who != note.path and who in contact_paths:
                        refs.append(Referral(who, note.path, c.name, e.date, note.path, e.line))
                    elif who is None and not target[:1].isdigit():  # [[2026-12-01]] is a day, not a name
                        name = target.rsplit("/", 1)[-1]
                        key = name.casefold()
                        if key not in new or e.date < new[key].date:  # type: ignore[operator]
                            new[key] = Referral(name, note.path, c.name, e.date, note.path, e.line)
        if c.referred_by:
            who = resolver.resolve(c.referred_by)
            ref_path = who if who in contact_paths and who != note.path else None
            name = names.name_of[ref_path] if ref_path else c.referred_by
            refs.append(Referral(note.path, ref_path, name, None, note.path, c.referred_by_line))
        return Links(referrals=tuple(refs), new_names=tuple(new.values())) if refs or new else _NO_LINKS
    if note.type == MEETING and note.meeting is not None:
        m = note.meeting
        seen: set[str] = set()
        diags: list[Diagnostic] = []
        found: list[Interaction] = []
        for name in m.with_:
            who = resolver.resolve(name)
            if who is None or who not in contact_paths:
                what = "no note" if who is None else f"{who}, which is not a contact"
                diags.append(Diagnostic(note.path, m.with_line, WARNING, "with-unknown-person",
                                        f"with: names {name!r}, but that is {what} (create People/{name}.md or fix the name)"))
                continue
            if who in seen or m.date is None:
                continue
            seen.add(who)
            found.append(Interaction(who, note.path, m.with_line, m.date, m.kind, m.word, m.summary or m.title, (),
                                     m.time))
        return Links(tuple(found), (), tuple(diags))
    return _NO_LINKS


_NO_LINKS = Links()


def order_interactions(log: tuple[Interaction, ...], from_meetings: Iterable[Interaction]) -> tuple[Interaction, ...]:
    """A contact's interactions in the vault's order (see :class:`~mdnet.model.Vault`)."""
    return _in_order(log, list(from_meetings))


def order_referrals(refs: Iterable[Referral]) -> tuple[Referral, ...]:
    return tuple(sorted(refs, key=lambda r: (r.date or date.max, r.source, r.line)))


def contact_referrals(refs: Iterable[Referral], log: tuple[Interaction, ...]) -> tuple[Referral, ...]:
    """A contact's referrals, in order, given its interactions: a link in someone's log line
    is a referral only when the contact had not been in touch before that line."""
    return order_referrals(r for r in refs if r.date is None or not _in_touch_before(log, r.date))


def _in_touch_before(log: tuple[Interaction, ...], day: date) -> bool:
    """Whether a contact had been in touch (any kind but a note) before ``day``, or met
    on that day: a link to them in someone's log line then is a mention, not a referral."""
    for i in log:  # in date order
        if i.date > day:
            break
        if i.kind != NOTE and (i.date < day or i.kind == MET):
            return True
    return False


def first_new_names(found: Iterable[Referral]) -> tuple[Referral, ...]:
    """Each new name once: its first mention (by date, then note and line), in that order."""
    first: dict[str, Referral] = {}
    for r in found:
        key = r.contact.casefold()
        seen = first.get(key)
        if seen is None or (r.date, r.source, r.line) < (seen.date, seen.source, seen.line):  # type: ignore[operator]
            first[key] = r
    return order_referrals(first.values())


def order_diagnostics(diags: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diags, key=lambda d: (d.path, d.line)))


def duplicate_names(names: Names) -> list[Diagnostic]:
    return _duplicate_names(names.contacts, names.resolver)


def resolve(notes: Iterable[Note], config: Config, *, first_seen: Mapping[str, date] | None = None,
            keys: Mapping[str, str] | None = None) -> Vault:
    """Resolve every note against the others.

    ``first_seen`` (path -> the day mdnet first indexed the note) comes from the
    index; rules use it as a referral's date of last resort.  ``keys`` (path ->
    the note's stable key, kept across renames) also comes from the index; the
    feed names events by it.
    """
    notes = sorted(notes, key=lambda n: n.path)
    names = Names(notes)
    diags: list[Diagnostic] = duplicate_names(names)
    from_meetings: dict[str, list[Interaction]] = {}
    referrals: dict[str, list[Referral]] = {}
    new_names: list[Referral] = []
    for note in notes:
        links = links_of(note, names)
        if links is _NO_LINKS:
            continue
        for i in links.interactions:
            from_meetings.setdefault(i.contact, []).append(i)
        for r in links.referrals:
            referrals.setdefault(r.contact, []).append(r)
        diags.extend(links.diagnostics)
        new_names.extend(links.new_names)
    ordered = {n.path: _in_order(n.log, from_meetings.get(n.path)) for n, _ in names.contacts}
    return Vault(
        notes=tuple(notes),
        contacts=tuple(c for _, c in names.contacts),
        interactions=ordered,
        referrals={p: kept for p, rs in referrals.items() if (kept := contact_referrals(rs, ordered.get(p, ())))},
        diagnostics=order_diagnostics(diags),
        mtimes={n.path: n.mtime_ns for n in notes},
        first_seen=dict(first_seen or {}),
        keys=dict(keys or {}),
        new_names=first_new_names(new_names),
    )
