/* Runs what Wagtail's inline scripts would have run, from JSON data blocks, so the back office
   works under a Content-Security-Policy without 'unsafe-inline' for scripts. Blocks added later
   (a new inline form, a modal) are found by a MutationObserver. */
(function () {
  "use strict";
  // The chooser classes Wagtail's widgets name; nothing else can be called from a data block.
  var choosers = ["Chooser", "PageChooser", "ImageChooser", "DocumentChooser", "SnippetChooser"];

  var initialisers = {
    Chooser: function (options, element) {
      var name = element.dataset.constructor;
      if (choosers.indexOf(name) === -1 || typeof window[name] !== "function") { return; }
      return new window[name](element.dataset.target, options);
    },
    TaskChooser: function (options, element) { window.createTaskChooser(element.dataset.target); },
    InlinePanel: function (options) { return new window.InlinePanel(options); },
    MultipleChooserPanel: function (options) { return new window.MultipleChooserPanel(options); },
    DateChooser: function (options, element) { window.initDateChooser(element.dataset.target, options); },
    TimeChooser: function (options, element) { window.initTimeChooser(element.dataset.target, options); },
    DateTimeChooser: function (options, element) { window.initDateTimeChooser(element.dataset.target, options); }
  };

  function run(element) {
    if (element.dataset.lutetiaDone) { return; }
    element.dataset.lutetiaDone = "1";
    var initialise = initialisers[element.dataset.lutetiaInit];
    if (!initialise) { return; }
    var options = JSON.parse(element.textContent);
    if (typeof options === "string") { options = JSON.parse(options); }
    initialise(options, element);
  }

  function scan(root) {
    if (root.matches && root.matches("script[data-lutetia-init]")) { run(root); }
    if (root.querySelectorAll) { root.querySelectorAll("script[data-lutetia-init]").forEach(run); }
  }

  function start() {
    scan(document);
    new MutationObserver(function (mutations) {
      mutations.forEach(function (mutation) { mutation.addedNodes.forEach(scan); });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
