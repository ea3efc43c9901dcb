"""vCard files: read 2.1, 3.0 and 4.0; write 4.0.  Pure (text in, text out).

Parsing and serialising are vobject's (a well-kept parser that already handles
folded lines, quoted-printable with soft line breaks, character sets, escaped
commas and semicolons, and the vCard 2.1 habits of phones); it is imported
inside the functions, so ``mdnet --help`` does not pay for it.  mdnet splits a
file into cards itself, at ``BEGIN:VCARD`` lines, so that a card vobject
cannot read costs only that card, reported with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..model import Diagnostic
from .record import FORMAT_NAMES, Incoming, ReadResult, WrongFormat, clean, describe, is_linkedin, malformed

_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.I)
_END = re.compile(r"^END:VCARD\s*$", re.I)
_BDAY = re.compile(r"^(\d{4}|--)-?(\d{2})-?(\d{2})")


def _cards(text: str) -> Iterable[tuple[int, str]]:
    """``(line, text)`` of each BEGIN:VCARD ... END:VCARD block (an unclosed last one too)."""
    start, buf = 0, []
    for n, line in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        if _BEGIN.match(line):
            if buf:
                yield start, "\n".join(buf)
            start, buf = n, [line]
        elif buf:
            buf.append(line)
            if _END.match(line):
                yield start, "\n".join(buf)
                buf = []
    if buf:
        yield start, "\n".join(buf)


def _values(card: Any, key: str) -> list[Any]:
    return [c.value for c in card.contents.get(key, [])]


def _texts(card: Any, key: str, *, split: bool = False) -> list[str]:
    out: list[str] = []
    for v in _values(card, key):
        items = v if isinstance(v, list) else re.split(r"(?<!\\),", v) if split and isinstance(v, str) else [v]
        out.extend(s for s in (clean(x).replace("\\,", ",") for x in items) if s)
    return out


def _name(card: Any, raw: dict[str, list[list[str]]]) -> str:
    fn = next((v[0] for v in raw.get("fn", []) if v), "")
    if fn:
        return fn
    for n in _values(card, "n"):
        parts = [getattr(n, k, "") for k in ("prefix", "given", "additional", "family", "suffix")]
        flat = [" ".join(p) if isinstance(p, list) else p for p in parts]
        name = " ".join(p.strip() for p in flat if p and p.strip())
        if name:
            return name
    return ""


class _Reader:
    """The little of a stream vobject's line unfolder needs (no io in a pure module)."""

    def __init__(self, text: str) -> None:
        self.lines = iter(re.findall(r"[^\n]*\n|[^\n]+\Z", text))

    def readline(self) -> str:
        return next(self.lines, "")


_UNESCAPE = re.compile(r"\\([\\,;nN:])")


def _raw_texts(block: str) -> dict[str, list[list[str]]]:
    """Property name -> for each line, its text values split at unescaped commas.

    vobject decodes FN, NOTE, TITLE and NICKNAME to the part before the first
    unescaped comma (``NICKNAME:Sam,Sammy`` -> ``Sam``; a vCard 2.1 ``NOTE`` with a
    plain comma loses the rest), so these are read from the unfolded lines here;
    vobject still unfolds them and decodes quoted-printable."""
    from vobject.base import getLogicalLines, textLineToContentLine

    out: dict[str, list[list[str]]] = {}
    for text, n in getLogicalLines(_Reader(block), allowQP=True):
        try:
            line = textLineToContentLine(text, n)
        except Exception:
            continue
        name = line.name.lower()
        if name in ("fn", "note", "title", "nickname"):
            parts = re.split(r"(?<!\\),", line.value) if name == "nickname" else [line.value]
            def unescape(m: re.Match[str]) -> str:
                return "\n" if m.group(1) in "nN" else m.group(1)
            out.setdefault(name, []).append(
                [v for v in (_UNESCAPE.sub(unescape, p).strip() for p in parts) if v])
    return out


def _birthday(value: str) -> str | None:
    m = _BDAY.match(value.strip())
    if not m:
        return value.strip() or None
    year = m.group(1)
    return f"{'-' if year == '--' else year}-{m.group(2)}-{m.group(3)}"


