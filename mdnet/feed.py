"""Follow-up items -> iCalendar bytes, for calendar and task apps.

Pure: no I/O and no clock.  Everything that changes from one run to the next
(the day shown, DTSTAMP, SEQUENCE) is derived from the items and ``as_of``, so
the same input always gives the same bytes.  ``docs/calendar-feed.md`` explains
each choice for users; the comments here say why in terms of the code.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Callable, Mapping, Sequence
from urllib.parse import quote

from mdnet.config import fill_note_url, note_url_problem
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
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # tab and LF stay
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
    events: EventCache | None = None,
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

    The content lines are written here rather than through icalendar's
    component objects, which cost ~0.65 ms per event (6 s for a 10k-contact
    vault).  The bytes are those icalendar 7.3 wrote for the same calendar
    (same property order, escaping and folding), pinned by the byte-identical
    tests against ``tests/feed_reference.py``; the two places where icalendar
    got TEXT wrong are noted at :func:`_text`.

    ``events``, when given, keeps each item's UID and event text between
    calls: a long-running caller passes the same :class:`EventCache` for as
    long as every other argument but ``items`` stays the same (a new day or
    new settings need a new one), so an update formats only the items an
    edit changed.
    """
    if details not in DETAILS:
        raise ValueError(f"details must be one of {', '.join(DETAILS)}, not {details!r}")
    check_note_url(note_url)

    title = _text(_clean(name, one_line=True) or "mdnet follow-ups")
    # No UID on the VCALENDAR (icalendar's Calendar.new() adds one, and
    # vdirsyncer then files every event under that one UID).
    # No METHOD.  METHOD:PUBLISH makes the feed an iTIP message, and iTIP
    # PUBLISH requires an ORGANIZER on every event (libical's
    # icalrestriction_check fails it, tested in tests/test_feed.py); an
    # ORGANIZER would make some apps show the follow-ups as meetings someone
    # invited you to.  Without METHOD the file is a plain calendar snapshot,
    # which is what subscribed calendars expect.
    # REFRESH-INTERVAL needs VALUE=DURATION (RFC 7986); X-PUBLISHED-TTL is a
    # duration too (icalendar's convenience setters get both wrong).
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        _fold(f"NAME:{title}"),
        _fold(f"X-WR-CALNAME:{title}"),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    append = lines.append

    kept = _feed_order(items, todo=todo, until=until, cache=events)
    link = _linker(note_url, vault_name)
    moved_at = day_start(as_of, tz)
    # Few distinct values among thousands of items: format each once.
    revisions: dict[datetime, tuple[str, int]] = {}
    days: dict[date, str] = {}
    categories: dict[str, str] = {}
    for item, uid in kept:
        brief = briefs.get(item.identity) if briefs else None
        if events is not None and brief is None:  # a brief reads other notes: its event is never kept
            text = events.text(item)
            if text is not None:
                append(text)
                continue
        overdue = item.due < as_of
        moved = (overdue and not todo) or item.rule in REPLANNED_RULES
        moment = _revision(item.modified, moved_at if moved else None)
        if moment in revisions:
            stamp, sequence = revisions[moment]
        else:
            stamp, sequence = revisions[moment] = (_utc_stamp(moment), sequence_of(moment))
        category = categories.get(item.rule)
        if category is None:
            category = categories[item.rule] = _fold("CATEGORIES:" + _text(item.rule))
        title_line = _fold("SUMMARY:" + _text(summary(item, as_of, todo=todo)))
        text_line = _fold("DESCRIPTION:" + _text(description(item, as_of, details=details, todo=todo, brief=brief)))
        url = link(item.path)
        url_line = "" if url is None else _fold("URL:" + url) + "\r\n"
        # Property order is icalendar's: a VEVENT's canonical order first, then
        # the rest alphabetically; a VTODO's alphabetically.
        if todo:
            text = (
                f"BEGIN:VTODO\r\n{category}\r\n{text_line}\r\nDTSTAMP:{stamp}\r\n"
                f"DUE;VALUE=DATE:{_ymd(item.due)}\r\nLAST-MODIFIED:{stamp}\r\nSEQUENCE:{sequence}\r\n"
                f"STATUS:NEEDS-ACTION\r\n{title_line}\r\nUID:{uid}\r\n{url_line}END:VTODO"
            )
        else:
            day = as_of if overdue else item.due  # shown_on()
            start = None if overdue else starts_at(item, tz)
            if start is not None:  # a timed event: UTC, so no VTIMEZONE is needed and DST is already applied
                dates = f"DTSTART:{_utc_stamp(start)}\r\nDTEND:{_utc_stamp(start + MEETING_LENGTH)}"
            elif (dates := days.get(day)) is None:
                dates = days[day] = _dates(day)
            text = (
                f"BEGIN:VEVENT\r\n{title_line}\r\n{dates}\r\nDTSTAMP:{stamp}\r\nUID:{uid}\r\n"
                f"SEQUENCE:{sequence}\r\n{category}\r\n{text_line}\r\nLAST-MODIFIED:{stamp}\r\n"
                f"TRANSP:TRANSPARENT\r\n{url_line}END:VEVENT"
            )
        append(text)
        if events is not None and brief is None:
            events.texts[id(item)] = (item, text)
    if not kept:
        lines.extend(_PLACEHOLDER)
    append("END:VCALENDAR")
    append("")
    return "\r\n".join(lines).encode("utf-8")


