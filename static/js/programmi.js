// Programmazione: the "Stampa" button of a scheda (no inline scripts: CSP).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-stampa]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
