/* Lutetia's DSFR theme: progressive enhancements only, every page works without them.
   The DSFR's own script (vendor/dsfr) drives the tabs, the accordions, the language menu and
   the dialogs; until it runs, theme.css shows what those would hide. */
(function () {
  "use strict";
  document.documentElement.classList.add("lutetia-js");
  document.addEventListener("DOMContentLoaded", function () {
    // A form sent back with errors: bring the error summary to the reader first.
    var summary = document.querySelector("[data-lutetia-error-summary]");
    if (summary) {
      summary.focus();
    }
  });
})();
