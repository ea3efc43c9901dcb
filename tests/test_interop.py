"""The pure side of import and export: readers, file names, matching, the plan, exporters.

Fixture files are written here in the real formats (LinkedIn's preamble, vCard
folding and quoted-printable, Google's column names), not read from samples.
"""

from __future__ import annotations

from datetime import date

import pytest

from mdnet.config import load_config
from mdnet.graph import resolve
from mdnet.interop.export import COLUMNS, export_csv, export_vcard, uid
from mdnet.interop.google import read_google
from mdnet.interop.linkedin import parse_connected_on, read_linkedin
from mdnet.interop.names import key, safe_stem, unique_stem
from mdnet.interop.plan import Options, plan_import
from mdnet.interop.record import Incoming, WrongFormat, describe, norm_linkedin
from mdnet.interop.table import rows
from mdnet.interop.vcard import read_vcard
from mdnet.vault.parse import parse_note

CONFIG = load_config({})[0]

LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing. '
    'You will only see email addresses for connections who have allowed their connections to see or download '
    'their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more '
    'here https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ana,Sousa,https://www.linkedin.com/in/ana-sousa,ana.sousa@example.com,Fabrikam,Product Manager,19 Nov 2026\n"
    'Chen,Wei,https://www.linkedin.com/in/chenwei,,"Contoso, Ltd.",Staff Engineer,02 Mar 2025\n'
    "José,Núñez,https://www.linkedin.com/in/jnunez,,,,05 Jan 2024\n"
)


def note(path: str, text: str):
    return parse_note(path, text.encode(), CONFIG)


# --- readers --------------------------------------------------------------------------------


def test_linkedin_reads_past_the_preamble_with_missing_emails_and_a_quoted_comma():
    r = read_linkedin("Connections.csv", LINKEDIN)
    assert r.diagnostics == ()
    ana, chen, jose = r.contacts
    assert (ana.line, ana.name, ana.emails, ana.company, ana.role, ana.added) == (
        5, "Ana Sousa", ("ana.sousa@example.com",), "Fabrikam", "Product Manager", date(2026, 11, 19))
    assert ana.linkedin == "https://www.linkedin.com/in/ana-sousa" and ana.tags == ("linkedin",)
    assert chen.emails == () and chen.company == "Contoso, Ltd." and chen.added == date(2025, 3, 2)
    assert jose.name == "José Núñez" and jose.company is None and jose.line == 7


def test_linkedin_malformed_row_is_reported_with_its_line_and_skipped():
    text = LINKEDIN + "Bad,Row,https://www.linkedin.com/in/bad,,Acme, Inc.,CEO,01 Jan 2020\n,,,,,,\nLinh,Nguyen,,,,,someday\n"
    r = read_linkedin("C.csv", text)
    assert [str(d) for d in r.diagnostics] == [
        "C.csv:8: error: this row has 8 fields, the header 7 (a comma in a value that is not in quotes?); row skipped",
        "C.csv:10: warning: Connected On: 'someday' is not a date; imported without it",
    ]
    assert [c.name for c in r.contacts] == ["Ana Sousa", "Chen Wei", "José Núñez", "Linh Nguyen"]


def test_linkedin_row_without_a_name_is_an_error():
    r = read_linkedin("C.csv", "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
                               ",,https://www.linkedin.com/in/x,,Acme,,01 Jan 2020\n")
    assert [(d.line, d.code) for d in r.diagnostics] == [(2, "import-malformed")] and r.contacts == ()


@pytest.mark.parametrize("text, want", [("19 Nov 2026", date(2026, 11, 19)), ("2-Mar-25", date(2025, 3, 2)),
                                        ("2026-11-19", date(2026, 11, 19)), ("31 Feb 2026", None), ("x", None)])
def test_connected_on(text, want):
    assert parse_connected_on(text) == want


