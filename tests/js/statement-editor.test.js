// node --test tests/js/ — what the statement editor writes back into the form
// (examsite/static/js/statement-editor.js): the allowed tags only, text escaped.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { serialize } = require("../../examsite/static/js/statement-editor.js");

function text(value) {
  return { nodeType: 3, nodeValue: value, childNodes: [] };
}

function el(name, ...children) {
  return { nodeType: 1, nodeName: name, childNodes: children };
}

test("paragraphs, bold and lists are kept", () => {
  const root = el("DIV", el("P", text("坚决"), el("B", text("拥护")), text("宪法")),
    el("UL", el("LI", text("甲"))), el("OL", el("LI", el("STRONG", text("乙")))));
  assert.equal(serialize(root),
    "<p>坚决<b>拥护</b>宪法</p><ul><li>甲</li></ul><ol><li><strong>乙</strong></li></ol>");
});

test("a browser's <div> lines become paragraphs and <br> stays a line break", () => {
  assert.equal(serialize(el("DIV", el("DIV", text("一"), el("BR")), el("DIV", text("二")))),
    "<p>一<br></p><p>二</p>");
});

test("pasted scripts and styles are dropped whole", () => {
  assert.equal(serialize(el("DIV", el("SCRIPT", text("x()")), el("STYLE", text("p{}")), text("甲"))), "甲");
});

test("other tags are dropped with their attributes, their text kept and escaped", () => {
  const root = el("DIV", el("SPAN", text("<script>x()</script>")), el("A", text("链接")),
    { nodeType: 8, nodeValue: "comment", childNodes: [] });
  assert.equal(serialize(root), "&lt;script&gt;x()&lt;/script&gt;链接");
});
