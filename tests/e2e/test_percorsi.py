"""Journeys 1-3, in order, as the three users would click and type.

1. An Operatore enters values: a rule broken, the Italian error beside the cell, the
   correction, a draft, coming back, submitting.
2. The Ufficio di Piano returns one Comune's submission with a reason, approves
   another's, closes the period; the Operatore sees the returned values and the reason.
3. A Revisore changes a dashboard filter (period, then area) and sees the charts change,
   downloads the Relazione di monitoraggio, and the file holds the figure approved in
   journey 2; then reads a project sheet and the unità d'offerta list.
"""

import io
import re

from pypdf import PdfReader

from ambito.models import Comune
from fondi.models import Progetto
from indicatori import selectors
from indicatori.choices import StatoValore
from indicatori.models import Periodo, Valore

from .conftest import axe_violations, login

MOTIVO = "Il numero di beneficiari non coincide con il registro del servizio."


def logout(page):
    page.get_by_role("button", name="Esci").click()


def _operatore(page, rozzano, periodo):
    """1. Operatore comunale: an error next to the cell, a draft, a submission."""
    login(page, "operatore.rozzano")
    page.goto("/indicatori/cruscotto/")
    page.get_by_role("link", name=f"Compila {periodo.nome}").click()
    assert (
        page.get_by_role("heading", level=1).inner_text().startswith("Valori del Comune di Rozzano")
    )
    assert axe_violations(page) == []
    cella = page.locator("input[inputmode=numeric]").first
    cella_id = cella.get_attribute("id")
    cella.fill("-3")
    page.get_by_role("button", name="Salva bozza").click()
    errore = page.locator(f"#{cella_id}_errors")
    assert "negativ" in errore.inner_text()
    assert (
        page.locator("#riepilogo-errori").inner_text().startswith("Nessun valore è stato salvato")
    )
    page.shots.take(page, "1 errore accanto alla cella")
    assert not Valore.objects.filter(comune=rozzano, periodo=periodo).exists()

    page.locator(f"#{cella_id}").fill("12")
    page.get_by_role("button", name="Salva bozza").click()
    page.shots.take(page, "1 bozza salvata")
    assert Valore.objects.get(comune=rozzano, periodo=periodo).stato == StatoValore.BOZZA

    page.goto("/indicatori/cruscotto/")  # away, then back: the draft is there
    page.get_by_role("link", name=f"Compila {periodo.nome}").click()
    assert page.locator(f"#{cella_id}").input_value() == "12"
    page.get_by_role("button", name="Salva e invia all'Ufficio di Piano").click()
    page.shots.take(page, "1 inviato")
    assert Valore.objects.get(comune=rozzano, periodo=periodo).stato == StatoValore.INVIATO
    logout(page)


def _ufficio_di_piano(page, rozzano, locate, periodo):
    """2. Ufficio di Piano: approve, return with a reason, close the period."""
    login(page, "ufficio.piano")
    page.goto(f"/indicatori/periodi/{periodo.pk}/revisione/")
    assert axe_violations(page) == []
    page.shots.take(page, "2 griglia di revisione")
    # One of Locate's values is flagged as far from the history: "Approva tutti" lists
    # it with the previous value and the median, and approves only once it is ticked.
    segnalato = Valore.objects.filter(comune=locate, periodo=periodo).first()
    Valore.objects.filter(pk=segnalato.pk).update(anomalia_confermata=True)
    page.get_by_role("link", name="Approva tutti Locate di Triulzi").click()
    assert axe_violations(page) == []
    page.shots.take(page, "2 conferma approva tutti")
    approva = page.get_by_role("button", name=re.compile(r"^Approva \d+ valori$"))
    approva.click()
    assert "segnalato come scostamento" in page.get_by_role("alert").first.inner_text()
    assert Valore.objects.filter(comune=locate, periodo=periodo, stato=StatoValore.INVIATO).count()
    page.get_by_role("button", name="Seleziona tutti i segnalati").click()
    page.shots.take(page, "2 scostamento spuntato")
    page.get_by_role("button", name=re.compile(r"^Approva \d+ valori$")).click()
    page.shots.take(page, "2 approvato Locate")
    assert not Valore.objects.filter(
        comune=locate, periodo=periodo, stato=StatoValore.INVIATO
    ).exists()

    page.get_by_role("link", name="Dettaglio Rozzano").click()
    page.locator("input[name=valori]").first.check()
    page.get_by_label("Motivo della restituzione").fill(MOTIVO)
    page.get_by_role("button", name="Restituisci i valori scelti").click()
    page.shots.take(page, "2 restituito Rozzano")
    assert Valore.objects.get(comune=rozzano, periodo=periodo).stato == StatoValore.RESPINTO

    page.goto(f"/indicatori/periodi/{periodo.pk}/revisione/")
    # A period closes only when nothing waits for approval: approve the other Comuni.
    for nome in ("Opera", "Zibido San Giacomo"):
        page.get_by_role("link", name=f"Approva tutti {nome}").click()
        page.get_by_role("button", name=re.compile(r"^Approva \d+ valori$")).click()
    page.get_by_label("Motivo").last.fill("Fine della rilevazione del semestre.")
    page.get_by_role("button", name="Chiudi il periodo").click()
    page.shots.take(page, "2 periodo chiuso")
    periodo.refresh_from_db()
    assert not periodo.aperto
    logout(page)

    login(page, "operatore.rozzano")
    page.goto("/indicatori/cruscotto/")
    restituiti = page.get_by_role("alert").filter(has_text="Valori restituiti")
    assert MOTIVO in restituiti.inner_text()
    page.shots.take(page, "2 l'operatore vede il motivo")
    logout(page)


