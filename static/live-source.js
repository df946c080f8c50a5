// Runs during parsing, before the deferred htmx scripts: keep a handle on every EventSource the
// htmx SSE extension opens, so live.js can close them while the tab is hidden.
(function () {
  "use strict";
  var Native = window.EventSource;
  if (!Native || Native.zeuesTracked) return;
  var open = [];
  function Tracked(url, options) {
    var source = new Native(url, options);
    open.push(source);
    return source;
  }
  Tracked.prototype = Native.prototype;
  Tracked.CONNECTING = Native.CONNECTING;
  Tracked.OPEN = Native.OPEN;
  Tracked.CLOSED = Native.CLOSED;
  Tracked.zeuesTracked = true;
  window.EventSource = Tracked;
  window.zeuesSources = open;
})();
