"""One note's bytes -> :class:`~mdnet.model.Note`.  Pure: no file system, no clock.

Never raises on user content.  Every problem becomes a :class:`Diagnostic`
carrying the line in the file as it is on disk, and costs only the value it is
about: a bad date loses that date, a malformed frontmatter loses the
properties but keeps the body and its log.
"""

from __future__ import annotations

import re
from functools import lru_cache
from datetime import date, datetime
from typing import Any, Mapping

from ..config import Config, is_no_cadence, parse_duration
from ..timeofday import parse_time
from ..config import normalise_kind
from .simpleyaml import SimpleYaml
from .logline import LINK_RE as _LINK_RE, read_date_text, read_log, unknown_kind_message
from ..model import (
    ERROR,
    MEETING,
    MET,
    NOTE,
    OTHER,
    PERSON,
    STATUSES,
    WARNING,
    Contact,
    Diagnostic,
    Interaction,
    Meeting,
    Note,
)


#: Bumped whenever the same bytes parse differently (the index then re-reads every note).
PARSER_VERSION = 3

_YAML: list = []  # [yaml module, loader class], filled on first use
_SIMPLE: list = []  # [SimpleYaml], made on first use


def _yaml():  # type: ignore[no-untyped-def]
    """PyYAML and libyaml's safe loader, but dates stay text: we validate them ourselves.

    PyYAML turns ``2026-02-30`` into a constructor error that loses the whole
    frontmatter; read as text, one bad date costs only that property.  Imported
    on first use, so commands that parse nothing start faster.
    """
    if not _YAML:
        import yaml

        base = yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader

        class Loader(base):  # type: ignore[misc, valid-type]
            pass

        Loader.yaml_implicit_resolvers = {
            first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
            for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
        }

        def timestamp(loader, node):  # type: ignore[no-untyped-def]
            # An explicit !!timestamp that is not one (`!!timestamp ''`) makes
            # PyYAML's constructor fail with an AttributeError: keep the text.
            try:
                return base.construct_yaml_timestamp(loader, node)
            except (AttributeError, ValueError, TypeError):
                return loader.construct_scalar(node)

        Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
        _YAML[:] = [yaml, Loader]
    return _YAML


def _simple_yaml() -> SimpleYaml:
    """The reader of the common shape of frontmatter, bound to :func:`_yaml`'s loader."""
    if not _SIMPLE:
        _SIMPLE.append(SimpleYaml(_yaml()[1].yaml_implicit_resolvers))
    return _SIMPLE[0]


_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?")
# A log line in the canonical form (``- YYYY-MM-DD ...``): what vault/edit.py orders a new
# line among.  Reading log lines, in every form people write, is vault/logline.py's.
_LOG_RE = re.compile(r"^[ \t]*[-*+][ \t]+(?!\[[ xX/-]\])(\d{4}-\d{2}-\d{2})(?![\d-])(.*)$", re.M)
# Log lines are read from the first 4 million characters of a note only.
MAX_LOG_CHARS = 4_000_000
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~)", re.M)
_fromiso = date.fromisoformat
_PREP_HEADING = re.compile(r"^#{1,6}[ \t]+prep", re.I | re.M)  # "## Prep brief", "## Preparation"

LIST_PROPS = ("aliases", "email", "tags", "circles", "ask_about", "offers")
TEXT_PROPS = ("name", "company", "role", "phone", "linkedin", "referred_by", "how_met", "status", "next_step", "cadence", "type")
DATE_PROPS = ("added", "met", "follow_up", "snooze_until")
KNOWN_PROPS = frozenset(LIST_PROPS + TEXT_PROPS + DATE_PROPS + ("knows_search",))


