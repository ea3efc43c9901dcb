"""The iCalendar feed, read back by parsers other than the one that wrote it.

icalendar (the writer) parses back with its error list checked; vobject is a
second, independent Python parser; tests/ical_strict.py checks the raw bytes
against RFC 5545 and runs libical, the strictest (slow, needs the Debian
binding: see ical_strict.INSTALL_HINT).
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import icalendar
import pytest
import vobject
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import ical_strict
from mdnet.feed import PLACEHOLDER_UID, build_feed, item_uid, revision, sequence_of
from mdnet.model import FollowUp

AS_OF = date(2024, 11, 5)  # a Tuesday
UTC = timezone.utc

NASTY = 'Zoë, O\'Brien; "Ñandú" \\ back\\slash\nsecond line'


def fu(**kw) -> FollowUp:
    base = dict(
        rule="thank-you",
        due=date(2024, 11, 8),
        reason="Thank Ana for the coffee on 7 Nov",
        contact="Ana Lopez",
        path="People/Ana Lopez.md",
        anchor="2024-11-07",
        next_step="Send her the deck",
        ask_about=("the VP role",),
        offers=("intro to Chen",),
        recent=("2024-11-06 reached-out: asked for coffee", "2024-11-07 met: coffee at Blue Bottle"),
        email="ana@example.com",
        phone="+1 555 0100",
        linkedin="https://www.linkedin.com/in/ana-lopez",
        modified=datetime(2024, 11, 4, 18, 30, tzinfo=UTC),
    )
    base.update(kw)
    return FollowUp(**base)


def sample() -> list[FollowUp]:
    return [
        fu(),
        fu(rule="nudge", due=date(2024, 11, 3), contact="Chen Wu", path="People/Chen Wu.md",
           anchor="2024-10-25", reason="No reply from Chen since 25 Oct: nudge", email=None),
        fu(rule="monthly-update", due=date(2024, 11, 4), contact=None, path=None, anchor="2024-11",
           reason="Send your monthly update to 12 people", next_step=None, ask_about=(), offers=(),
           recent=(), email=None, phone=None, linkedin=None, modified=None),
        fu(rule="outreach", due=date(2024, 11, 6), contact="Dana Okafor", path="People/Dana Okafor.md",
           anchor="", reason="Reach out to Dana (warm circle)", modified=datetime(2024, 10, 1, tzinfo=UTC)),
        fu(rule="keep-in-touch", due=date(2024, 12, 2), contact=NASTY, path="People/Zoë O'Brien.md",
           anchor="2024-11-02", reason=f"Catch up with {NASTY}", next_step=NASTY, ask_about=(NASTY,)),
    ]


def parse(data: bytes) -> icalendar.Calendar:
    cal = icalendar.Calendar.from_ical(data)
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    return cal


def events(data: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in parse(data).walk("VEVENT")}


def by_path(data: bytes) -> dict[str | None, icalendar.Event]:
    items = {i.path: i for i in sample()}
    evs = events(data)
    return {p: evs[item_uid(i)] for p, i in items.items()}


# --- shape --------------------------------------------------------------------


def test_every_item_is_one_all_day_transparent_event() -> None:
    items = sample()
    data = build_feed(items, as_of=AS_OF)
    cal = parse(data)
    evs = cal.walk("VEVENT")
    assert sorted(str(e["UID"]) for e in evs) == sorted(item_uid(i) for i in items)
    assert len(set(str(e["UID"]) for e in evs)) == len(items)
    for e in evs:
        start, end = e.start, e.end
        assert type(start) is date and type(end) is date
        assert end == start + timedelta(days=1)
        assert str(e["TRANSP"]) == "TRANSPARENT"
    assert data.count(b"DTSTART;VALUE=DATE:") == len(items)
    assert data.count(b"DTEND;VALUE=DATE:") == len(items)
    assert cal.walk("VTODO") == [] and cal.walk("VJOURNAL") == []


def test_categories_is_the_rule_and_events_are_sorted_by_due() -> None:
    data = build_feed(sample(), as_of=AS_OF)
    evs = parse(data).walk("VEVENT")
    assert [e.categories for e in evs] == [["nudge"], ["monthly-update"], ["outreach"], ["thank-you"], ["keep-in-touch"]]


def test_future_items_on_their_due_date_overdue_items_on_as_of() -> None:
    evs = by_path(build_feed(sample(), as_of=AS_OF))
    thank = evs["People/Ana Lopez.md"]
    assert thank.start == date(2024, 11, 8) and not str(thank["SUMMARY"]).startswith("Overdue")
    nudge = evs["People/Chen Wu.md"]
    assert nudge.start == AS_OF and nudge.end == AS_OF + timedelta(days=1)
    assert str(nudge["SUMMARY"]) == "Overdue: Nudge Chen Wu"
    assert "Overdue: due 3 Nov (2 days ago)." in str(nudge["DESCRIPTION"])
    monthly = evs[None]
    assert str(monthly["SUMMARY"]) == "Overdue: Monthly update (12 people)"
    assert "due 4 Nov (yesterday)" in str(monthly["DESCRIPTION"])


def test_due_today_is_not_overdue() -> None:
    e = events(build_feed([fu(due=AS_OF)], as_of=AS_OF)).popitem()[1]
    assert e.start == AS_OF and str(e["SUMMARY"]) == "Thank Ana Lopez"


def test_overdue_from_last_year_names_the_year() -> None:
    e = events(build_feed([fu(due=date(2023, 12, 28))], as_of=date(2024, 1, 3))).popitem()[1]
    assert "due 28 Dec 2023 (6 days ago)" in str(e["DESCRIPTION"])


def test_summaries_are_short() -> None:
    evs = by_path(build_feed(sample(), as_of=AS_OF))
    assert str(evs["People/Ana Lopez.md"]["SUMMARY"]) == "Thank Ana Lopez"
    assert str(evs["People/Dana Okafor.md"]["SUMMARY"]) == "Reach out to Dana Okafor"
    for e in evs.values():
        assert "\n" not in str(e["SUMMARY"])


def test_full_description_has_everything_needed_to_act() -> None:
    text = str(by_path(build_feed(sample(), as_of=AS_OF))["People/Ana Lopez.md"]["DESCRIPTION"])
    for needed in ("Thank Ana for the coffee on 7 Nov", "Next step: Send her the deck", "- the VP role",
                   "- intro to Chen", "2024-11-07 met: coffee at Blue Bottle", "ana@example.com",
                   "+1 555 0100", "linkedin.com/in/ana-lopez"):
        assert needed in text


def test_minimal_details_leak_no_contact_details_or_log_text() -> None:
    data = build_feed(sample(), as_of=AS_OF, details="minimal")
    text = data.decode()
    unfolded = "\n".join(ical_strict.unfold(data))
    for secret in ("ana@example.com", "555", "linkedin", "Blue Bottle", "asked for coffee",
                   "Send her the deck", "VP role", "intro to Chen", "Recent", "Ask about"):
        assert secret not in text and secret not in unfolded, secret
    thank = by_path(data)["People/Ana Lopez.md"]
    assert str(thank["DESCRIPTION"]) == "Thank Ana for the coffee on 7 Nov"
    assert str(thank["SUMMARY"]) == "Thank Ana Lopez"


def test_bad_details_or_template_is_refused() -> None:
    with pytest.raises(ValueError, match="details"):
        build_feed([], as_of=AS_OF, details="some")
    with pytest.raises(ValueError, match="note_url"):
        build_feed([], as_of=AS_OF, note_url="https://x/{file}")
    with pytest.raises(ValueError, match="path"):
        build_feed([], as_of=AS_OF, note_url="https://x/{vault}")
    with pytest.raises(ValueError, match="line break"):
        build_feed([], as_of=AS_OF, note_url="https://x/{path}\n")


# --- URL ----------------------------------------------------------------------


def test_obsidian_url_opens_the_note() -> None:
    data = build_feed([fu(path="People/Zoë O'Brien & co.md")], as_of=AS_OF, vault_name="My Vault")
    e = events(data).popitem()[1]
    assert str(e["URL"]) == "obsidian://open?vault=My%20Vault&file=People%2FZo%C3%AB%20O%27Brien%20%26%20co"


def test_url_template_and_none_and_no_note() -> None:
    data = build_feed([fu(path="People/Ana Lopez.md")], as_of=AS_OF, vault_name="v",
                      note_url="https://notes.example/{vault}/{path}")
    assert str(events(data).popitem()[1]["URL"]) == "https://notes.example/v/People/Ana%20Lopez.md"
    assert b"URL" not in build_feed([fu()], as_of=AS_OF, note_url="none")
    monthly = fu(rule="monthly-update", contact=None, path=None, anchor="2024-11")
    assert b"URL" not in build_feed([monthly], as_of=AS_OF, vault_name="v")


# --- calendar properties ------------------------------------------------------


def test_calendar_properties_bytes() -> None:
    data = build_feed(sample(), as_of=AS_OF, name="Job search")
    head = data.split(b"BEGIN:VEVENT")[0]
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in head
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in head
    assert b"\r\nNAME:Job search\r\n" in head and b"\r\nX-WR-CALNAME:Job search\r\n" in head
    assert b"\r\nVERSION:2.0\r\n" in head and b"\r\nPRODID:" in head
    assert b"UID" not in head, "a UID on the VCALENDAR makes vdirsyncer collapse all events"
    assert b"METHOD" not in data
    assert "UID" not in parse(data)


def test_crlf_and_folding() -> None:
    data = build_feed(sample(), as_of=AS_OF)
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


# --- stability ----------------------------------------------------------------


def test_unchanged_input_gives_identical_bytes_in_any_order() -> None:
    items = sample()
    first = build_feed(items, as_of=AS_OF)
    shuffled = items[:]
    random.Random(7).shuffle(shuffled)
    assert build_feed(shuffled, as_of=AS_OF) == first
    assert build_feed(list(reversed(items)), as_of=AS_OF) == first


def test_uids_stable_across_runs_and_days_and_moves() -> None:
    items = sample()
    a = set(events(build_feed(items, as_of=AS_OF)))
    b = set(events(build_feed(items, as_of=AS_OF + timedelta(days=3))))
    moved = [replace(i, due=i.due + timedelta(days=9), reason="changed", modified=None) for i in items]
    c = set(events(build_feed(moved, as_of=AS_OF)))
    assert a == b == c


def test_uid_keys() -> None:
    one = fu()
    assert item_uid(one) != item_uid(replace(one, anchor="2024-12-01"))
    assert item_uid(one) != item_uid(replace(one, rule="nudge"))
    assert item_uid(one) != item_uid(replace(one, path="People/Other.md"))
    assert item_uid(one) == item_uid(replace(one, contact="Renamed", due=date(2025, 1, 1)))
    may = fu(rule="monthly-update", path=None, contact=None, anchor="2024-05")
    assert item_uid(may) != item_uid(replace(may, anchor="2024-06"))
    assert item_uid(one) != item_uid(one, todo=True)
    assert re.fullmatch(r"thank-you-[0-9a-f]{24}@mdnet", item_uid(one))


def test_duplicate_items_become_one_event() -> None:
    data = build_feed([fu(due=date(2024, 11, 9)), fu(due=date(2024, 11, 8))], as_of=AS_OF)
    evs = events(data)
    assert len(evs) == 1 and evs.popitem()[1].start == date(2024, 11, 8)


def test_until_leaves_later_items_out() -> None:
    data = build_feed(sample(), as_of=AS_OF, until=date(2024, 11, 30))
    assert "People/Zoë O'Brien.md" not in {i.path for i in sample() if item_uid(i) in events(data)}
    assert len(events(data)) == 4


# --- SEQUENCE, DTSTAMP, LAST-MODIFIED ------------------------------------------


def seq(item: FollowUp, as_of: date = AS_OF, **kw) -> int:
    e = events(build_feed([item], as_of=as_of, **kw)).popitem()[1]
    assert e["DTSTAMP"].dt == e["LAST-MODIFIED"].dt
    assert e["SEQUENCE"] == sequence_of(e["DTSTAMP"].dt)
    return int(e["SEQUENCE"])


def test_sequence_fits_32_bits_and_starts_at_zero() -> None:
    assert seq(fu(modified=None)) == 0
    assert seq(fu(modified=datetime(2010, 1, 1, tzinfo=UTC))) == 0
    assert seq(fu(modified=datetime(2300, 1, 1, tzinfo=UTC))) == 2**31 - 1
    assert 0 < seq(fu()) < 2**31 - 1


def test_sequence_still_while_nothing_changes() -> None:
    item = fu(due=date(2024, 11, 20))
    days = [AS_OF + timedelta(days=n) for n in range(10)]
    assert len({seq(item, d) for d in days}) == 1
    future = fu(due=date(2024, 11, 20))
    per_day = [events(build_feed([future], as_of=d)) for d in days]
    assert all(p == per_day[0] for p in per_day)


def test_sequence_rises_when_the_note_changes() -> None:
    item = fu()
    later = replace(item, modified=item.modified + timedelta(minutes=5))
    assert seq(later) > seq(item)


def test_sequence_rises_every_day_an_overdue_item_moves() -> None:
    item = fu(due=date(2024, 11, 1))
    seqs = [seq(item, AS_OF + timedelta(days=n)) for n in range(5)]
    assert seqs == sorted(set(seqs))


def test_sequence_does_not_fall_when_an_overdue_item_is_moved_later_in_the_morning_east() -> None:
    # Sydney, 08:00 on 5 Nov = 21:00 UTC on 4 Nov: the run that morning showed
    # the overdue item on 5 Nov; then the user snoozes it to 12 Nov.
    sydney = timezone(timedelta(hours=11))
    item = fu(due=date(2024, 11, 1), modified=datetime(2024, 11, 1, tzinfo=UTC))
    before = seq(item, AS_OF, tz=sydney)
    edited = replace(item, due=date(2024, 11, 12), modified=datetime(2024, 11, 4, 21, 5, tzinfo=UTC))
    assert seq(edited, AS_OF, tz=sydney) > before


def test_sequence_rises_next_day_after_an_evening_edit_west() -> None:
    # Los Angeles, 20:00 on 5 Nov = 04:00 UTC on 6 Nov: the note changed late;
    # the next day the overdue item moves to 6 Nov and must rise again.
    la = timezone(timedelta(hours=-8))
    item = fu(due=date(2024, 11, 1), modified=datetime(2024, 11, 6, 4, 0, tzinfo=UTC))
    assert seq(item, AS_OF + timedelta(days=1), tz=la) > seq(item, AS_OF, tz=la)


def test_outreach_moved_earlier_by_the_plan_does_not_fall() -> None:
    item = fu(rule="outreach", anchor="", due=date(2024, 11, 12))
    tomorrow = AS_OF + timedelta(days=1)
    assert seq(replace(item, due=date(2024, 11, 7)), tomorrow) >= seq(item, AS_OF)
    assert seq(replace(item, due=date(2024, 11, 7)), tomorrow) > seq(item, AS_OF)


@st.composite
def histories(draw):
    """A user in some zone, running mdnet and editing one note over a few weeks."""
    offset = draw(st.integers(-12 * 4, 14 * 4)) * 15
    zone = timezone(timedelta(minutes=offset))
    rule = draw(st.sampled_from(["thank-you", "outreach", "follow-up"]))
    now = datetime(2024, 11, 1, 12, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 24 * 60)))
    steps = draw(st.lists(st.tuples(st.sampled_from(["run", "edit", "wait"]),
                                    st.integers(1, 3 * 24 * 3600), st.integers(-10, 20)),
                          min_size=2, max_size=25))
    return zone, rule, now, steps


@settings(max_examples=300, deadline=None)
@given(histories())
def test_sequence_never_falls_and_rises_when_the_event_moves(history) -> None:
    zone, rule, now, steps = history
    item = fu(rule=rule, anchor="", due=now.astimezone(zone).date(), modified=now)
    last: tuple[date, int, bytes] | None = None
    for action, gap, shift in steps:
        now += timedelta(seconds=gap)
        today = now.astimezone(zone).date()
        if action == "edit":
            due = max(today, item.due + timedelta(days=shift)) if rule == "outreach" else item.due + timedelta(days=shift)
            item = replace(item, due=due, modified=now)
        elif action == "run":
            if rule == "outreach" and item.due < today:
                item = replace(item, due=today)  # the plan never lies in the past
            data = build_feed([item], as_of=today, tz=zone)
            e = events(data).popitem()[1]
            shown, s = e.start, int(e["SEQUENCE"])
            if last is not None:
                assert s >= last[1], "SEQUENCE fell"
                if shown != last[0]:
                    assert s > last[1], "the event moved but SEQUENCE did not rise"
                if s == last[1]:
                    assert data == last[2]
            last = (shown, s, data)


def test_revision_is_utc_whole_seconds() -> None:
    r = revision(fu(modified=datetime(2024, 11, 7, 18, 30, 1, 999999, tzinfo=UTC)), AS_OF)
    assert r == datetime(2024, 11, 7, 18, 30, 1, tzinfo=UTC)
    naive = revision(fu(modified=datetime(2024, 11, 7, 18, 30)), AS_OF)
    assert naive == datetime(2024, 11, 7, 18, 30, tzinfo=UTC)


# --- text ---------------------------------------------------------------------


def test_nasty_text_is_escaped_and_round_trips_through_icalendar_and_vobject() -> None:
    item = sample()[-1]
    data = build_feed([item], as_of=AS_OF)
    raw_summary = next(line for line in ical_strict.unfold(data) if line.startswith("SUMMARY:"))
    assert raw_summary == "SUMMARY:Catch up with Zoë\\, O'Brien\\; \"Ñandú\" \\\\ back\\\\slash second line"
    e = events(data).popitem()[1]
    assert str(e["SUMMARY"]) == "Catch up with Zoë, O'Brien; \"Ñandú\" \\ back\\slash second line"
    description = str(e["DESCRIPTION"])
    assert f"Catch up with {NASTY}" in description
    assert f"Next step: {NASTY}" in description
    v = vobject.readOne(data.decode("utf-8"))
    (vevent,) = v.vevent_list
    assert vevent.summary.value == str(e["SUMMARY"])
    assert vevent.description.value == description
    assert vevent.dtstart.value == date(2024, 12, 2) and vevent.dtend.value == date(2024, 12, 3)


def test_control_characters_and_crlf_in_notes_are_cleaned() -> None:
    item = fu(reason="Thank\x00 Ana\r\nfor the\x0b coffee\x1b", next_step="a\rb", contact="Ana\tLopez\x07")
    data = build_feed([item], as_of=AS_OF)
    assert ical_strict.rfc_problems(data) == []
    e = events(data).popitem()[1]
    assert str(e["SUMMARY"]) == "Thank Ana Lopez"
    assert str(e["DESCRIPTION"]).startswith("Thank Ana\nfor the coffee\nNext step: a\nb")


@pytest.mark.parametrize("text", ["é" * 120, "日本語の名前" * 30, "a" + "😀" * 60, "ab" + "Ñ" * 80])
def test_folding_never_splits_a_character(text: str) -> None:
    data = build_feed([fu(contact=text, reason=text, next_step=text)], as_of=AS_OF)
    assert ical_strict.rfc_problems(data) == []
    e = events(data).popitem()[1]
    assert str(e["DESCRIPTION"]).startswith(f"{text}\nNext step: {text}")


def test_vobject_reads_every_item() -> None:
    items = sample()
    v = vobject.readOne(build_feed(items, as_of=AS_OF).decode("utf-8"))
    assert sorted(e.uid.value for e in v.vevent_list) == sorted(item_uid(i) for i in items)
    assert v.contents["refresh-interval"][0].params == {"VALUE": ["DURATION"]}


# --- empty feed and tasks -----------------------------------------------------


def test_empty_feed_holds_one_invisible_journal_entry() -> None:
    data = build_feed([], as_of=AS_OF)
    cal = parse(data)
    assert cal.walk("VEVENT") == [] and cal.walk("VTODO") == []
    (journal,) = cal.walk("VJOURNAL")
    assert str(journal["UID"]) == PLACEHOLDER_UID
    assert "DTSTART" not in journal
    assert build_feed([], as_of=AS_OF + timedelta(days=40)) == data, "the empty feed does not change by day"
    assert build_feed(sample(), as_of=AS_OF, until=AS_OF - timedelta(days=30)) == data
    assert b"VJOURNAL" not in build_feed(sample(), as_of=AS_OF)
    assert ical_strict.rfc_problems(data) == []


def test_todo_feed_has_tasks_instead_of_events() -> None:
    items = sample()
    data = build_feed(items, as_of=AS_OF, todo=True)
    cal = parse(data)
    assert cal.walk("VEVENT") == []
    todos = {str(t["UID"]): t for t in cal.walk("VTODO")}
    assert set(todos) == {item_uid(i, todo=True) for i in items}
    nudge = todos[item_uid(items[1], todo=True)]
    assert nudge.end == date(2024, 11, 3) and type(nudge.end) is date
    assert str(nudge["STATUS"]) == "NEEDS-ACTION" and "DTSTART" not in nudge
    assert str(nudge["SUMMARY"]) == "Nudge Chen Wu"  # task apps mark overdue tasks themselves
    assert "Overdue" not in str(nudge["DESCRIPTION"])
    assert b"DUE;VALUE=DATE:20241103\r\n" in data
    # an overdue task does not move, so it does not change from day to day
    later = {str(t["UID"]): t for t in parse(build_feed(items, as_of=AS_OF + timedelta(days=2), todo=True)).walk("VTODO")}
    assert later[item_uid(items[1], todo=True)].to_ical() == nudge.to_ical()
    assert ical_strict.rfc_problems(data) == []


# --- strict --------------------------------------------------------------------


def test_rfc_checker_catches_what_it_should() -> None:
    """The strict checker is not a rubber stamp."""
    good = build_feed(sample(), as_of=AS_OF)
    assert ical_strict.rfc_problems(good) == []
    first_event = good[good.index(b"BEGIN:VEVENT"):good.index(b"END:VEVENT\r\n") + 12]
    broken = {
        "UID on the VCALENDAR": good.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nUID:x\r\n", 1),
        "holds no component": good.split(b"BEGIN:VEVENT")[0] + b"END:VCALENDAR\r\n",
        "not after DTSTART": good.replace(b"DTEND;VALUE=DATE:20241106", b"DTEND;VALUE=DATE:20241105", 1),
        "unescaped": good.replace(b"Zo\xc3\xab\\,", b"Zo\xc3\xab,", 1),
        "bare CR or LF": good.replace(b"\r\n", b"\n", 1),
        "is not a date": good.replace(b"DTSTART;VALUE=DATE:20241105", b"DTSTART;VALUE=DATE:20241305", 1),
        "octets": good.replace(b"\r\n ", b"", 3),
        "duplicate UID": good.replace(b"END:VCALENDAR", first_event + b"END:VCALENDAR"),
    }
    for expected, data in broken.items():
        assert data != good, expected
        problems = ical_strict.rfc_problems(data)
        assert any(expected in p for p in problems), (expected, problems)


@pytest.fixture(scope="module")
def libical_ready() -> None:
    reason = ical_strict.libical_missing()
    if reason and os.environ.get("CI"):
        pytest.fail(f"CI must run the strict parser: {reason}")
    if reason:
        pytest.skip(reason)


@pytest.mark.slow
@pytest.mark.parametrize("todo", [False, True])
@pytest.mark.parametrize("details", ["full", "minimal"])
def test_libical_reads_the_feed_without_errors(libical_ready, todo: bool, details: str) -> None:
    items = sample()
    data = build_feed(items, as_of=AS_OF, todo=todo, details=details, vault_name="Vault")
    result = ical_strict.libical(data)
    assert result["parsed"] and result["parse_errors"] == []
    assert result["restriction_ok"] and result["restriction_errors"] == []
    assert result["calendar"]["REFRESH-INTERVAL"] == ["PT1H"]
    assert "UID" not in result["calendar"]
    got = {i["uid"]: i for i in result["items"]}
    assert len(got) == len(result["items"]) == len(items)
    mine = {item_uid(i, todo=todo): i for i in items}
    assert set(got) == set(mine)
    ours = {str(c["UID"]): c for c in parse(data).subcomponents}
    for uid, read in got.items():
        item, written = mine[uid], ours[uid]
        assert read["summary"] == str(written["SUMMARY"])
        assert read["description"] == str(written["DESCRIPTION"])
        assert read["sequence"] == int(written["SEQUENCE"])
        assert read["categories"] == [item.rule]
        if todo:
            assert read["kind"] == "vtodo_component"
            assert read["due"] == {"date": item.due.isoformat(), "is_date": True}
        else:
            shown = max(item.due, AS_OF)
            assert read["kind"] == "vevent_component" and read["transp"] == "TRANSPARENT"
            assert read["dtstart"] == {"date": shown.isoformat(), "is_date": True}
            assert read["dtend"] == {"date": (shown + timedelta(days=1)).isoformat(), "is_date": True}
    nasty = got[item_uid(items[-1], todo=todo)]
    assert nasty["summary"] == "Catch up with Zoë, O'Brien; \"Ñandú\" \\ back\\slash second line"
    assert f"Catch up with {NASTY}" in nasty["description"]


@pytest.mark.slow
def test_libical_accepts_the_empty_feed(libical_ready) -> None:
    result = ical_strict.libical(build_feed([], as_of=AS_OF))
    assert result["parse_errors"] == [] and result["restriction_ok"]
    assert [i["kind"] for i in result["items"]] == ["vjournal_component"]


@pytest.mark.slow
def test_libical_is_why_there_is_no_method(libical_ready) -> None:
    """METHOD:PUBLISH without ORGANIZER fails libical's iTIP check; ours passes."""
    data = build_feed(sample(), as_of=AS_OF)
    assert ical_strict.libical(data)["restriction_ok"]
    with_method = data.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nMETHOD:PUBLISH\r\n", 1)
    result = ical_strict.libical(with_method)
    assert not result["restriction_ok"]
    assert any("ORGANIZER" in e for e in result["restriction_errors"])


