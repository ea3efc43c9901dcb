"""Reports and the monthly update: report, update, pitch."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date
from typing import TYPE_CHECKING, Any, Callable

import click

from .common import as_of_option, echo_json, echo_safe, json_option, parse_as_of, refreshed, terminal_safe

if TYPE_CHECKING:
    from ..reports.common import Inputs
    from ..workspace import Workspace

REPORT_NAMES = ("activity", "sources", "pipeline", "list", "favors")
_NEEDS_ITEMS = {"pipeline", "favors"}  # reports that show the next follow-up


def load_inputs(ws: "Workspace", as_of: date, *, since: date | None = None, until: date | None = None,
                items: bool = True) -> "Inputs":
    """What a report reads, from the one loader (the index was synced by the command)."""
    from ..reports.common import Inputs

    loaded = ws.load(as_of, sync=False)
    return Inputs(vault=loaded.vault, config=ws.config, as_of=as_of, profile=loaded.profile, since=since,
                  until=until, items=tuple(loaded.follow_ups) if items else ())


def cached_report(ws: "Workspace", name: str, as_of: date, since: date | None, until: date | None) -> Any:
    """A report's data, kept in the index until a note or a setting changes."""
    from ..reports import REPORTS, TYPES

    return _cached(ws, f"report {name} {as_of} {since} {until}", TYPES[name],
                   lambda: REPORTS[name](load_inputs(ws, as_of, since=since, until=until, items=name in _NEEDS_ITEMS)))


def _cached(ws: "Workspace", key: str, cls: type, build: Callable[[], Any]) -> Any:
    """``build()``'s data, kept in the index (as JSON) until a note or a setting
    changes, as ``due`` keeps its items: asked for twice, the vault is loaded once."""
    import json

    from ..reports.common import from_json, to_json

    def compute() -> bytes:
        return json.dumps(to_json(build()), ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    return from_json(cls, json.loads(ws.index.derived(f"{key} {ws.config.fingerprint()}", compute)))


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=option)


def _terminal() -> tuple[int, bool]:
    """(width, colour?): colour only on a terminal and never with NO_COLOR set."""
    width = shutil.get_terminal_size((100, 24)).columns
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    return width, color


@click.command()
@click.argument("name", type=click.Choice(REPORT_NAMES))
@click.option("--since", metavar="DATE", help="Start of the period (YYYY-MM-DD); default: 26 weeks (list: 12) before --until.")
@click.option("--until", metavar="DATE", help="End of the period (YYYY-MM-DD); default: today.")
@as_of_option
@json_option
@click.option("--md", "as_md", is_flag=True,
              help="Write the report as a note in the vault's Reports/ folder (reports.folder), with Mermaid charts.")
@click.pass_context
def report(ctx: click.Context, name: str, since: str | None, until: str | None, as_of: str | None,
           as_json: bool, as_md: bool) -> None:
    """Reports on your search: is the habit holding, where leads come from.

    \b
    activity  conversations and outreach per week, your streak, a heatmap
    sources   who referred whom: the one or two people most leads come from
    pipeline  target companies, who you know there and how far it got
    list      the list of 100: progress, circles, never contacted
    favors    the two-way street: intros made, offers, help received

    Reading never changes a note; --md writes one new note and never
    overwrites a report you edited (it writes a new name instead).
    """
    from ..reports.common import to_json

    day = parse_as_of(as_of)
    start, end = _date(since, "--since"), _date(until, "--until")
    if start and end and start > end:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    ws = refreshed(ctx)
    data = cached_report(ws, name, day, start, end)
    if as_md:
        from ..generated import write_note
        from ..reports import markdown

        target = ws.root / ws.config["reports.folder"] / markdown.file_name(name, day)
        written = write_note(target, markdown.RENDERERS[name](data))
        rel = written.path.relative_to(ws.root).as_posix()
        if as_json:
            echo_json({"path": rel, "changed": written.changed})
            return
        if written.renamed_from:
            echo_safe(f"{written.renamed_from.relative_to(ws.root).as_posix()} was edited since mdnet wrote it; "
                       "left as it is", err=True)
        echo_safe(f"wrote {rel}" if written.changed else f"{rel} (unchanged)")
        return
    if as_json:
        echo_json(to_json(data))
        return
    from ..reports import text

    width, color = _terminal()
    click.echo(text.RENDERERS[name](_shown(data), width, text.Style(color)))


@click.command()
@click.option("--month", metavar="YYYY-MM", help="The month of the update (default: this month).")
@click.option("--to", "to", multiple=True, metavar="FILTER",
              help="Only people in this circle, with this tag, at this company or of this name (repeatable).")
