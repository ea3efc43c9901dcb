"""What the editing commands do to a note, for every caller: done, snooze, log, and the
monthly update's draft and its "sent" (``mdnet update`` and ``mdnet update --sent``).

``mdnet done``/``snooze``/``log`` and the dashboard's buttons call these, so a
click in the browser writes exactly what the shell command writes: the same
guarded, byte-exact writer (:func:`mdnet.vault.write.edit_note`, which refuses
a note changed since it was read), the same log line, the same re-index of the
one note afterwards.  Nothing here prints; a refusal is an exception whose
``str()`` is the one line to show (:class:`~mdnet.vault.write.WriteRefused`
for the writer's, :class:`NothingDue` and :class:`BadAction` for these).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .model import FollowUp

if TYPE_CHECKING:
    from .config import Config
    from .reports.update import Update
    from .vault.write import Change
    from .workspace import Workspace

__all__ = ["BadAction", "Done", "Drafted", "NoDraft", "NothingDue", "Sent", "done", "draft_update", "due_for",
           "kind_problem", "log", "snooze", "update_note", "update_sent"]

# What `done` logs when the user gives no text, by the kind word that ends the item.
DEFAULT_DONE_TEXT = {"thanks": "sent my thanks", "reached-out": "wrote to them", "update": "sent my update"}


class NothingDue(Exception):
    """No open item of that contact (and rule) is due; nothing was written."""


class BadAction(Exception):
    """The request cannot be carried out as asked (an unknown kind word...); nothing was written."""


class NoDraft(BadAction):
    """``update --sent`` with no draft to read the recipients from; nothing was written."""

    def __init__(self, rel: str) -> None:
        super().__init__(f"no draft {rel}: run `mdnet update` first; nothing written")
        self.rel = rel


@dataclass(frozen=True)
class Done:
    item: FollowUp  # the item that was ended
    word: str  # the kind word logged
    text: str  # the log line's text
    change: "Change"


def due_for(ws: "Workspace", path: str, today: date, *, rule: str | None = None) -> list[FollowUp]:
    """The items due by ``today`` for the note at ``path`` (earliest first); with
    ``rule``, only that rule's, and a vault-wide item of that rule (the monthly update) too."""
    from .rules import select_due

    items = select_due(ws.follow_ups(today), today)
    return [i for i in items if (i.path == path or (i.path is None and rule == i.rule))
            and (rule is None or i.rule == rule)]


def done(ws: "Workspace", path: str, today: date, *, rule: str | None = None, text: str = "",
         dry_run: bool = False) -> Done:
    """End the earliest due item of ``path`` (of ``rule``) by logging what ends it.

    A thank-you is ended by a ``thanks`` line; a nudge, referral, try-another,
    keep-in-touch or outreach by ``reached-out``; a ``follow_up:`` date by a
    ``note`` line and clearing ``follow_up:``.  Raises :class:`NothingDue`.
    """
    from .rules import ENDED_BY, FOLLOW_UP
    from .vault.edit import append_log, unset_property

    mine = due_for(ws, path, today, rule=rule)
    if not mine:
        raise NothingDue(f"no {rule} item" if rule else "nothing")
    item = mine[0]
    word = ENDED_BY[item.rule]
    note = text.strip() or DEFAULT_DONE_TEXT.get(word, f"followed up as planned ({item.due.isoformat()})")

    def edit(t: str) -> str:
        t = append_log(t, today, word, note)
        return unset_property(t, "follow_up") if item.rule == FOLLOW_UP else t

    change = _write(ws, path, edit, dry_run=dry_run)
    return Done(item, word, note, change)


def snooze(ws: "Workspace", path: str, until: date, *, dry_run: bool = False) -> "Change":
    """Set ``snooze_until: UNTIL``: every item of the contact due before that day moves to it."""
    from .vault.edit import set_property

    return _write(ws, path, lambda t: set_property(t, "snooze_until", until.isoformat()), dry_run=dry_run)


KIND_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")


def kind_problem(config: "Config", kind: str, *, force: bool = False) -> str | None:
    """Why ``kind`` cannot be logged (not one word, or not a known kind word without
    ``force``), or None when it can."""
    from .config import normalise_kind

    word = kind.strip()
    if not KIND_WORD.fullmatch(word):
        return f"{kind!r} is not a kind word (one word: letters, digits, hyphens)"
    if normalise_kind(word) not in config.kind_words() and not force:  # "Thank-You" is the word "thank you"
        # Listed as they can be typed here: one word, a phrase joined by hyphens (phone-call).
        from .vault.logline import suggest

        words = config.kind_words()
        known = sorted({w.replace(" ", "-") for w in words})
        near = suggest(word, words)
        hint = f" (did you mean {near.replace(' ', '-')!r}?)" if near else ""
        return f"{kind!r} is not a known kind word{hint}; nothing written. Known: {', '.join(known)}"
    return None


