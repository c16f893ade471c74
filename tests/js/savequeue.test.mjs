// node --test tests/js/ — the save queue and the offline store
// (examsite/static/js/exam/savequeue.js), on fake timers, storage and network.
import test from "node:test";
import assert from "node:assert/strict";
import {
  backoffDelay, bestStored, classifySave, createSaveQueue, createStore, sanitizeChoice, DEBOUNCE_MS
} from "../../examsite/static/js/exam/savequeue.js";
import { fakeRequest, fakeStorage, fakeTime, settle } from "./helpers.mjs";

const KEY = "examsite:attempt:7";
const QUESTIONS = {
  0: { values: [0, 1, 2, 3], multiple: false },
  1: { values: [0, 1, 2, 3], multiple: true },
  2: { values: [0, 1], multiple: false }
};

/** A queue as the page builds it; server: pos -> what the page rendered. */
function setup({ storage = fakeStorage(), server = {}, auto, time = fakeTime(), onSession } = {}) {
  const net = fakeRequest(time, auto);
  const store = createStore({ storage, key: KEY, attempt: "7" });
  const seen = { session: [], over: [], replaced: [], serverData: [], status: 0 };
  let queue = null;
  queue = createSaveQueue({
    positions: [2, 0, 1], questions: QUESTIONS, store, request: net.request,
    saveUrl: "/exam/api/answer", attempt: "7", lastSeq: 0,
    now: time.now, setTimeout: time.setTimeout, clearTimeout: time.clearTimeout, random: () => 0.5,
    hooks: {
      meta: () => ({ current: 0, mode: "all", notices: [], warnedFor: null }),
      replaced: (pos) => seen.replaced.push(pos),
      status: () => { seen.status += 1; },
      serverData: (data) => seen.serverData.push(data),
      session: (data) => { seen.session.push(data); if (onSession) { onSession(queue); } },
      over: (data) => seen.over.push(data)
    }
  });
  queue.restore(store.read(), (pos) => server[pos] || { seq: 0, choice: [], flagged: false });
  return { time, net, store, storage, queue, seen };
}

const pending = (storage) => storage.json(KEY).pending;
const bodies = (net) => net.calls.map((c) => c.body);

test("a change is in storage at once and sent once after the debounce", async () => {
  const { time, net, storage, queue } = setup();
  assert.equal(queue.change(0, [2]), true);
  assert.deepEqual(pending(storage), { 0: { position: 0, choice: [2], flagged: false, seq: 1 } });
  assert.equal(queue.status().unsaved, 1);
  await time.advance(DEBOUNCE_MS - 1);
  assert.equal(net.calls.length, 0, "not before the debounce");
  await time.advance(1);
  assert.equal(net.calls.length, 1);
  assert.equal(net.calls[0].method, "POST");
  assert.equal(net.calls[0].url, "/exam/api/answer");
  assert.deepEqual(net.calls[0].body, { position: 0, choice: [2], seq: 1, flagged: false });
  net.ok(net.calls[0]);
  await settle();
  assert.deepEqual(pending(storage), {});
  assert.equal(storage.json(KEY).answers[0].saved, true);
  assert.deepEqual(queue.status(), { unsaved: 0, rejected: 0, failing: false, inFlight: false, storageOk: true });
});

test("repeated changes to one question become one save of the newest answer", async () => {
  const { time, net, queue } = setup();
  queue.change(1, [1]);
  await time.advance(200);
  queue.change(1, [1, 3]);
  await time.advance(200);
  queue.change(1, [3, 0, 3, 9], true); // sorted, deduplicated, unknown option 9 dropped
  await time.advance(DEBOUNCE_MS - 1);
  assert.equal(net.calls.length, 0, "each change restarts the wait");
  await time.advance(1);
  assert.deepEqual(bodies(net), [{ position: 1, choice: [0, 3], seq: 3, flagged: true }]);
});

