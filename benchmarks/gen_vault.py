"""Deterministic synthetic vault for mdnet's benchmark.

    python benchmarks/gen_vault.py OUT_DIR --contacts N [--seed S]

Writes ``People/`` (one note per contact, realistic frontmatter and a ``## Log``
of 3-10 dated lines), ``Meetings/`` (about one per two contacts), ``mdnet.toml``,
an ``.obsidian/`` folder and a few files mdnet must ignore (an image, a PDF, a
template, a note in ``.trash/``).  10k contacts make about 15k notes.

Same seed and size -> byte-identical files (only file times differ).  All dates
fall in the ~6 months before REFERENCE_DATE (2026-11-20), the as-of date the
benchmark uses for ``mdnet due`` and ``mdnet feed``.  The vault is meant to be
clean: ``mdnet check`` should find no errors in it.

Only the standard library is used, so the generator runs anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import random
import re
import sys
import time
from pathlib import Path

REFERENCE_DATE = dt.date(2026, 11, 20)
SPAN_DAYS = 182  # log lines spread over the ~6 months before REFERENCE_DATE
GENERATOR_VERSION = "3"  # bump when the output changes, so cached vaults are rebuilt

FIRST = (
    "Ana Aisha Akira Alex Alice Amara Amir Andre Andrea Anika Ann Arjun Ben Bianca Blake Bo "
    "Carla Carlos Chen Chloe Chris Dana Daniel Dara David Deepa Diego Elena Eli Emeka Emma "
    "Erin Farah Felix Fatima Gabriel Grace Hana Hannah Hassan Ian Ines Irene Isaac Ivan Jada "
    "Jamal James Jana Javier Jin Joao Jordan Jose Julia Kai Kamal Karen Kate Kenji Kofi Lars "
    "Laura Leah Lena Leo Li Lina Luca Lucia Maya Mark Marta Mateo Mei Mia Miguel Mina Mohamed "
    "Nadia Naomi Nikhil Nina Noah Nora Olga Omar Oscar Paolo Pedro Priya Quinn Rafael Raj "
    "Rania Ravi Rosa Ruth Sam Sana Sara Sean Sofia Sven Tariq Tess Theo Tom Uma Victor Wei "
    "Yara Yusuf Zane Zara Zoe"
).split()
LAST = (
    "Abbott Adeyemi Agarwal Alvarez Andersen Bailey Banerjee Becker Bianchi Brooks Campbell "
    "Castro Chen Chowdhury Clarke Costa Cruz Dasgupta Davis Diaz Dubois Edwards Eriksen "
    "Evans Farouk Fischer Flores Foster Garcia Gomez Gupta Haddad Hansen Harris Hayes Hoang "
    "Hughes Ibrahim Ito Iyer Jackson Jensen Johansson Kapoor Kato Kelly Khan Kim Kowalski "
    "Kruger Larsen Lee Lopez Mahmoud Martin Mendes Meyer Miller Mori Murphy Nair Nakamura "
    "Nguyen Novak Obi Okafor Olsen O'Brien Ortiz Park Patel Perez Petrov Quinn Rahman Reddy "
    "Reyes Rossi Russo Sato Schmidt Shah Silva Singh Smith Suzuki Tanaka Thomas Torres "
    "Varga Vasquez Wagner Walsh Wang Weber Williams Wong Xu Yamamoto Yilmaz Young Zhang Zimmer"
).split()
COMPANY_HEAD = (
    "Fabrikam Contoso Northwind Tailspin Litware Proseware Adatum Fourth Coffee Wingtip "
    "Lucerne Woodgrove Alpine Blue Yonder Margie Trey Humongous Relecloud Wide World "
    "Graphic Datum Bellows Coho Lamna Vanarsdel Mercury Juniper Cobalt Harbor Summit Ember "
    "Granite Maple Quarry Lumen Orbit Tidal Kestrel Beacon Atlas Cedar Falcon Meridian Nimbus"
).split()
COMPANY_TAIL = ("", "", " Labs", " Bank", " Health", " Analytics", " Systems", " Capital",
                " Logistics", " Media", " Energy", " Robotics", " Insurance", " Foods", " & Co")
ROLES = ("Product Manager", "Senior Engineer", "Engineering Manager", "Data Scientist",
         "Recruiter", "Talent Partner", "VP Engineering", "Designer", "Analyst",
         "Director of Operations", "Founder", "CTO", "Account Executive", "Marketing Lead",
         "Staff Engineer", "HR Business Partner", "Consultant", "Head of Product")
CIRCLES = ("family", "friend", "coworker", "college", "neighbor", "group", "event", "alumni")
TAGS = ("fintech", "healthtech", "hiring", "recruiter", "mentor", "ex-colleague", "climate",
        "ai", "saas", "target-company", "warm", "conference", "meetup", "investor")
TOPICS = ("fintech hiring", "their team's roadmap", "the Denver office", "remote work",
          "the data platform migration", "product strategy", "a reorg", "the hiring freeze",
          "their new role", "payments regulation", "the Series B", "interview loops",
          "career change", "a conference talk", "open headcount", "the market in Europe")
ASK_ABOUT = ("daughter's graduation", "marathon training", "trip to Japan", "new puppy",
             "house move", "their podcast", "the book club", "knee surgery", "kid's soccer",
             "sabbatical plans", "the garden", "their band's gig")
OFFERS = ("send the article on pricing", "intro to a designer", "review their deck",
          "share my notes from the conference", "coffee next time they're in town",
          "feedback on the job post")
NEXT_STEPS = ("Send resume", "Ask for an intro to the hiring manager", "Follow up after interview",
              "Share portfolio link", "Ask about open roles on the team", "Check in next month")
HOW_MET = ("college reunion", "PyCon", "former team", "neighbourhood association",
           "LinkedIn group", "friend's wedding", "meetup", "alumni mixer")
# (kind word, text templates); {p} is a wiki-link to another person, {t} a topic
LOG_KINDS = (
    ("email", ("asked for 20 minutes to hear about {t}", "sent a note about {t}",
                  "reconnected; mentioned {t}")),
    ("linkedin", ("connected and sent a short message", "messaged about {t}")),
    ("reply", ("happy to talk next week", "replied, suggested I talk to {p}",
                  "answered my question about {t}")),
    ("coffee", ("talked about {t}; suggested {p}", "great chat about {t}",
                   "long coffee, they know {p} well")),
    ("call", ("20-minute call about {t}", "call about {t}; will intro me to {p}")),
    ("zoom", ("video chat about {t}",)),
    ("lunch", ("lunch near their office; {t}",)),
    ("thanks", ("sent a thank-you note", "thanked them for the intro to {p}")),
    ("update", ("sent my monthly update", "told them about my interview at {c}")),
    ("note", ("heard they are hiring for {t}", "saw their post about {t}")),
    ("intro", ("introduced them to {p}",)),
    ("message", ("texted to check in",)),
)
LOG_TEXTS = dict(LOG_KINDS)
CANONICAL = {"email": "reached-out", "linkedin": "reached-out", "message": "reached-out",
             "reply": "replied", "coffee": "met", "call": "met", "zoom": "met", "lunch": "met",
             "thanks": "thanked", "update": "update", "intro": "note", "note": "note"}
# A plausible conversation: what tends to follow each canonical kind (word, weight).
_NEXT = {
    "lead": {"note": 1},
    "start": {"email": 40, "linkedin": 20, "message": 10, "coffee": 10, "call": 10, "note": 10},
    "reached-out": {"reply": 50, "email": 25, "linkedin": 5, "message": 5, "note": 15},
    "replied": {"coffee": 25, "call": 20, "zoom": 10, "lunch": 5, "email": 20, "note": 20},
    "met": {"thanks": 65, "email": 10, "intro": 10, "note": 15},
    "thanked": {"update": 30, "email": 30, "coffee": 15, "call": 5, "note": 20},
    "update": {"reply": 30, "email": 30, "coffee": 20, "update": 10, "note": 10},
    "note": {"email": 40, "reply": 20, "coffee": 15, "update": 15, "intro": 10},
}
NEXT_KIND = {k: (list(v), list(v.values())) for k, v in _NEXT.items()}
MEETING_KINDS = ("", "", "coffee", "call", "meeting", "lunch", "event", "zoom")
# What real vaults have and mdnet warns about: kind words it does not know (counted as
# notes), statuses it does not know, and first names used as aliases by several people.
UNKNOWN_WORDS = ("brunch", "drinks", "dm", "ping", "texted", "walk", "hike", "slack")
UNKNOWN_STATUSES = ("maybe", "cold", "warm lead", "on hold")

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 .,'@+/-]*$")
_KEYWORDS = {"yes", "no", "true", "false", "on", "off", "null", "none", "y", "n"}


@functools.lru_cache(maxsize=None)
def q(s: str) -> str:
    """A YAML scalar for *s*: plain when safe, else double-quoted."""
    if _PLAIN.match(s) and s.lower() not in _KEYWORDS and not s.endswith((" ", ":")) \
            and ": " not in s and " #" not in s:
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def link(name: str) -> str:
    return q(f"[[{name}]]")


def _names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    initials = "ABCDEFGHJKLMNPRSTVW"
    while len(out) < n:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        while name in seen:  # "Ana Q. Patel", then "Ana Q. R. Patel"...
            first, rest = name.split(" ", 1)
            name = f"{first} {rng.choice(initials)}. {rest}"
        seen.add(name)
        out.append(name)
    return out


def _companies(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        c = f"{rng.choice(COMPANY_HEAD)}{rng.choice(COMPANY_TAIL)}"
        if c in seen:
            c = f"{c} {rng.choice(('North', 'Global', 'Digital', 'Group', 'One', 'Partners'))}"
        if c in seen:
            c = f"{c} {len(out)}"
        seen.add(c)
        out.append(c)
    return out


_DAYS = {o: (REFERENCE_DATE - dt.timedelta(days=o)).isoformat() for o in range(-60, 800)}


def _day(offset: int) -> str:
    """The ISO date *offset* days before REFERENCE_DATE."""
    return _DAYS[offset]


def _person(rng: random.Random, i: int, name: str, names: list[str], companies: list[str],
            taken: set[str]) -> str:
    """One People/ note; *taken* holds every name and alias so far (aliases stay unique)."""
    def other() -> str:
        j = rng.randrange(len(names) - 1)
        return names[j + (j >= i)] if len(names) > 1 else name

    fm: list[str] = ["---", "type: person", f"name: {q(name)}"]
    if rng.random() < 0.12:
        alias = name.split(" ", 1)[0] + " " + name.rsplit(" ", 1)[1][0] + "."
        if alias not in taken:
            taken.add(alias)
            fm.append(f"aliases: [{q(alias)}]")
    elif rng.random() < 0.08:  # the first name alone: shared with others (duplicate-name)
        fm.append(f"aliases: [{q(name.split(' ', 1)[0])}]")
    company = rng.choice(companies)
    fm.append(f"company: {link(company) if rng.random() < 0.6 else q(company)}")
    fm.append(f"role: {q(rng.choice(ROLES))}")
    slug = re.sub(r"\.+", ".", re.sub(r"[^a-z. ]", "", name.lower()).replace(" ", "."))
    domain = re.sub(r"[^a-z]", "", company.lower()) or "example"
    fm.append(f"email: {slug}@{domain}.example.com")
    if rng.random() < 0.5:
        fm.append(f'phone: "+1 555 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"')
    if rng.random() < 0.7:
        fm.append(f"linkedin: https://www.linkedin.com/in/{slug.replace('.', '-')}-{i}")
    tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 3)))
    fm.append("tags: [" + ", ".join(tags) + "]" if tags else "tags: []")
    circles = rng.sample(CIRCLES, rng.choice((0, 1, 1, 1, 2)))
    if circles:
        fm.append("circles:")
        fm.extend(f"  - {c}" for c in circles)
    if rng.random() < 0.25:
        fm.append(f"referred_by: {link(other())}")
    added = rng.randrange(30, SPAN_DAYS + 60)
    fm.append(f"added: {_day(added)}")
    if rng.random() < 0.4:
        fm.append(f"met: {_day(rng.randrange(added, added + 400))}")
        fm.append(f"how_met: {q(rng.choice(HOW_MET))}")
    r = rng.random()
    fm.append("status: " + ("active" if r < 0.87 else q(rng.choice(UNKNOWN_STATUSES)) if r < 0.9 else
                            "paused" if r < 0.95 else "archived" if r < 0.98 else "do-not-contact"))
    if rng.random() < 0.15:
        fm.append(f"follow_up: {_day(rng.randrange(-30, 20))}")
    fm.append(f"next_step: {q(rng.choice(NEXT_STEPS))}")
    if rng.random() < 0.3:
        fm.append(f"cadence: {rng.choice(('14d', '2w', '1m', 'quarterly', '3m', 'none'))}")
    if rng.random() < 0.4:
        fm.append("ask_about:")
        fm.extend(f"  - {q(a)}" for a in rng.sample(ASK_ABOUT, rng.choice((1, 1, 2))))
    if rng.random() < 0.2:
        fm.append("offers:")
        fm.append(f"  - {q(rng.choice(OFFERS))}")
    if rng.random() < 0.1:
        fm.append("knows_search: true")
    fm.append("---")

    first = name.split(" ", 1)[0]
    body = [f"# {name}", "",
            f"{first} works at {company} as {rng.choice(ROLES).lower()}. "
            f"Interested in {rng.choice(TOPICS)}.", "", "## Log"]
    days = sorted((rng.randrange(0, SPAN_DAYS) for _ in range(rng.randint(3, 10))), reverse=True)
    # ~15% are names on the list, never contacted yet (only notes): outreach, referral and
    # try-another have someone to schedule.
    state = "lead" if rng.random() < 0.15 else "start"
    for off in days:
        words, weights = NEXT_KIND[state]
        word = rng.choices(words, weights)[0]
        state = "lead" if state == "lead" else CANONICAL.get(word, "note")
        texts = LOG_TEXTS[word]
        text = rng.choice(texts).format(p=f"[[{other()}]]", t=rng.choice(TOPICS), c=company)
        if word in ("note", "intro") and rng.random() < 0.6:
            word = rng.choice(UNKNOWN_WORDS)  # a word mdnet does not know: a note, and a warning
        body.append(f"- {_day(off)} {word}: {text}")
    if rng.random() < 0.2:
        body += ["", "## Tasks", f"- [ ] {rng.choice(OFFERS)}"]
    return "\n".join(fm + body) + "\n"


def _meeting(rng: random.Random, names: list[str]) -> tuple[str, str]:
    off = rng.randrange(0, SPAN_DAYS)
    who = rng.sample(names, rng.choice((1, 1, 2, 2, 3)))
    kind = rng.choice(MEETING_KINDS)
    topic = rng.choice(TOPICS)
    fm = ["---", "type: meeting", f"date: {_day(off)}", "with:"]
    fm.extend(f"  - {link(w)}" for w in who)
    if kind:
        fm.append(f"kind: {kind}")
    fm.append("---")
    body = [f"# {topic.capitalize()}", "", f"- Talked about {topic}.",
            f"- Next: follow up with {who[0].split(' ', 1)[0]}."]
    return f"{_day(off)} {who[0]}", "\n".join(fm + body) + "\n"


MDNET_TOML = """\
# Generated by benchmarks/gen_vault.py: mdnet's settings for the synthetic vault.
[vault]
people_folders = ["People"]
meeting_folders = ["Meetings"]

