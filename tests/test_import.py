"""`mdnet import` and `mdnet export` on real vaults, with files in the real formats."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli
from mdnet.vault.edit import EditError, frontmatter_props, set_properties
from mdnet.vault.write import WriteRefused, create_notes


from test_interop import GOOGLE, LINKEDIN, VCARDS

ROOT = Path(__file__).resolve().parent.parent


def run(vault, *args: str):
    return CliRunner().invoke(cli, ["--vault", str(vault), *args], env={}, catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


@pytest.fixture
def empty(vault):
    """An empty vault with the starter template for new contacts."""
    vault.write("Templates/Person.md", (ROOT / "vault-template/Templates/Person.md").read_bytes())
    return vault


def test_linkedin_import_creates_notes_then_a_second_run_changes_no_byte(empty, tmp_path):
    csv = write(tmp_path, "Connections.csv", LINKEDIN)
    empty.write("Contoso, Ltd..md", "A company.\n")
    r = run(empty.root, "import", "linkedin", str(csv), "--status", "paused", "--tag", "imported", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [c["path"] for c in out["created"]] == ["People/Ana Sousa.md", "People/Chen Wei.md", "People/José Núñez.md"]
    ana = (empty.root / "People/Ana Sousa.md").read_text()
    for line in ("name: Ana Sousa\n", "company: Fabrikam\n", "role: Product Manager\n", "email: ana.sousa@example.com\n",
                 "linkedin: https://www.linkedin.com/in/ana-sousa\n", "added: 2026-11-19\n", "status: paused\n"):
        assert line in ana
    assert "tags: [linkedin, imported]" in ana and ana.endswith("## Log\n- " + ana.split("## Log\n- ")[1])
    chen = (empty.root / "People/Chen Wei.md").read_text()
    assert "company: \"[[Contoso, Ltd.]]\"" in chen or "company: '[[Contoso, Ltd.]]'" in chen

    before = empty.snapshot()
    again = run(empty.root, "import", "linkedin", str(csv), "--json")
    assert again.exit_code == 0
    out = json.loads(again.stdout)
    assert out["created"] == [] and out["filled"] == [] and len(out["unchanged"]) == 3 and out["conflicts"] == []
    assert empty.snapshot() == before


def test_dry_run_writes_nothing_and_shows_what_it_would_do(empty, tmp_path):
    empty.person("Ana Sousa", "type: person\nrole: PM\nemail:\n")
    csv = write(tmp_path, "Connections.csv", LINKEDIN)
    before = empty.snapshot()
    r = run(empty.root, "import", "linkedin", str(csv), "--dry-run")
    assert r.exit_code == 0
    assert empty.snapshot() == before
    assert r.stdout.splitlines() == [
        "create  People/Chen Wei.md: company, role, linkedin, tags, added",
        "create  People/José Núñez.md: linkedin, tags, added",
        "fill    People/Ana Sousa.md: company, linkedin, added, +email, +tags",
        "Would create 2 notes, fill 1, 0 unchanged; 1 conflict (kept your values)",
    ]
    assert r.stderr == (f"{csv}:5: warning: role: People/Ana Sousa.md has 'PM', this says 'Product Manager'; "
                        "kept 'PM'\n")


def test_a_fill_keeps_every_other_byte_and_never_overwrites(empty, tmp_path):
    text = ("---\ntype: person\n# my comment\nrole: 'PM'   # keep\nemail: ana@old.example\ncompany:\n"
            "added: last spring\ntags:\n  - friend\n---\nBody stays.\n\n## Log\n- 2026-01-01 note: x\n")
    empty.write("People/Ana Sousa.md", text)
    csv = write(tmp_path, "Connections.csv", LINKEDIN.replace("ana.sousa@example.com", "ana@old.example"))
    r = run(empty.root, "import", "linkedin", str(csv), "--json")
    out = json.loads(r.stdout)
    assert [f["path"] for f in out["filled"]] == ["People/Ana Sousa.md"]
    new = (empty.root / "People/Ana Sousa.md").read_text()
    assert new == ("---\ntype: person\n# my comment\nrole: 'PM'   # keep\nemail: ana@old.example\ncompany: Fabrikam\n"
                   "added: last spring\ntags:\n  - friend\n  - linkedin\nlinkedin: https://www.linkedin.com/in/ana-sousa\n"
                   "---\nBody stays.\n\n## Log\n- 2026-01-01 note: x\n")
    assert {(c["property"], c["have"]) for c in out["conflicts"]} == {("role", "PM"), ("added", "last spring")}


def test_a_malformed_row_is_reported_and_skipped_the_rest_imported(empty, tmp_path):
    csv = write(tmp_path, "C.csv", LINKEDIN + "Bad,Row,https://www.linkedin.com/in/bad,,Acme, Inc.,CEO,01 Jan 2020\n")
    r = run(empty.root, "import", "linkedin", str(csv))
    assert r.exit_code == 1
    assert f"{csv}:8: error: this row has 8 fields" in r.stderr
    assert r.stdout.splitlines()[-1] == "Created 3 notes, filled 0, 0 unchanged; 1 skipped (errors above)"


@pytest.mark.parametrize("kind, text, says", [
    ("linkedin", VCARDS, "looks like a vCard file"),
    ("vcard", GOOGLE, "looks like a Google Contacts CSV export"),
    ("google", LINKEDIN, "looks like a LinkedIn connections export"),
])
def test_a_file_of_another_format_is_refused_in_one_line(empty, tmp_path, kind, text, says):
    f = write(tmp_path, "contacts.txt", text)
    before = empty.snapshot()
    r = run(empty.root, "import", kind, str(f))
    assert r.exit_code == 1 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert empty.snapshot() == before


def test_not_utf8_is_refused(empty, tmp_path):
    f = tmp_path / "c.csv"
    f.write_bytes(b"First Name,Last Name\nJ\xf6rg,M\n")
    r = run(empty.root, "import", "linkedin", str(f))
    assert r.exit_code == 1 and f"{f}:2: error: the file is not UTF-8 text" in r.stderr


def test_vcard_and_google_imports(empty, tmp_path):
    r = run(empty.root, "import", "vcard", str(write(tmp_path, "phone.vcf", VCARDS)), "--circle", "family", "--json")
    assert r.exit_code == 1  # one broken card
    out = json.loads(r.stdout)
    assert [c["path"] for c in out["created"]] == ["People/Zoë Ångström.md", "People/Jörg Müller.md",
                                                   "People/太郎 山田.md"]
    zoe = (empty.root / "People/Zoë Ångström.md").read_text()
    assert "aliases: [Zo, Zozo]" in zoe and "circles: [family]" in zoe and "birthday: 1990-05-17" in zoe
    assert "Met at PyData.\nLoves climbing.\n\nOther phones: +1 617 555 0100\n\n## Log" in zoe
    r = run(empty.root, "import", "google", str(write(tmp_path, "contacts.csv", GOOGLE)), "--json")
    out = json.loads(r.stdout)
    assert [c["path"] for c in out["created"]] == ["People/Priya Shah.md", "People/Kenji Watanabe.md"]
    priya = (empty.root / "People/Priya Shah.md").read_text()
    assert "email: [priya@northwind.example, p.shah@example.org, priya@home.example]" in priya


def test_round_trip_export_vcard_then_import_into_an_empty_vault(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "vault-template", src)
    r = run(src, "export", "vcard", "-o", str(tmp_path / "all.vcf"))
    assert r.exit_code == 0 and r.stderr == "Wrote 12 contacts to " + str(tmp_path / "all.vcf") + "\n"
    dst = tmp_path / "dst"
    (dst / "Templates").mkdir(parents=True)
    shutil.copy(ROOT / "vault-template/Templates/Person.md", dst / "Templates/Person.md")
    (dst / ".obsidian").mkdir()
    r = run(dst, "import", "vcard", str(tmp_path / "all.vcf"))
    assert r.exit_code == 0, r.output
    keys = ("name", "aliases", "company", "role", "email", "phone", "linkedin", "tags")

    def contacts(v):
        out = json.loads(run(v, "list", "--json").stdout)
        return {c["name"]: {k: c.get(k) for k in keys} for c in out}

    assert contacts(dst) == contacts(src)


def test_export_csv_and_its_refusals(empty, tmp_path):
    empty.person("Ana Sousa", "type: person\nemail: a@x\nask_about: [her trip]\n", log="- 2026-11-01 coffee: secret\n")
    r = run(empty.root, "export", "csv")
    assert r.stdout.startswith("name,aliases,company,") and "secret" not in r.stdout and "trip" not in r.stdout
    assert "secret" in run(empty.root, "export", "csv", "--private").stdout
    note = empty.root / "People/Ana Sousa.md"
    before = note.read_bytes()
    r = run(empty.root, "export", "csv", "-o", str(note))
    assert r.exit_code == 1 and "is a note of the vault" in r.stderr and note.read_bytes() == before
    other = write(tmp_path, "important.txt", "not an export\n")
    r = run(empty.root, "export", "vcard", "-o", str(other))
    assert r.exit_code == 1 and "will not overwrite" in r.stderr


def test_outreach_after_an_import_puts_target_companies_and_recent_connections_first(empty, tmp_path):
    empty.write("Profile.md", "# Profile\n\n## Companies I would love an introduction to\n- [[Contoso, Ltd.]]\n")
    empty.write("mdnet.toml", "[rules]\nnew_per_week = 5\nmonthly_update = \"off\"\n")
    run(empty.root, "import", "linkedin", str(write(tmp_path, "C.csv", LINKEDIN)))
    due = json.loads(run(empty.root, "due", "--as-of", "2026-11-23", "--within", "2w", "--json").stdout)
    assert [i["contact"] for i in due if i["rule"] == "outreach"] == ["Chen Wei", "Ana Sousa", "José Núñez"]




def test_an_edit_of_profile_md_reorders_outreach_in_a_long_running_workspace(empty):
    from datetime import date

    from mdnet.workspace import Workspace

    empty.write("mdnet.toml", "[rules]\nnew_per_week = 5\nmonthly_update = \"off\"\n")
    empty.person("Al Old", "type: person\ncompany: Northwind\nadded: 2020-01-01\n")
    empty.person("Bo New", "type: person\ncompany: Contoso\nadded: 2026-11-01\n")
    with Workspace.open(empty.root) as ws:  # one process, one engine, as the watcher keeps it
        def order() -> list[str]:
            ws.refresh()
            return [i.contact for i in ws.load(date(2026, 11, 23), sync=False).follow_ups if i.rule == "outreach"]

        assert order() == ["Bo New", "Al Old"]  # most recently connected first
        empty.write("Profile.md", "## Target companies\n- Northwind\n")
        assert order() == ["Al Old", "Bo New"]  # now at a target company


def test_khard_reads_the_exported_vcards(tmp_path):
    pytest.importorskip("khard", reason="khard is not installed (pip install khard)")
    import subprocess
    import sys

    src = tmp_path / "src"
    shutil.copytree(ROOT / "vault-template", src)
    book = tmp_path / "book"
    book.mkdir()
    r = run(src, "export", "vcard", "-o", str(tmp_path / "all.vcf"))
    assert r.exit_code == 0
    # khard reads a vdir: one .vcf per card
    cards = (tmp_path / "all.vcf").read_text().split("BEGIN:VCARD")[1:]
    for n, card in enumerate(cards):
        (book / f"{n}.vcf").write_text("BEGIN:VCARD" + card)
    config = tmp_path / "khard.conf"
    config.write_text(f"[addressbooks]\n[[mdnet]]\npath = {book}\n\n[general]\ndefault_action = list\n")
    out = subprocess.run([sys.executable, "-m", "khard", "-c", str(config), "list", "--parsable"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stderr == "", out.stderr  # no card it could not read
    assert len(out.stdout.strip().splitlines()) == 12 and "Ana Sousa" in out.stdout
    email = subprocess.run([sys.executable, "-m", "khard", "-c", str(config), "email", "--parsable", "Ana"],
                           capture_output=True, text=True, timeout=60)
    assert "ana.sousa@example.com" in email.stdout, email.stderr


# --- the batch parts of the writer an import uses ------------------------------------------------


def test_set_properties_changes_exactly_those_keys_verified_once():
    text = "---\ntype: person\nname:\ntags: []  # mine\nrole: 'x'\n---\nbody\n"
    out = set_properties(text, [("name", "Zoë: the \"best\""), ("tags", ["a", "b, c"]), ("added", "2026-11-19")])
    assert frontmatter_props(out) == {"type": "person", "name": 'Zoë: the "best"', "tags": ["a", "b, c"],
                                      "role": "x", "added": "2026-11-19"}
    assert out.endswith("role: 'x'\nadded: 2026-11-19\n---\nbody\n") and "  # mine" in out
    with pytest.raises(EditError):
        set_properties("---\na: [1,\n---\n", [("b", 1)])  # a frontmatter that does not parse is not touched


def test_create_notes_creates_all_and_refuses_what_exists(tmp_path):
    (tmp_path / "People").mkdir()
    (tmp_path / "People/B.md").write_text("mine\n")
    results = create_notes(tmp_path, [("People/A.md", "a\n"), ("People/B.md", "b\n"), ("New/C.md", "c\n")])
    assert [type(r).__name__ for r in results] == ["Change", "WriteRefused", "Change"]
    assert isinstance(results[1], WriteRefused) and "already exists" in str(results[1])
    assert (tmp_path / "People/A.md").read_text() == "a\n" and (tmp_path / "People/B.md").read_text() == "mine\n"
    assert (tmp_path / "New/C.md").read_text() == "c\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["A.md", "B.md", "C.md", "New", "People"]  # no temp left
