"""Atomic writes: what a killed write leaves behind is cleaned by the next one (issue 7)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from mdnet.atomic import STALE_AFTER, write_atomic


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
