"""Benchmarks on the national synthetic dataset (PostgreSQL): `make bench`.

Each case is an endpoint called in-process through the WSGI application that gunicorn
serves (every middleware, no test-client instrumentation) as a real logged-in
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402

from ambito.wsgi import application  # noqa: E402  (sets Django up, as gunicorn does)

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
    # The Ambito whose revision a "cold" sample renews first (cached aggregates).
    ambito_id: int | None = None
    # False for the reference rows, which are not endpoints: no ratio budget.
    endpoint: bool = True


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def time_call(fn, repeat, before=None):
    """Milliseconds of `repeat` calls of fn (after one warm-up); `before` is not timed."""
    return in_turn({"": (fn, before)}, repeat)[""]


def in_turn(calls, repeat, run=5):
    """{name: milliseconds of `repeat` calls} of several {name: (fn, before)}, timed in
    turn, `run` calls of each at a time (after one warm-up each): a slower moment of
    the machine weighs on all of them alike, so their ratios hold; and a run's first
    call, which may pay for the one before it (the garbage of a large request), is
    not a sample of every kind. `before` is not timed."""
    for fn, _before in calls.values():
        fn()
    samples = {name: [] for name in calls}
    while len(samples[next(iter(calls))]) < repeat:
        for name, (fn, before) in calls.items():
            for _ in range(min(run, repeat - len(samples[name]))):
                if before:
                    before()
                start = time.perf_counter()
                fn()
                samples[name].append((time.perf_counter() - start) * 1000)
    return samples


def _raw(statements):
    def run():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return run


def _request_sql(call):
    """The SELECTs one request runs, to replay them raw: the SQL part of its floor."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return [(q["sql"], None) for q in captured if q["sql"].lstrip().upper().startswith("SELECT")]


class Browser:
    """A logged-in user's requests through the production WSGI stack.

    Django's test client instruments template rendering (it copies the context of
    every template, widgets included, for its assertions), which a real server does
    not: the session cookie comes from the test client, the requests go to the WSGI
    application of ambito.wsgi.
    """

    handler = application
    environ = RequestFactory()._base_environ

    def __init__(self, username):
        from django.contrib.auth import get_user_model

        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

    def get(self, url):
        path, _, query = url.partition("?")
        environ = self.environ(
            PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET", HTTP_COOKIE=self.cookie
        )
        status = []
        body = b"".join(self.handler(environ, lambda s, headers, exc_info=None: status.append(s)))
        assert status[0].startswith("200"), (url, status[0])
        return body


def _ms(samples):
    return statistics.median(samples), percentile(samples, 0.95)


def budget_ratio(case):
    """The issue's budget against the floor: 2x for the API, 3x for pages (templates)."""
    if not case.endpoint:
        return None
    return 2 if case.url.startswith("/api/") else 3


