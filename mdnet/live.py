"""Keeping the index and the feed true while the notes change.

:class:`FeedUpdater` is the watcher's ``on_batch``: it re-indexes what the
watcher saw change (or the whole vault on a reconcile), rebuilds the feed for
today and rewrites it only when its bytes changed, and logs one line per
update.  It knows nothing of the watcher (the layering keeps ``live`` and
``watch`` apart): the caller makes a ``Watcher(root, updater,
ignore=updater.ignores, today=updater.today, also=updater.also)``.
A change to ``mdnet.toml`` reloads the settings and re-checks every note.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Callable

from .config import CONFIG_NAME
from .model import plural
from .workspace import Loaded, Workspace

__all__ = ["FeedUpdater"]


class FeedUpdater:
    """``on_batch`` for :class:`~mdnet.watch.Watcher` (see its contract).

    The feed is rebuilt when the notes, the day or the settings changed since
    it was last written (a batch of editor noise after midnight is the date
    tick too); a reconcile always rebuilds it, so a feed file deleted by hand
    comes back.  Each error diagnostic is
    logged once, when it first appears, not at every save of a note that is
    briefly invalid mid-edit.
    """

    def __init__(self, ws: Workspace, *, today: Callable[[], date] = date.today,
                 log: Callable[[str], None] = print, todo: bool = False) -> None:
        self.ws = ws
        self.today = today
        self.log = log
        self.todo = todo
        #: Held while a batch updates the workspace; others sharing ``ws`` (the dashboard) hold it too.
        self.lock = threading.RLock()
        #: Called after each batch that changed notes, the day or the settings (the dashboard's live updates).
        self.listeners: list[Callable[[], None]] = []
        self._reported: dict[str, set[tuple[str, int, str]]] = {}  # path -> errors already logged
        self._rules_failed: set[tuple[str, str]] = set()
        self._day: date | None = None
        self._generation = -1  # the index generation the feed on disk was made from
        self._config = ""  # ... and the settings' fingerprint
        self._problems = 0  # notes with problems that may hide follow-ups, as last logged
        #: Calls completed (tests and benchmarks wait on these).
        self.updates = 0
        #: Times the feed file was rewritten.
        self.writes = 0

    def __call__(self, dirty: set[str] | None) -> None:
        """``dirty``: vault-relative paths (files, or folders ending in "/") that
        changed; None: reconcile with a full walk; an empty set: only the date changed."""
        with self.lock:
            t0 = time.perf_counter()
            day = self.today()
            what = None
            if dirty and CONFIG_NAME in dirty:
                what = f"{CONFIG_NAME} changed"
                self.ws.reload_config()
                for d in self.ws.config_diagnostics:
                    self.log(str(d))
                dirty = None  # new settings may change what every note means
            if dirty is None:
                loaded = self.ws.load(day, today=day)
                what = what or "full check"
            elif dirty:
                loaded = self.ws.load(day, paths=sorted(dirty), today=day)
                changed_paths = loaded.stats.changed_paths if loaded.stats else []
                what = _describe(changed_paths) if changed_paths else "no note changed"
            else:
                loaded = self.ws.load(day, sync=False)
                what = f"new day {day.isoformat()}"
            generation = self.ws.index.generation()
            fingerprint = self.ws.config.fingerprint()
            notes_changed = generation != self._generation
            if notes_changed:  # notes changed, here or by another mdnet
                self._report_new_errors(loaded)
            if not notes_changed and day == self._day and fingerprint == self._config and dirty is not None:
                self.updates += 1
                return  # editor noise, an unchanged save: the feed on disk is this already
            # Before the write (it computes the same items), so the write and its log line stay close.
            failed = {(d.path, d.message): d for d in loaded.rule_diagnostics}
            for k, d in failed.items():  # a contact the rules left out: once, when it first fails
                if k not in self._rules_failed:
                    self.log(str(d))
            self._rules_failed = set(failed)
            _, changed, n = self.ws.write_feed(day, todo=self.todo, loaded=loaded)
            for listener in self.listeners:
                listener()
            first, new_day = self.updates == 0, day != self._day
            if new_day and not first and not what.startswith("new day"):
                what = f"{what}; new day {day.isoformat()}"  # whichever batch comes first after midnight
            self._generation, self._config, self._day = generation, fingerprint, day
            self.updates += 1
            self.writes += changed
            if not (first or notes_changed or changed or new_day):
                return  # a reconcile that found nothing
            ms = (time.perf_counter() - t0) * 1000
            self.log(f"{what}: feed {'updated' if changed else 'unchanged'}, {plural(n, 'follow-up')} ({ms:.0f} ms)")
            if first or notes_changed:
                self._log_problems(loaded)

    def _log_problems(self, loaded: Loaded) -> None:
        """The line `mdnet due` ends with, when the count of notes with problems changes."""
        from .model import problems_line

        count = loaded.problem_notes()
        if count != self._problems:
            self._problems = count
            self.log(problems_line(count) if count else "no note has problems that may hide follow-ups")

    #: Files besides notes whose changes the watcher must report.
    also = (CONFIG_NAME,)

    def ignores(self, rel: str) -> bool:
        """The watcher's ``ignore``: a Markdown path the index skips (``Templates/``...)."""
        from .vault.files import is_note_path

        return rel.lower().endswith(".md") and not is_note_path(rel, self.ws.config)

    def _report_new_errors(self, loaded: Loaded) -> None:
        """Log each error once, when it first appears; only the notes that changed are compared."""
        paths = loaded.changed
        found: dict[str, set[tuple[str, int, str]]] = {}
        for d in loaded.diagnostics_of(paths):
            if d.severity == "error":
                key = (d.path, d.line, d.message)
                found.setdefault(d.path, set()).add(key)
                if key not in self._reported.get(d.path, ()):
                    self.log(str(d))
        if paths is None:
            self._reported = found
        else:
            for p in paths:
                self._reported.pop(p, None)
            self._reported.update(found)


def _describe(paths: list[str]) -> str:
    if len(paths) <= 3:
        return ", ".join(paths)
    return f"{', '.join(paths[:2])} and {len(paths) - 2} more"