class EventCache:
    """What :func:`build_feed` keeps between calls with the same options (see there).

    Keyed by the item's identity (hashing thousands of items costs more than
    formatting the few that changed): the engine hands the same objects back
    for contacts an edit did not touch.  Each entry keeps its item, so an id
    reused by a new object is never mistaken for the old one.
    """

    def __init__(self) -> None:
        self.uids: dict[int, tuple[FollowUp, str]] = {}
        self.texts: dict[int, tuple[FollowUp, str]] = {}

    def uid(self, item: FollowUp, *, todo: bool) -> str:
        hit = self.uids.get(id(item))
        if hit is not None and hit[0] is item:
            return hit[1]
        uid = item_uid(item, todo=todo)
        self.uids[id(item)] = (item, uid)
        return uid

    def text(self, item: FollowUp) -> str | None:
        hit = self.texts.get(id(item))
        return hit[1] if hit is not None and hit[0] is item else None

    def keep_only(self, items: Sequence[FollowUp]) -> None:
        """Forget the items not in ``items`` (once they outnumber them), so the cache
        does not grow with every edit."""
        if len(self.uids) > 2 * len(items) + 64:
            live = {id(i) for i in items}
            self.uids = {k: v for k, v in self.uids.items() if k in live}
            self.texts = {k: v for k, v in self.texts.items() if k in live}


def _feed_order(items: Sequence[FollowUp], *, todo: bool, until: date | None,
                cache: EventCache | None = None) -> list[tuple[FollowUp, str]]:
    """(item, UID) in feed order, one per UID: due, rule, contact, UID.

    Items that tie on all four (duplicates of one UID) are ordered by their
    repr(), so the one kept never depends on the order they came in.  repr()
    of every item is costly, so it is only computed for such ties.
    """
    uid_of = item_uid if cache is None else cache.uid
    pairs = [(item, uid_of(item, todo=todo)) for item in items if until is None or item.due <= until]
    keyed = sorted(pairs, key=lambda pair: _order_key(*pair))
    kept: list[tuple[FollowUp, str]] = []
    seen: set[str] = set()
    for n, (item, uid) in enumerate(keyed):
        if uid in seen:
            continue
        seen.add(uid)
        # The sort is stable and its key ends with the UID, so the items that
        # tie with this one are the ones right after it.
        key = _order_key(item, uid)
        end = n + 1
        while end < len(keyed) and keyed[end][1] == uid and _order_key(*keyed[end]) == key:
            end += 1
        if end > n + 1:
            item = min((pair[0] for pair in keyed[n:end]), key=repr)
        kept.append((item, uid))
    return kept


def _order_key(item: FollowUp, uid: str) -> tuple[date, str, str, str]:
    return (item.due, item.rule, item.contact or "", uid)


_ONE_DAY = timedelta(days=1)


def _dates(day: date) -> str:
    """DTSTART and DTEND of an all-day event.  On 31 Dec 9999 there is no next
    day to end on; an all-day DTSTART without DTEND lasts one day (RFC 5545
    section 3.6.1), so DTEND is left out there alone."""
    if day == date.max:
        return f"DTSTART;VALUE=DATE:{_ymd(day)}"
    return f"DTSTART;VALUE=DATE:{_ymd(day)}\r\nDTEND;VALUE=DATE:{_ymd(day + _ONE_DAY)}"


def _ymd(day: date) -> str:
    """A DATE value: 20241105 (isoformat always gives a 4-digit year)."""
    return day.isoformat().replace("-", "")