@pytest.mark.slow
def test_libical_reports_broken_input(libical_ready) -> None:
    """The libical helper sees errors when there are some (it is not a rubber stamp)."""
    data = build_feed([fu()], as_of=AS_OF).replace(b"DTSTAMP:", b"DTSTAMP:xx", 1)
    assert ical_strict.libical(data)["parse_errors"]


# --- byte-identical to the icalendar-built reference ---------------------------
#
# mdnet.feed writes content lines itself (icalendar objects cost ~0.65 ms per
# event).  tests/feed_reference.py is the writer as it was when icalendar built
# every component; these tests pin mdnet.feed to exactly its bytes, except
# where icalendar got TEXT escaping wrong (the two tests after them): text
# holding a literal backslash-N, and a calendar name holding \ ; or ,.

RULES = ("follow-up", "thank-you", "nudge", "referral", "try-another", "keep-in-touch",
         "outreach", "monthly-update", "Custom Rule, x;y\\z")
# Pieces chosen for escaping (\ ; , newline, \n, \\), folding (2-, 3- and
# 4-byte characters, \ and ^ that icalendar keeps off a fold's end) and cleaning
# (CR, CRLF, tab, control characters, a lone surrogate).
PIECES = ("Ana", "Lopez", "Zoë", "O'Brien", "Ñandú", "日本語", "😀", "a,b", "c;d", "back\\slash",
          "C:\\notes", "\\n", "\\\\", "caret^", "^", "\\", "line\nbreak", "crlf\r\nline", "cr\rline", "tab\there",
          "\x00\x07\x1b\x7f", "\ud800", "\"quoted\"", ":colon:", "https://x.example/a?b=c&d=e",
          "   padded   ", "", "1 person", "12 people", "3 contacts", "é" * 40, "x" * 90)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(PIECES) for _ in range(rng.randint(0, words)))


