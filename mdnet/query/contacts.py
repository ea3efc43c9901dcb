"""Contacts: finding them by what a person types, filtering and summarising
them (what ``list`` and ``show`` print).  Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence, TypeVar

from ..model import Contact, Interaction, Referral, Vault, name_key

T = TypeVar("T")


def find_contacts(vault: Vault, query: str) -> list[Contact]:
    """Contacts a typed name means, best match first.

    Exact name, file name, alias or path (case-insensitive) wins; otherwise
    every contact one of whose names starts with the query (then: contains it).
    More than one result means the query was ambiguous.
    """
    return match_names(((c, c.name, c.path, c.aliases) for c in vault.contacts), query)


def match_names(entries: Iterable[tuple[T, str, str, Sequence[str]]], query: str) -> list[T]:
    """:func:`find_contacts` over plain ``(item, name, path, aliases)`` rows, so a
    caller holding only the index's names (not a resolved vault) matches the same way."""
    q = name_key(query.strip())  # NFC + casefold: a macOS (NFD) file name matches a typed name
    if q.endswith(".md"):
        q = q[:-3]
    if not q:
        return []

    by_path = "/" in q  # "People/ana" means a path; "pe" must not match every note in People/
    # Exact matches are prefix matches are substring matches: one pass keeps the rows
    # that contain the query at all (few), then picks the best tier among them.
    found = []
    for item, name, path, aliases in entries:
        lname = name_key(name)
        title = name_key(path[path.rfind("/") + 1:-3])
        if not (q in lname or q in title or aliases or by_path):
            continue  # the common case, cheap
        names = [lname, title, *(name_key(a) for a in aliases)]
        if by_path:
            names.append(name_key(path[:-3]))
        if any(q in n for n in names):
            found.append((item, names))
    exact = [item for item, names in found if q in names]
    if exact:
        return exact
    prefix = [item for item, names in found if any(n.startswith(q) for n in names)]
    return prefix or [item for item, _ in found]


def names_exactly(contact: Contact, query: str) -> bool:
    """Whether ``query`` is exactly one of the contact's names (case-insensitive)."""
    q = query.strip().lower()
    title = contact.path.rsplit("/", 1)[-1][:-3].lower()
    return q in (contact.name.lower(), title, *(a.lower() for a in contact.aliases))


def find_new_names(vault: Vault, query: str) -> list[Referral]:
    """Names linked from a met/replied line that have no note yet, matching a typed
    name exactly or by the beginning of one of their words (``pat`` -> Pat Quinn)."""
    q = query.strip().lower()
    if not q:
        return []
    return [r for r in vault.new_names
            if r.contact.lower() == q or any(w.startswith(q) for w in r.contact.lower().split())]


def last_interaction(vault: Vault, contact: Contact) -> Interaction | None:
    """The latest interaction other than a note, else the latest note."""
    log = vault.interactions.get(contact.path, ())
    for i in reversed(log):
        if i.kind != "note":
            return i
    return log[-1] if log else None


def contact_json(c: Contact) -> dict[str, Any]:
    return {
        "path": c.path,
        "name": c.name,
        "aliases": list(c.aliases),
        "company": c.company,
        "role": c.role,
        "email": list(c.emails),
        "phone": c.phone,
        "linkedin": c.linkedin,
        "tags": list(c.tags),
        "circles": list(c.circles),
        "referred_by": c.referred_by,
        "added": c.added.isoformat() if c.added else None,
        "met": c.met.isoformat() if c.met else None,
        "how_met": c.how_met,
        "status": c.status,
        "follow_up": c.follow_up.isoformat() if c.follow_up else None,
        "next_step": c.next_step,
        "cadence": c.cadence,
        "snooze_until": c.snooze_until.isoformat() if c.snooze_until else None,
        "knows_search": c.knows_search,
        "ask_about": list(c.ask_about),
        "offers": list(c.offers),
        "other": dict(c.extra),
    }


