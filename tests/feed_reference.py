"""REFERENCE ONLY: the icalendar-built feed writer that pins mdnet.feed's bytes.

This is a frozen copy of ``mdnet/feed.py`` as it was when every event was
built with icalendar 7.3 objects (``Calendar``, ``Event.new``, ``Todo.new``,
``Journal.new``) and serialised by ``Calendar.to_ical()``.  ``mdnet.feed`` now
writes the content lines itself, for speed; the "byte-identical" tests in
``tests/test_feed.py`` check that it produces exactly these bytes for a large,
varied set of items, so the fast path is proven byte-identical to what
icalendar produces.

Do not import this from mdnet.  Do not "fix" it: if the feed's behaviour
should change on purpose, change mdnet/feed.py, then update this reference in
the same commit and say why.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from mdnet.model import FollowUp

PRODID = "-//mdnet//mdnet follow-ups//EN"
DETAILS = ("full", "minimal")

# SEQUENCE counts seconds since this instant; a 32-bit signed SEQUENCE lasts
# until 2088.  Anything earlier (or no modification time at all) counts as 0.
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)
SEQUENCE_MAX = 2**31 - 1

# Rules whose items are re-planned from the as-of date on every run: their day
# can move without any note changing, so their revision follows the as-of day.
REPLANNED_RULES = frozenset({"outreach"})

# The entry the feed holds when nothing is due (see _placeholder).
PLACEHOLDER_UID = "nothing-due@mdnet"

_SUMMARIES = {
    "follow-up": "Follow up with {c}",
    "thank-you": "Thank {c}",
    "nudge": "Nudge {c}",
    "referral": "Contact {c} (referral)",
    "try-another": "Try {c}",
    "keep-in-touch": "Catch up with {c}",
    "outreach": "Reach out to {c}",
    "monthly-update": "Monthly update",
    "upcoming": "Meet {c}",
    "prepare": "Prepare for {c}",
}

# A planned conversation given a time is an event of this length from that time
# (the advice: ask for 15-20 minutes; a coffee runs a little longer).
MEETING_LENGTH = timedelta(minutes=30)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # C1 and U+2028/9 too (issue 7)
_PEOPLE = re.compile(r"\b(\d+) (people|persons?|contacts?)\b")


def build_feed(
    items: Sequence[FollowUp],
    *,
    as_of: date,
    name: str = "mdnet follow-ups",
    details: str = "full",
    note_url: str = "obsidian",
    vault_name: str = "",
    todo: bool = False,
    until: date | None = None,
    tz: tzinfo | None = None,
    briefs: Mapping[tuple[str, str, str], str] | None = None,
) -> bytes:
    """Return the iCalendar feed (RFC 5545 bytes, CRLF lines) for ``items``.

    One all-day VEVENT per item; overdue items are shown on ``as_of``.  With
    ``todo=True`` the feed holds one VTODO per item instead, due on the real due
    date (task apps mark overdue tasks themselves).  Items due after ``until``
    are left out.  ``tz`` is the zone in which ``as_of`` is today (default UTC;
    the CLI passes the local zone): revisions count days from its midnight.
    Two items with the same UID (same path, rule and anchor) are one item: the
    first in feed order (due, rule, contact, UID) is kept.  ``details`` is ``full`` or
    ``minimal`` (no contact details, log lines, next step, ask-about or offers).
    ``note_url`` is ``obsidian``, ``none`` or a template using ``{vault}`` and
    ``{path}``.  Raises ValueError for a bad ``details`` or ``note_url``.
    ``briefs`` maps an item's identity to its prep brief (planned
    conversations), which a ``full`` description holds in place of the next
    step, lists and log lines (the brief has them all).
    """
    import icalendar

    if details not in DETAILS:
        raise ValueError(f"details must be one of {', '.join(DETAILS)}, not {details!r}")
    check_note_url(note_url)

    cal = icalendar.Calendar()
    # Calendar() rather than Calendar.new(): new() always adds a UID to the
    # VCALENDAR, and vdirsyncer then files every event under that one UID.
    cal.version = "2.0"
    cal.prodid = PRODID
    cal.add("CALSCALE", "GREGORIAN")
    # No METHOD.  METHOD:PUBLISH makes the feed an iTIP message, and iTIP
    # PUBLISH requires an ORGANIZER on every event (libical's
    # icalrestriction_check fails it, tested in tests/test_feed.py); an
    # ORGANIZER would make some apps show the follow-ups as meetings someone
    # invited you to.  Without METHOD the file is a plain calendar snapshot,
    # which is what subscribed calendars expect.
    cal.calendar_name = _clean(name, one_line=True) or "mdnet follow-ups"  # NAME + X-WR-CALNAME
    # The convenience setter writes REFRESH-INTERVAL without VALUE=DURATION
    # (RFC 7986 requires it) and a bare timedelta for X-PUBLISHED-TTL is
    # written as "1:00:00"; add both as explicit durations.
    # (Two vDuration objects: add() stores the parameters on the value itself.)
    hour = timedelta(hours=1)
    cal.add("REFRESH-INTERVAL", icalendar.vDuration(hour), parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", icalendar.vDuration(hour))

    keyed = sorted(
        ((item, item_uid(item, todo=todo)) for item in items if until is None or item.due <= until),
        # repr() last: even duplicates that differ in content sort the same
        # whatever order they came in, so the output never depends on it.
        key=lambda pair: (pair[0].due, pair[0].rule, pair[0].contact or "", pair[1], repr(pair[0])),
    )
    seen: set[str] = set()
    for item, uid in keyed:
        if uid in seen:
            continue
        seen.add(uid)
        moment = revision(item, as_of, todo=todo, tz=tz)
        common: dict[str, Any] = dict(
            uid=uid,
            stamp=moment,
            last_modified=moment,
            sequence=sequence_of(moment),
            summary=summary(item, as_of, todo=todo),
            description=description(item, as_of, details=details, todo=todo,
                                    brief=(briefs or {}).get(item.identity)),
            categories=[item.rule],
            url=note_link(item.path, note_url, vault_name),
        )
        if todo:
            cal.add_component(icalendar.Todo.new(end=item.due, status="NEEDS-ACTION", **common))
        else:
            day = shown_on(item, as_of)
            start = None if item.due < as_of or not item.at else datetime.combine(
                item.due, time(int(item.at[:2]), int(item.at[3:5])), tzinfo=tz or timezone.utc).astimezone(timezone.utc)
            cal.add_component(
                icalendar.Event.new(
                    start=start or day, end=(start + MEETING_LENGTH) if start else day + timedelta(days=1),
                    transparency="TRANSPARENT", **common
                )
            )
    if not seen:
        cal.add_component(_placeholder(icalendar))
    return cal.to_ical()


def _placeholder(icalendar):  # type: ignore[no-untyped-def]
    """The feed's only entry while nothing is due.

    An empty VCALENDAR is invalid (RFC 5545 requires at least one component) and
    vdirsyncer refuses to sync a source that suddenly holds no items.  A VJOURNAL
    counts as an item for both, yet calendar apps (Google, Apple, Outlook,
    Thunderbird) do not display journal entries, so nothing fake appears on
    anyone's calendar.  It carries no date, so the empty feed is byte-identical
    from one day to the next.
    """
    return icalendar.Journal.new(
        uid=PLACEHOLDER_UID,
        stamp=EPOCH,
        summary="Nothing due",
        description=(
            "mdnet has no follow-ups due in this feed's window. This entry keeps the "
            "feed valid while it is empty; calendar apps do not show it."
        ),
    )


def item_uid(item: FollowUp, *, todo: bool = False) -> str:
    """A UID that stays the same for the same note, rule and anchor.

    The rule is kept readable in front of a hash of (path, rule, anchor).  The
    monthly update has no path and is keyed on rule and anchor (the month).
    Tasks get UIDs of their own, so a task feed and an event feed subscribed
    side by side never claim to be the same object.
    """
    key = "\x1f".join((*item.identity, "todo" if todo else "event"))  # the note key survives a rename
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    rule = re.sub(r"[^a-z0-9-]+", "-", item.rule.lower()).strip("-") or "item"
    return f"{rule}-{digest}@mdnet"


def shown_on(item: FollowUp, as_of: date) -> date:
    """The day an event is shown: its due date, or ``as_of`` when overdue."""
    return max(item.due, as_of)


def day_start(day: date, tz: tzinfo | None = None) -> datetime:
    """Midnight at the start of ``day`` in ``tz`` (default UTC), as UTC."""
    return datetime.combine(day, time(0), tzinfo=tz or timezone.utc).astimezone(timezone.utc)


def revision(item: FollowUp, as_of: date, *, todo: bool = False, tz: tzinfo | None = None) -> datetime:
    """When this item last changed, as far as the input can tell (UTC, whole seconds).

    The latest of the note's modification time and, when the item moved because
    the day moved, the start of ``as_of`` in ``tz``: an overdue event is shown
    on ``as_of``, so it moves every day; items of re-planned rules (outreach)
    are scheduled from ``as_of``.  A future item that stays put keeps its
    revision from one day to the next; one that moves because its note changed
    gets the note's newer mtime.  DTSTAMP, LAST-MODIFIED and SEQUENCE all come
    from it.

    Why this never falls: a run on local day D happens after D's midnight, so
    an edit after that run has an mtime after it; and every edit seen by the
    run on day D happened before the midnight that starts D+1.  (Midnight UTC
    would not do: east of Greenwich the morning of D is still D-1 in UTC, and
    an edit then would yield a lower SEQUENCE than the run before it.)

    The rules should set ``FollowUp.modified`` to the newest mtime of every
    note the item's date depends on (a meeting note, the referrer's note), so
    that a move caused by another note raises SEQUENCE too.
    """
    moments = [EPOCH]
    if item.modified is not None:
        modified = item.modified
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=timezone.utc)
        moments.append(modified.astimezone(timezone.utc))
    if (not todo and item.due < as_of) or item.rule in REPLANNED_RULES:
        moments.append(day_start(as_of, tz))
    return max(moments).replace(microsecond=0)


def sequence_of(moment: datetime) -> int:
    """Seconds from 2020-01-01 to ``moment``, clamped to 0 .. 2**31-1."""
    seconds = int((moment - EPOCH).total_seconds())
    return min(max(seconds, 0), SEQUENCE_MAX)


def summary(item: FollowUp, as_of: date, *, todo: bool = False) -> str:
    """A title short enough for a month view: "Thank Ana Lopez"."""
    contact = _clean(item.contact or "", one_line=True)
    template = _SUMMARIES.get(item.rule)
    if template is None:
        text = f"{item.rule}: {contact}" if contact else item.rule
    else:
        text = template.format(c=contact).strip()
    if item.rule == "monthly-update":
        people = _PEOPLE.search(item.reason or "")
        if people:
            text += f" ({people.group(1)} {'person' if people.group(1) == '1' else 'people'})"
    if not todo and item.due < as_of:
        text = "Overdue: " + text
    return text


def description(item: FollowUp, as_of: date, *, details: str = "full", todo: bool = False,
                brief: str | None = None) -> str:
    """The event's text: what to do, why, and (with ``full``) how to reach them.

    An overdue event says when it was due (it is shown on ``as_of``); a task
    does not, because its DUE already says so and a line that changes every
    day would change the task without raising its SEQUENCE.
    """
    lines = [_clean(item.reason)]
    if item.due < as_of and not todo:
        days = (as_of - item.due).days
        ago = "yesterday" if days == 1 else f"{days} days ago"
        lines.append(f"Overdue: due {human_date(item.due, as_of)} ({ago}).")
    if details == "full" and brief:
        lines.append(_clean(brief))
    elif details == "full":
        if item.next_step:
            lines.append(f"Next step: {_clean(item.next_step)}")
        for label, values in (("Ask about", item.ask_about), ("Offers", item.offers), ("Recent", item.recent)):
            if values:
                lines.append(f"{label}:")
                lines.extend(f"- {_clean(v, one_line=True)}" for v in values)
    if details == "full":
        for label, value in (("Email", item.email), ("Phone", item.phone), ("LinkedIn", item.linkedin)):
            if value:
                lines.append(f"{label}: {_clean(value, one_line=True)}")
    return "\n".join(line for line in lines if line)


def human_date(day: date, as_of: date) -> str:
    """"3 Nov", with the year when it is not the as-of year (never locale-dependent)."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == as_of.year else f"{text} {day.year}"


