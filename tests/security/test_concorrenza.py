"""No lost writes (issue #9): concurrent clients against a live server on PostgreSQL.

Twenty HTTP clients, each logged in on its own (its own `requests.Session`), are released
together by a `threading.Barrier` against pytest-django's live server, which answers every
request in its own thread with its own database connection:

- ten Operatori of ten different Comuni each create the value of their own Comune's cell
  in the open period: every write is accepted and stored exactly once;
- ten Operatori of one more Comune change the SAME existing cell, all claiming the version
  they read (`versione` 1): exactly one is accepted, every other gets a 400 with the
  Italian concurrency message, and the row holds the accepted value at version 2.

A second test races ten creations of the same empty cell. In both, no response is a 5xx,
what was accepted is what is stored, and the audit trail (simple_history) has one creation
per stored row and one change per accepted update.

Only on PostgreSQL: SQLite serialises writers (and its in-memory test database is shared
by the server threads through one connection), so the race would prove nothing there.
"""

import threading
import time
from decimal import Decimal

import pytest
import requests
from django.db import connection

from ambito.choices import Ruolo
from indicatori import services
from indicatori.models import Valore
from tests.factories import AmbitoFactory, ComuneFactory, api_token, user_with_role
from tests.indicatori.factories import IndicatoreFactory, PeriodoFactory
from tests.problemi import per_campo
from tests.programmi.factories import PianoFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Race test: needs PostgreSQL's concurrent writers (SQLite serialises them).",
)

PASSWORD = "Password-di-prova-1"  # UserFactory's
CONCORRENZA = "Nel frattempo un altro utente ha modificato questo valore"
ESISTE_GIA = "Il valore di questa cella esiste già"
LISTA = "/api/v1/valori/"
N = 10  # clients per group
TIMEOUT = 60


@pytest.fixture
def scenario(transactional_db):
    """An Ambito of its own (the live server flushes the database), an open period and a
    per-Comune count indicator; ten Comuni with one Operatore each, and one more Comune with
    ten Operatori."""
    ambito = AmbitoFactory()
    piano = PianoFactory(ambito=ambito, anno_inizio=2025, anno_fine=2027)
    indicatore = IndicatoreFactory(piano=piano)
    periodo = PeriodoFactory(ambito=ambito)
    comuni = [ComuneFactory(ambito=ambito) for _ in range(N)]
    propri = [
        user_with_role(Ruolo.OPERATORE, ambito, comune, username=f"conc.proprio.{i}")
        for i, comune in enumerate(comuni)
    ]
    conteso = ComuneFactory(ambito=ambito)
    contendenti = [
        user_with_role(Ruolo.OPERATORE, ambito, conteso, username=f"conc.conteso.{i}")
        for i in range(N)
    ]
    return {
        "indicatore": indicatore,
        "periodo": periodo,
        "comuni": comuni,
        "propri": propri,
        "conteso": conteso,
        "contendenti": contendenti,
    }


