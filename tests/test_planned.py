"""Planned conversations: a conversation dated after the as-of day is planned, not met.

Rule ``upcoming`` (the conversation on its day, timed when a time is given) and
rule ``prepare`` (the day before, unless the meeting note holds a prep section).
"""

from __future__ import annotations

from datetime import date

from mdnet.config import DEFAULT
from mdnet.graph import resolve
from mdnet.model import Vault
from mdnet.rules import follow_ups
from mdnet.timeofday import parse_time, time_in_text
from mdnet.vault.parse import parse_note

from test_rules import QUIET, config


def vault_of(files: dict[str, str]) -> Vault:
    return resolve([parse_note(p, t.encode(), DEFAULT) for p, t in files.items()], DEFAULT)


LINH = "---\ntype: person\nname: Linh Nguyen\ncompany: Woodgrove Bank\n---\n## Log\n"


def rules(v: Vault, as_of: date, cfg=QUIET) -> list[tuple[str, date, str]]:
    return [(i.rule, i.due, i.reason) for i in follow_ups(v, cfg, as_of)]


def test_times_people_write() -> None:
    assert [time_in_text(t) for t in ("Tatte, 9am", "at 9:30 pm", "09:30 sharp", "14h00", "12pm", "12am",
                                      "3 people", "room 9", "2026-11-03", "24:7", "v2.5")] == [
        "09:00", "21:30", "09:30", "14:00", "12:00", "00:00", None, None, None, None, None]
    assert [parse_time(v) for v in ("14:00", "9am", 840, "soon", "9", True, "9am tomorrow")] == [
        "14:00", "09:00", "14:00", None, None, None, None]


def test_a_future_coffee_ends_outreach_and_schedules_no_thank_you_yet() -> None:
    v = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-12-03 coffee: Tatte, 9am\n"})
    assert rules(v, date(2026, 11, 30), config(rules__new_per_week=5)) == [
        ("prepare", date(2026, 12, 2), 'Prepare for the coffee with Linh Nguyen tomorrow: mdnet prep "Linh Nguyen"'),
        ("upcoming", date(2026, 12, 3), "Coffee with Linh Nguyen on 3 Dec at 09:00"),
    ]
    [up] = [i for i in follow_ups(v, QUIET, date(2026, 11, 30)) if i.rule == "upcoming"]
    assert (up.at, up.anchor) == ("09:00", "2026-12-03")


def test_planned_to_met_on_the_day_after() -> None:
    v = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-12-03 coffee: Tatte\n"})
    # the day before: prepare; the day itself: the conversation (all day: no time given)
    assert [r[:2] for r in rules(v, date(2026, 12, 2))] == [("prepare", date(2026, 12, 2)),
                                                            ("upcoming", date(2026, 12, 3))]
    # on its day it is that day's conversation, and counts as met: the thank-you is due the day after
    assert rules(v, date(2026, 12, 3)) == [("upcoming", date(2026, 12, 3), "Coffee with Linh Nguyen on 3 Dec"),
                                           ("thank-you", date(2026, 12, 4), "Thank Linh Nguyen for the coffee on 3 Dec")]
    # the day after: the thank-you rule alone
    assert rules(v, date(2026, 12, 4)) == [("thank-you", date(2026, 12, 4), "Thank Linh Nguyen for the coffee on 3 Dec")]


def test_a_planned_coffee_keeps_an_earlier_thank_you_and_counts_as_an_answer() -> None:
    v = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-11-18 coffee: garden\n- 2026-11-20 email: one more question\n"
                                                  "- 2026-12-10 lunch: at noon, 12pm\n",
                  "People/Sam Ito.md": "---\ncadence: 2w\n---\n- 2026-11-01 call: catch-up\n- 2026-11-02 thanks\n- 2026-12-05 call\n"})
    found = rules(v, date(2026, 11, 30))
    # No nudge for Linh (the lunch is set, so she answered); no keep-in-touch for Sam (a call is set).
    assert [r[:2] for r in found] == [("prepare", date(2026, 12, 4)), ("upcoming", date(2026, 12, 5)),
                                      ("prepare", date(2026, 12, 9)), ("upcoming", date(2026, 12, 10))]
    # The thank-you for 18 Nov was ended by the email; a planned lunch does not schedule one for 11 Dec.
    v2 = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-11-18 coffee: garden\n- 2026-12-10 lunch\n"})
    assert [r[:2] for r in rules(v2, date(2026, 11, 20)) if r[0] == "thank-you"] == [("thank-you", date(2026, 11, 19))]


def test_a_planned_conversation_is_not_counted_as_met() -> None:
    v = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-12-03 coffee\n"})
    found = [i for i in follow_ups(v, config(rules__new_per_week=0), date(2026, 11, 30)) if i.rule == "monthly-update"]
    assert found == []  # nobody met yet, so no monthly update