def log(ws: "Workspace", path: str, day: date, kind: str, text: str = "", *, force: bool = False,
        dry_run: bool = False) -> "Change":
    """Append ``- DAY kind: text`` under the note's Log heading (in date order).

    Only a log line is added, so a note whose frontmatter does not parse can
    still gain one (``check`` keeps reporting it).  Raises :class:`BadAction`
    for a kind word that is not one (see :func:`kind_problem`).
    """
    from .vault.edit import append_log

    problem = kind_problem(ws.config, kind, force=force)
    if problem:
        raise BadAction(problem)
    word = kind.strip().lower()
    return _write(ws, path, lambda t: append_log(t, day, word, text), dry_run=dry_run, frontmatter=False)


def _write(ws: "Workspace", rel: str, fn, *, dry_run: bool, frontmatter: bool = True) -> "Change":  # type: ignore[no-untyped-def]
    """Guarded edit of one note, then re-index it (so the next load sees the write)."""
    from .vault.write import edit_note

    change = edit_note(ws.root, rel, fn, config=ws.config if frontmatter else None, dry_run=dry_run)
    if change.written:
        ws.refresh(paths=[change.rel])
    return change


# -- the monthly update ----------------------------------------------------------------------


def update_note(ws: "Workspace", month: str) -> str:
    """The draft's note for ``month`` (YYYY-MM), relative to the vault: ``Updates/2026-11.md``."""
    return f"{ws.config['reports.updates_folder'].strip('/')}/{month}.md"


@dataclass(frozen=True)
class Drafted:
    draft: "Update"
    note: str  # the draft's note, relative to the vault
    eml: str  # the mail draft beside it
    kept: bool  # the note had the user's edits: kept, and the .eml rebuilt from them


def draft_update(ws: "Workspace", draft: "Update", today: date) -> Drafted:
    """Write ``draft`` as ``mdnet update`` does: the note (unless the user edited it) and
    the ``.eml`` made from whatever the note now says (recipients in Bcc)."""
    from .generated import write_update
    from .reports import update as upd

    rel = update_note(ws, draft.month)
    written = write_update(ws.root / rel, upd.markdown(draft, today),
                           lambda text: upd.eml(text, ws.config, today, rel))
    return Drafted(draft, rel, written.eml.relative_to(ws.root).as_posix(), written.kept)


@dataclass(frozen=True)
class Sent:
    month: str  # YYYY-MM
    note: str  # the draft read
    line: str  # the log line written on each note
    logged: tuple[tuple[str, bool], ...]  # (path, whether its bytes changed), in the draft's order
    already: tuple[str, ...]  # paths that already have an update line that month
    refused: tuple[tuple[str, str], ...]  # (path, the writer's reason)
    unknown: tuple[str, ...]  # addresses in Bcc that are no contact's email


def update_sent(ws: "Workspace", today: date, month: tuple[int, int] | None = None) -> Sent:
    """``mdnet update --sent``: log ``- TODAY update: MONTH YEAR update`` on the note of
    everyone in the draft's Bcc (as the user left it) who has no update line that month,
    each through the guarded writer; a note that cannot be written is refused and the
    others are still logged.  Raises :class:`NoDraft`."""
    from .dates import MONTH_NAMES
    from .reports import update as upd
    from .vault.edit import append_log, log_line
    from .vault.write import WriteRefused, edit_note

    year, mon = month or (today.year, today.month)
    name = f"{year:04d}-{mon:02d}"
    rel = update_note(ws, name)
    try:
        text = (ws.root / rel).read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        raise NoDraft(rel) from None
    plan = upd.sent_plan(ws.load(today, sync=False).vault, text, ws.config, name, rel)
    note = f"{MONTH_NAMES[mon - 1]} {year} update"
    logged: list[tuple[str, bool]] = []
    refused: list[tuple[str, str]] = []
    for r in plan.to_log:
        try:
            change = edit_note(ws.root, r.path, lambda t: append_log(t, today, "update", note))
        except WriteRefused as e:
            refused.append((r.path, str(e)))
            continue
        logged.append((r.path, change.changed))
    if logged:
        ws.refresh(paths=[p for p, _ in logged])
    return Sent(name, rel, log_line(today, "update", note), tuple(logged), tuple(r.path for r in plan.already),
                tuple(refused), tuple(plan.unknown))