@pytest.mark.parametrize("reader, text, says", [
    (read_linkedin, "BEGIN:VCARD\nVERSION:3.0\nFN:X\nEND:VCARD\n", "a vCard file"),
    (read_linkedin, "Name,Given Name,Family Name,E-mail 1 - Value\nA,A,B,a@x\n", "a Google Contacts CSV export"),
    (read_linkedin, "PK\x03\x04rest", "a ZIP archive"),
    (read_google, LINKEDIN, "a LinkedIn connections export"),
    (read_vcard, LINKEDIN, "a LinkedIn connections export"),
    (read_vcard, "Notes: hello\n", "text beginning 'Notes: hello'"),
    (read_vcard, "a,b,c\n1,2,3\n", "a table whose first line is 'a,b,c'"),
])
def test_a_file_of_another_format_is_refused_saying_what_it_looks_like(reader, text, says):
    with pytest.raises(WrongFormat) as e:
        reader("f", text)
    assert says in str(e.value) and "\n" not in str(e.value)


VCARDS = (
    # vCard 3.0, folded lines, escaped comma, non-ASCII name, a photo
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Zoë Ångström\r\nN:Ångström;Zoë;;;\r\nNICKNAME:Zo,Zozo\r\n"
    "EMAIL;TYPE=INTERNET,WORK:zoe@example.com\r\nEMAIL;TYPE=HOME:zoe@home.example\r\n"
    "TEL;TYPE=CELL:+1 617 555 0143\r\nTEL;TYPE=WORK:+1 617 555 0100\r\n"
    "ORG:Fabrikam\\, Inc.;Payments\r\nTITLE:Director of Engineering\\, Payme\r\n nts\r\n"
    "URL:https://www.linkedin.com/in/zoe-a\r\nURL:https://zoe.example\r\nBDAY:1990-05-17\r\n"
    "CATEGORIES:mentor,fintech\r\nNOTE:Met at PyData.\\nLoves climbing.\r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHR\r\n"
    " ofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIy\r\n"
    "END:VCARD\r\n"
    # vCard 2.1 as phones write it: quoted-printable UTF-8 with a soft line break
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=B6rg;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BCller\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Kollege bei Contoso, sehr hilfsbereit und immer fr=\r\n"
    "=C3=B6hlich\r\nTEL;CELL:+49 30 1234567\r\nEND:VCARD\r\n"
    # a broken card: a line with no colon
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Broken\r\nthis line is not a property\r\nEND:VCARD\r\n"
    # vCard 4.0 without FN but with N, in Japanese
    "BEGIN:VCARD\nVERSION:4.0\nN:山田;太郎;;;\nEMAIL:taro@example.jp\nEND:VCARD\n"
)


def test_vcard_reads_3_0_and_2_1_quoted_printable_and_4_0_and_skips_a_broken_card():
    r = read_vcard("phone.vcf", VCARDS)
    assert [str(d) for d in r.diagnostics] == [
        "phone.vcf:32: error: this card cannot be read (Failed to parse line: this line is not a property); card skipped"]
    zoe, jorg, taro = r.contacts
    assert (zoe.line, zoe.name, zoe.aliases) == (1, "Zoë Ångström", ("Zo", "Zozo"))
    assert zoe.emails == ("zoe@example.com", "zoe@home.example")
    assert zoe.phones == ("+1 617 555 0143", "+1 617 555 0100")
    assert (zoe.company, zoe.role) == ("Fabrikam, Inc.", "Director of Engineering, Payments")
    assert zoe.linkedin == "https://www.linkedin.com/in/zoe-a" and zoe.websites == ("https://zoe.example",)
    assert zoe.birthday == "1990-05-17" and zoe.tags == ("mentor", "fintech")
    assert zoe.note == "Met at PyData.\nLoves climbing."
    assert (jorg.line, jorg.name) == (21, "Jörg Müller")
    assert jorg.note == "Kollege bei Contoso, sehr hilfsbereit und immer fröhlich"
    assert taro.name == "太郎 山田" and taro.emails == ("taro@example.jp",)


def test_vcard_card_without_a_name_or_an_end():
    r = read_vcard("x.vcf", "BEGIN:VCARD\nVERSION:3.0\nEMAIL:a@b\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Cut\n")
    assert [(d.line, d.message) for d in r.diagnostics] == [
        (1, "this card has no FN or N (no name); card skipped"), (5, "this card has no END:VCARD; card skipped")]


