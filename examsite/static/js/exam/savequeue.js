/* The save queue: every answer goes to the offline store (localStorage) first, then to the
 * JSON API, one request at a time, retried with backoff while the network is down.
 *
 * The one rule above all others: never lose an answer. A save is only forgotten when the
 * server has confirmed it (200) or told us it already holds a newer one (409 stale_sequence).
 *
 * Storage format (localStorage[data-storage-key], JSON):
 *   {
 *     "v": 1, "attempt": "123",
 *     "seq": 42,                       // highest seq this browser has handed out
 *     "answers": {"0": {"choice": [1], "flagged": false, "seq": 18, "saved": true}, ...},
 *     "pending": {"3": {"position": 3, "choice": [0, 2], "flagged": true, "seq": 42}, ...},
 *     "current": 3, "mode": "all" | "single",
 *     "notices": ["id:3"], "warnedFor": <deadline ms the 5-minute warning was shown for>,
 *     "updated": <ms>
 *   }
 *   "pending" is the queue of saves not yet confirmed by the server, exactly the bodies to
 *   POST; "answers" is the latest local state of every question.
 *
 * No DOM here: storage, request, now(), timers and random() are injected; the page is told
 * about changes through hooks.
 */

import { byNumber, isInt } from "./util.js";

export const DEBOUNCE_MS = 300;          // wait this long after a change before sending it
export const BACKOFF_MIN_MS = 1000;      // retry delays: 1 s, 2 s, 4 s ... (with jitter)
export const BACKOFF_MAX_MS = 30000;     // ... never more than 30 s
export const OTHER_TAB_GRACE_MS = 4000;  // a save adopted from another tab: let that tab send it first
export const PERSIST_DELAY_MS = 500;     // persistSoon() batches UI-only writes
const KEY_PREFIX = "examsite:attempt:";

// ---------------------------------------------------------------------------
// The offline store
// ---------------------------------------------------------------------------

/** localStorage access that never throws. storage may be null (no localStorage at all). */
export function createStore(opts) {
  const storage = opts.storage;
  const key = opts.key;
  const attempt = opts.attempt || "";
  const log = opts.log || (() => {});

  function need() {
    if (!storage) { throw new Error("no localStorage"); }
    return storage;
  }

  return {
    key,
    read() {
      try {
        const raw = need().getItem(key);
        const data = raw ? JSON.parse(raw) : null;
        if (!data || typeof data !== "object") { return null; }
        if (data.attempt && attempt && String(data.attempt) !== attempt) { return null; }
        return data;
      } catch (e) {
        return null;
      }
    },

    /** Write; on a full store, drop other attempts' fully-saved data and try once more. */
    write(data) {
      const text = JSON.stringify(data);
      try {
        need().setItem(key, text);
        return true;
      } catch (e) {
        try {
          const s = need();
          const drop = [];
          for (let i = 0; i < s.length; i++) {
            const other = s.key(i);
            if (other && other !== key && other.indexOf(KEY_PREFIX) === 0) {
              let data2 = null;
              try { data2 = JSON.parse(s.getItem(other)); } catch (ignore) { data2 = null; }
              if (!data2 || !data2.pending || !Object.keys(data2.pending).length) { drop.push(other); }
            }
          }
          drop.forEach((k) => s.removeItem(k));
          s.setItem(key, text);
          return true;
        } catch (e2) {
          log("error", "cannot write localStorage; answers are only in memory", e2);
          return false;
        }
      }
    },

    remove() {
      try { need().removeItem(key); } catch (e) { /* nothing to keep anyway */ }
    }
  };
}

/** A stored record is usable if it has a choice array and an integer seq. */
export function validStored(r) {
  return !!r && typeof r === "object" && Array.isArray(r.choice) && isInt(r.seq) && r.seq >= 0;
}

