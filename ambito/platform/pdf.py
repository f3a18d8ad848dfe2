"""PDF reports: Django templates rendered by WeasyPrint, registered with their SHA-256.

Every report is rendered from a template and a plain view model (the same selectors
that feed pages and API), as an accessible, archivable PDF (PDF/A-3a: tagged and
self-contained). WeasyPrint may only load our own static files and `data:` URLs (the
charts, embedded as SVG images): any other URL in the HTML (for instance in text typed
by a user) is refused, so a report never reaches the network.
"""

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

PDF_VARIANT = "pdf/a-3a"
PDF_BASE_URL = "file:///"

# The Italian names of the parameters a report records (`ReportGenerato.parametri`);
# their values are already names a reader recognises (see the `*_pdf` functions).
ETICHETTE_PARAMETRI = {
    "ambito": _("Ambito"),
    "comune": _("Comune"),
    "periodo": _("Periodo"),
    "anno": _("Anno"),
    "progetto": _("Progetto"),
    "codice": _("Codice del progetto"),
    "dal": _("Dall'anno"),
    "al": _("All'anno"),
}


def parametri_leggibili(parametri: dict) -> list[tuple[str, str]]:
    """A report's parameters as (Italian label, value), empty ones left out: one
    wording for the register page and the report's own last page."""
    return [
        (str(ETICHETTE_PARAMETRI.get(chiave, capfirst(chiave.replace("_", " ")))), str(valore))
        for chiave, valore in (parametri or {}).items()
        if valore not in ("", None)
    ]


def _static_file(name: str) -> str | None:
    """The path of a static file: the collected one (in production its name carries a
    hash of its content, which the finders do not know), else the app's own."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
    except SuspiciousFileOperation:
        return None
    return finders.find(name)


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves `/static/...` from the static finders and `data:` URLs (no network);
        refuses every other URL."""

        def fetch(self, url, headers=None):
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = url.split("://", 1)[-1] if url.startswith("file://") else url
            prefix = "/" + settings.STATIC_URL.lstrip("/")
            if path.startswith(prefix):
                found = _static_file(path[len(prefix) :])
                if found:
                    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, body=Path(found).read_bytes(), headers={"Content-Type": mime}
                    )
            raise ValueError(f"Risorsa non consentita nel PDF: {url}")

    return StaticOnlyFetcher


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """The PDF bytes of a report's HTML, and its number of pages: WeasyPrint's part
    (the benchmarks time it alone on the HTML that `render_pdf` hands it)."""
    from weasyprint import HTML

    fetcher = _static_fetcher_class()()
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).render()
    data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return data, len(document.pages)


def render_pdf(template: str, context: dict) -> tuple[bytes, int]:
    """The PDF bytes of a template, and its number of pages."""
    return html_to_pdf(render_to_string(template, context))


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return f"{value._meta.label}:{value.pk}"
    if hasattr(value, "__dict__"):
        return {k: v for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


def sha256_dati(dati) -> str:
    """A stable fingerprint of the figures a report shows (its view model)."""
    canonical = json.dumps(dati, default=_json_default, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class ReportPdf:
    registro: "object"
    contenuto: bytes

    @property
    def filename(self):
        return self.registro.nome_file


def pdf_response(report: ReportPdf):
    """The download of a generated report (pages that answer with the PDF itself)."""
    from django.http import HttpResponse

    response = HttpResponse(report.contenuto, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response


@transaction.atomic
def report_generate(
    *,
    tipo: str,
    titolo: str,
    template: str,
    context: dict,
    dati,
    user,
    ambito,
    comune=None,
    parametri: dict | None = None,
) -> ReportPdf:
    """Render a report and record who generated it, when, how, and its SHA-256.

    The registration number, user, time, parameters and the fingerprint of the data
    appear on the report's last page; the SHA-256 of the file itself (which cannot be
    printed inside the file it hashes) is recorded and shown in "Report generati",
    where an auditor can also upload a copy to check that it is the original.
    """
    from ambito.models import ReportGenerato

    registro = ReportGenerato.objects.create(
        tipo=tipo,
        titolo=titolo,
        ambito=ambito,
        comune=comune,
        parametri=parametri or {},
        generato_da=user,
        generato_il=timezone.now(),
        sha256_dati=sha256_dati(dati),
    )
    contenuto, pagine = render_pdf(template, {**context, "registro": registro})
    registro.sha256 = hashlib.sha256(contenuto).hexdigest()
    registro.pagine = pagine
    registro.dimensione = len(contenuto)
    # Stored under MEDIA_ROOT for downloading again; the row is committed with the file
    # or not at all (a process killed here leaves neither the row nor a half register).
    registro.file.save(registro.nome_file, ContentFile(contenuto), save=False)
    registro.save(update_fields=["sha256", "pagine", "dimensione", "file"])
    return ReportPdf(registro=registro, contenuto=contenuto)