def _optional(rng: random.Random, words: int) -> str | None:
    return rng.choice((None, "", _text(rng, words)))


def varied_items(count: int, seed: int = 0) -> list[FollowUp]:
    """``count`` items over every rule and field shape, around AS_OF."""
    rng = random.Random(seed)
    zones = (UTC, timezone(timedelta(hours=11)), timezone(timedelta(hours=-8)))
    items = []
    for n in range(count):
        rule = RULES[n % len(RULES)]
        monthly = rule == "monthly-update" and rng.random() < 0.8
        contact = None if monthly else rng.choice((_text(rng, 4) or "Ana", "Ana Lopez", f"Person {n}"))
        path = None if monthly else rng.choice((f"People/{contact}.md", f"People/p{n}.md", f"Ünï/{n} a,b;c.MD"))
        modified = rng.choice((
            None,
            datetime(2024, 11, 4, 18, 30, 15, 123456, tzinfo=UTC),
            datetime(2024, 10, 1, 9, 0, tzinfo=rng.choice(zones)),
            datetime(2024, 11, 5, 7, 0),  # naive: taken as UTC
            datetime(2019, 6, 1, tzinfo=UTC),
            datetime(2300, 1, 1, tzinfo=UTC),
        ))
        items.append(FollowUp(
            rule=rule,
            due=AS_OF + timedelta(days=rng.randint(-400, 60)),
            reason=rng.choice((_text(rng, 12), f"Send your monthly update to {rng.randint(0, 40)} people")),
            contact=contact,
            path=path,
            anchor=rng.choice(("", "2024-11", f"2024-10-{rng.randint(10, 31)}")),
            next_step=_optional(rng, 8),
            ask_about=tuple(_text(rng, 5) for _ in range(rng.randint(0, 3))),
            offers=tuple(_text(rng, 5) for _ in range(rng.randint(0, 2))),
            recent=tuple(f"2024-11-0{d} met: {_text(rng, 6)}" for d in range(rng.randint(0, 2))),
            email=_optional(rng, 1),
            phone=rng.choice((None, "+1 555 0100", "+44 20 7946 0958;ext=2")),
            linkedin=rng.choice((None, "https://www.linkedin.com/in/ana-lopez", _text(rng, 2))),
            modified=modified,
        ))
    return items


