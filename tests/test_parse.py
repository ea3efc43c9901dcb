"""The parser: one note's bytes -> Note, with diagnostics at the right lines."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from mdnet.config import DEFAULT, load_config
from mdnet.model import ERROR, MEETING, OTHER, PERSON, WARNING
from mdnet.vault.parse import parse_date, parse_note, split_frontmatter

BROKEN = Path(__file__).parent / "fixtures" / "broken"


def parse(text: str | bytes, path: str = "People/Ana Lopez.md", config=DEFAULT):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_note(path, data, config)


# -- every diagnostic kind, from a fixture named after its defect -------------

CASES = [
    ("unclosed_quote.md", ERROR, "bad-yaml", 3, "while scanning a quoted scalar found unexpected end of stream"),
    ("date_not_a_date.md", ERROR, "invalid-date", 3, "added: '2026-02-30' is not a date"),
    ("unclosed_frontmatter.md", ERROR, "unclosed-frontmatter", 1, "never closed"),
    ("frontmatter_not_mapping.md", ERROR, "frontmatter-not-mapping", 2, "not a list"),
    ("not_utf8.md", ERROR, "not-utf8", 4, "not valid UTF-8"),
    ("unquoted_link.md", WARNING, "unquoted-link", 3, 'must be quoted, as "[[Fabrikam]]"'),
    ("wrong_type.md", WARNING, "wrong-type", 3, "role should be text, not a list"),
    ("unknown_status.md", WARNING, "unknown-status", 3, "status 'maybe' is not one of"),
    ("unknown_kind.md", WARNING, "unknown-kind", 6, "'brunch' is not a known kind word"),
    ("log_date_not_a_date.md", ERROR, "invalid-date", 6, "log line date '2026-11-31' is not a date"),
    ("bad_cadence.md", WARNING, "bad-cadence", 3, "cadence 'sometimes' is not a cadence"),
    ("knows_search_not_bool.md", WARNING, "wrong-type", 3, "knows_search should be true or false"),
    ("crlf_bom.md", ERROR, "invalid-date", 3, "added: '2026-13-01' is not a date"),
]


@pytest.mark.parametrize("name,severity,code,line,message", CASES, ids=[c[0] for c in CASES])
def test_broken_note_gives_one_clear_diagnostic(name, severity, code, line, message):
    rel = f"People/{name}"
    note = parse_note(rel, (BROKEN / name).read_bytes(), DEFAULT)
    assert [(d.severity, d.code, d.line) for d in note.diagnostics] == [(severity, code, line)]
    d = note.diagnostics[0]
    assert message in d.message
    assert str(d).startswith(f"{rel}:{line}: {severity}: ")


def test_every_fixture_is_covered():
    assert sorted(p.name for p in BROKEN.glob("*.md")) == sorted(c[0] for c in CASES)


def test_broken_notes_keep_what_could_be_read():
    note = parse_note("People/x.md", (BROKEN / "date_not_a_date.md").read_bytes(), DEFAULT)
    assert note.contact.name == "Bad Date" and note.contact.role == "Analyst" and note.contact.added is None
    note = parse_note("People/unclosed_frontmatter.md", (BROKEN / "unclosed_frontmatter.md").read_bytes(), DEFAULT)
    assert note.type == PERSON and note.contact.name == "unclosed_frontmatter"
    assert [e.line for e in note.log] == [6]  # the body is still read, lines counted from the top
    note = parse_note("People/u.md", (BROKEN / "unquoted_link.md").read_bytes(), DEFAULT)
    assert note.contact.company == "Fabrikam" and note.contact.company_link
    note = parse_note("People/n.md", (BROKEN / "not_utf8.md").read_bytes(), DEFAULT)
    assert note.contact.name == "Latin1" and "Caf\ufffd talk" in note.body
    note = parse_note("People/c.md", (BROKEN / "crlf_bom.md").read_bytes(), DEFAULT)
    assert note.contact.name == "Crlf Bom" and [(e.line, e.kind) for e in note.log] == [(6, "met")]


# -- frontmatter and encodings ------------------------------------------------

def test_empty_file_is_an_empty_note():
    note = parse(b"", "People/Empty.md")
    assert note.type == PERSON and note.contact.name == "Empty" and note.diagnostics == ()


@pytest.mark.parametrize("data", [
    b"---\nname: Ana\n---\n- 2026-11-18 coffee\n",
    b"\xef\xbb\xbf---\nname: Ana\n---\n- 2026-11-18 coffee\n",
    b"---\r\nname: Ana\r\n---\r\n- 2026-11-18 coffee\r\n",
    b"\xef\xbb\xbf---\r\nname: Ana\r\n---\r\n- 2026-11-18 coffee",
])
def test_bom_and_line_endings_read_the_same(data):
    note = parse(data)
    assert note.contact.name == "Ana"
    assert [(e.line, e.kind, e.date) for e in note.log] == [(4, "met", date(2026, 11, 18))]
    assert note.diagnostics == ()


def test_frontmatter_must_start_on_the_first_line():
    assert split_frontmatter("\n---\na: 1\n---\n")[0] is None
    assert split_frontmatter("---\na: 1\n...\nbody")[:3] == ("a: 1\n", "body", 4)


def test_a_bad_value_costs_only_that_value():
    note = parse("---\nname: Ana\nadded: 2026-02-30\nfollow_up: 2026-12-01\nmet: 2026-11-01T10:30\n---\n")
    c = note.contact
    assert (c.name, c.added, c.follow_up, c.met) == ("Ana", None, date(2026, 12, 1), date(2026, 11, 1))
    assert [d.code for d in note.diagnostics] == ["invalid-date"]


@pytest.mark.parametrize("text,expected", [
    ("2026-11-18", date(2026, 11, 18)),
    ("2026-11-18T09:30", date(2026, 11, 18)),
    ("2026-11-18 09:30:00", date(2026, 11, 18)),
    ("2026-11-18T09:30:00Z", date(2026, 11, 18)),
    ("2026-11-18T09:30:00+02:00", date(2026, 11, 18)),
    ("2026-02-29", None),
    ("2026-11-18T25:00", None),
    ("18/11/2026", None),
    ("", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_unknown_properties_are_kept():
    note = parse("---\nname: Ana\nfavourite_tea: genmaicha\nkids: [Leo, Mia]\n---\n")
    assert note.contact.extra == {"favourite_tea": "genmaicha", "kids": ["Leo", "Mia"]}
    assert note.diagnostics == ()


def test_properties_are_typed():
    note = parse(
        "---\n"
        "name: Ana Lopez\naliases: [Ana L.]\ncompany: \"[[Fabrikam]]\"\nrole: PM\n"
        "email: [ana@example.com, ana@work.example]\nphone: 5551234\nlinkedin: https://linkedin.com/in/ana\n"
        "tags: ['#fintech', boston]\ncircles: [Coworker]\nreferred_by: \"[[Chen Wei]]\"\n"
        "status: Paused\ncadence: 2w\nknows_search: yes\nask_about: [her marathon]\noffers: intro to Dana\n"
        "---\n"
    )
    c = note.contact
    assert c.aliases == ("Ana L.",) and c.company == "Fabrikam" and c.company_link
    assert c.emails == ("ana@example.com", "ana@work.example") and c.phone == "5551234"
    assert c.tags == ("fintech", "boston") and c.circles == ("coworker",)
    assert c.referred_by == "Chen Wei" and c.status == "paused" and c.cadence == "2w"
    assert c.knows_search is True and c.ask_about == ("her marathon",) and c.offers == ("intro to Dana",)
    # offers given as text, not a list: read, with a warning at its line
    assert [(d.code, d.line) for d in note.diagnostics] == [("wrong-type", 16)]


# -- note types ---------------------------------------------------------------

def test_type_comes_from_frontmatter_or_folder():
    assert parse("", "People/a.md").type == PERSON
    assert parse("", "People/Old/a.md").type == PERSON
    assert parse("", "Meetings/m.md").type == MEETING
    assert parse("", "Notes/a.md").type == OTHER
    assert parse("---\ntype: person\n---\n", "Notes/a.md").type == PERSON
    assert parse("---\ntype: project\n---\n", "People/a.md").type == OTHER  # explicit type wins


def test_people_folders_are_configurable():
    config, diags = load_config({"vault": {"people_folders": ["Contacts", "Work/People"]}})
    assert diags == []
    assert parse("", "Contacts/a.md", config).type == PERSON
    assert parse("", "Work/People/a.md", config).type == PERSON
    assert parse("", "People/a.md", config).type == OTHER


# -- the interaction log ------------------------------------------------------

LOG = """---
name: Ana
---
# Ana

