"""Edits of one note's text: text in, text out.  Pure: no file system, no clock.

Every function takes the note's whole text (as decoded from UTF-8, with its
byte-order mark, if any, as the first character and its line endings as they
are) and returns the new text, changing only the lines it was asked to change:

- :func:`set_property` / :func:`unset_property`: one frontmatter key;
- :func:`add_to_list`: values appended to a list property;
- :func:`append_log`: one log line, in date order, under the Log heading;
- :func:`insert_section`: a new section (``## Heading`` and its lines) before the first
  ``##`` heading, or at the end;
- :func:`render_template` / :func:`minimal_note`: a new note's text.

The frontmatter is edited line by line, not re-serialised: comments, quoting,
flow or block lists, blank lines, key order and every other key stay byte for
byte.  Each frontmatter edit is then verified by loading the YAML before and
after: the result must be the old properties with exactly the one intended
change, otherwise :class:`EditError` is raised and nothing should be written.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Iterable, Sequence

from .parse import _LOG_RE, _yaml

__all__ = ["EditError", "set_property", "set_properties", "fill_property", "unset_property", "add_to_list", "append_log",
           "log_line", "format_value", "render_template", "minimal_note", "contact_note", "frontmatter_props",
           "insert_section"]


class EditError(Exception):
    """The edit cannot be made safely.  ``line`` is the 1-based line in the file it is about."""

    def __init__(self, line: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.code = code
        self.message = message


_BOM = "\ufeff"
_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+\Z")


# --- lines --------------------------------------------------------------------------------


def _newline(text: str) -> str:
    """The note's line ending: CRLF when its first line ends so, else LF."""
    i = text.find("\n")
    return "\r\n" if i > 0 and text[i - 1] == "\r" else "\n"


def _lines(text: str) -> list[str]:
    """Lines with their endings kept (only ``\\n`` ends a line, as in editors): ``"".join`` gives the text back."""
    return _LINE_RE.findall(text)


def _bare(line: str) -> str:
    """A line without its ending."""
    return line.rstrip("\r\n") if line.endswith("\n") else line


def _ending(line: str) -> str:
    return line[len(_bare(line)):]


def _frontmatter(lines: list[str]) -> tuple[int, int] | None:
    """Line indexes (first property line, closing line) of the frontmatter, or None when there is none.

    Raises EditError when it is opened and never closed.
    """
    if not lines or _bare(lines[0]).lstrip(_BOM).rstrip() != "---":
        return None
    for i in range(1, len(lines)):
        if _bare(lines[i]).rstrip() in ("---", "..."):
            return 1, i
    raise EditError(1, "unclosed-frontmatter", "frontmatter opened with --- on line 1 is never closed with ---")


def frontmatter_props(text: str) -> dict[str, Any]:
    """The properties as YAML loads them (dates as text), {} without frontmatter.

    Raises EditError (with the line) when the frontmatter does not parse or is not a mapping.
    """
    lines = _lines(text)
    fm = _frontmatter(lines)
    if fm is None:
        return {}
    source = "".join(_bare(line) + "\n" for line in lines[fm[0]:fm[1]])
    return dict(_load_frontmatter(source))


