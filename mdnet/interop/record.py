"""What every reader produces: incoming contacts, problems, and the refusal of a
file that is not the format named.  Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ..model import ERROR, Diagnostic

FORMAT_NAMES = {"linkedin": "a LinkedIn connections export", "vcard": "a vCard file",
                "google": "a Google Contacts CSV export"}


class WrongFormat(Exception):
    """The file is not the format named; ``str()`` says what it looks like instead."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One contact as a file describes it, before it meets the vault."""

    line: int  # where the row or card starts in the file
    name: str  # exactly as written (NFC is applied to matching keys, not to this)
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str | None = None
    role: str | None = None
    linkedin: str | None = None
    websites: tuple[str, ...] = ()
    birthday: str | None = None  # ISO date, or --MM-DD when the year is unknown
    added: date | None = None  # LinkedIn's "Connected On"
    tags: tuple[str, ...] = ()  # the source's own labels (Google labels, vCard CATEGORIES)
    note: str = ""  # free text (vCard NOTE, Google Notes): goes into a new note's body


@dataclass(frozen=True, slots=True)
class ReadResult:
    contacts: tuple[Incoming, ...]
    diagnostics: tuple[Diagnostic, ...]


def malformed(source: str, line: int, message: str) -> Diagnostic:
    return Diagnostic(source, line, ERROR, "import-malformed", message)


def clean(value: object) -> str:
    """A cell or property value as text: stripped, None -> ''."""
    return str(value).strip() if value is not None else ""


def norm_name(name: str) -> str:
    """The key names are matched on: NFC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def norm_email(email: str) -> str:
    return unicodedata.normalize("NFC", email.strip()).casefold().removeprefix("mailto:")


_LINKEDIN = re.compile(r"^(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/(in|pub|company)/([^/?#\s]+)", re.I)


def is_linkedin(url: str) -> bool:
    return bool(_LINKEDIN.match(url.strip()))


def norm_linkedin(url: str) -> str:
    """``https://www.linkedin.com/in/ana-sousa/?x=1`` and ``linkedin.com/in/Ana-Sousa`` are one profile."""
    m = _LINKEDIN.match(url.strip())
    if not m:
        return url.strip().casefold().rstrip("/")
    return f"linkedin.com/{m.group(1).lower()}/{m.group(2).casefold()}"


def norm_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return ("+" if phone.strip().startswith("+") else "") + digits


def describe(text: str) -> str:
    """What a file looks like, for the one-line refusal of a file of the wrong format."""
    head = text.lstrip("\ufeff").lstrip()
    if not head:
        return "an empty file"
    if "\x00" in text[:4096]:
        return "a binary file"
    if head[:2] == "PK":
        return "a ZIP archive (unzip it and import the file inside)"
    if head.upper().startswith("BEGIN:VCARD"):
        return "a vCard file (mdnet import vcard)"
    if head.upper().startswith("BEGIN:VCALENDAR"):
        return "a calendar (iCalendar) file"
    if head.startswith("---") or head.startswith("#"):
        return "a Markdown note"
    first = head.split("\n", 1)[0]
    lines = text.lstrip("\ufeff").split("\n", 12)[:12]
    joined = "\n".join(lines)
    if "E-mail 1 - Value" in joined or ("Given Name" in joined and "Family Name" in joined) or (
            "Middle Name" in joined and "Labels" in joined):
        return "a Google Contacts CSV export (mdnet import google)"
    if "Connected On" in joined and "First Name" in joined:
        return "a LinkedIn connections export (mdnet import linkedin)"
    if "," in first or ";" in first or "\t" in first:
        return f"a table whose first line is {first.strip()[:80]!r}"
    return f"text beginning {first.strip()[:60]!r}"
