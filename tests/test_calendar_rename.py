"""A rename of a note keeps its events' UIDs, seen by a real calendar client.

vdirsyncer's ``singlefile`` storage reads the feed file and, unlike its
``http`` storage (which replaces every UID by a hash of the content, see
tests/test_calendar_client.py), identifies each item by its UID, as calendar
apps do.  Paired with a ``filesystem`` storage, a changed UID shows up as
"Deleting item" plus "Copying (uploading) item", and a kept UID whose content
changed as "Copying (updating) item".  The control at the end deletes the
index (a rebuild): then the renamed note's events do get new UIDs, once, as
docs/calendar-feed.md says, so the check on the rename could fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli
from mdnet.index.store import delete_index

from test_calendar_client import Vdirsyncer

pytestmark = pytest.mark.slow


def singlefile(base: Path, feed: Path) -> Vdirsyncer:
    """vdirsyncer syncing the feed file itself: items keyed by their UID."""
    return Vdirsyncer(base, "", source=f'type = "singlefile"\npath = "{feed}"')


def write_feed(root: Path, feed: Path) -> None:
    r = CliRunner().invoke(cli, ["--vault", str(root), "feed", "--as-of", "2026-11-18", "-o", str(feed)])
    assert r.exit_code == 0, r.output


def test_vdirsyncer_sees_no_delete_and_re_add_after_a_rename(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault.person("Chen Wei", "company: Contoso\nfollow_up: 2026-12-05\n",
                 "- 2026-11-18 coffee: talked about the platform team and the Q1 hiring plan\n- 2026-12-03 call: 9am\n")
    vault.write("Meetings/2026-11-17 Panel.md",
                "---\ntype: meeting\ndate: 2026-11-17\nwith: [\"[[Chen Wei]]\"]\n---\nPanel\n")
    feed = tmp_path / "feed.ics"
    write_feed(vault.root, feed)
    vds = singlefile(tmp_path / "vds", feed)
    vds.sync()
    files = set(vds.files())
    assert len(files) >= 5  # thank-you, follow-up, the call, preparing for it, the monthly update

    os.rename(vault.root / "People/Chen Wei.md", vault.root / "People/Chen Wu.md")  # as Obsidian renames
    write_feed(vault.root, feed)
    r = vds.sync()
    assert "Deleting" not in r.stderr and "uploading" not in r.stderr, r.stderr
    assert "updating" in r.stderr  # the same events, with the link to the note's new path
    assert set(vds.files()) == files

    # Control: a rebuilt index forgets the rename, so those events get new UIDs (once).
    delete_index(vault.root)
    write_feed(vault.root, feed)
    r = vds.sync()
    assert "Deleting" in r.stderr and "uploading" in r.stderr, r.stderr
    assert set(vds.files()) != files
