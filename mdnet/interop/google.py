"""Google Contacts' CSV export ("Export" -> "Google CSV").  Pure.

Current exports name columns ``First Name``, ``Middle Name``, ``Last Name``,
``Nickname``, ``Organization Name``, ``Organization Title``, ``Birthday``,
``Notes``, ``Labels``, ``E-mail 1 - Label``, ``E-mail 1 - Value``, ``Phone 1 -
Value``, ``Website 1 - Value`` ...; older ones ``Given Name``, ``Family Name``,
``Group Membership``, ``Organization 1 - Name``.  Both are read.  A cell may
hold several values separated by `` ::: ``.
"""

from __future__ import annotations

import csv
import re

from ..model import Diagnostic
from .record import FORMAT_NAMES, Incoming, ReadResult, WrongFormat, clean, describe, is_linkedin, malformed
from .table import header_index, rows

_MULTI = re.compile(r"^(E-mail|Phone|Website) (\d+) - Value$")
_BDAY = re.compile(r"^(\d{4}|-)-(\d{2})-(\d{2})$")


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(" ::: ") if v.strip()]


def _is_header(cells: list[str]) -> bool:
    names = {c.strip().lstrip("\ufeff") for c in cells}
    return bool({"E-mail 1 - Value", "Given Name", "Family Name"} & names) or (
        {"First Name", "Last Name", "Labels"} <= names)


def read_google(source: str, text: str) -> ReadResult:
    """Read a Google Contacts CSV; raises :class:`WrongFormat` when the header is not Google's."""
    contacts: list[Incoming] = []
    diags: list[Diagnostic] = []
    try:
        it = rows(text)
        first = next(it, None)
        if first is None or not _is_header(first[1]):
            raise WrongFormat(f"not {FORMAT_NAMES['google']} (no 'E-mail 1 - Value' or 'Given Name' column); "
                              f"it looks like {describe(text)}")
        header = first[1]
        cols = header_index(header)
        multi: dict[str, list[int]] = {"E-mail": [], "Phone": [], "Website": []}
        for i, c in enumerate(header):
            if (m := _MULTI.match(c.strip())):
                multi[m.group(1)].append(i)
        for line, cells in it:
            if len(cells) != len(header):
                diags.append(malformed(source, line, f"this row has {len(cells)} fields, the header {len(header)};"
                                       " row skipped"))
                continue

            def cell(*names: str) -> str:
                for n in names:
                    i = cols.get(n)
                    if i is not None and cells[i].strip():
                        return clean(cells[i])
                return ""

            def many(kind: str) -> list[str]:
                return [v for i in multi[kind] for v in _split(cells[i])]

            name = " ".join(p for p in (cell("First Name", "Given Name"), cell("Middle Name", "Additional Name"),
                                        cell("Last Name", "Family Name")) if p)
            name = name or cell("Name", "File As", "Nickname") or cell("Organization Name", "Organization 1 - Name")
            if not name:
                diags.append(malformed(source, line, "this contact has no name; row skipped"))
                continue
            urls = many("Website")
            linkedin = next((u for u in urls if is_linkedin(u)), None)
            bday = cell("Birthday")
            m = _BDAY.match(bday)
            labels = [lb for lb in _split(cell("Labels", "Group Membership")) if not lb.startswith("* ")]
            contacts.append(Incoming(
                line=line, name=name, aliases=tuple(_split(cell("Nickname"))), emails=tuple(many("E-mail")),
                phones=tuple(many("Phone")), company=cell("Organization Name", "Organization 1 - Name") or None,
                role=cell("Organization Title", "Organization 1 - Title") or None, linkedin=linkedin,
                websites=tuple(u for u in urls if u != linkedin),
                birthday=(f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m and m.group(1) != "-"
                          else f"--{m.group(2)}-{m.group(3)}" if m else bday or None),
                tags=tuple(labels), note=cell("Notes")))
    except csv.Error as e:
        raise WrongFormat(f"not {FORMAT_NAMES['google']}: {describe(text)} ({e})") from None
    return ReadResult(tuple(contacts), tuple(diags))
