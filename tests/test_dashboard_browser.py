"""The dashboard end to end: `mdnet serve --watch` as a process, and a real browser
(Debian's chromium driven by Selenium through chromium-driver) where it can be had.

Screenshots of each page are saved in test-artifacts/dashboard/ (CI keeps them)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.polling import wait_until
from tests.test_dashboard import Events
from tests.test_live import REPO, Proc, get, new_vault

ARTIFACTS = REPO / "test-artifacts" / "dashboard"


def _urls(proc: Proc) -> tuple[str, str]:
    feed = proc.url()
    dashboard = proc.url()
    return feed, dashboard


def _zoe(root: Path, name: str = "Zoe Park") -> Path:
    note = root / "People" / f"{name}.md"
    note.write_text(f"---\nfollow_up: {date.today().isoformat()}\n---\n# {name}\n\n## Log\n", encoding="utf-8")
    return note


@pytest.mark.slow
def test_serve_watch_prints_the_dashboard_url_and_streams_changes() -> None:
    root = new_vault("dash-")
    _zoe(root)
    server = Proc("--vault", str(root), "serve", "--watch", "--port", "0")
    try:
        feed, dashboard = _urls(server)
        assert dashboard.startswith("http://localhost:") and dashboard.endswith("/")
        assert urlsplit(dashboard).path.split("/")[1] != urlsplit(feed).path.split("/")[1]
        assert "read-only" in "".join(server.stdout)
        status, _, body = get(dashboard, urlsplit(dashboard).path + "today.json")
        assert status == 200
        assert "Zoe Park" in [i["contact"] for i in json.loads(body)]
        # The events stream says when a note changes on disk.
        u = urlsplit(dashboard)
        events = Events(u.port, u.path, f"localhost:{u.port}")
        try:
            events.until(b"retry:")
            _zoe(root, "Ann Lee")
            events.until(b"event: change")
        finally:
            events.sock.close()
        wait_until(lambda: "Ann Lee" in get(dashboard, u.path + "today.json")[2].decode(), what="the new note on Today")
        assert server.stop() == 0
        assert "Traceback" not in "".join(server.stderr), "".join(server.stderr)
    finally:
        server.stop()
        shutil.rmtree(root.parent, ignore_errors=True)


def _browser() -> Any:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("Debian's chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(arg)
    try:
        return webdriver.Chrome(service=Service(driver), options=options)
    except Exception as e:  # noqa: BLE001 - a browser that cannot start here is a skip, with its reason
        pytest.skip(f"chromium did not start: {e}")


@contextmanager
def _browsing(root: Path, *options: str) -> Iterator[tuple[Any, str]]:
    """A chromium on the dashboard of `mdnet serve --allow-edits OPTIONS` for ``root``, with
    Zoe Park's item on Today; the browser, the server and the vault are gone after."""
    from selenium.webdriver.common.by import By

    try:
        browser = _browser()
        server = Proc("--vault", str(root), "serve", "--allow-edits", "--port", "0", *options)
        try:
            _, dashboard = _urls(server)
            browser.get(dashboard)
            wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, ZOE_ITEM), timeout=20, what="Zoe's item on Today")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            yield browser, dashboard
        finally:
            browser.quit()
            server.stop()
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


ZOE_ITEM = '.item[data-path="People/Zoe Park.md"]'


