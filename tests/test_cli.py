"""The command line, through click's CliRunner on real temporary vaults."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "vault-template"
AS_OF = "2026-11-23"


def run(*args: str, vault=None, env=None, input=None):
    runner = CliRunner()
    argv = (["--vault", str(vault)] if vault is not None else []) + list(args)
    return runner.invoke(cli, argv, env=env or {}, input=input, catch_exceptions=False)


@pytest.fixture
def example(tmp_path):
    """A fresh copy of the starter vault, made by `mdnet init`."""
    target = tmp_path / "notes"
    r = run("init", str(target))
    assert r.exit_code == 0, r.output
    return target


def test_every_command_has_help_and_docs():
    docs = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help and len(command.help) > 20, name
        assert f"## mdnet {name}" in docs, f"docs/commands.md has no section for {name}"
        r = run(name, "--help")
        assert r.exit_code == 0 and "Usage: mdnet" in r.output


def test_init_copies_the_template_and_never_overwrites(tmp_path):
    target = tmp_path / "notes"
    (target / "People").mkdir(parents=True)
    mine = target / "People" / "Ana Sousa.md"
    mine.write_bytes(b"my own note\r\n")
    r = run("init", str(target), "--json")
    data = json.loads(r.output)
    assert "People/Ana Sousa.md" in data["kept"] and "mdnet.toml" in data["created"]
    assert mine.read_bytes() == b"my own note\r\n"
    assert (target / "Templates" / "Person.md").is_file() and (target / "Profile.md").is_file()
    again = json.loads(run("init", str(target), "--json").output)
    assert again["created"] == []


def test_vault_is_found_by_flag_env_or_walking_up(example, monkeypatch):
    assert run("list", "--json", vault=example).exit_code == 0
    r = CliRunner().invoke(cli, ["list", "--json"], env={"MDNET_VAULT": str(example)})
    assert r.exit_code == 0 and json.loads(r.output)
    monkeypatch.chdir(example / "People")
    r = CliRunner().invoke(cli, ["list", "--json"], env={"MDNET_VAULT": None})
    assert r.exit_code == 0 and len(json.loads(r.output)) == 12


def test_no_vault_says_how_to_point_at_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["list"], env={"MDNET_VAULT": None})
    assert r.exit_code == 1
    assert "no vault found" in r.output and "--vault" in r.output and "mdnet init" in r.output
    r = run("list", vault=tmp_path / "missing")
    assert r.exit_code == 1 and "not a folder" in r.output


def test_index_summary_and_json(example):
    r = run("index", vault=example)
    assert r.exit_code == 0
    assert r.output.startswith("14 notes, 12 contacts, ") and "0 errors" in r.output
    stats = json.loads(run("index", "--json", vault=example).output)
    assert stats["changed"] == 0 and stats["added"] == 0 and stats["contacts"] == 12
    full = json.loads(run("index", "--full", "--json", vault=example).output)
    assert full["added"] == 14


def test_check_clean_vault_exits_0(example):
    r = run("check", vault=example)
    assert r.exit_code == 0 and r.stdout == ""
    assert "0 errors, 0 warnings" in r.stderr


def test_check_reports_each_problem_once_and_exits_1(vault):
    vault.person("Good")
    vault.write("People/Bad.md", "---\nname: Bad\nadded: 2026-02-30\ncompany: [[Acme]]\n---\n- 2026-11-01 brunch: bagels\n")
    vault.write("Meetings/M.md", '---\ndate: 2026-11-01\nwith: ["[[Nobody]]"]\n---\n')
    vault.write("mdnet.toml", "[rules]\nnudge_after = 'soon'\nmystery = 1\n")
    r = run("check", vault=vault.root)
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [
        "Meetings/M.md:3: warning: with: names 'Nobody', but that is no note (create People/Nobody.md or fix the name)",
        "People/Bad.md:3: error: added: '2026-02-30' is not a date; write it as YYYY-MM-DD",
        "People/Bad.md:4: warning: company: [[Acme]] must be quoted, as \"[[Acme]]\" (read as a link for now)",
        "People/Bad.md:6: warning: 'brunch' is not a known kind word (counted as a note); add it to [kinds] in mdnet.toml",
        "mdnet.toml:2: error: rules.nudge_after must be a duration such as 30d, 7bd (business days), 2w, 1m (at most 9999y); using the default '7bd'",
        "mdnet.toml:3: warning: unknown setting 'rules.mystery' (ignored)",
    ]
    data = json.loads(run("check", "--json", vault=vault.root).stdout)
    assert {d["code"] for d in data} >= {"invalid-date", "unquoted-link", "unknown-kind", "with-unknown-person"}
    assert run("check", "--errors-only", vault=vault.root).stdout.count("\n") == 2


def test_broken_toml_is_reported_with_its_line(vault):
    vault.person("Ana")
    vault.write("mdnet.toml", "[feed]\nname = 'x'\nwindow = \n")
    r = run("check", vault=vault.root)
    assert r.exit_code == 1 and r.stdout.startswith("mdnet.toml:3: error: not valid TOML")
    assert run("list", "--json", vault=vault.root).exit_code == 0  # defaults still work


def test_list_filters(example):
    everyone = json.loads(run("list", "--json", vault=example).output)
    assert len(everyone) == 12
    maya = next(c for c in everyone if c["name"] == "Maya Okafor")
    assert (maya["company"], maya["last"], maya["last_kind"]) == ("Northwind Traders", "2026-11-20", "met")
    paused = json.loads(run("list", "--status", "paused", "--json", vault=example).output)
    assert [c["name"] for c in paused] == ["David Levi"]
    college = json.loads(run("list", "--circle", "college", "--json", vault=example).output)
    assert college and all("college" in c["circles"] for c in college)
    tagged = json.loads(run("list", "--tag", "#example", "--json", vault=example).output)
    assert len(tagged) == 12
    r = run("list", vault=example)
    assert r.output.splitlines()[0].split() == ["NAME", "COMPANY", "LAST", "KIND", "STATUS"]


def test_show_matches_names_and_lists_referrals(example):
    r = run("show", "maya", "--json", vault=example)
    assert r.exit_code == 0
    maya = json.loads(r.output)
    assert maya["name"] == "Maya Okafor" and maya["log"][-1]["kind"] == "met"
    assert {"name": "Priya Shah", "date": "2026-11-20", "has_note": True} in maya["referred"]
    priya = json.loads(run("show", "PRIYA SHAH", "--json", vault=example).output)
    assert priya["referred_by_notes"][0]["name"] == "Maya Okafor"
    text = run("show", "Maya Okafor", vault=example).output
    assert "Referred you to: Priya Shah (2026-11-20)" in text and "2026-11-20 coffee" in text


def test_show_ambiguous_and_unknown(vault):
    vault.person("Ana Lopez")
    vault.person("Ana Sousa")
    r = run("show", "ana", vault=vault.root)
    assert r.exit_code == 1 and "matches 2 contacts" in r.output and "Ana Lopez" in r.output and "Ana Sousa" in r.output
    r = run("show", "zed", vault=vault.root)
    assert r.exit_code == 1 and "no contact matches 'zed'" in r.output


def test_search(example):
    hits = json.loads(run("search", "fintech", "--json", vault=example).output)
    assert any(h["path"] == "People/Maya Okafor.md" for h in hits)
    r = run("search", "zzzznothing", vault=example)
    assert r.exit_code == 0 and "Nothing matches" in r.stderr


def test_commands_bring_the_index_up_to_date(example):
    run("index", vault=example)
    p = example / "People" / "Ana Sousa.md"
    p.write_text(p.read_text(encoding="utf-8").replace("company: Fabrikam", "company: Contoso"), encoding="utf-8")
    ana = json.loads(run("show", "Ana Sousa", "--json", vault=example).output)
    assert ana["company"] == "Contoso"


def test_commands_never_change_a_note(example):
    from tests.conftest import VaultDir

    before = VaultDir(example).snapshot()
    for args in (["index"], ["check"], ["list"], ["show", "maya"], ["search", "x"], ["due", "--as-of", AS_OF],
                 ["feed", "--as-of", AS_OF]):
        run(*args, vault=example)
    assert VaultDir(example).snapshot() == before


def test_module_entry_point_and_version():
    out = subprocess.run([sys.executable, "-m", "mdnet", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("mdnet, version ")


def test_debug_shows_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["--debug", "list"], env={"MDNET_VAULT": None})
    assert r.exit_code == 1 and r.exception is not None and type(r.exception).__name__ == "VaultNotFound"


def test_due_and_feed_follow_an_edit(example):
    """Follow-ups are cached in the index; an edit must still show at once."""
    def thank_yous():
        items = json.loads(run("due", "--as-of", AS_OF, "--json", vault=example).output)
        return [i["contact"] for i in items if i["rule"] == "thank-you"]

    assert thank_yous() == ["Maya Okafor"]
    assert thank_yous() == ["Maya Okafor"]  # a cache hit says the same
    feed_before = run("feed", "-o", "-", "--as-of", AS_OF, vault=example).output
    p = example / "People" / "Maya Okafor.md"
    p.write_text(p.read_text(encoding="utf-8") + "- 2026-11-21 thanks: for the coffee and the intro\n", encoding="utf-8")
    assert thank_yous() == []
    feed_after = run("feed", "-o", "-", "--as-of", AS_OF, vault=example).output
    assert "Thank Maya" in feed_before and "Thank Maya" not in feed_after
    other_day = json.loads(run("due", "--as-of", "2026-11-24", "--json", vault=example).output)
    assert any(i["rule"] == "follow-up" for i in other_day)  # the day is part of the key


@pytest.mark.slow
def test_installed_package_carries_the_starter_vault(tmp_path):
    """Outside a checkout (pip install .), `mdnet init` still finds the template."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(ROOT)], check=True, capture_output=True, timeout=300)
    assert (target / "mdnet" / "vault_template" / "mdnet.toml").is_file()
    vault_dir = tmp_path / "v"
    env = {**__import__("os").environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-m", "mdnet", "init", str(vault_dir), "--json"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    created = json.loads(out.stdout)["created"]
    assert "Templates/Person.md" in created and ".obsidian/app.json" in created
    assert sorted(p.name for p in (vault_dir / "People").iterdir()) == sorted(p.name for p in (TEMPLATE / "People").iterdir())


def test_due_text_lines_up_and_marks_overdue_and_today(example):
    r = run("due", "--as-of", AS_OF, vault=example)
    lines = r.output.splitlines()
    heads = [ln for ln in lines if ln[:4] == "2026"]
    assert heads[0].startswith("2026-11-02  overdue  monthly-update  Send your November update")
    assert "2026-11-23  today    outreach        Reach out to Linh Nguyen" in r.output  # neighbor, at a target company
    reason_col = heads[0].index("Send")
    context = [ln for ln in lines if ln[:4] != "2026"]
    assert context and all(ln.startswith(" " * reason_col) and ln[reason_col] != " " for ln in context)
    assert "2026-11-24" not in r.output  # not yet due without --within
    assert "2026-11-24           follow-up" in run("due", "--as-of", AS_OF, "--within", "1d", vault=example).output


def test_feed_never_overwrites_a_note_or_a_stranger(example):
    note = example / "People" / "Maya Okafor.md"
    before = note.read_bytes()
    r = run("feed", "-o", str(note), vault=example)
    assert r.exit_code == 1 and "is a note of the vault" in r.output and note.read_bytes() == before
    other = example / "notes.txt"
    other.write_text("my shopping list\n", encoding="utf-8")
    r = run("feed", "-o", str(other), vault=example)
    assert r.exit_code == 1 and "not a calendar file" in r.output
    assert other.read_text(encoding="utf-8") == "my shopping list\n"
    (example / "mdnet.toml").write_text('[feed]\npath = "People/Maya Okafor.md"\n', encoding="utf-8")
    r = run("feed", "--as-of", AS_OF, vault=example)
    assert "feed.path must be the path of an .ics file" in r.stderr and note.read_bytes() == before
    assert r.exit_code == 0  # the default path is used instead


def test_a_new_feed_file_is_private_and_an_existing_one_keeps_its_mode(example):
    out = example / "out.ics"
    assert run("feed", "-o", str(out), "--as-of", AS_OF, vault=example).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o600
    out.chmod(0o644)
    assert run("feed", "-o", str(out), "--as-of", "2026-11-24", vault=example).exit_code == 0
    assert out.stat().st_mode & 0o777 == 0o644


def test_show_matches_a_folder_only_when_asked_for_a_path(vault):
    vault.person("Ana")
    vault.person("Peter Pan")
    assert json.loads(run("show", "pe", "--json", vault=vault.root).output)["name"] == "Peter Pan"
    assert json.loads(run("show", "People/Ana", "--json", vault=vault.root).output)["name"] == "Ana"


def test_one_note_of_extreme_dates_costs_nobody_else_their_items(vault) -> None:
    """Issue 7: `- 9999-12-30 email: x` made due and feed exit 1 for the whole vault."""
    from click.testing import CliRunner

    from mdnet.cli import cli

    vault.person("Far", "name: Far\ncadence: 9999y\nadded: 9999-12-31\nreferred_by: Someone\n",
                 "- 9999-12-30 email: x\n- 9999-12-31 coffee: y\n")
    vault.person("Near", "name: Near\n", "- 2026-11-18 coffee: hi\n")
    vault.write("mdnet.toml", '[rules]\nnudge_after = "99999999999d"\nreferral_after = "9000y"\n'
                              'thank_you_window = "9999999999d"\n[cadence]\nfriend = "9999y"\n'
                              '[feed]\nwindow = "999999999y"\n')
    run = CliRunner().invoke
    due = run(cli, ["--vault", str(vault.root), "due", "--json", "--as-of", "2026-11-20"])
    assert due.exit_code == 0, due.output
    assert "Thank Near" in due.stdout
    feed = run(cli, ["--vault", str(vault.root), "feed", "-o", "-", "--as-of", "2026-11-20"])
    assert feed.exit_code == 0 and "Thank Near" in feed.stdout
    check = run(cli, ["--vault", str(vault.root), "check", "--json"])
    codes = {(d["path"], d["code"]) for d in json.loads(check.stdout)}
    assert {("mdnet.toml", "config-bad-value")} <= codes
    assert sum(1 for d in json.loads(check.stdout) if d["code"] == "config-bad-value") == 3  # 9000y and 9999y fit


# --- feed targets (issue 7) ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["../../x.ics", "../outside.ics", "/tmp/mdnet-abs-test.ics", "~/x.ics",
                                  "sub/../../x.ics", "C:/x.ics", "\\\\host\\share\\x.ics"])
