/* examsite — the candidate's test page (GET /exam/paper), entry module.
 *
 * Progressive enhancement of the server-rendered paper: without scripts (or in a browser too
 * old for modules, which skips type="module") the page is a plain form posting to
 * /exam/save. Here we read the page, build the modules with the browser's objects and wire
 * the events:
 *
 *   savequeue.js   answers to localStorage at once, then to the API (debounced, retried)
 *   clock.js       countdown on the server's clock, deadline changes, five-minute warning
 *   controller.js  state polling, time up, the end of the test, the guarded submit
 *   navigation.js  display modes, current question, answer sheet, keyboard keys
 *   render.js      what is drawn: save state, timer, answer marks, notices
 *   i18n.js        texts, all from the server's data-i18n (exams/page_text.py)
 */

import { createClock } from "./clock.js";
import { createController } from "./controller.js";
import { createT, parseTexts } from "./i18n.js";
import { createNavigation, initialCurrent, keyAction, parseHash } from "./navigation.js";
import {
  addFlagBadge, addPaletteLegend, applyChoice, createNotices, measureLayout, renderCount,
  renderLocked, renderQuestion, renderSaveState, renderTimer, saveStatus, stickyTop
} from "./render.js";
import { createRequest } from "./request.js";
import { createSaveQueue, createStore } from "./savequeue.js";
import { byNumber, each, makeLog, toInt } from "./util.js";

