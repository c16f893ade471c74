/* HTTP for the test page: one request that never rejects. fetch, timers, the clock and the
 * CSRF token are injected, so the savequeue and controller tests run on fakes. */

export const REQUEST_TIMEOUT_MS = 15000; // a request that hangs longer counts as a network failure

/**
 * request(method, url, body, {timeout, keepalive}) resolves with
 * {kind: "http"|"network"|"timeout"|"redirect", status, data (parsed JSON or null), t0, t1}.
 * Redirects are not followed: an API answering with a redirect means "log in again".
 */
export function createRequest(deps) {
  const fetchFn = deps.fetch;
  const now = deps.now;
  const setTimer = deps.setTimeout;
  const clearTimer = deps.clearTimeout;
  const Abort = deps.AbortController;
  const csrfToken = deps.csrfToken || (() => "");
  const defaultTimeout = deps.timeoutMs || REQUEST_TIMEOUT_MS;

  return function request(method, url, body, opts) {
    opts = opts || {};
    const t0 = now();
    const ctrl = typeof Abort === "function" ? new Abort() : null;
    const init = {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { "Accept": "application/json" }
    };
    if (ctrl) { init.signal = ctrl.signal; }
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRFToken"] = csrfToken();
      init.body = JSON.stringify(body);
      if (opts.keepalive) { init.keepalive = true; }
    }
    return new Promise((resolve) => {
      let settled = false;
      let timer = null;
      function done(result) {
        if (settled) { return; }
        settled = true;
        clearTimer(timer);
        result.t0 = t0;
        result.t1 = now();
        resolve(result);
      }
      timer = setTimer(() => {
        if (ctrl) { ctrl.abort(); }
        done({ kind: "timeout", status: 0, data: null });
      }, opts.timeout || defaultTimeout);
      let promise;
      try {
        promise = fetchFn(url, init);
      } catch (e) {
        done({ kind: "network", status: 0, data: null, error: e });
        return;
      }
      promise.then((response) => {
        if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
          done({ kind: "redirect", status: response.status, data: null });
          return null;
        }
        return response.text().then((text) => {
          let data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          done({ kind: "http", status: response.status, data: data });
        });
      }).catch((err) => {
        done({ kind: "network", status: 0, data: null, error: err });
      });
    });
  };
}
