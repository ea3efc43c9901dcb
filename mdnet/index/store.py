"""The SQLite cache at ``<vault>/.mdnet/index.sqlite``: the only sqlite3 user.

The notes are the truth; this is a cache.  Delete ``.mdnet/`` and the next
command rebuilds it.  A schema version mismatch (``PRAGMA user_version``) or
an unreadable database file is dropped and rebuilt; a change of the settings
that shape parsing re-parses every note.

Sync is incremental (zk, git): a stat walk compares size and mtime with what
was indexed; only changed files are read; a file whose mtime changed but whose
bytes hash the same is not re-parsed; files modified within two seconds of
the last sync ("racy", as git calls them) are re-hashed next time, since a
coarse clock could hide a second edit.  Every sync is one transaction, so a
crash or Ctrl-C leaves the previous index intact.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import sqlite3
import time
from stat import S_ISDIR, S_ISLNK, S_ISREG
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Union

from ..config import Config
from ..model import ERROR, WARNING, Diagnostic, Note, Vault
from ..vault.files import (STATE_DIR, FileStat, is_note_path, make_state_dir, private_file, shown_path, stat_note, stat_tree,
                           walk)
from ..vault.parse import PARSER_VERSION, parse_note
from .codec import CONTACT_FIELDS, decode, encode, searchable_properties

SCHEMA_VERSION = 11
DB_NAME = "index.sqlite"
_ALIASES_AT = CONTACT_FIELDS.index("aliases")
RACY_NS = 2_000_000_000
PARALLEL_MIN = 1500  # files to parse before a second process pays for itself
COLD_JOURNAL_MIN = 500  # a first build of this many notes or more is written with a rollback journal
CHANGES_KEPT = 1000  # generations of changed paths kept (an older stored state is rebuilt)

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE notes(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    racy INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    key TEXT NOT NULL,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    name TEXT,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    entries INTEGER NOT NULL
);
-- The parsed note, apart from the narrow rows above, so the stat comparison
-- and the counts of every sync read a few pages, not every record.
CREATE TABLE records(id INTEGER PRIMARY KEY REFERENCES notes(id), record TEXT NOT NULL);
CREATE INDEX notes_type ON notes(type);
CREATE TABLE derived(key TEXT PRIMARY KEY, generation INTEGER NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE fts USING fts5(name, properties, body, tokenize='unicode61 remove_diacritics 2');
-- The paths each sync changed (content, mtime, added, removed), by the generation it
-- made ('*' when any may have: a re-parse).  Written in the sync's transaction, so a
-- process knows what changed since the generation its stored state came from.
CREATE TABLE changes(generation INTEGER NOT NULL, path TEXT NOT NULL, PRIMARY KEY(generation, path)) WITHOUT ROWID;
-- The follow-up state one-shot commands keep between processes (index/state.py).
CREATE TABLE state_notes(path TEXT PRIMARY KEY, shape TEXT NOT NULL, new_names TEXT, problem INTEGER NOT NULL,
                         dup INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE state_names(kind INTEGER NOT NULL, key TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY(kind, key))
    WITHOUT ROWID;
CREATE TABLE state_edges(target TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY(target, source)) WITHOUT ROWID;
CREATE TABLE state_contacts(path TEXT PRIMARY KEY, company TEXT, failed TEXT, waiting TEXT, met TEXT, name TEXT,
                            email TEXT, sent TEXT, newest INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE state_items(owner TEXT NOT NULL, seq INTEGER NOT NULL, due TEXT NOT NULL, rule TEXT NOT NULL,
                         contact TEXT NOT NULL, path TEXT NOT NULL, item TEXT NOT NULL,
                         PRIMARY KEY(owner, seq)) WITHOUT ROWID;
CREATE INDEX state_items_order ON state_items(due, rule, contact, path, owner, seq);
"""


class IndexUnavailable(Exception):
    """The index cannot be opened or written (locked, unwritable folder...)."""


@dataclass
class SyncStats:
    notes: int = 0
    contacts: int = 0
    meetings: int = 0
    interactions: int = 0
    errors: int = 0
    warnings: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    renamed: int = 0
    unchanged: int = 0
    rebuilt: bool = False
    elapsed_ms: float = 0.0
    changed_paths: list[str] = field(default_factory=list)  # content changed, added or removed
    touched_paths: list[str] = field(default_factory=list)  # same content, new mtime

    def to_json(self) -> dict[str, object]:
        d = dict(self.__dict__)
        del d["changed_paths"], d["touched_paths"]
        d["elapsed_ms"] = round(self.elapsed_ms, 1)
        return d


Progress = Callable[[int, int], None]


class Known(NamedTuple):
    """What the index holds about one note (the narrow row of ``notes``)."""

    id: int
    size: int
    mtime_ns: int
    hash: str
    racy: int
    first_seen: str
    key: str  # the path it was first indexed at: kept across renames (the feed's UIDs use it)


