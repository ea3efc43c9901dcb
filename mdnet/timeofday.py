"""Times of day as people write them in notes: ``9am``, ``9:30 pm``, ``09:30``, ``14h00``.  Pure.

A planned conversation is a timed calendar event when its log line or meeting
note gives a time; these functions find it.  Times are local wall-clock times
("HH:MM", 24-hour); which zone they are in is decided at the edge (the feed
gets the zone as an argument).
"""

from __future__ import annotations

import re
from typing import Any

# 9am, 9 am, 9.30pm, 9:30 p.m., 12pm (noon), 12am (midnight)
_AMPM = re.compile(r"(?<![\w:.])(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\.?(?![\w])", re.I)
# 09:30, 9:30, 14h00, 14h (not part of a longer number, a date or a ratio)
_CLOCK = re.compile(r"(?<![\w:.])([01]?\d|2[0-3])(?::([0-5]\d)|h([0-5]\d)?)(?![\w:])", re.I)


def time_in_text(text: str) -> str | None:
    """The first time of day written in ``text`` ("HH:MM"), or None.

    ``9am`` -> 09:00, ``9:30 pm`` -> 21:30, ``12pm`` -> 12:00, ``12am`` -> 00:00,
    ``09:30`` -> 09:30, ``14h00`` -> 14:00.  A bare number is never a time
    ("3 people", "room 9"), and neither is ``24:7`` (no such hour).
    """
    if not text:
        return None
    found: list[tuple[int, int, str]] = []  # (where, am/pm first, time)
    m = _AMPM.search(text)
    if m:
        hour = int(m.group(1)) % 12 + (12 if m.group(3).lower() == "p" else 0)
        found.append((m.start(), 0, f"{hour:02d}:{int(m.group(2) or 0):02d}"))
    m = _CLOCK.search(text)
    if m:
        minute = m.group(2) or m.group(3) or "0"
        found.append((m.start(), 1, f"{int(m.group(1)):02d}:{int(minute):02d}"))
    return min(found)[2] if found else None


def parse_time(value: Any) -> str | None:
    """A ``time:`` property -> "HH:MM", or None when it is not a time of day.

    Text is read as :func:`time_in_text` reads it, but must be only the time.
    An unquoted ``time: 14:00`` reaches us from YAML 1.1 as the number 840
    (sexagesimal: 14 * 60 + 0), so a whole number under 24 * 60 is read as
    minutes after midnight.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"{value // 60:02d}:{value % 60:02d}" if 0 <= value < 24 * 60 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    at = time_in_text(text)
    if at is None:
        return None
    rest = _AMPM.sub("", text, count=1) if _AMPM.search(text) else _CLOCK.sub("", text, count=1)
    return at if not rest.strip() else None