def _verifica_relazione(page, locate, periodo):
    """The downloaded Relazione shows the approved beneficiaries of Locate."""
    # The Relazione is a job: its page (ready at once, the tasks run inline here) links
    # the stored PDF.
    page.get_by_role("button", name="Genera la Relazione di monitoraggio (PDF)").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica la Relazione di monitoraggio (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    approvato = next(
        r
        for r in selectors.beneficiari_per_comune(
            fetched_by=locate.ambito.incarichi.filter(ruolo="revisore").first().user,
            ambito=locate.ambito,
            periodi=[periodo],
        )
        if r.comune == locate
    )
    sezione = text[text.index("Beneficiari per Comune", text.index("Indicatori per scheda")) :]
    assert re.search(rf"Locate di Triulzi\s+{int(approvato.totale)}\b", sezione), sezione[:600]


def _revisore(page, rozzano, locate, periodo):
    """3. Revisore: dashboard filters, the Relazione, a project, the unità d'offerta."""
    login(page, "revisore")
    page.goto("/indicatori/cruscotto/")
    assert axe_violations(page) == []
    titolo_grafico = page.locator("#grafico-beneficiari svg title")
    primo = Periodo.objects.filter(ambito=rozzano.ambito).order_by("data_fine").first()
    page.get_by_label("Periodo").select_option(str(primo.pk))
    page.wait_for_function(
        "nome => !document.querySelector('#grafico-beneficiari svg title') || "
        "document.querySelector('#cruscotto h2').textContent.includes(nome)",
        arg=primo.nome,
    )
    assert primo.nome in page.locator("#cruscotto h2").first.inner_text()
    page.shots.take(page, "3 filtro cambiato")
    page.get_by_label("Periodo").select_option(str(periodo.pk))
    page.wait_for_function(
        "nome => document.querySelector('#cruscotto h2').textContent.includes(nome)",
        arg=periodo.nome,
    )
    assert periodo.nome in titolo_grafico.first.text_content()
    page.shots.take(page, "3 cruscotto")
    # The area narrows the indicators: the progress chart keeps only scheda 3 (housing).
    page.get_by_label("Area").select_option(label="Politiche abitative")
    page.wait_for_function(
        "() => document.querySelector('#cruscotto h2').textContent.includes('abitative')"
    )
    righe = page.locator("#grafico-avanzamento table tbody th").all_text_contents()
    assert righe and all(r.startswith("3.") for r in righe), righe
    page.shots.take(page, "3 cruscotto per area")
    page.get_by_label("Area").select_option(label="Tutte le aree")
    page.wait_for_function(
        "() => !document.querySelector('#cruscotto h2').textContent.includes('abitative')"
    )

    _verifica_relazione(page, locate, periodo)

    # The project sheet, as the auditor reads it, is accessible too.
    progetto = Progetto.objects.get(linea__codice="PNRR-M5C2-1.3.2")
    page.goto(f"/fondi/progetti/{progetto.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == progetto.titolo
    assert axe_violations(page) == []
    page.shots.take(page, "3 scheda progetto")

    # The unità d'offerta list, filtered by area: the nurseries' 1.037 places.
    page.goto("/servizi/unita/")
    page.get_by_label("Area", exact=True).select_option(label="Prima infanzia")
    page.get_by_label("Tipologia").select_option(label="Asilo Nido")
    page.get_by_role("button", name="Filtra").click()
    assert (
        "29 unità d'offerta corrispondono ai filtri" in page.locator("caption").first.inner_text()
    )
    riepilogo = page.locator("table.riepilogo-unita tfoot").inner_text()
    assert "1.037" in riepilogo, riepilogo
    assert axe_violations(page) == []
    page.shots.take(page, "3 unità d'offerta")


def test_operatore_ufficio_di_piano_e_revisore(page):
    rozzano = Comune.objects.get(codice_istat="015189")
    locate = Comune.objects.get(codice_istat="015125")
    periodo = Periodo.objects.get(ambito=rozzano.ambito, codice="2025-s2")

    _operatore(page, rozzano, periodo)
    _ufficio_di_piano(page, rozzano, locate, periodo)
    _revisore(page, rozzano, locate, periodo)
