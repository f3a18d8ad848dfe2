"""Import of indicator values from the period's .xlsx template (issue 27).

The template is downloaded, edited with openpyxl as a user would in Excel, uploaded:
the dry run says what would change, with the entry grid's messages; the confirmation
writes through the grid's service, all or nothing, and the audit trail names the file.
"""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from ambito.models import Importazione
from indicatori.choices import StatoValore
from indicatori.models import Valore
from indicatori.services import Cella, valori_save

URL = "/importazioni/valori/"


def modello(client, ambito, periodo) -> Workbook:
    risposta = client.get(f"{URL}modello/", {"ambito": ambito.pk, "periodo": periodo.pk})
    assert risposta.status_code == 200
    assert risposta["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(risposta.content))


def intestazione(foglio) -> dict[str, int]:
    return {c.value: i for i, c in enumerate(foglio[1])}


def riga_di(foglio, codice_istat, codice, categoria=None):
    col = intestazione(foglio)
    for riga in foglio.iter_rows(min_row=2):
        if (
            riga[col["Codice ISTAT"]].value == codice_istat
            and riga[col["Codice indicatore"]].value == codice
            and (riga[col["Categoria"]].value or None) == categoria
        ):
            return riga
    raise AssertionError(f"{codice_istat} {codice} {categoria} non nel modello")


def scrivi(foglio, codice_istat, codice, valore, categoria=None, colonna="Valore"):
    riga_di(foglio, codice_istat, codice, categoria)[intestazione(foglio)[colonna]].value = valore


def file_di(libro, nome="valori.xlsx") -> SimpleUploadedFile:
    out = io.BytesIO()
    libro.save(out)
    return SimpleUploadedFile(nome, out.getvalue())


def carica(client, ambito, periodo, file):
    risposta = client.post(URL, {"ambito": ambito.pk, "periodo": periodo.pk, "file": file})
    assert risposta.status_code == 303, risposta.content.decode()[:2000]
    return Importazione.objects.get(pk=risposta["Location"].rstrip("/").split("/")[-1])


def esiti(client, importazione):
    risposta = client.get(importazione.get_absolute_url())
    assert risposta.status_code == 200
    return risposta.context["prova"]


def conferma(client, importazione, **dati):
    return client.post(importazione.get_absolute_url(), dati)


def stato_db():
    return sorted(
        Valore.objects.values_list(
            "pk", "periodo_id", "comune_id", "indicatore_id", "categoria_id",
            "valore_numerico", "valore_testo", "commento", "stato", "versione",
        )
    )  # fmt: skip


# --- The template -----------------------------------------------------------------------


def test_the_template_of_the_ufficio_di_piano_has_every_comune(
    client, as_user, ufficio_piano, visconteo, aperto
):
    as_user(ufficio_piano)
    foglio = modello(client, visconteo, aperto).worksheets[0]
    col = intestazione(foglio)
    assert list(col)[:5] == [
        "Codice ISTAT",
        "Comune",
        "Codice indicatore",
        "Indicatore",
        "Categoria",
    ]
    comuni = {r[col["Comune"]] for r in foglio.iter_rows(min_row=2, values_only=True)}
    assert len(comuni) == visconteo.comuni.count() + 1  # and the Ambito's own indicators
    # A demo value of the period is pre-filled, with its unit and state, as a number.
    valore = (
        Valore.objects.filter(periodo=aperto, comune__isnull=False, valore_numerico__isnull=False)
        .select_related("comune", "indicatore")
        .first()
    )
    riga = riga_di(
        foglio,
        valore.comune.codice_istat,
        valore.indicatore.codice,
        valore.categoria and valore.categoria.nome,
    )
    assert Decimal(str(riga[col["Valore"]].value)) == valore.valore_numerico
    assert riga[col["Unità di misura"]].value == valore.indicatore.get_unita_display()
    assert riga[col["Stato"]].value == valore.get_stato_display()


def test_the_template_of_an_operatore_has_only_his_comune(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano, indicatore
):
    as_user(operatore_rozzano)
    foglio = modello(client, visconteo, aperto).worksheets[0]
    col = intestazione(foglio)
    righe = list(foglio.iter_rows(min_row=2, values_only=True))
    assert righe and {r[col["Comune"]] for r in righe} == {"Rozzano"}
    # The last approved value of the cell (PIS: 4 in 2025 S1) is there for reference.
    riga = riga_di(foglio, rozzano.codice_istat, "SRV.PIS")
    assert riga[col["Ultimo valore approvato"]].value == 4


# --- Round trip -------------------------------------------------------------------------


def test_round_trip_template_edit_upload_confirm(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano, indicatore
):
    as_user(operatore_rozzano)
    libro = modello(client, visconteo, aperto)
    foglio = libro.worksheets[0]
    scrivi(foglio, rozzano.codice_istat, "SRV.PIS", 6)
    scrivi(foglio, rozzano.codice_istat, "4.OUT.4", "12,0")  # typed as text, Italian
    scrivi(
        foglio, rozzano.codice_istat, "4.OUT.4", "2,0", categoria="di cui anziani (65 anni e oltre)"
    )
    importazione = carica(client, visconteo, aperto, file_di(libro, "rozzano 2025.xlsx"))

    prova = esiti(client, importazione)
    assert prova.conteggi["crea"] == 3 and prova.conteggi["rifiutata"] == 0
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()  # dry run

    risposta = conferma(client, importazione)
    assert risposta.status_code == 303, risposta.context["errore"]
    pis = Valore.objects.get(periodo=aperto, comune=rozzano, indicatore=indicatore("SRV.PIS"))
    assert pis.valore_numerico == 6 and pis.stato == StatoValore.BOZZA
    totale = Valore.objects.get(
        periodo=aperto, comune=rozzano, indicatore=indicatore("4.OUT.4"), categoria=None
    )
    assert totale.valore_numerico == 12
    # The audit trail names the file and the user.
    assert pis.history.latest().history_change_reason == (
        f"Importato dal file «rozzano 2025.xlsx» da {operatore_rozzano.get_username()}"
    )
    # The entry grid and the API show the new values.
    griglia = client.get(reverse("indicatori:inserimento", args=[aperto.pk, rozzano.pk]))
    assert 'value="12' in griglia.content.decode()
    api = client.get("/api/v1/valori/", {"periodo": aperto.pk, "comune": rozzano.pk})
    numeri = {r["indicatore_codice"] if "indicatore_codice" in r else r.get("indicatore"): r
              for r in api.json()["results"]}  # fmt: skip
    assert api.status_code == 200 and len(numeri) >= 2
    assert any(Decimal(str(r["valore_numerico"])) == 6 for r in api.json()["results"])


def test_the_same_file_twice_changes_nothing_the_second_time(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano
):
    as_user(operatore_rozzano)
    libro = modello(client, visconteo, aperto)
    scrivi(libro.worksheets[0], rozzano.codice_istat, "SRV.PIS", 7)
    contenuto = file_di(libro).read()
    prima = carica(client, visconteo, aperto, SimpleUploadedFile("v.xlsx", contenuto))
    assert conferma(client, prima).status_code == 303
    dopo_la_prima = stato_db()

    seconda = carica(client, visconteo, aperto, SimpleUploadedFile("v.xlsx", contenuto))
    prova = esiti(client, seconda)
    assert prova.modifiche == 0 and prova.conteggi["invariata"] > 0
    pagina = client.get(seconda.get_absolute_url()).content.decode()
    assert "Lo stesso file è già stato importato" in pagina
    conferma(client, seconda)
    assert stato_db() == dopo_la_prima


# --- The grid's rules, on the dry-run page ----------------------------------------------


def test_the_dry_run_shows_the_grid_messages_and_confirm_applies_nothing(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano
):
    as_user(operatore_rozzano)
    libro = modello(client, visconteo, aperto)
    foglio = libro.worksheets[0]
    scrivi(foglio, rozzano.codice_istat, "SRV.PIS", 3)
    scrivi(foglio, rozzano.codice_istat, "4.OUT.4", 3)
    scrivi(foglio, rozzano.codice_istat, "4.OUT.4", 2, categoria="di cui anziani (65 anni e oltre)")
    scrivi(foglio, rozzano.codice_istat, "4.OUT.4", 2, categoria="di cui persone con disabilità")
    importazione = carica(client, visconteo, aperto, file_di(libro))
    prova = esiti(client, importazione)
    rifiutate = [e for e in prova.esiti if e.azione == "rifiutata"]
    assert "La somma delle categorie (4) supera il totale (3)." in [
        m for e in rifiutate for m in e.messaggi
    ]
    prima = stato_db()
    risposta = conferma(client, importazione)
    assert risposta.status_code == 200
    assert "Nessuna modifica è stata fatta" in risposta.content.decode()
    assert stato_db() == prima


def test_a_value_far_from_the_history_needs_the_tick(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano, indicatore
):
    as_user(operatore_rozzano)
    libro = modello(client, visconteo, aperto)
    scrivi(libro.worksheets[0], rozzano.codice_istat, "SRV.PIS", 16)  # median 5
    importazione = carica(client, visconteo, aperto, file_di(libro))
    prova = esiti(client, importazione)
    (segnalata,) = [e for e in prova.esiti if e.da_confermare]
    assert segnalata.messaggi == [
        "Il valore 16 è più del triplo della mediana dei periodi precedenti (5). "
        "Se è corretto, conferma lo scostamento."
    ]
    risposta = conferma(client, importazione)
    assert "chiede una conferma esplicita" in risposta.content.decode()
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()

    assert conferma(client, importazione, conferma="on").status_code == 303
    valore = Valore.objects.get(periodo=aperto, comune=rozzano, indicatore=indicatore("SRV.PIS"))
    assert valore.valore_numerico == 16 and valore.anomalia_confermata


def test_approved_values_and_closed_periods_are_refused(
    client, as_user, ufficio_piano, visconteo, aperto, chiuso
):
    as_user(ufficio_piano)
    approvato = (
        Valore.objects.filter(
            periodo=aperto, stato=StatoValore.APPROVATO, valore_numerico__isnull=False,
            comune__isnull=False, categoria=None,
        )
        .select_related("comune", "indicatore")
        .first()
    )  # fmt: skip
    libro = modello(client, visconteo, aperto)
    scrivi(
        libro.worksheets[0],
        approvato.comune.codice_istat,
        approvato.indicatore.codice,
        approvato.valore_numerico + 1,
    )
    prova = esiti(client, carica(client, visconteo, aperto, file_di(libro)))
    messaggi = [m for e in prova.esiti if e.azione == "rifiutata" for m in e.messaggi]
    assert any("è approvato e non si può più modificare" in m for m in messaggi)

    # A closed period is not offered: asking for it anyway is a 404, not a 500.
    risposta = client.post(
        URL, {"ambito": visconteo.pk, "periodo": chiuso.pk, "file": file_di(libro)}
    )
    assert risposta.status_code == 200
    assert "periodo" in risposta.context["form"].errors


# --- Scope: another Comune is unknown ----------------------------------------------------


def test_an_operatore_naming_another_comune_changes_nothing_and_reveals_nothing(
    client, as_user, operatore_rozzano, ufficio_piano, visconteo, aperto, rozzano, binasco
):
    as_user(ufficio_piano)
    libro = modello(client, visconteo, aperto)
    scrivi(libro.worksheets[0], binasco.codice_istat, "SRV.PIS", 2)
    contenuto = file_di(libro).read()

    as_user(operatore_rozzano)
    prima = stato_db()
    importazione = carica(client, visconteo, aperto, SimpleUploadedFile("v.xlsx", contenuto))
    prova = esiti(client, importazione)
    altri = [e for e in prova.esiti if e.descrizione.startswith(binasco.codice_istat)]
    assert altri and {e.azione for e in altri} == {"rifiutata"}
    assert altri[0].messaggi == [
        f"Comune con codice ISTAT «{binasco.codice_istat}» sconosciuto: usare i codici "
        "del modello scaricato."
    ]
    # The same words as a code that exists nowhere.
    libro = Workbook()
    foglio = libro.active
    foglio.append(["Codice ISTAT", "Codice indicatore", "Valore"])
    foglio.append(["999999", "SRV.PIS", 1])
    inesistente = esiti(client, carica(client, visconteo, aperto, file_di(libro)))
    assert inesistente.esiti[0].messaggi == [
        "Comune con codice ISTAT «999999» sconosciuto: usare i codici del modello scaricato."
    ]
    pagina = client.get(importazione.get_absolute_url()).content.decode()
    assert "Binasco" not in pagina
    conferma(client, importazione)
    assert stato_db() == prima


def test_another_ambito_and_another_users_upload_are_404(
    client, as_user, operatore_rozzano, operatore_binasco, ufficio_piano_altro, visconteo, aperto
):
    as_user(operatore_rozzano)
    libro = modello(client, visconteo, aperto)
    importazione = carica(client, visconteo, aperto, file_di(libro))
    as_user(operatore_binasco)
    assert client.get(importazione.get_absolute_url()).status_code == 404
    assert client.post(importazione.get_absolute_url()).status_code == 404
    as_user(ufficio_piano_altro)
    risposta = client.get(f"{URL}modello/", {"ambito": visconteo.pk, "periodo": aperto.pk})
    assert risposta.status_code == 404


def test_the_revisore_may_not_import(client, as_user, revisore, visconteo, aperto):
    as_user(revisore)
    assert client.get(URL, {"ambito": visconteo.pk}).status_code == 403


def test_an_indicator_of_another_ambito_is_unknown(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano
):
    as_user(operatore_rozzano)
    libro = Workbook()
    foglio = libro.active
    foglio.append(["Codice ISTAT", "Codice indicatore", "Valore"])
    foglio.append([rozzano.codice_istat, "NON.ESISTE", 1])
    foglio.append([int(rozzano.codice_istat), "SRV.PIS", "1,0"])  # zeros lost by Excel
    prova = esiti(client, carica(client, visconteo, aperto, file_di(libro)))
    assert prova.esiti[0].messaggi == [
        "Indicatore «NON.ESISTE» sconosciuto per questo periodo: usare i codici del modello "
        "scaricato."
    ]
    assert prova.esiti[1].azione == "crea"  # the code typed as a number is read
    assert not prova.applicabile  # but one rejected row: nothing can be applied


def test_the_grid_and_review_pages_link_to_the_import(
    client, as_user, operatore_rozzano, ufficio_piano, visconteo, aperto, rozzano
):
    as_user(operatore_rozzano)
    griglia = client.get(reverse("indicatori:inserimento", args=[aperto.pk, rozzano.pk]))
    assert f"{URL}?ambito={visconteo.pk}&amp;periodo={aperto.pk}" in griglia.content.decode()
    as_user(ufficio_piano)
    revisione = client.get(reverse("indicatori:revisione", args=[aperto.pk]))
    assert f"{URL}?ambito={visconteo.pk}&amp;periodo={aperto.pk}" in revisione.content.decode()


def test_a_value_saved_in_the_grid_is_pre_filled_and_unchanged(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano, indicatore
):
    valori_save(
        user=operatore_rozzano,
        periodo=aperto,
        comune=rozzano,
        celle=[Cella(indicatore("SRV.PIS"), valore_numerico=Decimal(5), commento="- nota")],
    )
    as_user(operatore_rozzano)
    libro = modello(client, visconteo, aperto)
    prova = esiti(client, carica(client, visconteo, aperto, file_di(libro)))
    assert prova.modifiche == 0 and prova.conteggi["rifiutata"] == 0


@pytest.mark.parametrize("nome", ["valori.csv"])
def test_a_csv_with_the_same_columns_is_read(
    client, as_user, operatore_rozzano, visconteo, aperto, rozzano, nome
):
    as_user(operatore_rozzano)
    testo = f"\ufeffCodice ISTAT;Codice indicatore;Valore\n{rozzano.codice_istat};SRV.PIS;4,0\n"
    prova = esiti(
        client, carica(client, visconteo, aperto, SimpleUploadedFile(nome, testo.encode()))
    )
    assert [e.azione for e in prova.esiti] == ["crea"]
