"""Unità d'offerta from the Ufficio di Piano's spreadsheet (issue 27)."""

from django.urls import reverse

from servizi.models import UnitaOfferta
from tests.importazioni import (
    aggiungi,
    carica,
    come_file,
    conferma,
    conteggi,
    esiti,
    imposta,
    leggibile,
    riga_di,
    scarica_modello,
)

NUOVA = {
    "Area": "Prima infanzia",
    "Tipologia": "Asilo Nido",
    "Denominazione": "Nido Girotondo",
    "Comune": "Rozzano",
    "Posti": 12,
    "Gestione": "Pubblica",
}


def test_units_round_trip(client, ufficio_piano, visconteo):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "unita-offerta", visconteo)
    imposta(libro, riga_di(libro, Denominazione="Piccoli Passi"), "Posti", "30")
    aggiungi(libro, **NUOVA)
    prova = carica(client, "unita-offerta", visconteo, come_file(libro, "unita.xlsx"))
    totale = UnitaOfferta.objects.filter(ambito=visconteo).count()
    # The two units with the same type, Comune and name pair with the two recorded.
    assert conteggi(prova) == {"crea": 1, "modifica": 1, "invariata": totale - 1, "rifiutata": 0}
    conferma(client, prova)
    assert UnitaOfferta.objects.get(nome="Piccoli Passi").posti == 30
    nuova = UnitaOfferta.objects.get(nome="Nido Girotondo")
    assert (nuova.comune.nome, nuova.posti, nuova.gestione) == ("Rozzano", 12, "pubblica")
    assert nuova.history.first().history_change_reason == ("Importato dal file «unita.xlsx» da udp")
    assert sorted(
        UnitaOfferta.objects.filter(nome="Asilo Nido Happy Child").values_list("posti", flat=True)
    ) == [16, 25]
    pagina = leggibile(client.get(reverse("servizi:unita_list"), {"comune": nuova.comune_id}))
    assert "Nido Girotondo" in pagina
    # The same file again changes nothing.
    di_nuovo = carica(client, "unita-offerta", visconteo, come_file(libro, "unita.xlsx"))
    assert conteggi(di_nuovo)["invariata"] == totale + 1
    assert UnitaOfferta.objects.filter(nome="Nido Girotondo").count() == 1


def test_rejected_rows_carry_the_form_messages(client, ufficio_piano, visconteo, altro_ambito):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "unita-offerta", visconteo)
    imposta(libro, riga_di(libro, Denominazione="Piccoli Passi"), "Posti", 99)
    aggiungi(libro, **{**NUOVA, "Area": "Anziani"})
    aggiungi(libro, **{**NUOVA, "Comune": "Lodi"})
    aggiungi(libro, **{**NUOVA, "Posti": -3})
    prova = carica(client, "unita-offerta", visconteo, come_file(libro))
    messaggi = [m for e in esiti(prova) if e.azione == "rifiutata" for m in e.messaggi]
    assert messaggi[0] == (
        "Tipologia: La tipologia Asilo Nido appartiene all'area Prima infanzia, "
        "non all'area Anziani."
    )
    # A Comune of another Ambito is unknown here.
    assert messaggi[1] == "Comune «Lodi» sconosciuto nell'Ambito."
    assert messaggi[2].startswith("Posti: ")
    assert "Nessuna modifica" in leggibile(conferma(client, prova))
    assert UnitaOfferta.objects.get(nome="Piccoli Passi").posti == 25
    assert not UnitaOfferta.objects.filter(nome="Nido Girotondo").exists()


def test_scope_of_the_units_import(client, ufficio_piano_altro, operatore_rozzano, visconteo):
    url = reverse("importazioni:importazione_create", args=["unita-offerta"])
    client.force_login(ufficio_piano_altro)
    assert client.get(url, {"ambito": visconteo.pk}).status_code == 404
    client.force_login(operatore_rozzano)
    assert client.get(url, {"ambito": visconteo.pk}).status_code == 403
    pagina = leggibile(client.get(reverse("servizi:unita_list")))
    assert reverse("importazioni:modello", args=["unita-offerta"]) not in pagina


def test_the_list_links_to_template_and_upload(client, ufficio_piano, visconteo):
    client.force_login(ufficio_piano)
    pagina = leggibile(client.get(reverse("servizi:unita_list")))
    modello = reverse("importazioni:modello", args=["unita-offerta"])
    assert f"{modello}?ambito={visconteo.pk}" in pagina
