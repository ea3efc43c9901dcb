"""Stable identity: a follow-up is named by (note key, rule, anchor), and a note's key
survives a rename (the index detects renames by content, as it does for first_seen)."""

from __future__ import annotations

import os
import re
from datetime import date

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from mdnet.cli import cli
from mdnet.config import DEFAULT
from mdnet.index import Index

TODAY = date(2026, 11, 20)
LOG = "- 2026-11-18 coffee: talked about the platform team and the Q1 hiring plan\n"


def sync(root, **kw):  # type: ignore[no-untyped-def]
    with Index.open(root) as ix:
        ix.sync(DEFAULT, today=TODAY, **kw)
        return ix.keys()


def test_a_rename_keeps_the_key_and_a_new_note_at_the_old_path_gets_another(vault) -> None:  # type: ignore[no-untyped-def]
    p = vault.person("Chen Wei", "company: Contoso\n", LOG)
    assert sync(vault.root) == {}  # every key is its path
    p.rename(vault.root / "People/Chen Wu.md")
    assert sync(vault.root) == {"People/Chen Wu.md": "People/Chen Wei.md"}
    (vault.root / "People/Fabrikam").mkdir()
    (vault.root / "People/Chen Wu.md").rename(vault.root / "People/Fabrikam/Chen Wu.md")
    assert sync(vault.root) == {"People/Fabrikam/Chen Wu.md": "People/Chen Wei.md"}  # moved again: still the first key
    vault.person("Chen Wei", "company: Other\n", "- 2026-11-19 email: someone else entirely\n")
    assert sync(vault.root) == {"People/Fabrikam/Chen Wu.md": "People/Chen Wei.md",
                                "People/Chen Wei.md": "People/Chen Wei.md#2"}


def test_a_rebuild_gives_every_note_its_path_as_key(vault) -> None:  # type: ignore[no-untyped-def]
    from mdnet.index.store import delete_index

    p = vault.person("Chen Wei", "company: Contoso\n", LOG)
    sync(vault.root)
    p.rename(vault.root / "People/Chen Wu.md")
    assert sync(vault.root) == {"People/Chen Wu.md": "People/Chen Wei.md"}
    delete_index(vault.root)  # or a new schema version: the index is a cache, built again from the files
    assert sync(vault.root) == {}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["write", "delete", "rename"]), st.integers(0, 4)), max_size=12))
def test_keys_are_unique_whatever_happens(tmp_path_factory, ops) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("v")
    (root / "People").mkdir()
    with Index.open(root) as ix:
        for k, (op, n) in enumerate(ops):
            p = root / "People" / f"N{n}.md"
            if op == "write":
                p.write_text(f"---\ncompany: A\n---\n- 2026-11-01 coffee: a long enough line to be a rename {k}\n")
            elif op == "delete" and p.exists():
                p.unlink()
            elif op == "rename" and p.exists():
                p.rename(root / "People" / f"N{(n + 1) % 5}.md")
            ix.sync(DEFAULT, today=TODAY)
            rows = list(ix.conn.execute("SELECT key FROM notes"))
            assert len(rows) == len({r[0] for r in rows})


def uids(root) -> dict[str, str]:  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(cli, ["--vault", str(root), "feed", "--as-of", "2026-11-18", "-o", "-"])
    assert r.exit_code == 0, r.output
    text = r.stdout.replace("\r\n", "\n").replace("\n ", "")
    return dict(re.findall(r"SUMMARY:(.*?)\n.*?UID:(.*?)\n", text, re.S))


def test_renaming_a_note_keeps_every_uid_in_the_feed(vault) -> None:  # type: ignore[no-untyped-def]
    vault.person("Chen Wei", "company: Contoso\nfollow_up: 2026-12-05\n", LOG + "- 2026-12-03 call: 9am\n")
    vault.write("Meetings/2026-11-17 Panel.md", "---\ntype: meeting\ndate: 2026-11-17\nwith: [\"[[Chen Wei]]\"]\n---\nPanel\n")
    before = uids(vault.root)
    assert {"Thank Chen Wei", "Follow up with Chen Wei", "Meet Chen Wei", "Prepare for Chen Wei"} <= set(before)
    os.rename(vault.root / "People/Chen Wei.md", vault.root / "People/Chen Wu.md")
    after = uids(vault.root)
    assert sorted(after.values()) == sorted(before.values())


def test_a_long_running_workspace_keeps_the_uids_through_a_rename(vault) -> None:  # type: ignore[no-untyped-def]
    """The watcher's path: the engine is brought current from the paths a sync changed."""
    from mdnet.feed import item_uid
    from mdnet.workspace import Workspace

    vault.person("Chen Wei", "company: Contoso\nfollow_up: 2026-12-05\n", LOG + "- 2026-12-03 call: 9am\n")
    with Workspace.open(vault.root) as ws:
        first = {item_uid(i) for i in ws.load(TODAY).follow_ups if i.path}
        os.rename(vault.root / "People/Chen Wei.md", vault.root / "People/Chen Wu.md")
        ws.refresh(today=TODAY, paths=["People/Chen Wei.md", "People/Chen Wu.md"])
        loaded = ws.load(TODAY, sync=False)
        assert {i.path for i in loaded.follow_ups if i.path} == {"People/Chen Wu.md"}
        assert {item_uid(i) for i in loaded.follow_ups if i.path} == first
        assert loaded.vault.keys == {"People/Chen Wu.md": "People/Chen Wei.md"}
