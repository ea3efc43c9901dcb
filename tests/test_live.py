"""The live loop for real: watchdog observer -> FeedUpdater -> SQLite index -> feed file.

Each test copies the starter vault under the repository's ``.tmp-vaults/`` (not
/tmp: vim skips its backup-and-rename save there, and /tmp may be tmpfs),
runs a real :class:`Watcher` calling a real :class:`FeedUpdater` on a real
:class:`Workspace`, with today injected, does what an editor or a sync tool
does, and polls, with a bound, until the index and the feed file show it.
Where it matters, the feed file is then compared byte for byte with a feed
built from scratch on a copy of the notes: incremental equals full.

The last tests run ``python -m mdnet serve --watch`` and ``mdnet watch`` as
subprocesses on loopback.
"""

from __future__ import annotations

import http.client
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mdnet.cli.notes import template_dir
from mdnet.live import FeedUpdater
from mdnet.model import Vault
from mdnet.watch import Watcher
from mdnet.workspace import Workspace
from polling import wait_until

REPO = Path(__file__).resolve().parent.parent
VAULTS = REPO / ".tmp-vaults"
DAY = date(2026, 11, 23)
DEBOUNCE = 0.1

MAYA = "People/Maya Okafor.md"
THANK_MAYA = "Overdue: Thank Maya Okafor"




def events(data: bytes) -> dict[str, dict[str, str]]:
    """The feed's VEVENTs by SUMMARY (unique in these vaults): property name -> value."""
    text = data.decode("utf-8").replace("\r\n ", "")
    out: dict[str, dict[str, str]] = {}
    for block in text.split("BEGIN:VEVENT\r\n")[1:]:
        props: dict[str, str] = {}
        for line in block.split("END:VEVENT")[0].split("\r\n"):
            if ":" in line:
                name, value = line.split(":", 1)
                props[name.split(";")[0]] = value
        out[props["SUMMARY"]] = props
    return out


def atomic_write(path: Path, data: bytes) -> None:
    """A temp file + rename save (VS Code, Obsidian, most tools)."""
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    tmp.write_bytes(data)
    os.replace(tmp, path)


def disk_notes(root: Path) -> set[str]:
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "Templates"]
        for name in filenames:
            if name.lower().endswith(".md") and not name.startswith("."):
                out.add((Path(dirpath) / name).relative_to(root).as_posix())
    return out


def new_vault(prefix: str, *, template: bool = True) -> Path:
    VAULTS.mkdir(exist_ok=True)
    parent = Path(tempfile.mkdtemp(prefix=prefix, dir=VAULTS))
    root = parent / "Vault"
    if template:
        shutil.copytree(template_dir(), root, ignore=shutil.ignore_patterns(".mdnet"))
    else:
        root.mkdir()
    return root


