/* examsite — the candidate's test page (GET /exam/paper).
 *
 * Progressive enhancement of the server-rendered paper (see docs of the page contract):
 * without this script the page is a plain form that posts to /exam/save; with it we add
 *
 *   - autosave of every change to localStorage at once, then to the JSON API (debounced per
 *     question, one request at a time, retried with backoff when the network is down);
 *   - a countdown synchronised with the server clock, deadline extensions and notices;
 *   - two display modes (whole paper / one question at a time), an answer sheet ("palette"),
 *     flags, and keyboard shortcuts;
 *   - a guarded submit that only lets the form go once every answer has reached the server.
 *
 * The one rule above all others: never lose an answer. Every change is written to
 * localStorage before anything else happens, and a save is only forgotten when the server
 * has confirmed it (200) or told us it already holds a newer one (409 stale_sequence).
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
 * Plain ES5 plus fetch/Promise (no build step, no libraries); CSP-safe (no inline code).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-exam]");
  if (!root || !window.fetch || !window.Promise) {
    return; // No paper on this page, or a browser too old: the plain form still works.
  }

  // ---------------------------------------------------------------------------
  // Settings
  // ---------------------------------------------------------------------------
  var DEBOUNCE_MS = 300;            // wait this long after a change before sending it
  var POLL_MS = 15000;              // state poll interval
  var BLUR_MIN_GAP_MS = 3000;       // at most one "blur" event per 3 s
  var BACKOFF_MIN_MS = 1000;        // retry delays: 1 s, 2 s, 4 s ... (with jitter)
  var BACKOFF_MAX_MS = 30000;       // ... never more than 30 s
  var REQUEST_TIMEOUT_MS = 15000;   // a request that hangs longer counts as a network failure
  var TIME_UP_FLUSH_MS = 5000;      // at 0: best-effort flush for at most 5 s
  var TIME_UP_STATE_MS = 5000;      // at 0: ask the server whether time is really up
  var SUBMIT_FLUSH_MS = 20000;      // on submit: give the flush this long at most
  var SUBMIT_CHECK_MS = 8000;       // on submit: is the server reachable at all?
  var SUBMIT_RESET_MS = 30000;      // if we are still on the page this long after submitting, allow a retry
  var RESUME_MARGIN_MS = 1500;      // the server says this much time is left: it was a false alarm
  var WARN_MS = 5 * 60 * 1000;      // "warning" style and a one-time notice under 5 minutes
  var OTHER_TAB_GRACE_MS = 4000;    // a save adopted from another tab: let that tab send it first
  var CLOCK_MAX_RTT_MS = 5000;      // ignore clock samples from very slow round trips
  var LETTERS = "ABCDEFGH";

  // All visible text. The server may override any of it with a JSON object in data-i18n.
  var T = {
    saving: "保存中…",
    saved: "已保存",
    offline: "未保存（网络中断，答案已存在本机，恢复后自动提交）",
    offlineNoStorage: "未保存（网络中断，请不要关闭或刷新本页，恢复后自动提交）",
    rejected: "未保存（系统出错，答案已存在本机，请联系监考老师）",
    stoppedSession: "已停止保存（请联系监考老师）",
    stoppedOver: "考试已结束",
    sessionEnded: "您的登录已在其他地方生效或已被监考老师重置，请联系监考老师。",
    sessionReplaced: "已在其他设备登录，请联系监考人员。",
    timeUp: "时间到，正在交卷…",
    timeUpOffline: "时间到。网络中断，答案已保存在本机，网络恢复后将自动交卷。请不要关闭本页，可请监考老师协助。",
    overDeadline: "考试时间已到，正在进入交卷页面…",
    overSubmitted: "试卷已提交，正在进入结束页面…",
    goingToFinish: "正在进入交卷页面…",
    submitOffline: "网络中断，答案已保存在本机。请等待网络恢复后再交卷，或请监考老师协助。",
    submitRejected: "有答案未能保存到服务器（系统出错），答案已保存在本机。请先不要交卷，请监考老师协助。",
    submitStopped: "现在无法交卷。请联系监考老师。",
    submitting: "正在交卷…",
    deadlineChanged: "考试结束时间已调整，剩余时间已更新。",
    fiveMinutes: "距离考试结束已不到 5 分钟。请检查答案，时间到时系统会自动交卷。",
    dismiss: "知道了",
    modeAll: "整卷显示",
    modeSingle: "逐题显示",
    flaggedBadge: "★ 已标记",
    question: "第 {n} 题",
    stateAnswered: "已作答",
    stateUnanswered: "未作答",
    stateFlagged: "已标记",
    stateCurrent: "当前题",
    keysHint: "键盘：按 A–H 选择选项，← → 切换上一题 / 下一题，F 标记此题。"
  };
  try {
    var overrides = root.getAttribute("data-i18n");
    if (overrides) {
      var parsed = JSON.parse(overrides);
      for (var k in parsed) {
        if (Object.prototype.hasOwnProperty.call(parsed, k) && typeof parsed[k] === "string") {
          T[k] = parsed[k];
        }
      }
    }
  } catch (e) {
    if (window.console) { console.warn("exam: ignoring bad data-i18n", e); }
  }

  // ---------------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------------
  function toInt(value, fallback) {
    var n = parseInt(value, 10);
    return isFinite(n) ? n : fallback;
  }
  function each(list, fn) { Array.prototype.forEach.call(list, fn); }
  function parseTime(text) {
    var ms = text ? Date.parse(text) : NaN;
    return isFinite(ms) ? ms : NaN;
  }
  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  function isInt(n) { return typeof n === "number" && isFinite(n) && Math.floor(n) === n; }
  function log(level, message, detail) {
    if (window.console && console[level]) { console[level]("exam: " + message, detail === undefined ? "" : detail); }
  }

  /** Remaining time as mm:ss, or h:mm:ss from one hour up. Rounds up so 00:00 means "over". */
  function formatRemaining(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    return h > 0 ? h + ":" + pad2(m) + ":" + pad2(s) : pad2(m) + ":" + pad2(s);
  }

  // ---------------------------------------------------------------------------
  // Read the page contract
  // ---------------------------------------------------------------------------
  var attempt = root.getAttribute("data-attempt") || "";
  var cfg = {
    saveUrl: root.getAttribute("data-save-url"),
    stateUrl: root.getAttribute("data-state-url"),
    eventUrl: root.getAttribute("data-event-url"),
    finishUrl: root.getAttribute("data-finish-url"),
    storageKey: root.getAttribute("data-storage-key") || ("examsite:attempt:" + attempt),
    lastSeq: Math.max(0, toInt(root.getAttribute("data-last-seq"), 0))
  };

  var form = root.querySelector("[data-paper-form]");
  var bar = root.querySelector(".exam-bar");
  var timerBox = root.querySelector("[data-timer]");
  var timerValue = root.querySelector("[data-timer-value]");
  var saveState = root.querySelector("[data-save-state]");
  var answeredCount = root.querySelector("[data-answered-count]");
  var toggleBtn = root.querySelector("[data-toggle-mode]");
  var notice = root.querySelector("[data-notice]");
  var palette = root.querySelector("[data-palette]");
  var submitBtn = root.querySelector("[data-submit]");
  var plainSave = root.querySelector("[data-plain-save]");
  if (!form) { return; }

  var positions = [];   // question positions in page order
  var sections = {};    // position -> <section>
  var paletteItems = {}; // position -> <a>
  each(form.querySelectorAll("[data-question]"), function (section) {
    var pos = toInt(section.getAttribute("data-question"), NaN);
    if (!isFinite(pos) || sections[pos]) { return; }
    sections[pos] = section;
    positions.push(pos);
  });
  positions.sort(function (a, b) { return a - b; });
  if (palette) {
    each(palette.querySelectorAll("[data-palette-item]"), function (a) {
      var pos = toInt(a.getAttribute("data-palette-item"), NaN);
      if (isFinite(pos)) { paletteItems[pos] = a; }
    });
  }
  if (!positions.length) { return; }
  if (toInt(root.getAttribute("data-total"), positions.length) !== positions.length) {
    log("warn", "data-total does not match the number of questions on the page");
  }

  /** The answer inputs of one question (radios or checkboxes named "q<pos>"). */
  function inputsOf(pos) {
    var out = [];
    each(sections[pos].querySelectorAll("input"), function (input) {
      if (input.name === "q" + pos && (input.type === "radio" || input.type === "checkbox")) {
        out.push(input);
      }
    });
    return out;
  }
  function isMultiple(pos) {
    var inputs = inputsOf(pos);
    return inputs.length > 0 && inputs[0].type === "checkbox";
  }
  /** The input for displayed option index idx (0 = A), or null. */
  function optionInput(pos, idx) {
    var inputs = inputsOf(pos);
    for (var i = 0; i < inputs.length; i++) {
      if (toInt(inputs[i].value, -1) === idx) { return inputs[i]; }
    }
    return null;
  }
  /** The current choice of a question as read from its inputs: sorted displayed indexes.
   *  With fromServer, read the server-rendered `checked` attributes instead (defaultChecked):
   *  on a reload the browser may restore the previous page's ticks over what the server sent. */
  function readChoice(pos, fromServer) {
    var choice = [];
    inputsOf(pos).forEach(function (input) {
      if (fromServer ? input.defaultChecked : input.checked) { choice.push(toInt(input.value, -1)); }
    });
    return choice.filter(function (v) { return v >= 0; }).sort(function (a, b) { return a - b; });
  }
  /** Keep only indexes that exist on the page (one at most for radios); sorted, unique. */
  function sanitizeChoice(pos, choice) {
    var valid = {};
    inputsOf(pos).forEach(function (input) { valid[toInt(input.value, -1)] = true; });
    var out = [];
    (Array.isArray(choice) ? choice : []).forEach(function (v) {
      if (isInt(v) && valid[v] && out.indexOf(v) < 0) { out.push(v); }
    });
    out.sort(function (a, b) { return a - b; });
    if (!isMultiple(pos) && out.length > 1) { out = [out[0]]; }
    return out;
  }
  function applyChoice(pos, choice) {
    inputsOf(pos).forEach(function (input) {
      input.checked = choice.indexOf(toInt(input.value, -1)) >= 0;
    });
  }
  function flagButtonOf(pos) { return sections[pos].querySelector("[data-flag]"); }
  /** Whether the server rendered the question as flagged (any of the usual markers). */
  function readDomFlag(pos) {
    var btn = flagButtonOf(pos);
    return !!((btn && btn.getAttribute("aria-pressed") === "true") ||
      (paletteItems[pos] && paletteItems[pos].classList.contains("flagged")) ||
      sections[pos].getAttribute("data-flagged") === "true");
  }
  function savedSeqOf(pos) { return Math.max(0, toInt(sections[pos].getAttribute("data-saved-seq"), 0)); }
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.getAttribute("content")) { return meta.getAttribute("content"); }
    var input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  // ---------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------
  // records[pos] = {choice: [..], flagged: bool, seq: int, saved: bool}: the latest answer of
  // every question; "saved" is false while the server has not confirmed it (= pending).
  var records = {};
  var dueAt = {};        // pos -> earliest time (Date.now) its pending save may be sent (debounce)
  var rejected = {};     // pos -> true: the server refused it as a bad request; not auto-retried
  var seqCounter = cfg.lastSeq; // highest seq handed out (or known to be used)
  var ui = { current: positions[0], mode: "all" };
  var noticesSeen = {};  // notice keys already shown
  var warnedFor = null;  // the deadline the 5-minute warning was shown for
  var storageOk = true;  // false when localStorage refuses to store

  var net = { inFlight: null, failures: 0, retryAt: 0, failing: false };
  var pumpTimer = null;
  var flushWaiters = [];
  var stopped = null;        // null | "session" | "over": no more saving
  var locked = false;        // answer inputs disabled (time up / stopped)
  var timeUpActive = false;  // the countdown reached 0 and we are finishing
  var finishing = false;     // navigation to the finish page has been scheduled
  var finishFlushStarted = false;
  var submitBusy = false;    // the submit button was clicked and we are flushing
  var submitAllowed = false; // flush done: let the next submit event through
  var submitResetTimer = null;
  var deadlineUnannounced = false;
  var noticeSticky = false;  // a fatal message stays until the page goes away
  var pollTimer = null;
  var pollInFlight = false;
  var tickTimer = null;
  var lastBlurAt = 0;
  var persistTimer = null;
  var storageCleared = false; // the test is over and nothing was pending: keep nothing

  // Clock: server time = Date.now() + clockOffset.
  var deadlineMs = parseTime(root.getAttribute("data-deadline"));
  var serverNowAtLoad = parseTime(root.getAttribute("data-server-now"));
  var clockOffset = isFinite(serverNowAtLoad) ? serverNowAtLoad - Date.now() : 0;
  var clockFromResponse = false;
  function serverNow() { return Date.now() + clockOffset; }
  function remainingMs() { return isFinite(deadlineMs) ? deadlineMs - serverNow() : Infinity; }

  function unsavedCount() {
    var n = 0;
    positions.forEach(function (pos) { if (!records[pos].saved) { n++; } });
    return n;
  }
  function unsavedRejected() {
    return positions.filter(function (pos) { return !records[pos].saved && rejected[pos]; });
  }

  // ---------------------------------------------------------------------------
  // localStorage
  // ---------------------------------------------------------------------------
  function storageRead() {
    try {
      var raw = window.localStorage.getItem(cfg.storageKey);
      var data = raw ? JSON.parse(raw) : null;
      if (!data || typeof data !== "object") { return null; }
      if (data.attempt && attempt && String(data.attempt) !== attempt) { return null; }
      return data;
    } catch (e) {
      return null;
    }
  }

  /** Write; on a full store, drop other attempts' fully-saved data and try once more. */
  function storageWrite(data) {
    var text = JSON.stringify(data);
    try {
      window.localStorage.setItem(cfg.storageKey, text);
      return true;
    } catch (e) {
      try {
        var drop = [];
        for (var i = 0; i < window.localStorage.length; i++) {
          var key = window.localStorage.key(i);
          if (key && key !== cfg.storageKey && key.indexOf("examsite:attempt:") === 0) {
            var other = null;
            try { other = JSON.parse(window.localStorage.getItem(key)); } catch (ignore) { other = null; }
            if (!other || !other.pending || !Object.keys(other.pending).length) { drop.push(key); }
          }
        }
        drop.forEach(function (key) { window.localStorage.removeItem(key); });
        window.localStorage.setItem(cfg.storageKey, text);
        return true;
      } catch (e2) {
        log("error", "cannot write localStorage; answers are only in memory", e2);
        return false;
      }
    }
  }

  /** A stored record is usable if it has a choice array and an integer seq. */
  function validStored(r) {
    return !!r && typeof r === "object" && Array.isArray(r.choice) && isInt(r.seq) && r.seq >= 0;
  }

  /** The newest thing stored for one position (pending wins a tie: it is not confirmed). */
  function bestStored(data, pos) {
    var a = data.answers && data.answers[pos];
    var p = data.pending && data.pending[pos];
    var best = null;
    if (validStored(a)) {
      best = { choice: a.choice, flagged: !!a.flagged, seq: a.seq, saved: a.saved !== false };
    }
    if (validStored(p) && (!best || p.seq >= best.seq)) {
      best = { choice: p.choice, flagged: !!p.flagged, seq: p.seq, saved: false };
    }
    return best;
  }

  /**
   * Merge what another tab (or an earlier write) left in storage into memory: a record with
   * a higher seq is newer and replaces ours (inputs updated); an equal seq marked saved
   * confirms ours. The seq counter never goes backwards.
   */
  function mergeStored(data) {
    if (!data) { return; }
    if (isInt(data.seq) && data.seq > seqCounter) { seqCounter = data.seq; }
    if (Array.isArray(data.notices)) {
      data.notices.forEach(function (key) { noticesSeen[key] = true; });
    }
    if (isFinite(data.warnedFor) && data.warnedFor === deadlineMs) { warnedFor = data.warnedFor; }
    positions.forEach(function (pos) {
      var theirs = bestStored(data, pos);
      var mine = records[pos];
      if (!theirs || !mine) { return; }
      if (theirs.seq > mine.seq) {
        records[pos] = {
          choice: sanitizeChoice(pos, theirs.choice), flagged: theirs.flagged,
          seq: theirs.seq, saved: theirs.saved
        };
        applyChoice(pos, records[pos].choice);
        delete rejected[pos];
        if (!theirs.saved) { dueAt[pos] = Date.now() + OTHER_TAB_GRACE_MS; }
        refreshQuestion(pos);
      } else if (theirs.seq === mine.seq && theirs.saved && !mine.saved) {
        mine.saved = true;
        refreshQuestion(pos);
      }
    });
  }

  function writeNow() {
    if (storageCleared) { return; }
    var answers = {};
    var pending = {};
    positions.forEach(function (pos) {
      var r = records[pos];
      answers[pos] = { choice: r.choice.slice(), flagged: !!r.flagged, seq: r.seq, saved: !!r.saved };
      if (!r.saved) {
        pending[pos] = { position: pos, choice: r.choice.slice(), flagged: !!r.flagged, seq: r.seq };
      }
    });
    storageOk = storageWrite({
      v: 1, attempt: attempt, seq: seqCounter, answers: answers, pending: pending,
      current: ui.current, mode: ui.mode, notices: Object.keys(noticesSeen),
      warnedFor: warnedFor, updated: Date.now()
    });
  }

  /** Read-merge-write, so that two tabs of the same attempt never overwrite each other. */
  function persist() {
    if (persistTimer) { clearTimeout(persistTimer); persistTimer = null; }
    mergeStored(storageRead());
    writeNow();
  }
  function persistSoon() {
    if (!persistTimer) { persistTimer = setTimeout(persist, 500); }
  }

  // ---------------------------------------------------------------------------
  // Start-up reconciliation: the server's page vs what this browser remembers
  // ---------------------------------------------------------------------------
  var stored = storageRead();
  positions.forEach(function (pos) {
    var serverSeq = savedSeqOf(pos);
    var mine = stored ? bestStored(stored, pos) : null;
    if (mine && mine.seq > serverSeq) {
      // This browser has a newer answer than the server (never sent, or lost on the way):
      // show it and send it again. This covers every pending save with seq > data-saved-seq.
      records[pos] = { choice: sanitizeChoice(pos, mine.choice), flagged: mine.flagged, seq: mine.seq, saved: false };
      applyChoice(pos, records[pos].choice);
      dueAt[pos] = 0;
    } else {
      // The server is up to date (or newer, e.g. from another computer): it wins, and any
      // older pending save for this question is dropped. If the page does not render flags,
      // our copy of the very same save (equal seq) knows the flag.
      var flagged = readDomFlag(pos);
      if (mine && mine.seq === serverSeq && serverSeq > 0) { flagged = flagged || mine.flagged; }
      records[pos] = { choice: sanitizeChoice(pos, readChoice(pos, true)), flagged: flagged, seq: serverSeq, saved: true };
      applyChoice(pos, records[pos].choice);
    }
    if (records[pos].seq > seqCounter) { seqCounter = records[pos].seq; }
  });
  if (stored) {
    if (isInt(stored.seq) && stored.seq > seqCounter) { seqCounter = stored.seq; }
    if (Array.isArray(stored.notices)) { stored.notices.forEach(function (key) { noticesSeen[key] = true; }); }
    if (isFinite(stored.warnedFor) && stored.warnedFor === deadlineMs) { warnedFor = stored.warnedFor; }
    if (stored.mode === "single" || stored.mode === "all") { ui.mode = stored.mode; }
  }
  ui.current = initialCurrent();

  /** Where to resume: remembered position, else the URL hash, else the first unanswered. */
  function initialCurrent() {
    if (stored && isInt(stored.current) && sections[stored.current]) { return stored.current; }
    var m = /^#q-(\d+)$/.exec(window.location.hash || "");
    if (m) {
      var fromHash = toInt(m[1], 0) - 1; // ids are 1-based: #q-1 is position 0
      if (sections[fromHash]) { return fromHash; }
    }
    for (var i = 0; i < positions.length; i++) {
      if (!records[positions[i]].choice.length) { return positions[i]; }
    }
    return positions[0];
  }

  // ---------------------------------------------------------------------------
  // Rendering
  // ---------------------------------------------------------------------------
  function questionLabel(pos) {
    var a = paletteItems[pos];
    var n = a ? a.textContent.replace(/\s+/g, "") : String(pos + 1);
    return T.question.replace("{n}", n);
  }

  /** Update everything that shows one question's state: options, flag, palette cell. */
  function refreshQuestion(pos) {
    var r = records[pos];
    var section = sections[pos];
    var answered = r.choice.length > 0;
    inputsOf(pos).forEach(function (input) {
      var label = input.closest ? input.closest("label") : input.parentNode;
      if (label) { label.classList.toggle("is-checked", input.checked); }
    });
    section.classList.toggle("is-answered", answered);
    section.classList.toggle("is-flagged", !!r.flagged);
    section.classList.toggle("is-current", pos === ui.current);
    var btn = flagButtonOf(pos);
    if (btn) { btn.setAttribute("aria-pressed", r.flagged ? "true" : "false"); }
    var badge = section.querySelector(".flag-badge");
    if (badge) { badge.hidden = !r.flagged; }
    var a = paletteItems[pos];
    if (a) {
      a.classList.toggle("answered", answered);
      a.classList.toggle("flagged", !!r.flagged);
      a.classList.toggle("current", pos === ui.current);
      if (pos === ui.current) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
      var words = [questionLabel(pos), answered ? T.stateAnswered : T.stateUnanswered];
      if (r.flagged) { words.push(T.stateFlagged); }
      if (pos === ui.current) { words.push(T.stateCurrent); }
      var label = words.join("，");
      if (a.getAttribute("aria-label") !== label) {
        a.setAttribute("aria-label", label);
        a.setAttribute("title", label);
      }
    }
  }

  function refreshCount() {
    if (!answeredCount) { return; }
    var n = 0;
    positions.forEach(function (pos) { if (records[pos].choice.length) { n++; } });
    if (answeredCount.textContent !== String(n)) { answeredCount.textContent = String(n); }
  }

  function renderAll() {
    positions.forEach(refreshQuestion);
    refreshCount();
    updateNavButtons();
    updateSaveState();
  }

  /** The save indicator in the top bar. Text only changes when the state does. */
  function updateSaveState() {
    if (!saveState) { return; }
    var unsaved = unsavedCount();
    var text;
    var kind;
    if (stopped === "session") {
      text = T.stoppedSession; kind = "error";
    } else if (stopped === "over") {
      text = T.stoppedOver; kind = "stopped";
    } else if (unsaved === 0) {
      text = T.saved; kind = "saved";
    } else if (net.failing) {
      text = storageOk ? T.offline : T.offlineNoStorage; kind = "offline";
    } else if (!net.inFlight && unsavedRejected().length === unsaved) {
      text = T.rejected; kind = "error";
    } else {
      text = T.saving; kind = "saving";
    }
    if (saveState.textContent !== text) { saveState.textContent = text; }
    if (saveState.getAttribute("data-state") !== kind) {
      saveState.setAttribute("data-state", kind);
      ["saved", "saving", "offline", "error", "stopped"].forEach(function (k) {
        saveState.classList.toggle("is-" + k, k === kind);
      });
      measureLayout();
    }
  }

  function renderTimer() {
    if (!timerValue) { return; }
    var ms = remainingMs();
    var text = isFinite(ms) ? formatRemaining(ms) : "--:--";
    if (timerValue.textContent !== text) { timerValue.textContent = text; }
    if (timerBox) { timerBox.classList.toggle("is-warning", isFinite(ms) && ms <= WARN_MS); }
  }

  /** Measure the sticky bar (and a visible notice) so other sticky parts sit below them. */
  function measureLayout() {
    var barH = bar ? Math.ceil(bar.getBoundingClientRect().height) : 0;
    var noticeH = notice && !notice.hidden ? Math.ceil(notice.getBoundingClientRect().height) : 0;
    root.style.setProperty("--exam-bar-h", barH + "px");
    root.style.setProperty("--exam-notice-h", noticeH + "px");
  }
  function stickyTop() {
    var barH = bar ? bar.getBoundingClientRect().height : 0;
    var noticeH = notice && !notice.hidden ? notice.getBoundingClientRect().height : 0;
    return barH + noticeH;
  }

  // Notices: one at a time in data-notice. A "sticky" one (time up, session ended, test over)
  // has no close button and is not replaced by ordinary notices.
  function showNotice(text, kind, sticky) {
    if (!notice) { return; }
    if (noticeSticky && !sticky) { return; }
    noticeSticky = !!sticky;
    ["info", "warning", "error"].forEach(function (k) { notice.classList.toggle("is-" + k, k === kind); });
    notice.textContent = "";
    var p = document.createElement("p");
    p.className = "exam-notice-text";
    p.textContent = text;
    notice.appendChild(p);
    if (!sticky) {
      var close = document.createElement("button");
      close.type = "button";
      close.className = "button exam-notice-close";
      close.textContent = T.dismiss;
      close.addEventListener("click", function () { hideNotice(false); });
      notice.appendChild(close);
    }
    notice.hidden = false;
    measureLayout();
  }
  function hideNotice(force) {
    if (!notice || (noticeSticky && !force)) { return; }
    noticeSticky = false;
    notice.hidden = true;
    notice.textContent = "";
    measureLayout();
  }

  // ---------------------------------------------------------------------------
  // Recording answers
  // ---------------------------------------------------------------------------
  /**
   * The candidate changed question pos (choice from its inputs; flagged as given, or kept).
   * Order matters: remember it in localStorage first, then update the page, then send.
   */
  function recordChange(pos, flagged) {
    if (locked || stopped) { return; }
    var choice = sanitizeChoice(pos, readChoice(pos));
    mergeStored(storageRead());             // never reuse a seq another tab already took
    seqCounter += 1;
    records[pos] = {
      choice: choice,
      flagged: typeof flagged === "boolean" ? flagged : !!records[pos].flagged,
      seq: seqCounter,
      saved: false
    };
    applyChoice(pos, choice);               // the merge must not undo what was just clicked
    dueAt[pos] = Date.now() + DEBOUNCE_MS;  // newest choice wins: each change restarts the wait
    delete rejected[pos];
    writeNow();
    refreshQuestion(pos);
    refreshCount();
    updateSaveState();
    schedulePump(DEBOUNCE_MS);
  }

  function toggleFlag(pos) {
    if (locked || stopped) { return; }
    recordChange(pos, !records[pos].flagged);
  }

  /** Keyboard choice: a radio is selected, a checkbox toggled. */
  function chooseOption(pos, input) {
    if (input.disabled) { return; }
    if (input.type === "radio") {
      if (input.checked) { return; }
      input.checked = true;
    } else {
      input.checked = !input.checked;
    }
    recordChange(pos);
  }

  // ---------------------------------------------------------------------------
  // Network
  // ---------------------------------------------------------------------------
  /**
   * One HTTP request that never rejects. Resolves with
   * {kind: "http"|"network"|"timeout"|"redirect", status, data (parsed JSON or null), t0, t1}.
   * Redirects are not followed: an API answering with a redirect means "log in again".
   */
  function request(method, url, body, opts) {
    opts = opts || {};
    var t0 = Date.now();
    var ctrl = typeof window.AbortController === "function" ? new window.AbortController() : null;
    var init = {
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
    return new Promise(function (resolve) {
      var settled = false;
      var timer = null;
      function done(result) {
        if (settled) { return; }
        settled = true;
        clearTimeout(timer);
        result.t0 = t0;
        result.t1 = Date.now();
        resolve(result);
      }
      timer = setTimeout(function () {
        if (ctrl) { ctrl.abort(); }
        done({ kind: "timeout", status: 0, data: null });
      }, opts.timeout || REQUEST_TIMEOUT_MS);
      var promise;
      try {
        promise = window.fetch(url, init);
      } catch (e) {
        done({ kind: "network", status: 0, data: null, error: e });
        return;
      }
      promise.then(function (response) {
        if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
          done({ kind: "redirect", status: response.status, data: null });
          return null;
        }
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          done({ kind: "http", status: response.status, data: data });
        });
      }).catch(function (err) {
        done({ kind: "network", status: 0, data: null, error: err });
      });
    });
  }

  /** Learn the server clock (midpoint of the round trip) and the deadline from a response. */
  function applyServerTimes(data, res) {
    if (!data || typeof data !== "object") { return false; }
    var now = parseTime(data.server_now);
    if (isFinite(now) && res) {
      var rtt = res.t1 - res.t0;
      if (rtt <= CLOCK_MAX_RTT_MS || !clockFromResponse) {
        clockOffset = now - (res.t0 + res.t1) / 2;
        clockFromResponse = true;
      }
    }
    var changed = false;
    var deadline = parseTime(data.deadline);
    if (isFinite(deadline) && (!isFinite(deadlineMs) || Math.abs(deadline - deadlineMs) >= 1000)) {
      deadlineMs = deadline;
      changed = true;
    }
    if (isInt(data.last_seq) && data.last_seq > seqCounter) { seqCounter = data.last_seq; }
    renderTimer();
    return changed;
  }

  function backoffDelay(failures) {
    var base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * Math.pow(2, Math.max(0, failures - 1)));
    return Math.min(BACKOFF_MAX_MS, Math.round(base * (0.75 + Math.random() * 0.5)));
  }

  function schedulePump(delay) {
    if (pumpTimer) { clearTimeout(pumpTimer); }
    pumpTimer = setTimeout(pump, Math.max(0, delay || 0));
  }

  /**
   * The sender. One save request at a time: the pending save with the lowest seq whose
   * debounce has passed. Reschedules itself for debounces and backoff.
   */
  function pump() {
    if (pumpTimer) { clearTimeout(pumpTimer); pumpTimer = null; }
    if (stopped || net.inFlight) { return; }
    var now = Date.now();
    var next = null;
    var wait = Infinity;
    positions.forEach(function (pos) {
      var r = records[pos];
      if (r.saved || rejected[pos]) { return; }
      var due = dueAt[pos] || 0;
      if (due > now) { wait = Math.min(wait, due - now); return; }
      if (next === null || r.seq < records[next].seq) { next = pos; }
    });
    if (next !== null && net.retryAt > now) {
      schedulePump(net.retryAt - now);
    } else if (next !== null) {
      sendSave(next);
    } else if (wait < Infinity) {
      schedulePump(wait);
    }
    settleFlushes();
    updateSaveState();
  }

  function sendSave(pos) {
    var r = records[pos];
    var body = { position: pos, choice: r.choice.slice(), seq: r.seq, flagged: !!r.flagged };
    net.inFlight = { pos: pos, seq: r.seq };
    updateSaveState();
    request("POST", cfg.saveUrl, body).then(function (res) {
      net.inFlight = null;
      handleSaveResult(body, res);
      pump();
    });
  }

  /** What a save response means. See the API contract. */
  function classifySave(res, body) {
    if (res.kind === "network" || res.kind === "timeout") { return "retry"; }
    if (res.kind === "redirect") { return "session"; }
    var status = res.status;
    var data = res.data && typeof res.data === "object" ? res.data : {};
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

  function handleSaveResult(body, res) {
    var pos = body.position;
    var outcome = classifySave(res, body);
    var r = records[pos];
    var data = res.data && typeof res.data === "object" ? res.data : {};
    if (outcome === "saved" || outcome === "stale") {
      net.failures = 0;
      net.retryAt = 0;
      net.failing = false;
      // A newer change made while this one was on the way stays pending.
      if (r.seq === body.seq) { r.saved = true; }
      if (outcome === "stale") {
        if (isInt(data.seq) && data.seq > seqCounter) { seqCounter = data.seq; }
        if (isInt(data.last_seq) && data.last_seq > seqCounter) { seqCounter = data.last_seq; }
        log("info", "server already had a newer save for question " + pos, data);
      }
      persist();
      if (applyServerTimes(data, res)) { deadlineUnannounced = true; pollState(); }
    } else if (outcome === "retry") {
      net.failures += 1;
      net.failing = true;
      net.retryAt = Date.now() + backoffDelay(net.failures);
      log("warn", "save failed, will retry (" + (res.kind === "http" ? "HTTP " + res.status : res.kind) + ")");
      failFlushes();
    } else if (outcome === "rejected") {
      log("error", "the server refused a save; the answer is kept in this browser", { request: body, status: res.status, response: res.data });
      if (r.seq === body.seq) { rejected[pos] = true; }
      failFlushes();
    } else if (outcome === "session") {
      stopSession(data);
    } else if (outcome === "over") {
      goFinish(data.error ? String(data.error) : (data.code === "submitted" ? T.overSubmitted : T.overDeadline));
    }
    refreshQuestion(pos);
    updateSaveState();
  }

  // Flushing: send everything now (no debounce, no backoff) and report whether all arrived.
  function settleFlushes() {
    if (!flushWaiters.length || net.inFlight || unsavedCount() > 0) { return; }
    resolveFlushes(true);
  }
  function failFlushes() { resolveFlushes(false); }
  function resolveFlushes(ok) {
    var waiters = flushWaiters;
    flushWaiters = [];
    waiters.forEach(function (w) { clearTimeout(w.timer); w.resolve(ok); });
  }

  /** Resolves true when nothing is pending, false on the first failure or after maxMs. */
  function flush(maxMs) {
    return new Promise(function (resolve) {
      if (stopped) { resolve(unsavedCount() === 0); return; }
      var waiter = { resolve: resolve, timer: null };
      waiter.timer = setTimeout(function () {
        var i = flushWaiters.indexOf(waiter);
        if (i >= 0) { flushWaiters.splice(i, 1); resolve(false); }
      }, maxMs);
      flushWaiters.push(waiter);
      positions.forEach(function (pos) {
        if (!records[pos].saved) { dueAt[pos] = 0; delete rejected[pos]; } // one more try each
      });
      net.retryAt = 0;
      pump();
    });
  }

  /** Flush, and flush again if the candidate changed something meanwhile (up to 3 rounds). */
  function flushUntilClean(maxMs) {
    var until = Date.now() + maxMs;
    function round(n) {
      return flush(Math.max(1000, until - Date.now())).then(function (ok) {
        if (ok && unsavedCount() > 0 && n < 3) { return round(n + 1); }
        return ok && unsavedCount() === 0;
      });
    }
    return round(1);
  }

  /** On leaving the page: send every pending save at once with keepalive (best effort). */
  function sendAllWithKeepalive() {
    if (stopped) { return; }
    positions.forEach(function (pos) {
      var r = records[pos];
      if (r.saved || rejected[pos] || (net.inFlight && net.inFlight.pos === pos && net.inFlight.seq === r.seq)) { return; }
      var body = { position: pos, choice: r.choice.slice(), seq: r.seq, flagged: !!r.flagged };
      request("POST", cfg.saveUrl, body, { keepalive: true }).then(function (res) {
        var outcome = classifySave(res, body);
        if ((outcome === "saved" || outcome === "stale") && records[pos].seq === body.seq) {
          records[pos].saved = true;
          persist();
          refreshQuestion(pos);
          updateSaveState();
          settleFlushes();
        }
      });
    });
  }

  // ---------------------------------------------------------------------------
  // State polling, notices, the end of the test
  // ---------------------------------------------------------------------------
  function fetchState(timeout) {
    pollInFlight = true;
    return request("GET", cfg.stateUrl, null, { timeout: timeout }).then(function (res) {
      pollInFlight = false;
      if (stopped) { return { ok: false }; }
      if (res.kind === "redirect" || res.status === 401) { stopSession(res.data); return { ok: false }; }
      if (res.status !== 200 || !res.data || typeof res.data !== "object") { return { ok: false }; }
      handleState(res.data, res);
      return { ok: true };
    });
  }

  function pollState() {
    if (stopped || pollInFlight || !cfg.stateUrl) { return; }
    fetchState(REQUEST_TIMEOUT_MS);
  }

  function handleState(data, res) {
    var changed = applyServerTimes(data, res);
    if (data.state && data.state !== "in_progress") {
      goFinish(data.state === "submitted" || data.state === "graded" ? T.overSubmitted : T.goingToFinish);
      return;
    }
    var key = data.notice ? (data.notice_id !== null && data.notice_id !== undefined ? "id:" + data.notice_id : "text:" + data.notice) : null;
    if (key && !noticesSeen[key]) {
      noticesSeen[key] = true;
      deadlineUnannounced = false;
      persist();
      showNotice(String(data.notice), "info");
    } else if (changed || deadlineUnannounced) {
      deadlineUnannounced = false;
      showNotice(T.deadlineChanged, "info");
    }
    if (timeUpActive) {
      if (remainingMs() > RESUME_MARGIN_MS) { resumeAfterFalseTimeUp(); } else { finishAfterFlush(); }
    }
  }

  /** Stop for good: saving, polling, the clock. Inputs are locked; local data is kept. */
  function stopAll(reason) {
    stopped = reason;
    if (pumpTimer) { clearTimeout(pumpTimer); pumpTimer = null; }
    if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
    resolveFlushes(false);
    setLocked(true);
    updateSaveState();
  }

  /** 401: logged out, reset by staff, or (session_replaced) a login on another computer
   *  took over. Never retried. */
  function stopSession(data) {
    if (stopped) { return; }
    stopAll("session");
    var replaced = data && typeof data === "object" && data.code === "session_replaced";
    showNotice(replaced ? T.sessionReplaced : T.sessionEnded, "error", true);
  }

  /** The test is over (or submitted): show why and go to the finish page. */
  function goFinish(message) {
    if (finishing) { return; }
    finishing = true;
    stopAll("over");
    if (tickTimer) { clearInterval(tickTimer); tickTimer = null; }
    showNotice(message || T.goingToFinish, "info", true);
    if (unsavedCount() === 0) {
      // Nothing left to keep: do not leave answers behind on a shared computer.
      storageCleared = true;
      try { window.localStorage.removeItem(cfg.storageKey); } catch (e) { /* ignore */ }
    }
    setTimeout(function () { window.location.assign(cfg.finishUrl || window.location.href); }, 1500);
  }

  function finishAfterFlush() {
    if (finishing || finishFlushStarted) { return; }
    finishFlushStarted = true;
    flush(TIME_UP_FLUSH_MS).then(function () { goFinish(T.timeUp); });
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
    showNotice(T.timeUp, "warning", true);
    flush(TIME_UP_FLUSH_MS).then(function () {
      if (stopped) { return null; }
      return fetchState(TIME_UP_STATE_MS);
    }).then(function (result) {
      if (!result || stopped || !timeUpActive) { return; } // handled already
      if (!result.ok) {
        showNotice(T.timeUpOffline, "error", true);
        // The 15 s poll (and "online") continue; handleState finishes when it gets through.
        return;
      }
      // handleState() has already run: resumed if the server gave more time, else finishing.
      if (remainingMs() <= RESUME_MARGIN_MS) { finishAfterFlush(); }
    });
  }

  function resumeAfterFalseTimeUp() {
    timeUpActive = false;
    finishFlushStarted = false;
    hideNotice(true);
    setLocked(false);
    renderTimer();
  }

  function tick() {
    renderTimer();
    if (stopped || !isFinite(deadlineMs)) { return; }
    var ms = remainingMs();
    if (ms <= 0) {
      onTimeUp();
    } else if (ms <= WARN_MS && warnedFor !== deadlineMs) {
      warnedFor = deadlineMs;
      persist();
      showNotice(T.fiveMinutes, "warning");
    }
  }

  function setLocked(on) {
    locked = on;
    root.classList.toggle("is-locked", on);
    positions.forEach(function (pos) {
      inputsOf(pos).forEach(function (input) { input.disabled = on; });
      var btn = flagButtonOf(pos);
      if (btn) { btn.disabled = on; }
    });
    if (submitBtn && !submitAllowed) { submitBtn.disabled = on || submitBusy; }
  }

  function reportBlur() {
    if (stopped || !cfg.eventUrl) { return; }
    var now = Date.now();
    if (now - lastBlurAt < BLUR_MIN_GAP_MS) { return; }
    lastBlurAt = now;
    request("POST", cfg.eventUrl, { type: "blur" }, { timeout: 10000, keepalive: true }); // failures ignored
  }

  // ---------------------------------------------------------------------------
  // Navigation: modes, current question, palette
  // ---------------------------------------------------------------------------
  function indexOfPos(pos) { return positions.indexOf(pos); }

  function setMode(mode, scroll) {
    ui.mode = mode === "single" ? "single" : "all";
    var single = ui.mode === "single";
    root.classList.toggle("is-single", single);
    root.classList.toggle("is-all", !single);
    if (toggleBtn) { toggleBtn.textContent = single ? T.modeAll : T.modeSingle; }
    positions.forEach(function (pos) {
      each(sections[pos].querySelectorAll("[data-prev], [data-next]"), function (b) { b.hidden = !single; });
    });
    updateNavButtons();
    if (scroll) { scrollToQuestion(ui.current); }
  }

  function updateNavButtons() {
    positions.forEach(function (pos, i) {
      var prev = sections[pos].querySelector("[data-prev]");
      var next = sections[pos].querySelector("[data-next]");
      if (prev) { prev.disabled = i === 0; }
      if (next) { next.disabled = i === positions.length - 1; }
    });
  }

  /** Make pos the current question (palette, keyboard target, the one shown in single mode). */
  function setCurrent(pos) {
    if (!sections[pos] || pos === ui.current) { return; }
    var old = ui.current;
    ui.current = pos;
    refreshQuestion(old);
    refreshQuestion(pos);
    persistSoon();
  }

  /** Bring a question's top into view below the sticky bar; leave the page alone when the
   *  top is already in the upper part of the screen (calmer, and keeps the page header). */
  function scrollToQuestion(pos) {
    var section = sections[pos];
    if (!section) { return; }
    var rect = section.getBoundingClientRect();
    if (rect.top >= stickyTop() - 1 && rect.top < window.innerHeight / 3) { return; }
    section.scrollIntoView({ block: "start" });
  }

  function focusQuestion(pos) {
    var title = sections[pos].querySelector(".question-title") || sections[pos];
    try { title.focus({ preventScroll: true }); } catch (e) { title.focus(); }
  }

  function goTo(pos, focus) {
    if (!sections[pos]) { return; }
    setCurrent(pos);
    scrollToQuestion(pos);
    if (focus) { focusQuestion(pos); }
    persist();
  }

  function step(delta) {
    var i = indexOfPos(ui.current) + delta;
    if (i < 0 || i >= positions.length) { return; }
    goTo(positions[i], true);
  }

  /** In the whole-paper view, follow the reader: when the current question has scrolled
   *  completely out of view, the topmost visible question becomes current. */
  var scrollQueued = false;
  function onScroll() {
    if (scrollQueued) { return; }
    scrollQueued = true;
    window.requestAnimationFrame(function () {
      scrollQueued = false;
      if (ui.mode !== "all") { return; }
      var top = stickyTop();
      var bottom = window.innerHeight;
      var rect = sections[ui.current].getBoundingClientRect();
      if (rect.bottom > top + 40 && rect.top < bottom - 40) { return; } // still visible
      for (var i = 0; i < positions.length; i++) {
        var r = sections[positions[i]].getBoundingClientRect();
        if (r.bottom > top + 40) {
          if (r.top < bottom) { setCurrent(positions[i]); }
          return;
        }
      }
    });
  }

  // ---------------------------------------------------------------------------
  // Keyboard
  // ---------------------------------------------------------------------------
  function isTextEntry(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || el.isContentEditable) { return true; }
    if (tag !== "input") { return false; }
    var type = (el.getAttribute("type") || "text").toLowerCase();
    return ["radio", "checkbox", "button", "submit", "reset", "image", "hidden", "range", "color", "file"].indexOf(type) < 0;
  }

  function letterOf(event) {
    var key = event.key;
    if (typeof key === "string" && key.length === 1) {
      var upper = key.toUpperCase();
      return LETTERS.indexOf(upper) >= 0 ? upper : null;
    }
    if ((key === "Process" || key === "Unidentified" || !key) && /^Key[A-H]$/.test(event.code || "")) {
      return event.code.charAt(3);
    }
    return null;
  }

  /**
   * A–H: choose that option in the current question (toggle for checkboxes).
   * F: toggle the flag — unless the current question has an option F, which then wins.
   * ←/→: previous/next question (single mode: show it; whole paper: scroll to it).
   */
  function onKeyDown(event) {
    if (event.key === "Enter" && event.target && event.target.form === form &&
        (event.target.type === "radio" || event.target.type === "checkbox")) {
      // Enter in an answer must never submit the paper (implicit form submission).
      event.preventDefault();
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) { return; }
    if (event.isComposing) { return; }
    if (isTextEntry(event.target) || locked || stopped || submitBusy) { return; }
    var key = event.key;
    if (key === "ArrowLeft" || key === "Left" || key === "ArrowRight" || key === "Right") {
      // Also stops a focused radio group from changing the answer with ←/→.
      event.preventDefault();
      if (!event.repeat) { step(key === "ArrowLeft" || key === "Left" ? -1 : 1); }
      return;
    }
    var letter = letterOf(event);
    if (!letter) { return; }
    event.preventDefault();
    if (event.repeat) { return; }
    var pos = ui.current;
    var input = optionInput(pos, LETTERS.indexOf(letter));
    if (input) {
      chooseOption(pos, input);
    } else if (letter === "F") {
      toggleFlag(pos);
    } else {
      return;
    }
    if (ui.mode === "all") {
      var rect = sections[pos].getBoundingClientRect();
      if (rect.bottom < stickyTop() + 40 || rect.top > window.innerHeight - 40) { scrollToQuestion(pos); }
    }
  }

  // ---------------------------------------------------------------------------
  // Submit
  // ---------------------------------------------------------------------------
  var submitLabel = submitBtn ? submitBtn.textContent : "";
  var lastSubmitter = null;

  function onSubmit(event) {
    var submitter = event.submitter || lastSubmitter;
    lastSubmitter = null;
    if (!submitBtn || submitter !== submitBtn) {
      // The old "save" button is gone and Enter must not post the form: autosave does it.
      event.preventDefault();
      flush(REQUEST_TIMEOUT_MS);
      return;
    }
    if (submitAllowed) { return; } // our own requestSubmit() after a successful flush
    event.preventDefault();
    startSubmit();
  }

  function startSubmit() {
    if (submitBusy) { return; }
    if (stopped || timeUpActive) {
      if (stopped === "session") { showNotice(T.submitStopped, "error"); }
      return;
    }
    submitBusy = true;
    submitBtn.disabled = true;
    submitBtn.setAttribute("aria-busy", "true");
    submitBtn.textContent = T.submitting;
    flushUntilClean(SUBMIT_FLUSH_MS).then(function (ok) {
      if (!ok || stopped) { return { saved: ok, reachable: false }; }
      // Everything is saved; make sure the server can be reached before leaving the page,
      // or the candidate would land on the browser's own "no internet" page.
      return fetchState(SUBMIT_CHECK_MS).then(function (state) {
        return { saved: unsavedCount() === 0, reachable: state.ok };
      });
    }).then(function (check) {
      if (stopped) { return; } // the test ended meanwhile: goFinish/stopSession took over
      if (!check.saved || !check.reachable) {
        endSubmitAttempt();
        showNotice(!check.saved && unsavedRejected().length ? T.submitRejected : T.submitOffline, "error");
        return;
      }
      submitAllowed = true;
      // A disabled submitter would not be sent with the form: enable it for the moment the
      // form data is built (synchronously, inside requestSubmit), then disable it again.
      submitBtn.disabled = false;
      if (typeof form.requestSubmit === "function") {
        form.requestSubmit(submitBtn);
      } else {
        var hiddenAction = document.createElement("input");
        hiddenAction.type = "hidden";
        hiddenAction.name = submitBtn.name || "action";
        hiddenAction.value = submitBtn.value || "submit";
        form.appendChild(hiddenAction);
        form.submit();
      }
      submitBtn.disabled = true;
      // Still here long after? The navigation failed or was cancelled: allow another try.
      submitResetTimer = setTimeout(endSubmitAttempt, SUBMIT_RESET_MS);
    });
  }

  function endSubmitAttempt() {
    if (submitResetTimer) { clearTimeout(submitResetTimer); submitResetTimer = null; }
    submitBusy = false;
    submitAllowed = false;
    if (!submitBtn) { return; }
    submitBtn.removeAttribute("aria-busy");
    submitBtn.textContent = submitLabel;
    submitBtn.disabled = locked || !!stopped;
  }

  // ---------------------------------------------------------------------------
  // Enhance the page and wire events
  // ---------------------------------------------------------------------------
  root.classList.add("is-enhanced");
  if ("scrollRestoration" in window.history) { window.history.scrollRestoration = "manual"; }
  // Hidden but NOT disabled: Chromium skips a disabled default button and would make 交卷 the
  // submitter of an implicit (Enter key) submission. Enabled, it stays the default button,
  // and onSubmit() turns such a submission into a flush.
  if (plainSave) { plainSave.hidden = true; }
  if (toggleBtn) { toggleBtn.hidden = false; }
  positions.forEach(function (pos) {
    var section = sections[pos];
    var flagBtn = flagButtonOf(pos);
    if (flagBtn) { flagBtn.hidden = false; }
    var title = section.querySelector(".question-title");
    if (title) {
      title.setAttribute("tabindex", "-1"); // focus target when moving between questions
      var badge = document.createElement("span");
      badge.className = "flag-badge";
      badge.textContent = T.flaggedBadge;
      badge.hidden = true;
      title.appendChild(badge);
    }
  });
  if (palette) {
    // A legend for the answer sheet and a hint for keyboard users.
    var legend = document.createElement("ul");
    legend.className = "palette-legend";
    [["answered", T.stateAnswered], ["unanswered", T.stateUnanswered],
      ["flagged", T.stateFlagged], ["current", T.stateCurrent]].forEach(function (item) {
      var li = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.className = "swatch swatch-" + item[0];
      swatch.setAttribute("aria-hidden", "true");
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(item[1]));
      legend.appendChild(li);
    });
    palette.appendChild(legend);
    var hint = document.createElement("p");
    hint.className = "palette-keys";
    hint.textContent = T.keysHint;
    palette.appendChild(hint);
  }

  setMode(ui.mode, false);
  renderAll();
  renderTimer();
  // Store the reconciled state as is (no merge: what we just read is what we reconciled, and
  // its "saved" marks must not cancel the resend of an answer the server turned out to lack).
  writeNow();
  measureLayout();
  scrollToQuestion(ui.current);

  // Answers: clicks and keyboard on the inputs arrive as "change".
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || (input.type !== "radio" && input.type !== "checkbox")) { return; }
    var section = input.closest ? input.closest("[data-question]") : null;
    if (!section) { return; }
    var pos = toInt(section.getAttribute("data-question"), NaN);
    if (!sections[pos] || input.name !== "q" + pos) { return; }
    setCurrent(pos);
    recordChange(pos);
  });

  form.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var submit = target.closest("button[type=submit], input[type=submit]");
    if (submit) { lastSubmitter = submit; return; } // for browsers without event.submitter
    var section = target.closest("[data-question]");
    var pos = section ? toInt(section.getAttribute("data-question"), NaN) : NaN;
    if (!sections[pos]) { return; }
    if (target.closest("[data-flag]")) {
      setCurrent(pos);
      toggleFlag(pos);
    } else if (target.closest("[data-prev]")) {
      setCurrent(pos);
      step(-1);
    } else if (target.closest("[data-next]")) {
      setCurrent(pos);
      step(1);
    } else {
      setCurrent(pos);
    }
  });

  form.addEventListener("focusin", function (event) {
    var section = event.target && event.target.closest ? event.target.closest("[data-question]") : null;
    if (section) { setCurrent(toInt(section.getAttribute("data-question"), NaN)); }
  });

  form.addEventListener("submit", onSubmit);

  if (palette) {
    palette.addEventListener("click", function (event) {
      var a = event.target && event.target.closest ? event.target.closest("[data-palette-item]") : null;
      if (!a) { return; }
      event.preventDefault();
      goTo(toInt(a.getAttribute("data-palette-item"), NaN), true);
    });
  }

  if (toggleBtn) {
    toggleBtn.addEventListener("click", function () {
      setMode(ui.mode === "single" ? "all" : "single", true);
      persist();
    });
  }

  document.addEventListener("keydown", onKeyDown);
  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", measureLayout);
  if (typeof window.ResizeObserver === "function" && bar) {
    new window.ResizeObserver(measureLayout).observe(bar);
  }

  window.addEventListener("hashchange", function () {
    var m = /^#q-(\d+)$/.exec(window.location.hash || "");
    if (m && sections[toInt(m[1], 0) - 1]) { goTo(toInt(m[1], 0) - 1, true); }
  });

  // Another tab of the same attempt wrote: take its newer answers.
  window.addEventListener("storage", function (event) {
    if (event.key !== cfg.storageKey || !event.newValue) { return; }
    try {
      mergeStored(JSON.parse(event.newValue));
    } catch (e) {
      return;
    }
    refreshCount();
    updateSaveState();
    schedulePump(0);
  });

  window.addEventListener("online", function () {
    net.retryAt = 0;
    net.failures = 0;
    pump();
    pollState();
  });
  window.addEventListener("offline", function () {
    if (unsavedCount() > 0) { net.failing = true; updateSaveState(); }
  });

  window.addEventListener("blur", reportBlur);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      reportBlur();
      persist();
      positions.forEach(function (pos) { if (!records[pos].saved) { dueAt[pos] = 0; } });
      pump();
    } else {
      tick();
      pollState();
      pump();
    }
  });

  window.addEventListener("pagehide", function () {
    persist();
    sendAllWithKeepalive();
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    // Back from the confirmation page through the back/forward cache: start afresh.
    endSubmitAttempt();
    tick();
    pollState();
    pump();
  });
  window.addEventListener("beforeunload", function (event) {
    // Only when this browser cannot keep the answers itself.
    if (!storageOk && unsavedCount() > 0 && !stopped) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  tickTimer = setInterval(tick, 500);
  tick();
  if (cfg.stateUrl) {
    pollTimer = setInterval(pollState, POLL_MS);
    pollState(); // at once: corrects the clock offset (the page may have been slow to load)
  }
  pump(); // resend what was pending before a reload
})();
