/* What the test page draws: the save indicator, the timer, each question's marks (ticked
 * options, flag, answer sheet cell), the answered count, notices and the added labels.
 * Every function takes the elements it draws into (and t for texts): no globals. */

import { toInt } from "./util.js";

const SAVE_KINDS = ["saved", "saving", "offline", "error", "stopped"];
const NOTICE_KINDS = ["info", "warning", "error"];

/**
 * The save indicator's state: {key (text key), kind}. stopped is null, "session" or "over";
 * s is the save queue's status() ({unsaved, rejected, failing, inFlight, storageOk}).
 */
export function saveStatus(stopped, s) {
  if (stopped === "session") { return { key: "stoppedSession", kind: "error" }; }
  if (stopped === "over") { return { key: "stoppedOver", kind: "stopped" }; }
  if (s.unsaved === 0) { return { key: "saved", kind: "saved" }; }
  if (s.failing) { return { key: s.storageOk ? "offline" : "offlineNoStorage", kind: "offline" }; }
  if (!s.inFlight && s.rejected === s.unsaved) { return { key: "rejected", kind: "error" }; }
  return { key: "saving", kind: "saving" };
}

/** The text of a save state (literal keys, so the key check can see them). */
function saveText(t, key) {
  switch (key) {
    case "stoppedSession": return t("stoppedSession");
    case "stoppedOver": return t("stoppedOver");
    case "saved": return t("saved");
    case "offline": return t("offline");
    case "offlineNoStorage": return t("offlineNoStorage");
    case "rejected": return t("rejected");
    default: return t("saving");
  }
}

/** Draw the indicator; text and classes only change when the state does. True when the
 *  kind changed (the bar's height may have too). */
export function renderSaveState(el, state, t) {
  if (!el) { return false; }
  const text = saveText(t, state.key);
  if (el.textContent !== text) { el.textContent = text; }
  if (el.getAttribute("data-state") === state.kind) { return false; }
  el.setAttribute("data-state", state.kind);
  SAVE_KINDS.forEach((k) => el.classList.toggle("is-" + k, k === state.kind));
  return true;
}

/** view: the clock's {text, warning}. */
export function renderTimer(valueEl, boxEl, view) {
  if (!valueEl) { return; }
  if (valueEl.textContent !== view.text) { valueEl.textContent = view.text; }
  if (boxEl) { boxEl.classList.toggle("is-warning", view.warning); }
}

export function renderCount(el, n) {
  if (el && el.textContent !== String(n)) { el.textContent = String(n); }
}

/** The answer sheet cell's accessible name, e.g. "Question 3, answered, current". */
export function paletteLabel(t, number, state) {
  const words = [t("question", { n: number }), state.answered ? t("stateAnswered") : t("stateUnanswered")];
  if (state.flagged) { words.push(t("stateFlagged")); }
  if (state.current) { words.push(t("stateCurrent")); }
  return words.join(t("separator"));
}

/**
 * Draw one question's state. q = {pos, section, inputs, flagButton, paletteItem};
 * record = {choice, flagged}; current: is it the current question.
 */
export function renderQuestion(q, record, current, t) {
  const answered = record.choice.length > 0;
  q.inputs.forEach((input) => {
    const label = input.closest ? input.closest("label") : input.parentNode;
    if (label) { label.classList.toggle("is-checked", input.checked); }
  });
  const section = q.section;
  section.classList.toggle("is-answered", answered);
  section.classList.toggle("is-flagged", !!record.flagged);
  section.classList.toggle("is-current", current);
  if (q.flagButton) { q.flagButton.setAttribute("aria-pressed", record.flagged ? "true" : "false"); }
  const badge = section.querySelector(".flag-badge");
  if (badge) { badge.hidden = !record.flagged; }
  const a = q.paletteItem;
  if (!a) { return; }
  a.classList.toggle("answered", answered);
  a.classList.toggle("flagged", !!record.flagged);
  a.classList.toggle("current", current);
  if (current) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
  const number = a.textContent.replace(/\s+/g, "");
  const label = paletteLabel(t, number, { answered: answered, flagged: !!record.flagged, current: current });
  if (a.getAttribute("aria-label") !== label) {
    a.setAttribute("aria-label", label);
    a.setAttribute("title", label);
  }
}