def _same_bytes(items: list[FollowUp], **kw) -> bytes:
    import feed_reference

    assert "\\N" not in repr(items), "icalendar mangles a literal \\N: see the test below"

    got = build_feed(items, **kw)
    want = feed_reference.build_feed(items, **kw)
    if got != want:
        got_lines, want_lines = got.split(b"\r\n"), want.split(b"\r\n")
        first = next((i for i, (a, b) in enumerate(zip(got_lines, want_lines)) if a != b), None)
        if first is None:
            first = min(len(got_lines), len(want_lines))
        context = slice(max(first - 3, 0), first + 3)
        raise AssertionError(
            f"bytes differ from the icalendar reference at line {first + 1} ({kw}):\n"
            f"  got:  {got_lines[context]}\n  want: {want_lines[context]}"
        )
    return got


@pytest.mark.parametrize("todo", [False, True])
@pytest.mark.parametrize("details", ["full", "minimal"])
def test_byte_identical_to_the_icalendar_reference_for_varied_items(todo: bool, details: str) -> None:
    items = varied_items(600, seed=len(details) + todo)
    data = _same_bytes(items, as_of=AS_OF, details=details, todo=todo, vault_name="My Vault, ü")
    assert ical_strict.rfc_problems(data) == []
    assert data.count(b"BEGIN:VTODO" if todo else b"BEGIN:VEVENT") > 500


