"""CSV text -> rows with the line each starts on; rows -> CSV text.  Pure (no file objects)."""

from __future__ import annotations

import csv
import re
from typing import Iterable, Iterator, Sequence

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


def rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` for every row of CSV ``text`` (BOM dropped), blank lines skipped.

    ``line`` is where the row starts; a quoted cell may span several lines.
    Raises ``csv.Error`` on text the csv module cannot read (a NUL byte)."""
    reader = csv.reader(_LINE.findall(text.removeprefix("\ufeff")))
    start = 1
    for cells in reader:
        if any(c.strip() for c in cells):
            yield start, cells
        start = reader.line_num + 1


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        self.parts.append(s)
        return len(s)


def to_csv(header: Sequence[str], body: Iterable[Sequence[str]]) -> str:
    """RFC 4180 CSV (CRLF line ends, quotes where needed)."""
    out = _Out()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(body)
    return "".join(out.parts)


def header_index(cells: Sequence[str]) -> dict[str, int]:
    """Column name -> position (names stripped; the first of a repeated name wins)."""
    out: dict[str, int] = {}
    for i, c in enumerate(cells):
        out.setdefault(c.strip().lstrip("\ufeff"), i)
    return out