def test_meeting_note_time_and_prep_section() -> None:
    meeting = ("---\ntype: meeting\ndate: 2026-12-03\nkind: coffee\ntime: \"14:00\"\nwith:\n  - \"[[Linh Nguyen]]\"\n---\n"
               "# Coffee with Linh\n")
    v = vault_of({"People/Linh Nguyen.md": LINH, "Meetings/2026-12-03 Linh.md": meeting})
    assert rules(v, date(2026, 12, 1)) == [
        ("prepare", date(2026, 12, 2), 'Prepare for the coffee with Linh Nguyen tomorrow: mdnet prep "Linh Nguyen"'),
        ("upcoming", date(2026, 12, 3), "Coffee with Linh Nguyen on 3 Dec at 14:00"),
    ]
    prepared = meeting + "\n## Prep brief\nPitch...\n"
    v = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-12-03 coffee: Tatte\n", "Meetings/2026-12-03 Linh.md": prepared})
    assert [r[:2] for r in rules(v, date(2026, 12, 1))] == [("upcoming", date(2026, 12, 3))]  # one a day, prepared


def test_a_bad_time_is_a_warning_and_the_meeting_is_all_day() -> None:
    text = "---\ntype: meeting\ndate: 2026-12-03\ntime: after lunch\nwith: [\"[[Linh Nguyen]]\"]\n---\n"
    note = parse_note("Meetings/m.md", text.encode(), DEFAULT)
    assert [(d.line, d.code) for d in note.diagnostics] == [(4, "bad-time")]
    assert note.meeting is not None and note.meeting.time is None
    unquoted = parse_note("Meetings/m.md", text.replace("after lunch", "14:30").encode(), DEFAULT)
    assert unquoted.meeting is not None and unquoted.meeting.time == "14:30" and not unquoted.diagnostics


def test_snooze_does_not_move_a_planned_conversation() -> None:
    v = vault_of({"People/Linh Nguyen.md": LINH.replace("type: person", "type: person\nsnooze_until: 2026-12-20")
                  + "- 2026-12-03 coffee\n"})
    assert [r[:2] for r in rules(v, date(2026, 11, 30))] == [("prepare", date(2026, 12, 2)), ("upcoming", date(2026, 12, 3))]


# --- in the feed ---------------------------------------------------------------------------

from dataclasses import replace  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import feed_reference  # noqa: E402
import ical_strict  # noqa: E402

from mdnet.feed import build_feed  # noqa: E402
from mdnet.model import FollowUp  # noqa: E402

NY = ZoneInfo("America/New_York")  # DST ends Sunday 1 Nov 2026


def coffee(day: date, at: str | None) -> FollowUp:
    return FollowUp(rule="upcoming", due=day, reason=f"Coffee with Linh Nguyen on {day}", contact="Linh Nguyen",
                    path="People/Linh Nguyen.md", anchor=day.isoformat(), at=at)


def test_timed_events_in_utc_across_a_dst_change_and_a_day_boundary() -> None:
    as_of = date(2026, 10, 29)
    items = [coffee(date(2026, 10, 30), "09:00"),  # EDT: 13:00 UTC
             coffee(date(2026, 11, 2), "09:00"),  # EST after the change: 14:00 UTC
             coffee(date(2026, 11, 3), "21:30"),  # the next day in UTC
             coffee(date(2026, 11, 4), None)]  # no time: all day
    data = build_feed(items, as_of=as_of, tz=NY)
    text = data.decode()
    assert "DTSTART:20261030T130000Z\r\nDTEND:20261030T133000Z" in text
    assert "DTSTART:20261102T140000Z\r\nDTEND:20261102T143000Z" in text
    assert "DTSTART:20261104T023000Z\r\nDTEND:20261104T030000Z" in text
    assert "DTSTART;VALUE=DATE:20261104\r\nDTEND;VALUE=DATE:20261105" in text
    assert "SUMMARY:Meet Linh Nguyen" in text
    assert data == feed_reference.build_feed(items, as_of=as_of, tz=NY)  # byte for byte, as icalendar writes it
    assert ical_strict.rfc_problems(data) == []
    import icalendar
    import vobject

    starts = [ev.get("DTSTART").dt for ev in icalendar.Calendar.from_ical(data).walk("VEVENT")]
    assert [s.astimezone(NY).strftime("%d %H:%M") if hasattr(s, "hour") else str(s) for s in starts] == [
        "30 09:00", "02 09:00", "03 21:30", "2026-11-04"]  # each at its wall-clock time in New York
    assert len(vobject.readOne(text).vevent_list) == 4
    if ical_strict.libical_missing() is None:
        result = ical_strict.libical(data)
        assert result["parsed"] and result["parse_errors"] == []
        assert result["restriction_ok"] and result["restriction_errors"] == []
        assert len(result["items"]) == 4


