"""Exports of 100.000 rows stay flat in memory (issue 27): time and tracemalloc peak of
the download response of a page (`risposta_esportazione`, the path of every "Esporta"
button), CSV and .xlsx, for 10.000 and 100.000 rows made one at a time as a queryset's
iterator gives them. No database: the rows are synthetic, the writers the real ones.

    .venv/bin/python tests/benchmarks/esportazioni.py

A flat memory means the peak for 100.000 rows is about the peak for 10.000.
"""

import os
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from ambito.platform import esportazioni as e  # noqa: E402


def righe(n):
    inizio = timezone.make_aware(datetime(2025, 1, 1, 9, 30))
    for i in range(n):
        yield [
            f"Progetto {i} per il contrasto alla povertà",
            f"B49J{i:011d}",
            "Comune di Rozzano",
            i % 37,
            Decimal(i * 37 % 1_000_000) + Decimal("0.45"),
            e.Cella(Decimal(i % 1000) / 10, e.PERCENTUALE),
            i % 2 == 0,
            date(2025, 1, 1) + timedelta(days=i % 365),
            inizio + timedelta(minutes=i),
        ]


COLONNE = [
    e.Colonna("Progetto"),
    e.Colonna("CUP", e.TESTO),
    e.Colonna("Comune"),
    e.Colonna("Posti", e.INTERO),
    e.Colonna("Importo", e.EURO),
    e.Colonna("Percentuale"),
    e.Colonna("Attivo", e.SI_NO),
    e.Colonna("Scadenza", e.DATA),
    e.Colonna("Aggiornato il", e.DATA_ORA),
]


def misura(formato, n):
    tabella = e.Tabella(titolo="Benchmark", colonne=COLONNE, righe=righe(n), utente="bench")
    tracemalloc.start()
    t0 = time.perf_counter()
    response = e.risposta_esportazione(tabella, formato)
    dimensione = sum(len(chunk) for chunk in response)  # as the server sends it
    response.close()
    durata = time.perf_counter() - t0
    _attuale, picco = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return durata, picco, dimensione


def main():
    """`BENCH_CASI=csv:10000,xlsx:100000` runs only those cases (tracemalloc slows the
    writers several times: on this machine the four cases take some minutes)."""
    casi = os.environ.get("BENCH_CASI", "csv:10000,csv:100000,xlsx:10000,xlsx:100000")
    print(f"{'formato':8} {'righe':>8} {'secondi':>8} {'picco MB':>9} {'file MB':>8}")
    for caso in casi.split(","):
        formato, n = caso.split(":")
        durata, picco, dimensione = misura(formato, int(n))
        print(
            f"{formato:8} {int(n):>8} {durata:>8.1f} {picco / 2**20:>9.1f} "
            f"{dimensione / 2**20:>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
