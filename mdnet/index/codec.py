"""Note <-> the JSON record the index keeps for it.  Pure.

The record holds everything mdnet parsed except the body (which lives in the
full-text table), so loading the vault never re-parses Markdown or YAML.
Typed properties are stored once, typed: a decoded note's ``properties`` are
only those mdnet does not model (a contact's ``extra``).
"""

from __future__ import annotations

import json
from dataclasses import fields
from operator import attrgetter
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..model import Contact, Diagnostic, FollowUp, Interaction, Meeting, Note, Referral

if TYPE_CHECKING:  # imported where used: a command that only syncs (mdnet log) never loads the rules
    from ..rules import Summary

# A contact is stored as a list of its fields in declaration order (but path,
# which is the row's key, and extra, which the properties give back).
_CONTACT_FIELDS = [f.name for f in fields(Contact) if f.name not in ("path", "extra")]
CONTACT_FIELDS = tuple(_CONTACT_FIELDS)  # the order of a contact's record ("c")
_DATE_AT = [i for i, n in enumerate(_CONTACT_FIELDS) if n in ("added", "met", "follow_up", "snooze_until")]
_TUPLE_AT = [i for i, n in enumerate(_CONTACT_FIELDS) if n in ("aliases", "emails", "tags", "circles", "ask_about", "offers")]
_EXTRA_AT = [f.name for f in fields(Contact)].index("extra")
_fromiso = date.fromisoformat
_contact_values = attrgetter(*_CONTACT_FIELDS)
_fromdt = datetime.fromisoformat

#: What a record's shape depends on: the record's keys and the positional
#: layouts of the classes stored as lists.  ``tests/test_index.py`` pins a hash
#: of it to ``store.SCHEMA_VERSION``: change a field without bumping the
#: version and old records would load into the wrong fields, so the test fails.
RECORD_KEYS = ("t", "ti", "p", "c", "m", "l", "k", "d")


def layout() -> dict[str, list[str]]:
    """The field order every stored list follows, by class."""
    from ..rules import Summary, Waiting

    return {cls.__name__: [f"{f.name}:{f.type}" for f in fields(cls)]
            for cls in (Contact, Meeting, Interaction, Diagnostic, FollowUp, Referral, Summary, Waiting)} | {"record": list(RECORD_KEYS)}


_MEETING_PROPS = frozenset({"type", "date", "with", "kind"})


def encode(note: Note) -> str:
    """The record of a note.  Properties that a Contact or Meeting holds typed
    are not stored twice: a decoded contact's ``properties`` are its ``extra``."""
    props = note.properties
    if note.contact is not None:
        props = dict(note.contact.extra)
    elif note.meeting is not None:
        props = {k: v for k, v in props.items() if k not in _MEETING_PROPS}
    rec: dict[str, Any] = {"t": note.type, "ti": note.title, "p": props}
    c = note.contact
    if c is not None:
        values = list(_contact_values(c))
        for i in _DATE_AT:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        rec["c"] = values
    m = note.meeting
    if m is not None:
        rec["m"] = [m.title, m.date.isoformat() if m.date else None, m.date_line, m.kind, m.word,
                    list(m.with_), m.with_line, m.summary, m.time, m.prepared]
    if note.log:
        rec["l"] = [[e.line, e.date.isoformat(), e.kind, e.word, e.text, list(e.links)] for e in note.log]
    if note.links:
        rec["k"] = note.links
    if note.diagnostics:
        rec["d"] = [[d.line, d.severity, d.code, d.message] for d in note.diagnostics]
    return _ENCODER.encode(rec)


