"""The follow-up state one-shot commands keep in the index between processes.

What :class:`mdnet.engine.State` holds, in the ``state_*`` tables (their schema is
in ``store.py``), for one key (mdnet's version, the as-of day, the settings, the
target companies) and one generation: per note its shape, the contacts its links
name (``state_edges``), its new names and problem flags; per contact its company,
summary and ``rules-failed`` error; every item as a row (``state_items``), so that
``due`` reads only the rows of its window, in order, from SQL.  ``mdnet/persisted.py``
decides when these rows can be brought forward by the paths a sync logged
(``changes``) and when they are rebuilt.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable, TypeVar

from ..model import Diagnostic, FollowUp, Referral
from .codec import (decode_referrals, decode_summary, dumps, encode_referrals, encode_summary, item_from_row,
                    item_row)

if TYPE_CHECKING:
    from ..engine import NoteState, State
    from ..rules import Summary

#: The order :func:`mdnet.rules.in_order` gives (due, rule, contact, path), ties in each owner's own order.
_ORDER = " ORDER BY due, rule, contact, path, owner, seq"
_EACH = "(SELECT value FROM json_each(?))"
_T = TypeVar("_T")


class Meta:
    """Which state the tables hold."""

    def __init__(self, key: str, generation: int, wide_failed: list[Diagnostic], targets: tuple[str, ...]) -> None:
        self.key = key
        self.generation = generation
        self.wide_failed = wide_failed
        self.targets = targets  # Profile.md's target companies the state was made with


def meta(conn: sqlite3.Connection) -> Meta | None:
    row = conn.execute("SELECT value FROM meta WHERE key='state'").fetchone()
    if row is None:
        return None
    try:
        d = json.loads(row[0])
        return Meta(d["key"], d["generation"], [Diagnostic(**x) for x in d["wide_failed"]], tuple(d["targets"]))
    except (ValueError, KeyError, TypeError):  # written by another mdnet: no state, a full build
        return None


def read(conn: sqlite3.Connection, key: str, generation: int,
         rows: "Callable[[sqlite3.Connection, Meta], _T]") -> "_T | None":
    """``rows(conn, meta)`` read in one transaction that first checks the stored state is still
    that of ``key`` and ``generation`` (what ``persisted.bring_current`` settled on): None
    when another process has stored another since."""
    conn.execute("BEGIN")
    try:
        found = meta(conn)
        if found is None or found.key != key or found.generation != generation:
            return None
        return rows(conn, found)
    finally:
        conn.execute("COMMIT")


def changes(conn: sqlite3.Connection, since: int, upto: int) -> set[str] | None:
    """The paths the syncs after generation ``since`` up to ``upto`` changed; None when
    the log cannot say (a re-parse, or generations no longer logged)."""
    rows = conn.execute("SELECT generation, path FROM changes WHERE generation > ? AND generation <= ?",
                        (since, upto)).fetchall()
    if len({g for g, _ in rows}) != upto - since:  # every sync that moved the generation logged a path
        return None
    paths = {p for _, p in rows}
    return None if "*" in paths else paths


def note_states(conn: sqlite3.Connection, paths: Iterable[str]) -> "dict[str, NoteState]":
    from ..engine import NoteState

    paths = sorted(paths)
    targets: dict[str, set[str]] = {}
    for source, target in conn.execute(f"SELECT source, target FROM state_edges WHERE source IN {_EACH}",
                                       (json.dumps(paths),)):
        targets.setdefault(source, set()).add(target)
    return {p: NoteState(shape, frozenset(targets.get(p, ())), decode_referrals(new), bool(problem), bool(dup))
            for p, shape, new, problem, dup in conn.execute(
                f"SELECT path, shape, new_names, problem, dup FROM state_notes WHERE path IN {_EACH}",
                (json.dumps(paths),))}


class Lookup:
    """One of the stored resolver's maps (or a question about the notes) asked key by key:
    what :func:`mdnet.graph.links_of` reads of it, for the few notes a delta resolves,
    instead of building the maps from every note."""

    def __init__(self, conn: sqlite3.Connection, sql: str, *args: object) -> None:
        self.conn, self.sql, self.args = conn, sql, args
        self.memo: dict[str, object] = {}

    def get(self, key: str, default: object = None) -> object:
        if key not in self.memo:
            row = self.conn.execute(self.sql, (*self.args, key)).fetchone()
            self.memo[key] = row[0] if row else None
        found = self.memo[key]
        return default if found is None else found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __getitem__(self, key: str) -> object:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found


def name_maps(conn: sqlite3.Connection) -> list[Lookup]:
    """The resolver's four maps (by path, title, name, alias) as stored."""
    return [Lookup(conn, "SELECT path FROM state_names WHERE kind = ? AND key = ?", kind) for kind in range(4)]