def parse_date(value: Any) -> date | None:
    """ISO ``YYYY-MM-DD`` (a datetime is accepted too) -> date; None if invalid."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    if len(value) == 10 and value[4] == "-" and value[7] == "-":  # the common case, in C
        try:
            return _fromiso(value)
        except ValueError:
            return None
    m = _DATE_RE.fullmatch(value.strip())
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if m.group(4) is not None and (int(m.group(4)) > 23 or int(m.group(5)) > 59):
        return None
    return d


def link_target(text: str) -> str | None:
    """``"[[People/Ana Lopez|Ana]]"`` -> ``"People/Ana Lopez"``; None if not a link."""
    m = _LINK_RE.fullmatch(text.strip())
    return m.group(1).strip() if m else None


def _decode(data: bytes) -> tuple[str, int | None]:
    """Bytes -> text, and the 1-based line of the first undecodable byte (if any)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
        bad = None
    except UnicodeDecodeError as e:
        bad = data.count(b"\n", 0, e.start) + 1
        text = data.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, bad


def split_frontmatter(text: str) -> tuple[str | None, str, int, bool]:
    """-> (yaml text or None, body, line of the body's first line, closed?).

    Frontmatter starts with ``---`` on the first line and ends at the next line
    that is ``---`` or ``...``.  Unclosed frontmatter returns closed=False and
    the whole text as body.
    """
    if not text.startswith("---"):
        return None, text, 1, True
    first_nl = text.find("\n")
    if first_nl == -1:
        first_line = text
    else:
        first_line = text[:first_nl]
    if first_line.rstrip() != "---":
        return None, text, 1, True
    if first_nl == -1:
        return None, text, 1, False
    m = _FM_END.search(text, first_nl + 1)
    if m is None:
        return None, text, 1, False
    pos, end = m.span()
    line = 2 + text.count("\n", first_nl + 1, pos)  # the closing line's
    return text[first_nl + 1 : pos], text[end + 1:], line + 1, True


# The line that closes frontmatter: --- or ..., then only whitespace (what str.rstrip strips).
_FM_END = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.M)


@lru_cache(maxsize=256)
def _key_pattern(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(rf"^(?:\?[ \t]+)?(?:{k}|\"{k}\"|'{k}')[ \t]*(?::|$)", re.M)


class _Ctx:
    """Collects diagnostics for one note; finds a property's line lazily."""

    __slots__ = ("path", "fm", "diags", "_lines")

    def __init__(self, path: str, fm: str | None) -> None:
        self.path = path
        self.fm = fm
        self.diags: list[Diagnostic] = []
        self._lines: dict[str, int] | None = None

    def known_lines(self, lines: dict[str, int]) -> None:
        """Lines of keys found another way (what :meth:`line_of` would return for them)."""
        self._lines = lines

    def line_of(self, key: str) -> int:
        """The line of ``key:`` in the file (1 when it cannot be found).

        The last top-level occurrence, as YAML keeps the last of duplicate
        keys; quoted keys, a space before the colon and ``? key`` count.
        """
        if self._lines is None:
            self._lines = {}
        found = self._lines.get(key)
        if found is None:
            found = 1
            fm = self.fm
            if fm and key in fm:
                last = None
                for m in _key_pattern(key).finditer(fm):
                    last = m
                if last is not None:
                    found = fm.count("\n", 0, last.start()) + 2
            self._lines[key] = found
        return found

    def add(self, line: int, severity: str, code: str, message: str) -> None:
        self.diags.append(Diagnostic(self.path, line, severity, code, message))

    def warn(self, key: str, code: str, message: str) -> None:
        self.add(self.line_of(key), WARNING, code, message)

    def error(self, key: str, code: str, message: str) -> None:
        self.add(self.line_of(key), ERROR, code, message)


_MAX_DEPTH = 20
_MAX_NODES = 10_000


class _Plain:
    """Turns what YAML loaded into plain JSON data, and says what it had to change.

    YAML can say more than a note's properties need: ``!!binary``, ``!!set``,
    ``!!timestamp``, anchors that refer to themselves, integers too long to
    print.  Each becomes text (or is dropped) with a warning, so nothing
    downstream (typing, the index's JSON) ever meets it.
    """

    def __init__(self, ctx: _Ctx) -> None:
        self.ctx = ctx
        self.nodes = 0

    def value(self, v: Any, key: str, depth: int = 0, active: frozenset[int] = frozenset()) -> Any:
        self.nodes += 1
        if v is None or isinstance(v, (bool, str, float)):
            return v
        if isinstance(v, int):
            try:
                str(v)
            except ValueError:
                self.ctx.warn(key, "unsupported-value", f"{key} has a number too long to read (ignored)")
                return None
            return v
        if isinstance(v, (list, dict, set, tuple)):
            if id(v) in active:
                self.ctx.warn(key, "unsupported-value", f"{key} refers to itself through a YAML anchor (ignored)")
                return None
            if depth >= _MAX_DEPTH or self.nodes > _MAX_NODES:
                self.ctx.warn(key, "unsupported-value", f"{key} is nested too deeply or is too large (ignored)")
                return None
            inner = active | {id(v)}
            if isinstance(v, dict):
                return {self.key(k): self.value(x, key, depth + 1, inner) for k, x in v.items()}
            items = [self.value(x, key, depth + 1, inner) for x in v]
            if isinstance(v, set):
                items.sort(key=str)
            return _recover_link(items, key, self.ctx)
        if isinstance(v, (bytes, bytearray)):
            import base64

            self.ctx.warn(key, "unsupported-value", f"{key} is binary data (kept as base64 text)")
            return base64.b64encode(bytes(v)).decode("ascii")
        if isinstance(v, (datetime, date)):
            return v.isoformat()
        return str(v)

    def key(self, k: Any) -> str:
        if isinstance(k, str):
            return k
        v = self.value(k, "a key")
        return v if isinstance(v, str) else json_text(v)


def json_text(v: Any) -> str:
    import json

    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


_PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}|<%[^\n]*?%>")


