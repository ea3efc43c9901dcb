"""Log lines as people write them -> :class:`~mdnet.model.Interaction`, loudly.  Pure.

The canonical form is ``- YYYY-MM-DD kind: text``.  People also write
``- 2026-12-1 linkedin: ...``, ``- [[2026-12-01]] coffee: ...``,
``- **2026/12/01** phone call – ...`` or ``- 2026-12-01 coffee with Ana``: each
is read, and a ``log-line-form`` warning says how.  A line that looks like a
log line but cannot be read (an ambiguous ``01-12-2026``, a date with no year)
is skipped with a ``log-line-unread`` warning saying why; an impossible date is
an ``invalid-date`` error.  Nothing that looks like a log line is dropped
without a word.  ``docs/vault-format.md`` is the user's description; keep the
two in step.

One pass over the body: candidate lines come from one regex scan, line
numbers are counted forward from the previous candidate, and fenced code
blocks and Log sections are walked with a cursor, so the cost is linear in the
note's size however many log lines or fences it has.
"""

from __future__ import annotations

import re
from datetime import date
from difflib import get_close_matches
from typing import Mapping, NamedTuple

from ..config import normalise_kind
from ..dates import MONTH_ABBR
from ..model import ERROR, NOTE, WARNING, Diagnostic, Interaction

# A list item (or, in a Log section, a plain line) whose text starts with a
# date-like token: digits separated by one of - / . (the same one twice), maybe
# wrapped in [[ ]], ** **, * *, __ __ or _ _.
_CANDIDATE = re.compile(
    r"^[ \t]*(?:(?P<marker>[-*+])[ \t]+(?!\[[ xX/-]\]))?"
    r"(?P<open>\[\[|\*\*|__|\*|_)?"
    r"(?P<a>\d{1,4})(?P<sep>[-/.])(?P<b>\d{1,2})(?:(?P=sep)(?P<c>\d{1,4}))?(?!\d)(?![-/.]\d)"
    r"(?P<close>(?:\|[^\]\n]*)?\]\]|\*\*|__|\*|_)?"
    r"(?P<rest>[^\n]*)$",
    re.M,
)
# A heading's text, matched at the start of a line (found with str.find: a regex
# search for "^#" in re.M mode tries every character of the body).
_HEADING = re.compile(r"#{1,6}[ \t]+([^\n]*)$", re.M)
_LOG_HEADING = re.compile(r"(?:interactions?[ \t]+)?log\b", re.I)
_TOKEN = re.compile(r"[^\W_]+")
_JOIN = re.compile(r"[ \t]+|-(?=[^\W_])")  # between the words of a kind phrase
_DASH = re.compile(r"[ \t]*(?:[\u2013\u2014]|--?(?=[ \t]|$))[ \t]*")
_COLON = re.compile(r"[ \t]*:")
LINK_RE = re.compile(r"\[\[([^\]\[|#^\n]*)(?:[#^][^\]\[|\n]*)?(?:\|[^\]\[\n]*)?\]\]")
_WRAPPERS = {"[[": "[[ ]]", "**": "bold", "__": "bold", "*": "italic", "_": "italic"}



class DateRead(NamedTuple):
    """How a date-like token was read: the date, or why not (``impossible`` tells an
    error from an unreadable form), and what was not canonical about it."""

    date: date | None
    why_not: str
    impossible: bool
    odd: tuple[str, ...]


