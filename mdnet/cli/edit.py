"""Commands that write notes: add, log, refer, done, snooze, set, unset, open.

Thin: resolve the name, compute the new text with :mod:`mdnet.vault.edit`,
write it with :mod:`mdnet.vault.write` (guarded, atomic), re-index that note,
print one line (the diff with ``--verbose``).
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

import click

from .common import echo_safe, open_workspace, terminal_safe

if TYPE_CHECKING:
    from ..model import Contact
    from ..vault.write import Change
    from ..workspace import Workspace


# --- completion (fast: no vault resolution, no index sync) ----------------------------------


def _root(ctx: click.Context) -> Path | None:
    from ..vault.files import VaultNotFound, find_vault

    top = ctx.find_root()
    try:
        return find_vault(top.params.get("vault") or os.environ.get("MDNET_VAULT"))
    except (VaultNotFound, OSError):
        return None


def complete_names(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    from ..index.names import contact_names

    root = _root(ctx)
    return [CompletionItem(n) for n in contact_names(root, incomplete)] if root else []


def complete_kinds(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    from click.shell_completion import CompletionItem

    from ..config import DEFAULT

    words = DEFAULT.kind_words()
    root = _root(ctx)
    if root is not None:
        from ..vault.files import read_config

        words = read_config(root)[0].kind_words()
    return [CompletionItem(w) for w in sorted(words) if w.startswith(incomplete.lower())]


# --- shared ---------------------------------------------------------------------------------

dry_run_option = click.option("--dry-run", "-n", is_flag=True, help="Show what would change; write nothing.")
verbose_option = click.option("--verbose", "-v", is_flag=True, help="Print the diff of the note.")
as_of_option = click.option("--as-of", "as_of", metavar="DATE",
                            help="Act as if today were DATE (YYYY-MM-DD): the day logged and what is due.")


def _today(as_of: str | None) -> date:
    from .common import parse_as_of

    return parse_as_of(as_of)


def _day(value: str | None, today: date, param: str, *, future: bool = False) -> date:
    from ..dates import parse_day

    if value is None:
        return today
    d = parse_day(value, today, future=future)
    if d is None:
        raise click.BadParameter(f"{value!r} is not a day: write 2026-11-20, today, yesterday, -3d, 3d, 2w or mon",
                                 param_hint=param)
    return d


class Named(NamedTuple):
    """A contact as a typed name finds it: enough to write its note."""

    path: str
    name: str
    aliases: tuple[str, ...]


def _contacts(ws: "Workspace", *names: str) -> list[Named]:
    """Every contact's path and name, from an up-to-date index (no vault resolved), and
    the aliases that could match one of ``names``."""
    from .common import scan_line

    with scan_line() as scanned:
        ws.refresh(scanned=scanned)
    rows: dict[str, Named] = {}
    for name in [n for n in names if n] or [""]:
        for path, display, aliases in ws.index.contact_names(name or None):
            if aliases or path not in rows:
                rows[path] = Named(path, display, aliases)
    return list(rows.values())


def _matches(contacts: list[Named], name: str) -> list[Named]:
    from ..lookup import match_names

    return sorted(match_names(((c, c.name, c.path, c.aliases) for c in contacts), name))


def resolve(contacts: list[Named], name: str) -> Named:
    """The one contact NAME means (as `show` finds it); else a one-line refusal listing candidates."""
    found = _matches(contacts, name)
    if not found:
        raise click.ClickException(f"no contact matches {name!r}; nothing written (try `mdnet list` or `mdnet add`)")
    if len(found) > 1:
        names = ", ".join(f"{c.name} ({c.path})" for c in found[:10]) + (", ..." if len(found) > 10 else "")
        raise click.ClickException(terminal_safe(f"{name!r} matches {len(found)} contacts: {names}; nothing written, say which"))
    return found[0]


def _same_name(contacts: list[Named], name: str) -> list[Named]:
    """Contacts whose name, file name or alias is exactly ``name`` (any case)."""
    q = " ".join(name.split()).lower()
    return [c for c in _matches(contacts, name)
            if q in (c.name.lower(), c.path.rsplit("/", 1)[-1][:-3].lower(), *(a.lower() for a in c.aliases))]


def _report(ws: "Workspace", change: "Change", what: str, *, dry_run: bool, verbose: bool) -> None:
    """One line; the diff with --verbose; re-index the note after a write."""
    if not change.changed:
        echo_safe(f"{change.rel}: unchanged ({what} already)")
        return
    echo_safe(f"{change.rel}: {what}" + (" (dry run: nothing written)" if dry_run else ""))
    if verbose:
        click.echo(terminal_safe(change.diff(), lines=True), nl=False)
    if change.written:
        ws.refresh(paths=[change.rel])


def _edit(ws: "Workspace", rel: str, fn: Callable[[str], str], *, dry_run: bool, frontmatter: bool = True) -> "Change":
    """Guarded edit of one note; a refusal (WriteRefused) becomes `Error: ...` in cli/__init__.

    ``frontmatter=False`` for an edit that only adds a log line: a note whose
    frontmatter does not parse can still gain one (``check`` keeps reporting it).
    """
    from ..vault.write import edit_note

    return edit_note(ws.root, rel, fn, config=ws.config if frontmatter else None, dry_run=dry_run)


# --- log ------------------------------------------------------------------------------------


@click.command()
@click.argument("name", shell_complete=complete_names)
@click.argument("kind", shell_complete=complete_kinds)
@click.argument("text", nargs=-1)
@click.option("--date", "when", metavar="DATE", help="The day: 2026-11-20, today (default), yesterday, -3d, mon.")
@click.option("--force", is_flag=True, help="Accept a kind word mdnet does not know (it is counted as a note).")
@as_of_option
@dry_run_option
@verbose_option
@click.pass_context
def log(ctx: click.Context, name: str, kind: str, text: tuple[str, ...], when: str | None, force: bool,
        as_of: str | None, dry_run: bool, verbose: bool) -> None:
    """Record an interaction: append `- DATE KIND: TEXT` to NAME's Log.

    KIND is a kind word (coffee, call, email, reply, thanks, update, intro,
    note... and your own from [kinds]). The line goes in date order under the
    note's Log heading, which is added at the end when there is none.

    \b
    mdnet log maya coffee "hiring is slow; suggested [[Priya Shah]]"
    mdnet log chen email --date yesterday "asked for 20 minutes"
    """
    from .. import actions
    from ..vault.edit import log_line

    today = _today(as_of)
    day = _day(when, today, "--date")
    ws = open_workspace(ctx)
    word = kind.strip()
    problem = actions.kind_problem(ws.config, word, force=force)
    if problem and not actions.KIND_WORD.fullmatch(word):
        raise click.BadParameter(problem, param_hint="KIND")
    if problem:
        raise click.ClickException(f"{problem} (add yours in [kinds] of mdnet.toml, or use --force)")
    contact = resolve(_contacts(ws, name), name)
    note = " ".join(text)
    change = actions.log(ws, contact.path, day, word, note, force=force, dry_run=dry_run)
    _report(ws, change, f'logged "{log_line(day, word.lower(), note)}"', dry_run=dry_run, verbose=verbose)


# --- set / unset / snooze -------------------------------------------------------------------


def typed_value(key: str, raw: str, today: date) -> Any:
    """VALUE as the user typed it, read like a YAML scalar: dates, true/false, numbers,
    [a, b] lists; a wiki-link stays text. Date properties also take today, 3d, mon..."""
    from ..vault.parse import DATE_PROPS, LIST_PROPS, _yaml, link_target

    text = raw.strip()
    if key in DATE_PROPS:
        if not text:
            return None
        return _day(text, today, "VALUE", future=True).isoformat()
    if link_target(text) is not None:
        value: Any = text
    else:
        yaml, loader = _yaml()
        try:
            value = yaml.load(text, Loader=loader) if text else None
        except yaml.YAMLError:
            value = text
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value)):
            value = text
    if key in LIST_PROPS and key not in ("email", "aliases") and value is not None and not isinstance(value, list):
        value = [value]
    return value


@click.command("set")
@click.argument("name", shell_complete=complete_names)
@click.argument("key")
@click.argument("value")
@as_of_option
@dry_run_option
@verbose_option
@click.pass_context
def set_(ctx: click.Context, name: str, key: str, value: str, as_of: str | None, dry_run: bool, verbose: bool) -> None:
    """Set one property of NAME's note: mdnet set maya follow_up 2026-12-01.

    VALUE is read like YAML: 2026-12-01, true, 3, [a, b]; a [[Link]] is quoted
    for you. Date properties (follow_up, snooze_until, met, added) also take
    today, tomorrow, 3d, 2w or a weekday (fri = next Friday). Only that one
    line of the frontmatter changes.
    """
    from ..vault.edit import format_value, set_property

    v = typed_value(key, value, _today(as_of))
    ws = open_workspace(ctx)
    contact = resolve(_contacts(ws, name), name)
    change = _edit(ws, contact.path, lambda t: set_property(t, key, v), dry_run=dry_run)
    _report(ws, change, f"{key}: {format_value(v)}".rstrip(), dry_run=dry_run, verbose=verbose)


@click.command()
@click.argument("name", shell_complete=complete_names)
@click.argument("key")
@dry_run_option
@verbose_option
@click.pass_context
def unset(ctx: click.Context, name: str, key: str, dry_run: bool, verbose: bool) -> None:
    """Clear one property of NAME's note (the key stays, empty, as Obsidian leaves it)."""
    from ..vault.edit import unset_property

    ws = open_workspace(ctx)
    contact = resolve(_contacts(ws, name), name)
    change = _edit(ws, contact.path, lambda t: unset_property(t, key), dry_run=dry_run)
    _report(ws, change, f"{key}: cleared", dry_run=dry_run, verbose=verbose)


