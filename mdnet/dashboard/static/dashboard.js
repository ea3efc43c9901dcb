// mdnet dashboard: the buttons, the keys and live reloads. Reading needs none of this.
// Served by mdnet itself (no third-party requests, no build step); a strict CSP allows only this file.
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
      return;
    }
    sessionStorage.setItem("mdnet-message", data.message || "done");
    location.reload();
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const box = button.closest(".actions");
    const path = box.dataset.path;
    const kind = button.dataset.action;
    if (kind === "done") act("done", {path: path, rule: button.dataset.rule});
    else if (kind === "snooze") act("snooze", {path: path, until: button.dataset.until});
    else if (kind === "snooze-date") {
      const until = box.querySelector(".snooze-date").value;
      if (!until) { say("pick a day to snooze until", true); return; }
      act("snooze", {path: path, until: until});
    } else if (kind === "log") {
      act("log", {path: path, kind: box.querySelector(".log-kind").value, text: box.querySelector(".log-text").value});
    }
  });

  // Keys: j/k move between items; d, s, w, l, p act on the selected one (or the page's only contact).
  const items = Array.from(document.querySelectorAll(".item"));
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
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

  const left = sessionStorage.getItem("mdnet-message");
  if (left) { sessionStorage.removeItem("mdnet-message"); say(left, false); }

  // Live: the server says when a note changed; reload unless the user is typing.
  if (body.dataset.live === "on" && window.EventSource) {
    const events = new EventSource(base + "events");
    events.addEventListener("change", function () {
      const tag = (document.activeElement && document.activeElement.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select") return;
      location.reload();
    });
  }
})();
