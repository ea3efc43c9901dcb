"""The benchmark's vault generator: deterministic, and its vault is one mdnet reads cleanly."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import gen_vault  # noqa: E402


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    n = gen_vault.generate(a, 60, seed=7)
    gen_vault.generate(b, 60, seed=7)
    gen_vault.generate(c, 60, seed=8)
    ta, tb, tc = _tree(a), _tree(b), _tree(c)
    assert len(ta) == n
    assert ta == tb
    assert ta.keys() != tc.keys() or ta != tc


def test_shape_of_the_vault(tmp_path: Path) -> None:
    gen_vault.generate(tmp_path, 200, seed=1)
    people = sorted((tmp_path / "People").glob("*.md"))
    meetings = sorted((tmp_path / "Meetings").glob("*.md"))
    assert len(people) == 200
    assert len(meetings) == 100
    assert (tmp_path / "mdnet.toml").is_file() and (tmp_path / ".obsidian" / "app.json").is_file()
    assert (tmp_path / "Attachments" / "headshot.png").is_file()
    names = set()
    for p in people:
        text = p.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        fm_text, body = text[4:].split("\n---\n", 1)
        fm = yaml.load(fm_text, Loader=yaml.CSafeLoader)  # every frontmatter is valid YAML
        assert fm["type"] == "person" and fm["name"] == p.stem
        names.add(fm["name"])
        log = [ln for ln in body.split("## Log\n", 1)[1].splitlines() if ln[:4] == "- 20"]
        assert 3 <= len(log) <= 10, p
        dates = [ln[2:12] for ln in log]
        assert dates == sorted(dates) and all("2026-05-01" <= d <= "2026-11-20" for d in dates)
    for p in meetings:
        fm = yaml.load(p.read_text(encoding="utf-8")[4:].split("\n---\n", 1)[0], Loader=yaml.CSafeLoader)
        assert fm["type"] == "meeting"
        assert fm["with"] and all(w[2:-2] in names for w in fm["with"])


def test_mdnet_check_finds_only_the_warnings_planted(tmp_path: Path) -> None:
    """No errors; the warnings are the ones real vaults have and the generator plants
    on purpose (unknown kind words and statuses, first names shared as aliases)."""
    from mdnet.cli import cli

    gen_vault.generate(tmp_path, 300, seed=3)
    r = CliRunner().invoke(cli, ["--vault", str(tmp_path), "check", "--json"])
    assert r.exit_code == 0, r.output
    codes = [d["code"] for d in json.loads(r.stdout)]
    assert set(codes) == {"unknown-kind", "unknown-status", "duplicate-name"}, sorted(set(codes))
