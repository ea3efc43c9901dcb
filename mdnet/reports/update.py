"""``mdnet update``: the monthly update to everyone you have talked to.  Pure.

:func:`build` gathers what the draft says (what you did since your last update,
what you are pursuing, the companies you would love an introduction to, your
ask, the people to thank) and to whom it goes (everyone you have met who has an
email, minus paused, do-not-contact and archived contacts; those with no email
are listed so you can reach them another way).  :func:`markdown` writes it as
a note the user edits freely; :func:`eml` turns that note, edited or not, into
a standard RFC 5322 draft (UTF-8, ``X-Unsent: 1``, recipients in ``Bcc``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ..config import Config
from ..dates import MONTH_NAMES, next_month, short_date
from ..model import MET, REACHED_OUT, REPLIED, UPDATE, Contact, Vault
from ..rules import company_text_key, update_month
from .common import Inputs, first_name
from .stamp import stamp


@dataclass(frozen=True, slots=True)
class Recipient:
    path: str
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Update:
    month: str  # YYYY-MM: the month the update is sent in (the monthly-update item's month)
    since: date  # the day after the last update sent before this month, else the 1st of the month before
    until: date
    last_update: date | None
    subject: str
    sender: str | None  # "Name <address>" from Profile.md's name: and email:, if given
    recipients: tuple[Recipient, ...]  # with an email: they go in Bcc
    no_email: tuple[Recipient, ...]  # met, but no email on file
    conversations: int
    people_met: int
    companies: tuple[str, ...]  # companies of the people you met or wrote to in the period
    helpers: tuple[str, ...]  # first names of the people who gave you time or names in the period
    target_role: str | None
    industries: tuple[str, ...]
    geography: str | None
    targets: tuple[str, ...]  # "Fabrikam (payments platform team)"
    ask: str


def month_of(text: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:  # the calendar starts in year 1
        return None
    return int(m.group(1)), int(m.group(2))


def matches(c: Contact, filters: tuple[str, ...]) -> bool:
    """``--to``: a circle, a tag (with or without ``#``), a company or a name, any case."""
    if not filters:
        return True
    keys = {x.casefold() for x in (*c.circles, *(t.lstrip("#") for t in c.tags), c.name, *c.aliases)}
    if c.company:
        keys.add(company_text_key(c.company) or "")
    return any(" ".join(f.lstrip("#").split()).casefold() in keys for f in filters)


def build(inp: Inputs, month: tuple[int, int] | None = None, to: tuple[str, ...] = ()) -> Update:
    vault, profile, as_of = inp.vault, inp.profile, inp.as_of
    year, mon = month or (as_of.year, as_of.month)
    first = date(year, mon, 1)
    after = next_month(year, mon)
    last_day = date(after[0], after[1], 1) - timedelta(days=1) if after else date.max  # December 9999 ends the calendar
    updates = [i.date for log in vault.interactions.values() for i in log if i.kind == UPDATE and i.date < first]
    last_update = max(updates, default=None)
    py, pm = (year - 1, 12) if mon == 1 else (year, mon - 1)
    since = inp.since or (last_update + timedelta(days=1) if last_update else date(py, pm, 1))
    until = min(inp.until or last_day, as_of)

    recipients: list[Recipient] = []
    no_email: list[Recipient] = []
    met_events: set[tuple[str, int]] = set()
    people: set[str] = set()
    companies: dict[str, str] = {}
    helpers: dict[str, str] = {}
    for c in vault.contacts:
        log = vault.interactions.get(c.path, ())
        if c.active and matches(c, to) and any(i.kind == MET and i.date <= until for i in log):
            (recipients if c.emails else no_email).append(Recipient(c.path, c.name, c.emails[0] if c.emails else None))
        for i in log:
            if not since <= i.date <= until:
                continue
            if i.kind == MET:
                met_events.add((i.source, i.line))
                people.add(c.path)
                helpers.setdefault(c.path, c.name)
            if i.kind in (MET, REACHED_OUT, REPLIED) and c.company:
                companies.setdefault(company_text_key(c.company) or "", c.company.strip())
    for refs in vault.referrals.values():
        for r in refs:
            if r.referrer and r.date and since <= r.date <= until:
                helpers.setdefault(r.referrer, r.referrer_name)
    by_name = sorted(helpers.values(), key=str.casefold)
    sender = None
    if profile.email:
        sender = f"{profile.name} <{profile.email}>" if profile.name else profile.email
    return Update(
        month=f"{year:04d}-{mon:02d}", since=since, until=until, last_update=last_update,
        subject=f"Job search update: {MONTH_NAMES[mon - 1]} {year}", sender=sender,
        recipients=tuple(sorted(recipients, key=lambda r: r.name.casefold())),
        no_email=tuple(sorted(no_email, key=lambda r: r.name.casefold())),
        conversations=len(met_events), people_met=len(people),
        companies=tuple(sorted(companies.values(), key=str.casefold)),
        helpers=tuple(dict.fromkeys(first_name(n) for n in by_name)),
        target_role=profile.target_role, industries=profile.industries, geography=profile.geography,
        targets=tuple(f"{t.name} ({t.note})" if t.note else t.name for t in profile.targets), ask=profile.ask)


def _list(items: tuple[str, ...] | list[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def markdown(u: Update, as_of: date) -> str:
    """The draft as a note: frontmatter with subject and recipients, the letter as the body."""
    fm = ["---", f"subject: {_q(u.subject)}", f"month: {_q(u.month)}"]
    if u.sender:
        fm.append(f"from: {_q(u.sender)}")
    fm.append("bcc:" if u.recipients else "bcc: []")
    fm += [f"  - {_q(f'{r.name} <{r.email}>')}" for r in u.recipients]
    if u.no_email:
        fm.append("no_email:")
        fm += [f"  - {_q(r.name)}" for r in u.no_email]
    fm += ["tags: [mdnet-update]", "---"]
    since = f"my last update on {short_date(u.last_update, as_of)}" if u.last_update else short_date(u.since, as_of)
    body = [
        "%% Drafted by `mdnet update`. Edit anything: the subject and the Bcc list above, the letter below.",
        "Run `mdnet update` again to rebuild the .eml from your text (your edits are kept). %%",
        "",
        "Hi all,",
        "",
        f"A short update on my job search since {since}, and thank you for your help so far.",
        "",
        "## What I've been doing",
        "",
    ]
    if u.conversations:
        body.append(f"- {u.conversations} conversation{'s' if u.conversations != 1 else ''} "
                    f"with {u.people_met} {'person' if u.people_met == 1 else 'people'}.")
    else:
        body.append("- (Write what you did this month: research, applications, events.)")
    if u.companies:
        body.append(f"- Companies I explored: {_list(u.companies)}.")
    if u.helpers:
        body.append(f"- Special thanks to {_list(u.helpers)} for their time and advice.")
    body += ["", "## What I'm looking for", ""]
    looking = u.target_role or "(your target role, from Profile.md)"
    if u.industries:
        looking += f", in {_list(u.industries)}"
    if u.geography:
        looking += f"; {u.geography}"
    body.append(looking.rstrip(".") + ".")
    if u.targets:
        body += ["", "## Companies I'd love an introduction to", ""]
        body += [f"- {t}" for t in u.targets]
    body += ["", "## How you can help", ""]
    body.append(u.ask or "If someone comes to mind I should talk to, I'd be grateful for an introduction.")
    body += ["", "Thank you again, and I'm always glad to return the favour.", ""]
    return stamp("\n".join(fm) + "\n" + "\n".join(body))


_COMMENT = re.compile(r"%%.*?%%\n?", re.S)


def _address(text: str) -> str:
    from email.utils import formataddr, parseaddr

    name, addr = parseaddr(text)
    if not addr or "@" not in addr:
        addr, name = text.strip(), ""  # not an address: left for the mail client to show
    return formataddr((name, addr), charset="utf-8")


def eml(note_text: str, config: Config, as_of: date, path: str = "Updates/draft.md") -> bytes:
    """An RFC 5322 draft from the update note's text, as the user left it.

    The subject, From and Bcc come from the frontmatter (``subject``, ``from``,
    ``bcc``); the body is the note's text with Obsidian comments (``%% %%``)
    and the digest removed.  ``X-Unsent: 1`` makes Outlook and Apple Mail open
    it as a draft to send.
    """
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime

    from ..vault.parse import parse_note

    note = parse_note(path, note_text.encode("utf-8"), config)
    props = note.properties
    msg = EmailMessage(policy=SMTP.clone(refold_source="none"))  # Bcc is folded below, by hand
    subject = props.get("subject")
    msg["Subject"] = subject if isinstance(subject, str) else "Job search update"
    sender = props.get("from")
    if isinstance(sender, str) and sender.strip():
        msg["From"] = sender.strip()
        msg["To"] = sender.strip()  # to yourself; everyone else in Bcc, so nobody sees the others
    bcc = props.get("bcc")
    addresses = [b.strip() for b in (bcc if isinstance(bcc, list) else [bcc] if isinstance(bcc, str) else [])
                 if isinstance(b, str) and b.strip()]
    if addresses:
        # Folded by hand, one address a line (RFC 2047 for non-ASCII names): the email
        # package parses and refolds an address header in quadratic time (20 s for 7,000
        # addresses); set_raw keeps these lines as they are, each well under 78 characters.
        msg.set_raw("Bcc", ",\r\n ".join(_address(a) for a in addresses))
    msg["Date"] = format_datetime(datetime(as_of.year, as_of.month, as_of.day, 9, 0, tzinfo=timezone.utc))
    msg["X-Unsent"] = "1"
    body = _COMMENT.sub("", note.body).strip("\n") + "\n"
    msg.set_content(body, charset="utf-8")
    return msg.as_bytes()


@dataclass(frozen=True, slots=True)
class SentPlan:
    """What ``mdnet update --sent`` does, read from the draft as the user left it."""

    to_log: tuple[Recipient, ...]  # contacts in the draft's Bcc: each gets an `update` line
    already: tuple[Recipient, ...]  # already have an `update` line in that month
    unknown: tuple[str, ...]  # addresses in Bcc that are no contact's email


def sent_plan(vault: Vault, note_text: str, config: Config, month: str, path: str = "Updates/draft.md") -> SentPlan:
    """The contacts to log the update on: whoever's email is in the note's ``bcc``."""
    from email.utils import getaddresses

    from ..vault.parse import parse_note

    bcc = parse_note(path, note_text.encode("utf-8"), config).properties.get("bcc")
    entries = [b for b in (bcc if isinstance(bcc, list) else [bcc] if isinstance(bcc, str) else []) if isinstance(b, str)]
    by_email: dict[str, Contact] = {}
    for c in vault.contacts:
        for e in c.emails:
            by_email.setdefault(e.strip().casefold(), c)
    year, mon = month_of(month) or (0, 0)
    to_log: dict[str, Recipient] = {}
    already: dict[str, Recipient] = {}
    unknown: list[str] = []
    for name, addr in getaddresses(entries):
        c = by_email.get(addr.strip().casefold())
        if c is None:
            unknown.append(addr or name)
            continue
        r = Recipient(c.path, c.name, addr)
        own = vault.interactions.get(c.path, ())
        if any(i.kind == UPDATE and i.source == c.path and update_month(i) == (year, mon) for i in own):
            already.setdefault(c.path, r)
        else:
            to_log.setdefault(c.path, r)
    return SentPlan(tuple(to_log.values()), tuple(already.values()), tuple(unknown))
