/* The invigilation panel: refresh the room's rows every 5 seconds without reloading.
   Only the changing cells are rewritten. The server draws every action form on every row
   ([data-action]); each poll says which ones the row allows now (r.actions) and the others
   are hidden, so a row's menu follows its candidate (started, submitted, locked...). */
(function () {
  "use strict";
  var table = document.querySelector("[data-panel]");
  if (!table) { return; }
  var url = table.getAttribute("data-url");
  var labels = JSON.parse(table.getAttribute("data-labels") || "{}");
  var status = document.querySelector("[data-refresh-state]");
  var INTERVAL = 5000;
  var knownRows = Array.prototype.map.call(
    table.querySelectorAll("tbody tr[data-attempt]"),
    function (tr) { return tr.getAttribute("data-attempt"); }
  ).sort().join(",");

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(iso) {
    if (!iso) { return "—"; }
    var d = new Date(iso);
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function left(seconds) {
    if (seconds === null || seconds === undefined) { return "—"; }
    return Math.floor(seconds / 60) + ":" + pad(seconds % 60);
  }
  function set(tr, field, text) {
    var cell = tr.querySelector('[data-field="' + field + '"]');
    if (cell && cell.textContent !== String(text)) { cell.textContent = text; }
  }

  function render(data) {
    var ids = data.rows.map(function (r) { return String(r.id); }).sort().join(",");
    if (ids !== knownRows) { window.location.reload(); return; }  // enrolment changed
    data.rows.forEach(function (r) {
      var tr = table.querySelector('tr[data-attempt="' + r.id + '"]');
      if (!tr) { return; }
      var state = r.state === "enrolled" && r.logged_in ? "logged_in" : r.state;
      set(tr, "state", labels[state] || r.state);
      set(tr, "answered", r.answered + " / " + r.total);
      set(tr, "left", left(r.seconds_left));
      set(tr, "seen", clock(r.last_seen));
      set(tr, "ip", r.ip || "—");
      set(tr, "focus", r.focus_losses);
      set(tr, "refused", r.refused_logins);
      set(tr, "switches", r.session_switches);
      var badge = tr.querySelector('[data-field="locked"]');
      if (badge) { badge.hidden = !r.code_locked; }
      var reissued = tr.querySelector('[data-field="reissued"]');
      if (reissued) {
        reissued.hidden = !r.reissued;
        if (r.reissued) { set(tr, "code", r.admission_code || ""); }
      }
      var allowed = r.actions || [];
      Array.prototype.forEach.call(tr.querySelectorAll("[data-action]"), function (el) {
        el.hidden = allowed.indexOf(el.getAttribute("data-action")) < 0;
      });
      tr.className = "state-" + r.state;
    });
    Object.keys(data.counts).forEach(function (key) {
      var el = document.querySelector('[data-count="' + key + '"]');
      if (el) { el.textContent = data.counts[key]; }
    });
    if (status) { status.textContent = (labels.refreshed || "") + clock(data.now); }
  }

  function refresh() {
    // Pause while an action form is open, so typing a reason is never interrupted.
    if (table.querySelector("details[open]") || document.hidden) {
      window.setTimeout(refresh, INTERVAL);
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) {
        if (res.redirected || !res.ok) { throw new Error("HTTP " + res.status); }
        return res.json();
      })
      .then(render)
      .catch(function () { if (status) { status.textContent = labels.offline || ""; } })
      .then(function () { window.setTimeout(refresh, INTERVAL); });
  }
  window.setTimeout(refresh, INTERVAL);
})();