test("the wait restarts with each change even when the queue wakes for another save", async () => {
  const { time, net, queue } = setup();
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS); // question 0 is on the way
  await time.advance(50);
  queue.change(1, [1]);
  await time.advance(250);
  queue.change(1, [2]); // the candidate is still choosing
  await time.advance(100);
  net.ok(net.calls[0]); // the queue wakes up here
  await settle();
  assert.equal(net.calls.length, 1, "question 1 is not sent in the middle of its changes");
  await time.advance(DEBOUNCE_MS - 100);
  assert.deepEqual(net.calls[1].body, { position: 1, choice: [2], seq: 3, flagged: false });
});

test("in storage an unconfirmed save wins over the same seq marked saved", () => {
  const data = {
    answers: { 0: { choice: [1], flagged: false, seq: 4, saved: true }, 1: { choice: [2], seq: 6 } },
    pending: { 0: { position: 0, choice: [1], flagged: true, seq: 4 }, 1: { position: 1, choice: [3], seq: 5 } }
  };
  assert.deepEqual(bestStored(data, 0), { choice: [1], flagged: true, seq: 4, saved: false });
  assert.deepEqual(bestStored(data, 1), { choice: [2], flagged: false, seq: 6, saved: true }, "a newer answer wins");
  assert.equal(bestStored({ answers: { 2: { choice: "x", seq: 1 } } }, 2), null, "malformed");
});

test("one request at a time, the oldest change first", async () => {
  const { time, net, queue } = setup();
  queue.change(2, [1]);
  queue.change(0, [0]);
  queue.change(1, [0, 2]);
  await time.advance(DEBOUNCE_MS);
  assert.equal(net.open().length, 1, "never two saves on the way");
  for (let i = 0; i < 3; i++) {
    net.ok(net.open()[0]);
    await settle();
  }
  assert.deepEqual(bodies(net).map((b) => [b.position, b.seq]), [[2, 1], [0, 2], [1, 3]]);
  assert.equal(queue.unsavedCount(), 0);
});

test("a change made while its save is on the way stays pending and is sent next", async () => {
  const { time, net, storage, queue } = setup();
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS);
  queue.change(0, [2]);
  net.ok(net.calls[0]);
  await settle();
  assert.equal(queue.record(0).saved, false, "the confirmation of seq 1 does not cover seq 2");
  assert.equal(pending(storage)[0].seq, 2);
  await time.advance(DEBOUNCE_MS);
  assert.deepEqual(net.calls[1].body, { position: 0, choice: [2], seq: 2, flagged: false });
});

test("a network failure keeps the answer and retries with growing delays", async () => {
  const { time, net, storage, queue } = setup();
  queue.change(0, [3]);
  await time.advance(DEBOUNCE_MS);
  net.calls[0].reply({ kind: "network", status: 0 });
  await settle();
  assert.equal(queue.status().failing, true);
  assert.equal(queue.status().unsaved, 1);
  assert.equal(pending(storage)[0].choice[0], 3, "still in the offline store");
  await time.advance(999);
  assert.equal(net.calls.length, 1, "1 s backoff");
  await time.advance(1);
  assert.equal(net.calls.length, 2);
  net.calls[1].reply({ kind: "timeout", status: 0 });
  await time.advance(1999);
  assert.equal(net.calls.length, 2, "then 2 s");
  await time.advance(1);
  assert.equal(net.calls.length, 3);
  net.calls[2].reply({ status: 503, data: null });
  await time.advance(3999);
  assert.equal(net.calls.length, 3, "then 4 s");
  await time.advance(1);
  net.ok(net.calls[3]);
  await settle();
  assert.equal(queue.status().failing, false);
  assert.deepEqual(pending(storage), {});
  assert.deepEqual(net.calls[3].body, net.calls[0].body, "the same save, again");
});

test("the network coming back retries at once", async () => {
  const { time, net, queue } = setup();
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS);
  net.calls[0].reply({ kind: "network" });
  await settle();
  queue.online();
  await settle();
  assert.equal(net.calls.length, 2);
});