GOOGLE = (
    "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,"
    "Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,"
    "Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,"
    "Phone 1 - Value,Website 1 - Label,Website 1 - Value\n"
    "Priya,,Shah,,,,,,,,Northwind,Recruiter,,--07-04,\"Two lines\nof notes\",,* myContacts ::: Recruiters,"
    "* Work,priya@northwind.example ::: p.shah@example.org,Home,priya@home.example,Mobile,+1 555 0101,"
    "Profile,https://www.linkedin.com/in/priyashah\n"
    "Kenji,,Watanabe,,,,,,Ken,,,,,1985-02-03,,,* starred,,kenji@example.com,,,,,,\n"
    ",,,,,,,,,,,,,,,,,,,,,,,,\n"
)


def test_google_csv_with_two_emails_labels_and_multi_line_notes():
    r = read_google("contacts.csv", GOOGLE)
    priya, kenji = r.contacts
    assert priya.emails == ("priya@northwind.example", "p.shah@example.org", "priya@home.example")
    assert (priya.company, priya.role, priya.birthday) == ("Northwind", "Recruiter", "--07-04")
    assert priya.tags == ("Recruiters",) and priya.linkedin == "https://www.linkedin.com/in/priyashah"
    assert priya.note == "Two lines\nof notes" and priya.phones == ("+1 555 0101",)
    assert (kenji.line, kenji.aliases, kenji.birthday, kenji.tags) == (4, ("Ken",), "1985-02-03", ())
    assert r.diagnostics == ()  # the all-empty row is a blank line


def test_google_row_with_the_wrong_number_of_fields():
    r = read_google("c.csv", "Given Name,Family Name,E-mail 1 - Value\nA,B,a@x\nC,D\n")
    assert [str(d) for d in r.diagnostics] == ["c.csv:3: error: this row has 2 fields, the header 3; row skipped"]


def test_rows_give_the_line_a_row_starts_on():
    assert list(rows('\ufeffa,b\r\n"x\r\ny",z\r\n\r\nq,r')) == [(1, ["a", "b"]), (2, ["x\r\ny", "z"]), (5, ["q", "r"])]


# --- file names -------------------------------------------------------------------------------


@pytest.mark.parametrize("name, stem", [
    ("Ana Sousa", "Ana Sousa"),
    ('A/B\\C:D*E?F"G<H>I|J', "A B C D E F G H I J"),
    ("Tab\there\x07", "Tab here"),
    ("...dots and spaces. . ", "dots and spaces"),
    ("CON", "CON (contact)"),
    ("nul.txt", "nul.txt (contact)"),
    ("Ana [[#^]] Sousa", "Ana Sousa"),
    ("", "Unnamed"),
    ("山田 太郎", "山田 太郎"),
    ("Zoe\u0308", "Zo\u00eb"),  # NFC
])
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem


def test_long_names_are_cut_at_200_bytes_on_a_character_boundary():
    stem = safe_stem("é" * 300)
    assert len((stem + ".md").encode()) <= 200 and stem == "é" * 98
    taken: set[str] = set()
    assert unique_stem("日" * 100, taken) == "日" * 65
    second = unique_stem("日" * 100, taken)
    assert second.endswith(" 2") and len((second + ".md").encode()) <= 200


def test_unique_stems_differ_by_more_than_case_or_normalisation():
    taken = {key("Ana Sousa"), key("Zo\u00eb")}
    assert unique_stem("ana sousa", taken) == "ana sousa 2"
    assert unique_stem("Zoe\u0308", taken) == "Zo\u00eb 2"
    assert unique_stem("ANA SOUSA", taken) == "ANA SOUSA 3"


# --- matching and the plan --------------------------------------------------------------------


def inc(name: str, line: int = 2, **kw) -> Incoming:
    return Incoming(line=line, name=name, **kw)


def test_new_contacts_are_planned_with_safe_unique_paths_and_the_options():
    notes = [note("People/Ana Sousa.md", "---\ntype: person\nlinkedin: https://linkedin.com/in/ana\n---\n"),
             note("Fabrikam.md", "A company\n")]
    plan = plan_import([inc("Chen: Wei", company="fabrikam", emails=("c@x",), tags=("linkedin",)),
                        inc("ANA SOUSA", linkedin="https://linkedin.com/in/other")],
                       notes, Options(tags=("imported",), circles=("college",), status="paused"))
    assert [(c.path, c.name) for c in plan.creates] == [("People/Chen Wei.md", "Chen: Wei"),
                                                        ("People/ANA SOUSA 2.md", "ANA SOUSA")]
    assert dict(plan.creates[0].properties) == {
        "name": "Chen: Wei", "company": "[[Fabrikam]]", "email": ("c@x",), "tags": ("linkedin", "imported"),
        "circles": ("college",), "status": "paused"}
    assert plan.fills == () and plan.conflicts == ()


