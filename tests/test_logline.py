"""Log lines as people write them: every form read (loudly when not canonical) or warned about."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdnet.config import DEFAULT, load_config
from mdnet.model import ERROR, WARNING
from mdnet.vault.parse import parse_note

PATH = "People/Beth.md"


def parse(text: str, config=DEFAULT):
    return parse_note(PATH, f"# Beth\n\n## Log\n{text}".encode("utf-8"), config)  # the line is line 4


# (line as written, kind, word, text, date, a phrase the log-line-form warning says; None: canonical)
ACCEPTED = [
    ("- 2026-12-01 coffee: with Ana", "met", "coffee", "with Ana", date(2026, 12, 1), None),
    ("- 2026-12-1 linkedin: asked for 15 minutes", "reached-out", "linkedin", "asked for 15 minutes",
     date(2026, 12, 1), "one-digit month or day"),
    ("- 2026-1-9 email", "reached-out", "email", "", date(2026, 1, 9), "one-digit month or day"),
    ("- [[2026-12-01]] coffee: talked", "met", "coffee", "talked", date(2026, 12, 1), "date in [[ ]]"),
    ("- [[2026-12-01|Tue]] coffee: talked", "met", "coffee", "talked", date(2026, 12, 1), "date in [[ ]]"),
    ("- **2026-12-01** call: x", "met", "call", "x", date(2026, 12, 1), "date in bold"),
    ("- *2026-12-01* call: x", "met", "call", "x", date(2026, 12, 1), "date in italic"),
    ("- _2026-12-01_ call: x", "met", "call", "x", date(2026, 12, 1), "date in italic"),
    ("- 2026/12/01 call: x", "met", "call", "x", date(2026, 12, 1), "date written with '/'"),
    ("- 2026.12.01 call: x", "met", "call", "x", date(2026, 12, 1), "date written with '.'"),
    ("- 2026-12-01 call \u2013 x", "met", "call", "x", date(2026, 12, 1), "a dash for the colon"),
    ("- 2026-12-01 call\u2014x", "met", "call", "x", date(2026, 12, 1), "a dash for the colon"),
    ("- 2026-12-01 call - x", "met", "call", "x", date(2026, 12, 1), "a dash for the colon"),
    ("- 2026-12-01 phone call: x", "met", "phone call", "x", date(2026, 12, 1), None),
    ("- 2026-12-01 thank you: x", "thanked", "thank you", "x", date(2026, 12, 1), None),
    ("- 2026-12-01 thank-you note: x", "thanked", "thank-you note", "x", date(2026, 12, 1), None),
    ("- 2026-12-01 Thank  You", "thanked", "Thank  You", "", date(2026, 12, 1), None),
    ("- 2026-12-01 coffee with Ana", "met", "coffee", "with Ana", date(2026, 12, 1),
     "words after the kind word without a colon"),
    ("- 2026-12-01 emailed: x", "reached-out", "emailed", "x", date(2026, 12, 1), None),
    ("- 2026-12-01 dinner: x", "met", "dinner", "x", date(2026, 12, 1), None),
    ("- 2026-12-01 Teams: x", "met", "Teams", "x", date(2026, 12, 1), None),
    ("- 2026-12-01 reached out: x", "reached-out", "reached out", "x", date(2026, 12, 1), None),
    ("- 25-12-2026 call: x", "met", "call", "x", date(2026, 12, 25), "day first"),
    ("- 12/25/2026 call: x", "met", "call", "x", date(2026, 12, 25), "month first"),
    ("- 2026-12-01 : x", "note", "", "x", date(2026, 12, 1), "a space before the colon"),
    ("2026-12-01 call: x", "met", "call", "x", date(2026, 12, 1), "no '- ' before the date"),
    ("- 2026-12-01: a plain note", "note", "", "a plain note", date(2026, 12, 1), None),
    ("- 2026-12-01 Ana moved to Seattle", "note", "", "Ana moved to Seattle", date(2026, 12, 1), None),
]


@pytest.mark.parametrize("written,kind,word,text,day,why", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_forms_are_read_and_non_canonical_ones_say_how(written, kind, word, text, day, why):
    note = parse(written + "\n")
    assert [(e.line, e.date, e.kind, e.word, e.text) for e in note.log] == [(4, day, kind, word, text)]
    diags = [(d.line, d.severity, d.code) for d in note.diagnostics]
    if why is None:
        assert diags == []
    else:
        assert diags == [(4, WARNING, "log-line-form")]
        message = note.diagnostics[0].message
        assert why in message and f'read as "- {note.log[0].raw}"' in message
        assert str(note.diagnostics[0]).startswith(f"{PATH}:4: warning: read as")


# (line as written, severity, code, a phrase of the message)
REFUSED = [
    ("- 01-12-2026 coffee: x", WARNING, "log-line-unread", "'01-12-2026' is ambiguous (1 Dec or 12 Jan?)"),
    ("- 12-16 email: great to see you", WARNING, "log-line-unread", "'12-16' has no year"),
    ("- 2026-12 call: x", WARNING, "log-line-unread", "'2026-12' has no day"),
    ("- 1-12-26 call: x", WARNING, "log-line-unread", "has no four-digit year"),
    ("- 2026-13-45 call: x", ERROR, "invalid-date", "log line date '2026-13-45' is not a date"),
    ("- 2026-02-30: x", ERROR, "invalid-date", "'2026-02-30' is not a date"),
    ("- 31-31-2026 call: x", ERROR, "invalid-date", "'31-31-2026' is not a date"),
]


@pytest.mark.parametrize("written,severity,code,phrase", REFUSED, ids=[r[0] for r in REFUSED])
def test_unreadable_log_like_lines_are_skipped_with_a_reason(written, severity, code, phrase):
    note = parse(written + "\n")
    assert note.log == ()
    assert [(d.line, d.severity, d.code) for d in note.diagnostics] == [(4, severity, code)]
    assert phrase in note.diagnostics[0].message
    assert "YYYY-MM-DD" in note.diagnostics[0].message


def test_lines_that_only_start_with_numbers_are_not_log_lines():
    note = parse("- 3-4 people came\n- 1/2 cup flour\n- 1.5 hours of prep\n")
    assert note.log == () and note.diagnostics == ()
    prose = parse_note(PATH, b"# Beth\n\n2026-12-01 call: prose outside a Log section\n", DEFAULT)
    assert prose.log == () and prose.diagnostics == ()


def test_unknown_kind_word_suggests_the_nearest_known_one():
    note = parse("- 2026-12-01 cofee: x\n- 2026-12-01 emial: y\n- 2026-12-01 brunch: z\n- 2026-12-01 cofee with Ana\n")
    assert [(d.line, d.code) for d in note.diagnostics] == [(4, "unknown-kind"), (5, "unknown-kind"),
                                                            (6, "unknown-kind"), (7, "unknown-kind")]
    msgs = [d.message for d in note.diagnostics]
    assert "did you mean 'coffee'?" in msgs[0] and "did you mean 'email'?" in msgs[1]
    assert "did you mean" not in msgs[2]
    assert [e.kind for e in note.log] == ["note"] * 4


def test_multi_word_kinds_in_config_match():
    config, diags = load_config({"kinds": {"met": ["Phone Screen"], "reached-out": ["cold-email"]}})
    assert diags == []
    note = parse("- 2026-12-01 phone screen: x\n- 2026-12-02 phone-screen\n- 2026-12-03 cold email: y\n", config)
    assert [e.kind for e in note.log] == ["met", "met", "reached-out"] and note.diagnostics == ()


def test_frontmatter_dates_follow_the_same_policy():
    note = parse_note(PATH, b"---\nfollow_up: 2026-12-9\nadded: 2026/12/01\nmet: 01-12-2026\n---\n", DEFAULT)
    c = note.contact
    assert c.follow_up == date(2026, 12, 9) and c.added == date(2026, 12, 1) and c.met is None
    got = [(d.line, d.severity, d.code) for d in note.diagnostics]
    assert got == [(2, WARNING, "date-form"), (3, WARNING, "date-form"), (4, ERROR, "invalid-date")]
    assert "read '2026-12-9' as 2026-12-09" in note.diagnostics[0].message
    assert "ambiguous" in note.diagnostics[2].message


def test_line_numbers_stay_right_across_fences_and_many_lines():
    body = "- 2026-12-01 call: a\n```\n- 2026-12-02 call: fenced\n```\n" * 50 + "- 2026-1-3 call: last\n"
    note = parse(body)
    assert [e.line for e in note.log] == [4 + 4 * k for k in range(50)] + [204]
    assert [(d.line, d.code) for d in note.diagnostics] == [(204, "log-line-form")]


# -- never silently dropped -----------------------------------------------------------------

_KINDS = ["coffee", "email", "phone call", "thank you", "Zoom", "thanks", "cofee", "walked", ""]
_SEPS = [":", " :", " \u2013 ", " \u2014 ", " - ", " ", ""]


@st.composite
def log_like_lines(draw):
    y, m, d = draw(st.integers(1990, 2100)), draw(st.integers(0, 14)), draw(st.integers(0, 33))
    form = draw(st.sampled_from(["iso", "onedigit", "slash", "dot", "dmy", "mdy", "noyear"]))
    if form == "iso":
        token = f"{y:04d}-{m:02d}-{d:02d}"
    elif form == "onedigit":
        token = f"{y}-{m}-{d}"
    elif form == "slash":
        token = f"{y}/{m:02d}/{d}"
    elif form == "dot":
        token = f"{y}.{m}.{d:02d}"
    elif form == "dmy":
        token = f"{d:02d}-{m:02d}-{y}"
    elif form == "mdy":
        token = f"{m}/{d}/{y}"
    else:
        token = f"{m}-{d}"
    wrap = draw(st.sampled_from(["", "[[]]", "**", "*", "_", "__"]))
    if wrap == "[[]]":
        token = f"[[{token}]]"
    elif wrap:
        token = f"{wrap}{token}{wrap}"
    kind = draw(st.sampled_from(_KINDS))
    sep = draw(st.sampled_from(_SEPS))
    text = draw(st.text(alphabet="abc xyz,[]:-", max_size=12))
    if form == "noyear" and (sep == "" or (sep == " " and kind in ("", "cofee", "walked"))):
        sep = ":"  # a date without a year is log-like only before a colon, a dash or a kind word
    marker = draw(st.sampled_from(["-", "*", "+"]))
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    gap = draw(st.sampled_from([" ", "  ", "\t"]))
    head = f"{token} {kind}" if kind else token
    return f"{indent}{marker}{gap}{head}{sep}{text}".rstrip("\n")


@settings(max_examples=400, deadline=None)
@given(st.lists(log_like_lines(), min_size=1, max_size=8))
def test_every_log_like_line_is_read_or_warned_about(lines):
    note = parse("\n".join(lines) + "\n")
    read = {e.line for e in note.log}
    warned = {d.line for d in note.diagnostics}
    for k, written in enumerate(lines):
        assert 4 + k in read | warned, f"silently dropped: {written!r}"


def test_the_documented_table_of_kind_words_is_the_default():
    import re
    from pathlib import Path

    from mdnet.config import DEFAULT_KIND_WORDS

    text = (Path(__file__).parent.parent / "docs" / "vault-format.md").read_text(encoding="utf-8")
    section = text[text.index("### Kinds"):text.index("### How the kinds are used")]
    table = {}
    for kind, words in re.findall(r"^\| `([a-z-]+)` \| [^|]+ \| (.+) \|$", section, re.M):
        table[kind] = tuple(re.findall(r"`([^`]+)`", words))
    assert table == {k: v or (k,) for k, v in DEFAULT_KIND_WORDS.items()}


def test_a_note_line_reads_back_as_written():
    """`- 2026-11-30 note: added to my list` (the Person template's line) showed in `show`
    and the prep brief as `2026-11-30: added to my list`: the kind word was dropped."""
    from mdnet.config import Config
    from mdnet.vault.parse import parse_note

    note = parse_note("People/A.md", b"## Log\n- 2026-11-30 note: added to my list\n- 2026-11-30 Note: x\n"
                                     b"- 2026-11-30: plain\n", Config())
    assert [i.raw for i in note.log] == ["2026-11-30 note: added to my list", "2026-11-30 Note: x", "2026-11-30: plain"]
    assert {i.kind for i in note.log} == {"note"}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([" ", "\t", "  ", "-", ":", " :", "–", "email", "Email", "thank", "you",
                                 "thank-you", "phone", "call", "coffee", "brunch", "x", "é", "_", ",", "[[A]]"]),
                max_size=8).map("".join))
def test_the_canonical_fast_path_reads_as_the_general_reading(rest: str) -> None:
    """`_shape` answers canonical lines (` word: text`) without the general reading; for any
    text both must give the same answer."""
    from mdnet.config import Config
    from mdnet.vault.logline import _shape, _shape_any

    words = Config().kind_words()
    assert _shape(rest, words) == _shape_any(rest, words)