## Log
- 2026-11-18 coffee: talked about fintech hiring; suggested [[Priya Shah]] and [[Chen Wei|Chen]]
* 2026-11-18 thanks
+ 2026-11-19: a plain note
- 2026-11-20 had lunch near the office
- 2026-11-21 Email: capitalised kind word
- [ ] 2026-11-22 call: a task, not a log line
- [x] 2026-11-22 call: a done task, not a log line
  - 2026-11-23 reached-out: nested list items count
- not a date 2026-11-24 call
2026-11-25 call: not a list item, but under ## Log: read, with a warning

```
- 2026-11-26 call: inside a code block
```
- 2026-11-27 thank-you
"""


def test_log_lines():
    note = parse(LOG)
    got = [(e.line, e.date.isoformat(), e.kind, e.word, e.text) for e in note.log]
    assert got == [
        (7, "2026-11-18", "met", "coffee", "talked about fintech hiring; suggested [[Priya Shah]] and [[Chen Wei|Chen]]"),
        (8, "2026-11-18", "thanked", "thanks", ""),
        (9, "2026-11-19", "note", "", "a plain note"),
        (10, "2026-11-20", "note", "", "had lunch near the office"),
        (11, "2026-11-21", "reached-out", "Email", "capitalised kind word"),
        (14, "2026-11-23", "reached-out", "reached-out", "nested list items count"),
        (16, "2026-11-25", "met", "call", "not a list item, but under ## Log: read, with a warning"),
        (21, "2026-11-27", "thanked", "thank-you", ""),
    ]
    assert note.log[0].links == ("Priya Shah", "Chen Wei")
    assert [(d.line, d.code) for d in note.diagnostics] == [(16, "log-line-form")]


def test_kind_vocabulary_is_configurable():
    config, diags = load_config({"kinds": {"met": ["brunch"], "reached-out": ["signal"]}})
    assert diags == []
    note = parse("- 2026-11-02 brunch: x\n- 2026-11-03 signal\n- 2026-11-04 coffee\n", config=config)
    assert [e.kind for e in note.log] == ["met", "reached-out", "met"]
    assert note.diagnostics == ()


def test_log_lines_only_count_in_contacts():
    note = parse("- 2026-11-18 coffee: with [[Ana]]\n", "Daily/2026-11-18.md")
    assert note.log == () and note.links == ((1, "Ana"),)


# -- meeting notes ------------------------------------------------------------

def test_meeting_note():
    note = parse('---\ntype: meeting\ndate: 2026-11-03\nwith: ["[[Ana Lopez]]", "Chen Wei"]\nkind: lunch\n---\n# Panel\n',
                 "Notes/panel.md")
    m = note.meeting
    assert (m.date, m.with_, m.kind, m.word, m.with_line, m.summary) == (
        date(2026, 11, 3), ("Ana Lopez", "Chen Wei"), "met", "lunch", 4, "Panel")
    assert note.diagnostics == ()


def test_meeting_note_problems():
    note = parse("---\ndate: 2026-11-31\nkind: brunch\n---\n", "Meetings/m.md")
    assert [(d.code, d.line) for d in note.diagnostics] == [
        ("with-names-nobody", 1), ("invalid-date", 2), ("unknown-kind", 3)]
    note = parse("---\nwith:\n  - [[Ana]]\n---\n", "Meetings/m.md")
    assert [(d.code, d.line) for d in note.diagnostics] == [("meeting-no-date", 1), ("unquoted-link", 2)]
    assert note.meeting.with_ == ("Ana",)


def test_yaml_error_line_is_the_line_in_the_file():
    note = parse("---\nname: Ana\ntags: [a, b\nrole: PM\n---\n- 2026-11-01 call\n")
    (d,) = note.diagnostics
    assert d.code == "bad-yaml" and d.line == 4
    assert note.contact.name == "Ana Lopez"  # from the file name: properties are lost, the body is not
    assert len(note.log) == 1


@pytest.mark.parametrize("yaml_text,expected", [
    ("pic: !!binary aGVsbG8=\n", {"pic": "aGVsbG8="}),
    ("s: !!set {b, a}\n", {"s": ["a", "b"]}),
    ("t: !!timestamp 2026-01-01T10:00:00\n", {"t": "2026-01-01T10:00:00"}),
    ("t: !!timestamp ''\n", {"t": ""}),  # not a timestamp at all: PyYAML's constructor raised
    ("t: !!timestamp not-a-date\n", {"t": "not-a-date"}),
    ("tags: &a [*a]\n", {"tags": [None]}),
    ("foo: &a {x: *a}\n", {"foo": {"x": None}}),
    ("phone: 0x" + "f" * 4000 + "\n", {"phone": None}),
    ("2: two\nfalse: no\n", {"2": "two", "false": False}),
])
def test_yaml_beyond_properties_becomes_plain_data(yaml_text, expected):
    from mdnet.index.codec import decode, encode

    note = parse(f"---\n{yaml_text}---\n", "Notes/x.md")
    assert dict(note.properties) == expected
    assert decode("Notes/x.md", encode(note)).properties == expected  # and the index can store it


def test_an_unhashable_key_is_a_yaml_error_not_a_crash():
    note = parse("---\n? [a, b]\n: 1\nname: Ana\n---\n")
    assert [(d.line, d.code) for d in note.diagnostics] == [(2, "bad-yaml")]
    assert "unhashable key" in note.diagnostics[0].message


def test_unsupported_values_warn_at_their_line():
    note = parse("---\nname: Ana\npic: !!binary aGVsbG8=\nfollow_up: !!timestamp 2026-01-05T10:00:00\n---\n")
    assert [(d.line, d.code) for d in note.diagnostics] == [(3, "unsupported-value")]
    assert note.contact.follow_up == date(2026, 1, 5)


def test_an_alias_bomb_is_cut_short():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8))
    note = parse(f"---\n{bomb}---\n", "Notes/x.md")
    assert any(d.code == "unsupported-value" for d in note.diagnostics)


@pytest.mark.parametrize("frontmatter,line", [
    ("name: Ana\nadded : 2026-02-30\n", 3),
    ("name: Ana\n? added\n: 2026-02-30\n", 3),
    ("name: Ana\n'added' : 2026-02-30\n", 3),
    ('name: Ana\n"added": 2026-02-30\n', 3),
    ("added: 2026-01-01\nname: Ana\nadded: 2026-02-30\n", 4),  # YAML keeps the last of duplicates
    ("name: Ana\nnote: 'added: 2026-02-30'\nadded: 2026-02-30\n", 4),
])
def test_property_lines_follow_yaml_spellings(frontmatter, line):
    note = parse(f"---\n{frontmatter}---\n")
    assert [(d.code, d.line) for d in note.diagnostics] == [("invalid-date", line)]


def test_yaml_error_line_ignores_unicode_line_separators():
    plain = parse('---\nname: "Ana Lopez"\nrole: PM\ntags: [a\n---\n')
    odd = parse('---\nname: "Ana\u2028Lopez"\nrole: PM\ntags: [a\n---\n')
    assert [(d.code, d.line) for d in odd.diagnostics] == [(d.code, d.line) for d in plain.diagnostics] == [("bad-yaml", 5)]


# --- linear time in a note's size (issue 7) ------------------------------------------------


def _parse_seconds(data: bytes) -> float:
    import gc
    import time

    best = float("inf")
    gc.collect()
    gc.disable()  # collections land at random in one run or the other
    try:
        for _ in range(5):  # the best of five: a busy machine only ever adds time
            t0 = time.perf_counter()
            parse_note("People/Big.md", data, DEFAULT)
            best = min(best, time.perf_counter() - t0)
    finally:
        gc.enable()
    return best


@pytest.mark.slow
@pytest.mark.parametrize("unit", [
    "- 2026-11-18 email: hello [[Ana]]\n",
    "- 2026-11-18 email: x\n```\n- 2026-11-19 call: in a fence\n```\n",
])
def test_parsing_is_linear_in_the_size_of_the_log(unit: str) -> None:
    """Issue 7: 0.5 MB took 1.5 s, 1 MB 5.4 s (a count from the start for each line).
    Four times the lines must cost about four times as long, not sixteen."""
    head = b"---\nname: Big\n---\n## Log\n"
    small = head + (unit * 5000).encode()
    large = head + (unit * 20000).encode()
    note = parse_note("People/Big.md", large, DEFAULT)
    assert len(note.log) == 20000 and note.log[-1].line > note.log[0].line
    ratio = _parse_seconds(large) / _parse_seconds(small)
    assert ratio < 8, f"4x the size took {ratio:.1f}x the time"


def test_a_log_past_the_size_cap_is_cut_with_a_warning() -> None:
    from mdnet.vault.parse import MAX_LOG_CHARS

    line = "- 2026-11-18 email: x\n"
    n = MAX_LOG_CHARS // len(line) + 10
    data = ("---\nname: Big\n---\n## Log\n" + line * n).encode()
    note = parse_note("People/Big.md", data, DEFAULT)
    assert 0 < len(note.log) < n
    [d] = [d for d in note.diagnostics if d.code == "log-truncated"]
    assert d.severity == "warning" and d.line == note.log[-1].line + 1
    assert note.body.endswith(line)  # the whole body is kept (and searchable)

def test_an_unrendered_template_placeholder_is_explained():
    note = parse("---\ntype: person\nname:\nadded: {{date}}\nmet:\n---\n", "People/New.md")
    [d] = note.diagnostics
    assert (d.line, d.code) == (4, "bad-yaml")
    assert "found unhashable key: {{date}} on line 4 is a template placeholder that was never filled in" in d.message
    [d] = parse('---\nadded: "{{date}}"\n---\n', "People/New.md").diagnostics
    assert (d.line, d.code) == (2, "invalid-date") and "template placeholder" in d.message