@click.command()
@click.argument("name", shell_complete=complete_names)
@click.argument("until")
@as_of_option
@dry_run_option
@verbose_option
@click.pass_context
def snooze(ctx: click.Context, name: str, until: str, as_of: str | None, dry_run: bool, verbose: bool) -> None:
    """Hold NAME's follow-ups until UNTIL: a date, 3d, 2w, or a weekday (mon = next Monday).

    Sets snooze_until:, so every item due before that day moves to it.
    """
    from .. import actions

    day = _day(until, _today(as_of), "UNTIL", future=True)
    ws = open_workspace(ctx)
    contact = resolve(_contacts(ws, name), name)
    change = actions.snooze(ws, contact.path, day, dry_run=dry_run)
    _report(ws, change, f"snoozed until {day.isoformat()}", dry_run=dry_run, verbose=verbose)


# --- add / refer ----------------------------------------------------------------------------

_BAD_NAME = re.compile(r'[\\/:*?"<>|#^\[\]\x00-\x1f]')


def _create(ctx: click.Context, ws: "Workspace", contacts: list[Named], name: str, fields: dict[str, Any],
            today: date, *, dry_run: bool, verbose: bool) -> "Change":
    from ..vault.edit import EditError, contact_note
    from ..vault.files import read_template
    from ..vault.write import create_note

    name = " ".join(name.split())
    if not name or name.startswith(".") or _BAD_NAME.search(name):
        raise click.ClickException(f"{name!r} cannot be a note's file name (no / \\ : * ? \" < > | # ^ [ ]); nothing written")
    same = _same_name(contacts, name)
    if same:
        raise click.ClickException(terminal_safe(f"{same[0].name} is already a contact ({same[0].path}); nothing written: "
                                   f"see `mdnet show \"{same[0].name}\"`"))
    folder = ws.config["vault.people_folders"][0].strip("/")
    rel = f"{folder}/{name}.md"
    props: list[tuple[str, Any]] = []
    for key in ("company", "role", "email", "phone", "linkedin", "referred_by", "how_met", "met"):
        if fields.get(key):
            props.append((key, fields[key]))
    props.append(("added", today.isoformat()))
    lists = [("tags", list(fields.get("tags") or ())), ("circles", list(fields.get("circles") or ()))]
    now = datetime.combine(today, datetime.now().time()) if today != date.today() else datetime.now()
    try:
        text = contact_note(read_template(ws.root), name, props, lists, now)
    except EditError as e:
        raise click.ClickException(f"the template Templates/Person.md cannot be filled: line {e.line}: {e.message}") from None
    change = create_note(ws.root, rel, text, dry_run=dry_run)
    _report(ws, change, f"created contact {name}", dry_run=dry_run, verbose=verbose)
    return change


