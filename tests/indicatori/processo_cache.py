"""A long-lived Django process for test_cache_processi.py, as a gunicorn worker would be.

It reads one JSON command a line on stdin and answers one JSON line on stdout:
`{"leggi": {"utente", "periodo"}}` reads the cached completeness of a period,
`{"avanzamento": {"utente"}}` the progress API of the user's Ambiti (kept in the shared
cache and in the process's own copies, `_Copie` of ambito/platform/cache.py),
`{"approva": {"utente", "periodo", "comune"}}` approves a Comune's sent values through
the service (committed: this process runs in autocommit, like a request).
"""

import json
import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from indicatori import selectors  # noqa: E402
from indicatori.choices import StatoValore  # noqa: E402
from indicatori.models import Periodo, Valore  # noqa: E402
from indicatori.services import valori_approve  # noqa: E402


def leggi(utente, periodo):
    user = get_user_model().objects.get(username=utente)  # a new request, a new user
    periodo = Periodo.objects.get(pk=periodo)
    with CaptureQueriesContext(connection) as queries:
        righe = selectors.completezza_periodo(fetched_by=user, periodo=periodo)
    return {
        "approvati": {str(r.comune.pk): r.approvati for r in righe},
        "query": len(queries),
    }


def avanzamento(utente):
    client = APIClient()
    client.force_login(get_user_model().objects.get(username=utente))
    risposta = client.get("/api/v1/avanzamento/", HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 200, risposta.status_code
    return {"righe": risposta.json()}


def approva(utente, periodo, comune):
    user = get_user_model().objects.get(username=utente)
    periodo = Periodo.objects.get(pk=periodo)
    valori = Valore.objects.filter(periodo=periodo, comune_id=comune, stato=StatoValore.INVIATO)
    return {"approvati": valori_approve(user=user, periodo=periodo, valori=valori)}


AZIONI = {"leggi": leggi, "avanzamento": avanzamento, "approva": approva}

print(json.dumps({"pronto": True}), flush=True)
for riga in sys.stdin:
    ((azione, argomenti),) = json.loads(riga).items()
    print(json.dumps(AZIONI[azione](**argomenti)), flush=True)