class FileState(NamedTuple):
    """A file as the walk saw it."""

    path: str
    size: int
    mtime_ns: int


class Todo(NamedTuple):
    """A file to read, with the hash it had (None: parse it whatever its bytes)."""

    file: FileState
    old_hash: str | None


class Gone(NamedTuple):
    """The file vanished between the walk and the read."""

    path: str


class Same(NamedTuple):
    """The bytes hash as before: only the stat changes."""

    path: str
    size: int
    mtime_ns: int
    hash: str


class Parsed(NamedTuple):
    """A parsed note, as the ``notes``, ``records`` and ``fts`` tables take it."""

    path: str
    size: int
    mtime_ns: int
    hash: str
    type: str
    title: str
    name: str | None
    errors: int
    warnings: int
    entries: int
    record: str
    properties: str
    body: str


ReadResult = Union[Gone, Same, Parsed]


def _hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@lru_cache(maxsize=8)
def _real_root(root: str) -> str:
    return os.path.realpath(root)


def _link_outside(root: str, path: str) -> str | None:
    """The target of a note that is a symbolic link to a file outside the vault, else None.

    One ``lstat`` for the common case (not a link).  Linked folders are never
    walked, so only the note itself can be a link."""
    full = os.path.join(root, path)
    try:
        if not S_ISLNK(os.lstat(full).st_mode):
            return None
    except OSError:
        return None
    target = os.path.realpath(full)
    real_root = _real_root(root)
    if target == real_root or target.startswith(real_root.rstrip(os.sep) + os.sep):
        return None
    return target


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_LINK_ERRNOS = (errno.ELOOP, errno.EMLINK)  # what open(O_NOFOLLOW) says of a link (Linux, FreeBSD)


class _IsLink(Exception):
    """The note is a symbolic link (seen by open with O_NOFOLLOW)."""


def _read_regular(full: str, follow: bool = True) -> bytes:
    """A note's bytes; a FIFO, socket or device put in its place is refused, never
    read (O_NONBLOCK: opening a FIFO does not wait for a writer).  With ``follow``
    False, a symbolic link raises :class:`_IsLink` (where the system can tell)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow and _NOFOLLOW:
        try:
            fd = os.open(full, flags | _NOFOLLOW)
        except OSError as e:
            if e.errno in _LINK_ERRNOS:
                raise _IsLink from e
            raise
    else:
        fd = os.open(full, flags)
    try:  # os.read, not a file object: half the cost of reading a small note
        st = os.fstat(fd)
        if not S_ISREG(st.st_mode):
            if S_ISDIR(st.st_mode):  # what a file object says of a folder
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            raise OSError(errno.EINVAL, "not a regular file")
        chunks = [os.read(fd, st.st_size + 1)]
        while chunks[-1]:  # to the end, as a file object's read() does (the file may have grown)
            chunks.append(os.read(fd, max(st.st_size, 1 << 16)))
        return chunks[0] if len(chunks) == 2 else b"".join(chunks)
    finally:
        os.close(fd)


#: Why a file is not read: its name is not UTF-8 (see :func:`~mdnet.vault.files.shown_path`).
BAD_NAME = "the file name is not valid UTF-8"


def _parse_row(root: str, fs: FileState, config: Config, words: dict[str, str], old_hash: str | None) -> ReadResult:
    """Read and parse one file -> a row for the notes table, or a marker.

    Runs in worker processes too, so it takes and returns named tuples (they pickle).
    """
    path, size, mtime = fs
    unreadable = None
    outside = None
    full = os.path.join(root, path)
    try:
        if _NOFOLLOW:  # open without following: most notes (not links) are spared an lstat
            try:
                data = _read_regular(full, follow=False)
            except _IsLink:
                outside = _link_outside(root, path)
                data = b"" if outside is not None else _read_regular(full)
        else:  # pragma: no cover - no O_NOFOLLOW (Windows): look first
            outside = _link_outside(root, path)
            data = b"" if outside is not None else _read_regular(full)
    except (FileNotFoundError, NotADirectoryError):
        if "\\x" not in path:
            return Gone(path)
        # A name whose bytes are not UTF-8 is indexed as shown_path writes it (\xNN), which
        # no file is called: keep the note by that name and say why it is not read.
        data, unreadable = b"", BAD_NAME
    except OSError as e:  # permission denied, a read error: keep the note, by its name, and say why
        data, unreadable = b"", e.strerror or str(e)
    if outside is not None:
        h = f"outside:{outside}:{size}:{mtime}"
    else:
        h = _hash(data) if unreadable is None else f"unreadable:{size}:{mtime}"
    if h == old_hash:
        return Same(path, size, mtime, h)
    try:
        note = parse_note(path, data, config, mtime_ns=mtime, words=words)
        record = encode(note)
    except Exception as e:  # a bug of ours must not cost the rest of the vault its update
        note = parse_note(path, b"", config, mtime_ns=mtime, words=words)
        unreadable = None
        from dataclasses import replace

        note = replace(note, diagnostics=(Diagnostic(
            path, 1, ERROR, "internal-error",
            f"mdnet could not read this note ({type(e).__name__}: {e}); please report it"),))
        record = encode(note)
    if unreadable == BAD_NAME:
        from dataclasses import replace

        note = replace(note, diagnostics=(Diagnostic(
            path, 1, ERROR, "file-name-not-utf8",
            "the file name is not valid UTF-8 (the bytes shown as \\xNN), so mdnet cannot name it "
            "in the index or a link; rename the file (e.g. in a file manager)"),))
        record = encode(note)
    elif unreadable is not None:
        from dataclasses import replace

        note = replace(note, diagnostics=(Diagnostic(path, 1, ERROR, "unreadable-file",
                                                     f"cannot read the file: {unreadable}"),))
        record = encode(note)
    if outside is not None:
        from dataclasses import replace

        note = replace(note, diagnostics=(Diagnostic(
            path, 1, WARNING, "link-outside-vault",
            f"this note is a link to {outside}, outside the vault; mdnet does not read it "
            "(move the file into the vault)"),))
        record = encode(note)
    errors = sum(1 for d in note.diagnostics if d.severity == ERROR)
    name = note.contact.name if note.contact else note.title
    entries = len(note.log)
    if note.meeting is not None and note.meeting.date is not None:
        entries += len(note.meeting.with_)
    # the size as stat saw it: a note not read (data empty) must compare equal next time,
    # or every sync would read it again, count it changed and move the generation
    read = unreadable is None and outside is None
    return Parsed(path, len(data) if read else size, mtime, h, note.type, note.title, name, errors,
                  len(note.diagnostics) - errors, entries, record, searchable_properties(note.properties), note.body)


# Worker-process state (set once per worker by the pool initializer, or inherited by fork).
_W: dict[str, object] = {}


def _hold_sigint() -> object:
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


def _release_sigint(held: object) -> None:
    import signal

    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C that came meanwhile is raised now


def _init_worker(root: str, config: Config) -> None:
    # Ctrl-C reaches every process of the terminal's group: the parent stops the
    # pool (and rolls the index back); a worker printing its own traceback would
    # only make a clean interrupt look like a crash.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _W["root"] = root
    _W["config"] = config
    _W["words"] = config.kind_words()


def _work(batch: list[Todo]) -> list[ReadResult]:
    root, config, words = _W["root"], _W["config"], _W["words"]
    return [_parse_row(root, t.file, config, words, t.old_hash) for t in batch]  # type: ignore[arg-type]


def _wal(conn: sqlite3.Connection, wait: float = 10.0) -> None:
    """Switch to WAL (readers never block the writer).  While another process
    creates the file, SQLite answers "locked" at once instead of waiting."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _journal(conn: sqlite3.Connection, mode: str) -> bool:
    """Switch the journal mode; False if SQLite would not (another connection holds the file)."""
    try:
        return conn.execute(f"PRAGMA journal_mode={mode}").fetchone()[0].lower() == mode
    except sqlite3.OperationalError:
        return False


