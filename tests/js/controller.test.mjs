// node --test tests/js/ — the test's course (examsite/static/js/exam/controller.js):
// polling, notices, time up, the end of the test and the guarded submit.
import test from "node:test";
import assert from "node:assert/strict";
import { createClock } from "../../examsite/static/js/exam/clock.js";
import { createController, FINISH_DELAY_MS, POLL_MS } from "../../examsite/static/js/exam/controller.js";
import { createT } from "../../examsite/static/js/exam/i18n.js";
import { fakeDocument, fakeRequest, fakeTime, settle, el } from "./helpers.mjs";

const MIN = 60 * 1000;
const iso = (ms) => new Date(ms).toISOString();

/** A queue stand-in: flush results are set by the test. */
function fakeQueue() {
  return {
    flushResult: true, unsaved: 0, rejected: 0, stopped: false, cleared: false, flushes: [], seqs: [],
    flush(ms) { this.flushes.push(ms); return Promise.resolve(this.flushResult); },
    flushUntilClean(ms) { this.flushes.push(ms); return Promise.resolve(this.flushResult); },
    unsavedCount() { return this.unsaved; },
    status() { return { rejected: this.rejected }; },
    stop() { this.stopped = true; },
    clearStore() { this.cleared = true; },
    noteSeq(n) { this.seqs.push(n); }
  };
}

/** state(call) answers GET /exam/api/state (null: the test answers by hand). */
function setup({ left = 30 * MIN, state } = {}) {
  const time = fakeTime();
  const net = fakeRequest(time, (call) => (call.method === "GET" && state ? state(call, time) : null));
  const queue = fakeQueue();
  const clock = createClock({ now: time.now, deadline: iso(time.now() + left), serverNow: iso(time.now()) });
  const shown = [];
  const notices = {
    show: (text, kind, sticky) => shown.push([text, kind, !!sticky]),
    hide: (force) => shown.push(["hide", !!force])
  };
  const doc = fakeDocument();
  const submitButton = el(doc, "button", { type: "submit", name: "action", value: "submit" }, "Submit");
  const form = { submitted: [], requestSubmit(btn) { this.submitted.push(btn); } };
  const assigned = [];
  const seen = { locked: [], persist: 0, timer: 0 };
  const ctl = createController({
    queue, clock, notices, t: createT({}), request: net.request,
    stateUrl: "/exam/api/state", eventUrl: "/exam/api/event", finishUrl: "/exam/finish",
    now: time.now, setTimeout: time.setTimeout, clearTimeout: time.clearTimeout,
    setInterval: time.setInterval, clearInterval: time.clearInterval,
    location: { assign: (url) => assigned.push(url), href: () => "/exam/paper" },
    submitButton, form, doc,
    hooks: {
      renderTimer: () => { seen.timer += 1; },
      updateSaveState: () => {},
      lockView: (on) => seen.locked.push(on),
      persist: () => { seen.persist += 1; }
    }
  });
  return { time, net, queue, clock, shown, ctl, submitButton, form, assigned, seen };
}

const inProgress = (time, extra) => ({ status: 200, data: Object.assign({ state: "in_progress", server_now: iso(time.now()) }, extra) });

test("the five-minute warning is shown once and remembered", async () => {
  const { time, ctl, shown, seen } = setup({ left: 6 * MIN, state: (c, tm) => inProgress(tm) });
  ctl.start();
  await time.advance(MIN - 500);
  assert.deepEqual(shown, []);
  await time.advance(500);
  assert.deepEqual(shown, [["fiveMinutes", "warning", false]]);
  assert.equal(seen.persist, 1);
  await time.advance(2 * MIN);
  assert.equal(shown.length, 1);
  assert.ok(seen.timer > 200, "the timer is redrawn every half second");
});

test("at 0: lock, flush, ask the server, and go to the finish page when it agrees", async () => {
  let s = null;
  s = setup({ left: 1000, state: (c, tm) => inProgress(tm, { deadline: iso(s.clock.deadline()) }) });
  const { time, ctl, queue, shown, seen, assigned, submitButton } = s;
  ctl.start();
  await time.advance(1000);
  assert.ok(seen.locked.length > 0 && seen.locked.every((on) => on), "locked, never unlocked");
  assert.equal(submitButton.disabled, true);
  assert.deepEqual(shown[0], ["fiveMinutes", "warning", false], "the first tick, a second before the end");
  assert.deepEqual(shown[1], ["timeUp", "warning", true]);
  assert.deepEqual(queue.flushes.slice(0, 1), [5000]);
  assert.equal(queue.stopped, true);
  assert.deepEqual(shown[shown.length - 1], ["timeUp", "info", true]);
  assert.equal(queue.cleared, true, "nothing pending: nothing left on the computer");
  assert.deepEqual(assigned, []);
  await time.advance(FINISH_DELAY_MS);
  assert.deepEqual(assigned, ["/exam/finish"]);
});

