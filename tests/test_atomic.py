"""Atomic writes: what a killed write leaves behind is cleaned by the next one (issue 7)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mdnet.atomic import STALE_AFTER, Changed, replace_unchanged, write_atomic


def test_stale_temp_files_of_a_killed_write_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "followups.ics"
    old = time.time() - STALE_AFTER - 60
    stale = tmp_path / ".followups.ics.k3j_9a0z.tmp"  # what mkstemp names them
    fresh = tmp_path / ".followups.ics.a1b2c3d4.tmp"  # another writer's, right now
    mine = tmp_path / ".followups.ics.mine.tmp"  # not mdnet's pattern
    other = tmp_path / ".index.sqlite.k3j_9a0z.tmp"  # another file's
    for p in (stale, fresh, mine, other):
        p.write_bytes(b"x")
    for p in (stale, mine, other):
        os.utime(p, (old, old))
    write_atomic(target, b"BEGIN:VCALENDAR\r\n")
    assert target.read_bytes() == b"BEGIN:VCALENDAR\r\n"
    assert not stale.exists()
    assert fresh.exists() and mine.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, fresh.name, mine.name, other.name])


def test_replace_unchanged_refuses_a_file_saved_since_it_was_read(tmp_path: Path) -> None:
    note = tmp_path / "2026-W48 activity.md"
    note.write_bytes(b"as mdnet wrote it\n")
    read = note.read_bytes()
    note.write_bytes(b"the user's edit\n")  # saved between mdnet's read and its write
    with pytest.raises(Changed, match="changed since mdnet read it"):
        replace_unchanged(note, read, b"the new report\n")
    assert note.read_bytes() == b"the user's edit\n"
    replace_unchanged(note, b"the user's edit\n", b"the new report\n")
    assert note.read_bytes() == b"the new report\n"


def test_replace_unchanged_never_replaces_a_file_that_appeared(tmp_path: Path) -> None:
    note = tmp_path / "2026-11.md"
    note.write_bytes(b"written by someone else a moment ago\n")
    with pytest.raises(Changed, match="appeared while mdnet was writing it"):
        replace_unchanged(note, None, b"the draft\n")
    assert note.read_bytes() == b"written by someone else a moment ago\n"
    fresh = tmp_path / "2026-12.md"
    replace_unchanged(fresh, None, b"the draft\n")
    assert fresh.read_bytes() == b"the draft\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11.md", "2026-12.md"]  # no temp left