def _wal_again(conn: sqlite3.Connection) -> None:
    """Back to WAL after a first build; if that cannot be had now, the next open switches."""
    try:
        _wal(conn)
    except sqlite3.OperationalError:
        pass


def _through_folder_link(root: Path, rel: str) -> bool:
    """Is any folder on the way to ``rel`` (or ``rel`` itself, if a folder) a symbolic link?"""
    parts = rel.split("/")
    here = root
    for i, part in enumerate(parts):
        here = here / part
        try:
            st = os.lstat(here)
        except OSError:
            return False
        if S_ISLNK(st.st_mode):
            last = i == len(parts) - 1
            return not last or os.path.isdir(here)
    return False


def _renamed_from(path: str, size: int, candidates: Iterable[str]) -> str | None:
    """The note a new path was renamed from, when the bytes say so unambiguously.

    Same bytes, and: the same file name (a move to another folder), else the
    only candidate.  Tiny files (an empty note, an unedited template) are
    never taken for renames: their bytes say nothing about who they are.
    """
    candidates = list(candidates)
    if size < 64 or not candidates:
        return None
    name = path.rsplit("/", 1)[-1]
    same_name = [c for c in candidates if c.rsplit("/", 1)[-1] == name]
    if len(same_name) == 1:
        return same_name[0]
    return candidates[0] if len(candidates) == 1 else None


class Plan(NamedTuple):
    """What a sync must do: the files to read, the paths gone, how many are unchanged."""

    todo: list[Todo]
    gone: list[str]
    unchanged: int


def _plan(disk: dict[str, tuple[int, int]], known: dict[str, Known], force: bool) -> Plan:
    """Compare the files with the index (pure)."""
    todo: list[Todo] = []
    unchanged = 0
    for path, (size, mtime_ns) in disk.items():
        row = known.get(path)
        if row is None:
            todo.append(Todo(FileState(path, size, mtime_ns), None))
        elif force or row.size != size or row.mtime_ns != mtime_ns or row.racy:
            todo.append(Todo(FileState(path, size, mtime_ns), None if force or row.size != size else row.hash))
        else:
            unchanged += 1
    return Plan(todo, [p for p in known if p not in disk], unchanged)


