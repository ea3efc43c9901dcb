"""Keeping the index and the feed true while the notes change.

:class:`FeedUpdater` is the watcher's ``on_batch``: it re-indexes what the
watcher saw change (or the whole vault on a reconcile), rebuilds the feed and
rewrites it only when its bytes changed, and logs one line per update.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Callable

from .workspace import Workspace


class FeedUpdater:
    def __init__(self, ws: Workspace, *, today: Callable[[], date] = date.today,
                 log: Callable[[str], None] = print, todo: bool = False) -> None:
        self.ws = ws
        self.today = today
        self.log = log
        self.todo = todo
        self._lock = threading.Lock()
        self._reported: set[tuple[str, int, str]] = set()
        self.updates = 0

    def __call__(self, dirty: set[str] | None) -> None:
        """``dirty``: vault-relative paths (files or folders) that changed;
        None: reconcile with a full walk; an empty set: only the date changed."""
        with self._lock:
            t0 = time.perf_counter()
            day = self.today()
            if dirty is None:
                stats = self.ws.refresh(today=day)
                what = "full check"
            elif dirty:
                stats = self.ws.refresh(today=day, paths=sorted(dirty))
                what = _describe(stats.changed_paths) if stats.changed_paths else "no note changed"
            else:
                stats = None
                what = f"new day {day.isoformat()}"
            if stats is not None and not stats.changed_paths and dirty is not None and dirty:
                return  # editor noise (a swap file, an unchanged save): nothing to say
            vault = self.ws.vault()
            self._report_new_errors(vault)
            path, changed, n = self.ws.write_feed(day, vault=vault, todo=self.todo)
            self.updates += 1
            ms = (time.perf_counter() - t0) * 1000
            self.log(f"{what}: feed {'updated' if changed else 'unchanged'}, {n} follow-ups ({ms:.0f} ms)")

    def _report_new_errors(self, vault) -> None:  # type: ignore[no-untyped-def]
        """Each error once, not at every save: a note mid-edit is often briefly invalid."""
        current = set()
        for note in vault.notes:
            for d in note.diagnostics:
                if d.severity == "error":
                    key = (d.path, d.line, d.message)
                    current.add(key)
                    if key not in self._reported:
                        self.log(str(d))
        self._reported = current


def _describe(paths: list[str]) -> str:
    if len(paths) <= 3:
        return ", ".join(paths)
    return f"{', '.join(paths[:2])} and {len(paths) - 2} more"