export function start(doc, win) {
  const root = doc.querySelector("[data-exam]");
  if (!root || !win.fetch || !win.Promise) {
    return; // No paper on this page, or a browser too old: the plain form still works.
  }
  const log = makeLog(win.console);
  const t = createT(parseTexts(root.getAttribute("data-i18n"), log));
  const now = () => Date.now();
  const setTimer = (fn, ms) => win.setTimeout(fn, ms);
  const clearTimer = (id) => win.clearTimeout(id);

  // The page contract.
  const attempt = root.getAttribute("data-attempt") || "";
  const cfg = {
    saveUrl: root.getAttribute("data-save-url"),
    stateUrl: root.getAttribute("data-state-url"),
    eventUrl: root.getAttribute("data-event-url"),
    finishUrl: root.getAttribute("data-finish-url"),
    storageKey: root.getAttribute("data-storage-key") || ("examsite:attempt:" + attempt),
    lastSeq: Math.max(0, toInt(root.getAttribute("data-last-seq"), 0))
  };
  const form = root.querySelector("[data-paper-form]");
  const bar = root.querySelector(".exam-bar");
  const timerBox = root.querySelector("[data-timer]");
  const timerValue = root.querySelector("[data-timer-value]");
  const saveState = root.querySelector("[data-save-state]");
  const answeredCount = root.querySelector("[data-answered-count]");
  const toggleBtn = root.querySelector("[data-toggle-mode]");
  const noticeBox = root.querySelector("[data-notice]");
  const palette = root.querySelector("[data-palette]");
  const submitBtn = root.querySelector("[data-submit]");
  const plainSave = root.querySelector("[data-plain-save]");
  if (!form) { return; }

  // The questions: position -> {section, inputs ("q<pos>" radios / checkboxes), flag button,
  // answer sheet cell}, and the option values the save queue may store.
  const positions = [];
  const sections = {};
  const paletteItems = {};
  each(form.querySelectorAll("[data-question]"), (section) => {
    const pos = toInt(section.getAttribute("data-question"), NaN);
    if (!isFinite(pos) || sections[pos]) { return; }
    sections[pos] = section;
    positions.push(pos);
  });
  positions.sort(byNumber);
  if (palette) {
    each(palette.querySelectorAll("[data-palette-item]"), (a) => {
      const pos = toInt(a.getAttribute("data-palette-item"), NaN);
      if (isFinite(pos)) { paletteItems[pos] = a; }
    });
  }
  if (!positions.length) { return; }
  if (toInt(root.getAttribute("data-total"), positions.length) !== positions.length) {
    log("warn", "data-total does not match the number of questions on the page");
  }
  const views = {};
  const model = {};
  positions.forEach((pos) => {
    const inputs = [];
    each(sections[pos].querySelectorAll("input"), (input) => {
      if (input.name === "q" + pos && (input.type === "radio" || input.type === "checkbox")) { inputs.push(input); }
    });
    views[pos] = {
      pos: pos, section: sections[pos], inputs: inputs,
      flagButton: sections[pos].querySelector("[data-flag]"), paletteItem: paletteItems[pos] || null
    };
    model[pos] = {
      values: inputs.map((input) => toInt(input.value, -1)),
      multiple: inputs.length > 0 && inputs[0].type === "checkbox"
    };
  });
  const viewList = positions.map((pos) => views[pos]);

  /** The current choice as read from the inputs: sorted option values. With fromServer,
   *  the server-rendered `checked` attributes (defaultChecked), which stay what the server
   *  sent whatever was clicked since. */
  function readChoice(pos, fromServer) {
    const choice = [];
    views[pos].inputs.forEach((input) => {
      if (fromServer ? input.defaultChecked : input.checked) { choice.push(toInt(input.value, -1)); }
    });
    return choice.filter((v) => v >= 0).sort(byNumber);
  }
  /** Whether the server rendered the question as flagged (any of the usual markers). */
  function readDomFlag(pos) {
    const v = views[pos];
    return !!((v.flagButton && v.flagButton.getAttribute("aria-pressed") === "true") ||
      (v.paletteItem && v.paletteItem.classList.contains("flagged")) ||
      v.section.getAttribute("data-flagged") === "true");
  }
  function optionInput(pos, idx) {
    const inputs = views[pos].inputs;
    for (let i = 0; i < inputs.length; i++) {
      if (toInt(inputs[i].value, -1) === idx) { return inputs[i]; }
    }
    return null;
  }
  function csrfToken() {
    const meta = doc.querySelector('meta[name="csrf-token"]');
    if (meta && meta.getAttribute("content")) { return meta.getAttribute("content"); }
    const input = form.querySelector('input[name="csrf_token"]');
    return input ? input.value : "";
  }

  let storage = null;
  try { storage = win.localStorage; } catch (e) { storage = null; } // disabled by policy
  const store = createStore({ storage: storage, key: cfg.storageKey, attempt: attempt, log: log });
  const request = createRequest({
    fetch: (url, init) => win.fetch(url, init), AbortController: win.AbortController,
    now: now, setTimeout: setTimer, clearTimeout: clearTimer, csrfToken: csrfToken
  });
  const clock = createClock({
    now: now, deadline: root.getAttribute("data-deadline"), serverNow: root.getAttribute("data-server-now")
  });

  let nav = null;
  let ctl = null;
  const layout = () => measureLayout(root, bar, noticeBox);
  const top = () => stickyTop(bar, noticeBox);
  const notices = createNotices(noticeBox, doc, t, layout);

  function refreshQuestion(pos) {
    renderQuestion(views[pos], queue.record(pos), pos === nav.current(), t);
  }
  function refreshCount() { renderCount(answeredCount, queue.answeredCount()); }
  function updateSaveState() {
    if (renderSaveState(saveState, saveStatus(ctl ? ctl.stopped() : null, queue.status()), t)) { layout(); }
  }
  function drawTimer() { renderTimer(timerValue, timerBox, clock.view()); }

  const queue = createSaveQueue({
    positions: positions, questions: model, store: store, request: request,
    saveUrl: cfg.saveUrl, attempt: attempt, lastSeq: cfg.lastSeq,
    now: now, setTimeout: setTimer, clearTimeout: clearTimer, random: Math.random, log: log,
    hooks: {
      meta: () => ({ current: nav.current(), mode: nav.mode(), notices: ctl.noticesSeen(), warnedFor: clock.warnedFor() }),
      mergeMeta: (data) => { ctl.rememberNotices(data.notices); clock.restoreWarnedFor(data.warnedFor); },
      replaced: (pos) => { applyChoice(views[pos].inputs, queue.record(pos).choice); refreshQuestion(pos); },
      question: refreshQuestion,
      status: updateSaveState,
      serverData: (data, res) => ctl.onSaveConfirmed(data, res),
      session: (data) => ctl.stopSession(data),
      over: (data) => ctl.onSaveOver(data)
    }
  });

  // Ticks made before this script ran (the modules load last, late on a slow network). The
  // form has autocomplete="off", so the browser restores no ticks of its own: any input that
  // differs from what the server rendered was clicked by the candidate, and is the newest
  // answer of its question.
  const early = positions.filter((pos) => readChoice(pos).join() !== readChoice(pos, true).join())
    .map((pos) => ({ pos: pos, choice: readChoice(pos) }));

  // Start-up reconciliation: the server's page vs what this browser remembers.
  const stored = store.read();
  queue.restore(stored, (pos) => ({
    seq: Math.max(0, toInt(sections[pos].getAttribute("data-saved-seq"), 0)),
    choice: readChoice(pos, true),
    flagged: readDomFlag(pos)
  }));
  positions.forEach((pos) => applyChoice(views[pos].inputs, queue.record(pos).choice));
  let mode = "all";
  if (stored) {
    clock.restoreWarnedFor(stored.warnedFor);
    if (stored.mode === "single" || stored.mode === "all") { mode = stored.mode; }
  }

  nav = createNavigation({
    root: root, positions: positions, sections: sections, toggleButton: toggleBtn, t: t, win: win,
    stickyTop: top, mode: mode,
    current: initialCurrent({
      stored: stored, hash: win.location.hash, positions: positions,
      has: (pos) => !!sections[pos], isAnswered: (pos) => queue.record(pos).choice.length > 0
    }),
    hooks: {
      currentChanged: (old, pos) => { refreshQuestion(old); refreshQuestion(pos); },
      persist: () => queue.persist(),
      persistSoon: () => queue.persistSoon()
    }
  });

  ctl = createController({
    queue: queue, clock: clock, notices: notices, t: t, request: request,
    stateUrl: cfg.stateUrl, eventUrl: cfg.eventUrl, finishUrl: cfg.finishUrl,
    now: now, setTimeout: setTimer, clearTimeout: clearTimer,
    setInterval: (fn, ms) => win.setInterval(fn, ms), clearInterval: (id) => win.clearInterval(id),
    location: { assign: (url) => win.location.assign(url), href: () => win.location.href },
    submitButton: submitBtn, form: form, doc: doc,
    hooks: {
      renderTimer: drawTimer,
      updateSaveState: updateSaveState,
      lockView: (on) => renderLocked(root, viewList, on),
      persist: () => queue.persist()
    }
  });
  if (stored) { ctl.rememberNotices(stored.notices); }
  early.forEach((e) => {
    queue.change(e.pos, e.choice);
    applyChoice(views[e.pos].inputs, queue.record(e.pos).choice);
  });

  /** The candidate changed a question: stored first, then drawn, then sent (by the queue). */
  function recordChange(pos, flagged) {
    if (ctl.locked() || ctl.stopped()) { return; }
    if (!queue.change(pos, readChoice(pos), flagged)) { return; }
    applyChoice(views[pos].inputs, queue.record(pos).choice); // a merge must not undo the click
    refreshQuestion(pos);
    refreshCount();
    updateSaveState();
  }
  function toggleFlag(pos) {
    if (ctl.locked() || ctl.stopped()) { return; }
    recordChange(pos, !queue.record(pos).flagged);
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
  function positionOf(el) {
    const section = el && el.closest ? el.closest("[data-question]") : null;
    return section ? toInt(section.getAttribute("data-question"), NaN) : NaN;
  }

  // Enhance the page.
  root.classList.add("is-enhanced");
  if ("scrollRestoration" in win.history) { win.history.scrollRestoration = "manual"; }
  // Hidden but NOT disabled: Chromium skips a disabled default button and would make the
  // submit button the submitter of an implicit (Enter key) submission. Enabled, it stays the
  // default button, and onSubmit() turns such a submission into a flush.
  if (plainSave) { plainSave.hidden = true; }
  if (toggleBtn) { toggleBtn.hidden = false; }
  viewList.forEach((v) => {
    if (v.flagButton) { v.flagButton.hidden = false; }
    const title = v.section.querySelector(".question-title");
    if (title) {
      title.setAttribute("tabindex", "-1"); // focus target when moving between questions
      addFlagBadge(title, doc, t);
    }
  });
  if (palette) { addPaletteLegend(palette, doc, t); }

  nav.setMode(nav.mode(), false);
  positions.forEach(refreshQuestion);
  refreshCount();
  nav.updateNavButtons();
  updateSaveState();
  drawTimer();
  // Store the reconciled state as is (no merge: what we just read is what we reconciled, and
  // its "saved" marks must not cancel the resend of an answer the server turned out to lack).
  queue.writeNow();
  layout();
  nav.scrollToQuestion(nav.current());

  // Answers: clicks and keyboard on the inputs arrive as "change".
  form.addEventListener("change", (event) => {
    const input = event.target;
    if (!input || (input.type !== "radio" && input.type !== "checkbox")) { return; }
    const pos = positionOf(input);
    if (!sections[pos] || input.name !== "q" + pos) { return; }
    nav.setCurrent(pos);
    recordChange(pos);
  });

  form.addEventListener("click", (event) => {
    const target = event.target;
    if (!target || !target.closest) { return; }
    const submit = target.closest("button[type=submit], input[type=submit]");
    if (submit) { ctl.noteSubmitter(submit); return; } // for browsers without event.submitter
    const pos = positionOf(target);
    if (!sections[pos]) { return; }
    nav.setCurrent(pos);
    if (target.closest("[data-flag]")) {
      toggleFlag(pos);
    } else if (target.closest("[data-prev]")) {
      nav.step(-1);
    } else if (target.closest("[data-next]")) {
      nav.step(1);
    }
  });

  form.addEventListener("focusin", (event) => nav.setCurrent(positionOf(event.target)));

  form.addEventListener("submit", (event) => ctl.onSubmit(event));

  if (palette) {
    palette.addEventListener("click", (event) => {
      const a = event.target && event.target.closest ? event.target.closest("[data-palette-item]") : null;
      if (!a) { return; }
      event.preventDefault();
      nav.goTo(toInt(a.getAttribute("data-palette-item"), NaN), true);
    });
  }

  if (toggleBtn) {
    toggleBtn.addEventListener("click", () => {
      nav.toggleMode(true);
      queue.persist();
    });
  }

  doc.addEventListener("keydown", (event) => {
    const action = keyAction(event, form, ctl.blocked());
    if (!action) { return; }
    if (action.prevent) { event.preventDefault(); }
    if (action.action === "step") {
      nav.step(action.delta);
    } else if (action.action === "letter") {
      const pos = nav.current();
      const input = optionInput(pos, action.index);
      if (input) {
        chooseOption(pos, input);
      } else if (action.letter === "F") {
        toggleFlag(pos);
      } else {
        return;
      }
      nav.keepInView(pos);
    }
  });
  win.addEventListener("scroll", () => nav.onScroll(), { passive: true });
  win.addEventListener("resize", layout);
  if (typeof win.ResizeObserver === "function" && bar) {
    new win.ResizeObserver(layout).observe(bar);
  }

  win.addEventListener("hashchange", () => {
    const pos = parseHash(win.location.hash);
    if (pos !== null && sections[pos]) { nav.goTo(pos, true); }
  });

  // Another tab of the same attempt wrote: take its newer answers.
  win.addEventListener("storage", (event) => {
    if (event.key !== cfg.storageKey || !event.newValue) { return; }
    let data;
    try { data = JSON.parse(event.newValue); } catch (e) { return; }
    queue.mergeFromOtherTab(data);
    refreshCount();
    updateSaveState();
  });

  win.addEventListener("online", () => {
    queue.online();
    ctl.pollState();
  });
  win.addEventListener("offline", () => queue.offline());

  win.addEventListener("blur", () => ctl.reportBlur());
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState === "hidden") {
      ctl.reportBlur();
      queue.persist();
      queue.sendPendingNow();
    } else {
      ctl.tick();
      ctl.pollState();
      queue.pump();
    }
  });

  win.addEventListener("pagehide", () => {
    queue.persist();
    queue.sendAllWithKeepalive();
  });
  win.addEventListener("pageshow", (event) => {
    if (!event.persisted) { return; }
    // Back from the confirmation page through the back/forward cache: start afresh.
    ctl.endSubmitAttempt();
    ctl.tick();
    ctl.pollState();
    queue.pump();
  });
  win.addEventListener("beforeunload", (event) => {
    // Only when this browser cannot keep the answers itself.
    if (!queue.storageOk() && queue.unsavedCount() > 0 && !ctl.stopped()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  ctl.start();
  queue.pump(); // resend what was pending before a reload
}

// Only in a page: Node imports the modules (and this one) without a document.
if (typeof document !== "undefined" && typeof window !== "undefined") {
  start(document, window);
}
