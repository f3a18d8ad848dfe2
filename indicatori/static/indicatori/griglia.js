// Entry grid: warn before leaving the page with unsaved changes, and move the focus
// to the summary of errors after a failed save. No inline scripts (CSP).
(function () {
  "use strict";
  var form = document.querySelector("form[data-griglia]");
  if (!form) { return; }
  var modificato = false;
  var inviando = false;
  form.addEventListener("input", function () { modificato = true; });
  form.addEventListener("submit", function () { inviando = true; });
  window.addEventListener("beforeunload", function (event) {
    if (modificato && !inviando) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  var riepilogo = document.getElementById("riepilogo-errori");
  if (riepilogo) { riepilogo.focus(); }
}());
