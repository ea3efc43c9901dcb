"""Commands over the notes themselves: init, index, check, list, show, search."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from .common import echo_json, echo_safe, json_option, loaded, open_workspace, progress_bar, refreshed, scan_line, table, terminal_safe


def template_dir() -> Path:
    """The starter vault: beside the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "vault-template", here / "vault_template"):
        if (candidate / "mdnet.toml").is_file():
            return candidate
    raise click.ClickException("the starter vault (vault-template/) is missing from this installation")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--here", is_flag=True, help="Make the current folder a vault even if it holds other files.")
@json_option
def init(directory: Path | None, here: bool, as_json: bool) -> None:
    """Create a vault in DIRECTORY (default: here) from the starter template.

    Copies mdnet.toml, Profile.md, Templates/ and a few example contacts.
    Files that already exist are left exactly as they are, so it is safe to
    run in an existing Obsidian vault. With no DIRECTORY, in a folder that
    holds other files and is not a vault yet, it asks first (or needs --here).
    """
    if directory is None:
        directory = Path(".")
        if not here and _needs_consent(directory):
            where = str(directory.resolve())
            if not sys.stdin.isatty():
                raise click.ClickException(f"{where} holds other files and is not a vault; name a folder "
                                           "(`mdnet init ~/Notes`) or pass --here to make this one a vault")
            if not click.confirm(f"{where} holds other files and is not a vault. Make it a vault?", err=True):
                raise click.ClickException("nothing created; name a folder: `mdnet init ~/Notes`")
    src = template_dir()
    created, kept = [], []
    for folder, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in (".mdnet", "__pycache__"))
        rel_folder = Path(folder).relative_to(src)
        for name in sorted(files):
            rel = rel_folder / name
            target = directory / rel
            if target.exists():
                kept.append(rel.as_posix())
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(Path(folder) / name, "rb") as fin, open(target, "xb") as fout:
                shutil.copyfileobj(fin, fout)
            created.append(rel.as_posix())
    if as_json:
        echo_json({"vault": str(directory.resolve()), "created": created, "kept": kept})
        return
    for rel in created:
        click.echo(f"created {rel}")
    for rel in kept:
        click.echo(f"kept    {rel} (already there)")
    click.echo(f"\nYour vault is {directory.resolve()}. Next: edit Profile.md, add people to People/, then `mdnet due`.")


def _needs_consent(folder: Path) -> bool:
    """A folder that holds files but is not a vault (say, a home folder): init asks first."""
    from ..config import CONFIG_NAME

    if (folder / CONFIG_NAME).is_file() or (folder / ".obsidian").is_dir():
        return False
    with os.scandir(folder) as entries:
        return any(not e.name.startswith(".") for e in entries)


@click.command()
@click.option("--full", is_flag=True, help="Forget the cache and read every note again.")
@json_option
@click.pass_context
def index(ctx: click.Context, full: bool, as_json: bool) -> None:
    """Update the index of the vault (only changed notes are read).

    The index lives in .mdnet/ inside the vault; it is a cache, safe to delete.
    """
    ws = open_workspace(ctx)
    if full:
        from ..index import delete_index

        ws.close()
        delete_index(ws.root)
    with scan_line() as scanned:
        stats = ws.refresh(progress=progress_bar(), scanned=scanned)
    if as_json:
        echo_json(stats.to_json())
        return
    from ..model import plural

    click.echo(
        f"{plural(stats.notes, 'note')}, {plural(stats.contacts, 'contact')}, "
        f"{plural(stats.interactions, 'interaction')}, {plural(stats.errors, 'error')}, "
        f"{plural(stats.warnings, 'warning')} "
        f"({stats.added} added, {stats.changed} changed, {stats.removed} removed; {stats.elapsed_ms / 1000:.2f} s)"
    )
    if stats.errors:
        click.echo("Run `mdnet check` to see the errors.", err=True)


@click.command()
@click.option("--errors-only", is_flag=True, help="Leave warnings out.")
@json_option
@click.pass_context
def check(ctx: click.Context, errors_only: bool, as_json: bool) -> None:
    """Report every problem in the notes as PATH:LINE: severity: message.

    Exits 1 when there is at least one error, 0 otherwise (warnings alone do
    not fail), so it fits a git pre-commit hook or CI.
    """
    from ..query import problems

    data = loaded(ctx, report_config=False)  # the settings' problems are part of this report
    # rule_diagnostics: contacts the rules had to leave out (rules-failed), as of today
    found = problems([*data.diagnostics, *data.rule_diagnostics], errors_only=errors_only)
    if as_json:
        echo_json(found.to_json())
    else:
        for d in found.diagnostics:
            echo_safe(d)
        from ..model import plural

        click.echo(f"{plural(len(data.vault.notes), 'note')} checked: {plural(found.errors, 'error')}, "
                   f"{plural(found.warnings, 'warning')}", err=True)
    sys.exit(1 if found.errors else 0)


