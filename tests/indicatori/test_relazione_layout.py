"""The Relazione's layout: no page left mostly blank, a cover an auditor can file.

Measure of a page's filled area: the lines of text pypdf reads on it. A full A4 page of
the report holds FULL_PAGE_LINES lines at the body font (10 pt, line height 1.35, 255 mm
of text height between the margins: 255 mm / 4.76 mm = 53 lines); a page is "mostly
blank" when it has fewer than a quarter of them. The cover and the last page (the
register of the report) may be short.
"""

import io
import os

from pypdf import PdfReader

from indicatori.models import Periodo
from indicatori.reports import relazione_pdf

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
