// node --test tests/js/ — moving around the paper (examsite/static/js/exam/navigation.js).
import test from "node:test";
import assert from "node:assert/strict";
import { createT } from "../../examsite/static/js/exam/i18n.js";
import {
  createNavigation, followReader, initialCurrent, isTextEntry, keyAction, letterOf, parseHash,
  stepTarget, unanswered
} from "../../examsite/static/js/exam/navigation.js";
import { el, fakeDocument } from "./helpers.mjs";

const POSITIONS = [0, 1, 2, 3];
const has = (pos) => POSITIONS.indexOf(pos) >= 0;

test("hash #q-N points at position N-1", () => {
  assert.equal(parseHash("#q-1"), 0);
  assert.equal(parseHash("#q-12"), 11);
  assert.equal(parseHash("#q-x"), null);
  assert.equal(parseHash(""), null);
  assert.equal(parseHash(undefined), null);
});

test("unanswered questions, in paper order", () => {
  const answered = { 0: true, 2: true };
  assert.deepEqual(unanswered(POSITIONS, (p) => !!answered[p]), [1, 3]);
  assert.deepEqual(unanswered(POSITIONS, () => true), []);
});

test("where to resume: remembered, then the hash, then the first unanswered, then the first", () => {
  const isAnswered = (p) => p < 2;
  const o = { positions: POSITIONS, has, isAnswered, hash: "#q-4", stored: { current: 1 } };
  assert.equal(initialCurrent(o), 1);
  assert.equal(initialCurrent(Object.assign({}, o, { stored: { current: 9 } })), 3, "an unknown remembered position");
  assert.equal(initialCurrent(Object.assign({}, o, { stored: null })), 3);
  assert.equal(initialCurrent(Object.assign({}, o, { stored: null, hash: "#q-9" })), 2);
  assert.equal(initialCurrent(Object.assign({}, o, { stored: null, hash: "", isAnswered: () => true })), 0);
});

test("previous / next stop at the ends", () => {
  assert.equal(stepTarget(POSITIONS, 1, 1), 2);
  assert.equal(stepTarget(POSITIONS, 1, -1), 0);
  assert.equal(stepTarget(POSITIONS, 0, -1), null);
  assert.equal(stepTarget(POSITIONS, 3, 1), null);
});

test("following the reader: the topmost visible question once the current one is gone", () => {
  // Each question 300 px tall; the view is 100 (below the bar) to 700.
  const rects = (scroll) => (p) => ({ top: p * 300 - scroll, bottom: p * 300 + 300 - scroll });
  assert.equal(followReader(POSITIONS, 0, rects(0), 100, 700), null, "current still visible");
  assert.equal(followReader(POSITIONS, 0, rects(300), 100, 700), 1);
  assert.equal(followReader(POSITIONS, 0, rects(550), 100, 700), 2, "question 1 shows less than 40 px");
  assert.equal(followReader(POSITIONS, 3, rects(0), 100, 700), 0, "scrolled back up");
});

function key(k, extra) { return Object.assign({ key: k, code: "", target: null, repeat: false }, extra); }

test("keys: letters choose, arrows step, Enter in an answer is swallowed", () => {
  const form = {};
  assert.deepEqual(keyAction(key("b"), form, false), { prevent: true, action: "letter", letter: "B", index: 1 });
  assert.deepEqual(keyAction(key("F"), form, false), { prevent: true, action: "letter", letter: "F", index: 5 });
  assert.equal(keyAction(key("z"), form, false), null);
  assert.deepEqual(keyAction(key("ArrowLeft"), form, false), { prevent: true, action: "step", delta: -1 });
  assert.deepEqual(keyAction(key("Right"), form, false), { prevent: true, action: "step", delta: 1 });
  assert.deepEqual(keyAction(key("ArrowRight", { repeat: true }), form, false), { prevent: true, action: null });
  assert.deepEqual(keyAction(key("a", { repeat: true }), form, false), { prevent: true, action: null });
  const radio = { form, type: "radio" };
  assert.deepEqual(keyAction(key("Enter", { target: radio }), form, true), { prevent: true, action: null });
  assert.equal(keyAction(key("Enter", { target: { form: {}, type: "radio" } }), form, false), null);
});

test("keys do nothing with modifiers, while composing, in text fields or when blocked", () => {
  const doc = fakeDocument();
  assert.equal(keyAction(key("a", { ctrlKey: true }), null, false), null);
  assert.equal(keyAction(key("a", { metaKey: true }), null, false), null);
  assert.equal(keyAction(key("a", { defaultPrevented: true }), null, false), null);
  assert.equal(keyAction(key("a", { isComposing: true }), null, false), null);
  assert.equal(keyAction(key("a", { target: el(doc, "textarea", {}) }), null, false), null);
  assert.equal(keyAction(key("a", { target: el(doc, "input", { type: "text" }) }), null, false), null);
  assert.equal(keyAction(key("a"), null, true), null);
  assert.equal(isTextEntry(el(doc, "input", {})), true, "an input without type is text");
  assert.equal(isTextEntry(el(doc, "input", { type: "checkbox" })), false);
  assert.equal(isTextEntry(el(doc, "select", {})), true);
  assert.equal(isTextEntry(el(doc, "div", {})), false);
});