def read_date_parts(a: str, sep: str, b: str, c: str | None) -> DateRead:
    """The one date policy for log lines and frontmatter.

    Year first (``2026-12-01``, ``2026-12-1``, ``2026/12/01``, ``2026.12.01``) is read.
    Day or month first with a four-digit year is read only when it cannot be
    misread (``25-12-2026``, ``12/25/2026``, ``05-05-2026``); ``01-12-2026`` is
    refused as ambiguous.  No year, no day or a two-digit year is refused.
    """
    token = f"{a}{sep}{b}" + (f"{sep}{c}" if c is not None else "")
    odd: list[str] = []
    if sep != "-":
        odd.append(f"date written with {sep!r}")
    if c is None:
        return DateRead(None, f"{token!r} has no {'day' if len(a) == 4 else 'year'}", False, ())
    if len(a) == 4 and len(c) <= 2:
        if len(b) == 1 or len(c) == 1:
            odd.append("one-digit month or day")
        try:
            return DateRead(date(int(a), int(b), int(c)), "", False, tuple(odd))
        except ValueError:
            return DateRead(None, f"{token!r} is not a date", True, ())
    if len(c) == 4 and len(a) <= 2:
        x, y, year = int(a), int(b), int(c)
        if x > 12 >= y:
            month, day = y, x
            odd.append("day first")
        elif y > 12 >= x:
            month, day = x, y
            odd.append("month first")
        elif x == y:
            month = day = x
            odd.append("day and month before the year")
        elif x <= 12 and y <= 12:
            return DateRead(None, f"{token!r} is ambiguous ({x} {MONTH_ABBR[y - 1]} or {y} {MONTH_ABBR[x - 1]}?)", False, ())
        else:
            return DateRead(None, f"{token!r} is not a date", True, ())
        try:
            return DateRead(date(year, month, day), "", False, tuple(odd))
        except ValueError:
            return DateRead(None, f"{token!r} is not a date", True, ())
    return DateRead(None, f"{token!r} has no four-digit year", False, ())


_WHOLE_DATE = re.compile(r"(\[\[|\*\*|__|\*|_)?(\d{1,4})([-/.])(\d{1,2})(?:\3(\d{1,4}))?(?:\|[^\]]*)?(\]\]|\*\*|__|\*|_)?")


def read_date_text(text: str) -> DateRead | None:
    """A frontmatter value that is a date in a lenient form; None if it is not date-like."""
    m = _WHOLE_DATE.fullmatch(text.strip())
    if not m:
        return None
    r = read_date_parts(m.group(2), m.group(3), m.group(4), m.group(5))
    if m.group(1) and r.date is not None:
        r = r._replace(odd=(*r.odd, f"date in {_WRAPPERS[m.group(1)]}"))
    return r


class _Ranges:
    """Character ranges visited in increasing position order: amortised O(1) per query."""

    __slots__ = ("ranges", "i")

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.ranges = ranges
        self.i = 0

    def __contains__(self, pos: int) -> bool:
        r = self.ranges
        while self.i < len(r) and r[self.i][1] <= pos:
            self.i += 1
        return self.i < len(r) and r[self.i][0] <= pos


def _headings(body: str) -> list[re.Match[str]]:
    """The headings of a body, in order."""
    out = []
    if body.startswith("#") and (m := _HEADING.match(body)) is not None:
        out.append(m)
    at = body.find("\n#") + 1
    while at:
        if (m := _HEADING.match(body, at)) is not None:
            out.append(m)
        at = body.find("\n#", at) + 1
    return out


def log_sections(body: str) -> list[tuple[int, int]]:
    """Character ranges of the body under a ``Log`` heading (up to the next heading)."""
    if "#" not in body:
        return []
    out = []
    start = None
    for m in _headings(body):
        if start is not None:
            out.append((start, m.start()))
            start = None
        if _LOG_HEADING.match(m.group(1).strip().strip("#").strip()):
            start = m.end()
    if start is not None:
        out.append((start, len(body)))
    return out


_MAX_WORDS: list = [None, 1]  # [words dict, longest phrase in words]


def _max_words(words: Mapping[str, str]) -> int:
    if _MAX_WORDS[0] is not words:
        _MAX_WORDS[:] = [words, max((w.count(" ") + 1 for w in words), default=1)]
    return _MAX_WORDS[1]


_SUGGESTED: list = [None, {}]  # [words dict, {typed word: suggestion}]


def suggest(word: str, words: Mapping[str, str]) -> str:
    """The known kind word nearest to ``word`` (``emial`` -> ``email``), or ``""``.

    Remembered for the ``words`` mapping of the last call (one sync passes the same
    one for every note): a vault repeats its few unknown words thousands of times,
    and difflib's search was a fifth of a cold index's parsing time."""
    if _SUGGESTED[0] is not words:
        _SUGGESTED[:] = [words, {}]
    key = normalise_kind(word)
    found = _SUGGESTED[1].get(key)
    if found is None:
        close = get_close_matches(key, list(words), n=1, cutoff=0.75)
        found = _SUGGESTED[1][key] = close[0] if close else ""
    return found


