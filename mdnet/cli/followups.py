"""Commands over follow-ups: due and feed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .common import as_of_option, echo_json, echo_safe, json_option, loaded, parse_as_of, terminal_safe

if TYPE_CHECKING:
    from ..workspace import Loaded


def parse_within(value: str | None, day: "date") -> int:
    """``7d``, ``2w``, ``1m`` (or a number of days) from ``day`` -> days."""
    if not value:
        return 0
    if value.strip().isdigit():
        return int(value)
    from ..config import parse_duration
    from ..dates import add_duration

    d = parse_duration(value)
    if d is None:
        raise click.BadParameter(f"{value!r} is not a span such as 7d, 2w or 1m", param_hint="--within")
    return (add_duration(day, d) - day).days


@click.command()
@as_of_option
@click.option("--within", metavar="SPAN", help="Also list what comes due in the next SPAN (7d, 2w, 1m).")
@click.option("--rule", "rules", multiple=True, metavar="RULE",
              help="Only items of this rule (repeatable): follow-up, thank-you, nudge, referral, try-another, "
                   "keep-in-touch, outreach, monthly-update, upcoming, prepare.")
@click.option("--quiet", "quiet", is_flag=True, help="List the contacts who have gone quiet instead (no reply after the last nudge).")
@json_option
@click.pass_context
def due(ctx: click.Context, as_of: str | None, within: str | None, rules: tuple[str, ...], quiet: bool, as_json: bool) -> None:
    """What to do today: who to thank, nudge, call or write to.

    Lists follow-ups due on or before today (or --as-of), overdue first.
    """
    from ..rules import RULES, gone_quiet

    day = parse_as_of(as_of)
    days = parse_within(within, day)
    bad = [r for r in rules if r not in RULES]
    if bad:
        raise click.BadParameter(f"unknown rule {bad[0]!r}; rules are: {', '.join(RULES)}", param_hint="--rule")
    data = loaded(ctx, day)
    if quiet:
        failed: list = []
        items = gone_quiet(data.vault, data.config, day, diagnostics=failed)
    else:
        items = data.due(within=days, rules=set(rules) or None)
        failed = data.rule_diagnostics
    for d in failed:  # stderr: --json output stays the items alone
        echo_safe(d, err=True)
    if as_json:
        echo_json([i.to_json() for i in items])
        return
    if not items:
        click.echo("Nobody has gone quiet." if quiet else "Nothing due. Add people to People/ or check `mdnet due --within 7d`.", err=True)
        if not quiet:
            _problems_footer(data)
        return
    out = []
    for item in items:
        flag = "overdue" if item.due < day else "today" if item.due == day else ""
        head = f"{item.due.isoformat()}  {flag:<7}  {item.rule:<14}  "
        styled = head.replace(flag, click.style(flag, fg="red" if flag == "overdue" else None, bold=flag == "today"), 1) if flag else head
        out.append(f"{styled}{terminal_safe(item.reason)}")  # note text made safe, then mdnet's colour
        indent = " " * len(head)
        if item.next_step:
            out.append(f"{indent}next: {terminal_safe(item.next_step)}")
        out.extend(f"{indent}ask about: {terminal_safe(a)}" for a in item.ask_about)
        out.extend(f"{indent}you offered: {terminal_safe(o)}" for o in item.offers)
    click.echo("\n".join(out))  # one write: a long list prints fast
    if not quiet:
        _problems_footer(data)


def _problems_footer(data: "Loaded") -> None:
    """One line when notes have problems that may hide follow-ups (a user who never runs
    `mdnet check` still learns why an item is missing)."""
    from ..model import problems_line

    if (n := data.problem_notes()):
        click.echo(problems_line(n), err=True)


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Where to write the feed (default: feed.path in mdnet.toml, .mdnet/followups.ics). '-' prints it.")
@as_of_option
@click.option("--todo", is_flag=True, help="Emit VTODO tasks instead of events, for task apps that read them (Thunderbird, todoman).")
@json_option
@click.pass_context
def feed(ctx: click.Context, output: Path | None, as_of: str | None, todo: bool, as_json: bool) -> None:
    """Write the iCalendar feed of follow-ups (overdue items and the next 30 days).

    The file is replaced atomically, and only when its content changed, so a
    calendar app never reads half a file. Subscribe to it with `mdnet serve`.
    """
    day = parse_as_of(as_of)
    data = loaded(ctx, day)
    if output is not None and str(output) == "-":
        ics, _ = data.feed(todo=todo)
        click.echo(ics.decode("utf-8"), nl=False)
        return
    path, changed, n = data.ws.write_feed(day, path=output, todo=todo, loaded=data)
    if as_json:
        echo_json({"path": str(path), "items": n, "changed": changed})
        return
    from ..model import plural

    echo_safe(f"{path}: {plural(n, 'follow-up')}{'' if changed else ' (unchanged)'}")