def _utc_stamp(moment: datetime) -> str:
    """A UTC DATE-TIME value: 20241105T000000Z (``moment`` is a revision, never before 2020)."""
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """``value`` escaped as an RFC 5545 TEXT value (section 3.3.11).

    Backslash first, then semicolon, comma and line feed (``_clean`` already
    turned CR and CRLF into LF).  This is icalendar's escaping with two of its
    bugs left out: icalendar turns a literal backslash-N in the text into a
    line break (so "C:\\Notes" read back as "C:" and "otes"), and it wrote
    NAME and X-WR-CALNAME without escaping at all although RFC 7986 makes NAME
    a TEXT value.
    """
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if ";" in value:
        value = value.replace(";", "\\;")
    if "," in value:
        value = value.replace(",", "\\,")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    return value


def _fold(line: str) -> str:
    """``line`` folded as RFC 5545 section 3.1 asks, the way icalendar folds.

    Each physical line holds at most 74 octets of the content line (75 with
    the leading space of a continuation), never splits a UTF-8 sequence, and
    never ends with a backslash or caret (icalendar moves it to the next line
    so that no client sees half of an escape).
    """
    if len(line) <= 74 and (line.isascii() or len(line.encode("utf-8")) <= 74):
        return line
    data = line.encode("utf-8")
    size = len(data)
    if size <= 74:
        return line
    parts = []
    start = 0
    while size - start > 74:
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back up
            end -= 1
        if data[end - 1] in b"\\^":
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def _placeholder_lines() -> list[str]:
    """The feed's only entry while nothing is due.

    An empty VCALENDAR is invalid (RFC 5545 requires at least one component) and
    vdirsyncer refuses to sync a source that suddenly holds no items.  A VJOURNAL
    counts as an item for both, yet calendar apps (Google, Apple, Outlook,
    Thunderbird) do not display journal entries, so nothing fake appears on
    anyone's calendar.  It carries no date, so the empty feed is byte-identical
    from one day to the next.
    """
    text = (
        "mdnet has no follow-ups due in this feed's window. This entry keeps the "
        "feed valid while it is empty; calendar apps do not show it."
    )
    return [
        "BEGIN:VJOURNAL",
        _fold("DESCRIPTION:" + _text(text)),
        "DTSTAMP:" + _utc_stamp(EPOCH),
        "SUMMARY:Nothing due",
        "UID:" + PLACEHOLDER_UID,
        "END:VJOURNAL",
    ]


_PLACEHOLDER = _placeholder_lines()


def item_uid(item: FollowUp, *, todo: bool = False) -> str:
    """A UID that stays the same for the same note, rule and anchor.

    The rule is kept readable in front of a hash of (path, rule, anchor).  The
    monthly update has no path and is keyed on rule and anchor (the month).
    Tasks get UIDs of their own, so a task feed and an event feed subscribed
    side by side never claim to be the same object.
    """
    key = "\x1f".join((*item.identity, "todo" if todo else "event"))  # the note key survives a rename
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{_uid_prefix(item.rule)}-{digest}@mdnet"