def _placeholder_hint(fm: str) -> tuple[int, str] | None:
    """(file line, why) when the frontmatter holds a template placeholder that was
    never filled in (``{{date}}``, Templater's ``<% ... %>``): a note copied from
    Templates/ outside Obsidian.  YAML reads ``{{date}}`` as a mapping inside a
    mapping and fails with "found unhashable key", which explains nothing."""
    m = _PLACEHOLDER.search(fm)
    if m is None:
        return None
    line = 2 + fm.count("\n", 0, m.start())
    return line, (f"{m.group(0)} on line {line} is a template placeholder that was never filled in "
                  f"(Obsidian's Templates plugin does that when it inserts the template); replace it with a value")


def _file_line(fm: str, mark: Any) -> int:
    """A YAML error mark -> the line in the file.  YAML counts U+0085, U+2028 and
    U+2029 as line breaks and editors do not, so count newlines up to the mark."""
    if mark is None:
        return 2
    index = getattr(mark, "index", None)
    if isinstance(index, int) and 0 <= index <= len(fm):
        return 2 + fm.count("\n", 0, index)
    return 2 + mark.line


def _recover_link(value: list[Any], key: str, ctx: _Ctx) -> Any:
    """An unquoted ``[[Link]]`` reads as a nested list: take it back as text."""
    if len(value) == 1 and isinstance(value[0], list) and len(value[0]) == 1 and isinstance(value[0][0], str):
        target = value[0][0]
        ctx.warn(key, "unquoted-link", f"{key}: [[{target}]] must be quoted, as \"[[{target}]]\" (read as a link for now)")
        return f"[[{target}]]"
    return value


def _text(props: Mapping[str, Any], key: str, ctx: _Ctx) -> str | None:
    v = props.get(key)
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        return v or None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    ctx.warn(key, "wrong-type", f"{key} should be text, not {_kind_name(v)} (ignored)")
    return None


def _list(props: Mapping[str, Any], key: str, ctx: _Ctx) -> tuple[str, ...]:
    v = props.get(key)
    if v is None:
        return ()
    if isinstance(v, (str, int, float)) and not isinstance(v, bool):
        text = str(v).strip()
        if key in ("email", "aliases"):  # a single value is ordinary for these
            return (text,) if text else ()
        ctx.warn(key, "wrong-type", f"{key} should be a list; read {text!r} as its only item")
        return (text,) if text else ()
    if isinstance(v, list):
        out = []
        for item in v:
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                s = str(item).strip()
                if s:
                    out.append(s)
            elif item is not None:
                ctx.warn(key, "wrong-type", f"{key} has an item that is {_kind_name(item)}, not text (skipped)")
        return tuple(out)
    ctx.warn(key, "wrong-type", f"{key} should be a list, not {_kind_name(v)} (ignored)")
    return ()


