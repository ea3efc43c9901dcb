"""Reports: pure functions from the loaded vault to plain data, and their renderers.

Each report module has ``build(inputs) -> data`` (frozen dataclasses);
:mod:`.text` and :mod:`.markdown` render it, :func:`.common.to_json` makes it
JSON.  Nothing here reads a file or the clock: the CLI loads the vault, reads
the profile and passes the day in.
"""

from __future__ import annotations

from typing import Any, Callable

from . import activity, favors, people_list, pipeline, sources
from .common import Inputs

TYPES: dict[str, type] = {
    "activity": activity.Activity,
    "sources": sources.Sources,
    "pipeline": pipeline.Pipeline,
    "list": people_list.PeopleList,
    "favors": favors.Favors,
}

REPORTS: dict[str, Callable[[Inputs], Any]] = {
    "activity": activity.build,
    "sources": sources.build,
    "pipeline": pipeline.build,
    "list": people_list.build,
    "favors": favors.build,
}
