"""The dashboard, for real: a vault in a temp folder, the feed server on 127.0.0.1 with the
dashboard as its app, raw HTTP from the test.  Each .json twin is compared with the CLI's --json."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mdnet.cli import cli
from mdnet.dashboard import pages, svg
from mdnet.dashboard.app import CSP, DASHBOARD_TOKEN_NAME, Dashboard
from mdnet.server import FeedServer, load_or_create_token, make_server, serve_in_thread
from mdnet.workspace import Workspace

from conftest import VaultDir

DAY = date(2026, 11, 23)
MAYA = """---
company: Acme
role: Design lead
circles: [college]
tags: [design]
ask_about: [her team's roadmap]
---
# Maya Okafor

## Log
- 2026-11-20 coffee: talked about design; suggested [[Priya Shah]]
"""
PRIYA = """---
company: Globex
referred_by: "[[Maya Okafor]]"
circles: [work]
---
# Priya Shah

## Log
"""
SAM = """---
company: Initech
follow_up: 2026-11-23
---
# Sam

## Log
- 2026-10-01 email: asked about <script>alert(1)</script>
"""
PROFILE = """---
target_role: Product designer
---
# Profile

## Companies I'd love an introduction to
- Acme
- Umbrella
"""
SAM_PATH = "People/Sam <i>Lee.md"


@pytest.fixture
def dash_vault(vault: VaultDir) -> VaultDir:
    vault.write("People/Maya Okafor.md", MAYA)
    vault.write("People/Priya Shah.md", PRIYA)
    vault.write(SAM_PATH, SAM)
    vault.write("Profile.md", PROFILE)
    vault.write("mdnet.toml", "")
    return vault


class Served:
    def __init__(self, srv: FeedServer, app: Dashboard, root: Path) -> None:
        self.srv, self.app, self.root = srv, app, root
        self.port = srv.server_address[1]
        self.host = f"127.0.0.1:{self.port}"

    def request(self, method: str, target: str, *, headers: dict[str, str] | None = None,
                body: bytes | None = None, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            if host != "":
                conn.putheader("Host", host or self.host)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def get(self, page: str, **kw: Any) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", self.app.base + page, **kw)

    def json(self, page: str) -> Any:
        status, _, body = self.get(page)
        assert status == 200, body
        return json.loads(body)

    def post(self, action: str, data: Any, *, origin: str | None = "same", csrf: str | None = "same",
             content_type: str = "application/json", raw: bytes | None = None) -> tuple[int, Any]:
        headers = {"Content-Type": content_type}
        if origin is not None:
            headers["Origin"] = f"http://{self.host}" if origin == "same" else origin
        if csrf is not None:
            headers["X-MDNet-CSRF"] = self.app.csrf if csrf == "same" else csrf
        body = raw if raw is not None else json.dumps(data).encode()
        status, _, out = self.request("POST", self.app.base + "action/" + action, headers=headers, body=body)
        return status, json.loads(out) if out.startswith(b"{") else out


def _serve(root: Path, **kw: Any) -> Iterator[Served]:
    ws = Workspace.open(root)
    ws.load(DAY, today=DAY)
    (root / ".mdnet").mkdir(exist_ok=True)
    feed = ws.state_dir / "followups.ics"
    feed.write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    app = Dashboard(ws, load_or_create_token(ws.state_dir, DASHBOARD_TOKEN_NAME), today=lambda: DAY, **kw)
    srv = make_server(feed, load_or_create_token(ws.state_dir), app=app)
    serve_in_thread(srv)
    try:
        yield Served(srv, app, root)
    finally:
        app.close()
        srv.shutdown()
        srv.server_close()
        ws.close()


@pytest.fixture
def served(dash_vault: VaultDir) -> Iterator[Served]:
    yield from _serve(dash_vault.root)


@pytest.fixture
def editable(dash_vault: VaultDir) -> Iterator[Served]:
    yield from _serve(dash_vault.root, allow_edits=True)


def cli_json(root: Path, *args: str, as_of: bool = True) -> Any:
    day = ["--as-of", DAY.isoformat()] if as_of else []
    result = CliRunner().invoke(cli, ["--vault", str(root), *args, *day, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the pages and their .json twins ------------------------------------------------------------


def test_today_lists_what_due_lists_with_reason_next_step_and_ask_about(served: Served) -> None:
    status, headers, body = served.get("")
    html = body.decode()
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert re.findall(r'<span class="rule">([^<]*)</span>', html) == ["nudge", "referral", "thank-you", "follow-up"]
    assert "Thank <bdi>" not in html and "<bdi>Thank Maya Okafor for the coffee on 20 Nov</bdi>" in html
    assert "ask about: <bdi>her team&#39;s roadmap</bdi>" in html
    assert "<bdi>Follow up with Sam &lt;i&gt;Lee (planned for 23 Nov)</bdi>" in html
    assert "<i>" not in html  # a name is text, never markup
    assert served.json("today.json") == cli_json(served.root, "due")
    assert served.get("today")[2] == body  # / and /today are one page
    ids = re.findall(r'<li id="(item-[0-9a-f]{16})" class="item ', html)
    assert len(set(ids)) == 4  # one id per item, what the partial updates match items by


def test_filters_in_the_url_narrow_today(served: Served) -> None:
    college = served.json("today.json?circle=College")
    assert [i["contact"] for i in college] == ["Maya Okafor"]
    assert [i["contact"] for i in served.json("today.json?tag=%23design")] == ["Maya Okafor"]
    assert [i["rule"] for i in served.json("today.json?company=initech")] == ["nudge", "follow-up"]
    html = served.get("today?company=Nowhere")[2].decode()
    assert "Nothing due for these filters." in html
    # the navigation keeps the filters
    assert f'href="{served.app.base}habit?circle=college"' in served.get("today?circle=college")[2].decode()


def test_a_bad_date_in_the_url_is_said_on_the_page(served: Served) -> None:
    html = served.get("habit?since=last+week")[2].decode()
    assert "since=&#39;last week&#39; is not a date (write YYYY-MM-DD); ignored" in html
    html = served.get("habit?since=2026-11-01&until=2026-10-01")[2].decode()
    assert "since is after until; the date range is ignored" in html


@pytest.mark.parametrize("page,report", [("habit", "activity"), ("sources", "sources"),
                                         ("pipeline", "pipeline"), ("list", "list")])
def test_report_pages_json_is_the_reports_json(served: Served, page: str, report: str) -> None:
    assert served.json(f"{page}.json") == cli_json(served.root, "report", report)
    assert served.get(page)[0] == 200


def test_date_range_reaches_the_report(served: Served) -> None:
    data = served.json("habit.json?since=2026-11-02&until=2026-11-22")
    assert data == cli_json(served.root, "report", "activity", "--since", "2026-11-02", "--until", "2026-11-22")
    assert [w["week"] for w in data["weeks"]] == ["2026-W45", "2026-W46", "2026-W47"]


def test_habit_page_draws_the_heatmap_streaks_and_goals(served: Served) -> None:
    html = served.get("habit")[2].decode()
    rects = re.findall(r'<rect [^>]*data-date="([\d-]+)" data-count="(\d+)"', html)
    activity = served.json("habit.json")
    assert [(d, int(n)) for d, n in rects] == [tuple(x) for x in activity["heatmap"]]
    assert ("2026-11-20", "1") in rects
    assert "Current streak: <strong>0</strong> weeks · longest: <strong>0</strong>" in html
    assert "Weekly goal: 2 conversations and 5 outreach" in html


def test_contact_page_has_the_brief_log_and_referrals(served: Served) -> None:
    html = served.get("contact?path=People/Maya%20Okafor.md")[2].decode()
    assert "<h1>Maya Okafor</h1>" in html
    assert "<bdi>Design lead</bdi> at <bdi>Acme</bdi>" in html
    assert "sent you to <bdi>Priya Shah</bdi> (2026-11-20)" in html
    assert "<td>2026-11-20</td><td>coffee</td><td><bdi>talked about design; suggested [[Priya Shah]]</bdi></td>" in html
    assert 'href="obsidian://open?vault=vault&amp;file=People%2FMaya%20Okafor"' in html
    data = served.json("contact.json?path=People/Maya%20Okafor.md")
    assert data["brief"] == cli_json(served.root, "prep", "Maya Okafor")
    assert data["contact"] == cli_json(served.root, "show", "Maya Okafor", as_of=False)
    priya = served.get("contact?path=People/Priya%20Shah.md")[2].decode()
    assert f'referred by <a href="{served.app.base}contact?path=People/Maya%20Okafor.md"><bdi>Maya Okafor</bdi></a>' in priya


TREE_NOTES = {
    "People/Maya Okafor.md": "---\nreferred_by: Uma Rao\n---\n# Maya Okafor\n",
    "People/Priya Shah.md": '---\nreferred_by: "[[Maya Okafor]]"\n---\n# Priya Shah\n',
    "People/Kim Ito.md": '---\nreferred_by: "[[Maya Okafor]]"\n---\n# Kim Ito\n',
    "People/Leo Chen.md": '---\nreferred_by: "[[Priya Shah]]"\ncompany: Globex\n---\n# Leo Chen\n\n## Log\n- 2026-11-02 coffee: met\n',
    "People/Ola Berg.md": '---\nreferred_by: "[[Leo Chen]]"\n---\n# Ola Berg\n',
}


def test_contact_page_draws_the_referral_tree_around_them(vault: VaultDir) -> None:
    """Up the chain (Uma, who has no note, then Maya), the contact, and everyone beneath
    them (Leo, then Ola whom Leo referred); Maya's other referral (Kim) is not around Priya."""
    for path, text in TREE_NOTES.items():
        vault.write(path, text)
    for s in _serve(vault.root):
        base = s.app.base
        html = s.get("contact?path=People/Priya%20Shah.md")[2].decode()
        block = html[html.index('<ul class="tree around">'):]
        block = block[:block.index("</ul>") + 5]
        assert block == (
            '<ul class="tree around">\n'
            '<li class="d0"><bdi>Uma Rao</bdi> (no note)</li>\n'
            f'<li class="d1">↳ <a href="{base}contact?path=People/Maya%20Okafor.md"><bdi>Maya Okafor</bdi></a></li>\n'
            '<li class="d2 here">↳ <strong><bdi>Priya Shah</bdi></strong></li>\n'
            f'<li class="d3 met">↳ <a href="{base}contact?path=People/Leo%20Chen.md"><bdi>Leo Chen</bdi></a>'
            ' · <bdi>Globex</bdi> · met</li>\n'
            f'<li class="d4">↳ <a href="{base}contact?path=People/Ola%20Berg.md"><bdi>Ola Berg</bdi></a></li>\n'
            '</ul>')
        node = {"met": False, "company": None, "cycle": False, "last": True}
        assert s.json("contact.json?path=People/Priya%20Shah.md")["referral_tree"] == [
            {**node, "id": "?uma rao", "name": "Uma Rao", "depth": 0},
            {**node, "id": "People/Maya Okafor.md", "name": "Maya Okafor", "depth": 1},
            {**node, "id": "People/Priya Shah.md", "name": "Priya Shah", "depth": 2},
            {**node, "id": "People/Leo Chen.md", "name": "Leo Chen", "depth": 3, "met": True, "company": "Globex"},
            {**node, "id": "People/Ola Berg.md", "name": "Ola Berg", "depth": 4},
        ]
        # The same lines as the Sources report's tree, which holds Kim too.
        tree = s.json("sources.json")["trees"][0]["nodes"]
        assert [n["name"] for n in tree] == ["Uma Rao", "Maya Okafor", "Kim Ito", "Priya Shah", "Leo Chen", "Ola Berg"]
        # At the root: everyone beneath; at a leaf: the whole chain above.
        assert [n["name"] for n in s.json("contact.json?path=People/Maya%20Okafor.md")["referral_tree"]] == [
            "Uma Rao", "Maya Okafor", "Kim Ito", "Priya Shah", "Leo Chen", "Ola Berg"]
        assert [n["name"] for n in s.json("contact.json?path=People/Ola%20Berg.md")["referral_tree"]] == [
            "Uma Rao", "Maya Okafor", "Priya Shah", "Leo Chen", "Ola Berg"]


def test_contact_page_without_referrals_says_so(served: Served) -> None:
    html = served.get("contact?path=People/Sam%20%3Ci%3ELee.md")[2].decode()
    assert '<p class="empty">No referral chain runs through them.</p>' in html
    assert served.json("contact.json?path=People/Sam%20%3Ci%3ELee.md")["referral_tree"] == []


def test_contact_page_escapes_note_text(served: Served) -> None:
    html = served.get("contact?path=People/Sam%20%3Ci%3ELee.md")[2].decode()
    assert "asked about &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_unknown_contact_or_page_is_404(served: Served) -> None:
    assert served.get("contact?path=Profile.md")[0] == 404
    assert served.get("contact.json?path=../../etc/passwd")[0] == 404
    assert served.get("nothing")[0] == 404


def test_pipeline_board_puts_targets_where_you_know_nobody_first(served: Served) -> None:
    html = served.get("pipeline")[2].decode()
    columns = re.findall(r'<section class="column" data-stage="([^"]+)">\s*<h2>[^<]*<span class="count">(\d+)', html)
    assert columns == [("know nobody yet", "1"), ("never contacted", "0"), ("reached out", "0"),
                       ("replied", "0"), ("met", "1"), ("gone quiet", "0")]
    assert html.index("<bdi>Umbrella</bdi>") < html.index("<bdi>Acme</bdi>")


def test_list_page_shows_progress_to_the_goal(served: Served) -> None:
    html = served.get("list")[2].decode()
    assert '<progress value="3" max="100"></progress> <strong>3</strong> of 100 people' in html


def test_static_assets_are_served_by_mdnet(served: Served) -> None:
    status, headers, body = served.get("static/dashboard.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript") and b"EventSource" in body
    assert served.get("static/../mdnet.toml")[0] == 404
    html = served.get("")[2].decode()
    assert re.findall(r'(?:src|href)="(https?:[^"]*)"', html) == []  # no third-party request


def test_pages_work_without_javascript_for_reading(served: Served) -> None:
    html = served.get("")[2].decode()
    assert "<noscript" not in html and html.count("<script") == 1  # the one deferred file, nothing inline
    assert 'data-action="done"' not in html  # read-only: no buttons to press


# -- pure parts -------------------------------------------------------------------------------


def test_heatmap_levels_and_layout() -> None:
    assert [svg.level(n, 8) for n in (0, 1, 2, 3, 4, 5, 8)] == [0, 1, 1, 2, 2, 3, 4]
    days = [(date(2026, 11, 16 + i), i) for i in range(14)]
    out = svg.heatmap(days)
    assert out.count("<rect") == 14
    assert 'x="30" y="16"' in out and 'data-date="2026-11-16" data-count="0"' in out  # Monday, first column, top
    assert svg.heatmap([]).startswith("<svg")


def test_parse_filters() -> None:
    f = pages.parse_filters({"circle": ["Friend"], "tag": ["#Design"], "since": ["2026-01-01"]})
    assert (f.circle, f.tag, f.since, f.problems) == ("friend", "design", date(2026, 1, 1), ())
    assert f.query() == {"circle": "friend", "tag": "design", "since": "2026-01-01"}


# -- safety: each rule with a request it must refuse ------------------------------------------


def test_every_answer_has_the_security_headers(served: Served) -> None:
    for page in ("", "today.json", "habit", "static/dashboard.css", "nothing"):
        _, headers, _ = served.get(page)
        assert headers["content-security-policy"] == CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self';" in CSP and "unsafe-inline" not in CSP


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1", "localhost:1", "127.0.0.1:{port}.evil", ""])
def test_wrong_host_is_refused(served: Served, host: str) -> None:
    status, _, body = served.get("today.json", host=host.format(port=served.port))
    assert status == 403 and b"Host refused" in body


@pytest.mark.parametrize("host", ["localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}", "127.0.0.1:{port}"])
def test_local_hosts_are_accepted(served: Served, host: str) -> None:
    assert served.get("today.json", host=host.format(port=served.port))[0] == 200


def test_a_named_host_is_accepted_when_configured(dash_vault: VaultDir) -> None:
    for s in _serve(dash_vault.root, hosts=("mybox.lan",)):
        assert s.get("today.json", host=f"mybox.lan:{s.port}")[0] == 200
        assert s.get("today.json", host=f"other.lan:{s.port}")[0] == 403


def test_an_ipv6_host_is_accepted_in_brackets_as_browsers_send_it(dash_vault: VaultDir) -> None:
    """`serve --host fd00::5`: browsers send `Host: [fd00::5]:PORT`, which was refused."""
    for s in _serve(dash_vault.root, hosts=("fd00::5",)):
        assert s.get("today.json", host=f"[fd00::5]:{s.port}")[0] == 200
        assert s.get("today.json", host=f"fd00::5:{s.port}")[0] == 403


def test_wrong_token_and_the_feed_token_are_404(served: Served) -> None:
    feed_token = (served.root / ".mdnet" / "token").read_text().strip()
    assert served.request("GET", "/" + "x" * 43 + "/today.json")[0] == 404
    assert served.request("GET", f"/{feed_token}/today.json")[0] == 404
    assert served.request("GET", f"{served.app.base}followups.ics")[0] == 404
    assert served.request("GET", f"/{feed_token}/followups.ics")[0] == 200
    assert feed_token != served.app.token
    mode = (served.root / ".mdnet" / DASHBOARD_TOKEN_NAME).stat().st_mode & 0o777
    assert mode == 0o600


WRITES = [("done", {"path": "People/Maya Okafor.md"}), ("update-draft", {"month": "2026-11"}),
          ("update-sent", {"month": "2026-11"})]


@pytest.mark.parametrize("action,payload", WRITES)
def test_read_only_refuses_writes(served: Served, action: str, payload: dict[str, Any]) -> None:
    before = (served.root / "People/Maya Okafor.md").read_bytes()
    status, data = served.post(action, payload)
    assert status == 403 and "read-only" in data["error"]
    assert (served.root / "People/Maya Okafor.md").read_bytes() == before
    assert not (served.root / "Updates").exists()


@pytest.mark.parametrize("kw,status,words", [
    ({"origin": None}, 403, "Origin refused"),
    ({"origin": "http://evil.example"}, 403, "Origin refused"),
    ({"origin": "null"}, 403, "Origin refused"),
    ({"csrf": None}, 403, "session token"),
    ({"csrf": "x" * 43}, 403, "session token"),
    ({"content_type": "text/plain"}, 415, "must be JSON"),
    ({"raw": b"path=People/Maya+Okafor.md"}, 400, "not JSON"),
    ({"raw": b"[1, 2]"}, 400, "JSON object"),
])
@pytest.mark.parametrize("action,payload", WRITES)
def test_writes_are_refused_without_every_guard(editable: Served, kw: dict[str, Any], status: int, words: str,
                                                action: str, payload: dict[str, Any]) -> None:
    before = (editable.root / "People/Maya Okafor.md").read_bytes()
    got, data = editable.post(action, payload, **kw)
    assert got == status and words in data["error"]
    assert (editable.root / "People/Maya Okafor.md").read_bytes() == before
    assert not (editable.root / "Updates").exists()


@pytest.mark.parametrize("action", [a for a, _ in WRITES])
def test_a_cross_site_form_post_is_refused(editable: Served, action: str) -> None:
    body = b"path=People%2FMaya+Okafor.md&month=2026-11"
    status, _, out = editable.request("POST", editable.app.base + "action/" + action, body=body, headers={
        "Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    status, _, out = editable.request("POST", editable.app.base + "action/" + action, body=body, headers={
        "Origin": f"http://{editable.host}", "Content-Type": "application/x-www-form-urlencoded",
        "X-MDNet-CSRF": editable.app.csrf})
    assert status == 415
    assert not (editable.root / "Updates").exists()


def test_only_contacts_notes_can_be_written(editable: Served) -> None:
    before = editable.root.joinpath("Profile.md").read_bytes()
    for path in ("Profile.md", "../outside.md", "mdnet.toml", 3):
        status, data = editable.post("log", {"path": path, "kind": "note", "text": "x"})
        assert status == 404 and data["error"] == "no contact's note at that path"
    assert editable.root.joinpath("Profile.md").read_bytes() == before
    assert not (editable.root.parent / "outside.md").exists()


# -- actions ----------------------------------------------------------------------------------


OLA = """---
email: ola@example.com
---
# Ola Berg

## Log
- 2026-10-05 coffee: talked about platform teams
"""
KAI = """---
---
# Kai Moss

## Log
- 2026-10-07 call: hiring plans
"""


def test_the_monthly_update_is_drafted_and_recorded_sent_as_the_cli_does(vault: VaultDir) -> None:
    """November's update is due (Ola and Kai met in October): Draft it writes what `mdnet
    update` writes; Sent logs one `update` line on each note in the draft's Bcc, as `mdnet
    update --sent` does, and the item goes."""
    vault.write("People/Ola Berg.md", OLA)
    vault.write("People/Kai Moss.md", KAI)
    vault.write("mdnet.toml", "")
    for s in _serve(vault.root, allow_edits=True):
        html = s.get("today")[2].decode()
        item = html[html.index('data-rule="monthly-update"'):]
        item = item[:item.index("</li>")]
        assert "<bdi>Send your November update to 2 people you have met</bdi>" in item
        assert ('<p class="recipients">Goes to <bdi>Ola Berg</bdi>; no email on file for <bdi>Kai Moss</bdi>: '
                'reach them another way.</p>') in item
        assert '<p class="draft">No draft yet.</p>' in item
        assert '<div class="actions update" data-month="2026-11">' in item
        assert 'data-action="update-draft" data-key="u">Draft it</button>' in item
        assert 'data-action="update-sent"' not in item  # nothing to send before there is a draft
        ola = vault.root / "People/Ola Berg.md"
        before = vault.snapshot()
        status, data = s.post("update-sent", {"month": "2026-11"})
        assert status == 409 and data["error"] == "no draft Updates/2026-11.md yet: draft it first; nothing written"
        assert vault.snapshot() == before

        status, data = s.post("update-draft", {"month": "2026-11"})
        assert status == 200, data
        assert data["message"] == ("wrote Updates/2026-11.md (edit it freely) and Updates/2026-11.eml "
                                   "(open it in your mail client to send)")
        drafted = vault.snapshot()
        assert {p for p in drafted if p not in before} == {"Updates/2026-11.md", "Updates/2026-11.eml"}
        assert "Ola Berg <ola@example.com>" in drafted["Updates/2026-11.md"].decode()
        # `mdnet update` writes the very same files (it finds nothing to change)
        result = CliRunner().invoke(cli, ["--vault", str(vault.root), "update", "--as-of", DAY.isoformat()])
        assert result.exit_code == 0, result.output
        assert vault.snapshot() == drafted
        html = s.get("today")[2].decode()
        assert ('<p class="draft">Draft: <a class="open" href="obsidian://open?vault=vault&amp;file=Updates%2F2026-11">'
                '<bdi>Updates/2026-11.md</bdi></a>') in html
        assert 'data-action="update-draft" data-key="u">Draft it again</button>' in html
        assert 'data-action="update-sent" data-key="d">Sent: log it on everyone in the draft\'s Bcc</button>' in html

        status, data = s.post("update-sent", {"month": "2026-11"})
        assert status == 200, data
        assert data["message"] == "November 2026 update: logged on 1 note" and data["logged"] == ["People/Ola Berg.md"]
        after = vault.snapshot()
        assert {p for p in after if after[p] != drafted.get(p)} == {"People/Ola Berg.md"}
        assert ola.read_text() == OLA + "- 2026-11-23 update: November 2026 update\n"
        assert "monthly-update" not in [i["rule"] for i in s.json("today.json")]
        status, data = s.post("update-sent", {"month": "2026-11"})
        assert status == 200 and data["message"] == "November 2026 update: logged on 0 notes; 1 already had it"
        assert vault.snapshot() == after
        assert s.post("update-draft", {"month": "November"})[0] == 400


def test_a_refused_note_is_said_and_the_other_recipients_are_still_logged(vault: VaultDir) -> None:
    vault.write("People/Ola Berg.md", OLA)
    vault.write("People/Hal.md", b"---\nemail: hal@example.com\n---\n## Log\n- 2026-10-05 call: caf\xe9\n")
    vault.write("mdnet.toml", "")
    hal = (vault.root / "People/Hal.md").read_bytes()
    for s in _serve(vault.root, allow_edits=True):
        assert s.post("update-draft", {"month": "2026-11"})[0] == 200
        status, data = s.post("update-sent", {"month": "2026-11"})
        assert status == 409
        assert data["error"].startswith("November 2026 update: logged on 1 note; 1 refused: People/Hal.md:5: error: "
                                        "the file is not valid UTF-8")
        assert (vault.root / "People/Hal.md").read_bytes() == hal
        assert (vault.root / "People/Ola Berg.md").read_text().endswith("- 2026-11-23 update: November 2026 update\n")



def test_done_adds_exactly_one_line_and_the_item_goes(editable: Served) -> None:
    note = editable.root / "People/Maya Okafor.md"
    before = note.read_text()
    status, data = editable.post("done", {"path": "People/Maya Okafor.md", "rule": "thank-you"})
    assert status == 200, data
    assert data["added"] == ["- 2026-11-23 thanks: sent my thanks"]
    assert data["message"] == 'Maya Okafor: thank-you done: logged "- 2026-11-23 thanks: sent my thanks"'
    assert note.read_text() == before + "- 2026-11-23 thanks: sent my thanks\n"
    assert [i["rule"] for i in editable.json("today.json")] == ["nudge", "referral", "follow-up"]
    # the same as `mdnet done` would have said: nothing else of that rule is due
    status, data = editable.post("done", {"path": "People/Maya Okafor.md", "rule": "thank-you"})
    assert status == 409 and data["error"] == "no thank-you item is due for Maya Okafor; nothing written"


def test_done_on_a_follow_up_date_clears_it(editable: Served) -> None:
    status, data = editable.post("done", {"path": SAM_PATH, "rule": "follow-up"})
    assert status == 200, data
    text = (editable.root / SAM_PATH).read_text()
    assert "follow_up:\n" in text and "- 2026-11-23 note: followed up as planned (2026-11-23)" in text


def test_snooze_one_week_and_to_a_date(editable: Served) -> None:
    status, data = editable.post("snooze", {"path": "People/Priya Shah.md", "until": "1w"})
    assert status == 200 and data["message"] == "Priya Shah: snoozed until 2026-11-30"
    assert "snooze_until: 2026-11-30\n" in (editable.root / "People/Priya Shah.md").read_text()
    assert "referral" not in [i["rule"] for i in editable.json("today.json")]
    status, data = editable.post("snooze", {"path": "People/Priya Shah.md", "until": "2026-12-05"})
    assert status == 200 and "snooze_until: 2026-12-05\n" in (editable.root / "People/Priya Shah.md").read_text()
    status, data = editable.post("snooze", {"path": "People/Priya Shah.md", "until": "someday"})
    assert status == 400


def test_log_a_conversation(editable: Served) -> None:
    status, data = editable.post("log", {"path": "People/Priya Shah.md", "kind": "call", "text": "30 minutes  on roles"})
    assert status == 200 and data["added"] == ["- 2026-11-23 call: 30 minutes on roles"]
    status, data = editable.post("log", {"path": "People/Priya Shah.md", "kind": "dance", "text": "x"})
    assert status == 400 and "'dance' is not a known kind word" in data["error"]


def test_a_refused_write_says_why(editable: Served) -> None:
    note = editable.root / "People/Priya Shah.md"
    broken = PRIYA.replace("circles: [work]", "circles: [work")
    note.write_text(broken)
    status, data = editable.post("snooze", {"path": "People/Priya Shah.md", "until": "1d"})
    assert status == 409 and data["error"].startswith("People/Priya Shah.md:") and "nothing written" in data["error"]
    assert note.read_text() == broken


def test_edit_pages_have_buttons_and_the_session_token(editable: Served) -> None:
    html = editable.get("")[2].decode()
    assert f'<meta name="mdnet-csrf" content="{editable.app.csrf}">' in html
    assert 'data-action="done" data-rule="thank-you"' in html


# -- live updates ---------------------------------------------------------------------------------


class Events:
    """An open ``events`` stream, read as raw bytes (as a browser's EventSource reads it)."""

    def __init__(self, port: int, path: str, host: str) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.sock.sendall(f"GET {path}events HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.got = b""

    def until(self, marker: bytes) -> bytes:
        while marker not in self.got:
            chunk = self.sock.recv(4096)
            assert chunk, f"the stream ended before {marker!r}: {self.got!r}"
            self.got += chunk
        return self.got


def test_events_stream_tells_the_page_a_note_changed(dash_vault: VaultDir) -> None:
    for s in _serve(dash_vault.root, live=True, sync=False):
        events = Events(s.port, s.app.base, s.host)
        try:
            assert b"text/event-stream" in events.until(b"retry: 2000\n\n")
            threading.Timer(0.05, s.app.changed).start()
            assert b"event: change\ndata: 1\n\n" in events.until(b"event: change")
        finally:
            events.sock.close()


def test_a_page_closed_gives_its_slot_back_long_before_the_next_keepalive(dash_vault: VaultDir) -> None:
    """A page that closes its stream (a tab closed) frees its slot at the stream's next
    look at the socket, not at the keep-alive after next (30 s): eight closed tabs must
    not lock live updates out for half a minute."""
    import time

    from mdnet.dashboard.app import GONE_CHECK, KEEPALIVE

    for s in _serve(dash_vault.root, live=True, sync=False):
        events = Events(s.port, s.app.base, s.host)
        events.until(b"retry: 2000\n\n")
        assert s.app._streams == 1
        events.sock.close()
        deadline = time.monotonic() + KEEPALIVE / 2
        while s.app._streams and time.monotonic() < deadline:
            time.sleep(0.02)
        assert s.app._streams == 0
        assert time.monotonic() < deadline - KEEPALIVE / 2 + 3 * GONE_CHECK


def test_events_need_the_watcher(served: Served) -> None:
    assert served.get("events")[0] == 404


def test_pages_that_go_away_at_once_give_their_live_update_slot_back(dash_vault: VaultDir) -> None:
    """A page closed while the stream's headers were written (a reset) kept one of the
    eight slots for good: after eight, every page's live updates got 503 until a restart.
    HEAD of the stream gets its headers and no body, and gives its slot back too."""
    import struct
    import time

    from mdnet.dashboard.app import MAX_STREAMS

    for s in _serve(dash_vault.root, live=True, sync=False):
        request = f"GET {s.app.base}events HTTP/1.1\r\nHost: {s.host}\r\nContent-Length: 1\r\n\r\n".encode()
        for _ in range(3 * MAX_STREAMS):
            sock = socket.create_connection(("127.0.0.1", s.port))
            sock.sendall(request)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.send(b"x")
            sock.close()  # the last byte of the body, then a reset at once
        status, headers, body = s.request("HEAD", s.app.base + "events")
        assert status == 200 and body == b""
        deadline = time.monotonic() + 10
        while s.app._streams and time.monotonic() < deadline:
            time.sleep(0.02)
        assert s.app._streams == 0
        events = Events(s.port, s.app.base, s.host)
        try:
            assert b"retry: 2000" in events.until(b"retry: 2000\n\n")  # not 503
        finally:
            events.sock.close()


def test_long_lists_are_cut_with_a_link_to_all(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    import mdnet.dashboard.app as app_module

    monkeypatch.setattr(app_module, "SHOWN", 2)
    html = served.get("today?circle=")[2].decode()
    assert html.count(' class="item ') == 2
    assert (f'2 more not shown: narrow them with the filters, or <a href="{served.app.base}today?circle=&amp;all=1">'
            "show all</a>.") in html
    assert served.get("today?all=1")[2].decode().count(' class="item ') == 4
    assert len(served.json("today.json")) == 4  # the twin keeps every row


def test_rotating_the_dashboard_token_leaves_the_feed_token(tmp_path: Path) -> None:
    from mdnet.server import rotate_token

    state = tmp_path / ".mdnet"
    feed, dash = load_or_create_token(state), load_or_create_token(state, DASHBOARD_TOKEN_NAME)
    assert feed != dash and load_or_create_token(state, DASHBOARD_TOKEN_NAME) == dash
    new = rotate_token(state, DASHBOARD_TOKEN_NAME)
    assert new not in (feed, dash)
    assert load_or_create_token(state) == feed and load_or_create_token(state, DASHBOARD_TOKEN_NAME) == new


def test_a_rotation_takes_effect_while_serving(dash_vault: VaultDir) -> None:
    from mdnet.server import rotate_token

    ws = Workspace.open(dash_vault.root)
    state = ws.state_dir
    app = Dashboard(ws, load_or_create_token(state, DASHBOARD_TOKEN_NAME), today=lambda: DAY,
                    token_file=state / DASHBOARD_TOKEN_NAME)
    old = app.base
    host = {"Host": "127.0.0.1:1"}
    from mdnet.server import Request

    assert app(Request("GET", old + "list.json", host, b"", 1)).status == 200
    new = rotate_token(state, DASHBOARD_TOKEN_NAME)
    assert app(Request("GET", old + "list.json", host, b"", 1)) is None  # the old URL: 404
    assert app.base == f"/{new}/" and app(Request("GET", f"/{new}/list.json", host, b"", 1)).status == 200
    ws.close()


def test_people_filters_narrow_the_reports_but_not_sources(served: Served) -> None:
    college = served.json("habit.json?circle=college")
    everyone = served.json("habit.json")
    assert college["totals"]["conversations"] == 1 and college["totals"]["outreach"] == 0
    assert everyone["totals"]["outreach"] == 1  # Sam's email, outside the circle
    assert served.json("list.json?circle=work")["people"] == 1
    assert served.json("list.json")["people"] == 3
    pipeline = served.json("pipeline.json?tag=design")
    assert [p["name"] for c in pipeline["companies"] for p in c["people"]] == ["Maya Okafor"]
    assert served.json("sources.json?circle=work") == served.json("sources.json")
    assert "do not narrow Sources" in served.get("sources?circle=work")[2].decode()
    assert "do not narrow Sources" not in served.get("sources")[2].decode()


def test_a_write_to_a_wrong_token_is_404(editable: Served) -> None:
    note = editable.root / "People/Maya Okafor.md"
    before = note.read_bytes()
    feed_token = (editable.root / ".mdnet" / "token").read_text().strip()
    for token in ("x" * 43, feed_token):
        status, _, _ = editable.request("POST", f"/{token}/action/done", body=b'{"path": "People/Maya Okafor.md"}',
                                        headers={"Origin": f"http://{editable.host}", "Content-Type": "application/json",
                                                 "X-MDNet-CSRF": editable.app.csrf})
        assert status == 404
    assert note.read_bytes() == before


def test_sent_for_another_month_is_logged_once_and_is_not_this_months(vault: VaultDir) -> None:
    """November's update sent on 1 December logs "- 2026-12-01 update: November 2026
    update": it is November's, not December's (found in review: a second Sent logged it
    again, and the next month's Sent found everyone "already" done)."""
    vault.write("People/Ola Berg.md", OLA)
    vault.write("People/Kai Moss.md", KAI)
    vault.write("mdnet.toml", "")
    ola = vault.root / "People/Ola Berg.md"
    for s in _serve(vault.root, allow_edits=True):  # today is 2026-11-23
        assert s.post("update-draft", {"month": "2026-10"})[0] == 200
        assert s.post("update-sent", {"month": "2026-10"})[0] == 200
        s.post("update-sent", {"month": "2026-10"})
        assert ola.read_text().count("October 2026 update") == 1
        assert s.post("update-draft", {"month": "2026-11"})[0] == 200
        status, data = s.post("update-sent", {"month": "2026-11"})
        assert status == 200 and data["logged"] == ["People/Ola Berg.md"], data


def test_a_month_before_the_calendar_is_refused(vault: VaultDir) -> None:
    vault.write("People/Ola Berg.md", OLA)
    vault.write("mdnet.toml", "")
    for s in _serve(vault.root, allow_edits=True):
        assert s.post("update-draft", {"month": "0000-11"})[0] == 400


def test_a_note_that_refers_itself_does_not_break_its_contact_page(vault: VaultDir) -> None:
    vault.write("People/S.md", '---\nreferred_by: "[[S]]"\n---\n# S\n')
    vault.write("mdnet.toml", "")
    for s in _serve(vault.root):
        assert s.get("contact.json?path=People/S.md")[0] == 200
        status, _, body = s.get("contact?path=People/S.md")
        assert status == 200 and b"referred by <bdi>S</bdi>" in body


@pytest.mark.skipif(not hasattr(os, "pipe"), reason="posix descriptors")
def test_a_live_page_is_not_judged_gone_when_its_socket_is_a_high_descriptor(dash_vault: VaultDir) -> None:
    """select() refuses descriptors above 1023, which the gone-check read as a closed page:
    every stream ended each second (a watcher with many open files, as kqueue makes)."""
    import resource
    import time

    from mdnet.dashboard.app import GONE_CHECK

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("cannot open 1100 descriptors here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096, hard))
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        for s in _serve(dash_vault.root, live=True, sync=False):
            events = Events(s.port, s.app.base, s.host)
            try:
                events.until(b"retry: 2000\n\n")
                time.sleep(2.5 * GONE_CHECK)
                assert s.app._streams == 1
            finally:
                events.sock.close()
    finally:
        for fd in filler:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