def test_a_match_fills_empty_properties_adds_list_values_and_reports_conflicts():
    ana = note("People/Ana Sousa.md", "---\ntype: person\nrole: PM\nemail: ana@old.example\ncompany:\n"
                                      "aliases: [Annie]\n---\n")
    plan = plan_import([inc("Ana Sousa", line=7, company="Fabrikam", role="Product Manager",
                            emails=("ANA@old.example", "ana@new.example"), aliases=("annie", "A. S."),
                            added=date(2026, 11, 19))], [ana])
    assert plan.creates == ()
    (fill,) = plan.fills
    assert fill.path == "People/Ana Sousa.md" and fill.lines == (7,)
    assert dict(fill.set) == {"company": "Fabrikam", "added": "2026-11-19"}
    assert dict(fill.add) == {"email": ("ana@new.example",), "aliases": ("A. S.",)}
    (c,) = plan.conflicts
    assert str(c.diagnostic("C.csv")) == (
        "C.csv:7: warning: role: People/Ana Sousa.md has 'PM', this says 'Product Manager'; kept 'PM'")


def test_matching_by_email_linkedin_name_and_alias():
    notes = [note("People/A.md", "---\ntype: person\nemail: [a@x.example]\n---\n"),
             note("People/B.md", "---\ntype: person\nlinkedin: https://www.linkedin.com/in/bee/\n---\n"),
             note("People/C.md", "---\ntype: person\nname: Carla Díaz\n---\n"),
             note("People/D.md", "---\ntype: person\naliases: [Dee]\n---\n")]
    plan = plan_import([inc("Someone", emails=("A@X.example",)), inc("Other", linkedin="linkedin.com/in/Bee"),
                        inc("carla  di\u0301az"), inc("DEE")], notes)
    assert plan.creates == ()
    assert sorted(plan.unchanged) == ["People/A.md", "People/B.md", "People/C.md", "People/D.md"]
    assert {(c.path, c.key) for c in plan.conflicts} == {("People/A.md", "name"), ("People/B.md", "name")}


def test_same_name_with_another_linkedin_profile_is_another_person():
    notes = [note("People/John Smith.md", "---\ntype: person\nlinkedin: https://www.linkedin.com/in/js1\n---\n")]
    plan = plan_import([inc("John Smith", linkedin="https://www.linkedin.com/in/js2")], notes)
    assert [c.path for c in plan.creates] == ["People/John Smith 2.md"]


def test_a_file_listing_one_person_twice_makes_one_note():
    plan = plan_import([inc("Ana", line=2, emails=("a@x",)), inc("Ana", line=3, emails=("b@x",), role="PM")], [])
    (c,) = plan.creates
    assert c.lines == (2, 3) and dict(c.properties)["email"] == ("a@x", "b@x") and dict(c.properties)["role"] == "PM"




def test_norm_linkedin():
    assert norm_linkedin("https://www.linkedin.com/in/Ana-Sousa/?trk=x") == norm_linkedin("linkedin.com/in/ana-sousa")


def test_describe():
    assert describe("") == "an empty file"


# --- export -----------------------------------------------------------------------------------


def _vault(*notes):
    return resolve(list(notes), CONFIG)


def test_export_csv_has_the_documented_columns_and_keeps_private_things_out():
    v = _vault(note("People/Ana Sousa.md", "---\ntype: person\nemail: [a@x, b@y]\ntags: [fintech]\n"
                                           "ask_about: [her trip]\n---\n## Log\n- 2026-11-20 coffee: secret\n"))
    text = export_csv(v)
    head, row, _ = text.split("\r\n")
    assert head == ",".join(COLUMNS)
    assert row.startswith("Ana Sousa,,,,a@x; b@y,") and "secret" not in text and "trip" not in text
    private = export_csv(v, private=True)
    assert "her trip" in private and "2026-11-20 coffee: secret" in private


