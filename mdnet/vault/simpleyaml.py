"""The common shape of frontmatter, read without PyYAML.  Pure.

Most notes' frontmatter is ``key: value`` lines whose values are plain or quoted
text (or true/false, null, a decimal integer), ``[a, b]`` lists and ``- item``
lists of those.  :meth:`SimpleYaml.load` reads exactly that subset and returns
what ``yaml.load`` with mdnet's loader (libyaml's safe loader, timestamps kept as
text) returns for it; for anything else (floats and other number forms, nested
mappings or lists, comments, escapes, block scalars, anchors, tags, multi-line
values, a tab or a character YAML treats specially) it returns None and the
caller asks PyYAML, which also produces every error message.  It is a speed-up
only: PyYAML's construction of Python objects is most of a cold index's YAML
time.  ``tests/test_simpleyaml.py`` holds it to PyYAML's answer on generated
and hand-picked inputs.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Pattern, Sequence

# Characters YAML takes as printable and that are nothing special to it: no tab, no
# control character, no NEL, LINE/PARAGRAPH SEPARATOR (YAML line breaks), no BOM.
_SAFE_TEXT = "[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*"
# A plain scalar on one line: not starting with an indicator ("-" only before a non-space),
# no ": " or " #" inside, not ending with ":" or a space.
_PLAIN = r"(?:[^-?:,\[\]{}#&*!|>'\"%@`\s]|-(?=[^ \n]))(?:[^ :#\n]+|:(?=[^ \n])|(?<! )#| +(?=[^ \n]))*"
_DQ = r'("[^"\\\n]*")'  # the quotes kept, so that "" is told from no match
_SQ = r"('[^'\n]*')"
# Every line, one match each: `key: value` at column 0 (the key a plain word: letters,
# digits, _ . - and inner spaces; the value quoted, a [flow list], plain, or none), `- item`
# of a block list at any indent, or blank.  (findall gives '' for a group not matched.)
# At most 24 spaces before a key's ':': with a key of at most 1000 characters (see load),
# the ':' stays within the 1024 characters libyaml allows a simple key.
_LINES = (
    r"^(?:([A-Za-z_][\w.\-]*(?: +[\w.\-]+)*) {0,24}:(?: +(?:" + _DQ + "|" + _SQ + r"|(\[[^\n]*\])|(" + _PLAIN + ")))?"
    r"|( *)- +(?:" + _DQ + "|" + _SQ + "|(" + _PLAIN + "))|) *$"
)
# A plain item of a [flow, list]: no flow indicator, no comment, no colon.
_FLOW_PLAIN = r"[^\-?:,\[\]{}#&*!|>'\"%@`\s][^,\[\]{}#:\n]*"
_DOUBLE = r'"([^"\\\n]*)"'
_SINGLE = r"'([^'\n]*)'"
_DECIMAL = r"[-+]?(?:0|[1-9][0-9]{0,17})"
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_NULL_TAG = "tag:yaml.org,2002:null"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"


class _Unsure(Exception):
    """The text is outside the subset: let PyYAML read it."""


_UNSURE = object()


class SimpleYaml:
    """:meth:`load` bound to one loader's implicit resolvers (which plain words are not text)."""

    def __init__(self, resolvers: Mapping[Any, Sequence[tuple[str, Pattern[str]]]]) -> None:
        if resolvers.get(None):
            raise ValueError("wildcard resolvers are not supported")
        self.resolvers = {first: list(rs) for first, rs in resolvers.items() if first is not None}
        self._known: dict[str, Any] = {}  # plain scalar -> its value (or _UNSURE), for repeated words
        self._keys: set[str] = set()  # keys seen to be text (a vault repeats a few dozen)
        # Compiled here, not at import: every command that opens the index imports this module.
        self._safe_text = re.compile(_SAFE_TEXT).fullmatch
        self._lines = re.compile(_LINES, re.M).findall
        self._flow_plain = re.compile(_FLOW_PLAIN).fullmatch
        self._double = re.compile(_DOUBLE).fullmatch
        self._single = re.compile(_SINGLE).fullmatch
        self._decimal = re.compile(_DECIMAL).fullmatch

    def plain(self, text: str) -> Any:
        """The value of a plain scalar (``text`` free of indicators): itself, or the bool,
        null or decimal integer PyYAML's resolvers make of it; _UNSURE for anything else."""
        rs = self.resolvers.get(text[:1])
        if rs is None:
            return text
        known = self._known.get(text, self)
        if known is not self:
            return known
        value: Any = text
        for tag, rx in rs:
            if rx.match(text):
                if tag == _BOOL_TAG:
                    value = _BOOLS[text.lower()]
                elif tag == _NULL_TAG:
                    value = None
                elif tag == _INT_TAG and self._decimal(text):
                    value = int(text)
                else:
                    value = _UNSURE
                break
        if len(self._known) < 4096:
            self._known[text] = value
        return value

    def _flow(self, text: str) -> list[Any]:
        inner = text[1:-1]
        if not inner.strip(" "):
            return []
        out = []
        for part in inner.split(","):
            item = part.strip(" ")
            first = item[:1]
            if first == '"':
                m = self._double(item)
            elif first == "'":
                m = self._single(item)
            elif self._flow_plain(item) and (value := self.plain(item)) is not _UNSURE:
                out.append(value)
                continue
            else:
                raise _Unsure
            if m is None:
                raise _Unsure
            out.append(m.group(1))
        return out

    def load(self, text: str, lines: dict[str, int] | None = None) -> dict[str, Any] | None:
        """The mapping ``yaml.load`` would give for ``text``, or None when not sure.

        ``lines``, if given, gets each key's line in the file (``text`` starting on line 2;
        the last line of a repeated key), when the mapping is returned."""
        if not self._safe_text(text):
            return None
        rows = self._lines(text)
        if len(rows) != text.count("\n") + 1:
            return None  # a line outside the subset
        out: dict[str, Any] = {}
        key = None  # a key whose value is still to come (a block list, or nothing: null)
        items: list[Any] | None = None
        indent = ""
        resolvers = self.resolvers
        plain = self.plain
        keys = self._keys
        at: dict[str, int] = {}
        try:
            for n, (name, dq, sq, flow, word, ind, idq, isq, iword) in enumerate(rows, 2):
                if name:
                    at[name] = n
                    if key is not None:
                        out[key] = items
                        key = items = None
                    if name not in keys:
                        if len(name) > 1000 or (name[0] in resolvers and type(plain(name)) is not str):
                            raise _Unsure  # (libyaml takes keys of up to 1024 characters)
                        if len(keys) < 4096:
                            keys.add(name)
                    if word:
                        value = word if word[0] not in resolvers else plain(word)
                        if value is _UNSURE:
                            raise _Unsure
                        out[name] = value
                    elif dq:
                        out[name] = dq[1:-1]
                    elif sq:
                        out[name] = sq[1:-1]
                    elif flow:
                        out[name] = self._flow(flow)
                    else:
                        key = name
                elif iword or idq or isq:
                    if key is None:
                        raise _Unsure
                    if items is None:
                        items, indent = [], ind
                    elif ind != indent:
                        raise _Unsure
                    if iword:
                        value = iword if iword[0] not in resolvers else plain(iword)
                        if value is _UNSURE:
                            raise _Unsure
                        items.append(value)
                    else:
                        items.append((idq or isq)[1:-1])
        except _Unsure:
            return None
        if key is not None:
            out[key] = items
        if lines is not None:
            lines.update(at)
        return out or None  # (no key at all: an empty document, which loads as None)
