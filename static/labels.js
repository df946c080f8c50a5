/* The label sheet's "Imprimir" button (no inline handler: the Content-Security-Policy forbids it). */
document.addEventListener("click", function (e) {
  "use strict";
  if (e.target.closest("[data-print]")) window.print();
});