@dataclass(frozen=True)
class _Job:
    """Everything one sync's write needs (the caller holds the transaction)."""

    config: Config
    today: date
    start_ns: int
    fingerprint: str
    force: bool
    known: dict[str, Known]
    plan: Plan
    progress: Progress | None
    jobs: int | None


def _free_key(conn: sqlite3.Connection, path: str, moved_keys: set[str]) -> str:
    """A new note's key: its path, unless a renamed note still holds that key
    (then ``path#2``, ``path#3``...), so that no two notes share a key."""
    if path not in moved_keys:
        return path
    n = 2
    while f"{path}#{n}" in moved_keys or conn.execute("SELECT 1 FROM notes WHERE key = ?", (f"{path}#{n}",)).fetchone():
        n += 1
    return f"{path}#{n}"


def _config_fingerprint(config: Config) -> str:
    shaping = {k: config[k] for k in ("vault.people_folders", "vault.meeting_folders", "vault.ignore", "kinds",
                                   "reports.folder", "reports.updates_folder")}
    shaping["parser"] = PARSER_VERSION  # a parser that reads notes differently re-reads them all
    return json.dumps(shaping, sort_keys=True)


class Index:
    """An open index.  Use :meth:`open`; close with :meth:`close` or ``with``."""

    def __init__(self, root: Path, conn: sqlite3.Connection, rebuilt: bool) -> None:
        self.root = root
        self.conn = conn
        self._rebuilt = rebuilt
        #: How many records :meth:`notes` decoded (what a load costs; the tests read it).
        self.decoded = 0

    # -- opening -----------------------------------------------------------

    @classmethod
    def open(cls, root: Path) -> "Index":
        try:
            state, file_mode = make_state_dir(root)
        except OSError as e:
            raise IndexUnavailable(f"cannot create {root / STATE_DIR}: {e.strerror}") from e
        db = state / DB_NAME
        for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", DB_NAME + "-journal"):  # SQLite gives them the db's mode
            if name == DB_NAME or (state / name).exists():
                private_file(state / name, file_mode)
        rebuilt = False
        for attempt in (1, 2):
            conn = None
            try:
                conn = sqlite3.connect(db, timeout=10, isolation_level=None, check_same_thread=False)
                _wal(conn)
                conn.execute("PRAGMA synchronous=NORMAL")
                if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                    break
                # Create (or find another process just created) the schema, under the write lock.
                conn.execute("BEGIN IMMEDIATE")
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version == SCHEMA_VERSION:
                    conn.execute("COMMIT")
                    break
                if version != 0 or conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    conn.execute("ROLLBACK")
                    raise sqlite3.DatabaseError("schema version mismatch")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                conn.execute("COMMIT")
                rebuilt = True
                break
            except sqlite3.OperationalError as e:
                if conn is not None:
                    conn.close()
                if "locked" in str(e) or "busy" in str(e):
                    raise IndexUnavailable(f"the index {db} is locked by another mdnet; try again") from e
                if attempt == 2:
                    raise IndexUnavailable(f"cannot open the index {db}: {e}") from e
                _drop(db)
            except sqlite3.DatabaseError as e:
                if conn is not None:
                    conn.close()
                if attempt == 2:
                    raise IndexUnavailable(f"cannot open the index {db}: {e}") from e
                _drop(db)  # an old version or not a database: a cache, so build it again
        return cls(root, conn, rebuilt)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- syncing -----------------------------------------------------------

    def sync(self, config: Config, *, today: date, paths: Iterable[str] | None = None,
             progress: Progress | None = None, jobs: int | None = None,
             scanned: Callable[[int, int], None] | None = None) -> SyncStats:
        """Bring the index up to date with the files.

        ``paths`` (vault-relative files or folders) limits the work to those,
        as the watcher knows them; None walks the whole vault.  ``progress(done,
        total)`` follows the parsing, ``scanned(folders, notes)`` the walk.
        """
        t0 = time.perf_counter()
        start_ns = time.time_ns()
        stats = SyncStats(rebuilt=self._rebuilt)
        self._rebuilt = False
        conn = self.conn
        fingerprint = _config_fingerprint(config)
        old_fp = conn.execute("SELECT value FROM meta WHERE key='config'").fetchone()
        force = old_fp is not None and old_fp[0] != fingerprint
        if force:
            paths = None
        if paths is not None:
            paths = [p.strip("/") for p in paths if p.strip("/")]

        if paths is None:
            disk = stat_tree(self.root, config, scanned)
        else:
            disk = {fs.path: (fs.size, fs.mtime_ns) for fs in self._stat_paths(paths, config)}
        last_sync = self._last_sync()
        if paths is None and not force and old_fp is not None and self._as_indexed(disk):
            stats.unchanged = len(disk)
            self._count(stats)  # the common case, checked with narrow rows: nothing to read or write
            stats.elapsed_ms = (time.perf_counter() - t0) * 1000
            return stats
        if paths is not None:
            paths = [shown_path(p) for p in paths]  # as the index names them, from here on
        known = self._known(paths)
        plan = _plan(disk, known, force)
        if not plan.todo and not plan.gone and not force and old_fp is not None:
            stats.unchanged = plan.unchanged
            self._count(stats)  # nothing to write: no transaction, no lock taken
            stats.elapsed_ms = (time.perf_counter() - t0) * 1000
            return stats
        # A first build writes into an empty database: with a rollback journal its pages go
        # to the file once, where WAL writes them twice (log, then checkpoint at commit).
        cold = old_fp is None and not known and len(plan.todo) >= COLD_JOURNAL_MIN and _journal(conn, "delete")
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if cold:
                _wal_again(conn)
            raise IndexUnavailable(f"the index is locked by another mdnet ({e}); try again") from e
        try:
            if self._last_sync() != last_sync:  # another process synced since we looked: plan again
                known = self._known(paths)
                plan = _plan(disk, known, force)
            stats.unchanged = plan.unchanged
            job = _Job(config, today, start_ns, fingerprint, force, known, plan, progress, jobs)
            self._write(stats, job)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            if cold:
                _wal_again(conn)
        self._count(stats)
        stats.elapsed_ms = (time.perf_counter() - t0) * 1000
        return stats

    def _last_sync(self) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key='synced_ns'").fetchone()
        return row[0] if row else None

    def _as_indexed(self, disk: dict[str, tuple[int, int]]) -> bool:
        """Is every file on disk indexed with its size and mtime, and none racy?  (What
        :func:`_plan` would say with nothing to do, at half the cost of building every :class:`Known`.)"""
        if self.conn.execute("SELECT 1 FROM notes WHERE racy != 0 LIMIT 1").fetchone():
            return False  # look at it again (even if it is gone)
        q = "SELECT path, size, mtime_ns FROM notes"
        return {p: (size, mtime) for p, size, mtime in self.conn.execute(q)} == disk

    def _known(self, paths: list[str] | None) -> dict[str, Known]:
        """What the index holds (for ``paths``, or all), by path."""
        q = "SELECT path, id, size, mtime_ns, hash, racy, first_seen, key FROM notes"
        if paths is None:
            return {row[0]: Known(*row[1:]) for row in self.conn.execute(q)}
        known = {}
        for p in paths:
            for row in self.conn.execute(q + " WHERE path = ? OR (path > ? AND path < ?)", (p, p + "/", p + "0")):
                known[row[0]] = Known(*row[1:])
        return known

    def _write(self, stats: SyncStats, job: "_Job") -> None:
        """Parse what changed and write it; the caller holds the transaction."""
        conn = self.conn
        known, gone = job.known, list(job.plan.gone)
        results = self._parse_all(job.plan.todo, job.config, job.progress, job.jobs)  # a stream: rows are written as they come
        today_s = job.today.isoformat()
        gone_by_hash: dict[str, list[str]] = {}
        for p in gone:
            gone_by_hash.setdefault(known[p].hash, []).append(p)
        # Keys that are not their note's path (notes renamed since first indexed): a new
        # note at such a path needs another key.  Usually none, so a cold index pays nothing.
        moved_keys = {k for (k,) in conn.execute("SELECT key FROM notes WHERE key != path")}
        for r in results:
            path = r.path
            if isinstance(r, Gone):  # vanished since the walk
                if path in known and path not in gone:
                    gone.append(path)
                continue
            racy = 0
            if r.mtime_ns >= job.start_ns - RACY_NS or r.hash.startswith("unreadable:"):
                racy = 1  # look again next time: a coarse clock, or a file that could not be read
            if isinstance(r, Same):
                conn.execute("UPDATE notes SET size=?, mtime_ns=?, racy=? WHERE path=?", (r.size, r.mtime_ns, racy, path))
                stats.unchanged += 1
                if r.mtime_ns != known[path].mtime_ns:  # same bytes, new mtime: what the feed says changes (SEQUENCE)
                    stats.touched_paths.append(path)
                continue
            row = known.get(path)
            counts = (r.type, r.title, r.name, r.errors, r.warnings, r.entries)
            if row is not None:
                note_id = row.id
                conn.execute(
                    "UPDATE notes SET size=?, mtime_ns=?, hash=?, racy=?, type=?, title=?, name=?, errors=?, warnings=?, entries=? WHERE id=?",
                    (r.size, r.mtime_ns, r.hash, racy, *counts, note_id))
                conn.execute("UPDATE records SET record=? WHERE id=?", (r.record, note_id))
                conn.execute("DELETE FROM fts WHERE rowid=?", (note_id,))
                stats.changed += 1
            else:
                first_seen, key = today_s, path
                old = _renamed_from(path, r.size, gone_by_hash.get(r.hash, ()))
                if old is not None:  # a rename: the note keeps its history and its key
                    gone_by_hash[r.hash].remove(old)
                    first_seen, key = known[old].first_seen, known[old].key
                    stats.renamed += 1
                else:
                    stats.added += 1
                    key = _free_key(conn, path, moved_keys)
                if key != path:
                    moved_keys.add(key)
                cur = conn.execute(
                    "INSERT INTO notes(path, size, mtime_ns, hash, racy, first_seen, key, type, title, name, errors,"
                    " warnings, entries) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (path, r.size, r.mtime_ns, r.hash, racy, first_seen, key, *counts))
                note_id = cur.lastrowid
                conn.execute("INSERT INTO records(id, record) VALUES (?,?)", (note_id, r.record))
            conn.execute("INSERT INTO fts(rowid, name, properties, body) VALUES (?,?,?,?)", (note_id, r.name, r.properties, r.body))
            stats.changed_paths.append(path)
        for path in gone:
            note_id = known[path].id
            conn.execute("DELETE FROM notes WHERE id=?", (note_id,))
            conn.execute("DELETE FROM records WHERE id=?", (note_id,))
            conn.execute("DELETE FROM fts WHERE rowid=?", (note_id,))
            if path not in stats.changed_paths:
                stats.changed_paths.append(path)
        stats.removed = len(gone) - stats.renamed
        if stats.changed_paths or job.force or stats.touched_paths:
            # Derived values of the old generation are now stale; they are
            # cleared when the next one is stored, not here, to keep a save cheap.
            gen = self.generation() + 1
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)", (str(gen),))
            logged = ["*"] if job.force else {*stats.changed_paths, *stats.touched_paths}
            conn.executemany("INSERT OR IGNORE INTO changes(generation, path) VALUES (?,?)", ((gen, p) for p in logged))
            conn.execute("DELETE FROM changes WHERE generation < ?", (gen - CHANGES_KEPT,))
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('config', ?)", (job.fingerprint,))
        conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('synced_ns', ?)", (str(job.start_ns),))

    def generation(self) -> int:
        """A number that changes whenever the indexed notes change."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def derived(self, key: str, compute: Callable[[], bytes], *, generation: int | None = None) -> bytes:
        """A value computed from the notes, kept until the notes change.

        ``key`` must name everything else the value depends on (the date,
        the settings); the cache is emptied whenever a sync changes a note.
        ``generation``: the one ``compute`` reads the notes of (default: the
        current one); the value is kept only if the index is still there.
        """
        gen = self.generation() if generation is None else generation
        row = self.conn.execute("SELECT generation, value FROM derived WHERE key=?", (key,)).fetchone()
        if row is not None and row[0] == gen:
            return bytes(row[1])
        value = compute()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error:
            return value  # busy or read-only: a cache miss next time, nothing worse
        try:
            if self.generation() == gen:  # a sync meanwhile: the value is of an older generation
                self.conn.execute("DELETE FROM derived WHERE generation != ?", (gen,))
                self.conn.execute("INSERT OR REPLACE INTO derived(key, generation, value) VALUES (?,?,?)",
                                  (key, gen, value))
            self.conn.execute("COMMIT")
        except sqlite3.Error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        return value

    def _stat_paths(self, paths: Iterable[str], config: Config) -> Iterator[FileStat]:
        for p in paths:
            p = p.strip("/")
            if not p:
                continue
            full = self.root / p
            if _through_folder_link(self.root, p):
                continue  # the full walk does not follow linked folders; neither does this
            shown = shown_path(p)  # the watcher's paths may hold bytes that are not UTF-8
            if full.is_dir():
                sub = full
                for fs in walk(sub, config):
                    rel = f"{shown}/{fs.path}"
                    if is_note_path(rel, config):
                        yield FileStat(rel, fs.size, fs.mtime_ns)
            elif is_note_path(p, config):
                fs = stat_note(self.root, p)
                if fs is not None:
                    yield FileStat(shown, fs.size, fs.mtime_ns) if shown != p else fs

    def _parse_all(self, todo: list[Todo], config: Config, progress: Progress | None, jobs: int | None) -> Iterator[ReadResult]:
        """Read and parse the files, in worker processes when there are many."""
        total = len(todo)
        if progress:
            progress(0, total)
        if not todo:
            return
        root = str(self.root)
        if jobs is None:
            jobs = min(os.cpu_count() or 1, 4) if total >= PARALLEL_MIN else 1
        if jobs > 1:
            # A Ctrl-C while the workers are being forked would leave them orphaned
            # (holding the terminal's pipes): hold it until the pool is ours to stop.
            held = _hold_sigint()
            try:
                pool = self._pool(root, config, jobs)
            except (OSError, ImportError):
                pool = None  # no processes to be had: parse here
            if pool is None:
                _release_sigint(held)
            else:
                with pool:
                    _release_sigint(held)
                    size = max(50, min(500, total // (jobs * 8) or 1))
                    batches = [todo[i : i + size] for i in range(0, total, size)]
                    done = 0
                    for rows in pool.imap(_work, batches):
                        yield from rows
                        done += len(rows)
                        if progress:
                            progress(done, total)
                return
        words = config.kind_words()
        for i, t in enumerate(todo, 1):
            yield _parse_row(root, t.file, config, words, t.old_hash)
            if progress and (i % 500 == 0 or i == total):
                progress(i, total)

    @staticmethod
    def _pool(root: str, config: Config, jobs: int):  # type: ignore[no-untyped-def]
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        return ctx.Pool(jobs, initializer=_init_worker, initargs=(root, config))

    def _count(self, stats: SyncStats) -> None:
        row = self.conn.execute(
            "SELECT count(*), sum(type='person'), sum(type='meeting'), sum(errors), sum(warnings), sum(entries) FROM notes"
        ).fetchone()
        (stats.notes, stats.contacts, stats.meetings, stats.errors, stats.warnings,
         stats.interactions) = (x or 0 for x in row)

    # -- reading -----------------------------------------------------------

    def notes(self, *, types: tuple[str, ...] | None = None, paths: Iterable[str] | None = None) -> list[Note]:
        """Indexed notes, decoded (bodies are not kept here: see :meth:`body`).

        All of them, or those of some ``types``, or those at ``paths`` (a path
        that is not indexed is simply not in the result).
        """
        q = "SELECT n.path, r.record, n.mtime_ns FROM notes n JOIN records r ON r.id = n.id"
        if paths is not None:
            out = []
            for p in paths:
                row = self.conn.execute(q + " WHERE n.path = ?", (p,)).fetchone()
                if row is not None:
                    out.append(decode(*row))
            self.decoded += len(out)
            return out
        if types:
            q += " WHERE n.type IN (%s)" % ",".join("?" * len(types))
        out = [decode(p, r, m) for p, r, m in self.conn.execute(q, types or ())]
        self.decoded += len(out)
        return out

    def contact_names(self, containing: str | None = None) -> list[tuple[str, str, tuple[str, ...]]]:
        """(path, name, aliases) of every indexed contact, without decoding the records:
        what resolving a typed name needs, at a fraction of the cost of :meth:`vault`.

        With ``containing`` (a typed name), only aliases that could contain it
        (ignoring case) are read out of the JSON records; the others come back
        empty, which changes no match on that name.
        """
        q = (containing or "").strip().lower()
        if q.endswith(".md"):
            q = q[:-3]
        names = self.conn.execute("SELECT path, coalesce(name, title) FROM notes WHERE type = 'person'").fetchall()
        sql = (f"SELECT n.path, json_extract(r.record, '$.c[{_ALIASES_AT}]') FROM notes n JOIN records r ON r.id = n.id "
               "WHERE n.type = 'person'")
        args: tuple[str, ...] = ()
        if q and q.isascii() and q.isprintable() and '"' not in q and "\\" not in q:
            # LIKE ignores ASCII case; the record holds each alias as written (JSON escapes only " \ and controls)
            sql += " AND r.record LIKE ? ESCAPE '!'"
            args = ("%" + q.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%",)
        loads = json.loads
        aliases = {p: tuple(loads(a)) for p, a in self.conn.execute(sql, args) if a and a != "[]"}
        return [(p, name, aliases.get(p, ())) for p, name in names]

    def first_seen(self, paths: Iterable[str] | None = None) -> dict[str, date]:
        """path -> the day the note was first indexed (of ``paths``, or of every note)."""
        if paths is None:
            return {p: date.fromisoformat(d) for p, d in self.conn.execute("SELECT path, first_seen FROM notes")}
        out = {}
        for p in paths:
            row = self.conn.execute("SELECT first_seen FROM notes WHERE path = ?", (p,)).fetchone()
            if row is not None:
                out[p] = date.fromisoformat(row[0])
        return out

    def keys(self, paths: Iterable[str] | None = None) -> dict[str, str]:
        """Path -> the note's stable key, for the notes (of ``paths``, or all) whose key
        is not their path (renamed since first indexed); every other note's key is its path."""
        if paths is None:
            return dict(self.conn.execute("SELECT path, key FROM notes WHERE key != path"))
        q = "SELECT key FROM notes WHERE path = ? AND key != path"
        return {p: row[0] for p in paths if (row := self.conn.execute(q, (p,)).fetchone())}

    def vault(self, config: Config) -> Vault:
        """The resolved vault, from the index alone (no note is read)."""
        from ..graph import resolve

        return resolve(self.notes(), config, first_seen=self.first_seen(), keys=self.keys())

    def named(self, texts: Iterable[str]) -> list[str]:
        """Paths of notes whose name or file name is one of ``texts`` (case-insensitive).
        One pass over the notes table."""
        wanted = sorted({t.strip().lower() for t in texts if t.strip()})
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        sql = f"SELECT path FROM notes WHERE lower(name) IN ({marks}) OR lower(title) IN ({marks})"
        return [r[0] for r in self.conn.execute(sql, wanted + wanted)]

    def mentioning(self, phrases: Iterable[str], *, column: str | None = None, type_: str | None = None) -> list[str]:
        """Paths of notes whose text (or one ``column``: name, properties, body) holds
        one of ``phrases`` as whole words, any case: a cheap superset of the notes
        that link to or name someone, for loading only what a question needs."""
        quoted = ['"' + p.replace('"', '""') + '"' for p in dict.fromkeys(phrases) if p.strip()]
        if not quoted:
            return []
        out: list[str] = []
        for i in range(0, len(quoted), 200):  # FTS5 parses long OR chains slowly: batch them
            match = " OR ".join(quoted[i : i + 200])
            if column:
                match = f"{column} : ({match})"
            # A subquery, so SQLite runs the full-text match once rather than per row of notes.
            q = "SELECT path FROM notes WHERE id IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            args: tuple = (match,)
            if type_:
                q += " AND type = ?"
                args += (type_,)
            try:
                out.extend(r[0] for r in self.conn.execute(q, args))
            except sqlite3.OperationalError:
                continue  # a phrase FTS cannot take: those notes are not found, nothing worse
        return list(dict.fromkeys(out))

    def diagnostics(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for p, r, m in self.conn.execute("SELECT n.path, r.record, n.mtime_ns FROM notes n JOIN records r ON r.id = n.id WHERE n.errors + n.warnings > 0"):
            out.extend(decode(p, r, m).diagnostics)
        return out

    def body(self, path: str) -> str:
        row = self.conn.execute("SELECT f.body FROM notes n JOIN fts f ON f.rowid = n.id WHERE n.path = ?", (path,)).fetchone()
        return row[0] if row else ""

    def search(self, query: str, *, limit: int = 50) -> list[tuple[str, str, str]]:
        """Full-text search -> (path, name, snippet), best first.

        The syntax (docs/commands.md#search): words match as prefixes and all must
        appear; ``"exact phrase"``; ``-word`` leaves out notes with the word;
        ``C++``, ``node.js``, ``O'Brien`` are matched as written.  A query that uses
        FTS5 operators (OR, NOT, NEAR, AND, column:, parentheses, *) is passed through.
        """
        q, literals = _fts_query(query)
        if not q:
            return []
        where = "".join(" AND instr(lower(fts.name || ' ' || fts.properties || ' ' || fts.body), ?) > 0"
                        for _ in literals)
        sql = ("SELECT n.path, n.name, snippet(fts, -1, '[', ']', '…', 12) FROM fts JOIN notes n ON n.id = fts.rowid"
               f" WHERE fts MATCH ?{where} ORDER BY bm25(fts, 10.0, 3.0, 1.0) LIMIT ?")
        try:
            return list(self.conn.execute(sql, (q, *literals, limit)))
        except sqlite3.OperationalError as e:
            raise ValueError(f"cannot search for {query!r}: {e}") from e


_FTS_OPERATORS = re.compile(r"(?:^|\s)(?:AND|OR|NOT|NEAR)(?:\s|\(|$)|[()*^]|(?:^|\s)\w+:")
_QUERY_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _fts_query(query: str) -> tuple[str, list[str]]:
    """A typed query -> (FTS5 expression, literal texts every hit must contain).

    The FTS5 tokenizer keeps letters and digits only, so ``C++`` is the token
    ``c``: such a term is searched as its tokens and then kept only where the
    text holds it as written (case-insensitive).  ``node.js`` and ``O'Brien``
    are the phrases ``node js`` and ``o brien``.
    """
    if _FTS_OPERATORS.search(query):
        return query, []
    positive: list[str] = []
    negative: list[str] = []
    literals: list[str] = []
    for m in _QUERY_TERM.finditer(query):
        minus, phrase, word = m.group(1), m.group(2), m.group(3)
        if phrase is not None:
            words = re.findall(r"\w+", phrase)
            if words:
                (negative if minus else positive).append('"' + " ".join(words) + '"')
            continue
        if word.startswith("-") and len(word) > 1:
            word, target = word[1:], negative
        else:
            target = positive
        words = re.findall(r"\w+", word)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'
        if target is positive and re.search(r"[^\w.'\u2019\"-]", word):
            literals.append(word.lower())  # C++, C#: the tokens alone would match any "c"
        elif word[-1:].isalnum() or word[-1:] == "_":
            term += "*"
        target.append(term)
    if not positive:
        if negative:
            raise ValueError("say what to find as well as what to leave out (-word alone matches nothing)")
        return "", []
    return " ".join(positive) + "".join(f" NOT {n}" for n in negative), literals


def delete_index(root: Path) -> None:
    """Forget the cache of a vault (the next sync reads every note again)."""
    _drop(root / STATE_DIR / DB_NAME)


def _drop(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):  # (a journal left by a crash must not meet a new file)
        try:
            os.unlink(f"{db}{suffix}")
        except FileNotFoundError:
            pass
