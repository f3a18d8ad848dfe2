"""Times the full Relazione di monitoraggio of Ambito Visconteo: `make bench-report`.

Prints pages, seconds (median of N runs) and peak memory of the process. Runs on the
database in DATABASE_URL (the real data must be loaded: `manage.py carica_dati`).
"""

import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from ambito.dati import CODICE_AMBITO, crea_utenti_demo  # noqa: E402
from ambito.models import Ambito  # noqa: E402
from indicatori.reports import relazione_pdf  # noqa: E402

RUNS = int(os.environ.get("BENCH_REPEAT", "5"))


def main():
    crea_utenti_demo(stdout=open(os.devnull, "w"))
    user = get_user_model().objects.get(username="revisore")
    ambito = Ambito.objects.get(codice=CODICE_AMBITO)
    durate, pagine = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        report = relazione_pdf(user=user, ambito=ambito)
        durate.append(time.perf_counter() - start)
        pagine = report.registro.pagine
    picco_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Relazione di monitoraggio – {ambito.nome}")
    print(f"pagine: {pagine}   byte: {len(report.contenuto)}")
    print(f"secondi: mediana {statistics.median(durate):.2f}, max {max(durate):.2f} su {RUNS}")
    print(f"memoria di picco del processo: {picco_mb:.0f} MB")


if __name__ == "__main__":
    main()