test("an input method's Process key still gives the letter from its code", () => {
  assert.equal(letterOf({ key: "Process", code: "KeyC" }), "C");
  assert.equal(letterOf({ key: "Unidentified", code: "KeyJ" }), null);
  assert.equal(letterOf({ key: "Process", code: "Digit1" }), null);
  assert.equal(letterOf({ key: "h" }), "H");
});

/** A paper of four questions with prev/next buttons, and a window. */
function page(mode = "all", current = 0) {
  const doc = fakeDocument();
  const sections = {};
  POSITIONS.forEach((p) => {
    sections[p] = el(doc, "section", { "data-question": String(p) },
      el(doc, "h2", { class: "question-title" }),
      el(doc, "button", { "data-prev": "" }), el(doc, "button", { "data-next": "" }));
    sections[p].rect = { top: p * 300, bottom: p * 300 + 300 };
  });
  const root = el(doc, "div", {});
  const toggle = el(doc, "button", {});
  const frames = [];
  const win = { innerHeight: 700, requestAnimationFrame: (fn) => frames.push(fn) };
  const log = [];
  const nav = createNavigation({
    root, positions: POSITIONS, sections, toggleButton: toggle, win, mode, current,
    t: createT({ modeAll: "Whole paper", modeSingle: "One by one" }),
    stickyTop: () => 100,
    hooks: {
      currentChanged: (old, pos) => log.push(["current", old, pos]),
      persist: () => log.push(["persist"]),
      persistSoon: () => log.push(["persistSoon"])
    }
  });
  return { nav, root, toggle, sections, win, frames, log };
}

test("the two display modes: classes, the toggle's label, prev / next buttons", () => {
  const { nav, root, toggle, sections } = page();
  nav.setMode("single", false);
  assert.equal(nav.mode(), "single");
  assert.equal(root.className, "is-single");
  assert.equal(toggle.textContent, "Whole paper", "offers the other mode");
  assert.ok(POSITIONS.every((p) => !sections[p].querySelector("[data-prev]").hidden));
  assert.equal(sections[0].querySelector("[data-prev]").disabled, true);
  assert.equal(sections[0].querySelector("[data-next]").disabled, false);
  assert.equal(sections[3].querySelector("[data-next]").disabled, true);
  nav.toggleMode(false);
  assert.equal(nav.mode(), "all");
  assert.equal(root.className, "is-all");
  assert.equal(toggle.textContent, "One by one");
  assert.ok(POSITIONS.every((p) => sections[p].querySelector("[data-next]").hidden));
  nav.setMode("bogus", false);
  assert.equal(nav.mode(), "all");
});

test("moving: the current question changes, is focused and remembered; ends stop", () => {
  const { nav, log, sections } = page("single", 0);
  nav.step(-1);
  assert.deepEqual(log, [], "nothing before the first");
  nav.step(1);
  assert.equal(nav.current(), 1);
  assert.deepEqual(log, [["current", 0, 1], ["persistSoon"], ["persist"]]);
  assert.equal(sections[1].querySelector(".question-title").focused, 1);
  nav.goTo(3, false);
  nav.step(1);
  assert.equal(nav.current(), 3);
  nav.setCurrent(3);
  nav.setCurrent(42);
  assert.equal(log.filter((e) => e[0] === "current").length, 2, "no change for the same or an unknown one");
});

test("scrolling to a question only when its top is not already near the top", () => {
  const { nav, sections } = page();
  nav.scrollToQuestion(0); // top 0 is under the 100 px bar
  assert.equal(sections[0].scrolledIntoView, 1);
  sections[1].rect = { top: 150, bottom: 450 };
  nav.scrollToQuestion(1);
  assert.equal(sections[1].scrolledIntoView, 0, "already in the upper third");
  nav.keepInView(2); // top 600 is within the view
  assert.equal(sections[2].scrolledIntoView, 0);
  sections[2].rect = { top: 690, bottom: 990 };
  nav.keepInView(2);
  assert.equal(sections[2].scrolledIntoView, 1);
});

test("in the whole paper the current question follows the scroll, once per frame", () => {
  const { nav, sections, frames } = page("all", 0);
  POSITIONS.forEach((p) => { sections[p].rect = { top: p * 300 - 600, bottom: p * 300 - 300 }; });
  nav.onScroll();
  nav.onScroll();
  assert.equal(frames.length, 1);
  frames.shift()();
  assert.equal(nav.current(), 2);
  nav.setMode("single", false);
  POSITIONS.forEach((p) => { sections[p].rect = { top: p * 300, bottom: p * 300 + 300 }; });
  nav.onScroll();
  frames.shift()();
  assert.equal(nav.current(), 2, "one by one: scrolling does not move the current question");
});
