"""Reports as Markdown notes, with Mermaid diagrams Obsidian and GitHub draw.  Pure.

Weekly activity is an ``xychart-beta`` bar chart, referral chains a
``flowchart``, the pipeline's stages a ``pie``.  Each note opens with
frontmatter (``type: report``, so nothing mistakes it for a contact) and ends
its frontmatter with the digest :mod:`.stamp` uses to tell whether the user
edited it since.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from .activity import Activity
from .common import iso_week
from .favors import Favors
from .people_list import PeopleList
from .pipeline import STAGES, Pipeline
from .sources import Sources
from .stamp import stamp
from ..model import plural

MAX_EDGES = 400  # Mermaid refuses more than 500 edges by default; the rest is in the tables


def file_name(name: str, as_of: date) -> str:
    """``2026-W48 activity.md``."""
    return f"{iso_week(as_of)} {name}.md"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    if not rows:
        return []
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in r) + " |" for r in rows]
    return out


def _section(title: str, headers: list[str], rows: list[list[object]]) -> list[str]:
    """A heading and its table; nothing when there are no rows."""
    return ["", f"## {title}", "", *_table(headers, rows)] if rows else []


def _bars(title: str, axis: str, labels: list[str], values: list[int], goal: int = 0) -> list[str]:
    """A Mermaid bar chart (``xychart-beta``), with the goal as a line when there is one."""
    top = max([*values, goal, 1])
    quoted = ", ".join('"' + x + '"' for x in labels)
    out = ["", "```mermaid", "xychart-beta", f'    title "{title}"', f"    x-axis [{quoted}]",
           f'    y-axis "{axis}" 0 --> {top}', f"    bar [{', '.join(map(str, values))}]"]
    if goal:
        out.append(f"    line [{', '.join(str(goal) for _ in values)}]")
    return out + ["```"]


def _label(text: str) -> str:
    """A Mermaid label in double quotes: quotes and angle brackets as entities."""
    return '"' + text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") + '"'


def _note(name: str, as_of: date, title: str, body: list[str], extra: dict[str, str] | None = None) -> str:
    fm = ["---", "type: report", f"report: {name}", f"as_of: {as_of.isoformat()}"]
    fm += [f"{k}: {v}" for k, v in (extra or {}).items()]
    fm += ["tags: [mdnet-report]", "---"]
    text = "\n".join(fm) + "\n" + f"# {title}\n\n" + "\n".join(body).rstrip("\n") + "\n"
    return stamp(text)


def activity(a: Activity) -> str:
    body = []
    if a.goal_conversations or a.goal_outreach:
        body.append(f"Weekly goal: {a.goal_conversations} conversations and {a.goal_outreach} messages. "
                    f"Current streak: {a.current_streak} weeks (longest: {a.longest_streak}).")
    if a.slip:
        body += ["", f"> [!warning] {a.slip}"]
    if a.weeks:
        body += _bars("Conversations per week", "Conversations", [w.week[-3:] for w in a.weeks],
                      [w.conversations for w in a.weeks], a.goal_conversations)
    rows: list[list[object]] = [[w.week, w.conversations, w.people_met, w.outreach, w.replies, w.thanks, w.added,
                                 "yes" if w.kept else ""] for w in a.weeks]
    t = a.totals
    rows.append(["**total**", t.conversations, t.people_met, t.outreach, t.replies, t.thanks, t.added, ""])
    body += ["", *_table(["Week", "Conversations", "People met", "Outreach", "Replies", "Thanks", "Added", "Goal met"], rows)]
    return _note("activity", a.as_of, f"Activity, {a.since.isoformat()} to {a.until.isoformat()}", body,
                 {"since": a.since.isoformat(), "until": a.until.isoformat()})


def sources(s: Sources) -> str:
    body = [f"{plural(s.referred, 'person', 'people')} came to you through someone else ({plural(s.referrals, 'referral')})."]
    if s.trees:
        body += ["", "## Referral chains", "", "```mermaid", "flowchart TD"]
        ids: dict[str, str] = {}
        edges = 0

        def nid(key: str) -> str:
            if key not in ids:
                ids[key] = f"n{len(ids)}"
            return ids[key]

        for tree in s.trees:
            if edges >= MAX_EDGES:
                break
            path: list[str] = []  # the ancestors of the current node, by depth
            for n in tree.nodes:
                del path[n.depth:]
                me = nid(n.id)
                if not n.cycle:
                    company = f" ({n.company})" if n.company else ""
                    body.append(f"    {me}[{_label(n.name + company)}]")
                    if n.met:
                        body.append(f"    class {me} met")
                if path:
                    body.append(f"    {nid(path[-1])} --> {me}")
                    edges += 1
                    if edges >= MAX_EDGES:
                        break
                path.append(n.id)
        body += ["    classDef met stroke-width:3px", "```"]
        if edges >= MAX_EDGES:
            body.append(f"\n(The chart shows the first {MAX_EDGES} referrals; the table has every source.)")
    body += ["", "## Sources", ""]
    body += _table(["Source", "Direct", "Chain", "Met (direct)", "Met (chain)", "Share", "Target companies reached"],
                   [[x.name + ("" if x.in_vault else " (no note)"), x.direct, x.chain, x.direct_met, x.chain_met,
                     f"{x.share:.0%}", ", ".join(x.companies)] for x in s.sources])
    if s.cycles:
        body += ["", "## Cycles in referred_by", ""] + [f"- {' → '.join(c)} → {c[0]}" for c in s.cycles]
    if s.missing:
        body += ["", "## Referrers with no note", ""]
        body += [f"- {m.name}: referred {', '.join(m.referred)} ({', '.join(m.where)})" for m in s.missing]
    return _note("sources", date.fromisoformat(s.as_of), "Where my leads come from", body)


def pipeline(p: Pipeline) -> str:
    body = [f"You know someone at {p.targets_known} of your {p.targets} target companies."]
    counts = {st: 0 for st in STAGES}
    for c in p.companies:
        for x in c.people:
            counts[x.stage] += 1
    if any(counts.values()):
        body += ["", "```mermaid", "pie title Contacts by stage"]
        body += [f'    "{st}" : {n}' for st, n in counts.items() if n]
        body.append("```")
    nobody = [c for c in p.companies if c.target and not c.people]
    if nobody:
        body += ["", "## Ask for introductions to", ""] + [f"- {c.name}" + (f" ({c.note})" if c.note else "") for c in nobody]
    for title, target in (("Target companies", True), ("Other companies", False)):
        rows: list[list[object]] = []
        for c in p.companies:
            if c.target != target:
                continue
            for x in c.people:
                rows.append([c.name, f"[[{x.path[:-3]}|{x.name}]]", x.stage, x.last.isoformat() if x.last else "",
                             f"{x.next_due.isoformat()} {x.next_rule}" if x.next_due else ""])
        if rows:
            body += ["", f"## {title}", ""] + _table(["Company", "Contact", "Stage", "Last", "Next"], rows)
    return _note("pipeline", p.as_of, "Pipeline", body)


def people_list(x: PeopleList) -> str:
    body = [f"{x.people} of {x.goal} people on the list; {x.active} active, {x.knows_search} know you are "
            f"searching, {x.never_contacted} never contacted."]
    if x.added:
        body += _bars("People added per week", "People", [w.week[-3:] for w in x.added], [w.added for w in x.added])
    body += _section("By circle", ["Circle", "People"], [[c, n] for c, n in x.circles])
    return _note("list", x.as_of, "My list", body)


def favors(f: Favors) -> str:
    body = [f"{len(f.intros)} introductions made; {len(f.received)} people gave you their time or names."]
    balance = ["Contact", "Conversations", "Referrals", "Intros you made"]
    body += _section("Far on the receiving end", balance,
                     [[b.name, b.conversations, b.referrals, b.intros] for b in f.receiving_end])
    body += _section("What you offered", ["Contact", "Offer", "Last met", "Logged since"],
                     [[o.name, o.offer, o.last_met.isoformat() if o.last_met else "",
                       f"{o.since_kind} {o.since.isoformat()}" if o.since else "nothing"] for o in f.offers])
    body += _section("Introductions you made", ["Date", "Contact", "To", "What"],
                     [[i.date.isoformat(), i.name, ", ".join(i.to), i.text] for i in f.intros])
    body += _section("Help received", balance, [[b.name, b.conversations, b.referrals, b.intros] for b in f.received])
    if f.ask_about:
        body += ["", "## Ask about next time", ""]
        body += [f"- **{a.name}**: {'; '.join(a.items)}" for a in f.ask_about]
    return _note("favors", f.as_of, "The favor seesaw", body)


RENDERERS: dict[str, Callable[..., str]] = {
    "activity": activity, "sources": sources, "pipeline": pipeline, "list": people_list, "favors": favors,
}
