/* Site-wide behaviour. No inline scripts anywhere: the CSP forbids them. */
(function () {
  "use strict";
  // Buttons with data-confirm ask before their form is submitted.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
