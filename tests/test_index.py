"""The SQLite index: incremental, rebuildable, one transaction per sync."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdnet.config import DEFAULT, load_config
from mdnet.index import SCHEMA_VERSION, Index
from mdnet.index.store import COLD_JOURNAL_MIN, _drop, _IsLink, _read_regular

TODAY = date(2026, 11, 22)


def sync(root: Path, config=DEFAULT, **kw):
    with Index.open(root) as ix:
        return ix.sync(config, today=kw.pop("today", TODAY), **kw)


def contacts(root: Path) -> dict[str, str]:
    with Index.open(root) as ix:
        return {n.path: n.contact.name for n in ix.notes() if n.contact}


def test_first_sync_indexes_everything_and_ignores_what_it_should(vault):
    vault.person("Ana Lopez", "company: Fabrikam\n", "- 2026-11-18 coffee: hi\n")
    vault.write("Meetings/Panel.md", '---\ndate: 2026-11-03\nwith: ["[[Ana Lopez]]"]\n---\n')
    vault.write("Notes/idea.md", "just a note")
    vault.write(".obsidian/x.md", "ignored")
    vault.write(".trash/People/Gone.md", "ignored")
    vault.write("Templates/Person.md", "---\ntype: person\n---\n")
    vault.write("People/photo.png", b"\x89PNG")
    vault.write("People/.hidden/secret.md", "ignored")
    stats = sync(vault.root)
    assert (stats.notes, stats.contacts, stats.meetings, stats.interactions, stats.added) == (3, 1, 1, 2, 3)
    assert stats.rebuilt


def test_nothing_changed_reads_nothing(vault):
    vault.person("Ana Lopez")
    sync(vault.root)
    os.utime(vault.root / "People/Ana Lopez.md", ns=(1, 1_000_000_000))  # old: not racy
    sync(vault.root)
    stats = sync(vault.root)
    assert (stats.added, stats.changed, stats.removed, stats.unchanged) == (0, 0, 0, 1)


def test_touch_without_change_is_not_reparsed(vault):
    p = vault.person("Ana Lopez")
    sync(vault.root)
    os.utime(p, ns=(1, 2_000_000_000))
    stats = sync(vault.root)
    assert (stats.changed, stats.unchanged) == (0, 1)  # same hash: only the stat is updated


def test_edit_rename_delete(vault):
    a = vault.person("Ana Lopez", "company: Fabrikam\n")
    b = vault.person("Chen Wei", "company: Contoso\nrole: Engineering manager\n", "- 2026-11-01 coffee: talked\n")
    first = sync(vault.root)
    assert contacts(vault.root) == {"People/Ana Lopez.md": "Ana Lopez", "People/Chen Wei.md": "Chen Wei"}

    a.write_text("---\nname: Ana L. Lopez\n---\n", encoding="utf-8")
    stats = sync(vault.root)
    assert stats.changed == 1 and contacts(vault.root)["People/Ana Lopez.md"] == "Ana L. Lopez"

    b.rename(vault.root / "People" / "Chen W.md")
    stats = sync(vault.root, today=date(2026, 12, 1))
    assert (stats.renamed, stats.removed, stats.added) == (1, 0, 0)
    with Index.open(vault.root) as ix:
        assert ix.first_seen()["People/Chen W.md"] == TODAY  # a rename keeps the note's history

    (vault.root / "People" / "Chen W.md").unlink()
    stats = sync(vault.root)
    assert stats.removed == 1
    assert contacts(vault.root) == {"People/Ana Lopez.md": "Ana L. Lopez"}
    assert first.contacts == 2


def test_folder_rename_and_limited_sync(vault):
    vault.person("Ana", "company: Fabrikam\n", "- 2026-11-01 coffee: talked about the Q1 plan\n", folder="People/Boston")
    vault.person("Ben", "company: Contoso\n", "- 2026-11-02 email: asked for 15 minutes\n", folder="People/Boston")
    sync(vault.root)
    (vault.root / "People/Boston").rename(vault.root / "People/Cambridge")
    stats = sync(vault.root, paths=["People/Boston", "People/Cambridge"])
    assert stats.renamed == 2
    assert sorted(contacts(vault.root)) == ["People/Cambridge/Ana.md", "People/Cambridge/Ben.md"]


def test_limited_sync_touches_only_named_paths(vault):
    vault.person("Ana")
    sync(vault.root)
    vault.person("Ben")  # not named: not seen
    (vault.root / "People/Ana.md").write_text("---\nname: Ana B\n---\n", encoding="utf-8")
    stats = sync(vault.root, paths=["People/Ana.md"])
    assert stats.changed == 1 and stats.added == 0
    assert contacts(vault.root) == {"People/Ana.md": "Ana B"}


def test_broken_note_is_indexed_as_far_as_it_can_be_read(vault):
    vault.write("People/Bad.md", b"---\nname: [unclosed\n---\n- 2026-11-01 call\n\xff\n")
    vault.person("Good")
    stats = sync(vault.root)
    assert stats.contacts == 2 and stats.errors == 2
    with Index.open(vault.root) as ix:
        codes = sorted(d.code for d in ix.diagnostics())
        assert codes == ["bad-yaml", "not-utf8"]
        note = next(n for n in ix.notes() if n.path == "People/Bad.md")
        assert note.contact.name == "Bad" and len(note.log) == 1


def test_deleting_the_cache_loses_nothing(vault):
    vault.person("Ana", "company: Fabrikam\n", "- 2026-11-18 coffee\n")
    sync(vault.root)
    with Index.open(vault.root) as ix:
        before = ix.vault(DEFAULT)
    import shutil

    shutil.rmtree(vault.root / ".mdnet")
    stats = sync(vault.root)
    assert stats.rebuilt
    with Index.open(vault.root) as ix:
        after = ix.vault(DEFAULT)
    assert after.contacts == before.contacts and after.interactions == before.interactions


def test_schema_mismatch_rebuilds(vault):
    vault.person("Ana")
    sync(vault.root)
    db = vault.root / ".mdnet/index.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION + 100}")
    stats = sync(vault.root)
    assert stats.rebuilt and stats.added == 1


def test_a_corrupt_cache_is_rebuilt(vault):
    vault.person("Ana")
    (vault.root / ".mdnet").mkdir()
    (vault.root / ".mdnet/index.sqlite").write_bytes(b"this is not a database" * 100)
    stats = sync(vault.root)
    assert stats.rebuilt and stats.contacts == 1


def test_config_change_reparses(vault):
    vault.write("Contacts/Ana.md", "")
    assert sync(vault.root).contacts == 0
    config, _ = load_config({"vault": {"people_folders": ["Contacts"]}})
    stats = sync(vault.root, config)
    assert stats.contacts == 1 and stats.changed == 1


def test_search(vault):
    vault.person("Ana Lopez", "company: Fabrikam\nask_about: [her marathon]\n", "- 2026-11-18 coffee: fintech hiring\n")
    vault.person("Chen Wei", "company: Contoso\n")
    sync(vault.root)
    with Index.open(vault.root) as ix:
        assert [p for p, _, _ in ix.search("fintech")] == ["People/Ana Lopez.md"]
        assert [p for p, _, _ in ix.search("marath")] == ["People/Ana Lopez.md"]  # prefix, properties
        assert [p for p, _, _ in ix.search("contoso")] == ["People/Chen Wei.md"]
        assert ix.search("nobody-has-this") == []
        assert ix.search('"fintech hiring"')[0][0] == "People/Ana Lopez.md"


def test_vault_is_not_modified(vault):
    vault.person("Ana Lopez", "company: [[Fabrikam]]\nadded: 2026-02-30\n", "- 2026-11-18 brunch\n")
    vault.write("People/Crlf.md", b"\xef\xbb\xbf---\r\nname: C\r\n---\r\n")
    before = vault.snapshot()
    sync(vault.root)
    assert vault.snapshot() == before


def test_racy_file_is_rehashed(vault):
    """An edit within the same mtime tick as the last sync must still be seen."""
    p = vault.person("Ana", "role: PM\n")
    sync(vault.root)  # the file was written just now: racy
    st = p.stat()
    p.write_text(p.read_text(encoding="utf-8").replace("PM", "VP"), encoding="utf-8")  # same size
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime, as a coarse clock would show
    stats = sync(vault.root)
    assert stats.changed == 1
    with Index.open(vault.root) as ix:
        assert ix.notes()[0].contact.role == "VP"


def test_parallel_and_serial_parsing_agree(vault):
    for i in range(60):
        vault.person(f"P{i:02}", f"company: C{i % 7}\n", f"- 2026-11-{1 + i % 28:02} coffee: [[P{(i + 1) % 60:02}]]\n")
    with Index.open(vault.root) as ix:
        ix.sync(DEFAULT, today=TODAY, jobs=2)
        par = ix.vault(DEFAULT)
    _drop(vault.root / ".mdnet/index.sqlite")
    with Index.open(vault.root) as ix:
        ix.sync(DEFAULT, today=TODAY, jobs=1)
        ser = ix.vault(DEFAULT)
    assert par.contacts == ser.contacts and par.interactions == ser.interactions and par.referrals == ser.referrals


@pytest.mark.slow
def test_killed_index_run_leaves_the_old_index(vault, tmp_path):
    """Kill an index run midway: the previous index still opens, whole."""
    for i in range(3000):
        vault.person(f"P{i:04}", "company: Acme\n", "- 2026-11-01 coffee\n")
    assert sync(vault.root).contacts == 3000
    for i in range(3000):  # change every note so the next run has real work
        vault.person(f"P{i:04}", "company: Contoso\n", "- 2026-11-02 call\n")
    script = textwrap.dedent(f"""
        import sys, os, signal
        from datetime import date
        from pathlib import Path
        from mdnet.config import DEFAULT
        from mdnet.index import Index
        ix = Index.open(Path({str(vault.root)!r}))
        def progress(done, total):
            if done >= 1000:
                os.kill(os.getpid(), signal.SIGKILL)
        ix.sync(DEFAULT, today=date(2026, 11, 22), progress=progress, jobs=1)
        print("finished")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL and "finished" not in proc.stdout
    with Index.open(vault.root) as ix:
        notes = ix.notes()
        assert len(notes) == 3000
        assert {n.contact.company for n in notes} == {"Acme"}  # the old index, intact
    stats = sync(vault.root)
    assert stats.changed == 3000


