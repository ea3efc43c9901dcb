"""Real calendar clients subscribed to a real ``mdnet serve --watch``.

vdirsyncer (an ``http`` storage on the subscription URL, paired with a
``filesystem`` storage: one ``.ics`` file per item, the vdir format khal,
todoman and others read) syncs the served feed into a folder; khal then reads
that folder as a display client and lists the follow-ups by day.

Each test runs ``python -m mdnet serve --watch --port 0`` on a vault copied
from the starter vault into the repository's ``.tmp-vaults/``, plus a few notes
whose dates are relative to today (``mdnet serve`` uses the real date), and
runs the clients as subprocesses with their own config files in ``tmp_path``.
Everything talks to 127.0.0.1 only; every wait is bounded.

What vdirsyncer does with an ``http`` storage, read from its source (0.21)
and checked here: it splits the feed into one item per distinct component
UID (so a UID on the VCALENDAR itself, or two events sharing one, would
collapse items), then replaces every UID with a hash of the item's content
(minus DTSTAMP, LAST-MODIFIED, PRODID, X-WR-CALNAME, UID), so an item whose
content changes is deleted and re-created under a new file name, and an item
whose content does not change keeps its file byte for byte. It refuses to sync
a source that has become empty, which is why mdnet's feed holds a placeholder
VJOURNAL when nothing is due (docs/calendar-feed.md); the two control tests at
the end show both traps on a plain static server, so the checks on mdnet's
feed could fail.
"""

from __future__ import annotations

import http.client
import http.server
import importlib.util
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from functools import partial

import polling

wait_until = partial(polling.wait_until, timeout=20.0)  # a real client syncs over HTTP: allow more time

REPO = Path(__file__).resolve().parent.parent
VAULTS = REPO / ".tmp-vaults"
TIMEOUT = 60  # seconds, for any one client run

pytestmark = pytest.mark.slow

# -- helpers -------------------------------------------------------------------------




def need(module: str) -> None:
    """Skip when a calendar client is not installed (CI installs the test extras)."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install '.[test]' installs it)")


def client_env(home: Path) -> dict[str, str]:
    """No proxy for loopback, no user config, a private HOME and XDG dirs."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CACHE_HOME=str(home / ".cache"), NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
               TZ="UTC", LC_ALL="C.UTF-8")
    return env


def unfold(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "").split("\n")


def components(text: str) -> list[tuple[str, dict[str, str], tuple[str, ...]]]:
    """Every VEVENT/VTODO/VJOURNAL: (kind, {property name: value}, its lines minus UID, sorted)."""
    out = []
    kind: str | None = None
    lines: list[str] = []
    for line in unfold(text):
        if line in ("BEGIN:VEVENT", "BEGIN:VTODO", "BEGIN:VJOURNAL"):
            kind, lines = line[6:], []
        elif kind and line == f"END:{kind}":
            props = {ln.split(":", 1)[0].split(";")[0]: ln.split(":", 1)[1] for ln in lines if ":" in ln}
            out.append((kind, props, tuple(sorted(ln for ln in lines if not ln.startswith("UID")))))
            kind = None
        elif kind:
            lines.append(line)
    return out


def feed_events(text: str) -> dict[str, tuple[str, ...]]:
    """The feed's VEVENTs: its UID -> its content without the UID. Asserts UIDs are unique."""
    evs = [(p["UID"], body) for kind, p, body in components(text) if kind == "VEVENT"]
    uids = [u for u, _ in evs]
    assert len(set(uids)) == len(uids), f"duplicate UIDs in the feed: {uids}"
    return dict(evs)


def summaries(text: str) -> dict[str, str]:
    """SUMMARY -> UID for the feed's VEVENTs."""
    return {p["SUMMARY"]: p["UID"] for kind, p, _ in components(text) if kind == "VEVENT"}