class Live:
    """A running watcher + updater on one vault, and ways to look at the result."""

    def __init__(self, root: Path, day: date = DAY, *, date_check_every: float = 0.05) -> None:
        self.root = root
        self.day = day
        self.logs: list[str] = []
        self.calls: list[set[str] | None] = []
        self.ws = Workspace.open(root)
        self.updater = FeedUpdater(self.ws, today=lambda: self.day, log=self.logs.append)
        self.watcher = Watcher(root, self._on_batch, debounce=DEBOUNCE, ignore=self.updater.ignores,
                               today=self.updater.today, also=self.updater.also,
                               date_check_every=date_check_every, log=self.logs.append)

    def _on_batch(self, dirty: set[str] | None) -> None:
        self.calls.append(None if dirty is None else set(dirty))
        self.updater(dirty)

    def start(self) -> Live:
        self.watcher.start()
        wait_until(lambda: self.updater.updates >= 1 and self.feed_path.exists(), what="the first feed")
        return self

    def stop(self) -> None:
        self.watcher.stop()
        self.ws.close()
        assert not any("Traceback" in line for line in self.logs), "\n".join(self.logs)

    @property
    def feed_path(self) -> Path:
        return self.ws.feed_path

    def feed(self) -> bytes:
        return self.feed_path.read_bytes()

    def events(self) -> dict[str, dict[str, str]]:
        return events(self.feed())

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.root / '.mdnet/index.sqlite'}?mode=ro", uri=True, timeout=10)

    def indexed(self) -> dict[str, tuple[int, int]]:
        """path -> (size, mtime_ns) as the index holds it (its own read-only connection)."""
        with self._db() as conn:
            return {p: (s, m) for p, s, m in conn.execute("SELECT path, size, mtime_ns FROM notes")}

    def contacts(self) -> int:
        with self._db() as conn:
            return conn.execute("SELECT count(*) FROM notes WHERE type='person'").fetchone()[0]

    def vault(self) -> Vault:
        with Workspace.open(self.root) as ws:
            return ws.vault()

    def index_has(self, rel: str) -> bool:
        """The index holds ``rel`` exactly as it is on disk now."""
        st = os.stat(self.root / rel)
        return self.indexed().get(rel) == (st.st_size, st.st_mtime_ns)

    def index_matches_disk(self) -> bool:
        return set(self.indexed()) == disk_notes(self.root)

    def errors_logged(self, rel: str) -> list[str]:
        return [line for line in self.logs if line.startswith(f"{rel}:") and ": error: " in line]

    def assert_settled(self, *, indexed_on: date | None = None) -> None:
        """The index holds what is on disk, and the feed equals one built from scratch."""
        wait_until(self.index_matches_disk, what="the index to match the disk")
        expected = full_rebuild(self.root, self.day, indexed_on=indexed_on or DAY)
        wait_until(lambda: self.feed() == expected, what="the feed to equal a full rebuild")


def full_rebuild(root: Path, as_of: date, *, indexed_on: date) -> bytes:
    """The feed a fresh index of a copy of the notes gives (same folder name, same mtimes)."""
    parent = Path(tempfile.mkdtemp(prefix="rebuild-", dir=VAULTS))
    try:
        copy = parent / root.name
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".mdnet"))
        with Workspace.open(copy) as ws:
            ws.refresh(today=indexed_on)
            return ws.build_feed(as_of)[0]
    finally:
        shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture
def live() -> Iterator[Live]:
    root = new_vault("live-")
    lv = Live(root).start()
    try:
        yield lv
    finally:
        lv.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


def append_line(path: Path, line: str) -> bytes:
    data = path.read_bytes()
    return data + ("" if data.endswith(b"\n") else "\n").encode() + line.encode("utf-8") + b"\n"


# -- editor saves ------------------------------------------------------------------


@pytest.mark.slow
def test_start_writes_the_feed_of_the_injected_day(live: Live) -> None:
    ev = live.events()
    assert THANK_MAYA in ev and ev[THANK_MAYA]["DTSTART"] == "20261123"
    assert live.index_matches_disk()
    assert live.calls[0] is None  # the start reconcile
    live.assert_settled()


@pytest.mark.slow
def test_atomic_rename_save_of_a_thanks_line(live: Live) -> None:
    p = live.root / MAYA
    atomic_write(p, append_line(p, "- 2026-11-22 thanks: a thank-you email the next morning"))
    wait_until(lambda: THANK_MAYA not in live.events(), what="the thank-you to leave the feed")
    assert live.index_has(MAYA)
    kinds = [(i.date, i.kind) for i in live.vault().interactions[MAYA]]
    assert (date(2026, 11, 22), "thanked") in kinds
    assert not any(".tmp" in p for c in live.calls if c for p in c)
    live.assert_settled()


