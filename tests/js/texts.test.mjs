// node --test tests/js/ — one source of texts: the test page modules (static/js/exam/) hold
// none of their own; every key they look up with t("key") is in page_text.py EXAM_PAGE_TEXT.
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MODULES = join(ROOT, "examsite/static/js/exam");
const PAGE_TEXT = join(ROOT, "examsite/exams/page_text.py");

/** The modules' sources; code: without comments (a key named in a comment is not a use). */
function modules() {
  return readdirSync(MODULES).filter((f) => f.endsWith(".js")).map((f) => {
    const text = readFileSync(join(MODULES, f), "utf8");
    const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"])\/\/.*$/gm, "$1");
    return { name: f, text, code };
  });
}

/** The keys of the EXAM_PAGE_TEXT dict literal (entries are `"key": _l(`). */
function pageTextKeys() {
  const source = readFileSync(PAGE_TEXT, "utf8");
  const start = source.indexOf("EXAM_PAGE_TEXT = {");
  assert.ok(start >= 0, "EXAM_PAGE_TEXT not found in page_text.py");
  const body = source.slice(start, source.indexOf("\n}\n", start));
  const keys = Array.from(body.matchAll(/^\s+"(\w+)":\s*_l\(/gm), (m) => m[1]);
  assert.ok(keys.length >= 20 && keys.indexOf("saved") >= 0, "the dict was not parsed: " + keys);
  return keys;
}

function usedKeys() {
  const used = new Map();
  modules().forEach(({ name, code }) => {
    for (const m of code.matchAll(/\bt\("(\w+)"/g)) { used.set(m[1], name); }
  });
  return used;
}

test("every text key the modules use is in EXAM_PAGE_TEXT", () => {
  const keys = new Set(pageTextKeys());
  const missing = Array.from(usedKeys()).filter(([key]) => !keys.has(key)).map(([key, file]) => file + ": " + key);
  assert.deepEqual(missing, []);
});

test("every key in EXAM_PAGE_TEXT is used by a module (no dead texts)", () => {
  const used = usedKeys();
  assert.deepEqual(pageTextKeys().filter((key) => !used.has(key)), []);
});

test("texts are looked up with literal keys only, so the check above sees them all", () => {
  const dynamic = [];
  modules().forEach(({ name, code }) => {
    for (const m of code.matchAll(/\bt\((?!")[^)]*\)?/g)) { dynamic.push(name + ": " + m[0]); }
  });
  assert.deepEqual(dynamic, []);
});

test("the modules hold no Chinese text of their own", () => {
  const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
  const found = [];
  modules().forEach(({ name, text }) => {
    text.split("\n").forEach((line, i) => { if (cjk.test(line)) { found.push(name + ":" + (i + 1) + ": " + line.trim()); } });
  });
  assert.deepEqual(found, []);
});

test("no syntax newer than the intranet's browsers (optional chaining, ??)", () => {
  const found = [];
  modules().forEach(({ name, code }) => {
    if (/\?\.(?!\d)|\?\?/.test(code)) { found.push(name); }
  });
  assert.deepEqual(found, []);
});

test("the paper loads the entry module, and the old single script is gone", () => {
  const page = readFileSync(join(ROOT, "examsite/exams/templates/exams/paper.html"), "utf8");
  assert.match(page, /<script type="module" src="\{\{ url_for\('static', filename='js\/exam\/main\.js'\) \}\}"><\/script>/);
  assert.doesNotMatch(page, /exam\.js|<script>|\son[a-z]+=/);
  assert.equal(existsSync(join(ROOT, "examsite/static/js/exam.js")), false);
});

test("every module loads in Node without a page (nothing reads globals on import)", async () => {
  for (const { name } of modules()) {
    await import(join(MODULES, name));
  }
});