def contact_names(conn: sqlite3.Connection) -> Lookup:
    """Contact path -> its name (and ``in``: is this path a contact's?)."""
    return Lookup(conn, "SELECT name FROM notes WHERE type = 'person' AND path = ?")


def sources(conn: sqlite3.Connection, targets: Iterable[str]) -> set[str]:
    """The notes whose links name one of these contacts."""
    return {s for (s,) in conn.execute(f"SELECT DISTINCT source FROM state_edges WHERE target IN {_EACH}",
                                       (json.dumps(sorted(targets)),))}


def companies(conn: sqlite3.Connection, paths: Iterable[str]) -> dict[str, str | None]:
    return dict(conn.execute(f"SELECT path, company FROM state_contacts WHERE path IN {_EACH}",
                             (json.dumps(sorted(paths)),)))


def colleagues(conn: sqlite3.Connection, companies: Iterable[str]) -> set[str]:
    """The contacts of these companies (company keys)."""
    return {p for (p,) in conn.execute(f"SELECT path FROM state_contacts WHERE company IN {_EACH}",
                                       (json.dumps(sorted(companies)),))}


def new_names(conn: sqlite3.Connection) -> dict[str, tuple[Referral, ...]]:
    return {p: decode_referrals(t) for p, t in conn.execute(
        "SELECT path, new_names FROM state_notes WHERE new_names IS NOT NULL")}


def summaries(conn: sqlite3.Connection) -> "dict[str, Summary]":
    """Every contact's summary that is not the empty one (the others are)."""
    return {row[0]: decode_summary(row[1:]) for row in conn.execute(
        "SELECT path, waiting, met, name, email, sent, newest FROM state_contacts"
        " WHERE waiting IS NOT NULL OR met IS NOT NULL OR sent IS NOT NULL OR newest != 0")}


