/* examsite — the idle warning of staff pages (the <dialog data-session-warning> of base.html).
 *
 * The server ends a staff session after EXAMSITE_SESSION_IDLE_MINUTES without a request, and
 * EXAMSITE_STAFF_SESSION_MAX_HOURS after its login however busy (core/web.py). This page
 * learns both times left from the dialog's data attributes, and `warn` seconds before the
 * nearer one opens the dialog:
 *
 *   - idle: "继续工作" POSTs (CSRF token in the header) to data-keepalive-url, which restarts
 *     the idle clock on the server. Only that click does: nothing here calls it on its own;
 *   - hard maximum: nothing extends it; "知道了" closes the dialog so the work can be saved.
 *
 * Before it warns, and again when time is up, the page asks data-status-url (a GET that does
 * not count as activity) how long the session really has: another tab, or the invigilation
 * panel's refresh, may have kept it going. When the server says the session has ended (401),
 * or cannot be asked at the end, the page goes to the login page (data-login-url, with next=).
 *
 * Plain ES5 plus fetch, no libraries, CSP-safe (no inline code). The timing rule is the pure
 * function `phase`, exported for node --test (tests/js/session.test.js) when loaded by node.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else if (root.document) {
    api.start(root.document, root);
  }
})(this, function () {
  "use strict";

  /* Where a session stands at `now` (every argument in milliseconds): "active" until
     `warnMs` before the nearer of its two deadlines, then "warning", then "expired".
     `extendable` is true when the nearer deadline is the idle one (a keepalive moves it);
     `left` is the time until that deadline; `wakeAt` is when to look again (each second
     while warning, for the countdown). */
  function phase(now, idleDeadline, maxDeadline, warnMs) {
    var deadline = Math.min(idleDeadline, maxDeadline);
    var result = {
      name: "active",
      deadline: deadline,
      left: Math.max(0, deadline - now),
      extendable: idleDeadline < maxDeadline,
      wakeAt: deadline - warnMs
    };
    if (now >= deadline) {
      result.name = "expired";
      result.wakeAt = now;
    } else if (now >= deadline - warnMs) {
      result.name = "warning";
      result.wakeAt = now + Math.min(1000, deadline - now);
    }
    return result;
  }

  /* "m:ss" for a countdown, rounded up to the second (never "0:00" while time is left). */
  function formatLeft(ms) {
    var seconds = Math.max(0, Math.ceil(ms / 1000));
    var rest = seconds % 60;
    return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function start(doc, win) {
    var box = doc.querySelector("[data-session-warning]");
    if (!box || !win.fetch) { return; }
    var warnMs = 1000 * Number(box.getAttribute("data-warn"));
    var keepaliveUrl = box.getAttribute("data-keepalive-url");
    var statusUrl = box.getAttribute("data-status-url");
    var loginUrl = box.getAttribute("data-login-url");
    var countdown = box.querySelector("[data-countdown]");
    var keepButton = box.querySelector("[data-keepalive]");
    var dismissButton = box.querySelector("[data-dismiss]");
    var error = box.querySelector("[data-error]");
    var meta = doc.querySelector('meta[name="csrf-token"]');
    var idleDeadline = 0;
    var maxDeadline = 0;
    var timer = null;
    var checked = "active";   // the phase the server last confirmed
    var asking = false;
    var dismissedFor = null;  // the deadline whose warning was closed with "知道了" or Esc
    var returnFocus = null;

    function setClock(data) {
      var now = Date.now();
      idleDeadline = now + 1000 * Number(data.idle_left);
      maxDeadline = now + 1000 * Number(data.max_left);
    }

    function leave() {
      win.clearTimeout(timer);
      var here = win.location.pathname + win.location.search;
      win.location.assign(loginUrl + "?next=" + encodeURIComponent(here));
    }

    function isOpen() { return box.hasAttribute("open"); }

    function show(p) {
      box.querySelector('[data-reason="idle"]').hidden = !p.extendable;
      box.querySelector('[data-reason="max"]').hidden = p.extendable;
      keepButton.hidden = !p.extendable;
      dismissButton.hidden = p.extendable;
      countdown.textContent = formatLeft(p.left);
      if (isOpen()) { return; }
      error.hidden = true;
      returnFocus = doc.activeElement;
      box.hidden = false;  // hidden until now even where <dialog> is unknown
      if (typeof box.showModal === "function") { box.showModal(); } else { box.setAttribute("open", ""); }
      (p.extendable ? keepButton : dismissButton).focus();
    }

    function hide() {
      if (!isOpen()) { return; }
      if (typeof box.close === "function") { box.close(); } else { box.removeAttribute("open"); }
      box.hidden = true;
      if (returnFocus && returnFocus.focus && doc.contains(returnFocus)) { returnFocus.focus(); }
      returnFocus = null;
    }

    function schedule(at) {
      win.clearTimeout(timer);
      // At least once a minute: timers of a sleeping laptop or a background tab run late.
      timer = win.setTimeout(tick, Math.max(0, Math.min(at - Date.now(), 60000)));
    }

    // The server's own clocks, without counting as activity; then look again.
    function ask(name) {
      asking = true;
      win.fetch(statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 401) { return null; }
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (data) {
          asking = false;
          if (data === null) { leave(); return; }
          setClock(data);
          var now = phase(Date.now(), idleDeadline, maxDeadline, warnMs);
          if (now.name === "expired") { leave(); return; }
          checked = now.name;
          tick();
        }, function () {
          asking = false;
          if (name === "expired") { leave(); return; }
          checked = name;  // cannot ask: warn on the page's own clock
          tick();
        });
    }

    function tick() {
      if (asking) { return; }
      var p = phase(Date.now(), idleDeadline, maxDeadline, warnMs);
      if (p.name === "active") {
        checked = "active";
        dismissedFor = null;
        hide();
        schedule(p.wakeAt);
        return;
      }
      if (checked !== p.name) { ask(p.name); return; }
      if (p.name === "expired") { leave(); return; }
      if (dismissedFor !== p.deadline) { show(p); }
      schedule(p.wakeAt);
    }

    // Only this click extends the session.
    keepButton.addEventListener("click", function () {
      keepButton.disabled = true;
      win.fetch(keepaliveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": meta ? meta.getAttribute("content") : "" }
      })
        .then(function (response) {
          if (response.status === 401) { return null; }
          if (!response.ok) { throw new Error("keepalive " + response.status); }
          return response.json();
        })
        .then(function (data) {
          keepButton.disabled = false;
          if (data === null) { leave(); return; }
          setClock(data);
          checked = "active";
          hide();
          tick();
        }, function () {
          keepButton.disabled = false;
          error.hidden = false;
        });
    });

    function dismiss() {
      dismissedFor = phase(Date.now(), idleDeadline, maxDeadline, warnMs).deadline;
      hide();
    }
    dismissButton.addEventListener("click", dismiss);
    // Esc closes a modal dialog: the warning is seen, the session is not extended.
    box.addEventListener("cancel", function (event) { event.preventDefault(); dismiss(); });

    doc.addEventListener("visibilitychange", function () { if (!doc.hidden) { tick(); } });

    setClock({
      idle_left: box.getAttribute("data-idle-left"),
      max_left: box.getAttribute("data-max-left")
    });
    tick();
  }

  return { phase: phase, formatLeft: formatLeft, start: start };
});
