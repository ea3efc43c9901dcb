"""The dashboard's pages as HTML, from Jinja2 templates (autoescaped).

Why Jinja2: autoescaping by default (every value from a note is text, never
markup), template inheritance for one layout, and no build step.  Imported
only when the dashboard serves, so ``mdnet --help`` stays fast.  Note text is
also wrapped in ``<bdi>`` by the templates, so a bidi control in a name cannot
reorder the text around it (the web's counterpart of ``terminal_safe``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

__all__ = ["render", "STATIC"]

HERE = Path(__file__).parent
#: The files the dashboard serves itself (no third-party requests): name -> content type.
STATIC = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8",
          "favicon.svg": "image/svg+xml"}


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["query"] = lambda d: ("?" + urlencode(d)) if d else ""
    env.filters["pct"] = lambda x: f"{round(x * 100)}%"
    env.filters["contact_url"] = contact_url
    env.filters["item_id"] = item_id
    return env


@lru_cache(maxsize=65536)
def contact_url(path: str) -> str:
    """``contact?path=...`` for a note (cached: the same paths are linked on every page)."""
    from urllib.parse import quote

    return "contact?path=" + quote(path, safe="/")


def item_id(item: Any) -> str:
    """A follow-up's element id, stable across reloads (what the partial updates match
    items by): from its identity, as the feed names its events."""
    import hashlib

    key = "\0".join(item.identity).encode("utf-8")
    return "item-" + hashlib.blake2b(key, digest_size=8).hexdigest()


def render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


@lru_cache(maxsize=None)
def static(name: str) -> bytes:
    return (HERE / "static" / name).read_bytes()
