/* The test's course: polling the server's state, notices, the countdown reaching 0, the end
 * of the test (finish page), a login that ended, and the guarded submit that only lets the
 * form go once every answer has reached the server.
 * Everything it touches is injected (queue, clock, notices, request, timers, location,
 * the submit button and form), so it runs in Node on fakes. */

import { REQUEST_TIMEOUT_MS } from "./request.js";

export const POLL_MS = 15000;            // state poll interval
export const TICK_MS = 500;              // countdown redraw
export const BLUR_MIN_GAP_MS = 3000;     // at most one "blur" event per 3 s
export const TIME_UP_FLUSH_MS = 5000;    // at 0: best-effort flush for at most 5 s
export const TIME_UP_STATE_MS = 5000;    // at 0: ask the server whether time is really up
export const SUBMIT_FLUSH_MS = 20000;    // on submit: give the flush this long at most
export const SUBMIT_CHECK_MS = 8000;     // on submit: is the server reachable at all?
export const SUBMIT_RESET_MS = 30000;    // still on the page this long after submitting: allow a retry
export const RESUME_MARGIN_MS = 1500;    // the server says this much time is left: it was a false alarm
export const FINISH_DELAY_MS = 1500;     // let the candidate read why before leaving the page

/**
 * o = {queue, clock, notices: {show, hide}, t, request, stateUrl, eventUrl, finishUrl,
 *      now, setTimeout, clearTimeout, setInterval, clearInterval,
 *      location: {assign(url), href()}, submitButton, form, doc,
 *      hooks: {renderTimer(), updateSaveState(), lockView(on), persist()}}
 */
