"""The follow-ups a one-shot command keeps in the index, brought forward edit by edit.

A new process has no :class:`~mdnet.engine.Engine`.  Rather than decode every
record, resolve the vault and run every rule after each edit, it finds the state
an earlier process stored (``index/state.py``: per note, per contact, per item)
and the paths every sync since then logged, and redoes only what
:meth:`Engine.update <mdnet.engine.Engine.update>` would redo:

* the changed notes (each must keep its :func:`~mdnet.graph.shape`, and no note
  may be added, removed or renamed: otherwise any link may resolve elsewhere);
* the contacts they are, and the contacts their old and new links name;
* every contact of the old and new companies of those (try-another compares them);
* the vault-wide items, combined from every contact's stored summary.

To recompute those contacts it decodes their notes, the notes that link to them
(the stored reverse edges) and their referrers, and resolves links against names
read from the stored resolver.  Anything else falls back to a full build, which
stores everything again.  ``tests/test_persisted.py`` checks, over generated
sequences of edits, renames, deletes, new days and settings in fresh processes,
that the result equals a full resolve of the index.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Callable, NamedTuple

from . import __version__
from .config import Config

if TYPE_CHECKING:  # the rest is imported when a delta is computed: a warm due needs none of it
    from .engine import Engine, State
    from .graph import Names
    from .index import Index

#: More changed paths than this and a full build is as quick (and simpler).
MAX_DELTA = 200

CURRENT, DELTA, FULL = "current", "delta", "full"


class Stored(NamedTuple):
    """The state :func:`bring_current` settled on: the rows to read are those of this key and
    generation (``Index.state_rows`` checks they still are)."""

    how: str  # CURRENT, DELTA or FULL
    key: str
    generation: int


def _this_version() -> str:
    from .rules import RULES_VERSION

    return f"{__version__} rules {RULES_VERSION}"


_VERSION = _this_version()


def state_key(config: Config, as_of: date, profile: object) -> str:
    """What else than the notes the stored follow-ups depend on (``profile``: what tells
    whether Profile.md, whose target companies order outreach, changed)."""
    return json.dumps([_VERSION, as_of.isoformat(), config.fingerprint(), profile])


def bring_current(index: "Index", config: Config, as_of: date, profile: object,
                  engine: "Callable[[], Engine]") -> Stored | None:
    """Make the index's stored follow-ups those of its current generation as of ``as_of``
    (``profile``: see :func:`state_key`; ``engine()``: the workspace's engine, built from
    every note, for a full build) -> how (CURRENT: already; DELTA: brought forward; FULL:
    rebuilt) and the key and generation stored, or None when they could not be stored (the
    caller then answers from the engine).  Another process may store another state before
    the caller reads the rows: read them with ``state.read``, which checks."""
    from .index import state

    conn = index.conn
    key = state_key(config, as_of, profile)
    conn.execute("BEGIN")  # one snapshot for every read below
    try:
        gen = index.generation()
        found = state.meta(conn)
        computed = None
        if found is not None and found.key == key:
            if found.generation == gen:
                return Stored(CURRENT, key, gen)
            paths = state.changes(conn, found.generation, gen) if found.generation < gen else None
            if paths is not None and len(paths) <= MAX_DELTA:
                computed = _delta(index, config, as_of, found.targets, paths)
        how = DELTA
        kept = False
        if computed is None:
            how = FULL
            # The per-note rows depend on the notes alone: those of this generation (stored for
            # another day or settings, by this version) are kept; any other full build rewrites them.
            kept = found is not None and found.generation == gen and _version(found.key) == _VERSION
            computed = engine().state(notes=not kept)
    finally:
        conn.execute("COMMIT")
    base = (found.key, found.generation) if found is not None and (how == DELTA or kept) else None
    if state.store(conn, computed, key, gen, notes_kept=kept, base=base):
        return Stored(how, key, gen)
    return None


def _version(key: str) -> object:
    try:
        return json.loads(key)[0]
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def _delta(index: "Index", config: Config, as_of: date, targets: tuple[str, ...], paths: set[str]) -> "State | None":
    """The rows an edit of ``paths`` changes, or None when it needs a full build."""
    from .engine import ContactState, NoteState, State, has_problem, shape_text
    from .graph import contact_referrals, first_new_names, links_of, order_interactions
    from .index import state
    from .model import Diagnostic, Interaction, Note, Referral, Vault
    from .profile import PROFILE_NOTE
    from .rules import Summary, by_contact, company_key, vault_wide

    if PROFILE_NOTE in paths:
        return None  # its target companies may have changed under the same stat (the key): rebuild
    conn = index.conn
    changed = {n.path: n for n in index.notes(paths=sorted(paths))}
    old = state.note_states(conn, paths)
    if len(changed) != len(paths) or len(old) != len(paths):
        return None  # a note added or removed (or renamed): names changed
    if any(shape_text(n) != old[p].shape for p, n in changed.items()):
        return None  # a name, title or alias changed: any link may resolve elsewhere
    names = _stored_names(conn)
    links = {p: links_of(n, names) for p, n in changed.items()}
    affected = {p for p, n in changed.items() if n.contact is not None}
    for p in paths:
        affected |= old[p].targets | links[p].targets()
    # try-another compares colleagues: every contact of the old and new companies
    stored = state.companies(conn, affected)
    decoded: dict[str, Note] = dict(changed)
    decoded.update((n.path, n) for n in index.notes(paths=sorted(affected - decoded.keys())))
    keys = {k for p in affected if (k := stored.get(p))}
    keys |= {k for p in affected if (n := decoded.get(p)) and n.contact and (k := company_key(n.contact))}
    if keys:
        affected |= state.colleagues(conn, keys)
        decoded.update((n.path, n) for n in index.notes(paths=sorted(affected - decoded.keys())))
    contacts = {p for p in affected if (n := decoded.get(p)) is not None and n.contact is not None}
    # the notes that link to them: their meetings and referrals
    sources = (state.sources(conn, contacts) - paths) | {p for p in paths if links[p].targets() & contacts}
    decoded.update((n.path, n) for n in index.notes(paths=sorted(sources - decoded.keys())))
    for p in sources - links.keys():
        links[p] = links_of(decoded[p], names)
    meetings: dict[str, list[Interaction]] = {}
    referred: dict[str, list[Referral]] = {}
    for p in sorted(sources):
        for i in links[p].interactions:
            if i.contact in contacts:
                meetings.setdefault(i.contact, []).append(i)
        for r in links[p].referrals:
            if r.contact in contacts:
                referred.setdefault(r.contact, []).append(r)
    interactions = {p: order_interactions(decoded[p].log, meetings.get(p, ())) for p in contacts}
    referrals = {p: kept for p in contacts if (kept := contact_referrals(referred.get(p, ()), interactions[p]))}
    # new names: each note's, the changed notes' as they are now; then their referrers, and everyone's
    found = state.new_names(conn)
    for p in paths:
        found.pop(p, None)
        if links[p].new_names:
            found[p] = links[p].new_names
    new = first_new_names(r for p in sorted(found) for r in found[p])
    wanted = {r.referrer for r in new if r.referrer} | {r.referrer for rs in referrals.values() for r in rs if r.referrer}
    decoded.update((n.path, n) for n in index.notes(paths=sorted(wanted - decoded.keys())))
    notes = tuple(decoded[p] for p in sorted(decoded))
    vault = Vault(notes=notes, contacts=tuple(n.contact for n in notes if n.contact is not None),
                  interactions=interactions, referrals=referrals, diagnostics=(),
                  mtimes={n.path: n.mtime_ns for n in notes}, first_seen=index.first_seen(sorted(contacts)),
                  keys=index.keys(), new_names=new)
    failed: list[Diagnostic] = []
    mine = by_contact(vault, config, as_of, contacts, diagnostics=failed)
    errors = {d.path: d for d in failed if d.path in contacts}
    summaries = state.summaries(conn)
    for p in contacts:
        summaries.pop(p, None)
    summaries.update((p, s) for p, (_, s) in mine.items())
    wide_failed: list[Diagnostic] = []
    wide = vault_wide(vault, config, as_of, summaries, targets=targets, diagnostics=wide_failed)
    out_notes = {}
    for p, n in changed.items():
        dup = old[p].dup
        out_notes[p] = NoteState(old[p].shape, frozenset(links[p].targets()), links[p].new_names,
                                 dup or has_problem(n.diagnostics) or has_problem(links[p].diagnostics), dup)
    out_contacts = {}
    for p in contacts:
        c = decoded[p].contact
        assert c is not None
        items, summary = mine.get(p, ((), None))
        out_contacts[p] = ContactState(company_key(c), items, summary or Summary(), errors.get(p))
    return State(out_notes, out_contacts, wide, wide_failed, full=False, targets=targets)


def _stored_names(conn: object) -> "Names":
    """The names every link resolves against, as the state stored them (an edit the delta
    handles changes none), looked up only for the links it resolves."""
    from .graph import Names, Resolver
    from .index import state

    resolver = Resolver(())
    resolver.by_path, resolver.by_title, resolver.by_name, resolver.by_alias = state.name_maps(conn)  # type: ignore[arg-type,assignment]
    names = Names([])
    names.resolver = resolver
    names.name_of = names.contact_paths = state.contact_names(conn)  # type: ignore[arg-type,assignment]
    return names