@pytest.mark.slow
def test_vim_save_sequence(live: Live) -> None:
    rel = "People/Samuel Adeyemi.md"
    p = live.root / rel
    assert "Overdue: Nudge Samuel Adeyemi" in live.events()
    new = append_line(p, "- 2026-11-22 reply: happy to talk next week")
    folder = p.parent
    probe = folder / "4913"
    probe.write_bytes(b"")
    probe.unlink()
    swp = folder / f".{p.name}.swp"
    swp.write_bytes(b"swap")
    os.rename(p, folder / f"{p.name}~")
    with open(p, "wb") as f:
        f.write(new)
        f.flush()
        os.fsync(f.fileno())
    (folder / f"{p.name}~").unlink()
    swp.unlink()
    wait_until(lambda: "Overdue: Nudge Samuel Adeyemi" not in live.events(), what="the nudge to leave the feed")
    wait_until(lambda: live.index_has(rel), what="the index to hold the new note")
    assert any(c.path == rel for c in live.vault().contacts)  # the save did not delete the contact
    live.assert_settled()


@pytest.mark.slow
def test_jetbrains_save_sequence(live: Live) -> None:
    rel = "People/Rosa Delgado.md"
    p = live.root / rel
    assert "Overdue: Catch up with Rosa Delgado" in live.events()
    tmp = p.parent / f"{p.name}___jb_tmp___"
    old = p.parent / f"{p.name}___jb_old___"
    tmp.write_bytes(append_line(p, "- 2026-11-22 call: caught up about the Seattle office"))
    os.rename(p, old)
    os.rename(tmp, p)
    old.unlink()
    wait_until(lambda: "Thank Rosa Delgado" in live.events(), what="a thank-you for the call")
    ev = live.events()
    assert "Overdue: Catch up with Rosa Delgado" not in ev
    assert live.index_has(rel)
    live.assert_settled()


@pytest.mark.slow
def test_truncate_then_write(live: Live) -> None:
    rel = "People/Jamal Wright.md"
    p = live.root / rel
    assert live.events()["Follow up with Jamal Wright"]["DTSTART"] == "20261124"
    new = p.read_bytes().replace(b"follow_up: 2026-11-24", b"follow_up: 2026-12-05")
    with open(p, "r+b") as f:
        f.truncate(0)
        f.flush()
        os.fsync(f.fileno())
        # VS Code's window: the watcher sees the empty file (Jamal, a contact by folder, has no date).
        wait_until(lambda: live.indexed().get(rel, (None,))[0] == 0, what="the empty file in the index")
        wait_until(lambda: "Follow up with Jamal Wright" not in live.events(), what="the empty state in the feed")
        f.write(new)
    wait_until(lambda: live.events().get("Follow up with Jamal Wright", {}).get("DTSTART") == "20261205",
               what="the new follow-up date")
    assert live.index_has(rel)
    live.assert_settled()


@pytest.mark.slow
def test_direct_write_of_a_new_contact(live: Live) -> None:
    rel = "People/Zoe Park.md"
    with open(live.root / rel, "w", encoding="utf-8") as f:
        f.write("---\nname: Zoe Park\nfollow_up: 2026-11-25\n---\n")
    wait_until(lambda: "Follow up with Zoe Park" in live.events(), what="Zoe's follow-up")
    assert live.events()["Follow up with Zoe Park"]["DTSTART"] == "20261125"
    assert any(c.name == "Zoe Park" for c in live.vault().contacts)
    live.assert_settled()


@pytest.mark.slow
def test_delete_of_a_contact(live: Live) -> None:
    ev = live.events()
    assert "Nudge Chen Wei" in ev and "Overdue: Try Ana Sousa" in ev  # Ana's item exists because of Chen
    (live.root / "People/Chen Wei.md").unlink()
    wait_until(lambda: "Nudge Chen Wei" not in live.events(), what="Chen's events to vanish")
    ev = live.events()
    assert "Overdue: Try Ana Sousa" not in ev
    assert "People/Chen Wei.md" not in live.indexed()
    assert THANK_MAYA in ev  # the untouched notes keep their items
    live.assert_settled()


