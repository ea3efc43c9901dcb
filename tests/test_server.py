"""The feed server, for real: an ephemeral 127.0.0.1 port, raw HTTP from the test."""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import stat
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest

from mdnet.server import (
    CONTENT_TYPE,
    FeedServer,
    feed_urls,
    load_or_create_token,
    make_server,
    rotate_token,
    serve_in_thread,
)

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//mdnet//EN\r\nEND:VCALENDAR\r\n"


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp{threading.get_ident()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    (tmp_path / ".mdnet").mkdir()
    p = tmp_path / ".mdnet" / "followups.ics"
    p.write_bytes(FEED)
    return p


@pytest.fixture
def token(tmp_path: Path) -> str:
    return load_or_create_token(tmp_path / ".mdnet")


@pytest.fixture
def server(feed: Path, token: str) -> Iterator[FeedServer]:
    lines: list[str] = []
    srv = make_server(feed, token, log=lines.append)
    srv.lines = lines  # type: ignore[attr-defined]
    serve_in_thread(srv)
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def request(
    srv: FeedServer, method: str, target: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = srv.server_address[:2]
    conn = http.client.HTTPConnection(str(host), port, timeout=10)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def raw(srv: FeedServer, data: bytes) -> bytes:
    host, port = srv.server_address[:2]
    with socket.create_connection((str(host), port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def url(token: str) -> str:
    return f"/{token}/followups.ics"


# -- the token -------------------------------------------------------------------


def test_token_is_created_once_private_and_rotatable(tmp_path: Path) -> None:
    d = tmp_path / ".mdnet"
    t1 = load_or_create_token(d)
    assert len(t1) >= 40 and t1 == load_or_create_token(d)
    assert stat.S_IMODE((d / "token").stat().st_mode) == 0o600
    t2 = rotate_token(d)
    assert t2 != t1 and load_or_create_token(d) == t2
    assert stat.S_IMODE((d / "token").stat().st_mode) == 0o600
    assert [p.name for p in d.iterdir()] == ["token"]  # no temp files left behind


def test_a_corrupt_token_file_is_replaced(tmp_path: Path) -> None:
    d = tmp_path / ".mdnet"
    d.mkdir()
    (d / "token").write_text("short\n")
    t = load_or_create_token(d)
    assert len(t) >= 40 and (d / "token").read_text().strip() == t


# -- serving ------------------------------------------------------------------------


@pytest.mark.slow
def test_get_serves_the_feed_with_headers(server: FeedServer, token: str, feed: Path) -> None:
    status, headers, body = request(server, "GET", url(token))
    assert status == 200
    assert body == FEED
    assert headers["content-type"] == CONTENT_TYPE
    assert headers["content-length"] == str(len(FEED))
    assert headers["etag"] == '"' + hashlib.sha256(FEED).hexdigest()[:32] + '"'
    assert headers["last-modified"] == formatdate(feed.stat().st_mtime, usegmt=True)
    assert "no-cache" in headers["cache-control"] and "private" in headers["cache-control"]
    assert headers["server"] == "mdnet"
    # The access log names the request without the secret.
    assert server.lines == ['127.0.0.1 "GET /<token>/followups.ics HTTP/1.1" 200']  # type: ignore[attr-defined]
    # Query strings some clients add are ignored.
    assert request(server, "GET", url(token) + "?nocache=1")[0] == 200


@pytest.mark.slow
def test_head_has_headers_and_no_body(server: FeedServer, token: str) -> None:
    status, headers, body = request(server, "HEAD", url(token))
    assert status == 200 and body == b""
    assert headers["content-length"] == str(len(FEED)) and headers["etag"]


@pytest.mark.slow
def test_conditional_requests(server: FeedServer, token: str, feed: Path) -> None:
    _, headers, _ = request(server, "GET", url(token))
    etag, last_modified = headers["etag"], headers["last-modified"]
    status, h304, body = request(server, "GET", url(token), {"If-None-Match": etag})
    assert status == 304 and body == b"" and h304["etag"] == etag
    assert request(server, "GET", url(token), {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert request(server, "GET", url(token), {"If-None-Match": '"other"'})[0] == 200
    assert request(server, "GET", url(token), {"If-Modified-Since": last_modified})[0] == 304
    assert request(server, "GET", url(token), {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})[0] == 200
    assert request(server, "GET", url(token), {"If-Modified-Since": "garbage"})[0] == 200
    # If-None-Match wins over If-Modified-Since.
    assert request(server, "GET", url(token), {"If-None-Match": '"x"', "If-Modified-Since": last_modified})[0] == 200
    # A new feed: new ETag, the old one no longer matches.
    write_atomically(feed, FEED.replace(b"2.0", b"2.0\r\nX-WR-CALNAME:new"))
    status, headers2, body = request(server, "GET", url(token), {"If-None-Match": etag})
    assert status == 200 and headers2["etag"] != etag and b"X-WR-CALNAME:new" in body


@pytest.mark.slow
@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/followups.ics",
        "/{wrong}/followups.ics",
        "/{token}",
        "/{token}/",
        "/{token}/followups.ics/",
        "/{token}/index.sqlite",
        "/{token}/../followups.ics",
        "/{token}/x/../followups.ics",
        "/x/../{token}/followups.ics",
        "/{token}/./followups.ics",
        "//{token}/followups.ics",
        "/{token}/%66ollowups.ics",
        "/{token}%2Ffollowups.ics",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/{token}/..%2F..%2F..%2Fetc%2Fpasswd",
        "/{token}/followups.ics%00",
        "/{upper}/followups.ics",
        "/{prefix}/followups.ics",
        "http://127.0.0.1/{token}/followups.ics",
        "*",
    ],
)
def test_everything_else_is_404_without_detail(server: FeedServer, token: str, target: str, tmp_path: Path) -> None:
    wrong = "A" * len(token)
    t = target.format(token=token, wrong=wrong, upper=token.upper() if token.upper() != token else token + "x",
                      prefix=token[:-1])
    status, headers, body = request(server, "GET", t)
    assert status == 404
    assert body == b"404 Not Found\n"
    assert str(tmp_path).encode() not in body and b"vault" not in body.lower()


@pytest.mark.slow
def test_other_methods(server: FeedServer, token: str) -> None:
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "BREW"]:
        status, headers, _ = request(server, method, url(token))
        assert status == 405, method
        assert headers["allow"] == "GET, HEAD"
        # A wrong token reveals nothing: 404, not 405.
        assert request(server, method, url("B" * len(token)))[0] == 404, method


@pytest.mark.slow
def test_malformed_request_gets_a_terse_answer(server: FeedServer) -> None:
    reply = raw(server, b"GET /<script> HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 431")
    assert b"<html" not in reply.lower() and b"python" not in reply.lower() and b"<script>" not in reply
    assert raw(server, b"GARBAGE\r\n\r\n") == b"400 Bad Request\n"  # HTTP/0.9-style: no headers


@pytest.mark.slow
def test_missing_feed_is_503_then_served_when_it_appears(server: FeedServer, token: str, feed: Path) -> None:
    feed.unlink()
    status, headers, body = request(server, "GET", url(token))
    assert status == 503 and body == b"503 Service Unavailable\n" and headers["retry-after"]
    write_atomically(feed, FEED)
    assert request(server, "GET", url(token))[2] == FEED


@pytest.mark.slow
def test_feed_urls(server: FeedServer, token: str) -> None:
    http_url, webcal = feed_urls(server)
    port = server.server_address[1]
    assert http_url == f"http://127.0.0.1:{port}/{token}/followups.ics"
    assert webcal == f"webcal://127.0.0.1:{port}/{token}/followups.ics"
    assert feed_urls(server, host="laptop.local")[0].startswith("http://laptop.local:")


@pytest.mark.slow
def test_concurrent_clients_never_get_a_partial_feed(server: FeedServer, token: str, feed: Path) -> None:
    # Big enough versions that a torn read would show (each ~200 KB).
    versions = [
        b"BEGIN:VCALENDAR\r\n" + (f"X-V{i}:".encode() + b"y" * 70 + b"\r\n") * 2500 + b"END:VCALENDAR\r\n"
        for i in range(5)
    ]
    write_atomically(feed, versions[0])
    stop = threading.Event()
    problems: list[str] = []
    seen: set[bytes] = set()
    counts = {"requests": 0, "writes": 0}

    def writer() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            write_atomically(feed, versions[i % len(versions)])
            counts["writes"] += 1

    def client() -> None:
        host, port = server.server_address[:2]
        conn = http.client.HTTPConnection(str(host), port, timeout=10)  # keep-alive, many requests
        try:
            while not stop.is_set():
                conn.request("GET", url(token))
                resp = conn.getresponse()
                body = resp.read()
                counts["requests"] += 1
                if resp.status != 200:
                    problems.append(f"status {resp.status}")
                elif body not in versions:
                    problems.append(f"partial body of {len(body)} bytes")
                elif resp.getheader("ETag") != '"' + hashlib.sha256(body).hexdigest()[:32] + '"':
                    problems.append("ETag does not match the body")
                else:
                    seen.add(body)
        except Exception as e:  # pragma: no cover - reported below
            problems.append(repr(e))
        finally:
            conn.close()

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=client) for _ in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (counts["requests"] < 300 or len(seen) < 3):
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join(15)
    assert problems == []
    assert counts["requests"] >= 300 and counts["writes"] > 10
    assert len(seen) >= 3, "the writer's versions were not served while it ran"


@pytest.mark.slow
def test_the_cache_rereads_only_when_the_file_changes(server: FeedServer, token: str, feed: Path) -> None:
    first = request(server, "GET", url(token))
    snap = server.cache.get()
    assert request(server, "GET", url(token))[2] == first[2]
    assert server.cache.get() is snap  # same object: not re-read
    # Same size, same mtime would be missed; a rename changes the inode, so it is not.
    write_atomically(feed, FEED.replace(b"mdnet", b"MDNET"))
    assert request(server, "GET", url(token))[2] == FEED.replace(b"mdnet", b"MDNET")


def test_ipv6_loopback(feed: Path, token: str) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        srv = make_server(feed, token, host="::1")
    except OSError:
        pytest.skip("IPv6 loopback unavailable")
    serve_in_thread(srv)
    try:
        assert feed_urls(srv)[0].startswith("http://[::1]:")
        conn = http.client.HTTPConnection("::1", srv.server_address[1], timeout=10)
        conn.request("GET", url(token))
        assert conn.getresponse().read() == FEED
        conn.close()
    finally:
        srv.shutdown()
        srv.server_close()


# --- hostile clients (issue 7) ---------------------------------------------------------------


@pytest.mark.parametrize("since", ["Fri, 31 Dec 99999999999 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
                                   "Mon, 01 Jan 0000 00:00:00 GMT", "x" * 5000, "Fri, 31 Dec 2024 25:61:61 GMT"])
def test_a_bad_if_modified_since_is_ignored(server: FeedServer, token: str, since: str) -> None:
    """Issue 7: a huge year dropped the connection with an OverflowError traceback."""
    status, _, body = request(server, "GET", f"/{token}/followups.ics", {"If-Modified-Since": since})
    assert status in (200, 304) and (status == 304 or body == FEED)


def test_idle_connections_do_not_starve_a_normal_request(feed: Path, token: str) -> None:
    """Issue 7: each idle socket held a thread and a descriptor forever; 253 of them made
    requests time out.  Beyond the cap, the oldest idle connection is closed."""
    srv = make_server(feed, token, max_connections=8, timeout=30)
    serve_in_thread(srv)
    idle = []
    try:
        for _ in range(40):
            idle.append(socket.create_connection(srv.server_address[:2], timeout=5))
        t0 = time.monotonic()
        status, _, body = request(srv, "GET", f"/{token}/followups.ics")
        assert status == 200 and body == FEED
        assert time.monotonic() - t0 < 5
        assert srv.open_connections() <= 8
    finally:
        for s in idle:
            s.close()
        srv.shutdown()
        srv.server_close()


def test_a_silent_client_is_dropped_after_the_read_timeout(feed: Path, token: str) -> None:
    srv = make_server(feed, token, timeout=0.3)
    serve_in_thread(srv)
    try:
        s = socket.create_connection(srv.server_address[:2], timeout=5)
        s.sendall(b"GET /x HTTP/1.1\r\n")  # and never the rest
        assert s.recv(100) == b""  # the server closed it
        s.close()
    finally:
        srv.shutdown()
        srv.server_close()


def test_a_client_reset_is_one_log_line(feed: Path, token: str) -> None:
    """Issue 7: a client resetting mid-response printed a full traceback."""
    big = feed.with_name("big.ics")
    big.write_bytes(b"BEGIN:VCALENDAR\r\n" + b"X" * 8_000_000 + b"\r\nEND:VCALENDAR\r\n")
    lines: list[str] = []
    srv = make_server(big, token, log=lines.append)
    serve_in_thread(srv)
    try:
        for _ in range(3):
            s = socket.create_connection(srv.server_address[:2], timeout=5)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(f"GET /{token}/followups.ics HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            s.recv(100)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()  # RST
        from polling import wait_until

        wait_until(lambda: sum("went away" in line for line in lines) >= 1, timeout=10, what="a one-line log")
    finally:
        srv.shutdown()
        srv.server_close()
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_a_rotated_token_is_noticed_by_the_running_server(feed: Path, token: str, tmp_path: Path) -> None:
    srv = make_server(feed, token, token_file=tmp_path / ".mdnet" / "token")
    serve_in_thread(srv)
    try:
        assert request(srv, "GET", f"/{token}/followups.ics")[0] == 200
        new = rotate_token(tmp_path / ".mdnet")
        assert request(srv, "GET", f"/{token}/followups.ics")[0] == 404
        assert request(srv, "GET", f"/{new}/followups.ics")[0] == 200
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.slow
def test_rotate_token_in_another_process_stops_the_old_url_at_once(tmp_path: Path) -> None:
    """Issue 7: with `mdnet serve` running, `mdnet serve --rotate-token` left the old URL
    answering 200 and the new one 404 until the server restarted."""
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    from polling import wait_until

    vault = tmp_path / "v"
    (vault / ".obsidian").mkdir(parents=True)
    cmd = [sys.executable, "-m", "mdnet", "--vault", str(vault), "serve"]
    proc = subprocess.Popen([*cmd, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        old_url = ""
        while not old_url:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            if line.strip().startswith("http://"):
                old_url = line.strip()

        def status(url: str) -> int:
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code

        assert status(old_url) == 200
        subprocess.run([*cmd, "--rotate-token"], check=True, capture_output=True, timeout=60)
        new_token = (vault / ".mdnet" / "token").read_text().strip()
        new_url = old_url.rsplit("/", 2)[0] + f"/{new_token}/followups.ics"
        assert new_url != old_url
        wait_until(lambda: status(old_url) == 404, timeout=5, what="the old URL to stop working")
        assert status(new_url) == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_page_that_fails_is_a_500_and_the_server_goes_on(feed: Path, token: str) -> None:
    """A bug in one page (an app that raises) answered nothing and dropped the connection,
    so the dashboard's script could only say "mdnet is not answering"."""
    from mdnet.server import Request, Response

    def app(req: Request) -> Response | None:
        if req.target.startswith("/boom"):
            raise TypeError("a bug")
        return None

    lines: list[str] = []
    srv = make_server(feed, token, log=lines.append, app=app)
    serve_in_thread(srv)
    try:
        assert request(srv, "GET", "/boom")[0] == 500
        assert request(srv, "GET", f"/{token}/followups.ics")[0] == 200
        assert any("failed (TypeError: a bug); please report it" in line for line in lines)
        assert not any(token in line for line in lines)
    finally:
        srv.shutdown()
        srv.server_close()