def unknown_kind_message(word: str, words: Mapping[str, str]) -> str:
    near = suggest(word, words)
    hint = f"did you mean {near!r}? Or add it to" if near else "add it to"
    return f"{word!r} is not a known kind word (counted as a note); {hint} [kinds] in mdnet.toml"


class _Shape(NamedTuple):
    kind: str
    word: str
    text: str
    odd: tuple[str, ...]
    unknown: str  # an unknown kind word to warn about, or ""


def _tokens(text: str, limit: int) -> list[re.Match[str]]:
    """Up to ``limit`` words at the start of ``text`` joined by spaces or single hyphens."""
    out: list[re.Match[str]] = []
    pos = 0
    while len(out) < limit:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        out.append(m)
        j = _JOIN.match(text, m.end())
        if not j:
            break
        pos = j.end()
    return out


# The canonical form, " word: text" (or " phone-call: text"): most log lines.  When the
# whole word is a known kind it is exactly what the general reading below would find.
_CANONICAL = re.compile(r"[ \t]+([^\W_]+(?:-[^\W_]+)*)[ \t]*:")


_NORMAL: dict[str, str] = {}  # kind word as written -> normalise_kind(word): a vault repeats a few words


def _normal(word: str) -> str:
    found = _NORMAL.get(word)
    if found is None:
        found = normalise_kind(word)
        if len(_NORMAL) < 4096:
            _NORMAL[word] = found
    return found


def _shape(rest: str, words: Mapping[str, str]) -> _Shape:
    """What follows the date: the kind phrase, its separator and the text."""
    if (m := _CANONICAL.match(rest)) and (kind := words.get(_normal(m.group(1)))) is not None:
        return _Shape(kind, m.group(1), rest[m.end():].strip(), (), "")
    return _shape_any(rest, words)


def _shape_any(rest: str, words: Mapping[str, str]) -> _Shape:
    """:func:`_shape` for every form people write (the canonical one included)."""
    odd: list[str] = []
    if not rest.strip():
        return _Shape(NOTE, "", "", (), "")
    if rest.startswith(":"):
        return _Shape(NOTE, "", rest[1:].strip(), (), "")
    if (c := _COLON.match(rest)):
        return _Shape(NOTE, "", rest[c.end():].strip(), ("a space before the colon",), "")
    if (d := _DASH.match(rest)):
        odd.append("a dash for the colon")
        rest = rest[d.end():]
    elif rest[0] not in " \t":
        return _Shape(NOTE, "", rest.strip(), (), "")  # "2026-12-01T10:00": as before, a note
    t = rest.lstrip(" \t")
    tokens = _tokens(t, _max_words(words) + 1)
    for n in range(len(tokens), 0, -1):
        phrase = normalise_kind(" ".join(m.group(0) for m in tokens[:n]))
        kind = words.get(phrase)
        if kind is None:
            continue
        end = tokens[n - 1].end()
        word, after = t[:end], t[end:]
        if not after.strip():
            return _Shape(kind, word, "", tuple(odd), "")
        if (c := _COLON.match(after)):
            return _Shape(kind, word, after[c.end():].strip(), tuple(odd), "")
        if (d := _DASH.match(after)):
            return _Shape(kind, word, after[d.end():].strip(), (*odd, "a dash for the colon"), "")
        if after[0] in " \t,;.":
            return _Shape(kind, word, after[1:].strip(), (*odd, "words after the kind word without a colon"), "")
    # No known kind: a word (or a short phrase) before a colon is a kind word mistyped.
    if tokens:
        first_end = tokens[0].end()
        head = t[:first_end]
        after = t[first_end:]
        colon = _COLON.match(after)
        if colon:
            return _Shape(NOTE, head, after[colon.end():].strip(), tuple(odd), head)
        for n in range(2, len(tokens) + 1):
            colon = _COLON.match(t, tokens[n - 1].end())
            if colon:
                phrase = t[:tokens[n - 1].end()]
                if suggest(phrase, words):
                    return _Shape(NOTE, phrase, t[colon.end():].strip(), tuple(odd), phrase)
                break
        if len(head) >= 4 and suggest(head, words):
            return _Shape(NOTE, "", t.strip(), tuple(odd), head)
    return _Shape(NOTE, "", t.strip(), tuple(odd), "")