export function createController(o) {
  const queue = o.queue;
  const clock = o.clock;
  const notices = o.notices;
  const t = o.t;
  const request = o.request;
  const hooks = o.hooks;
  const submitBtn = o.submitButton || null;
  const form = o.form;

  let stopped = null;        // null | "session" | "over": no more saving
  let locked = false;        // answer inputs disabled (time up / stopped)
  let timeUpActive = false;  // the countdown reached 0 and we are finishing
  let finishing = false;     // navigation to the finish page has been scheduled
  let finishFlushStarted = false;
  let submitBusy = false;    // the submit button was clicked and we are flushing
  let submitAllowed = false; // flush done: let the next submit event through
  let submitResetTimer = null;
  let deadlineUnannounced = false;
  let pollTimer = null;
  let pollInFlight = false;
  let tickTimer = null;
  let lastBlurAt = 0;
  let lastSubmitter = null;
  const noticesSeen = {};    // notice keys already shown
  const submitLabel = submitBtn ? submitBtn.textContent : "";

  /** Learn the server clock, the deadline and the last seq from a response. */
  function applyServerTimes(data, res) {
    if (!data || typeof data !== "object") { return false; }
    const changed = clock.applyServerTimes(data, res);
    queue.noteSeq(data.last_seq);
    hooks.renderTimer();
    return changed;
  }

  /** A save was confirmed: its response may carry a new deadline. */
  function onSaveConfirmed(data, res) {
    if (applyServerTimes(data, res)) { deadlineUnannounced = true; pollState(); }
  }

  function fetchState(timeout) {
    pollInFlight = true;
    return request("GET", o.stateUrl, null, { timeout: timeout }).then((res) => {
      pollInFlight = false;
      if (stopped) { return { ok: false }; }
      if (res.kind === "redirect" || res.status === 401) { stopSession(res.data); return { ok: false }; }
      if (res.status !== 200 || !res.data || typeof res.data !== "object") { return { ok: false }; }
      handleState(res.data, res);
      return { ok: true };
    });
  }

  function pollState() {
    if (stopped || pollInFlight || !o.stateUrl) { return; }
    fetchState(REQUEST_TIMEOUT_MS);
  }

  function handleState(data, res) {
    const changed = applyServerTimes(data, res);
    if (data.state && data.state !== "in_progress") {
      goFinish(data.state === "submitted" || data.state === "graded" ? t("overSubmitted") : t("goingToFinish"));
      return;
    }
    const key = data.notice ? (data.notice_id !== null && data.notice_id !== undefined ? "id:" + data.notice_id : "text:" + data.notice) : null;
    if (key && !noticesSeen[key]) {
      noticesSeen[key] = true;
      deadlineUnannounced = false;
      hooks.persist();
      notices.show(String(data.notice), "info");
    } else if (changed || deadlineUnannounced) {
      deadlineUnannounced = false;
      notices.show(t("deadlineChanged"), "info");
    }
    if (timeUpActive) {
      if (clock.remainingMs() > RESUME_MARGIN_MS) { resumeAfterFalseTimeUp(); } else { finishAfterFlush(); }
    }
  }

  /** Stop for good: saving, polling, the clock. Inputs are locked; local data is kept. */
  function stopAll(reason) {
    stopped = reason;
    queue.stop();
    if (pollTimer) { o.clearInterval(pollTimer); pollTimer = null; }
    setLocked(true);
    hooks.updateSaveState();
  }

  /** 401: logged out, reset by staff, or (session_replaced) a login on another computer
   *  took over. Never retried. */
  function stopSession(data) {
    if (stopped) { return; }
    stopAll("session");
    const replaced = data && typeof data === "object" && data.code === "session_replaced";
    notices.show(replaced ? t("sessionReplaced") : t("sessionEnded"), "error", true);
  }

  /** A save answered 403: the deadline passed or the paper was submitted elsewhere. */
  function onSaveOver(data) {
    goFinish(data.error ? String(data.error) : (data.code === "submitted" ? t("overSubmitted") : t("overDeadline")));
  }

  /** The test is over (or submitted): show why and go to the finish page. */
  function goFinish(message) {
    if (finishing) { return; }
    finishing = true;
    stopAll("over");
    if (tickTimer) { o.clearInterval(tickTimer); tickTimer = null; }
    notices.show(message || t("goingToFinish"), "info", true);
    if (queue.unsavedCount() === 0) { queue.clearStore(); }
    o.setTimeout(() => { o.location.assign(o.finishUrl || o.location.href()); }, FINISH_DELAY_MS);
  }

  function finishAfterFlush() {
    if (finishing || finishFlushStarted) { return; }
    finishFlushStarted = true;
    queue.flush(TIME_UP_FLUSH_MS).then(() => { goFinish(t("timeUp")); });
  }

  /**
   * The countdown reached 0: lock, flush (5 s max), then ask the server. The local clock can
   * be wrong (it can jump), so the server has the last word: if it still gives time, resume.
   * If it cannot be reached, stay on the page (a dead link would be worse) and keep trying.
   */
  function onTimeUp() {
    if (timeUpActive || stopped) { return; }
    timeUpActive = true;
    setLocked(true);
    notices.show(t("timeUp"), "warning", true);
    queue.flush(TIME_UP_FLUSH_MS).then(() => {
      if (stopped) { return null; }
      return fetchState(TIME_UP_STATE_MS);
    }).then((result) => {
      if (!result || stopped || !timeUpActive) { return; } // handled already
      if (!result.ok) {
        notices.show(t("timeUpOffline"), "error", true);
        // The 15 s poll (and "online") continue; handleState finishes when it gets through.
        return;
      }
      // handleState() has already run: resumed if the server gave more time, else finishing.
      if (clock.remainingMs() <= RESUME_MARGIN_MS) { finishAfterFlush(); }
    });
  }

  function resumeAfterFalseTimeUp() {
    timeUpActive = false;
    finishFlushStarted = false;
    notices.hide(true);
    setLocked(false);
    hooks.renderTimer();
  }

  function tick() {
    hooks.renderTimer();
    if (stopped) { return; }
    const phase = clock.check();
    if (phase === "over") {
      onTimeUp();
    } else if (phase === "warn") {
      hooks.persist();
      notices.show(t("fiveMinutes"), "warning");
    }
  }

  function setLocked(on) {
    locked = on;
    hooks.lockView(on);
    if (submitBtn && !submitAllowed) { submitBtn.disabled = on || submitBusy; }
  }

  function reportBlur() {
    if (stopped || !o.eventUrl) { return; }
    const now = o.now();
    if (now - lastBlurAt < BLUR_MIN_GAP_MS) { return; }
    lastBlurAt = now;
    o.request("POST", o.eventUrl, { type: "blur" }, { timeout: 10000, keepalive: true }); // failures ignored
  }

  function onSubmit(event) {
    const submitter = event.submitter || lastSubmitter;
    lastSubmitter = null;
    if (!submitBtn || submitter !== submitBtn) {
      // The plain "save" button is hidden and Enter must not post the form: autosave does it.
      event.preventDefault();
      queue.flush(REQUEST_TIMEOUT_MS);
      return;
    }
    if (submitAllowed) { return; } // our own requestSubmit() after a successful flush
    event.preventDefault();
    startSubmit();
  }

  function startSubmit() {
    if (submitBusy) { return; }
    if (stopped || timeUpActive) {
      if (stopped === "session") { notices.show(t("submitStopped"), "error"); }
      return;
    }
    submitBusy = true;
    submitBtn.disabled = true;
    submitBtn.setAttribute("aria-busy", "true");
    submitBtn.textContent = t("submitting");
    queue.flushUntilClean(SUBMIT_FLUSH_MS).then((ok) => {
      if (!ok || stopped) { return { saved: ok, reachable: false }; }
      // Everything is saved; make sure the server can be reached before leaving the page,
      // or the candidate would land on the browser's own "no internet" page.
      return fetchState(SUBMIT_CHECK_MS).then((state) => ({ saved: queue.unsavedCount() === 0, reachable: state.ok }));
    }).then((check) => {
      if (stopped) { return; } // the test ended meanwhile: goFinish/stopSession took over
      if (!check.saved || !check.reachable) {
        endSubmitAttempt();
        notices.show(!check.saved && queue.status().rejected ? t("submitRejected") : t("submitOffline"), "error");
        return;
      }
      submitAllowed = true;
      // A disabled submitter would not be sent with the form: enable it for the moment the
      // form data is built (synchronously, inside requestSubmit), then disable it again.
      submitBtn.disabled = false;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitBtn);
      } else {
        const hiddenAction = o.doc.createElement("input");
        hiddenAction.type = "hidden";
        hiddenAction.name = submitBtn.name || "action";
        hiddenAction.value = submitBtn.value || "submit";
        form.appendChild(hiddenAction);
        form.submit();
      }
      submitBtn.disabled = true;
      // Still here long after? The navigation failed or was cancelled: allow another try.
      submitResetTimer = o.setTimeout(endSubmitAttempt, SUBMIT_RESET_MS);
    });
  }

  function endSubmitAttempt() {
    if (submitResetTimer) { o.clearTimeout(submitResetTimer); submitResetTimer = null; }
    submitBusy = false;
    submitAllowed = false;
    if (!submitBtn) { return; }
    submitBtn.removeAttribute("aria-busy");
    submitBtn.textContent = submitLabel;
    submitBtn.disabled = locked || !!stopped;
  }

  /** Start the clock and the state poll. */
  function start() {
    tickTimer = o.setInterval(tick, TICK_MS);
    tick();
    if (o.stateUrl) {
      pollTimer = o.setInterval(pollState, POLL_MS);
      pollState(); // at once: corrects the clock offset (the page may have been slow to load)
    }
  }

  return {
    start,
    tick,
    pollState,
    onSaveConfirmed,
    onSaveOver,
    stopSession,
    goFinish,
    onSubmit,
    endSubmitAttempt,
    reportBlur,
    noteSubmitter(el) { lastSubmitter = el; },
    stopped: () => stopped,
    locked: () => locked,
    submitBusy: () => submitBusy,
    /** Keys must not act while saving is impossible or the paper is being submitted. */
    blocked: () => locked || !!stopped || submitBusy,
    noticesSeen: () => Object.keys(noticesSeen),
    rememberNotices(keys) {
      if (Array.isArray(keys)) { keys.forEach((key) => { noticesSeen[key] = true; }); }
    }
  };
}
