"""A vault opened for work: its root, its config and its index.

The library entry point the CLI, the watcher and the server share.  It does
I/O (it opens the index and reads the config) but holds no rules of its own.
"""

from __future__ import annotations

import os
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar

from .config import Config
from .model import Diagnostic, FollowUp, Vault
from .vault.files import STATE_DIR, locate_vault, read_config

if TYPE_CHECKING:
    from .engine import Engine
    from .index import Index, SyncStats
    from .index.state import Meta
    from .model import Contact
    from .persisted import Stored
    from .prep import Brief
    from .profile import Profile


_T = TypeVar("_T")


class NoSuchContact(Exception):
    """A typed name matches no contact, or several (the message lists them)."""


class FeedTargetError(Exception):
    """The feed's path names something mdnet must not overwrite."""


class Loaded:
    """The vault as of a day, with every problem in it: what every command reads.

    Made by :meth:`Workspace.load`, like beancount's ``load_file``: the
    resolved :attr:`vault`, :attr:`diagnostics` (the settings', every note's
    and the cross-note checks'), the :attr:`follow_ups` and the feed.  Each part
    is computed on first use from the workspace's one cache, and is what the
    index held when it was loaded (load again after the next sync).
    """

    def __init__(self, ws: "Workspace", as_of: date, stats: "SyncStats | None") -> None:
        self.ws = ws
        self.as_of = as_of
        self.config = ws.config
        #: What the sync before this load did (None: there was none).
        self.stats = stats
        self._items: list[FollowUp] | None = None
        self._rule_diags: list[Diagnostic] | None = None
        self._engine: Engine | None = None
        self._changed: set[str] | None = None
        self._kept_in_index: bool | None = None
        self._stored: Stored | None = None

    def _engine_(self) -> "Engine":
        if self._engine is None:
            self._engine = self.ws._engine_at(self.as_of)
            self._changed = self.ws._changed
        return self._engine

    def _one_shot(self) -> bool:
        """Are the follow-ups (items, rules-failed, problem count) read from the state the
        index keeps between processes (``mdnet/persisted.py``), brought to this
        generation first?  Decided once, at the first part asked for: yes unless the
        workspace's engine is current (the watcher's) or the state could not be stored
        (and no, from then on, once another process has stored another: see :meth:`_rows`)."""
        if self._kept_in_index is None:
            if self._engine is None and not self.ws._current():
                self._stored = self.ws._persist(self.as_of)
            self._kept_in_index = self._stored is not None
        return self._kept_in_index

    def _rows(self, rows: "Callable[[Any, Meta], _T]") -> "_T | None":
        """``rows`` of the stored state, read in one transaction that first checks the state is
        still the one :meth:`_one_shot` brought current (another process, another day, may
        have stored its own since): None when it is not, and the engine answers instead."""
        if not self._one_shot():
            return None
        from .index import state

        assert self._stored is not None
        found = state.read(self.ws.index.conn, self._stored.key, self._stored.generation, rows)
        if found is None:
            self._kept_in_index = False
        return found

    @property
    def vault(self) -> Vault:
        return self._engine_().vault

    @property
    def profile(self) -> "Profile":
        """``Profile.md`` (see :meth:`Workspace.profile`)."""
        return self.ws.profile()

    @property
    def config_diagnostics(self) -> list[Diagnostic]:
        return list(self.ws.config_diagnostics)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every problem: the settings' first, then the notes' and between them, by path and line."""
        return self.config_diagnostics + self._engine_().diagnostics()

    def diagnostics_of(self, paths: Iterable[str] | None) -> list[Diagnostic]:
        """The problems in some notes (or all: None), their own and the cross-note ones, by path and line."""
        return self._engine_().diagnostics(paths)

    @property
    def changed(self) -> set[str] | None:
        """Paths whose problems may differ from the previous load's (None: any may)."""
        self._engine_()
        return self._changed

    @property
    def follow_ups(self) -> list[FollowUp]:
        """Every open item, overdue or future (see :func:`mdnet.rules.follow_ups`)."""
        if self._items is None:
            from .index import state

            found = self._rows(lambda conn, _: state.items(conn))
            self._items = found if found is not None else self._engine_().items
        return self._items

    @property
    def gone_quiet(self) -> list[FollowUp]:
        """The gone-quiet contacts' items (see :func:`mdnet.rules.gone_quiet`), from the
        engine, which keeps them per contact as it keeps the follow-ups."""
        return self._engine_().gone_quiet

    @property
    def rule_diagnostics(self) -> list[Diagnostic]:
        """``rules-failed`` errors: contacts whose items could not be computed and were left
        out of :attr:`follow_ups` (see :func:`mdnet.rules.follow_ups`).  Kept in the index
        beside the items, so a command that found the items stored finds these too."""
        if self._rule_diags is None:
            from .index import state

            found = self._rows(lambda conn, meta: state.rule_diagnostics(conn, meta.wide_failed))
            self._rule_diags = found if found is not None else self._engine_().rule_diagnostics
        return self._rule_diags

    def problem_notes(self) -> int:
        """How many notes have problems that may hide follow-ups (for a one-shot command,
        kept in the index per note, as the follow-ups are)."""
        from .index import state
        from .model import notes_with_problems

        found = self._rows(lambda conn, _: state.problem_notes(conn))
        return found if found is not None else len(notes_with_problems(self._engine_().diagnostics()))

    def due(self, *, within: int = 0, rules: set[str] | None = None) -> list[FollowUp]:
        from .dates import add_days
        from .rules import select_due

        if self._items is None:  # only the rows due in the window are read
            from .index import state

            found = self._rows(lambda conn, _: state.items(conn, until=add_days(self.as_of, within), rules=rules))
            if found is not None:
                return select_due(found, self.as_of, within=within, rules=rules)
        return select_due(self.follow_ups, self.as_of, within=within, rules=rules)

    def feed(self, *, todo: bool = False) -> tuple[bytes, int]:
        """The feed's bytes and how many entries it holds."""
        ws = self.ws
        tz = local_zone()  # as_of is a day of the user's local calendar; timed events are in its wall-clock time

        def build() -> bytes:
            from .prep import briefs_for

            items = self.due(within=_window_days(self.config, self.as_of))
            details = self.config["feed.details"]
            # a planned conversation's event holds its prep brief; never in a minimal feed (free text)
            briefs = briefs_for(self.vault, self.profile, items, self.as_of) if details == "full" else None
            return self._engine_().feed(
                items, tz=tz, todo=todo, name=self.config["feed.name"], details=details,
                note_url=self.config["feed.note_url"], vault_name=ws.root.name, briefs=briefs)

        if not self._one_shot():
            data = build()
        else:  # kept for the generation of the state the items are read from, stored only while it is current
            assert self._stored is not None
            key = f"feed {self.as_of.isoformat()} {todo} {tz} {ws.root.name} {self.config.fingerprint()}"
            data = ws.index.derived(key, build, generation=self._stored.generation)
        return data, data.count(b"\r\nBEGIN:VEVENT\r\n") + data.count(b"\r\nBEGIN:VTODO\r\n")