@lru_cache(maxsize=64)
def _uid_prefix(rule: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", rule.lower()).strip("-") or "item"


def starts_at(item: FollowUp, tz: tzinfo | None = None) -> datetime | None:
    """When a timed item starts (UTC), or None for an all-day one.

    ``item.at`` is a wall-clock time on the due day in ``tz`` (the user's zone,
    default UTC); converting through the zone applies that day's offset, so a
    9am coffee after a daylight-saving change is still at 9am.
    """
    if not item.at:
        return None
    hour, minute = int(item.at[:2]), int(item.at[3:5])
    return datetime.combine(item.due, time(hour, minute), tzinfo=tz or timezone.utc).astimezone(timezone.utc)


def shown_on(item: FollowUp, as_of: date) -> date:
    """The day an event is shown: its due date, or ``as_of`` when overdue."""
    return max(item.due, as_of)


def day_start(day: date, tz: tzinfo | None = None) -> datetime:
    """Midnight at the start of ``day`` in ``tz`` (default UTC), as UTC.

    At the calendar's ends (1 Jan of year 1 east of Greenwich) the UTC instant
    does not exist; the first or last instant there is stands in for it."""
    try:
        return datetime.combine(day, time(0), tzinfo=tz or timezone.utc).astimezone(timezone.utc)
    except OverflowError:
        return (datetime.min if day.year == 1 else datetime.max).replace(tzinfo=timezone.utc)


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
    moved = (not todo and item.due < as_of) or item.rule in REPLANNED_RULES
    return _revision(item.modified, day_start(as_of, tz) if moved else None)


def _revision(modified: datetime | None, moved_at: datetime | None) -> datetime:
    """The latest of EPOCH, ``modified`` (naive means UTC) and ``moved_at``, whole seconds."""
    latest = EPOCH
    if modified is not None:
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=timezone.utc)
        elif modified.tzinfo is not timezone.utc:
            modified = modified.astimezone(timezone.utc)
        if modified > latest:
            latest = modified
    if moved_at is not None and moved_at > latest:
        latest = moved_at
    return latest.replace(microsecond=0)


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
    reason = _clean(item.reason)
    lines = [reason] if reason else []
    if item.due < as_of and not todo:
        days = (as_of - item.due).days
        ago = "yesterday" if days == 1 else f"{days} days ago"
        lines.append(f"Overdue: due {human_date(item.due, as_of)} ({ago}).")
    if details == "full" and brief:
        lines.append(_clean(brief))
    elif details == "full":
        if item.next_step:
            lines.append(f"Next step: {_clean(item.next_step)}")
        if item.ask_about:
            lines.append("Ask about:")
            lines += ["- " + _clean(v, one_line=True) for v in item.ask_about]
        if item.offers:
            lines.append("Offers:")
            lines += ["- " + _clean(v, one_line=True) for v in item.offers]
        if item.recent:
            lines.append("Recent:")
            lines += ["- " + _clean(v, one_line=True) for v in item.recent]
    if details == "full":
        if item.email:
            lines.append("Email: " + _clean(item.email, one_line=True))
        if item.phone:
            lines.append("Phone: " + _clean(item.phone, one_line=True))
        if item.linkedin:
            lines.append("LinkedIn: " + _clean(item.linkedin, one_line=True))
        if item.recipients:
            lines.append("Recipients:")
            lines += ["- " + _clean(f"{n} <{e}>" if e else f"{n} (no email)", one_line=True) for n, e in item.recipients]
    return "\n".join(lines)


def human_date(day: date, as_of: date) -> str:
    """"3 Nov", with the year when it is not the as-of year (never locale-dependent)."""
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == as_of.year else f"{text} {day.year}"


def check_note_url(note_url: str) -> None:
    """Raise ValueError unless ``note_url`` is obsidian, none or a usable template
    (see :func:`mdnet.config.note_url_problem`: never a format string)."""
    problem = note_url_problem(note_url)
    if problem:
        raise ValueError(f"feed.note_url {note_url!r} {problem}")


def note_link(path: str | None, note_url: str, vault_name: str) -> str | None:
    """The URL that opens the note, or None (no note, or links turned off).

    ``obsidian``: ``obsidian://open?vault=V&file=F``, F the vault-relative path
    without ``.md``, everything percent-encoded including ``/`` (as Obsidian
    asks); the vault parameter is left out when the name is unknown.  A
    template gets ``{vault}`` encoded whole and ``{path}`` encoded with ``/``
    kept and ``.md`` kept, so it works for file:// and web URLs.
    """
    return _linker(note_url, vault_name)(path)


def _linker(note_url: str, vault_name: str) -> Callable[[str | None], str | None]:
    """note_link() for one feed: the vault part is encoded once, not per item."""
    if note_url == "none":
        return lambda path: None
    vault = quote(vault_name, safe="")
    if note_url == "obsidian":
        prefix = f"obsidian://open?vault={vault}&file=" if vault_name else "obsidian://open?file="

        def obsidian(path: str | None) -> str | None:
            if path is None:
                return None
            stem = path[:-3] if path.lower().endswith(".md") else path
            return prefix + quote(_clean(stem, one_line=True), safe="")

        return obsidian

    def template(path: str | None) -> str | None:
        if path is None:
            return None
        return fill_note_url(note_url, vault, quote(_clean(path, one_line=True), safe="/"))

    return template


def _clean(text: str | None, *, one_line: bool = False) -> str:
    """Text safe for an iCalendar TEXT value: LF line ends, no control characters.

    RFC 5545 forbids control characters other than tab in TEXT; strict parsers
    reject them.  C1 controls (U+0080-U+009F, NEL among them) and the Unicode
    line and paragraph separators go too: some clients break lines on them.  Lone surrogates (from undecodable file names) become "?".
    """
    if not text:
        return ""
    if text.isprintable():
        # The common case, fast: no control characters, no line breaks, no
        # surrogates, and no whitespace but the ASCII space.
        if one_line and "  " in text:
            return " ".join(text.split())
        return text.strip()
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if one_line:
        text = " ".join(text.split())
    return text.strip()
