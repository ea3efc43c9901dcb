"""What every report shares: its inputs, ISO weeks, who joined when, JSON.  Pure.

A report is a function ``build(inputs) -> plain data`` (frozen dataclasses);
the renderers (:mod:`.text`, :mod:`.markdown`) and :func:`to_json` print it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Iterator, TypeVar

from ..config import Config
from ..model import MET, NOTE, Contact, FollowUp, Interaction, Vault
from ..profile import Profile
from ..rules import company_text_key


@dataclass(frozen=True)
class Inputs:
    """Everything a report may read: the loaded vault, the profile, the settings,
    the day it is computed for, the period asked for, and the open follow-ups
    (computed once by the caller, who may have them cached)."""

    vault: Vault
    config: Config
    as_of: date
    profile: Profile = field(default_factory=Profile)
    since: date | None = None
    until: date | None = None
    items: tuple[FollowUp, ...] = ()
    #: The gone-quiet items, when the caller has them (the engine keeps them: Loaded.gone_quiet);
    #: None: a report that needs them computes them.
    quiet: tuple[FollowUp, ...] | None = None

    @property
    def end(self) -> date:
        return min(self.until or self.as_of, self.as_of)


def monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def weeks(first: date, last: date) -> Iterator[date]:
    """The Mondays of every ISO week from ``first``'s to ``last``'s."""
    m = monday(first)
    while m <= last:
        yield m
        m += timedelta(weeks=1)


def iso_week(d: date) -> str:
    """``2026-W48`` (ISO 8601: the year is the ISO year, so 2020-12-31 is 2020-W53)."""
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def added_on(vault: Vault, c: Contact) -> date | None:
    """The day a contact joined the list: ``added:``, else the earliest of ``met:``,
    their first interaction and the day mdnet first saw the note (a contact
    written down long after you met them joined the list when you met)."""
    if c.added:
        return c.added
    log = vault.interactions.get(c.path, ())
    known = [d for d in (c.met, log[0].date if log else None, vault.first_seen.get(c.path)) if d is not None]
    return min(known, default=None)


def contacted(log: tuple[Interaction, ...]) -> bool:
    return any(i.kind != NOTE for i in log)


def has_met(log: tuple[Interaction, ...], as_of: date | None = None) -> bool:
    """Met by ``as_of``: a conversation dated later is planned, not met (docs/follow-up-rules.md)."""
    return any(i.kind == MET and (as_of is None or i.date <= as_of) for i in log)


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def key_of(company: str | None) -> str | None:
    """Companies are matched as the try-another rule matches them."""
    return company_text_key(company)


def to_json(value: Any) -> Any:
    """A report's data as JSON-ready values: dataclasses as objects, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.metadata.get("internal")}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


T = TypeVar("T")


def from_json(cls: type[T], data: Any) -> T:
    """The inverse of :func:`to_json` for a report's dataclass (so a report can be
    cached as JSON and rendered again): dates from ISO text, lists to tuples."""
    return typing.cast(T, _converter(cls)(data))


_CONVERTERS: dict[Any, Callable[[Any], Any]] = {}


def _converter(tp: Any) -> Callable[[Any], Any]:
    """A function turning JSON into a value of type ``tp``, built once per type
    (a report at 10k holds tens of thousands of values)."""
    if tp in _CONVERTERS:
        return _CONVERTERS[tp]
    origin = typing.get_origin(tp)
    conv: Callable[[Any], Any]
    if origin in (typing.Union, types.UnionType):
        inner = _converter(next(a for a in typing.get_args(tp) if a is not type(None)))
        conv = lambda v: None if v is None else inner(v)  # noqa: E731
    elif origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _converter(args[0])
            conv = lambda v: tuple(map(item, v))  # noqa: E731
        else:
            items = [_converter(a) for a in args]
            conv = lambda v: tuple(f(x) for f, x in zip(items, v))  # noqa: E731
    elif origin is dict:
        value = _converter(typing.get_args(tp)[1])
        conv = lambda v: {k: value(x) for k, x in v.items()}  # noqa: E731
    elif tp is date:
        conv = date.fromisoformat
    elif dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = [(f.name, _converter(hints[f.name])) for f in dataclasses.fields(tp)]
        cls = tp
        conv = lambda v: cls(**{name: f(v[name]) for name, f in fields})  # noqa: E731
    else:
        conv = _identity
    _CONVERTERS[tp] = conv
    return conv


def _identity(v: Any) -> Any:
    return v
