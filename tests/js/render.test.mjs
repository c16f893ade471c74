// node --test tests/js/ — what the test page draws (examsite/static/js/exam/render.js),
// on a minimal fake DOM (helpers.mjs).
import test from "node:test";
import assert from "node:assert/strict";
import { createT } from "../../examsite/static/js/exam/i18n.js";
import {
  addFlagBadge, addPaletteLegend, applyChoice, createNotices, measureLayout, paletteLabel,
  renderCount, renderLocked, renderQuestion, renderSaveState, renderTimer, saveStatus
} from "../../examsite/static/js/exam/render.js";
import { el, fakeDocument } from "./helpers.mjs";

// Made-up texts: the modules must take every word from here.
const t = createT({
  saving: "Saving", saved: "Saved", offline: "Offline, kept here", offlineNoStorage: "Offline, keep open",
  rejected: "Refused", stoppedSession: "Stopped", stoppedOver: "Over", dismiss: "OK",
  question: "Q{n}", stateAnswered: "answered", stateUnanswered: "open", stateFlagged: "flagged",
  stateCurrent: "current", separator: " / ", flaggedBadge: "*flag*", keysHint: "Keys: A-H"
});

const base = { unsaved: 0, rejected: 0, failing: false, inFlight: false, storageOk: true };
const st = (extra) => Object.assign({}, base, extra);

test("the save indicator's state", () => {
  assert.deepEqual(saveStatus(null, st()), { key: "saved", kind: "saved" });
  assert.deepEqual(saveStatus(null, st({ unsaved: 2 })), { key: "saving", kind: "saving" });
  assert.deepEqual(saveStatus(null, st({ unsaved: 2, failing: true })), { key: "offline", kind: "offline" });
  assert.deepEqual(saveStatus(null, st({ unsaved: 2, failing: true, storageOk: false })), { key: "offlineNoStorage", kind: "offline" });
  assert.deepEqual(saveStatus(null, st({ unsaved: 2, rejected: 2 })), { key: "rejected", kind: "error" });
  assert.deepEqual(saveStatus(null, st({ unsaved: 2, rejected: 1 })), { key: "saving", kind: "saving" }, "others still go");
  assert.deepEqual(saveStatus(null, st({ unsaved: 1, rejected: 1, inFlight: true })), { key: "saving", kind: "saving" });
  assert.deepEqual(saveStatus("session", st({ unsaved: 1 })), { key: "stoppedSession", kind: "error" });
  assert.deepEqual(saveStatus("over", st()), { key: "stoppedOver", kind: "stopped" });
});

test("the indicator is redrawn only when its state changes", () => {
  const doc = fakeDocument();
  const box = el(doc, "span", { "data-save-state": "" }, "Saved");
  assert.equal(renderSaveState(box, { key: "offline", kind: "offline" }, t), true);
  assert.equal(box.textContent, "Offline, kept here");
  assert.equal(box.getAttribute("data-state"), "offline");
  assert.equal(box.className, "is-offline");
  assert.equal(renderSaveState(box, { key: "offline", kind: "offline" }, t), false, "same kind: no layout");
  renderSaveState(box, { key: "saved", kind: "saved" }, t);
  assert.equal(box.className, "is-saved");
  assert.equal(box.textContent, "Saved");
  assert.equal(renderSaveState(null, { key: "saved", kind: "saved" }, t), false);
});

test("the timer shows the clock's text and the warning style", () => {
  const doc = fakeDocument();
  const box = el(doc, "span", {});
  const value = el(doc, "strong", {}, "-");
  renderTimer(value, box, { text: "04:59", warning: true });
  assert.equal(value.textContent, "04:59");
  assert.equal(box.classList.contains("is-warning"), true);
  renderTimer(value, box, { text: "12:00", warning: false });
  assert.equal(box.classList.contains("is-warning"), false);
  const count = el(doc, "span", {}, "0");
  renderCount(count, 7);
  assert.equal(count.textContent, "7");
});

/** One question as paper.html renders it, with its answer sheet cell. */
function question(doc, pos, kind = "radio") {
  const inputs = [0, 1, 2].map((v) => el(doc, "input", { type: kind, name: "q" + pos, value: String(v) }));
  const labels = inputs.map((input) => el(doc, "label", { class: "option" }, input));
  const title = el(doc, "h2", { class: "question-title" }, "Question " + (pos + 1));
  const flag = el(doc, "button", { "data-flag": String(pos), "aria-pressed": "false" });
  const section = el(doc, "section", { class: "question", "data-question": String(pos) },
    title, el(doc, "fieldset", {}, ...labels), el(doc, "div", {}, flag));
  const cell = el(doc, "a", { "data-palette-item": String(pos) }, " " + (pos + 1) + " ");
  return { pos, section, inputs, labels, title, flagButton: flag, paletteItem: cell };
}

