"""Knowing whether the user edited a note mdnet wrote.  Pure.

Every note mdnet writes (a report, an update draft) carries
``mdnet_digest: HEX`` as the last line of its frontmatter: a hash of the rest
of the text.  If the text no longer hashes to it, someone edited the note, and
mdnet must not overwrite it.
"""

from __future__ import annotations

import hashlib
import re

_LINE = re.compile(r"^mdnet_digest: ([0-9a-f]{16})\n", re.M)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def stamp(text: str) -> str:
    """``text`` (which opens with a frontmatter block) with its digest line added."""
    assert text.startswith("---\n"), "a generated note opens with frontmatter"
    end = text.index("\n---\n", 3) + 1
    return text[:end] + f"mdnet_digest: {_digest(text)}\n" + text[end:]


def edited(text: str) -> bool:
    """True when ``text`` is not exactly what :func:`stamp` produced (or has no stamp)."""
    m = _LINE.search(text)
    if not m:
        return True
    return _digest(text[: m.start()] + text[m.end():]) != m.group(1)
