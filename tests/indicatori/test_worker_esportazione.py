"""A real Celery worker on Redis (db 12) writes an export job: the CSV it stores has the
SHA-256 of the register, and the "ready" e-mail arrives over SMTP (aiosmtpd in the test
process). Skipped on SQLite or without Redis, saying why; the worker process, the SMTP
server and the data are those of test_worker.py."""

import csv
import hashlib
import io
import os

from celery import Celery

from ambito.choices import StatoLavoro
from ambito.models import Esportazione, ReportGenerato
from indicatori.models import Periodo, Valore
from tests import sottoprocessi

from .test_worker import _attendi, _avvia_worker, dati, pytestmark, smtp  # noqa: F401

REDIS_URL = os.environ.get("ZONALE_TEST_CELERY_REDIS_URL_12", "redis://127.0.0.1:6379/12")
TASK = "ambito.tasks.esportazione_generate"


def test_a_worker_writes_the_values_export_and_mails_it_ready(dati, smtp):  # noqa: F811
    ambito, ufficio_piano = dati
    porta, ricevuti = smtp
    periodo = Periodo.objects.filter(ambito=ambito, valori__isnull=False).distinct().first()
    with sottoprocessi.redis_vuoto(REDIS_URL):
        worker = _avvia_worker(porta, REDIS_URL)
        try:
            job = Esportazione.objects.create(
                richiesta_da=ufficio_piano,
                ambito=ambito,
                tipo="valori",
                parametri={"periodo": periodo.pk},
                chiave="worker-esportazione",
            )
            client = Celery(broker=REDIS_URL, set_as_current=False)
            client.send_task(TASK, args=[job.pk])
            client.close()

            def finito():
                job.refresh_from_db()
                return job.stato in (StatoLavoro.PRONTO, StatoLavoro.FALLITO)

            assert _attendi(finito)
            assert job.stato == StatoLavoro.PRONTO, job.errore
            report = ReportGenerato.objects.get(pk=job.report_id)
            contenuto = report.file.read()
            assert hashlib.sha256(contenuto).hexdigest() == report.sha256
            righe = list(csv.reader(io.StringIO(contenuto.decode("utf-8-sig")), delimiter=";"))
            assert righe[0][0] == "Periodo"
            assert len(righe) - 1 == Valore.objects.filter(periodo=periodo).count()
            assert _attendi(lambda: ricevuti, 60), "no e-mail over SMTP"
            (messaggio,) = ricevuti
            assert messaggio["To"] == "udp@ambito.example"
            assert report.numero in messaggio["Subject"]
        finally:
            worker.terminate()
            worker.wait(timeout=30)