/** Tick the inputs of a question to match choice (option values). */
export function applyChoice(inputs, choice) {
  inputs.forEach((input) => {
    input.checked = choice.indexOf(toInt(input.value, -1)) >= 0;
  });
}

/** Disable (or enable) the answer inputs and flag buttons; the root gets is-locked. */
export function renderLocked(root, questions, on) {
  root.classList.toggle("is-locked", on);
  questions.forEach((q) => {
    q.inputs.forEach((input) => { input.disabled = on; });
    if (q.flagButton) { q.flagButton.disabled = on; }
  });
}

/** Height of the sticky bar plus a visible notice: other sticky parts sit below them. */
export function stickyTop(bar, notice) {
  const barH = bar ? bar.getBoundingClientRect().height : 0;
  const noticeH = notice && !notice.hidden ? notice.getBoundingClientRect().height : 0;
  return barH + noticeH;
}

/** Publish the bar's and the notice's heights as CSS variables on root. */
export function measureLayout(root, bar, notice) {
  const barH = bar ? Math.ceil(bar.getBoundingClientRect().height) : 0;
  const noticeH = notice && !notice.hidden ? Math.ceil(notice.getBoundingClientRect().height) : 0;
  root.style.setProperty("--exam-bar-h", barH + "px");
  root.style.setProperty("--exam-notice-h", noticeH + "px");
}

/**
 * Notices: one at a time in data-notice. A "sticky" one (time up, session ended, test over)
 * has no close button and is not replaced by ordinary notices. onLayout runs after a change.
 */
export function createNotices(el, doc, t, onLayout) {
  let sticky = false;
  const layout = onLayout || (() => {});

  function hide(force) {
    if (!el || (sticky && !force)) { return; }
    sticky = false;
    el.hidden = true;
    el.textContent = "";
    layout();
  }

  function show(text, kind, isSticky) {
    if (!el) { return; }
    if (sticky && !isSticky) { return; }
    sticky = !!isSticky;
    NOTICE_KINDS.forEach((k) => el.classList.toggle("is-" + k, k === kind));
    el.textContent = "";
    const p = doc.createElement("p");
    p.className = "exam-notice-text";
    p.textContent = text;
    el.appendChild(p);
    if (!isSticky) {
      const close = doc.createElement("button");
      close.type = "button";
      close.className = "button exam-notice-close";
      close.textContent = t("dismiss");
      close.addEventListener("click", () => hide(false));
      el.appendChild(close);
    }
    el.hidden = false;
    layout();
  }

  return { show, hide, isSticky: () => sticky };
}

/** The "flagged" badge after a question's title (hidden until flagged). */
export function addFlagBadge(title, doc, t) {
  const badge = doc.createElement("span");
  badge.className = "flag-badge";
  badge.textContent = t("flaggedBadge");
  badge.hidden = true;
  title.appendChild(badge);
  return badge;
}

/** A legend for the answer sheet and a hint for keyboard users. */
export function addPaletteLegend(palette, doc, t) {
  const legend = doc.createElement("ul");
  legend.className = "palette-legend";
  [["answered", t("stateAnswered")], ["unanswered", t("stateUnanswered")],
    ["flagged", t("stateFlagged")], ["current", t("stateCurrent")]].forEach((item) => {
    const li = doc.createElement("li");
    const swatch = doc.createElement("span");
    swatch.className = "swatch swatch-" + item[0];
    swatch.setAttribute("aria-hidden", "true");
    li.appendChild(swatch);
    li.appendChild(doc.createTextNode(item[1]));
    legend.appendChild(li);
  });
  palette.appendChild(legend);
  const hint = doc.createElement("p");
  hint.className = "palette-keys";
  hint.textContent = t("keysHint");
  palette.appendChild(hint);
}