def _link(value: str | None) -> str | None:
    if not value:
        return None
    from ..vault.parse import link_target

    return value if link_target(value) is not None else f"[[{value.strip()}]]"


_contact_options = [
    click.option("--company", help="Where they work (text, or [[Company]])."),
    click.option("--role", help="Their job."),
    click.option("--email", help="Their email address."),
    click.option("--phone", help="Their phone number."),
    click.option("--linkedin", help="Their LinkedIn URL."),
    click.option("--tag", "tags", multiple=True, help="A tag (repeatable)."),
    click.option("--circle", "circles", multiple=True, help="Where you know them from: friend, college... (repeatable)."),
    click.option("--how-met", "how_met", help="How you know them."),
    click.option("--met", "met", metavar="DATE", help="When you first met (information only)."),
]


def _with_contact_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(_contact_options):
        f = option(f)
    return f


def _fields(today: date, **kw: Any) -> dict[str, Any]:
    fields = dict(kw)
    if fields.get("met"):
        fields["met"] = _day(fields["met"], today, "--met").isoformat()
    return fields


@click.command()
@click.argument("name")
@_with_contact_options
@click.option("--referred-by", "referred_by", metavar="NAME", help="Who sent you to them (written as a link).")
@as_of_option
@dry_run_option
@verbose_option
@click.pass_context
def add(ctx: click.Context, name: str, as_of: str | None, dry_run: bool, verbose: bool, **kw: Any) -> None:
    """Create a contact's note from Templates/Person.md, with added: today.

    The note goes in the first people folder (People/). Obsidian's template
    placeholders ({{title}}, {{date}}, {{time}}, {{date:FORMAT}}) are filled
    in; without a template mdnet writes a minimal note. Refuses if a contact
    with that name or alias exists.
    """
    today = _today(as_of)
    ws = open_workspace(ctx)
    contacts = _contacts(ws, name, kw.get("referred_by") or "")
    if kw.get("referred_by"):
        found = _matches(contacts, kw["referred_by"])
        kw["referred_by"] = _link(found[0].name if len(found) == 1 else kw["referred_by"])
    _create(ctx, ws, contacts, name, _fields(today, **kw), today, dry_run=dry_run, verbose=verbose)


