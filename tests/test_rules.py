"""The follow-up rules, on vaults built inline (the parser and resolver have their own tests)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from mdnet.config import DEFAULT, Config, SETTINGS
from mdnet.model import Contact, FollowUp, Interaction, Referral, Vault
from mdnet.rules import follow_ups, gone_quiet, select_due

# --- helpers -------------------------------------------------------------------------------

WORD_KIND = {
    "coffee": "met", "call": "met", "meeting": "met", "met": "met", "lunch": "met",
    "email": "reached-out", "linkedin": "reached-out", "reached-out": "reached-out",
    "reply": "replied", "replied": "replied", "thanks": "thanked", "thanked": "thanked",
    "update": "update", "intro": "intro", "": "note", "note": "note",
}


def person(name: str, **props: object) -> Contact:
    return Contact(path=f"People/{name}.md", name=name, **props)  # type: ignore[arg-type]


def line(contact: Contact, raw: str, *, n: int = 0, source: str | None = None) -> Interaction:
    """``"2026-11-18 coffee: talked fintech"`` -> an Interaction of ``contact``."""
    day, rest = raw[:10], raw[10:]
    if rest.startswith(":"):  # "2026-11-18: text" is a note
        word, text = "", rest[1:]
    else:
        word, _, text = rest.partition(":")
        word = word.strip()
    return Interaction(
        contact=contact.path, source=source or contact.path, line=n, date=date.fromisoformat(day),
        kind=WORD_KIND[word], word=word, text=text.strip(),
    )


def vault(*contacts: Contact, logs: dict[str, list[str]] | None = None,
          interactions: list[Interaction] | None = None, referrals: list[Referral] | None = None,
          mtimes: dict[str, int] | None = None, first_seen: dict[str, date] | None = None) -> Vault:
    by_contact: dict[str, list[Interaction]] = {}
    by_path = {c.path: c for c in contacts}
    for path, raws in (logs or {}).items():  # keyed by path: Contact holds a dict, so is not hashable
        c = by_path.get(path) or person(path.removeprefix("People/").removesuffix(".md"))
        by_contact[path] = [line(c, raw, n=10 + k) for k, raw in enumerate(raws)]
    for i in interactions or []:
        by_contact.setdefault(i.contact, []).append(i)
    ordered = {p: tuple(sorted(v, key=lambda i: (i.date, not i.source.startswith("Meetings/"), i.line)))
               for p, v in by_contact.items()}
    refs: dict[str, tuple[Referral, ...]] = {}
    for r in referrals or []:
        refs[r.contact] = refs.get(r.contact, ()) + (r,)
    return Vault(notes=(), contacts=tuple(sorted(contacts, key=lambda c: c.path)), interactions=ordered,
                 referrals=refs, diagnostics=(), mtimes=mtimes or {}, first_seen=first_seen or {})


def config(**overrides: object) -> Config:
    values = {s.name: s.default for s in SETTINGS}
    for key, value in overrides.items():
        values[key.replace("__", ".")] = value
    return Config(values)


QUIET = config(rules__monthly_update="off", rules__new_per_week=0)  # only the rule under test speaks


def items(v: Vault, as_of: date, cfg: Config = QUIET, rule: str | None = None) -> list[FollowUp]:
    """The items of ``rule``; without one, all but ``upcoming`` (a meeting on the as-of day is
    also an upcoming item that day: tests/test_planned.py covers that rule)."""
    return [i for i in follow_ups(v, cfg, as_of) if i.rule == rule or (rule is None and i.rule != "upcoming")]


def brief(found: list[FollowUp]) -> list[tuple[str, str | None, date]]:
    return [(i.rule, i.contact, i.due) for i in found]


ANA = person("Ana Lopez", company="Fabrikam", emails=("ana@fabrikam.example", "ana@home.example"),
             phone="+1 555 0100", linkedin="https://linkedin.com/in/ana", next_step="send portfolio",
             ask_about=("her marathon",), offers=("intro to Sam",))
CHEN = person("Chen Wu", company="Fabrikam")
NOV = date(2026, 11, 1)


# --- follow-up ------------------------------------------------------------------------------


def test_follow_up_date_is_due_until_an_interaction_on_or_after_it() -> None:
    c = person("Dana Park", follow_up=date(2026, 11, 20), next_step="ask about the Q1 opening")
    found = items(vault(c, logs={c.path: ["2026-11-02 coffee: intro chat", "2026-11-03 thanks"]}), date(2026, 11, 10))
    assert brief(found) == [("follow-up", "Dana Park", date(2026, 11, 20))]
    # the next step is context (private text stays out of a minimal feed), not the reason
    assert found[0].reason == "Follow up with Dana Park (planned for 20 Nov)"
    assert found[0].next_step == "ask about the Q1 opening"
    assert found[0].anchor == "2026-11-20"

    # a note on the day does not count; an email does
    noted = vault(c, logs={c.path: ["2026-11-02 coffee", "2026-11-03 thanks", "2026-11-21: heard she moved teams"]})
    assert [i.rule for i in items(noted, date(2026, 11, 22))] == ["follow-up"]
    done = vault(c, logs={c.path: ["2026-11-02 coffee", "2026-11-03 thanks", "2026-11-20 email: asked about Q1"]})
    assert items(done, date(2026, 11, 22), rule="follow-up") == []


def test_follow_up_without_next_step_names_the_day() -> None:
    c = person("Dana Park", follow_up=date(2026, 11, 20))
    assert items(vault(c), date(2026, 11, 1), rule="follow-up")[0].reason == "Follow up with Dana Park (planned for 20 Nov)"


# --- thank-you ------------------------------------------------------------------------------


def test_thank_you_day_after_the_latest_meeting_with_context() -> None:
    v = vault(ANA, logs={ANA.path: ["2026-11-10: first note", "2026-11-12 email: asked for coffee",
                               "2026-11-13 reply: yes", "2026-11-18 coffee: talked fintech hiring"]},
              mtimes={ANA.path: 1_763_000_000_123_456_789})
    [item] = items(v, date(2026, 11, 18))
    assert (item.rule, item.due, item.anchor) == ("thank-you", date(2026, 11, 19), "2026-11-18")
    assert item.reason == "Thank Ana Lopez for the coffee on 18 Nov"
    assert item.recent == ("2026-11-13 reply: yes", "2026-11-18 coffee: talked fintech hiring")
    assert (item.email, item.phone, item.linkedin) == ("ana@fabrikam.example", "+1 555 0100", "https://linkedin.com/in/ana")
    assert (item.next_step, item.ask_about, item.offers) == ("send portfolio", ("her marathon",), ("intro to Sam",))
    assert item.modified == datetime(2025, 11, 13, 2, 13, 20, 123456, tzinfo=timezone.utc)
    assert item.path == "People/Ana Lopez.md"


def test_thank_you_ends_with_thanks_outreach_or_update_even_the_same_day() -> None:
    for word in ("thanks", "email", "update"):
        v = vault(ANA, logs={ANA.path: ["2026-11-18 coffee", f"2026-11-18 {word}: sent"]})
        assert items(v, date(2026, 11, 19), rule="thank-you") == [], word
    # a thank-you for an earlier meeting does not cover a later one
    v = vault(ANA, logs={ANA.path: ["2026-11-02 coffee", "2026-11-03 thanks", "2026-11-18 call"]})
    assert [(i.due, i.reason) for i in items(v, date(2026, 11, 19), rule="thank-you")] == [
        (date(2026, 11, 19), "Thank Ana Lopez for the call on 18 Nov")]
    # a note or a reply after the meeting does not
    v = vault(ANA, logs={ANA.path: ["2026-11-18 coffee", "2026-11-18: she likes Go", "2026-11-19 reply: great to meet"]})
    assert len(items(v, date(2026, 11, 19), rule="thank-you")) == 1


def test_thank_you_window_keeps_old_meetings_quiet() -> None:
    v = vault(ANA, logs={ANA.path: ["2026-10-01 coffee"]})
    assert len(items(v, date(2026, 10, 31), rule="thank-you")) == 1  # 30 days: still overdue, still shown
    assert items(v, date(2026, 11, 1), rule="thank-you") == []
    assert len(items(v, date(2026, 11, 1), config(rules__thank_you_window="60d"), rule="thank-you")) == 1


def test_a_meeting_note_counts_for_two_people() -> None:
    meeting = "Meetings/2026-11-18 Fabrikam panel.md"
    shared = dict(source=meeting, line=3, date=date(2026, 11, 18), kind="met", word="met", text="Fabrikam panel")
    v = vault(ANA, CHEN, interactions=[Interaction(contact=ANA.path, **shared), Interaction(contact=CHEN.path, **shared)],
              logs={ANA.path: ["2026-11-18 thanks: sent a note"]})
    found = items(v, date(2026, 11, 19))
    assert brief(found) == [("thank-you", "Chen Wu", date(2026, 11, 19))]  # Ana was thanked after the meeting
    assert found[0].reason == "Thank Chen Wu for the meeting on 18 Nov"
    assert found[0].recent == ("2026-11-18 met: Fabrikam panel",)


# --- nudge and gone quiet -------------------------------------------------------------------


def test_nudge_after_seven_business_days_counting_the_attempt() -> None:
    v = vault(CHEN, logs={CHEN.path: ["2026-11-06 email: asked for 20 minutes"]})  # a Friday
    [item] = items(v, date(2026, 11, 6))
    assert (item.rule, item.due, item.anchor) == ("nudge", date(2026, 11, 17), "2026-11-06")
    assert item.reason == "No reply from Chen Wu since 6 Nov: nudge (2nd of 3)"

    v = vault(CHEN, logs={CHEN.path: ["2026-11-06 email", "2026-11-17 email: nudge", "2026-11-17: no answer yet"]})
    [item] = items(v, date(2026, 11, 17))
    assert (item.due, item.anchor) == (date(2026, 11, 26), "2026-11-17")
    assert item.reason == "No reply from Chen Wu since 6 Nov: nudge (3rd of 3)"


def test_a_reply_resets_the_nudge_count() -> None:
    v = vault(CHEN, logs={CHEN.path: ["2026-10-01 email", "2026-10-12 email", "2026-10-15 reply: busy until November",
                                 "2026-11-02 email: checking back"]})
    [item] = items(v, date(2026, 11, 2))
    assert item.reason == "No reply from Chen Wu since 2 Nov: nudge (2nd of 3)"
    assert item.due == date(2026, 11, 11)
    assert gone_quiet(v, QUIET, date(2026, 11, 2)) == []


def test_thanks_and_updates_neither_end_nor_extend_a_run() -> None:
    v = vault(CHEN, logs={CHEN.path: ["2026-11-02 email", "2026-11-03 update: monthly news", "2026-11-04 thanks"]})
    [item] = items(v, date(2026, 11, 4))
    assert (item.rule, item.due) == ("nudge", date(2026, 11, 11))
    assert "(2nd of 3)" in item.reason


def test_gone_quiet_after_max_attempts_is_not_nagged() -> None:
    v = vault(CHEN, logs={CHEN.path: ["2026-11-02 email", "2026-11-11 email", "2026-11-20 linkedin"]})
    assert items(v, date(2026, 12, 15)) == []
    [quiet] = gone_quiet(v, QUIET, date(2026, 12, 15))
    assert (quiet.rule, quiet.contact, quiet.anchor, quiet.due) == ("gone-quiet", "Chen Wu", "2026-11-02", date(2026, 12, 1))
    assert quiet.reason == "Chen Wu has not answered 3 messages since 2 Nov: gone quiet, no more nudges"
    # with max_attempts = 4 the same log earns a last nudge
    cfg = config(rules__monthly_update="off", rules__new_per_week=0, rules__max_attempts=4)
    assert [i.reason for i in items(v, date(2026, 12, 15), cfg)] == ["No reply from Chen Wu since 2 Nov: nudge (4th of 4)"]
    assert gone_quiet(v, cfg, date(2026, 12, 15)) == []


def test_a_meeting_after_messages_ends_the_run() -> None:
    v = vault(CHEN, logs={CHEN.path: ["2026-11-02 email", "2026-11-11 email", "2026-11-20 email", "2026-11-25 call"]})
    assert gone_quiet(v, QUIET, date(2026, 11, 26)) == []
    assert [i.rule for i in items(v, date(2026, 11, 26))] == ["thank-you"]


# --- referral -------------------------------------------------------------------------------


def test_referral_from_a_log_line_is_due_the_next_day() -> None:
    priya = person("Priya Shah", added=date(2026, 11, 1))
    v = vault(ANA, priya, logs={ANA.path: ["2026-11-18 coffee: suggested [[Priya Shah]]", "2026-11-18 thanks"]},
              referrals=[Referral(priya.path, ANA.path, "Ana Lopez", None, priya.path, 5),
                         Referral(priya.path, ANA.path, "Ana Lopez", date(2026, 11, 18), ANA.path, 12)])
    [item] = items(v, date(2026, 11, 18))
    assert (item.rule, item.contact, item.due, item.anchor) == ("referral", "Priya Shah", date(2026, 11, 19), "2026-11-18")
    assert item.reason == "Reach out to Priya Shah: referred by Ana Lopez on 18 Nov"


def test_referral_falls_back_to_added_then_first_seen() -> None:
    priya = person("Priya Shah", added=date(2026, 11, 5))
    sam = person("Sam Ito")
    refs = [Referral(priya.path, None, "Jo from the meetup", None, priya.path, 4),
            Referral(sam.path, None, "Jo from the meetup", None, sam.path, 4)]
    v = vault(priya, sam, referrals=refs, first_seen={sam.path: date(2026, 11, 9)})
    assert [(i.contact, i.due, i.reason) for i in items(v, date(2026, 11, 9))] == [
        ("Priya Shah", date(2026, 11, 6), "Reach out to Priya Shah: referred by Jo from the meetup"),
        ("Sam Ito", date(2026, 11, 10), "Reach out to Sam Ito: referred by Jo from the meetup"),
    ]


def test_referral_ends_with_the_first_interaction_and_excludes_outreach() -> None:
    priya = person("Priya Shah", added=date(2026, 11, 5))
    refs = [Referral(priya.path, None, "Jo", None, priya.path, 4)]
    cfg = config(rules__monthly_update="off")
    assert [i.rule for i in items(vault(priya, referrals=refs), date(2026, 11, 9), cfg)] == ["referral"]
    noted = vault(priya, referrals=refs, logs={priya.path: ["2026-11-06: works on payments"]})
    assert [i.rule for i in items(noted, date(2026, 11, 9), cfg)] == ["referral"]
    emailed = vault(priya, referrals=refs, logs={priya.path: ["2026-11-06 email: Jo suggested I write"]})
    assert [i.rule for i in items(emailed, date(2026, 11, 9), cfg)] == ["nudge"]


# --- try-another ----------------------------------------------------------------------------


def test_try_another_picks_the_warm_colleague_and_only_one_per_company() -> None:
    bo = person("Bo Tran", company="Fabrikam", company_link=True)
    zoe = person("Zoe Adams", company="fabrikam", circles=("college",))
    yan = person("Yan Li", company="Fabrikam ")
    other = person("Al Bern", company="Contoso")
    v = vault(CHEN, bo, zoe, yan, other, logs={CHEN.path: ["2026-11-06 email: asked about the data team"]})
    found = items(v, date(2026, 11, 20), config(rules__monthly_update="off"))
    ta = [i for i in found if i.rule == "try-another"]
    assert brief(ta) == [("try-another", "Zoe Adams", date(2026, 11, 11))]  # Fri 6 Nov + 3bd = Wed 11 Nov
    assert ta[0].reason == "No reply from Chen Wu at Fabrikam since 6 Nov: try Zoe Adams, also at fabrikam"
    assert ta[0].anchor == "2026-11-06"
    # the suggestion replaces Zoe's outreach; the others are still planned
    assert sorted(i.contact for i in found if i.rule == "outreach") == ["Al Bern", "Bo Tran", "Yan Li"]
    assert [i.contact for i in found if i.rule == "nudge"] == ["Chen Wu"]


def test_try_another_without_warm_circles_goes_by_file_name_and_stops_on_a_reply() -> None:
    bo = person("Bo Tran", company="Fabrikam")
    yan = person("Yan Li", company="Fabrikam")
    v = vault(CHEN, yan, bo, logs={CHEN.path: ["2026-11-06 email"]})
    assert brief(items(v, date(2026, 11, 9), rule="try-another")) == [("try-another", "Bo Tran", date(2026, 11, 11))]
    replied = vault(CHEN, yan, bo, logs={CHEN.path: ["2026-11-06 email", "2026-11-09 reply: let's talk"]})
    assert items(replied, date(2026, 11, 20), rule="try-another") == []


def test_try_another_follows_the_latest_attempt_at_the_company() -> None:
    bo = person("Bo Tran", company="Fabrikam")
    yan = person("Yan Li", company="Fabrikam")
    v = vault(CHEN, bo, yan, logs={CHEN.path: ["2026-11-02 email"], bo.path: ["2026-11-05 email"]})
    assert brief(items(v, date(2026, 11, 9), rule="try-another")) == [("try-another", "Yan Li", date(2026, 11, 10))]
    # once someone there has answered, stop trying others
    v = vault(CHEN, bo, yan, logs={CHEN.path: ["2026-11-02 email", "2026-11-06 reply"], bo.path: ["2026-11-05 email"]})
    assert items(v, date(2026, 11, 20), rule="try-another") == []


# --- keep-in-touch --------------------------------------------------------------------------


def test_keep_in_touch_with_a_calendar_month_from_31_january() -> None:
    c = person("Dana Park", cadence="1m")
    v = vault(c, logs={c.path: ["2026-01-30 email", "2026-01-31 reply: see you soon"]})
    [item] = items(v, date(2026, 2, 1))
    assert (item.rule, item.due, item.anchor) == ("keep-in-touch", date(2026, 2, 28), "2026-01-31")
    assert item.reason == "Keep in touch with Dana Park: last contact 31 Jan (every 1m)"


def test_keep_in_touch_cadence_from_circles_and_tags_shortest_wins() -> None:
    c = person("Dana Park", circles=("friend",), tags=("mentor",))
    cfg = config(rules__monthly_update="off", rules__new_per_week=0, cadence={"friend": "quarterly", "Mentor": "2w", "group": "1w"})
    v = vault(c, logs={c.path: ["2026-11-02 reply: thanks"]})
    assert brief(items(v, date(2026, 11, 3), cfg)) == [("keep-in-touch", "Dana Park", date(2026, 11, 16))]
    # the contact's own cadence wins, and `none` turns it off
    own = person("Dana Park", circles=("friend",), tags=("mentor",), cadence="none")
    assert items(vault(own, logs={own.path: ["2026-11-02 reply"]}), date(2026, 11, 3), cfg) == []
    # no interaction, no cadence: nothing
    assert items(vault(c), date(2026, 11, 3), cfg) == []
    assert items(vault(person("Eve"), logs={person("Eve").path: ["2026-11-02 reply"]}), date(2026, 11, 3)) == []


def test_keep_in_touch_waits_while_a_message_is_unanswered_or_a_follow_up_is_set() -> None:
    c = person("Dana Park", cadence="2w")
    v = vault(c, logs={c.path: ["2026-11-02 reply", "2026-11-04 email: any news?"]})
    assert [i.rule for i in items(v, date(2026, 11, 4))] == ["nudge"]
    planned = person("Dana Park", cadence="2w", follow_up=date(2027, 3, 1))
    assert [i.rule for i in items(vault(planned, logs={planned.path: ["2026-11-02 reply"]}), date(2026, 11, 4))] == ["follow-up"]


# --- outreach -------------------------------------------------------------------------------


def test_outreach_is_paced_over_weeks_warm_circles_first() -> None:
    people = [person(f"P{n:02d}") for n in range(12)] + [person("Zed Warm", circles=("Friend",))]
    v = vault(*people)
    cfg = config(rules__monthly_update="off", rules__new_per_week=5)
    found = items(v, date(2026, 11, 4), cfg)  # a Wednesday
    assert all(i.rule == "outreach" and i.anchor == "" for i in found)
    days = [(i.contact, i.due) for i in found]
    assert days[:4] == [("Zed Warm", date(2026, 11, 4)), ("P00", date(2026, 11, 5)), ("P01", date(2026, 11, 6)),
                        ("P02", date(2026, 11, 9))]
    assert [d for _, d in days[3:8]] == [date(2026, 11, d) for d in (9, 10, 11, 12, 13)]
    assert days[-1] == ("P11", date(2026, 11, 20))  # 3 this week, 5 the next, the last 5 the week after
    assert found[0].reason == "Reach out to Zed Warm for a first conversation (Friend)"
    assert found[1].reason == "Reach out to P00 for a first conversation"
    # never overdue: a day later the plan moves, the first item is due on the new day
    later = items(v, date(2026, 11, 7), cfg)  # a Saturday
    assert later[0].due == date(2026, 11, 9) and later[0].contact == "Zed Warm"


def test_outreach_order_warm_then_target_companies_then_most_recently_connected() -> None:
    # After an import of hundreds of connections, the order is the point: warm circles first,
    # then people at a company of Profile.md's target list, then the most recently connected
    # (added), ties (and contacts with no added date, last) by name.
    people = [
        person("Old Contact", added=date(2019, 5, 1)),
        person("New Contact", added=date(2026, 11, 1)),
        person("Also New", added=date(2026, 11, 1)),
        person("No Date"),
        person("At Fabrikam", company="fabrikam", added=date(2020, 1, 1)),
        person("Warm Cousin", circles=("family",), added=date(2010, 1, 1)),
    ]
    cfg = config(rules__monthly_update="off", rules__new_per_week=5)  # one a day from Monday 2 Nov
    found = follow_ups(vault(*people), cfg, date(2026, 11, 2), targets=("Fabrikam", "Northwind"))
    assert [i.contact for i in found] == ["Warm Cousin", "At Fabrikam", "Also New", "New Contact", "Old Contact",
                                          "No Date"]
    # without targets, the company does not count
    plain = follow_ups(vault(*people), cfg, date(2026, 11, 2))
    assert [i.contact for i in plain][:2] == ["Warm Cousin", "Also New"]


def test_outreach_two_a_week_and_off() -> None:
    v = vault(*[person(f"P{n}") for n in range(5)])
    found = items(v, date(2026, 11, 2), config(rules__monthly_update="off", rules__new_per_week=2))
    assert [i.due for i in found] == [date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 9), date(2026, 11, 11), date(2026, 11, 16)]
    assert items(v, date(2026, 11, 2)) == []  # QUIET has new_per_week = 0


def test_outreach_skips_contacted_people_and_waits_for_a_snooze() -> None:
    a, b, c = person("A"), person("B", snooze_until=date(2026, 11, 4)), person("C")
    d = person("D")
    v = vault(a, b, c, d, logs={d.path: ["2026-10-01 coffee"]})
    found = items(v, date(2026, 11, 2), config(rules__monthly_update="off", rules__new_per_week=5, rules__thank_you_window="1d"))
    assert [(i.contact, i.due) for i in found] == [("A", date(2026, 11, 2)), ("C", date(2026, 11, 3)), ("B", date(2026, 11, 4))]


# --- monthly update -------------------------------------------------------------------------


def test_monthly_update_counts_people_met_minus_inactive() -> None:
    met = [person(f"M{n}") for n in range(3)]
    paused = person("Pat", status="paused")
    only_email = person("Em")
    v = vault(*met, paused, only_email,
              logs={**{c.path: ["2026-09-01 coffee", "2026-09-02 thanks"] for c in met},
                    paused.path: ["2026-09-01 coffee"], only_email.path: ["2026-09-03 email", "2026-09-04 reply"]})
    cfg = config(rules__new_per_week=0)
    [item] = [i for i in follow_ups(v, cfg, date(2026, 11, 1)) if i.rule == "monthly-update"]
    assert (item.due, item.anchor, item.contact, item.path) == (date(2026, 11, 2), "2026-11", None, None)
    assert item.reason == "Send your November update to 3 people you have met"
    assert item.to_json()["contact"] is None


def test_monthly_update_overdue_until_logged_then_next_month() -> None:
    c = person("Dana Park")
    cfg = config(rules__new_per_week=0, rules__thank_you_window="1d")
    v = vault(c, logs={c.path: ["2026-09-01 coffee"]})
    [item] = [i for i in follow_ups(v, cfg, date(2026, 11, 20)) if i.rule == "monthly-update"]
    assert (item.due, item.reason) == (date(2026, 11, 2), "Send your November update to 1 person you have met")
    sent = vault(c, logs={c.path: ["2026-09-01 coffee", "2026-11-05 update: news"]})
    [item] = [i for i in follow_ups(sent, cfg, date(2026, 11, 20)) if i.rule == "monthly-update"]
    assert (item.due, item.anchor) == (date(2026, 12, 7), "2026-12")
    last_friday = config(rules__new_per_week=0, rules__thank_you_window="1d", rules__monthly_update="last friday")
    assert [i.due for i in follow_ups(v, last_friday, date(2026, 11, 20)) if i.rule == "monthly-update"] == [date(2026, 11, 27)]
    assert [i for i in follow_ups(vault(person("Nobody")), config(rules__new_per_week=0), date(2026, 11, 20))] == []


# --- snooze and status ----------------------------------------------------------------------


def test_snooze_moves_earlier_items_only() -> None:
    c = person("Dana Park", snooze_until=date(2026, 12, 1), follow_up=date(2026, 12, 10))
    v = vault(c, logs={c.path: ["2026-11-18 coffee"]})
    assert brief(items(v, date(2026, 11, 20))) == [
        ("thank-you", "Dana Park", date(2026, 12, 1)),
        ("follow-up", "Dana Park", date(2026, 12, 10)),
    ]
    assert items(v, date(2026, 11, 20))[0].anchor == "2026-11-18"  # same UID, new day


def test_inactive_statuses_produce_nothing() -> None:
    cfg = config(rules__new_per_week=5)
    for status in ("paused", "do-not-contact", "archived"):
        c = person("Dana Park", status=status, follow_up=date(2026, 11, 2), cadence="1w")
        v = vault(c, logs={c.path: ["2026-11-01 coffee", "2026-11-02 email", "2026-11-03 email", "2026-11-04 email"]})
        assert follow_ups(v, cfg, date(2026, 11, 5)) == [], status
        assert gone_quiet(v, cfg, date(2026, 11, 5)) == [], status
    # and a paused colleague is never suggested by try-another
    zoe = person("Zoe Adams", company="Fabrikam", status="paused")
    assert items(vault(CHEN, zoe, logs={CHEN.path: ["2026-11-02 email"]}), date(2026, 11, 20), rule="try-another") == []


# --- ordering and selection -----------------------------------------------------------------


def test_items_are_sorted_and_several_per_contact_are_kept() -> None:
    c = person("Dana Park", follow_up=date(2026, 11, 19))
    v = vault(c, ANA, logs={c.path: ["2026-11-18 coffee"], ANA.path: ["2026-11-18 coffee"]})
    assert brief(items(v, date(2026, 11, 18))) == [
        ("follow-up", "Dana Park", date(2026, 11, 19)),
        ("thank-you", "Ana Lopez", date(2026, 11, 19)),
        ("thank-you", "Dana Park", date(2026, 11, 19)),
    ]


def test_select_due_window_and_rules() -> None:
    c = person("Dana Park", follow_up=date(2026, 11, 25))
    v = vault(c, ANA, CHEN, logs={ANA.path: ["2026-11-10 coffee"], CHEN.path: ["2026-11-16 email"]})
    every = follow_ups(v, QUIET, date(2026, 11, 18))
    assert brief(select_due(every, date(2026, 11, 18))) == [("thank-you", "Ana Lopez", date(2026, 11, 11))]
    assert [i.rule for i in select_due(every, date(2026, 11, 18), within=7)] == ["thank-you", "follow-up", "nudge"]
    assert [i.rule for i in select_due(every, date(2026, 11, 18), within=30, rules={"nudge"})] == ["nudge"]


def test_default_config_is_usable() -> None:
    assert follow_ups(vault(), DEFAULT, date(2026, 11, 18)) == []


# --- end to end: note text -> items ---------------------------------------------------------


def _vault_from_text(notes: dict[str, str], cfg: Config = QUIET) -> Vault:
    from mdnet.graph import resolve
    from mdnet.vault.parse import parse_note

    parsed = [parse_note(path, text.encode(), cfg, mtime_ns=1_000_000_000) for path, text in notes.items()]
    return resolve(parsed, cfg)


def test_end_to_end_thank_you_referral_and_meeting_note() -> None:
    v = _vault_from_text({
        "People/Ana Lopez.md": "---\ntype: person\ncompany: \"[[Fabrikam]]\"\nemail: ana@fabrikam.example\n---\n"
                               "## Log\n- 2026-11-12 email: asked for coffee\n- 2026-11-13 reply: yes\n"
                               "- 2026-11-18 coffee: talked fintech hiring; suggested [[Priya Shah]]\n",
        "People/Priya Shah.md": "---\ntype: person\nadded: 2026-11-18\n---\nPayments lead.\n",
        "People/Chen Wu.md": "---\ncompany: Fabrikam\n---\n",
        "Meetings/2026-11-16 Panel.md": "---\ntype: meeting\ndate: 2026-11-16\nwith:\n  - \"[[Chen Wu]]\"\n---\nFintech panel\n",
    })
    found = follow_ups(v, QUIET, date(2026, 11, 18))
    assert [(i.rule, i.contact, i.due, i.reason) for i in found] == [
        ("thank-you", "Chen Wu", date(2026, 11, 17), "Thank Chen Wu for the meeting on 16 Nov"),
        # the coffee is on the as-of day: it is also that day's upcoming conversation
        ("upcoming", "Ana Lopez", date(2026, 11, 18), "Coffee with Ana Lopez on 18 Nov"),
        ("referral", "Priya Shah", date(2026, 11, 19), "Reach out to Priya Shah: referred by Ana Lopez on 18 Nov"),
        ("thank-you", "Ana Lopez", date(2026, 11, 19), "Thank Ana Lopez for the coffee on 18 Nov"),
    ]
    ana = found[3]
    assert ana.email == "ana@fabrikam.example"
    assert ana.recent == ("2026-11-13 reply: yes", "2026-11-18 coffee: talked fintech hiring; suggested [[Priya Shah]]")
    assert ana.modified == datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc)


def test_end_to_end_crlf_note_nudges_and_snooze() -> None:
    text = ("---\r\ntype: person\r\nsnooze_until: 2026-11-20\r\n---\r\n"
            "- 2026-11-06 email: asked for 20 minutes\r\n- 2026-11-09: heard she is travelling\r\n")
    v = _vault_from_text({"People/Chen Wu.md": text})
    [item] = follow_ups(v, QUIET, date(2026, 11, 10))
    assert (item.rule, item.due, item.anchor) == ("nudge", date(2026, 11, 20), "2026-11-06")  # 17 Nov, snoozed to 20 Nov
    assert item.reason == "No reply from Chen Wu since 6 Nov: nudge (2nd of 3)"


def test_end_to_end_an_error_in_an_unrelated_property_costs_nothing_else() -> None:
    v = _vault_from_text({
        "People/Sam Ito.md": "---\nmet: 2026-02-30\nreferred_by: \"[[Ana Lopez]]\"\nadded: 2026-11-10\n---\n- 2026-11-09: a note only\n",
        "People/Ana Lopez.md": "---\nphone: [unclosed\n---\n- 2026-11-18 call\n",
    })
    assert any(d.severity == "error" for n in v.notes for d in n.diagnostics)
    found = follow_ups(v, QUIET, date(2026, 11, 18))
    assert [(i.rule, i.contact, i.due) for i in found] == [
        ("referral", "Sam Ito", date(2026, 11, 11)),
        ("upcoming", "Ana Lopez", date(2026, 11, 18)),
        ("thank-you", "Ana Lopez", date(2026, 11, 19)),
    ]
    assert found[0].reason == "Reach out to Sam Ito: referred by Ana Lopez"


def test_modified_is_the_newest_note_the_item_depends_on() -> None:
    """A thank-you owed for a meeting note changes when the meeting note does:
    the feed's SEQUENCE comes from this, and Google keeps an event's old date
    unless SEQUENCE rises."""
    ana = person("Ana Lopez")
    meeting = Interaction(ana.path, "Meetings/Panel.md", 3, date(2026, 11, 18), "met", "", "Panel", ())
    ns = {ana.path: 1_700_000_000 * 10**9, "Meetings/Panel.md": 1_800_000_000 * 10**9}
    (item,) = items(vault(ana, interactions=[meeting], mtimes=ns), date(2026, 11, 19), rule="thank-you")
    assert item.modified == datetime.fromtimestamp(1_800_000_000, timezone.utc)
    ns["Meetings/Panel.md"] = 1_600_000_000 * 10**9
    (item,) = items(vault(ana, interactions=[meeting], mtimes=ns), date(2026, 11, 19), rule="thank-you")
    assert item.modified == datetime.fromtimestamp(1_700_000_000, timezone.utc)


# --- extreme dates and durations (issue 7) ------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from mdnet.config import MAX_DURATION, parse_duration  # noqa: E402
from mdnet.feed import build_feed  # noqa: E402

_durations = st.builds(lambda unit, n: f"{n}{unit}", st.sampled_from(sorted(MAX_DURATION)),
                       st.integers(min_value=1, max_value=10**6)).filter(lambda t: parse_duration(t) is not None) \
    | st.sampled_from(["9999y", "3652058d", "2608612bd", "521722w", "119988m", "1d", "1bd"])
_kinds = st.sampled_from(["coffee", "email", "reply", "thanks", "update", "note"])


def _extreme_vault(data: st.DataObject) -> Vault:
    contacts, lines, refs = [], {}, []
    for n in range(data.draw(st.integers(min_value=1, max_value=4))):
        c = person(f"P{n}", company="Co", circles=("friend",),
                   cadence=data.draw(st.none() | _durations),
                   follow_up=data.draw(st.none() | st.dates()), added=data.draw(st.none() | st.dates()),
                   snooze_until=data.draw(st.none() | st.dates()))
        contacts.append(c)
        lines[c.path] = sorted(f"{d.isoformat()} {k}: x" for d, k in
                               data.draw(st.lists(st.tuples(st.dates(), _kinds), max_size=4)))
        if data.draw(st.booleans()):
            refs.append(Referral(contact=c.path, referrer=None, referrer_name="Someone", source=c.path, line=1,
                                 date=data.draw(st.none() | st.dates())))
    return vault(*contacts, logs=lines, referrals=refs, first_seen={c.path: date(9999, 12, 31) for c in contacts})


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_every_date_and_duration_flows_through_rules_and_feed(data: st.DataObject) -> None:
    v = _extreme_vault(data)
    cfg = config(**{f"rules__{k}": data.draw(_durations) for k in
                    ("thank_you_window", "nudge_after", "try_another_after", "referral_after")},
                 cadence={"friend": data.draw(_durations)}, feed__window=data.draw(_durations),
                 rules__new_per_week=data.draw(st.integers(min_value=0, max_value=10)))
    as_of = data.draw(st.dates() | st.sampled_from([date.min, date.max, date(9999, 12, 27)]))
    problems: list = []
    got = follow_ups(v, cfg, as_of, diagnostics=problems)
    assert problems == []  # the arithmetic saturates: nothing had to be skipped
    gone_quiet(v, cfg, as_of)
    due = select_due(got, as_of, within=10**7)
    tz = timezone(timedelta(minutes=data.draw(st.integers(min_value=-14 * 60, max_value=14 * 60))))
    feed = build_feed(due, as_of=as_of, vault_name="v", tz=tz)
    assert feed.startswith(b"BEGIN:VCALENDAR") and feed.count(b"BEGIN:VEVENT") <= len(due)
    build_feed(due, as_of=as_of, todo=True)


def test_the_issue_reproductions_keep_the_other_contacts_items() -> None:
    ana = person("Ana", cadence="9999y")
    ben = person("Ben", added=date(9999, 12, 31))
    cy = person("Cy")
    v = vault(ana, ben, cy, logs={ana.path: ["9999-12-30 email: x"], cy.path: ["2026-11-18 coffee: hi"]},
              referrals=[Referral(contact=ben.path, referrer=None, referrer_name="Dee", source=ben.path, line=3, date=None)])
    got = items(v, date(2026, 11, 20), config(rules__nudge_after="7bd", rules__monthly_update="off",
                                              rules__new_per_week=0))
    assert ("thank-you", "Cy") in {(i.rule, i.contact) for i in got}
    assert {i.contact for i in got if i.rule == "nudge"} == {"Ana"}
    assert max(i.due for i in got) == date.max


def test_a_first_meeting_in_the_calendars_last_month_owes_no_update() -> None:
    """Met first on 15 Dec 9999: the first full month would be January 10000, which no
    calendar has; there is no update to send, and nothing to fail (found in review)."""
    ana = person("Ana")
    v = vault(ana, logs={ana.path: ["9999-12-15 coffee: x"]})
    problems: list = []
    got = follow_ups(v, config(rules__new_per_week=0), date(9999, 12, 31), diagnostics=problems)
    assert problems == []
    assert [i.rule for i in got if i.rule == "monthly-update"] == []


def test_an_update_sent_early_next_month_counts_for_the_month_it_names() -> None:
    """``mdnet update --sent`` on 1 December logs "November 2026 update": November's is
    done, December's is still to send (found in review: the line's date made it December's)."""
    ana = person("Ana")
    v = vault(ana, logs={ana.path: ["2026-10-05 coffee: x", "2026-12-01 update: November 2026 update"]})
    got = follow_ups(v, config(rules__new_per_week=0), date(2026, 12, 2))
    assert [(i.anchor, i.due.month) for i in got if i.rule == "monthly-update"] == [("2026-12", 12)]