test("a false time-up (a local clock that jumped) is undone when the server gives time", async () => {
  const s = setup({ left: 30 * MIN });
  s.ctl.start();
  s.net.calls[0].reply(inProgress(s.time));
  await settle();
  s.time.jump(31 * MIN);
  s.ctl.tick();
  await settle();
  const check = s.net.open()[0];
  check.reply({ status: 200, data: { state: "in_progress", server_now: iso(s.time.now() - 31 * MIN), deadline: iso(s.time.now() - 1 * MIN) } });
  await settle();
  assert.deepEqual(s.seen.locked, [true, false]);
  assert.deepEqual(s.shown[s.shown.length - 1], ["hide", true]);
  assert.ok(s.clock.remainingMs() > 28 * MIN);
  assert.equal(s.queue.stopped, false);
});

test("at 0 without a network the page stays, says so, and finishes once the server answers", async () => {
  const s = setup({ left: 30 * MIN });
  s.ctl.start();
  s.net.calls[0].reply({ kind: "network", status: 0 });
  await settle();
  s.time.jump(30 * MIN);
  s.ctl.tick();
  await settle();
  s.net.open()[0].reply({ kind: "network", status: 0 });
  await settle();
  assert.deepEqual(s.shown[s.shown.length - 1], ["timeUpOffline", "error", true]);
  assert.deepEqual(s.assigned, []);
  await s.time.advance(POLL_MS);
  s.net.open()[0].reply(inProgress(s.time, { deadline: iso(s.clock.deadline()) }));
  await s.time.advance(FINISH_DELAY_MS);
  assert.deepEqual(s.assigned, ["/exam/finish"]);
  assert.deepEqual(s.shown[s.shown.length - 1], ["timeUp", "info", true]);
});

test("staff notices are shown once each; a new deadline is announced", async () => {
  const s = setup();
  s.ctl.start();
  s.net.calls[0].reply(inProgress(s.time, { notice: "Extended by 10 minutes", notice_id: 3, deadline: iso(s.clock.deadline() + 10 * MIN) }));
  await settle();
  assert.deepEqual(s.shown, [["Extended by 10 minutes", "info", false]]);
  assert.deepEqual(s.ctl.noticesSeen(), ["id:3"]);
  assert.equal(s.seen.persist, 1);
  await s.time.advance(POLL_MS);
  s.net.open()[0].reply(inProgress(s.time, { notice: "Extended by 10 minutes", notice_id: 3 }));
  await settle();
  assert.equal(s.shown.length, 1, "not twice");
  await s.time.advance(POLL_MS);
  s.net.open()[0].reply(inProgress(s.time, { deadline: iso(s.clock.deadline() + 5 * MIN), last_seq: 9 }));
  await settle();
  assert.deepEqual(s.shown[1], ["deadlineChanged", "info", false]);
  assert.ok(s.queue.seqs.indexOf(9) >= 0, "the server's last seq reaches the queue");
});

test("a notice seen before a reload is not shown again", async () => {
  const s = setup();
  s.ctl.rememberNotices(["id:3"]);
  s.ctl.start();
  s.net.calls[0].reply(inProgress(s.time, { notice: "Extended", notice_id: 3 }));
  await settle();
  assert.deepEqual(s.shown, []);
});

test("a save confirming a new deadline makes the page ask for the state", async () => {
  const s = setup();
  s.ctl.onSaveConfirmed({ deadline: iso(s.clock.deadline() + 5 * MIN) }, { t0: s.time.now(), t1: s.time.now() });
  assert.equal(s.net.calls.length, 1);
  s.net.calls[0].reply(inProgress(s.time));
  await settle();
  assert.deepEqual(s.shown, [["deadlineChanged", "info", false]]);
});