/** The newest thing stored for one position (pending wins a tie: it is not confirmed). */
export function bestStored(data, pos) {
  const a = data.answers && data.answers[pos];
  const p = data.pending && data.pending[pos];
  let best = null;
  if (validStored(a)) {
    best = { choice: a.choice, flagged: !!a.flagged, seq: a.seq, saved: a.saved !== false };
  }
  if (validStored(p) && (!best || p.seq >= best.seq)) {
    best = { choice: p.choice, flagged: !!p.flagged, seq: p.seq, saved: false };
  }
  return best;
}

/** Keep only option values the question has (one at most for radios); sorted, unique. */
export function sanitizeChoice(question, choice) {
  const valid = {};
  question.values.forEach((v) => { valid[v] = true; });
  let out = [];
  (Array.isArray(choice) ? choice : []).forEach((v) => {
    if (isInt(v) && valid[v] && out.indexOf(v) < 0) { out.push(v); }
  });
  out.sort(byNumber);
  if (!question.multiple && out.length > 1) { out = [out[0]]; }
  return out;
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/** What a save response means (see the API contract): saved, stale, retry, rejected,
 *  session (logged out: never retried) or over (deadline passed / submitted). */
export function classifySave(res, body) {
  if (res.kind === "network" || res.kind === "timeout") { return "retry"; }
  if (res.kind === "redirect") { return "session"; }
  const status = res.status;
  const data = res.data && typeof res.data === "object" ? res.data : {};
  if (status >= 200 && status < 300) {
    if (data.ok !== true) { return "retry"; } // e.g. an HTML page from a proxy: not saved
    if ((isInt(data.seq) && data.seq !== body.seq) || (isInt(data.position) && data.position !== body.position)) {
      return "rejected";
    }
    return "saved";
  }
  if (status === 409 && data.code === "stale_sequence") { return "stale"; }
  if (status === 401) { return "session"; }
  if (status === 403 && (data.code === "deadline_passed" || data.code === "submitted")) { return "over"; }
  if (status === 408 || status === 429 || status >= 500) { return "retry"; }
  return "rejected"; // 400 bad_request or any other unexpected answer: a bug somewhere
}

/** Retry delay after the given number of failures in a row; random() in [0, 1) is jitter. */
export function backoffDelay(failures, random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, Math.max(0, failures - 1)));
  return Math.min(BACKOFF_MAX_MS, Math.round(base * (0.75 + random() * 0.5)));
}

// ---------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------

const NO_HOOKS = {
  meta: () => ({}),        // {current, mode, notices, warnedFor}: the page's part of the store
  mergeMeta: () => {},     // (data) another write's notices / warning
  replaced: () => {},      // (pos) a newer answer from storage replaced ours: redraw its inputs
  question: () => {},      // (pos) the saved state of a question changed
  status: () => {},        // the save indicator may have changed
  serverData: () => {},    // (data, res) a save was confirmed: server clock and deadline
  session: () => {},       // (data) 401 / redirect: the login ended
  over: () => {}           // (data) 403: the test is over
};

/**
 * opts: {positions, questions: {pos: {values: [option values], multiple}}, store, request,
 *        saveUrl, attempt, lastSeq, now, setTimeout, clearTimeout, random, log, hooks}.
 * Call restore() once before anything else.
 */
