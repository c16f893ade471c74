/* The candidate's pages (/exam/..., /practice/...): the 大字 switch and, on the finish
 * page, removing the copy of the paper this browser kept while it was answered.
 * A classic script (no modules, ES2017), loaded by base.html on those pages only. */
(function () {
  "use strict";
  var TEXT_KEY = "examsite:large-text";
  var ATTEMPT_PREFIX = "examsite:attempt:"; // static/js/exam/savequeue.js KEY_PREFIX
  var root = document.documentElement;

  function storage() {
    try { return window.localStorage || null; } catch (e) { return null; }
  }

  function remembered() {
    var s = storage();
    try { return !!s && s.getItem(TEXT_KEY) === "1"; } catch (e) { return false; }
  }

  function remember(on) {
    var s = storage();
    try {
      if (!s) { return; }
      if (on) { s.setItem(TEXT_KEY, "1"); } else { s.removeItem(TEXT_KEY); }
    } catch (e) { /* private mode or full: the size holds for this page only */ }
  }

  function apply(on) {
    root.classList.toggle("large-text", on);
    var buttons = document.querySelectorAll("[data-text-size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  /** The paper is handed in: nothing of it stays on a shared computer. */
  function clearAnswers() {
    var s = storage();
    if (!s) { return; }
    try {
      var keys = [];
      for (var i = 0; i < s.length; i++) {
        var key = s.key(i);
        if (key && key.indexOf(ATTEMPT_PREFIX) === 0) { keys.push(key); }
      }
      keys.forEach(function (key) { s.removeItem(key); });
    } catch (e) { /* nothing to remove */ }
  }

  // At once, before the page is drawn: no jump from small to large text.
  root.classList.toggle("large-text", remembered());

  function wire() {
    apply(remembered());
    var buttons = document.querySelectorAll("[data-text-size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false; // without this script the button would do nothing
      buttons[i].addEventListener("click", function () {
        var on = !root.classList.contains("large-text");
        remember(on);
        apply(on);
      });
    }
    if (document.querySelector("[data-clear-answers]")) { clearAnswers(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