def sessione_login(base, user):
    """A browser-like client: the login page with its CSRF token, then the session cookie."""
    sessione = requests.Session()
    sessione.get(f"{base}/accesso/", timeout=TIMEOUT).raise_for_status()
    risposta = sessione.post(
        f"{base}/accesso/",
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": sessione.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert risposta.status_code == 302, (user.username, risposta.status_code)
    assert "sessionid" in sessione.cookies
    sessione.headers["X-CSRFToken"] = sessione.cookies["csrftoken"]  # rotated at login
    return sessione


def sessione_token(user):
    """A script-like client: a personal API token (`Authorization: Bearer …`)."""
    sessione = requests.Session()
    sessione.headers["Authorization"] = f"Bearer {api_token(user)}"
    return sessione


def insieme(richieste):
    """Run the requests in one thread each, released together by a barrier.

    `richieste` is a list of (label, session, method, url, json); returns, in the same
    order, dicts with label, status, body (JSON or text) and seconds, and fails on any
    exception in a thread.
    """
    barriera = threading.Barrier(len(richieste))
    risultati = [None] * len(richieste)
    errori = []

    def esegui(i, etichetta, sessione, metodo, url, corpo):
        try:
            barriera.wait(timeout=TIMEOUT)
            inizio = time.monotonic()
            risposta = sessione.request(metodo, url, json=corpo, timeout=TIMEOUT)
            try:
                body = risposta.json()
            except ValueError:
                body = risposta.text
            risultati[i] = {
                "label": etichetta,
                "status": risposta.status_code,
                "body": body,
                "seconds": time.monotonic() - inizio,
            }
        except Exception as error:  # reported below, with the thread's label
            errori.append((etichetta, repr(error)))

    threads = [
        threading.Thread(target=esegui, args=(i, *richiesta), daemon=True)
        for i, richiesta in enumerate(richieste)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    assert not errori, errori
    assert all(r is not None for r in risultati), "a client thread did not finish"
    server_errors = [r for r in risultati if r["status"] >= 500]
    assert not server_errors, server_errors
    return risultati


def storico(valore, tipo):
    return valore.history.filter(history_type=tipo).count()


def _richieste_miste(base, s, esistente):
    """Own Comune: the session door (login page, CSRF); contested cell: the token door."""
    propri = [sessione_login(base, user) for user in s["propri"]]
    contendenti = [sessione_token(user) for user in s["contendenti"]]
    creazioni = [
        (
            ("proprio", i),
            sessione,
            "POST",
            f"{base}{LISTA}",
            {
                "indicatore": s["indicatore"].pk,
                "periodo": s["periodo"].pk,
                "comune": comune.pk,
                "valore_numerico": str(10 + i),
            },
        )
        for i, (sessione, comune) in enumerate(zip(propri, s["comuni"], strict=True))
    ]
    modifiche = [
        (
            ("conteso", i),
            sessione,
            "PATCH",
            f"{base}{LISTA}{esistente.pk}/",
            {"valore_numerico": str(100 + i), "versione": 1},
        )
        for i, sessione in enumerate(contendenti)
    ]
    return creazioni + modifiche


def _verifica_propri(s, risultati):
    """Every Operatore of its own Comune: accepted, stored once, with its value."""
    for risultato, comune in zip(risultati, s["comuni"], strict=True):
        _gruppo, i = risultato["label"]
        assert risultato["status"] == 201, risultato
        (riga,) = Valore.objects.filter(
            periodo=s["periodo"], indicatore=s["indicatore"], comune=comune
        )
        assert riga.pk == risultato["body"]["id"]
        assert riga.valore_numerico == Decimal(10 + i)
        assert riga.versione == 1
        assert riga.inserito_da == s["propri"][i]
        assert storico(riga, "+") == 1
        assert riga.history.count() == 1


def _verifica_contesi(s, contesi, esistente):
    """The same cell, same version read: one accepted, the others refused with the reason."""
    accettati = [r for r in contesi if r["status"] == 200]
    rifiutati = [r for r in contesi if r["status"] != 200]
    assert len(accettati) == 1, [(r["label"], r["status"]) for r in contesi]
    for risultato in rifiutati:
        assert risultato["status"] in (400, 409), risultato
        assert isinstance(risultato["body"], dict), risultato
        assert per_campo(risultato["body"])["versione"][0].startswith(CONCORRENZA), risultato
    (vincitore,) = accettati
    _gruppo, i = vincitore["label"]
    (riga,) = Valore.objects.filter(
        periodo=s["periodo"], indicatore=s["indicatore"], comune=s["conteso"]
    )
    assert riga.pk == esistente.pk
    assert riga.valore_numerico == Decimal(100 + i)
    assert riga.versione == 2 == vincitore["body"]["versione"]
    assert Decimal(vincitore["body"]["valore_numerico"]) == riga.valore_numerico
    assert riga.inserito_da == s["contendenti"][i]
    # Audit: its creation, and one change only, by the winner, with the winner's value.
    assert storico(riga, "+") == 1
    (modifica,) = riga.history.filter(history_type="~")
    assert modifica.history_user == s["contendenti"][i]
    assert (modifica.valore_numerico, modifica.versione) == (Decimal(100 + i), 2)


def test_concurrent_writes_lose_nothing(live_server, scenario):
    s = scenario
    periodo = s["periodo"]
    # The contested cell exists at version 1 (created by one of its operators).
    esistente = services.valore_save(
        user=s["contendenti"][0],
        periodo=periodo,
        comune=s["conteso"],
        indicatore=s["indicatore"],
        valore_numerico=Decimal(5),
    )
    assert esistente.versione == 1
    risultati = insieme(_richieste_miste(live_server.url, s, esistente))

    _verifica_propri(s, risultati[:N])
    _verifica_contesi(s, risultati[N:], esistente)

    # Accepted creations == rows stored; accepted writes == history rows after the setup.
    creati = sum(r["status"] == 201 for r in risultati)
    assert Valore.objects.filter(periodo=periodo).count() == creati + 1  # + the contested
    scritture = sum(r["status"] in (200, 201) for r in risultati)
    assert Valore.history.filter(periodo=periodo).count() == scritture + 1  # + its creation


def test_concurrent_creations_of_one_cell_store_one_row(live_server, scenario):
    s = scenario
    base = live_server.url
    indicatore, periodo, conteso = s["indicatore"], s["periodo"], s["conteso"]
    contendenti = [sessione_token(user) for user in s["contendenti"]]
    richieste = [
        (
            ("conteso", i),
            sessione,
            "POST",
            f"{base}{LISTA}",
            {
                "indicatore": indicatore.pk,
                "periodo": periodo.pk,
                "comune": conteso.pk,
                "valore_numerico": str(100 + i),
            },
        )
        for i, sessione in enumerate(contendenti)
    ]
    risultati = insieme(richieste)

    accettati = [r for r in risultati if r["status"] == 201]
    assert len(accettati) == 1, [(r["label"], r["status"], r["body"]) for r in risultati]
    for risultato in risultati:
        if risultato["status"] == 201:
            continue
        assert risultato["status"] in (400, 409), risultato
        # Refused either by the API's check ("already exists, PATCH it with its version",
        # when the winner had committed) or by the service (the concurrency message, when
        # both passed that check): the same refusal, in Italian, on the `versione` field.
        (messaggio,) = per_campo(risultato["body"])["versione"]
        assert messaggio.startswith((CONCORRENZA, ESISTE_GIA)), risultato
    (vincitore,) = accettati
    _gruppo, i = vincitore["label"]
    (riga,) = Valore.objects.filter(periodo=periodo, indicatore=indicatore, comune=conteso)
    assert riga.pk == vincitore["body"]["id"]
    assert (riga.valore_numerico, riga.versione) == (Decimal(100 + i), 1)
    assert riga.inserito_da == s["contendenti"][i]
    assert storico(riga, "+") == 1 and riga.history.count() == 1
    assert Valore.history.filter(periodo=periodo).count() == 1


def test_two_comuni_save_side_by_side_and_a_closing_waits(scenario):
    """The saves of two Comuni of one Ambito in one period do not wait on each other (a
    shared lock on the period), while closing the period waits for a save in progress:
    the save holds its transaction open, a second Comune saves within a short lock
    timeout, the Ufficio di Piano's closing does not."""
    from django.db import OperationalError, connections, transaction

    from indicatori.services import Cella

    periodo, indicatore = scenario["periodo"], scenario["indicatore"]
    (primo, secondo), (op_primo, op_secondo) = scenario["comuni"][:2], scenario["propri"][:2]
    udp = user_with_role(Ruolo.UFFICIO_PIANO, periodo.ambito, username="conc.udp")
    salvato, rilascia, esiti = threading.Event(), threading.Event(), {}

    def in_attesa():
        with transaction.atomic():
            services.valori_save(
                user=op_primo,
                periodo=periodo,
                comune=primo,
                celle=[Cella(indicatore, valore_numerico=Decimal(3))],
            )
            salvato.set()
            rilascia.wait(TIMEOUT)
        connections.close_all()

    def con_timeout(nome, azione):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '1s'")
                azione()
            esiti[nome] = "ok"
        except OperationalError as errore:
            esiti[nome] = str(errore).splitlines()[0]
        finally:
            connections.close_all()

    def altro_comune():
        services.valori_save(
            user=op_secondo,
            periodo=periodo,
            comune=secondo,
            celle=[Cella(indicatore, valore_numerico=Decimal(5))],
        )

    def chiusura():
        services.periodo_close(user=udp, periodo=periodo, motivo="Fine del periodo")

    primo_thread = threading.Thread(target=in_attesa)
    primo_thread.start()
    assert salvato.wait(TIMEOUT)
    for nome, azione in (("altro_comune", altro_comune), ("chiusura", chiusura)):
        thread = threading.Thread(target=con_timeout, args=(nome, azione))
        thread.start()
        thread.join(TIMEOUT)
    rilascia.set()
    primo_thread.join(TIMEOUT)
    assert esiti["altro_comune"] == "ok"
    assert "lock timeout" in esiti["chiusura"]
    valori = Valore.objects.filter(periodo=periodo).values_list("comune_id", "valore_numerico")
    assert dict(valori) == {primo.pk: 3, secondo.pk: 5}
