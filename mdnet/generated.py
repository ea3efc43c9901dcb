"""Writing the notes mdnet generates (reports, update drafts) into the vault.

A generated note carries a digest of its own text (:mod:`mdnet.reports.stamp`).
A file whose text no longer matches its digest was edited by the user: it is
never overwritten; a report goes to a new name instead, and an update draft's
``.eml`` is rebuilt from the user's text.  Writes are atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .atomic import write_atomic, write_if_changed
from .reports.stamp import edited


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    changed: bool  # False when the file already held exactly these bytes
    renamed_from: Path | None = None  # the edited note that was left alone


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return None


def write_note(path: Path, text: str) -> Written:
    """Write a generated note at ``path``, or at ``NAME (2).md``, ``NAME (3).md``...
    when the note there (and the ones before) were edited since mdnet wrote them."""
    first = path
    n = 1
    while True:
        old = _read(path)
        if old is None or not edited(old):
            changed = write_if_changed(path, text.encode("utf-8")) if old is not None else _new(path, text)
            return Written(path, changed, first if path != first else None)
        n += 1
        path = first.with_name(f"{first.stem} ({n}){first.suffix}")


def _new(path: Path, text: str) -> bool:
    write_atomic(path, text.encode("utf-8"), mode=0o644)
    return True


@dataclass(frozen=True, slots=True)
class WrittenUpdate:
    note: Path
    eml: Path
    kept: bool  # the user had edited the note: their text was kept and the .eml built from it


def write_update(note_path: Path, text: str, to_eml: Callable[[str], bytes]) -> WrittenUpdate:
    """Write the update's note (unless the user edited it) and the ``.eml`` built from
    whatever the note now says."""
    old = _read(note_path)
    kept = old is not None and edited(old)
    if kept:
        assert old is not None
        text = old
    elif old != text:
        write_atomic(note_path, text.encode("utf-8"), mode=0o644)
    eml = note_path.with_suffix(".eml")
    write_if_changed(eml, to_eml(text))  # private (0600): it holds everyone's address
    return WrittenUpdate(note_path, eml, kept)
