// Material wraps every Markdown table in a horizontal scroll box (.md-typeset__scrollwrap) in the
// browser. On a phone a wide table scrolls inside that box, which keyboard users can only reach if
// the box takes focus (WCAG 2.1.1; axe-core rule scrollable-region-focusable). Give each box focus,
// the region role and a name in the page's language. document$ is Material's signal that it has
// finished preparing the page (and fires again on every page it shows).
(function () {
  var label = (document.documentElement.lang || "").indexOf("vi") === 0 ? "Bảng (cuộn ngang)" : "Table (scrolls sideways)";
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", label);
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(mark);
  } else {
    document.addEventListener("DOMContentLoaded", mark);
  }
})();
