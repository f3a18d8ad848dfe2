"""PDF reports read back as text: the figures are there and right; permissions."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from ambito.models import Comune, ReportGenerato
from ambito.selectors import popolazione_di_riferimento
from indicatori import selectors
from indicatori.models import Periodo
from indicatori.reports import relazione_monitoraggio, scheda_comune
from servizi import selectors as servizi_selectors
from servizi.verifiche import TIPI_CONTROLLO as TIPI
from tests.servizi.test_tabelle import ATTESI, ESEMPI


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def periodo(visconteo):
    return Periodo.objects.filter(ambito=visconteo, codice="2025-s1").get()


def _relazione(client, data, capture):
    """Ask for a Relazione (a job, run inline by the eager tasks) and download its PDF."""
    with capture(execute=True):
        response = client.post(reverse("report:relazione"), data)
    assert response.status_code == 303
    job = client.get(response["Location"])
    assert job.status_code == 200 and job.context["job"].stato == "pronto"
    return client.get(reverse("report:download", args=[job.context["job"].report_id]))


def _verifica_avanzamento(text, revisore):
    """A target and an actual of an indicator, the same the progress selector computes."""
    avanzamento = next(
        a
        for a in selectors.avanzamento_indicatori(fetched_by=revisore)
        if a.indicatore.codice == "2.OUT.1"
    )
    # The table's row, not the chart's label (the name shortened with "…").
    riga = next(
        text[inizio:][:400]
        for inizio in (m.start() for m in re.finditer("2.OUT.1 Appartamenti", text))
        if "…" not in text[inizio:].split("\n", 1)[0]
    )
    assert f" {avanzamento.atteso:.0f} " in riga.replace("\n", " ")
    assert str(avanzamento.stato_label) in riga


def _verifica_unita(text, revisore, visconteo):
    """Unità d'offerta: the summary page's figures, and the check of the printed ones."""
    assert "Asilo Nido 29 1 5 23 1.037" in text
    riepilogo = servizi_selectors.riepilogo_unita(fetched_by=revisore)["totale"]
    assert (riepilogo["unita"], riepilogo["posti"]) == (127, 2195)
    assert "Totale 127 38 36 53 2.195" in text
    assert "Ambito 2.195 124.421 17,64" in text  # places per 1.000 residents (2023)
    verifica = servizi_selectors.verifica_piano(fetched_by=revisore, ambito=visconteo)
    testo = " ".join(text.split())
    assert f"Su {len(verifica.verifiche)} dati stampati" in testo
    assert f"{len(verifica.da_controllare)} da controllare" in testo
    # The Disabilità area: 18 printed, 16 units listed.
    assert "Persone con disabilità Dato stampato non ricavabile dalle righe 18 16 Differisce" in (
        testo
    )
    # The context tables (tests/servizi/test_tabelle.py): flags per kind and the two
    # numbers of each example, as the verification page shows them.
    altri = sum(1 for v in verifica.da_controllare if not v.sezione.startswith("Tab."))
    for nome, n in (
        ("Dato stampato non ricavabile dalle righe", ATTESI["stampato"] + altri),  # + units
        ("Tabelle in disaccordo", ATTESI["discordanza"]),
        ("Parte maggiore del tutto", ATTESI["parte"]),
        ("Valore impossibile per l'unità", ATTESI["unita"]),
        ("Affermazione del testo smentita dai dati", ATTESI["affermazione"]),
    ):
        assert f"{nome}: {n}" in testo, nome
    # The context chapter written from the tables (all their years).
    assert "Analisi di contesto dai dati" in testo
    assert "il dato «Popolazione residente» dell'Ambito resta sostanzialmente invariato" in (testo)
    assert "Nel 2023 il valore più alto è di Rozzano (41.370), il più basso di Vernate" in testo
    for _tabella, etichetta, tipo, stampato, calcolato in ESEMPI:
        assert re.search(
            re.escape(etichetta)
            + r".{0,1000}?"
            + re.escape(f"{TIPI[tipo]} {stampato} {calcolato} Differisce"),
            testo,
        ), etichetta


def test_relazione_contains_the_key_figures(
    as_user, revisore, visconteo, periodo, django_capture_on_commit_callbacks
):
    response = _relazione(
        as_user(revisore),
        {"ambito": visconteo.pk, "periodo": periodo.pk},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    assert "Relazione di monitoraggio" in text
    assert "124.421" in text  # residents, computed from the Comuni
    for comune in Comune.objects.filter(ambito=visconteo):
        assert comune.nome in text
    _verifica_avanzamento(text, revisore)
    # Funds and projects: the Piano's figures, to the cent, computed from the rows.
    for figura in (
        "€ 5.111.878,00",
        "€ 5.544.651,00",
        "€ 357.499,00",
        "€ 710.000,00",
        "€ 1.090.000,00",
        "€ 104.394,83",
    ):
        assert figura in text, figura
    _verifica_unita(text, revisore, visconteo)
    registro = ReportGenerato.objects.get()
    assert registro.generato_da == revisore
    assert registro.numero in text
    assert registro.parametri["periodo"] == periodo.nome
    assert "Pagina 1 di" in text
    assert "Indice" in text


def _figure_alts(node, alts):
    """The /Alt of every Figure element of a PDF structure tree, in reading order."""
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _figure_alts(child, alts)
    elif hasattr(node, "keys"):
        if node.get("/S") == "/Figure":
            alts.append(str(node.get("/Alt")))
        if "/K" in node:
            _figure_alts(node["/K"], alts)
    return alts


def test_relazione_draws_its_charts_as_tagged_figures(
    as_user, revisore, visconteo, periodo, django_capture_on_commit_callbacks
):
    # The charts go into the PDF as SVG images with a data: URL: each must be drawn (not
    # replaced by its alternative text, as when the image cannot be loaded) and tagged
    # as a Figure whose alternative text is the chart's title.
    response = _relazione(
        as_user(revisore),
        {"ambito": visconteo.pk, "periodo": periodo.pk},
        django_capture_on_commit_callbacks,
    )
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    relazione = relazione_monitoraggio(fetched_by=revisore, ambito=visconteo, periodo=periodo)
    titoli = [g.titolo for g in relazione.dati.grafici]
    assert len(titoli) >= 3
    assert _figure_alts(reader.trailer["/Root"]["/StructTreeRoot"], []) == titoli
    # Drawn figures: marked content tagged /Figure in the pages, holding the chart's
    # text (WeasyPrint draws SVG text as form XObjects, invoked with `Do`).
    contents = b"\n".join(page.get_contents().get_data() for page in reader.pages)
    figures = re.findall(rb"/Figure\s*<<[^>]*>>\s*BDC(.*?)EMC", contents, re.DOTALL)
    assert len(figures) == len(titoli)
    assert all(re.search(rb"/x\d+ Do", figura) for figura in figures)


def test_scheda_comune_lists_the_comune_values(as_user, operatore_rozzano, rozzano, periodo):
    response = as_user(operatore_rozzano).post(
        reverse("report:scheda_comune", args=[rozzano.pk, periodo.pk])
    )
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Rozzano" in text and "015189" in text and periodo.nome in text
    assert ReportGenerato.objects.get().comune == rozzano


@pytest.mark.parametrize(
    "fixture, status",
    [
        ("ufficio_piano", 303),  # to the job's page
        ("revisore", 303),
        ("operatore_rozzano", 403),
        ("ufficio_piano_altro", 404),
    ],
)
def test_relazione_permissions(request, as_user, visconteo, fixture, status):
    client = as_user(request.getfixturevalue(fixture))
    response = client.post(reverse("report:relazione"), {"ambito": visconteo.pk})
    assert response.status_code == status
    assert client.get(reverse("report:relazione")).status_code == 405


@pytest.mark.parametrize(
    "fixture, comune_fixture, status",
    [
        ("operatore_rozzano", "rozzano", 200),
        ("operatore_rozzano", "binasco", 404),
        ("revisore", "binasco", 200),
        ("ufficio_piano_altro", "binasco", 404),
    ],
)
def test_scheda_comune_permissions(request, as_user, periodo, fixture, comune_fixture, status):
    comune = request.getfixturevalue(comune_fixture)
    client = as_user(request.getfixturevalue(fixture))
    url = reverse("report:scheda_comune", args=[comune.pk, periodo.pk])
    assert client.post(url).status_code == status


def test_command_line_generation(tmp_path, revisore, visconteo):
    output = tmp_path / "relazione.pdf"
    call_command(
        "genera_report",
        "relazione",
        "--utente",
        revisore.username,
        "--ambito",
        visconteo.codice,
        "--output",
        str(output),
        stdout=io.StringIO(),
    )
    assert "124.421" in pdf_text(output.read_bytes())
    assert ReportGenerato.objects.get().generato_da == revisore


@pytest.mark.parametrize(
    "fixture, status",
    [
        ("ufficio_piano", 200),
        ("revisore", 200),
        ("operatore_rozzano", 200),
        ("ufficio_piano_altro", 404),
    ],
)
def test_scheda_progetto(request, as_user, visconteo, fixture, status):
    from fondi.models import Progetto

    progetto = Progetto.objects.get(ambito=visconteo, linea__codice="PNRR-M5C2-1.3.2")
    response = as_user(request.getfixturevalue(fixture)).post(
        reverse("report:scheda_progetto", args=[progetto.pk])
    )
    assert response.status_code == status
    if status == 200:
        text = pdf_text(response.content)
        assert "€ 1.090.000,00" in text and "€ 104.394,83" in text and "€ 1.194.394,83" in text
        assert "4.OUT.4" in text  # the indicators of the scheda the project implements


def test_scheda_comune_residents_are_the_reference_population_of_the_comune(
    ufficio_piano, visconteo, rozzano
):
    periodo = Periodo.objects.filter(ambito=visconteo).order_by("-data_fine").first()
    scheda = scheda_comune(fetched_by=ufficio_piano, comune=rozzano, periodo=periodo)
    scelta = popolazione_di_riferimento(
        ambito=visconteo, comune=rozzano, anno=periodo.data_fine.year
    )
    assert (scheda.anno_residenti, scheda.residenti) == (scelta.anno, scelta.residenti)
    assert scheda.anno_residenti == 2023 and scheda.residenti
