"""The prep brief: everything to bring to one conversation, on one screen.  Pure.

``build_brief(vault, profile, contact_path, as_of)`` gathers what the vault
already says about a person (how you know them, who referred them, what to ask
about, what you offered and whether a later line suggests you delivered, what
they did for you, the last conversations, their company in your search) and
what ``Profile.md`` says about you (the pitch, the ask, standing questions).
``render_text`` and ``brief_json`` print it; nothing here reads a file or the
clock.  ``docs/commands.md`` (``mdnet prep``) describes it for users.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from .dates import short_date
from .model import INTRO, MET, NOTE, REACHED_OUT, REPLIED, THANKED, UPDATE, Contact, FollowUp, Interaction, Vault
from .profile import Profile, TargetCompany, texts
from .rules import company_text_key

PRACTICE = ("Keep it to 15-20 minutes; never ask for a job, ask for two or three names; "
            "thank them within 24 hours.")

# Lines of these kinds are things you did: one of them can deliver an offer.
_DOING = frozenset({REACHED_OUT, INTRO, THANKED, UPDATE, MET})
_WORD = re.compile(r"[^\W_]{3,}")
# Words that say what kind of favour an offer is, not which: they match too much.
_COMMON = frozenset("""
the and for with about from into that this them their her his our your you she him they
intro introduce introduction introduced send sent share shared give gave offer offered
will would can could some any more note notes email mail call link links article
""".split())


@dataclass(frozen=True, slots=True)
class Person:
    """Someone named in the brief: a name, their note (None if not a contact) and where they stand."""

    name: str
    path: str | None
    stage: str = ""
    day: date | None = None  # when they were referred, when it applies


@dataclass(frozen=True, slots=True)
class Offer:
    text: str
    delivered: str | None = None  # the later line that suggests you did it, as written


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation set for ``as_of`` or a later day."""

    day: date
    time: str | None  # "09:30" local, when the line or meeting note gives one
    word: str
    text: str
    source: str


@dataclass(frozen=True)
class Brief:
    name: str
    path: str
    as_of: date
    role: str | None = None
    company: str | None = None
    how_met: str | None = None
    met: date | None = None
    added: date | None = None
    referred_by: tuple[Person, ...] = ()  # the chain upwards: who referred them, who referred that person...
    last_spoke: date | None = None
    next_conversation: Conversation | None = None
    next_step: str | None = None
    ask_about: tuple[str, ...] = ()
    offers: tuple[Offer, ...] = ()
    referred_you_to: tuple[Person, ...] = ()
    intros: tuple[str, ...] = ()  # their intro lines, as written
    recent: tuple[str, ...] = ()  # the last three conversations, as written
    target: TargetCompany | None = None
    colleagues: tuple[Person, ...] = ()
    pitch: str = ""
    ask: str = ""
    questions: tuple[str, ...] = ()  # standing questions, then the contact's own
    practice: str = PRACTICE
    profile: str | None = None  # Profile.md's path, None when there is none
    extra: dict[str, Any] = field(default_factory=dict)


def planned_conversations(vault: Vault, path: str, as_of: date) -> list[Conversation]:
    """Conversations (``met`` interactions) on ``as_of`` or later, soonest first, one per
    day: the first of the day (a meeting note comes before log lines), with the first
    time any of that day's gives."""
    from .timeofday import time_in_text

    days: dict[date, list[Interaction]] = {}
    for i in vault.interactions.get(path, ()):
        if i.date >= as_of and i.kind == MET:
            days.setdefault(i.date, []).append(i)
    out = []
    for day in sorted(days):
        first = days[day][0]
        at = next((t for i in days[day] if (t := i.time or time_in_text(i.text))), None)
        out.append(Conversation(day, at, first.word, first.text, first.source))
    return out


def stage(vault: Vault, contact: Contact, as_of: date) -> str:
    """Where a contact stands in your search, in a few words."""
    if not contact.active:
        return contact.status
    log = vault.interactions.get(contact.path, ())
    if any(i.kind == MET and i.date > as_of for i in log):
        return "meeting planned"
    past = [i for i in log if i.date <= as_of and i.kind != NOTE]
    if any(i.kind == MET for i in past):
        return "met"
    if any(i.kind == REPLIED for i in past):
        return "in touch"
    if any(i.kind == REACHED_OUT for i in past):
        return "waiting for a reply"
    if past:
        return "in touch"
    if vault.referrals.get(contact.path):
        return "referred, not contacted"
    return "not contacted"


