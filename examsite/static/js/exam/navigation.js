/* Moving around the paper: the two display modes (whole paper / one question at a time),
 * the current question, previous / next, the answer sheet, following the reader's scroll,
 * unanswered questions and the keyboard keys. Pure helpers first, then the page part, which
 * gets its elements and window (innerHeight, requestAnimationFrame) as parameters. */

import { isInt, toInt } from "./util.js";

export const LETTERS = "ABCDEFGH";
const NEAR_EDGE_PX = 40; // a question this close to the bar or the bottom counts as out of view

/** The position a #q-N hash points at (ids are 1-based: #q-1 is position 0), or null. */
export function parseHash(hash) {
  const m = /^#q-(\d+)$/.exec(hash || "");
  return m ? toInt(m[1], 0) - 1 : null;
}

/** The positions without an answer, in paper order. */
export function unanswered(positions, isAnswered) {
  return positions.filter((pos) => !isAnswered(pos));
}

/** Where to resume: the remembered position, else the URL hash, else the first unanswered
 *  question, else the first. has(pos): is the position on the page. */
export function initialCurrent(o) {
  const stored = o.stored;
  if (stored && isInt(stored.current) && o.has(stored.current)) { return stored.current; }
  const fromHash = parseHash(o.hash);
  if (fromHash !== null && o.has(fromHash)) { return fromHash; }
  const open = unanswered(o.positions, o.isAnswered);
  return open.length ? open[0] : o.positions[0];
}

/** The position delta steps away from current, or null past either end. */
export function stepTarget(positions, current, delta) {
  const i = positions.indexOf(current) + delta;
  return i < 0 || i >= positions.length ? null : positions[i];
}

/** In the whole-paper view, follow the reader: when the current question has scrolled
 *  completely out of view, the topmost visible question becomes current (else null).
 *  rectOf(pos) -> its bounding rect; the view runs from top (below the bar) to bottom. */
export function followReader(positions, current, rectOf, top, bottom) {
  const rect = rectOf(current);
  if (rect.bottom > top + NEAR_EDGE_PX && rect.top < bottom - NEAR_EDGE_PX) { return null; }
  for (let i = 0; i < positions.length; i++) {
    const r = rectOf(positions[i]);
    if (r.bottom > top + NEAR_EDGE_PX) { return r.top < bottom ? positions[i] : null; }
  }
  return null;
}

/** Whether a question's rect is (nearly) out of the view between top and bottom. */
export function outOfView(rect, top, bottom) {
  return rect.bottom < top + NEAR_EDGE_PX || rect.top > bottom - NEAR_EDGE_PX;
}

/** Whether an element takes typed text (where letter keys must keep their meaning). */
export function isTextEntry(el) {
  if (!el || !el.tagName) { return false; }
  const tag = el.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select" || el.isContentEditable) { return true; }
  if (tag !== "input") { return false; }
  const type = (el.getAttribute("type") || "text").toLowerCase();
  return ["radio", "checkbox", "button", "submit", "reset", "image", "hidden", "range", "color", "file"].indexOf(type) < 0;
}

/** The option letter A-H of a key event, or null (uses the key code while an IME composes). */
export function letterOf(event) {
  const key = event.key;
  if (typeof key === "string" && key.length === 1) {
    const upper = key.toUpperCase();
    return LETTERS.indexOf(upper) >= 0 ? upper : null;
  }
  if ((key === "Process" || key === "Unidentified" || !key) && /^Key[A-H]$/.test(event.code || "")) {
    return event.code.charAt(3);
  }
  return null;
}

/**
 * What a keydown means, or null for nothing:
 *   {prevent: true, action: null}               swallow it (Enter in an answer, a held key)
 *   {prevent: true, action: "step", delta}      arrow left / right: previous / next question
 *   {prevent: true, action: "letter", letter}   A-H: that option; F: the flag if there is no F
 * form: the paper form; blocked: locked, stopped or submitting.
 */
