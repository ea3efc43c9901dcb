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
        ("upcoming", date(2026, 12, 3), "Coffee with Linh Nguyen on 3 Dec at 09:00: Tatte, 9am"),
    ]
    [up] = [i for i in follow_ups(v, QUIET, date(2026, 11, 30)) if i.rule == "upcoming"]
    assert (up.at, up.anchor) == ("09:00", "2026-12-03")


def test_planned_to_met_on_the_day_after() -> None:
    v = vault_of({"People/Linh Nguyen.md": LINH + "- 2026-12-03 coffee: Tatte\n"})
    # the day before: prepare; the day itself: the conversation (all day: no time given)
    assert [r[:2] for r in rules(v, date(2026, 12, 2))] == [("prepare", date(2026, 12, 2)),
                                                            ("upcoming", date(2026, 12, 3))]
    # on its day it is that day's conversation, and counts as met: the thank-you is due the day after
    assert rules(v, date(2026, 12, 3)) == [("upcoming", date(2026, 12, 3), "Coffee with Linh Nguyen on 3 Dec: Tatte"),
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
        ("upcoming", date(2026, 12, 3), "Coffee with Linh Nguyen on 3 Dec at 14:00: Coffee with Linh"),
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
