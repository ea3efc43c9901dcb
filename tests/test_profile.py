"""Profile.md: the pitch, the target companies and the ask, read as people write them."""

from __future__ import annotations

from pathlib import Path

from mdnet.profile import Profile, TargetCompany, parse_profile
from mdnet.workspace import Workspace

TEMPLATE = Path(__file__).resolve().parent.parent / "vault-template"


def test_the_starter_profile_reads_completely() -> None:
    p = Workspace.open(TEMPLATE).profile()
    assert p.path == "Profile.md"
    assert p.target_role == "Senior product analyst, payments or risk"
    assert p.industries == ("fintech", "banking", "insurance")
    assert p.geography == "Boston area, hybrid; open to fully remote"
    assert p.pitch.startswith("I'm a data analyst with six years")
    assert p.pitch.endswith("you think I should talk to.")
    assert "\n" not in p.pitch  # one paragraph, quote marks gone
    assert [t.name for t in p.targets] == ["Fabrikam", "Northwind Traders", "Woodgrove Bank"]
    assert p.targets[0] == TargetCompany("Fabrikam", "payments platform team", p.targets[0].line)
    lines = (TEMPLATE / "Profile.md").read_text(encoding="utf-8").split("\n")
    assert lines[p.targets[0].line - 1] == "- Fabrikam (payments platform team)"
    assert lines[p.pitch_line - 1] .startswith("> I'm a data analyst")
    assert p.ask == "If you were in my situation, who are the first two or three people you would contact?"


def test_headings_in_other_words_links_and_dashes() -> None:
    body = (
        "# Me\n\n## Elevator Pitch\nI build risk models.\nI want a payments team.\n\n"
        "## Dream companies\n* [[Contoso Ltd|Contoso]] - the data team\n1. Acme — anything\n- Acme (again)\n\n"
        "## Questions I always ask\n- What surprised you in your first year?\n"
    )
    p = parse_profile("Profile.md", body, {"questions": ["Who else should I talk to?"]}, body_line=5)
    assert p.pitch == "I build risk models. I want a payments team."
    assert [(t.name, t.note) for t in p.targets] == [("Contoso Ltd", "the data team"), ("Acme", "anything")]
    assert p.targets[0].line == 5 + 7  # body line 8
    assert p.questions == ("Who else should I talk to?", "What surprised you in your first year?")


def test_no_profile_and_no_pitch_are_empty_not_errors() -> None:
    assert Workspace.open(TEMPLATE).config  # sanity: the template opens
    empty = Profile()
    assert empty.path is None and empty.targets == () and empty.pitch == ""
    p = parse_profile("Profile.md", "Just notes.\n", {})
    assert p.pitch == "" and p.targets == () and p.ask == ""


def test_missing_profile_file(vault) -> None:  # type: ignore[no-untyped-def]
    vault.write("People/Ana.md", "# Ana\n")
    assert Workspace.open(vault.root).profile() == Profile()


def test_profile_never_raises_on_odd_values() -> None:
    p = parse_profile("Profile.md", "## Pitch\n\n## Companies\n-\n- ()\n", {"industries": {"a": 1}, "target_role": 7})
    assert p.industries == () and p.target_role is None and p.targets == () and p.pitch == ""
