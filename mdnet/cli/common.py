"""What the commands share: the context object, options, output helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

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
    if report_config:
        for d in ws.config_diagnostics:
            click.echo(str(d), err=True)
    ctx.call_on_close(ws.close)
    return ws


def refreshed(ctx: click.Context, *, today: date | None = None, quiet: bool = True,
              report_config: bool = True) -> "Workspace":
    """A workspace whose index is up to date (the cheap stat walk every reading command does)."""
    ws = open_workspace(ctx, report_config=report_config)
    ws.refresh(today=today, progress=progress_bar() if not quiet else None)
    return ws


def loaded(ctx: click.Context, as_of: date | None = None, *, quiet: bool = True,
           report_config: bool = True) -> "Loaded":
    """The vault as of a day (default: today), its index brought up to date first: what
    every reading command starts from."""
    ws = open_workspace(ctx, report_config=report_config)
    return ws.load(as_of or date.today(), progress=progress_bar() if not quiet else None)


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


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def table(rows: list[list[str]], headers: list[str]) -> str:
    """Plain aligned columns; the last column is not padded."""
    if not rows:
        return ""
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    lines = []
    for r in [headers] + rows:
        cells = [str(c).ljust(w) for c, w in zip(r[:-1], widths[:-1])] + [str(r[-1])]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