test("the offline store is replayed after a reload, and seqs continue", async () => {
  const storage = fakeStorage();
  const first = setup({ storage });
  first.queue.change(0, [2]);
  first.queue.change(1, [0, 1], true);
  await first.time.advance(DEBOUNCE_MS);
  first.net.calls[0].reply({ kind: "network" });
  await settle();

  // The page is loaded again; the server never got either answer.
  const second = setup({ storage });
  assert.deepEqual(second.queue.record(0), { choice: [2], flagged: false, seq: 1, saved: false });
  assert.equal(second.queue.status().unsaved, 2);
  second.queue.pump();
  await settle();
  second.net.ok(second.net.calls[0]);
  await settle();
  assert.deepEqual(bodies(second.net), [
    { position: 0, choice: [2], seq: 1, flagged: false },
    { position: 1, choice: [0, 1], seq: 2, flagged: true }
  ]);
  second.queue.change(2, [0]);
  assert.equal(second.queue.record(2).seq, 3, "a seq is never handed out twice");
});

test("on reload the server wins when it has a newer answer, and its flag is merged on a tie", () => {
  const storage = fakeStorage();
  storage.setItem(KEY, JSON.stringify({
    v: 1, attempt: "7", seq: 4,
    answers: { 1: { choice: [1], flagged: true, seq: 3, saved: true } },
    pending: { 0: { position: 0, choice: [1], flagged: false, seq: 4 } }
  }));
  const { queue, net } = setup({
    storage,
    server: { 0: { seq: 9, choice: [3], flagged: false }, 1: { seq: 3, choice: [1], flagged: false } }
  });
  assert.deepEqual(queue.record(0), { choice: [3], flagged: false, seq: 9, saved: true }, "older pending dropped");
  assert.deepEqual(queue.record(1), { choice: [1], flagged: true, seq: 3, saved: true });
  assert.equal(queue.unsavedCount(), 0);
  queue.pump();
  assert.equal(net.calls.length, 0);
  queue.change(2, [1]);
  assert.equal(queue.record(2).seq, 10, "above the server's seq");
});

test("another attempt's data in the same browser is ignored", () => {
  const storage = fakeStorage();
  storage.setItem(KEY, JSON.stringify({ attempt: "8", seq: 5, pending: { 0: { position: 0, choice: [1], seq: 5 } } }));
  const { queue } = setup({ storage });
  assert.equal(queue.unsavedCount(), 0);
});

test("a rejected save (400) is kept and reported, not retried on its own", async () => {
  const { time, net, storage, queue } = setup();
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS);
  net.calls[0].reply({ status: 400, data: { ok: false, code: "bad_request" } });
  await settle();
  assert.deepEqual(queue.status(), { unsaved: 1, rejected: 1, failing: false, inFlight: false, storageOk: true });
  await time.advance(120000);
  assert.equal(net.calls.length, 1, "not retried");
  assert.equal(pending(storage)[0].seq, 1, "kept in the offline store");
  const flushed = queue.flush(5000); // submit / time up: one more try each
  await settle();
  assert.equal(net.calls.length, 2);
  net.ok(net.calls[1]);
  assert.equal(await flushed, true);
});

test("a 200 for another seq or question is treated as rejected", () => {
  const body = { position: 1, seq: 5 };
  assert.equal(classifySave({ kind: "http", status: 200, data: { ok: true, seq: 4 } }, body), "rejected");
  assert.equal(classifySave({ kind: "http", status: 200, data: { ok: true, position: 2 } }, body), "rejected");
});

test("what each answer means", () => {
  const body = { position: 1, seq: 5 };
  const cases = [
    [{ kind: "network" }, "retry"],
    [{ kind: "timeout" }, "retry"],
    [{ kind: "redirect", status: 302 }, "session"],
    [{ kind: "http", status: 200, data: { ok: true, seq: 5, position: 1 } }, "saved"],
    [{ kind: "http", status: 200, data: null }, "retry"],
    [{ kind: "http", status: 409, data: { code: "stale_sequence" } }, "stale"],
    [{ kind: "http", status: 409, data: { code: "other" } }, "rejected"],
    [{ kind: "http", status: 401, data: null }, "session"],
    [{ kind: "http", status: 403, data: { code: "deadline_passed" } }, "over"],
    [{ kind: "http", status: 403, data: { code: "submitted" } }, "over"],
    [{ kind: "http", status: 403, data: { code: "csrf" } }, "rejected"],
    [{ kind: "http", status: 408 }, "retry"],
    [{ kind: "http", status: 429 }, "retry"],
    [{ kind: "http", status: 502 }, "retry"],
    [{ kind: "http", status: 400, data: { code: "bad_request" } }, "rejected"]
  ];
  cases.forEach(([res, outcome]) => assert.equal(classifySave(res, body), outcome, JSON.stringify(res)));
});