def run(cases):
    """Time every case; the floor of each is measured in the same run, right after it:
    the bare Django request of the same user (session and user, `/__django__/`) plus
    the same SQL replayed raw. Returns the budgets missed, and the table's rows."""
    from ambito.platform.cache import INDICATORI, invalida_cache_ambito

    browsers = {}
    failures, rows = [], []
    print(f"Database: {settings.DATABASES['default']['ENGINE']}  repeat={REPEAT}")
    print(
        f"{'caso':<58}{'mediana':>9}{'p95':>9}{'freddo':>9}{'p95':>9}"
        f"{'Django':>8}{'SQL':>8}{'pavim.':>8}{'x pav.':>7}  budget"
    )
    for case in cases:
        browser = browsers.get(case.user) or browsers.setdefault(case.user, Browser(case.user))

        def call(case=case, browser=browser):
            return browser.get(case.url)

        def renew(case=case):  # what approving a value renews
            invalida_cache_ambito(case.ambito_id, INDICATORI)

        # The case and its floor in turn: the bare Django request and the SQL of the
        # case replayed raw (a cold request's, if it has one). Cold: the first request
        # after an approval in the Ambito (cache miss).
        call()  # the cached aggregates of the other Ambiti, as after any request
        if case.ambito_id:
            renew()
        calls = {
            "warm": (call, None),
            "sql": (_raw(_request_sql(call)), None),
            "django": (lambda b=browser: b.get("/__django__/"), None),
        }
        if case.ambito_id:
            calls["cold"] = (call, renew)
        samples = in_turn(calls, REPEAT)
        median, p95 = _ms(samples["warm"])
        cold_median, cold_p95 = _ms(samples["cold"]) if case.ambito_id else (median, p95)
        request_sql, django = (statistics.median(samples[k]) for k in ("sql", "django"))
        if case.ambito_id:
            renew()
        floor = django + request_sql
        ratio = cold_median / floor
        verdict = []
        if case.budget_median_ms and max(median, cold_median) > case.budget_median_ms:
            verdict.append(f"mediana {max(median, cold_median):.0f} > {case.budget_median_ms} ms")
        if case.budget_p95_ms and max(p95, cold_p95) > case.budget_p95_ms:
            verdict.append(f"p95 {max(p95, cold_p95):.0f} > {case.budget_p95_ms} ms")
        limit = budget_ratio(case)
        if limit and ratio > limit:
            verdict.append(f"{ratio:.2f}x > {limit}x il pavimento")
        failures += [f"{case.name}: {v}" for v in verdict]
        cold = f"{cold_median:>7.1f}ms{cold_p95:>7.1f}ms" if case.ambito_id else f"{'=':>9}{'':>9}"
        esito = "; ".join(verdict) or ("OK" if case.endpoint else "riferimento")
        print(
            f"{case.name:<58}{median:>7.1f}ms{p95:>7.1f}ms{cold}"
            f"{django:>6.1f}ms{request_sql:>6.1f}ms{floor:>6.1f}ms{ratio:>7.2f}  {esito}",
            flush=True,
        )
        rows.append(
            (case, median, p95, cold_median, cold_p95, django, request_sql, ratio, limit, esito)
        )
    return failures, rows


def markdown(rows):
    """The rows as BENCHMARKS.md's table (milliseconds, Italian decimal comma)."""

    def n(x, cifre=1):
        return f"{x:.{cifre}f}".replace(".", ",")

    print(
        "\n| caso | mediana | p95 | freddo | p95 freddo | Django | SQL | pavimento | x pav. "
        "| budget | esito |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for case, median, p95, cold, cold_p95, django, sql, ratio, limit, esito in rows:
        freddo = f"{n(cold)} | {n(cold_p95)}" if case.ambito_id else "= | "
        budget = [f"≤ {limit}x"] if limit else []
        if case.budget_median_ms:
            budget.append(f"mediana < {case.budget_median_ms}")
        if case.budget_p95_ms:
            budget.append(f"p95 < {case.budget_p95_ms}")
        print(
            f"| {case.name} | {n(median)} | {n(p95)} | {freddo} | {n(django)} | {n(sql)} "
            f"| {n(django + sql)} | {n(ratio, 2)} | {', '.join(budget) or '–'} | {esito} |"
        )


def reference_cases():
    """Not endpoints: two pages mounted here only, to show the fixed cost that every
    request carries before its own queries and content.

    - Django alone: the logged-in user's name as plain text; only Django's session and
      authentication, no query, template or code of Zonale.
    - an empty page of Zonale: header and menu of a logged-in user (session, user,
      roles).
    """
    from django.http import HttpResponse
    from django.shortcuts import render
    from django.urls import clear_url_caches, path

    from ambito import urls

    urls.urlpatterns += [
        path("__django__/", lambda r: HttpResponse(r.user.get_username())),
        path("__riferimento__/", lambda r: render(r, "base.html")),
    ]
    clear_url_caches()
    return [
        Case(
            "riferimento: Django, solo sessione e utente",
            "/__django__/",
            "ufficio.piano",
            endpoint=False,
        ),
        Case(
            "riferimento: pagina vuota (solo intestazione)",
            "/__riferimento__/",
            "ufficio.piano",
            endpoint=False,
        ),
    ]


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


def _utente(username, ambito, ruolo, comune=None):
    from django.contrib.auth import get_user_model

    from ambito.models import Incarico

    user, _ = get_user_model().objects.get_or_create(username=username)
    Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=ruolo, comune=comune)
    return username


