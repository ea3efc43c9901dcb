// mdnet dashboard: the buttons, the keys and live updates. Reading needs none of this.
// Served by mdnet itself (no third-party requests, no build step); a strict CSP allows only this file.
//
// Partial updates: after an action, or when the server says a note changed, the page fetches
// itself again and swaps in only what differs (morph below), so the scroll position, the focus
// and whatever the user is typing in a form stay as they were. Why not htmx: writes must be
// JSON with a CSRF header (htmx needs its json-enc extension for that), live updates need its
// SSE extension and keeping focus its morph extension: three vendored files and
// HTML-returning write endpoints, for what these sixty lines do under the same strict CSP.
"use strict";
(function () {
  const body = document.body;
  const base = body.dataset.base;
  const csrf = (document.querySelector('meta[name="mdnet-csrf"]') || {}).content || "";
  const message = document.getElementById("message");

  function say(text, bad) {
    message.textContent = text;
    message.className = bad ? "problem" : "ok";
  }

  // -- partial updates ------------------------------------------------------------------

  function isField(el) {
    return el.nodeType === 1 && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  function edited(field) {
    if (field.tagName === "SELECT") return Array.from(field.options).some(o => o.selected !== o.defaultSelected);
    return field.value !== field.defaultValue;
  }

  // Is the user in this element: focus inside it, or a field in it typed into?
  function busy(el) {
    const active = document.activeElement;
    if (active && active !== body && el.contains(active)) return true;
    if (isField(el)) return edited(el);
    return Array.from(el.querySelectorAll("input, select, textarea")).some(edited);
  }

  function sameKind(a, b) {
    if (a.nodeType !== b.nodeType) return false;
    if (a.nodeType !== 1) return true;
    return a.id || b.id ? a.id === b.id : a.tagName === b.tagName && a.className === b.className;
  }

  // Make the live element `old` show `fresh` (from the fetched page); returns the node now in place.
  function morph(old, fresh) {
    if (old.isEqualNode(fresh)) return old;
    if (old.nodeType !== 1) { old.data = fresh.data; return old; }
    if (isField(old) && busy(old)) return old;  // what the user is typing stays
    if (!busy(old) || old.tagName !== fresh.tagName) {
      const node = document.importNode(fresh, true);
      old.replaceWith(node);
      return node;
    }
    for (const a of Array.from(old.attributes)) if (!fresh.hasAttribute(a.name)) old.removeAttribute(a.name);
    for (const a of Array.from(fresh.attributes)) if (old.getAttribute(a.name) !== a.value) old.setAttribute(a.name, a.value);
    const pool = Array.from(old.childNodes);
    const byId = new Map(pool.filter(n => n.id).map(n => [n.id, n]));
    const used = new Set();
    let cursor = 0;
    const kept = Array.from(fresh.childNodes).map(function (n) {
      let match = n.id ? byId.get(n.id) : null;
      if (!match && !n.id) {
        while (cursor < pool.length && (used.has(pool[cursor]) || !sameKind(pool[cursor], n))) cursor++;
        match = pool[cursor];
      }
      if (match && !used.has(match)) { used.add(match); return [match, n]; }
      return [null, n];
    });
    pool.filter(n => !used.has(n)).forEach(n => n.remove());  // first the gone ones: nothing focused moves
    kept.forEach(function (pair, i) {
      const node = pair[0] ? morph(pair[0], pair[1]) : document.importNode(pair[1], true);
      if (old.childNodes[i] !== node) old.insertBefore(node, old.childNodes[i] || null);
    });
    return old;
  }

  let refreshing = null;
  let again = false;

  // Fetch this page again and swap in what changed (main and footer; the rest is the same).
  async function refresh() {
    if (refreshing) { again = true; return refreshing; }
    refreshing = (async function () {
      do {
        again = false;
        let fresh;
        try {
          const response = await fetch(location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}});
          if (!response.ok) { say("could not update the page: " + response.status + " (reload it)", true); return; }
          fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        } catch (e) {
          say("mdnet is not answering: " + e, true);
          return;
        }
        for (const selector of ["main", "footer"]) {
          const here = document.querySelector(selector), there = fresh.querySelector(selector);
          if (here && there) morph(here, there);
        }
        body.dispatchEvent(new CustomEvent("mdnet:updated"));
      } while (again);
    })();
    try { await refreshing; } finally { refreshing = null; }
  }

  // -- actions ----------------------------------------------------------------------------

  async function act(name, payload) {
    let response;
    try {
      response = await fetch(base + "action/" + name, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-MDNet-CSRF": csrf},
        body: JSON.stringify(payload),
        credentials: "same-origin",
      });
    } catch (e) {
      say("mdnet is not answering: " + e, true);
      return;
    }
    let data = {};
    try { data = await response.json(); } catch (e) { /* not JSON */ }
    if (!response.ok) {
      say(data.error || ("refused: " + response.status), true);
      if (response.status === 409) refresh();  // the note changed: show it as it is now
      return;
    }
    const items = Array.from(document.querySelectorAll(".item"));
    const at = items.indexOf(document.activeElement && document.activeElement.closest(".item"));
    await refresh();
    say(data.message || "done", false);
    // Keep the keys flowing: the item acted on may be gone, so select the one now in its place.
    if (at >= 0 && !(document.activeElement && document.activeElement.closest(".item"))) {
      const now = document.querySelectorAll(".item");
      if (now.length) now[Math.min(at, now.length - 1)].focus();
    }
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const box = button.closest(".actions");
    const path = box.dataset.path;  // the monthly update's box has a month instead
    const kind = button.dataset.action;
    if (kind === "done") act("done", {path: path, rule: button.dataset.rule});
    else if (kind === "snooze") act("snooze", {path: path, until: button.dataset.until});
    else if (kind === "snooze-date") {
      const until = box.querySelector(".snooze-date").value;
      if (!until) { say("pick a day to snooze until", true); return; }
      act("snooze", {path: path, until: until});
    } else if (kind === "log") {
      act("log", {path: path, kind: box.querySelector(".log-kind").value, text: box.querySelector(".log-text").value});
    } else if (kind === "update-draft" || kind === "update-sent") {
      act(kind, {month: box.dataset.month});
    }
  });

  // Keys: j/k move between items; d, s, w, l, p act on the selected one (or the page's only contact).
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    const items = Array.from(document.querySelectorAll(".item"));
    const current = document.activeElement && document.activeElement.closest(".item");
    if (event.key === "j" || event.key === "k") {
      let i = items.indexOf(current);
      i = event.key === "j" ? Math.min(items.length - 1, i + 1) : Math.max(0, i - 1);
      if (items[i]) items[i].focus();
      return;
    }
    const scope = current || (items.length ? null : document);
    if (!scope) return;
    const target = scope.querySelector('[data-key="' + event.key + '"]');
    if (!target) return;
    event.preventDefault();
    if (event.key === "l") {
      const text = scope.querySelector(".log-text");
      if (text) { text.focus(); return; }
    }
    target.click();
  });

  // Live: the server says when a note changed; the changed parts are swapped in.
  if (body.dataset.live === "on" && window.EventSource) {
    const events = new EventSource(base + "events");
    events.addEventListener("change", function () { refresh(); });
  }
})();
