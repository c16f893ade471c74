// node --test tests/js/ — the countdown (examsite/static/js/exam/clock.js).
import test from "node:test";
import assert from "node:assert/strict";
import { createClock, formatRemaining, WARN_MS } from "../../examsite/static/js/exam/clock.js";

const MIN = 60 * 1000;
const T0 = Date.parse("2025-03-01T09:00:00Z");
const iso = (ms) => new Date(ms).toISOString();

/** A clock whose local time is `local` while the server's is `server`. */
function clockAt({ local = T0, server = T0, deadline = T0 + 30 * MIN } = {}) {
  const time = { now: local };
  const clock = createClock({ now: () => time.now, deadline: iso(deadline), serverNow: iso(server) });
  return { time, clock };
}

test("remaining time reads mm:ss, h:mm:ss from an hour, rounded up", () => {
  assert.equal(formatRemaining(30 * MIN), "30:00");
  assert.equal(formatRemaining(59 * 1000 + 1), "01:00");
  assert.equal(formatRemaining(1), "00:01");
  assert.equal(formatRemaining(0), "00:00");
  assert.equal(formatRemaining(-5000), "00:00");
  assert.equal(formatRemaining(60 * MIN), "1:00:00");
  assert.equal(formatRemaining(90 * MIN + 5000), "1:30:05");
});

test("the server's clock from the page: a local clock 10 minutes fast changes nothing", () => {
  const { time, clock } = clockAt({ local: T0 + 10 * MIN, server: T0 });
  assert.equal(clock.serverNow(), T0);
  assert.equal(clock.remainingMs(), 30 * MIN);
  time.now += 1000;
  assert.equal(clock.remainingMs(), 30 * MIN - 1000);
  assert.deepEqual(clock.view(), { text: "29:59", warning: false });
});

test("a response moves the clock to the midpoint of its round trip", () => {
  const { time, clock } = clockAt();
  // Sent at T0, back 2 s later; the server stamped its answer 1 minute ahead of us.
  time.now = T0 + 2000;
  const changed = clock.applyServerTimes({ server_now: iso(T0 + MIN + 1000), deadline: iso(T0 + 30 * MIN) }, { t0: T0, t1: T0 + 2000 });
  assert.equal(changed, false, "the same deadline is no change");
  assert.equal(clock.offset(), MIN);
  assert.equal(clock.remainingMs(), 30 * MIN - MIN - 2000);
});

test("slow round trips are ignored once a good sample exists, but the first one counts", () => {
  const { time, clock } = clockAt();
  time.now = T0 + 8000;
  clock.applyServerTimes({ server_now: iso(T0 + 4000 + 5000) }, { t0: T0, t1: T0 + 8000 });
  assert.equal(clock.offset(), 5000, "first response: better than the page's stamp");
  clock.applyServerTimes({ server_now: iso(T0 + 4000 + 9000) }, { t0: T0, t1: T0 + 8000 });
  assert.equal(clock.offset(), 5000, "a slow one after it is ignored");
  clock.applyServerTimes({ server_now: iso(T0 + 500 + 7000) }, { t0: T0, t1: T0 + 1000 });
  assert.equal(clock.offset(), 7000, "a quick one replaces it");
});

test("a deadline change (an extension) is reported and changes the time left", () => {
  const { clock } = clockAt();
  assert.equal(clock.applyServerTimes({ deadline: iso(T0 + 30 * MIN + 400) }, null), false, "under a second is rounding");
  assert.equal(clock.remainingMs(), 30 * MIN);
  assert.equal(clock.applyServerTimes({ deadline: iso(T0 + 40 * MIN) }, null), true);
  assert.equal(clock.deadline(), T0 + 40 * MIN);
  assert.equal(clock.remainingMs(), 40 * MIN);
  assert.equal(clock.applyServerTimes({ deadline: "not a time" }, null), false);
  assert.equal(clock.applyServerTimes(null, null), false);
  assert.equal(clock.deadline(), T0 + 40 * MIN);
});

test("the five-minute warning comes once per deadline, again after a change", () => {
  const { time, clock } = clockAt();
  assert.equal(clock.check(), "running");
  time.now = T0 + 30 * MIN - WARN_MS - 1;
  assert.equal(clock.check(), "running");
  assert.equal(clock.view().warning, false);
  time.now += 1;
  assert.equal(clock.view().warning, true);
  assert.equal(clock.check(), "warn");
  assert.equal(clock.warnedFor(), T0 + 30 * MIN);
  assert.equal(clock.check(), "running", "not twice");
  clock.applyServerTimes({ deadline: iso(T0 + 32 * MIN) }, null);
  assert.equal(clock.check(), "running", "two more minutes: no warning yet");
  time.now += 2 * 60 * 1000;
  assert.equal(clock.check(), "warn", "the new deadline warns again");
  assert.equal(clock.check(), "running");
  time.now = T0 + 32 * MIN;
  assert.equal(clock.check(), "over");
  assert.equal(clock.view().text, "00:00");
});

test("a warning remembered from before a reload counts only for the same deadline", () => {
  const { time, clock } = clockAt();
  time.now = T0 + 27 * MIN;
  clock.restoreWarnedFor(T0 + 20 * MIN);
  assert.equal(clock.check(), "warn", "an older deadline's warning does not count");
  const other = clockAt();
  other.time.now = T0 + 27 * MIN;
  other.clock.restoreWarnedFor(T0 + 30 * MIN);
  assert.equal(other.clock.check(), "running");
});

test("without a deadline the clock never ends and shows --:--", () => {
  const clock = createClock({ now: () => T0, deadline: "", serverNow: "" });
  assert.equal(clock.remainingMs(), Infinity);
  assert.equal(clock.check(), "none");
  assert.deepEqual(clock.view(), { text: "--:--", warning: false });
  assert.equal(clock.applyServerTimes({ deadline: iso(T0 + MIN) }, null), true, "the first deadline is news");
  assert.equal(clock.view().text, "01:00");
});
