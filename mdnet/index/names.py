"""Contact names straight from the index, for shell completion.

Reads the ``notes`` table read-only, without syncing or resolving the vault,
and imports nothing heavy, so completing a name at 10k contacts feels instant.
A missing or unreadable index completes nothing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

DB = (".mdnet", "index.sqlite")


def contact_names(root: Path, prefix: str = "", *, limit: int = 200) -> list[str]:
    """Names of indexed contacts (``name:`` or file name) containing a word that starts
    with ``prefix`` (case-insensitive), sorted."""
    db = root.joinpath(*DB)
    if not db.is_file():
        return []
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute("SELECT coalesce(name, title) FROM notes WHERE type = 'person'").fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    p = prefix.lower()
    out = sorted({n for (n,) in rows if n and (not p or n.lower().startswith(p)
                                                  or any(w.startswith(p) for w in n.lower().split()))})
    return out[:limit]