export function createSaveQueue(opts) {
  const positions = opts.positions.slice().sort(byNumber);
  const questions = opts.questions;
  const store = opts.store;
  const request = opts.request;
  const now = opts.now;
  const setTimer = opts.setTimeout;
  const clearTimer = opts.clearTimeout;
  const random = opts.random || Math.random;
  const log = opts.log || (() => {});
  const hooks = Object.assign({}, NO_HOOKS, opts.hooks || {});

  // records[pos] = {choice: [..], flagged: bool, seq: int, saved: bool}: the latest answer of
  // every question; "saved" is false while the server has not confirmed it (= pending).
  const records = {};
  const dueAt = {};     // pos -> earliest now() its pending save may be sent (debounce)
  const rejected = {};  // pos -> true: the server refused it as a bad request; not auto-retried
  let seqCounter = Math.max(0, opts.lastSeq || 0); // highest seq handed out (or known to be used)
  const net = { inFlight: null, failures: 0, retryAt: 0, failing: false };
  let pumpTimer = null;
  let flushWaiters = [];
  let stopped = false;
  let storageOk = true;       // false when localStorage refuses to store
  let storageCleared = false; // the test is over and nothing was pending: keep nothing
  let persistTimer = null;

  function sanitize(pos, choice) { return sanitizeChoice(questions[pos], choice); }
  function unsavedCount() {
    let n = 0;
    positions.forEach((pos) => { if (!records[pos].saved) { n++; } });
    return n;
  }
  function unsavedRejected() {
    return positions.filter((pos) => !records[pos].saved && rejected[pos]);
  }
  function noteSeq(n) {
    if (isInt(n) && n > seqCounter) { seqCounter = n; }
  }

  /**
   * Merge what another tab (or an earlier write) left in storage into memory: a record with
   * a higher seq is newer and replaces ours; an equal seq marked saved confirms ours.
   * The seq counter never goes backwards.
   */
  function mergeStored(data) {
    if (!data) { return; }
    noteSeq(data.seq);
    hooks.mergeMeta(data);
    positions.forEach((pos) => {
      const theirs = bestStored(data, pos);
      const mine = records[pos];
      if (!theirs || !mine) { return; }
      if (theirs.seq > mine.seq) {
        records[pos] = {
          choice: sanitize(pos, theirs.choice), flagged: theirs.flagged,
          seq: theirs.seq, saved: theirs.saved
        };
        delete rejected[pos];
        if (!theirs.saved) { dueAt[pos] = now() + OTHER_TAB_GRACE_MS; }
        hooks.replaced(pos);
      } else if (theirs.seq === mine.seq && theirs.saved && !mine.saved) {
        mine.saved = true;
        hooks.question(pos);
      }
    });
  }

  function writeNow() {
    if (storageCleared) { return; }
    const answers = {};
    const pending = {};
    positions.forEach((pos) => {
      const r = records[pos];
      answers[pos] = { choice: r.choice.slice(), flagged: !!r.flagged, seq: r.seq, saved: !!r.saved };
      if (!r.saved) {
        pending[pos] = { position: pos, choice: r.choice.slice(), flagged: !!r.flagged, seq: r.seq };
      }
    });
    const meta = hooks.meta() || {};
    storageOk = store.write({
      v: 1, attempt: opts.attempt || "", seq: seqCounter, answers: answers, pending: pending,
      current: meta.current, mode: meta.mode, notices: meta.notices,
      warnedFor: meta.warnedFor, updated: now()
    });
  }

  /** Read-merge-write, so that two tabs of the same attempt never overwrite each other. */
  function persist() {
    if (persistTimer) { clearTimer(persistTimer); persistTimer = null; }
    mergeStored(store.read());
    writeNow();
  }
  function persistSoon() {
    if (!persistTimer) { persistTimer = setTimer(persist, PERSIST_DELAY_MS); }
  }

  /**
   * Start-up reconciliation of the server's page with what this browser remembers.
   * server(pos) -> {seq, choice, flagged} as the server rendered the question.
   */
  function restore(stored, server) {
    positions.forEach((pos) => {
      const s = server(pos);
      const serverSeq = Math.max(0, s.seq || 0);
      const mine = stored ? bestStored(stored, pos) : null;
      if (mine && mine.seq > serverSeq) {
        // This browser has a newer answer than the server (never sent, or lost on the way):
        // show it and send it again. This covers every pending save with seq > data-saved-seq.
        records[pos] = { choice: sanitize(pos, mine.choice), flagged: mine.flagged, seq: mine.seq, saved: false };
        dueAt[pos] = 0;
      } else {
        // The server is up to date (or newer, e.g. from another computer): it wins, and any
        // older pending save for this question is dropped. If the page does not render flags,
        // our copy of the very same save (equal seq) knows the flag.
        let flagged = !!s.flagged;
        if (mine && mine.seq === serverSeq && serverSeq > 0) { flagged = flagged || mine.flagged; }
        records[pos] = { choice: sanitize(pos, s.choice), flagged: flagged, seq: serverSeq, saved: true };
      }
      noteSeq(records[pos].seq);
    });
    if (stored) { noteSeq(stored.seq); }
  }

  /** The candidate changed question pos. Remembered in storage before anything is sent;
   *  flagged as given, or kept when not a boolean. False when saving has stopped. */
  function change(pos, choice, flagged) {
    if (stopped) { return false; }
    const clean = sanitize(pos, choice);
    mergeStored(store.read()); // never reuse a seq another tab already took
    seqCounter += 1;
    records[pos] = {
      choice: clean,
      flagged: typeof flagged === "boolean" ? flagged : !!records[pos].flagged,
      seq: seqCounter,
      saved: false
    };
    dueAt[pos] = now() + DEBOUNCE_MS; // newest choice wins: each change restarts the wait
    delete rejected[pos];
    writeNow();
    schedulePump(DEBOUNCE_MS);
    return true;
  }

  function schedulePump(delay) {
    if (pumpTimer) { clearTimer(pumpTimer); }
    pumpTimer = setTimer(pump, Math.max(0, delay || 0));
  }

  /**
   * The sender. One save request at a time: the pending save with the lowest seq whose
   * debounce has passed. Reschedules itself for debounces and backoff.
   */
  function pump() {
    if (pumpTimer) { clearTimer(pumpTimer); pumpTimer = null; }
    if (stopped || net.inFlight) { return; }
    const t = now();
    let next = null;
    let wait = Infinity;
    positions.forEach((pos) => {
      const r = records[pos];
      if (r.saved || rejected[pos]) { return; }
      const due = dueAt[pos] || 0;
      if (due > t) { wait = Math.min(wait, due - t); return; }
      if (next === null || r.seq < records[next].seq) { next = pos; }
    });
    if (next !== null && net.retryAt > t) {
      schedulePump(net.retryAt - t);
    } else if (next !== null) {
      sendSave(next);
    } else if (wait < Infinity) {
      schedulePump(wait);
    }
    settleFlushes();
    hooks.status();
  }

  function bodyOf(pos) {
    const r = records[pos];
    return { position: pos, choice: r.choice.slice(), seq: r.seq, flagged: !!r.flagged };
  }

  function sendSave(pos) {
    const body = bodyOf(pos);
    net.inFlight = { pos: pos, seq: body.seq };
    hooks.status();
    request("POST", opts.saveUrl, body).then((res) => {
      net.inFlight = null;
      handleSaveResult(body, res);
      pump();
    });
  }

  function handleSaveResult(body, res) {
    const pos = body.position;
    const outcome = classifySave(res, body);
    const r = records[pos];
    const data = res.data && typeof res.data === "object" ? res.data : {};
    if (outcome === "saved" || outcome === "stale") {
      net.failures = 0;
      net.retryAt = 0;
      net.failing = false;
      // A newer change made while this one was on the way stays pending.
      if (r.seq === body.seq) { r.saved = true; }
      if (outcome === "stale") {
        noteSeq(data.seq);
        noteSeq(data.last_seq);
        log("info", "server already had a newer save for question " + pos, data);
      }
      persist();
      hooks.serverData(data, res);
    } else if (outcome === "retry") {
      net.failures += 1;
      net.failing = true;
      net.retryAt = now() + backoffDelay(net.failures, random);
      log("warn", "save failed, will retry (" + (res.kind === "http" ? "HTTP " + res.status : res.kind) + ")");
      failFlushes();
    } else if (outcome === "rejected") {
      log("error", "the server refused a save; the answer is kept in this browser", { request: body, status: res.status, response: res.data });
      if (r.seq === body.seq) { rejected[pos] = true; }
      failFlushes();
    } else if (outcome === "session") {
      hooks.session(data);
    } else if (outcome === "over") {
      hooks.over(data);
    }
    hooks.question(pos);
    hooks.status();
  }

  // Flushing: send everything now (no debounce, no backoff) and report whether all arrived.
  function settleFlushes() {
    if (!flushWaiters.length || net.inFlight || unsavedCount() > 0) { return; }
    resolveFlushes(true);
  }
  function failFlushes() { resolveFlushes(false); }
  function resolveFlushes(ok) {
    const waiters = flushWaiters;
    flushWaiters = [];
    waiters.forEach((w) => { clearTimer(w.timer); w.resolve(ok); });
  }

  /** Resolves true when nothing is pending, false on the first failure or after maxMs. */
  function flush(maxMs) {
    return new Promise((resolve) => {
      if (stopped) { resolve(unsavedCount() === 0); return; }
      const waiter = { resolve: resolve, timer: null };
      waiter.timer = setTimer(() => {
        const i = flushWaiters.indexOf(waiter);
        if (i >= 0) { flushWaiters.splice(i, 1); resolve(false); }
      }, maxMs);
      flushWaiters.push(waiter);
      positions.forEach((pos) => {
        if (!records[pos].saved) { dueAt[pos] = 0; delete rejected[pos]; } // one more try each
      });
      net.retryAt = 0;
      pump();
    });
  }

  /** Flush, and flush again if the candidate changed something meanwhile (up to 3 rounds). */
  function flushUntilClean(maxMs) {
    const until = now() + maxMs;
    function round(n) {
      return flush(Math.max(1000, until - now())).then((ok) => {
        if (ok && unsavedCount() > 0 && n < 3) { return round(n + 1); }
        return ok && unsavedCount() === 0;
      });
    }
    return round(1);
  }

  /** On leaving the page: send every pending save at once with keepalive (best effort). */
  function sendAllWithKeepalive() {
    if (stopped) { return; }
    positions.forEach((pos) => {
      const r = records[pos];
      if (r.saved || rejected[pos] || (net.inFlight && net.inFlight.pos === pos && net.inFlight.seq === r.seq)) { return; }
      const body = bodyOf(pos);
      request("POST", opts.saveUrl, body, { keepalive: true }).then((res) => {
        const outcome = classifySave(res, body);
        if ((outcome === "saved" || outcome === "stale") && records[pos].seq === body.seq) {
          records[pos].saved = true;
          persist();
          hooks.question(pos);
          hooks.status();
          settleFlushes();
        }
      });
    });
  }

  return {
    restore,
    change,
    pump,
    schedulePump,
    flush,
    flushUntilClean,
    sendAllWithKeepalive,
    persist,
    persistSoon,
    writeNow,
    noteSeq,
    unsavedCount,
    /** Another tab of the same attempt wrote: take its newer answers and send soon. */
    mergeFromOtherTab(data) {
      mergeStored(data);
      schedulePump(0);
    },
    /** Send every pending save now, without waiting for its debounce (the page is hidden). */
    sendPendingNow() {
      positions.forEach((pos) => { if (!records[pos].saved) { dueAt[pos] = 0; } });
      pump();
    },
    /** The network is back: retry at once. */
    online() {
      net.retryAt = 0;
      net.failures = 0;
      pump();
    },
    offline() {
      if (unsavedCount() > 0) { net.failing = true; hooks.status(); }
    },
    /** No more saving, for good: pending flushes report failure. */
    stop() {
      stopped = true;
      if (pumpTimer) { clearTimer(pumpTimer); pumpTimer = null; }
      resolveFlushes(false);
    },
    /** The test is over with nothing pending: do not leave answers on a shared computer. */
    clearStore() {
      storageCleared = true;
      store.remove();
    },
    record(pos) { return records[pos]; },
    answeredCount() {
      return positions.filter((pos) => records[pos].choice.length > 0).length;
    },
    seq() { return seqCounter; },
    storageOk() { return storageOk; },
    /** What the save indicator needs to know. */
    status() {
      const unsaved = unsavedCount();
      return {
        unsaved: unsaved,
        rejected: unsavedRejected().length,
        failing: net.failing,
        inFlight: !!net.inFlight,
        storageOk: storageOk
      };
    }
  };
}
