"""One live process per vault: a lock file in ``.mdnet/``.

``mdnet watch`` (and ``mdnet serve --watch``) hold :class:`VaultLock` for as long
as they run, so a second one on the same vault is refused instead of racing
the first over the index and the feed.

The lock is ``flock(2)`` on ``.mdnet/watch.lock``, not the file's existence:
the kernel releases it when the holding process exits for any reason (Ctrl-C,
``kill -9``, a crash, a reboot), so there is never a stale lock to delete by
hand.  The file is never removed (removing it would let a third process lock a
fresh inode while a second still waits on the old one); its content is only
information for the refusal message: the holder's pid, host, start time and
command line.  On Windows, ``msvcrt.locking`` on the first byte does the same.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO

__all__ = ["VaultLock", "VaultLocked"]

LOCK_NAME = "watch.lock"


class VaultLocked(Exception):
    """Another process holds the vault's lock."""

    exit_code = 1

    def __init__(self, path: Path, holder: str) -> None:
        self.path = path
        self.holder = holder
        who = f" (held by {holder})" if holder else ""
        super().__init__(
            f"{path}: another mdnet watch is already running on this vault{who}; "
            "stop it first, or use it: it keeps the index and the feed current"
        )


def _try_lock(f: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(f: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(f.fileno(), fcntl.LOCK_UN)


class VaultLock:
    """``with VaultLock(vault / ".mdnet"):`` - raises :class:`VaultLocked` if taken."""

    def __init__(self, mdnet_dir: Path, name: str = LOCK_NAME) -> None:
        self.path = Path(mdnet_dir) / name
        self._file: IO[str] | None = None

    def acquire(self) -> VaultLock:
        if self._file is not None:
            raise RuntimeError(f"{self.path}: already held by this object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = open(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600), "a+", encoding="utf-8")
        if not _try_lock(f):
            try:
                f.seek(0)
                holder = f.read(500).strip()
            except OSError:
                holder = ""
            f.close()
            raise VaultLocked(self.path, holder)
        started = time.strftime("%Y-%m-%d %H:%M:%S")
        program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
        if program == "__main__.py":  # python -m mdnet
            program = "mdnet"
        command = " ".join([program, *sys.argv[1:]])
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} on {socket.gethostname()} since {started}: {command}\n")
        f.flush()
        self._file = f
        return self

    def release(self) -> None:
        f, self._file = self._file, None
        if f is None:
            return
        try:
            f.seek(0)
            f.truncate()
            f.flush()
            _unlock(f)
        finally:
            f.close()

    @property
    def held(self) -> bool:
        return self._file is not None

    def __enter__(self) -> VaultLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
