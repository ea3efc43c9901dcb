"""LinkedIn's connections export (``Connections.csv`` from "Get a copy of your data").  Pure.

The file starts with a few ``Notes:`` lines and a blank line, then the header
``First Name,Last Name,URL,Email Address,Company,Position,Connected On`` (older
exports have no ``URL``).  Dates are written ``19 Nov 2026``; most rows have no
email (only connections who allow it).
"""

from __future__ import annotations

import csv
import re
from datetime import date

from ..model import WARNING, Diagnostic
from .record import FORMAT_NAMES, Incoming, ReadResult, WrongFormat, clean, describe, malformed
from .table import header_index, rows

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DATE = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*[ -](\d{2}|\d{4})$")


def parse_connected_on(text: str) -> date | None:
    """``19 Nov 2026``, ``19-Nov-26`` or ``2026-11-19`` -> a date; None if it is none of these."""
    text = text.strip()
    m = _DATE.match(text)
    try:
        if m and m.group(2).lower() in _MONTHS:
            year = int(m.group(3))
            return date(year + 2000 if year < 100 else year, _MONTHS[m.group(2).lower()], int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        return None


def read_linkedin(source: str, text: str) -> ReadResult:
    """Read a connections export; ``source`` names the file in diagnostics.

    Raises :class:`WrongFormat` when no LinkedIn header is found."""
    contacts: list[Incoming] = []
    diags: list[Diagnostic] = []
    cols: dict[str, int] | None = None
    try:
        for line, cells in rows(text):
            if cols is None:
                names = {c.strip().lstrip("\ufeff") for c in cells}
                if {"First Name", "Last Name", "Connected On"} <= names or {"First Name", "Last Name", "Position"} <= names:
                    cols = header_index(cells)
                    width = len(cells)
                continue
            if len(cells) != width:
                diags.append(malformed(source, line, f"this row has {len(cells)} fields, the header {width}"
                                       " (a comma in a value that is not in quotes?); row skipped"))
                continue

            def cell(name: str) -> str:
                i = cols.get(name)  # type: ignore[union-attr]
                return clean(cells[i]) if i is not None else ""

            name = " ".join(p for p in (cell("First Name"), cell("Last Name")) if p)
            if not name:
                diags.append(malformed(source, line, "this row has no first or last name; row skipped"))
                continue
            connected = cell("Connected On")
            added = parse_connected_on(connected) if connected else None
            if connected and added is None:
                diags.append(Diagnostic(source, line, WARNING, "import-bad-date",
                                        f"Connected On: {connected!r} is not a date; imported without it"))
            email = cell("Email Address")
            contacts.append(Incoming(
                line=line, name=name, emails=(email,) if email else (), company=cell("Company") or None,
                role=cell("Position") or None, linkedin=cell("URL") or None, added=added, tags=("linkedin",)))
    except csv.Error as e:
        raise WrongFormat(f"not {FORMAT_NAMES['linkedin']}: {describe(text)} ({e})") from None
    if cols is None:
        raise WrongFormat(f"not {FORMAT_NAMES['linkedin']} (no 'First Name,Last Name,...,Connected On' header); "
                          f"it looks like {describe(text)}")
    return ReadResult(tuple(contacts), tuple(diags))
