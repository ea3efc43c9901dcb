"""Reports as terminal text: aligned columns fitted to a width, colour optional.  Pure.

Plain aligned text, not a table library: importing `rich.console` and `rich.table`
measured 36 ms at best and 80-220 ms on the shared 2-core machine (mdnet's whole
``--help`` is ~100 ms), for layout this module does in a few lines.
Colour is ANSI codes, added only when the caller says the output is a terminal
and ``NO_COLOR`` is unset.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from ..dates import short_date
from .activity import Activity
from .favors import Favors
from .people_list import PeopleList
from .pipeline import MET_STAGE, NEVER, QUIET, REACHED, REPLIED_STAGE, Pipeline
from .pitch import Pitch
from .sources import Sources, Tree
from .update import Update
from ..model import plural

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
_HEAT = ("·", "░", "▒", "▓", "█")
_HEAT_COLOR = ("2", "38;5;151", "38;5;114", "38;5;71", "38;5;28")
_STAGE_COLOR = {MET_STAGE: "green", REPLIED_STAGE: "cyan", REACHED: "yellow", QUIET: "red", NEVER: "dim"}
TOP_ROWS = 15  # rows of a long list shown as text (--json and --md have them all)


class Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        return "".join(f"\033[{_CODES.get(s, s)}m" for s in styles) + text + "\033[0m"


def columns(rows: list[list[str]], headers: list[str], width: int, *, right: set[int] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Aligned columns; the last column is cut to fit ``width`` (with an ellipsis)."""
    if not rows:
        return []
    n = len(headers)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(n)]
    out = []
    for r in [headers, *rows]:
        cells = [(r[i].rjust(widths[i]) if i in right else r[i].ljust(widths[i])) for i in range(n - 1)]
        line = "  ".join([*cells, r[-1]]).rstrip()
        if len(line) > width > 10:
            line = line[: width - 1] + "…"
        out.append(line)
    return out


def wrap(text: str, width: int) -> list[str]:
    """Prose wrapped to the terminal's width (one list item per line)."""
    import textwrap

    return textwrap.wrap(text, width=max(20, width), break_on_hyphens=False) or [""]


def _day(d: date | None, as_of: date) -> str:
    return short_date(d, as_of) if d else "-"


# --- activity ------------------------------------------------------------------------------


def activity(a: Activity, width: int = 80, style: Style = Style(False)) -> str:
    out = [style(f"Activity, {short_date(a.since, a.as_of)} to {short_date(a.until, a.as_of)}", "bold")]
    goal = []
    if a.goal_conversations:
        goal.append(plural(a.goal_conversations, "conversation"))
    if a.goal_outreach:
        goal.append(plural(a.goal_outreach, "message"))
    if goal:
        out += wrap(f"Weekly goal: {' and '.join(goal)}.  Streak: {plural(a.current_streak, 'week')} "
                    f"(longest {a.longest_streak}).", width)
    if a.slip:
        out += [style(line, "yellow") for line in wrap(a.slip, width)]
    out.append("")
    out += heatmap(a, width, style)
    out.append("")
    shown = [w for w in a.weeks if w.conversations or w.outreach or w.replies or w.thanks or w.added][-TOP_ROWS:]
    rows = [[w.week, str(w.conversations), str(w.people_met), str(w.outreach), str(w.replies), str(w.thanks),
             str(w.added), "yes" if w.kept else ""] for w in shown]
    t = a.totals
    if rows:
        rows.append(["total", str(t.conversations), str(t.people_met), str(t.outreach), str(t.replies),
                     str(t.thanks), str(t.added), ""])
        out += columns(rows, ["week", "conversations", "people", "outreach", "replies", "thanks", "added", "goal met"],
                       width, right={1, 2, 3, 4, 5, 6})
        quiet = len(a.weeks) - len(shown)
        if quiet:
            out.append(style(f"({plural(quiet, 'other week')} of the period with nothing logged)", "dim"))
    else:
        out.append("Nothing logged in this period.")
    return "\n".join(out)