@pytest.mark.parametrize("kw", [
    dict(),
    dict(note_url="none"),
    dict(note_url="file:///home/ana/Vault/{path}", vault_name="Vault"),
    dict(note_url="https://n.example/{vault}/{path}?a=1;b=2,c", vault_name="Ü v,a;u\\lt"),
    dict(until=AS_OF + timedelta(days=10)),
    dict(until=AS_OF - timedelta(days=100), todo=True),
    dict(tz=timezone(timedelta(hours=11))),
    dict(tz=timezone(timedelta(hours=-8)), todo=True),
    dict(name="Job search: Zoë's calls\nsecond line " + "日本語" * 30),
    dict(name=" \x00 "),
    dict(as_of=date(2024, 1, 1)),
])
def test_byte_identical_to_the_icalendar_reference_for_every_option(kw: dict) -> None:
    kw = {"as_of": AS_OF, **kw}
    data = _same_bytes(varied_items(150, seed=3), **kw)
    assert ical_strict.rfc_problems(data) == []


def test_byte_identical_to_the_icalendar_reference_at_every_fold_position() -> None:
    """A multi-byte character, an escape, a \\ and a ^ at each offset from a fold."""
    items = []
    for k in range(160):
        for tail in ("é\\,^😀日;x", "\\\\\\\\^^^^", "😀" * 30, "a\\nb\n\\n"):
            text = "x" * k + tail
            items.append(fu(path=f"p/{k}-{len(items)}.md", contact=text, reason=text, next_step=None,
                            ask_about=(), offers=(), recent=(), email=None, phone=None, linkedin=None))
    for todo in (False, True):
        data = _same_bytes(items, as_of=AS_OF, todo=todo)
        assert ical_strict.rfc_problems(data) == []


