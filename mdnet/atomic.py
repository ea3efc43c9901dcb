"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Sequence

#: A temporary file of ours older than this was left by a killed write.
STALE_AFTER = 3600.0


def _synced_temp(path: Path, data: bytes, mode: int, *, fsync: bool = True) -> str:
    """A temporary file beside ``path`` holding ``data``, fsynced (unless the caller
    syncs many at once), with ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to disk, so a rename or link just made survives a power
    cut (POSIX; a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename itself is done
    finally:
        os.close(fd)


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over ``path``.

    The file keeps the mode it had; a new one gets ``mode`` (private by
    default: a feed holds contact details).
    """
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        pass
    _remove_stale_temps(path)
    tmp = _synced_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink(tmp)
        raise
    _sync_folder(path.parent)


class Changed(Exception):
    """The file is not what the caller read: someone wrote it meanwhile (nothing written)."""


def replace_unchanged(path: Path, expected: bytes | None, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` at ``path`` only if the file still holds ``expected`` (None: there
    is no file yet), re-read just before: :class:`Changed` otherwise, and nothing is
    written.  A new file is created with :func:`write_new`, so a file that appears
    meanwhile is never replaced."""
    if expected is None:
        try:
            write_new(path, data, mode=mode)
        except FileExistsError:
            raise Changed(f"{path} appeared while mdnet was writing it; nothing written: run the command again") from None
        return
    try:
        now = path.read_bytes()
    except FileNotFoundError:
        now = None
    if now != expected:
        raise Changed(f"{path} changed since mdnet read it (saved in an editor?); nothing written: "
                      "run the command again")
    write_atomic(path, data, mode=mode)


def write_new(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Create ``path`` with ``data``, complete or not at all; ``FileExistsError`` if
    anything is already there (even a file created a moment ago by someone else).

    The temporary file is hard-linked into place, which fails rather than
    replaces; where hard links are not supported, an exclusive create is used.
    """
    tmp = _synced_temp(path, data, mode)
    try:
        _link_new(tmp, path, data)
    finally:
        _unlink(tmp)
    _sync_folder(path.parent)


def _link_new(tmp: str, path: Path, data: bytes) -> None:
    """Put the written temporary file at ``path``, which must not exist (FileExistsError).

    A hard link fails rather than replaces; where hard links are not supported
    (some network and FAT file systems), an exclusive create is used."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        with open(path, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def _remove_stale_temps(path: Path) -> None:
    """Delete ``.NAME.XXXXXXXX.tmp`` files (mkstemp's names for this target) older
    than :data:`STALE_AFTER`: what a write killed between mkstemp and rename left.
    Only this exact pattern, only old ones: another writer's fresh file is kept."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[a-z0-9_]{{8}}\.tmp")
    cutoff = time.time() - STALE_AFTER
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if pattern.fullmatch(name):
            p = path.parent / name
            try:
                if os.lstat(p).st_mtime < cutoff:
                    os.unlink(p)
            except OSError:
                pass  # gone already, or not ours to remove


def write_new_many(files: Sequence[tuple[Path, bytes]], *, mode: int = 0o644) -> list[FileExistsError | None]:
    """Create many new files, each as :func:`write_new` does (complete or not at all, never
    over anything), with one ``sync`` for all of them instead of an ``fsync`` each: an
    import of 10k contacts would otherwise wait on 10k disk flushes (a minute or more).

    Every temporary file is written, then all are flushed to disk at once, then each is
    linked into place, so a file that appears is complete, as with :func:`write_new`.
    Returns, per file, ``None`` or the ``FileExistsError`` that kept it out."""
    temps: list[str] = []
    try:
        for path, data in files:
            temps.append(_synced_temp(path, data, mode, fsync=False))
        if temps:
            os.sync()
        out: list[FileExistsError | None] = []
        for (path, data), tmp in zip(files, temps):
            try:
                _link_new(tmp, path, data)
                out.append(None)
            except FileExistsError as e:
                out.append(e)
        for folder in {path.parent for path, _ in files}:
            _sync_folder(folder)
        return out
    finally:
        for tmp in temps:
            _unlink(tmp)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically unless the file already holds exactly these bytes."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True
