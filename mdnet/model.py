"""The data mdnet works on: plain, immutable records.

Nothing here does I/O or imports anything else of mdnet.  The parser turns a
note's text into a :class:`Note`; :func:`mdnet.graph.resolve` turns all notes
into a :class:`Vault`; rules turn a vault into :class:`FollowUp` items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

ERROR = "error"
WARNING = "warning"

# Canonical interaction kinds.
MET = "met"
REACHED_OUT = "reached-out"
REPLIED = "replied"
THANKED = "thanked"
UPDATE = "update"
INTRO = "intro"
NOTE = "note"
KINDS = (MET, REACHED_OUT, REPLIED, THANKED, UPDATE, INTRO, NOTE)

# Note types.
PERSON = "person"
MEETING = "meeting"
OTHER = "other"

# Contact statuses.
STATUSES = ("active", "paused", "do-not-contact", "archived")
INACTIVE_STATUSES = frozenset({"paused", "do-not-contact", "archived"})


def name_key(text: str) -> str:
    """The form in which names are compared: Unicode NFC, then case-folded.

    macOS writes file names decomposed (NFD: "e" + combining acute) while
    keyboards type composed text (NFC: "é"); the two must match, as must
    "JOSÉ" and "josé".  Every place that matches a name, a link, an alias or a
    file name against another goes through this one function."""
    if text.isascii():
        return text.lower()  # NFC and casefold change nothing else in ASCII
    import unicodedata

    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in one place: ``PATH:LINE: severity: message``."""

    path: str  # vault-relative, with forward slashes
    line: int  # 1-based line in the file as it is on disk
    severity: str  # ERROR or WARNING
    code: str  # stable identifier, listed in docs/diagnostics.md
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


# Diagnostics about something mdnet read as meant (a lenient date or log line): they
# cannot hide a follow-up.  Every other problem may.
READ_AS_MEANT = frozenset({"log-line-form", "date-form"})


def notes_with_problems(diagnostics: "Iterable[Diagnostic]") -> set[str]:
    """The paths of notes with a problem that may hide or change a follow-up."""
    return {d.path for d in diagnostics if d.code not in READ_AS_MEANT}


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 note``, ``2 notes``, ``0 errors``; ``words`` when adding "s" is wrong."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def problems_line(count: int) -> str:
    """The one line ``due`` and the watcher's log end with when notes have such problems."""
    notes = "1 note has" if count == 1 else f"{count} notes have"
    return f"{notes} problems that may hide follow-ups: run mdnet check"


@dataclass(frozen=True, slots=True)
class Contact:
    """A person note, with the recognised properties typed.

    Text that names another note (``"[[Acme]]"``) is kept as the link's target
    (``Acme``); ``company_link`` tells whether it was a link.  Properties mdnet
    does not know are kept as they were read in ``extra``.
    """

    path: str
    name: str
    aliases: tuple[str, ...] = ()
    company: str | None = None
    company_link: bool = False
    role: str | None = None
    emails: tuple[str, ...] = ()
    phone: str | None = None
    linkedin: str | None = None
    tags: tuple[str, ...] = ()
    circles: tuple[str, ...] = ()
    referred_by: str | None = None
    referred_by_line: int = 0
    added: date | None = None
    met: date | None = None
    how_met: str | None = None
    status: str = "active"
    follow_up: date | None = None
    next_step: str | None = None
    cadence: str | None = None
    snooze_until: date | None = None
    knows_search: bool | None = None
    ask_about: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    name_line: int = 1  # line of name: (1 when the name is the file name)
    aliases_line: int = 1

    @property
    def active(self) -> bool:
        return self.status not in INACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Meeting:
    """A meeting note: one interaction for every person it names."""

    path: str
    title: str
    date: date | None
    date_line: int
    kind: str  # canonical kind, default MET
    word: str
    with_: tuple[str, ...]  # names or link targets, as written
    with_line: int
    summary: str = ""  # first line of text in the body, if any
    time: str | None = None  # "HH:MM" from a `time:` property (local wall-clock time)
    prepared: bool = False  # the body has a prep section (a heading starting "Prep")