def test_byte_identical_to_the_icalendar_reference_for_small_and_empty_feeds() -> None:
    _same_bytes([], as_of=AS_OF)
    _same_bytes([], as_of=AS_OF, todo=True, name="")
    _same_bytes(sample(), as_of=AS_OF)
    _same_bytes(sample() + sample()[::-1], as_of=AS_OF, todo=True)  # duplicates collapse alike
    empty = fu(reason="", contact="", path="", next_step=None, ask_about=(), offers=(), recent=(),
               email=None, phone=None, linkedin=None, modified=None)
    _same_bytes([empty], as_of=AS_OF, details="minimal")
    _same_bytes([empty], as_of=AS_OF, todo=True)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
    other=st.text(alphabet="\\;,\n\r^:é日😀 ax\tN", max_size=120),
    shift=st.integers(-40, 40),
    todo=st.booleans(),
)
def test_byte_identical_to_the_icalendar_reference_for_any_text(text: str, other: str, shift: int, todo: bool) -> None:
    item = fu(contact=text, reason=other + text, next_step=other, ask_about=(text, other), recent=(other,),
              email=text, due=AS_OF + timedelta(days=shift), path=f"People/{text}.md")
    assume("\\N" not in repr([item]))  # icalendar mangles it (in any field, e.g. other + text): see below
    _same_bytes([item], as_of=AS_OF, todo=todo, name=other.replace("\\", "/").replace(";", ".").replace(",", ".") or "x",
                vault_name=text)


