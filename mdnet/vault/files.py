"""The vault on disk: finding it, walking it, reading its config.

The only module of ``mdnet.vault`` that touches the file system.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from stat import S_ISDIR, S_ISREG
from pathlib import Path
from typing import Callable, Iterator, Mapping

from ..config import CONFIG_NAME, OUTPUT_FOLDERS, Config, load_config
from ..model import ERROR, Diagnostic

ALWAYS_IGNORED = frozenset({".obsidian", ".git", ".trash", ".mdnet"})
STATE_DIR = ".mdnet"


def make_state_dir(root: Path) -> tuple[Path, int]:
    """``<vault>/.mdnet``, created with the vault folder's permissions or tighter,
    and the mode for the files in it.

    The index holds every note's text, so it must be no easier to read than the
    vault: a private vault (0700) gets a 0700 folder and 0600 files; a 0755 vault
    0755 and 0644.  Group and others never get write.  An existing folder wider
    than that is narrowed (when it is ours to change).
    """
    state = root / STATE_DIR
    try:
        dir_mode = os.stat(root).st_mode & 0o755
    except OSError:
        dir_mode = 0o700
    try:
        os.mkdir(state, dir_mode)  # the umask can only narrow it further
    except FileExistsError:
        pass
    if os.name == "posix":
        try:
            mode = os.stat(state).st_mode & 0o777
            if mode & ~dir_mode:
                os.chmod(state, mode & dir_mode)
        except OSError:
            pass
    return state, dir_mode & 0o666


def private_file(path: Path, mode: int) -> None:
    """Create ``path`` (if missing) with at most ``mode``, and narrow it if it is wider."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, mode))
        if os.name == "posix" and os.stat(path).st_mode & 0o777 & ~mode:
            os.chmod(path, os.stat(path).st_mode & 0o777 & mode)
    except OSError:
        pass  # the caller's own open says what is wrong


class VaultNotFound(Exception):
    """No vault could be found from the arguments, environment or working directory."""


@dataclass(frozen=True, slots=True)
class FileStat:
    path: str  # vault-relative, forward slashes
    size: int
    mtime_ns: int


