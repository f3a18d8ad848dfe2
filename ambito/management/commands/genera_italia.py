"""Builds a deterministic synthetic dataset at the scale of Italy, for benchmarks.

Each Zonale app may contribute through a `sintetico` module with a
`genera(rng=, stdout=)` function, called in the order of the apps (like carica_dati).
Bulk inserts only: no save() per row.
"""

import inspect
import random
import time
from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from ambito.apps import ZONALE_APPS
from ambito.models import Ambito
from ambito.platform.cache import invalida_cache


class Command(BaseCommand):
    help = "Genera un dataset sintetico su scala nazionale (600 Ambiti, 7.900 Comuni, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--indicatori-per-ambito", type=int, default=None)
        parser.add_argument("--anni", type=int, default=None)
        parser.add_argument(
            "--max-ambiti",
            type=int,
            default=None,
            help="Limita agli N primi Ambiti sintetici i dati delle app (test rapidi).",
        )

    def handle(self, *args, seed, **options):
        scelte = {
            k: options[k]
            for k in ("indicatori_per_ambito", "anni", "max_ambiti")
            if options.get(k) is not None
        }
        if Ambito.objects.filter(codice__startswith="sint-").exists():
            self.stdout.write("Il dataset sintetico è già presente: nulla da fare.")
            return
        rng = random.Random(seed)
        started = time.monotonic()
        with transaction.atomic():
            for app in ZONALE_APPS:
                if find_spec(f"{app}.sintetico") is None:
                    continue
                t0 = time.monotonic()
                genera = import_module(f"{app}.sintetico").genera
                accettati = inspect.signature(genera).parameters
                extra = {k: v for k, v in scelte.items() if k in accettati}
                genera(rng=rng, stdout=self.stdout, **extra)
                self.stdout.write(f"  ({app}: {time.monotonic() - t0:.1f} s)")
            invalida_cache()  # when the new Ambiti commit
            t0 = time.monotonic()
        self.stdout.write(f"  (commit: {time.monotonic() - t0:.1f} s)")
        # Planner statistics now, not whenever autovacuum gets to the new millions of
        # rows: until then PostgreSQL plans the dashboard queries as on empty tables.
        t0 = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"  (ANALYZE: {time.monotonic() - t0:.1f} s)")
        self.stdout.write(f"Dataset sintetico pronto in {time.monotonic() - started:.1f} s.")
