"""Serve the follow-up feed over HTTP, read-only, to calendar apps.

Why the standard library's ``ThreadingHTTPServer``: it adds no dependency and
no framework to audit, and the load is tiny - a handful of calendar apps each
polling about once an hour, most of them answered with a 304 from a cached
ETag, which costs one ``stat`` and a few header lines (thousands per second on
one core).  A thread per connection keeps one slow client (a phone on a bad
network) from holding up the rest.  Anyone who wants TLS or a public address
puts a reverse proxy or a tunnel in front (see ``docs/subscribe.md``).

What it serves itself: ``GET`` and ``HEAD`` of exactly
``/<token>/followups.ics``.  Every other request goes to the ``app`` the
server was made with, if any (the dashboard, :mod:`mdnet.dashboard.app`,
which answers only under its own secret and checks its own rules); an app
that answers None, or no app, means 404.  The feed file's path is fixed when the server is
made; nothing from the request ever reaches the file system.  The token is
compared in constant time.  Any other path, a wrong token, an encoded or
``..`` trick: 404.  Another method on the right URL: 405.  Another method on a
wrong URL: 404, so a probe learns nothing.  No error says anything about the
vault.  The feed is written atomically by its producer (temp file +
``os.replace``), and the server reads it through one open file descriptor, so
a client always gets one complete version.  The bytes and their ETag are
cached and re-read only when the file's (mtime_ns, size, inode) changes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import select
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable, Mapping

__all__ = [
    "FeedServer",
    "TokenFile",
    "Request",
    "Response",
    "feed_urls",
    "load_or_create_token",
    "make_server",
    "rotate_token",
    "serve_in_thread",
]

FEED_NAME = "followups.ics"
TOKEN_NAME = "token"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# Personal data: no shared cache may keep it; clients revalidate (cheap 304).
CACHE_CONTROL = "private, no-cache"
_MIN_TOKEN_LEN = 32


# -- the token ----------------------------------------------------------------


def _write_token(path: Path, token: str, *, replace: bool) -> bool:
    """Write ``token`` with mode 0600; return False if it exists and replace is off."""
    fd, tmp = tempfile.mkstemp(prefix=".token-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(token + "\n")
            f.flush()
            os.fsync(f.fileno())
        if replace:
            os.replace(tmp, path)
            return True
        try:
            os.link(tmp, path)  # atomic "create if absent": two first runs agree on one token
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            if path.exists():
                return False
            os.replace(tmp, path)
        return True
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def load_or_create_token(mdnet_dir: Path, name: str = TOKEN_NAME) -> str:
    """The vault's feed token from ``.mdnet/token``, created (0600) on first use.

    It lives in ``.mdnet/`` rather than ``mdnet.toml`` so that syncing or
    sharing the config never leaks it.  A file that is empty or too short to
    be a token is replaced with a new one.
    """
    mdnet_dir = Path(mdnet_dir)
    mdnet_dir.mkdir(parents=True, exist_ok=True)
    path = mdnet_dir / name
    for _ in range(3):
        try:
            token = path.read_text(encoding="ascii", errors="replace").strip()
        except FileNotFoundError:
            token = secrets.token_urlsafe(32)
            if _write_token(path, token, replace=False):
                return token
            continue
        if len(token) >= _MIN_TOKEN_LEN and all(c.isalnum() or c in "-_" for c in token):
            if os.name == "posix" and path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            return token
        return rotate_token(mdnet_dir, name)
    raise OSError(f"{path}: could not read or create the token")


def rotate_token(mdnet_dir: Path, name: str = TOKEN_NAME) -> str:
    """Make a new token (the old URL stops working at once) and return it.
    ``name``: the file in ``.mdnet/`` (the feed's ``token``, or the dashboard's)."""
    mdnet_dir = Path(mdnet_dir)
    mdnet_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    _write_token(mdnet_dir / name, token, replace=True)
    return token


class TokenFile:
    """A secret token, re-read from its file when the file's (mtime, size, inode)
    changes, so ``mdnet serve --rotate-token`` in another terminal takes effect
    at once.  A file that is gone for a moment (a rotation's rename) or does not
    hold a usable token keeps the last one.  ``on_change`` is called when a new
    token replaces one already read."""

    def __init__(self, token: str, path: Path | None = None, *,
                 on_change: Callable[[], object] | None = None) -> None:
        self.token = token
        self.path = Path(path) if path is not None else None
        self.on_change = on_change
        self._key: tuple[int, int, int] | None = None

    def current(self) -> str:
        if self.path is None:
            return self.token
        try:
            st = os.stat(self.path)
        except OSError:
            return self.token
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        if key != self._key:
            try:
                text = self.path.read_text(encoding="ascii", errors="replace").strip()
            except OSError:
                return self.token
            if len(text) >= _MIN_TOKEN_LEN and all(c.isalnum() or c in "-_" for c in text):
                if text != self.token and self._key is not None and self.on_change is not None:
                    self.on_change()
                self.token = text
            self._key = key
        return self.token


# -- the cached feed ------------------------------------------------------------


@dataclass(frozen=True)
class _Snapshot:
    key: tuple[int, int, int]
    body: bytes
    etag: str
    mtime: float

    @property
    def last_modified(self) -> str:
        return formatdate(self.mtime, usegmt=True)


class _FeedCache:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._snap: _Snapshot | None = None
        self._lock = threading.Lock()

    def get(self) -> _Snapshot | None:
        """The current feed, or None if there is none (yet)."""
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        snap = self._snap
        if snap is not None and snap.key == key:
            return snap
        with self._lock:
            snap = self._snap
            if snap is not None and snap.key == key:
                return snap
            try:
                with open(self.path, "rb") as f:
                    st = os.fstat(f.fileno())  # the key of the bytes we actually read
                    body = f.read()
            except OSError:
                return None
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            snap = _Snapshot((st.st_mtime_ns, st.st_size, st.st_ino), body, etag, st.st_mtime)
            self._snap = snap
            return snap


# -- another app on the same server (the dashboard) ------------------------------------

MAX_APP_BODY = 1 << 20


@dataclass(frozen=True)
class Request:
    """What an ``app`` is given: the method, the request target exactly as sent
    (never decoded), the headers, the body (POST), the port the server listens on,
    and ``gone()``: has the client closed the connection (for a long stream)?"""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes
    port: int
    gone: Callable[[], bool] = lambda: False


@dataclass(frozen=True)
class Response:
    """What an ``app`` answers.  ``stream`` (server-sent events): chunks written
    and flushed as they come, after the headers, on a connection then closed."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""
    stream: Iterable[bytes] | None = None


# -- HTTP -------------------------------------------------------------------------


def _peer_gone(sock: socket.socket) -> bool:
    """Has the client closed (or reset) the connection?  For a stream the client sends
    nothing after its request, so a socket that reads as ready holds the end of it."""
    try:
        if hasattr(select, "poll"):  # not select() here: it refuses descriptors above 1023
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            ready = bool(poller.poll(0))
        else:  # pragma: no cover - Windows, whose select() has no such limit
            ready = bool(select.select([sock], [], [], 0)[0])
        return ready and sock.recv(1, socket.MSG_PEEK) == b""
    except ValueError:
        return False  # cannot tell: the next keep-alive write will
    except OSError:  # reset, or already closed
        return True


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in header.split(","))


