"""A vault opened for work: its root, its config and its index.

The library entry point the CLI, the watcher and the server share.  It does
I/O (it opens the index and reads the config) but holds no rules of its own.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .config import Config
from .model import Diagnostic, FollowUp, Note, Vault
from .vault.files import STATE_DIR, find_vault, read_config

if TYPE_CHECKING:
    from .index import Index, SyncStats
    from .profile import Profile


class FeedTargetError(Exception):
    """The feed's path names something mdnet must not overwrite."""


class Workspace:
    def __init__(self, root: Path, config: Config, config_diagnostics: list[Diagnostic]) -> None:
        self.root = root
        self.config = config
        self.config_diagnostics = config_diagnostics
        self._index: Index | None = None
        # Decoded notes kept between refreshes by long-running callers (the
        # watcher): only what a sync changed is decoded again.
        self._notes: dict[str, Note] | None = None
        self._notes_generation = -1
        #: Keep decoded notes between calls of :meth:`vault` (set by the watcher).
        self.keep_notes = False

    @classmethod
    def open(cls, vault: str | os.PathLike[str] | None = None) -> "Workspace":
        root = find_vault(vault)
        config, diags = read_config(root)
        return cls(root, config, diags)

    def reload_config(self) -> bool:
        """Read ``mdnet.toml`` again; True when the settings changed."""
        config, diags = read_config(self.root)
        self.config_diagnostics = diags
        if config.fingerprint() == self.config.fingerprint():
            return False
        self.config = config
        self._notes = None  # what a note means may have changed with the settings
        return True

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def index(self) -> "Index":
        if self._index is None:
            from .index import Index

            self._index = Index.open(self.root)
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh(self, *, today: date | None = None, paths: list[str] | None = None,
                progress: Callable[[int, int], None] | None = None) -> "SyncStats":
        """Bring the index up to date (cheap when nothing changed)."""
        before = self.index.generation()
        stats = self.index.sync(self.config, today=today or date.today(), paths=paths, progress=progress)
        if self._notes is not None and (stats.changed_paths or stats.touched_paths):
            if self._notes_generation == before and self.index.generation() == before + 1:
                paths = stats.changed_paths + stats.touched_paths  # a touch changes the note's mtime
                for p in paths:
                    self._notes.pop(p, None)
                for note in self.index.notes(paths=paths):
                    self._notes[note.path] = note
                self._notes_generation = before + 1
            else:
                self._notes = None  # someone else synced too: start again
        return stats

    def vault(self, *, keep: bool | None = None) -> Vault:
        """The resolved vault.  ``keep=True`` (default: :attr:`keep_notes`) keeps
        the decoded notes in memory for the next call (for a long-running process
        that refreshes often)."""
        if not (self.keep_notes if keep is None else keep):
            return self.index.vault(self.config)
        from .graph import resolve

        generation = self.index.generation()
        if self._notes is None or self._notes_generation != generation:
            self._notes = {n.path: n for n in self.index.notes()}
            self._notes_generation = generation
        return resolve(self._notes.values(), self.config, first_seen=self.index.first_seen())

    def follow_ups(self, as_of: date, vault: Vault | None = None) -> list[FollowUp]:
        """Every open follow-up as of a day (cached in the index until a note changes)."""
        from .index.codec import decode_items, encode_items
        from .rules import follow_ups

        if vault is not None or self.keep_notes:  # a long-running caller: no need to store it
            return follow_ups(vault or self.vault(), self.config, as_of)
        key = f"follow-ups {as_of.isoformat()} {self.config.fingerprint()}"
        return decode_items(self.index.derived(key, lambda: encode_items(follow_ups(self.vault(), self.config, as_of))))

    def profile(self) -> "Profile":
        """``Profile.md`` at the top of the vault, read from disk (an empty
        :class:`~mdnet.profile.Profile` when there is none or it cannot be read)."""
        from .profile import PROFILE_NOTE, Profile, parse_profile
        from .vault.parse import parse_note, split_frontmatter

        try:
            data = (self.root / PROFILE_NOTE).read_bytes()
        except OSError:
            return Profile()
        note = parse_note(PROFILE_NOTE, data, self.config)
        text = data.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        _, body, body_line, _ = split_frontmatter(text)
        return parse_profile(PROFILE_NOTE, body, note.properties, body_line=body_line)

    @property
    def feed_path(self) -> Path:
        return self.root / self.config["feed.path"]

    def build_feed(self, as_of: date, *, vault: Vault | None = None, todo: bool = False) -> tuple[bytes, int]:
        """The feed's bytes and how many events it holds (cached until a note changes)."""
        from datetime import datetime

        tz = datetime.now().astimezone().tzinfo  # as_of is a day of the user's local calendar

        def build() -> bytes:
            from .feed import build_feed
            from .rules import select_due

            window = _window_days(self.config, as_of)
            items = select_due(self.follow_ups(as_of, vault), as_of, within=window)
            data = build_feed(items, as_of=as_of, name=self.config["feed.name"], details=self.config["feed.details"],
                              note_url=self.config["feed.note_url"], vault_name=self.root.name, todo=todo, tz=tz)
            return data

        if vault is not None or self.keep_notes:
            data = build()
        else:
            key = f"feed {as_of.isoformat()} {todo} {tz} {self.root.name} {self.config.fingerprint()}"
            data = self.index.derived(key, build)
        return data, data.count(b"\r\nBEGIN:VEVENT\r\n") + data.count(b"\r\nBEGIN:VTODO\r\n")

    def check_feed_target(self, target: Path) -> None:
        """Refuse to write the feed over a note or any file that is not a calendar:
        mdnet never rewrites a user's note."""
        from .vault.files import is_note_path

        try:
            rel = target.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = None
        if rel is not None and is_note_path(rel, self.config):
            raise FeedTargetError(f"{rel} is a note of the vault; the feed goes elsewhere (an .ics file)")
        try:
            with open(target, "rb") as f:
                head = f.read(64)
        except FileNotFoundError:
            return
        except IsADirectoryError:
            raise FeedTargetError(f"{target} is a folder; name the .ics file to write") from None
        except OSError:
            return  # the write will say what is wrong
        if head and not head.lstrip(b"\xef\xbb\xbf").startswith(b"BEGIN:VCALENDAR"):
            raise FeedTargetError(f"{target} exists and is not a calendar file; mdnet will not overwrite it")

    def write_feed(self, as_of: date, *, path: Path | None = None, vault: Vault | None = None,
                   todo: bool = False) -> tuple[Path, bool, int]:
        """Write the feed atomically; -> (path, whether its bytes changed, items)."""
        from .atomic import write_if_changed

        target = path or self.feed_path
        self.check_feed_target(target)
        data, n = self.build_feed(as_of, vault=vault, todo=todo)
        changed = write_if_changed(target, data)
        return target, changed, n


def _window_days(config: Config, as_of: date) -> int:
    from .dates import add_duration

    return (add_duration(as_of, config.duration("feed.window")) - as_of).days
