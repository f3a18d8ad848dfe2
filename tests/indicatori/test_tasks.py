"""The Relazione as a job: one job per request, all-or-nothing registration, retry."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ambito.choices import StatoLavoro
from ambito.models import Notifica, ReportGenerato
from ambito.platform import pdf
from indicatori import services
from indicatori.models import RichiestaRelazione

pytestmark = pytest.mark.django_db


def test_same_request_twice_is_one_job_and_one_report(
    as_user, ufficio_piano, visconteo, django_capture_on_commit_callbacks
):
    client = as_user(ufficio_piano)
    dati = {"ambito": visconteo.pk, "richiesta": "a" * 32}
    with django_capture_on_commit_callbacks(execute=True):
        primo = client.post(reverse("report:relazione"), dati)
        secondo = client.post(reverse("report:relazione"), dati)  # a double click
    assert primo.status_code == secondo.status_code == 303
    assert primo["Location"] == secondo["Location"]
    job = RichiestaRelazione.objects.get()
    assert (job.stato, job.tentativi) == (StatoLavoro.PRONTO, 1)
    report = ReportGenerato.objects.get()
    assert job.report == report
    # The stored file is the registered one, byte for byte.
    assert hashlib.sha256(report.file.read()).hexdigest() == report.sha256
    # The requester is told in the app, with a link to the job's page.
    notifica = Notifica.objects.get(utente=ufficio_piano, tipo="report")
    assert notifica.link == job.get_absolute_url()
    pagina = client.get(primo["Location"]).content.decode()
    assert reverse("report:download", args=[report.pk]) in pagina
    assert 'http-equiv="refresh"' not in pagina  # finished: no more refreshing


def test_waiting_job_page_refreshes_without_javascript(as_user, ufficio_piano, visconteo):
    job = RichiestaRelazione.objects.create(
        richiesta_da=ufficio_piano, ambito=visconteo, chiave="in-coda"
    )
    pagina = as_user(ufficio_piano).get(job.get_absolute_url()).content.decode()
    assert "In coda" in pagina
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in pagina
    assert 'hx-trigger="every 2s"' in pagina


def test_a_failed_render_leaves_no_report_and_can_be_retried(
    as_user, ufficio_piano, visconteo, monkeypatch, django_capture_on_commit_callbacks
):
    originale = pdf.render_pdf

    def rotto(*args, **kwargs):
        raise OSError("disco pieno")

    monkeypatch.setattr(pdf, "render_pdf", rotto)
    client = as_user(ufficio_piano)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report:relazione"), {"ambito": visconteo.pk})
    job = RichiestaRelazione.objects.get()
    assert job.stato == StatoLavoro.FALLITO
    # The register row is created before rendering (its number is printed in the PDF):
    # it went away with the failed transaction.
    assert not ReportGenerato.objects.exists()
    pagina = client.get(response["Location"]).content.decode()
    assert "La relazione non è stata generata per un errore imprevisto (OSError)" in pagina
    assert "Riprova" in pagina

    monkeypatch.setattr(pdf, "render_pdf", originale)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    job.refresh_from_db()
    assert (job.stato, job.tentativi, job.errore) == (StatoLavoro.PRONTO, 2, "")
    assert ReportGenerato.objects.get() == job.report


def test_only_the_requester_retries_and_only_a_failed_job(ufficio_piano, revisore, visconteo):
    job = RichiestaRelazione.objects.create(
        richiesta_da=ufficio_piano, ambito=visconteo, chiave="k", stato=StatoLavoro.FALLITO
    )
    with pytest.raises(PermissionDenied):
        services.relazione_retry(user=revisore, job=job)
    job.stato = StatoLavoro.PRONTO
    job.save()
    assert not services.relazione_retryable(job)


def test_a_finished_job_redelivered_does_nothing(ufficio_piano, visconteo):
    job = RichiestaRelazione.objects.create(
        richiesta_da=ufficio_piano, ambito=visconteo, chiave="k", stato=StatoLavoro.PRONTO
    )
    assert services.relazione_run(job_id=job.pk) is None
    assert not ReportGenerato.objects.exists()


def test_asking_for_a_relazione_answers_at_once(
    as_user, ufficio_piano, visconteo, monkeypatch, django_capture_on_commit_callbacks
):
    """With a worker (not inline) the request only queues the job: no PDF is rendered."""
    import time

    from indicatori import tasks

    accodati = []
    monkeypatch.setattr(tasks.relazione_generate, "delay", accodati.append)
    client = as_user(ufficio_piano)
    client.get(reverse("home"))  # warm up the session and the URL resolver
    inizio = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("report:relazione"), {"ambito": visconteo.pk})
    durata = time.perf_counter() - inizio
    print(f"Relazione request answered in {durata * 1000:.0f} ms")
    assert response.status_code == 303
    job = RichiestaRelazione.objects.get()
    assert accodati == [job.pk] and job.stato == StatoLavoro.IN_CODA
    assert not ReportGenerato.objects.exists()
    assert durata < 0.5  # 200 ms is the target; generous for a loaded test machine