def read_vcard(source: str, text: str) -> ReadResult:
    """Read every card; raises :class:`WrongFormat` when the file holds no ``BEGIN:VCARD``."""
    import vobject

    cards = list(_cards(text))
    if not cards:
        raise WrongFormat(f"not {FORMAT_NAMES['vcard']} (no BEGIN:VCARD line); it looks like {describe(text)}")
    contacts: list[Incoming] = []
    diags: list[Diagnostic] = []
    for line, block in cards:
        if not _END.match(block.rstrip("\r\n").rsplit("\n", 1)[-1]):
            diags.append(malformed(source, line, "this card has no END:VCARD; card skipped"))
            continue
        try:
            card = vobject.readOne(block, allowQP=True)
        except Exception as e:  # vobject raises ParseError, and ValueError etc. on odd values
            at = getattr(e, "lineNumber", None)
            msg = str(e).split(": ", 1)[-1] if at else str(e)
            diags.append(malformed(source, line + (at - 1 if isinstance(at, int) and at else 0),
                                   f"this card cannot be read ({msg}); card skipped"))
            continue
        raw = _raw_texts(block)
        name = _name(card, raw)
        if not name:
            diags.append(malformed(source, line, "this card has no FN or N (no name); card skipped"))
            continue
        urls = _texts(card, "url")
        linkedin = next((u for u in urls if is_linkedin(u)), None)
        orgs = _values(card, "org")
        org = orgs[0] if orgs else None
        company = clean(org[0] if isinstance(org, list) and org else org) or None
        bday = next(iter(_texts(card, "bday")), "")
        contacts.append(Incoming(
            line=line, name=name, aliases=tuple(v for vs in raw.get("nickname", []) for v in vs),
            emails=tuple(_texts(card, "email")), phones=tuple(_texts(card, "tel")), company=company,
            role=next((v[0] for v in raw.get("title", []) if v), None), linkedin=linkedin,
            websites=tuple(u for u in urls if u != linkedin), birthday=_birthday(bday) if bday else None,
            tags=tuple(_texts(card, "categories", split=True)),
            note="\n".join(v[0] for v in raw.get("note", []) if v).replace("\r\n", "\n")))
    return ReadResult(tuple(contacts), tuple(diags))


@dataclass(frozen=True, slots=True)
class Card:
    """One contact as the exporter writes it."""

    uid: str
    name: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phone: str | None = None
    company: str | None = None
    role: str | None = None
    linkedin: str | None = None
    websites: tuple[str, ...] = ()
    birthday: str | None = None
    tags: tuple[str, ...] = ()
    note: str = ""


def _split_name(name: str) -> tuple[str, str]:
    """(given, family) for N: the last word is the family name, as phones guess it."""
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return " ".join(parts[:-1]), parts[-1]


def write_vcards(cards: Iterable[Card]) -> str:
    """vCard 4.0 (RFC 6350), one card per contact, CRLF line ends, lines folded at 75 octets."""
    import vobject

    out: list[str] = []
    for c in cards:
        v = vobject.vCard()
        v.add("version").value = "4.0"
        v.add("uid").value = c.uid
        v.add("fn").value = c.name
        given, family = _split_name(c.name)
        v.add("n").value = vobject.vcard.Name(family=family, given=given)
        for a in c.aliases:  # one NICKNAME each: a comma inside an alias stays in it
            v.add("nickname").value = a
        for e in c.emails:
            v.add("email").value = e
        if c.phone:
            v.add("tel").value = c.phone
        if c.company:
            v.add("org").value = [c.company]
        if c.role:
            v.add("title").value = c.role
        for u in ((c.linkedin,) if c.linkedin else ()) + c.websites:
            v.add("url").value = u
        if c.birthday:
            v.add("bday").value = c.birthday
        if c.tags:
            v.add("categories").value = list(c.tags)
        if c.note:
            v.add("note").value = c.note
        out.append(v.serialize())
    return "".join(out)