@pytest.mark.slow
def test_folder_rename_inside_people_and_out_of_it(live: Live) -> None:
    team = live.root / "People/Team"
    team.mkdir()
    (team / "Zoe Park.md").write_text("---\nname: Zoe Park\nfollow_up: 2026-11-25\n---\n", encoding="utf-8")
    wait_until(lambda: "Follow up with Zoe Park" in live.events(), what="Zoe in People/Team")
    os.rename(team, live.root / "People/Crew")
    wait_until(lambda: "People/Crew/Zoe Park.md" in live.indexed(), what="the renamed folder in the index")
    wait_until(lambda: "Crew" in live.events()["Follow up with Zoe Park"].get("URL", ""), what="the new path in the feed")
    assert "People/Team/Zoe Park.md" not in live.indexed()
    # One event, not two (its UID is keyed on the note's path, so a calendar sees it move as delete + add).
    assert live.feed().count(b"SUMMARY:Follow up with Zoe Park\r\n") == 1
    live.assert_settled()
    # Out of People/: without `type: person` Zoe is no contact any more.
    os.rename(live.root / "People/Crew", live.root / "Archive")
    wait_until(lambda: "Follow up with Zoe Park" not in live.events(), what="Zoe's event to go")
    assert "Archive/Zoe Park.md" in live.indexed()
    live.assert_settled()


@pytest.mark.slow
def test_burst_of_500_new_contacts(live: Live) -> None:
    before = live.contacts()
    calls_before = len(live.calls)
    folder = live.root / "People/Import"
    folder.mkdir()
    for i in range(500):
        (folder / f"Person {i:03}.md").write_text(
            f"---\nname: Person {i:03}\ncompany: Acme {i % 7}\n---\n## Log\n- 2026-11-0{1 + i % 9} note: imported\n",
            encoding="utf-8")
    wait_until(lambda: live.contacts() == before + 500, what="500 more contacts in the index")
    live.assert_settled()
    assert len(live.calls) - calls_before <= 5, "a burst should be a few batches, not hundreds"


@pytest.mark.slow
def test_invalid_then_fixed_note(live: Live) -> None:
    p = live.root / MAYA
    good = p.read_bytes()
    others = {s for s in live.events() if "Maya" not in s}
    broken = good.replace(b"name: Maya Okafor", b'name: "Maya Okafor')
    assert broken != good
    for i in range(3):  # several saves while it stays broken: same error, reported once
        atomic_write(p, broken + f"- 2026-11-2{i} note: draft {i}\n".encode())
        wait_until(lambda: live.index_has(MAYA), what=f"broken save {i} in the index")
        wait_until(lambda: others <= set(live.events()), what="the other notes' events to stay")
    assert len(live.errors_logged(MAYA)) == 1, live.logs
    wait_until(lambda: "1 note has problems that may hide follow-ups: run mdnet check" in live.logs,
               what="the problems line in the log")
    with Workspace.open(live.root) as ws:
        assert [d.path for d in ws.index.diagnostics() if d.severity == "error"] == [MAYA]
    atomic_write(p, good)
    wait_until(lambda: THANK_MAYA in live.events(), what="Maya's thank-you back")
    assert others <= set(live.events())
    assert len(live.errors_logged(MAYA)) == 1
    wait_until(lambda: "no note has problems that may hide follow-ups" in live.logs, what="the all-clear")
    live.assert_settled()
    # Broken again later: reported again (it is a new problem by then).
    atomic_write(p, broken)
    wait_until(lambda: len(live.errors_logged(MAYA)) == 2, what="the error reported again")


# -- what must not rewrite the feed ---------------------------------------------------


