// "Seleziona tutti" / "Deseleziona tutti" for a group of checkboxes (the flagged values
// on the "Approva tutti" page). Without JavaScript the buttons stay hidden and each box
// is ticked by hand. A static file: the Content-Security-Policy forbids inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-seleziona-gruppo]").forEach(function (gruppo) {
    var nome = gruppo.dataset.selezionaGruppo;
    var form = gruppo.closest("form");
    gruppo.hidden = false;
    gruppo.querySelectorAll("[data-seleziona]").forEach(function (button) {
      button.addEventListener("click", function () {
        var spunta = button.dataset.seleziona === "tutti";
        form.querySelectorAll('input[type=checkbox][name="' + nome + '"]').forEach(function (box) {
          box.checked = spunta;
        });
      });
    });
  });
});

// After a refused approval, the message saying why gets the focus (read first).
document.addEventListener("DOMContentLoaded", function () {
  var riepilogo = document.getElementById("riepilogo-errori");
  if (riepilogo) riepilogo.focus();
});
