"""The writing commands end to end: golden files per command and note style, refusals, done for every rule."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli

FIXTURES = Path(__file__).parent / "fixtures" / "edit"
STYLES = sorted(p.name for p in (FIXTURES / "notes").glob("*.md"))
REGEN = os.environ.get("MDNET_REGEN_GOLDEN") == "1"
AS_OF = "2026-11-23"  # a Monday

# One command per golden file: the name resolves to the note under test ("person").
COMMANDS = {
    "log": ["log", "person", "coffee", "talked about [[Priya Shah]]: hiring is slow", "--date", "2026-11-06"],
    "log-today": ["log", "person", "thanks", "--as-of", AS_OF],
    "set": ["set", "person", "follow_up", "2026-12-01"],
    "set-link": ["set", "person", "company", "[[Northwind]]"],
    "set-list": ["set", "person", "tags", "[a, b]"],
    "unset": ["unset", "person", "follow_up"],
    "snooze": ["snooze", "person", "2w", "--as-of", AS_OF],
    "done": ["done", "person", "--as-of", AS_OF],  # refused (golden = the note) when nothing is due
}


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--vault", str(root), *args])
    return result.exit_code, result.output


def person_vault(tmp_path: Path, style: str) -> Path:
    root = tmp_path / "v"
    (root / ".obsidian").mkdir(parents=True)
    (root / "People").mkdir()
    (root / "People" / "person.md").write_bytes((FIXTURES / "notes" / style).read_bytes())
    return root


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("style", STYLES)
def test_golden(tmp_path: Path, style: str, command: str) -> None:
    root = person_vault(tmp_path, style)
    before = (root / "People" / "person.md").read_bytes()
    code, out = run(root, *COMMANDS[command])
    assert code == 0 or (command == "done" and "nothing is due" in out), out
    after = (root / "People" / "person.md").read_bytes()
    golden = FIXTURES / "expected" / f"{style[:-3]}.{command}.md"
    if REGEN:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(after)
    assert after == golden.read_bytes(), f"{golden.name} differs"
    if before != after:
        assert out.startswith("People/person.md: "), out
    # BOM and line endings kept
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    assert (b"\r\n" in after) == (b"\r\n" in before)
    # the note still reads cleanly, and nothing else in the vault changed
    code, out = run(root, "check", "--errors-only")
    assert code == 0, out


@pytest.mark.parametrize("style", STYLES)
def test_dry_run_writes_nothing(tmp_path: Path, style: str) -> None:
    root = person_vault(tmp_path, style)
    before = (root / "People" / "person.md").read_bytes()
    for args in COMMANDS.values():
        code, out = run(root, *args, "--dry-run", "--verbose")
        assert code == 0 or (args[0] == "done" and "nothing is due" in out), out
        assert "(dry run: nothing written)" in out or "unchanged" in out or "nothing is due" in out
    assert (root / "People" / "person.md").read_bytes() == before


def test_log_reindexes_and_due_sees_it(vault) -> None:
    vault.person("Maya Okafor", "type: person\n", "- 2026-11-20 coffee: hiring\n")
    code, out = run(vault.root, "due", "--as-of", AS_OF, "--json")
    assert [i["rule"] for i in json.loads(out) if i["contact"]] == ["thank-you"]
    code, out = run(vault.root, "log", "maya", "thanks", "sent a note", "--date", "2026-11-21")
    assert code == 0, out
    assert out == "People/Maya Okafor.md: logged \"- 2026-11-21 thanks: sent a note\"\n"
    code, out = run(vault.root, "due", "--as-of", AS_OF, "--json")
    assert [i["rule"] for i in json.loads(out) if i["contact"]] == []


def test_unknown_kind_word_is_refused_with_the_list(vault) -> None:
    p = vault.person("Maya Okafor", "type: person\n")
    before = p.read_bytes()
    code, out = run(vault.root, "log", "maya", "cofee", "x")
    assert code == 1
    assert "'cofee' is not a known kind word" in out and "coffee" in out
    assert p.read_bytes() == before
    code, out = run(vault.root, "log", "maya", "walk", "--force", "--date", "2026-11-02")
    assert code == 0
    assert p.read_bytes().endswith(b"- 2026-11-02 walk\n")


def test_ambiguous_and_unknown_names_write_nothing(vault) -> None:
    vault.person("Ana Lopez", "type: person\n")
    vault.person("Ana Sousa", "type: person\n")
    snap = vault.snapshot()
    code, out = run(vault.root, "log", "ana", "coffee")
    assert code == 1 and "matches 2 contacts" in out and "Ana Lopez" in out and "Ana Sousa" in out
    code, out = run(vault.root, "set", "zed", "role", "PM")
    assert code == 1 and "no contact matches 'zed'" in out
    assert vault.snapshot() == snap


def test_names_resolve_by_alias_as_show_does(vault) -> None:
    vault.person("Samuel Adeyemi", "type: person\naliases: [Sam, \"Dr. Ño\"]\n")
    vault.person("Samantha Lee", "type: person\n")
    code, out = run(vault.root, "log", "sam", "email", "--date", "2026-11-02")  # exact alias beats prefixes
    assert code == 0 and out.startswith("People/Samuel Adeyemi.md: "), out
    code, out = run(vault.root, "log", "dr. ño", "email", "--date", "2026-11-02")  # non-ASCII alias
    assert code == 0 and out.startswith("People/Samuel Adeyemi.md: "), out
    code, out = run(vault.root, "log", "sa", "email")
    assert code == 1 and "matches 2 contacts" in out
    code, out = run(vault.root, "add", "SAM")
    assert code == 1 and "Samuel Adeyemi is already a contact" in out


def test_bad_frontmatter_is_refused_naming_path_and_line(vault) -> None:
    p = vault.write("People/Bo.md", "---\ntype: person\nrole: [unclosed\n---\n## Log\n")
    before = p.read_bytes()
    code, out = run(vault.root, "set", "bo", "role", "PM")
    assert code == 1
    assert out.startswith("Error: People/Bo.md:3: error: frontmatter is not valid YAML") or \
        out.startswith("Error: People/Bo.md:4: error: frontmatter is not valid YAML"), out
    assert out.count("\n") == 1
    assert p.read_bytes() == before


def test_a_log_line_needs_no_parseable_frontmatter(vault) -> None:
    p = vault.write("People/Bo.md", "---\ntype: person\nrole: [unclosed\n---\n## Log\n")
    code, out = run(vault.root, "log", "bo", "coffee", "--date", "2026-11-02")
    assert code == 0, out
    assert p.read_text() == "---\ntype: person\nrole: [unclosed\n---\n## Log\n- 2026-11-02 coffee\n"


def test_add_from_the_vault_template(tmp_path: Path) -> None:
    root = tmp_path / "v"
    (root / ".obsidian").mkdir(parents=True)
    (root / "Templates").mkdir()
    (root / "Templates" / "Person.md").write_text(
        "---\ntype: person\ncompany:\ntags: []\ncircles:\n  - event\nadded: {{date}}\n---\n"
        "# {{title}}\nCreated {{date:dddd D MMMM YYYY}} at {{time}}.\n\n## Log\n")
    code, out = run(root, "add", "Priya Shah", "--company", "[[Fabrikam]]", "--tag", "analytics",
                    "--circle", "college", "--met", "2026-11-20", "--as-of", AS_OF)
    assert code == 0, out
    assert out == "People/Priya Shah.md: created contact Priya Shah\n"
    text = (root / "People" / "Priya Shah.md").read_text()
    head, rest = text.split("# Priya Shah\n")
    assert head == ('---\ntype: person\ncompany: "[[Fabrikam]]"\ntags: [analytics]\ncircles:\n  - event\n  - college\n'
                    'added: 2026-11-23\nmet: 2026-11-20\n---\n')
    assert rest.startswith("Created Monday 23 November 2026 at ")
    code, out = run(root, "add", "priya shah")
    assert code == 1 and 'mdnet show "Priya Shah"' in out


def test_add_without_a_template_writes_a_minimal_note(vault) -> None:
    code, out = run(vault.root, "add", "Bo Tran", "--email", "bo@example.com", "--as-of", AS_OF)
    assert code == 0, out
    assert (vault.root / "People" / "Bo Tran.md").read_text() == (
        "---\ntype: person\nemail: bo@example.com\nadded: 2026-11-23\n---\n\n## Log\n")
    code, out = run(vault.root, "add", "a/b")
    assert code == 1 and "cannot be a note's file name" in out


def test_refer_creates_the_contact_then_logs_on_the_referrer(vault) -> None:
    vault.person("Maya Okafor", "type: person\n", "- 2026-11-20 coffee: hiring\n")
    code, out = run(vault.root, "refer", "Priya Shah", "--by", "maya", "--as-of", AS_OF)
    assert code == 0, out
    assert out.splitlines() == ["People/Priya Shah.md: created contact Priya Shah",
                                "People/Maya Okafor.md: logged \"- 2026-11-23 note: suggested [[Priya Shah]]\""]
    assert 'referred_by: "[[Maya Okafor]]"' in (vault.root / "People" / "Priya Shah.md").read_text()
    code, out = run(vault.root, "due", "--as-of", "2026-11-24", "--rule", "referral", "--json")
    assert [i["contact"] for i in json.loads(out)] == ["Priya Shah"]


def test_refer_keeps_the_new_note_when_the_referrer_write_is_refused(vault) -> None:
    vault.write("People/Maya Okafor.md", b"---\ntype: person\n---\nCaf\xe9 in Latin-1\n")
    code, out = run(vault.root, "refer", "Priya Shah", "--by", "maya", "--as-of", AS_OF)
    assert code == 1
    assert (vault.root / "People" / "Priya Shah.md").exists()
    assert "the note for Priya Shah stays" in out


def test_refer_a_name_the_referrer_already_linked_logs_nothing_twice(vault) -> None:
    maya = vault.person("Maya Okafor", "type: person\n", "- 2026-11-20 coffee: said to talk to [[priya shah]]\n")
    vault.person("Priya Shah", "type: person\n")
    code, out = run(vault.root, "refer", "Priya Shah", "--by", "maya", "--as-of", AS_OF)
    assert code == 0, out
    assert out.splitlines() == ['People/Priya Shah.md: referred_by: "[[Maya Okafor]]"',
                                "People/Maya Okafor.md:7: already links [[priya shah]]; nothing logged"]
    assert maya.read_text().lower().count("priya") == 1  # no second line naming her
    code, out = run(vault.root, "refer", "Priya Shah", "--by", "maya", "--as-of", AS_OF)
    assert code == 0, out
    assert out.splitlines() == ["People/Priya Shah.md: already a contact, referred by Maya Okafor",
                                "People/Maya Okafor.md:7: already links [[priya shah]]; nothing logged"]


# --- done, for every rule -------------------------------------------------------------------

# A vault where, as of Monday 23 Nov 2026, the one contact "Target" has exactly one item of the rule due.
DONE_CASES = {
    "follow-up": ("follow_up: 2026-11-20\n", "- 2026-11-02 reply: sure\n", ""),
    "thank-you": ("", "- 2026-11-22 coffee: hiring\n", ""),
    "nudge": ("", "- 2026-11-10 email: asked for 20 minutes\n", ""),
    "referral": ('referred_by: "[[Maya]]"\nadded: 2026-11-20\n', "", ""),
    "try-another": ("company: Fabrikam\n", "", "company: Fabrikam\n|- 2026-11-16 email: hello\n"),
    "keep-in-touch": ("cadence: 2w\n", "- 2026-11-02 reply: see you\n", ""),
    "outreach": ("", "", ""),
}


@pytest.mark.parametrize("rule", sorted(DONE_CASES))
def test_done_ends_the_item_for_every_rule(vault, rule: str) -> None:
    props, log, other = DONE_CASES[rule]
    vault.write("mdnet.toml", '[rules]\nmonthly_update = "off"\n')
    vault.person("Target", "type: person\n" + props, log)
    if rule == "referral":
        vault.person("Maya", "type: person\n", "- 2026-11-02 reply: hi\n")
    if other:
        oprops, olog = other.split("|")
        vault.person("Chen", "type: person\n" + oprops, olog)
    code, out = run(vault.root, "due", "--as-of", AS_OF, "--json")
    before = [(i["rule"], i["contact"]) for i in json.loads(out)]
    assert (rule, "Target") in before, before
    code, out = run(vault.root, "done", "target", "--as-of", AS_OF)
    assert code == 0, out
    assert out.startswith(f"People/Target.md: {rule} done: logged"), out
    code, out = run(vault.root, "due", "--as-of", AS_OF, "--json")
    after = [(i["rule"], i["contact"]) for i in json.loads(out)]
    assert (rule, "Target") not in after, after


def test_done_monthly_update_and_nothing_due(vault) -> None:
    # met in October: November is the first full month of networking, so its update is due
    vault.person("Target", "type: person\n", "- 2026-10-02 coffee: x\n- 2026-10-03 thanks\n")
    code, out = run(vault.root, "due", "--as-of", AS_OF, "--json")
    assert [i["rule"] for i in json.loads(out)] == ["monthly-update"]
    code, out = run(vault.root, "done", "target", "--as-of", AS_OF)
    assert code == 1 and "nothing is due for Target" in out
    code, out = run(vault.root, "done", "target", "--rule", "monthly-update", "--as-of", AS_OF)
    assert code == 0, out
    code, out = run(vault.root, "due", "--as-of", AS_OF, "--json")
    assert json.loads(out) == []


def test_done_prints_what_is_still_due(vault) -> None:
    vault.person("Target", "type: person\nfollow_up: 2026-11-23\n", "- 2026-11-22 coffee: x\n")
    code, out = run(vault.root, "done", "target", "--rule", "follow-up", "--as-of", AS_OF)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == ("People/Target.md: follow-up done: logged \"- 2026-11-23 note: followed up as planned "
                        "(2026-11-23)\" and cleared follow_up")
    assert lines[1:] == ["2026-11-23  thank-you       Thank Target for the coffee on 22 Nov"]


def test_open_prints_the_path_without_an_editor(vault, monkeypatch) -> None:
    vault.person("Maya Okafor", "type: person\n")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    code, out = run(vault.root, "open", "maya")
    assert code == 0 and out.strip() == str(vault.root / "People" / "Maya Okafor.md")
    monkeypatch.setenv("EDITOR", "true")
    code, out = run(vault.root, "open", "maya")
    assert code == 0 and out == ""


def test_completion_lists_names_from_the_index(vault) -> None:
    from mdnet.cli.edit import complete_names
    from mdnet.index.names import contact_names

    vault.person("Maya Okafor", "type: person\n")
    vault.person("Ana Sousa", "type: person\n")
    assert contact_names(vault.root) == []  # no index yet: nothing, no error
    run(vault.root, "index")
    assert contact_names(vault.root, "ok") == ["Maya Okafor"]
    assert contact_names(vault.root) == ["Ana Sousa", "Maya Okafor"]
    import click

    ctx = click.Context(cli, info_name="mdnet")
    ctx.params["vault"] = str(vault.root)
    assert [c.value for c in complete_names(ctx, None, "an")] == ["Ana Sousa"]  # type: ignore[arg-type]


def test_a_week_on_the_example_vault_changes_one_thing_per_command(tmp_path: Path) -> None:
    """The issue's "done when": each command's diff of the vault is exactly the one intended change."""
    import difflib
    import shutil

    from mdnet.cli.notes import template_dir

    root = tmp_path / "Search"
    shutil.copytree(template_dir(), root, ignore=shutil.ignore_patterns(".mdnet"))

    def snapshot() -> dict[str, list[str]]:
        return {p.relative_to(root).as_posix(): p.read_text("utf-8").splitlines()
                for p in sorted(root.rglob("*.md")) if ".mdnet" not in p.parts}

    def diff(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, tuple[list[str], list[str]]]:
        out = {}
        for path in sorted(set(a) | set(b)):
            old, new = a.get(path, []), b.get(path, [])
            if old != new:
                lines = list(difflib.unified_diff(old, new, lineterm="", n=0))[2:]
                out[path] = ([x[1:] for x in lines if x.startswith("-")], [x[1:] for x in lines if x.startswith("+")])
        return out

    week = [
        (["log", "maya", "thanks", "short email", "--as-of", "2026-11-23"],
         {"People/Maya Okafor.md": ([], ["- 2026-11-23 thanks: short email"])}),
        (["done", "priya", "asked for 15 minutes", "--as-of", "2026-11-23"],
         {"People/Priya Shah.md": ([], ["- 2026-11-23 reached-out: asked for 15 minutes"])}),
        (["snooze", "rosa", "mon", "--as-of", "2026-11-23"],
         {"People/Rosa Delgado.md": ([], ["snooze_until: 2026-11-30"])}),
        (["set", "jamal", "follow_up", "fri", "--as-of", "2026-11-23"],
         {"People/Jamal Wright.md": (["follow_up: 2026-11-24"], ["follow_up: 2026-11-27"])}),
        (["log", "linh", "coffee", "suggested [[Tom Reyes]]", "--date", "2026-11-26"],
         {"People/Linh Nguyen.md": ([], ["- 2026-11-26 coffee: suggested [[Tom Reyes]]"])}),
        (["done", "linh", "--rule", "thank-you", "--as-of", "2026-11-27"],
         {"People/Linh Nguyen.md": ([], ["- 2026-11-27 thanks: sent my thanks"])}),
        (["unset", "jamal", "next_step"], None),
        (["refer", "Tom Reyes", "--by", "linh", "--company", "Woodgrove", "--as-of", "2026-11-27"], None),
    ]
    for args, expected in week:
        before = snapshot()
        code, out = run(root, *args)
        assert code == 0, (args, out)
        changes = diff(before, snapshot())
        if expected is not None:
            assert changes == expected, (args, changes)
        elif args[0] == "unset":
            assert list(changes) == ["People/Jamal Wright.md"]
            assert changes["People/Jamal Wright.md"][1] == ["next_step:"]
        else:  # refer: the new note, then one line in the referrer's
            assert sorted(changes) == ["People/Linh Nguyen.md", "People/Tom Reyes.md"]
            assert changes["People/Linh Nguyen.md"] == ([], ["- 2026-11-27 note: suggested [[Tom Reyes]]"])
            assert "company: Woodgrove" in changes["People/Tom Reyes.md"][1]
        code, out = run(root, "check", "--errors-only")
        assert code == 0, out