@pytest.mark.slow
def test_feed_is_rewritten_only_when_its_bytes_change(live: Live) -> None:
    live.assert_settled()
    st = os.stat(live.feed_path)
    writes, updates = live.updater.writes, live.updater.updates
    for rel in ("Profile.md", "People/Brian O'Connell.md"):  # neither has an item in the feed
        p = live.root / rel
        atomic_write(p, p.read_bytes())  # a save of the same bytes: a new mtime
        wait_until(lambda: live.index_has(rel), what=f"the new mtime of {rel} in the index")
    wait_until(lambda: live.updater.updates >= updates + 1, what="the update to finish")
    wait_until(lambda: not live.watcher._dirty, what="nothing pending")  # noqa: SLF001
    wait_until(lambda: live.updater.lock.acquire(timeout=0.01) and (live.updater.lock.release() or True),  # noqa: SLF001
               what="the updater to be idle")
    assert live.updater.writes == writes
    st2 = os.stat(live.feed_path)
    assert (st2.st_mtime_ns, st2.st_ino) == (st.st_mtime_ns, st.st_ino)


@pytest.mark.slow
def test_writes_in_mdnet_dir_and_swap_files_cause_no_update(live: Live) -> None:
    calls_before = len(live.calls)
    ignored_before = live.watcher.ignored_events
    state = live.root / ".mdnet"
    for i in range(5):
        tmp = state / f"scratch{i}.md"
        tmp.write_bytes(b"---\ntype: person\n---\n")
        os.replace(tmp, state / "moved.md")
    (live.root / "People/.Ana Sousa.md.swp").write_bytes(b"swap")
    (live.root / "People/Ana Sousa.md~").write_bytes(b"backup")
    (live.root / "Templates/Person.md").write_bytes(b"---\ntype: person\nfollow_up: 2026-11-24\n---\n")
    wait_until(lambda: live.watcher.ignored_events - ignored_before >= 8, what="the ignored events to arrive")
    # A real edit after them: the next batch holds it alone.
    rel = "People/Zoe Park.md"
    (live.root / rel).write_text("---\nfollow_up: 2026-11-25\n---\n", encoding="utf-8")
    wait_until(lambda: "Follow up with Zoe Park" in live.events(), what="Zoe")
    assert live.calls[calls_before:] == [{rel}] * len(live.calls[calls_before:])
    assert "moved.md" not in str(live.indexed()) and "Templates/Person.md" not in live.indexed()


@pytest.mark.slow
def test_watcher_started_on_an_empty_vault() -> None:
    root = new_vault("empty-", template=False)
    lv = Live(root).start()
    try:
        assert lv.feed().startswith(b"BEGIN:VCALENDAR\r\n") and lv.indexed() == {}
        assert not any(s.startswith("Follow up") for s in lv.events())
        (root / "People").mkdir()
        (root / "People/First.md").write_text("---\nfollow_up: 2026-11-25\n---\n", encoding="utf-8")
        wait_until(lambda: "Follow up with First" in lv.events(), what="the first note's event")
        assert set(lv.indexed()) == {"People/First.md"}
        lv.assert_settled()
    finally:
        lv.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


@pytest.mark.slow
def test_date_change_without_edits_moves_overdue_items() -> None:
    root = new_vault("day-")
    lv = Live(root).start()
    try:
        assert lv.events()["Follow up with Jamal Wright"]["DTSTART"] == "20261124"
        overdue = {s for s in lv.events() if s.startswith("Overdue: ")}
        assert overdue and all(lv.events()[s]["DTSTART"] == "20261123" for s in overdue)
        calls = len(lv.calls)
        lv.day = date(2026, 11, 25)
        wait_until(lambda: "Overdue: Follow up with Jamal Wright" in lv.events(), what="Jamal's item to go overdue")
        ev = lv.events()
        assert ev["Overdue: Follow up with Jamal Wright"]["DTSTART"] == "20261125"
        assert all(ev[s]["DTSTART"] == "20261125" for s in ev if s.startswith("Overdue: "))
        # The feed is written before the update logs and returns: wait for those too.
        wait_until(lambda: set() in lv.calls[calls:], what="the date tick, no edit")
        wait_until(lambda: any("new day 2026-11-25" in line for line in lv.logs), what="the new day's log line")
        lv.assert_settled(indexed_on=DAY)
    finally:
        lv.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


