/* CarePress: Material for MkDocs' storage helpers (__md_get/__md_set), kept in memory for the page's
   lifetime. Material would otherwise write palette, tabs, version and repository facts to
   localStorage/sessionStorage; CarePress sites store nothing in the browser. Replaces Material's inline
   partials/javascripts/base.html, so no inline script is needed (strict Content-Security-Policy). */
(function () {
  "use strict";
  var memory = new Map();
  var key = function (name, scope) { return (scope || window.__md_scope).pathname + "." + name; };
  window.__md_scope = new URL(document.currentScript.getAttribute("data-scope"), location);
  window.__md_hash = function (value) {
    return Array.from(value).reduce(function (hash, char) { return (hash << 5) - hash + char.charCodeAt(0); }, 0);
  };
  window.__md_get = function (name, storage, scope) {
    var value = memory.get(key(name, scope));
    return value === undefined ? null : JSON.parse(value);
  };
  window.__md_set = function (name, value, storage, scope) {
    memory.set(key(name, scope), JSON.stringify(value));
  };
  // Material fetches a ResizeObserver polyfill from unpkg.com where the browser has none (Safari < 13.1):
  // the site's own copy is written in here, so that it runs before Material's bundle does.
  if (typeof ResizeObserver === "undefined") {
    document.write('<script src="' + new URL("resize-observer.js", document.currentScript.src).href + '"><\/script>');
  }
})();
