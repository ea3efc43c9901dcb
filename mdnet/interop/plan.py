"""Matching incoming contacts against the vault, and the plan of what to write.  Pure.

An incoming contact is the same person as a contact in the vault when they
share an email, a LinkedIn profile, or a name (NFC, case-folded, spaces
collapsed) that is the contact's name, file name or alias; the first of these,
in that order, decides.  (Two people of the same name with different LinkedIn
profiles are not matched by name.)  A matched contact gets its *empty*
properties filled and new values added to its lists (emails, aliases, tags,
websites); a value the user wrote is never replaced: a different one is a
:class:`Conflict`.  Anyone else becomes a new note.  Incoming contacts are
matched in file order against the vault *and* the notes planned so far, so a
file that lists one person twice makes one note.

The plan is plain data: the CLI prints it (``--dry-run``) or applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..model import OTHER, PERSON, WARNING, Contact, Diagnostic, Note
from ..vault.parse import link_target
from .names import taken_keys, unique_stem
from .record import Incoming, norm_email, norm_linkedin, norm_name, norm_phone

#: Single-valued properties an import fills, in the order a new note lists them.
SCALARS = ("company", "role", "phone", "linkedin", "added", "birthday")
#: List properties an import adds values to.
LISTS = ("email", "aliases", "tags", "website")
#: The order of a new note's properties.
ORDER = ("name", "aliases", "company", "role", "email", "phone", "linkedin", "tags", "circles", "added",
         "status", "birthday", "website")


@dataclass(frozen=True, slots=True)
class Options:
    """What the user asked for on the command line, applied to each new contact."""

    folder: str = "People"
    tags: tuple[str, ...] = ()
    circles: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Create:
    path: str
    name: str
    lines: tuple[int, ...]  # the rows or cards it comes from
    properties: tuple[tuple[str, Any], ...]  # in ORDER; lists as tuples; dates as ISO text
    body: str = ""  # imported free text for the note's body ("" when none)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "name": self.name, "lines": list(self.lines),
                "properties": {k: list(v) if isinstance(v, tuple) else v for k, v in self.properties},
                "body": self.body}


@dataclass(frozen=True, slots=True)
class Fill:
    path: str
    name: str
    lines: tuple[int, ...]
    set: tuple[tuple[str, Any], ...]  # empty properties and the value they get
    add: tuple[tuple[str, tuple[str, ...]], ...]  # list properties and the values appended

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "name": self.name, "lines": list(self.lines), "set": dict(self.set),
                "add": {k: list(v) for k, v in self.add}}


@dataclass(frozen=True, slots=True)
class Conflict:
    path: str
    name: str
    key: str
    have: str  # the note's value, kept
    incoming: str  # the file's value, not written
    line: int  # the row or card

    def diagnostic(self, source: str) -> Diagnostic:
        return Diagnostic(source, self.line, WARNING, "import-conflict",
                          f"{self.key}: {self.path} has {self.have!r}, this says {self.incoming!r}; kept {self.have!r}")

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "name": self.name, "property": self.key, "have": self.have,
                "incoming": self.incoming, "line": self.line}


@dataclass(frozen=True, slots=True)
class Plan:
    creates: tuple[Create, ...]
    fills: tuple[Fill, ...]
    unchanged: tuple[str, ...]  # paths of matched notes with nothing to do
    conflicts: tuple[Conflict, ...]

    @property
    def changes(self) -> bool:
        return bool(self.creates or self.fills)


# --- values ---------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _as_list(value: Any) -> list[str]:
    if _empty(value):
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _same(key: str, a: Any, b: Any) -> bool:
    """Whether two values of ``key`` say the same thing (so neither fill nor conflict)."""
    sa, sb = str(a).strip(), str(b).strip()
    if key == "company":
        sa, sb = link_target(sa) or sa, link_target(sb) or sb
    if key == "phone":
        return norm_phone(sa) == norm_phone(sb)
    if key == "linkedin":
        return norm_linkedin(sa) == norm_linkedin(sb)
    if key in ("email", "aliases", "tags", "website"):
        return norm_email(sa) == norm_email(sb)
    return norm_name(sa) == norm_name(sb)


def _contact_values(c: Contact) -> dict[str, Any]:
    """A contact's current values of the properties an import touches, as read.

    (A value the parser could not read, like ``added: 18/11/2026``, reads as empty
    here; the writer checks the note's own text before filling, so it is kept.)"""
    return {
        "company": (f"[[{c.company}]]" if c.company_link else c.company) if c.company else None,
        "role": c.role, "phone": c.phone, "linkedin": c.linkedin,
        "added": c.added.isoformat() if c.added else None, "birthday": c.extra.get("birthday"),
        "email": list(c.emails), "aliases": list(c.aliases), "tags": list(c.tags),
        "website": _as_list(c.extra.get("website")),
    }


def _incoming_values(inc: Incoming, company_notes: dict[str, str]) -> dict[str, Any]:
    """The properties an incoming contact brings (empty ones left out)."""
    out: dict[str, Any] = {}
    if inc.company:
        title = company_notes.get(norm_name(inc.company))
        out["company"] = f"[[{title}]]" if title else inc.company
    for key, value in (("role", inc.role), ("phone", inc.phones[0] if inc.phones else None),
                       ("linkedin", inc.linkedin), ("added", inc.added.isoformat() if inc.added else None),
                       ("birthday", inc.birthday)):
        if value:
            out[key] = value
    for key, values in (("email", inc.emails), ("aliases", inc.aliases), ("tags", inc.tags),
                        ("website", inc.websites)):
        if values:
            out[key] = _dedupe(key, values)
    return out


def _dedupe(key: str, values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        if v.strip() and not any(_same(key, v, o) for o in out):
            out.append(v.strip())
    return tuple(out)


def _body(inc: Incoming) -> str:
    parts = [inc.note.strip()] if inc.note.strip() else []
    if len(inc.phones) > 1:
        parts.append("Other phones: " + ", ".join(inc.phones[1:]))
    return "\n\n".join(parts)


# --- the planner ----------------------------------------------------------------------------


@dataclass
class _Target:
    path: str
    name: str
    names: set[str]
    props: dict[str, Any]  # current values (the note's, then what the plan adds)
    new: bool
    lines: list[int] = field(default_factory=list)
    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, list[str]] = field(default_factory=dict)
    body: str = ""


class _Planner:
    def __init__(self, notes: Iterable[Note], options: Options) -> None:
        self.options = options
        self.targets: list[_Target] = []
        self.by_email: dict[str, _Target] = {}
        self.by_linkedin: dict[str, _Target] = {}
        self.by_name: dict[str, _Target] = {}
        self.company_notes: dict[str, str] = {}
        self.conflicts: list[Conflict] = []
        stems = []
        for note in sorted(notes, key=lambda n: n.path):
            stems.append(note.title)
            if note.type != PERSON or note.contact is None:
                if note.type == OTHER:  # a note of that company, maybe
                    self.company_notes.setdefault(norm_name(note.title), note.title)
                continue
            c = note.contact
            props = _contact_values(c)
            names = {norm_name(n) for n in (c.name, note.title, *c.aliases)}
            t = _Target(note.path, c.name, names, props, new=False)
            self.targets.append(t)
            self.index(t)
        self.taken = taken_keys(stems)

    def index(self, t: _Target) -> None:
        for e in _as_list(t.props.get("email")):
            self.by_email.setdefault(norm_email(e), t)
        if not _empty(t.props.get("linkedin")):
            self.by_linkedin.setdefault(norm_linkedin(str(t.props["linkedin"])), t)
        for n in t.names:
            self.by_name.setdefault(n, t)

    def match(self, inc: Incoming) -> _Target | None:
        for e in inc.emails:
            if (t := self.by_email.get(norm_email(e))):
                return t
        if inc.linkedin and (t := self.by_linkedin.get(norm_linkedin(inc.linkedin))):
            return t
        t = self.by_name.get(norm_name(inc.name))
        if t and inc.linkedin and not _empty(t.props.get("linkedin")) and not _same(
                "linkedin", t.props["linkedin"], inc.linkedin):
            return None  # same name, another profile: another person
        return t

    def take(self, inc: Incoming) -> None:
        t = self.match(inc)
        values = _incoming_values(inc, self.company_notes)
        if t is None:
            self.create(inc, values)
            return
        t.lines.append(inc.line)
        if norm_name(inc.name) not in t.names:
            self.conflicts.append(Conflict(t.path, t.name, "name", t.name, inc.name, inc.line))
        for key, value in values.items():
            if key in LISTS:
                have = _as_list(t.props.get(key))
                new = [v for v in value if not any(_same(key, v, h) for h in have)]
                if new:
                    t.props[key] = have + new
                    if t.new:
                        t.set[key] = tuple(t.props[key])
                    else:
                        t.add.setdefault(key, []).extend(new)
            elif _empty(t.props.get(key)):
                t.props[key] = value
                t.set[key] = value
            elif not _same(key, t.props[key], value):
                self.conflicts.append(Conflict(t.path, t.name, key, str(t.props[key]), str(value), inc.line))
        self.index(t)

    def create(self, inc: Incoming, values: dict[str, Any]) -> None:
        o = self.options
        stem = unique_stem(inc.name, self.taken)
        path = f"{o.folder.strip('/')}/{stem}.md" if o.folder.strip("/") else f"{stem}.md"
        props: dict[str, Any] = {"name": inc.name, **values}
        if o.tags:
            props["tags"] = _dedupe("tags", (*props.get("tags", ()), *o.tags))
        if o.circles:
            props["circles"] = _dedupe("tags", o.circles)
        if o.status:
            props["status"] = o.status
        t = _Target(path, inc.name, {norm_name(inc.name), norm_name(stem)},
                    {k: list(v) if isinstance(v, tuple) else v for k, v in props.items()}, new=True,
                    lines=[inc.line], set=props, body=_body(inc))
        self.targets.append(t)
        self.index(t)

    def plan(self) -> Plan:
        creates, fills, unchanged = [], [], []
        for t in self.targets:
            if t.new:
                props = tuple((k, t.set[k]) for k in ORDER if k in t.set)
                creates.append(Create(t.path, t.name, tuple(t.lines), props, t.body))
            elif t.set or t.add:
                fills.append(Fill(t.path, t.name, tuple(t.lines), tuple(t.set.items()),
                                  tuple((k, tuple(v)) for k, v in t.add.items())))
            elif t.lines:
                unchanged.append(t.path)
        return Plan(tuple(creates), tuple(fills), tuple(unchanged), tuple(self.conflicts))


def plan_import(incoming: Sequence[Incoming], notes: Iterable[Note], options: Options = Options(), *,
                taken: Iterable[str] = ()) -> Plan:
    """What importing ``incoming`` into a vault of ``notes`` would do.

    ``taken`` adds file names (stems) a new note must not take besides the
    notes' own (say, non-note files in the folder)."""
    p = _Planner(notes, options)
    p.taken |= taken_keys(taken)
    for inc in incoming:
        p.take(inc)
    return p.plan()


def insert_body(text: str, body: str) -> str:
    """A new note's text with imported free text put before its ``## Log`` heading
    (or at the end when it has none)."""
    if not body.strip():
        return text
    nl = "\r\n" if "\r\n" in text else "\n"
    block = body.strip().replace("\n", nl) + nl + nl
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.rstrip("\r\n").strip().lower() == "## log":
            return "".join(lines[:i]) + block + "".join(lines[i:])
    return text + ("" if text.endswith(("\n", "\r")) or not text else nl) + block
