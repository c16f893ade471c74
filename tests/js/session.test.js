// node --test tests/js/ — the idle warning's timing rule (examsite/static/js/session.js).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { phase, formatLeft } = require("../../examsite/static/js/session.js");

const MIN = 60 * 1000;
const HOUR = 60 * MIN;
const WARN = 5 * MIN;

test("active until the warning time, and wakes exactly then", () => {
  const p = phase(0, 30 * MIN, 12 * HOUR, WARN);
  assert.equal(p.name, "active");
  assert.equal(p.wakeAt, 25 * MIN);
  assert.equal(p.deadline, 30 * MIN);
  assert.equal(p.extendable, true);
});

test("warning from warn before the idle deadline, ticking each second for the countdown", () => {
  const p = phase(25 * MIN, 30 * MIN, 12 * HOUR, WARN);
  assert.equal(p.name, "warning");
  assert.equal(p.left, 5 * MIN);
  assert.equal(p.wakeAt, 25 * MIN + 1000);
  const last = phase(30 * MIN - 300, 30 * MIN, 12 * HOUR, WARN);
  assert.equal(last.name, "warning");
  assert.equal(last.wakeAt, 30 * MIN, "the last tick lands on the deadline, not after it");
});

test("expired at the deadline", () => {
  const p = phase(30 * MIN, 30 * MIN, 12 * HOUR, WARN);
  assert.equal(p.name, "expired");
  assert.equal(p.left, 0);
  assert.equal(phase(31 * MIN, 30 * MIN, 12 * HOUR, WARN).name, "expired");
});

test("the hard maximum wins when it comes first, and a keepalive cannot move it", () => {
  const p = phase(12 * HOUR - 4 * MIN, 12 * HOUR + 26 * MIN, 12 * HOUR, WARN);
  assert.equal(p.name, "warning");
  assert.equal(p.extendable, false);
  assert.equal(p.deadline, 12 * HOUR);
  assert.equal(phase(12 * HOUR, 12 * HOUR + 26 * MIN, 12 * HOUR, WARN).name, "expired");
});

test("a page opened after a long sleep is expired at once", () => {
  assert.equal(phase(2 * HOUR, 30 * MIN, 12 * HOUR, WARN).name, "expired");
});

test("no warning period: active right up to the deadline", () => {
  assert.equal(phase(30 * MIN - 1, 30 * MIN, 12 * HOUR, 0).name, "active");
  assert.equal(phase(30 * MIN, 30 * MIN, 12 * HOUR, 0).name, "expired");
});

test("the countdown reads m:ss, rounded up", () => {
  assert.equal(formatLeft(5 * MIN), "5:00");
  assert.equal(formatLeft(4 * MIN + 59001), "5:00");
  assert.equal(formatLeft(61000), "1:01");
  assert.equal(formatLeft(1), "0:01");
  assert.equal(formatLeft(0), "0:00");
  assert.equal(formatLeft(-5), "0:00");
});

// ------------------------------------------------------------------ the page, on a fake DOM

function fakePage({ idleLeft = 1800, maxLeft = 43200, warn = 300 } = {}) {
  let now = 1_000_000;
  const timers = [];
  const fetches = [];
  const replies = [];
  function element(name) {
    const listeners = {};
    return {
      name, hidden: false, disabled: false, textContent: "", attrs: {},
      focused: false,
      focus() { page.doc.activeElement = this; },
      getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; },
      setAttribute(k, v) { this.attrs[k] = String(v); },
      removeAttribute(k) { delete this.attrs[k]; },
      hasAttribute(k) { return k in this.attrs; },
      addEventListener(type, fn) { listeners[type] = fn; },
      fire(type, event) { listeners[type](event || { preventDefault() {} }); },
    };
  }
  const parts = {
    "[data-countdown]": element("countdown"),
    "[data-keepalive]": element("keep"),
    "[data-dismiss]": element("dismiss"),
    "[data-error]": element("error"),
    '[data-reason="idle"]': element("idle"),
    '[data-reason="max"]': element("max"),
  };
  const box = element("dialog");
  Object.assign(box.attrs, {
    "data-idle-left": String(idleLeft), "data-max-left": String(maxLeft), "data-warn": String(warn),
    "data-status-url": "/session/status", "data-keepalive-url": "/session/keepalive",
    "data-login-url": "/login",
  });
  box.querySelector = (s) => parts[s];
  box.showModal = function () { this.attrs.open = ""; };
  box.close = function () { delete this.attrs.open; };
  const meta = element("meta");
  meta.attrs.content = "csrf-123";
  const field = element("a form field");
  const doc = {
    hidden: false, activeElement: field,
    querySelector: (s) => (s === "[data-session-warning]" ? box : s.startsWith("meta") ? meta : null),
    contains: () => true,
    addEventListener() {},
  };
  const win = {
    location: { pathname: "/bodies/east/exams/new", search: "?step=2", assigned: null,
      assign(url) { this.assigned = url; } },
    setTimeout(fn, ms) { timers.push({ at: now + ms, fn }); return timers.length; },
    clearTimeout(id) { if (id) { timers[id - 1].fn = null; } },
    fetch(url, options) {
      fetches.push({ url, method: (options && options.method) || "GET", headers: options.headers });
      const reply = replies.shift();
      if (!reply) { return Promise.reject(new Error("offline")); }
      return Promise.resolve({ status: reply.status, ok: reply.status < 300, json: () => Promise.resolve(reply.body) });
    },
  };
  const page = {
    box, parts, doc, win, fetches, replies,
    get now() { return now; },
    open: () => box.hasAttribute("open"),
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.fn && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) { break; }
        now = Math.max(now, due.at);
        const fn = due.fn; due.fn = null; fn();
        await new Promise(setImmediate);
        await new Promise(setImmediate);
      }
      now = end;
    },
  };
  return page;
}