def _date(props: Mapping[str, Any], key: str, ctx: _Ctx) -> date | None:
    v = props.get(key)
    if v is None or v == "":
        return None
    d = parse_date(v)
    if d is None:
        r = read_date_text(v) if isinstance(v, str) else None
        if r is not None and r.date is not None:
            ctx.warn(key, "date-form", f"{key}: read {v!r} as {r.date.isoformat()} ({', '.join(r.odd)}); write it so to silence this")
            return r.date
        if isinstance(v, str) and _PLACEHOLDER.search(v):
            ctx.error(key, "invalid-date", f"{key}: {v!r} is a template placeholder that was never filled in; "
                                           "write the date as YYYY-MM-DD")
        elif r is not None and not r.impossible:
            ctx.error(key, "invalid-date", f"{key}: {r.why_not}; write it as YYYY-MM-DD")
        else:
            ctx.error(key, "invalid-date", f"{key}: {v!r} is not a date; write it as YYYY-MM-DD")
    return d


def _kind_name(v: Any) -> str:
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, (int, float)):
        return "a number"
    return type(v).__name__


def _strip_link(text: str | None) -> tuple[str | None, bool]:
    if text is None:
        return None, False
    target = link_target(text)
    return (target, True) if target is not None else (text, False)


def _contact(path: str, title: str, props: Mapping[str, Any], ctx: _Ctx, config: Config) -> Contact:
    name = _text(props, "name", ctx) or title
    company, company_link = _strip_link(_text(props, "company", ctx))
    referred_by, _ = _strip_link(_text(props, "referred_by", ctx))
    status = (_text(props, "status", ctx) or "active").lower()
    if status not in STATUSES:
        ctx.warn("status", "unknown-status", f"status {status!r} is not one of {', '.join(STATUSES)} (treated as active)")
        status = "active"
    cadence = _text(props, "cadence", ctx)
    if cadence is not None and not is_no_cadence(cadence) and parse_duration(cadence) is None:
        ctx.warn("cadence", "bad-cadence", f"cadence {cadence!r} is not a cadence such as 14d, 2w, 1m, quarterly or none (ignored)")
        cadence = None
    knows = props.get("knows_search")
    if knows is not None and not isinstance(knows, bool):
        ctx.warn("knows_search", "wrong-type", f"knows_search should be true or false, not {knows!r} (ignored)")
        knows = None
    tags = tuple(t.lstrip("#") for t in _list(props, "tags", ctx))
    extra = {k: v for k, v in props.items() if k not in KNOWN_PROPS}
    return Contact(
        path=path,
        name=name,
        aliases=_list(props, "aliases", ctx),
        company=company,
        company_link=company_link,
        role=_text(props, "role", ctx),
        emails=_list(props, "email", ctx),
        phone=_text(props, "phone", ctx),
        linkedin=_text(props, "linkedin", ctx),
        tags=tags,
        circles=tuple(c.lower() for c in _list(props, "circles", ctx)),
        referred_by=referred_by,
        referred_by_line=ctx.line_of("referred_by") if referred_by else 0,
        added=_date(props, "added", ctx),
        met=_date(props, "met", ctx),
        how_met=_text(props, "how_met", ctx),
        status=status,
        follow_up=_date(props, "follow_up", ctx),
        next_step=_text(props, "next_step", ctx),
        cadence=cadence,
        snooze_until=_date(props, "snooze_until", ctx),
        knows_search=knows,
        ask_about=_list(props, "ask_about", ctx),
        offers=_list(props, "offers", ctx),
        extra=extra,
        name_line=ctx.line_of("name") if "name" in props else 1,
        aliases_line=ctx.line_of("aliases") if "aliases" in props else 1,
    )


