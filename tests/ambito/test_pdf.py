"""The PDF machinery: a real WeasyPrint PDF, read back as text."""

import hashlib
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from ambito.models import ReportGenerato
from ambito.platform.pdf import _static_fetcher_class, render_pdf, report_generate, sha256_dati
from ambito.templatetags.zonale import svg_data_url


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def report(visconteo, ufficio_piano):
    dati = {"totale": "124421"}
    return report_generate(
        tipo=ReportGenerato.Tipo.RELAZIONE,
        titolo="Prova di registrazione",
        template="report/base.html",
        context={"titolo": "Prova di registrazione", "ambito": visconteo},
        dati=dati,
        user=ufficio_piano,
        ambito=visconteo,
        parametri={"anno": 2023},
    )


def test_generated_report_is_registered_with_its_sha256(report, ufficio_piano):
    registro = ReportGenerato.objects.get(pk=report.registro.pk)
    assert registro.sha256 == hashlib.sha256(report.contenuto).hexdigest()
    assert registro.generato_da == ufficio_piano
    assert registro.parametri == {"anno": 2023}
    assert registro.pagine == len(PdfReader(io.BytesIO(report.contenuto)).pages)
    text = pdf_text(report.contenuto)
    assert registro.numero in text
    assert registro.sha256_dati in text.replace("\n", "")
    assert "Anno: 2023" in text
    assert "Pagina 1 di" in text


def test_data_fingerprint_is_stable_and_sensitive():
    assert sha256_dati({"a": 1, "b": 2}) == sha256_dati({"b": 2, "a": 1})
    assert sha256_dati({"a": 1}) != sha256_dati({"a": 2})


def test_pdf_never_fetches_outside_static(visconteo):
    # A URL typed by a user must not be fetched; the PDF is still produced.
    data, pages = render_pdf(
        "report/base.html",
        {"titolo": '<img src="http://example.invalid/x.png">', "ambito": visconteo},
    )
    assert pages >= 1
    assert "example.invalid" in pdf_text(data)  # shown escaped as text, not loaded


def test_fetcher_serves_static_and_data_urls_and_refuses_the_rest():
    fetcher = _static_fetcher_class()()
    # The charts of the reports are embedded as data: URLs (no network involved).
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Città</title></svg>'
    response = fetcher.fetch(svg_data_url(svg))
    assert response.read() == svg.encode("utf-8")
    assert response.headers.get_content_type() == "image/svg+xml"
    response = fetcher.fetch("file:///static/css/report.css")
    assert b".grafico img" in response.read()
    for url in (
        "http://example.com/x.png",
        "https://example.com/x.svg",
        "file:///etc/passwd",
        "file:///static/non-esiste.png",
    ):
        with pytest.raises(ValueError, match="Risorsa non consentita"):
            fetcher.fetch(url)


def test_report_list_and_verification(report, as_user, revisore, operatore_rozzano):
    client = as_user(revisore)
    response = client.get(reverse("report:index"))
    assert report.registro.sha256 in response.content.decode()
    upload = io.BytesIO(report.contenuto)
    upload.name = "copia.pdf"
    response = client.post(reverse("report:verifica"), {"file": upload})
    assert response.context["trovato"] == report.registro
    altered = io.BytesIO(report.contenuto + b"%")
    altered.name = "copia.pdf"
    response = client.post(reverse("report:verifica"), {"file": altered})
    assert response.context["trovato"] is None
    assert "non è un originale" in response.content.decode()
    # Operators see only the Scheda Comune of their own Comune, not the Relazione.
    response = as_user(operatore_rozzano).get(reverse("report:index"))
    assert list(response.context["object_list"]) == []


def test_fetcher_serves_the_hashed_static_files_of_production(settings, tmp_path):
    """With DEBUG off the templates link `report.<hash>.css`, a name only the collected
    files have: the PDF must still get its stylesheet (it came out unstyled before)."""
    from django.core.management import call_command
    from django.templatetags.static import static

    # The settings fixture's changes reset the static storage (Django's setting_changed).
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    url = static("css/report.css")
    assert url != "/static/css/report.css"  # a hashed name
    fetcher = _static_fetcher_class()()
    assert b".grafico img" in fetcher.fetch("file://" + url).read()
    with pytest.raises(ValueError, match="Risorsa non consentita"):
        fetcher.fetch("file:///static/../../etc/passwd")


def test_the_register_shows_parameters_with_italian_labels(
    as_user, revisore, visconteo, ufficio_piano, django_assert_max_num_queries
):
    """The register page and the report's last page word the parameters alike:
    "Periodo: 2° semestre 2025", never "periodo=..."; empty ones left out."""
    import pypdf

    report = report_generate(
        tipo=ReportGenerato.Tipo.SCHEDA_PROGETTO,
        titolo="Scheda progetto",
        template="report/base.html",
        context={"titolo": "Scheda progetto", "ambito": visconteo},
        dati={},
        user=ufficio_piano,
        ambito=visconteo,
        parametri={"periodo": "2° semestre 2025", "progetto": "Casa e lavoro", "codice": ""},
    )
    with django_assert_max_num_queries(25):  # the page's menu and counters, rows joined
        html = as_user(revisore).get(reverse("report:index")).content.decode()
    riga = html[html.index(report.registro.numero) :]
    riga = riga[: riga.index("</tr>")]
    assert "<li>Periodo: 2° semestre 2025</li>" in riga
    assert "<li>Progetto: Casa e lavoro</li>" in riga
    assert "periodo=" not in html and "Codice" not in riga
    testo = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(report.contenuto)).pages)
    assert "Periodo: 2° semestre 2025; Progetto: Casa e lavoro" in " ".join(testo.split())
