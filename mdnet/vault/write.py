"""Writing notes, guarded: mdnet changes only what it computed, and never an edit it has not seen.

The one way mdnet writes a user's note.  Read a note (:func:`read_note`), compute
its new text with the pure functions of :mod:`mdnet.vault.edit`, then
:func:`replace_note`: it re-reads the file just before replacing it and
refuses if the bytes differ from what was read, writes a temporary file in
the same folder, fsyncs it and renames it over the note (the note keeps its
permissions; a symlinked note is written at its target).  New notes are
created with :func:`create_note`, which never replaces an existing file.
:func:`edit_note` does read, compute and replace in one call.

After a write, re-index the note: ``Workspace.refresh(paths=[change.rel])``.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ..atomic import write_atomic, write_new, write_new_many
from ..config import Config
from .edit import EditError
from .parse import parse_note

#: Problems that make a note's frontmatter unsafe to edit (``check`` reports them as errors).
BLOCKING = ("not-utf8", "unclosed-frontmatter", "bad-yaml", "frontmatter-not-mapping")


class WriteRefused(Exception):
    """Nothing was written; ``str()`` is a one-line reason for the user."""


@dataclass(frozen=True)
class Snapshot:
    """A note as read: where it is, its bytes and its text (BOM and line endings kept)."""

    root: Path
    rel: str  # vault-relative, forward slashes
    target: Path  # the file actually written (a symlink's target)
    data: bytes
    text: str


@dataclass(frozen=True)
class Change:
    """What a write did (or, with ``dry_run``, would do)."""

    rel: str
    before: bytes
    after: bytes
    created: bool = False
    written: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after or self.created

    def diff(self) -> str:
        """A unified diff of the note (``--verbose``)."""
        a = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        b = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(a, b, "/dev/null" if self.created else f"a/{self.rel}", f"b/{self.rel}")
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

    def added_lines(self) -> list[str]:
        a = self.before.decode("utf-8", "replace").splitlines()
        b = self.after.decode("utf-8", "replace").splitlines()
        return [line[1:] for line in difflib.unified_diff(a, b, lineterm="", n=0)
                if line.startswith("+") and not line.startswith("+++")]


def _target(path: Path) -> Path:
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def read_note(root: Path, rel: str, *, config: Config | None = None) -> Snapshot:
    """Read a note to edit it.  With ``config``, refuse a note whose frontmatter
    does not parse (``PATH:LINE: error: ...``, as ``mdnet check`` says it)."""
    path = root / rel
    target = _target(path)
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_root, os.path.realpath(path)]) != real_root:
        # The index does not read a note that leads out of the vault (link-outside-vault);
        # mdnet does not write one either.
        raise WriteRefused(f"{rel}: the note is a link to a file outside the vault; mdnet does not write there")
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise WriteRefused(f"{rel}: the note is gone (moved or deleted?); nothing written") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise WriteRefused(f"{rel}:{line}: error: the file is not valid UTF-8; mdnet edits only UTF-8 notes") from None
    if config is not None:
        for d in parse_note(rel, data, config).diagnostics:
            if d.code in BLOCKING:
                raise WriteRefused(f"{d}; fix it first (nothing written)")
    return Snapshot(root, rel, target, data, text)


def replace_note(snap: Snapshot, text: str, *, dry_run: bool = False) -> Change:
    """Replace the note with ``text`` unless it changed since ``snap`` was read."""
    new = text.encode("utf-8")
    change = Change(snap.rel, snap.data, new)
    if dry_run or new == snap.data:
        return change
    try:
        now = snap.target.read_bytes()
    except FileNotFoundError:
        now = None
    if now != snap.data:
        raise WriteRefused(f"{snap.rel} changed since mdnet read it (saved in an editor?); "
                           "nothing written: run the command again")
    write_atomic(snap.target, new)
    return Change(snap.rel, snap.data, new, written=True)


def edit_note(root: Path, rel: str, edit: Callable[[str], str], *, config: Config | None = None,
              dry_run: bool = False) -> Change:
    """Read, apply a text -> text ``edit`` (from :mod:`mdnet.vault.edit`), replace, guarded.

    An :class:`~mdnet.vault.edit.EditError` becomes :class:`WriteRefused` naming ``PATH:LINE``.
    """
    snap = read_note(root, rel, config=config)
    try:
        text = edit(snap.text)
    except EditError as e:
        raise WriteRefused(f"{rel}:{e.line}: error: {e.message}; nothing written") from None
    return replace_note(snap, text, dry_run=dry_run)


def create_note(root: Path, rel: str, text: str, *, dry_run: bool = False) -> Change:
    """Create a new note; refuses when anything is at that path (never replaces a file).

    Written to a temporary file in the folder, fsynced, then linked into place,
    which fails if the name was taken meanwhile.
    """
    path = root / rel
    data = text.encode("utf-8")
    if os.path.lexists(path):
        raise WriteRefused(f"{rel} already exists; nothing written")
    change = Change(rel, b"", data, created=True)
    if dry_run:
        return change
    try:
        write_new(path, data, mode=0o666 & ~_umask())
    except FileExistsError:
        raise WriteRefused(f"{rel} already exists; nothing written") from None
    return Change(rel, b"", data, created=True, written=True)


def create_notes(root: Path, notes: Sequence[tuple[str, str]]) -> list[Change | WriteRefused]:
    """Create many new notes (an import), each as :func:`create_note` would, flushed to
    disk together (:func:`~mdnet.atomic.write_new_many`).  Returns, per note, its
    :class:`Change` or the :class:`WriteRefused` that kept it out (a file already there)."""
    out: list[Change | WriteRefused] = []
    todo: list[tuple[int, str, bytes]] = []
    for rel, text in notes:
        if os.path.lexists(root / rel):
            out.append(WriteRefused(f"{rel} already exists; nothing written"))
            continue
        todo.append((len(out), rel, text.encode("utf-8")))
        out.append(Change(rel, b"", todo[-1][2], created=True))
    results = write_new_many([(root / rel, data) for _, rel, data in todo], mode=0o666 & ~_umask())
    for (i, rel, data), error in zip(todo, results):
        out[i] = (WriteRefused(f"{rel} already exists; nothing written") if error is not None
                  else Change(rel, b"", data, created=True, written=True))
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