test("the state says submitted: to the finish page", async () => {
  const s = setup();
  s.ctl.start();
  s.net.calls[0].reply({ status: 200, data: { state: "graded" } });
  await s.time.advance(FINISH_DELAY_MS);
  assert.deepEqual(s.shown, [["overSubmitted", "info", true]]);
  assert.deepEqual(s.assigned, ["/exam/finish"]);
  assert.equal(s.ctl.stopped(), "over");
});

test("answers still pending at the end stay in the browser", async () => {
  const s = setup();
  s.queue.unsaved = 2;
  s.ctl.onSaveOver({ code: "deadline_passed" });
  assert.deepEqual(s.shown, [["overDeadline", "info", true]]);
  assert.equal(s.queue.cleared, false);
});

test("an ended login stops everything; a login elsewhere says so", async () => {
  const s = setup();
  s.ctl.start();
  s.net.calls[0].reply({ status: 401, data: { code: "session_replaced" } });
  await settle();
  assert.equal(s.ctl.stopped(), "session");
  assert.equal(s.queue.stopped, true);
  assert.deepEqual(s.shown, [["sessionReplaced", "error", true]]);
  assert.equal(s.ctl.blocked(), true);
  await s.time.advance(5 * POLL_MS);
  assert.equal(s.net.calls.length, 1, "no more polling");
  const other = setup();
  other.ctl.stopSession(null);
  assert.deepEqual(other.shown, [["sessionEnded", "error", true]]);
});

const submitEvent = (submitter) => ({ submitter, prevented: 0, preventDefault() { this.prevented += 1; } });

test("submit waits for every answer and a reachable server, then lets the form go", async () => {
  const s = setup();
  const event = submitEvent(s.submitButton);
  s.ctl.onSubmit(event);
  assert.equal(event.prevented, 1);
  assert.equal(s.submitButton.textContent, "submitting");
  assert.equal(s.submitButton.getAttribute("aria-busy"), "true");
  assert.equal(s.ctl.blocked(), true, "no keys while submitting");
  await settle();
  s.net.open()[0].reply(inProgress(s.time));
  await settle();
  assert.deepEqual(s.form.submitted, [s.submitButton]);
  const again = submitEvent(s.submitButton);
  s.ctl.onSubmit(again);
  assert.equal(again.prevented, 0, "our own requestSubmit goes through");
  await s.time.advance(30000);
  assert.equal(s.submitButton.textContent, "Submit", "still here: another try is allowed");
  assert.equal(s.submitButton.disabled, false);
});

test("submit refuses while answers are not on the server", async () => {
  const s = setup();
  s.queue.flushResult = false;
  s.queue.unsaved = 1;
  s.ctl.onSubmit(submitEvent(s.submitButton));
  await settle();
  assert.deepEqual(s.form.submitted, []);
  assert.deepEqual(s.shown, [["submitOffline", "error", false]]);
  assert.equal(s.submitButton.textContent, "Submit");
  assert.equal(s.submitButton.hasAttribute("aria-busy"), false);
  s.queue.rejected = 1;
  s.ctl.onSubmit(submitEvent(s.submitButton));
  await settle();
  assert.deepEqual(s.shown[1], ["submitRejected", "error", false]);
});

test("submit refuses when the server cannot be reached after the flush", async () => {
  const s = setup();
  s.ctl.onSubmit(submitEvent(s.submitButton));
  await settle();
  s.net.open()[0].reply({ kind: "network", status: 0 });
  await settle();
  assert.deepEqual(s.form.submitted, []);
  assert.deepEqual(s.shown, [["submitOffline", "error", false]]);
});

test("Enter in the form (no submit button) only saves", () => {
  const s = setup();
  const event = submitEvent(null);
  s.ctl.onSubmit(event);
  assert.equal(event.prevented, 1);
  assert.deepEqual(s.queue.flushes, [15000]);
  assert.equal(s.submitButton.textContent, "Submit");
});

test("leaving the window is reported at most every 3 seconds", async () => {
  const s = setup();
  s.ctl.reportBlur();
  s.ctl.reportBlur();
  await s.time.advance(3000);
  s.ctl.reportBlur();
  const events = s.net.calls.filter((c) => c.url === "/exam/api/event");
  assert.equal(events.length, 2);
  assert.deepEqual(events[0].body, { type: "blur" });
  assert.equal(events[0].opts.keepalive, true);
});