[rules]
new_per_week = 5

[cadence]
family = "1m"
friend = "2m"
"""
OBSIDIAN = {
    "app.json": '{\n  "alwaysUpdateLinks": true,\n  "newFileLocation": "folder",\n'
                '  "newFileFolderPath": "People"\n}\n',
    "appearance.json": '{\n  "theme": "obsidian"\n}\n',
    "core-plugins.json": '[\n  "file-explorer",\n  "templates",\n  "properties"\n]\n',
    "templates.json": '{\n  "folder": "Templates"\n}\n',
}
# A 1x1 PNG: a non-note file that must be skipped.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def generate(out: Path, contacts: int, *, seed: int = 1) -> int:
    """Write the vault into *out* (created if needed); return the number of files written."""
    rng = random.Random(seed)
    names = _names(rng, contacts)
    companies = _companies(rng, max(3, contacts // 8))
    files: dict[str, bytes] = {}
    taken = set(names)
    for i, name in enumerate(names):
        files[f"People/{name}.md"] = _person(rng, i, name, names, companies, taken).encode()
    used: set[str] = set()
    for _ in range(contacts // 2):
        stem, text = _meeting(rng, names)
        while stem in used:
            stem += " (2)"
        used.add(stem)
        files[f"Meetings/{stem}.md"] = text.encode()
    files["mdnet.toml"] = MDNET_TOML.encode()
    for k, v in OBSIDIAN.items():
        files[f".obsidian/{k}"] = v.encode()
    files["Templates/Person.md"] = (
        "---\ntype: person\nname: \ncompany: \ntags: []\nadded: {{date}}\n---\n\n## Log\n"
        "- {{date}} note: \n").encode()
    files[".trash/Old Contact.md"] = b"---\ntype: person\nname: Old Contact\n---\n"
    files["Attachments/headshot.png"] = PNG
    files["Attachments/resume.pdf"] = b"%PDF-1.4\n% synthetic, not a real PDF\n%%EOF\n"
    files["Home.md"] = (f"# Networking\n\nSynthetic vault: {contacts} contacts, seed {seed}.\n"
                        "See [[Profile]].\n").encode()
    files["Profile.md"] = (
        "---\ntarget_role: Product Manager\nindustries: [fintech, healthtech]\n---\n\n"
        "# Profile\n\nPitch: I build payments products that people trust.\n").encode()

    dirs = {str(Path(p).parent) for p in files}
    for d in sorted(dirs):
        (out / d).mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    for rel in sorted(files):  # os.open/os.write: fewer syscalls than open(), 75k files add up
        fd = os.open(out / rel, flags, 0o644)
        try:
            os.write(fd, files[rel])
        finally:
            os.close(fd)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="directory to write the vault into")
    ap.add_argument("--contacts", type=int, required=True, help="number of People/ notes")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if a.contacts < 1:
        ap.error("--contacts must be at least 1")
    if a.out.exists() and any(a.out.iterdir()):
        print(f"note: {a.out} is not empty; files are overwritten, others left", file=sys.stderr)
    t0 = time.perf_counter()
    n = generate(a.out, a.contacts, seed=a.seed)
    print(f"wrote {n} files to {a.out} in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
