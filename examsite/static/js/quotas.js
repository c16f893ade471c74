/* The paper template form: a law of the bank, clicked, is added to the law quota field
   last used ("宪法=" with the cursor after it), so law names are picked, not typed. */
(function () {
  "use strict";
  var picker = document.querySelector("[data-law-picker]");
  var fields = document.querySelectorAll("[data-law-quota]");
  if (!picker || !fields.length) { return; }
  var target = fields[0];
  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("focus", function () { target = field; });
  });
  Array.prototype.forEach.call(picker.querySelectorAll("[data-law]"), function (button) {
    button.hidden = false;
    var text = button.nextElementSibling;
    if (text && text.classList.contains("chip-text")) { text.hidden = true; }
    button.addEventListener("click", function () {
      var value = target.value.replace(/\s+$/, "");
      if (value && !/[,，;；]$/.test(value)) { value += ", "; } else if (value) { value += " "; }
      target.value = value + button.getAttribute("data-law") + "=";
      target.focus();
      target.setSelectionRange(target.value.length, target.value.length);
    });
  });
})();