@lru_cache(maxsize=32)  # an import fills one template for thousands of new notes: it is loaded once
def _load_frontmatter(source: str) -> dict[str, Any]:
    yaml, loader = _yaml()
    try:
        loaded = yaml.load(source, Loader=loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise EditError(2 + (mark.line if mark else 0), "bad-yaml",
                        f"frontmatter is not valid YAML: {' '.join(p for p in (e.context, e.problem) if p)}") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as e:
        raise EditError(2, "bad-yaml", f"frontmatter could not be read: {e}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise EditError(2, "frontmatter-not-mapping", "frontmatter must be a set of `key: value` properties")
    return loaded


# --- values -------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # an import writes the same companies, roles and tags thousands of times
def _load_scalar(source: str) -> Any:
    yaml, loader = _yaml()
    try:
        return yaml.load(source, Loader=loader)
    except (yaml.YAMLError, ValueError, TypeError):
        return _Unreadable


class _Unreadable:
    pass


def _scalar(value: Any, *, in_flow: bool = False, quote: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if quote == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if quote != '"' and text and text == text.strip() and "\n" not in text:
        source = f"[{text}]" if in_flow else f"k: {text}"
        loaded = _load_scalar(source)
        if (loaded == [text]) if in_flow else (loaded == {"k": text}):
            return text
    return json.dumps(text, ensure_ascii=False)


def format_value(value: Any, *, quote: str = "") -> str:
    """A value as it goes after ``key: `` on one line: plain when YAML reads it back
    as the same text, else double-quoted (wiki-links are always quoted); a list in
    flow style, ``[a, b]``; None as nothing."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v, in_flow=True) for v in value) + "]"
    return _scalar(value, quote=quote)


def _split_inline(rest: str) -> tuple[str, str]:
    """The text after ``key:`` -> (value, trailer): the trailer is the spaces and
    comment after the value (kept when the value changes)."""
    s = rest
    i = len(s) - len(s.lstrip(" \t"))
    if i == len(s):
        return "", s
    c = s[i]
    end = None
    if c == '"':
        j = i + 1
        while j < len(s):
            if s[j] == "\\":
                j += 2
                continue
            if s[j] == '"':
                end = j + 1
                break
            j += 1
    elif c == "'":
        j = i + 1
        while j < len(s):
            if s[j] == "'":
                if s[j + 1:j + 2] == "'":
                    j += 2
                    continue
                end = j + 1
                break
            j += 1
    elif c in "[{":
        depth, j, q = 0, i, ""
        while j < len(s):
            ch = s[j]
            if q:
                if ch == q:
                    q = ""
            elif ch in "\"'":
                q = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
                if depth == 0:
                    end = j + 1
                    break
            j += 1
    else:
        m = re.search(r"[ \t]#", s[i:])
        end = len(s[: i + m.start()].rstrip(" \t")) if m else len(s.rstrip(" \t"))
    if end is None:
        return s, ""
    trailer = s[end:]
    if trailer.strip() and not trailer.lstrip(" \t").startswith("#"):
        return s, ""
    return s[:end], trailer


def _key_line(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(rf"^(?:{k}|\"{k}\"|'{k}')([ \t]*):")


def _find_key(lines: list[str], fm: tuple[int, int], key: str) -> tuple[int, int] | None:
    """(key line, end) of the last top-level ``key:`` in the frontmatter; ``end`` is
    one past the last line of its value (indented lines, block list items)."""
    pat = _key_line(key)
    found = None
    for i in range(fm[0], fm[1]):
        if pat.match(lines[i]):
            found = i
    if found is None:
        return None
    end = found + 1
    j = found + 1
    while j < fm[1]:
        s = _bare(lines[j])
        if not s.strip() or s.lstrip().startswith("#"):
            j += 1
            continue
        if s[0] in " \t" or s == "-" or s.startswith("- "):
            j += 1
            end = j
            continue
        break
    return found, end


def _check_key(key: str) -> None:
    if not _KEY_RE.match(key):
        raise EditError(1, "bad-key", f"{key!r} is not a property name mdnet writes (letters, digits, _ and -)")


def _verify(before: str, after: str, key: str, expect: Any, *, line: int) -> None:
    """The edit must change exactly ``key``, to ``expect`` (``_Absent`` for removed)."""
    old = dict(frontmatter_props(before))
    try:
        new = frontmatter_props(after)
    except EditError:
        new = None
    if expect is _Absent:
        old.pop(key, None)
    else:
        old[key] = expect
    if new != old:
        raise EditError(line, "unsafe-edit",
                        f"{key}: mdnet cannot change this value without touching other lines; edit it by hand")


class _Absent:
    pass


def _yaml_value(value: Any) -> Any:
    """What YAML will read back for ``value`` as written by :func:`format_value`."""
    if isinstance(value, (list, tuple)):
        return [_yaml_value(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def set_property(text: str, key: str, value: Any, *, _verified: bool = True) -> str:
    """Set one frontmatter property; adds it at the end of the frontmatter (or adds a
    frontmatter) when absent.  A block list stays a block list; a quoted scalar keeps
    its quotes; a comment after the value stays."""
    _check_key(key)
    lines = _lines(text)
    nl = _newline(text)
    fm = _frontmatter(lines)
    if _verified:
        frontmatter_props(text)  # refuse to touch a frontmatter that does not parse
    expect = _yaml_value(value)
    if fm is None:
        bom = _BOM if text.startswith(_BOM) else ""
        head = f"{bom}---{nl}{key}:{' ' if value not in (None, '') else ''}{format_value(value)}{nl}---{nl}"
        out = head + text[len(bom):]
        if _verified:
            _verify(text, out, key, expect, line=1)
        return out
    where = _find_key(lines, fm, key)
    if where is None:
        new_line = f"{key}: {format_value(value)}".rstrip() + nl
        out = "".join(lines[:fm[1]] + [new_line] + lines[fm[1]:])  # before the closing ---
        if _verified:
            _verify(text, out, key, expect, line=fm[1] + 1)
        return out
    start, end = where
    first = _bare(lines[start])
    colon = _key_line(key).match(first).end()  # type: ignore[union-attr]
    head, rest = first[:colon], first[colon:]
    old_value, trailer = _split_inline(rest)
    block_items = [i for i in range(start + 1, end) if _bare(lines[i]).lstrip().startswith("-")]
    if isinstance(value, (list, tuple)) and block_items and not old_value.strip():
        indent = re.match(r"[ \t]*-[ \t]*", _bare(lines[block_items[0]])).group(0)  # type: ignore[union-attr]
        new = [first + _ending(lines[start])] + [f"{indent}{_scalar(v)}{nl}" for v in value]
        if not value:
            new = [f"{head} []{trailer}{_ending(lines[start])}"]
    else:
        ov = old_value.strip()
        quote = ov[0] if ov[:1] in ("'", '"') and not isinstance(value, (list, tuple)) and isinstance(value, str) else ""
        formatted = format_value(value, quote=quote)
        lead = rest[: len(rest) - len(rest.lstrip(" \t"))] if ov else " "
        if not formatted:
            lead = ""
            trailer = trailer if trailer.strip() else ""
        new = [f"{head}{lead}{formatted}{trailer}{_ending(lines[start]) or nl}"]
    out = "".join(lines[:start] + new + lines[end:])
    if _verified:
        _verify(text, out, key, expect, line=start + 1)
    return out


def set_properties(text: str, items: Sequence[tuple[str, Any]]) -> str:
    """Several :func:`set_property` edits, each line written as it writes it, verified once:
    the result's properties must be the old ones with exactly these values.  (Filling a
    template for a new note costs one YAML load instead of three per property: an import
    of 10k contacts fills 10k templates.)"""
    before = frontmatter_props(text)  # refuse to touch a frontmatter that does not parse
    out = text
    for key, value in items:
        _check_key(key)
        out = set_property(out, key, value, _verified=False)
    expect = dict(before)
    expect.update((key, _yaml_value(value)) for key, value in items)
    try:
        after = frontmatter_props(out)
    except EditError:
        after = None
    if after != expect:
        bad = sorted(k for k in expect if after is None or after.get(k) != expect[k]) or ["frontmatter"]
        raise EditError(1, "unsafe-edit", f"{', '.join(bad)}: mdnet cannot set this without touching other lines; "
                                          "edit it by hand")
    return out


def fill_property(text: str, key: str, value: Any) -> str:
    """Set ``key`` only when it is absent or empty (``key:``, ``""``, ``[]``): an import
    fills what the user has not written, and never overwrites what they have."""
    current = frontmatter_props(text).get(key)
    if current not in (None, "", []):
        return text
    return set_property(text, key, value)


def unset_property(text: str, key: str) -> str:
    """Empty one property (``key:`` stays, as Obsidian leaves a cleared property;
    an empty property is the same as a missing one).  No change when it is absent."""
    _check_key(key)
    lines = _lines(text)
    fm = _frontmatter(lines)
    if fm is None or _find_key(lines, fm, key) is None:
        return text
    return set_property(text, key, None)


def list_additions(current: Any, values: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """A list property's values as loaded (empty, one value or a list) and those of
    ``values`` not already there, ignoring case: what :func:`add_to_list` appends."""
    if current is None or current == "":
        have: list[Any] = []
    elif isinstance(current, list):
        have = list(current)
    else:
        have = [current]
    seen = {str(v).strip().lower() for v in have}
    add = []
    for v in values:
        if str(v).strip().lower() not in seen:
            seen.add(str(v).strip().lower())
            add.append(v)
    return have, add


def add_to_list(text: str, key: str, values: Iterable[Any]) -> str:
    """Append values to a list property, skipping those already there (ignoring case).

    A flow list gains ``, v`` before its ``]``; a block list gains ``- v`` lines
    indented like its last item; a single value becomes a flow list; an empty or
    absent property becomes ``[v]``.
    """
    _check_key(key)
    props = frontmatter_props(text)
    current = props.get(key)
    have, add = list_additions(current, values)
    if not add:
        return text
    want = have + add
    lines = _lines(text)
    nl = _newline(text)
    fm = _frontmatter(lines)
    where = _find_key(lines, fm, key) if fm else None
    if where is None or not isinstance(current, list):
        return set_property(text, key, want)
    start, end = where
    first = _bare(lines[start])
    colon = _key_line(key).match(first).end()  # type: ignore[union-attr]
    old_value, trailer = _split_inline(first[colon:])
    ov = old_value.rstrip()
    if ov.lstrip().startswith("[") and ov.endswith("]") and end == start + 1:
        inner = ov[:-1]
        sep = "" if inner.rstrip().endswith("[") else ", "
        added = ", ".join(_scalar(v, in_flow=True) for v in add)
        new_first = first[:colon] + inner.rstrip() + sep + added + "]" + trailer + _ending(lines[start])
        out = "".join(lines[:start] + [new_first] + lines[end:])
    else:
        items = [i for i in range(start + 1, end) if _bare(lines[i]).lstrip().startswith("-")]
        if not items:
            return set_property(text, key, want)
        last = items[-1]
        indent = re.match(r"[ \t]*-[ \t]*", _bare(lines[last])).group(0)  # type: ignore[union-attr]
        new = [f"{indent}{_scalar(v)}{nl}" for v in add]
        out = "".join(lines[: last + 1] + new + lines[last + 1:])  # an item line always ends: --- follows
    _verify(text, out, key, _yaml_value(want), line=start + 1)
    return out


# --- the log --------------------------------------------------------------------------------


def log_line(day: date, word: str, text: str = "") -> str:
    """``- 2026-11-20 coffee: text`` (without the line ending); the text is kept on one line."""
    text = " ".join(text.split())
    return f"- {day.isoformat()} {word}: {text}" if text else f"- {day.isoformat()} {word}"


def _body_start(lines: list[str]) -> int:
    try:
        fm = _frontmatter(lines)
    except EditError:
        return 0
    return 0 if fm is None else fm[1] + 1


def _outside_fences(lines: list[str], start: int) -> list[bool]:
    out = [False] * len(lines)
    fenced = False
    for i in range(start, len(lines)):
        if _FENCE_RE.match(lines[i]):
            fenced = not fenced
            continue
        out[i] = not fenced
    return out


def append_log(text: str, day: date, word: str, note: str = "", *, heading: str = "Log") -> str:
    """Add one log line under the first heading named ``heading`` (any level, any case).

    The line goes in date order: after the lines of the same day, or, in a section
    written newest-first, before them.  Without such a heading, ``## Log`` and the
    line are added at the end of the note.  It copies the bullet and indent of the
    log lines around it.
    """
    new_text = log_line(day, word, note)
    lines = _lines(text)
    nl = _newline(text)
    body = _body_start(lines)
    plain = _outside_fences(lines, body)
    head = None
    level = 0
    for i in range(body, len(lines)):
        if not plain[i]:
            continue
        m = _HEADING_RE.match(_bare(lines[i]))
        if m and m.group(2).strip().lower() == heading.lower():
            head, level = i, len(m.group(1))
            break
    if head is None:
        out = text
        if out and not out.endswith("\n"):
            out += nl
        if out.strip(_BOM + " \t\r\n"):
            sep = "" if out.endswith(nl + nl) or out.endswith("\n\n") else nl
        else:
            sep = ""
        return f"{out}{sep}## {heading}{nl}{new_text}{nl}"
    end = len(lines)
    for i in range(head + 1, len(lines)):
        m = _HEADING_RE.match(_bare(lines[i])) if plain[i] else None
        if m and len(m.group(1)) <= level:
            end = i
            break
    entries: list[tuple[int, date, str]] = []  # (line index, date, bullet prefix)
    for i in range(head + 1, end):
        if not plain[i]:
            continue
        m = _LOG_RE.match(_bare(lines[i]))
        if m:
            try:
                d = date.fromisoformat(m.group(1))
            except ValueError:
                continue
            prefix = _bare(lines[i])[: m.start(1)]
            entries.append((i, d, prefix))
    if entries:
        dates = [d for _, d, _ in entries]
        newest_first = len(set(dates)) > 1 and all(a >= b for a, b in zip(dates, dates[1:]))
        if newest_first:
            before = next((e for e in entries if e[1] <= day), None)
            if before is not None:
                at, prefix = before[0], before[2]
            else:
                at, prefix = _after_item(lines, entries[-1][0], end), entries[-1][2]
        else:
            after = [e for e in entries if e[1] <= day]
            if after:
                at, prefix = _after_item(lines, after[-1][0], end), after[-1][2]
            else:
                at, prefix = entries[0][0], entries[0][2]
        new_text = prefix + new_text[2:]
    else:
        at = head + 1
        for i in range(head + 1, end):
            if _bare(lines[i]).strip():
                at = i + 1
    return _insert(lines, at, new_text, nl)


def insert_section(text: str, heading: str, body: Sequence[str]) -> str:
    """Add ``## heading`` and the ``body`` lines as a new section: before the note's first
    level-2 heading outside code fences (a meeting note's "## What we talked about"), or at
    the end.  A blank line separates it from what comes before and after; the note's line
    ending is used.  EditError when a heading with that text is already there (anything
    under it is the user's: it is never replaced)."""
    lines = _lines(text)
    nl = _newline(text)
    start = _body_start(lines)
    outside = _outside_fences(lines, start)
    at = len(lines)
    for i in range(start, len(lines)):
        m = _HEADING_RE.match(_bare(lines[i])) if outside[i] else None
        if m is None:
            continue
        if m.group(2).strip().casefold() == heading.strip().casefold():
            raise EditError(i + 1, "section-exists", f"the note already has a section {_bare(lines[i])!r}; "
                                                     "delete it to write a new one")
        if len(m.group(1)) == 2 and at == len(lines):
            at = i
    block = [f"## {heading}", "", *body]
    before, after = lines[:at], lines[at:]
    if before and not before[-1].endswith("\n"):
        before[-1] += nl
    if before and _bare(before[-1]).strip():
        block.insert(0, "")
    if after:
        block.append("")
    return "".join(before) + "".join(line + nl for line in block) + "".join(after)


def _after_item(lines: list[str], i: int, end: int) -> int:
    """One past a list item and the more-indented lines that belong to it."""
    s = _bare(lines[i])
    indent = len(s) - len(s.lstrip(" \t"))
    j = i + 1
    while j < end:
        t = _bare(lines[j])
        if t.strip() and len(t) - len(t.lstrip(" \t")) > indent:
            j += 1
            continue
        break
    return j


def _insert(lines: list[str], at: int, line: str, nl: str) -> str:
    out = list(lines)
    if at > 0 and at == len(out) and not _ending(out[-1]):
        out[-1] += nl  # a file without a final newline gains only that
    out.insert(at, line + nl)
    return "".join(out)


# --- new notes -------------------------------------------------------------------------------

# Compiled on first use by re's cache: only `add` renders templates.
_TEMPLATE_RE = r"\{\{\s*(title|date|time)(?::([^}]*))?\s*\}\}"
_MOMENT_RE = (r"\[[^\]]*\]|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DDDD|DDD|DD|D|dddd|ddd|dd|d|E|e|"
              r"WW|W|ww|w|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|A|a|X|x|ZZ|Z")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def moment_format(when: datetime, fmt: str) -> str:
    """``when`` formatted with Moment.js tokens (``YYYY-MM-DD``, ``dddd, MMMM Do``,
    ``HH:mm``, ``[text]`` kept as is), as Obsidian formats template dates (English locale)."""
    sunday_weekday = (when.weekday() + 1) % 7  # moment's d: 0 = Sunday
    iso_year, iso_week, iso_day = when.isocalendar()
    doy = when.timetuple().tm_yday
    # moment's locale week (en: weeks start on Sunday, the week with 1 Jan is week 1)
    jan1 = date(when.year, 1, 1)
    locale_week = (doy - 1 + (jan1.weekday() + 1) % 7) // 7 + 1
    hour12 = when.hour % 12 or 12
    offset = when.strftime("%z") or "+0000"
    tokens = {
        "YYYY": f"{when.year:04d}", "YY": f"{when.year % 100:02d}", "Q": str((when.month - 1) // 3 + 1),
        "MMMM": _MONTHS[when.month - 1], "MMM": _MONTHS[when.month - 1][:3], "MM": f"{when.month:02d}",
        "M": str(when.month), "Do": _ordinal(when.day), "DDDD": f"{doy:03d}", "DDD": str(doy),
        "DD": f"{when.day:02d}", "D": str(when.day), "dddd": _DAYS[when.weekday()], "ddd": _DAYS[when.weekday()][:3],
        "dd": _DAYS[when.weekday()][:2], "d": str(sunday_weekday), "E": str(iso_day), "e": str(sunday_weekday),
        "WW": f"{iso_week:02d}", "W": str(iso_week), "ww": f"{locale_week:02d}", "w": str(locale_week),
        "HH": f"{when.hour:02d}", "H": str(when.hour), "hh": f"{hour12:02d}", "h": str(hour12),
        "kk": f"{when.hour or 24:02d}", "k": str(when.hour or 24), "mm": f"{when.minute:02d}",
        "m": str(when.minute), "ss": f"{when.second:02d}", "s": str(when.second),
        "SSS": f"{when.microsecond // 1000:03d}", "A": "AM" if when.hour < 12 else "PM",
        "a": "am" if when.hour < 12 else "pm", "X": str(int(when.timestamp())) if when.tzinfo else "0",
        "x": str(int(when.timestamp() * 1000)) if when.tzinfo else "0",
        "ZZ": offset, "Z": offset[:3] + ":" + offset[3:],
    }

    def one(m: re.Match[str]) -> str:
        t = m.group(0)
        return t[1:-1] if t.startswith("[") else tokens[t]

    return re.sub(_MOMENT_RE, one, fmt)


def render_template(template: str, *, title: str, now: datetime,
                    date_format: str = "YYYY-MM-DD", time_format: str = "HH:mm") -> str:
    """Obsidian's core Templates placeholders: ``{{title}}``, ``{{date}}``, ``{{time}}``,
    ``{{date:FORMAT}}`` and ``{{time:FORMAT}}`` (Moment.js tokens)."""

    def one(m: re.Match[str]) -> str:
        what, fmt = m.group(1).lower(), m.group(2)
        if what == "title":
            return title
        if fmt is None or not fmt.strip():
            fmt = date_format if what == "date" else time_format
        return moment_format(now, fmt.strip())

    return re.sub(_TEMPLATE_RE, one, template, flags=re.I)


def minimal_note(props: Sequence[tuple[str, Any]], *, nl: str = "\n") -> str:
    """A new contact note in the documented format: the given properties, then ``## Log``."""
    lines = ["---", "type: person"]
    lines += [f"{k}: {format_value(v)}".rstrip() for k, v in props if k != "type"]
    lines += ["---", "", "## Log", ""]
    return nl.join(lines)


def contact_note(template: str | None, name: str, props: Sequence[tuple[str, Any]],
                 lists: Sequence[tuple[str, list[str]]], now: datetime) -> str:
    """A new contact's note: the vault's ``template`` (Templates/Person.md's text)
    rendered for ``name`` with the given properties filled and list values added to
    what it lists, or :func:`minimal_note` when there is no template."""
    if template is None:
        return minimal_note([*props, *((k, v) for k, v in lists if v)])
    text = render_template(template, title=name, now=now)
    have = frontmatter_props(text)
    items = list(props)
    for key, values in lists:  # added to what the template lists, as add_to_list would
        if values:
            current, new = list_additions(have.get(key), values)
            items.append((key, current + new))
    return set_properties(text, items)  # verified once, not once per property
