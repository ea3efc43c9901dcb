"""The watcher against a real watchdog observer, with the file operations editors really do.

The vaults live under the repository (``.tmp-vaults/``), not under /tmp, because
vim skips its backup-and-rename save in /tmp and some systems mount /tmp as tmpfs.
Each test keeps a model of the index the way the glue will (stat every path a
batch names, walk everything on ``None``) and waits, with a bound, until the
model equals what is on disk.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

import pytest

from mdnet.lock import VaultLock, VaultLocked
from mdnet.watch import Watcher, is_note_path
from polling import wait_until


def expand_dirty(
    root: Path,
    dirty: Iterable[str],
    known: Iterable[str],
    *,
    ignore: Callable[[str], bool] | None = None,
) -> set[str]:
    """The test's oracle: a batch from :class:`Watcher` -> the note paths it covers.

    ``known`` is every path the index holds.  A file entry is returned as is;
    a directory entry (``"People/"``) becomes every known path under it plus
    every note file on disk under it.  The caller then stats each returned
    path: re-parse if it exists and changed, drop it if it is gone.
    """
    known_list = list(known)
    out: set[str] = set()
    for entry in dirty:
        if not entry.endswith("/"):
            out.add(entry)
            continue
        out.update(p for p in known_list if p.startswith(entry))
        base = root / entry
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = Path(dirpath).relative_to(root).as_posix()
            for name in filenames:
                rel = f"{rel_dir}/{name}"
                if is_note_path(rel) and not (ignore and ignore(rel)):
                    out.add(rel)
    return out

VAULTS = Path(__file__).resolve().parent.parent / ".tmp-vaults"
DEBOUNCE = 0.15




def disk_notes(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(root).as_posix()
            if is_note_path(rel):
                out[rel] = (Path(dirpath) / name).read_bytes()
    return out


class Model:
    """What the glue does with each batch, against a dict instead of SQLite."""

    def __init__(self, root: Path, fail_first: int = 0) -> None:
        self.root = root
        self.notes: dict[str, bytes] = {}
        self.batches: list[set[str] | None] = []
        self.lock = threading.Lock()
        self.fail_first = fail_first
        self.threads: set[str] = set()
        self.active = 0
        self.overlapped = False

    def __call__(self, dirty: set[str] | None) -> None:
        with self.lock:
            self.active += 1
            self.overlapped |= self.active > 1
            self.threads.add(threading.current_thread().name)
            self.batches.append(None if dirty is None else set(dirty))
        try:
            if self.fail_first > 0:
                self.fail_first -= 1
                raise RuntimeError("boom in on_batch")
            if dirty is None:
                notes = disk_notes(self.root)
            else:
                notes = dict(self.notes)
                for rel in expand_dirty(self.root, dirty, list(notes)):
                    try:
                        notes[rel] = (self.root / rel).read_bytes()
                    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                        notes.pop(rel, None)
            with self.lock:
                self.notes = notes
        finally:
            with self.lock:
                self.active -= 1

    def snapshot(self) -> list[set[str] | None]:
        with self.lock:
            return list(self.batches)

    def in_sync(self) -> bool:
        with self.lock:
            return self.notes == disk_notes(self.root)

    def path_batches(self) -> list[set[str]]:
        return [b for b in self.snapshot() if b]


@pytest.fixture
def vault() -> Iterator[Path]:
    VAULTS.mkdir(exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix="vault-", dir=VAULTS))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def note(root: Path, rel: str, text: str = "---\ntype: person\n---\n") -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def start(root: Path, model: Model, **kw: object) -> Watcher:
    logs: list[str] = []
    kw.setdefault("debounce", DEBOUNCE)
    kw.setdefault("log", logs.append)
    w = Watcher(root, model, **kw)  # type: ignore[arg-type]
    w.logs = logs  # type: ignore[attr-defined]
    w.start()
    # The initial reconcile proves the observer is up before the test acts.
    wait_until(lambda: len(model.snapshot()) >= 1 and model.in_sync(), what="initial reconcile")
    return w


@pytest.fixture
def watched(vault: Path) -> Iterator[tuple[Path, Model, Watcher]]:
    note(vault, "People/Ana.md", "---\nname: Ana\n---\n- 2026-11-18 coffee\n")
    note(vault, "People/Chen.md", "---\nname: Chen\n---\n")
    model = Model(vault)
    w = start(vault, model)
    try:
        yield vault, model, w
    finally:
        w.stop()
    assert not model.overlapped, "on_batch ran concurrently"
    assert model.threads == {"mdnet-watch"}


def settled(model: Model, path: str | None = None, content: bytes | None = None) -> None:
    def ok() -> bool:
        if not model.in_sync():
            return False
        if path is not None and content is not None:
            return model.notes.get(path) == content
        return True

    wait_until(ok, what=f"the model to match the disk ({path})")


def named(model: Model) -> set[str]:
    out: set[str] = set()
    for b in model.path_batches():
        out |= b
    return out


# -- pure helpers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("Ana.md", True),
        ("People/Ana.md", True),
        ("People/Ana.MD", True),
        (".mdnet/followups.md", False),
        (".obsidian/workspace.md", False),
        (".trash/Old.md", False),
        ("People/.Ana.md.swp", False),
        ("People/Ana.md~", False),
        ("People/Ana.md.tmp", False),
        ("People/4913", False),
        ("People/Ana.md___jb_tmp___", False),
        ("People/.hidden/Ana.md", False),
        ("People/Ana.txt", False),
    ],
)
def test_is_note_path(rel: str, expected: bool) -> None:
    assert is_note_path(rel) is expected


def test_expand_dirty_directory_entries(vault: Path) -> None:
    note(vault, "New/a.md")
    note(vault, "New/sub/b.md")
    note(vault, "New/.obsidian/c.md")
    note(vault, "New/skip.txt")
    known = ["Old/x.md", "Old/y/z.md", "Other/w.md", "Oldish.md"]
    got = expand_dirty(vault, {"Old/", "New/", "top.md"}, known)
    assert got == {"Old/x.md", "Old/y/z.md", "New/a.md", "New/sub/b.md", "top.md"}
    assert expand_dirty(vault, {"New/"}, [], ignore=lambda p: p.startswith("New/sub/")) == {"New/a.md"}


# -- editor save sequences ----------------------------------------------------------


@pytest.mark.slow
def test_atomic_rename_save(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    new = b"---\nname: Ana\n---\n- 2026-11-19 email: thanks\n"
    tmp = root / "People" / ".Ana.md.tmp-1234"
    tmp.write_bytes(new)
    os.replace(tmp, root / "People/Ana.md")
    settled(model, "People/Ana.md", new)
    assert "People/Ana.md" in named(model)
    assert not any("tmp" in p for p in named(model))


@pytest.mark.slow
def test_vim_save_sequence(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    p = root / "People/Ana.md"
    new = b"---\nname: Ana\n---\n- 2026-11-20 call\n"
    # vim (backupcopy=auto, writebackup): probe file 4913, rename to backup, write anew, drop backup.
    probe = root / "People/4913"
    probe.write_bytes(b"")
    probe.unlink()
    os.rename(p, root / "People/Ana.md~")
    swp = root / "People/.Ana.md.swp"
    swp.write_bytes(b"swap")
    with open(p, "wb") as f:
        f.write(new)
        f.flush()
        os.fsync(f.fileno())
    (root / "People/Ana.md~").unlink()
    swp.unlink()
    settled(model, "People/Ana.md", new)
    assert named(model) == {"People/Ana.md"}


@pytest.mark.slow
def test_jetbrains_save_sequence(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    p = root / "People/Ana.md"
    new = b"---\nname: Ana\n---\n- 2026-11-21 reply\n"
    tmp = root / "People/Ana.md___jb_tmp___"
    old = root / "People/Ana.md___jb_old___"
    tmp.write_bytes(new)
    os.rename(p, old)
    os.rename(tmp, p)
    old.unlink()
    settled(model, "People/Ana.md", new)
    assert named(model) == {"People/Ana.md"}


@pytest.mark.slow
def test_truncate_then_write(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    p = root / "People/Ana.md"
    new = b"---\nname: Ana\n---\n- 2026-11-22 lunch\n"
    with open(p, "r+b") as f:
        f.truncate(0)
        f.flush()
        os.fsync(f.fileno())
        # Let a batch see the empty file before the content arrives (VS Code's window).
        wait_until(lambda: model.notes.get("People/Ana.md") == b"", what="the empty state to be seen")
        f.write(new)
    settled(model, "People/Ana.md", new)


@pytest.mark.slow
def test_direct_write_and_create(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    new = b"---\nname: Chen\ncompany: Fabrikam\n---\n"
    (root / "People/Chen.md").write_bytes(new)
    note(root, "People/Dana.md")
    settled(model, "People/Chen.md", new)
    assert "People/Dana.md" in model.notes


@pytest.mark.slow
def test_delete(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    (root / "People/Chen.md").unlink()
    settled(model)
    assert "People/Chen.md" not in model.notes and "People/Ana.md" in model.notes


@pytest.mark.slow
def test_folder_rename_and_move_to_trash(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    os.rename(root / "People", root / "Contacts")
    settled(model)
    assert set(model.notes) == {"Contacts/Ana.md", "Contacts/Chen.md"}
    assert "People/" in named(model) and "Contacts/" in named(model)
    (root / ".trash").mkdir()
    os.rename(root / "Contacts", root / ".trash/Contacts")  # Obsidian's delete
    settled(model)
    assert model.notes == {}


@pytest.mark.slow
def test_folder_moved_in_from_outside(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    outside = Path(tempfile.mkdtemp(dir=VAULTS))
    try:
        for i in range(20):
            note(outside, f"Batch/sub/p{i}.md")
        os.rename(outside / "Batch", root / "Batch")
        settled(model)
        assert len([p for p in model.notes if p.startswith("Batch/")]) == 20
    finally:
        shutil.rmtree(outside, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")  # watchdog re-adding a nested watch: harmless
def test_new_folder_filled_at_once(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    # mkdir + immediate writes: files can land before the new folder's watch exists.
    for i in range(30):
        note(root, f"Fresh/deep/er/n{i}.md")
    settled(model)
    assert len([p for p in model.notes if p.startswith("Fresh/")]) == 30


# -- what must not cause a batch ---------------------------------------------------


@pytest.mark.slow
def test_mdnet_dir_and_swap_files_cause_no_batch(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, w = watched
    before = len(model.snapshot())
    ignored_before = w.ignored_events
    (root / ".mdnet").mkdir(exist_ok=True)
    for i in range(5):
        tmp = root / ".mdnet" / f"followups.ics.tmp{i}"
        tmp.write_bytes(b"BEGIN:VCALENDAR\r\n")
        os.replace(tmp, root / ".mdnet/followups.ics")
        (root / ".mdnet/index.sqlite").write_bytes(b"x" * i)
    (root / "People/.Ana.md.swp").write_bytes(b"swap")
    (root / "People/Ana.md~").write_bytes(b"backup")
    (root / "People/4913").write_bytes(b"")
    (root / "People/Ana.md.tmp").write_bytes(b"tmp")
    (root / ".obsidian").mkdir()
    (root / ".obsidian/workspace.json").write_text("{}")
    # The events did arrive and were judged irrelevant...
    wait_until(lambda: w.ignored_events - ignored_before >= 20, what="the ignored events to be seen")
    # ...and for several debounce windows nothing is called (a negative needs a wait).
    time.sleep(DEBOUNCE * 4)
    assert len(model.snapshot()) == before
    # The watcher still works: a real note gets through on its own.
    note(root, "People/Eve.md")
    wait_until(lambda: model.path_batches() and model.path_batches()[-1] == {"People/Eve.md"}, what="Eve")


# -- robustness ---------------------------------------------------------------------


@pytest.mark.slow
def test_exception_in_on_batch_does_not_kill_the_watcher(vault: Path) -> None:
    note(vault, "a.md")
    model = Model(vault, fail_first=1)
    w = Watcher(vault, model, debounce=DEBOUNCE, log=(logs := []).append)
    with w:
        wait_until(lambda: len(model.snapshot()) >= 1, what="the failing first batch")
        assert model.notes == {}
        note(vault, "b.md")
        wait_until(model.in_sync, what="recovery after the exception")
        assert w.alive
    assert any("boom in on_batch" in line and "Traceback" in line for line in logs)
    # The failed initial reconcile is retried (back-off 1 s), so a.md is not lost.
    assert set(model.notes) == {"a.md", "b.md"}


def test_a_failing_reconcile_backs_off_for_real_and_is_logged_once(vault: Path) -> None:
    """Issue 7: the log said "retrying in 60 s" but the retry came at once (3,973 failures
    in 10 s).  With a 0.05 s first back-off, doubling, 1.2 s holds at most ~5 attempts."""
    calls: list[float] = []

    def always_fails(dirty: set[str] | None) -> None:
        calls.append(time.monotonic())
        raise OverflowError("date value out of range")

    logs: list[str] = []
    w = Watcher(vault, always_fails, debounce=DEBOUNCE, retry_after=0.05, log=logs.append)
    with w:
        wait_until(lambda: len(calls) >= 3, timeout=5, what="three attempts")
        time.sleep(1.2)  # the property under test is how little happens while we wait
    assert len(calls) <= 8, f"{len(calls)} attempts: the back-off does not hold"
    gaps = [b - a for a, b in zip(calls, calls[1:])]
    # Each wait is at least its scheduled delay (a busy machine only adds to it): 0.05, 0.1, 0.2 s...
    assert all(gap >= 0.9 * 0.05 * 2**k for k, gap in enumerate(gaps)), gaps
    assert sum("Traceback" in line for line in logs) == 1  # the same failure again: one short line at most
    assert all(line.count("\n") == 0 for line in logs[1:])


def test_an_expected_failure_is_one_line_from_the_first_time(vault: Path) -> None:
    """Issue 7: `watch` started during a long `index` printed a multi-line
    "database is locked" traceback; the CLI passes IndexUnavailable as expected."""
    from mdnet.index import IndexUnavailable

    def locked(dirty: set[str] | None) -> None:
        raise IndexUnavailable("the index is locked by another mdnet (database is locked); try again")

    logs: list[str] = []
    with Watcher(vault, locked, debounce=DEBOUNCE, retry_after=0.05, expected=(IndexUnavailable,), log=logs.append):
        wait_until(lambda: len(logs) >= 2, timeout=5, what="two attempts")
    assert all("\n" not in line and "database is locked" in line for line in logs)


@pytest.mark.slow
def test_watcher_started_on_an_empty_vault(vault: Path) -> None:
    model = Model(vault)
    w = start(vault, model)
    try:
        assert model.snapshot() == [None]
        note(vault, "People/First.md")
        settled(model)
        assert set(model.notes) == {"People/First.md"}
    finally:
        w.stop()


@pytest.mark.slow
def test_periodic_reconcile(vault: Path) -> None:
    model = Model(vault)
    with Watcher(vault, model, debounce=DEBOUNCE, reconcile_every=0.3, reconcile_on_start=False, log=print):
        wait_until(lambda: model.snapshot().count(None) >= 2, what="two periodic reconciles")


@pytest.mark.slow
def test_date_change_without_edits_calls_with_empty_set(vault: Path) -> None:
    model = Model(vault)
    day = [date(2026, 11, 18)]
    with Watcher(vault, model, debounce=DEBOUNCE, today=lambda: day[0], date_check_every=0.02, log=print):
        wait_until(lambda: model.snapshot() == [None], what="the initial reconcile")
        day[0] = date(2026, 11, 19)
        wait_until(lambda: model.snapshot() == [None, set()], what="the date tick")
        # Only once per date change.
        note(vault, "x.md")
        wait_until(lambda: model.snapshot() == [None, set(), {"x.md"}], what="the next edit")


@pytest.mark.slow
def test_ignore_predicate(vault: Path) -> None:
    model = Model(vault)
    w = start(vault, model, ignore=lambda rel: rel.startswith("Templates/"))
    try:
        note(vault, "Templates/Person.md")
        note(vault, "People/Zed.md")
        wait_until(lambda: "People/Zed.md" in named(model), what="Zed")
        assert not any(p.startswith("Templates") for p in named(model))
    finally:
        w.stop()


@pytest.mark.slow
def test_polling_observer(vault: Path) -> None:
    note(vault, "a.md")
    model = Model(vault)
    w = start(vault, model, poll=True, poll_interval=0.1)
    try:
        new = b"changed\n"
        tmp = vault / "a.md.tmp"
        tmp.write_bytes(new)
        os.replace(tmp, vault / "a.md")
        note(vault, "Dir/b.md")
        settled(model, "a.md", new)
        (vault / "a.md").unlink()
        settled(model)
        assert set(model.notes) == {"Dir/b.md"}
    finally:
        w.stop()


# -- bursts -----------------------------------------------------------------------------


@pytest.mark.slow
def test_burst_of_500_files_is_one_or_few_batches(watched: tuple[Path, Model, Watcher]) -> None:
    root, model, _ = watched
    before = len(model.snapshot())
    (root / "Import").mkdir()
    for i in range(500):
        (root / f"Import/p{i:03}.md").write_bytes(b"x")
    settled(model)
    batches = model.snapshot()[before:]
    assert 1 <= len(batches) <= 3, [len(b) if b else b for b in batches]
    if None not in batches:
        assert {f"Import/p{i:03}.md" for i in range(500)} <= named(model)


@pytest.mark.slow
def test_burst_of_20000_files_ends_complete(vault: Path) -> None:
    # No max_batch cap: either every event arrives or the overflow is detected.
    model = Model(vault)
    w = start(vault, model, max_batch=10**9, debounce=0.3)
    try:
        before = len(model.snapshot())
        # Another process writes them, as a git pull or a sync client would.
        script = (
            "import os,sys\n"
            "root=sys.argv[1]\n"
            "for d in range(20):\n"
            "    os.mkdir(os.path.join(root,'B%02d'%d))\n"
            "for i in range(20000):\n"
            "    with open(os.path.join(root,'B%02d'%(i%20),'n%05d.md'%i),'wb') as f: f.write(b'x')\n"
        )
        subprocess.run([sys.executable, "-c", script, str(vault)], check=True)
        wait_until(model.in_sync, timeout=60, what="20,000 files in the model")
        assert len(model.notes) == 20000
        batches = model.snapshot()[before:]
        assert None in batches or len(named(model)) >= 20000
    finally:
        w.stop()


def test_more_than_max_batch_paths_become_a_reconcile(vault: Path) -> None:
    model = Model(vault)
    w = start(vault, model, max_batch=50, debounce=0.3)
    try:
        for i in range(120):
            note(vault, f"n{i:03}.md")
        settled(model)
        assert len(model.notes) == 120
        assert model.snapshot()[1:].count(None) >= 1
        assert all(len(b) <= 51 for b in model.path_batches())
    finally:
        w.stop()


WATCH_CHILD = """
import sys, time
from pathlib import Path
from mdnet.watch import Watcher
def on_batch(d):
    print("BATCH", "None" if d is None else len(d), flush=True)