def test_a_contact_whose_rules_raise_is_skipped_with_a_diagnostic() -> None:
    class Exploding(str):  # a value no real note yields: stands for any bug the arithmetic did not foresee
        def __format__(self, spec: str) -> str:
            raise OverflowError("boom")

    bad = Contact(path="People/Bad.md", name=Exploding("Bad"))
    good = person("Good")
    v = vault(bad, good, logs={bad.path: ["2026-11-18 coffee: x"], good.path: ["2026-11-18 coffee: y"]})
    problems: list = []
    got = follow_ups(v, QUIET, date(2026, 11, 20), diagnostics=problems)
    assert [(i.rule, i.contact) for i in got] == [("thank-you", "Good")]
    assert [(d.path, d.line, d.severity, d.code) for d in problems] == [("People/Bad.md", 1, "error", "rules-failed")]
    assert "OverflowError" in problems[0].message
# --- intent: the thank-you written as a message (issue 8) -------------------------------------


def test_first_message_after_a_meeting_within_the_window_is_the_thank_you() -> None:
    ana, bo = person("Ana", company="Acme"), person("Bo", company="Acme")
    v = vault(ana, bo, logs={ana.path: ["2026-12-15 coffee: at Tatte", "2026-12-16 email: great to see you"]})
    assert items(v, date(2026, 12, 31)) == []  # no thank-you left, no nudge on Christmas Day, no try-another
    again = vault(ana, bo, logs={ana.path: ["2026-12-15 coffee", "2026-12-16 email: great to see you",
                                            "2026-12-17 email: could you introduce me to your manager?"]})
    assert brief(items(again, date(2026, 12, 17), rule="nudge")) == [("nudge", "Ana", date(2026, 12, 28))]
    late = vault(ana, logs={ana.path: ["2026-10-01 coffee", "2026-11-16 email: checking in"]})  # window: 30d
    assert brief(items(late, date(2026, 11, 16), rule="nudge")) == [("nudge", "Ana", date(2026, 11, 25))]
    thanked = vault(ana, logs={ana.path: ["2026-12-15 coffee", "2026-12-15 thanks", "2026-12-16 email: one question"]})
    assert brief(items(thanked, date(2026, 12, 16), config(rules__monthly_update="off", rules__new_per_week=0,
                                                             rules__holidays="none"), rule="nudge")) == [
        ("nudge", "Ana", date(2026, 12, 25))]