class Lookup:
    """What :func:`build_brief` looks up across the vault, built once for many briefs."""

    def __init__(self, vault: Vault) -> None:
        self.by_path = {c.path: c for c in vault.contacts}
        self.referred: dict[str, list[tuple[str, date | None]]] = {}  # referrer -> (contact, day), first per contact
        for other, refs in vault.referrals.items():
            seen: set[str] = set()
            for r in refs:
                if r.referrer and r.referrer not in seen and other in self.by_path:
                    seen.add(r.referrer)
                    self.referred.setdefault(r.referrer, []).append((other, r.date))
        self.by_company: dict[str, list[Contact]] = {}
        for c in vault.contacts:
            if (key := company_text_key(c.company)):
                self.by_company.setdefault(key, []).append(c)
        self._stages: dict[str, str] = {}
        self._vault = vault

    def stage(self, contact: Contact, as_of: date) -> str:
        """:func:`stage`, once per contact (colleagues recur from brief to brief)."""
        found = self._stages.get(contact.path)
        if found is None:
            found = self._stages[contact.path] = stage(self._vault, contact, as_of)
        return found


def briefs_for(vault: Vault, profile: Profile, items: Iterable[FollowUp], as_of: date) -> dict[tuple[str, str, str], str]:
    """Item identity -> the prep brief (text, nothing relative to the day) of each planned
    conversation among ``items`` (rules upcoming and prepare), for the feed."""
    wanted = [i for i in items if i.rule in ("upcoming", "prepare") and i.path]
    if not wanted:
        return {}
    lookup = Lookup(vault)
    texts: dict[str, str] = {}
    out = {}
    for i in wanted:
        assert i.path is not None
        if i.path in lookup.by_path:
            if i.path not in texts:
                texts[i.path] = render_text(build_brief(vault, profile, i.path, as_of, lookup), relative=False)
            out[i.identity] = texts[i.path]
    return out


def build_brief(vault: Vault, profile: Profile, path: str, as_of: date, lookup: Lookup | None = None) -> Brief:
    """The brief for the contact whose note is ``path`` (a KeyError if there is none).
    ``lookup`` (built once) saves the vault-wide lookups when building many."""
    lookup = lookup or Lookup(vault)
    by_path = lookup.by_path
    c = by_path[path]
    log = vault.interactions.get(path, ())
    past = [i for i in log if i.date <= as_of]
    said = [i for i in past if i.kind != NOTE]
    planned = planned_conversations(vault, path, as_of)

    chain: list[Person] = []
    seen = {path}
    here = path
    while len(chain) < 5:
        refs = vault.referrals.get(here, ())
        if not refs:
            break
        dated = sorted((r for r in refs if r.date is not None), key=lambda r: (r.date, r.source, r.line))
        r = dated[0] if dated else refs[0]
        who = by_path.get(r.referrer or "")
        day = r.date or (c.added if here == path else None)
        chain.append(Person(who.name if who else r.referrer_name, r.referrer, day=day))
        if r.referrer is None or r.referrer in seen:
            break
        seen.add(r.referrer)
        here = r.referrer

    referred_you_to = [Person(by_path[o].name, o, lookup.stage(by_path[o], as_of), day)
                       for o, day in lookup.referred.get(path, ())]
    referred_you_to.sort(key=lambda p: (p.day or date.max, p.name))

    colleagues: list[Person] = []
    key = company_text_key(c.company)
    if key:
        colleagues = [Person(o.name, o.path, lookup.stage(o, as_of)) for o in lookup.by_company.get(key, ()) if o.path != path]
        colleagues.sort(key=lambda p: (p.name.casefold(), p.path or ""))
    target = next((t for t in profile.targets if key and company_text_key(t.name) == key), None)

    own_questions = texts(c.extra.get("questions"))
    return Brief(
        name=c.name, path=path, as_of=as_of, role=c.role, company=c.company, how_met=c.how_met,
        met=c.met, added=c.added, referred_by=tuple(chain),
        last_spoke=said[-1].date if said else None,
        next_conversation=planned[0] if planned else None,
        next_step=c.next_step, ask_about=c.ask_about,
        offers=tuple(Offer(o, _delivered(o, past)) for o in c.offers),
        referred_you_to=tuple(referred_you_to),
        intros=tuple(i.raw for i in past if i.kind == INTRO),
        recent=tuple(i.raw for i in said[-3:]),
        target=target, colleagues=tuple(colleagues),
        pitch=profile.pitch, ask=profile.ask,
        questions=tuple(dict.fromkeys((*profile.questions, *own_questions))),
        profile=profile.path,
    )


def _words(text: str) -> set[str]:
    return {w for w in (m.casefold() for m in _WORD.findall(text)) if w not in _COMMON}


def _delivered(offer: str, past: list[Interaction]) -> str | None:
    """The latest line of yours that shares the offer's telling words ("the deck", "Chen"):
    one when the offer has one, two otherwise (so "the fintech salary survey" is not
    taken as done by any line about fintech)."""
    words = _words(offer)
    if not words:
        return None
    need = min(2, len(words))
    for i in reversed(past):
        if i.kind in _DOING and len(words & _words(" ".join((i.text, *i.links)))) >= need:
            return i.raw
    return None


# --- rendering ----------------------------------------------------------------------------


