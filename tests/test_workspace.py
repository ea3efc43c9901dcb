"""Workspace: the library entry point (vault + config + index) and its loader."""

from __future__ import annotations

import os
from datetime import date

from mdnet.rules import select_due
from mdnet.workspace import Workspace

TODAY = date(2026, 11, 23)


def test_the_cache_follows_edits_like_a_fresh_load(vault):
    vault.write("mdnet.toml", "")
    vault.person("Ana", "company: Fabrikam\n", "- 2026-11-18 coffee: try [[Ben]]\n")
    vault.person("Ben")
    ws = Workspace.open(vault.root)
    ws.load(TODAY).follow_ups
    steps = [
        lambda: vault.person("Ben", "company: Fabrikam\n", "- 2026-11-20 email\n"),  # names kept: incremental
        lambda: vault.person("Cy", "", "- 2026-11-21 call\n"),
        lambda: (vault.root / "People" / "Ana.md").unlink(),
        lambda: (vault.root / "People" / "Cy.md").rename(vault.root / "People" / "Cyrus.md"),
        lambda: os.utime(vault.root / "People" / "Ben.md", ns=(1, 1_900_000_000_000_000_000)),
    ]
    for step in steps:
        step()
        kept = ws.load(TODAY)
        with Workspace.open(vault.root) as other:
            fresh = other.load(TODAY, sync=False)
            assert kept.vault == fresh.vault  # interactions, referrals, mtimes (the feed's SEQUENCE)...
            assert kept.follow_ups == fresh.follow_ups
            assert kept.diagnostics == fresh.diagnostics
            assert kept.feed() == fresh.feed()
    assert kept.changed == {"People/Ben.md"}  # the touch: applied alone, not a rebuild


def test_the_cache_is_rebuilt_when_another_process_synced(vault):
    vault.person("Ana")
    ws = Workspace.open(vault.root)
    ws.load(TODAY).vault
    vault.person("Ben")
    Workspace.open(vault.root).refresh(today=TODAY)  # someone else (the CLI) indexed it
    loaded = ws.load(TODAY)
    assert [c.name for c in loaded.vault.contacts] == ["Ana", "Ben"] and loaded.changed is None


def test_load_returns_every_problem_at_once(vault):
    vault.write("mdnet.toml", "[rules]\nmystery = 1\n")
    vault.person("Ana", "met: someday\n")
    vault.write("Meetings/M.md", "---\ntype: meeting\ndate: 2026-11-01\nwith: [Nobody]\n---\n")
    with Workspace.open(vault.root) as ws:
        codes = [d.code for d in ws.load(TODAY).diagnostics]
    assert codes[0].startswith("config-") and {"invalid-date", "with-unknown-person"} <= set(codes)


def test_holidays_default_to_the_country_of_the_locale_read_at_the_edge(vault) -> None:
    from mdnet.config import DEFAULT, load_config
    from mdnet.workspace import locale_country, with_locale

    assert locale_country({"LANG": "en_GB.UTF-8"}) == "GB"
    assert locale_country({"LC_ALL": "de_DE@euro", "LANG": "en_US.UTF-8"}) == "DE"
    assert locale_country({"LC_TIME": "C", "LANG": "en_US.UTF-8"}) is None
    assert locale_country({}) is None
    assert with_locale(DEFAULT, {"LANG": "en_US.UTF-8"})["rules.holidays"] == "US"
    assert with_locale(DEFAULT, {"LANG": "C.UTF-8"})["rules.holidays"] == "none"
    chosen, _ = load_config({"rules": {"holidays": "GB-ENG"}})
    assert with_locale(chosen, {"LANG": "en_US.UTF-8"})["rules.holidays"] == "GB-ENG"
    vault.write("mdnet.toml", "")
    from mdnet.workspace import Workspace

    with Workspace.open(vault.root) as ws:
        assert ws.config["rules.holidays"] == "none"  # conftest: the test machine's locale does not leak in


def test_due_from_the_stored_items_equals_due_from_computed_ones(vault):
    """A one-shot due reads the items the index keeps, building only those in its window."""
    vault.write("mdnet.toml", "[rules]\nnew_per_week = 5\n")
    vault.person("Ana", "follow_up: 2026-11-20\n", "- 2026-11-02 email: hello\n")
    vault.person("Ben", "cadence: 2w\n", "- 2026-11-18 coffee: hi\n")
    vault.person("Cy", "follow_up: 2026-12-20\n")
    for n in range(6):
        vault.person(f"New {n}")
    with Workspace.open(vault.root) as ws:
        computed = ws.load(TODAY).follow_ups  # stores them
    assert {i.rule for i in computed} >= {"follow-up", "nudge", "thank-you", "outreach"}
    for within, rules in [(0, None), (10, None), (40, {"outreach", "follow-up"}), (400, {"nudge"}), (0, set())]:
        with Workspace.open(vault.root) as ws:
            stored = ws.load(TODAY, sync=False).due(within=within, rules=rules)
        assert stored == select_due(computed, TODAY, within=within, rules=rules)


def test_a_one_shot_load_keeps_every_part_it_computed(vault):
    """due reads the items, the rules-failed errors and the problem count: a command that
    had to compute them stores all three, so the next one loads no note."""
    vault.person("Ana", "follow_up: 2026-11-20\nmet: someday\n", "- 2026-11-02 email: hello\n")
    vault.person("Ben", "", "- 2026-11-18 coffee: hi\n")
    with Workspace.open(vault.root) as ws:
        first = ws.load(TODAY)
        parts = (first.due(within=7), first.rule_diagnostics, first.problem_notes())
        assert ws.persisted_how == "full" and ws.index.decoded == 2  # computed
    with Workspace.open(vault.root) as ws:
        again = ws.load(TODAY)
        assert (again.due(within=7), again.rule_diagnostics, again.problem_notes()) == parts
        assert ws.persisted_how == "current" and ws.index.decoded == 0  # all three read from the index
    assert parts[0] and parts[2] == 1