@pytest.mark.slow
def test_first_batch_after_midnight_is_also_the_date_tick() -> None:
    """A save that changes no note, after midnight, before the date check: the feed still moves."""
    root = new_vault("noise-")
    lv = Live(root, date_check_every=3600).start()
    try:
        lv.day = date(2026, 11, 25)
        p = root / "Profile.md"
        atomic_write(p, p.read_bytes())  # same bytes: no note changed
        wait_until(lambda: "Overdue: Follow up with Jamal Wright" in lv.events(), what="the feed of the new day")
        assert set() not in lv.calls  # the watcher's own date tick did not do it
        lv.assert_settled(indexed_on=DAY)
    finally:
        lv.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


# -- more than the inotify queue holds --------------------------------------------------


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")  # watchdog re-adding a nested watch: harmless
def test_burst_of_20000_notes_ends_complete_in_the_index() -> None:
    root = new_vault("burst-", template=False)
    lv = Live(root).start()
    try:
        script = (
            "import os,sys\n"
            "root=sys.argv[1]\n"
            "for d in range(20):\n"
            "    os.makedirs(os.path.join(root,'People','B%02d'%d))\n"
            "for i in range(20000):\n"
            "    with open(os.path.join(root,'People','B%02d'%(i%20),'n%05d.md'%i),'wb') as f:\n"
            "        f.write(b'---\\nname: N%05d\\n---\\n- 2026-11-%02d email: hello\\n' % (i, 1 + i % 20))\n"
        )
        subprocess.run([sys.executable, "-c", script, str(root)], check=True, timeout=120)
        wait_until(lambda: lv.contacts() == 20000, timeout=120, what="20,000 contacts in the index")
        assert len(lv.indexed()) == 20000
        # The feed follows the complete index.
        wait_until(lambda: not lv.watcher._dirty and lv.updater.lock.acquire(timeout=0.05)  # noqa: SLF001
                   and (lv.updater.lock.release() or True), timeout=60, what="the last update")  # noqa: SLF001
        with Workspace.open(root) as ws:
            expected, n = ws.build_feed(DAY)
        wait_until(lambda: lv.feed() == expected, timeout=60, what="the feed of 20,000 contacts")
        assert n > 0
    finally:
        lv.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


# -- the commands, as processes --------------------------------------------------------


