"""What the commands share: the context object, options, output helpers."""

from __future__ import annotations

import json
from contextlib import contextmanager
import re
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterator

import click

if TYPE_CHECKING:
    from ..workspace import Loaded, Workspace


@dataclass
class Ctx:
    vault: str | None
    debug: bool = False


def open_workspace(ctx: click.Context, *, report_config: bool = True) -> "Workspace":
    """The vault the user named; problems in mdnet.toml are printed to stderr."""
    from ..workspace import Workspace

    obj = ctx.find_object(Ctx)
    ws = Workspace.open(obj.vault if obj else None)
    if ws.notice:
        click.echo(ws.notice, err=True)
    if report_config:
        for d in ws.config_diagnostics:
            echo_safe(d, err=True)
    ctx.call_on_close(ws.close)
    return ws


def refreshed(ctx: click.Context, *, today: date | None = None, quiet: bool = True,
              report_config: bool = True) -> "Workspace":
    """A workspace whose index is up to date (the cheap stat walk every reading command does)."""
    ws = open_workspace(ctx, report_config=report_config)
    with scan_line() as scanned:
        ws.refresh(today=today, progress=progress_bar() if not quiet else None, scanned=scanned)
    return ws


def loaded(ctx: click.Context, as_of: date | None = None, *, quiet: bool = True,
           report_config: bool = True) -> "Loaded":
    """The vault as of a day (default: today), its index brought up to date first: what
    every reading command starts from."""
    ws = open_workspace(ctx, report_config=report_config)
    with scan_line() as scanned:
        return ws.load(as_of or date.today(), progress=progress_bar() if not quiet else None, scanned=scanned)


@contextmanager
def scan_line(after: float = 1.0, *, stream: Any = None) -> Iterator[Callable[[int, int], None] | None]:
    """A ``scanned(folders, notes)`` callback for the vault walk: on a terminal, once the
    walk has taken ``after`` seconds (a vault that is really a home folder), one line
    on stderr says how far it got, so the wait is explained and Ctrl-C is an informed
    choice; it is cleared when the walk is done.  Elsewhere (pipes, tests) None."""
    stream = stream or sys.stderr
    if not stream.isatty():
        yield None
        return
    import time

    start = time.monotonic()
    shown = [False]
    last = [0.0]

    def scanned(folders: int, notes: int) -> None:
        now = time.monotonic()
        if now - start >= after and now - last[0] >= 0.1:  # at most ten lines a second
            shown[0], last[0] = True, now
            stream.write(f"\rScanning the vault: {folders:,} folders, {notes:,} notes so far (Ctrl-C stops)\x1b[K")
            stream.flush()

    try:
        yield scanned
    finally:
        if shown[0]:
            stream.write("\r\x1b[K")
            stream.flush()


def progress_bar(min_total: int = 1000) -> Callable[[int, int], None] | None:
    """A progress callback drawing a bar on a terminal for large jobs; None elsewhere."""
    if not sys.stderr.isatty():
        return None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total < min_total:
            return
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return update


def parse_as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint="--as-of")


as_of_option = click.option("--as-of", "as_of", metavar="DATE",
                            help="Compute as if today were DATE (YYYY-MM-DD); default: today, local time.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (a stable interface) instead of text.")


# --- text from notes and settings, made safe for a terminal ------------------------------
#
# Every text that comes from a note, a file name or a setting goes through
# terminal_safe() before it is printed, so a note cannot move the cursor, clear
# the screen, retitle the window (OSC) or reorder what is shown (bidi controls).
# Wrap the pieces, then add mdnet's own click.style() colours around them.

# C0 controls but tab (and line feed, handled apart), DEL, C1 controls, the
# Unicode line/paragraph separators and the bidi embedding/override/isolate marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_OR_NL = re.compile(_UNSAFE.pattern[:-1] + "\n]")


def _visible(m: re.Match[str]) -> str:
    c = m.group()
    if c == "\n":
        return "\\n"
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def terminal_safe(text: object, *, lines: bool = False) -> str:
    """``text`` with every control character shown visibly (ESC as ``\\x1b``).

    Line feeds are shown as ``\\n`` too, unless ``lines`` (a multi-line
    message such as a traceback).  Tabs and all printable text pass unchanged.
    """
    s = str(text)
    if s.isprintable():
        return s  # the common case: nothing to do
    return (_UNSAFE if lines else _UNSAFE_OR_NL).sub(_visible, s)


def echo_safe(text: object, *, err: bool = False, lines: bool = False) -> None:
    """click.echo of text that comes from notes or settings (see :func:`terminal_safe`)."""
    click.echo(terminal_safe(text, lines=lines), err=err)


def echo_json(data: Any) -> None:
    """JSON escapes C0 controls itself; C1 and bidi controls are escaped here too
    (as ``\\u009b``: the same JSON value, nothing a terminal acts on)."""
    text = json_text(data)
    if not text.isprintable():
        text = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    click.echo(text)


def json_text(data: Any) -> str:
    """``data`` as ``--json`` prints it: the document ``json.dumps(data, ensure_ascii=False,
    indent=2, default=str)`` writes (two-space indent, UTF-8, keys in the order given).

    orjson writes it: the standard library indents in pure Python, which cost a
    10k-contact ``due --json`` a tenth of a second.  What orjson will not write
    (a key that is not text, an integer beyond 64 bits) goes to the standard
    library; dates and datetimes go through ``str`` as before.  Only a float may
    be spelled otherwise (``0.00001`` for ``1e-05``): the same number.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency; the standard library writes the same
        orjson = None  # type: ignore[assignment]
    if orjson is not None:
        try:
            return orjson.dumps(data, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
                                | orjson.OPT_PASSTHROUGH_DATACLASS).decode()
        except TypeError:  # orjson.JSONEncodeError
            pass
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


def table(rows: list[list[str]], headers: list[str]) -> str:
    """Plain aligned columns; the last column is not padded.  Cells are made
    terminal-safe here (before measuring, so the columns still line up)."""
    if not rows:
        return ""
    rows = [[terminal_safe(c) for c in r] for r in rows]
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    lines = []
    for r in [headers] + rows:
        cells = [c.ljust(w) for c, w in zip(r[:-1], widths[:-1])] + [r[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