@click.option("--sent", is_flag=True,
              help="You sent it: log an `update` line on the note of everyone in the draft's Bcc (writes notes).")
@as_of_option
@json_option
@click.pass_context
def update(ctx: click.Context, month: str | None, to: tuple[str, ...], sent: bool, as_of: str | None,
           as_json: bool) -> None:
    """Draft the monthly update to everyone you have met.

    Writes Updates/YYYY-MM.md (edit it freely) and Updates/YYYY-MM.eml, a
    draft any mail client opens, with everyone in Bcc. Run it again after
    editing the note: the .eml is rebuilt from your text. Recipients are the
    people you have met who have an email, minus paused, do-not-contact and
    archived contacts; those without an email are listed.

    After sending it, `mdnet update --sent` logs `- DATE update: ...` on the
    note of everyone still in the draft's Bcc, so the monthly-update item
    clears. Each note is written as `mdnet log` writes it; a note that cannot be
    written is named, and the others are still logged (exit code 1).
    """
    from ..reports import update as upd
    from ..reports.common import to_json

    day = parse_as_of(as_of)
    wanted = None
    if month:
        wanted = upd.month_of(month)
        if wanted is None:
            raise click.BadParameter(f"{month!r} is not a month; write it as YYYY-MM", param_hint="--month")
    ws = refreshed(ctx)
    if sent:
        _sent(ws, day, wanted, as_json)
        return
    draft = _cached(ws, f"update {day} {wanted} {sorted(to)}", upd.Update,
                    lambda: upd.build(load_inputs(ws, day, items=False), wanted, to))
    from .. import actions

    written = actions.draft_update(ws, draft, day)
    rel_note, rel_eml = written.note, written.eml
    if as_json:
        echo_json({"note": rel_note, "eml": rel_eml, "kept_your_edits": written.kept, **to_json(draft)})
        return
    from ..reports import text

    _, color = _terminal()
    style = text.Style(color)
    if written.kept:
        echo_safe(f"{rel_note}: kept your edits; rebuilt {rel_eml} from them")
    else:
        echo_safe(f"wrote {rel_note} (edit it freely) and {rel_eml} (open it in your mail client to send)")
    for line in text.update(_shown(draft), day, style):
        click.echo(line)


@click.command()
@json_option
@click.pass_context
def pitch(ctx: click.Context, as_json: bool) -> None:
    """Show your 30-second pitch from Profile.md, timed.

    Counts the words and the seconds it takes to say them (about 150 words a
    minute), and warns when it runs past 30 seconds or when Profile.md still
    holds the starter vault's examples.
    """
    from ..reports import pitch as pitch_report
    from ..reports.common import to_json
    from .common import open_workspace

    ws = open_workspace(ctx)
    data = pitch_report.build(ws.profile())
    if as_json:
        echo_json(to_json(data))
        return
    from ..reports import text

    width, color = _terminal()
    click.echo(text.pitch(_shown(data), width, text.Style(color)))


def _shown(data: Any) -> Any:
    """A report with every text in it made safe for the terminal (see terminal_safe):
    the text renderers add mdnet's own colours, so the note's text is cleaned first."""
    from ..reports.common import from_json, to_json

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return terminal_safe(value, lines=True)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return from_json(type(data), clean(to_json(data)))


def _sent(ws: "Workspace", day: date, wanted: tuple[int, int] | None, as_json: bool) -> None:
    """Log the update on every recipient's note (:func:`mdnet.actions.update_sent`) and say what happened."""
    from .. import actions

    try:
        sent = actions.update_sent(ws, day, wanted)
    except actions.NoDraft as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        echo_json({"logged": [p for p, _ in sent.logged], "already": list(sent.already),
                   "refused": [{"path": p, "reason": why} for p, why in sent.refused], "unknown": list(sent.unknown)})
    else:
        for path, changed in sent.logged:
            echo_safe(f"{path}: logged \"{sent.line}\"" if changed else f"{path}: unchanged")
        for path in sent.already:
            echo_safe(f"{path}: already has an update line in {sent.month}")
        for a in sent.unknown:
            echo_safe(f"{sent.note}: {a} is in Bcc but is no contact's email; nothing to log", err=True)
        for _, why in sent.refused:
            echo_safe(f"Error: {why}", err=True)
        n = len(sent.logged)
        click.echo(f"logged on {n} note{'s' if n != 1 else ''}" + (f"; {len(sent.refused)} refused" if sent.refused else ""))
    if sent.refused:
        raise SystemExit(1)
