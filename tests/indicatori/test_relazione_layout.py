"""The Relazione's layout: no page left mostly blank, a cover an auditor can file.

Measure of a page's filled area: the lines of text pypdf reads on it. A full A4 page of
the report holds FULL_PAGE_LINES lines at the body font (10 pt, line height 1.35, 255 mm
of text height between the margins: 255 mm / 4.76 mm = 53 lines); a page is "mostly
blank" when it has fewer than a quarter of them. The cover and the last page (the
register of the report) may be short.
"""

import io
import os
from datetime import date

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader

from fondi.models import Progetto
from indicatori.models import Periodo
from indicatori.reports import relazione_pdf, scheda_progetto_pdf

FULL_PAGE_LINES = 53


def righe(pagina) -> int:
    return sum(1 for riga in (pagina.extract_text() or "").splitlines() if riga.strip())


def test_relazione_has_no_mostly_blank_page(revisore, visconteo):
    periodo = Periodo.objects.get(ambito=visconteo, codice="2025-s1")
    report = relazione_pdf(user=revisore, ambito=visconteo, periodo=periodo)
    if os.environ.get("ZONALE_SAVE_PDF"):
        with open(os.environ["ZONALE_SAVE_PDF"], "wb") as f:
            f.write(report.contenuto)
    pagine = PdfReader(io.BytesIO(report.contenuto)).pages
    conteggi = [righe(p) for p in pagine]
    quasi_vuote = [
        numero
        for numero, n in enumerate(conteggi, start=1)
        if n < FULL_PAGE_LINES / 4 and numero not in (1, len(pagine))
    ]
    assert not quasi_vuote, f"pagine quasi vuote: {quasi_vuote}; righe per pagina: {conteggi}"


def test_relazione_cover_identifies_the_document(revisore, visconteo):
    periodo = Periodo.objects.get(ambito=visconteo, codice="2025-s1")
    report = relazione_pdf(user=revisore, ambito=visconteo, periodo=periodo)
    copertina = PdfReader(io.BytesIO(report.contenuto)).pages[0].extract_text()
    assert visconteo.nome in copertina
    assert "dal 01/01/2025 al 30/06/2025" in copertina
    assert report.registro.numero in copertina
    assert report.registro.sha256_dati in "".join(copertina.split())


@pytest.mark.parametrize(
    "inizio, fine, testo",
    [
        (None, date(2026, 3, 31), "fine 31/03/2026, inizio non indicato"),
        (date(2025, 1, 1), date(2026, 3, 31), "dal 01/01/2025 al 31/03/2026"),
        (date(2025, 1, 1), None, "inizio 01/01/2025, fine non indicata"),
        (None, None, "date non indicate"),
    ],
)
def test_project_dates_read_well_when_one_is_missing(inizio, fine, testo):
    html = render_to_string("report/_date.html", {"inizio": inizio, "fine": fine})
    assert html.strip() == testo


def test_scheda_progetto_parameters_name_the_project(ufficio_piano, visconteo):
    progetto = Progetto.objects.filter(ambito=visconteo).first()
    report = scheda_progetto_pdf(user=ufficio_piano, progetto=progetto)
    assert report.registro.parametri["progetto"] == progetto.titolo
