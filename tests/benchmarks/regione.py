"""The regional dashboard against its budgets (issue 31), national synthetic dataset:

    $(BENCH_ENV) .venv/bin/python tests/benchmarks/regione.py [regione] [utente]

(`BENCH_ENV` as in the Makefile; defaults: Piemonte, 91 Ambiti, seen by
`bench.regione.piemonte`, a Regione created here if missing; the national view by
`amministratore`). For the page and the API of the region and of the national view, with
one indicator per Comune: the median and the 95th percentile of the wall time, the
median CPU time of the process (the machine is shared: CPU time is the steadier figure),
the request's own SQL replayed raw, and the floor (a bare Django request with session
and user, plus that SQL) measured in the same run. Budgets: region median < 300 ms and
p95 < 600 ms, national < 2 s; API ≤ 2 × floor, page ≤ 3 × floor.

BENCH_PROFILE=1 prints the top of a cProfile of each case instead.
"""

import cProfile
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import bench  # noqa: E402  (sets Django up through ambito.wsgi, as gunicorn does)

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
INDICATORE = os.environ.get("BENCH_INDICATORE", "S04")


def _utente_regione(username, regione):
    from django.contrib.auth import get_user_model

    from ambito.choices import Ruolo
    from ambito.models import Ambito, Incarico

    utente, _ = get_user_model().objects.get_or_create(username=username)
    ambito = Ambito.objects.filter(regione=regione).order_by("pk").first()
    Incarico.objects.get_or_create(user=utente, ambito=ambito, ruolo=Ruolo.REGIONE)
    return username


def _cpu_and_wall(fn, repeat):
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    return wall, cpu


def main():
    from ambito.models import Ambito

    regione = sys.argv[1] if len(sys.argv) > 1 else "Piemonte"
    utente = sys.argv[2] if len(sys.argv) > 2 else f"bench.regione.{regione.lower()}"
    _utente_regione(utente, regione)
    n = Ambito.objects.filter(regione=regione).count()
    bench.reference_cases()  # mounts /__django__/
    query = f"indicatore={INDICATORE}"
    casi = [
        (f"pagina {regione} ({n} Ambiti)", f"/indicatori/regione/?{query}", utente, 300, 600, 3),
        (f"API {regione} ({n} Ambiti)", f"/api/v1/regione/?{query}", utente, 300, 600, 2),
        (
            "pagina nazionale",
            f"/indicatori/regione/?regione=tutte&{query}",
            "amministratore",
            2000,
            None,
            3,
        ),
        (
            "API nazionale",
            f"/api/v1/regione/?regione=tutte&{query}",
            "amministratore",
            2000,
            None,
            2,
        ),
    ]
    if os.environ.get("BENCH_PROFILE"):
        for nome, url, username, *_ in casi:
            browser = bench.Browser(username)
            browser.get(url)
            profilo = cProfile.Profile()
            profilo.runcall(browser.get, url)
            print(f"\n=== {nome}")
            pstats.Stats(profilo).sort_stats("cumulative").print_stats(35)
        return
    django = bench.Browser(utente)
    print(f"load average {os.getloadavg()}  repeat={REPEAT}")
    print(
        f"{'caso':<32}{'mediana':>9}{'p95':>9}{'CPU':>9}{'SQL':>9}{'Django':>9}{'base':>9}"
        f"{'x base':>8}  budget"
    )
    mancati = []
    for nome, url, username, mediana_max, p95_max, volte_max in casi:
        browser = bench.Browser(username)

        def chiama(browser=browser, url=url):
            browser.get(url)

        wall, cpu = _cpu_and_wall(chiama, REPEAT)
        sql = statistics.median(bench.time_call(bench._raw(bench._request_sql(chiama)), REPEAT))
        solo = statistics.median(bench.time_call(lambda: django.get("/__django__/"), REPEAT))
        mediana, p95 = statistics.median(wall), bench.percentile(wall, 0.95)
        base = solo + sql
        esito = []
        if mediana > mediana_max:
            esito.append(f"mediana > {mediana_max} ms")
        if p95_max and p95 > p95_max:
            esito.append(f"p95 > {p95_max} ms")
        if mediana > volte_max * base:
            esito.append(f"> {volte_max} x base")
        mancati += [f"{nome}: {e}" for e in esito]
        print(
            f"{nome:<32}{mediana:>7.1f}ms{p95:>7.1f}ms{statistics.median(cpu):>7.1f}ms"
            f"{sql:>7.1f}ms{solo:>7.1f}ms{base:>7.1f}ms{mediana / base:>8.2f}"
            f"  {'; '.join(esito) or 'OK'}"
        )
    print(f"load average {os.getloadavg()}")
    print("Budget rispettati." if not mancati else "NON rispettati:\n- " + "\n- ".join(mancati))


if __name__ == "__main__":
    main()