test("retry delays double up to 30 s, with jitter of a quarter either way", () => {
  assert.equal(backoffDelay(1, () => 0.5), 1000);
  assert.equal(backoffDelay(2, () => 0.5), 2000);
  assert.equal(backoffDelay(6, () => 0.5), 30000);
  assert.equal(backoffDelay(40, () => 0.999), 30000);
  assert.equal(backoffDelay(1, () => 0), 750);
});

test("a 409 stale_sequence counts as saved and moves the seq counter past the server's", async () => {
  const { time, net, queue } = setup();
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS);
  net.calls[0].reply({ status: 409, data: { ok: false, code: "stale_sequence", seq: 40, last_seq: 41 } });
  await settle();
  assert.equal(queue.record(0).saved, true);
  queue.change(1, [0]);
  assert.equal(queue.record(1).seq, 42);
});

test("an ended login (401) stops the queue for good", async () => {
  const { time, net, storage, queue, seen } = setup({ onSession: (q) => q.stop() });
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS);
  net.calls[0].reply({ status: 401, data: { code: "session_replaced" } });
  await settle();
  assert.deepEqual(seen.session, [{ code: "session_replaced" }]);
  assert.equal(queue.change(1, [1]), false, "no more changes");
  assert.equal(await queue.flush(1000), false, "a flush cannot succeed");
  await time.advance(60000);
  assert.equal(net.calls.length, 1);
  assert.equal(pending(storage)[0].seq, 1, "the answer stays in this browser");
});

test("a redirect means the login ended too; a 403 deadline_passed means the test is over", async () => {
  const a = setup();
  a.queue.change(0, [1]);
  await a.time.advance(DEBOUNCE_MS);
  a.net.calls[0].reply({ kind: "redirect", status: 0 });
  await settle();
  assert.equal(a.seen.session.length, 1);
  const b = setup();
  b.queue.change(0, [1]);
  await b.time.advance(DEBOUNCE_MS);
  b.net.calls[0].reply({ status: 403, data: { code: "deadline_passed", error: "over" } });
  await settle();
  assert.deepEqual(b.seen.over, [{ code: "deadline_passed", error: "over" }]);
});

test("a confirmed save hands the server's times to the page", async () => {
  const { time, net, queue, seen } = setup();
  queue.change(0, [1]);
  await time.advance(DEBOUNCE_MS);
  net.ok(net.calls[0], { deadline: "2025-03-01T10:00:00Z", last_seq: 12 });
  await settle();
  assert.equal(seen.serverData[0].deadline, "2025-03-01T10:00:00Z");
});

test("flush: true once everything arrived, false on a failure or after its time", async () => {
  const { time, net, queue } = setup();
  assert.equal(await queue.flush(1000), true, "nothing pending");
  queue.change(0, [1]);
  queue.change(1, [2]);
  const ok = queue.flush(5000);
  await settle();
  assert.equal(net.calls.length, 1, "no debounce when flushing");
  net.ok(net.calls[0]);
  await settle();
  net.ok(net.calls[1]);
  assert.equal(await ok, true);

  queue.change(0, [2]);
  const failed = queue.flush(5000);
  await settle();
  net.calls[2].reply({ kind: "network" });
  assert.equal(await failed, false);

  let done = null;
  queue.flush(3000).then((v) => { done = v; });
  await settle();
  assert.equal(net.calls.length, 4, "a flush skips the backoff");
  await time.advance(3000);
  assert.equal(done, false, "no answer in time");
});

