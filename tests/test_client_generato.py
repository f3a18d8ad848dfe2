"""An integrator's client, generated from the live schema with openapi-python-client, runs
the project and value-entry flows with no hand-written HTTP: create, read, update, a
stale update refused with 412, delete; enter values, change them, submit them.

The client is generated into a temporary folder by the tool's own command line, from
/api/schema/ as the live server serves it, and imported from there.
"""

import importlib
import subprocess
import sys
from decimal import Decimal

import httpx
import pytest

from ambito.choices import Ruolo
from fondi.models import FonteFinanziamento, LineaFinanziamento, Progetto
from indicatori.models import Valore
from tests.factories import AmbitoFactory, ComuneFactory, api_token, user_with_role
from tests.indicatori.factories import IndicatoreFactory, PeriodoFactory
from tests.programmi.factories import PianoFactory

PACKAGE = "zonale_api_client"
TIMEOUT = httpx.Timeout(120)  # two cores shared by many test runs


def api_credentials(user) -> tuple[str, str]:
    """The Authorization prefix and token of `user` for the generated client: the one
    place to change when the kind of token changes."""
    return "Bearer", api_token(user)


@pytest.fixture
def client_package(transactional_db, live_server, tmp_path):
    """The client package generated from the live schema, imported. (Per test: the live
    server answers only once the test's database access is open.)"""
    cartella = tmp_path
    schema = cartella / "schema.json"
    risposta = httpx.get(
        f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=TIMEOUT
    )
    assert risposta.status_code == 200
    schema.write_bytes(risposta.content)
    config = cartella / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no formatter needed
    eseguito = subprocess.run(
        [
            sys.executable,  # the tool's module: the same environment, wherever it lies
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(cartella / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert eseguito.returncode == 0, eseguito.stdout + eseguito.stderr
    # Every operation must have become a function: nothing skipped with a warning.
    assert "Warning" not in eseguito.stdout + eseguito.stderr, eseguito.stdout + eseguito.stderr
    sys.path.insert(0, str(cartella))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(cartella))
        for nome in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[nome]


def _modulo(package, nome):
    return importlib.import_module(f"{package.__name__}.{nome}")


@pytest.fixture
def generated(client_package):
    """A small namespace: `op("v1_progetti_create")` and `model("ProgettoRequest")`."""

    class Generated:
        @staticmethod
        def op(nome):
            return _modulo(client_package, f"api.v1.{nome}")

        @staticmethod
        def model(nome):
            return getattr(_modulo(client_package, "models"), nome)

        @staticmethod
        def client(live_server, user):
            prefix, token = api_credentials(user)
            return client_package.AuthenticatedClient(
                base_url=live_server.url, token=token, prefix=prefix, timeout=TIMEOUT
            )

    return Generated


@pytest.fixture
def territorio(transactional_db):
    """An Ambito of its own (the live server flushes the database), a funding line, an
    open period and a per-Comune indicator."""
    ambito = AmbitoFactory()
    comune = ComuneFactory(ambito=ambito)
    fonte = FonteFinanziamento.objects.create(
        codice="FNPS-T", nome="Fondo prova", livello="statale"
    )
    linea = LineaFinanziamento.objects.create(fonte=fonte, codice="FNPS-T-1", nome="Linea prova")
    piano = PianoFactory(ambito=ambito, anno_inizio=2025, anno_fine=2027)
    return {
        "ambito": ambito,
        "comune": comune,
        "linea": linea,
        "indicatore": IndicatoreFactory(piano=piano),
        "periodo": PeriodoFactory(ambito=ambito),
        "udp": user_with_role(Ruolo.UFFICIO_PIANO, ambito),
        "operatore": user_with_role(Ruolo.OPERATORE, ambito, comune),
    }


def test_project_flow_with_the_generated_client(live_server, generated, territorio):
    t = territorio
    client = generated.client(live_server, t["udp"])
    Progetto_ = generated.model("Progetto")
    Problem = generated.model("Problem")

    creato = generated.op("v1_progetti_create").sync_detailed(
        client=client,
        body=generated.model("ProgettoRequest")(
            titolo="Dimissioni protette",
            linea=t["linea"].pk,
            ambito=t["ambito"].pk,
            cup="H12F25000010001",
            data_inizio=None,  # sent as JSON null, not as the text "None"
        ),
    )
    assert creato.status_code == 201, creato.content
    assert isinstance(creato.parsed, Progetto_)
    pk = creato.parsed.id
    assert Progetto.objects.get(pk=pk).data_inizio is None

    letto = generated.op("v1_progetti_retrieve").sync_detailed(client=client, id=pk)
    assert letto.status_code == 200 and letto.parsed.titolo == "Dimissioni protette"
    assert letto.parsed.stato == generated.model("StatoProgettoEnum").CANDIDATO
    etag = letto.headers["ETag"]
    assert etag == '"1"'

    modifica = generated.op("v1_progetti_partial_update")
    aggiornato = modifica.sync_detailed(
        client=client,
        id=pk,
        body=generated.model("PatchedProgettoRequest")(titolo="Dimissioni protette 2026"),
        if_match=etag,
    )
    assert aggiornato.status_code == 200, aggiornato.content
    assert aggiornato.parsed.titolo == "Dimissioni protette 2026"
    nuovo_etag = aggiornato.headers["ETag"]
    assert nuovo_etag == '"2"'

    # A second client still holding the first version: refused, nothing overwritten.
    conflitto = modifica.sync_detailed(
        client=client,
        id=pk,
        body=generated.model("PatchedProgettoRequest")(titolo="Versione vecchia"),
        if_match=etag,
    )
    assert conflitto.status_code == 412
    assert isinstance(conflitto.parsed, Problem)
    assert conflitto.parsed.title == "Versione non corrispondente"
    assert Progetto.objects.get(pk=pk).titolo == "Dimissioni protette 2026"

    elimina = generated.op("v1_progetti_destroy")
    assert elimina.sync_detailed(client=client, id=pk, if_match=etag).status_code == 412
    assert elimina.sync_detailed(client=client, id=pk, if_match=nuovo_etag).status_code == 204
    assert not Progetto.objects.filter(pk=pk).exists()
    sparito = generated.op("v1_progetti_retrieve").sync_detailed(client=client, id=pk)
    assert sparito.status_code == 404 and isinstance(sparito.parsed, Problem)
    assert sparito.parsed.detail == "L'elemento richiesto non esiste o non è visibile."


def test_value_entry_flow_with_the_generated_client(live_server, generated, territorio):
    t = territorio
    client = generated.client(live_server, t["operatore"])
    Valore_ = generated.model("Valore")

    inserito = generated.op("v1_valori_create").sync_detailed(
        client=client,
        body=generated.model("ValoreRequest")(
            indicatore=t["indicatore"].pk,
            periodo=t["periodo"].pk,
            comune=t["comune"].pk,
            valore_numerico="3",
        ),
    )
    assert inserito.status_code == 201, inserito.content
    assert isinstance(inserito.parsed, Valore_)
    pk = inserito.parsed.id
    assert inserito.headers["ETag"] == '"1"'

    modifica = generated.op("v1_valori_partial_update")
    corretto = modifica.sync_detailed(
        client=client,
        id=pk,
        body=generated.model("PatchedValoreRequest")(valore_numerico="4"),
        if_match='"1"',
    )
    assert corretto.status_code == 200, corretto.content
    assert corretto.headers["ETag"] == '"2"'
    vecchio = modifica.sync_detailed(
        client=client,
        id=pk,
        body=generated.model("PatchedValoreRequest")(valore_numerico="9"),
        if_match='"1"',
    )
    assert vecchio.status_code == 412
    assert Valore.objects.get(pk=pk).valore_numerico == Decimal("4")

    inviati = generated.op("v1_valori_invia_create").sync_detailed(
        client=client,
        body=generated.model("InvioRequest")(periodo=t["periodo"].pk, comune=t["comune"].pk),
    )
    assert inviati.status_code == 200, inviati.content
    assert isinstance(inviati.parsed, generated.model("Inviati"))
    assert inviati.parsed.inviati == 1
    letto = generated.op("v1_valori_retrieve").sync_detailed(client=client, id=pk)
    assert letto.parsed.stato == generated.model("StatoValoreEnum").INVIATO

    # A second submission has nothing left to send: a workflow error naming no field.
    di_nuovo = generated.op("v1_valori_invia_create").sync_detailed(
        client=client,
        body=generated.model("InvioRequest")(periodo=t["periodo"].pk, comune=t["comune"].pk),
    )
    assert di_nuovo.status_code == 400
    assert [(e.field, e.message) for e in di_nuovo.parsed.errors] == [
        (None, "Non ci sono valori in bozza da inviare.")
    ]
