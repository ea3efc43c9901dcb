"""Workspace: the library entry point (vault + config + index)."""

from __future__ import annotations

from datetime import date

from mdnet.workspace import Workspace

TODAY = date(2026, 11, 23)


def test_kept_notes_follow_edits_like_a_fresh_load(vault):
    vault.write("mdnet.toml", "")
    vault.person("Ana", "company: Fabrikam\n", "- 2026-11-18 coffee: try [[Ben]]\n")
    vault.person("Ben")
    ws = Workspace.open(vault.root)
    ws.refresh(today=TODAY)
    ws.vault(keep=True)
    steps = [
        lambda: vault.person("Ben", "company: Contoso\n", "- 2026-11-20 email\n"),
        lambda: vault.person("Cy", "", "- 2026-11-21 call\n"),
        lambda: (vault.root / "People" / "Ana.md").unlink(),
        lambda: (vault.root / "People" / "Cy.md").rename(vault.root / "People" / "Cyrus.md"),
        lambda: __import__("os").utime(vault.root / "People" / "Ben.md", ns=(1, 1_900_000_000_000_000_000)),
    ]
    for step in steps:
        step()
        ws.refresh(today=TODAY)
        kept = ws.vault(keep=True)
        fresh = Workspace.open(vault.root).vault()
        assert kept.contacts == fresh.contacts
        assert kept.interactions == fresh.interactions
        assert kept.referrals == fresh.referrals
        assert kept.mtimes == fresh.mtimes  # the feed's SEQUENCE comes from these


def test_kept_notes_are_reloaded_when_another_process_synced(vault):
    vault.person("Ana")
    ws = Workspace.open(vault.root)
    ws.refresh(today=TODAY)
    ws.vault(keep=True)
    vault.person("Ben")
    Workspace.open(vault.root).refresh(today=TODAY)  # someone else (the CLI) indexed it
    assert [c.name for c in ws.vault(keep=True).contacts] == ["Ana", "Ben"]