SQL_AVANZAMENTO = (
    "SELECT v.indicatore_id, SUM(v.valore_numerico), COUNT(*) FROM indicatori_valore v "
    "JOIN indicatori_indicatore i ON i.id = v.indicatore_id "
    "WHERE i.piano_id = %s AND v.stato = 'approvato' GROUP BY v.indicatore_id"
)
SQL_COMPLETEZZA = (
    "SELECT comune_id, COUNT(*), COUNT(*) FILTER (WHERE stato IN ('inviato', 'approvato')), "
    "COUNT(*) FILTER (WHERE stato = 'approvato') FROM indicatori_valore "
    "WHERE periodo_id = %s GROUP BY comune_id"
)
SQL_BENEFICIARI = (
    "SELECT v.comune_id, v.periodo_id, SUM(v.valore_numerico) FROM indicatori_valore v "
    "JOIN indicatori_indicatore i ON i.id = v.indicatore_id "
    "JOIN indicatori_periodo p ON p.id = v.periodo_id "
    "WHERE i.conta_beneficiari AND p.ambito_id = %s GROUP BY v.comune_id, v.periodo_id"
)
SQL_VALORI = (
    "SELECT v.* FROM indicatori_valore v WHERE v.periodo_id = %s "
    "ORDER BY v.indicatore_id, v.comune_id LIMIT 50 OFFSET %s"
)


def indicatori_cases():
    """Dashboard aggregates, grids and values list on the largest and smallest Ambito."""
    from indicatori.models import Periodo
    from programmi.models import PianoDiZona

    ambiti = _grande_e_piccolo()
    if not ambiti:
        print("Nessun Ambito sintetico con indicatori: eseguire genera_italia.")
        return []
    cases = []
    for etichetta, ambito in ambiti:
        udp = _utente(f"bench.udp.{etichetta}", ambito, "ufficio_piano")
        piano = PianoDiZona.objects.filter(ambito=ambito).first()
        periodo = Periodo.objects.filter(ambito=ambito).order_by("-data_fine").first()
        tag = f"{etichetta}, {ambito.n} Comuni"
        cases += [
            Case(
                f"API avanzamento ({tag})",
                f"/api/v1/avanzamento/?piano={piano.pk}",
                udp,
                budget_median_ms=50,
                ambito_id=ambito.pk,
                budget_p95_ms=150,
                sql=SQL_AVANZAMENTO,
                sql_params=[piano.pk],
            ),
            Case(
                f"API completezza ({tag})",
                f"/api/v1/completezza/?periodo={periodo.pk}",
                udp,
                budget_median_ms=50,
                ambito_id=ambito.pk,
                budget_p95_ms=150,
                sql=SQL_COMPLETEZZA,
                sql_params=[periodo.pk],
            ),
            Case(
                f"API beneficiari ({tag})",
                f"/api/v1/beneficiari/?ambito={ambito.pk}",
                udp,
                budget_median_ms=50,
                ambito_id=ambito.pk,
                budget_p95_ms=150,
                sql=SQL_BENEFICIARI,
                sql_params=[ambito.pk],
            ),
            Case(
                f"griglia revisione UdP ({tag})",
                f"/indicatori/periodi/{periodo.pk}/revisione/",
                udp,
                budget_p95_ms=150,
            ),
        ]
        if etichetta == "grande":
            comune = ambito.comuni.order_by("codice_istat").first()
            operatore = _utente("bench.operatore", ambito, "operatore", comune)
            cases.append(
                Case(
                    f"griglia inserimento operatore ({comune.nome})",
                    f"/indicatori/periodi/{periodo.pk}/comuni/{comune.pk}/",
                    operatore,
                    budget_p95_ms=150,
                )
            )
            for pagina, offset in ((1, 0), (15, 700)):
                cases.append(
                    Case(
                        f"API valori per periodo, pagina {pagina} ({tag})",
                        f"/api/v1/valori/?periodo={periodo.pk}&page={pagina}&page_size=50",
                        udp,
                        budget_p95_ms=150,
                        sql=SQL_VALORI,
                        sql_params=[periodo.pk, offset],
                    )
                )
    return cases


def _grande_e_piccolo():
    """[("grande", Ambito), ("piccolo", Ambito)]: the synthetic Ambiti with a plan and
    the most and the fewest Comuni (`n`); [] without the synthetic dataset."""
    from django.db.models import Count

    from ambito.models import Ambito

    ambiti = list(
        Ambito.objects.filter(codice__startswith="sint-", piani__isnull=False)
        .annotate(n=Count("comuni", distinct=True))
        .order_by("-n", "codice")
    )
    return [("grande", ambiti[0]), ("piccolo", ambiti[-1])] if ambiti else []