def store(conn: sqlite3.Connection, state: "State", key: str, generation: int, *, notes_kept: bool = False,
          base: tuple[str, int] | None = None) -> bool:
    """Write ``state`` as the state of ``generation`` (all of it, or the rows it holds);
    False, with nothing written, when the index has moved on meanwhile, the rows it is laid
    on are no longer ``base``, or the index cannot be written.
    ``notes_kept``: the per-note rows (shapes, names, edges), which depend on the notes
    alone, are already those of ``generation`` (another day or settings): a full state
    rewrites only the per-contact ones.  ``base``: the (key, generation) of the stored
    state a delta (or kept per-note rows) was computed from: another process may have
    stored another state since, which these rows must not be laid over."""
    assert base is not None or (state.full and not notes_kept), "a delta is laid on a base"
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    try:
        row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        found = meta(conn) if base is not None else None
        if (int(row[0]) if row else 0) != generation or (
                base is not None and (found is None or (found.key, found.generation) != base)):
            conn.execute("ROLLBACK")
            return False
        notes = state.notes  # empty when kept
        if state.full:
            for table in ("state_contacts", "state_items", *(() if notes_kept else ("state_notes", "state_names",
                                                                                    "state_edges"))):
                conn.execute(f"DELETE FROM {table}")
            if not notes_kept:
                conn.executemany("INSERT INTO state_names(kind, key, path) VALUES (?,?,?)",
                                 ((kind, k, p) for kind, found in enumerate(state.names) for k, p in found.items()))
        else:
            changed = json.dumps(sorted(state.notes))
            conn.execute(f"DELETE FROM state_notes WHERE path IN {_EACH}", (changed,))
            conn.execute(f"DELETE FROM state_edges WHERE source IN {_EACH}", (changed,))
            redone = json.dumps(sorted({*state.contacts, ""}))
            conn.execute(f"DELETE FROM state_contacts WHERE path IN {_EACH}", (redone,))
            conn.execute(f"DELETE FROM state_items WHERE owner IN {_EACH}", (redone,))
        conn.executemany("INSERT INTO state_notes(path, shape, new_names, problem, dup) VALUES (?,?,?,?,?)",
                         ((p, n.shape, encode_referrals(n.new_names), int(n.problem), int(n.dup))
                          for p, n in notes.items()))
        conn.executemany("INSERT INTO state_edges(target, source) VALUES (?,?)",
                         ((t, p) for p, n in notes.items() for t in n.targets))
        conn.executemany("INSERT INTO state_contacts(path, company, failed, waiting, met, name, email, sent, newest)"
                         " VALUES (?,?,?,?,?,?,?,?,?)",
                         ((p, c.company, dumps(c.failed.to_json()) if c.failed else None, *encode_summary(c.summary))
                          for p, c in state.contacts.items()))
        conn.executemany("INSERT INTO state_items(owner, seq, due, rule, contact, path, item) VALUES (?,?,?,?,?,?,?)",
                         _item_rows([(p, c.items) for p, c in state.contacts.items()] + [("", state.wide)]))
        value = {"key": key, "generation": generation, "wide_failed": [d.to_json() for d in state.wide_failed],
                 "targets": list(state.targets)}
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('state', ?)", (dumps(value),))
        conn.execute("DELETE FROM changes WHERE generation <= ?", (generation,))  # no state older than this is left
        conn.execute("COMMIT")
        return True
    except sqlite3.Error:  # busy, full, read-only: the load answers from the engine instead
        conn.execute("ROLLBACK")
        return False


def _item_rows(owned: list[tuple[str, "tuple[FollowUp, ...] | list[FollowUp]"]]) -> Iterable[tuple]:
    for owner, items in owned:
        for seq, i in enumerate(items):
            yield owner, seq, i.due.isoformat(), i.rule, i.contact or "", i.path or "", dumps(item_row(i))


def items(conn: sqlite3.Connection, until: date | None = None, rules: set[str] | None = None) -> list[FollowUp]:
    """The stored items (due on or before ``until``, of ``rules``) in :func:`mdnet.rules.in_order`'s order."""
    q, args = "SELECT item FROM state_items", []
    where = []
    if until is not None:
        where.append("due <= ?")
        args.append(until.isoformat())
    if rules is not None:
        where.append(f"rule IN {_EACH}")
        args.append(json.dumps(sorted(rules)))
    if where:
        q += " WHERE " + " AND ".join(where)
    rows = [t for (t,) in conn.execute(q + _ORDER, args)]
    return [item_from_row(r) for r in json.loads("[" + ",".join(rows) + "]")]  # one decode: a third of the cost


def rule_diagnostics(conn: sqlite3.Connection, wide_failed: list[Diagnostic]) -> list[Diagnostic]:
    found = [Diagnostic(**json.loads(t)) for (t,) in conn.execute(
        "SELECT failed FROM state_contacts WHERE failed IS NOT NULL ORDER BY path")]
    return sorted([*found, *wide_failed], key=lambda d: (d.path, d.line))


def problem_notes(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM state_notes WHERE problem").fetchone()[0]
