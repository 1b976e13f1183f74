/* The time left to confirm a held slot, counted down each minute (the page says the time the
   slot is kept until without JavaScript). The texts come translated in data-* attributes. */
(function () {
  "use strict";
  function start() {
    var holder = document.querySelector("[data-hold-remaining]");
    if (!holder) return;
    var output = holder.querySelector("[data-hold-countdown]");
    var ends = Date.now() + 1000 * parseInt(holder.getAttribute("data-hold-remaining"), 10);
    var last = "";
    function tick() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var text = left > 0
        ? holder.getAttribute("data-hold-left").replace("__MINUTES__", String(Math.ceil(left / 60)))
        : holder.getAttribute("data-hold-over");
      if (text !== last) {
        output.textContent = text;
        last = text;
      }
      if (left > 0) window.setTimeout(tick, 5000);
    }
    tick();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