def test_a_timed_event_keeps_its_uid_when_its_time_changes() -> None:
    a = build_feed([coffee(date(2026, 11, 2), "09:00")], as_of=date(2026, 10, 29)).decode()
    b = build_feed([coffee(date(2026, 11, 2), "10:00")], as_of=date(2026, 10, 29)).decode()
    uid = lambda t: next(ln for ln in t.split("\r\n") if ln.startswith("UID:"))  # noqa: E731
    assert uid(a) == uid(b) and a != b


def test_the_uid_follows_the_note_key_not_the_path() -> None:
    item = coffee(date(2026, 11, 2), None)
    renamed = replace(item, path="People/Linh T. Nguyen.md", key="People/Linh Nguyen.md")
    uid = lambda i: next(ln for ln in build_feed([i], as_of=date(2026, 10, 29)).decode().split("\r\n")  # noqa: E731
                         if ln.startswith("UID:"))
    assert uid(renamed) == uid(item)
    assert uid(replace(item, path="People/Linh T. Nguyen.md")) != uid(item)


def test_the_brief_is_in_a_full_description_and_never_in_a_minimal_one() -> None:
    item = coffee(date(2026, 11, 2), "09:00")
    briefs = {item.identity: "Linh Nguyen - Compliance Analyst, Woodgrove Bank\nAsk about\n  - her tomatoes"}
    for details in ("full", "minimal"):
        data = build_feed([item], as_of=date(2026, 10, 29), tz=NY, details=details, briefs=briefs)
        assert data == feed_reference.build_feed([item], as_of=date(2026, 10, 29), tz=NY, details=details,
                                                 briefs=briefs)
        text = data.decode().replace("\r\n ", "")
        assert ("her tomatoes" in text) == (details == "full")


def test_the_feed_of_a_vault_carries_the_brief_of_a_planned_coffee(vault) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from mdnet.cli import cli

    vault.write("Profile.md", "## My pitch\n> I analyse payments data.\n")
    vault.person("Linh Nguyen", "company: Woodgrove Bank\nask_about: [her tomatoes]\n", "- 2026-12-03 coffee: Tatte, 9am\n")

    def feed() -> str:
        r = CliRunner().invoke(cli, ["--vault", str(vault.root), "feed", "--as-of", "2026-11-30", "-o", "-"])
        assert r.exit_code == 0, r.output
        return r.stdout.replace("\n ", "")

    text = feed()
    assert "SUMMARY:Meet Linh Nguyen" in text and "SUMMARY:Prepare for Linh Nguyen" in text
    assert text.count("I analyse payments data.") == 2 and text.count("her tomatoes") == 2
    vault.write("mdnet.toml", '[feed]\ndetails = "minimal"\n')
    text = feed()
    assert "payments" not in text and "tomatoes" not in text and "Coffee with Linh Nguyen on 3 Dec at 09:00" in text


def test_the_feed_uses_the_users_zone_with_its_dst_rules(vault, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """mdnet feed as run on 29 Oct in New York: a 9am coffee on 2 Nov (after the clocks go
    back) is at 14:00 UTC, not at today's offset (13:00 UTC)."""
    from click.testing import CliRunner

    from mdnet.cli import cli
    from mdnet.workspace import local_zone

    monkeypatch.setenv("TZ", "America/New_York")
    assert local_zone() == NY
    vault.person("Linh Nguyen", "company: Woodgrove Bank\n", "- 2026-11-02 coffee: Tatte, 9am\n")
    r = CliRunner().invoke(cli, ["--vault", str(vault.root), "feed", "--as-of", "2026-10-29", "-o", "-"])
    assert r.exit_code == 0, r.output
    assert "DTSTART:20261102T140000Z\nDTEND:20261102T143000Z" in r.stdout


def test_reports_count_a_planned_coffee_as_an_answer_not_a_meeting(vault) -> None:  # type: ignore[no-untyped-def]
    import json

    from click.testing import CliRunner

    from mdnet.cli import cli

    vault.person("Linh Nguyen", "company: Woodgrove Bank\n", "- 2026-12-03 coffee: Tatte, 9am\n")

    def stage(as_of: str) -> str:
        r = CliRunner().invoke(cli, ["--vault", str(vault.root), "report", "pipeline", "--as-of", as_of, "--json"])
        assert r.exit_code == 0, r.output
        [company] = json.loads(r.stdout)["companies"]
        return company["people"][0]["stage"]

    assert stage("2026-11-30") == "replied"
    assert stage("2026-12-04") == "met"
