/* Small helpers shared by the test page modules. No DOM, no globals. */

export function toInt(value, fallback) {
  const n = parseInt(value, 10);
  return isFinite(n) ? n : fallback;
}

export function isInt(n) {
  return typeof n === "number" && isFinite(n) && Math.floor(n) === n;
}

/** Milliseconds since the epoch from an ISO text, or NaN. */
export function parseTime(text) {
  const ms = text ? Date.parse(text) : NaN;
  return isFinite(ms) ? ms : NaN;
}

export function pad2(n) {
  return (n < 10 ? "0" : "") + n;
}

/** forEach over a NodeList or any array-like. */
export function each(list, fn) {
  Array.prototype.forEach.call(list, fn);
}

export function byNumber(a, b) {
  return a - b;
}

/** A logger on the given console (or none): log("warn", "message", detail). */
export function makeLog(konsole) {
  return function log(level, message, detail) {
    if (konsole && konsole[level]) {
      konsole[level]("exam: " + message, detail === undefined ? "" : detail);
    }
  };
}