# One encoder for every record (json.dumps with options builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def decode(path: str, record: str, mtime_ns: int = 0) -> Note:
    rec = json.loads(record)
    props = rec["p"]
    contact = None
    values = rec.get("c")
    if values is not None:
        for i in _DATE_AT:
            if values[i] is not None:
                values[i] = _fromiso(values[i])
        for i in _TUPLE_AT:
            values[i] = tuple(values[i])
        values.insert(_EXTRA_AT - 1, props)
        contact = Contact(path, *values)
    meeting = None
    m = rec.get("m")
    if m is not None:
        meeting = Meeting(path, m[0], _fromiso(m[1]) if m[1] else None, m[2], m[3], m[4], tuple(m[5]), m[6], m[7],
                          m[8], m[9])
    # List comprehensions, not generators: a vault's worth of records is decoded at every full load.
    lines = rec.get("l")
    log = tuple([Interaction(path, path, e[0], _fromiso(e[1]), e[2], e[3], e[4], tuple(e[5]) if e[5] else ())
                 for e in lines]) if lines else ()
    k = rec.get("k")
    links = tuple([(x[0], x[1]) for x in k]) if k else ()
    d = rec.get("d")
    diags = tuple([Diagnostic(path, x[0], x[1], x[2], x[3]) for x in d]) if d else ()
    return Note(path=path, type=rec["t"], title=rec["ti"], properties=props, body="", contact=contact,
                meeting=meeting, log=log, links=links, diagnostics=diags, mtime_ns=mtime_ns)


def _flatten(v: Any, out: list[str]) -> None:
    if type(v) is str:
        out.append(v)
    elif isinstance(v, dict):
        for x in v.values():
            _flatten(x, out)
    elif isinstance(v, list):
        for x in v:
            _flatten(x, out)
    elif v is not None:
        out.append(str(v))


def searchable_properties(props: dict[str, Any]) -> str:
    """Property values flattened to text for the full-text index."""
    out: list[str] = []
    for v in props.values():
        if type(v) is str:  # most values: no call
            out.append(v)
        elif type(v) is list and all(type(x) is str for x in v):  # a list of text: no call per item
            out.extend(v)
        else:
            _flatten(v, out)
    return "\n".join(out)


def item_row(i: FollowUp) -> list[Any]:
    """One follow-up item as the list the index stores (:func:`item_from_row` reverses it)."""
    return [i.rule, i.due.isoformat(), i.reason, i.contact, i.path, i.anchor, i.next_step, i.ask_about, i.offers,
            i.recent, i.email, i.phone, i.linkedin, i.modified.isoformat() if i.modified else None, i.key, i.at,
            i.recipients]


def item_from_row(r: list[Any]) -> FollowUp:
    # (empty lists are the common case: no call for them; a due reads thousands of rows)
    return FollowUp(r[0], _fromiso(r[1]), r[2], r[3], r[4], r[5], r[6], tuple(r[7]) if r[7] else (),
                    tuple(r[8]) if r[8] else (), tuple(r[9]) if r[9] else (), r[10], r[11], r[12],
                    _fromdt(r[13]) if r[13] else None, r[14], r[15], tuple(map(tuple, r[16])) if r[16] else ())


def dumps(value: Any) -> str:
    """Compact JSON, as every stored value is written."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


SummaryRow = tuple[str | None, str | None, str | None, str | None, str | None, int]


def encode_summary(s: "Summary") -> SummaryRow:
    """A contact's :class:`~mdnet.rules.Summary` as columns (waiting, met, name, email, sent,
    newest): plain values but for the rare waiting contact, so reading ten thousand is cheap."""
    w = s.waiting
    waiting = None if w is None else dumps([w.warm, w.company, w.added, w.name,
                                            w.snooze_until.isoformat() if w.snooze_until else None, item_row(w.item)])
    name, email = s.recipient if s.recipient else (None, None)
    return (waiting, s.met.isoformat() if s.met else None, name, email, dumps(s.sent) if s.sent else None, s.newest)


def decode_summary(row: SummaryRow) -> "Summary":
    from ..rules import Summary, Waiting

    waiting, met, name, email, sent, newest = row
    w = None
    if waiting is not None:
        x = json.loads(waiting)
        w = Waiting(x[0], x[1], x[2], x[3], _fromiso(x[4]) if x[4] else None, item_from_row(x[5]))
    return Summary(w, _fromiso(met) if met else None, (name, email) if name is not None else None,
                   tuple((y, m) for y, m in json.loads(sent)) if sent else (), newest)


def encode_referrals(refs: tuple[Referral, ...]) -> str | None:
    if not refs:
        return None
    return dumps([[r.contact, r.referrer, r.referrer_name, r.date.isoformat() if r.date else None, r.source, r.line]
                  for r in refs])


def decode_referrals(text: str | None) -> tuple[Referral, ...]:
    if not text:
        return ()
    return tuple(Referral(r[0], r[1], r[2], _fromiso(r[3]) if r[3] else None, r[4], r[5]) for r in json.loads(text))
