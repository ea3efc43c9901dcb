"""Contacts -> vCard 4.0 or CSV text.  Pure.

Private things stay out unless asked for (``private=True``): the log's text,
``ask_about`` and ``offers`` are what a person wrote for themselves, not what a
phone or Google needs.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..model import Contact, Vault
from .table import to_csv
from .vcard import Card, write_vcards

_NAMESPACE = uuid.UUID("6f1c2d4e-6d0a-5b43-9a57-6d646e657421")  # mdnet's own: UIDs from note paths

COLUMNS = ("name", "aliases", "company", "role", "email", "phone", "linkedin", "website", "birthday", "tags",
           "circles", "status", "added", "met", "how_met", "referred_by", "next_step", "path")
PRIVATE_COLUMNS = ("ask_about", "offers", "log")
SEPARATOR = "; "  # between the values of a list in one CSV cell


def uid(contact: Contact) -> str:
    """The card's UID: the note's own ``uid:`` property if it has one, else derived from
    its path (the same note gives the same UID at every export; a renamed note a new one)."""
    own = contact.extra.get("uid")
    if isinstance(own, str) and own.strip():
        return own.strip()
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, contact.path)}"


def _texts(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(v).strip() for v in items if v is not None and str(v).strip())


def _birthday(contact: Contact) -> str | None:
    b = _texts(contact.extra.get("birthday"))
    return b[0] if b else None


def _private_note(vault: Vault, contact: Contact) -> str:
    parts = []
    if contact.ask_about:
        parts.append("Ask about: " + "; ".join(contact.ask_about))
    if contact.offers:
        parts.append("Offered: " + "; ".join(contact.offers))
    log = vault.interactions.get(contact.path, ())
    if log:
        parts.append("\n".join(i.raw for i in log))
    return "\n\n".join(parts)


def _contacts(vault: Vault) -> list[Contact]:
    return sorted(vault.contacts, key=lambda c: c.path)


def export_vcard(vault: Vault, *, private: bool = False) -> str:
    return write_vcards(Card(
        uid=uid(c), name=c.name, aliases=c.aliases, emails=c.emails, phone=c.phone, company=c.company,
        role=c.role, linkedin=c.linkedin, websites=_texts(c.extra.get("website")), birthday=_birthday(c),
        tags=c.tags, note=_private_note(vault, c) if private else "") for c in _contacts(vault))


def export_csv(vault: Vault, *, private: bool = False) -> str:
    def row(c: Contact) -> list[str]:
        d = c.added.isoformat() if c.added else ""
        m = c.met.isoformat() if c.met else ""
        cells = [c.name, SEPARATOR.join(c.aliases), c.company or "", c.role or "", SEPARATOR.join(c.emails),
                 c.phone or "", c.linkedin or "", SEPARATOR.join(_texts(c.extra.get("website"))), _birthday(c) or "",
                 SEPARATOR.join(c.tags), SEPARATOR.join(c.circles), c.status, d, m, c.how_met or "",
                 c.referred_by or "", c.next_step or "", c.path]
        if private:
            cells += [SEPARATOR.join(c.ask_about), SEPARATOR.join(c.offers),
                      "\n".join(i.raw for i in vault.interactions.get(c.path, ()))]
        return cells

    header = COLUMNS + (PRIVATE_COLUMNS if private else ())
    return to_csv(header, (row(c) for c in _contacts(vault)))



__all__ = ["COLUMNS", "PRIVATE_COLUMNS", "export_csv", "export_vcard", "uid"]
