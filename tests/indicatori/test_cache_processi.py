"""Two processes, one PostgreSQL and one Redis: a value approved in one is never stale in
the other (what two gunicorn workers need of the cache).

Process A reads a cached aggregate (the completeness of a period), reads it again from
the cache, then process B approves a Comune's values through the service, and A's next
read has the new figure. Each process is a long-lived `processo_cache.py`, with its own
memory: with the per-process LocMem cache A would answer the old figure.

Only on PostgreSQL (the two processes need a database server) and with a Redis server
(`ZONALE_TEST_REDIS_URL`, by default db 14 of 127.0.0.1:6379, emptied by the test).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from ambito.choices import Ruolo
from ambito.models import Ambito, Incarico
from indicatori.choices import StatoValore
from indicatori.models import Periodo, Valore
from tests import sottoprocessi

REDIS_URL = os.environ.get("ZONALE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PROCESSO = Path(__file__).with_name("processo_cache.py")
RADICE = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Two processes need a database server: PostgreSQL (DATABASE_URL), not SQLite.",
)


@pytest.fixture
def redis_vuoto():
    with sottoprocessi.redis_vuoto(REDIS_URL) as client:
        yield client


class Processo:
    def __init__(self, env):
        self.popen = subprocess.Popen(
            [sys.executable, str(PROCESSO)],
            cwd=RADICE,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._risposta() == {"pronto": True}

    def _risposta(self):
        riga = self.popen.stdout.readline()
        assert riga, f"process ended (exit code {self.popen.poll()})"
        return json.loads(riga)

    def __call__(self, azione, **argomenti):
        self.popen.stdin.write(json.dumps({azione: argomenti}) + "\n")
        self.popen.stdin.flush()
        return self._risposta()

    def chiudi(self):
        self.popen.stdin.close()
        self.popen.wait(timeout=30)


@pytest.fixture
def processi(transactional_db, redis_vuoto):
    """Two worker processes on the test database and the test Redis db. The test
    database is flushed when the test ends (the workers commit), so it runs last."""
    if not Ambito.objects.filter(codice="visconteo-sud-milano").exists():
        call_command("carica_dati", stdout=open(os.devnull, "w"))  # flushed by a former test
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ambito.settings",
        "PYTHONPATH": str(RADICE),  # this checkout, not an installed copy
        "DATABASE_URL": sottoprocessi.database_url(),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "test-processi",
    }
    a, b = Processo(env), Processo(env)
    yield a, b
    a.chiudi()
    b.chiudi()


@pytest.fixture
def da_approvare(db):
    """A period of Visconteo and a Comune with values sent there, to approve."""
    periodo = Periodo.objects.get(ambito__codice="visconteo-sud-milano", codice="2025-s2")
    comune = (
        Valore.objects.filter(periodo=periodo, stato=StatoValore.INVIATO)
        .values_list("comune_id", flat=True)
        .first()
    )
    return periodo, comune


def test_a_value_approved_in_one_process_is_never_stale_in_another(
    processi, ufficio_piano, da_approvare
):
    a, b = processi
    periodo, comune = da_approvare
    lettura = {"utente": ufficio_piano.username, "periodo": periodo.pk}

    prima = a("leggi", **lettura)
    di_nuovo = a("leggi", **lettura)
    assert di_nuovo["approvati"] == prima["approvati"]
    # From the cache: only the user's roles are read, none of the aggregate queries.
    assert di_nuovo["query"] < prima["query"] and di_nuovo["query"] <= 2

    assert (
        b("approva", utente=ufficio_piano.username, periodo=periodo.pk, comune=comune)["approvati"]
        > 0
    )

    dopo = a("leggi", **lettura)
    assert dopo["approvati"][str(comune)] > prima["approvati"][str(comune)]
    # The same figures as computed by B, which also had them in the shared cache.
    assert b("leggi", **lettura)["approvati"] == dopo["approvati"]


def test_a_list_kept_in_each_processs_memory_is_never_stale_in_another(
    processi, ufficio_piano, altro_ambito, da_approvare
):
    """The progress API of a user of two Ambiti is one union of the Ambiti' entries,
    which each process also keeps in its own memory: B's approval shows in A at once."""
    Incarico.objects.create(user=ufficio_piano, ambito=altro_ambito, ruolo=Ruolo.UFFICIO_PIANO)
    a, b = processi
    periodo, comune = da_approvare
    utente = ufficio_piano.username
    prima = a("avanzamento", utente=utente)["righe"]
    assert a("avanzamento", utente=utente)["righe"] == prima

    assert b("approva", utente=utente, periodo=periodo.pk, comune=comune)["approvati"] > 0

    dopo = a("avanzamento", utente=utente)["righe"]
    assert dopo != prima
    assert dopo == b("avanzamento", utente=utente)["righe"]