# --- business days skip public holidays --------------------------------------------------------


def test_business_days_skip_the_public_holidays_of_the_chosen_country() -> None:
    ana = person("Ana")
    v = vault(ana, logs={ana.path: ["2026-12-16 email: asked for 20 minutes"]})

    def nudge_due(holidays: str) -> date:
        cfg = config(rules__monthly_update="off", rules__new_per_week=0, rules__holidays=holidays)
        return items(v, date(2026, 12, 16), cfg, rule="nudge")[0].due

    assert nudge_due("none") == date(2026, 12, 25)  # Christmas Day, a Friday
    assert nudge_due("US") == date(2026, 12, 28)
    assert nudge_due("GB-ENG") == date(2026, 12, 29)  # Boxing Day falls on Saturday: Monday 28 is off
    assert nudge_due("locale") == date(2026, 12, 25)  # unresolved (the edge resolves it): no holidays


def test_holidays_setting_is_checked() -> None:
    from mdnet.config import load_config

    for good in ("none", "locale", "US", "gb-eng", "DE"):
        assert load_config({"rules": {"holidays": good}})[1] == [], good
    for bad in ("XX", "GB-NOWHERE", 3):
        [d] = load_config({"rules": {"holidays": bad}})[1]
        assert d.code == "config-bad-value" and "holidays" in d.message


