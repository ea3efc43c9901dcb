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
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mdnet.cli import cli
from mdnet.index.store import delete_index

from test_calendar_client import TIMEOUT, client_env, need

pytestmark = pytest.mark.slow


class SingleFileSync:
    def __init__(self, base: Path, feed: Path) -> None:
        need("vdirsyncer")
        self.folder = base / "calendar"
        self.folder.mkdir(parents=True)
        (base / "status").mkdir()
        config = base / "vdirsyncer.conf"
        config.write_text(f"""\
[general]
status_path = "{base / 'status'}"

[pair mdnet]
a = "mdnet_feed"
b = "mdnet_local"
collections = null
conflict_resolution = "a wins"

[storage mdnet_feed]
type = "singlefile"
path = "{feed}"

[storage mdnet_local]
type = "filesystem"
path = "{self.folder}"
fileext = ".ics"
""")
        self.base = base
        self.env = dict(client_env(base), VDIRSYNCER_CONFIG=str(config))
        self.run("discover")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([sys.executable, "-m", "vdirsyncer", *args], env=self.env, cwd=self.base, text=True,
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        assert r.returncode == 0, f"vdirsyncer {' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}"
        return r

    def files(self) -> set[str]:
        return {p.name for p in self.folder.iterdir() if p.suffix == ".ics"}


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
    vds = SingleFileSync(tmp_path / "vds", feed)
    vds.run("sync")
    files = vds.files()
    assert len(files) >= 5  # thank-you, follow-up, the call, preparing for it, the monthly update

    os.rename(vault.root / "People/Chen Wei.md", vault.root / "People/Chen Wu.md")  # as Obsidian renames
    write_feed(vault.root, feed)
    r = vds.run("sync")
    assert "Deleting" not in r.stderr and "uploading" not in r.stderr, r.stderr
    assert "updating" in r.stderr  # the same events, with the link to the note's new path
    assert vds.files() == files

    # Control: a rebuilt index forgets the rename, so those events get new UIDs (once).
    delete_index(vault.root)
    write_feed(vault.root, feed)
    r = vds.run("sync")
    assert "Deleting" in r.stderr and "uploading" in r.stderr, r.stderr
    assert vds.files() != files
