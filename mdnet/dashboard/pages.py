"""Each dashboard page's data, from what the commands already compute.  Pure.

The dashboard is one more renderer: Today is ``due``'s items, Contact is
``prep``'s brief and ``show``'s log, Habit/Sources/Pipeline/List are the
reports of ``mdnet report``.  Every ``.json`` twin is exactly the JSON the
CLI's ``--json`` prints for the same question, so scripts can use either.
What this module adds is only what a page needs around that data: the
filters read from the URL, and the pipeline's companies grouped by stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from ..model import Contact, FollowUp, Vault, name_key
from ..prep import Brief, brief_json
from ..query.contacts import Shown
from ..reports.common import Inputs, key_of, to_json
from ..reports.pipeline import _ORDER, NEVER, STAGES, Company, Pipeline
from ..reports.sources import TreeNode
from ..rules import select_due

__all__ = ["Filters", "board", "contact_json", "parse_filters", "today", "today_json", "NOBODY"]

#: The board's first column: target companies where you know nobody yet (ask for intros there).
NOBODY = "know nobody yet"


@dataclass(frozen=True)
class Filters:
    """What the URL's query asks to narrow a page to (empty: everything)."""

    circle: str = ""
    tag: str = ""
    company: str = ""
    since: date | None = None
    until: date | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)  # what could not be read, for the page

    @property
    def people(self) -> bool:
        """Does a filter pick people (so vault-wide items such as the monthly update drop out)?"""
        return bool(self.circle or self.tag or self.company)

    def query(self) -> dict[str, str]:
        """The filters as URL query parameters (for links that keep them)."""
        out = {"circle": self.circle, "tag": self.tag, "company": self.company,
               "since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in out.items() if v}

    def inputs(self, inputs: Inputs) -> Inputs:
        """A report's inputs narrowed to these filters: the date range, and with a people
        filter only the contacts it keeps (their interactions and follow-ups)."""
        if not self.people:
            return replace(inputs, since=self.since, until=self.until)
        vault = narrow(inputs.vault, self)
        paths = {c.path for c in vault.contacts}
        return replace(inputs, vault=vault, since=self.since, until=self.until,
                       items=tuple(i for i in inputs.items if i.path in paths))


def parse_filters(query: Mapping[str, Sequence[str]]) -> Filters:
    """``?circle=friend&tag=design&company=Acme&since=2026-06-01&until=2026-11-30``.

    The last value of a repeated key wins.  A date that is not YYYY-MM-DD, or a
    range that ends before it starts, is dropped and named in ``problems``
    (shown on the page, never silently ignored)."""
    def one(key: str) -> str:
        values = query.get(key) or [""]
        return " ".join(values[-1].split())[:200]

    problems: list[str] = []
    days: dict[str, date | None] = {}
    for key in ("since", "until"):
        text = one(key)
        days[key] = None
        if text:
            try:
                days[key] = date.fromisoformat(text)
            except ValueError:
                problems.append(f"{key}={text!r} is not a date (write YYYY-MM-DD); ignored")
    since, until = days["since"], days["until"]
    if since and until and since > until:
        problems.append("since is after until; the date range is ignored")
        since = until = None
    return Filters(circle=one("circle").lower(), tag=one("tag").lstrip("#").lower(), company=one("company"),
                   since=since, until=until, problems=tuple(problems))


def keeps(contact: Contact | None, f: Filters) -> bool:
    """Does a contact pass the people filters (circle, tag, company: any case)?"""
    if not f.people:
        return True
    if contact is None:
        return False
    if f.circle and f.circle not in contact.circles:
        return False
    if f.tag and f.tag not in {t.lstrip("#").lower() for t in contact.tags}:
        return False
    if f.company and key_of(contact.company) != key_of(f.company):
        return False
    return True


def narrow(vault: Vault, f: Filters) -> Vault:
    """The vault seen through the people filters: only the contacts they keep, and
    those contacts' interactions (referrals and notes stay, for names)."""
    if not f.people:
        return vault
    kept = tuple(c for c in vault.contacts if keeps(c, f))
    paths = {c.path for c in kept}
    return replace(vault, contacts=kept, interactions={p: v for p, v in vault.interactions.items() if p in paths})


#: Reports a people filter narrows (sources follows referrals across people, so it is shown whole).
NARROWED = ("activity", "pipeline", "list")


def today(vault: Vault, items: Iterable[FollowUp], as_of: date, f: Filters = Filters()) -> list[FollowUp]:
    """What ``mdnet due`` lists (due by ``as_of``, overdue first), narrowed by the filters."""
    due = select_due(list(items), as_of)
    if not f.people:
        return due
    by_path = {c.path: c for c in vault.contacts}
    return [i for i in due if keeps(by_path.get(i.path or ""), f)]


def today_json(items: Iterable[FollowUp]) -> list[dict[str, Any]]:
    """``mdnet due --json``."""
    return [i.to_json() for i in items]


def contact_json(brief: Brief, shown: Shown, tree: Sequence[TreeNode] = ()) -> dict[str, Any]:
    """``{"brief": mdnet prep --json, "contact": mdnet show --json, "referral_tree": [...]}``:
    the tree's lines as ``mdnet report sources --json`` writes a tree's nodes (see
    :func:`mdnet.reports.sources.around`)."""
    return {"brief": brief_json(brief), "contact": shown.to_json(), "referral_tree": to_json(list(tree))}


def find_contact(vault: Vault, path: str) -> Contact | None:
    """The contact whose note is at ``path`` (exactly), or None."""
    return next((c for c in vault.contacts if c.path == path), None)


def company_stage(company: Company) -> str:
    """Where a company stands on the board: its furthest contact's stage (met, replied,
    reached out, gone quiet, never contacted); a target where you know nobody is :data:`NOBODY`."""
    if not company.people:
        return NOBODY
    return min((p.stage for p in company.people), key=lambda s: _ORDER.get(s, len(_ORDER)))


def board(pipeline: Pipeline, f: Filters = Filters()) -> list[tuple[str, list[Company]]]:
    """The pipeline's target companies as columns: know nobody yet, then each stage
    (never contacted ... gone quiet), in the report's order within a column.
    With a company filter, only that company."""
    columns: dict[str, list[Company]] = {NOBODY: [], **{s: [] for s in STAGES}}
    for c in pipeline.companies:
        if not c.target:
            continue
        if f.company and name_key(key_of(c.name) or "") != name_key(key_of(f.company) or ""):
            continue
        columns.setdefault(company_stage(c), []).append(c)
    return list(columns.items())


__all__ += ["NEVER", "company_stage", "find_contact", "keeps"]
