"""``Profile.md``: what the user is looking for, read from the note's text.  Pure.

The profile is one note at the top of the vault (the starter vault has one).
Its frontmatter holds the short answers (``target_role``, ``industries``,
``company_types``, ``geography``, ``questions``); its body holds the pitch, the
companies the user would love an introduction to and their standing ask, under
headings a person writes in their own words.  Headings are matched by the
words in them, case-insensitively, so "## My 30-second pitch", "## Pitch" and
"## Elevator pitch" all count.

Reports (the monthly update, the pipeline), the outreach order and the prep
brief all read the profile through :func:`parse_profile`; nothing else parses
``Profile.md``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

PROFILE_NOTE = "Profile.md"

# Which heading holds what: a heading is taken for the first key whose words it contains.
_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pitch", ("pitch",)),
    ("targets", ("introduction", "target compan", "dream compan", "companies")),
    ("questions", ("question",)),
    ("ask", ("ask",)),
    ("target_role", ("target role", "role")),
    ("industries", ("industr",)),
    ("company_types", ("company type", "kind of compan")),
    ("geography", ("geograph", "location", "where")),
)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(.*\S)[ \t]*$")
_LINK = re.compile(r"\[\[([^\]\[|#^\n]*)(?:[#^][^\]\[|\n]*)?(?:\|([^\]\[\n]*))?\]\]")


@dataclass(frozen=True, slots=True)
class TargetCompany:
    """One company the user would love an introduction to."""

    name: str  # "Fabrikam" (a wiki-link's target, or the text before a parenthesis or dash)
    note: str = ""  # "payments platform team"
    line: int = 0  # line in Profile.md


@dataclass(frozen=True, slots=True)
class Profile:
    """What ``Profile.md`` says; every field empty when there is no profile."""

    path: str | None = None  # vault-relative, None when the vault has no profile
    target_role: str | None = None
    industries: tuple[str, ...] = ()
    company_types: tuple[str, ...] = ()
    geography: str | None = None
    pitch: str = ""  # the pitch's text, blockquote marks removed, one paragraph per line
    pitch_line: int = 0
    targets: tuple[TargetCompany, ...] = ()
    ask: str = ""
    questions: tuple[str, ...] = ()  # standing questions: the `questions:` property, then a Questions section
    sections: Mapping[str, str] = field(default_factory=dict)  # heading text -> its text, as written
    name: str | None = None  # the user's own name (`name:`), for the update's From line
    email: str | None = None  # the user's own address (`email:`)


def parse_profile(path: str, body: str, properties: Mapping[str, Any], *, body_line: int = 1) -> Profile:
    """Read a profile from its ``body`` (the text after the frontmatter, whose
    first line is line ``body_line`` of the file) and its frontmatter
    ``properties`` as the note parser read them.  Never raises."""
    offset = body_line - 1
    sections: dict[str, str] = {}
    spans: dict[str, tuple[int, list[str]]] = {}  # key -> (first line of the section's text, its lines)
    current: str | None = None
    heading_text = ""
    buffer: list[str] = []
    start = 0

    def close() -> None:
        if current is not None or heading_text:
            body = "\n".join(buffer).strip("\n")
            if heading_text:
                sections.setdefault(heading_text, body)
            if current is not None and current not in spans:
                spans[current] = (start, list(buffer))

    for n, line in enumerate(body.split("\n"), 1):
        m = _HEADING.match(line)
        if m:
            close()
            heading_text = m.group(2).strip()
            current = _section_key(heading_text)
            buffer, start = [], n + 1 + offset
            continue
        buffer.append(line)
    close()

    pitch_line, pitch_lines = spans.get("pitch", (0, []))
    pitch = _paragraphs(pitch_lines, quoted_only=any(ln.lstrip().startswith(">") for ln in pitch_lines))
    targets = _targets(spans.get("targets"))
    ask = _paragraphs(spans.get("ask", (0, []))[1], quoted_only=False).strip().strip('"“”').strip()
    questions = tuple(texts(properties.get("questions"))) + tuple(
        item for _, item in _items(spans.get("questions", (0, []))))

    role = _one(properties.get("target_role")) or _paragraphs(spans.get("target_role", (0, []))[1], quoted_only=False) or None
    industries = tuple(texts(properties.get("industries")))
    company_types = tuple(texts(properties.get("company_types")))
    geography = _one(properties.get("geography")) or _paragraphs(spans.get("geography", (0, []))[1], quoted_only=False) or None
    return Profile(path=path, target_role=role, industries=industries, company_types=company_types,
                   geography=geography, pitch=pitch, pitch_line=pitch_line, targets=targets, ask=ask,
                   questions=questions, sections=sections, name=_one(properties.get("name")),
                   email=_one(properties.get("email")))


def _section_key(heading: str) -> str | None:
    h = heading.casefold()
    for key, words in _SECTIONS:
        if any(re.search(r"\b" + re.escape(w), h) for w in words):
            return key
    return None


def _paragraphs(lines: list[str], *, quoted_only: bool) -> str:
    """Lines -> text with one paragraph per line; blockquote marks and callout
    headers removed; with ``quoted_only`` only the quoted lines count (the
    starter profile quotes the pitch and explains it below)."""
    paras: list[str] = []
    cur: list[str] = []
    for raw in lines:
        s = raw.strip()
        quoted = s.startswith(">")
        if quoted_only and not quoted:
            if cur:
                paras.append(" ".join(cur))
                cur = []
            continue
        s = s.lstrip(">").strip()
        if s.startswith("[!"):  # a callout's header line: "> [!tip] Title"
            continue
        if not s:
            if cur:
                paras.append(" ".join(cur))
                cur = []
            continue
        cur.append(s)
    if cur:
        paras.append(" ".join(cur))
    return "\n".join(paras)


def _items(span: tuple[int, list[str]] | None) -> list[tuple[int, str]]:
    if not span:
        return []
    first, lines = span
    out = []
    for i, line in enumerate(lines):
        m = _ITEM.match(line)
        if m:
            out.append((first + i, m.group(1).strip()))
    return out


def _targets(span: tuple[int, list[str]] | None) -> tuple[TargetCompany, ...]:
    out = []
    seen: set[str] = set()
    for line, item in _items(span):
        link = _LINK.search(item)
        if link:
            name = link.group(1).strip()
            rest = (item[: link.start()] + item[link.end():]).strip()
        else:
            m = re.match(r"^(.*?)(?:\s+[(\u2013\u2014-]\s*|\s*\()(.*)$", item)
            name, rest = (m.group(1), m.group(2)) if m else (item, "")
        name = name.strip().strip("*_").strip()
        note = rest.strip().strip("()").strip(" -\u2013\u2014:").strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(TargetCompany(name=name, note=note, line=line))
    return tuple(out)


def _one(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list):
        joined = ", ".join(str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip())
        return joined or None
    return None


def texts(value: Any) -> list[str]:
    """A property that holds one text or a list of them -> the texts (prep reads a contact's `questions:` so)."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip()]
    return []
