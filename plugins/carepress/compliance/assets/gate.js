// CarePress HCP gate: the visitor confirms being a healthcare professional on entering the site.
// Nothing is stored (no cookie, no Web Storage): every page of the HCP site carries the gate, so a
// visitor who arrives from another page of this site (the referrer, which the site's
// Referrer-Policy "same-origin" keeps) has already confirmed. A browser that sends no referrer
// is asked again on each page. Only the HCP site ships this file.
(function () {
  "use strict";
  var gate = document.getElementById("carepress-gate");
  if (!gate) return;
  // The script lives at <site>/assets/carepress/gate.js: the site is two folders up. Matching the
  // path too keeps a patient site served from the same host from counting as this site.
  var site = new URL("../../", document.currentScript.src).href;

  function fromThisSite() {
    return document.referrer.indexOf(site) === 0;
  }

  // The site's own keyboard shortcuts (Material's `n` and `p` open the next and previous pages, which then
  // see this one as referrer) would walk past the gate: no key reaches a script while it is open. What the
  // browser does with a key (Tab, Enter or Space on the gate's buttons) is left alone.
  function withheld(event) { event.stopImmediatePropagation(); }
  var KEY_EVENTS = ["keydown", "keypress", "keyup"];

  function open() {
    // Out of the article and alone in the page: the rest is inert, so neither the keyboard nor a
    // screen reader reaches a link behind the gate.
    document.body.appendChild(gate);
    Array.prototype.forEach.call(document.body.children, function (element) {
      if (element !== gate) element.inert = true;
    });
    KEY_EVENTS.forEach(function (type) { window.addEventListener(type, withheld, true); });
    gate.hidden = false;
    document.documentElement.classList.add("carepress-gated");
    document.getElementById("carepress-gate-confirm").focus();
  }

  function close() {
    KEY_EVENTS.forEach(function (type) { window.removeEventListener(type, withheld, true); });
    gate.hidden = true;
    document.documentElement.classList.remove("carepress-gated");
    Array.prototype.forEach.call(document.body.children, function (element) { element.inert = false; });
  }

  if (fromThisSite()) { close(); return; }
  open();
  document.getElementById("carepress-gate-confirm").addEventListener("click", close);
})();