export function keyAction(event, form, blocked) {
  const target = event.target;
  if (event.key === "Enter" && target && target.form === form &&
      (target.type === "radio" || target.type === "checkbox")) {
    // Enter in an answer must never submit the paper (implicit form submission).
    return { prevent: true, action: null };
  }
  if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) { return null; }
  if (event.isComposing) { return null; }
  if (isTextEntry(target) || blocked) { return null; }
  const key = event.key;
  if (key === "ArrowLeft" || key === "Left" || key === "ArrowRight" || key === "Right") {
    // Also stops a focused radio group from changing the answer with the arrows.
    if (event.repeat) { return { prevent: true, action: null }; }
    return { prevent: true, action: "step", delta: key === "ArrowLeft" || key === "Left" ? -1 : 1 };
  }
  const letter = letterOf(event);
  if (!letter) { return null; }
  if (event.repeat) { return { prevent: true, action: null }; }
  return { prevent: true, action: "letter", letter: letter, index: LETTERS.indexOf(letter) };
}

/**
 * The page part. o = {root, positions, sections (pos -> section), toggleButton, t, win,
 * stickyTop(), current, mode, hooks: {currentChanged(old, pos), persist(), persistSoon()}}.
 */
export function createNavigation(o) {
  const positions = o.positions;
  const sections = o.sections;
  const win = o.win;
  const hooks = o.hooks;
  const t = o.t;
  let current = o.current;
  let mode = o.mode === "single" ? "single" : "all";
  let scrollQueued = false;

  function updateNavButtons() {
    positions.forEach((pos, i) => {
      const prev = sections[pos].querySelector("[data-prev]");
      const next = sections[pos].querySelector("[data-next]");
      if (prev) { prev.disabled = i === 0; }
      if (next) { next.disabled = i === positions.length - 1; }
    });
  }

  function setMode(newMode, scroll) {
    mode = newMode === "single" ? "single" : "all";
    const single = mode === "single";
    o.root.classList.toggle("is-single", single);
    o.root.classList.toggle("is-all", !single);
    if (o.toggleButton) { o.toggleButton.textContent = single ? t("modeAll") : t("modeSingle"); }
    positions.forEach((pos) => {
      Array.prototype.forEach.call(sections[pos].querySelectorAll("[data-prev], [data-next]"), (b) => { b.hidden = !single; });
    });
    updateNavButtons();
    if (scroll) { scrollToQuestion(current); }
  }

  /** Make pos the current question (answer sheet, keyboard target, the one shown alone). */
  function setCurrent(pos) {
    if (!sections[pos] || pos === current) { return; }
    const old = current;
    current = pos;
    hooks.currentChanged(old, pos);
    hooks.persistSoon();
  }

  /** Bring a question's top into view below the sticky bar; leave the page alone when the
   *  top is already in the upper part of the screen (calmer, and keeps the page header). */
  function scrollToQuestion(pos) {
    const section = sections[pos];
    if (!section) { return; }
    const rect = section.getBoundingClientRect();
    if (rect.top >= o.stickyTop() - 1 && rect.top < win.innerHeight / 3) { return; }
    section.scrollIntoView({ block: "start" });
  }

  function focusQuestion(pos) {
    const title = sections[pos].querySelector(".question-title") || sections[pos];
    try { title.focus({ preventScroll: true }); } catch (e) { title.focus(); }
  }

  function goTo(pos, focus) {
    if (!sections[pos]) { return; }
    setCurrent(pos);
    scrollToQuestion(pos);
    if (focus) { focusQuestion(pos); }
    hooks.persist();
  }

  function step(delta) {
    const pos = stepTarget(positions, current, delta);
    if (pos !== null) { goTo(pos, true); }
  }

  function onScroll() {
    if (scrollQueued) { return; }
    scrollQueued = true;
    win.requestAnimationFrame(() => {
      scrollQueued = false;
      if (mode !== "all") { return; }
      const pos = followReader(positions, current, (p) => sections[p].getBoundingClientRect(), o.stickyTop(), win.innerHeight);
      if (pos !== null) { setCurrent(pos); }
    });
  }

  /** After a key changed the current question in the whole paper: keep it in view. */
  function keepInView(pos) {
    if (mode !== "all") { return; }
    if (outOfView(sections[pos].getBoundingClientRect(), o.stickyTop(), win.innerHeight)) { scrollToQuestion(pos); }
  }

  return {
    current: () => current,
    mode: () => mode,
    setMode,
    toggleMode(scroll) { setMode(mode === "single" ? "all" : "single", scroll); },
    updateNavButtons,
    setCurrent,
    scrollToQuestion,
    goTo,
    step,
    onScroll,
    keepInView
  };
}