class Server:
    """``python -m mdnet serve --watch --port 0`` with its output read by threads."""

    def __init__(self, root: Path) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.p = subprocess.Popen([sys.executable, "-m", "mdnet", "--vault", str(root), "serve", "--watch",
                                   "--port", "0"], cwd=REPO, env=env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.p.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.p.stderr, self.stderr.append), daemon=True).start()
        self.url = self._url()

    @staticmethod
    def _pump(stream, sink) -> None:  # type: ignore[no-untyped-def]
        for line in stream:
            sink(line)

    def _url(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                assert self.p.poll() is None, f"mdnet serve exited {self.p.returncode}: {''.join(self.stderr)}"
                continue
            m = re.search(r"http://\S+", line)
            if m:  # printed as localhost; the clients use the loopback address itself
                u = urlsplit(m.group(0))
                return f"http://127.0.0.1:{u.port}{u.path}"
        raise AssertionError(f"no URL printed within {timeout}s: {''.join(self.stderr)}")

    def feed(self) -> str:
        u = urlsplit(self.url)
        conn = http.client.HTTPConnection("127.0.0.1", u.port, timeout=10)
        try:
            conn.request("GET", u.path)
            r = conn.getresponse()
            assert r.status == 200, r.status
            return r.read().decode("utf-8")
        finally:
            conn.close()

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(15)
        finally:
            if self.p.poll() is None:
                self.p.kill()
                self.p.wait(5)
        assert "Traceback" not in "".join(self.stderr), "".join(self.stderr)


class StaticFeed:
    """A plain HTTP server on 127.0.0.1 serving whatever ``body`` holds (for the control tests)."""

    def __init__(self, body: str) -> None:
        self.body = body
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                data = outer.body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.ics"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class Vdirsyncer:
    """vdirsyncer with its own config, status dir and target folder, run as a subprocess."""

    def __init__(self, base: Path, url: str, *, source: str | None = None) -> None:
        """``source``: the feed side's storage lines (default: ``http`` on ``url``)."""
        need("vdirsyncer")
        self.base = base
        self.folder = base / "calendar"
        self.folder.mkdir(parents=True)
        (base / "status").mkdir()
        self.config = base / "vdirsyncer.conf"
        self.config.write_text(f"""\
[general]
status_path = "{base / 'status'}"

[pair mdnet]
a = "mdnet_feed"
b = "mdnet_local"
collections = null
conflict_resolution = "a wins"

[storage mdnet_feed]
{source or f'type = "http"{chr(10)}url = "{url}"'}

[storage mdnet_local]
type = "filesystem"
path = "{self.folder}"
fileext = ".ics"
""")
        self.env = dict(client_env(base), VDIRSYNCER_CONFIG=str(self.config))
        self.run("discover")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        r = subprocess.run([sys.executable, "-m", "vdirsyncer", *args], env=self.env, cwd=self.base, text=True,
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=TIMEOUT)
        if check:
            assert r.returncode == 0, f"vdirsyncer {' '.join(args)} exited {r.returncode}:\n{r.stdout}{r.stderr}"
        return r

    def sync(self, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("sync", check=check)

    def files(self) -> dict[str, str]:
        return {p.name: p.read_text("utf-8") for p in sorted(self.folder.iterdir()) if p.suffix == ".ics"}


def synced_items(files: dict[str, str]) -> dict[tuple[str, ...], str]:
    """Each synced file holds exactly one component; its content minus UID -> file name."""
    out: dict[tuple[str, ...], str] = {}
    for name, text in files.items():
        comps = components(text)
        assert len(comps) == 1, f"{name} holds {len(comps)} components:\n{text}"
        head = unfold(text)[: unfold(text).index(f"BEGIN:{comps[0][0]}")]
        assert not any(ln.startswith("UID") for ln in head), f"{name}: a UID on the VCALENDAR:\n{text}"
        assert sum(ln.startswith("UID") for ln in unfold(text)) == 1, name
        assert comps[0][2] not in out, f"{name} and {out.get(comps[0][2])} are the same item"
        out[comps[0][2]] = name
    return out


def new_vault(today: date) -> Path:
    """The starter vault plus three contacts whose dates are relative to ``today``."""
    VAULTS.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="calclient-", dir=VAULTS)) / "Vault"
    r = subprocess.run([sys.executable, "-m", "mdnet", "init", str(root)], cwd=REPO, capture_output=True,
                       text=True, timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    people = root / "People"
    d = lambda n: (today + timedelta(days=n)).isoformat()  # noqa: E731
    (people / "Tess Example.md").write_text(
        f"---\ntype: person\ncompany: Contoso\n---\n## Log\n- {d(-1)} coffee: talked about the platform team\n")
    (people / "Omar Example.md").write_text(
        f"---\ntype: person\ncompany: Fabrikam\n---\n## Log\n- {d(-3)} lunch: pricing team; knows everyone\n")
    (people / "Lena Example.md").write_text(
        f"---\ntype: person\nfollow_up: {d(5)}\n---\n## Log\n- {d(-10)} email: asked about the opening\n"
        f"- {d(-9)} reply: call her back next week\n")
    # The notes were last edited two days ago (as a real vault's are), so an edit now
    # raises the SEQUENCE of exactly the events that depend on the edited note.
    old = time.time() - 2 * 86400
    for note in root.rglob("*.md"):
        os.utime(note, (old, old))
    return root


@pytest.fixture
def served() -> Iterator[tuple[Server, Path, date]]:
    today = date.today()
    root = new_vault(today)
    server = Server(root)
    try:
        yield server, root, today
    finally:
        server.stop()
        shutil.rmtree(root.parent, ignore_errors=True)
    if date.today() != today:
        pytest.skip("the date changed while the test ran (mdnet serve follows the real date)")


# -- vdirsyncer ------------------------------------------------------------------------


def test_vdirsyncer_mirrors_the_feed_through_an_edit_and_an_empty_feed(
        served: tuple[Server, Path, date], tmp_path: Path) -> None:
    server, root, today = served
    vds = Vdirsyncer(tmp_path / "vds", server.url)

    # 1. First sync: one file per event, the same events.
    feed0 = server.feed()
    ev0 = feed_events(feed0)
    assert len(ev0) == feed0.count("BEGIN:VEVENT") >= 5
    vds.sync()
    files0 = vds.files()
    items0 = synced_items(files0)
    assert len(files0) == len(ev0)
    assert set(items0) == set(ev0.values())  # every event, once, byte for byte apart from the UID
    file_of = {uid: items0[body] for uid, body in ev0.items()}  # feed UID -> synced file

    # A second sync with nothing changed changes nothing.
    vds.sync()
    assert vds.files() == files0

    # 2. Log the thank-you: the served feed drops it; that event's file goes, the others stay.
    thank = "Thank Tess Example"
    assert thank in summaries(feed0), list(summaries(feed0))
    thank_uid = summaries(feed0)[thank]
    note = root / "People/Tess Example.md"
    with note.open("a", encoding="utf-8") as f:
        f.write(f"- {today.isoformat()} thanks: sent a note about the platform team\n")
    wait_until(lambda: thank not in summaries(server.feed()), what="the served feed to drop the thank-you")
    feed1 = server.feed()
    ev1 = feed_events(feed1)
    assert set(ev1) == set(ev0) - {thank_uid}
    unchanged = {u for u in ev1 if ev1[u] == ev0[u]}
    changed = set(ev1) - unchanged
    # Only the monthly update may change: its SEQUENCE follows every note with a met
    # or update line, Tess's included (its title and day stay the same).
    monthly = {u for s, u in summaries(feed1).items() if "Monthly update" in s}
    assert changed <= monthly, [s for s, u in summaries(feed1).items() if u in changed]
    assert len(unchanged) >= 5

    vds.sync()
    files1 = vds.files()
    items1 = synced_items(files1)
    assert len(files1) == len(ev1)
    assert set(items1) == set(ev1.values())
    assert file_of[thank_uid] not in files1
    for uid in unchanged:
        assert files1[file_of[uid]] == files0[file_of[uid]]  # same file name, same bytes
    for uid in changed:  # replaced: the content hash is the name
        assert file_of[uid] not in files1 and items1[ev1[uid]] in files1

    # 3. Nothing due: the feed holds only the placeholder journal entry, and vdirsyncer syncs it.
    for folder in ("People", "Meetings"):
        shutil.rmtree(root / folder)
    wait_until(lambda: "BEGIN:VEVENT" not in server.feed(), what="the served feed to empty")
    feed2 = server.feed()
    assert [(k, p["UID"]) for k, p, _ in components(feed2)] == [("VJOURNAL", "nothing-due@mdnet")]
    r = vds.sync()  # would exit 1 with "Storage ... was completely emptied" on an empty VCALENDAR
    files2 = vds.files()
    assert len(files2) == 1, files2
    [(kind, props, _)] = components(next(iter(files2.values())))
    assert (kind, props["SUMMARY"]) == ("VJOURNAL", "Nothing due")
    assert r.stderr.count("Deleting item") == len(ev1), r.stderr
    vds.sync()
    assert vds.files() == files2

    # 4. Something due again: the placeholder goes, the event comes.
    (root / "People").mkdir()
    (root / "People/Tess Example.md").write_text(
        f"---\ntype: person\nfollow_up: {(today + timedelta(days=2)).isoformat()}\n---\n")
    wait_until(lambda: "Follow up with Tess Example" in summaries(server.feed()), what="a follow-up in the feed")
    vds.sync()
    [(kind, props, _)] = [c for text in vds.files().values() for c in components(text)]
    assert (kind, props["SUMMARY"]) == ("VEVENT", "Follow up with Tess Example")


# -- khal --------------------------------------------------------------------------


def khal_list(base: Path, folder: Path, start: date, end: date) -> list[tuple[str, str, str, str]]:
    """``khal list`` over the folder: (start date, start time, categories, title) per event and day."""
    need("khal")
    config = base / "khal.conf"
    config.write_text(f"""\
[calendars]
[[mdnet]]
path = {folder}
readonly = True

[locale]
local_timezone = UTC
default_timezone = UTC
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M

[sqlite]
path = {base / 'khal.db'}
""")
    r = subprocess.run([sys.executable, "-m", "khal", "-c", str(config), "list", "--day-format", "",
                        "--format", "{start-date}|{start-time}|{categories}|{title}",
                        start.isoformat(), end.isoformat()],
                       env=client_env(base), cwd=base, text=True, capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    assert r.returncode == 0, f"khal exited {r.returncode}:\n{r.stdout}{r.stderr}"
    assert "error" not in r.stderr.lower() and "warning" not in r.stderr.lower(), r.stderr
    return [tuple(line.split("|", 3)) for line in r.stdout.splitlines() if "|" in line]  # type: ignore[misc]


def test_khal_shows_each_follow_up_on_its_day(served: tuple[Server, Path, date], tmp_path: Path) -> None:
    server, root, today = served
    need("khal")
    vds = Vdirsyncer(tmp_path / "vds", server.url)
    vds.sync()
    r = subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(root), "due", "--json", "--as-of",
                        today.isoformat(), "--within", "30d"], cwd=REPO, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert r.returncode == 0, r.stderr
    due = json.loads(r.stdout)
    assert {"thank-you", "follow-up"} <= {i["rule"] for i in due}
    assert len(due) == server.feed().count("BEGIN:VEVENT") == len(vds.files())

    shown = khal_list(tmp_path, vds.folder, today - timedelta(days=60), today + timedelta(days=40))
    assert all(start_time == "" for _, start_time, _, _ in shown), shown  # all-day events
    left = list(shown)
    for item in due:
        day = max(date.fromisoformat(item["due"]), today)  # overdue items are shown today
        who = item["contact"] or "Monthly update"
        match = [s for s in left if s[0] == day.isoformat() and s[2] == item["rule"] and who in s[3]]
        assert match, f"{item['rule']} for {who} not on {day}: {shown}"
        assert match[0][3].startswith("Overdue: ") == (date.fromisoformat(item["due"]) < today), match[0]
        left.remove(match[0])
    assert left == []  # and nothing else, nothing twice

    # The empty feed's placeholder journal entry is in the folder, and khal shows nothing for it.
    for folder in ("People", "Meetings"):
        shutil.rmtree(root / folder)
    wait_until(lambda: "BEGIN:VEVENT" not in server.feed(), what="the served feed to empty")
    vds.sync()
    assert len(vds.files()) == 1
    assert khal_list(tmp_path, vds.folder, today - timedelta(days=60), today + timedelta(days=40)) == []


# -- controls: the traps mdnet's feed avoids are real --------------------------------

EVENT = "BEGIN:VEVENT\r\nUID:{n}@example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:2026112{n}\r\n" \
        "SUMMARY:Event {n}\r\nEND:VEVENT\r\n"


def calendar(*events: str, cal_uid: bool = False) -> str:
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//control//EN\r\n"
    return head + ("UID:calendar@example\r\n" if cal_uid else "") + "".join(events) + "END:VCALENDAR\r\n"


@pytest.fixture
def static_feed() -> Iterator[StaticFeed]:
    s = StaticFeed(calendar())
    try:
        yield s
    finally:
        s.close()


def test_control_a_uid_on_the_calendar_collapses_the_events(static_feed: StaticFeed, tmp_path: Path) -> None:
    static_feed.body = calendar(*(EVENT.format(n=n) for n in (1, 2, 3)))
    plain = Vdirsyncer(tmp_path / "plain", static_feed.url)
    plain.sync()
    assert len(plain.files()) == 3
    static_feed.body = calendar(*(EVENT.format(n=n) for n in (1, 2, 3)), cal_uid=True)
    trap = Vdirsyncer(tmp_path / "trap", static_feed.url)
    trap.sync()
    assert len(trap.files()) == 1  # three events, one item


def test_control_vdirsyncer_refuses_a_feed_that_empties(static_feed: StaticFeed, tmp_path: Path) -> None:
    static_feed.body = calendar(EVENT.format(n=1), EVENT.format(n=2))
    vds = Vdirsyncer(tmp_path / "vds", static_feed.url)
    vds.sync()
    assert len(vds.files()) == 2
    static_feed.body = calendar()
    r = vds.sync(check=False)
    assert r.returncode != 0 and "emptied" in r.stderr, r.stderr
    assert len(vds.files()) == 2  # kept: vdirsyncer cannot tell "all done" from "server lost everything"
