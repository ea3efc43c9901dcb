"""The dashboard's HTTP answers: routing, the safety rules, the actions.

:class:`Dashboard` is the ``app`` that :class:`mdnet.server.FeedServer` hands
every request that is not the feed (``app(request) -> Response | None``; None
means "not mine": a 404).  Why the stdlib server and not an ASGI app: one
local user, a page at a time; a threaded ``http.server`` already runs for the
feed, with its connection cap and timeouts, and an ASGI stack (uvicorn,
starlette) would add dependencies and start-up time for nothing the
dashboard needs.

The rules, each tested with a request that must be refused:

- Everything lives under ``/<dashboard token>/``, a secret separate from the
  feed's (``.mdnet/dashboard-token``), so sharing the feed URL with a cloud
  calendar never exposes the dashboard.  A wrong token is a 404.
- Every request's ``Host`` must be the address the user opened
  (``127.0.0.1``, ``localhost`` or ``[::1]`` with the port, or ``--host``'s
  name with the port): binding to 127.0.0.1 does not stop DNS rebinding, this
  does.  Anything else: 403.
- Every answer carries a strict Content-Security-Policy (only mdnet's own
  script, stylesheet and requests; no inline script or style; no framing),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer`` and
  ``Cache-Control: no-store``.
- Read-only unless ``serve --allow-edits``.  A write is a POST to
  ``action/NAME`` whose ``Origin`` is this very origin, whose body is JSON
  (``Content-Type: application/json``: a cross-site form cannot send that
  without a CORS preflight, which is never answered), carrying the session's
  CSRF token (made when the server starts, shown only in pages under the
  secret URL) in ``X-MDNet-CSRF``; it names a contact's note by its path
  (only contacts' notes can be written) and goes through
  :mod:`mdnet.actions`, the functions ``mdnet done``/``snooze``/``log`` call.
  A note changed since it was read is refused with the writer's message.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

from ..server import Request, Response, TokenFile
from . import pages

if TYPE_CHECKING:
    from pathlib import Path

    from ..workspace import Loaded, Workspace

__all__ = ["Dashboard", "DASHBOARD_TOKEN_NAME", "CSP"]

DASHBOARD_TOKEN_NAME = "dashboard-token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Cache-Control", "no-store"),
)
MAX_BODY = 64 * 1024
#: Rows a page lists before "N more" (a link with ?all=1 shows every one; the .json twin always has all).
SHOWN = 100
MAX_STREAMS = 8  # open pages with live updates (each holds a connection)
KEEPALIVE = 15.0
#: How often an idle event stream looks whether its page went away (seconds).
GONE_CHECK = 1.0
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")

#: The pages, in the navigation's order: URL name -> title.
NAV = (("today", "Today"), ("habit", "Habit"), ("sources", "Sources"), ("pipeline", "Pipeline"), ("list", "List"))
REPORT_PAGES = {"habit": "activity", "sources": "sources", "pipeline": "pipeline", "list": "list"}


@dataclass(frozen=True)
class _Page:
    status: int
    data: Callable[[], Any]  # what the .json twin returns (computed only for the twin)
    template: str = ""
    context: dict[str, Any] | None = None


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Dashboard:
    """``app(request)`` for :class:`mdnet.server.FeedServer`.

    ``lock`` serialises use of the workspace with the watcher's updater (pass
    ``FeedUpdater.lock`` under ``serve --watch``); ``sync`` makes each page
    sync the index first (off when a watcher keeps it current).  ``today`` is
    the clock, passed in.  ``hosts``: extra names the user reaches the server
    by (``serve --host``).  With ``token_file`` the secret is re-read when that
    file changes, as the feed's is.
    """

    def __init__(self, ws: "Workspace", token: str, *, allow_edits: bool = False, sync: bool = True,
                 today: Callable[[], date] = date.today, hosts: tuple[str, ...] = (),
                 lock: "threading.Lock | threading.RLock | None" = None, live: bool = False,
                 token_file: "Path | None" = None) -> None:
        if len(token) < 32:
            raise ValueError("the dashboard token is too short")
        self.ws = ws
        self._secret = TokenFile(token, token_file)
        self.allow_edits = allow_edits
        self.sync = sync
        self.today = today
        self.hosts = tuple(h.lower() for h in hosts)
        self.lock = lock or threading.RLock()
        self.live = live
        #: The session's CSRF token: a new one each time the server starts.
        self.csrf = secrets.token_urlsafe(32)
        self._reports: dict[tuple[Any, ...], Any] = {}
        self._changes = 0  # notes changed this many times (live updates)
        self._streams = 0
        self._closed = False
        self._cond = threading.Condition()

    # -- live updates (server-sent events) --------------------------------------------------

    def changed(self) -> None:
        """The watcher updated the index (``FeedUpdater.listeners``): tell every open page.

        First a full garbage collection, here on the watcher's thread: an update leaves
        many new long-lived objects (the engine's new state), and Python's next full
        collection (0.1-0.2 s of CPU at 10k contacts) would otherwise land inside the very
        page request this change triggers, doubling its time."""
        import gc

        gc.collect()
        with self._cond:
            self._changes += 1
            self._cond.notify_all()

    def close(self) -> None:
        """End every open event stream (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _events(self, gone: Callable[[], bool]) -> Response:
        if not self.live:
            raise Refused(404, "live updates need `mdnet serve --watch`")
        with self._cond:
            if self._streams >= MAX_STREAMS:
                raise Refused(503, "too many open pages")
            self._streams += 1
        headers = [(k, v) for k, v in SECURITY_HEADERS] + [("Content-Type", "text/event-stream; charset=utf-8")]
        return Response(200, headers, stream=_Slot(self._stream(self._changes, gone), self._release))

    def _release(self) -> None:
        with self._cond:
            self._streams -= 1

    def _stream(self, seen: int, gone: Callable[[], bool]) -> Iterator[bytes]:
        """``retry``, then an ``event: change`` each time notes change, a comment every
        ``KEEPALIVE`` seconds otherwise.  It ends when the page goes away: ``gone()`` is
        asked every :data:`GONE_CHECK` seconds (a write alone finds out only at the
        keep-alive after next).  Its slot is given back by :class:`_Slot`."""
        yield b"retry: 2000\n\n"
        quiet = 0.0
        while True:
            with self._cond:
                changed = self._cond.wait_for(lambda: self._changes != seen or self._closed, timeout=GONE_CHECK)
                if self._closed:
                    return
                now = self._changes
            if changed:
                seen, quiet = now, 0.0
                yield f"event: change\ndata: {now}\n\n".encode("ascii")
                continue
            if gone():
                return
            quiet += GONE_CHECK
            if quiet >= KEEPALIVE:
                quiet = 0.0
                yield b": still here\n\n"

    @property
    def token(self) -> str:
        """The secret now (re-read from ``token_file`` after ``serve --rotate-dashboard-token``)."""
        return self._secret.current()

    @property
    def base(self) -> str:
        return f"/{self.token}/"

    # -- the request ----------------------------------------------------------------------

    def __call__(self, request: Request) -> Response | None:
        target = request.target
        parts = target.split("?", 1)[0].split("/")
        token = self.token
        if len(parts) < 3 or parts[0] != "" or not hmac.compare_digest(parts[1].encode("utf-8", "replace"),
                                                                        token.encode("utf-8")):
            return None  # not the dashboard: the server answers 404
        try:
            self._check_host(request)
            name = "/".join(parts[2:])
            query = parse_qs(urlsplit(target).query, keep_blank_values=True)
            if request.method == "POST":
                return self._post(request, name)
            if request.method not in ("GET", "HEAD"):
                raise Refused(405, "GET, HEAD or POST only")
            return self._get(name, query, request.gone)
        except Refused as e:
            return _json_response(e.status, {"error": str(e)})

    def _check_host(self, request: Request) -> None:
        host = (request.headers.get("Host") or "").strip().lower()
        # An IPv6 literal is written in brackets before the port (RFC 3986: [::1]:8765).
        allowed = {f"[{h.strip('[]')}]:{request.port}" if ":" in h else f"{h}:{request.port}"
                   for h in LOCAL_HOSTS + self.hosts}
        if host not in allowed:
            raise Refused(403, "this address is not the dashboard's (Host refused)")

    # -- reading ----------------------------------------------------------------------------

    def _get(self, name: str, query: dict[str, list[str]], gone: Callable[[], bool] = lambda: False) -> Response:
        from . import html

        if name.startswith("static/") and name[len("static/"):] in html.STATIC:
            file = name[len("static/"):]
            return _response(200, html.static(file), html.STATIC[file], cache="no-cache")
        if name == "events":
            return self._events(gone)
        twin = name.endswith(".json")
        page = name[:-5] if twin else name
        page = page or "today"
        if page not in dict(NAV) and page != "contact":
            raise Refused(404, "no such page")
        f = pages.parse_filters(query)
        with self.lock:
            result = self.page(page, f, query)
        if twin:
            return _json_response(result.status, result.data())
        context = dict(result.context or {})
        context.update(page=page, base=self.base, nav=NAV, filters=f, edits=self.allow_edits, csrf=self.csrf,
                       limit=None if "all" in query else SHOWN, all_url=f"{self.base}{page}{_query({**query, 'all': ['1']})}",
                       live=self.live, json_url=f"{self.base}{page}.json{_query(query)}")
        body = html.render(result.template, **context)
        return _response(result.status, body.encode("utf-8"), "text/html; charset=utf-8")

    def load(self) -> "Loaded":
        day = self.today()
        return self.ws.load(day, sync=self.sync, today=day)

    def page(self, page: str, f: pages.Filters, query: dict[str, list[str]]) -> _Page:
        """One page's data (the .json twin) and its template's context."""
        loaded = self.load()
        as_of = loaded.as_of
        if page == "today":
            items = pages.today(loaded.vault, loaded.follow_ups, as_of, f)
            return _Page(200, lambda: pages.today_json(items), "today.html",
                         {"title": "Today", "items": items, "as_of": as_of, "kinds": self._kinds(),
                          "links": self._links(i.path for i in items), "updates": self._drafts(items)})
        if page == "contact":
            return self._contact(loaded, (query.get("path") or [""])[-1])
        report = self._report(loaded, REPORT_PAGES[page], f)
        from ..reports.common import to_json

        context: dict[str, Any] = {"title": dict(NAV)[page], "report": report, "as_of": as_of,
                                   "whole": f.people and REPORT_PAGES[page] not in pages.NARROWED}
        if page == "habit":
            from .svg import heatmap

            context["heatmap"] = heatmap(report.heatmap)
        if page == "pipeline":
            context["board"] = pages.board(report, f)
        return _Page(200, lambda: to_json(report), f"{page}.html", context)

    def _report(self, loaded: "Loaded", name: str, f: pages.Filters) -> Any:
        """A report's data, computed once per index generation, settings, day and range."""
        from ..reports import REPORTS
        from ..reports.common import Inputs

        people = f if name in pages.NARROWED else pages.Filters(since=f.since, until=f.until)
        key = (name, self.ws.index.generation(), self.ws.config.fingerprint(), loaded.as_of, people)
        if key not in self._reports:
            inputs = Inputs(vault=loaded.vault, config=loaded.config, as_of=loaded.as_of, profile=loaded.profile,
                            items=tuple(loaded.follow_ups) if name in ("pipeline", "favors") else (),
                            quiet=tuple(loaded.gone_quiet) if name == "pipeline" else None)
            if len(self._reports) > 32:
                self._reports.clear()
            self._reports[key] = REPORTS[name](people.inputs(inputs))
        return self._reports[key]

    def _contact(self, loaded: "Loaded", path: str) -> _Page:
        from ..prep import build_brief
        from ..query.contacts import show_contact

        vault = loaded.vault
        contact = pages.find_contact(vault, path)
        if contact is None:
            raise Refused(404, "no contact's note at that path")
        brief = build_brief(vault, loaded.profile, contact.path, loaded.as_of)
        shown = show_contact(vault, contact)
        from ..rules import select_due

        from ..reports.sources import around

        due = [i for i in select_due(loaded.follow_ups, loaded.as_of) if i.path == contact.path]
        from ..reports.common import Inputs

        # The Sources page's tree around this contact (only their chain is walked).
        tree = around(Inputs(vault=vault, config=loaded.config, as_of=loaded.as_of), contact.path)
        return _Page(200, lambda: pages.contact_json(brief, shown, tree), "contact.html",
                     {"title": contact.name, "brief": brief, "shown": shown, "due": due, "as_of": loaded.as_of,
                      "tree": tree, "here": contact.path,
                      "path": contact.path, "kinds": self._kinds(), "link": self._links([contact.path])[contact.path]})

    def _drafts(self, items: list[Any]) -> dict[str, dict[str, Any]]:
        """The monthly update items' drafts, by month: where ``mdnet update`` writes the
        draft (``Updates/2026-11.md``), whether it is there yet, and its link."""
        from ..actions import update_note
        from ..rules import MONTHLY_UPDATE

        out = {}
        for i in items:
            if i.rule == MONTHLY_UPDATE:
                note = update_note(self.ws, i.anchor)
                exists = (self.ws.root / note).is_file()
                out[i.anchor] = {"note": note, "exists": exists, "link": self._links([note])[note] if exists else None}
        return out

    def _kinds(self) -> list[str]:
        return sorted(self.ws.config.kind_words())

    def _links(self, paths: Any) -> dict[Any, str | None]:
        from ..feed import note_link

        return {p: note_link(p, "obsidian", self.ws.root.name) if p else None for p in paths}

    # -- writing ------------------------------------------------------------------------------

    def _post(self, request: Request, name: str) -> Response:
        if not name.startswith("action/"):
            raise Refused(404, "no such action")
        if not self.allow_edits:
            raise Refused(403, "the dashboard is read-only: start it with `mdnet serve --allow-edits`")
        origin = request.headers.get("Origin")
        host = (request.headers.get("Host") or "").strip().lower()
        if not origin or origin.strip().lower() != f"http://{host}":
            raise Refused(403, "a write must come from the dashboard's own page (Origin refused)")
        ctype = (request.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            raise Refused(415, "a write's body must be JSON (Content-Type: application/json)")
        if not hmac.compare_digest((request.headers.get("X-MDNet-CSRF") or "").encode("utf-8", "replace"),
                                   self.csrf.encode("utf-8")):
            raise Refused(403, "the page's session token is missing or stale: reload the page")
        if len(request.body) > MAX_BODY:
            raise Refused(413, "the request is too large")
        try:
            data = json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Refused(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the body must be a JSON object")
        with self.lock:
            return self._act(name[len("action/"):], data)

    def _act(self, action: str, data: dict[str, Any]) -> Response:
        from .. import actions
        from ..dates import parse_day
        from ..vault.edit import log_line
        from ..vault.write import WriteRefused

        if action not in ("done", "snooze", "log", "update-draft", "update-sent"):
            raise Refused(404, "no such action")
        path = data.get("path")
        loaded = self.load()
        today = loaded.as_of
        if action.startswith("update-"):
            return self._update(action, data, loaded)
        contact = pages.find_contact(loaded.vault, path) if isinstance(path, str) else None
        if contact is None:
            raise Refused(404, "no contact's note at that path")

        def text(key: str) -> str:
            value = data.get(key, "")
            if not isinstance(value, str):
                raise Refused(400, f"{key} must be text")
            return " ".join(value.split())

        try:
            if action == "done":
                from ..rules import RULES

                rule = text("rule") or None
                if rule is not None and rule not in RULES:
                    raise Refused(400, f"unknown rule {rule!r}")
                try:
                    done = actions.done(self.ws, contact.path, today, rule=rule, text=text("text"))
                except actions.NothingDue as e:
                    raise Refused(409, f"{e} is due for {contact.name}; nothing written") from None
                change = done.change
                message = f'{contact.name}: {done.item.rule} done: logged "{log_line(today, done.word, done.text)}"'
            elif action == "snooze":
                until = parse_day(text("until"), today, future=True)
                if until is None:
                    raise Refused(400, "until is not a day: write 2026-12-01, 1d, 1w or mon")
                change = actions.snooze(self.ws, contact.path, until)
                message = f"{contact.name}: snoozed until {until.isoformat()}"
            else:
                day = parse_day(text("date"), today) if text("date") else today
                if day is None:
                    raise Refused(400, "date is not a day")
                try:
                    change = actions.log(self.ws, contact.path, day, text("kind"), text("text"))
                except actions.BadAction as e:
                    raise Refused(400, str(e)) from None
                message = f'{contact.name}: logged "{log_line(day, text("kind").lower(), text("text"))}"'
        except WriteRefused as e:
            raise Refused(409, str(e)) from None
        return _json_response(200, {"ok": True, "path": change.rel, "changed": change.changed,
                                    "added": change.added_lines(), "message": message})


    def _update(self, action: str, data: dict[str, Any], loaded: "Loaded") -> Response:
        """The monthly update: draft it (``mdnet update``) or record it sent (``mdnet update
        --sent``: an ``update`` line on the note of everyone in the draft's Bcc)."""
        from .. import actions
        from ..dates import MONTH_NAMES
        from ..reports import update as upd
        from ..reports.common import Inputs

        today = loaded.as_of
        text = data.get("month") or f"{today.year:04d}-{today.month:02d}"
        month = upd.month_of(text) if isinstance(text, str) else None
        if month is None:
            raise Refused(400, "month must be YYYY-MM")
        if action == "update-draft":
            draft = upd.build(Inputs(vault=loaded.vault, config=loaded.config, as_of=today, profile=loaded.profile),
                              month)
            d = actions.draft_update(self.ws, draft, today)
            message = (f"{d.note}: kept your edits; rebuilt {d.eml} from them" if d.kept else
                       f"wrote {d.note} (edit it freely) and {d.eml} (open it in your mail client to send)")
            return _json_response(200, {"ok": True, "path": d.note, "eml": d.eml, "kept_your_edits": d.kept,
                                        "message": message})
        try:
            sent = actions.update_sent(self.ws, today, month)
        except actions.NoDraft as e:
            raise Refused(409, f"no draft {e.rel} yet: draft it first; nothing written") from None
        n = len(sent.logged)
        message = f"{MONTH_NAMES[month[1] - 1]} {month[0]} update: logged on {n} note{'s' if n != 1 else ''}"
        if sent.already:
            message += f"; {len(sent.already)} already had it"
        if sent.unknown:
            message += f"; not a contact's email: {', '.join(sent.unknown)}"
        if sent.refused:
            raise Refused(409, f"{message}; {len(sent.refused)} refused: " + "; ".join(why for _, why in sent.refused))
        return _json_response(200, {"ok": True, "logged": [p for p, _ in sent.logged], "already": list(sent.already),
                                    "unknown": list(sent.unknown), "message": message})


def _query(query: dict[str, list[str]]) -> str:
    from urllib.parse import urlencode

    return ("?" + urlencode(query, doseq=True)) if query else ""


def _response(status: int, body: bytes, content_type: str, *, cache: str = "no-store") -> Response:
    headers = [(k, v) for k, v in SECURITY_HEADERS if k != "Cache-Control"]
    headers += [("Cache-Control", cache), ("Content-Type", content_type)]
    return Response(status, headers, body)


def _json_response(status: int, data: Any) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _response(status, body + b"\n", "application/json; charset=utf-8")


class _Slot:
    """An event stream that holds one of the ``MAX_STREAMS`` slots until it is closed.

    The slot is given back by :meth:`close`, which the server calls whatever happened:
    a generator's own ``finally`` does not run when it is closed before its first step
    (a page that went away while the headers were written), and such slots were lost
    until a restart."""

    def __init__(self, chunks: Iterator[bytes], release: Callable[[], None]) -> None:
        self._chunks = chunks
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()
