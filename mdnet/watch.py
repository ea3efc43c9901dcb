"""Watch a vault and tell the caller, in debounced batches, which paths changed.

The watcher knows nothing of the index or the feed: it turns the file system's
noisy events into calls of one function, ``on_batch(dirty)``, made from a single
worker thread (never concurrently, never from watchdog's own thread).

The contract of ``on_batch(dirty)``
-----------------------------------
``dirty`` is one of:

* a non-empty ``set[str]`` of vault-relative paths with forward slashes.
  A path without a trailing slash names a note file (``People/Ana.md``) that
  may have been created, modified, deleted or renamed away; the caller stats
  it: re-parse it if it exists and its size or mtime changed, drop it from the
  index if it is gone.  A path with a trailing slash (``People/``) names a
  directory that was created, deleted or moved (either end of the move); the
  caller treats every indexed note under it and every note on disk under it as
  dirty (``Index.sync(paths=...)`` does exactly that).
* ``set()`` (empty): nothing changed on disk, but the local date did (midnight
  passed with no edits): regenerate the feed so overdue items move to today.
* ``None``: events may have been lost (the kernel's inotify queue overflowed,
  or more than ``max_batch`` paths piled up), it is the periodic
  ``reconcile_every`` tick, or it is the start (``reconcile_on_start``):
  reconcile the index with a full stat walk of the vault.

Every call implies "the date may have changed, rebuild the feed with today's
date", so the caller can always regenerate the feed after syncing.

What counts as a path
---------------------
Every path an event names, source *and* destination, is collected, because
editors save in ways that make a move look like a delete:

* temp file + rename (VS Code, Obsidian, most tools): only a move *onto* the
  note is reported; its destination ``note.md`` is dirty, the temp is not.
* vim: ``note.md`` -> ``note.md~``, a new ``note.md`` is written, the backup is
  deleted.  ``note.md`` is dirty; since the caller *stats* it rather than
  trusting the event, a vim save never deletes the contact.
* JetBrains: the original moved aside, a temp moved in, the old one deleted.
* VS Code: truncate then write (a reader may see an empty file: the second
  event triggers a second batch with the final content).
* a folder moved in reports one create per file, a folder rename one
  directory move: directories go in with a trailing slash.

Ignored: anything whose path has a component starting with ``.`` (``.mdnet/``,
so writing the index and the feed never feeds back; ``.obsidian/``, ``.git/``,
``.trash/``, vim's ``.note.md.swp``), files not ending in ``.md`` or ``.MD`` (``~``
backups, ``.tmp``, ``.swp``, vim's ``4913`` probe, JetBrains'
``___jb_tmp___``), directory "modified" events, and whatever the optional
``ignore(relpath)`` predicate rejects (e.g. ``Templates/``).  Keep these rules
the same as the vault scanner's, so a watched vault and a full scan agree.

Queue overflow
--------------
watchdog 7.1 handles ``IN_Q_OVERFLOW`` itself (it drops its half-paired moves
and rebuilds the recursive watches) and reports it only as a WARNING on the
``watchdog.observers.inotify_c`` logger ("Inotify queue overflowed;
filesystem events were lost"); no event reaches the handler.  So the watcher
puts a ``logging.Handler`` on that logger and answers the warning with
``on_batch(None)``.  The record does not say which observer overflowed, so
every live watcher in the process reconciles: harmless, a walk of 50k files
takes a quarter of a second.  Older watchdog releases drop the overflow
silently; the ``max_batch`` cap (a burst big enough to overflow the queue is
reconciled rather than listed) and the periodic reconcile cover them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from types import TracebackType

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

__all__ = ["Watcher", "is_note_path"]

NOTE_SUFFIX = ".md"

# Only these event types are asked for: watchdog narrows the inotify mask to
# match, so opens, reads and the per-event "parent directory modified" noise
# never enter the kernel queue (which makes an overflow rarer, too).
_EVENT_TYPES: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]


def _stderr_log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def is_note_path(relpath: str) -> bool:
    """True if a vault-relative file path (forward slashes) can be a note.

    Hidden files and anything inside a hidden folder are never notes; nor is a
    file whose name does not end in ``.md`` (in any case, as the scanner in
    ``mdnet.vault.files`` has it).
    """
    if not relpath.lower().endswith(NOTE_SUFFIX):
        return False
    return not any(part.startswith(".") or part == "" for part in relpath.split("/"))


def _is_watched_dir(relpath: str) -> bool:
    return relpath != "" and not any(part.startswith(".") or part == "" for part in relpath.split("/"))


class _OverflowRelay(logging.Handler):
    """Forwards watchdog's "queue overflowed" warning to every live Watcher."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.watchers: weakref.WeakSet[Watcher] = weakref.WeakSet()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record must not break watchdog's thread
            return
        if "overflow" in message.lower():
            for watcher in list(self.watchers):
                watcher._request_reconcile("the inotify event queue overflowed")