class Proc:
    """A running ``python -m mdnet`` whose stdout and stderr are read by threads."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.p = subprocess.Popen([sys.executable, "-m", "mdnet", *args], cwd=REPO, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, sink in ((self.p.stdout, self.stdout), (self.p.stderr, self.stderr)):
            threading.Thread(target=self._read, args=(stream, sink), daemon=True).start()

    def _read(self, stream, sink: list[str]) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            sink.append(line)
            if sink is self.stdout:
                self.out.put(line)

    def url(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.out.get(timeout=0.1)
            except queue.Empty:
                assert self.p.poll() is None, f"exited {self.p.returncode}: {''.join(self.stderr)}"
                continue
            m = re.search(r"http://\S+", line)
            if m:
                return m.group(0)
        raise AssertionError(f"no URL printed within {timeout}s: {''.join(self.stdout + self.stderr)}")

    def stop(self) -> int:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(15)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait(5)


def get(url: str, path: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    u = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", u.port, timeout=10)
    try:
        conn.request("GET", path or u.path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.mark.slow
def test_serve_watch_process_end_to_end() -> None:
    root = new_vault("serve-")
    server = Proc("--vault", str(root), "serve", "--watch", "--port", "0")
    try:
        url = server.url()
        assert url.startswith("http://localhost:") and url.endswith("/followups.ics")
        status, headers, body = get(url)
        assert status == 200
        assert headers["content-type"] == "text/calendar; charset=utf-8"
        assert body.startswith(b"BEGIN:VCALENDAR\r\n") and b"BEGIN:VEVENT" in body
        assert body == (root / ".mdnet/followups.ics").read_bytes()
        status, _, _ = get(url, headers={"If-None-Match": headers["etag"]})
        assert status == 304
        # A wrong token (same length, one character off) and a dotted path: 404.
        token = urlsplit(url).path.split("/")[1]
        wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
        assert get(url, f"/{wrong}/followups.ics")[0] == 404
        assert get(url, f"/{token}/../followups.ics")[0] == 404
        # An edit reaches the served feed.
        tomorrow = date.today() + timedelta(days=1)
        (root / "People/Zoe Park.md").write_text(f"---\nfollow_up: {tomorrow.isoformat()}\n---\n", encoding="utf-8")
        wait_until(lambda: b"Follow up with Zoe Park" in get(url)[2], timeout=15, what="the served feed to change")
        # A second watcher on the same vault is refused, naming the holder.
        second = subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(root), "watch"], cwd=REPO,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 1, second.stderr
        assert "already running" in second.stderr and f"pid {server.p.pid}" in second.stderr
        assert "serve --watch" in second.stderr
        assert "Traceback" not in second.stderr
        # SIGTERM stops it cleanly.
        assert server.stop() == 0
        wait_until(lambda: any("stopped" in line for line in server.stderr), timeout=5, what="the last log line")
        assert "Traceback" not in "".join(server.stderr), "".join(server.stderr)
    finally:
        server.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


@pytest.mark.slow
def test_watch_process_updates_the_feed_and_stops_on_sigterm() -> None:
    root = new_vault("watch-")
    watcher = Proc("--vault", str(root), "watch", "--debounce", "0.1")
    feed = root / ".mdnet/followups.ics"
    try:
        wait_until(lambda: any("follow-ups (" in line for line in watcher.stderr), timeout=30, what="the first update")
        assert b"BEGIN:VEVENT" in feed.read_bytes()
        tomorrow = date.today() + timedelta(days=1)
        (root / "People/Zoe Park.md").write_text(f"---\nfollow_up: {tomorrow.isoformat()}\n---\n", encoding="utf-8")
        wait_until(lambda: b"Follow up with Zoe Park" in feed.read_bytes(), what="the feed to change")
        assert any("People/Zoe Park.md: feed updated" in line for line in watcher.stderr), watcher.stderr
        assert watcher.stop() == 0
        assert "Traceback" not in "".join(watcher.stderr)
    finally:
        watcher.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


@pytest.mark.slow
def test_rotate_token_changes_the_url() -> None:
    root = new_vault("rotate-")
    try:
        first = Proc("--vault", str(root), "serve", "--port", "0")
        try:
            old = first.url()
            assert get(old)[0] == 200
        finally:
            assert first.stop() == 0
        r = subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(root), "serve", "--rotate-token"],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        second = Proc("--vault", str(root), "serve", "--port", "0")
        try:
            new = second.url()
            assert urlsplit(new).path != urlsplit(old).path
            assert get(new)[0] == 200
            assert get(new, urlsplit(old).path)[0] == 404  # the old URL is dead
        finally:
            assert second.stop() == 0
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_a_change_to_mdnet_toml_applies_without_a_restart(live: Live) -> None:
    """feed.details = "minimal" is a privacy switch: it must not wait for a restart."""
    assert b"ana.sousa@example.com" in live.feed() or b"@example.com" in live.feed()
    toml = live.root / "mdnet.toml"
    atomic_write(toml, toml.read_bytes() + b'\n[feed]\ndetails = "minimal"\n' if b"[feed]" not in toml.read_bytes()
                 else toml.read_bytes().replace(b"[feed]", b'[feed]\ndetails = "minimal"', 1))
    wait_until(lambda: b"@example.com" not in live.feed(), what="a minimal feed")
    # The feed is written before the update logs: wait for the line too.
    wait_until(lambda: any("mdnet.toml changed" in line for line in live.logs), what="the reload's log line")
    live.assert_settled()


def test_a_broken_mdnet_toml_is_reported_and_the_defaults_hold(live: Live) -> None:
    before = live.updater.updates
    atomic_write(live.root / "mdnet.toml", b"[feed\nname = 'x'\n")
    wait_until(lambda: any(line.startswith("mdnet.toml:1: error: not valid TOML") for line in live.logs),
               what="the TOML error")
    wait_until(lambda: live.updater.updates > before, what="the update to finish")
    assert live.feed().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.slow
def test_a_writing_command_is_seen_like_an_editor_save(live: Live) -> None:
    """`mdnet done` writes while the watcher runs: the feed follows, the index stays whole."""
    from click.testing import CliRunner

    from mdnet.cli import cli

    before = (live.root / MAYA).read_bytes()
    r = CliRunner().invoke(cli, ["--vault", str(live.root), "done", "maya", "--rule", "thank-you",
                                 "--as-of", DAY.isoformat()])
    assert r.exit_code == 0, r.output
    after = (live.root / MAYA).read_bytes()
    assert after.startswith(before) and after[len(before):].startswith(b"- 2026-11-23 thanks: ")
    assert after.count(b"\n") == before.count(b"\n") + 1
    wait_until(lambda: THANK_MAYA not in live.events(), what="the thank-you to leave the feed")
    assert not any(".tmp" in p for c in live.calls if c for p in c)
    live.assert_settled()

def test_a_note_of_extreme_dates_costs_the_watcher_nothing_but_itself(live: Live) -> None:
    """Issue 7: with `- 9999-12-30 email: x` in one note, the watcher retried a failing
    update thousands of times and the feed stopped following the other notes."""
    before = len(live.events())
    (live.root / "People" / "Far Future.md").write_text(
        "---\nname: Far Future\ncadence: 9999y\nadded: 9999-12-31\nreferred_by: Someone\n---\n"
        "## Log\n- 9999-12-30 email: x\n- 9999-12-31 coffee: y\n", encoding="utf-8")
    wait_until(lambda: "People/Far Future.md" in live.indexed(), what="the note indexed")  # its items: past the window
    (live.root / "People" / "Ana New.md").write_text("---\nname: Ana New\n---\n## Log\n- 2026-11-22 coffee: hi\n",
                                                     encoding="utf-8")
    wait_until(lambda: any(e.get("SUMMARY") == "Thank Ana New" for e in live.events().values()), what="another note's item")
    assert len(live.events()) >= before + 1
    assert not any("failed" in line for line in live.logs), live.logs


@pytest.mark.slow
def test_watch_started_while_the_index_is_locked_logs_one_line(tmp_path: Path) -> None:
    """Issue 7: `watch` started during a long `index` printed a multi-line
    "database is locked" traceback."""
    root = new_vault("busy-")
    subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(root), "index"], check=True,
                   capture_output=True, timeout=120)
    holder = sqlite3.connect(root / ".mdnet" / "index.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a long `mdnet index` holds
    (root / "People" / "New One.md").write_text("---\nname: New One\n---\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "mdnet", "--vault", str(root), "watch"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("database is locked" in ln for ln in lines):
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
        assert any("database is locked" in ln for ln in lines), lines
        holder.execute("ROLLBACK")
        holder.close()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            raise AssertionError("watch did not stop: " + "".join(lines) + err) from None
    text = "".join(lines) + err
    assert "Traceback" not in text and "database is locked" in text
    [locked] = [ln for ln in text.splitlines() if "database is locked" in ln]  # one line, timestamped
    assert locked[:2].isdigit() and "failed" in locked