def test_export_vcard_is_4_0_with_a_stable_uid_and_no_private_text():
    ana = note("People/Ana Sousa.md", "---\ntype: person\ncompany: '[[Fabrikam]]'\nrole: PM\nemail: a@x\n"
                                      "ask_about: [her trip]\n---\n## Log\n- 2026-11-20 coffee: secret\n")
    text = export_vcard(_vault(ana))
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and "ORG:Fabrikam\r\n" in text
    assert f"UID:{uid(_vault(ana).contacts[0])}\r\n" in text and "secret" not in text and "trip" not in text
    assert export_vcard(_vault(ana)) == text
    assert "secret" in export_vcard(_vault(ana), private=True)
    own = note("People/B.md", "---\ntype: person\nuid: urn:uuid:1234\n---\n")
    assert "UID:urn:uuid:1234\r\n" in export_vcard(_vault(own))


def test_exported_vcards_read_back_the_same():
    ana = note("People/Zoë Ångström.md", "---\ntype: person\naliases: [Zo, 'Z, the great']\ncompany: Fabrikam, Inc.\n"
                                         "role: Director; Payments\nemail: [zoe@x.example, z@y.example]\n"
                                         "phone: '+1 617 555 0143'\nlinkedin: https://www.linkedin.com/in/zoe\n"
                                         "tags: [mentor, 'a,b']\nbirthday: 1990-05-17\n---\n")
    (back,) = read_vcard("x.vcf", export_vcard(_vault(ana))).contacts
    assert (back.name, back.aliases, back.company, back.role) == (
        "Zoë Ångström", ("Zo", "Z, the great"), "Fabrikam, Inc.", "Director; Payments")
    assert back.emails == ("zoe@x.example", "z@y.example") and back.phones == ("+1 617 555 0143",)
    assert back.linkedin == "https://www.linkedin.com/in/zoe" and back.birthday == "1990-05-17"
    assert back.tags == ("mentor", "a,b")


# --- never raises; 10k rows -------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_HEADERS = ("", "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
            "Given Name,Family Name,E-mail 1 - Value\n", "BEGIN:VCARD\nVERSION:3.0\n")


@settings(max_examples=150, deadline=None)
@given(head=st.sampled_from(_HEADERS), body=st.text())
def test_readers_never_raise_on_any_text_but_to_refuse_the_format(head, body):
    for reader in (read_linkedin, read_google, read_vcard):
        try:
            r = reader("f", head + body)
        except WrongFormat as e:
            assert "\n" not in str(e)
            continue
        assert all(d.path == "f" and d.line >= 1 for d in r.diagnostics)


def _connections(n: int) -> str:
    rows = [f"P{i},Name {i},https://www.linkedin.com/in/p{i},{f'p{i}@example.com' if i % 3 == 0 else ''},"
            f"\"Company {i % 50}, Inc.\",Role {i % 7},{1 + i % 28} Nov 2026" for i in range(n)]
    return "Notes:\n\"...\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n" + "\n".join(rows)


@pytest.mark.slow
def test_ten_thousand_rows_plan_into_unique_notes_and_match_all_again():
    read = read_linkedin("C.csv", _connections(10_000))
    assert len(read.contacts) == 10_000 and read.diagnostics == ()
    plan = plan_import(read.contacts, [])
    assert len(plan.creates) == 10_000 and len({key(c.path) for c in plan.creates}) == 10_000
    import json

    notes = [note(c.path, "---\ntype: person\n" + "".join(
        f"{k}: {json.dumps(list(v) if isinstance(v, tuple) else v, ensure_ascii=False)}\n" for k, v in c.properties)
        + "---\n") for c in plan.creates]
    again = plan_import(read.contacts, notes)
    assert again.creates == () and again.fills == () and again.conflicts == () and len(again.unchanged) == 10_000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_file_names_are_always_safe_and_unique(names):
    import re as _re

    taken: set[str] = set()
    stems = [unique_stem(n, taken) for n in names]
    for s in stems:
        assert s and len((s + ".md").encode()) <= 200
        assert not _re.search(r'[/\\:*?"<>|#^\[\]\x00-\x1f\x7f]', s)
        assert not s.startswith(".") and not s.endswith((".", " ")) and s == s.strip()
        assert s.split(".")[0].casefold() not in {"con", "prn", "aux", "nul", "com1", "lpt1"}
    assert len({key(s) for s in stems}) == len(stems)
