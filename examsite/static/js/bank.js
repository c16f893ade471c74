/* Question form: show the answer inputs that fit the chosen type. Without scripts both
   sets stay visible and the server still checks everything. */
(function () {
  "use strict";
  var form = document.querySelector("[data-question-form]");
  if (!form) { return; }
  var type = form.querySelector("select[name=qtype]");
  var choice = form.querySelector(".choice-only");
  var tf = form.querySelector(".tf-only");
  function sync() {
    var isTf = type.value === "true_false";
    choice.hidden = isTf;
    tf.hidden = !isTf;
  }
  type.addEventListener("change", sync);
  sync();
})();
