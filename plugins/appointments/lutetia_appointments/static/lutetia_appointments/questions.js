/* A question asked only after a given answer (data-shown-if: the field it depends on,
   data-shown-if-value: the answer) is hidden while that answer is not given. Without
   JavaScript every question is shown, with its "Only if ..." hint, and the server keeps the
   answers of the questions asked only. */
(function () {
  "use strict";

  // The largest element around the input that holds no other question's control: the
  // question's block, whatever the theme's markup.
  function blockOf(input) {
    var node = input;
    while (node.parentElement && node.parentElement !== input.form) {
      var controls = node.parentElement.querySelectorAll("input, select, textarea");
      for (var i = 0; i < controls.length; i++) {
        if (controls[i].type !== "hidden" && controls[i].name !== input.name) return node;
      }
      node = node.parentElement;
    }
    return node;
  }

  function answer(form, name) {
    var controls = form.querySelectorAll("[name='" + name + "']");
    for (var i = 0; i < controls.length; i++) {
      var control = controls[i];
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.checked) return control.value;
      } else {
        return control.value;
      }
    }
    return "";
  }

  function start() {
    var dependents = Array.prototype.slice.call(document.querySelectorAll("[data-shown-if]"));
    if (!dependents.length) return;
    function update() {
      // in page order: a question hidden hides the ones that depend on it
      dependents.forEach(function (input) {
        var name = input.getAttribute("data-shown-if");
        var controller = input.form.querySelector("[name='" + name + "']");
        var controllerShown = !controller || !blockOf(controller).hidden;
        blockOf(input).hidden = !(
          controllerShown && answer(input.form, name) === input.getAttribute("data-shown-if-value")
        );
      });
    }
    document.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
