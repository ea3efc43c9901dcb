"""Reports, the monthly update and the pitch: exact numbers on vaults built in the test."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli
from mdnet.cli.reports import load_inputs
from mdnet.reports import REPORTS, activity, favors, people_list, pipeline, sources
from mdnet.reports import markdown as md
from mdnet.reports import pitch as pitch_report
from mdnet.reports import update as upd
from mdnet.reports.common import Inputs, to_json
from mdnet.reports.stamp import edited, stamp
from mdnet.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
MERMAID = ROOT / "tests" / "mermaid"


def inputs(vault, as_of: date, **kw) -> Inputs:
    with Workspace.open(vault.root) as ws:
        ws.refresh(today=as_of)
        return load_inputs(ws, as_of, **kw)


def run(vault, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--vault", str(vault.root), *args])
    return r.exit_code, r.stdout, r.stderr


# --- activity --------------------------------------------------------------------------------


def test_a_meeting_with_three_people_is_one_conversation_and_three_people_met(vault):
    for name in ("Ana", "Ben", "Cai"):
        vault.person(name, log="- 2026-11-02 email: hello\n")
    vault.person("Dee", log="- 2026-11-04 coffee: long chat\n- 2026-11-05 reply: thanks\n")
    vault.write("Meetings/Panel.md", "---\ntype: meeting\ndate: 2026-11-03\nwith: ['[[Ana]]', '[[Ben]]', '[[Cai]]']\n---\n")
    a = activity.build(inputs(vault, date(2026, 11, 8)))
    week = next(w for w in a.weeks if w.week == "2026-W45")
    assert (week.conversations, week.people_met, week.outreach, week.replies) == (2, 4, 3, 1)
    assert (a.totals.conversations, a.totals.people_met) == (2, 4)
    assert dict(a.heatmap)[date(2026, 11, 3)] == 1  # one event that day, not three


def test_streaks_run_across_the_year_boundary_and_iso_week_53(vault):
    # 2020 has an ISO week 53 (28 Dec 2020 - 3 Jan 2021).
    vault.write("mdnet.toml", "[goals]\nconversations_per_week = 1\noutreach_per_week = 0\n")
    log = "".join(f"- {d} call: x\n" for d in (
        "2020-11-30",  # W49: a streak of one, then W50 is empty
        "2020-12-14", "2020-12-21", "2020-12-31", "2021-01-05"))  # W51, W52, W53, 2021-W01
    vault.person("Ana", log=log)
    a = activity.build(inputs(vault, date(2021, 1, 6), since=date(2020, 12, 14)))
    assert [w.week for w in a.weeks] == ["2020-W51", "2020-W52", "2020-W53", "2021-W01"]
    assert [w.kept for w in a.weeks] == [True, True, True, True]
    assert (a.current_streak, a.longest_streak) == (4, 4)
    # The week in progress does not break the streak until it is over.
    b = activity.build(inputs(vault, date(2021, 1, 11)))
    assert (b.current_streak, b.longest_streak) == (4, 4)
    c = activity.build(inputs(vault, date(2021, 1, 18)))
    assert (c.current_streak, c.longest_streak) == (0, 4)


def test_the_habit_slipping_is_said_plainly(vault):
    vault.write("mdnet.toml", "[goals]\nconversations_per_week = 3\noutreach_per_week = 0\n")
    vault.person("Ana", log="- 2026-11-10 coffee: x\n- 2026-11-20 call: y\n- 2026-10-01 call: old\n")
    a = activity.build(inputs(vault, date(2026, 11, 23)))
    assert a.slip == "2 conversations in the last 3 weeks; your goal is 3 a week."
    vault.write("mdnet.toml", "[goals]\nconversations_per_week = 0\noutreach_per_week = 0\n")
    assert activity.build(inputs(vault, date(2026, 11, 23))).slip is None


# --- sources ---------------------------------------------------------------------------------


def test_a_referral_chain_three_deep(vault):
    vault.person("Ana", log="- 2026-11-02 coffee: suggested [[Ben]]\n")
    vault.person("Ben", "referred_by: '[[Ana]]'\n", "- 2026-11-05 call: x\n")
    vault.person("Cai", "referred_by: '[[Ben]]'\ncompany: Fabrikam\n")
    vault.person("Dee", "referred_by: Cai\ncompany: '[[Woodgrove]]'\n")
    vault.write("Profile.md", "# Me\n\n## Companies I'd love an introduction to\n- Woodgrove (risk)\n- Tailspin\n")
    s = sources.build(inputs(vault, date(2026, 11, 23)))
    by = {x.name: x for x in s.sources}
    assert (s.referred, s.referrals) == (3, 3)
    assert (by["Ana"].direct, by["Ana"].chain, by["Ana"].direct_met, by["Ana"].chain_met) == (1, 3, 1, 1)
    assert (by["Ben"].direct, by["Ben"].chain) == (1, 2)
    assert (by["Cai"].direct, by["Cai"].chain) == (1, 1)
    assert by["Ana"].companies == ("Woodgrove",)
    assert by["Ana"].share == pytest.approx(1 / 3, abs=1e-3)
    (t,) = s.trees
    assert t.size == 4
    assert [(n.name, n.depth) for n in t.nodes] == [("Ana", 0), ("Ben", 1), ("Cai", 2), ("Dee", 3)]


def test_a_cycle_in_referred_by_is_reported_not_followed(vault):
    vault.person("Xia", "referred_by: '[[Yuri]]'\n")
    vault.person("Yuri", "referred_by: '[[Xia]]'\n")
    s = sources.build(inputs(vault, date(2026, 11, 23)))
    assert s.cycles == (("Xia", "Yuri"),)
    assert {(x.name, x.direct, x.chain) for x in s.sources} == {("Xia", 1, 1), ("Yuri", 1, 1)}
    (tree,) = s.trees
    assert [(n.name, n.depth, n.cycle) for n in tree.nodes] == [("Xia", 0, False), ("Yuri", 1, False), ("Xia", 2, True)]
    code, out, _ = run(vault, "report", "sources", "--as-of", "2026-11-23")
    assert code == 0 and "Xia -> Yuri -> Xia" in out


def _cut(report, person):
    """What sources.around must give: the report's tree holding ``person``, cut to the
    chain above them and everything below (the lines above drawn as last children)."""
    from dataclasses import replace

    for tree in report.trees:
        for i, node in enumerate(tree.nodes):
            if node.id == person and not node.cycle:
                above, depth = [], node.depth
                for up in reversed(tree.nodes[:i]):
                    if up.depth < depth and not up.cycle:
                        above.append(replace(up, last=True))
                        depth = up.depth
                below = []
                for down in tree.nodes[i + 1:]:
                    if down.depth <= node.depth:
                        break
                    below.append(down)
                return (*reversed(above), replace(node, last=True), *below)
    return ()


def test_the_tree_around_someone_in_a_cycle_ends_at_the_loop_mark(vault):
    """``sources.around``: the chain above (no further than the tree's root) and the lines
    below, the loop's mark included; the mark is never taken for the person."""
    vault.person("Xia", "referred_by: '[[Yuri]]'\n")
    vault.person("Yuri", "referred_by: '[[Xia]]'\n", "- 2026-11-02 coffee: x\n")
    vault.person("Zed", "referred_by: '[[Yuri]]'\n")
    inp = inputs(vault, date(2026, 11, 23))
    xia, yuri = "People/Xia.md", "People/Yuri.md"
    assert [(n.name, n.depth, n.cycle, n.last, n.met) for n in sources.around(inp, yuri)] == [
        ("Xia", 0, False, True, False), ("Yuri", 1, False, True, True), ("Xia", 2, True, False, False),
        ("Zed", 2, False, True, False)]
    assert [(n.name, n.depth, n.cycle) for n in sources.around(inp, xia)] == [
        ("Xia", 0, False), ("Yuri", 1, False), ("Xia", 2, True), ("Zed", 2, False)]
    assert [n.name for n in sources.around(inp, "People/Zed.md")] == ["Xia", "Yuri", "Zed"]
    assert sources.around(inp, "People/Nobody.md") == ()


def test_the_tree_around_each_person_is_cut_from_the_reports_trees(vault):
    """Every person's tree around them is the Sources report's tree, cut: two chains, a
    person referred twice (drawn under the first), a referrer with no note, a cycle."""
    vault.person("Ana", "referred_by: Grandma Rose\n", "- 2026-11-04 coffee: x\n")
    vault.person("Ben", "referred_by: '[[Ana]]'\n")
    vault.person("Cai", "referred_by: '[[Ben]]'\ncompany: Acme\n", "- 2026-11-05 met: y\n")
    vault.person("Dee", "referred_by: '[[Ben]]'\n")
    vault.person("Eve", "referred_by: '[[Ana]]'\n", "- 2026-11-06 met: suggested [[Dee]]\n")  # dated: Dee's first
    vault.person("Fay", "referred_by: '[[Cai]]'\n")
    vault.person("Xia", "referred_by: '[[Yuri]]'\n")
    vault.person("Yuri", "referred_by: '[[Xia]]'\n")
    vault.person("Zed", "referred_by: '[[Yuri]]'\n")
    vault.person("Loner", "")
    inp = inputs(vault, date(2026, 11, 23))
    report = sources.build(inp)
    people = [n.id for t in report.trees for n in t.nodes if not n.cycle] + ["People/Loner.md"]
    assert len(people) == 11
    for person in people:
        assert sources.around(inp, person) == _cut(report, person), person
    assert [n.name for n in sources.around(inp, "People/Ben.md")] == ["Grandma Rose", "Ana", "Ben", "Cai", "Fay"]
    assert [n.name for n in sources.around(inp, "People/Dee.md")] == ["Grandma Rose", "Ana", "Eve", "Dee"]

def test_a_referrer_not_in_the_vault_is_a_source_by_name(vault):
    vault.person("Ana", "referred_by: Grandma Rose\n", "- 2026-11-04 coffee: x\n")
    vault.person("Ben", "referred_by: '[[grandma rose]]'\n")
    s = sources.build(inputs(vault, date(2026, 11, 23)))
    (src,) = s.sources
    assert (src.name, src.in_vault, src.direct, src.direct_met) == ("Grandma Rose", False, 2, 1)
    (m,) = s.missing
    assert (m.name, m.referred) == ("Grandma Rose", ("Ana", "Ben"))
    assert m.where == ("People/Ana.md:2", "People/Ben.md:2")


def test_sources_are_the_referrals_the_referral_rule_sees(vault):
    vault.person("Ana", log="- 2026-11-02 coffee: suggested [[Ben]] and [[Cai]]\n")
    vault.person("Ben")
    vault.person("Cai")
    inp = inputs(vault, date(2026, 11, 23))
    s = sources.build(inp)
    assert s.referred == sum(1 for refs in inp.vault.referrals.values() if refs) == 2


# --- pipeline --------------------------------------------------------------------------------


def test_a_company_written_three_ways_is_one_company(vault):
    vault.write("Profile.md", "# Me\n\n## Companies I'd love an introduction to\n"
                              "- [[Fabrikam]] (payments)\n- Woodgrove Bank - risk\n")
    vault.person("Ana", "company: Fabrikam\n", "- 2026-11-02 coffee: x\n")
    vault.person("Ben", "company: '[[Fabrikam]]'\n", "- 2026-11-10 email: hello\n")
    vault.person("Cai", "company: ' fabrikam '\n")
    vault.person("Dee", "company: Contoso\n", "- 2026-11-10 email: hi\n- 2026-11-12 reply: later\n")
    p = pipeline.build(inputs(vault, date(2026, 11, 20)))
    assert [(c.name, c.target, len(c.people)) for c in p.companies] == [
        ("Woodgrove Bank", True, 0), ("Fabrikam", True, 3), ("Contoso", False, 1)]
    assert (p.targets, p.targets_known) == (2, 1)
    fab = p.companies[1]
    assert fab.note == "payments"
    assert [(x.name, x.stage, x.last) for x in fab.people] == [
        ("Ana", "met", date(2026, 11, 2)), ("Ben", "reached out", date(2026, 11, 10)), ("Cai", "never contacted", None)]
    assert fab.people[1].next_rule == "nudge"
    assert p.companies[2].people[0].stage == "replied"


def test_gone_quiet_is_a_stage(vault):
    vault.person("Ana", "company: Fabrikam\n",
                 "- 2026-10-01 email: a\n- 2026-10-12 email: b\n- 2026-10-23 email: c\n")
    p = pipeline.build(inputs(vault, date(2026, 11, 20)))
    assert p.companies[0].people[0].stage == "gone quiet"


# --- list and favors -------------------------------------------------------------------------


def test_the_list_counts(vault):
    vault.write("mdnet.toml", "[goals]\nlist_size = 10\n")
    vault.person("Ana", "circles: [friend, College]\nknows_search: true\nadded: 2026-11-16\n")
    vault.person("Ben", "circles: [college]\nadded: 2026-11-17\n", "- 2026-11-18 email: hi\n")
    vault.person("Cai", "status: archived\nadded: 2026-11-02\n")
    vault.person("Dee", "met: 2019-03-04\n", "- 2026-10-01 call: x\n")  # no added: the day you met
    x = people_list.build(inputs(vault, date(2026, 11, 20)))
    assert (x.people, x.goal, x.active, x.knows_search, x.never_contacted) == (4, 10, 3, 1, 1)
    assert x.circles == (("college", 2), ("(no circle)", 2), ("friend", 1))
    assert {w.week: w.added for w in x.added if w.added} == {"2026-W45": 1, "2026-W47": 2}


def test_favors_two_way_street(vault):
    vault.person("Ana", "offers: [the salary survey]\nask_about: [the Lisbon trip]\n",
                 "- 2026-11-02 coffee: suggested [[Ben]], [[Cai]]\n- 2026-11-09 call: more\n"
                 "- 2026-11-10 call: and [[Dee]]\n")
    vault.person("Ben", log="- 2026-11-12 intro: introduced him to [[Cai]]\n")
    vault.person("Cai")
    vault.person("Dee", "offers: [an intro to Rosa]\n", "- 2026-11-03 coffee: x\n- 2026-11-04 thanks: y\n")
    f = favors.build(inputs(vault, date(2026, 11, 20)))
    assert [(i.name, i.to) for i in f.intros] == [("Ben", ("Cai",))]
    by = {b.name: b for b in f.received}
    # Dee had met you on 3 Nov: Ana's [[Dee]] of 10 Nov is a mention, not a referral (issue 8)
    assert (by["Ana"].conversations, by["Ana"].referrals, by["Ana"].given) == (3, 2, 0)
    assert [b.name for b in f.receiving_end] == ["Ana"]
    assert [(o.name, o.offer, o.last_met, o.since) for o in f.offers] == [
        ("Ana", "the salary survey", date(2026, 11, 10), None),
        ("Dee", "an intro to Rosa", date(2026, 11, 3), date(2026, 11, 4))]
    assert [(a.name, a.items) for a in f.ask_about] == [("Ana", ("the Lisbon trip",))]


# --- the monthly update ----------------------------------------------------------------------


def _update_vault(vault):
    vault.write("Profile.md", "---\nname: Zoë Park\nemail: zoe@example.com\ntarget_role: Product analyst\n"
                              "industries: [fintech]\ngeography: Boston\n---\n# Me\n\n"
                              "## Companies I'd love an introduction to\n- Fabrikam (payments)\n\n"
                              "## The ask\n\"Who should I talk to next?\"\n")
    vault.person("José Álvarez", "email: jose@example.com\ncompany: Fabrikam\n", "- 2026-11-04 coffee: x\n")
    vault.person("Ben", "email: [ben@example.com, b2@example.com]\n", "- 2026-10-20 call: x\n- 2026-10-05 update: sent\n")
    vault.person("Cai", "email: cai@example.com\nstatus: paused\n", "- 2026-11-04 call: x\n")
    vault.person("Dee", "email: dee@example.com\nstatus: do-not-contact\n", "- 2026-11-04 call: x\n")
    vault.person("Eve", "email: eve@example.com\nstatus: archived\n", "- 2026-11-04 call: x\n")
    vault.person("Fay", log="- 2026-11-06 call: no email on file\n")
    vault.person("Gus", "email: gus@example.com\n", "- 2026-11-06 email: never met\n")


def test_update_recipients_and_what_it_says(vault):
    _update_vault(vault)
    u = upd.build(inputs(vault, date(2026, 12, 1), items=False))
    assert u.month == "2026-12" and u.subject == "Job search update: December 2026"
    assert [r.email for r in u.recipients] == ["ben@example.com", "jose@example.com"]
    assert [r.name for r in u.no_email] == ["Fay"]
    assert (u.last_update, u.since, u.until) == (date(2026, 10, 5), date(2026, 10, 6), date(2026, 12, 1))
    assert (u.conversations, u.people_met) == (6, 6)  # Cai, Dee and Eve count as conversations, not recipients
    assert u.sender == "Zoë Park <zoe@example.com>"
    assert u.helpers == ("Ben", "Cai", "Dee", "Eve", "Fay", "José")
    only = upd.build(inputs(vault, date(2026, 12, 1), items=False), to=("fabrikam",))
    assert [r.name for r in only.recipients] == ["José Álvarez"]


def test_the_update_for_the_calendars_last_month_is_drafted(vault):
    """December 9999 has no next month to end it: the draft covers up to its last day."""
    _update_vault(vault)
    u = upd.build(inputs(vault, date(9999, 12, 31), items=False), (9999, 12))
    assert u.month == "9999-12" and [r.email for r in u.recipients] == ["ben@example.com", "jose@example.com"]


def test_update_eml_parses_back_with_bcc_and_utf8(vault):
    _update_vault(vault)
    code, out, err = run(vault, "update", "--as-of", "2026-12-01")
    assert code == 0, err
    assert "wrote Updates/2026-12.md" in out and "No email for Fay" in out
    raw = (vault.root / "Updates" / "2026-12.eml").read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "Job search update: December 2026"
    assert msg["X-Unsent"] == "1"
    assert msg["From"] == "Zoë Park <zoe@example.com>" and msg["To"] == msg["From"]
    assert [a.addr_spec for a in msg["Bcc"].addresses] == ["ben@example.com", "jose@example.com"]
    assert msg["Bcc"].addresses[1].display_name == "José Álvarez"
    assert msg.get_content_charset() == "utf-8"
    body = msg.get_content()
    assert "Special thanks to Ben, Cai, Dee, Eve, Fay and José" in body
    assert "- Fabrikam (payments)" in body and "Who should I talk to next?" in body
    assert "%%" not in body and "mdnet_digest" not in body
    assert b"\r\n" in raw  # RFC 5322 line endings


def test_update_rebuilds_the_eml_from_the_users_edits(vault):
    _update_vault(vault)
    assert run(vault, "update", "--as-of", "2026-12-01")[0] == 0
    note = vault.root / "Updates" / "2026-12.md"
    text = note.read_text(encoding="utf-8")
    text = text.replace("Hi all,", "Dear friends,").replace('  - "Ben <ben@example.com>"\n', "")
    note.write_text(text, encoding="utf-8")
    code, out, _ = run(vault, "update", "--as-of", "2026-12-02")
    assert code == 0 and "kept your edits" in out
    assert note.read_text(encoding="utf-8") == text  # not a byte changed
    msg = email.message_from_bytes((vault.root / "Updates" / "2026-12.eml").read_bytes(), policy=email.policy.default)
    assert msg.get_content().startswith("Dear friends,")
    assert [a.addr_spec for a in msg["Bcc"].addresses] == ["jose@example.com"]


def test_update_note_is_not_a_note_of_the_vault(vault):
    _update_vault(vault)
    run(vault, "update", "--as-of", "2026-12-01")
    run(vault, "report", "activity", "--md", "--as-of", "2026-12-01")
    with Workspace.open(vault.root) as ws:
        ws.refresh(today=date(2026, 12, 1))
        paths = {n.path for n in ws.vault().notes}
    assert not any(p.startswith(("Updates/", "Reports/")) for p in paths)


def test_reading_reports_changes_no_byte(vault):
    _update_vault(vault)
    before = vault.snapshot()
    for name in REPORTS:
        for extra in ([], ["--json"]):
            assert run(vault, "report", name, "--as-of", "2026-12-01", *extra)[0] == 0
    assert run(vault, "pitch")[0] == 0
    assert vault.snapshot() == before


def test_bad_month_and_dates_are_refused(vault):
    vault.person("Ana")
    code, _, err = run(vault, "update", "--month", "2026-13")
    assert code == 2 and "not a month" in err
    code, _, err = run(vault, "report", "activity", "--since", "yesterday")
    assert code == 2 and "not a date" in err


# --- --md notes ------------------------------------------------------------------------------


def _example_vault(tmp_path: Path) -> Path:
    dst = tmp_path / "example"
    shutil.copytree(ROOT / "vault-template", dst)
    return dst


def mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)^```$", text, re.M | re.S)


def parse_mermaid(blocks: list[str]) -> list[dict]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: Mermaid's parser runs under Node")
    if not (MERMAID / "node_modules" / "mermaid").is_dir():
        pytest.skip("Mermaid's parser is not installed: cd tests/mermaid && npm ci (.ci/run does)")
    p = subprocess.run(["node", str(MERMAID / "check.mjs")], input=json.dumps(blocks), capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.mark.slow
def test_md_reports_parse_cleanly_and_their_mermaid_is_valid(tmp_path):
    from mdnet.config import DEFAULT
    from mdnet.vault.parse import parse_note

    root = _example_vault(tmp_path)
    blocks = []
    for name in REPORTS:
        r = CliRunner().invoke(cli, ["--vault", str(root), "report", name, "--md", "--as-of", "2026-11-23"])
        assert r.exit_code == 0, r.output
        path = root / "Reports" / f"2026-W48 {name}.md"
        note = parse_note(f"Reports/{path.name}", path.read_bytes(), DEFAULT)
        assert note.diagnostics == (), [str(d) for d in note.diagnostics]
        assert note.contact is None and note.properties["report"] == name
        blocks += mermaid_blocks(path.read_text(encoding="utf-8"))
    assert len(blocks) == 4  # activity's bars, sources' tree, pipeline's pie, list's bars
    results = parse_mermaid(blocks)
    assert [r["ok"] for r in results] == [True] * 4, results
    assert sorted(r["type"] for r in results) == ["flowchart-v2", "pie", "xychart", "xychart"]


@pytest.mark.slow
def test_mermaid_labels_survive_quotes_and_brackets(vault):
    vault.person('Ana "AJ" <Smith>', "company: A&B [Labs]\n", "- 2026-11-02 call: suggested [[Ben]]\n")
    vault.person("Ben", "referred_by: '[[Ana \"AJ\" <Smith>]]'\n")
    text = md.sources(sources.build(inputs(vault, date(2026, 11, 23))))
    (block,) = mermaid_blocks(text)
    assert '"Ana #quot;AJ#quot; #lt;Smith#gt; (A#amp;B [Labs])"' in block
    assert parse_mermaid([block])[0]["ok"]


def test_an_edited_report_is_never_overwritten(vault):
    vault.person("Ana", log="- 2026-11-02 call: x\n")
    args = ("report", "activity", "--md", "--as-of", "2026-11-23")
    code, out, _ = run(vault, *args)
    assert code == 0 and out.strip() == "wrote Reports/2026-W48 activity.md"
    assert run(vault, *args)[1].strip() == "Reports/2026-W48 activity.md (unchanged)"
    first = vault.root / "Reports" / "2026-W48 activity.md"
    first.write_text(first.read_text() + "\nMy thoughts on this week.\n")
    edited_bytes = first.read_bytes()
    code, out, err = run(vault, *args)
    assert out.strip() == "wrote Reports/2026-W48 activity (2).md"
    assert "was edited since mdnet wrote it" in err
    assert first.read_bytes() == edited_bytes


def test_stamp_detects_any_edit():
    text = stamp("---\na: 1\n---\nbody\n")
    assert not edited(text)
    assert edited(text.replace("body", "bodY"))
    assert edited(text.replace("a: 1", "a: 2"))
    assert edited("---\na: 1\n---\nbody\n")  # never stamped


# --- pitch -----------------------------------------------------------------------------------


def test_pitch_timing_and_template_warnings(vault):
    vault.write("Profile.md", "# Me\n\n## Pitch\n> " + " ".join(["word"] * 80) + "\n")
    p = pitch_report.build(Workspace.open(vault.root).profile())
    assert (p.words, p.seconds) == (80, 32)
    assert p.warnings == ("the pitch takes about 32 seconds to say (80 words); aim for 30 seconds, about 75 words",)
    code, out, _ = run(vault, "pitch", "--json")
    assert json.loads(out)["seconds"] == 32


def test_pitch_knows_the_starter_vaults_examples(tmp_path):
    root = _example_vault(tmp_path)
    with Workspace.open(root) as ws:
        profile = ws.profile()
    assert profile.target_role == pitch_report.TEMPLATE_ROLE
    assert profile.industries == pitch_report.TEMPLATE_INDUSTRIES
    assert profile.geography == pitch_report.TEMPLATE_GEOGRAPHY
    p = pitch_report.build(profile)
    assert p.words == 74 and p.seconds == 30
    assert p.warnings == ("the pitch, the target role, the industries and the geography in Profile.md are still "
                          "the starter vault's example: replace with your own",)


def test_no_profile_says_so(vault):
    vault.person("Ana")
    code, out, _ = run(vault, "pitch")
    assert code == 0 and "there is no Profile.md" in out


# --- terminal and JSON -----------------------------------------------------------------------


def test_json_is_the_reports_data(vault):
    vault.person("Ana", log="- 2026-11-02 call: x\n")
    code, out, _ = run(vault, "report", "activity", "--json", "--as-of", "2026-11-23")
    data = json.loads(out)
    assert set(data) == {"as_of", "since", "until", "goal_conversations", "goal_outreach", "weeks", "totals",
                         "current_streak", "longest_streak", "heatmap", "slip"}
    assert data == to_json(activity.build(inputs(vault, date(2026, 11, 23))))


def test_no_colour_off_a_terminal_and_every_report_runs_on_the_example_vault(tmp_path):
    root = _example_vault(tmp_path)
    for name in REPORTS:
        r = CliRunner().invoke(cli, ["--vault", str(root), "report", name, "--as-of", "2026-11-23"],
                               env={"COLUMNS": "60"})
        assert r.exit_code == 0, r.output
        assert "\033[" not in r.stdout
        assert max(len(line) for line in r.stdout.splitlines()) <= 60, name


# --- the output folders are not notes --------------------------------------------------------


def test_the_reports_folders_are_never_read_as_notes_even_when_moved(vault):
    vault.write("mdnet.toml", '[reports]\nfolder = "Review/Weekly"\nupdates_folder = "Mail"\n')
    vault.person("Ana")
    vault.person("Ghost", "type: person\n", folder="Review/Weekly")
    vault.person("Ghost2", "type: person\n", folder="Mail")
    vault.person("Real", "type: person\n", folder="Reports")  # the default folder is a plain folder now
    with Workspace.open(vault.root) as ws:
        ws.refresh(today=date(2026, 11, 23))
        names = sorted(c.name for c in ws.vault().contacts)
    assert names == ["Ana", "Real"]
    from mdnet.vault.files import is_note_path

    with Workspace.open(vault.root) as ws:
        assert not is_note_path("Review/Weekly/x.md", ws.config)
        assert not is_note_path("Mail/2026-11.md", ws.config)
        assert is_note_path("Review/x.md", ws.config)


@pytest.mark.parametrize("value", ['"../outside"', '"/abs"', '".hidden"', '""', "3"])
def test_a_bad_reports_folder_is_a_config_error(vault, value):
    vault.write("mdnet.toml", f"[reports]\nfolder = {value}\n")
    with Workspace.open(vault.root) as ws:
        assert [d.code for d in ws.config_diagnostics] == ["config-bad-value"]
        assert ws.config["reports.folder"] == "Reports"


def test_every_report_survives_its_json_round_trip(tmp_path):
    """The CLI keeps a report in the index as JSON; rendered again it must be the same data."""
    from mdnet.reports import TYPES
    from mdnet.reports.common import from_json

    root = _example_vault(tmp_path)
    with Workspace.open(root) as ws:
        ws.refresh(today=date(2026, 11, 23))
        inp = load_inputs(ws, date(2026, 11, 23))
    for name, build in REPORTS.items():
        data = build(inp)
        assert from_json(TYPES[name], json.loads(json.dumps(to_json(data)))) == data, name


def test_a_cached_report_follows_an_edit(vault):
    vault.person("Ana", log="- 2026-11-02 call: x\n")
    args = ("report", "activity", "--json", "--as-of", "2026-11-23")
    first = json.loads(run(vault, *args)[1])
    assert json.loads(run(vault, *args)[1]) == first  # from the cache
    vault.person("Ana", log="- 2026-11-02 call: x\n- 2026-11-03 call: y\n")
    assert json.loads(run(vault, *args)[1])["totals"]["conversations"] == 2
    vault.write("mdnet.toml", "[goals]\nconversations_per_week = 7\n")
    assert json.loads(run(vault, *args)[1])["goal_conversations"] == 7


# --- update --sent (through the guarded writer of the editing commands) ----------------------


def test_update_sent_logs_each_recipient_once_and_clears_the_item(vault):
    _update_vault(vault)
    assert run(vault, "update", "--as-of", "2026-12-01")[0] == 0
    note = vault.root / "Updates" / "2026-12.md"
    note.write_text(note.read_text(encoding="utf-8").replace('  - "Ben <ben@example.com>"\n',
                                                             '  - "Stranger <who@example.org>"\n'), encoding="utf-8")
    before = vault.snapshot()
    code, out, err = run(vault, "update", "--sent", "--as-of", "2026-12-03")
    assert code == 0, err
    assert 'People/José Álvarez.md: logged "- 2026-12-03 update: December 2026 update"' in out
    assert "logged on 1 note" in out and "who@example.org is in Bcc but is no contact's email" in err
    after = vault.snapshot()
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {"People/José Álvarez.md"}  # Ben was taken out of Bcc by the user
    assert after["People/José Álvarez.md"] == before["People/José Álvarez.md"] + b"- 2026-12-03 update: December 2026 update\n"
    code, out, _ = run(vault, "due", "--rule", "monthly-update", "--as-of", "2026-12-07", "--within", "40d", "--json")
    assert [i["due"] for i in json.loads(out)] == ["2027-01-04"]  # December's is done: January's is next
    code, out, _ = run(vault, "update", "--sent", "--as-of", "2026-12-04")
    assert code == 0 and "already has an update line in 2026-12" in out and "logged on 0 notes" in out
    assert vault.snapshot() == after


def test_update_sent_refuses_per_note_and_logs_the_others(vault):
    _update_vault(vault)
    vault.write("People/Hal.md", b"---\nemail: hal@example.com\n---\n## Log\n- 2026-11-05 call: caf\xe9\n")
    assert run(vault, "update", "--as-of", "2026-12-01")[0] == 0
    hal = (vault.root / "People" / "Hal.md").read_bytes()
    code, out, err = run(vault, "update", "--sent", "--as-of", "2026-12-03")
    assert code == 1
    assert "People/Hal.md:5: error: the file is not valid UTF-8" in err
    assert "logged on 2 notes; 1 refused" in out
    assert (vault.root / "People" / "Hal.md").read_bytes() == hal


def test_update_sent_without_a_draft_writes_nothing(vault):
    _update_vault(vault)
    before = vault.snapshot()
    code, _, err = run(vault, "update", "--sent", "--month", "2026-12")
    assert code == 1 and "no draft Updates/2026-12.md" in err
    assert vault.snapshot() == before
