"""Allocations, projects and progress snapshots from the Ufficio di Piano's spreadsheet
(issue 27): template, dry run, confirmation, audit reason, idempotence, scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from ambito.models import Comune
from fondi.models import Assegnazione, AvanzamentoFinanziario, Progetto
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
    righe,
    scarica_modello,
)

MOTIVO = "Importato dal file «assegnazioni.xlsx» da udp"


def _fnps_2023(visconteo):
    return Assegnazione.objects.get(ambito=visconteo, linea__codice="FNPS", anno=2023)


def test_allocations_round_trip_to_the_cent(client, ufficio_piano, visconteo):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "assegnazioni", visconteo)
    # Pre-filled with codes and names, amounts as numbers.
    riga = riga_di(libro, **{"Codice linea": "FNPS", "Anno": 2023})
    assert righe(libro)[riga - 2]["Importo (€)"] == 653552
    imposta(libro, riga, "Importo (€)", "700.000,55")  # typed as text, Italian format
    aggiungi(libro, **{"Anno": 2026, "Codice linea": "FNA-B2", "Importo (€)": 1234.56})
    prova = carica(client, "assegnazioni", visconteo, come_file(libro, "assegnazioni.xlsx"))
    totale = Assegnazione.objects.filter(ambito=visconteo).count()
    assert conteggi(prova) == {
        "crea": 1,
        "modifica": 1,
        "invariata": totale - 1,
        "rifiutata": 0,
    }
    modificata = next(e for e in esiti(prova) if e.azione == "modifica")
    assert modificata.descrizione == "FNPS 2023: € 700.000,55"
    assert _fnps_2023(visconteo).importo == Decimal("653552.00")  # dry run: nothing written

    conferma(client, prova)
    assert _fnps_2023(visconteo).importo == Decimal("700000.55")
    nuova = Assegnazione.objects.get(ambito=visconteo, linea__codice="FNA-B2", anno=2026)
    assert nuova.importo == Decimal("1234.56")
    assert _fnps_2023(visconteo).history.first().history_change_reason == MOTIVO
    pagina = leggibile(client.get(reverse("fondi:assegnazione_list"), {"anno": 2026}))
    assert "€ 1.234,56" in pagina

    # The same file again changes nothing.
    storia = _fnps_2023(visconteo).history.count()
    di_nuovo = carica(client, "assegnazioni", visconteo, come_file(libro, "assegnazioni.xlsx"))
    assert conteggi(di_nuovo)["invariata"] == totale + 1
    assert not di_nuovo.context["prova"].modifiche
    conferma(client, di_nuovo)
    assert _fnps_2023(visconteo).history.count() == storia


def test_a_rejected_row_carries_the_rule_message_and_nothing_is_written(
    client, ufficio_piano, visconteo
):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "assegnazioni", visconteo)
    imposta(libro, riga_di(libro, **{"Codice linea": "FNPS", "Anno": 2023}), "Importo (€)", 1)
    aggiungi(libro, **{"Anno": 2026, "Codice linea": "FNA-B2", "Importo (€)": "-5,00"})
    aggiungi(libro, **{"Anno": 2026, "Codice linea": "NON-ESISTE", "Importo (€)": 10})
    aggiungi(libro, **{"Anno": 2026, "Codice linea": "FNA-B2", "Importo (€)": 3})
    prova = carica(client, "assegnazioni", visconteo, come_file(libro))
    rifiutate = [e for e in esiti(prova) if e.azione == "rifiutata"]
    messaggi = [m for e in rifiutate for m in e.messaggi]
    assert "Importo (€): L'importo non può essere negativo." in messaggi
    assert "Linea di finanziamento «NON-ESISTE» sconosciuta." in messaggi
    assert any(m.startswith("Riga ripetuta:") for m in messaggi)
    risposta = conferma(client, prova)
    assert "Nessuna modifica è stata fatta" in leggibile(risposta)
    assert _fnps_2023(visconteo).importo == Decimal("653552.00")
    assert not Assegnazione.objects.filter(anno=2026).exists()


def test_only_the_ufficio_di_piano_of_the_ambito_imports(
    client, ufficio_piano_altro, operatore_rozzano, visconteo
):
    client.force_login(ufficio_piano_altro)
    url = reverse("importazioni:modello", args=["assegnazioni"])
    assert client.get(url, {"ambito": visconteo.pk}).status_code == 404
    client.force_login(operatore_rozzano)
    assert client.get(url, {"ambito": visconteo.pk}).status_code == 403


def test_projects_and_progress_round_trip(client, ufficio_piano, visconteo, progetto_pnrr):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "progetti", visconteo)
    riga = riga_di(libro, **{"Titolo del progetto": progetto_pnrr.titolo})
    assert righe(libro)[riga - 2]["Stato"] == "In corso"
    imposta(libro, riga, "CUP", "b49j17000130006")
    imposta(libro, riga, "Comuni coinvolti (separati da ;)", "Rozzano; Binasco")
    # A project with a history, registered as already admitted: the explicit path.
    aggiungi(
        libro,
        **{
            "Titolo del progetto": "Stazione di posta",
            "Codice locale": "SP-1",
            "Codice linea": "PNRR-M5C2-1.3.2",
            "Stato": "Ammesso e finanziato",
            "Data di inizio": "01/01/2023",
            "Scadenza": "31/03/2026",
        },
    )
    prova = carica(client, "progetti", visconteo, come_file(libro, "progetti.xlsx"))
    assert conteggi(prova)["crea"] == 1 and conteggi(prova)["modifica"] == 1
    conferma(client, prova)
    progetto_pnrr.refresh_from_db()
    assert progetto_pnrr.cup == "B49J17000130006"
    assert set(progetto_pnrr.comuni.values_list("nome", flat=True)) == {"Rozzano", "Binasco"}
    nuovo = Progetto.objects.get(ambito=visconteo, codice_locale="SP-1")
    assert (nuovo.stato, nuovo.data_scadenza) == ("ammesso", date(2026, 3, 31))
    assert nuovo.history.first().history_change_reason.startswith(
        "Importato dal file «progetti.xlsx»"
    )

    # Progress snapshots name the project by its CUP.
    avanzamenti = scarica_modello(client, "avanzamenti", visconteo)
    aggiungi(
        avanzamenti,
        **{
            "CUP": "B49J17000130006",
            "Titolo del progetto": progetto_pnrr.titolo,
            "Data di rilevazione": date(2025, 6, 30),
            "Importo programmato (€)": "1.090.000,00",
            "Ammesso a finanziamento (€)": "1.090.000,00",
            "Giuridicamente vincolante (€)": "500.000,10",
            "Erogato (€)": "123.456,78",
        },
    )
    prova = carica(client, "avanzamenti", visconteo, come_file(avanzamenti, "regis.xlsx"))
    assert conteggi(prova)["crea"] == 1
    conferma(client, prova)
    rilevazione = AvanzamentoFinanziario.objects.get(progetto=progetto_pnrr, data=date(2025, 6, 30))
    assert rilevazione.erogato == Decimal("123456.78")
    scheda = leggibile(client.get(progetto_pnrr.get_absolute_url()))
    assert "€ 123.456,78" in scheda
    # Again: nothing changes.
    di_nuovo = carica(client, "avanzamenti", visconteo, come_file(avanzamenti, "regis.xlsx"))
    assert not di_nuovo.context["prova"].modifiche


def test_project_rules_refuse_rows_with_the_form_messages(
    client, ufficio_piano, visconteo, progetto_pnrr, altro_ambito
):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "progetti", visconteo)
    riga = riga_di(libro, **{"Titolo del progetto": progetto_pnrr.titolo})
    imposta(libro, riga, "Stato", "Candidato")  # in corso -> candidato: not allowed
    aggiungi(
        libro,
        **{
            "Titolo del progetto": "Altro",
            "Codice linea": "FNPS",
            "Stato": "Candidato",
            "CUP": "CORTO",
            "Comuni coinvolti (separati da ;)": "Lodi",
        },
    )
    prova = carica(client, "progetti", visconteo, come_file(libro))
    messaggi = {m for e in esiti(prova) for m in e.messaggi}
    assert any(m.startswith("Stato: Passaggio di stato non consentito") for m in messaggi)
    # Lodi is a Comune of another Ambito: unknown here.
    assert "Comune «Lodi» sconosciuto." in messaggi
    conferma(client, prova)
    progetto_pnrr.refresh_from_db()
    assert progetto_pnrr.stato == "in_corso"
    assert not Progetto.objects.filter(titolo="Altro").exists()


def test_a_project_of_another_ambito_is_unknown(
    client, ufficio_piano_altro, altro_ambito, progetto_pnrr
):
    """The Ufficio di Piano of Lodi names a Visconteo project: refused as unknown."""
    client.force_login(ufficio_piano_altro)
    libro = scarica_modello(client, "avanzamenti", altro_ambito)
    aggiungi(
        libro,
        **{
            "Titolo del progetto": progetto_pnrr.titolo,
            "Data di rilevazione": "30/06/2025",
            "Importo programmato (€)": 1,
            "Ammesso a finanziamento (€)": 1,
            "Giuridicamente vincolante (€)": 1,
            "Erogato (€)": 1,
        },
    )
    prova = carica(client, "avanzamenti", altro_ambito, come_file(libro))
    (esito,) = esiti(prova)
    assert esito.messaggi == [f"Progetto «{progetto_pnrr.titolo}» sconosciuto nell'Ambito."]
    assert not AvanzamentoFinanziario.objects.filter(progetto=progetto_pnrr).exists()


def test_progress_rules_apply(client, ufficio_piano, visconteo, progetto_pnrr):
    client.force_login(ufficio_piano)
    libro = scarica_modello(client, "avanzamenti", visconteo)
    aggiungi(
        libro,
        **{
            "Titolo del progetto": progetto_pnrr.titolo,
            "Data di rilevazione": "30/06/2025",
            "Importo programmato (€)": 10,
            "Ammesso a finanziamento (€)": 10,
            "Giuridicamente vincolante (€)": 5,
            "Erogato (€)": 6,
        },
    )
    prova = carica(client, "avanzamenti", visconteo, come_file(libro))
    (esito,) = esiti(prova)
    assert esito.messaggi == [
        "Erogato (€): L'importo erogato non può superare l'importo giuridicamente vincolante."
    ]


@pytest.mark.parametrize("pagina", ["fondi:assegnazione_list", "fondi:progetto_list"])
def test_list_pages_link_to_template_and_upload(client, ufficio_piano, visconteo, pagina):
    client.force_login(ufficio_piano)
    contenuto = leggibile(client.get(reverse(pagina)))
    tipo = "assegnazioni" if "assegnazione" in pagina else "progetti"
    assert f"{reverse('importazioni:modello', args=[tipo])}?ambito={visconteo.pk}" in contenuto
    assert (
        f"{reverse('importazioni:importazione_create', args=[tipo])}?ambito={visconteo.pk}"
        in contenuto
    )
    assert Comune.objects.exists()
