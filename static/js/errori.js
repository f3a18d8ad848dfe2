// Forms in error (templates/includes/riepilogo_errori.html): the focus moves to the
// summary at the top, and each of its links moves the focus to its field.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var riepilogo = document.getElementById("riepilogo-errori");
    if (!riepilogo) return;
    riepilogo.focus();
    riepilogo.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var campo = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!campo) return;
      event.preventDefault();
      campo.focus();
      campo.scrollIntoView({ block: "center" });
    });
  });
})();