def _meeting(path: str, title: str, props: Mapping[str, Any], ctx: _Ctx, words: Mapping[str, str], body: str) -> Meeting:
    raw_date = props.get("date")
    d = None
    if raw_date is None or raw_date == "":
        ctx.warn("date", "meeting-no-date", "meeting note has no date: property, so it counts for nobody")
    else:
        d = parse_date(raw_date)
        if d is None:
            ctx.error("date", "invalid-date", f"date: {raw_date!r} is not a date; write it as YYYY-MM-DD")
    with_raw = props.get("with")
    names: list[str] = []
    if isinstance(with_raw, str):
        with_raw = [with_raw]
    if isinstance(with_raw, list):
        for item in with_raw:
            if isinstance(item, str) and item.strip():
                target = link_target(item)
                names.append(target if target is not None else item.strip())
            elif item is not None:
                ctx.warn("with", "wrong-type", f"with: has an item that is {_kind_name(item)}, not a name or \"[[Link]]\" (skipped)")
    elif with_raw is not None:
        ctx.warn("with", "wrong-type", f"with: should be a list of \"[[Person]]\" links, not {_kind_name(with_raw)}")
    if not names:
        ctx.warn("with", "with-names-nobody", "meeting note has no with: list naming the people met, so it counts for nobody")
    word = ""
    kind = MET
    raw_kind = props.get("kind")
    if raw_kind is not None:
        word = str(raw_kind).strip()
        kind = words.get(normalise_kind(word), NOTE)
        if kind == NOTE and normalise_kind(word) not in words:
            ctx.warn("kind", "unknown-kind", "kind " + unknown_kind_message(word, words))
    summary = ""
    for line in body.split("\n"):
        s = line.strip().lstrip("#").strip()
        if s:
            summary = s[:200]
            break
    at = None
    raw_time = props.get("time")
    if raw_time is not None and raw_time != "":
        at = parse_time(raw_time)
        if at is None:
            ctx.warn("time", "bad-time", f"time: {raw_time!r} is not a time of day such as \"14:00\" or \"9am\" "
                                         "(the meeting is shown all day)")
    return Meeting(path=path, title=title, date=d, date_line=ctx.line_of("date"), kind=kind, word=word,
                   with_=tuple(names), with_line=ctx.line_of("with"), summary=summary, time=at,
                   prepared=_PREP_HEADING.search(body) is not None)


def _fenced_ranges(body: str) -> list[tuple[int, int]]:
    """Character ranges of fenced code blocks (log lines inside them don't count)."""
    ranges = []
    it = _FENCE_RE.finditer(body)
    for open_ in it:
        close = next(it, None)
        end = close.end() if close else len(body)
        ranges.append((open_.start(), end))
    return ranges


def _body_links(body: str, first_line: int, fences: list[tuple[int, int]]) -> tuple[tuple[int, str], ...]:
    """(line, target) of every wiki-link outside code fences; one forward pass."""
    if "[[" not in body:
        return ()
    out = []
    line, pos, f = first_line, 0, 0
    for m in _LINK_RE.finditer(body):
        target = m.group(1).strip()
        start = m.start()
        line += body.count("\n", pos, start)
        pos = start
        while f < len(fences) and fences[f][1] <= start:
            f += 1
        if target and not (f < len(fences) and fences[f][0] <= start):
            out.append((line, target))
    return tuple(out)


def folder_type(path: str, config: Config) -> str:
    """The type a note has by its folder alone (PERSON, MEETING or OTHER)."""
    for folder in config["vault.people_folders"]:
        if path.startswith(folder.rstrip("/") + "/"):
            return PERSON
    for folder in config["vault.meeting_folders"]:
        if path.startswith(folder.rstrip("/") + "/"):
            return MEETING
    return OTHER


