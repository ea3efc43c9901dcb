"""The example outputs in docs/commands.md are what the commands print.

Every ```console block of commands.md that runs one read-only command on the starter
vault is run here, on a fresh copy of it, and its output compared line for line, so
an example cannot drift from the code.  (Examples that write, need another vault or
elide lines with "..." are checked where their commands are tested.)
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli

ROOT = Path(__file__).resolve().parent.parent
READ_ONLY = ("list", "show", "due", "prep", "report", "pitch", "check", "search")


def examples() -> list[tuple[str, list[str]]]:
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    found = []
    for m in re.finditer(r"```console\n(.*?)```", text, re.S):
        lines = m.group(1).rstrip("\n").split("\n")
        if not lines[0].startswith("$ mdnet ") or any(line.startswith("$ ") for line in lines[1:]):
            continue
        args = shlex.split(lines[0][2:])[1:]
        if "..." in lines or args[0] not in READ_ONLY or "--md" in args:
            continue
        found.append((lines[0][2:], lines[1:]))
    return found


def test_the_collector_finds_the_examples() -> None:
    commands = [c for c, _ in examples()]
    assert "mdnet due --as-of 2026-11-23" in commands and "mdnet show maya" in commands and len(commands) >= 6


@pytest.mark.parametrize("command, expected", examples(), ids=[c for c, _ in examples()])
def test_a_documented_example_prints_what_the_docs_show(tmp_path: Path, command: str, expected: list[str]) -> None:
    vault = tmp_path / "Search"
    shutil.copytree(ROOT / "vault-template", vault, ignore=shutil.ignore_patterns(".mdnet"))
    result = CliRunner().invoke(cli, ["--vault", str(vault), *shlex.split(command)[1:]])
    got = (result.stdout + result.stderr).rstrip("\n").split("\n")
    got = [line.replace(str(vault), "/home/you/Search") for line in got]
    assert got == expected