test("a question's marks: ticked options, flag, answer sheet cell and its name", () => {
  const doc = fakeDocument();
  const q = question(doc, 2, "checkbox");
  addFlagBadge(q.title, doc, t);
  applyChoice(q.inputs, [0, 2]);
  assert.deepEqual(q.inputs.map((i) => i.checked), [true, false, true]);
  renderQuestion(q, { choice: [0, 2], flagged: true }, true, t);
  assert.deepEqual(q.labels.map((l) => l.classList.contains("is-checked")), [true, false, true]);
  assert.equal(q.section.className, "question is-answered is-flagged is-current");
  assert.equal(q.flagButton.getAttribute("aria-pressed"), "true");
  assert.equal(q.section.querySelector(".flag-badge").hidden, false);
  assert.equal(q.section.querySelector(".flag-badge").textContent, "*flag*");
  assert.equal(q.paletteItem.className, "answered flagged current");
  assert.equal(q.paletteItem.getAttribute("aria-current"), "true");
  assert.equal(q.paletteItem.getAttribute("aria-label"), "Q3 / answered / flagged / current");
  assert.equal(q.paletteItem.getAttribute("title"), "Q3 / answered / flagged / current");

  applyChoice(q.inputs, []);
  renderQuestion(q, { choice: [], flagged: false }, false, t);
  assert.deepEqual(q.labels.map((l) => l.classList.contains("is-checked")), [false, false, false]);
  assert.equal(q.section.className, "question");
  assert.equal(q.flagButton.getAttribute("aria-pressed"), "false");
  assert.equal(q.section.querySelector(".flag-badge").hidden, true);
  assert.equal(q.paletteItem.className, "");
  assert.equal(q.paletteItem.getAttribute("aria-current"), null);
  assert.equal(q.paletteItem.getAttribute("aria-label"), "Q3 / open");
});

test("a text the server did not send shows as its key", () => {
  const bare = createT({ question: "Q{n}" });
  assert.equal(paletteLabel(bare, "4", { answered: true, flagged: false, current: false }), "Q4separatorstateAnswered");
  assert.equal(createT({})("question", { n: 2 }), "question");
  assert.equal(createT({ question: "{n}/{n}" })("question", { n: 2 }), "2/2");
});

test("locking disables the answers and the flag buttons", () => {
  const doc = fakeDocument();
  const root = el(doc, "div", {});
  const qs = [question(doc, 0), question(doc, 1)];
  renderLocked(root, qs, true);
  assert.equal(root.classList.contains("is-locked"), true);
  assert.ok(qs.every((q) => q.inputs.every((i) => i.disabled) && q.flagButton.disabled));
  renderLocked(root, qs, false);
  assert.ok(qs.every((q) => q.inputs.every((i) => !i.disabled) && !q.flagButton.disabled));
});

test("notices: a sticky one stays, an ordinary one can be dismissed", () => {
  const doc = fakeDocument();
  const box = el(doc, "div", { "data-notice": "" });
  box.hidden = true;
  let layouts = 0;
  const notices = createNotices(box, doc, t, () => { layouts += 1; });
  notices.show("Deadline moved", "info");
  assert.equal(box.hidden, false);
  assert.equal(box.className, "is-info");
  assert.equal(box.querySelector("p").textContent, "Deadline moved");
  const close = box.querySelector("button");
  assert.equal(close.textContent, "OK");
  close.click();
  assert.equal(box.hidden, true);
  assert.equal(box.textContent, "");

  notices.show("Time is up", "warning", true);
  assert.equal(box.querySelector("button"), null, "no close button");
  notices.show("Five minutes left", "warning");
  assert.equal(box.textContent, "Time is up", "an ordinary notice does not replace it");
  notices.hide(false);
  assert.equal(box.hidden, false);
  notices.show("Logged out", "error", true);
  assert.equal(box.textContent, "Logged out");
  assert.equal(box.className, "is-error");
  notices.hide(true);
  assert.equal(box.hidden, true);
  assert.equal(notices.isSticky(), false);
  assert.equal(layouts, 5, "a layout pass per change, none for the ignored ones");
});

test("the answer sheet legend and keyboard hint", () => {
  const doc = fakeDocument();
  const palette = el(doc, "nav", {});
  addPaletteLegend(palette, doc, t);
  const items = palette.querySelectorAll("li");
  assert.deepEqual(items.map((li) => li.textContent), ["answered", "open", "flagged", "current"]);
  assert.deepEqual(palette.querySelectorAll("span").map((s) => s.className), [
    "swatch swatch-answered", "swatch swatch-unanswered", "swatch swatch-flagged", "swatch swatch-current"
  ]);
  assert.equal(palette.querySelector(".palette-keys").textContent, "Keys: A-H");
});

test("the bar's and the notice's heights become CSS variables", () => {
  const doc = fakeDocument();
  const root = el(doc, "div", {});
  const bar = el(doc, "header", {});
  const notice = el(doc, "div", {});
  bar.rect = { height: 48.2 };
  notice.rect = { height: 30 };
  measureLayout(root, bar, notice);
  assert.deepEqual(root.style.props, { "--exam-bar-h": "49px", "--exam-notice-h": "30px" });
  notice.hidden = true;
  measureLayout(root, bar, notice);
  assert.equal(root.style.props["--exam-notice-h"], "0px");
});