def parse_note(path: str, data: bytes, config: Config, *, mtime_ns: int = 0, words: Mapping[str, str] | None = None) -> Note:
    """Read one note.  ``path`` is vault-relative with forward slashes.

    ``words`` is ``config.kind_words()``, passed in by callers that parse many
    notes so it is computed once.
    """
    if words is None:
        words = config.kind_words()
    title = path.rsplit("/", 1)[-1]
    if title.lower().endswith(".md"):
        title = title[:-3]
    text, bad_line = _decode(data)
    fm, body, body_line, closed = split_frontmatter(text)
    ctx = _Ctx(path, fm)
    if bad_line is not None:
        ctx.add(bad_line, ERROR, "not-utf8", "the file is not valid UTF-8 (undecodable bytes shown as \ufffd); save it as UTF-8")
    if not closed:
        ctx.add(1, ERROR, "unclosed-frontmatter", "frontmatter opened with --- on line 1 is never closed with ---")
    props: dict[str, Any] = {}
    if fm is not None and fm.strip():
        yaml, loader = _yaml()
        simple = _simple_yaml()
        try:
            # The common shape without PyYAML's object construction (same result, or None);
            # it tells where each key is, as line_of would find it.
            key_lines: dict[str, int] = {}
            loaded = simple.load(fm, key_lines)
            if loaded is None:
                loaded = yaml.load(fm, Loader=loader)
            else:
                ctx.known_lines(key_lines)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = _file_line(fm, mark)
            what = " ".join(p for p in (e.context, e.problem) if p)
            if e.context_mark is not None and e.context_mark.line != getattr(e.problem_mark, "line", None):
                started = _file_line(fm, e.context_mark)
                if "end of stream" in (e.problem or ""):  # it runs to the end: point at where it began
                    line = started
                else:
                    what += f" (started on line {started})"
            if (hint := _placeholder_hint(fm)):
                line, what = hint[0], f"{what}: {hint[1]}"
            ctx.add(line, ERROR, "bad-yaml", f"frontmatter is not valid YAML: {what} (properties ignored)")
            loaded = None
        except yaml.YAMLError as e:  # pragma: no cover - libyaml reports marks for all we know
            ctx.add(2, ERROR, "bad-yaml", f"frontmatter is not valid YAML: {e} (properties ignored)")
            loaded = None
        except (ValueError, TypeError, RecursionError, AttributeError) as e:  # e.g. an unhashable key
            hint = _placeholder_hint(fm)
            ctx.add(hint[0] if hint else 2, ERROR, "bad-yaml",
                    f"frontmatter could not be read: {e}{': ' + hint[1] if hint else ''} (properties ignored)")
            loaded = None
        if loaded is None:
            pass
        elif isinstance(loaded, dict):
            plain = _Plain(ctx)
            for k, v in loaded.items():
                key = k if type(k) is str else plain.key(k)
                if type(v) is str or (type(v) is list and all(type(x) is str for x in v)):
                    props[key] = v  # the common case, already plain
                else:
                    props[key] = plain.value(v, key)
        else:
            ctx.add(2, ERROR, "frontmatter-not-mapping", f"frontmatter must be a set of `key: value` properties, not {_kind_name(loaded)} (ignored)")

    declared = props.get("type")
    if isinstance(declared, str) and declared.strip():
        t = declared.strip().lower()
        ntype = PERSON if t == PERSON else MEETING if t == MEETING else OTHER
    else:
        ntype = folder_type(path, config)

    fences = _fenced_ranges(body) if ("```" in body or "~~~" in body) else []
    contact = meeting = None
    log: tuple[Interaction, ...] = ()
    if ntype == PERSON:
        contact = _contact(path, title, props, ctx, config)
        log_body = body
        if len(body) > MAX_LOG_CHARS:  # one pasted dump must not stall the index or the watcher
            log_body = body[:body.rfind("\n", 0, MAX_LOG_CHARS) + 1]
            ctx.add(body_line + log_body.count("\n"), WARNING, "log-truncated",
                    f"the note is over {MAX_LOG_CHARS // 1_000_000} MB: log lines from here on are not read "
                    "(the whole note stays searchable); move old entries to another note")
        log, log_diags = read_log(path, log_body, body_line, words, fences)
        ctx.diags.extend(log_diags)
    elif ntype == MEETING:
        meeting = _meeting(path, title, props, ctx, words, body)
    links = _body_links(body, body_line, fences)
    ctx.diags.sort(key=lambda d: d.line)
    return Note(path=path, type=ntype, title=title, properties=props, body=body, contact=contact, meeting=meeting,
                log=log, links=links, diagnostics=tuple(ctx.diags), mtime_ns=mtime_ns)