@dataclass(frozen=True, slots=True)
class Note:
    """Everything mdnet read from one Markdown file."""

    path: str
    type: str  # PERSON, MEETING or OTHER
    title: str  # file name without .md
    properties: Mapping[str, Any]  # frontmatter as read (dates as ISO text)
    body: str
    contact: Contact | None = None
    meeting: Meeting | None = None
    log: tuple[Interaction, ...] = ()  # a contact's own log lines, in file order
    links: tuple[tuple[int, str], ...] = ()  # (line, target) for every wiki-link in the body
    diagnostics: tuple[Diagnostic, ...] = ()
    mtime_ns: int = 0  # set by whoever read the file; 0 when unknown

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.diagnostics)


@dataclass(frozen=True, slots=True)
class Interaction:
    """A dated exchange with one contact, from their log or a meeting note."""

    contact: str  # path of the contact's note
    source: str  # path of the note the line is in
    line: int
    date: date
    kind: str
    word: str
    text: str
    links: tuple[str, ...] = ()
    time: str | None = None  # "HH:MM" a meeting note's `time:` gives (log lines: found in the text by rules)

    @property
    def raw(self) -> str:
        head = f"{self.date.isoformat()} {self.word}".rstrip()
        return f"{head}: {self.text}" if self.text else head


@dataclass(frozen=True, slots=True)
class Referral:
    """``referrer`` pointed us at ``contact`` (both note paths)."""

    contact: str
    referrer: str | None  # None when the referrer is not a contact in the vault
    referrer_name: str
    date: date | None  # the day of the log line, or None (from referred_by:)
    source: str  # where it was written
    line: int


@dataclass(frozen=True)
class Vault:
    """All notes, resolved against each other.

    ``interactions`` maps a contact's path to its interactions in order:
    by date, then meeting notes before log lines, then by line.
    """

    notes: tuple[Note, ...]
    contacts: tuple[Contact, ...]
    interactions: Mapping[str, tuple[Interaction, ...]]
    referrals: Mapping[str, tuple[Referral, ...]]  # by referred contact's path
    diagnostics: tuple[Diagnostic, ...]  # cross-note problems (duplicates, unknown names)
    mtimes: Mapping[str, int] = field(default_factory=dict)  # path -> mtime_ns
    first_seen: Mapping[str, date] = field(default_factory=dict)  # path -> day first indexed
    keys: Mapping[str, str] = field(default_factory=dict)  # path -> stable key (kept across renames)
    # Names linked from a met/replied line that no note answers to: Referral.contact is the
    # name as linked (the first mention of each name, by date).
    new_names: tuple[Referral, ...] = ()


@dataclass(frozen=True, slots=True)
class FollowUp:
    """One thing to do, on one day."""

    rule: str
    due: date
    reason: str
    contact: str | None  # display name; None for the monthly update
    path: str | None  # vault-relative note path; None for the monthly update
    anchor: str  # what the UID is keyed on besides contact and rule (a date, a month, or "")
    next_step: str | None = None
    ask_about: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    recent: tuple[str, ...] = ()  # the last two log lines, as written
    email: str | None = None
    phone: str | None = None
    linkedin: str | None = None
    modified: datetime | None = None  # when the note behind it last changed (UTC)
    key: str | None = None  # the note's stable key (survives renames); None means the path
    at: str | None = None  # "HH:MM" local time of a timed item (a planned conversation); None: all day
    recipients: tuple[tuple[str, str | None], ...] = ()  # the monthly update's (name, email or None)

    @property
    def identity(self) -> tuple[str, str, str]:
        """(note key, rule, anchor): what names this item for calendars, across renames."""
        return (self.key or self.path or "", self.rule, self.anchor)

    def to_json(self) -> dict[str, Any]:
        return {
            "contact": self.contact,
            "path": self.path,
            "rule": self.rule,
            "due": self.due.isoformat(),
            "time": self.at,
            "reason": self.reason,
            "next_step": self.next_step,
            "ask_about": list(self.ask_about),
            "offers": list(self.offers),
            "recent": list(self.recent),
            "email": self.email,
            "phone": self.phone,
            "linkedin": self.linkedin,
            "recipients": [{"name": n, "email": e} for n, e in self.recipients],
        }