_OVERFLOW_LOGGER = "watchdog.observers.inotify_c"
_relay: _OverflowRelay | None = None
_relay_lock = threading.Lock()


def _register_overflow(watcher: Watcher) -> None:
    global _relay
    with _relay_lock:
        if _relay is None:
            _relay = _OverflowRelay()
            logger = logging.getLogger(_OVERFLOW_LOGGER)
            logger.addHandler(_relay)
            if logger.getEffectiveLevel() > logging.WARNING:
                logger.setLevel(logging.WARNING)
        _relay.watchers.add(watcher)


def _unregister_overflow(watcher: Watcher) -> None:
    with _relay_lock:
        if _relay is not None:
            _relay.watchers.discard(watcher)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self._watcher = watcher

    def dispatch(self, event: FileSystemEvent) -> None:
        self._watcher._on_event(event)


class Watcher:
    """Debounced vault watcher around a real watchdog observer.

    ``on_batch`` is called from one worker thread after ``debounce`` quiet
    seconds (or at the latest ``max_delay`` seconds after the first event of a
    batch, so a never-ending trickle still gets through); see the module
    docstring for what it receives.  An exception in ``on_batch`` is logged
    with its traceback (the same failure again, or one of the ``expected``
    exception types such as a locked index: one line) and the watcher
    carries on; a reconcile is retried after a back-off (``retry_after``
    seconds, doubling up to a minute, on the monotonic clock) so a lost batch is
    not lost for good.  ``today`` is the clock for the date-change tick, checked every
    ``date_check_every`` seconds.  ``poll=True`` uses watchdog's
    PollingObserver (network and synced folders), scanning every
    ``poll_interval`` seconds.
    """

    def __init__(
        self,
        root: Path,
        on_batch: Callable[[set[str] | None], None],
        *,
        debounce: float = 0.3,
        max_delay: float = 5.0,
        poll: bool = False,
        poll_interval: float = 1.0,
        reconcile_every: float = 300.0,
        reconcile_on_start: bool = True,
        max_batch: int = 5000,
        ignore: Callable[[str], bool] | None = None,
        also: Iterable[str] = (),
        today: Callable[[], date] = date.today,
        date_check_every: float = 30.0,
        retry_after: float = 1.0,
        expected: tuple[type[BaseException], ...] = (),
        log: Callable[[str], None] = _stderr_log,
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self._root_prefix = str(self.root).rstrip(os.sep) + os.sep
        self._on_batch = on_batch
        self._debounce = debounce
        self._max_delay = max_delay
        self._poll = poll
        self._poll_interval = poll_interval
        self._reconcile_every = reconcile_every
        self._reconcile_on_start = reconcile_on_start
        self._max_batch = max_batch
        self._ignore = ignore
        self._also = frozenset(also)  # other files whose changes matter (mdnet.toml)
        self._today = today
        self._date_check_every = date_check_every
        self._log = log

        self._cond = threading.Condition()
        self._dirty: set[str] = set()
        self._reconcile_reason: str | None = None
        self._first_event = 0.0
        self._last_event = 0.0
        self._next_reconcile = 0.0
        self._retry_after = retry_after
        self._expected = expected  # failures that are logged as one line, never a traceback
        self._backoff = retry_after
        self._last_failure: str | None = None
        self._stopping = False
        self._observer: BaseObserver | None = None
        self._worker: threading.Thread | None = None
        #: Events seen and dropped as irrelevant (tests wait on it).
        self.ignored_events = 0
        #: Number of on_batch calls made so far (successful or not).
        self.batches = 0

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> Watcher:
        if self._worker is not None:
            raise RuntimeError("Watcher already started")
        if not self.root.is_dir():
            raise FileNotFoundError(f"{self.root}: no such folder")
        now = time.monotonic()
        self._next_reconcile = now + self._reconcile_every
        self._last_date = self._today()
        self._next_date_check = now + self._date_check_every
        if self._reconcile_on_start:
            self._reconcile_reason = "start"
            self._first_event = self._last_event = now - self._debounce
        observer = PollingObserver(timeout=self._poll_interval) if self._poll else Observer()
        observer.schedule(_Handler(self), str(self.root), recursive=True, event_filter=_EVENT_TYPES)
        if not self._poll:
            _register_overflow(self)
        observer.daemon = True
        observer.start()
        self._observer = observer
        self._worker = threading.Thread(target=self._run, name="mdnet-watch", daemon=True)
        self._worker.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop watching; pending changes are not flushed (the next start reconciles)."""
        _unregister_overflow(self)
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join(timeout)

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def alive(self) -> bool:
        return bool(self._worker and self._worker.is_alive() and self._observer and self._observer.is_alive())

    # -- event side (watchdog's thread) -----------------------------------

    def _relative(self, path: bytes | str) -> str | None:
        p = os.fsdecode(path)
        if not p.startswith(self._root_prefix):
            return None
        rel = p[len(self._root_prefix):]
        if os.sep != "/":
            rel = rel.replace(os.sep, "/")
        return rel

    def _relevant(self, path: bytes | str, is_directory: bool) -> str | None:
        rel = self._relative(path)
        if rel is None:
            return None
        if is_directory:
            if not _is_watched_dir(rel):
                return None
            rel += "/"
        elif not is_note_path(rel) and rel not in self._also:
            return None
        if self._ignore is not None and self._ignore(rel):
            return None
        return rel

    def _on_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path]
        if event.event_type == "moved":
            paths.append(event.dest_path)
        relevant = [r for r in (self._relevant(p, event.is_directory) for p in paths if p) if r is not None]
        with self._cond:
            if not relevant:
                self.ignored_events += 1
                return
            now = time.monotonic()
            if not self._dirty and self._reconcile_reason is None:
                self._first_event = now
            self._last_event = now
            if self._reconcile_reason is None:
                self._dirty.update(relevant)
                if len(self._dirty) > self._max_batch:
                    self._reconcile_reason = f"more than {self._max_batch} paths changed at once"
                    self._dirty.clear()
            self._cond.notify_all()

    def _request_reconcile(self, reason: str) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._dirty and self._reconcile_reason is None:
                self._first_event = now
            self._last_event = now
            self._reconcile_reason = reason
            self._dirty.clear()
            self._cond.notify_all()

    # -- worker side ---------------------------------------------------------

    def _take(self) -> tuple[set[str] | None, str] | None:
        """Wait for the next batch; None when stopping.  Called with no lock held."""
        with self._cond:
            while not self._stopping:
                now = time.monotonic()
                pending = bool(self._dirty) or self._reconcile_reason is not None
                if pending and (
                    now - self._last_event >= self._debounce or now - self._first_event >= self._max_delay
                ):
                    if self._reconcile_reason is not None:
                        reason, self._reconcile_reason = self._reconcile_reason, None
                        self._dirty.clear()
                        return None, reason
                    batch, self._dirty = self._dirty, set()
                    return batch, "changes"
                if now >= self._next_reconcile:
                    self._dirty.clear()
                    self._reconcile_reason = None
                    return None, "retry" if self._backoff > self._retry_after else "periodic reconcile"
                if now >= self._next_date_check:
                    self._next_date_check = now + self._date_check_every
                    if not pending and self._today() != self._last_date:
                        return set(), "the date changed"
                deadlines = [self._next_reconcile, self._next_date_check]
                if pending:
                    deadlines.append(min(self._last_event + self._debounce, self._first_event + self._max_delay))
                self._cond.wait(max(0.0, min(deadlines) - now) + 0.001)
        return None

    def _run(self) -> None:
        while True:
            taken = self._take()
            if taken is None:
                return
            batch, reason = taken
            self._last_date = self._today()
            self.batches += 1
            try:
                self._on_batch(batch)
            except Exception as exc:
                delay = self._backoff
                self._backoff = min(self._backoff * 2, 60.0)
                with self._cond:
                    # From now: the reconcile that just failed may have been due
                    # in the past, and min() with that retried at once, forever.
                    self._next_reconcile = time.monotonic() + delay
                what = "reconcile" if batch is None else f"update of {len(batch)} path(s)"
                failure = f"{type(exc).__name__}: {exc}"
                head = f"mdnet watch: the {what} ({reason}) failed; retrying with a full reconcile in {delay:g} s"
                if failure == self._last_failure or isinstance(exc, self._expected):  # one line, no traceback
                    self._log(f"{head} ({failure}{', again' if failure == self._last_failure else ''})")
                else:
                    self._log(head + "\n" + traceback.format_exc().rstrip())
                self._last_failure = failure
                continue
            self._last_failure = None
            if batch is None:
                self._backoff = self._retry_after
                with self._cond:
                    self._next_reconcile = time.monotonic() + self._reconcile_every
