"""The prep brief (mdnet/prep.py) on a vault built here, and `mdnet prep` on a real one."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from mdnet.cli import cli
from mdnet.config import DEFAULT
from mdnet.graph import resolve
from mdnet.prep import PRACTICE, brief_json, build_brief, render_text
from mdnet.profile import parse_profile
from mdnet.vault.parse import parse_note

AS_OF = date(2026, 11, 30)

FILES = {
    "People/Maya Okafor.md": "---\nname: Maya Okafor\ncompany: Northwind\nrole: VP Payments\n---\n## Log\n"
                             "- 2026-11-10 coffee: suggested [[Ana Lopez]]\n- 2026-11-11 thanks\n",
    "People/Ana Lopez.md": (
        "---\nname: Ana Lopez\ncompany: \"[[Fabrikam]]\"\nrole: Payments lead\nreferred_by: \"[[Maya Okafor]]\"\n"
        "how_met: Maya's intro\nask_about:\n  - her Lisbon trip\noffers:\n  - send the deck\n  - intro to Bo Tran\n"
        "questions:\n  - How does the payments team hire?\n---\n## Log\n"
        "- 2026-11-12 email: asked for 20 minutes\n- 2026-11-13 reply: yes\n"
        "- 2026-11-18 coffee: great chat; suggested [[Chen Wu]]\n- 2026-11-19 thanks: sent the deck\n"
        "- 2026-11-20: heard she moved teams\n- 2026-12-03 call: follow-up, 9am\n"),
    "People/Chen Wu.md": "---\ncompany: Fabrikam\n---\n",
    "People/Zoe Adams.md": "---\ncompany: fabrikam\n---\n- 2026-11-01 email: hello\n",
    "People/Bo Tran.md": "---\ncompany: Fabrikam\n---\n",
    "Meetings/2026-11-25 Panel.md": "---\ntype: meeting\ndate: 2026-11-25\nwith: [\"[[Bo Tran]]\"]\n---\nPanel\n",
}

PROFILE = ("## My 30-second pitch\n> I analyse payments data.\n\n## Companies I'd love an introduction to\n"
           "- Fabrikam (payments platform team)\n\n## The ask\n\"Who are the first two or three people you would contact?\"\n")


def brief():  # type: ignore[no-untyped-def]
    v = resolve([parse_note(p, t.encode(), DEFAULT) for p, t in FILES.items()], DEFAULT)
    profile = parse_profile("Profile.md", PROFILE, {"questions": ["What would you do in my place?"]})
    return build_brief(v, profile, "People/Ana Lopez.md", AS_OF)


def test_the_brief_holds_what_the_advice_says_to_bring() -> None:
    b = brief_json(brief())
    assert b["referred_by"] == [{"name": "Maya Okafor", "path": "People/Maya Okafor.md", "stage": None, "date": "2026-11-10"}]
    assert b["last_spoke"] == "2026-11-19"  # the note of 20 Nov is not a conversation; 3 Dec is planned
    assert b["next_conversation"] == {"date": "2026-12-03", "time": "09:00", "word": "call", "text": "follow-up, 9am",
                                      "source": "People/Ana Lopez.md"}
    assert b["offers"] == [{"text": "send the deck", "delivered": "2026-11-19 thanks: sent the deck"},
                           {"text": "intro to Bo Tran", "delivered": None}]
    assert b["referred_you_to"] == [{"name": "Chen Wu", "path": "People/Chen Wu.md", "stage": "referred, not contacted",
                                     "date": "2026-11-18"}]
    assert b["recent"] == ["2026-11-13 reply: yes", "2026-11-18 coffee: great chat; suggested [[Chen Wu]]",
                           "2026-11-19 thanks: sent the deck"]
    assert b["target_company"] == {"name": "Fabrikam", "note": "payments platform team"}
    assert [(c["name"], c["stage"]) for c in b["colleagues"]] == [
        ("Bo Tran", "met"), ("Chen Wu", "referred, not contacted"), ("Zoe Adams", "waiting for a reply")]
    assert b["pitch"] == "I analyse payments data."
    assert b["ask"] == "Who are the first two or three people you would contact?"
    assert b["questions"] == ["What would you do in my place?", "How does the payments team hire?"]
    assert b["practice"] == PRACTICE


def test_the_text_brief_reads_in_the_order_of_the_conversation() -> None:
    text = render_text(brief())
    assert text.splitlines()[:5] == [
        "Ana Lopez - Payments lead, Fabrikam",
        "Next: call on 3 Dec at 09:00: follow-up, 9am",
        "How you met: Maya's intro",
        "Referred by Maya Okafor on 10 Nov",
        "Last spoke: 19 Nov (11 days ago)",
    ]
    order = ["Ask about", "You offered", "They did for you", "Last conversations", "At Fabrikam", "Your pitch",
             "Your ask", "Your questions", PRACTICE]
    assert [text.index(h) for h in order] == sorted(text.index(h) for h in order)
    assert "  - send the deck (done? 2026-11-19 thanks: sent the deck)" in text
    assert "  Fabrikam is a target company (payments platform team)" in text


def test_an_empty_brief_leaves_out_what_it_has_nothing_to_say_about() -> None:
    v = resolve([parse_note("People/Nobody.md", b"", DEFAULT)], DEFAULT)
    text = render_text(build_brief(v, parse_profile("Profile.md", "", {}), "People/Nobody.md", AS_OF))
    assert text == f"Nobody\nLast spoke: never (a first conversation)\n\n{PRACTICE}"


def test_prep_command_text_json_and_errors(vault) -> None:  # type: ignore[no-untyped-def]
    for path, text in FILES.items():
        vault.write(path, text)
    vault.write("Profile.md", "---\nquestions: [What would you do in my place?]\n---\n" + PROFILE)
    before = vault.snapshot()
    run = lambda *a: CliRunner().invoke(cli, ["--vault", str(vault.root), *a])  # noqa: E731
    r = run("prep", "ana", "--as-of", "2026-11-30", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == brief_json(brief())
    r = run("prep", "Ana Lopez", "--as-of", "2026-11-30")
    assert r.exit_code == 0 and r.stdout == render_text(brief()) + "\n"
    r = run("prep", "nobody-here")
    assert r.exit_code == 1 and "no contact matches 'nobody-here'" in r.stderr
    vault.write("People/Ana Banana.md", "---\ncompany: X\n---\n")
    r = run("prep", "an")
    assert r.exit_code == 1 and "matches 2 contacts" in r.stderr
    after = vault.snapshot()
    del after["People/Ana Banana.md"]
    assert after == before  # reading changes no note


# --- prep --md: the brief written into the meeting note, through the guarded writer ------------

from mdnet.vault.edit import insert_section  # noqa: E402

MEETING = ("---\r\ntype: meeting\r\ndate: 2026-12-03\r\nkind: call\r\nwith:\r\n  - \"[[Ana Lopez]]\"\r\n"
           "# keep: a comment\r\n---\r\n# Call with Ana\r\n\r\nAgenda first.\r\n\r\n## What we talked about\r\n\r\n- \r\n")


def md_vault(vault, *, meeting: bool):  # type: ignore[no-untyped-def]
    for path, text in FILES.items():
        vault.write(path, text)
    vault.write("Profile.md", "---\nquestions: [What would you do in my place?]\n---\n" + PROFILE)
    if meeting:
        vault.write("Meetings/2026-12-03 Call with Ana.md", MEETING)
    run = lambda *a: CliRunner().invoke(cli, ["--vault", str(vault.root), *a])  # noqa: E731
    return run


def test_md_into_an_existing_meeting_note_adds_exactly_the_section(vault) -> None:  # type: ignore[no-untyped-def]
    run = md_vault(vault, meeting=True)
    before = vault.snapshot()
    r = run("prep", "ana", "--md", "--as-of", "2026-11-30")
    assert r.exit_code == 0, r.output
    assert r.stdout == "Meetings/2026-12-03 Call with Ana.md: wrote the prep brief for Ana Lopez\n"
    after = vault.snapshot()
    rel = "Meetings/2026-12-03 Call with Ana.md"
    assert {k: v for k, v in after.items() if k != rel} == {k: v for k, v in before.items() if k != rel}
    head, tail = MEETING.split("## What we talked about")
    new = after[rel].decode()
    assert new.startswith(head) and new.endswith("## What we talked about" + tail)  # all else byte for byte
    section = new[len(head):-len("## What we talked about" + tail)]
    assert section.startswith("## Prep brief\r\n\r\n**Ana Lopez - Payments lead, Fabrikam**\r\n"
                              "- Next: call on 3 Dec at 09:00: Call with Ana\r\n")
    assert section.endswith("\r\n\r\n") and section.count("\n") == section.count("\r\n")  # the note's CRLF
    assert "**Your ask**" in section and "days ago" not in section
    # The brief is in the note: no reminder to prepare; a second --md refuses and writes nothing.
    r = run("due", "--as-of", "2026-12-02", "--rule", "prepare", "--json")
    assert json.loads(r.stdout) == []
    r = run("prep", "ana", "--md", "--as-of", "2026-11-30")
    assert r.exit_code == 1 and "already has a section '## Prep brief'" in r.stderr
    assert vault.snapshot() == after


def test_md_creates_the_meeting_note_from_the_template(vault) -> None:  # type: ignore[no-untyped-def]
    run = md_vault(vault, meeting=False)
    vault.write("Templates/Meeting.md", "---\ntype: meeting\ndate: {{date}}\nkind: meeting\nwith: []\n---\n"
                                        "# {{title}}\n\n## What we talked about\n")
    before = vault.snapshot()
    r = run("prep", "ana", "--md", "--as-of", "2026-11-30", "--json")
    assert r.exit_code == 0, r.output
    rel = "Meetings/2026-12-03 Call with Ana Lopez.md"
    assert json.loads(r.stdout) == {"path": rel, "created": True, "written": True}
    after = vault.snapshot()
    assert set(after) - set(before) == {rel} and all(after[k] == v for k, v in before.items())
    text = after[rel].decode()
    assert text.startswith("---\ntype: meeting\ndate: 2026-12-03\nkind: call\nwith: [\"[[Ana Lopez]]\"]\n"
                           "time: 09:00\n---\n# 2026-12-03 Call with Ana Lopez\n\n## Prep brief\n\n**Ana Lopez")
    assert text.endswith("\n\n## What we talked about\n")
    r = run("check")
    assert r.exit_code == 0, r.output
    # the new note and the log line are one conversation, at 9:00, prepared
    r = run("due", "--as-of", "2026-12-02", "--within", "1d", "--json")
    assert [(i["rule"], i["time"]) for i in json.loads(r.stdout) if i["contact"] == "Ana Lopez"] == [("upcoming", "09:00")]


def test_md_needs_a_planned_conversation(vault) -> None:  # type: ignore[no-untyped-def]
    run = md_vault(vault, meeting=False)
    before = vault.snapshot()
    r = run("prep", "chen", "--md", "--as-of", "2026-11-30")
    assert r.exit_code == 1 and "no conversation planned with Chen Wu" in r.stderr
    assert vault.snapshot() == before


def test_insert_section_goes_before_the_first_level_2_heading_or_at_the_end() -> None:
    assert insert_section("# T\n\n## A\n", "Prep brief", ["x"]) == "# T\n\n## Prep brief\n\nx\n\n## A\n"
    assert insert_section("# T", "Prep brief", ["x"]) == "# T\n\n## Prep brief\n\nx\n"
    fenced = "# T\n```\n## not a heading\n```\n"
    assert insert_section(fenced, "Prep brief", ["x"]) == fenced + "\n## Prep brief\n\nx\n"


def test_colleagues_and_the_target_match_company_spellings_as_the_reports_do() -> None:
    """Prep matched companies by strip+casefold while try-another and the reports collapse
    inner spaces and normalise Unicode: 'Fabrikam  Bank' (two spaces) or an NFD 'Café'
    was a colleague in the pipeline report and not in the brief."""
    import unicodedata

    cafe_nfd = unicodedata.normalize("NFD", "Café Co")
    files = {
        "People/Ana.md": "---\ncompany: Fabrikam  Bank\n---\n",
        "People/Bo.md": "---\ncompany: fabrikam bank\n---\n",
        "People/Cy.md": f"---\ncompany: {cafe_nfd}\n---\n",
        "People/Di.md": "---\ncompany: Café Co\n---\n",
    }
    v = resolve([parse_note(p, t.encode(), DEFAULT) for p, t in files.items()], DEFAULT)
    profile = parse_profile("Profile.md", "## Companies I'd love an introduction to\n- Fabrikam Bank\n", {})
    ana = build_brief(v, profile, "People/Ana.md", AS_OF)
    assert [p.name for p in ana.colleagues] == ["Bo"] and ana.target is not None
    assert [p.name for p in build_brief(v, profile, "People/Cy.md", AS_OF).colleagues] == ["Di"]
