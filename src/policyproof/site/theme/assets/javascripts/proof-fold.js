// Folded proofs (<details>) open when they must be seen:
// - before printing (the print stylesheet also shows them; this covers browsers without
//   ::details-content), closed again after;
// - when the address names something inside one (#claim-id from a link or the report).
(function () {
  "use strict";
  var opened = [];

  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  function revealTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var opened = false;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) node.open = opened = true;
    }
    if (opened) target.scrollIntoView();
  }
  window.addEventListener("hashchange", revealTarget);
  if (location.hash) revealTarget();
})();
