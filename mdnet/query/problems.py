"""Problems: what ``check`` reports.  Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..model import ERROR, Diagnostic


@dataclass(frozen=True, slots=True)
class Problems:
    """Diagnostics, by path and line, and their counts."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == ERROR)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def to_json(self) -> list[dict[str, Any]]:
        return [d.to_json() for d in self.diagnostics]


def problems(diagnostics: Iterable[Diagnostic], *, errors_only: bool = False) -> Problems:
    """Every diagnostic (or only errors), sorted by path, line and severity."""
    found = sorted(diagnostics, key=lambda d: (d.path, d.line, d.severity))
    if errors_only:
        found = [d for d in found if d.severity == ERROR]
    return Problems(tuple(found))
