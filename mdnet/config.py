"""Settings: one table, from which the defaults, the checks and the docs come.

``mdnet.toml`` is optional; every setting has a default.  :func:`load_config`
reports every problem at once as diagnostics (unknown keys are warnings, bad
values are errors and fall back to the default), so a typo never stops mdnet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .model import ERROR, KINDS, NOTE, WARNING, Diagnostic

CONFIG_NAME = "mdnet.toml"

# The one table of default kind words (docs/vault-format.md shows it).  Matching
# ignores case, hyphens and spacing: "Thank-You", "thank you" and "thank  you" are one word.
DEFAULT_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "met": ("call", "called", "phone", "phone call", "phoned", "video call", "coffee", "meeting", "lunch",
            "dinner", "drinks", "breakfast", "zoom", "teams", "meet", "google meet", "video", "event",
            "interview", "interviewed", "walk", "visit", "visited", "chat", "chatted", "spoke", "talked"),
    "reached-out": ("email", "emailed", "message", "messaged", "linkedin", "inmail", "dm", "dmed", "text", "texted",
                    "voicemail", "outreach", "wrote", "sent"),
    "replied": ("reply", "responded", "answered", "heard back"),
    "thanked": ("thanks", "thank you", "thank you note", "thank you email", "thank you card", "sent thanks"),
    "update": ("monthly update",),
    "intro": ("introduction", "introduced"),
    "note": (),
}

_DURATION = re.compile(r"^\s*(\d{1,12})\s*(bd|d|w|m|y)\s*$")
# The largest count of each unit that fits in the calendar (year 1 to 9999):
# 3,652,058 days lie between date.min and date.max.  A longer duration is not a
# duration (a config error, a bad-cadence warning), so no rule ever adds one.
MAX_DURATION = {"d": 3_652_058, "bd": 2_608_612, "w": 521_722, "m": 119_988, "y": 9_999}
_NAMED_CADENCES = {
    "daily": "1d",
    "weekly": "1w",
    "biweekly": "2w",
    "fortnightly": "2w",
    "monthly": "1m",
    "bimonthly": "2m",
    "quarterly": "3m",
    "yearly": "1y",
    "annually": "1y",
}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ORDINALS = ("first", "second", "third", "fourth", "last")


@dataclass(frozen=True, slots=True)
class Duration:
    """A span of days, business days (Mon-Fri), weeks, calendar months or years."""

    count: int
    unit: str  # "d", "bd", "w", "m", "y"

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


def parse_duration(text: str) -> Duration | None:
    """``14d``, ``2w``, ``1m``, ``7bd``, ``quarterly`` -> Duration; None if unreadable.

    ``none``/``never``/``off`` are not durations: callers treat them as "no cadence".
    """
    if not isinstance(text, str):
        return None
    t = text.strip().lower()
    t = _NAMED_CADENCES.get(t, t)
    m = _DURATION.match(t)
    if not m:
        return None
    count, unit = int(m.group(1)), m.group(2)
    if not 0 < count <= MAX_DURATION[unit]:
        return None
    return Duration(count, unit)


def is_no_cadence(text: str) -> bool:
    return isinstance(text, str) and text.strip().lower() in ("none", "never", "off", "")


def parse_monthly_day(text: str) -> tuple[str, int] | None:
    """``first monday`` -> ("first", 0); ``15`` -> ("day", 15); None if unreadable."""
    t = str(text).strip().lower()
    if t.isdigit() and 1 <= int(t) <= 28:
        return ("day", int(t))
    parts = t.split()
    if len(parts) == 2 and parts[0] in _ORDINALS and parts[1] in _WEEKDAYS:
        return (parts[0], _WEEKDAYS.index(parts[1]))
    return None


@dataclass(frozen=True, slots=True)
class Setting:
    name: str  # dotted: table.key
    default: Any
    doc: str
    check: Callable[[Any], str | None]  # returns a problem, or None when fine


def _str_list(v: Any) -> str | None:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        return "must be a list of text"
    return None


def _int_min(lo: int) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            return f"must be a whole number, at least {lo}"
        return None

    return check


def _duration(v: Any) -> str | None:
    if parse_duration(v) is None:
        return "must be a duration such as 30d, 7bd (business days), 2w, 1m (at most 9999y)"
    return None


def _choice(*choices: str) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if v not in choices:
            return "must be one of " + ", ".join(repr(c) for c in choices)
        return None

    return check


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


def _text(v: Any) -> str | None:
    return None if isinstance(v, str) else "must be text"


def _ics_path(v: Any) -> str | None:
    if not isinstance(v, str) or not v.lower().endswith(".ics"):
        return "must be the path of an .ics file"
    parts = re.split(r"[/\\]", v)
    if v.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", v) or ".." in parts or CONTROL_CHARS.search(v):
        return ("must be a path inside the vault, relative to it, without '..' "
                "(to write the feed elsewhere, use `mdnet feed -o PATH`)")
    return None


def _folder(v: Any) -> str | None:
    if not isinstance(v, str) or not v.strip("/ ") or v.startswith(".") or ".." in v.split("/") or v.startswith("/"):
        return "must be a folder inside the vault, such as \"Reports\""
    return None


_PLACEHOLDER = re.compile(r"\{(vault|path)\}")
# C0 controls, DEL, C1 controls, NEL and the Unicode line and paragraph separators.
CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def note_url_problem(v: Any) -> str | None:
    """Why ``v`` is not a usable ``feed.note_url``, or None.

    ``obsidian``, ``none``, or a template in which ``{vault}`` and ``{path}``
    are replaced as plain text: any other brace (a format spec, an attribute,
    a field number, an escaped ``{{``) is refused, so the template is never a
    Python format string.  No control characters (a URL holds none)."""
    if not isinstance(v, str):
        return "must be text"
    if v in ("obsidian", "none"):
        return None
    rest = _PLACEHOLDER.sub("", v)
    if "{" in rest or "}" in rest:
        return "may hold only {vault} and {path} in braces ('obsidian', 'none' or a template such as https://host/{path})"
    if CONTROL_CHARS.search(v):
        return "holds a control character or line break, which a URL cannot"
    if "{path}" not in v:
        return "has no {path}, so every link would be the same"
    return None


def fill_note_url(template: str, vault: str, path: str) -> str:
    """``template`` with ``{vault}`` and ``{path}`` replaced, once, as plain text."""
    return _PLACEHOLDER.sub(lambda m: vault if m.group(1) == "vault" else path, template)


def _monthly(v: Any) -> str | None:
    if v == "off" or parse_monthly_day(v) is not None:
        return None
    return "must be like 'first monday', 'last friday', a day 1-28, or 'off'"


def _cadence_table(v: Any) -> str | None:
    if not isinstance(v, dict):
        return "must be a table of circle or tag = cadence"
    for k, c in v.items():
        if not (is_no_cadence(c) or parse_duration(c)):
            return f"{k} = {c!r} is not a cadence such as 2w, 1m, quarterly or none"
    return None


def _kinds_table(v: Any) -> str | None:
    if not isinstance(v, dict):
        return "must be a table of kind = [words]"
    for k, words in v.items():
        if k not in KINDS:
            return f"{k!r} is not a kind (one of {', '.join(KINDS)})"
        if _str_list(words):
            return f"{k} must be a list of words"
    return None


def holiday_spec(value: str) -> tuple[str, str | None] | None:
    """``"GB-ENG"`` -> ("GB", "ENG"); ``"us"`` -> ("US", None); None for none/locale."""
    v = value.strip()
    if v.lower() in ("none", "locale", ""):
        return None
    country, _, subdiv = v.partition("-")
    return country.upper(), (subdiv.upper() or None)


def _holidays(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be text: a country code such as \"US\" or \"GB-ENG\", \"locale\" or \"none\""
    spec = holiday_spec(v)
    if spec is None:
        return None
    import holidays  # only when a country is named: its import costs ~50 ms

    try:
        holidays.country_holidays(spec[0], subdiv=spec[1])
    except NotImplementedError:
        return (f"{v!r} is not a country (and subdivision) the holidays library knows, such as "
                "\"US\", \"US-NY\", \"GB-ENG\", \"DE-BY\"; or \"locale\" or \"none\"")
    return None


SETTINGS: tuple[Setting, ...] = (
    Setting("vault.people_folders", ["People"], "Folders whose notes are contacts, even without `type: person`.", _str_list),
    Setting("vault.meeting_folders", ["Meetings"], "Folders whose notes are meeting notes, even without `type: meeting`.", _str_list),
    Setting("vault.ignore", ["Templates"], "Folders to skip, besides `.obsidian`, `.git`, `.trash`, `.mdnet` and every dot-folder.", _str_list),
    Setting("kinds", {k: list(v) for k, v in DEFAULT_KIND_WORDS.items() if v},
            "Words that name each kind of interaction in a log line. The kind names themselves always work. Words you add here extend the defaults.", _kinds_table),
    Setting("rules.thank_you_window", "30d", "A meeting older than this produces no thank-you item (so an imported history does not flood the calendar).", _duration),
    Setting("rules.nudge_after", "7bd", "How long after an unanswered message to nudge (bd = business days, Mon-Fri).", _duration),
    Setting("rules.max_attempts", 3, "Messages in a row without a reply (the first and the nudges) after which the contact has gone quiet and is not nudged again.", _int_min(1)),
    Setting("rules.holidays", "locale",
            "Public holidays that business days (bd) skip: a country code, optionally with a subdivision "
            "(\"US\", \"US-NY\", \"GB-ENG\", \"DE-BY\"), \"none\", or \"locale\": the country of your "
            "locale (LC_ALL, LC_TIME or LANG, e.g. en_US.UTF-8), none when it names no country.", _holidays),
    Setting("rules.try_another_after", "3bd", "How long an unanswered message waits before mdnet suggests another contact at the same company.", _duration),
    Setting("rules.referral_after", "1d", "How soon to reach out to someone you were referred to.", _duration),
    Setting("rules.new_per_week", 5, "How many never-contacted people to schedule for a first outreach each week (0 turns outreach off).", _int_min(0)),
    Setting("rules.warm_circles", ["family", "friend", "coworker", "college", "neighbor"], "Circles reached out to first.", _str_list),
    Setting("rules.monthly_update", "first monday", "When the monthly update to your network is due: 'first monday', 'last friday', a day of the month 1-28, or 'off'.", _monthly),
    Setting("cadence", {}, "Default keep-in-touch cadence by circle or tag, e.g. `friend = \"1m\"`; a contact's own `cadence:` wins, and the shortest applies when several match.", _cadence_table),
    Setting("feed.name", "mdnet follow-ups", "The calendar's name in calendar apps.", _text),
    Setting("feed.window", "30d", "How far ahead the feed reaches (overdue items are always in it).", _duration),
    Setting("feed.details", "full", "`full` puts contact details, things to ask about and log lines in the feed; `minimal` leaves them out (for a feed published to a cloud calendar).", _choice("full", "minimal")),
    Setting("feed.note_url", "obsidian", "Link from each event to its note: `obsidian` (obsidian://open), `none`, or a template in which {vault} and {path} (only these) are replaced, e.g. `https://notes.example/{path}`.", note_url_problem),
    Setting("feed.path", ".mdnet/followups.ics", "Where `mdnet feed`, `watch` and `serve` write the feed: an `.ics` file inside the vault, relative to it (no `..`, no absolute path; `mdnet feed -o PATH` writes anywhere).", _ics_path),
    Setting("goals.conversations_per_week", 2, "Conversations (calls, coffees, meetings) a week you aim for; `mdnet report activity` counts the weeks in a row that meet it (0: no goal).", _int_min(0)),
    Setting("goals.outreach_per_week", 5, "Messages to people (first messages and nudges) a week you aim for; a week meets the goal only when it meets both (0: no goal).", _int_min(0)),
    Setting("goals.list_size", 100, "How many people you aim to have on your list (`mdnet report list`).", _int_min(1)),
    Setting("reports.folder", "Reports", "Folder (in the vault) where `mdnet report NAME --md` writes report notes. mdnet does not read it as notes.", _folder),
    Setting("reports.updates_folder", "Updates", "Folder (in the vault) where `mdnet update` writes the monthly update draft (`.md` and `.eml`). mdnet does not read it as notes.", _folder),
    Setting("serve.allow_edits", False, "Let the dashboard's buttons write notes (done, snooze, log, update sent), as `mdnet serve --allow-edits` does; the flag turns edits on whatever this says.", _bool),
)

OUTPUT_FOLDERS = ("reports.folder", "reports.updates_folder")  # what mdnet writes; never read as notes

_BY_NAME = {s.name: s for s in SETTINGS}
_TABLES = {"kinds", "cadence"}  # settings whose value is a whole TOML table


@dataclass(frozen=True)
class Config:
    values: Mapping[str, Any] = field(default_factory=lambda: {s.name: s.default for s in SETTINGS})

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def duration(self, name: str) -> Duration:
        d = parse_duration(self.values[name])
        assert d is not None
        return d

    def fingerprint(self) -> str:
        """A short text that changes when any setting changes."""
        import hashlib
        import json

        blob = json.dumps(dict(self.values), sort_keys=True, default=str)
        return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()

    def kind_words(self) -> dict[str, str]:
        """Lower-case word -> canonical kind; the kind names map to themselves."""
        words: dict[str, str] = {}
        for kind, defaults in DEFAULT_KIND_WORDS.items():
            for w in defaults:
                words[normalise_kind(w)] = kind
        for kind, extra in self.values["kinds"].items():
            for w in extra:
                if normalise_kind(w):
                    words[normalise_kind(w)] = kind
        for kind in KINDS:
            words[normalise_kind(kind)] = kind
        return words


DEFAULT = Config()


def load_config(data: Mapping[str, Any], *, path: str = CONFIG_NAME, text: str = "") -> tuple[Config, list[Diagnostic]]:
    """Check a parsed ``mdnet.toml`` against the settings table.

    Returns the config (bad values replaced by their defaults) and every problem.
    ``text`` is the file's text, used only to find line numbers.
    """
    values = {s.name: s.default for s in SETTINGS}
    diags: list[Diagnostic] = []

    def line_of(key: str) -> int:
        leaf = key.rsplit(".", 1)[-1]
        pat = re.compile(rf"^\s*\[?\s*{re.escape(leaf)}\s*[\]=]", re.M)
        m = pat.search(text) if text else None
        return text.count("\n", 0, m.start()) + 1 if m else 1

    for table, content in data.items():
        if table in _TABLES:
            flat = {table: content}
        elif isinstance(content, dict):
            flat = {f"{table}.{k}": v for k, v in content.items()}
        else:
            flat = {table: content}
        for name, value in flat.items():
            setting = _BY_NAME.get(name)
            if setting is None:
                diags.append(Diagnostic(path, line_of(name), WARNING, "config-unknown-key", f"unknown setting {name!r} (ignored)"))
                continue
            problem = setting.check(value)
            if problem:
                diags.append(Diagnostic(path, line_of(name), ERROR, "config-bad-value", f"{name} {problem}; using the default {setting.default!r}"))
                continue
            values[name] = value
    return Config(values), diags


def normalise_kind(word: str) -> str:
    """``Thank-You`` -> ``thank you``: kind words match ignoring case, hyphens and spacing."""
    return " ".join(word.lower().replace("-", " ").replace("_", " ").split())


def kind_of(word: str, words: Mapping[str, str]) -> str:
    return words.get(normalise_kind(word), NOTE)
