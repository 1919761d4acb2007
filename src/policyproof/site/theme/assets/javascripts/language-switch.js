// Keeps the reader on the same heading when switching language.
// mkdocs-static-i18n already points each language link at the same page in the other language;
// headings carry the same explicit ids in both languages, so the current #fragment is carried
// over. Links are rewritten on load and on every hash change (so "open in new tab" works too)
// and once more at click time, before the browser follows the link.
(function () {
  "use strict";
  var SWITCHER_LINKS = "a.md-select__link[hreflang]";

  function withCurrentHash(link) {
    var target = new URL(link.getAttribute("href"), location.href);
    target.hash = location.hash;
    link.href = target.href;
  }

  function syncAll() {
    document.querySelectorAll(SWITCHER_LINKS).forEach(withCurrentHash);
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest(SWITCHER_LINKS) : null;
    if (link) withCurrentHash(link);
  }, true);
  window.addEventListener("hashchange", syncAll);
  syncAll();
})();