def cruscotto_cases():
    """The dashboard page (all its aggregates and charts) of the largest and smallest
    Ambito, each seen by its Ufficio di Piano."""
    return [
        Case(
            f"pagina cruscotto ({etichetta}, {ambito.n} Comuni)",
            "/indicatori/cruscotto/",
            _utente(f"bench.udp.{etichetta}", ambito, "ufficio_piano"),
            budget_median_ms=50,
            ambito_id=ambito.pk,
            budget_p95_ms=150,
        )
        for etichetta, ambito in _grande_e_piccolo()
    ]


SQL_FONDI_TOTALI = (
    "SELECT a.ambito_id, a.anno, SUM(a.importo) FROM fondi_assegnazione a "
    "WHERE a.ambito_id = %s GROUP BY a.ambito_id, a.anno ORDER BY a.anno"
)
SQL_PROGETTI_AVANZAMENTO = (
    "SELECT p.stato, COUNT(*), SUM(u.erogato), SUM(u.ammesso) FROM fondi_progetto p "
    "LEFT JOIN LATERAL (SELECT erogato, ammesso FROM fondi_avanzamentofinanziario f "
    "WHERE f.progetto_id = p.id ORDER BY f.data DESC LIMIT 1) u ON true "
    "WHERE p.ambito_id = %s GROUP BY p.stato"
)
SQL_PROGETTI = "SELECT p.* FROM fondi_progetto p WHERE p.ambito_id = %s ORDER BY p.titolo LIMIT 50"


def fondi_cases():
    """Funds pages and API on the synthetic projects of the Ambito with the most."""
    from django.db.models import Count

    from ambito.models import Ambito

    ambito = (
        Ambito.objects.filter(codice__startswith="sint-")
        .annotate(n=Count("progetti"))
        .order_by("-n", "codice")
        .first()
    )
    if ambito is None or not ambito.n:
        print("Nessun progetto sintetico: eseguire genera_italia con fondi/sintetico.py.")
        return []
    udp = _utente("bench.udp.fondi", ambito, "ufficio_piano")
    tag = f"{ambito.n} progetti"
    return [
        Case(f"pagina fondi ({tag})", "/fondi/", udp, budget_p95_ms=150),
        Case(f"elenco progetti ({tag})", "/fondi/progetti/", udp, budget_p95_ms=150),
        Case(
            f"API progetti, pagina 1 ({tag})",
            "/api/v1/progetti/?page_size=50",
            udp,
            budget_p95_ms=150,
            sql=SQL_PROGETTI,
            sql_params=[ambito.pk],
        ),
        Case(
            f"API fondi totali ({tag})",
            "/api/v1/fondi/totali/",
            udp,
            budget_median_ms=50,
            budget_p95_ms=150,
            sql=SQL_FONDI_TOTALI,
            sql_params=[ambito.pk],
        ),
        Case(
            f"API avanzamento progetti ({tag})",
            "/api/v1/fondi/avanzamento-progetti/",
            udp,
            budget_median_ms=50,
            budget_p95_ms=150,
            sql=SQL_PROGETTI_AVANZAMENTO,
            sql_params=[ambito.pk],
        ),
    ]


SCALA = (10, 50, 100, 200)


def scala_cases():
    """The progress API for an Ufficio di Piano of k Ambiti (k in SCALA): the cost must
    grow linearly with k (the issue found it quadratic: 0,19 s for 10, 13,7 s for 200).
    `linearita` checks the time per Ambito of the largest k against the smallest."""
    from ambito.models import Ambito

    ambiti = list(
        Ambito.objects.filter(codice__startswith="sint-", piani__isnull=False).order_by("codice")
    )
    cases = []
    for k in SCALA:
        if k > len(ambiti):
            break
        utente = f"bench.scala.{k}"
        for ambito in ambiti[:k]:
            _utente(utente, ambito, "ufficio_piano")
        cases.append(Case(f"API avanzamento, UdP di {k} Ambiti", "/api/v1/avanzamento/", utente))
    return cases


def linearita(rows):
    """Budget missed when the time per Ambito at the largest k of `scala_cases` is more
    than 1,5 times the time per Ambito at the second (linear growth, never worse)."""
    scala = [
        (int(c.name.rsplit("di ", 1)[1].split()[0]), m) for c, m, *_ in rows if "UdP di" in c.name
    ]
    if len(scala) < 2:
        return []
    # From the second k: at the first the fixed cost of a request weighs on each Ambito.
    (k0, t0), (k1, t1) = scala[min(1, len(scala) - 2)], scala[-1]
    rapporto = (t1 / k1) / (t0 / k0)
    print(
        f"Crescita con il numero di Ambiti: {t0 / k0:.2f} ms per Ambito con {k0}, "
        f"{t1 / k1:.2f} con {k1} (rapporto {rapporto:.2f}, budget <= 1,5)"
    )
    return [f"crescita non lineare: {rapporto:.2f} > 1,5"] if rapporto > 1.5 else []