w = Watcher(Path(sys.argv[1]), on_batch, debounce=0.1, max_batch=10**9, log=lambda m: None)
w.start()
time.sleep(120)
"""


def _all_threads_stopped(pid: int) -> bool:
    states = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat_line = (task / "stat").read_text()
        except FileNotFoundError:
            continue
        states.append(stat_line.rsplit(")", 1)[1].split()[0])
    return bool(states) and all(s in ("T", "t") for s in states)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify")
def test_real_inotify_queue_overflow_becomes_a_reconcile(vault: Path) -> None:
    """Freeze the watcher's process, overflow its kernel queue, thaw it: a reconcile follows."""
    max_events = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    note(vault, "a.md", "")
    note(vault, "b.md", "")
    proc = subprocess.Popen(
        [sys.executable, "-c", WATCH_CHILD, str(vault)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parent.parent,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split() == ["BATCH", "None"]  # the start reconcile: it is watching
        proc.send_signal(signal.SIGSTOP)
        wait_until(lambda: _all_threads_stopped(proc.pid), what="the watcher process to stop")
        fa = os.open(vault / "a.md", os.O_WRONLY | os.O_APPEND)
        fb = os.open(vault / "b.md", os.O_WRONLY | os.O_APPEND)
        try:
            # Alternate the two files: identical consecutive events would be merged by the kernel.
            for _ in range(max_events // 2 + 2000):
                os.write(fa, b"x")
                os.write(fb, b"x")
        finally:
            os.close(fa)
            os.close(fb)
        proc.send_signal(signal.SIGCONT)
        lines: queue.Queue[list[str]] = queue.Queue()
        stdout = proc.stdout
        threading.Thread(target=lambda: [lines.put(line.split()) for line in stdout], daemon=True).start()
        seen = []
        deadline = time.monotonic() + 20
        while ["BATCH", "None"] not in seen and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=0.1))
            except queue.Empty:
                pass
        assert ["BATCH", "None"] in seen, seen
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.kill()
        proc.wait(10)


# -- the vault lock --------------------------------------------------------------------


def test_second_lock_is_refused_and_names_the_holder(tmp_path: Path) -> None:
    with VaultLock(tmp_path / ".mdnet") as lock:
        assert lock.held
        with pytest.raises(VaultLocked) as exc:
            VaultLock(tmp_path / ".mdnet").acquire()
        assert f"pid {os.getpid()}" in str(exc.value)
        assert "already running" in str(exc.value)
    with VaultLock(tmp_path / ".mdnet"):
        pass


@pytest.mark.skipif(sys.platform == "win32", reason="flock semantics")
def test_lock_of_a_killed_process_is_not_stale(tmp_path: Path) -> None:
    mdnet_dir = tmp_path / ".mdnet"
    code = (
        "import sys,time\n"
        "from pathlib import Path\n"
        "from mdnet.lock import VaultLock\n"
        "lock = VaultLock(Path(sys.argv[1])).acquire()\n"
        "print('locked', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(mdnet_dir)],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(VaultLocked) as exc:
            VaultLock(mdnet_dir).acquire()
        assert f"pid {proc.pid}" in str(exc.value)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    with VaultLock(mdnet_dir):  # the kernel dropped the dead holder's lock
        pass
