"""Writing the notes mdnet generates (reports, update drafts) into the vault.

A generated note carries a digest of its own text (:mod:`mdnet.reports.stamp`).
A file whose text no longer matches its digest was edited by the user: it is
never overwritten; a report goes to a new name instead, and an update draft's
``.eml`` is rebuilt from the user's text.  Writes are atomic, and guarded as the
note writer's are: the file is read again just before it is replaced, and an edit
saved in between is seen (and kept) rather than overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .atomic import Changed, replace_unchanged, write_if_changed
from .reports.stamp import edited

#: How many times a write is tried again when the file changes under it.
_TRIES = 5


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    changed: bool  # False when the file already held exactly these bytes
    renamed_from: Path | None = None  # the edited note that was left alone


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def write_note(path: Path, text: str) -> Written:
    """Write a generated note at ``path``, or at ``NAME (2).md``, ``NAME (3).md``...
    when the note there (and the ones before) were edited since mdnet wrote them."""
    first = path
    n = 1
    data = text.encode("utf-8")
    tries = 0
    while True:
        old = _read(path)
        if old is None or not edited(_text(old)):
            if old == data:
                return Written(path, False, first if path != first else None)
            try:
                replace_unchanged(path, old, data)
            except Changed:  # saved (or created) meanwhile: look at it again
                tries += 1
                if tries >= _TRIES:
                    raise
                continue
            return Written(path, True, first if path != first else None)
        n += 1
        path = first.with_name(f"{first.stem} ({n}){first.suffix}")


@dataclass(frozen=True, slots=True)
class WrittenUpdate:
    note: Path
    eml: Path
    kept: bool  # the user had edited the note: their text was kept and the .eml built from it


def write_update(note_path: Path, text: str, to_eml: Callable[[str], bytes]) -> WrittenUpdate:
    """Write the update's note (unless the user edited it) and the ``.eml`` built from
    whatever the note now says."""
    for tries in range(1, _TRIES + 1):
        raw = _read(note_path)
        old = None if raw is None else _text(raw)
        kept = old is not None and edited(old)
        if kept:
            assert old is not None
            text = old
            break
        data = text.encode("utf-8")
        if raw == data:
            break
        try:
            replace_unchanged(note_path, raw, data)
            break
        except Changed:  # the user saved it meanwhile: their text wins
            if tries == _TRIES:
                raise
    eml = note_path.with_suffix(".eml")
    write_if_changed(eml, to_eml(text))  # private (0600): it holds everyone's address
    return WrittenUpdate(note_path, eml, kept)