def test_a_literal_backslash_n_survives_unlike_in_icalendar() -> None:
    """icalendar's escaping turns backslash-N into a line break ("C:\\Notes"
    came back as "C:" and "otes"); mdnet escapes the backslash like any other."""
    import feed_reference

    item = fu(reason="Files in C:\\Notes\\New, see \\N", contact="A\\Nna")
    data = build_feed([item], as_of=AS_OF)
    assert b"DESCRIPTION:Files in C:\\\\Notes\\\\New\\, see \\\\N\\n" in data
    assert b"SUMMARY:Thank A\\\\Nna\r\n" in data
    assert b"C:\\notes" in feed_reference.build_feed([item], as_of=AS_OF), "icalendar's bug is gone: drop this"
    assert ical_strict.rfc_problems(data) == []
    (vevent,) = vobject.readOne(data.decode("utf-8")).vevent_list
    assert vevent.description.value.startswith("Files in C:\\Notes\\New, see \\N\n")
    assert vevent.summary.value == "Thank A\\Nna"
    e = events(data).popitem()[1]
    assert str(e["DESCRIPTION"]).startswith("Files in C:\\Notes\\New, see \\N\n")


def test_calendar_name_is_escaped_text_unlike_in_icalendar() -> None:
    """RFC 7986 makes NAME a TEXT value; icalendar wrote it unescaped."""
    import feed_reference

    name = "Job search, 2024; Zoë \\ friends"
    data = build_feed(sample(), as_of=AS_OF, name=name)
    assert b"\r\nNAME:Job search\\, 2024\\; Zo\xc3\xab \\\\ friends\r\n" in data
    assert b"\r\nX-WR-CALNAME:Job search\\, 2024\\; Zo\xc3\xab \\\\ friends\r\n" in data
    assert b"\r\nNAME:Job search, 2024;" in feed_reference.build_feed(sample(), as_of=AS_OF, name=name)
    assert ical_strict.rfc_problems(data) == []
    cal = vobject.readOne(data.decode("utf-8"))
    assert cal.contents["name"][0].value == name
    assert cal.contents["x-wr-calname"][0].value == name


