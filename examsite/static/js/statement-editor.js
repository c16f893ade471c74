/* The statement's editor: paragraphs, bold and lists in a contenteditable area, written
   back into the form's textarea on submit as HTML of the allowed tags only (the server
   sanitises it again). Without scripts the plain textarea stays, and the server keeps its
   paragraphs. The buttons and their words are the page's (hidden until this runs).
   `serialize` is exported for node --test (tests/js/statement-editor.test.js). */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else if (root.document) {
    api.start(root.document);
  }
})(this, function () {
  "use strict";
  // Browsers write a line as <div>: it is a paragraph.
  var TAGS = { P: "p", DIV: "p", BR: "br", STRONG: "strong", B: "b", EM: "em", UL: "ul", OL: "ol", LI: "li" };
  // Pasted code is no text of the statement.
  var DROPPED = { SCRIPT: true, STYLE: true };

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The editor's content as text and allowed tags, without attributes.
  function serialize(node) {
    var out = "";
    Array.prototype.forEach.call(node.childNodes, function (child) {
      if (child.nodeType === 3) {
        out += escape(child.nodeValue);
      } else if (child.nodeType === 1) {
        var tag = TAGS[child.nodeName];
        if (DROPPED[child.nodeName]) {
          return;
        } else if (tag === "br") {
          out += "<br>";
        } else if (tag) {
          out += "<" + tag + ">" + serialize(child) + "</" + tag + ">";
        } else {
          out += serialize(child);
        }
      }
    });
    return out;
  }

  function start(doc) {
    var area = doc.querySelector("textarea[data-statement-editor]");
    var box = doc.querySelector("[data-statement-box]");
    if (!area || !box || !doc.execCommand) { return; }
    var form = area.form;
    var editable = box.querySelector("[contenteditable]");
    var format = form.querySelector("input[name=text_format]");
    box.hidden = false;
    area.hidden = true;
    try { doc.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers */ }
    Array.prototype.forEach.call(box.querySelectorAll("button[data-command]"), function (button) {
      // Keep the selection in the text while the button is pressed.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        editable.focus();
        doc.execCommand(button.getAttribute("data-command"), false, null);
      });
    });
    form.addEventListener("submit", function () {
      area.value = serialize(editable);
      format.value = "html";
    });
  }

  return { serialize: serialize, start: start };
});
