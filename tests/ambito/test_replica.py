"""The read-replica router, pointed at a second database alias.

The "replica" alias is a second connection to the test database: what it reads shows
in its own captured queries, so each test sees which alias every query went to. The
data are committed (transactional tests), as a replica only sees committed rows.
"""

import copy

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import ambito.platform.pdf
from ambito.choices import Ruolo
from ambito.models import Ambito
from ambito.platform.replica import (
    COOKIE_PRIMARIO,
    REPLICA,
    ReplicaRouter,
    lettura_da_replica,
)
from tests.factories import AmbitoFactory, ComuneFactory, user_with_role


@pytest.fixture
def replica(transactional_db):
    connections.settings[REPLICA] = copy.deepcopy(connections["default"].settings_dict)
    # Opened here: the test case, set up before this alias existed, lets only the
    # connections it knows open themselves.
    connections[REPLICA].connect()
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def utente_regione(transactional_db):
    ambito = AmbitoFactory(regione="Molise")
    ComuneFactory(ambito=ambito)
    AmbitoFactory(regione="Molise")
    return user_with_role(Ruolo.REGIONE, ambito, username="regione.replica")


def _richiesta(client, metodo, url, **kwargs):
    with CaptureQueriesContext(connections["default"]) as primario:
        with CaptureQueriesContext(connections[REPLICA]) as copia:
            risposta = getattr(client, metodo)(url, **kwargs)
    return risposta, [q["sql"] for q in primario], [q["sql"] for q in copia]


def test_the_regional_dashboard_reads_from_the_replica(client, replica, utente_regione):
    client.force_login(utente_regione)
    risposta, primario, copia = _richiesta(client, "get", reverse("indicatori:regione"))
    assert risposta.status_code == 200
    assert any("ambito_ambito" in q for q in copia)
    # The primary served the session and the user only, before the view.
    assert primario
    assert all("django_session" in q or "auth_user" in q for q in primario), primario
    risposta, primario, copia = _richiesta(client, "get", "/api/v1/regione/")
    assert risposta.status_code == 200
    assert copia


def test_pages_not_marked_and_writes_use_the_primary(client, replica, utente_regione, monkeypatch):
    client.force_login(utente_regione)
    risposta, _primario, copia = _richiesta(client, "get", reverse("indicatori:valore_list"))
    assert risposta.status_code == 200
    assert copia == []
    monkeypatch.setattr(ambito.platform.pdf, "render_pdf", lambda t, c: (b"%PDF-", 1))
    # Asking for the regional PDF writes its job (and, the tasks being eager here, the
    # worker's report): all on the primary.
    risposta, primario, copia = _richiesta(client, "post", reverse("report:regione"))
    assert risposta.status_code == 303
    assert copia == []
    assert any("INSERT" in q and "indicatori_richiestaregione" in q for q in primario)
    # Who has just written reads from the primary for a while, the dashboards too.
    assert COOKIE_PRIMARIO in risposta.cookies
    risposta, _primario, copia = _richiesta(client, "get", reverse("indicatori:regione"))
    assert risposta.status_code == 200
    assert copia == []


def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(replica):
    router = ReplicaRouter()
    with lettura_da_replica():
        assert router.db_for_read(Ambito) == REPLICA
        assert Ambito.objects.db == REPLICA
        Ambito(nome="x")  # building an object writes nothing
        assert Ambito.objects.db == REPLICA
        AmbitoFactory()
        assert router.db_for_read(Ambito) is None
        assert Ambito.objects.db == "default"
    assert router.db_for_read(Ambito) is None  # outside the marked block


def test_without_a_replica_nothing_changes(client, transactional_db, utente_regione):
    assert REPLICA not in connections.settings
    client.force_login(utente_regione)
    assert client.get(reverse("indicatori:regione")).status_code == 200
    assert ReplicaRouter().db_for_read(Ambito) is None  # the request left nothing behind
    with lettura_da_replica():
        assert ReplicaRouter().db_for_read(Ambito) is None


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "ambito") is False
    assert router.allow_migrate("default", "ambito") is True