@click.command()
@click.argument("name")
@click.option("--by", "by", required=True, metavar="REFERRER", shell_complete=complete_names,
              help="The contact who suggested them.")
@_with_contact_options
@as_of_option
@dry_run_option
@verbose_option
@click.pass_context
def refer(ctx: click.Context, name: str, by: str, as_of: str | None, dry_run: bool, verbose: bool, **kw: Any) -> None:
    """Record that REFERRER suggested NAME: the breadcrumb step.

    Creates NAME's note (as `add` does, with referred_by) unless the contact
    exists, then logs `- TODAY note: suggested [[NAME]]` on the referrer's
    note (unless a log line there already links NAME). Two writes, each
    atomic: if the second is refused, the first stays.
    """
    from ..vault.edit import append_log, log_line, set_property
    from ..vault.write import WriteRefused

    today = _today(as_of)
    ws = open_workspace(ctx)
    contacts = _contacts(ws, name, by)
    referrer = resolve(contacts, by)
    existing = _same_name(contacts, name)
    if len(existing) > 1:
        resolve(existing, name)  # lists the candidates
    if existing:
        person = ws.index.notes(paths=[existing[0].path])[0].contact
        assert person is not None
        target = person.name
        if not person.referred_by:
            link = _link(referrer.name)
            change = _edit(ws, person.path, lambda t: set_property(t, "referred_by", link), dry_run=dry_run)
            _report(ws, change, f"referred_by: \"{link}\"", dry_run=dry_run, verbose=verbose)
        else:
            echo_safe(f"{person.path}: already a contact, referred by {person.referred_by}")
    else:
        kw["referred_by"] = _link(referrer.name)
        _create(ctx, ws, contacts, name, _fields(today, **kw), today, dry_run=dry_run, verbose=verbose)
        target = " ".join(name.split())
    if existing and (line := _links_to(ws, referrer.path, person)) is not None:
        echo_safe(f"{referrer.path}:{line[0]}: already links [[{line[1]}]]; nothing logged")
        return
    text = f"suggested [[{target}]]"
    try:
        change = _edit(ws, referrer.path, lambda t: append_log(t, today, "note", text), dry_run=dry_run,
                       frontmatter=False)
    except WriteRefused as e:
        raise WriteRefused(f"{e} (the note for {target} stays)") from None
    _report(ws, change, f'logged "{log_line(today, "note", text)}"', dry_run=dry_run, verbose=verbose)


