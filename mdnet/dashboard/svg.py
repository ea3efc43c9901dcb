"""Charts drawn on the server, as SVG text.  Pure.

Only numbers and ISO dates go into the markup (no note text), so nothing
here needs escaping; colours are presentation attributes, which a strict
Content-Security-Policy (no inline styles) allows.
"""

from __future__ import annotations

from datetime import date

__all__ = ["heatmap", "LEVELS"]

CELL = 11
GAP = 2
#: Fill by level: none, then four steps of green (GitHub's contribution palette).
LEVELS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "", "Wed", "", "Fri", "", "")


def level(count: int, top: int) -> int:
    """0 for no event; else 1..4, in quarters of the busiest day."""
    if count <= 0 or top <= 0:
        return 0
    return min(4, 1 + (count - 1) * 4 // max(top, 1))


def heatmap(days: tuple[tuple[date, int], ...] | list[tuple[date, int]]) -> str:
    """The activity report's heatmap (every day of the last 26 weeks: (day, events))
    as an SVG: a column per ISO week, Monday at the top, a ``<title>`` on each day."""
    if not days:
        return '<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="0" height="0" role="img"></svg>'
    first = days[0][0]
    start = first.toordinal() - first.weekday()  # the Monday of the first week
    top = max(n for _, n in days)
    left, head = 30, 16
    cols = (days[-1][0].toordinal() - start) // 7 + 1
    width, height = left + cols * (CELL + GAP), head + 7 * (CELL + GAP)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="conversations and outreach per day">']
    for row, name in enumerate(_DAYS):
        if name:
            out.append(f'<text x="0" y="{head + row * (CELL + GAP) + CELL - 2}" font-size="9">{name}</text>')
    month = None
    for d, n in days:
        col, row = (d.toordinal() - start) // 7, d.weekday()
        x, y = left + col * (CELL + GAP), head + row * (CELL + GAP)
        if row == 0 and d.month != month:
            month = d.month
            out.append(f'<text x="{x}" y="10" font-size="9">{_MONTHS[d.month - 1]}</text>')
        out.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" fill="{LEVELS[level(n, top)]}" '
                   f'data-date="{d.isoformat()}" data-count="{n}"><title>{d.isoformat()}: {n}</title></rect>')
    out.append("</svg>")
    return "".join(out)