@click.command("list")
@click.option("--tag", multiple=True, help="Only contacts with this tag (repeat for any of several).")
@click.option("--circle", multiple=True, help="Only contacts in this circle (repeat for any of several).")
@click.option("--status", multiple=True, help="Only contacts with this status (active, paused, do-not-contact, archived).")
@json_option
@click.pass_context
def list_(ctx: click.Context, tag: tuple[str, ...], circle: tuple[str, ...], status: tuple[str, ...], as_json: bool) -> None:
    """List contacts with their company and last interaction."""
    from ..query import list_contacts, unused_filter_values

    vault = loaded(ctx).vault
    rows = list_contacts(vault, tags=tag, circles=circle, statuses=status)
    if as_json:
        echo_json([r.to_json() for r in rows])
        return
    if not rows:
        if not (tag or circle or status):
            click.echo("No contacts yet: add notes to People/ (or give a note `type: person`).", err=True)
            return
        click.echo("No contacts match.", err=True)
        for flag, unknown, in_use in unused_filter_values(vault, tags=tag, circles=circle, statuses=status):
            click.echo(f"No contact has {flag} {', '.join(unknown)}; the values in use are: "
                       f"{', '.join(in_use) if in_use else 'none yet'}", err=True)
        return
    click.echo(table([[r.contact.name, r.contact.company or "", r.last.date.isoformat() if r.last else "-",
                       r.last.kind if r.last else "", "" if r.contact.status == "active" else r.contact.status]
                      for r in rows],
                     ["NAME", "COMPANY", "LAST", "KIND", "STATUS"]))


@click.command()
@click.argument("name")
@json_option
@click.pass_context
def show(ctx: click.Context, name: str, as_json: bool) -> None:
    """Show one contact: properties, log, and the referrals in and out.

    NAME matches case-insensitively a name, file name or alias, or a unique
    beginning of one ("ana" finds "Ana Lopez" if no one else starts so).
    """
    from ..query import find_contacts, find_new_names, names_exactly, show_contact

    here = loaded(ctx)
    vault = here.vault
    found = find_contacts(vault, name)
    news = find_new_names(vault, name)
    if news and not (len(found) == 1 and names_exactly(found[0], name)):
        # A name with no note yet must not be silently answered by another contact ("pat": Nina Patel).
        lines = [f"  {c.name}  ({c.path})" for c in found[:20]]
        lines += [f"  {r.contact}  (no note yet: {r.referrer_name} suggested them"
                  f"{' on ' + r.date.isoformat() if r.date else ''}, {r.source}:{r.line})" for r in news]
        if not found and len(news) == 1:
            r = news[0]
            folder = (here.config["vault.people_folders"] or ["People"])[0].rstrip("/")
            raise click.ClickException(f"{r.contact} has no note yet ({r.referrer_name} suggested them in "
                                       f"{r.source}:{r.line}); create one, e.g. {folder}/{r.contact}.md")
        raise click.ClickException(f"{name!r} matches {len(lines)} people; say which:\n" + "\n".join(lines))
    if not found:
        raise click.ClickException(f"no contact matches {name!r} (try `mdnet search {name}`)")
    if len(found) > 1:
        lines = "\n".join(terminal_safe(f"  {c.name}  ({c.path})") for c in found[:20])
        raise click.ClickException(f"{name!r} matches {len(found)} contacts; say which:\n{lines}")
    shown = show_contact(vault, found[0])
    if as_json:
        echo_json(shown.to_json())
        return
    c, log, refs, sent = shown.contact, shown.log, shown.referred_by, shown.referred
    click.echo(click.style(terminal_safe(c.name), bold=True) + terminal_safe(f"  ({c.path})"))
    fields = [("company", c.company), ("role", c.role), ("email", ", ".join(c.emails)), ("phone", c.phone),
              ("linkedin", c.linkedin), ("circles", ", ".join(c.circles)), ("tags", ", ".join(c.tags)),
              ("status", c.status if c.status != "active" else None), ("how met", c.how_met),
              ("met", c.met), ("added", c.added), ("cadence", c.cadence), ("follow up", c.follow_up),
              ("snoozed until", c.snooze_until), ("next step", c.next_step),
              ("knows you're looking", {True: "yes", False: "no"}.get(c.knows_search))]
    for label, value in fields:
        if value:
            echo_safe(f"  {label + ':':<14} {value}")
    for label, items in (("ask about", c.ask_about), ("offered", c.offers)):
        for item in items:
            echo_safe(f"  {label + ':':<14} {item}")
    for key, value in c.extra.items():
        if key != "type":
            echo_safe(f"  {key + ':':<14} {value}")
    if refs:
        seen: set[str] = set()
        names = []
        for r in refs:  # dated log lines first; referred_by: repeats them
            if r.referrer_name not in seen:
                seen.add(r.referrer_name)
                names.append(r.referrer_name + (f" ({r.date.isoformat()})" if r.date else ""))
        echo_safe("Referred by: " + ", ".join(names))
    if sent:
        names = []
        for n, d, has in sent:
            extra = [x for x in (d, None if has else "no note yet") if x]
            names.append(n + (f" ({', '.join(extra)})" if extra else ""))
        echo_safe("Referred you to: " + ", ".join(names))
    if log:
        click.echo("Log:")
        for i in log:
            where = "" if i.source == c.path else f"  [{i.source}]"
            echo_safe(f"  {i.raw}{where}")
    else:
        click.echo("Log: nothing yet")


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, help="At most this many results.")
@json_option
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Full-text search over names, properties and note bodies.

    Words match as prefixes and all must appear ("fin hir" finds "fintech
    hiring"); "exact phrase"; -word leaves out notes with the word; C++,
    node.js and O'Brien match as written. FTS5 syntax (OR, NEAR, name:ana)
    works too.
    """
    ws = refreshed(ctx)
    q = " ".join(query)
    try:
        hits = ws.index.search(q, limit=limit)
    except ValueError as e:
        raise click.ClickException(str(e))
    if as_json:
        echo_json([{"path": p, "name": n, "snippet": s} for p, n, s in hits])
        return
    if not hits:
        echo_safe(f"Nothing matches {q!r}.", err=True)
        return
    for p, n, s in hits:
        echo_safe(f"{n}  ({p})")
        echo_safe("    " + " ".join(s.split()))
