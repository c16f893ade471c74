/* Site-wide behaviour. No inline scripts anywhere: the CSP forbids them. */
(function () {
  "use strict";
  // Buttons with data-confirm ask before their form is submitted.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // Long actions (drawing every paper of a room) say they are working and cannot be
    // started twice.
    var busy = button && button.getAttribute("data-busy");
    if (busy) {
      window.setTimeout(function () { button.disabled = true; button.textContent = busy; }, 0);
    }
  });

  // A table wider than the screen (on a phone .table scrolls sideways) takes the keyboard
  // focus, so that it can be scrolled with the arrow keys (its caption names it); it gives
  // the focus up again when it fits.
  function markScrollingTables() {
    var tables = document.querySelectorAll("table.table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.scrollWidth > table.clientWidth + 1) {
        if (!table.hasAttribute("tabindex")) {
          table.setAttribute("tabindex", "0");
          table.setAttribute("data-scroll-focus", "");
        }
      } else if (table.hasAttribute("data-scroll-focus")) {
        table.removeAttribute("tabindex");
        table.removeAttribute("data-scroll-focus");
      }
    }
  }
  var queued = false;
  function markSoon() {
    if (queued) { return; }
    queued = true;
    window.requestAnimationFrame(function () { queued = false; markScrollingTables(); });
  }
  markScrollingTables();
  window.addEventListener("resize", markSoon);
  window.addEventListener("load", markSoon);
})();
