"""Population by Comune and year from the template or ISTAT's CSV (issue 27)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ambito.models import DatiDemografici
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

# ISTAT's «Popolazione residente al 1° gennaio» (demo.istat.it, POSAS): a title line,
# one row per Comune and age, the total at age 999; codes without their leading zeros
# as a spreadsheet saves them; a Comune of another Ambito (Lodi) in the same file.
POSAS = """Popolazione residente al 1° gennaio 2025 per età e sesso
Codice comune;Comune;Età;Maschi;Femmine;Totale
15189;Rozzano;0;150;140;290
15189;Rozzano;999;20.100;21.023;41.123
15024;Binasco;999;3.500;3.601;7.101
98031;Lodi;999;21.000;24.123;45.123
"""


def _posas():
    return SimpleUploadedFile("posas.csv", POSAS.encode(), content_type="text/csv")


def _dati(comune, anno):
    return DatiDemografici.objects.get(comune=comune, anno=anno)


def test_population_template_round_trip(client, ufficio_piano, visconteo, rozzano):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "popolazione", visconteo)
    riga = riga_di(libro, Comune="Rozzano", Anno=2023)
    imposta(libro, riga, "Popolazione residente", "41.999")
    aggiungi(libro, **{"Codice ISTAT": "15189", "Anno": 2024, "Popolazione residente": 42123})
    prova = carica(client, "popolazione", visconteo, come_file(libro, "popolazione.xlsx"))
    assert conteggi(prova)["crea"] == 1 and conteggi(prova)["modifica"] == 1
    assert not conteggi(prova)["rifiutata"]
    conferma(client, prova)
    assert _dati(rozzano, 2023).residenti == 41999
    assert _dati(rozzano, 2023).stranieri == 5062  # the other figures stay
    assert _dati(rozzano, 2024).residenti == 42123
    pagina = leggibile(client.get(reverse("ambito:comune_list")))
    assert "42.123" in pagina
    di_nuovo = carica(client, "popolazione", visconteo, come_file(libro, "popolazione.xlsx"))
    assert not di_nuovo.context["prova"].modifiche


def test_istat_file_of_a_province(client, ufficio_piano, visconteo, rozzano, binasco):
    client.force_login(ufficio_piano)
    prova = carica(client, "popolazione", visconteo, _posas(), anno=2025)
    # Lodi is not in the Ambito: left out of a whole province's file.
    assert [e.descrizione for e in esiti(prova)] == [
        "Binasco 2025: 7.101 residenti",
        "Rozzano 2025: 41.123 residenti",
    ]
    conferma(client, prova)
    assert _dati(rozzano, 2025).residenti == 41123
    assert _dati(binasco, 2025).history.first().history_change_reason == (
        "Importato dal file «posas.csv» da udp"
    )
    di_nuovo = carica(client, "popolazione", visconteo, _posas(), anno=2025)
    assert conteggi(di_nuovo)["invariata"] == 2


def test_istat_file_needs_the_year(client, ufficio_piano, visconteo):
    client.force_login(ufficio_piano)
    prova = carica(client, "popolazione", visconteo, _posas())
    assert prova.context["prova"].errori == [
        "È un file dell'ISTAT: indicare l'anno dei residenti e caricarlo di nuovo."
    ]
    assert not DatiDemografici.objects.filter(anno=2025).exists()


def test_rejected_rows_and_scope(client, ufficio_piano, visconteo, altro_ambito, rozzano):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "popolazione", visconteo)
    imposta(libro, riga_di(libro, Comune="Rozzano", Anno=2023), "Popolazione residente", 41000)
    aggiungi(libro, **{"Codice ISTAT": "098031", "Anno": 2024, "Popolazione residente": 5})
    aggiungi(
        libro,
        **{
            "Comune": "Binasco",
            "Anno": 2024,
            "Popolazione straniera residente": 10,
            "Popolazione straniera minorile": 11,
        },
    )
    prova = carica(client, "popolazione", visconteo, come_file(libro))
    messaggi = [m for e in esiti(prova) if e.azione == "rifiutata" for m in e.messaggi]
    assert messaggi == [
        "Comune «098031» sconosciuto nell'Ambito.",
        "Gli stranieri minorenni non possono superare la popolazione straniera.",
    ]
    conferma(client, prova)
    assert _dati(rozzano, 2023).residenti == 41370
    assert not DatiDemografici.objects.filter(anno=2024).exists()


def test_only_the_ambito_ufficio_di_piano(
    client, ufficio_piano_altro, operatore_rozzano, visconteo
):
    url = reverse("importazioni:modello", args=["popolazione"])
    client.force_login(ufficio_piano_altro)
    assert client.get(url, {"ambito": visconteo.pk}).status_code == 404
    client.force_login(operatore_rozzano)
    assert client.get(url, {"ambito": visconteo.pk}).status_code == 403


def test_the_population_page_links_to_the_import(client, ufficio_piano, visconteo):
    client.force_login(ufficio_piano)
    pagina = leggibile(client.get(reverse("ambito:comune_list")))
    crea = reverse("importazioni:importazione_create", args=["popolazione"])
    assert f"{crea}?ambito={visconteo.pk}" in pagina
