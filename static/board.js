// The board's own behaviour (templates/board/board.html). The wall TV (?tv=1) turns its pages
// every data-seconds seconds and shows "página 2 de 3"; the live refresh (htmx replaces #board on
// every stream event, see live.js) keeps the page on screen, the pause and the stale group's
// open/closed state instead of starting over. The turn's fade is CSS and only runs when the
// viewer has not asked for reduced motion (board.css).
(function () {
  "use strict";
  var state = { page: 1, pages: 0, paused: false, turns: 0, open: {} };
  window.zeuesBoard = state;

  function pages() { return document.querySelectorAll("[data-tv-page]"); }

  function show(n, turning) {
    var all = pages();
    state.pages = all.length;
    if (!all.length) return;
    state.page = (((n - 1) % all.length) + all.length) % all.length + 1;
    all.forEach(function (p) {
      var on = Number(p.dataset.tvPage) === state.page;
      p.hidden = !on;
      p.classList.toggle("turned", on && !!turning);
    });
    var status = document.querySelector("[data-pager-status]");
    if (status && status.dataset.template) {
      status.textContent = status.dataset.template.replace("{n}", state.page).replace("{total}", all.length);
    }
    var toggle = document.querySelector("[data-pager-toggle]");
    if (toggle) {
      toggle.setAttribute("aria-pressed", state.paused ? "true" : "false");
      toggle.textContent = state.paused ? toggle.dataset.textPlay : toggle.dataset.textPause;
    }
  }

  // One timer for the page's life: a live refresh does not restart it, or a busy shop (an event
  // every few seconds) would never leave page 1.
  function schedule() {
    var box = document.querySelector("[data-tv-pages]");
    var seconds = (box && Number(box.dataset.seconds)) || 12;
    setTimeout(function () {
      if (!state.paused && pages().length > 1) {
        state.turns += 1;
        show(state.page + 1, true);
      }
      schedule();
    }, seconds * 1000);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-pager-toggle]")) return;
    state.paused = !state.paused;
    show(state.page, false);
  });

  // <details> open or closed by the viewer stays so across refreshes (toggle does not bubble).
  document.addEventListener("toggle", function (event) {
    var el = event.target;
    if (el.tagName === "DETAILS" && el.id) state.open[el.id] = el.open;
  }, true);

  // afterSwap runs before the browser paints the new part: no flash of page 1 or a closed group.
  document.body.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("details[id]").forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(state.open, el.id)) el.open = state.open[el.id];
    });
    show(state.page, false);
  });

  show(1, false);
  if (document.querySelector("[data-tv-pages]")) schedule();
})();
