"""Hostile notes and settings (issue 7): no single note or setting stops check, due, feed or
show for the rest of the vault, and the good notes keep their items."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.cli import cli

AS_OF = "2026-11-23"
GOOD = "---\nname: Good Person\ncompany: Acme\n---\n## Log\n- 2026-11-20 coffee: talked shop\n"

DATES = ["9999-12-31", "9999-12-30", "0001-01-01", "2026-02-30", "10000-01-01", "2026-11-20"]
DURATIONS = ["9999y", "99999999999d", "9000y", "3652058d", "0d", "1" * 40 + "d", "2608612bd", "quarterly"]
NASTY = ["\x1b]0;PWNED\x07", "\x1b[2J", "\x85", "\u2028", "\u2029", "\u202e", "\x00", "\x0b", "\x9b",
         "{path.__class__}", "{path:>300000}", "{0}", "{file}", "%s%n", "[[", "]]", "|", "\ufeff", "\r", "José",
         "Jose\u0301"]


def _scalar() -> st.SearchStrategy[str]:
    pieces = st.lists(st.sampled_from(NASTY + ["a", " ", "-"]), max_size=8).map("".join)
    return st.sampled_from(DATES + DURATIONS + NASTY) | pieces


@st.composite
def hostile_note(draw: st.DrawFn) -> str:
    q = lambda v: json.dumps(v)  # noqa: E731 - YAML reads JSON strings
    props = {k: draw(_scalar()) for k in draw(st.lists(st.sampled_from(
        ["name", "company", "cadence", "follow_up", "snooze_until", "added", "met", "next_step", "status",
         "referred_by", "aliases", "email", "knows_search"]), max_size=8, unique=True))}
    fm = "".join(f"{k}: {q(v)}\n" for k, v in props.items())
    lines = [f"- {draw(st.sampled_from(DATES))} {draw(st.sampled_from(['email', 'coffee', 'reply', 'x', '']))}: "
             f"{draw(_scalar())}" for _ in range(draw(st.integers(0, 6)))]
    body = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        body += draw(st.sampled_from(NASTY)) * draw(st.sampled_from([1, 1000, 50_000]))
    return ("---\n" + fm + "---\n" if draw(st.booleans()) else "") + "## Log\n" + body


@st.composite
def hostile_settings(draw: st.DrawFn) -> str:
    q = lambda v: json.dumps(v)  # noqa: E731 - TOML basic strings accept JSON escapes
    rules = {k: draw(st.sampled_from(DURATIONS + NASTY)) for k in draw(st.lists(st.sampled_from(
        ["nudge_after", "referral_after", "thank_you_window", "try_another_after"]), max_size=4, unique=True))}
    feed = {k: draw(st.sampled_from(v)) for k, v in {
        "window": DURATIONS, "note_url": NASTY + ["https://x/{path}", "none", "{vault}{path}{path}"],
        "path": ["../../x.ics", "/tmp/x.ics", "f.ics", "People/Good Person.md", "a\x00.ics"],
        "name": NASTY}.items() if draw(st.booleans())}
    text = "[rules]\n" + "".join(f"{k} = {q(v)}\n" for k, v in rules.items())
    text += "[feed]\n" + "".join(f"{k} = {q(v)}\n" for k, v in feed.items())
    text += f"[cadence]\nfriend = {q(draw(st.sampled_from(DURATIONS)))}\n"
    return text


def _run(root: Path, *args: str):
    r = CliRunner().invoke(cli, ["--vault", str(root), *args], catch_exceptions=True)
    assert r.exception is None or isinstance(r.exception, SystemExit), (args, r.output, r.exc_info)
    return r


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(hostile_note(), min_size=1, max_size=3), hostile_settings())
def test_hostile_notes_and_settings_never_stop_the_vault(notes: list[str], toml: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        (root / ".obsidian").mkdir(parents=True)
        (root / "People").mkdir()
        (root / "People" / "Good Person.md").write_text(GOOD, encoding="utf-8")
        for n, text in enumerate(notes):
            (root / "People" / f"Bad{n}\x1b.md").write_bytes(text.encode("utf-8", "surrogatepass"))
        (root / "mdnet.toml").write_text(toml, encoding="utf-8")

        check = _run(root, "check", "--json")
        assert check.exit_code in (0, 1)
        json.loads(check.stdout)
        due = _run(root, "due", "--json", "--as-of", AS_OF, "--within", "30d")
        assert due.exit_code == 0, due.output
        assert ("thank-you", "Good Person") in {(i["rule"], i["contact"]) for i in json.loads(due.stdout)}
        feed = _run(root, "feed", "-o", "-", "--as-of", AS_OF)
        assert feed.exit_code == 0 and "Thank Good Person" in feed.stdout
        written = _run(root, "feed", "--as-of", AS_OF)
        assert written.exit_code == 0, written.output
        assert not (Path(tmp) / "x.ics").exists()
        show = _run(root, "show", "Good Person")
        assert show.exit_code == 0 and "talked shop" in show.stdout
        for r in (check, due, feed, written, show):
            assert "\x1b]" not in r.output and "Traceback" not in r.output


def _seconds(root: Path) -> float:
    t0 = time.perf_counter()
    for args in (["index", "--full"], ["check"], ["due", "--json", "--as-of", AS_OF], ["feed", "--as-of", AS_OF]):
        _run(root, *args)
    return time.perf_counter() - t0


@pytest.mark.slow
def test_hostile_vault_time_grows_linearly_with_its_size(tmp_path: Path) -> None:
    """The whole pipeline (index, check, due, feed) over one note of hostile log lines:
    four times the lines costs about four times as long (quadratic would be 16)."""
    unit = "- 9999-12-30 email: \x1b[2J{path.__class__} \u2028 [[Good Person]]\n```\n- 0001-01-01 call: x\n```\n"
    times = []
    for n in (2500, 10000):
        root = tmp_path / f"v{n}"
        (root / ".obsidian").mkdir(parents=True)
        (root / "People").mkdir()
        (root / "People" / "Good Person.md").write_text(GOOD, encoding="utf-8")
        (root / "People" / "Big.md").write_text("---\nname: Big\n---\n## Log\n" + unit * n, encoding="utf-8")
        _seconds(root)  # warm: imports, first index
        times.append(min(_seconds(root) for _ in range(2)))
    ratio = times[1] / times[0]
    assert ratio < 8, f"4x the note took {ratio:.1f}x the time ({times})"
