"""The pure edits (mdnet.vault.edit) and the guarded writer (mdnet.vault.write)."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.config import DEFAULT
from mdnet.vault.edit import (EditError, add_to_list, fill_property, append_log, frontmatter_props, moment_format, render_template,
                              set_property, unset_property)
from mdnet.vault.parse import parse_note
from mdnet.vault.write import WriteRefused, create_note, edit_note, read_note, replace_note

# --- pure edits -----------------------------------------------------------------------------


def test_set_keeps_comments_quotes_and_every_other_line() -> None:
    text = "---\n# top\nname: Ana   # hers\nadded: '2026-11-16'\n\ntags:\n  - a\n---\nbody\n"
    assert set_property(text, "added", "2026-11-20") == text.replace("'2026-11-16'", "'2026-11-20'")
    assert set_property(text, "name", "Ana Sousa") == text.replace("Ana   #", "Ana Sousa   #")
    assert set_property(text, "role", "PM") == text.replace("  - a\n---", "  - a\nrole: PM\n---")


def test_values_are_quoted_only_when_yaml_would_misread_them() -> None:
    t = "---\nx: 1\n---\n"
    assert set_property(t, "company", "[[Fabrikam]]") == '---\nx: 1\ncompany: "[[Fabrikam]]"\n---\n'
    assert set_property(t, "phone", "+1 617") == "---\nx: 1\nphone: +1 617\n---\n"
    assert set_property(t, "next_step", "yes") == '---\nx: 1\nnext_step: "yes"\n---\n'
    assert set_property(t, "next_step", "a: b # c") == '---\nx: 1\nnext_step: "a: b # c"\n---\n'
    assert set_property(t, "knows_search", True) == "---\nx: 1\nknows_search: true\n---\n"
    assert set_property(t, "tags", ["a b", "c,d"]) == '---\nx: 1\ntags: [a b, "c,d"]\n---\n'


def test_unset_empties_the_value_and_keeps_the_key() -> None:
    t = "---\nfollow_up: 2026-11-20  # promised\nx: 1\n---\n"
    assert unset_property(t, "follow_up") == "---\nfollow_up:  # promised\nx: 1\n---\n"
    assert unset_property(t, "absent") == t


def test_fill_never_overwrites_what_the_user_wrote() -> None:
    t = "---\nrole:\ncompany: Contoso  # theirs\ntags: []\n---\n"
    assert fill_property(t, "role", "PM") == "---\nrole: PM\ncompany: Contoso  # theirs\ntags: []\n---\n"
    assert fill_property(t, "company", "Fabrikam") == t
    assert fill_property(t, "tags", ["a"]) == "---\nrole:\ncompany: Contoso  # theirs\ntags: [a]\n---\n"
    assert fill_property(t, "email", "a@x") == "---\nrole:\ncompany: Contoso  # theirs\ntags: []\nemail: a@x\n---\n"


def test_add_to_list_in_each_style() -> None:
    assert add_to_list("---\ntags: [a]\n---\n", "tags", ["b", "A"]) == "---\ntags: [a, b]\n---\n"
    assert add_to_list("---\ntags: []\n---\n", "tags", ["b"]) == "---\ntags: [b]\n---\n"
    assert add_to_list("---\ntags:\n- a\n---\n", "tags", ["b"]) == "---\ntags:\n- a\n- b\n---\n"
    assert add_to_list("---\ntags:\n---\n", "tags", ["b"]) == "---\ntags: [b]\n---\n"
    assert add_to_list("---\nemail: a@x\n---\n", "email", ["b@x"]) == "---\nemail: [a@x, b@x]\n---\n"
    assert add_to_list("---\ntags: [a]\n---\n", "tags", ["a"]) == "---\ntags: [a]\n---\n"


def test_unparseable_or_unclosed_frontmatter_is_refused_with_its_line() -> None:
    with pytest.raises(EditError) as e:
        set_property("---\nx: 1\ny: [oops\n---\n", "x", 2)
    assert e.value.code == "bad-yaml"
    with pytest.raises(EditError) as e:
        set_property("---\nx: 1\n", "x", 2)
    assert (e.value.line, e.value.code) == (1, "unclosed-frontmatter")
    with pytest.raises(EditError):
        set_property("---\nx: 1\n---\n", "bad key", 2)


def test_an_edit_the_line_editor_cannot_make_safely_is_refused() -> None:
    # a value continued over several lines with an anchor used elsewhere: changing it would change y too
    with pytest.raises(EditError) as e:
        set_property("---\nx: &a 1\ny: *a\n---\n", "x", 2)
    assert e.value.code == "unsafe-edit"


def test_log_creates_the_section_and_keeps_date_order() -> None:
    assert append_log("Body", date(2026, 11, 2), "coffee") == "Body\n\n## Log\n- 2026-11-02 coffee\n"
    assert append_log("", date(2026, 11, 2), "coffee") == "## Log\n- 2026-11-02 coffee\n"
    t = "# Log\n- 2026-11-01 email\n- 2026-11-03 reply\n\n# Next\n"
    assert append_log(t, date(2026, 11, 3), "coffee", "x") == \
        "# Log\n- 2026-11-01 email\n- 2026-11-03 reply\n- 2026-11-03 coffee: x\n\n# Next\n"
    assert append_log(t, date(2026, 10, 1), "note") == "# Log\n- 2026-10-01 note\n- 2026-11-01 email\n- 2026-11-03 reply\n\n# Next\n"
    fenced = "## Log\n```\n## Log\n- 2026-12-01 email\n```\n- 2026-11-01 email\n"
    assert append_log(fenced, date(2026, 11, 2), "reply").endswith("- 2026-11-01 email\n- 2026-11-02 reply\n")


def test_moment_tokens_as_obsidian_renders_them() -> None:
    when = datetime(2026, 11, 3, 14, 5, 9)
    assert moment_format(when, "YYYY-MM-DD HH:mm:ss") == "2026-11-03 14:05:09"
    assert moment_format(when, "ddd D MMM YY, h:mm a [week] W") == "Tue 3 Nov 26, 2:05 pm week 45"
    assert moment_format(when, "dddd, MMMM Do") == "Tuesday, November 3rd"
    assert render_template("{{title}} {{date}} {{time}} {{Date:YYYY}} {{date:}}", title="Ana", now=when) == \
        "Ana 2026-11-03 14:05 2026 2026-11-03"


# --- the property: bytes outside the edit unchanged, re-parse = exactly the intended change --

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_value = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=20)
    .map(lambda s: s.strip()).filter(bool),
    st.sampled_from(["2026-11-20", "[[Priya Shah]]", "true", "a: b", "# x", "'q'", '"d"', "-", "[x]"]),
    st.booleans(), st.integers(-1000, 1000), st.lists(_word, max_size=3),
)
_line_style = st.sampled_from(["{k}: {v}", "{k}:   {v}  # c", "{k}: '{v}'", '{k}: "{v}"', "{k}:\n  - {v}\n  - z",
                               "{k}: [{v}, z]", "# comment\n{k}: {v}", "{k}: {v}\n"])


@st.composite
def notes(draw):  # type: ignore[no-untyped-def]
    keys = draw(st.lists(_word, min_size=1, max_size=5, unique=True))
    lines = [draw(_line_style).format(k=k, v=draw(_word)) for k in keys]
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    body = draw(st.sampled_from(["", "Body\n", "## Log\n- 2026-11-01 email: hi\n", "# T\n## Log\n- 2026-11-05 reply\n\n## More\ntext"]))
    text = bom + "---\n" + "\n".join(lines) + "\n---\n" + body
    return text.replace("\n", nl), keys


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notes(), st.data())
def test_property_edit_changes_exactly_the_key(note, data) -> None:  # type: ignore[no-untyped-def]
    text, keys = note
    key = data.draw(st.sampled_from(keys + ["new_key"]))
    value = data.draw(_value)
    try:
        out = set_property(text, key, value)
    except EditError as e:
        assert e.code == "unsafe-edit"  # refused, never wrong
        return
    before, after = frontmatter_props(text), frontmatter_props(out)
    expected = dict(before)
    expected[key] = value if not isinstance(value, date) else value.isoformat()
    assert after == expected
    # outside the edited lines, every line is byte-identical and in order
    old, new = text.splitlines(keepends=True), out.splitlines(keepends=True)
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    changed_old = old[prefix:len(old) - suffix]
    assert all(line.lstrip().startswith(("-", key, "#")) or not line.strip() or line.startswith(" ")
               for line in changed_old), changed_old
    assert out.startswith("\ufeff") == text.startswith("\ufeff")
    assert ("\r\n" in out) == ("\r\n" in text)


@settings(max_examples=200, deadline=None)
@given(notes(), st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)), _word, st.text(max_size=30))
def test_property_log_adds_one_line_and_parses_to_one_more_interaction(note, day, word, text) -> None:  # type: ignore[no-untyped-def]
    src, _ = note
    out = append_log(src, day, "coffee", text)
    old, new = src.splitlines(), out.splitlines()
    added = [line for line in new if line not in old or new.count(line) > old.count(line)]
    assert len(new) == len(old) + 1 + (1 if "## Log" not in src and "# Log" not in src else 0) + \
        (1 if "## Log" not in src and src.rstrip("\r\n") and not src.endswith(("\n\n", "\r\n\r\n")) else 0) or added
    for line in old:
        assert line in new
    before = parse_note("People/x.md", src.encode(), DEFAULT)
    after = parse_note("People/x.md", out.encode(), DEFAULT)
    assert after.properties == before.properties
    new_entries = [(i.date, i.kind, i.text) for i in after.log]
    old_entries = [(i.date, i.kind, i.text) for i in before.log]
    assert len(new_entries) == len(old_entries) + 1
    assert (day, "met", " ".join(text.split())) in new_entries
    assert sorted(new_entries, key=lambda e: e[0]) == new_entries or sorted(new_entries, key=lambda e: e[0], reverse=True) == new_entries


# --- the guarded writer ---------------------------------------------------------------------


def test_race_the_file_changed_between_read_and_write(tmp_path: Path) -> None:
    note = tmp_path / "People" / "Ana.md"
    note.parent.mkdir()
    note.write_bytes(b"---\nrole: PM\n---\n")
    theirs = b"---\nrole: Director\n---\nsaved in the editor meanwhile\n"

    def edit(text: str) -> str:
        note.write_bytes(theirs)  # another writer saves while mdnet computes
        return set_property(text, "role", "VP")

    with pytest.raises(WriteRefused, match="changed since mdnet read it"):
        edit_note(tmp_path, "People/Ana.md", edit, config=DEFAULT)
    assert note.read_bytes() == theirs
    assert [p.name for p in note.parent.iterdir()] == ["Ana.md"]  # no temp file left behind


def test_write_keeps_permissions_and_edits_a_symlink_at_its_target(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "Ana.md"
    real.parent.mkdir()
    real.write_bytes(b"---\nrole: PM\n---\n")
    os.chmod(real, 0o640)
    (tmp_path / "People").mkdir()
    link = tmp_path / "People" / "Ana.md"
    link.symlink_to(real)
    change = edit_note(tmp_path, "People/Ana.md", lambda t: set_property(t, "role", "VP"), config=DEFAULT)
    assert change.written
    assert link.is_symlink()
    assert real.read_bytes() == b"---\nrole: VP\n---\n"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_note_linking_outside_the_vault_is_never_written(tmp_path: Path) -> None:
    """The index does not read such a note (link-outside-vault); the writer refused
    nothing and wrote the file outside the vault."""
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"---\nrole: PM\n---\n")
    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Eve.md").symlink_to(outside)
    with pytest.raises(WriteRefused, match=r"^People/Eve.md: the note is a link to a file outside the vault"):
        edit_note(vault, "People/Eve.md", lambda t: set_property(t, "role", "VP"), config=DEFAULT)
    assert outside.read_bytes() == b"---\nrole: PM\n---\n"


def test_refusals_name_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "People").mkdir()
    (tmp_path / "People" / "Bad.md").write_bytes(b"---\nrole: PM\n---\n\xff\n")
    with pytest.raises(WriteRefused, match=r"^People/Bad.md:4: error: the file is not valid UTF-8"):
        read_note(tmp_path, "People/Bad.md")
    (tmp_path / "People" / "Open.md").write_bytes(b"---\nrole: PM\n")
    with pytest.raises(WriteRefused, match=r"^People/Open.md:1: error: frontmatter opened"):
        edit_note(tmp_path, "People/Open.md", lambda t: set_property(t, "role", "VP"), config=DEFAULT)
    with pytest.raises(WriteRefused, match="is gone"):
        read_note(tmp_path, "People/Nobody.md")


def test_dry_run_and_unchanged_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"x\n")
    snap = read_note(tmp_path, "a.md")
    mtime = (tmp_path / "a.md").stat().st_mtime_ns
    assert not replace_note(snap, "x\n").written
    assert not replace_note(snap, "y\n", dry_run=True).written
    assert (tmp_path / "a.md").read_bytes() == b"x\n" and (tmp_path / "a.md").stat().st_mtime_ns == mtime


def test_create_never_replaces(tmp_path: Path) -> None:
    change = create_note(tmp_path, "People/New.md", "---\ntype: person\n---\n")
    assert change.created and change.written
    assert (tmp_path / "People" / "New.md").read_text() == "---\ntype: person\n---\n"
    with pytest.raises(WriteRefused, match="already exists"):
        create_note(tmp_path, "People/New.md", "other")
    assert (tmp_path / "People" / "New.md").read_text() == "---\ntype: person\n---\n"
    assert sorted(p.name for p in (tmp_path / "People").iterdir()) == ["New.md"]


@settings(max_examples=200, deadline=None)
@given(notes(), st.data(), st.lists(_word, min_size=1, max_size=3))
def test_property_add_to_list_appends_exactly_the_new_values(note, data, values) -> None:  # type: ignore[no-untyped-def]
    text, keys = note
    key = data.draw(st.sampled_from(keys + ["new_list"]))
    before = frontmatter_props(text)
    try:
        out = add_to_list(text, key, values)
    except EditError as e:
        assert e.code == "unsafe-edit"
        return
    after = frontmatter_props(out)
    old = before.get(key)
    have = [] if old in (None, "") else list(old) if isinstance(old, list) else [old]
    want = list(have)
    for v in values:
        if v.lower() not in {str(x).lower() for x in want}:
            want.append(v)
    assert after == {**before, key: want} or (want == have and out == text)
    assert [line for line in text.splitlines() if not line.startswith((key, " ", "-"))] == \
        [line for line in out.splitlines() if not line.startswith((key, " ", "-"))]