def _is_log_like_without_year(rest: str, words: Mapping[str, str]) -> bool:
    """``- 12-16 email: ...``: a date without its year counts as log-like only when
    a colon, a dash, a word and a colon or dash, or a kind word follows (``- 3-4 people
    came`` is no log line)."""
    if _COLON.match(rest) or _DASH.match(rest):
        return True
    t = rest.lstrip(" \t")
    tokens = _tokens(t, _max_words(words))
    if tokens and (_COLON.match(t, tokens[0].end()) or _DASH.match(t, tokens[0].end())):
        return True
    return any(normalise_kind(" ".join(m.group(0) for m in tokens[:n])) in words for n in range(1, len(tokens) + 1))


def read_log(path: str, body: str, first_line: int, words: Mapping[str, str],
             fences: list[tuple[int, int]]) -> tuple[tuple[Interaction, ...], list[Diagnostic]]:
    """Every log line of a contact's body -> (interactions in file order, diagnostics).

    ``fences`` are the character ranges of fenced code blocks (their lines do
    not count); ``first_line`` is the file line of the body's first character.
    """
    entries: list[Interaction] = []
    diags: list[Diagnostic] = []
    in_fence = _Ranges(fences)
    in_log = _Ranges(log_sections(body))
    line, pos = first_line, 0
    count = body.count
    for m in _CANDIDATE.finditer(body):
        start = m.start()
        line += count("\n", pos, start)
        pos = start
        if fences and start in in_fence:
            continue
        marker, opener, a, sep, b, c, closer, rest = m.groups()
        if marker is None:
            if start not in in_log:
                continue  # a date at the start of prose, outside a Log section
        elif (sep == "-" and opener is None and closer is None and len(a) == 4 and c is not None and len(b) == 2
              and len(c) == 2 and (cm := _CANONICAL.match(rest)) is not None
              and (kind := words.get(_normal(cm.group(1)))) is not None):
            # The canonical "- YYYY-MM-DD word: text" with a known kind word (most lines): what
            # the general reading below finds for it, without its steps.
            try:
                day = date(int(a), int(b), int(c))
            except ValueError:
                pass  # not a date: the general reading says so
            else:
                text = rest[cm.end():].strip()
                entries.append(Interaction(path, path, line, day, kind, cm.group(1), text, links_in(text)))
                continue
        r = read_date_parts(a, sep, b, c)
        if r.date is None:
            if c is None and not _is_log_like_without_year(rest, words):
                continue
            if r.impossible:
                token = f"{a}{sep}{b}{sep}{c}"
                diags.append(Diagnostic(path, line, ERROR, "invalid-date",
                                        f"log line date {token!r} is not a date; write it as YYYY-MM-DD"))
            else:
                shown = m.group(0).strip()
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                diags.append(Diagnostic(path, line, WARNING, "log-line-unread",
                                        f"skipped {shown!r}: {r.why_not}; write the date as YYYY-MM-DD"))
            continue
        odd = list(r.odd)
        if opener or closer:
            odd.append(f"date in {_WRAPPERS.get(opener or '', closer or '')}" if opener else f"{closer!r} after the date")
        if marker is None:
            odd.append("no '- ' before the date")
        s = _shape(rest, words)
        odd.extend(s.odd)
        text = s.text
        # The word stays as written when it names a kind (`note:` too), so a line reads back as
        # it was typed; words that only happen to start a note's text do not.
        named = s.kind != NOTE or s.unknown or (s.word and normalise_kind(s.word) in words)
        it = Interaction(path, path, line, r.date, s.kind, s.word if named else "", text, links_in(text))
        if s.unknown:
            diags.append(Diagnostic(path, line, WARNING, "unknown-kind", unknown_kind_message(s.unknown, words)))
        if odd:
            raw = it.raw if len(it.raw) <= 60 else it.raw[:57] + "..."
            diags.append(Diagnostic(path, line, WARNING, "log-line-form",
                                    f"read as \"- {raw}\" ({', '.join(odd)}); write it so to silence this"))
        entries.append(it)
    return tuple(entries), diags


def links_in(text: str) -> tuple[str, ...]:
    """The targets of the wiki-links in a text, in order."""
    if "[[" not in text:
        return ()
    return tuple(t.strip() for t in LINK_RE.findall(text) if t.strip())