@pytest.mark.slow
def test_libical_reads_what_icalendar_mangled(libical_ready) -> None:
    item = fu(reason="Files in C:\\Notes, see", contact="A\\Nna")
    data = build_feed([item], as_of=AS_OF, name="Job search, 2024; Zoë \\ friends")
    result = ical_strict.libical(data)
    assert result["parse_errors"] == [] and result["restriction_ok"]
    (read,) = result["items"]
    assert read["summary"] == "Thank A\\Nna"
    assert read["description"].startswith("Files in C:\\Notes, see\n")
    # libical hands NAME back re-escaped; the backslash is there (unescaped it was dropped)
    assert result["calendar"]["NAME"] == ["Job search\\, 2024\\; Zoë \\\\ friends"]


# --- hostile settings and text (issue 7) -------------------------------------------------


@pytest.mark.parametrize("template", [
    "https://x/{path.__class__}", "https://x/{path:>3000000}", "https://x/{file}/{path}", "https://x/{path!r}",
    "https://x/{0}{path}", "https://x/{}{path}", "https://x/{{path}}", "https://x/{path", "https://x/{path}\x00",
    "https://x/{path}\x0b", "https://x/{path}\u2028", "https://x/{path}\x85",
])
def test_note_url_is_only_vault_and_path_as_plain_text(template: str) -> None:
    """Issue 7: note_url was a Python format string: attribute access leaked a type name,
    a width made a 34 MB feed, and {file}, {path!r} or {0} crashed feed and serve."""
    from mdnet.config import load_config

    with pytest.raises(ValueError, match="note_url"):
        build_feed([fu()], as_of=AS_OF, note_url=template)
    config, diags = load_config({"feed": {"note_url": template}})
    assert config["feed.note_url"] == "obsidian"
    assert [(d.code, d.severity) for d in diags] == [("config-bad-value", "error")]


def test_note_url_substitutes_once_and_literally() -> None:
    data = build_feed([fu(path="People/{vault} \x85\u2028x\x00.md")], as_of=AS_OF, vault_name="{path}",
                      note_url="https://n.example/{vault}/{path}?q={path}")
    url = str(events(data).popitem()[1]["URL"])
    assert url == "https://n.example/%7Bpath%7D/People/%7Bvault%7D%20x.md?q=People/%7Bvault%7D%20x.md"


def test_c1_controls_and_line_separators_never_reach_the_feed() -> None:
    """Issue 7: U+0080-U+009F and U+2028 survived into DESCRIPTION."""
    bad = "a\x85b\u2028c\u2029d\x9b31me\x00f\x0bg\x7fh"
    data = build_feed([fu(contact="Ana" + bad, reason=bad, next_step=bad, ask_about=(bad,), recent=(bad,),
                          email=bad, path="People/" + bad + ".md")], as_of=AS_OF, vault_name=bad)
    text = data.decode("utf-8")
    for ch in "\x85\u2028\u2029\x9b\x00\x0b\x7f":
        assert ch not in text
    assert "abcd31mefgh" in text
def test_the_monthly_update_event_lists_its_recipients() -> None:
    from datetime import date

    from mdnet.feed import description
    from mdnet.model import FollowUp

    item = FollowUp(rule="monthly-update", due=date(2026, 12, 7), reason="Send your December update to 2 people you have met",
                    contact=None, path=None, anchor="2026-12", recipients=(("Ana", "ana@example.com"), ("Bo", None)))
    text = description(item, date(2026, 12, 7))
    assert text.endswith("Recipients:\n- Ana <ana@example.com>\n- Bo (no email)")
    assert "Recipients" not in description(item, date(2026, 12, 7), details="minimal")