def _links_to(ws: "Workspace", path: str, person: "Contact") -> tuple[int, str] | None:
    """The first log line of the note at ``path`` that links ``person`` (by name, file
    name or alias, as links resolve), as (line, link text); None if none does."""
    from ..model import name_key

    names = {name_key(n) for n in (person.name, person.path.rsplit("/", 1)[-1][:-3], *person.aliases)}
    [note] = ws.index.notes(paths=[path])
    for entry in note.log:
        for link in entry.links:
            if name_key(link.rsplit("/", 1)[-1]) in names:
                return entry.line, link
    return None


# --- done -----------------------------------------------------------------------------------


@click.command()
@click.argument("name", shell_complete=complete_names)
@click.argument("text", nargs=-1)
@click.option("--rule", metavar="RULE", help="The item to end, when several are due: thank-you, nudge, follow-up...")
@as_of_option
@dry_run_option
@verbose_option
@click.pass_context
def done(ctx: click.Context, name: str, text: tuple[str, ...], rule: str | None, as_of: str | None,
         dry_run: bool, verbose: bool) -> None:
    """Mark NAME's earliest due follow-up done, by logging what ends it.

    A thank-you is ended by a `thanks` line; a nudge, referral, try-another,
    keep-in-touch or outreach by a `reached-out` line; a follow_up: date by a
    `note` line and clearing follow_up:. Then prints what is still due for NAME.
    """
    from .. import actions
    from ..rules import FOLLOW_UP, RULES, select_due
    from ..vault.edit import log_line

    if rule is not None and rule not in RULES:
        raise click.BadParameter(f"unknown rule {rule!r}; rules are: {', '.join(RULES)}", param_hint="--rule")
    today = _today(as_of)
    ws = open_workspace(ctx)
    contact = resolve(_contacts(ws, name), name)
    try:
        result = actions.done(ws, contact.path, today, rule=rule, text=" ".join(text), dry_run=dry_run)
    except actions.NothingDue as e:
        raise click.ClickException(terminal_safe(f"{e} is due for {contact.name}; nothing written (see `mdnet due --within 7d`)"))
    item = result.item
    extra = " and cleared follow_up" if item.rule == FOLLOW_UP else ""
    _report(ws, result.change, f'{item.rule} done: logged "{log_line(today, result.word, result.text)}"{extra}',
            dry_run=dry_run, verbose=verbose)
    if dry_run:
        return
    left = [i for i in select_due(ws.follow_ups(today), today) if i.path == contact.path]
    if not left:
        echo_safe(f"Nothing else due for {contact.name}.")
    for i in left:
        echo_safe(f"{i.due.isoformat()}  {i.rule:<14}  {i.reason}")


# --- open -----------------------------------------------------------------------------------


@click.command("open")
@click.argument("name", shell_complete=complete_names)
@click.option("--obsidian", is_flag=True, help="Open it in Obsidian (obsidian://open).")
@click.pass_context
def open_(ctx: click.Context, name: str, obsidian: bool) -> None:
    """Open NAME's note in $VISUAL or $EDITOR (or Obsidian); print its path otherwise."""
    import shlex
    import subprocess

    ws = open_workspace(ctx)
    contact = resolve(_contacts(ws, name), name)
    path = ws.root / contact.path
    if obsidian:
        from ..feed import note_link

        url = note_link(contact.path, "obsidian", ws.root.name)
        if url and click.launch(url) == 0:
            echo_safe(url)
            return
        raise click.ClickException(terminal_safe(f"could not open {url}; the note is {path}"))
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        echo_safe(str(path))
        return
    code = subprocess.call([*shlex.split(editor), str(path)])
    if code:
        raise click.ClickException(f"{editor} exited with status {code}")
    ws.refresh(paths=[contact.path])
