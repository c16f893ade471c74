/* A sitting's enrolment form: "全选" / "全不选" tick or clear every candidate listed
   (the ones already enrolled stay as they are). */
(function () {
  "use strict";
  var form = document.querySelector("[data-enrol-form]");
  if (!form) { return; }
  Array.prototype.forEach.call(form.querySelectorAll("[data-check]"), function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("data-check") === "all";
      Array.prototype.forEach.call(
        form.querySelectorAll('input[type="checkbox"][name="candidate_ids"]'),
        function (box) { if (!box.disabled) { box.checked = on; } }
      );
    });
  });
})();
