"""File names for new contact notes, safe on every system.  Pure.

The rules: no ``/ \\ : * ? " < > |`` and no control characters (Windows, macOS
and Linux forbid or mangle them), nor ``# ^ [ ]`` (Obsidian cannot link to
such a note); no leading dot (a hidden file) and no trailing dot or space
(Windows drops them); not a Windows reserved name (``CON``, ``NUL``, ``COM1``
...); at most 200 bytes of UTF-8 with ``.md``; unique, and never differing only
by case or Unicode normalisation from a note already there (macOS and Windows
would see the same file; Obsidian would link to either).  Names in any script
survive as they are, in NFC; the ``name:`` property keeps the exact original.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

MAX_BYTES = 200
_BAD = re.compile(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f\u0080-\u009f\u2028\u2029]')
_EDGES = re.compile(r"^[. ]+|[. ]+$")  # no hidden file, no trailing dot or space
_RESERVED = frozenset({"con", "prn", "aux", "nul", "clock$", "conin$", "conout$",
                       *(f"com{i}" for i in "123456789¹²³"), *(f"lpt{i}" for i in "123456789¹²³")})


def key(stem: str) -> str:
    """Two stems with the same key name the same file somewhere (case, normalisation)."""
    return unicodedata.normalize("NFC", stem).casefold()


def _fit(stem: str, limit: int) -> str:
    """Cut ``stem`` to at most ``limit`` bytes of UTF-8 without splitting a character
    (nor a base letter from its combining marks)."""
    data = stem.encode("utf-8")
    if len(data) <= limit:
        return stem
    cut = data[:limit].decode("utf-8", "ignore")
    while cut and unicodedata.combining(stem[len(cut)] if len(cut) < len(stem) else "a"):
        cut = cut[:-1]
    return cut


def safe_stem(name: str) -> str:
    """``name`` made safe as a file name without ``.md`` (not yet unique)."""
    s = _BAD.sub(" ", unicodedata.normalize("NFC", name))
    s = " ".join(s.split())  # tabs, runs of spaces, and the spaces left by removed characters
    s = _EDGES.sub("", s)
    s = _EDGES.sub("", _fit(s, MAX_BYTES - len(".md")))
    if not s:
        s = "Unnamed"
    if s.split(".")[0].casefold().rstrip() in _RESERVED:
        s = f"{s} (contact)"
    return s


def unique_stem(name: str, taken: set[str]) -> str:
    """A safe stem whose :func:`key` is not in ``taken`` (which it is then added to):
    ``Ana Sousa``, then ``Ana Sousa 2``, ``Ana Sousa 3`` ..."""
    base = safe_stem(name)
    stem, n = base, 1
    while key(stem) in taken:
        n += 1
        suffix = f" {n}"
        stem = _EDGES.sub("", _fit(base, MAX_BYTES - len(".md") - len(suffix))) + suffix
    taken.add(key(stem))
    return stem


def taken_keys(stems: Iterable[str]) -> set[str]:
    return {key(s) for s in stems}
