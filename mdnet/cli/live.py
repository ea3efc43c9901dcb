"""Long-running commands: watch and serve."""

from __future__ import annotations

import signal
import threading
import time
from contextlib import nullcontext

import click

from .common import echo_safe, open_workspace, scan_line, terminal_safe


def _log(message: str) -> None:
    """One log line of watch/serve on stderr; paths, diagnostics and tracebacks made terminal-safe."""
    echo_safe(f"{time.strftime('%H:%M:%S')} {message}", err=True, lines=True)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum, frame):  # type: ignore[no-untyped-def]
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def _start_watching(ws, poll: bool, debounce: float, todo: bool):  # type: ignore[no-untyped-def]
    from ..index import IndexUnavailable
    from ..live import FeedUpdater
    from ..watch import Watcher

    updater = FeedUpdater(ws, log=_log, todo=todo)
    # A locked index (a long `mdnet index` in another terminal) is one log line, then a retry.
    watcher = Watcher(ws.root, updater, debounce=debounce, poll=poll, ignore=updater.ignores,
                      today=updater.today, also=updater.also, log=_log, expected=(IndexUnavailable,))
    watcher.start()
    return watcher, updater


@click.command()
@click.option("--poll", is_flag=True, help="Poll the folder instead of using OS events (network and synced folders).")
@click.option("--debounce", default=0.3, show_default=True, metavar="SECONDS", help="Quiet time before an update.")
@click.option("--todo", is_flag=True, help="Emit VTODO tasks instead of events (for task apps).")
@click.pass_context
def watch(ctx: click.Context, poll: bool, debounce: float, todo: bool) -> None:
    """Keep the index and the feed up to date as notes change (Ctrl-C stops).

    Only one watcher runs per vault. Use `mdnet serve --watch` to serve the
    feed from the same process.
    """
    from ..lock import VaultLock

    ws = open_workspace(ctx)
    with VaultLock(ws.state_dir):
        stop = threading.Event()
        _stop_on_signals(stop)
        watcher, _ = _start_watching(ws, poll, debounce, todo)
        _log(f"watching {ws.root} (feed: {ws.feed_path}); Ctrl-C stops")  # _log makes it safe
        try:
            stop.wait()
        finally:
            watcher.stop()
            _log("stopped")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8765, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--watch/--no-watch", "watch_too", default=False, help="Also watch the vault and keep the feed fresh.")
@click.option("--poll", is_flag=True, help="With --watch: poll instead of OS events.")
@click.option("--rotate-token", is_flag=True, help="Make a new secret URL (old subscriptions stop working) and exit.")
@click.option("--dashboard/--no-dashboard", default=True, show_default=True,
              help="Also serve the dashboard (its own secret URL, kept in .mdnet/dashboard-token).")
@click.option("--allow-edits", is_flag=True,
              help="Let the dashboard's buttons write notes (done, snooze, log); mdnet.toml's serve.allow_edits does too.")
@click.option("--rotate-dashboard-token", is_flag=True, help="Make a new secret dashboard URL and exit.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, watch_too: bool, poll: bool, rotate_token: bool,
          dashboard: bool, allow_edits: bool, rotate_dashboard_token: bool) -> None:
    """Serve the follow-up feed over HTTP for calendar apps to subscribe to, and the dashboard.

    The feed's URL holds a secret token (kept in .mdnet/token, never in
    mdnet.toml); the dashboard has its own (.mdnet/dashboard-token), so sharing
    the feed never exposes it. Anything else gets 404. Writes the feed before
    it starts listening. The dashboard is read-only unless --allow-edits.
    """
    from datetime import date

    from ..lock import VaultLock
    from ..server import TOKEN_NAME, feed_urls, load_or_create_token, make_server, serve_in_thread
    from ..server import rotate_token as rotate

    ws = open_workspace(ctx)
    if rotate_token or rotate_dashboard_token:
        if rotate_token:
            rotate(ws.state_dir)
            click.echo("New feed URL made; subscribe again with the URL `mdnet serve` prints.")
        if rotate_dashboard_token:
            from ..dashboard.app import DASHBOARD_TOKEN_NAME

            rotate(ws.state_dir, DASHBOARD_TOKEN_NAME)
            click.echo("New dashboard URL made (a running `mdnet serve` uses it at once); `mdnet serve` prints it.")
        return
    token = load_or_create_token(ws.state_dir)
    # The flag wins; the setting is false when mdnet.toml's value is bad (a config diagnostic says so).
    allow_edits = allow_edits or ws.config["serve.allow_edits"] is True
    with VaultLock(ws.state_dir) if watch_too else nullcontext():  # one watcher per vault
        today = date.today()
        with scan_line() as scanned:
            path, _, n = ws.write_feed(today, loaded=ws.load(today, scanned=scanned))
        watcher = updater = None
        if watch_too:
            watcher, updater = _start_watching(ws, poll, 0.3, False)
        app = None
        if dashboard:
            from ..dashboard.app import DASHBOARD_TOKEN_NAME, Dashboard

            named = () if host in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::") else (host,)
            app = Dashboard(ws, load_or_create_token(ws.state_dir, DASHBOARD_TOKEN_NAME), allow_edits=allow_edits,
                            sync=updater is None, hosts=named, lock=updater.lock if updater else None,
                            live=updater is not None, token_file=ws.state_dir / DASHBOARD_TOKEN_NAME)
            if updater is not None:
                updater.listeners.append(app.changed)
        try:
            server = make_server(path, token, host, port, log=None, token_file=ws.state_dir / TOKEN_NAME, app=app)
        except OSError as e:
            if watcher is not None:
                watcher.stop()
            raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror}")
        stop = threading.Event()
        _stop_on_signals(stop)
        url, webcal = feed_urls(server, "localhost" if host in ("127.0.0.1", "::1") else None)
        from ..model import plural

        click.echo(f"Serving {plural(n, 'follow-up')} from {terminal_safe(ws.root)}\n")
        click.echo(f"  {url}\n  {webcal}\n")
        click.echo("Subscribe (details: docs/subscribe.md):")
        click.echo("  Apple Calendar: File > New Calendar Subscription, paste the webcal:// URL")
        click.echo("  Thunderbird:    New Calendar > On the Network, paste the http:// URL")
        click.echo("  Google / Outlook: they fetch from their own servers, so they need a public https URL")
        click.echo("                  (see docs/subscribe.md); then 'From URL' / 'Subscribe from web'")
        if app is not None:
            mode = "edits on" if allow_edits else "read-only; --allow-edits or serve.allow_edits turns on its buttons"
            click.echo(f"\nDashboard ({mode}; keep this URL to yourself):\n  {url.split('/', 3)[0]}//"
                       f"{url.split('/', 3)[2]}{app.base}")
        if host not in ("127.0.0.1", "localhost", "::1"):
            click.echo(f"\nListening on {host}: anyone who can reach this port and knows the URL can read the feed.", err=True)
        serve_in_thread(server)
        try:
            stop.wait()
        finally:
            if watcher is not None:
                watcher.stop()
            if app is not None:
                app.close()
            server.shutdown()
            server.server_close()
            _log("stopped")