# --- the monthly update starts with your first full month, and names its recipients -----------


def test_monthly_update_starts_with_the_first_full_month_after_the_first_meeting() -> None:
    c = person("Dana Park", emails=("dana@example.com",))
    cfg = config(rules__new_per_week=0, rules__thank_you_window="1d")
    v = vault(c, logs={c.path: ["2026-11-27 coffee"]})
    [item] = [i for i in follow_ups(v, cfg, date(2026, 11, 30)) if i.rule == "monthly-update"]
    assert (item.due, item.anchor) == (date(2026, 12, 7), "2026-12")
    assert item.reason == "Send your December update to 1 person you have met"
    first_of_month = vault(c, logs={c.path: ["2026-11-01 coffee"]})
    [item] = [i for i in follow_ups(first_of_month, cfg, date(2026, 11, 30)) if i.rule == "monthly-update"]
    assert item.anchor == "2026-11"


def test_monthly_update_carries_its_recipients() -> None:
    a = person("Ana", emails=("ana@example.com", "ana@home.example"))
    b = person("Bo")
    paused = person("Cy", status="paused")
    v = vault(a, b, paused, logs={a.path: ["2026-09-01 coffee"], b.path: ["2026-09-02 call"],
                                  paused.path: ["2026-09-03 coffee"]})
    [item] = [i for i in follow_ups(v, config(rules__new_per_week=0), date(2026, 11, 20)) if i.rule == "monthly-update"]
    assert item.recipients == (("Ana", "ana@example.com"), ("Bo", None))
    assert item.to_json()["recipients"] == [{"name": "Ana", "email": "ana@example.com"}, {"name": "Bo", "email": None}]
    assert all(i.to_json()["recipients"] == [] for i in follow_ups(v, QUIET, date(2026, 9, 2)))


# --- new names: a link to someone with no note yet --------------------------------------------


def test_a_new_name_is_due_like_a_referral_until_it_has_a_note() -> None:
    from dataclasses import replace

    alex = person("Alex Kim")
    v = replace(vault(alex, logs={alex.path: ["2026-12-02 coffee"]}),
                new_names=(Referral("Pat Quinn", alex.path, "Alex Kim", date(2026, 12, 2), alex.path, 12),))
    [item] = items(v, date(2026, 12, 3), rule="referral")
    assert (item.contact, item.path, item.due) == ("Pat Quinn", "People/Alex Kim.md", date(2026, 12, 3))
    assert item.reason == "Alex Kim suggested Pat Quinn on 2 Dec: add them"
    from mdnet.feed import item_uid

    two = replace(vault(alex), new_names=(*v.new_names, Referral("Aisha Karim", alex.path, "Alex Kim", date(2026, 12, 2),
                                                                  alex.path, 12)),
                  referrals={alex.path: (Referral(alex.path, None, "Bea", date(2026, 12, 2), alex.path, 1),)})
    found = items(two, date(2026, 12, 3), rule="referral")
    assert len(found) == 3 and len({item_uid(i) for i in found}) == 3  # each name its own calendar event