@pytest.mark.slow
def test_a_real_browser_marks_an_item_done_and_follows_an_edit_on_disk() -> None:
    """Done swaps the item out without reloading the page (a marker set on ``window``
    survives), the note gains exactly one line; an edit on disk swaps in the new item the
    same way, and neither touches the focus or the text typed in another item's log box."""
    from selenium.webdriver.common.by import By

    root = new_vault("browser-")
    zoe = _zoe(root)
    _zoe(root, "Bob Ray")
    with _browsing(root, "--watch") as (browser, dashboard):
        item = ZOE_ITEM
        browser.save_screenshot(str(ARTIFACTS / "today.png"))
        browser.execute_script("window.mdnetMarker = 'still the same page'")
        bob_text = browser.find_element(By.CSS_SELECTOR, '.item[data-path="People/Bob Ray.md"] .log-text')
        bob_text.send_keys("half-written")
        before = zoe.read_text(encoding="utf-8")
        browser.find_element(By.CSS_SELECTOR, f'{item} button[data-action="done"]').click()
        wait_until(lambda: zoe.read_text(encoding="utf-8") != before, timeout=20, what="the note to be written")
        after = zoe.read_text(encoding="utf-8")
        line = f"- {date.today().isoformat()} note: followed up as planned ({date.today().isoformat()})"
        assert after == before.replace("follow_up: " + date.today().isoformat(), "follow_up:") + line + "\n"
        wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, item), timeout=20, what="the item to go")
        wait_until(lambda: "Zoe Park: follow-up done" in browser.find_element(By.ID, "message").text,
                   timeout=20, what="the message")
        assert browser.execute_script("return window.mdnetMarker") == "still the same page"  # no reload
        assert zoe.read_text(encoding="utf-8") == after  # exactly one write
        browser.save_screenshot(str(ARTIFACTS / "today-after-done.png"))
        # An edit on disk reaches the open page by itself (server-sent events, then a partial update).
        bob_text = browser.find_element(By.CSS_SELECTOR, '.item[data-path="People/Bob Ray.md"] .log-text')
        bob_text.click()  # the cursor in Bob's log box, "half-written" in it
        _zoe(root, "Ann Lee")
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, '.item[data-path="People/Ann Lee.md"]'),
                   timeout=20, what="the page to show a note written on disk")
        assert browser.execute_script("return window.mdnetMarker") == "still the same page"
        assert bob_text.get_attribute("value") == "half-written"  # the very element, still typed in
        assert browser.switch_to.active_element == bob_text  # and the focus stayed in it
        browser.save_screenshot(str(ARTIFACTS / "today-after-edit-on-disk.png"))
        # The monthly update: Draft it writes the draft, and the item then links to it.
        update = '.item[data-rule="monthly-update"]'
        month = browser.find_element(By.CSS_SELECTOR, f"{update} .actions").get_attribute("data-month")
        browser.find_element(By.CSS_SELECTOR, f'{update} button[data-action="update-draft"]').click()
        wait_until(lambda: browser.find_elements(By.CSS_SELECTOR, f"{update} .draft a.open"), timeout=20,
                   what="the draft's link")
        assert (root / "Updates" / f"{month}.md").is_file() and (root / "Updates" / f"{month}.eml").is_file()
        assert browser.find_element(By.ID, "message").text.startswith(f"wrote Updates/{month}.md")
        assert browser.execute_script("return window.mdnetMarker") == "still the same page"
        browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.CSS_SELECTOR, update))
        browser.save_screenshot(str(ARTIFACTS / "today-update-drafted.png"))
        base = urlsplit(dashboard).path
        for page in ("habit", "sources", "pipeline", "list", "contact?path=People/Ann%20Lee.md"):
            browser.get(dashboard.rstrip("/").rsplit("/", 1)[0] + base + page)
            wait_until(lambda: browser.find_elements(By.TAG_NAME, "h1"), what=f"{page} to load")
            browser.save_screenshot(str(ARTIFACTS / f"{page.split('?')[0]}.png"))
        errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
        assert not errors, errors  # no CSP violation, no script error


@pytest.mark.slow
def test_a_refused_write_is_said_on_the_page() -> None:
    """The item was done in the terminal meanwhile (no --watch: the page does not know):
    Done is refused with the server's reason on the page, and the part is brought up to date."""
    import subprocess
    import sys

    from selenium.webdriver.common.by import By

    root = new_vault("browser-refused-")
    zoe = _zoe(root)
    with _browsing(root) as (browser, _):
        item = ZOE_ITEM
        browser.execute_script("window.mdnetMarker = 1")
        done = subprocess.run([sys.executable, "-m", "mdnet", "--vault", str(root), "done", "Zoe Park"], cwd=REPO,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        written = zoe.read_text(encoding="utf-8")
        browser.find_element(By.CSS_SELECTOR, f'{item} button[data-action="done"]').click()
        wait_until(lambda: "nothing written" in browser.find_element(By.ID, "message").text, timeout=20,
                   what="the refusal on the page")
        assert browser.find_element(By.ID, "message").get_attribute("class") == "problem"
        wait_until(lambda: not browser.find_elements(By.CSS_SELECTOR, item), timeout=20, what="the item to go")
        assert browser.execute_script("return window.mdnetMarker") == 1
        assert zoe.read_text(encoding="utf-8") == written  # the refused write wrote nothing
        browser.save_screenshot(str(ARTIFACTS / "today-refused.png"))


@pytest.mark.slow
def test_serve_allow_edits_setting_turns_edits_on_and_a_bad_value_is_a_diagnostic() -> None:
    """mdnet.toml's serve.allow_edits does what --allow-edits does; a value that is not
    true/false is an error naming the file and line, and the server still starts, read-only."""
    root = new_vault("dash-setting-")
    try:
        for toml, edits in (('[serve]\nallow_edits = true\n', True), ('[serve]\nallow_edits = "yes"\n', False)):
            (root / "mdnet.toml").write_text(toml, encoding="utf-8")
            server = Proc("--vault", str(root), "serve", "--port", "0")
            try:
                _, dashboard = _urls(server)
                u = urlsplit(dashboard)
                html = get(dashboard, u.path + "today")[2].decode()
                assert ('data-edits="on"' in html) is edits
                out = "".join(server.stdout)
                assert ("Dashboard (edits on;" in out) is edits and ("read-only" in out) is not edits
            finally:
                assert server.stop() == 0
            errors = [line for line in server.stderr if "config-bad-value" in line or "allow_edits" in line]
            if edits:
                assert errors == []
            else:
                assert errors == ["mdnet.toml:2: error: serve.allow_edits must be true or false; using the default "
                                  "False\n"]
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)