def _ago(day: date, as_of: date) -> str:
    days = (as_of - day).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def _parts(b: Brief, *, relative: bool) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The brief's opening lines and its titled sections (empty ones left out), for the renderers."""
    d = lambda day: short_date(day, b.as_of)  # noqa: E731
    head: list[str] = []
    work = ", ".join(x for x in (b.role, b.company) if x)
    head.append(f"{b.name}{' - ' + work if work else ''}")
    if b.next_conversation:
        n = b.next_conversation
        what = n.word.lower() or "conversation"
        head.append(f"Next: {what} on {d(n.day)}{' at ' + n.time if n.time else ''}"
                    f"{': ' + n.text if n.text else ''}")
    if b.how_met:
        head.append(f"How you met: {b.how_met}" + (f" ({d(b.met)})" if b.met else ""))
    if b.referred_by:
        first, *rest = b.referred_by
        line = f"Referred by {first.name}" + (f" on {d(first.day)}" if first.day else "")
        for p in rest:
            line += f", who was referred by {p.name}" + (f" on {d(p.day)}" if p.day else "")
        head.append(line)
    if b.last_spoke:
        head.append(f"Last spoke: {d(b.last_spoke)}" + (f" ({_ago(b.last_spoke, b.as_of)})" if relative else ""))
    else:
        head.append("Last spoke: never (a first conversation)")

    company: list[str] = []
    if b.company:
        if b.target:
            company.append(f"{b.company} is a target company" + (f" ({b.target.note})" if b.target.note else ""))
        company += [f"- {p.name}: {p.stage}" for p in b.colleagues]
    sections = [
        ("Ask about", [f"- {a}" for a in b.ask_about] + ([f"- next step: {b.next_step}"] if b.next_step else [])),
        ("You offered", [f"- {o.text}" + (f" (done? {o.delivered})" if o.delivered else " (not done yet)")
                         for o in b.offers]),
        ("They did for you", [f"- referred you to {p.name}" + (f" on {d(p.day)}" if p.day else "") + f" ({p.stage})"
                              for p in b.referred_you_to] + [f"- {i}" for i in b.intros]),
        ("Last conversations", [f"- {r}" for r in b.recent]),
        (f"At {b.company}" if b.company else "Company", company),
        ("Your pitch", b.pitch.split("\n") if b.pitch else []),
        ("Your ask", [b.ask] if b.ask else []),
        ("Your questions", [f"- {q}" for q in b.questions]),
    ]
    return head, [(title, lines) for title, lines in sections if lines]


def render_text(b: Brief, *, relative: bool = True) -> str:
    """The brief as plain text, in the order of the conversation; empty parts left out.

    ``relative=False`` leaves out "(3 days ago)", for text that must not change
    from one day to the next (a calendar event's description)."""
    head, sections = _parts(b, relative=relative)
    out = list(head)
    for title, lines in sections:
        out += ["", title, *("  " + ln for ln in lines)]
    out += ["", b.practice]
    return "\n".join(out)


PREP_HEADING = "Prep brief"  # the parser takes any heading starting "Prep" as a prepared meeting


def render_markdown(b: Brief) -> list[str]:
    """The brief as the lines of a meeting note's section (without its heading):
    written once, so nothing in it is relative to the day."""
    head, sections = _parts(b, relative=False)
    out = [f"**{head[0]}**", *(f"- {ln}" for ln in head[1:])]
    for title, lines in sections:
        out += ["", f"**{title}**"]
        if title == "Your pitch":
            out += [f"> {ln}" for ln in lines]
        else:
            out += lines
    out += ["", f"*{b.practice}*"]
    return out


def _person(p: Person) -> dict[str, Any]:
    return {"name": p.name, "path": p.path, "stage": p.stage or None, "date": p.day.isoformat() if p.day else None}


def brief_json(b: Brief) -> dict[str, Any]:
    """The brief as JSON (a stable interface: keys are only ever added)."""
    n = b.next_conversation
    return {
        "name": b.name, "path": b.path, "as_of": b.as_of.isoformat(), "role": b.role, "company": b.company,
        "how_met": b.how_met, "met": b.met.isoformat() if b.met else None,
        "referred_by": [_person(p) for p in b.referred_by],
        "last_spoke": b.last_spoke.isoformat() if b.last_spoke else None,
        "next_conversation": None if n is None else {
            "date": n.day.isoformat(), "time": n.time, "word": n.word, "text": n.text, "source": n.source},
        "next_step": b.next_step, "ask_about": list(b.ask_about),
        "offers": [{"text": o.text, "delivered": o.delivered} for o in b.offers],
        "referred_you_to": [_person(p) for p in b.referred_you_to],
        "intros": list(b.intros), "recent": list(b.recent),
        "target_company": None if b.target is None else {"name": b.target.name, "note": b.target.note},
        "colleagues": [_person(p) for p in b.colleagues],
        "pitch": b.pitch, "ask": b.ask, "questions": list(b.questions), "practice": b.practice,
        "profile": b.profile,
    }