def check_note_url(note_url: str) -> None:
    """Raise ValueError unless ``note_url`` is obsidian, none or a usable template."""
    if note_url in ("obsidian", "none"):
        return
    try:
        note_url.format(vault="v", path="p")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"feed.note_url must be 'obsidian', 'none' or a template using {{vault}} and "
            f"{{path}}; {note_url!r} does not work: {exc!r}"
        ) from None
    if "{path}" not in note_url:
        raise ValueError(f"feed.note_url template {note_url!r} has no {{path}}, so every link would be the same")


def note_link(path: str | None, note_url: str, vault_name: str) -> str | None:
    """The URL that opens the note, or None (no note, or links turned off).

    ``obsidian``: ``obsidian://open?vault=V&file=F``, F the vault-relative path
    without ``.md``, everything percent-encoded including ``/`` (as Obsidian
    asks); the vault parameter is left out when the name is unknown.  A
    template gets ``{vault}`` encoded whole and ``{path}`` encoded with ``/``
    kept and ``.md`` kept, so it works for file:// and web URLs.
    """
    if path is None or note_url == "none":
        return None
    if note_url == "obsidian":
        stem = path[:-3] if path.lower().endswith(".md") else path
        file = quote(_clean(stem, one_line=True), safe="")
        if vault_name:
            return f"obsidian://open?vault={quote(vault_name, safe='')}&file={file}"
        return f"obsidian://open?file={file}"
    return note_url.format(vault=quote(vault_name, safe=""), path=quote(_clean(path, one_line=True), safe="/"))


def _clean(text: str | None, *, one_line: bool = False) -> str:
    """Text safe for an iCalendar TEXT value: LF line ends, no control characters.

    RFC 5545 forbids control characters other than tab in TEXT; strict parsers
    reject them.  Lone surrogates (from undecodable file names) become "?".
    """
    if not text:
        return ""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if one_line:
        text = " ".join(text.split())
    return text.strip()
