// ZEUES kiosk behaviour. The pages work without it; this adds the idle reset, the PIN pad,
// the batch selection count and the result countdown.
(function () {
  "use strict";
  var body = document.body;

  // Idle reset: a shared tablet forgets the worker after N idle seconds (the server forgets too).
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  if (idle > 0) {
    var timer;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.assign(body.dataset.startUrl); }, idle * 1000);
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

  // Batch selection: count what is ticked; batch buttons only work with a selection.
  document.querySelectorAll("[data-batch]").forEach(function (form) {
    var label = form.querySelector("[data-selected-count]");
    var initial = label ? label.textContent : "";
    var update = function () {
      var n = form.querySelectorAll("input[name=tag]:checked").length;
      form.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = n === 0; });
      if (label) label.textContent = n === 0 ? initial : (n === 1 ? "1 spool seleccionado" : n + " spools seleccionados");
    };
    form.addEventListener("change", update);
    document.addEventListener("htmx:afterSwap", update);
    update();
  });

  // One submission per confirm form (the server's idempotency key is the real guarantee).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () { form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; }); }, 0);
    });
  });

  // Result screen: back to the start after N seconds, visibly, unless the person chooses to stay.
  document.querySelectorAll("[data-countdown]").forEach(function (box) {
    var left = parseInt(box.dataset.countdown, 10);
    var shown = box.querySelector("[data-seconds]");
    var timer;
    box.hidden = false;
    var tick = function () {
      if (shown) shown.textContent = String(left);
      if (left <= 0) { window.location.assign(box.dataset.returnUrl); return; }
      left -= 1;
      timer = setTimeout(tick, 1000);
    };
    box.querySelector("[data-stop-countdown]").addEventListener("click", function () {
      clearTimeout(timer);
      box.hidden = true;
    });
    tick();
  });

  // A result still being processed (a repeated submission): look again in a moment.
  document.querySelectorAll("[data-reload-after]").forEach(function (el) {
    setTimeout(function () { window.location.reload(); }, parseInt(el.dataset.reloadAfter, 10) * 1000);
  });
})();