function withClock(page, body) {
  const realNow = Date.now;
  Date.now = () => page.now;
  return Promise.resolve(body()).finally(() => { Date.now = realNow; });
}

const { start } = require("../../examsite/static/js/session.js");
const clock = (idle, max) => ({ status: 200, body: { idle_left: idle, max_left: max, warn: 300 } });

test("the page asks the status before warning, then shows the dialog with focus", () => {
  const page = fakePage();
  return withClock(page, async () => {
    start(page.doc, page.win);
    await page.advance(25 * MIN - 1000);
    assert.equal(page.fetches.length, 0, "nothing is asked while the session is far from its end");
    page.replies.push(clock(300, 43200 - 1500));
    await page.advance(1000);
    assert.deepEqual(page.fetches.map((f) => f.url), ["/session/status"]);
    assert.ok(page.open());
    assert.equal(page.doc.activeElement, page.parts["[data-keepalive]"]);
    assert.equal(page.parts["[data-countdown]"].textContent, "5:00");
    assert.equal(page.parts['[data-reason="max"]'].hidden, true);
  });
});

test("ignored, the warning ends on the login page (after the server says so)", () => {
  const page = fakePage();
  return withClock(page, async () => {
    start(page.doc, page.win);
    page.replies.push(clock(300, 41700));
    await page.advance(25 * MIN);
    page.replies.push({ status: 401, body: { code: "session_ended" } });
    await page.advance(5 * MIN);
    assert.equal(page.win.location.assigned, "/login?next=%2Fbodies%2Feast%2Fexams%2Fnew%3Fstep%3D2");
    assert.ok(page.fetches.every((f) => f.url !== "/session/keepalive"), "never extended unasked");
  });
});

test("继续工作 posts the keepalive with the CSRF token, closes the dialog and restarts the clock", () => {
  const page = fakePage();
  return withClock(page, async () => {
    start(page.doc, page.win);
    page.replies.push(clock(300, 41700));
    await page.advance(25 * MIN);
    assert.ok(page.open());
    page.replies.push(clock(1800, 41600));
    page.parts["[data-keepalive]"].fire("click");
    await new Promise(setImmediate);
    await new Promise(setImmediate);
    const post = page.fetches[page.fetches.length - 1];
    assert.equal(post.url, "/session/keepalive");
    assert.equal(post.method, "POST");
    assert.equal(post.headers["X-CSRFToken"], "csrf-123");
    assert.ok(!page.open());
    assert.equal(page.doc.activeElement.name, "a form field", "focus goes back to the form");
    await page.advance(25 * MIN - 1000);
    assert.ok(!page.open(), "a fresh 30 minutes");
  });
});

test("another tab kept the session going: no warning, the page waits again", () => {
  const page = fakePage();
  return withClock(page, async () => {
    start(page.doc, page.win);
    page.replies.push(clock(1700, 41700));
    await page.advance(25 * MIN);
    assert.ok(!page.open());
    assert.equal(page.win.location.assigned, null);
  });
});

test("near the hard maximum: no 继续工作, a 知道了 that closes it, then the login page", () => {
  const page = fakePage({ idleLeft: 1800, maxLeft: 600 });
  return withClock(page, async () => {
    start(page.doc, page.win);
    page.replies.push(clock(1500, 300));
    await page.advance(5 * MIN);
    assert.ok(page.open());
    assert.equal(page.parts["[data-keepalive]"].hidden, true);
    assert.equal(page.parts['[data-reason="max"]'].hidden, false);
    page.parts["[data-dismiss]"].fire("click");
    assert.ok(!page.open());
    await page.advance(2 * MIN);
    assert.ok(!page.open(), "closed stays closed");
    page.replies.push({ status: 401, body: {} });
    await page.advance(3 * MIN);
    assert.match(page.win.location.assigned, /^\/login\?next=/);
  });
});
