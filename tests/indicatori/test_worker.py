"""A real Celery worker on Redis and PostgreSQL runs a Relazione job.

The worker is started by the test (`celery -A ambito worker`, db 13 of the Redis on
127.0.0.1:6379, or ZONALE_TEST_CELERY_REDIS_URL), on the test database, with a real SMTP
server in the test process (aiosmtpd): the PDF it stores has the SHA-256 of the register
and the "ready" e-mail arrives over SMTP. A worker killed with SIGKILL while rendering
leaves the job retryable and no report row. Skipped on SQLite or without Redis.
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from ambito.choices import Ruolo, StatoLavoro
from ambito.models import Ambito, PreferenzeNotifiche, ReportGenerato
from indicatori import services
from indicatori.models import RichiestaRelazione
from tests import sottoprocessi
from tests.factories import user_with_role

REDIS_URL = os.environ.get("ZONALE_TEST_CELERY_REDIS_URL", "redis://127.0.0.1:6379/13")
RADICE = Path(__file__).resolve().parents[2]
TASK = "indicatori.tasks.relazione_generate"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="A worker process needs a database server: PostgreSQL (DATABASE_URL), not SQLite.",
)


@pytest.fixture
def redis_vuoto():
    with sottoprocessi.redis_vuoto(REDIS_URL) as client:
        yield client


@pytest.fixture
def smtp():
    """An SMTP server in the test process; the messages it received."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    ricevuti = []

    class Raccogli(Message):
        def handle_message(self, message):
            ricevuti.append(message)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        porta = s.getsockname()[1]
    controller = Controller(Raccogli(), hostname="127.0.0.1", port=porta)
    controller.start()
    yield porta, ricevuti
    controller.stop()


def _avvia_worker(porta_smtp, redis_url=REDIS_URL):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ambito.settings",
        "PYTHONPATH": str(RADICE),
        "DATABASE_URL": sottoprocessi.database_url(),
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "test-worker",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(porta_smtp),
        "DEFAULT_FROM_EMAIL": "zonale@example.org",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "ambito",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=RADICE,
        env=env,
    )


def _attendi(condizione, secondi=180):
    limite = time.monotonic() + secondi
    while time.monotonic() < limite:
        if condizione():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def dati(transactional_db):
    """The Ambito and its Ufficio di Piano, who wants an e-mail when a report is ready."""
    if not Ambito.objects.filter(codice="visconteo-sud-milano").exists():
        call_command("carica_dati", stdout=open(os.devnull, "w"))  # flushed by a former test
    ambito = Ambito.objects.get(codice="visconteo-sud-milano")
    ufficio_piano = user_with_role(Ruolo.UFFICIO_PIANO, ambito, username="udp.worker")
    ufficio_piano.email = "udp@ambito.example"
    ufficio_piano.save()
    PreferenzeNotifiche.objects.create(utente=ufficio_piano, report_pronti=True)
    return ambito, ufficio_piano


def _job(ufficio_piano, ambito, chiave):
    job = RichiestaRelazione.objects.create(
        richiesta_da=ufficio_piano, ambito=ambito, chiave=chiave
    )
    # Queued as the web process does, on the broker the worker listens to.
    client = Celery(broker=REDIS_URL, set_as_current=False)
    client.send_task(TASK, args=[job.pk])
    client.close()
    return job


def _stato(job):
    job.refresh_from_db()
    return job.stato


def test_a_worker_runs_the_relazione_and_mails_it_ready(dati, redis_vuoto, smtp):
    ambito, ufficio_piano = dati
    porta, ricevuti = smtp
    worker = _avvia_worker(porta)
    try:
        job = _job(ufficio_piano, ambito, "worker-1")
        assert _attendi(lambda: _stato(job) in (StatoLavoro.PRONTO, StatoLavoro.FALLITO))
        assert job.stato == StatoLavoro.PRONTO, job.errore
        report = ReportGenerato.objects.get(pk=job.report_id)
        assert hashlib.sha256(report.file.read()).hexdigest() == report.sha256
        assert report.generato_da == ufficio_piano
        assert _attendi(lambda: ricevuti, 60), "no e-mail over SMTP"
        (messaggio,) = ricevuti
        assert messaggio["To"] == "udp@ambito.example"
        assert report.numero in messaggio["Subject"]
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_worker_killed_mid_job_leaves_it_retryable_and_no_report(dati, redis_vuoto, smtp):
    ambito, ufficio_piano = dati
    porta, _ricevuti = smtp
    worker = _avvia_worker(porta)
    try:
        job = _job(ufficio_piano, ambito, "worker-2")
        assert _attendi(lambda: _stato(job) != StatoLavoro.IN_CODA)
        assert job.stato == StatoLavoro.IN_CORSO  # rendering takes seconds
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    assert job.stato == StatoLavoro.IN_CORSO
    assert not ReportGenerato.objects.exists()  # no half-registered report
    # Lost after LAVORO_PERSO_DOPO: the requester may retry (inline here: eager tasks).
    assert not services.relazione_retryable(job)
    assert services.relazione_retryable(job, adesso=timezone.now() + timedelta(minutes=16))
    RichiestaRelazione.objects.filter(pk=job.pk).update(
        iniziata_il=timezone.now() - timedelta(minutes=16)
    )
    services.relazione_retry(user=ufficio_piano, job=job)
    job.refresh_from_db()
    assert (job.stato, job.tentativi) == (StatoLavoro.PRONTO, 2)
    assert ReportGenerato.objects.get() == job.report