def nazionale_vuota(repeat=3):
    """The progress API of the superuser over all the Ambiti (600), nothing in the
    cache: every row computed (the issue found 188,6 s against 2,75 s of SQL). Against
    its floor, as the other endpoints; the warm request reads one cache entry."""
    from django.core.cache import cache

    browser = Browser("amministratore")  # carica_dati --utenti-demo

    def call():
        return browser.get("/api/v1/avanzamento/")

    cache.clear()
    samples = in_turn(
        {
            "vuota": (call, cache.clear),
            "sql": (_raw(_request_sql(call)), None),
            "django": (lambda: browser.get("/__django__/"), None),
        },
        repeat,
    )
    mediana, sql, django = (statistics.median(samples[k]) for k in ("vuota", "sql", "django"))
    ratio = mediana / (django + sql)
    print(
        f"API avanzamento, superutente, 600 Ambiti, cache vuota: mediana {mediana:.0f} ms, "
        f"SQL {sql:.0f} ms, {ratio:.2f}x il pavimento (budget 2x)"
    )
    return [f"API avanzamento nazionale: {ratio:.2f}x > 2x il pavimento"] if ratio > 2 else []


REGIONE_BENCH = "Piemonte"  # 91 Ambiti and ~1.200 Comuni in the synthetic dataset


def regione_cases():
    """The regional dashboard of a region of ~90 Ambiti, seen by its Regione user:
    the Ambiti alone, and with the per-Comune table of one indicator; page and API."""
    from ambito.models import Ambito
    from indicatori.models import Indicatore

    ambito = Ambito.objects.filter(regione=REGIONE_BENCH).order_by("codice").first()
    if ambito is None:
        return []
    utente = _utente("bench.regione", ambito, "regione")
    codice = (
        Indicatore.objects.filter(piano__ambito=ambito, livello="comune", unita="conteggio")
        .order_by("codice")
        .values_list("codice", flat=True)
        .first()
    )
    n = Ambito.objects.filter(regione=REGIONE_BENCH).count()
    query = f"regione={REGIONE_BENCH}&anno=2025"
    nazionale = "regione=tutte&anno=2025"
    superutente = "amministratore"  # carica_dati --utenti-demo
    # "Cold" = the first request after one Ambito's data changed (an approval): that
    # Ambito's figures are computed again, the others come from the cache.
    cases = []
    for etichetta, q, chi, mediana, p95 in (
        (f"{n} Ambiti", query, utente, 300, 600),
        (f"{n} Ambiti + Comuni di {codice}", f"{query}&indicatore={codice}", utente, 300, 600),
        ("nazionale, 600 Ambiti", nazionale, superutente, 2000, 2000),
    ):
        cases += [
            Case(
                f"cruscotto regionale, pagina ({etichetta})",
                f"/indicatori/regione/?{q}",
                chi,
                budget_median_ms=mediana,
                budget_p95_ms=p95,
                ambito_id=ambito.pk,
            ),
            Case(
                f"API regione ({etichetta})",
                f"/api/v1/regione/?{q}",
                chi,
                budget_median_ms=mediana,
                budget_p95_ms=p95,
                ambito_id=ambito.pk,
            ),
        ]
    # The Regione's own lists of the API over its Ambiti (cold: after an approval in one).
    for etichetta, url in (
        ("API avanzamento", "/api/v1/avanzamento/"),
        ("API beneficiari, pagina 1", "/api/v1/beneficiari/"),
        ("API fondi totali", "/api/v1/fondi/totali/"),
    ):
        cases.append(Case(f"{etichetta} (Regione, {n} Ambiti)", url, utente, ambito_id=ambito.pk))
    return cases


