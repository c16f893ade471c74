/* The countdown: the server's clock, the deadline, the time left and the five-minute warning.
 * Time comes from the injected now() (Date.now in the page), never from a global. */

import { pad2, parseTime } from "./util.js";

export const WARN_MS = 5 * 60 * 1000;    // "warning" style and a one-time notice under 5 minutes
export const CLOCK_MAX_RTT_MS = 5000;    // ignore clock samples from very slow round trips

/** Remaining time as mm:ss, or h:mm:ss from one hour up. Rounds up so 00:00 means "over". */
export function formatRemaining(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? h + ":" + pad2(m) + ":" + pad2(s) : pad2(m) + ":" + pad2(s);
}

/**
 * deadline / serverNow: the page's ISO texts (data-deadline, data-server-now).
 * Server time = now() + offset; the offset starts from the page and is corrected by every
 * API response (midpoint of the round trip).
 */
export function createClock(opts) {
  const now = opts.now;
  const warnMs = opts.warnMs === undefined ? WARN_MS : opts.warnMs;
  const maxRttMs = opts.maxRttMs === undefined ? CLOCK_MAX_RTT_MS : opts.maxRttMs;
  let deadlineMs = parseTime(opts.deadline);
  const serverNowAtLoad = parseTime(opts.serverNow);
  let offset = isFinite(serverNowAtLoad) ? serverNowAtLoad - now() : 0;
  let fromResponse = false;
  let warnedFor = null; // the deadline the five-minute warning was shown for

  function serverNow() { return now() + offset; }
  function remainingMs() { return isFinite(deadlineMs) ? deadlineMs - serverNow() : Infinity; }

  return {
    serverNow,
    remainingMs,
    deadline() { return deadlineMs; },
    offset() { return offset; },

    /** Learn the clock and the deadline from an API response ({server_now, deadline}) and
     *  res = {t0, t1} (the request's send and receive times). True if the deadline moved. */
    applyServerTimes(data, res) {
      if (!data || typeof data !== "object") { return false; }
      const serverTime = parseTime(data.server_now);
      if (isFinite(serverTime) && res) {
        const rtt = res.t1 - res.t0;
        if (rtt <= maxRttMs || !fromResponse) {
          offset = serverTime - (res.t0 + res.t1) / 2;
          fromResponse = true;
        }
      }
      const deadline = parseTime(data.deadline);
      // Under a second of difference is rounding, not an extension.
      if (isFinite(deadline) && (!isFinite(deadlineMs) || Math.abs(deadline - deadlineMs) >= 1000)) {
        deadlineMs = deadline;
        return true;
      }
      return false;
    },

    /** What the timer shows: its text and whether it is in the warning style. */
    view() {
      const ms = remainingMs();
      return {
        text: isFinite(ms) ? formatRemaining(ms) : "--:--",
        warning: isFinite(ms) && ms <= warnMs
      };
    },

    /**
     * One tick: "none" (no deadline), "over" (time is up), "warn" (under five minutes and not
     * yet warned for this deadline: the caller shows the notice; it is not given again until
     * the deadline changes) or "running".
     */
    check() {
      if (!isFinite(deadlineMs)) { return "none"; }
      const ms = remainingMs();
      if (ms <= 0) { return "over"; }
      if (ms <= warnMs && warnedFor !== deadlineMs) {
        warnedFor = deadlineMs;
        return "warn";
      }
      return "running";
    },

    warnedFor() { return warnedFor; },
    /** A warning remembered in storage counts only for the same deadline. */
    restoreWarnedFor(value) {
      if (isFinite(value) && value === deadlineMs) { warnedFor = value; }
    }
  };
}
