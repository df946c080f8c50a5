/* The history timeline (templates/history/history.html): a tap shows the element's tooltip text
   under the chart, since tablets have no hover. A file of its own: the Content-Security-Policy
   allows no inline script. */
(function () {
  "use strict";
  var svg = document.querySelector("svg.tl");
  if (!svg) return;
  svg.addEventListener("click", function (e) {
    var el = e.target.closest("rect.bar, g.mk"), title = el && el.querySelector("title");
    if (!title) return;
    var old = svg.querySelector(".sel");
    if (old) old.classList.remove("sel");
    el.classList.add("sel");
    document.getElementById("tl-detail").textContent = title.textContent;
  });
})();
