"""The query layer: pure functions from a resolved vault to what a command shows."""

from __future__ import annotations

from mdnet.config import DEFAULT
from mdnet.graph import resolve
from mdnet.model import Diagnostic
from mdnet.query import find_contacts, list_contacts, problems, show_contact
from mdnet.vault.parse import parse_note


def vault_of(**files: str):
    return resolve([parse_note(p, t.encode(), DEFAULT) for p, t in files.items()], DEFAULT)


V = vault_of(**{
    "People/Ana Lopez.md": "---\ntags: [\"#Fintech\"]\ncircles: [friend]\n---\n- 2026-11-01 coffee: met\n- 2026-11-03 note: idea\n",
    "People/ben.md": "---\nname: Ben Okafor\nstatus: paused\nreferred_by: \"[[Ana Lopez]]\"\n---\n",
    "People/Cy.md": "---\ntags: [hiring]\n---\n- 2026-11-02 coffee: talked; try [[ben]]\n",
})


def test_list_filters_by_tag_circle_and_status_case_insensitively() -> None:
    assert [r.contact.name for r in list_contacts(V)] == ["Ana Lopez", "Ben Okafor", "Cy"]
    assert [r.contact.name for r in list_contacts(V, tags=["fintech", "HIRING"])] == ["Ana Lopez", "Cy"]
    assert [r.contact.name for r in list_contacts(V, circles=["FRIEND"])] == ["Ana Lopez"]
    assert [r.contact.name for r in list_contacts(V, statuses=["Paused"])] == ["Ben Okafor"]


def test_list_json_names_the_last_interaction_other_than_a_note() -> None:
    ana = list_contacts(V)[0].to_json()
    assert (ana["last"], ana["last_kind"], ana["tags"]) == ("2026-11-01", "met", ["Fintech"])
    assert list_contacts(V)[1].to_json()["last"] is None


def test_show_gathers_log_and_referrals_both_ways() -> None:
    (ben,) = find_contacts(V, "ben")
    shown = show_contact(V, ben).to_json()
    assert [r["name"] for r in shown["referred_by_notes"]] == ["Cy", "Ana Lopez"]  # dated first
    (ana,) = find_contacts(V, "ana")
    assert show_contact(V, ana).to_json()["referred"] == [{"name": "Ben Okafor", "date": None, "has_note": True}]
    assert [e["kind"] for e in show_contact(V, ana).to_json()["log"]] == ["met", "note"]


def test_problems_sort_count_and_filter() -> None:
    diags = [Diagnostic("b.md", 2, "warning", "unknown-kind", "w"), Diagnostic("a.md", 9, "error", "bad-yaml", "e"),
             Diagnostic("a.md", 1, "warning", "unknown-status", "w")]
    found = problems(diags)
    assert [(d.path, d.line) for d in found.diagnostics] == [("a.md", 1), ("a.md", 9), ("b.md", 2)]
    assert (found.errors, found.warnings) == (1, 2)
    assert [d["code"] for d in problems(diags, errors_only=True).to_json()] == ["bad-yaml"]
