// Fakes for the test page modules' unit tests: timers with a manual clock, localStorage,
// the HTTP request function and a minimal DOM. No npm packages, no jsdom.

/** Let pending promise callbacks run (a few rounds: chains of .then need several). */
export async function settle(rounds = 10) {
  for (let i = 0; i < rounds; i++) { await new Promise((r) => setImmediate(r)); }
}

/** A manual clock with setTimeout / setInterval that only fire on advance(). */
export function fakeTime(start = 1_700_000_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map();
  function add(fn, ms, every) {
    const id = nextId++;
    timers.set(id, { fn, at: now + Math.max(0, ms || 0), every });
    return id;
  }
  const time = {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms, 0),
    clearTimeout: (id) => { timers.delete(id); },
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    clearInterval: (id) => { timers.delete(id); },
    pending: () => timers.size,
    /** Move the clock on by ms, firing due timers in time order (and their promises). */
    async advance(ms) {
      const until = now + ms;
      for (;;) {
        await settle();
        let nextTimer = null;
        let nextKey = null;
        for (const [id, t] of timers) {
          if (t.at <= until && (!nextTimer || t.at < nextTimer.at)) { nextTimer = t; nextKey = id; }
        }
        if (!nextTimer) { break; }
        now = Math.max(now, nextTimer.at);
        if (nextTimer.every) { nextTimer.at = now + nextTimer.every; } else { timers.delete(nextKey); }
        nextTimer.fn();
      }
      now = until;
      await settle();
    },
    /** Jump the clock without firing anything (a clock that jumps, a slow round trip). */
    jump(ms) { now += ms; }
  };
  return time;
}

/** localStorage; quota (characters over all values) makes setItem throw when exceeded. */
export function fakeStorage(quota = Infinity) {
  const data = new Map();
  return {
    data,
    get length() { return data.size; },
    key: (i) => Array.from(data.keys())[i] || null,
    getItem: (k) => (data.has(k) ? data.get(k) : null),
    setItem(k, v) {
      let used = String(v).length;
      for (const [key, value] of data) { if (key !== k) { used += value.length; } }
      if (used > quota) { throw new Error("QuotaExceededError"); }
      data.set(k, String(v));
    },
    removeItem: (k) => { data.delete(k); },
    json: (k) => JSON.parse(data.get(k))
  };
}

/**
 * The request(method, url, body, opts) function the modules use. Each call waits until the
 * test answers it: calls[i].reply({kind, status, data}); or give auto(call) to answer at once.
 */
export function fakeRequest(time, auto) {
  const calls = [];
  function request(method, url, body, opts) {
    return new Promise((resolve) => {
      const call = {
        method, url, body, opts: opts || {}, t0: time.now(), answered: false,
        reply(result) {
          call.answered = true;
          resolve(Object.assign({ kind: "http", status: 200, data: null, t0: call.t0, t1: time.now() }, result));
        }
      };
      calls.push(call);
      if (auto) {
        const result = auto(call);
        if (result) { call.reply(result); }
      }
    });
  }
  return {
    request,
    calls,
    open: () => calls.filter((c) => !c.answered),
    /** A successful save response for a call's body. */
    ok: (call, extra) => call.reply({ status: 200, data: Object.assign({ ok: true, seq: call.body.seq, position: call.body.position }, extra || {}) })
  };
}

// ------------------------------------------------------------------ a minimal DOM

function parseCompound(text) {
  const sel = { tag: null, classes: [], attrs: [] };
  const re = /([a-zA-Z][\w-]*)|\.([\w-]+)|\[([\w-]+)(?:=["']?([^"'\]]*)["']?)?\]/g;
  let m;
  let rest = text;
  while ((m = re.exec(text))) {
    if (m[1]) { sel.tag = m[1].toLowerCase(); } else if (m[2]) { sel.classes.push(m[2]); } else { sel.attrs.push([m[3], m[4]]); }
    rest = rest.replace(m[0], "");
  }
  if (rest.trim()) { throw new Error("fake DOM: unsupported selector " + text); }
  return sel;
}

