"""Benchmarks on the national synthetic dataset (PostgreSQL): `make bench`.

Each case is an endpoint called in-process through Django's test client as a real
user, repeated; it prints the median and the 95th percentile and, where the case has
one, the ratio to its raw-SQL floor (the same figures computed by one hand-written SQL
query in the same process). Budgets are checked and reported, never hidden.

Not part of `make test`: timings belong here, not in unit tests.
"""

import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


@dataclass
class Case:
    name: str
    url: str
    user: str
    budget_p95_ms: float | None = None
    budget_median_ms: float | None = None
    sql: str | None = None
    sql_params: list = field(default_factory=list)
    times: list = field(default_factory=list)
    floor: list = field(default_factory=list)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_call(fn, repeat):
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def run(cases):
    setup_test_environment()
    clients = {}
    failures = []
    print(f"Database: {settings.DATABASES['default']['ENGINE']}  repeat={REPEAT}")
    print(f"{'caso':<48}{'mediana':>10}{'p95':>10}{'SQL':>9}{'x SQL':>8}  budget")
    for case in cases:
        client = clients.get(case.user)
        if client is None:
            client = clients[case.user] = Client()
            from django.contrib.auth import get_user_model

            client.force_login(get_user_model().objects.get(username=case.user))

        def call(case=case, client=client):
            response = client.get(case.url)
            assert response.status_code == 200, (case.url, response.status_code)

        case.times = time_call(call, REPEAT)
        if case.sql:

            def raw(case=case):
                with connection.cursor() as cursor:
                    cursor.execute(case.sql, case.sql_params)
                    cursor.fetchall()

            case.floor = time_call(raw, REPEAT)
        median, p95 = statistics.median(case.times), percentile(case.times, 0.95)
        floor = statistics.median(case.floor) if case.floor else None
        ratio = median / floor if floor else None
        verdict = []
        if case.budget_median_ms and median > case.budget_median_ms:
            verdict.append(f"mediana > {case.budget_median_ms} ms")
        if case.budget_p95_ms and p95 > case.budget_p95_ms:
            verdict.append(f"p95 > {case.budget_p95_ms} ms")
        if ratio and ratio > 3:
            verdict.append("> 3x SQL")
        failures += [f"{case.name}: {v}" for v in verdict]
        print(
            f"{case.name:<48}{median:>8.1f}ms{p95:>8.1f}ms"
            f"{(f'{floor:.1f}ms' if floor else '-'):>9}{(f'{ratio:.1f}' if ratio else '-'):>8}"
            f"  {'OK' if not verdict else '; '.join(verdict)}"
        )
    return failures


def territory_cases():
    return [
        Case(
            "territorio: lista Comuni (UdP Visconteo)",
            "/territorio/",
            "ufficio.piano",
            budget_p95_ms=150,
        ),
        Case(
            "API comuni, pagina 1",
            "/api/v1/comuni/?page_size=50",
            "ufficio.piano",
            budget_p95_ms=150,
            sql="SELECT id, codice_istat, nome, sigla_provincia, ambito_id "
            "FROM ambito_comune ORDER BY nome LIMIT 50",
        ),
    ]


CASES = [territory_cases]


def main():
    cases = [case for factory in CASES for case in factory()]
    failures = run(cases)
    print()
    print(
        "Budget rispettati."
        if not failures
        else "Budget NON rispettati:\n- " + "\n- ".join(failures)
    )


if __name__ == "__main__":
    main()