def _not_modified_since(header: str, mtime: float) -> bool:
    """True when the header's date is at or after ``mtime``.  A header that is not
    a usable date (a year of eleven digits, hour 25, 5000 characters) is ignored,
    as RFC 9110 section 13.1.3 says: the full answer is sent."""
    try:
        since = parsedate_to_datetime(header)
        if since is None or since.tzinfo is None:
            return False
        return int(mtime) <= since.timestamp()
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return False


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "mdnet"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # Every method other than GET and HEAD lands here (see __getattr__).
    def _other_method(self) -> None:
        if self._is_feed_path():
            self._send_status(405, extra={"Allow": "GET, HEAD"})
        elif not self._app():
            self._send_status(404)

    def _app(self) -> bool:
        """Hand the request to the server's ``app`` (the dashboard); False when it is not its."""
        app = self.server.app
        if app is None:
            return False
        words = (getattr(self, "requestline", "") or "").split()
        if len(words) < 2:
            return False
        body = b""
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._send_status(411)
            return True
        if length:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n < 0 or n > MAX_APP_BODY:
                self.close_connection = True
                self._send_status(413 if n > 0 else 400)
                return True
            body = self.rfile.read(n)
        try:
            response = app(Request(self.command, words[1], self.headers, body, self.server.server_address[1],
                                   gone=lambda: _peer_gone(self.connection)))
        except Exception as e:  # noqa: BLE001 - a bug of ours: this page says so, the server goes on
            if self.server.log is not None:
                self.server.log(f'"{self._redacted()}" failed ({type(e).__name__}: {e}); please report it')
            self.close_connection = True
            self._send_status(500)
            return True
        if response is None:
            return False
        if response.stream is not None:
            # Whatever happens from here (a page gone while the headers go out, a HEAD),
            # the stream is closed, so what it holds is given back.
            try:
                self.send_response(response.status)
                for k, v in response.headers:
                    self.send_header(k, v)
                self.close_connection = True
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.flush()
                if self.command != "HEAD":
                    for chunk in response.stream:
                        self.wfile.write(chunk)
                        self.wfile.flush()
            except OSError:
                pass  # the page went away
            finally:
                close = getattr(response.stream, "close", None)
                if close is not None:
                    close()
            return True
        self.send_response(response.status)
        for k, v in response.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        return True

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._other_method
        raise AttributeError(name)

    def handle_one_request(self) -> None:
        self.server.mark(self.connection, busy=False)  # waiting for a request line: evictable
        super().handle_one_request()

    def parse_request(self) -> bool:
        self.server.mark(self.connection, busy=True)  # a request has begun
        return super().parse_request()

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def version_string(self) -> str:
        return self.server_version

    def _is_feed_path(self) -> bool:
        # The raw request target as sent (self.path has "//" collapsed by the
        # stdlib), never decoded: an encoded or dotted variant is simply not
        # equal.  A query string (some clients add one) is ignored.
        words = (getattr(self, "requestline", "") or "").split()
        if len(words) < 2:
            return False
        target = words[1].split("?", 1)[0]
        parts = target.split("/")
        if len(parts) != 3 or parts[0] != "" or parts[2] != FEED_NAME:
            return False
        return hmac.compare_digest(parts[1].encode("utf-8", "replace"), self.server.current_token().encode("utf-8"))

    def _serve(self, *, head: bool) -> None:
        if not self._is_feed_path():
            if not self._app():
                self._send_status(404)
            return
        snap = self.server.cache.get()
        if snap is None:
            self._send_status(503, extra={"Retry-After": "60"})
            return
        headers = {
            "ETag": snap.etag,
            "Last-Modified": snap.last_modified,
            "Cache-Control": CACHE_CONTROL,
        }
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and _etag_matches(inm, snap.etag)) or (
            inm is None and ims is not None and _not_modified_since(ims, snap.mtime)
        ):
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(snap.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(snap.body)

    def _send_status(self, code: int, *, extra: dict[str, str] | None = None) -> None:
        body = f"{code} {self.responses.get(code, ('',))[0]}\n".encode("ascii")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Malformed requests (400, 414, 431, 505...): the same terse answer, no echo.
        self.close_connection = True
        try:
            self._send_status(code)
        except OSError:
            pass

    # -- logging: never the token, one line per request, only if asked --------

    def _redacted(self) -> str:
        line = getattr(self, "requestline", "") or ""
        for token in (self.server.token, self.server.current_token(), getattr(self.server.app, "token", None)):
            if token:
                line = line.replace(token, "<token>")
        return line

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.log is not None:
            code_s = code.value if hasattr(code, "value") else code
            self.server.log(f'{self.client_address[0]} "{self._redacted()}" {code_s}')

    def log_error(self, format: str, *args: Any) -> None:
        pass  # the status line of the answer is logged by log_request

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FeedServer(ThreadingHTTPServer):
    """The feed's HTTP server: ``serve_forever()`` it, or use :func:`serve_in_thread`.

    Hostile or broken clients cost little: a connection that sends nothing
    for ``timeout`` seconds is closed; at most ``max_connections`` are open at
    once, and a new one beyond that closes the oldest *idle* one (connected,
    no request under way), so idle sockets cannot starve a real request.
    A client that goes away mid-answer is one log line, not a traceback.
    With ``token_file``, the token is re-read when that file changes, so
    ``mdnet serve --rotate-token`` in another terminal takes effect at once.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self,
        address: tuple[str, int],
        feed_path: Path,
        token: str,
        *,
        log: Callable[[str], None] | None = None,
        token_file: Path | None = None,
        timeout: float = 30.0,
        max_connections: int = 64,
        app: Callable[[Request], Response | None] | None = None,
    ) -> None:
        if not token:
            raise ValueError("the feed token must not be empty")
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.feed_path = Path(feed_path)
        self.token = token
        self.token_bytes = token.encode("utf-8")
        self.cache = _FeedCache(self.feed_path)
        #: Answers every request that is not the feed (None: 404); see :class:`Request`.
        self.app = app
        self.log = log
        self.token_file = Path(token_file) if token_file is not None else None
        self._secret = TokenFile(token, self.token_file, on_change=lambda: self.log and self.log(
            "the feed token changed: the old URL no longer works"))
        self.request_timeout = timeout
        self.max_connections = max_connections
        self._conns: dict[socket.socket, bool] = {}  # open connection -> busy; in arrival order
        self._conns_lock = threading.Lock()
        super().__init__(address, _Handler)

    @property
    def feed_path_url(self) -> str:
        """The URL path of the feed (contains the secret token)."""
        return f"/{self.current_token()}/{FEED_NAME}"

    # -- the token, re-read when its file changes -------------------------------

    def current_token(self) -> str:
        """The token now: re-read from ``token_file`` when its (mtime, size, inode) changed."""
        token = self._secret.current()
        if token != self.token:
            self.token, self.token_bytes = token, token.encode("utf-8")
        return token

    # -- connections: a read timeout and a cap ------------------------------------

    def process_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(self.request_timeout)
        with self._conns_lock:
            if len(self._conns) >= self.max_connections:
                idle = next((c for c, busy in self._conns.items() if not busy), None)
                if idle is None:  # every slot is serving a request: refuse this one
                    self.shutdown_request(request)
                    return
                self._conns.pop(idle)
                try:
                    idle.shutdown(socket.SHUT_RDWR)  # its handler reads EOF and ends
                except OSError:
                    pass
            self._conns[request] = False
        super().process_request(request, client_address)

    def mark(self, conn: socket.socket, *, busy: bool) -> None:
        with self._conns_lock:
            if conn in self._conns:
                self._conns[conn] = busy

    def shutdown_request(self, request: Any) -> None:
        with self._conns_lock:
            self._conns.pop(request, None)
        super().shutdown_request(request)

    def open_connections(self) -> int:
        with self._conns_lock:
            return len(self._conns)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for a client that went away or went silent; the traceback for anything else."""
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
            line = f"{client_address[0]} went away ({type(exc).__name__})"
            if self.log is not None:
                self.log(line)
            else:
                sys.stderr.write(line + "\n")
            return
        super().handle_error(request, client_address)


def make_server(
    feed_path: Path,
    token: str,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log: Callable[[str], None] | None = None,
    token_file: Path | None = None,
    timeout: float = 30.0,
    max_connections: int = 64,
    app: Callable[[Request], Response | None] | None = None,
) -> FeedServer:
    """Bind (``port=0``: any free port; see ``.server_address``) but do not serve yet.

    See :class:`FeedServer` for ``token_file``, ``timeout`` and ``max_connections``."""
    return FeedServer((host, port), feed_path, token, log=log, token_file=token_file, timeout=timeout,
                      max_connections=max_connections, app=app)


def feed_urls(server: FeedServer, host: str | None = None) -> tuple[str, str]:
    """The ``http://`` and ``webcal://`` URLs to subscribe to.

    ``host`` overrides the bound address in the URL (a server bound to
    ``0.0.0.0`` is reached by the machine's name, not by that address).
    """
    bound_host, port = server.server_address[:2]
    name = host or str(bound_host)
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    rest = f"{name}:{port}{server.feed_path_url}"
    return f"http://{rest}", f"webcal://{rest}"


def serve_in_thread(server: FeedServer, *, poll_interval: float = 0.1) -> threading.Thread:
    """Serve on a daemon thread; stop with ``server.shutdown(); server.server_close()``.

    ``poll_interval`` bounds how long ``shutdown()`` waits.
    """
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": poll_interval}, name="mdnet-serve", daemon=True
    )
    thread.start()
    return thread
