"""Property tests: no text, however broken, makes the parser or resolver raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.config import DEFAULT
from mdnet.graph import resolve
from mdnet.index.codec import decode, encode
from mdnet.model import ERROR, WARNING
from mdnet.vault.parse import parse_note

FRAGMENTS = [
    "---\n", "---\r\n", "...\n", "name: Ana\n", "company: [[Fabrikam]]\n", 'referred_by: "[[Ana]]"\n',
    "added: 2026-02-30\n", "met: 2026-11-01T10:00\n", "tags: [a, b\n", "tags:\n  - x\n", "status: gone\n",
    "type: person\n", "type: meeting\n", "with: [\"[[Ana]]\", 3]\n", "date: 2026-11-03\n", ": :\n", "- - -\n",
    "## Log\n", "- 2026-11-18 coffee: [[Ana]]\n", "* 2026-13-45 call\n", "+ 2026-11-18: note\n",
    "- [ ] 2026-11-18 call\n", "```\n", "\xff", "\ufeff", "\r", "\t", "&a\n", "*a\n", "!!python/object:x\n",
    "? [a]\n: b\n", "{a: [b: c]}\n", "pic: !!binary aGk=\n", "s: !!set {a, b}\n",
    "follow_up: !!timestamp 2026-01-01T10:00:00\n", "date: !!timestamp 2026-01-01 10:00\n", "x: &a [*a]\n",
    "y: &b {k: *b}\n", "n: 0x" + "f" * 4400 + "\n", "aliases: 3\n", "email: {a: b}\n", "kind: 42\n", "[[", "]]", "|", "#",
]

notes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS), max_size=20).map(lambda xs: "".join(xs).encode("utf-8", "surrogatepass")),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "replace")),
)
paths = st.sampled_from(["People/Ana.md", "Meetings/m.md", "Notes/n.md", "People/Sub/Ana Lopez.md"])


@settings(max_examples=400, deadline=None)
@given(paths, notes)
def test_parser_never_raises_and_round_trips_through_the_index(path, data):
    note = parse_note(path, data, DEFAULT)
    for d in note.diagnostics:
        assert d.severity in (ERROR, WARNING) and d.line >= 1 and d.path == path and d.message
    again = decode(path, encode(note))
    assert again.contact == note.contact and again.meeting == note.meeting
    assert again.log == note.log and again.diagnostics == note.diagnostics


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(paths, notes), max_size=6))
def test_resolver_never_raises(items):
    parsed = {p: parse_note(p, d, DEFAULT) for p, d in items}
    vault = resolve(parsed.values(), DEFAULT)
    for path, log in vault.interactions.items():
        assert [i.date for i in log] == sorted(i.date for i in log)
