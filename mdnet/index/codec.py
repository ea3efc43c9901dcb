"""Note <-> the JSON record the index keeps for it.  Pure.

The record holds everything mdnet parsed except the body (which lives in the
full-text table), so loading the vault never re-parses Markdown or YAML.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date
from typing import Any

from ..model import Contact, Diagnostic, LogEntry, Meeting, Note

_CONTACT_FIELDS = [f for f in fields(Contact) if f.name != "path"]
_CONTACT_DEFAULTS = {f.name: f.default for f in _CONTACT_FIELDS if f.name != "extra"}
_DATE_FIELDS = frozenset({"added", "met", "follow_up", "snooze_until"})
_TUPLE_FIELDS = frozenset({"aliases", "emails", "tags", "circles", "ask_about", "offers"})
_fromiso = date.fromisoformat


def encode(note: Note) -> str:
    rec: dict[str, Any] = {"t": note.type, "ti": note.title, "p": note.properties}
    c = note.contact
    if c is not None:
        cd: dict[str, Any] = {}
        for f in _CONTACT_FIELDS:
            v = getattr(c, f.name)
            if f.name == "extra":
                continue  # extra is derivable from the properties
            if v == _CONTACT_DEFAULTS.get(f.name):
                continue
            cd[f.name] = v.isoformat() if isinstance(v, date) else v
        rec["c"] = cd
    m = note.meeting
    if m is not None:
        rec["m"] = [m.title, m.date.isoformat() if m.date else None, m.date_line, m.kind, m.word,
                    list(m.with_), m.with_line, m.summary]
    if note.log:
        rec["l"] = [[e.line, e.date.isoformat(), e.kind, e.word, e.text, list(e.links)] for e in note.log]
    if note.links:
        rec["k"] = note.links
    if note.diagnostics:
        rec["d"] = [[d.line, d.severity, d.code, d.message] for d in note.diagnostics]
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":"))


def decode(path: str, record: str, mtime_ns: int = 0) -> Note:
    rec = json.loads(record)
    props = rec["p"]
    contact = None
    cd = rec.get("c")
    if cd is not None:
        for k in _DATE_FIELDS.intersection(cd):
            cd[k] = _fromiso(cd[k])
        for k in _TUPLE_FIELDS.intersection(cd):
            cd[k] = tuple(cd[k])
        from ..vault.parse import KNOWN_PROPS

        cd["extra"] = {k: v for k, v in props.items() if k not in KNOWN_PROPS}
        contact = Contact(path=path, **cd)
    meeting = None
    m = rec.get("m")
    if m is not None:
        meeting = Meeting(path, m[0], _fromiso(m[1]) if m[1] else None, m[2], m[3], m[4], tuple(m[5]), m[6], m[7])
    log = tuple(LogEntry(e[0], _fromiso(e[1]), e[2], e[3], e[4], tuple(e[5])) for e in rec.get("l", ()))
    links = tuple((k[0], k[1]) for k in rec.get("k", ()))
    diags = tuple(Diagnostic(path, d[0], d[1], d[2], d[3]) for d in rec.get("d", ()))
    return Note(path=path, type=rec["t"], title=rec["ti"], properties=props, body="", contact=contact,
                meeting=meeting, log=log, links=links, diagnostics=diags, mtime_ns=mtime_ns)


def searchable_properties(props: dict[str, Any]) -> str:
    """Property values flattened to text for the full-text index."""
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif v is not None:
            out.append(str(v))

    walk(props)
    return "\n".join(out)