class Workspace:
    """A vault opened for work.

    One cache: an :class:`~mdnet.engine.Engine` for the index generation it
    was brought to, plus the paths each sync since then changed.  Loading
    brings it current by applying just those paths (decoding only their
    records) when they are known, and rebuilds it when not (another process
    synced, the settings changed).  :meth:`_engine_at` is the one place that
    decides what is stale.  One-shot commands also keep the follow-ups and
    the feed in the index's ``derived`` table, so a second ``due`` with no
    note changed decodes nothing.
    """

    def __init__(self, root: Path, config: Config, config_diagnostics: list[Diagnostic]) -> None:
        self.root = root
        self.config = config
        self.config_diagnostics = config_diagnostics
        self._index: Index | None = None
        self._engine: Engine | None = None
        self._engine_gen = -1  # the index generation the engine reflects
        self._dirty: set[str] | None = None  # paths changed since then (None: unknown)
        self._dirty_gen = -1  # the generation _dirty brings the engine to
        self._changed: set[str] | None = None  # what the last bringing-up-to-date changed
        #: A line for the user about how the vault was found (a folder inside it was named).
        self.notice: str | None = None
        #: How the last one-shot load brought the stored follow-ups current (see
        #: ``persisted.bring_current``: "current", "delta", "full"), None if it did not.
        self.persisted_how: str | None = None

    @classmethod
    def open(cls, vault: str | os.PathLike[str] | None = None) -> "Workspace":
        root, notice = locate_vault(vault)
        config, diags = read_config(root)
        ws = cls(root, with_locale(config, os.environ), diags)
        ws.notice = notice
        return ws

    def reload_config(self) -> bool:
        """Read ``mdnet.toml`` again; True when the settings changed."""
        config, diags = read_config(self.root)
        config = with_locale(config, os.environ)
        self.config_diagnostics = diags
        if config.fingerprint() == self.config.fingerprint():
            return False
        self.config = config
        self._engine = None  # what a note means may have changed with the settings
        return True

    @property
    def state_dir(self) -> Path:
        """``.mdnet/``, created no wider than the vault folder (see ``make_state_dir``)."""
        from .vault.files import make_state_dir

        try:
            return make_state_dir(self.root)[0]
        except OSError:
            return self.root / STATE_DIR  # the caller's own write says what is wrong

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
                progress: Callable[[int, int], None] | None = None,
                scanned: Callable[[int, int], None] | None = None) -> "SyncStats":
        """Bring the index up to date (cheap when nothing changed).  ``progress`` and
        ``scanned``: see :meth:`mdnet.index.Index.sync`."""
        before = self.index.generation()
        stats = self.index.sync(self.config, today=today or date.today(), paths=paths, progress=progress,
                                scanned=scanned)
        after = self.index.generation()
        if after != before:
            if self._dirty is not None and self._dirty_gen == before and after == before + 1:
                self._dirty.update(stats.changed_paths, stats.touched_paths)  # a touch changes the note's mtime
                self._dirty_gen = after
            else:
                self._dirty = None  # someone else synced too: start again
        return stats

    def load(self, as_of: date, *, sync: bool = True, paths: list[str] | None = None, today: date | None = None,
             progress: Callable[[int, int], None] | None = None,
             scanned: Callable[[int, int], None] | None = None) -> Loaded:
        """The vault as of ``as_of``, with every problem and follow-up in it.

        Syncs the index first (all notes, or only ``paths``) unless ``sync=False``;
        ``today`` (default: the clock's) is the day a new note is first seen.
        """
        stats = self.refresh(today=today, paths=paths, progress=progress, scanned=scanned) if sync else None
        return Loaded(self, as_of, stats)

    def _persist(self, as_of: date) -> "Stored | None":
        """Bring the follow-ups the index keeps between processes to its current generation
        (see ``mdnet/persisted.py``) -> the state stored; None when it could not be stored."""
        from .persisted import bring_current
        from .profile import PROFILE_NOTE

        try:  # Profile.md as the stat sees it: an edit of its target companies rebuilds
            st = os.stat(self.root / PROFILE_NOTE)
            profile: object = [st.st_size, st.st_mtime_ns, st.st_ino]
        except OSError:
            profile = None
        stored = bring_current(self.index, self.config, as_of, profile, lambda: self._engine_at(as_of))
        self.persisted_how = stored.how if stored is not None else None
        return stored

    def _current(self) -> bool:
        """Does the in-memory cache reflect the index, or can it be brought there by a few paths?"""
        if self._engine is None:
            return False
        gen = self.index.generation()
        return self._engine_gen == gen or (self._dirty is not None and self._dirty_gen == gen)

    def _engine_at(self, as_of: date) -> "Engine":
        """The one cache, brought current: the one place that decides what is stale."""
        from .engine import Engine

        index = self.index
        gen = index.generation()
        engine = self._engine
        if engine is not None and engine.config is not self.config:
            engine = None
        if engine is not None and self._engine_gen != gen:
            if self._dirty is not None and self._dirty_gen == gen:
                dirty = sorted(self._dirty)
                found = {n.path: n for n in index.notes(paths=dirty)}
                first_seen = {**engine.vault.first_seen, **index.first_seen(paths=dirty)}
                keys = {p: k for p, k in engine.vault.keys.items() if p not in self._dirty}
                keys.update(index.keys(paths=dirty))
                for p in dirty:
                    if p not in found:
                        first_seen.pop(p, None)
                self._changed = engine.update({p: found.get(p) for p in dirty}, first_seen, keys)
            else:
                engine = None
        if engine is None:
            engine = Engine(index.notes(), self.config, as_of, index.first_seen(), index.keys())
            self._changed = None
        elif self._engine_gen == gen:
            self._changed = set()
        engine.at(as_of)
        engine.set_targets(self.targets())
        self._engine, self._engine_gen, self._dirty, self._dirty_gen = engine, gen, set(), gen
        return engine

    # -- the shapes commands used before the loader (kept for callers) -------------------------

    def vault(self) -> Vault:
        """The resolved vault (as :meth:`load` gives it)."""
        return self._engine_at(self._engine.as_of if self._engine else date.today()).vault

    def follow_ups(self, as_of: date) -> list[FollowUp]:
        """Every open follow-up as of a day."""
        return self.load(as_of, sync=False).follow_ups

    def find_contact(self, query: str) -> "Contact":
        """The one contact ``query`` names, matched as ``show`` and the writing commands
        match (``lookup.match_names`` over the index's names and aliases, no vault
        resolved); NoSuchContact otherwise."""
        from .lookup import match_names

        rows = self.index.contact_names(query)
        found = sorted(match_names(((row, row[1], row[0], row[2]) for row in rows), query))
        if not found:
            raise NoSuchContact(f"no contact matches {query!r}; try `mdnet list`")
        if len(found) > 1:
            names = ", ".join(f"{name} ({path})" for path, name, _ in found[:10]) + (", ..." if len(found) > 10 else "")
            raise NoSuchContact(f"{query!r} matches {len(found)} contacts: {names}; be more specific")
        [note] = self.index.notes(paths=[found[0][0]])
        assert note.contact is not None
        return note.contact

    def focused_vault(self, contact: "Contact") -> Vault:
        """The part of the vault one contact's brief needs, resolved: their note, every
        note that names them (meeting notes, referrals, log links), the chain of who
        referred whom, the people they pointed you to, and their colleagues with the
        meeting notes that name those.  At 10k contacts this is a few dozen notes
        instead of all of them."""
        from .graph import resolve

        idx = self.index
        title = contact.path.rsplit("/", 1)[-1].removesuffix(".md")
        names = {contact.name, title, *contact.aliases}
        paths = {contact.path, *idx.mentioning(names)}
        if contact.company:
            paths.update(idx.mentioning([contact.company], column="properties", type_="person"))
        notes = {n.path: n for n in idx.notes(paths=sorted(paths))}
        for _ in range(5):  # who referred them, and who referred that person, ...
            wanted = {c.referred_by for n in notes.values() if (c := n.contact) and c.referred_by}
            wanted.update(t for e in (notes[contact.path].log if contact.path in notes else ()) for t in e.links)
            more = [p for p in idx.named(w.rsplit("/", 1)[-1] for w in wanted) if p not in notes]
            if not more:
                break
            notes.update((n.path, n) for n in idx.notes(paths=more))
        from .rules import company_text_key

        key = company_text_key(contact.company)
        colleagues = [c.name for n in notes.values() if (c := n.contact) and key and company_text_key(c.company) == key]
        extra = [p for p in idx.mentioning(colleagues, column="properties", type_="meeting") if p not in notes]
        notes.update((n.path, n) for n in idx.notes(paths=extra))
        return resolve(notes.values(), self.config, first_seen=idx.first_seen(notes), keys=idx.keys())

    def brief(self, query: str, as_of: date) -> "Brief":
        """The prep brief for the contact ``query`` names (NoSuchContact if none or several)."""
        from .prep import build_brief

        contact = self.find_contact(query)
        return build_brief(self.focused_vault(contact), self.profile(), contact.path, as_of)

    def targets(self) -> tuple[str, ...]:
        """The target companies of ``Profile.md`` (outreach puts their people first)."""
        return tuple(t.name for t in self.profile().targets)

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

    def build_feed(self, as_of: date, *, todo: bool = False) -> tuple[bytes, int]:
        """The feed's bytes and how many events it holds."""
        return self.load(as_of, sync=False).feed(todo=todo)

    def check_feed_target(self, target: Path, *, inside: bool = False) -> None:
        """Refuse to write the feed over a note, a Markdown file, anything that is
        not a regular file (a FIFO would block the open forever) or any file that
        is not a calendar: mdnet never rewrites a user's note.  ``inside``: the
        target must resolve to a place inside the vault (``feed.path``).

        Only ``stat`` is used until the target is known to be a regular file, so
        nothing is opened that could block or have side effects."""
        import stat

        from .vault.files import is_note_path

        root = self.root.resolve()
        try:
            rel = target.resolve().relative_to(root).as_posix()
        except ValueError:
            rel = None
        if rel is None and inside:
            raise FeedTargetError(f"{target} is outside the vault (feed.path must stay inside it; "
                                  "use `mdnet feed -o PATH` to write elsewhere)")
        if rel is not None and is_note_path(rel, self.config):
            raise FeedTargetError(f"{rel} is a note of the vault; the feed goes elsewhere (an .ics file)")
        if target.name.lower().endswith(".md"):
            raise FeedTargetError(f"{target} is a Markdown file (.md); the feed goes to an .ics file")
        try:
            st = os.stat(target)
        except FileNotFoundError:
            return
        except OSError:
            return  # the write will say what is wrong
        if stat.S_ISDIR(st.st_mode):
            raise FeedTargetError(f"{target} is a folder; name the .ics file to write")
        if not stat.S_ISREG(st.st_mode):
            raise FeedTargetError(f"{target} is not a regular file (a FIFO, socket or device); "
                                  "mdnet writes the feed only to a regular file")
        try:  # O_NONBLOCK: should a FIFO take the file's place since the stat, open() still returns
            with os.fdopen(os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    raise FeedTargetError(f"{target} is not a regular file; mdnet writes the feed only to a regular file")
                head = f.read(64)
        except OSError:
            return  # the write will say what is wrong
        if head and not head.lstrip(b"\xef\xbb\xbf").startswith(b"BEGIN:VCALENDAR"):
            raise FeedTargetError(f"{target} exists and is not a calendar file; mdnet will not overwrite it")

    def write_feed(self, as_of: date, *, path: Path | None = None, todo: bool = False,
                   loaded: Loaded | None = None) -> tuple[Path, bool, int]:
        """Write the feed atomically; -> (path, whether its bytes changed, items)."""
        from .atomic import write_if_changed

        target = path or self.feed_path
        self.check_feed_target(target, inside=path is None)
        data, n = (loaded or self.load(as_of, sync=False)).feed(todo=todo)
        changed = write_if_changed(target, data)
        return target, changed, n


def local_zone() -> "tzinfo":
    """The user's time zone with its daylight-saving rules: ``$TZ``, else what
    /etc/localtime names; failing both, today's fixed UTC offset (right until
    the next change)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    key = os.environ.get("TZ", "").lstrip(":")
    if not key:
        real = os.path.realpath("/etc/localtime")
        key = real.split("/zoneinfo/", 1)[1] if "/zoneinfo/" in real else ""
    if key:
        try:
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")
def locale_country(environ: Mapping[str, str]) -> str | None:
    """The country of the user's locale for dates (``LC_ALL``, ``LC_TIME``, then ``LANG``,
    as POSIX orders them): ``en_GB.UTF-8`` -> ``GB``; None for ``C``, ``POSIX`` or unset."""
    for var in ("LC_ALL", "LC_TIME", "LANG"):
        value = environ.get(var)
        if value:
            lang = value.split(".", 1)[0].split("@", 1)[0]
            _, _, country = lang.partition("_")
            return country.upper() if len(country) == 2 and country.isalpha() else None
    return None


def with_locale(config: Config, environ: Mapping[str, str]) -> Config:
    """Settings that default to the user's locale, resolved here at the edge (the rules
    never read the environment): ``rules.holidays = "locale"`` becomes the locale's
    country, or ``"none"``."""
    if str(config["rules.holidays"]).strip().lower() != "locale":
        return config
    return Config({**config.values, "rules.holidays": locale_country(environ) or "none"})


def _window_days(config: Config, as_of: date) -> int:
    from .dates import add_duration

    return (add_duration(as_of, config.duration("feed.window")) - as_of).days
