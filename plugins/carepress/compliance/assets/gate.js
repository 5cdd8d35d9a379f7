// CarePress HCP gate: the visitor confirms once per visit that they are a healthcare professional.
// The confirmation lives in sessionStorage (strictly necessary, gone when the tab closes);
// never in a cookie. Only the HCP site ships this file.
(function () {
  "use strict";
  var KEY = "carepress-hcp-confirmed";
  var gate = document.getElementById("carepress-gate");
  if (!gate) return;

  function confirmed() {
    try { return window.sessionStorage.getItem(KEY) === "yes"; } catch (error) { return false; }
  }

  function open() {
    gate.hidden = false;
    document.documentElement.classList.add("carepress-gated");
    var button = document.getElementById("carepress-gate-confirm");
    if (button) button.focus();
  }

  function close() {
    gate.hidden = true;
    document.documentElement.classList.remove("carepress-gated");
  }

  if (confirmed()) { close(); return; }
  open();
  document.getElementById("carepress-gate-confirm").addEventListener("click", function () {
    try { window.sessionStorage.setItem(KEY, "yes"); } catch (error) { /* storage off: ask again next page */ }
    close();
  });
})();
