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
})();
