"""The incremental engine equals a full rebuild, whatever the sequence of edits.

Notes are generated from a small pool of names, companies, kinds and dates so
that edits collide: links that resolve and do not, colleagues at one company,
meetings naming several people, referrals both ways, renames and deletes.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mdnet.config import DEFAULT, load_config
from mdnet.engine import Engine
from mdnet.feed import build_feed
from mdnet.graph import resolve
from mdnet.rules import follow_ups, gone_quiet, select_due
from mdnet.vault.parse import parse_note

NAMES = ["Ana", "Ben", "Cy", "Dee", "Eve", "Fay"]
COMPANIES = ["Acme", "Beta", "acme "]
WORDS = ["met", "coffee", "emailed", "emailed", "emailed", "replied", "thanked", "update", "note", "brunch"]  # messages in a row: gone quiet
DAYS = [date(2026, 10, d) for d in (1, 6, 13, 20, 27)] + [date(2026, 11, d) for d in (2, 9, 16, 17)]
AS_OF = date(2026, 11, 18)
CONFIG, _ = load_config({"rules": {"new_per_week": 2, "max_attempts": 2}, "cadence": {"close": "2w"}})  # 2: more go quiet

person_text = st.builds(
    lambda company, status, referred, follow, circles, alias, log: (
        "---\n"
        + (f"company: \"{company}\"\n" if company else "")
        + f"status: {status}\n"
        + (f"referred_by: \"[[{referred}]]\"\n" if referred else "")
        + (f"follow_up: {follow.isoformat()}\n" if follow else "")
        + (f"circles: [{circles}]\n" if circles else "")
        + (f"aliases: [{alias}]\n" if alias else "")
        + "---\n## Log\n"
        + "".join(f"- {d.isoformat()} {w}: about [[{who}]]\n" if who else f"- {d.isoformat()} {w}: hello\n"
                  for d, w, who in log)
    ),
    st.sampled_from(["", *COMPANIES]),
    st.sampled_from(["active", "active", "paused"]),
    st.sampled_from([None, *NAMES, "Nobody"]),
    st.sampled_from([None, *DAYS]),
    st.sampled_from(["", "close"]),
    st.sampled_from(["", "", "", "", "", "A"]),  # rare: an alias changes names, so the engine rebuilds
    st.lists(st.tuples(st.sampled_from(DAYS), st.sampled_from(WORDS), st.sampled_from([None, None, *NAMES])),
             max_size=4),
)
meeting_text = st.builds(
    lambda day, who: f"---\ntype: meeting\ndate: {day.isoformat()}\nwith: [{', '.join(who)}]\n---\nTalked shop\n",
    st.sampled_from(DAYS), st.lists(st.sampled_from([*NAMES, "Nobody"]), max_size=3))

person_path = st.sampled_from([f"People/{n}.md" for n in NAMES] + ["Elsewhere/Ana.md"])
meeting_path = st.sampled_from(["Meetings/M1.md", "Meetings/M2.md", "Meetings/M3.md"])

edit = st.one_of(
    st.tuples(st.just("write"), person_path, person_text),
    st.tuples(st.just("write"), meeting_path, meeting_text),
    st.tuples(st.just("delete"), st.one_of(person_path, meeting_path), st.just("")),
    st.tuples(st.just("rename"), person_path, person_path),
    st.tuples(st.just("touch"), st.one_of(person_path, meeting_path), st.just("")),
)
start = st.dictionaries(person_path, person_text, min_size=2, max_size=7).flatmap(
    lambda people: st.dictionaries(meeting_path, meeting_text, max_size=3).map(lambda m: {**people, **m}))


def _feed(items, as_of):
    return build_feed(select_due(items, as_of, within=30), as_of=as_of, vault_name="v", tz=timezone.utc)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start, st.lists(edit, min_size=1, max_size=6), st.booleans())
def test_incremental_equals_a_full_rebuild(files, edits, new_day) -> None:
    clock = [1_700_000_000_000_000_000]
    texts: dict[str, str] = dict(files)
    first_seen = {p: date(2026, 9, 1) for p in texts}

    def parse(path: str) -> object:
        clock[0] += 1_000_000_000
        return parse_note(path, texts[path].encode(), CONFIG, mtime_ns=clock[0])

    notes = {p: parse(p) for p in texts}
    engine = Engine(notes.values(), CONFIG, AS_OF, first_seen)
    events_before = _engine_feed(engine)
    engine.gone_quiet  # kept from here on, edit by edit
    for op, path, arg in edits:
        changed = {}
        if op == "write":
            texts[path] = arg
            first_seen.setdefault(path, date(2026, 11, 10))
            changed[path] = notes[path] = parse(path)
        elif op == "touch" and path in texts:
            changed[path] = notes[path] = parse(path)
        elif op == "delete" and path in texts:
            del texts[path], notes[path], first_seen[path]
            changed[path] = None
        elif op == "rename" and path in texts and arg != path:
            texts[arg] = texts.pop(path)
            first_seen[arg] = first_seen.pop(path)
            del notes[path]
            changed[path] = None
            changed[arg] = notes[arg] = parse(arg)
        done = engine.update(changed, first_seen)
        event("rebuilt" if done is None else "incremental" if done else "nothing changed")  # --hypothesis-show-statistics
        _engine_feed(engine)  # fill the event cache with this state's events
    day = date(2026, 11, 19) if new_day else AS_OF
    engine.at(day)
    full = resolve(notes.values(), CONFIG, first_seen=first_seen)
    assert engine.vault == full
    expected = follow_ups(full, CONFIG, day)
    assert engine.items == expected
    assert _engine_feed(engine) == _feed(expected, day)
    quiet = gone_quiet(full, CONFIG, day)
    event("someone gone quiet" if quiet else "nobody gone quiet")
    assert engine.gone_quiet == quiet
    assert engine.diagnostics() == sorted([d for n in full.notes for d in n.diagnostics] + list(full.diagnostics),
                                          key=lambda d: (d.path, d.line, d.severity))
    assert events_before is not None


def _engine_feed(engine: Engine) -> bytes:
    items = select_due(engine.items, engine.as_of, within=30)
    return engine.feed(items, tz=timezone.utc, todo=False, name="mdnet follow-ups", details="full",
                       note_url="obsidian", vault_name="v")


def test_an_edit_that_keeps_names_is_not_a_rebuild() -> None:
    """The fast path is taken (else the property test would only ever test rebuilds)."""
    a = parse_note("People/Ana.md", b"---\ncompany: Acme\n---\n- 2026-11-02 emailed: hi\n", DEFAULT)
    b = parse_note("People/Ben.md", b"---\ncompany: Acme\n---\n", DEFAULT)
    engine = Engine([a, b], DEFAULT, AS_OF)
    a2 = parse_note("People/Ana.md", b"---\ncompany: Acme\n---\n- 2026-11-02 emailed: hi\n- 2026-11-03 emailed: again\n",
                    DEFAULT, mtime_ns=int(datetime(2026, 11, 3, tzinfo=timezone.utc).timestamp() * 1e9))
    assert engine.update({"People/Ana.md": a2}, {}) == {"People/Ana.md"}
    assert engine.update({"People/Ana.md": None}, {}) is None  # a delete changes names: rebuilt