def find_vault(explicit: str | os.PathLike[str] | None = None, *, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> Path:
    """``--vault``, else ``$MDNET_VAULT``, else walk up from ``cwd`` to a folder
    holding ``mdnet.toml`` or ``.obsidian/``, as git finds ``.git``."""
    return locate_vault(explicit, env=env, cwd=cwd)[0]


def _is_vault(folder: Path) -> bool:
    return (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir()


def locate_vault(explicit: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None,
                 cwd: Path | None = None) -> tuple[Path, str | None]:
    """:func:`find_vault`, and a line to tell the user when the folder named is not
    the vault itself: ``--vault People`` inside a vault means that vault (a second
    ``.mdnet/`` in People/ would split the index and the feed)."""
    env = os.environ if env is None else env
    for source, value in (("--vault", explicit), ("MDNET_VAULT", env.get("MDNET_VAULT"))):
        if value:
            p = Path(value).expanduser()
            if not p.is_dir():
                raise VaultNotFound(f"{source} names {str(p)!r}, which is not a folder"
                                    + (" (unset MDNET_VAULT or point it at your vault)" if source == "MDNET_VAULT" else ""))
            p = p.resolve()
            if _is_vault(p):
                return p, None
            for folder in p.parents:
                if _is_vault(folder):
                    return folder, f"{source} {str(p)!r} is inside the vault {str(folder)!r}: using that vault"
            return p, None
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_vault(folder):
            return folder, None
    raise VaultNotFound(
        f"no vault found in {str(here)!r} or above it (a vault is a folder with {CONFIG_NAME} or .obsidian/).\n"
        "Point mdnet at one with --vault PATH or MDNET_VAULT=PATH, or create one with `mdnet init PATH`."
    )


def read_config(root: Path) -> tuple[Config, list[Diagnostic]]:
    """Load ``<vault>/mdnet.toml`` if there is one; every problem is a diagnostic."""
    import tomllib

    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(), []
    except OSError as e:
        return Config(), [Diagnostic(CONFIG_NAME, 1, ERROR, "config-unreadable", f"cannot read: {e.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        return Config(), [Diagnostic(CONFIG_NAME, 1, ERROR, "config-not-utf8", "mdnet.toml is not UTF-8; using the defaults")]
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None) or _toml_line(str(e))
        return Config(), [Diagnostic(CONFIG_NAME, line, ERROR, "config-bad-toml", f"not valid TOML: {str(e).split(' (at line')[0]}; using the defaults")]
    return load_config(data, path=CONFIG_NAME, text=text)


def _toml_line(message: str) -> int:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 1


def walk(root: Path, config: Config) -> Iterator[FileStat]:
    """Every Markdown note of the vault, ignoring dot-folders and configured folders."""
    for path, (size, mtime_ns) in stat_tree(root, config).items():
        yield FileStat(path, size, mtime_ns)


def ignored_folders(config: Config) -> list[str]:
    """``vault.ignore`` and the folders mdnet writes reports and updates into
    (its own output is never read back as notes)."""
    return [*config["vault.ignore"], *(config[k].strip("/") for k in OUTPUT_FOLDERS)]


def shown_path(rel: str) -> str:
    """A path as the index and every message name it: itself, or, when some of its
    bytes are not UTF-8 (Python holds them as surrogates; SQLite and terminals take
    only UTF-8), with those bytes written ``\\xNN`` (``caf\\xe9.md``)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return rel


def stat_tree(root: Path, config: Config,
              scanned: Callable[[int, int], None] | None = None) -> dict[str, tuple[int, int]]:
    """vault-relative path -> (size, mtime_ns) of every note: the stat walk every
    sync starts with, kept to one ``stat`` per note and no objects per file.

    ``scanned(folders, notes)`` is told how far the walk got every 64 folders and
    once at the end (a home folder named as the vault takes a while)."""
    ignored = set(ignored_folders(config))
    ignored_paths = {i.strip("/") for i in ignored if "/" in i.strip("/")}
    skip = ALWAYS_IGNORED | {i for i in ignored if "/" not in i.strip("/")}
    out: dict[str, tuple[int, int]] = {}
    stack = [(str(root), "")]
    folders = 0
    while stack:
        folder, rel = stack.pop()
        folders += 1
        if scanned is not None and folders % 64 == 0:
            scanned(folders, len(out))
        try:
            it = os.scandir(folder)
        except OSError:
            continue
        with it:
            for entry in it:
                name = entry.name
                if name[0] == ".":
                    continue
                if not name.isascii():
                    name = shown_path(name)  # bytes that are not UTF-8: named \xNN (see _parse_row)
                try:
                    if name[-3:].lower() == ".md":  # most entries: one stat, no other call
                        st = entry.stat()
                        if S_ISREG(st.st_mode):
                            out[rel + name] = (st.st_size, st.st_mtime_ns)
                            continue
                        if not S_ISDIR(st.st_mode) or entry.is_symlink():
                            continue
                    elif not entry.is_dir(follow_symlinks=False):
                        continue
                    if name in skip or (ignored_paths and rel + name in ignored_paths):
                        continue
                    stack.append((entry.path, rel + name + "/"))
                except OSError:
                    continue
    if scanned is not None:
        scanned(folders, len(out))
    return out


def is_note_path(rel: str, config: Config) -> bool:
    """Would :func:`walk` consider this vault-relative path?"""
    if not rel.lower().endswith(".md"):
        return False
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts):
        return False
    ignored = {i.strip("/") for i in ignored_folders(config)}
    for i in range(1, len(parts)):
        if parts[i - 1] in ALWAYS_IGNORED or parts[i - 1] in ignored or "/".join(parts[:i]) in ignored:
            return False
    return True


def stat_note(root: Path, rel: str) -> FileStat | None:
    try:
        st = os.stat(root / rel)
    except OSError:
        return None
    if not S_ISREG(st.st_mode):
        return None
    return FileStat(rel, st.st_size, st.st_mtime_ns)


def read_template(root: Path, note: str = "Person.md") -> str | None:
    """The vault's own template ``note`` (``Templates/Person.md``; the folder is
    Obsidian's templates folder when ``.obsidian/templates.json`` sets one), or None."""
    import json

    folder = "Templates"
    try:
        settings = json.loads((root / ".obsidian" / "templates.json").read_text("utf-8"))
        if isinstance(settings, dict) and isinstance(settings.get("folder"), str) and settings["folder"].strip("/"):
            folder = settings["folder"].strip("/")
    except (OSError, ValueError):
        pass
    try:
        return (root / folder / note).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
