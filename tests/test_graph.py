"""Resolving notes against each other: links, meetings, referrals, duplicates."""

from __future__ import annotations

from datetime import date

from mdnet.config import DEFAULT
from mdnet.graph import resolve
from mdnet.vault.parse import parse_note


def vault_of(**files: str):
    notes = [parse_note(p, t.encode(), DEFAULT) for p, t in files.items()]
    return resolve(notes, DEFAULT)


def test_links_resolve_by_file_name_then_name_then_alias():
    v = vault_of(**{
        "People/Ana Lopez.md": "---\naliases: [Annie]\n---\n",
        "People/cw.md": "---\nname: Chen Wei\n---\n",
        "People/Dana.md": "- 2026-11-01 coffee: met [[Ana Lopez]], [[chen wei]], [[Annie]], [[People/cw|Chen]]\n",
    })
    refs = {p: [r.referrer for r in rs] for p, rs in v.referrals.items()}
    assert refs == {"People/Ana Lopez.md": ["People/Dana.md", "People/Dana.md"],
                    "People/cw.md": ["People/Dana.md", "People/Dana.md"]}


def test_meeting_counts_for_everyone_it_names_and_sorts_before_log_lines():
    v = vault_of(**{
        "People/Ana.md": "- 2026-11-03 thanks: for the panel\n",
        "People/Chen.md": "",
        "Meetings/Panel.md": '---\ndate: 2026-11-03\nwith: ["[[Ana]]", "Chen", "[[Nobody]]"]\n---\n# Hiring panel\n',
    })
    assert [(i.kind, i.source) for i in v.interactions["People/Ana.md"]] == [
        ("met", "Meetings/Panel.md"), ("thanked", "People/Ana.md")]
    assert [(i.kind, i.text) for i in v.interactions["People/Chen.md"]] == [("met", "Hiring panel")]
    (d,) = v.diagnostics
    assert (d.path, d.line, d.code) == ("Meetings/Panel.md", 3, "with-unknown-person")
    assert "'Nobody'" in d.message


def test_same_day_lines_keep_file_order():
    v = vault_of(**{"People/Ana.md": "- 2026-11-03 thanks\n- 2026-11-03 coffee\n- 2026-11-02 email\n"})
    assert [i.kind for i in v.interactions["People/Ana.md"]] == ["reached-out", "thanked", "met"]


def test_referrals_from_property_and_from_met_or_replied_lines_only():
    v = vault_of(**{
        "People/Ana.md": "- 2026-11-01 coffee: suggested [[Priya]]\n- 2026-11-02 email: cc [[Chen]]\n"
                         "- 2026-11-03 reply: try [[Dana]]\n",
        "People/Priya.md": "", "People/Chen.md": "", "People/Dana.md": "",
        "People/Eve.md": '---\nreferred_by: "[[Ana]]"\n---\n',
        "People/Fay.md": "---\nreferred_by: Someone Outside\n---\n",
    })
    got = {p: [(r.referrer, r.referrer_name, r.date) for r in rs] for p, rs in v.referrals.items()}
    assert got == {
        "People/Priya.md": [("People/Ana.md", "Ana", date(2026, 11, 1))],
        "People/Dana.md": [("People/Ana.md", "Ana", date(2026, 11, 3))],
        "People/Eve.md": [("People/Ana.md", "Ana", None)],
        "People/Fay.md": [(None, "Someone Outside", None)],
    }


def test_duplicate_names_warn_and_the_first_by_path_wins():
    v = vault_of(**{
        "People/A/Ana.md": "---\nname: Ana Lopez\n---\n",
        "People/B/Ana.md": "---\ntags: [x]\nname: Ana Lopez\n---\n",
        "People/Carl.md": "---\naliases: [Ana Lopez]\n---\n",
        "People/Dana.md": "- 2026-11-01 coffee: [[Ana Lopez]]\n",
    })
    assert [(d.path, d.line, d.code) for d in v.diagnostics] == [
        ("People/B/Ana.md", 1, "duplicate-name"),  # the file name "Ana": [[Ana]] is ambiguous
        ("People/B/Ana.md", 3, "duplicate-name"), ("People/Carl.md", 2, "duplicate-name")]
    assert list(v.referrals) == ["People/A/Ana.md"]


# --- Unicode normalisation (issue 7) -------------------------------------------------------

import unicodedata  # noqa: E402

from mdnet.lookup import find_contacts  # noqa: E402

NFC = unicodedata.normalize("NFC", "José Núñez")
NFD = unicodedata.normalize("NFD", "José Núñez")


def test_names_match_whatever_their_unicode_normalisation():
    """Issue 7: a file named in NFD (as macOS writes names) and a link typed in NFC did
    not match: referred_by resolved to nothing and show found no one."""
    assert NFC != NFD
    v = vault_of(**{
        f"People/{NFD}.md": "---\naliases: [\"" + unicodedata.normalize("NFD", "Pé") + "\"]\n---\n",
        "People/Ana.md": f"---\nreferred_by: \"[[{NFC}]]\"\n---\n- 2026-11-01 coffee: with [[{NFC.upper()}]] and [[pé]]\n",
        "People/Bo.md": f"---\nreferred_by: \"[[People/{NFC}]]\"\n---\n",
    })
    refs = {p: sorted(r.referrer for r in rs) for p, rs in v.referrals.items()}
    assert refs["People/Ana.md"] == [f"People/{NFD}.md"]
    assert refs["People/Bo.md"] == [f"People/{NFD}.md"]
    assert [r.referrer for r in v.referrals[f"People/{NFD}.md"]] == ["People/Ana.md", "People/Ana.md"]
    for query in (NFC, NFD, "josé", unicodedata.normalize("NFD", "josé"), "JOSÉ N"):
        assert [c.path for c in find_contacts(v, query)] == [f"People/{NFD}.md"], query


def test_two_files_differing_only_in_normalisation_are_a_duplicate_name():
    v = vault_of(**{f"People/{NFC}.md": "", f"People/{NFD}.md": ""})
    assert [d.code for d in v.diagnostics] == ["duplicate-name"]
def test_a_link_is_a_referral_only_to_someone_not_yet_in_touch():
    v = vault_of(**{
        "People/Laura.md": "- 2026-12-02 lunch: she mentioned [[Alex Kim]]; suggested [[Rosa]] and [[Pat Quinn]]\n",
        "People/Alex Kim.md": "- 2026-11-20 coffee: at the meetup\n",
        "People/Rosa.md": "- 2026-11-20: heard her talk\n",  # a note is not being in touch
    })
    assert {p: [r.referrer for r in rs] for p, rs in v.referrals.items()} == {"People/Rosa.md": ["People/Laura.md"]}
    [new] = v.new_names
    assert (new.contact, new.referrer, new.referrer_name, new.date, new.line) == (
        "Pat Quinn", "People/Laura.md", "Laura", date(2026, 12, 2), 1)


def test_a_new_name_goes_once_a_note_for_it_exists():
    files = {"People/Laura.md": "- 2026-12-02 coffee: suggested [[Pat Quinn]]\n- 2026-12-05 reply: and [[pat quinn]] again\n"}
    assert [r.contact for r in vault_of(**files).new_names] == ["Pat Quinn"]
    assert vault_of(**files, **{"People/Pat Quinn.md": ""}).new_names == ()