test("flushUntilClean also sends what changed during the flush", async () => {
  const { time, net, queue } = setup({
    auto: (call) => ({ status: 200, data: { ok: true, seq: call.body.seq, position: call.body.position } })
  });
  queue.change(0, [1]);
  let result = null;
  queue.flushUntilClean(20000).then((v) => { result = v; });
  queue.change(1, [1]); // made during the flush: it waits for its debounce
  await settle();
  assert.equal(result, null, "not done while question 1 is unsaved");
  await time.advance(DEBOUNCE_MS);
  assert.equal(result, true);
  assert.deepEqual(bodies(net).map((b) => b.position), [0, 1]);
});

test("leaving the page sends every pending save at once with keepalive", async () => {
  const { time, net, queue } = setup();
  queue.change(0, [1]);
  queue.change(1, [1]);
  queue.change(2, [0]);
  await time.advance(DEBOUNCE_MS); // question 2's save (seq 3) is not first; question 0 is
  queue.sendAllWithKeepalive();
  const keepalive = net.calls.filter((c) => c.opts.keepalive);
  assert.deepEqual(keepalive.map((c) => c.body.position).sort(), [1, 2], "not the one on the way");
  keepalive.forEach((c) => net.ok(c));
  await settle();
  assert.equal(queue.record(1).saved, true);
  assert.equal(queue.record(2).saved, true);
  assert.equal(queue.record(0).saved, false);
});

test("another tab's newer answer replaces ours; its confirmation of ours counts", async () => {
  const { queue, seen, storage } = setup();
  queue.change(0, [1]); // seq 1
  queue.change(1, [1]); // seq 2
  const other = storage.json(KEY);
  other.seq = 5;
  other.answers[0] = { choice: [3], flagged: true, seq: 5, saved: false };
  other.pending = { 0: { position: 0, choice: [3], flagged: true, seq: 5 } };
  other.answers[1].saved = true;
  queue.mergeFromOtherTab(other);
  assert.deepEqual(queue.record(0), { choice: [3], flagged: true, seq: 5, saved: false });
  assert.deepEqual(seen.replaced, [0]);
  assert.equal(queue.record(1).saved, true, "the other tab got seq 2 confirmed");
  queue.change(2, [0]);
  assert.equal(queue.record(2).seq, 6);
});

test("a full store drops other attempts' saved data, never their pending answers", () => {
  const storage = fakeStorage(400);
  storage.setItem("examsite:attempt:1", JSON.stringify({ pending: {}, pad: "x".repeat(150) }));
  storage.setItem("examsite:attempt:2", JSON.stringify({ pending: { 0: { seq: 1 } } }));
  storage.setItem("other:app", "y".repeat(40));
  const store = createStore({ storage, key: KEY, attempt: "7" });
  assert.equal(store.write({ v: 1, pad: "z".repeat(150) }), true);
  assert.equal(storage.getItem("examsite:attempt:1"), null);
  assert.notEqual(storage.getItem("examsite:attempt:2"), null);
  assert.notEqual(storage.getItem("other:app"), null);
  assert.equal(store.write({ v: 1, pad: "z".repeat(500) }), false, "still too big: reported");
});

test("without localStorage the answers live in memory and the page is told", async () => {
  const { queue } = setup({ storage: fakeStorage(10) });
  queue.change(0, [1]);
  assert.equal(queue.storageOk(), false);
  assert.equal(queue.status().storageOk, false);
  const none = createStore({ storage: null, key: KEY, attempt: "7" });
  assert.equal(none.read(), null);
  assert.equal(none.write({}), false);
});

test("at the end with nothing pending the store is emptied and stays empty", () => {
  const { queue, storage } = setup();
  queue.writeNow();
  assert.notEqual(storage.getItem(KEY), null);
  queue.clearStore();
  queue.writeNow();
  queue.persist();
  assert.equal(storage.getItem(KEY), null);
});

test("choices keep known options only, one for a radio question", () => {
  assert.deepEqual(sanitizeChoice(QUESTIONS[1], [3, 1, 1, 7, -1, 1.5, "2"]), [1, 3]);
  assert.deepEqual(sanitizeChoice(QUESTIONS[0], [2, 1]), [1]);
  assert.deepEqual(sanitizeChoice(QUESTIONS[2], null), []);
});