def regione_vuota(repeat=3):
    """The regional page with nothing in the cache (after a restart of Redis, or the
    first request of the day): every Ambito's figures computed. Reported, no budget."""
    from django.core.cache import cache

    casi = [c for c in regione_cases() if c.url.startswith("/indicatori/regione/")]
    for case in casi:
        browser = Browser(case.user)
        samples = time_call(lambda b=browser, u=case.url: b.get(u), repeat, before=cache.clear)
        print(
            f"{case.name}, cache vuota: mediana {statistics.median(samples):.0f} ms "
            f"(max {max(samples):.0f} ms su {repeat})"
        )


# A fresh process that renders one Relazione and prints its own peak RSS (KiB).
_RELAZIONE_PICCO = """
import sys
sys.path.insert(0, sys.argv[1])
import django
django.setup()
from django.contrib.auth import get_user_model
from ambito.models import Ambito
from indicatori.reports import relazione_pdf
relazione_pdf(
    user=get_user_model().objects.get(pk=sys.argv[2]), ambito=Ambito.objects.get(pk=sys.argv[3])
)
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child started by a large
# process (this benchmark) would report its parent's peak.
with open("/proc/self/status") as status:
    print(next(r.split()[1] for r in status if r.startswith("VmHWM:")))
"""


def _relazione_picco_mb(user, ambito):
    """Peak RSS (MB) of a fresh Python process rendering one Relazione of `ambito`
    (Django set up, empty chart cache unless the cache is shared): the memory a worker
    needs for it, without the benchmark's own."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _RELAZIONE_PICCO, str(ROOT), str(user.pk), str(ambito.pk)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return int(out.split()[-1]) / 1024


def _relazione_html(user, ambito):
    """The exact HTML the Relazione hands to WeasyPrint (one full run, which also
    warms the chart cache), and the report."""
    from unittest import mock

    from ambito.platform import pdf
    from indicatori.reports import relazione_pdf

    html = []
    html_to_pdf = pdf.html_to_pdf

    def capture(text):
        html.append(text)
        return html_to_pdf(text)

    with mock.patch.object(pdf, "html_to_pdf", capture):
        report = relazione_pdf(user=user, ambito=ambito)
    return html[0], report


def _weasyprint_alone(html):
    """WeasyPrint on its own on a report's HTML: same base URL, URL fetcher and PDF
    options (PDF/A-3a, tagged) as `ambito.platform.pdf`."""
    from weasyprint import HTML

    from ambito.platform.pdf import PDF_BASE_URL, PDF_VARIANT, _static_fetcher_class

    return HTML(
        string=html, base_url=PDF_BASE_URL, url_fetcher=_static_fetcher_class()()
    ).write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)


def _relazione_ambiti():
    """[(user, Ambito)]: the synthetic Ambito with the most Comuni and Visconteo (the
    real data of `carica_dati`), each with its Ufficio di Piano, where present."""
    from django.contrib.auth import get_user_model

    from ambito.dati import CODICE_AMBITO
    from ambito.models import Ambito

    ambiti = [("grande", a) for _, a in _grande_e_piccolo()[:1]]
    ambiti += [("visconteo", a) for a in Ambito.objects.filter(codice=CODICE_AMBITO)]
    users = get_user_model().objects
    return [
        (users.get(username=_utente(f"bench.udp.{etichetta}", a, "ufficio_piano")), a)
        for etichetta, a in ambiti
    ]


def _senza_cache(fn):
    """fn run with every cache missing (charts drawn, aggregates computed): a Relazione
    right after its data changed, or in a process that never drew them."""
    from django.test import override_settings

    def run():
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        ):
            return fn()

    return run


def relazione_pdf_case(repeat=3):
    """The full Relazione di monitoraggio PDF against WeasyPrint alone on its HTML.

    For the largest synthetic Ambito and Visconteo: one run captures the HTML the
    Relazione hands to WeasyPrint (saved under a temporary directory) and fills the
    caches; then `repeat` times, in turn: the full `relazione_pdf` (view model, charts,
    template, WeasyPrint, registration) with the caches filled (charts and aggregates
    already drawn, e.g. by the dashboard: they are shared through the cache), the same
    with every cache missing, and WeasyPrint alone on the saved HTML.
    Budgets: each median ≤ 1,3 × the median of WeasyPrint alone (wall clock; the CPU
    time of this process is printed too, the machine may be shared), and the peak RSS
    of a fresh process rendering one Relazione under 400 MB.
    """
    import tempfile
    from functools import partial

    from indicatori.reports import relazione_pdf

    cartella = Path(tempfile.mkdtemp(prefix="zonale-bench-relazione-"))
    verdict = []
    for user, ambito in _relazione_ambiti():
        html, report = _relazione_html(user, ambito)
        (cartella / f"{ambito.codice}.html").write_text(html, encoding="utf-8")
        completa = partial(relazione_pdf, user=user, ambito=ambito)
        prove = {
            "cache piena": completa,
            "cache vuota": _senza_cache(completa),
            "WeasyPrint da solo": partial(_weasyprint_alone, html),
        }
        tempi = {nome: [] for nome in prove}
        cpu = {nome: [] for nome in prove}
        for _ in range(repeat):
            for nome, fn in prove.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                fn()
                tempi[nome].append(time.perf_counter() - start)
                cpu[nome].append(time.process_time() - start_cpu)
        mediane = {nome: statistics.median(v) for nome, v in tempi.items()}
        mediane_cpu = {nome: statistics.median(v) for nome, v in cpu.items()}
        solo, solo_cpu = mediane["WeasyPrint da solo"], mediane_cpu["WeasyPrint da solo"]
        picco = _relazione_picco_mb(user, ambito)
        tag = f"relazione PDF {ambito.codice}"
        print(
            f"{tag} ({ambito.comuni.count()} Comuni, {report.registro.pagine} pagine, "
            f"HTML {len(html) / 1024:.0f} KiB in {cartella}), mediane su {repeat}: "
            f"WeasyPrint da solo {solo:.2f} s (CPU {solo_cpu:.2f} s)"
        )
        for nome in ("cache piena", "cache vuota"):
            rapporto = mediane[nome] / solo
            print(
                f"  completa, {nome}: {mediane[nome]:.2f} s = {rapporto:.2f} × WeasyPrint "
                f"(CPU {mediane_cpu[nome]:.2f} s = {mediane_cpu[nome] / solo_cpu:.2f} ×)  "
                f"budget 1,3 ×: {'rispettato' if rapporto <= 1.3 else 'NON rispettato'}"
            )
            if rapporto > 1.3:
                verdict.append(f"{tag}, {nome}: {rapporto:.2f} × WeasyPrint da solo (max 1,3)")
        print(
            f"  memoria di picco di un processo nuovo: {picco:.0f} MB  budget 400 MB: "
            f"{'rispettato' if picco < 400 else 'NON rispettato'}"
        )
        if picco >= 400:
            verdict.append(f"{tag}: memoria di picco {picco:.0f} MB (max 400 MB)")
    return verdict


CASES = [
    reference_cases,
    territory_cases,
    indicatori_cases,
    cruscotto_cases,
    fondi_cases,
    regione_cases,
    scala_cases,
]
if os.environ.get("BENCH_SOLO"):
    # The reference rows always run: they mount the bare Django page of the floor.
    CASES = [
        f
        for f in CASES
        if f is reference_cases or f.__name__ in os.environ["BENCH_SOLO"].split(",")
    ]


def grafici_case():
    """Issue 31: a chart drawn in at most 20 ms. The dashboard's largest: one bar per
    indicator of the plan (~40), horizontal, with a limit and a reference line."""
    import timeit

    from ambito.platform.charts import bar_chart

    categorie = [f"{n}.OUT.1 Un indicatore dal nome lungo del Piano" for n in range(40)]
    serie = {"% raggiunta": [n * 5 for n in range(40)]}
    opzioni = {"title": "T", "percent": True, "horizontal": True, "limit": 150, "reference": 100}
    tempi = timeit.repeat(lambda: bar_chart(categorie, serie, **opzioni), number=1, repeat=REPEAT)
    ms = statistics.median(tempi) * 1000
    print(f"Grafico di 40 barre: mediana {ms:.1f} ms  budget 20 ms")
    return [] if ms <= 20 else [f"grafico di 40 barre: {ms:.1f} ms (max 20)"]


def main():
    cases = [case for factory in CASES for case in factory()]
    failures, rows = run(cases)
    markdown(rows)
    failures += linearita(rows)
    failures += grafici_case()
    if any(f is regione_cases for f in CASES):
        regione_vuota()
    if any(f is scala_cases for f in CASES):
        failures += nazionale_vuota()
    if os.environ.get("BENCH_PDF", "1") == "1":
        failures += relazione_pdf_case()
    print()
    print(
        "Budget rispettati."
        if not failures
        else "Budget NON rispettati:\n- " + "\n- ".join(failures)
    )


if __name__ == "__main__":
    main()
