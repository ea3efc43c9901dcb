"""``mdnet prep NAME``: everything to bring to a conversation."""

from __future__ import annotations

import click

from .common import as_of_option, echo_json, json_option, parse_as_of, refreshed


@click.command()
@click.argument("name")
@as_of_option
@json_option
@click.pass_context
def prep(ctx: click.Context, name: str, as_of: str | None, as_json: bool) -> None:
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
    if as_json:
        echo_json(brief_json(brief))
    else:
        click.echo(render_text(brief))