def referred(vault: Vault, contact: Contact) -> list[tuple[str, str | None, bool]]:
    """Whom this contact referred you to: (name, ISO date or None, whether they have a note);
    names with no note yet (new names) are included."""
    by_path = {c.path: c for c in vault.contacts}
    out = []
    for path, refs in vault.referrals.items():
        for r in refs:
            if r.referrer == contact.path and path in by_path:
                out.append((by_path[path].name, r.date.isoformat() if r.date else None, True))
                break
    for r in vault.new_names:
        if r.referrer == contact.path:
            out.append((r.contact, r.date.isoformat() if r.date else None, False))
    return sorted(out, key=lambda t: (t[1] or "9999", t[0]))


@dataclass(frozen=True, slots=True)
class Listed:
    """One line of ``list``: a contact and its latest interaction."""

    contact: Contact
    last: Interaction | None

    def to_json(self) -> dict[str, Any]:
        c, last = self.contact, self.last
        return {"name": c.name, "path": c.path, "company": c.company, "status": c.status,
                "tags": list(c.tags), "circles": list(c.circles),
                "last": last.date.isoformat() if last else None, "last_kind": last.kind if last else None}


def list_contacts(vault: Vault, *, tags: Iterable[str] = (), circles: Iterable[str] = (),
                  statuses: Iterable[str] = ()) -> list[Listed]:
    """Contacts by name, those with any of ``tags`` (``#`` optional), in any of ``circles``
    and with any of ``statuses`` (case-insensitive; an empty filter keeps everyone)."""
    want_tags = {t.lstrip("#").lower() for t in tags}
    want_circles = {c.lower() for c in circles}
    want_statuses = {s.lower() for s in statuses}
    rows = []
    for c in sorted(vault.contacts, key=lambda c: (c.name.lower(), c.path)):
        if want_tags and not want_tags.intersection(t.lower() for t in c.tags):
            continue
        if want_circles and not want_circles.intersection(c.circles):
            continue
        if want_statuses and c.status not in want_statuses:
            continue
        rows.append(Listed(c, last_interaction(vault, c)))
    return rows


def unused_filter_values(vault: Vault, *, tags: Iterable[str] = (), circles: Iterable[str] = (),
                         statuses: Iterable[str] = ()) -> list[tuple[str, list[str], list[str]]]:
    """For a ``list`` that matched nobody: each filter value no contact has (most often a
    typo), as (option, the unknown values, the values in use)."""
    out = []
    for flag, wanted, in_use in (
            ("--tag", {t.lstrip("#").lower() for t in tags}, {t.lstrip("#").lower() for c in vault.contacts for t in c.tags}),
            ("--circle", {c.lower() for c in circles}, {x for c in vault.contacts for x in c.circles}),
            ("--status", {s.lower() for s in statuses}, {c.status for c in vault.contacts})):
        unknown = sorted(wanted - in_use)
        if unknown:
            out.append((flag, unknown, sorted(in_use)))
    return out


@dataclass(frozen=True, slots=True)
class Shown:
    """What ``show`` prints of one contact."""

    contact: Contact
    log: tuple[Interaction, ...]
    referred_by: tuple[Referral, ...]
    referred: list[tuple[str, str | None, bool]]  # whom they referred you to: (name, ISO date or None, has a note)

    def to_json(self) -> dict[str, Any]:
        data = contact_json(self.contact)
        data["log"] = [{"date": i.date.isoformat(), "kind": i.kind, "word": i.word, "text": i.text,
                        "source": i.source, "line": i.line} for i in self.log]
        data["referred_by_notes"] = [{"name": r.referrer_name, "path": r.referrer,
                                      "date": r.date.isoformat() if r.date else None} for r in self.referred_by]
        data["referred"] = [{"name": n, "date": d, "has_note": has} for n, d, has in self.referred]
        return data


def show_contact(vault: Vault, contact: Contact) -> Shown:
    return Shown(contact, vault.interactions.get(contact.path, ()), vault.referrals.get(contact.path, ()),
                 referred(vault, contact))