def heatmap(a: Activity, width: int = 80, style: Style = Style(False)) -> list[str]:
    """GitHub-style: one column a week, one row a weekday, one cell a day."""
    if not a.heatmap:
        return []
    first = a.heatmap[0][0]
    cols = (len(a.heatmap) + 6) // 7
    fit = max(1, (width - 5) // 2)
    skip = max(0, cols - fit)
    counts = dict(a.heatmap)
    top = max(counts.values()) or 1
    lines = []
    header = [" "] * ((cols - skip) * 2)
    last_month = None
    for c in range(skip, cols):
        d = first + timedelta(weeks=c)
        if d.month != last_month:
            label = d.strftime("%b")
            pos = (c - skip) * 2
            if all(ch == " " for ch in header[max(0, pos - 1):pos + len(label)]) and pos + len(label) <= len(header):
                header[pos:pos + len(label)] = list(label)
            last_month = d.month
    lines.append("     " + "".join(header).rstrip())
    for wd, name in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")):
        cells = []
        for c in range(skip, cols):
            d = first + timedelta(weeks=c, days=wd)
            if d not in counts:
                cells.append("  ")
                continue
            n = counts[d]
            level = 0 if n == 0 else min(4, 1 + (n - 1) * 4 // top)
            cell = _HEAT[level]
            cells.append((f"\033[{_HEAT_COLOR[level]}m{cell}\033[0m" if style.color else cell) + " ")
        lines.append(f"{name}  " + "".join(cells).rstrip())
    lines.append("     less " + " ".join(_HEAT) + " more")
    return lines


# --- sources -------------------------------------------------------------------------------


def sources(s: Sources, width: int = 80, style: Style = Style(False)) -> str:
    out = [style("Where your leads come from", "bold")]
    if not s.sources:
        out += wrap("No referrals yet. Ask everyone you talk to: \"Who else should I talk to?\", and write the "
                    "names in the log line ([[Name]]) or as referred_by: on the new note.", width)
        return "\n".join(out)
    out += wrap(f"{plural(s.referred, 'person', 'people')} came to you through someone else "
                f"({plural(s.referrals, 'referral')}).", width)
    top = s.sources[:2]
    share = sum(x.direct for x in top) / s.referrals if s.referrals else 0
    if len(s.sources) > 2:
        out += wrap(f"{' and '.join(x.name for x in top)} gave you {share:.0%} of them: thank them, and keep "
                    "them posted.", width)
    out.append("")
    rows = [[x.name + ("" if x.in_vault else " (no note)"), str(x.direct), str(x.chain), str(x.direct_met),
             f"{x.share:.0%}", ", ".join(x.companies)] for x in s.sources[:TOP_ROWS]]
    out += columns(rows, ["source", "direct", "chain", "met", "share", "target companies reached"], width,
                   right={1, 2, 3, 4})
    if len(s.sources) > TOP_ROWS:
        out.append(style(f"(and {plural(len(s.sources) - TOP_ROWS, 'more source')}: --json or --md for all)", "dim"))
    out += ["", style("Referral chains", "bold")]
    for tree in s.trees[:5]:
        out += _tree_lines(tree, width, style)
    if len(s.trees) > 5:
        out.append(style(f"(and {plural(len(s.trees) - 5, 'more chain')})", "dim"))
    if s.cycles:
        out += [""] + [style(line, "yellow") for line in wrap(
            "Cycles in referred_by (each names the other; one of them is wrong):", width)]
        out += [f"  {' -> '.join(c)} -> {c[0]}" for c in s.cycles]
    if s.missing:
        out += [""] + wrap("Referrers with no note (create one to follow up with them too):", width)
        for m in s.missing:
            out.append(f"  {m.name}: referred {', '.join(m.referred)}  ({m.where[0]})")
    return "\n".join(out)


def _tree_lines(tree: Tree, width: int, style: Style, limit: int = 40) -> list[str]:
    """The tree drawn with box lines; at most ``limit`` lines (the rest is counted)."""
    lines: list[str] = []
    open_: list[bool] = []  # per depth: does the ancestor at that depth have siblings still to come?
    for n in tree.nodes[:limit]:
        del open_[n.depth:]
        prefix = "".join("│  " if o else "   " for o in open_[1:])
        head = "" if n.depth == 0 else prefix + ("└─ " if n.last else "├─ ")
        bits = [n.name]
        if n.company:
            bits.append(style(f"({n.company})", "dim"))
        if n.cycle:
            bits.append(style("(cycle: again)", "yellow"))
        elif n.met:
            bits.append(style("met", "green"))
        line = head + " ".join(bits)
        lines.append(line)
        open_.append(not n.last)
    if len(tree.nodes) > limit:
        lines.append(style(f"   ... and {len(tree.nodes) - limit} more in this chain (--md draws it)", "dim"))
    return lines


# --- pipeline ------------------------------------------------------------------------------


def pipeline(p: Pipeline, width: int = 80, style: Style = Style(False)) -> str:
    out = [style("Pipeline", "bold")]
    if p.targets:
        out += wrap(f"You know someone at {p.targets_known} of your "
                    f"{plural(p.targets, 'target company', 'target companies')}.", width)
    else:
        out += wrap("Profile.md lists no companies you would love an introduction to: add some under "
                    "\"## Companies I'd love an introduction to\".", width)
    nobody = [c for c in p.companies if c.target and not c.people]
    if nobody:
        out += ["", style("Ask for introductions to (nobody there yet):", "yellow")]
        out += [f"  {c.name}" + (f" ({c.note})" if c.note else "") for c in nobody]
    shown = [c for c in p.companies if c.people]
    targets = [c for c in shown if c.target]
    others = [c for c in shown if not c.target]
    for title, group in (("Target companies", targets), ("Other companies", others[:TOP_ROWS])):
        if not group:
            continue
        out += ["", style(title, "bold")]
        rows = []
        for c in group:
            for i, x in enumerate(c.people):
                nxt = f"{_day(x.next_due, p.as_of)} {x.next_rule}" if x.next_due else ""
                rows.append([c.name if i == 0 else "", x.name + ("" if x.status == "active" else f" ({x.status})"),
                             style(x.stage, _STAGE_COLOR[x.stage]), _day(x.last, p.as_of), nxt])
        out += columns(rows, ["company", "contact", "stage", "last", "next"], width)
    if len(others) > TOP_ROWS:
        out.append(style(f"(and {plural(len(others) - TOP_ROWS, 'more company', 'more companies')}: --json or --md for all)", "dim"))
    return "\n".join(out)


# --- list ----------------------------------------------------------------------------------


def people_list(x: PeopleList, width: int = 80, style: Style = Style(False)) -> str:
    out = [style("Your list", "bold")]
    bar_w = max(10, min(40, width - 30))
    done = min(bar_w, x.people * bar_w // x.goal) if x.goal else bar_w
    out.append(f"{x.people} of {x.goal} people  [{style('#' * done, 'green')}{'.' * (bar_w - done)}]")
    if x.people < x.goal:
        out += wrap(f"{x.goal - x.people} to go: coworkers, classmates, neighbours, your dentist. "
                    "Don't leave anyone out.", width)
    out += wrap(f"{x.active} active; {x.knows_search} know you are searching; {x.never_contacted} never contacted.", width)
    if x.circles:
        out += ["", style("By circle", "bold")]
        out += columns([[c, str(n)] for c, n in x.circles[:TOP_ROWS]], ["circle", "people"], width, right={1})
    out += ["", style("Added per week", "bold")]
    rows = [[w.week, str(w.added), "#" * min(w.added, width - 20)] for w in x.added if w.added]
    out += columns(rows, ["week", "added", ""], width, right={1}) if rows else ["None added in this period."]
    return "\n".join(out)


# --- favors --------------------------------------------------------------------------------


def favors(f: Favors, width: int = 80, style: Style = Style(False)) -> str:
    out = [style("The favor seesaw", "bold")]
    out += wrap(f"You made {plural(len(f.intros), 'introduction')}; "
                f"{plural(len(f.received), 'person', 'people')} gave you their time or names.", width)
    if f.receiving_end:
        out += ["", style("Far on the receiving end (give something back):", "yellow")]
        out += columns([[b.name, str(b.conversations), str(b.referrals), str(b.intros)] for b in f.receiving_end[:TOP_ROWS]],
                       ["contact", "conversations", "referrals", "intros you made"], width, right={1, 2, 3})
    if f.offers:
        out += ["", style("What you offered", "bold")]
        rows = []
        for o in f.offers[:TOP_ROWS]:
            state = (f"logged {o.since_kind} {_day(o.since, f.as_of)}" if o.since
                     else style("nothing logged since", "yellow") if o.last_met else "")
            rows.append([o.name, o.offer, _day(o.last_met, f.as_of), state])
        out += columns(rows, ["contact", "offer", "last met", "since"], width)
    if f.intros:
        out += ["", style("Introductions you made", "bold")]
        out += columns([[_day(i.date, f.as_of), i.name, ", ".join(i.to), i.text] for i in f.intros[:TOP_ROWS]],
                       ["date", "contact", "to", "what"], width)
    if f.ask_about:
        out += ["", style("Ask about next time", "bold")]
        out += columns([[a.name, _day(a.next_due, f.as_of), "; ".join(a.items)] for a in f.ask_about[:TOP_ROWS]],
                       ["contact", "next", "ask about"], width)
    return "\n".join(out)


# --- pitch and update ----------------------------------------------------------------------


def pitch(p: Pitch, width: int = 80, style: Style = Style(False)) -> str:
    out = []
    if p.text:
        import textwrap

        for para in p.text.split("\n"):
            out += textwrap.wrap(para, width=max(20, min(width, 100) - 2), initial_indent="> ", subsequent_indent="> ")
        out.append("")
        over = p.seconds > 30
        out.append(f"{p.words} words, about {style(f'{p.seconds} seconds', 'red' if over else 'green')} spoken "
                   "(at 150 words a minute).")
    for w in p.warnings:
        out += [style(line, "yellow") for line in wrap(f"warning: {w}", width)]
    return "\n".join(out)


def update(u: Update, as_of: date, style: Style = Style(False)) -> list[str]:
    out = [f"{plural(len(u.recipients), 'recipient')} in Bcc"]
    if u.no_email:
        out.append(style(f"No email for {', '.join(r.name for r in u.no_email)}: reach them another way.", "yellow"))
    if not u.sender:
        out.append(style("Add email: (and name:) to Profile.md's frontmatter to fill in From.", "dim"))
    return out


RENDERERS: dict[str, Callable[..., str]] = {
    "activity": activity, "sources": sources, "pipeline": pipeline, "list": people_list, "favors": favors,
}
