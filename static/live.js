// ZEUES live updates. The htmx SSE extension holds the connection to /api/sse/stream and
// delivers every event type of the schema (zeues/lib/live.py) to a hidden sink; this script
// turns them into refreshes of what is on screen, shows the connection state, catches up on
// every (re)connection, and closes the stream while the tab is hidden.
(function () {
  "use strict";
  if (!document.querySelector("[data-live]")) return;

  var log = { received: [], state: "connecting", opens: 0 };
  window.zeuesLive = log;

  function setState(state) {
    log.state = state;
    var root = document.querySelector("[data-live]");
    if (!root) return;
    root.dataset.state = state;
    var label = root.querySelector("[data-live-status]");
    if (label) label.textContent = label.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
  }

  function refreshRow(row) {
    if (row.dataset.rowUrl) {
      htmx.ajax("GET", row.dataset.rowUrl, { target: row, swap: "outerHTML", headers: { "X-Zeues-Live": "1" } });
    }
  }

  function refreshAll() {
    htmx.trigger(document.body, "zeues:changed", {});
    document.querySelectorAll("[data-live-row]").forEach(refreshRow);
  }

  function onChange(data) {
    if (!data.tag_spool) { refreshAll(); return; }
    htmx.trigger(document.body, "zeues:changed", { tag: data.tag_spool });
    document.querySelectorAll("[data-live-row]").forEach(function (row) {
      if (row.dataset.tag === data.tag_spool) refreshRow(row);
    });
  }

  document.body.addEventListener("htmx:sseOpen", function () {
    log.opens += 1;
    setState("online");
    refreshAll(); // catch up on whatever happened while we were away
  });
  document.body.addEventListener("htmx:sseError", function () { setState("offline"); });
  document.body.addEventListener("htmx:sseMessage", function (event) {
    var data = {};
    try { data = JSON.parse(event.detail.data || "{}"); } catch (e) { data = {}; }
    log.received.push({ type: event.detail.type, data: data, at: Date.now() });
    if (event.detail.type === "stream-reset") { refreshAll(); return; }
    onChange(data);
  });

  // A hidden tab holds no stream; when shown again it reconnects and catches up.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      var sources = window.zeuesSources || [];
      sources.forEach(function (s) { s.close(); });
      sources.length = 0;
      setState("paused");
    } else if (log.state === "paused") {
      var root = document.querySelector("[data-live]");
      var fresh = root.cloneNode(true);
      root.replaceWith(fresh);
      setState("connecting");
      htmx.process(fresh);
    }
  });

  // Elapsed-time counters ("lleva 1 h 05 min") tick on the client.
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tickTimers() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var secs = Math.max(0, Math.floor((now - Date.parse(el.dataset.since)) / 1000));
      var d = Math.floor(secs / 86400), h = Math.floor((secs % 86400) / 3600), m = Math.floor((secs % 3600) / 60);
      el.textContent = (d ? d + " d " : "") + pad(h) + ":" + pad(m) + ":" + pad(secs % 60);
    });
  }
  setInterval(tickTimers, 1000);
  document.body.addEventListener("htmx:afterSwap", tickTimers);
  tickTimers();
})();