function matches(el, selector) {
  return selector.split(",").some((part) => {
    const sel = parseCompound(part.trim());
    if (sel.tag && el.tagName.toLowerCase() !== sel.tag) { return false; }
    if (!sel.classes.every((c) => el.classList.contains(c))) { return false; }
    return sel.attrs.every(([name, value]) => {
      const v = el.getAttribute(name);
      return v !== null && (value === undefined || v === value);
    });
  });
}

class ClassList {
  constructor() { this.set = new Set(); }
  add(...names) { names.forEach((n) => this.set.add(n)); }
  remove(...names) { names.forEach((n) => this.set.delete(n)); }
  contains(n) { return this.set.has(n); }
  toggle(n, force) {
    const on = force === undefined ? !this.set.has(n) : !!force;
    if (on) { this.set.add(n); } else { this.set.delete(n); }
    return on;
  }
  toString() { return Array.from(this.set).join(" "); }
}

export class FakeElement {
  constructor(tag, doc) {
    this.tagName = tag.toUpperCase();
    this.ownerDocument = doc;
    this.children = [];
    this.parentNode = null;
    this.attributes = {};
    this.classList = new ClassList();
    this.listeners = {};
    this.hidden = false;
    this.disabled = false;
    this.checked = false;
    this.defaultChecked = false;
    this.style = { props: {}, setProperty(k, v) { this.props[k] = v; } };
    this.rect = { top: 0, bottom: 0, height: 0 };
    this.scrolledIntoView = 0;
    this.focused = 0;
    this._text = "";
  }
  get textContent() {
    return this._text + this.children.map((c) => c.textContent).join("");
  }
  set textContent(v) {
    this.children.forEach((c) => { c.parentNode = null; });
    this.children = [];
    this._text = String(v);
  }
  getAttribute(k) { return Object.prototype.hasOwnProperty.call(this.attributes, k) ? this.attributes[k] : null; }
  setAttribute(k, v) { this.attributes[k] = String(v); }
  removeAttribute(k) { delete this.attributes[k]; }
  hasAttribute(k) { return this.getAttribute(k) !== null; }
  appendChild(child) { child.parentNode = this; this.children.push(child); return child; }
  append(...kids) { kids.forEach((k) => this.appendChild(k)); return this; }
  *walk() { for (const c of this.children) { if (c instanceof FakeElement) { yield c; yield* c.walk(); } } }
  querySelectorAll(selector) { return Array.from(this.walk()).filter((el) => matches(el, selector)); }
  querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
  closest(selector) {
    for (let el = this; el instanceof FakeElement; el = el.parentNode) { if (matches(el, selector)) { return el; } }
    return null;
  }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  dispatch(type, event) { (this.listeners[type] || []).forEach((fn) => fn(Object.assign({ target: this, preventDefault() {} }, event))); }
  getBoundingClientRect() { return this.rect; }
  scrollIntoView() { this.scrolledIntoView += 1; }
  focus() { this.focused += 1; }
  click() { this.dispatch("click"); }
  // Attribute-backed properties the modules set.
  get className() { return this.classList.toString(); }
  set className(v) { this.classList = new ClassList(); String(v).split(/\s+/).filter(Boolean).forEach((c) => this.classList.add(c)); }
  get name() { return this.getAttribute("name") || ""; }
  set name(v) { this.setAttribute("name", v); }
  get type() { return this.getAttribute("type") || ""; }
  set type(v) { this.setAttribute("type", v); }
  get value() { return this.getAttribute("value") || ""; }
  set value(v) { this.setAttribute("value", v); }
}

export class FakeText {
  constructor(text) { this.textContent = text; this.parentNode = null; }
}

export function fakeDocument() {
  const doc = {
    createElement: (tag) => new FakeElement(tag, doc),
    createTextNode: (text) => new FakeText(text)
  };
  return doc;
}

/** el(doc, "section", {"data-question": "0", class: "question"}, ...children) */
export function el(doc, tag, attrs, ...children) {
  const e = doc.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => {
    if (k === "class") { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
  });
  children.forEach((c) => e.appendChild(typeof c === "string" ? doc.createTextNode(c) : c));
  return e;
}

/** The texts the page gets from the server, as the tests' t(): keys in brackets, so a test
 *  sees which key was used without holding any of the real texts. */
export function keyT(key, vars) {
  return "[" + key + (vars ? " " + JSON.stringify(vars) : "") + "]";
}
