"""The I/O side of import and export: read an import file, list the names a new
note must not take, apply a plan through the guarded writer, write an export.

Notes are written only through :mod:`mdnet.vault.write` (guarded, atomic,
byte-exact): a new note is created from the vault's template by whatever
``new_note`` the caller passes (the same function ``mdnet add`` uses), and an
existing note gets exactly the properties the plan fills.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..model import ERROR, Diagnostic
from .plan import Conflict, Create, Plan, insert_body


class ImportFileError(Exception):
    """The file to import cannot be read at all (not UTF-8, not there)."""


def read_import_file(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ImportFileError(f"{path}:{line}: error: the file is not UTF-8 text; save or export it as UTF-8") from None


def folder_names(root: Path, folder: str) -> list[str]:
    """Names in the folder new notes go to (without ``.md``): a new note takes none of them."""
    try:
        names = os.listdir(root / folder)
    except OSError:
        return []
    return [n[:-3] if n.lower().endswith(".md") else n for n in names]


@dataclass
class Applied:
    created: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # planned fills the note's text already had
    refused: list[Diagnostic] = field(default_factory=list)  # a note mdnet would not write, and why
    conflicts: list[Conflict] = field(default_factory=list)  # values found in the note's text at the write


def apply_plan(root: Path, plan: Plan, config: Config, *,
               new_note: Callable[[str, list[tuple[str, Any]], list[tuple[str, list[str]]]], str],
               dry_run: bool = False) -> Applied:
    """Write the plan: create each new note, fill each matched one.  A note that
    cannot be written (changed meanwhile, broken frontmatter) is reported and
    skipped; the rest is written.  With ``dry_run`` every edit is computed (so
    what it reports is what a real run does) and nothing is written.

    A property the plan fills is filled only if the note's own text has it
    empty: a value the parser could not read (``added: 18/11/2026``) is still
    the user's, and becomes a conflict.

    ``new_note(title, properties, lists)`` returns a new contact's text."""
    from ..vault.edit import EditError, add_to_list, frontmatter_props, set_property
    from ..vault.write import WriteRefused, create_notes, edit_note

    done = Applied()
    texts: list[tuple[str, str]] = []
    for c in plan.creates:
        try:
            props, lists = split_properties(c)
            texts.append((c.path, insert_body(new_note(c.path.rsplit("/", 1)[-1][:-3], props, lists), c.body)))
        except EditError as e:
            done.refused.append(Diagnostic(c.path, e.line, ERROR, "import-not-written",
                                           f"the template cannot be filled: {e.message}; not created"))
    if dry_run:
        for rel, _ in texts:
            if os.path.lexists(root / rel):
                done.refused.append(Diagnostic(rel, 1, ERROR, "import-not-written", f"{rel} already exists; not created"))
            else:
                done.created.append(rel)
    else:
        for (rel, _), result in zip(texts, create_notes(root, texts)):
            if isinstance(result, WriteRefused):
                done.refused.append(Diagnostic(rel, 1, ERROR, "import-not-written", str(result)))
            else:
                done.created.append(rel)
    for f in plan.fills:
        def edit(text: str, f: Any = f) -> str:
            have = frontmatter_props(text)
            for key, value in f.set:
                old = have.get(key)
                if not (old is None or old == "" or old == []):
                    done.conflicts.append(Conflict(f.path, f.name, key, str(old), str(value), f.lines[0]))
                    continue
                text = set_property(text, key, value)
            for key, values in f.add:
                old = have.get(key)
                if key == "email" and len(values) == 1 and (old is None or old == "" or old == []):
                    text = set_property(text, key, values[0])  # one address is written as text
                else:
                    text = add_to_list(text, key, list(values))
            return text

        try:
            if edit_note(root, f.path, edit, config=config, dry_run=dry_run).changed:
                done.filled.append(f.path)
            else:
                done.unchanged.append(f.path)
        except WriteRefused as e:
            done.refused.append(Diagnostic(f.path, 1, ERROR, "import-not-written", str(e)))
    return done


def split_properties(c: Create) -> tuple[list[tuple[str, Any]], list[tuple[str, list[str]]]]:
    """A new note's properties as ``mdnet add`` takes them: single values, and lists."""
    props: list[tuple[str, Any]] = []
    lists: list[tuple[str, list[str]]] = []
    for key, value in c.properties:
        if key == "email" and len(value) == 1:
            props.append((key, value[0]))  # one address is written as text, as a person would
        elif isinstance(value, tuple):
            lists.append((key, list(value)))
        else:
            props.append((key, value))
    return props, lists


def write_export(path: Path, data: bytes, *, fmt: str, root: Path, config: Config) -> None:
    """Write an export atomically; never over a note of the vault or a file that is not an export."""
    from ..atomic import write_atomic
    from ..vault.files import is_note_path

    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = None
    if rel is not None and is_note_path(rel, config):
        raise ImportFileError(f"{rel} is a note of the vault; write the export elsewhere")
    try:
        with open(path, "rb") as f:
            head = f.read(64).removeprefix(b"\xef\xbb\xbf")
    except FileNotFoundError:
        head = b""
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; name the file to write") from None
    want = b"BEGIN:VCARD" if fmt == "vcard" else b"name,"
    if head and not head.startswith(want):
        raise ImportFileError(f"{path} exists and is not a {fmt} export; mdnet will not overwrite it")
    write_atomic(path, data, mode=0o600)
