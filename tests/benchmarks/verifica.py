"""Render time of the "Verifica dei dati del Piano" page for Ambito Visconteo (issue 26).

    DATABASE_URL=postgres://.../zonale_x .venv/bin/python tests/benchmarks/verifica.py

Needs `manage.py carica_dati` on that database. Prints the median and p95 of
BENCH_REPEAT (default 30) requests after one warm-up, and the SQL queries of one.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ambito.models import Ambito, Incarico  # noqa: E402
from ambito.roles import Ruolo  # noqa: E402


def main():
    from django.contrib.auth import get_user_model

    ambito = Ambito.objects.get(codice="visconteo-sud-milano")
    user, _ = get_user_model().objects.get_or_create(username="bench.verifica")
    Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=Ruolo.UFFICIO_PIANO)
    client = Client()
    client.force_login(user)
    url = "/servizi/verifica/"
    assert client.get(url).status_code == 200  # warm-up
    repeat = int(os.environ.get("BENCH_REPEAT", 30))
    tempi, cpu = [], []
    for _ in range(repeat):
        inizio, inizio_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        tempi.append((time.perf_counter() - inizio) * 1000)
        # The CPU of this process alone: on a shared, loaded machine the wall time also
        # counts the waits for a core.
        cpu.append((time.process_time() - inizio_cpu) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    tempi.sort()
    p95 = tempi[max(0, int(len(tempi) * 0.95) - 1)]
    print(
        f"{url}: mediana {statistics.median(tempi):.1f} ms, p95 {p95:.1f} ms "
        f"(CPU del processo: mediana {statistics.median(cpu):.1f} ms), "
        f"{len(queries)} query SQL, {repeat} richieste, {len(response.content) // 1024} KB"
    )


if __name__ == "__main__":
    main()