@pytest.mark.slow
def test_killed_first_index_run_leaves_an_index_that_builds(vault):
    """A first build is written with a rollback journal (store.COLD_JOURNAL_MIN): killed midway,
    the next open rolls it back to the empty index, and the next sync builds it all, in WAL."""
    for i in range(COLD_JOURNAL_MIN + 100):
        vault.person(f"P{i:04}", "company: Acme\n", "- 2026-11-01 coffee\n")
    script = textwrap.dedent(f"""
        import os, signal
        from datetime import date
        from pathlib import Path
        from mdnet.config import DEFAULT
        from mdnet.index import Index
        ix = Index.open(Path({str(vault.root)!r}))
        def progress(done, total):
            if done >= 300:
                assert ix.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
                os.kill(os.getpid(), signal.SIGKILL)
        ix.sync(DEFAULT, today=date(2026, 11, 22), progress=progress, jobs=1)
        print("finished")
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL and "finished" not in proc.stdout, proc.stderr
    assert (vault.root / ".mdnet/index.sqlite-journal").exists()  # a hot journal, as a crash leaves it
    with Index.open(vault.root) as ix:
        assert ix.notes() == []  # rolled back: nothing half-written
        stats = ix.sync(DEFAULT, today=TODAY)
        assert stats.added == COLD_JOURNAL_MIN + 100
        assert ix.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ix.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not (vault.root / ".mdnet/index.sqlite-journal").exists()


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 65536, 300_000])
def test_a_note_is_read_whole(tmp_path, size):
    note = tmp_path / "n.md"
    data = (b"- 2026-11-01 call: x\r\n" * (size // 22 + 1))[:size]
    note.write_bytes(data)
    assert _read_regular(str(note)) == data
    assert _read_regular(str(note), follow=False) == data


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="O_NOFOLLOW")
def test_reading_without_following_tells_a_link(tmp_path):
    (tmp_path / "n.md").write_bytes(b"x")
    (tmp_path / "l.md").symlink_to(tmp_path / "n.md")
    with pytest.raises(_IsLink):
        _read_regular(str(tmp_path / "l.md"), follow=False)
    assert _read_regular(str(tmp_path / "l.md")) == b"x"
    with pytest.raises(IsADirectoryError):  # as a file object says it
        _read_regular(str(tmp_path))


def test_a_first_build_leaves_the_index_in_wal_mode(vault):
    for i in range(COLD_JOURNAL_MIN):
        vault.person(f"P{i:04}", "", "- 2026-11-01 coffee\n")
    with Index.open(vault.root) as ix:
        assert ix.sync(DEFAULT, today=TODAY).added == COLD_JOURNAL_MIN
        assert ix.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ix.sync(DEFAULT, today=TODAY).unchanged == COLD_JOURNAL_MIN


def assert_same_as_a_full_rebuild(root: Path, ix: Index) -> None:
    """What an index built up step by step holds equals what a fresh one reads."""
    built = ix.vault(DEFAULT)
    diags = sorted(map(str, ix.diagnostics()))
    ix.close()
    _drop(root / ".mdnet/index.sqlite")
    with Index.open(root) as fresh:
        fresh.sync(DEFAULT, today=TODAY)
        full = fresh.vault(DEFAULT)
        assert sorted(map(str, fresh.diagnostics())) == diags
    assert built.contacts == full.contacts
    assert built.interactions == full.interactions
    assert built.referrals == full.referrals
    assert built.mtimes == full.mtimes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["write", "delete", "rename", "touch"]), st.integers(0, 5),
                          st.sampled_from(["company: A\n", "company: B\n", "name: [bad\n", "", "added: 2026-02-30\n"])),
                max_size=12))
def test_incremental_sync_equals_a_full_rebuild(tmp_path_factory, ops):
    root = tmp_path_factory.mktemp("v")
    (root / "People").mkdir()
    with Index.open(root) as ix:
        for op, n, props in ops:
            p = root / "People" / f"N{n}.md"
            if op == "write":
                p.write_text(f"---\n{props}---\n- 2026-11-0{n + 1} coffee: [[N{(n + 1) % 6}]]\n", encoding="utf-8")
            elif op == "delete" and p.exists():
                p.unlink()
            elif op == "rename" and p.exists():
                p.rename(root / "People" / f"N{(n + 1) % 6}.md")
            elif op == "touch" and p.exists():
                os.utime(p, ns=(1, time.time_ns() + 5_000_000_000))
            ix.sync(DEFAULT, today=TODAY)
        assert_same_as_a_full_rebuild(root, ix)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file, so a chmod 000 note cannot be made unreadable")
def test_unreadable_note_is_kept_with_an_error_and_read_once_it_can_be(vault):
    p = vault.person("Ana", "role: PM\n")
    p.chmod(0)
    try:
        stats = sync(vault.root)
        assert stats.contacts == 1 and stats.errors == 1
        with Index.open(vault.root) as ix:
            (d,) = ix.diagnostics()
            assert (d.path, d.line, d.code) == ("People/Ana.md", 1, "unreadable-file")
    finally:
        p.chmod(0o644)
    sync(vault.root)  # permissions changed, mtime did not: it is looked at again
    with Index.open(vault.root) as ix:
        assert ix.diagnostics() == [] and ix.notes()[0].contact.role == "PM"


def test_a_read_error_becomes_a_diagnostic_not_a_lost_note(vault):
    """As root no chmod makes a file unreadable; opening a folder fails the same way."""
    from mdnet.index.store import FileState, Parsed, _parse_row

    (vault.root / "People" / "Odd.md").mkdir(parents=True)
    row = _parse_row(str(vault.root), FileState("People/Odd.md", 0, 5), DEFAULT, DEFAULT.kind_words(), None)
    assert isinstance(row, Parsed) and row.type == "person" and row.hash.startswith("unreadable:")
    from mdnet.index.codec import decode

    note = decode("People/Odd.md", row.record)
    assert [(d.line, d.code) for d in note.diagnostics] == [(1, "unreadable-file")]
    assert "cannot read the file" in note.diagnostics[0].message and note.contact.name == "Odd"


def test_renames_are_matched_by_name_and_never_for_tiny_files(vault):
    a = vault.person("Ann", "company: Fabrikam\nrole: Product manager, payments\n")
    b = vault.person("Bea", "company: Fabrikam\nrole: Product manager, payments\n")
    a.write_bytes(b.read_bytes())  # two notes with the same bytes
    vault.write("People/Empty.md", "")
    sync(vault.root, today=date(2026, 1, 1))
    b.unlink()
    sync(vault.root, today=date(2026, 3, 1))
    vault.person("Bea", "company: Fabrikam\nrole: Product manager, payments\n")  # Bea again, from March
    (vault.root / "People" / "Bea.md").write_bytes(a.read_bytes())
    sync(vault.root, today=date(2026, 3, 1))
    (vault.root / "People2").mkdir()
    for n in ("Ann", "Bea"):
        (vault.root / "People" / f"{n}.md").rename(vault.root / "People2" / f"{n}.md")
    (vault.root / "People" / "Empty.md").unlink()
    vault.write("People/Brand New.md", "")
    stats = sync(vault.root, today=date(2026, 6, 1))
    with Index.open(vault.root) as ix:
        seen = ix.first_seen()
    assert seen["People2/Ann.md"] == date(2026, 1, 1) and seen["People2/Bea.md"] == date(2026, 3, 1)
    assert seen["People/Brand New.md"] == date(2026, 6, 1)  # an empty note is nobody's rename
    assert stats.renamed == 2


@pytest.mark.slow
def test_two_processes_syncing_at_once_agree(vault):
    """The watcher and a CLI command often sync together right after a save."""
    for i in range(200):
        vault.person(f"P{i:03}", "company: Acme\n", "- 2026-11-01 coffee: talked about hiring\n")
    script = textwrap.dedent(f"""
        import sys
        from datetime import date
        from pathlib import Path
        from mdnet.config import DEFAULT
        from mdnet.index import Index
        with Index.open(Path({str(vault.root)!r})) as ix:
            ix.sync(DEFAULT, today=date(2026, 11, 22))
        print("ok")
    """)
    import shutil

    for round_ in range(6):
        if round_ % 2 == 0:
            shutil.rmtree(vault.root / ".mdnet", ignore_errors=True)  # both create the index too
        vault.person(f"New{round_}", "company: Contoso\n", "- 2026-11-02 call: a new one\n")
        procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0 and out.strip() == "ok", err
        names = contacts(vault.root)
        assert len(names) == 201 + round_ and f"People/New{round_}.md" in names


def test_linked_folders_are_not_followed_by_either_sync(vault):
    vault.person("Ana", "company: Acme\n")
    (vault.root / "loop").symlink_to(".", target_is_directory=True)
    (vault.root / "People" / "Elsewhere").symlink_to(vault.root / "People", target_is_directory=True)
    sync(vault.root)
    assert list(contacts(vault.root)) == ["People/Ana.md"]
    sync(vault.root, paths=["loop", "loop/People/Ana.md", "People/Elsewhere/", "People/Elsewhere/Ana.md"])
    assert list(contacts(vault.root)) == ["People/Ana.md"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["write", "delete", "rename", "move-folder", "touch"]), st.integers(0, 4),
                          st.sampled_from(["company: A\n", "name: [bad\n", "", "pic: !!binary aGk=\n"]),
                          st.booleans()),
                max_size=10))
def test_the_watchers_partial_syncs_equal_a_full_rebuild(tmp_path_factory, ops):
    """What the watcher does: sync only the paths an event named (old and new)."""
    root = tmp_path_factory.mktemp("v")
    for folder in ("People/A", "People/B"):
        (root / folder).mkdir(parents=True)
    with Index.open(root) as ix:
        for op, n, props, in_b in ops:
            folder = "People/B" if in_b else "People/A"
            p = root / folder / f"N{n}.md"
            dirty = [f"{folder}/N{n}.md"]
            if op == "write":
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(f"---\n{props}---\nsome words about N{n}\n- 2026-11-0{n + 1} coffee: [[N{(n + 1) % 5}]]\n",
                             encoding="utf-8")
            elif op == "delete" and p.exists():
                p.unlink()
            elif op == "rename" and p.exists():
                target = root / folder / f"N{(n + 1) % 5}.md"
                p.rename(target)
                dirty.append(target.relative_to(root).as_posix())
            elif op == "move-folder":
                src, dst = root / folder, root / f"{folder}-moved"
                if src.exists() and not dst.exists():
                    src.rename(dst)
                    dirty = [f"{folder}/", f"{folder}-moved/"]
            elif op == "touch" and p.exists():
                os.utime(p, ns=(1, time.time_ns() + 5_000_000_000))
            ix.sync(DEFAULT, today=TODAY, paths=dirty)
        assert_same_as_a_full_rebuild(root, ix)


# The codec's layout, hashed, for each SCHEMA_VERSION it was shipped with.  When this
# test fails you changed a stored field: bump SCHEMA_VERSION in index/store.py (old
# indexes are then rebuilt, not misread) and add the new pair here.
LAYOUTS = {8: "2c6bcb43e16fcc32", 9: "ebeb10e42f704f5b", 10: "80179ebfd0471d82",
           11: "e242b9c70939da14"}  # 9: meeting time and prep section; 10: the monthly update's recipients;
# 11: the follow-up state tables (Referral, Summary, Waiting stored)


def test_codec_fields_cannot_change_without_a_schema_version_bump() -> None:
    import hashlib
    import json

    from mdnet.index.codec import layout
    from mdnet.index.store import SCHEMA_VERSION

    digest = hashlib.sha256(json.dumps(layout(), sort_keys=True).encode()).hexdigest()[:16]
    assert SCHEMA_VERSION in LAYOUTS, f"add {SCHEMA_VERSION}: {digest!r} to LAYOUTS"
    assert LAYOUTS[SCHEMA_VERSION] == digest, (
        f"the codec's stored fields changed ({digest}) but SCHEMA_VERSION is still {SCHEMA_VERSION}: bump it")


# --- permissions of .mdnet (issue 7) ------------------------------------------------------

import stat as _stat  # noqa: E402

import pytest as _pytest  # noqa: E402


@_pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@_pytest.mark.parametrize("vault_mode, dir_mode, file_mode", [(0o700, 0o700, 0o600), (0o755, 0o755, 0o644),
                                                             (0o750, 0o750, 0o640), (0o777, 0o755, 0o644)])
def test_state_folder_and_files_are_no_wider_than_the_vault(vault, vault_mode, dir_mode, file_mode):
    """Issue 7: the index holds every note body and was created 0644 in any vault."""
    from click.testing import CliRunner

    from mdnet.cli import cli

    vault.person("Ana", "name: Ana\n", "- 2026-11-18 coffee: secret\n")
    os.chmod(vault.root, vault_mode)
    old = os.umask(0o022)
    try:
        for args in (["index"], ["feed"], ["serve", "--rotate-token"]):
            assert CliRunner().invoke(cli, ["--vault", str(vault.root), *args]).exit_code == 0
    finally:
        os.umask(old)
    state = vault.root / ".mdnet"
    assert _stat.S_IMODE(state.stat().st_mode) == dir_mode
    for f in state.iterdir():
        assert _stat.S_IMODE(f.stat().st_mode) & ~file_mode == 0, (f.name, oct(f.stat().st_mode))
    assert _stat.S_IMODE((state / "index.sqlite").stat().st_mode) == file_mode


@_pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_state_folder_wider_than_the_vault_is_tightened(vault):
    from mdnet.index import Index

    os.chmod(vault.root, 0o700)
    (vault.root / ".mdnet").mkdir(mode=0o777)
    os.chmod(vault.root / ".mdnet", 0o777)
    Index.open(vault.root).close()
    assert _stat.S_IMODE((vault.root / ".mdnet").stat().st_mode) == 0o700


# --- symbolic links (issue 7) ------------------------------------------------------------


@_pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_note_linking_outside_the_vault_is_not_read_and_is_warned_about(vault, tmp_path):
    """Issue 7: a note that was a link to /proc/self/environ was read and its text searchable."""
    from mdnet.index import Index

    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: Leak\n---\nAPI_KEY=hunter2\n")
    (vault.root / "People").mkdir(parents=True)
    (vault.root / "People" / "Leak.md").symlink_to(secret)
    (vault.root / "People" / "Env.md").symlink_to("/proc/self/environ")
    vault.person("Ana", "name: Ana\n")
    (vault.root / "People" / "Alias.md").symlink_to(vault.root / "People" / "Ana.md")  # inside: fine
    with Index.open(vault.root) as ix:
        ix.sync(DEFAULT, today=date(2026, 11, 23))
        assert ix.search("hunter2") == [] and ix.search("PATH") == []
        diags = {(d.path, d.code, d.severity) for d in ix.diagnostics()}
        assert ("People/Leak.md", "link-outside-vault", "warning") in diags
        assert ("People/Env.md", "link-outside-vault", "warning") in diags
        assert not any(d[0] == "People/Alias.md" for d in diags)
        assert {c.name for c in ix.vault(DEFAULT).contacts} >= {"Ana"}


@_pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_in_place_of_a_note_is_never_opened_for_a_blocking_read(vault, tmp_path):
    import subprocess
    import sys

    vault.person("Ana", "name: Ana\n")
    os.mkfifo(tmp_path / "pipe")
    (vault.root / "People" / "Pipe.md").symlink_to(tmp_path / "pipe")
    os.mkfifo(vault.root / "People" / "Fifo.md")
    r = subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(vault.root), "check"],
                       capture_output=True, text=True, timeout=60)
    assert "Ana" not in r.stderr and r.returncode in (0, 1)
def test_search_syntax_for_what_people_type(vault):
    vault.person("Sean O'Brien", "company: Initech\n", "- 2026-11-18 coffee: hiring C++ developers, some node.js\n")
    vault.person("Cy Chen", "company: Contoso\n", "- 2026-11-18 coffee: C and Go, front-end work\n")
    vault.person("Nodey", "", "- 2026-11-18 call: a node in the graph; js later\n")
    sync(vault.root)

    def found(q):
        with Index.open(vault.root) as ix:
            return sorted(p.rsplit("/", 1)[-1][:-3] for p, _, _ in ix.search(q))

    assert found("C++") == ["Sean O'Brien"]
    assert found("node.js") == ["Sean O'Brien"]
    assert found("O'Brien") == ["Sean O'Brien"] and found("o'brien") == ["Sean O'Brien"]
    assert found('"hiring C"') == ["Sean O'Brien"]
    assert found("coffee -initech") == ["Cy Chen"]
    assert found('coffee -"front end"') == ["Sean O'Brien"]
    assert found("front-end") == ["Cy Chen"]
    assert found("coffee OR call") == ["Cy Chen", "Nodey", "Sean O'Brien"]  # FTS5 syntax passes through
    with Index.open(vault.root) as ix, pytest.raises(ValueError, match="say what to find"):
        ix.search("-initech")


# --- the walk tells how far it got (issue 8: a home folder named as the vault) -------------


def test_the_walk_reports_its_progress_and_the_total(vault):
    from mdnet.config import Config
    from mdnet.vault.files import stat_tree

    for i in range(200):
        vault.write(f"People/F{i:03d}/n.md", "# n\n")
    seen: list[tuple[int, int]] = []
    found = stat_tree(vault.root, Config(), lambda folders, notes: seen.append((folders, notes)))
    assert len(found) == 200
    assert len(seen) >= 3 and seen == sorted(seen)  # every 64 folders, then once at the end
    assert seen[-1] == (202, 200)  # the vault, People/ and 200 folders


def test_a_sync_passes_the_walks_progress_on(vault):
    from mdnet.workspace import Workspace

    vault.person("Ana", "name: Ana\n")
    seen: list[tuple[int, int]] = []
    with Workspace.open(vault.root) as ws:
        ws.refresh(scanned=lambda folders, notes: seen.append((folders, notes)))
    assert seen[-1][1] == 1


def test_the_scan_line_shows_only_on_a_terminal_and_only_when_slow():
    import io

    from mdnet.cli.common import scan_line

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    with scan_line(stream=io.StringIO()) as cb:
        assert cb is None  # a pipe: nothing
    fast = Tty()
    with scan_line(after=3600, stream=fast) as cb:
        cb(64, 10)
    assert fast.getvalue() == ""  # a walk under the delay says nothing
    slow = Tty()
    with scan_line(after=0, stream=slow) as cb:
        cb(64, 10)
        cb(128, 30)  # within a tenth of a second of the first: not drawn again
    assert slow.getvalue().count("Scanning the vault") == 1
    assert "Scanning the vault: 64 folders, 10 notes so far (Ctrl-C stops)" in slow.getvalue()
    assert slow.getvalue().endswith("\r\x1b[K")  # cleared when the walk is done


@_pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_notes_that_are_not_read_do_not_count_as_changed_at_every_sync(vault, tmp_path):
    """A note not read (a link outside the vault, a name that is not UTF-8) was stored with
    size 0, so every sync found its size changed, read it again, counted it changed and
    moved the generation: every one-shot command then rebuilt its follow-ups."""
    secret = tmp_path / "secret.md"
    secret.write_text("---\nname: Leak\n---\nprivate\n")
    vault.person("Ana", "name: Ana\n")
    (vault.root / "People" / "Leak.md").symlink_to(secret)
    with Index.open(vault.root) as ix:
        ix.sync(DEFAULT, today=TODAY)
        gen = ix.generation()
        again = ix.sync(DEFAULT, today=TODAY)
        assert (again.added, again.changed, again.removed) == (0, 0, 0)
        assert ix.generation() == gen


def test_a_file_name_that_is_not_utf8_is_named_and_the_rest_is_indexed(vault):
    """Linux lets a file name hold any bytes (a Latin-1 name copied from an old disk);
    SQLite takes only UTF-8, and such a name stopped every sync of the vault."""
    from click.testing import CliRunner

    from mdnet.cli import cli

    vault.person("Ana", "name: Ana\n", "- 2026-11-20 coffee: hiring\n")
    raw = os.fsencode(vault.root / "People") + b"/Jos\xe9.md"
    try:
        with open(raw, "wb") as f:
            f.write(b"---\nname: Jose\n---\n")
    except OSError:
        _pytest.skip("this file system takes only UTF-8 names")
    run = lambda *a: CliRunner().invoke(cli, ["--vault", str(vault.root), *a])  # noqa: E731
    out = run("check")
    assert out.exit_code == 1
    assert out.output.splitlines()[0] == (
        "People/Jos\\xe9.md:1: error: the file name is not valid UTF-8 (the bytes shown as \\xNN), "
        "so mdnet cannot name it in the index or a link; rename the file (e.g. in a file manager)")
    out = run("due", "--as-of", "2026-11-21", "--json")
    assert out.exit_code == 0 and "Thank Ana" in out.output
    with Index.open(vault.root) as ix:
        gen = ix.generation()
        again = ix.sync(DEFAULT, today=TODAY)
        assert (again.changed, ix.generation()) == (0, gen)
        # the watcher names the file as the OS does (undecodable bytes as surrogates)
        watched = os.fsdecode(raw)[len(str(vault.root)) + 1:]
        ix.sync(DEFAULT, today=TODAY, paths=[watched])
        assert "People/Jos\\xe9.md" in {n.path for n in ix.notes()}
        os.unlink(raw)
        ix.sync(DEFAULT, today=TODAY, paths=[watched])
        assert {n.path for n in ix.notes()} == {"People/Ana.md"}
