"""The ``mdnet`` command: thin click commands over :mod:`mdnet.workspace`.

This package is the error boundary: library exceptions that stop a whole
command are turned into one ``Error: ...`` line and an exit code here, and
``--debug`` shows the traceback instead.  Heavy modules (yaml, sqlite3,
watchdog) are imported inside the commands that need them, so
``mdnet --help`` starts fast.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from .common import Ctx, terminal_safe


class _Group(click.Group):
    """Lists commands in the order they are added (the order of a workflow)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(args))

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as e:  # the one place library failures become messages
            from ..index import IndexUnavailable
            from ..lock import VaultLocked
            from ..vault.files import VaultNotFound
            from ..vault.write import WriteRefused
            from ..workspace import FeedTargetError

            obj = ctx.find_object(Ctx)
            if obj is not None and obj.debug:
                raise
            if isinstance(e, (VaultNotFound, IndexUnavailable, VaultLocked, FeedTargetError, WriteRefused)):
                raise click.ClickException(terminal_safe(e, lines=True)) from e
            if isinstance(e, OSError):
                raise click.ClickException(terminal_safe(f"{e.filename or ''}: {e.strerror or e}".lstrip(": "))) from e
            raise


def hoist_global_options(args: list[str]) -> list[str]:
    """``mdnet due --vault X`` means ``mdnet --vault X due``: people put the vault
    wherever they like.  ``--vault`` (and ``--debug``) after the command name move
    in front of it; nothing after ``--`` moves."""
    front: list[str] = []
    rest: list[str] = []
    i, seen_command = 0, False
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        if seen_command and a == "--vault" and i + 1 < len(args):
            front += args[i:i + 2]
            i += 2
            continue
        if seen_command and (a.startswith("--vault=") or a == "--debug"):
            front.append(a)
        else:
            if not a.startswith("-") and not (rest and rest[-1] == "--vault"):
                seen_command = True
            rest.append(a)
        i += 1
    return front + rest


@click.group(name="mdnet", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--vault", "vault", metavar="PATH",  # $MDNET_VAULT: read by locate_vault, which names it
              help="The vault (a folder of Markdown notes). Default: $MDNET_VAULT, else the nearest folder "
                   "at or above the current one that holds mdnet.toml or .obsidian/.")
@click.option("--debug", is_flag=True, help="Show the full traceback when a command fails.")
@click.version_option(__version__, prog_name="mdnet")
@click.pass_context
def cli(ctx: click.Context, vault: str | None, debug: bool) -> None:
    """mdnet: a plain-text networking CRM for your job search.

    Your contacts are Markdown notes; mdnet reads them, tells you who to
    thank, nudge or call, and keeps a calendar feed of it up to date.

    \b
    Start:   mdnet init ~/Notes        (a starter vault, or use your own)
    Daily:   mdnet due                 (what to do today)
             mdnet done maya           (record that you did it)
             mdnet serve --watch       (keep the calendar feed fresh)
    """
    ctx.obj = Ctx(vault=vault, debug=debug)


from . import edit, followups, interop, live, notes, prep, reports  # noqa: E402  (commands register on `cli`)

for _command in (notes.init, notes.index, notes.check, notes.list_, notes.show, notes.search,
                 followups.due, prep.prep, edit.log, edit.done, edit.add, edit.refer, edit.snooze, edit.set_, edit.unset,
                 edit.open_, followups.feed, live.watch, live.serve,
                 reports.report, reports.update, reports.pitch, interop.import_, interop.export):
    cli.add_command(_command)


def main() -> None:
    try:
        cli(prog_name="mdnet")
    except BrokenPipeError:  # `mdnet due | head`: the reader left; say nothing more
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