def test_feed_path_stays_inside_the_vault(example, path):
    """Issue 7: `path = "../../x.ics"` wrote outside the vault and check said nothing."""
    (example / "mdnet.toml").write_text(f"[feed]\npath = {json.dumps(path)}\n", encoding="utf-8")
    r = run("check", "--json", vault=example)
    assert [d["code"] for d in json.loads(r.stdout) if d["path"] == "mdnet.toml"] == ["config-bad-value"]
    before = set(example.parent.iterdir())
    r = run("feed", "--as-of", AS_OF, vault=example)
    assert r.exit_code == 0 and (example / ".mdnet" / "followups.ics").is_file()
    assert set(example.parent.iterdir()) == before and not Path("/tmp/mdnet-abs-test.ics").exists()


def test_feed_path_through_a_linked_folder_out_of_the_vault_is_refused(example, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (example / "out").symlink_to(outside)
    (example / "mdnet.toml").write_text('[feed]\npath = "out/f.ics"\n', encoding="utf-8")
    r = run("feed", "--as-of", AS_OF, vault=example)
    assert r.exit_code == 1 and "outside the vault" in r.output and list(outside.iterdir()) == []


def test_feed_never_writes_over_a_markdown_file_even_an_ignored_one(example):
    """Issue 7: `-o Templates/E.md` (an empty file in an ignored folder) was overwritten."""
    empty = example / "Templates" / "E.md"
    empty.write_bytes(b"")
    for target in (empty, example / "Templates" / "New.MD", example / "x.md"):
        r = run("feed", "-o", str(target), "--as-of", AS_OF, vault=example)
        assert r.exit_code == 1 and ".md" in r.output
    assert empty.read_bytes() == b"" and not (example / "x.md").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_being_opened(example):
    """Issue 7: `mkfifo f.ics; mdnet feed -o f.ics` hung forever (open() of a FIFO blocks)."""
    fifo = example / "f.ics"
    os.mkfifo(fifo)
    cmd = [sys.executable, "-m", "mdnet", "--vault", str(example), "feed", "--as-of", AS_OF]
    r = subprocess.run([*cmd, "-o", str(fifo)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "not a regular file" in r.stderr
    (example / "mdnet.toml").write_text('[feed]\npath = "f.ics"\n', encoding="utf-8")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "not a regular file" in r.stderr


# --- terminal escape injection (issue 7) -----------------------------------------------------

HOSTILE = "Esc\x1b]0;PWNED\x07\x1b[31mRED\x1b[2J\x9b2J\u202eevil\x00"


def test_text_from_notes_reaches_the_terminal_only_as_visible_escapes(vault):
    """Issue 7: a name with OSC title, colour and clear-screen sequences went raw to the
    terminal from list, due and show (click strips CSI off a terminal, but not OSC)."""
    name = json.dumps(HOSTILE)
    vault.person("Esc\x1bX", f"name: {name}\ncompany: {name}\nnext_step: {name}\nask_about: [{name}]\n"
                             f"follow_up: 2026-11-20\nfoo: {name}\ncadence: {name}\n",
                 f"- 2026-11-18 coffee: {HOSTILE}\n- 2026-11-19 {HOSTILE[:5]}: x\n")
    vault.write("mdnet.toml", f"[feed]\nname = {name}\n[rules]\nnudge_after = {name}\n")
    outputs = []
    for args in (["list"], ["due", "--as-of", "2026-11-23"], ["show", "Esc"], ["search", "PWNED"], ["check"],
                 ["index"], ["feed", "--as-of", "2026-11-23"]):
        for color in (False, True):
            r = CliRunner().invoke(cli, ["--vault", str(vault.root), *args], color=color, catch_exceptions=False)
            outputs.append((args, r.stdout + r.stderr))
    for args, out in outputs:
        shown = re.sub("\x1b\\[[0-9;]*m", "", out)  # mdnet's own colours (the note's ESC[2J and OSC stay)
        for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
            assert raw not in shown, (args, out)
    assert any("\\x1b]0;PWNED\\x07" in out for args, out in outputs if args == ["show", "Esc"])
    assert any("\x1b[1m" in out for args, out in outputs if args == ["show", "Esc"])  # bold name, with color


def test_terminal_safe_shows_controls_and_keeps_plain_text():
    from mdnet.cli.common import terminal_safe

    assert terminal_safe("Ana López 🙂 \t ok") == "Ana López 🙂 \t ok"
    assert terminal_safe("a\x1b[2Jb\x07\x7f\x85\u2028\u202e\x00") == "a\\x1b[2Jb\\x07\\x7f\\x85\\u2028\\u202e\\x00"
    assert terminal_safe("two\nlines") == "two\\nlines"
    assert terminal_safe("two\nlines", lines=True) == "two\nlines"


def test_text_from_notes_reaches_the_terminal_only_as_visible_escapes_in_reports_too(vault):
    """Issue 7, for the commands that came after it: report, pitch, prep and update print
    note and profile text through the same terminal_safe."""
    name = json.dumps(HOSTILE)
    vault.person("Esc\x1bX", f"name: {name}\ncompany: {name}\nemail: e@x.example\nask_about: [{name}]\n"
                             f"offers: [{name}]\nreferred_by: {name}\n",
                 f"- 2026-11-18 coffee: {HOSTILE} [[Other {HOSTILE[:8]}]]\n- 2026-11-19 intro: {HOSTILE}\n")
    vault.write("Profile.md", f"---\ntarget_role: {name}\n---\n## Pitch\n{HOSTILE}\n\n"
                              f"## Companies I'd love an introduction to\n- {HOSTILE}\n\n## The ask\n{HOSTILE}\n")
    outputs = []
    for args in (["report", "activity"], ["report", "sources"], ["report", "pipeline"], ["report", "list"],
                 ["report", "favors"], ["pitch"], ["prep", "Esc"], ["update", "--month", "2026-11"]):
        for color in (False, True):
            r = CliRunner().invoke(cli, ["--vault", str(vault.root), *args, "--as-of", "2026-11-23"]
                                   if args[0] not in ("pitch",) else ["--vault", str(vault.root), *args],
                                   color=color, catch_exceptions=False)
            assert r.exit_code == 0, (args, r.output)
            outputs.append((args, r.stdout + r.stderr))
    for args, out in outputs:
        shown = re.sub("\x1b\\[[0-9;]*m", "", out)  # mdnet's own colours
        for raw in ("\x1b", "\x07", "\x9b", "\u202e", "\x00"):
            assert raw not in shown, (args, out)
    assert any("\\x1b]0;PWNED\\x07" in out for args, out in outputs if args == ["pitch"])


def test_a_new_name_is_due_and_shown_and_never_answered_by_someone_else(vault):
    vault.person("Alex Kim", log="- 2026-12-02 zoom: suggested [[Pat Quinn]] at Contoso\n")
    vault.person("Nina Patel", log="- 2026-11-02 coffee: old friend\n")
    due = json.loads(run("due", "--as-of", "2026-12-03", "--rule", "referral", "--json", vault=vault.root).output)
    assert [(i["contact"], i["path"], i["due"], i["reason"]) for i in due] == [
        ("Pat Quinn", "People/Alex Kim.md", "2026-12-03", "Alex Kim suggested Pat Quinn on 2 Dec: add them")]
    text = run("show", "alex", vault=vault.root).output
    assert "Referred you to: Pat Quinn (2026-12-02, no note yet)" in text
    r = run("show", "pat", vault=vault.root)
    assert r.exit_code == 1 and "Nina Patel" in r.output and "Pat Quinn  (no note yet: Alex Kim suggested them" in r.output
    r = run("show", "pat quinn", vault=vault.root)
    assert r.exit_code == 1 and "Pat Quinn has no note yet" in r.output and "People/Alex Kim.md:4" in r.output
    vault.person("Pat Quinn")
    due = json.loads(run("due", "--as-of", "2026-12-03", "--rule", "referral", "--json", vault=vault.root).output)
    assert [(i["contact"], i["reason"]) for i in due] == [("Pat Quinn", "Reach out to Pat Quinn: referred by Alex Kim on 2 Dec")]
    r = run("show", "pat", vault=vault.root)  # a name that begins so wins over one that contains it
    assert r.exit_code == 0 and r.output.startswith("Pat Quinn")


def test_due_ends_with_one_line_when_notes_have_problems(vault):
    vault.person("Beth", log="- 2026-12-1 linkedin: asked for 15 minutes\n")  # read as meant: no problem
    r = run("due", "--as-of", "2026-12-01", vault=vault.root)
    assert "problems" not in r.stderr
    vault.person("Cy", log="- 01-12-2026 coffee: at Tatte\n")
    vault.person("Di", "follow_up: 2026-02-30\n")
    r = run("due", "--as-of", "2026-12-01", vault=vault.root)
    assert r.stderr.splitlines()[-1] == "2 notes have problems that may hide follow-ups: run mdnet check"
    assert "problems" not in run("due", "--as-of", "2026-12-01", "--quiet", vault=vault.root).stderr
    r = run("due", "--as-of", "2026-12-01", "--json", vault=vault.root)
    assert "problems" not in r.stderr and json.loads(r.stdout) is not None
    (vault.root / "People/Di.md").unlink()
    r = run("due", "--as-of", "2026-11-01", vault=vault.root)
    assert r.stderr.splitlines()[-1] == "1 note has problems that may hide follow-ups: run mdnet check"


def test_counts_are_written_in_the_singular_for_one(vault):
    vault.person("Ana", "follow_up: 2026-02-30\n", "- 2026-11-18 coffee\n")
    r = run("check", vault=vault.root)
    assert r.stderr.strip().endswith("1 note checked: 1 error, 0 warnings")
    r = run("index", vault=vault.root)
    assert r.output.startswith("1 note, 1 contact, 1 interaction, 1 error, 0 warnings")


def test_list_with_a_value_nobody_has_says_which_exist(example):
    r = run("list", "--circle", "colege", vault=example)
    assert r.exit_code == 0 and r.stdout == ""
    assert "No contact has --circle colege; the values in use are: college, coworker" in r.stderr
    r = run("list", "--status", "archive", vault=example)
    assert "No contact has --status archive; the values in use are: active" in r.stderr


def test_vault_named_after_the_command_or_inside_a_vault(example, tmp_path):
    r = CliRunner().invoke(cli, ["list", "--json", "--vault", str(example)], env={"MDNET_VAULT": None})
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 12
    r = CliRunner().invoke(cli, ["due", f"--vault={example}", "--as-of", AS_OF, "--json"], env={"MDNET_VAULT": None})
    assert r.exit_code == 0 and json.loads(r.stdout)
    r = run("list", "--json", vault=example / "People")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 12
    assert f"is inside the vault {str(example.resolve())!r}: using that vault" in r.stderr
    assert not (example / "People" / ".mdnet").exists()
    r = CliRunner().invoke(cli, ["list"], env={"MDNET_VAULT": str(tmp_path / "nope")})
    assert r.exit_code == 1 and "MDNET_VAULT names" in r.output and "unset MDNET_VAULT" in r.output
    from mdnet.cli import hoist_global_options

    assert hoist_global_options(["due", "--vault", "V", "--json"]) == ["--vault", "V", "due", "--json"]
    assert hoist_global_options(["--vault", "V", "list"]) == ["--vault", "V", "list"]
    assert hoist_global_options(["search", "--", "--vault", "x"]) == ["search", "--", "--vault", "x"]


def test_init_here_in_a_folder_with_other_files_asks_first(tmp_path, monkeypatch):
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "taxes.pdf").write_bytes(b"%PDF")
    monkeypatch.chdir(folder)
    r = run("init")  # CliRunner's stdin is no terminal: refuse, saying how
    assert r.exit_code == 1 and "--here" in r.output and not (folder / "mdnet.toml").exists()
    r = run("init", "--here")
    assert r.exit_code == 0 and (folder / "mdnet.toml").is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert run("init").exit_code == 0 and (empty / "mdnet.toml").is_file()
    monkeypatch.chdir(folder)  # a vault now: init again only fills in what is missing
    assert run("init").exit_code == 0


@pytest.mark.slow
def test_ctrl_c_while_indexing_a_big_folder_exits_cleanly_and_corrupts_nothing(tmp_path):
    import os
    import signal
    import time

    root = tmp_path / "big"
    (root / "People").mkdir(parents=True)
    (root / "mdnet.toml").write_text("")
    # Long logs, so the parse outlasts the half second below: a Ctrl-C as the finished command
    # exits is another case (the process ends by the signal, after its work is done).
    for k in range(4000):
        (root / "People" / f"P{k:05d}.md").write_text(
            f"---\ncompany: C{k % 97}\n---\n## Log\n"
            + "".join(f"- 2026-{1 + d // 28:02d}-{1 + d % 28:02d} email: n{k}\n" for d in range(80)))
    # Its own process group, as a terminal's Ctrl-C reaches every process of the job (the workers too).
    p = subprocess.Popen([sys.executable, "-m", "mdnet", "--vault", str(root), "index"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while not (root / ".mdnet").exists() and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.01)
    time.sleep(0.5)  # into the parsing, in worker processes
    os.killpg(p.pid, signal.SIGINT)
    try:
        _, err = p.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        raise
    assert "Traceback" not in err.decode() and "PoolWorker" not in err.decode(), err.decode()
    assert p.returncode in (0, 1), err.decode()  # interrupted ("Aborted!"), or it had finished already
    r = run("index", "--json", vault=root)
    assert r.exit_code == 0, r.output
    stats = json.loads(r.stdout)
    assert (stats["notes"], stats["contacts"], stats["errors"]) == (4000, 4000, 0)
    assert run("check", vault=root).exit_code == 0
