"""Strict checks of iCalendar bytes, for the feed tests.

Two independent judges besides the writer (icalendar):

* :func:`rfc_problems` reads the raw bytes itself and checks the RFC 5545 rules
  the feed relies on (CRLF, folding at 75 octets without splitting characters,
  escaping, required properties, all-day dates).  libical is lenient about
  several of these (it accepts month 13 and an empty VCALENDAR), so this is not
  redundant.
* :func:`libical` parses the bytes with libical (C), through its GObject
  introspection binding under the *system* Python, because the binding is a
  Debian package (``gir1.2-ical-3.0`` + ``python3-gi``) that a virtualenv
  cannot import.  It returns what libical read (unescaped text, dates) and the
  errors it reported, with and without its iTIP restriction check.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date, datetime
from typing import Any

SYSTEM_PYTHON = os.environ.get("MDNET_LIBICAL_PYTHON", "/usr/bin/python3")
INSTALL_HINT = "apt-get install -y --no-install-recommends gir1.2-ical-3.0 python3-gi"

_TEXT_PROPS = {"SUMMARY", "DESCRIPTION", "NAME", "X-WR-CALNAME", "CATEGORIES"}
_LINE = re.compile(r"^(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$", re.S)


def unfold(data: bytes) -> list[str]:
    """Content lines of ``data`` with folding undone (assumes CRLF)."""
    text = data.decode("utf-8")
    return [line for line in re.sub(r"\r\n[ \t]", "", text).split("\r\n") if line]


def parse_lines(data: bytes) -> list[tuple[str, dict[str, str], str]]:
    """(NAME, params, raw value) for each content line."""
    out = []
    for line in unfold(data):
        m = _LINE.match(line)
        if not m:
            out.append(("!BAD", {}, line))
            continue
        params = {}
        for part in filter(None, m.group("params").split(";")):
            key, _, val = part.partition("=")
            params[key.upper()] = val
        out.append((m.group("name").upper(), params, m.group("value")))
    return out


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def rfc_problems(data: bytes) -> list[str]:
    """Every RFC 5545 problem found in ``data`` (empty when it is clean)."""
    problems: list[str] = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"not UTF-8: {exc}"]
    if not data.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    for n, raw in enumerate(data.split(b"\r\n"), 1):
        if b"\n" in raw or b"\r" in raw:
            problems.append(f"physical line {n}: bare CR or LF")
        if len(raw) > 75:
            problems.append(f"physical line {n}: {len(raw)} octets (max 75)")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"physical line {n}: folding splits a UTF-8 character")
        if re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", raw.replace(b"\r", b"")):
            problems.append(f"physical line {n}: control character")

    stack: list[str] = []
    props: list[dict[str, list[tuple[dict[str, str], str]]]] = []
    components: list[tuple[str, dict[str, list[tuple[dict[str, str], str]]]]] = []
    for name, params, value in parse_lines(data):
        if name == "!BAD":
            problems.append(f"not a content line: {value!r}")
        elif name == "BEGIN":
            stack.append(value)
            props.append({})
        elif name == "END":
            if not stack or stack[-1] != value:
                problems.append(f"END:{value} does not close {stack[-1:] or 'anything'}")
                continue
            components.append((stack.pop(), props.pop()))
        elif not stack:
            problems.append(f"{name} outside any component")
        else:
            props[-1].setdefault(name, []).append((params, value))
            if name in _TEXT_PROPS:
                bad = re.sub(r"\\[\\;,nN]", "", value)
                if "\\" in bad:
                    problems.append(f"{stack[-1]} {name}: bad escape in {value!r}")
                if name != "CATEGORIES" and re.search(r"[;,]", bad):
                    problems.append(f"{stack[-1]} {name}: unescaped ; or , in {value!r}")
    if stack:
        problems.append(f"unclosed components {stack}")

    calendars = [p for kind, p in components if kind == "VCALENDAR"]
    if len(calendars) != 1:
        return problems + [f"{len(calendars)} VCALENDARs"]
    cal = calendars[0]
    for required in ("VERSION", "PRODID"):
        if len(cal.get(required, [])) != 1:
            problems.append(f"VCALENDAR needs exactly one {required}")
    if [v for _, v in cal.get("VERSION", [])] != ["2.0"]:
        problems.append("VERSION is not 2.0")
    if "UID" in cal:
        problems.append("UID on the VCALENDAR")
    inner = [(kind, p) for kind, p in components if kind != "VCALENDAR"]
    if not inner:
        problems.append("VCALENDAR holds no component")

    uids: set[str] = set()
    for kind, p in inner:
        for required in ("UID", "DTSTAMP"):
            if len(p.get(required, [])) != 1:
                problems.append(f"{kind} needs exactly one {required}")
        uid = p.get("UID", [({}, "")])[0][1]
        if uid in uids:
            problems.append(f"duplicate UID {uid}")
        uids.add(uid)
        for _, stamp in p.get("DTSTAMP", []) + p.get("LAST-MODIFIED", []):
            if not _utc_datetime(stamp):
                problems.append(f"{kind} {uid}: {stamp!r} is not a UTC date-time")
        for _, seq in p.get("SEQUENCE", []):
            if not re.fullmatch(r"\d+", seq) or int(seq) > 2**31 - 1:
                problems.append(f"{kind} {uid}: SEQUENCE {seq!r} is not a 32-bit integer")
        if kind == "VEVENT":
            timed = [v for _, v in p.get("DTSTART", []) if "T" in v]
            when = _timed if timed else _all_day  # a timed event (a planned conversation) is in UTC
            start = when(p, "DTSTART", problems, uid)
            end = when(p, "DTEND", problems, uid)
            if start and end and end <= start:
                problems.append(f"VEVENT {uid}: DTEND {end} not after DTSTART {start}")
            if "DURATION" in p and "DTEND" in p:
                problems.append(f"VEVENT {uid}: both DTEND and DURATION")
        elif kind == "VTODO":
            _all_day(p, "DUE", problems, uid)
    return problems


def _utc_datetime(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None


def _only(props: dict, name: str, problems: list[str], uid: str) -> tuple[dict, str] | None:
    values = props.get(name, [])
    if len(values) != 1:
        problems.append(f"{uid}: expected one {name}, got {len(values)}")
        return None
    return values[0]


def _timed(props: dict, name: str, problems: list[str], uid: str) -> datetime | None:
    if (found := _only(props, name, problems, uid)) is None:
        return None
    params, value = found
    if params:
        problems.append(f"{uid}: {name} has parameters {params} (a UTC time needs none)")
    found = _utc_datetime(value)
    if found is None:
        problems.append(f"{uid}: {name} {value!r} is not a UTC date-time")
    return found


def _all_day(props: dict, name: str, problems: list[str], uid: str) -> date | None:
    if (found := _only(props, name, problems, uid)) is None:
        return None
    params, value = found
    if params.get("VALUE") != "DATE":
        problems.append(f"{uid}: {name} lacks VALUE=DATE")
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        problems.append(f"{uid}: {name} {value!r} is not a date")
        return None


# --- libical -----------------------------------------------------------------

_LIBICAL_SCRIPT = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as I

def errors(comp):
    out = []
    c = comp
    stack = [comp]
    while stack:
        c = stack.pop()
        p = c.get_first_property(I.PropertyKind.XLICERROR_PROPERTY)
        while p:
            out.append(p.get_xlicerror())
            p = c.get_next_property(I.PropertyKind.XLICERROR_PROPERTY)
        sub = c.get_first_component(I.ComponentKind.ANY_COMPONENT)
        while sub:
            stack.append(sub)
            sub = c.get_next_component(I.ComponentKind.ANY_COMPONENT)
    return out

def day(t):
    if t is None or t.is_null_time():
        return None
    return {"date": "%04d-%02d-%02d" % (t.get_year(), t.get_month(), t.get_day()), "is_date": bool(t.is_date())}

text = sys.stdin.buffer.read().decode("utf-8")
comp = I.Component.new_from_string(text)
if comp is None:
    print(json.dumps({"parsed": False}))
    sys.exit(0)
result = {"parsed": True, "kind": comp.isa().value_nick, "parse_errors": errors(comp)}
cal_props = {}
p = comp.get_first_property(I.PropertyKind.ANY_PROPERTY)
while p:
    cal_props.setdefault(p.get_property_name(), []).append(p.get_value_as_string())
    p = comp.get_next_property(I.PropertyKind.ANY_PROPERTY)
result["calendar"] = cal_props
items = []
c = comp.get_first_component(I.ComponentKind.ANY_COMPONENT)
while c:
    cats = []
    p = c.get_first_property(I.PropertyKind.CATEGORIES_PROPERTY)
    while p:
        cats.append(p.get_categories())
        p = c.get_next_property(I.PropertyKind.CATEGORIES_PROPERTY)
    url = c.get_first_property(I.PropertyKind.URL_PROPERTY)
    seq = c.get_first_property(I.PropertyKind.SEQUENCE_PROPERTY)
    transp = c.get_first_property(I.PropertyKind.TRANSP_PROPERTY)
    kind = c.isa().value_nick
    items.append({
        "kind": kind,
        "uid": c.get_uid(),
        "summary": c.get_summary(),
        "description": c.get_description(),
        "dtstart": day(c.get_dtstart()) if c.get_first_property(I.PropertyKind.DTSTART_PROPERTY) else None,
        "dtend": day(c.get_dtend()) if c.get_first_property(I.PropertyKind.DTEND_PROPERTY) else None,
        "due": day(c.get_due()) if c.get_first_property(I.PropertyKind.DUE_PROPERTY) else None,
        "sequence": seq.get_sequence() if seq else None,
        "categories": cats,
        "url": url.get_url() if url else None,
        "transp": transp.get_value_as_string() if transp else None,
    })
    c = comp.get_next_component(I.ComponentKind.ANY_COMPONENT)
result["items"] = items
valid = I.restriction_check(comp)
result["restriction_ok"] = bool(valid)
result["restriction_errors"] = [e for e in errors(comp) if e not in result["parse_errors"]]
print(json.dumps(result))
"""


def libical_missing() -> str | None:
    """Why libical cannot be used here, or None when it can."""
    if not os.path.exists(SYSTEM_PYTHON):
        return f"{SYSTEM_PYTHON} not found (set MDNET_LIBICAL_PYTHON); install: {INSTALL_HINT}"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return f"libical GObject binding not importable by {SYSTEM_PYTHON} ({last}); install: {INSTALL_HINT}"
    return None


def libical(data: bytes) -> dict[str, Any]:
    """What libical makes of ``data``: items read back, parse and iTIP errors."""
    run = subprocess.run(
        [SYSTEM_PYTHON, "-c", _LIBICAL_SCRIPT], input=data, capture_output=True, timeout=120
    )
    if run.returncode != 0:
        raise AssertionError(f"libical helper failed: {run.stderr.decode(errors='replace')}")
    return json.loads(run.stdout)
