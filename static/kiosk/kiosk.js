// ZEUES kiosk behaviour. The pages work without it; this adds scanning without a tap, the idle
// reset, the PIN pad, the batch selection count, the running "llevas" timers, dismissable errors
// and the result countdown.
(function () {
  "use strict";
  var body = document.body;
  var ERRORS_KEY = "zeues-kiosk-errors";

  function editable(el) {
    if (!el || el === body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset", "image", "range", "color"].indexOf(el.type) < 0;
  }

  // Scan-first: a keyboard-wedge scanner types a label (tag or QR URL) or a badge, then Enter,
  // into whatever has focus. When that is no text field, collect the keys here and open the code.
  var buffer = "";
  var lastKey = 0;
  var MAX_SCAN = 400;
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || editable(event.target)) return;
    var now = Date.now();
    if (now - lastKey > 2000) buffer = "";
    lastKey = now;
    if (event.key === "Enter") {
      var code = buffer.trim();
      buffer = "";
      if (!code) return;
      event.preventDefault();
      var url = body.dataset.scanUrl;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "codigo=" + encodeURIComponent(code) +
        "&volver=" + encodeURIComponent(window.location.pathname + window.location.search);
      window.location.assign(url);
      return;
    }
    if (event.key.length !== 1) return;
    if (event.key === " " && !buffer) return; // a space alone still presses the focused button
    if (event.target !== body) event.preventDefault(); // the code is not typed into a button
    if (buffer.length < MAX_SCAN) buffer += event.key;
  });

  // Errors stay until dismissed: "Entendido" removes the message.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) button.closest("[data-error]").remove();
  });

  // An error still on screen when the tablet goes idle survives the reset (shown on the start screen).
  function carryErrors() {
    var texts = [];
    document.querySelectorAll("[data-error]").forEach(function (el) {
      texts.push((el.querySelector(".k-msg-text") || el).innerText.trim());
    });
    if (texts.length) { try { sessionStorage.setItem(ERRORS_KEY, JSON.stringify(texts)); } catch (e) { /* private mode */ } }
  }
  (function showCarried() {
    var texts = [];
    try { texts = JSON.parse(sessionStorage.getItem(ERRORS_KEY) || "[]"); sessionStorage.removeItem(ERRORS_KEY); } catch (e) { texts = []; }
    if (!texts.length || body.dataset.idleUrl) return;
    var box = document.createElement("div");
    box.className = "k-messages";
    box.setAttribute("role", "alert");
    texts.forEach(function (t) {
      var msg = document.createElement("div");
      msg.className = "k-msg k-msg-error";
      msg.setAttribute("data-error", "");
      var p = document.createElement("p");
      p.className = "k-msg-text";
      p.textContent = t;
      var b = document.createElement("button");
      b.type = "button";
      b.className = "k-btn k-btn-dismiss";
      b.setAttribute("data-dismiss", "");
      b.textContent = body.dataset.textDismiss || "OK";
      msg.appendChild(p);
      msg.appendChild(b);
      box.appendChild(msg);
    });
    var main = document.getElementById("main");
    main.parentNode.insertBefore(box, main);
  })();

  // Idle reset: a shared tablet forgets the worker after N idle seconds (the server forgets too).
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (idle > 0) {
    var timer;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        carryErrors();
        window.location.assign(body.dataset.idleUrl || body.dataset.startUrl);
      }, idle * 1000);
    };
    ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
      window.addEventListener(name, reset, { passive: true });
    });
    reset();
  }

  // PIN pad: taps fill the PIN field.
  document.querySelectorAll("[data-pad-for]").forEach(function (pad) {
    var input = document.getElementById(pad.dataset.padFor);
    pad.addEventListener("click", function (event) {
      var digit = event.target.closest("[data-digit]");
      if (!digit || !input) return;
      input.value = digit.dataset.digit === "del" ? input.value.slice(0, -1) : (input.value + digit.dataset.digit).slice(0, 8);
    });
  });

  // Batch selection: count what is ticked (the bar itself appears by CSS once something is).
  document.querySelectorAll("[data-batch]").forEach(function (form) {
    var label = form.querySelector("[data-selected-count]");
    var update = function () {
      var n = document.querySelectorAll("input[form='" + form.id + "']:checked").length;
      if (label) label.textContent = n === 1 ? "1 spool seleccionado:" : n + " spools seleccionados:";
    };
    document.addEventListener("change", update);
    document.addEventListener("htmx:afterSwap", update);
  });

  // The rejection's photo: the big label opens the camera; say which photo was taken.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-photo]")) return;
    var shown = document.querySelector("[data-photo-name]");
    if (shown) shown.textContent = input.files.length ? "✔ " + input.files[0].name : "";
  });

  // «Terminar» a spool with joints: «Todas» ticks every tickable joint; the PD of the ticked ones
  // and the count in the button's label follow each tick (which verb shows is CSS's, finish.html).
  document.querySelectorAll("form[data-finish]").forEach(function (form) {
    var boxes = form.querySelectorAll("input[name=uniones]");
    var box = form.querySelector("[data-pd-box]");
    var pausar = form.querySelector("[data-verb=pausar]");
    var update = function () {
      var n = 0, pd = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; pd += parseFloat(b.dataset.dn) || 0; } });
      if (box) {
        box.hidden = false;
        box.querySelector("[data-pd]").textContent = String(Math.round(pd * 1000) / 1000).replace(".", ",");
        box.querySelector("[data-ticked]").textContent = String(n);
      }
      if (pausar && n) pausar.textContent = n === 1 ? pausar.dataset.textOne : pausar.dataset.textMany.replace("N", String(n));
    };
    form.addEventListener("change", update);
    var all = form.querySelector("[data-all]");
    if (all) all.addEventListener("click", function (event) {
      event.preventDefault();
      boxes.forEach(function (b) { b.checked = true; });
      update();
    });
    update();
  });

  // One submission per action form (the server's idempotency key is the real guarantee).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-once]")) return;
    setTimeout(function () { form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
  });

  // A page shown again by Back from the browser's memory is stale (a confirmed action, a taken
  // spool): ask the server, which shows the result instead of the old question.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });

  // "llevas 1 h 12 min": running timers from the occupation's start, without reloads.
  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d) return d + " d " + h + " h";
    if (h) return h + " h " + m + " min";
    return m + " min";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-llevas]").forEach(function (el) {
      var since = Date.parse(el.dataset.llevas);
      if (!isNaN(since)) el.textContent = elapsed(now - since);
    });
  }
  setInterval(tick, 15000);
  document.addEventListener("htmx:afterSwap", tick);
  tick();

  // Result screen: back to the start after N seconds, visibly, unless the person chooses to stay.
  document.querySelectorAll("[data-countdown]").forEach(function (box) {
    var left = parseInt(box.dataset.countdown, 10);
    var shown = box.querySelector("[data-seconds]");
    var timer;
    box.hidden = false;
    var step = function () {
      if (shown) shown.textContent = String(left);
      if (left <= 0) { window.location.assign(box.dataset.returnUrl); return; }
      left -= 1;
      timer = setTimeout(step, 1000);
    };
    box.querySelector("[data-stop-countdown]").addEventListener("click", function () {
      clearTimeout(timer);
      box.hidden = true;
    });
    step();
  });

})();
