/* Lutetia's Bootstrap theme: progressive enhancements only, every page works without them. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    // A form sent back with errors: bring the error summary to the reader first.
    var summary = document.querySelector("[data-lutetia-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
