"""``mdnet prep NAME``: everything to bring to a conversation; ``--md`` writes it into the meeting note."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

import click

from .common import as_of_option, echo_json, json_option, parse_as_of, refreshed, terminal_safe

if TYPE_CHECKING:
    from ..prep import Brief, Conversation
    from ..vault.write import Change
    from ..workspace import Workspace


@click.command()
@click.argument("name")
@as_of_option
@click.option("--md", "md", is_flag=True,
              help="Write the brief into the next conversation's meeting note (created from "
                   "Templates/Meeting.md when that day has none).")
@click.option("-n", "--dry-run", is_flag=True, help="With --md: say what would be written, write nothing.")
@click.option("-v", "--verbose", is_flag=True, help="With --md: show the change as a diff.")
@json_option
@click.pass_context
def prep(ctx: click.Context, name: str, as_of: str | None, md: bool, dry_run: bool, verbose: bool,
         as_json: bool) -> None:
    """Prepare for a conversation with NAME: who they are, what to ask, your pitch and ask.

    NAME is matched as `mdnet show` matches it (name, file name, alias; a prefix
    is enough when it names one contact).
    """
    from ..prep import brief_json, render_text
    from ..workspace import NoSuchContact

    day = parse_as_of(as_of)
    ws = refreshed(ctx)
    try:
        brief = ws.brief(name, day)
    except NoSuchContact as e:
        raise click.ClickException(str(e)) from None
    if md:
        change = write_brief(ws, brief, dry_run=dry_run)
        if as_json:  # only the JSON on stdout, so it parses
            if change.written:
                ws.refresh(paths=[change.rel])
            echo_json({"path": change.rel, "created": change.created, "written": change.written})
            return
        from .edit import _report

        _report(ws, change, f"wrote the prep brief for {brief.name}", dry_run=dry_run, verbose=verbose)
        return
    if as_json:
        echo_json(brief_json(brief))
    else:
        click.echo(terminal_safe(render_text(brief), lines=True))  # prep's text has no colours of its own


def write_brief(ws: "Workspace", brief: "Brief", *, dry_run: bool) -> "Change":
    """The brief as a ``## Prep brief`` section of the next conversation's meeting note,
    through the guarded writer (a refusal is a WriteRefused, shown by cli/__init__)."""
    from ..prep import PREP_HEADING, render_markdown
    from ..vault.edit import insert_section
    from ..vault.write import create_note, edit_note

    n = brief.next_conversation
    if n is None:
        raise click.ClickException(
            f"no conversation planned with {brief.name}: log one first (`- YYYY-MM-DD coffee: ...` "
            f"in their note, or `mdnet log \"{brief.name}\" coffee --date YYYY-MM-DD`); nothing written")
    section = render_markdown(brief)
    if n.source != brief.path:  # a meeting note: the brief goes into it
        return edit_note(ws.root, n.source, lambda text: insert_section(text, PREP_HEADING, section),
                         config=ws.config, dry_run=dry_run)
    rel, text = new_meeting_note(ws, brief, n)
    return create_note(ws.root, rel, insert_section(text, PREP_HEADING, section), dry_run=dry_run)


def new_meeting_note(ws: "Workspace", brief: "Brief", n: "Conversation") -> tuple[str, str]:
    """(path, text) of a meeting note for conversation ``n``: the vault's Templates/Meeting.md
    rendered for that day, with ``with``, ``kind`` and ``time`` filled."""
    from ..vault.edit import add_to_list, format_value, render_template, set_property
    from ..vault.files import read_template

    word = n.word.lower() or "meeting"
    title = f"{n.day.isoformat()} {word.capitalize()} with {brief.name}"
    folder = ws.config["vault.meeting_folders"][0].strip("/")
    link = f"[[{brief.name}]]"
    template = read_template(ws.root, "Meeting.md")
    if template is None:
        lines = ["---", "type: meeting", f"date: {n.day.isoformat()}", f"kind: {format_value(word)}",
                 "with:", f"  - {format_value(link)}"]
        if n.time:
            lines.append(f"time: {format_value(n.time)}")
        return f"{folder}/{title}.md", "\n".join([*lines, "---", f"# {title}", ""])
    at = time(int(n.time[:2]), int(n.time[3:])) if n.time else time(9)
    text = render_template(template, title=title, now=datetime.combine(n.day, at))
    text = set_property(text, "kind", word)
    text = add_to_list(text, "with", [link])
    if n.time:
        text = set_property(text, "time", n.time)
    return f"{folder}/{title}.md", text
