"""The regional dashboard: a small synthetic region (Molise), its figures against each
Ambito's own selectors, the Regione's scope, and queries that do not grow with Ambiti."""

import io
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ambito import sintetico as territorio_sintetico
from ambito.choices import Ruolo, StatoLavoro
from ambito.models import Ambito, Notifica, ReportGenerato
from ambito.platform import pdf
from ambito.platform.cache import INDICATORI, invalida_cache_ambito
from ambito.selectors import popolazione_di_riferimento
from ambito.templatetags.zonale import numero
from fondi import sintetico as fondi_sintetico
from fondi.models import Progetto
from fondi.reports import cruscotto_fondi
from fondi.selectors import progetti_riepilogo
from indicatori import regione, selectors, services, tasks
from indicatori import sintetico as indicatori_sintetico
from indicatori.choices import StatoValore
from indicatori.models import Indicatore, Periodo, RichiestaRegione, Valore
from tests.factories import user_with_role

REGIONE = "Molise"
ANNO = 2026


@pytest.fixture
def genera_regione(db, comuni_csv):
    """Adds `n` synthetic Ambiti over the Comuni of a province of Molise, with their
    funds, projects, indicators, periods and values (the generators of genera_italia)."""

    def genera(provincia, n, fondi=True):
        sample, _keep = comuni_csv(provincia)
        nuovi = territorio_sintetico.genera(
            rng=random.Random(1),
            stdout=StringIO(),
            totale_ambiti=Ambito.objects.count() + n,
            path=sample,
        )
        # The generators take the first "sint-" Ambiti by code: the new ones come first
        # when their province sorts first (CB before IS).
        if fondi:  # (a second run would repeat the synthetic CUP codes)
            fondi_sintetico.genera(rng=random.Random(2), stdout=StringIO(), max_ambiti=n)
        indicatori_sintetico.genera(
            rng=random.Random(3), stdout=StringIO(), indicatori_per_ambito=4, anni=6, max_ambiti=n
        )
        return nuovi

    return genera


@pytest.fixture
def molise(genera_regione):
    return genera_regione("IS", 3)


@pytest.fixture
def utente_regione(molise):
    return user_with_role(Ruolo.REGIONE, molise[0], username="regione.molise")


@pytest.fixture
def amministratore(db):
    return get_user_model().objects.create_superuser("admin.regione", password="x")


def test_the_region_has_three_ambiti_with_data(molise):
    assert len(molise) == 3
    assert {a.regione for a in molise} == {REGIONE}
    assert Valore.objects.filter(periodo__ambito__in=molise).exists()


def test_figures_equal_the_ambiti_own_selectors(molise, utente_regione, amministratore):
    dati = regione.cruscotto_regione(fetched_by=utente_regione, regione=REGIONE, anno=ANNO)
    assert [r.ambito.pk for r in dati.righe] == [
        a.pk for a in sorted(molise, key=lambda a: a.nome.lower())
    ]
    for riga in dati.righe:
        ambito = riga.ambito
        popolazione = popolazione_di_riferimento(ambito=ambito, anno=ANNO)
        assert (riga.residenti, riga.anno_residenti) == (popolazione.residenti, popolazione.anno)
        fondi = cruscotto_fondi(fetched_by=amministratore, ambito=ambito, anno=ANNO)
        assert (riga.anno_fondi, riga.fondi) == (fondi["anno"], fondi["totale_anno"])
        assert riga.fondi_per_residente == (fondi["totale_anno"] / popolazione.residenti).quantize(
            Decimal("0.01")
        )
        pnrr = progetti_riepilogo(
            fetched_by=amministratore,
            progetti=Progetto.objects.filter(ambito=ambito, linea__codice__startswith="PNRR"),
        )
        assert riga.progetti_pnrr == pnrr["numero_progetti"]
        assert riga.ammesso == pnrr["avanzamento"]["ammesso"]
        assert riga.erogato == pnrr["avanzamento"]["erogato"]
        periodo = Periodo.objects.filter(
            ambito=ambito, data_inizio__lte=timezone.localdate()
        ).latest("data_fine")
        assert riga.periodo == periodo
        # Made from its row's tuple: the same fields as the model read by the ORM.
        assert not riga.periodo._state.adding
        campi = [f.attname for f in Periodo._meta.concrete_fields]
        assert [getattr(riga.periodo, c) for c in campi] == [getattr(periodo, c) for c in campi]
        completezza = selectors.completezza_ambito(
            selectors.completezza_periodo(fetched_by=amministratore, periodo=periodo)
        )
        assert riga.comuni == completezza["comuni"]
        assert riga.comuni_completi == completezza["comuni_completi"]
        assert riga.in_ritardo == completezza["in_ritardo"]
        assert riga.completezza == completezza["percentuale"]
        stati = selectors.conteggio_stati(
            selectors.avanzamento_indicatori(fetched_by=amministratore, ambito=ambito)
        )
        assert riga.stati == stati
        assert sum(stati.values()) > 0
    # The region is the sum of its Ambiti.
    assert sum(r.residenti for r in dati.righe) == sum(
        popolazione_di_riferimento(ambito=a, anno=ANNO).residenti for a in molise
    )


def test_comuni_of_an_indicator_sum_to_the_ambito_figure(molise, utente_regione, amministratore):
    dati = regione.cruscotto_regione(
        fetched_by=utente_regione, regione=REGIONE, anno=2025, indicatore="S01"
    )
    assert dati.per_mille  # a count: per 1.000 residents
    assert len(dati.comuni) == sum(a.comuni.count() for a in molise)
    for ambito in molise:
        indicatore = Indicatore.objects.get(piano__ambito=ambito, codice="S01")
        periodi = list(Periodo.objects.filter(ambito=ambito, data_fine__year=2025))
        aggregati = selectors.aggregati_per_periodo(
            fetched_by=amministratore, indicatori=[indicatore], periodi=periodi
        )
        atteso = sum(
            (selectors.valore_ambito(indicatore, p.pk, aggregati) or 0 for p in periodi),
            Decimal(0),
        )
        somma = sum((c.valore or 0 for c in dati.comuni if c.ambito_id == ambito.pk), Decimal(0))
        assert somma == atteso
    con_valore = [c for c in dati.comuni if c.valore is not None and c.residenti]
    assert con_valore
    for riga in con_valore:
        assert riga.per_mille == Decimal(riga.valore) * 1000 / riga.residenti
    assert dati.quartili_comuni.n == len(con_valore)


def test_only_approved_values_count(molise, utente_regione):
    ambito = molise[0]
    valore = (
        Valore.objects.filter(
            periodo__ambito=ambito,
            indicatore__codice="S01",
            periodo__data_fine__year=2025,
            stato=StatoValore.APPROVATO,
            valore_numerico__isnull=False,
        )
        .select_related("comune")
        .first()
    )
    prima = regione.cruscotto_regione(
        fetched_by=utente_regione, regione=REGIONE, anno=2025, indicatore="S01"
    )
    riga = next(c for c in prima.comuni if c.comune_id == valore.comune_id)
    Valore.objects.filter(pk=valore.pk).update(stato=StatoValore.INVIATO)
    dopo = regione.cruscotto_regione(
        fetched_by=utente_regione, regione=REGIONE, anno=2025, indicatore="S01"
    )
    riga_dopo = next(c for c in dopo.comuni if c.comune_id == valore.comune_id)
    assert (riga_dopo.valore or 0) == riga.valore - valore.valore_numerico


def _da_approvare(ambito, django_capture_on_commit_callbacks):
    """An open period of the Ambito and an indicator of its plan with a target, whose
    values are sent back to the Ufficio di Piano (none approved): the cache is renewed."""
    from ambito.platform.cache import invalida_cache_ambito

    periodo = Periodo.objects.filter(
        ambito=ambito, stato="aperto", data_fine__lte=timezone.localdate()
    ).latest("data_fine")
    indicatore = Indicatore.objects.filter(
        piano__ambito=ambito, previsto_dal_piano=True, valore_atteso__isnull=False
    ).exclude(tipo="input")[0]
    with django_capture_on_commit_callbacks(execute=True):
        Valore.objects.filter(indicatore=indicatore).update(
            stato=StatoValore.INVIATO, motivo_respingimento="", anomalia_confermata=False
        )
        invalida_cache_ambito(ambito.pk)
    return periodo, indicatore


def _approva(periodo, indicatore, django_capture_on_commit_callbacks):
    """The Ufficio di Piano of the period's Ambito approves the indicator's values."""
    from indicatori.services import valori_approve

    udp = user_with_role(Ruolo.UFFICIO_PIANO, periodo.ambito, username="udp.molise")
    with django_capture_on_commit_callbacks(execute=True):
        valori_approve(
            user=udp,
            periodo=periodo,
            valori=Valore.objects.filter(indicatore=indicatore, periodo=periodo),
        )


def test_an_approval_shows_in_the_next_request(
    molise, utente_regione, amministratore, django_capture_on_commit_callbacks
):
    """The counts of indicators per status are kept per Ambito under its data
    generation: no batch job, the approval itself makes the next request recompute."""
    ambito = molise[0]
    periodo, indicatore = _da_approvare(ambito, django_capture_on_commit_callbacks)

    def stati():
        dati = regione.cruscotto_regione(fetched_by=utente_regione, regione=REGIONE, anno=2025)
        return {r.ambito.pk: r.stati for r in dati.righe}

    def dal_selettore():  # live: a superuser's aggregates are never cached
        return selectors.conteggio_stati(
            selectors.avanzamento_indicatori(fetched_by=amministratore, ambito=ambito)
        )

    prima = stati()
    assert prima[ambito.pk] == dal_selettore()
    with CaptureQueriesContext(connection) as dalla_cache:
        assert stati() == prima
    _approva(periodo, indicatore, django_capture_on_commit_callbacks)
    dopo = stati()
    assert dopo[ambito.pk] == dal_selettore()
    assert dopo[ambito.pk] != prima[ambito.pk]  # the indicator can now be evaluated
    # The other Ambiti came from the cache: only the approving one was computed again.
    assert all(dopo[a.pk] == prima[a.pk] for a in molise[1:])
    with CaptureQueriesContext(connection) as ricalcolo:
        stati()
    assert len(ricalcolo) == len(dalla_cache)


def test_incomplete_ambiti_are_marked_not_ranked(molise, utente_regione):
    dati = regione.cruscotto_regione(fetched_by=utente_regione, regione=REGIONE, anno=ANNO)
    # The synthetic values include drafts and rejected ones: no Ambito has sent all.
    assert dati.incompleti
    for riga in dati.incompleti:
        assert riga.mancanze
    assert dati.quartili["fondi_per_residente"].n == len(dati.classificati)
    assert dati.quartili["completezza"].n == len(dati.righe)


def test_quartiles():
    q = regione.quartili([Decimal(1), Decimal(2), Decimal(3), Decimal(4), Decimal(5), None])
    assert (q.q1, q.mediana, q.q3, q.n) == (Decimal(2), Decimal(3), Decimal(4), 5)
    assert regione.quartili([]).n == 0


def test_regione_reads_every_ambito_of_its_region_and_only_approved_values(
    molise, utente_regione, visconteo
):
    visibili = set(Ambito.objects.visible_to(utente_regione))
    assert visibili == set(molise)
    assert visconteo not in visibili  # another region
    valori = Valore.objects.visible_to(utente_regione)
    assert valori.exists()
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.APPROVATO}
    assert not Valore.objects.editable_by(utente_regione).exists()
    assert not Ambito.objects.editable_by(utente_regione).exists()
    assert utente_regione.has_perm("ambito.consulta_regione")


def test_other_roles_do_not_see_the_regional_dashboard(client, ufficio_piano, revisore):
    for user in (ufficio_piano, revisore):
        client.force_login(user)
        assert client.get(reverse("indicatori:regione")).status_code == 403
        assert client.get("/api/v1/regione/").status_code == 403


def test_page_and_api(client, molise, utente_regione):
    client.force_login(utente_regione)
    pagina = client.get(reverse("indicatori:regione"), {"indicatore": "S01", "anno": 2025})
    assert pagina.status_code == 200
    testo = pagina.content.decode()
    for ambito in molise:
        assert f"?ambito={ambito.pk}" in testo  # each figure links to the Ambito's pages
    assert "dati incompleti" in testo
    api = client.get("/api/v1/regione/", {"indicatore": "S01", "anno": 2025})
    assert api.status_code == 200
    corpo = api.json()
    assert corpo["regione"] == REGIONE
    assert len(corpo["ambiti"]) == 3
    assert corpo["per_mille"] is True
    ordinati = client.get("/api/v1/regione/", {"ordina": "-residenti"}).json()["ambiti"]
    residenti = [a["residenti"] for a in ordinati]
    assert residenti == sorted(residenti, reverse=True)
    filtrati = client.get("/api/v1/regione/", {"provincia": "ZZ"}).json()
    assert filtrati["ambiti"] == []
    assert client.get("/api/v1/regione/", {"anno": "1e20"}).status_code == 400
    # The PDF button carries the page's filters and a one-time token.
    assert f'action="{reverse("report:regione")}"' in testo
    assert 'name="indicatore" value="S01"' in testo
    assert 'name="richiesta" value="' in testo


def test_api_read_quickly_says_what_drf_would(client, molise, utente_regione, monkeypatch):
    """The rows of Ambiti, Comuni and quartiles read by the fast path (LetturaRapidaMixin)
    answer exactly DRF's own."""
    from rest_framework import serializers

    from ambito.api.serializers import LetturaRapidaMixin

    client.force_login(utente_regione)
    parametri = {"indicatore": "S01", "anno": 2025}
    veloce = client.get("/api/v1/regione/", parametri).json()
    assert veloce["ambiti"] and veloce["comuni"] and veloce["quartili_comuni"]
    monkeypatch.setattr(
        LetturaRapidaMixin, "to_representation", serializers.Serializer.to_representation
    )
    assert client.get("/api/v1/regione/", parametri).json() == veloce


def test_national_view_shows_the_ambiti_of_every_region(client, molise, amministratore, visconteo):
    client.force_login(amministratore)
    pagina = client.get(reverse("indicatori:regione"), {"regione": "tutte"})
    assert pagina.status_code == 200
    testo = pagina.content.decode()
    assert "Tutte le regioni" in testo
    for ambito in [*molise, visconteo]:
        assert f"?ambito={ambito.pk}" in testo
        assert ambito.nome in testo
    corpo = client.get("/api/v1/regione/", {"regione": "tutte", "indicatore": "S01"}).json()
    assert corpo["nazionale"] is True
    assert {a["regione"] for a in corpo["ambiti"]} == {REGIONE, visconteo.regione}
    assert {a["ambito"] for a in corpo["ambiti"]} >= {a.pk for a in [*molise, visconteo]}
    assert {c["regione"] for c in corpo["comuni"]} == {REGIONE, visconteo.regione}
    # One region at a time is still there, and the first is the default.
    regionale = client.get("/api/v1/regione/", {"regione": REGIONE}).json()
    assert regionale["nazionale"] is False
    assert {a["regione"] for a in regionale["ambiti"]} == {REGIONE}


def test_regione_cannot_pick_another_region_or_all_of_them(
    client, molise, utente_regione, visconteo
):
    client.force_login(utente_regione)
    pagina = client.get(reverse("indicatori:regione"))
    assert "Tutte le regioni" not in pagina.content.decode()  # not offered
    for scelta in ("tutte", visconteo.regione):
        risposta = client.get("/api/v1/regione/", {"regione": scelta})
        assert risposta.status_code == 400
        [errore] = risposta.json()["errors"]
        assert errore["field"] == "regione"
        assert errore["message"].startswith("Scegli un'opzione valida.")
        pagina = client.get(reverse("indicatori:regione"), {"regione": scelta})
        assert pagina.status_code == 200
        testo = pagina.content.decode()
        assert "Scegli un&#x27;opzione valida" in testo
        assert visconteo.nome not in testo
    assert regione.regioni_visibili(fetched_by=utente_regione) == [REGIONE]


def _conta(client, url, params=None):
    with CaptureQueriesContext(connection) as contesto:
        risposta = client.get(url, params or {})
    assert risposta.status_code == 200
    return len(contesto.captured_queries)


def test_queries_do_not_grow_with_the_ambiti(
    client, molise, utente_regione, amministratore, genera_regione
):
    """Page and API, of the region (3 then 6 Ambiti) and of the national view."""
    params = {"indicatore": "S01", "anno": 2025}
    nazionale = {**params, "regione": "tutte"}
    casi = [
        (utente_regione, reverse("indicatori:regione"), params),
        (utente_regione, "/api/v1/regione/", params),
        (amministratore, reverse("indicatori:regione"), nazionale),
        (amministratore, "/api/v1/regione/", nazionale),
    ]

    def conta():
        conteggi = []
        for utente, url, parametri in casi:
            client.force_login(utente)
            cache.clear()  # every Ambito's counts computed, none from the cache
            conteggi.append(_conta(client, url, parametri))
        return conteggi

    con_3 = conta()
    assert max(con_3) <= 30
    genera_regione("CB", 3, fondi=False)
    assert Ambito.objects.visible_to(utente_regione).count() == 6
    assert Ambito.objects.count() > 6  # the national view has the demo's Ambiti too
    assert conta() == con_3


# --- The regional PDF, a job a worker does (README, "Il PDF regionale come lavoro") -----

FILTRI = {"anno": 2025, "indicatore": "S01", "ordina": "-residenti"}


def _chiedi_pdf(client, capture, dati):
    """POST the dashboard's PDF form; with the eager tasks of the tests the worker's job
    runs at commit, inline."""
    with capture(execute=True):
        risposta = client.post(reverse("report:regione"), dati)
    assert risposta.status_code == 303
    return risposta


def test_asking_for_the_pdf_only_queues_a_job(
    client, molise, utente_regione, monkeypatch, django_capture_on_commit_callbacks
):
    """With a worker (not inline) the request draws nothing: no figures, no WeasyPrint."""

    def weasyprint(*args, **kwargs):
        raise AssertionError("a PDF rendered inside the request")

    monkeypatch.setattr(pdf, "render_pdf", weasyprint)
    accodati = []
    monkeypatch.setattr(tasks.regione_pdf_generate, "delay", accodati.append)
    client.force_login(utente_regione)
    client.get(reverse("home"))  # warm up the session and the URL resolver
    with CaptureQueriesContext(connection) as query:
        risposta = _chiedi_pdf(
            client,
            django_capture_on_commit_callbacks,
            {**FILTRI, "regione": REGIONE, "richiesta": "b" * 32},
        )
    job = RichiestaRegione.objects.get()
    assert risposta["Location"] == job.get_absolute_url()
    assert accodati == [job.pk]
    assert (job.stato, job.richiesta_da, job.ambito) == (
        StatoLavoro.IN_CODA,
        utente_regione,
        min(molise, key=lambda a: a.pk),
    )
    # The filters as the dashboard's form validated them: the worker draws with them.
    assert job.parametri == {**FILTRI, "regione": REGIONE}
    assert not ReportGenerato.objects.exists()
    # None of the dashboard's aggregates ran (they are 20 queries on their own).
    assert not any("indicatori_valore" in q["sql"] for q in query.captured_queries)
    assert len(query.captured_queries) <= 12
    pagina = client.get(risposta["Location"]).content.decode()
    assert "In coda" in pagina
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in pagina


def test_the_worker_draws_the_region_figures_once_per_request(
    client, molise, utente_regione, ufficio_piano, django_capture_on_commit_callbacks
):
    client.force_login(utente_regione)
    dati = {**FILTRI, "richiesta": "c" * 32}
    primo = _chiedi_pdf(client, django_capture_on_commit_callbacks, dati)
    secondo = _chiedi_pdf(client, django_capture_on_commit_callbacks, dati)  # a double click
    assert primo["Location"] == secondo["Location"]
    job = RichiestaRegione.objects.get()
    assert (job.stato, job.tentativi) == (StatoLavoro.PRONTO, 1)
    report = ReportGenerato.objects.get()
    assert (report, report.tipo, report.generato_da) == (
        job.report,
        ReportGenerato.Tipo.REGIONE,
        utente_regione,
    )
    notifica = Notifica.objects.get(utente=utente_regione, tipo="report")
    assert notifica.link == job.get_absolute_url()
    pagina = client.get(primo["Location"]).content.decode()
    download = reverse("report:download", args=[report.pk])
    assert download in pagina
    assert 'http-equiv="refresh"' not in pagina  # finished: no more refreshing

    contenuto = b"".join(client.get(download).streaming_content)
    pagine = PdfReader(io.BytesIO(contenuto)).pages
    testo = " ".join(" ".join(p.extract_text() for p in pagine).split())
    assert f"{REGIONE} · 2025" in testo
    for ambito in molise:
        # Each Ambito with its residents, as its own selector counts them.
        assert " ".join(ambito.nome.split()) in testo
        assert numero(popolazione_di_riferimento(ambito=ambito, anno=2025).residenti) in testo
    # The Comuni of the indicator, with the approved totals the regional selector sums.
    figure = regione.cruscotto_regione(
        fetched_by=utente_regione, regione=REGIONE, anno=2025, indicatore="S01"
    )
    primo_comune = figure.comuni[0]
    assert primo_comune.valore
    assert f"{primo_comune.nome} " in testo
    assert numero(primo_comune.valore, 1) in testo
    assert "Comuni della regione: S01, periodi che terminano nel 2025" in testo

    # Another Regione of the same region: the job is its requester's own page.
    altra = user_with_role(Ruolo.REGIONE, molise[1], username="regione.molise.2")
    client.force_login(altra)
    assert client.get(primo["Location"]).status_code == 404
    assert client.post(primo["Location"]).status_code == 404
    # An Ufficio di Piano of another region: neither the job nor the register's file,
    # nor may it ask for one (the Regione's rule).
    client.force_login(ufficio_piano)
    assert client.get(primo["Location"]).status_code == 404
    assert client.get(download).status_code == 404
    assert client.post(reverse("report:regione"), FILTRI).status_code == 403
    assert RichiestaRegione.objects.count() == 1


def test_a_failed_pdf_is_told_in_italian_and_can_be_retried(
    client, molise, utente_regione, monkeypatch, django_capture_on_commit_callbacks
):
    originale = pdf.render_pdf

    def rotto(*args, **kwargs):
        raise OSError("disco pieno")

    monkeypatch.setattr(pdf, "render_pdf", rotto)
    client.force_login(utente_regione)
    risposta = _chiedi_pdf(client, django_capture_on_commit_callbacks, FILTRI)
    job = RichiestaRegione.objects.get()
    assert job.stato == StatoLavoro.FALLITO
    assert not ReportGenerato.objects.exists()  # rolled back with the failed render
    pagina = client.get(risposta["Location"]).content.decode()
    assert (
        "Il PDF del cruscotto regionale non è stato generato per un errore imprevisto (OSError)"
        in pagina
    )
    assert "Riprova" in pagina

    monkeypatch.setattr(pdf, "render_pdf", originale)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(risposta["Location"])
    job.refresh_from_db()
    assert (job.stato, job.tentativi, job.errore) == (StatoLavoro.PRONTO, 2, "")
    assert ReportGenerato.objects.get() == job.report
    # Only the requester retries, and only a failed (or lost) job.
    assert not services.regione_pdf_retryable(job)
    altra = user_with_role(Ruolo.REGIONE, molise[1], username="regione.molise.3")
    RichiestaRegione.objects.filter(pk=job.pk).update(stato=StatoLavoro.FALLITO)
    job.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.regione_pdf_retry(user=altra, job=job)


def test_what_changed_before_the_worker_ran_is_told_in_italian(
    client, molise, utente_regione, monkeypatch, django_capture_on_commit_callbacks
):
    accodati = []
    monkeypatch.setattr(tasks.regione_pdf_generate, "delay", accodati.append)
    client.force_login(utente_regione)
    # Filters the page never offers queue nothing.
    assert client.post(reverse("report:regione"), {"anno": "1e20"}).status_code == 404
    assert client.post(reverse("report:regione"), {"regione": "Lombardia"}).status_code == 404
    assert client.get(reverse("report:regione")).status_code == 405
    assert not RichiestaRegione.objects.exists()
    # A province none of the region's Ambiti is in (the page offers only theirs).
    _chiedi_pdf(client, django_capture_on_commit_callbacks, {"provincia": "ZZ"})
    _chiedi_pdf(client, django_capture_on_commit_callbacks, {"anno": 2025})
    nessuno, revocato = RichiestaRegione.objects.order_by("pk")
    services.regione_pdf_run(job_id=nessuno.pk)
    # The Regione loses its role before the worker takes the second job.
    utente_regione.incarichi.all().delete()
    services.regione_pdf_run(job_id=revocato.pk)
    for job in (nessuno, revocato):
        job.refresh_from_db()
        assert job.stato == StatoLavoro.FALLITO
    assert nessuno.errore == (
        "Nessun Ambito della regione corrisponde ai filtri scelti: il PDF non è stato generato."
    )
    assert revocato.errore == (
        "Il PDF del cruscotto regionale è riservato alla Regione: l'utente non ha più il ruolo."
    )
    assert not ReportGenerato.objects.exists()


def test_progress_api_of_many_ambiti_keeps_each_ambitos_rows_apart(
    molise, utente_regione, amministratore, django_capture_on_commit_callbacks
):
    """A user of many Ambiti gets each Ambito's progress rows, Ambito by Ambito (by
    name), equal to that Ambito's own selector. Each Ambito's rows are kept in the
    cache as JSON under its data generation: an approval renews its own Ambito's rows
    only, and the next request reads the others as they were."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(utente_regione)

    def righe():
        risposta = api.get("/api/v1/avanzamento/")
        assert risposta.status_code == 200
        return risposta.json()

    def per_ambito(dati):
        di = {r["indicatore"]: r for r in dati}
        return {
            a.pk: [
                di[pk]
                for pk in Indicatore.objects.filter(piano__ambito=a).values_list("pk", flat=True)
                if pk in di
            ]
            for a in molise
        }

    def attesi(ambito):  # live: a superuser's aggregates are never cached
        return [
            (a.indicatore.pk, a.valore, a.stato)
            for a in selectors.avanzamento_indicatori.__wrapped__(
                fetched_by=amministratore, ambito=ambito
            )
        ]

    def letti(righe_ambito):
        return [
            (r["indicatore"], None if r["valore"] is None else Decimal(r["valore"]), r["stato"])
            for r in righe_ambito
        ]

    ambito, altro, *_ = molise
    prima = righe()
    ordinati = sorted(molise, key=lambda a: a.nome)
    assert [r["indicatore"] for r in prima] == [
        pk for a in ordinati for pk, _valore, _stato in attesi(a)
    ]
    for a in molise:
        assert letti(per_ambito(prima)[a.pk]) == attesi(a)

    # A change written behind the services' back (no new generation) is not seen: the
    # rows come from the cache...
    Valore.objects.filter(indicatore__piano__ambito=altro).update(stato=StatoValore.INVIATO)
    # ...while an approval renews its own Ambito's rows at once.
    periodo, indicatore = _da_approvare(ambito, django_capture_on_commit_callbacks)
    intermedio = per_ambito(righe())
    assert letti(intermedio[ambito.pk]) == attesi(ambito)
    _approva(periodo, indicatore, django_capture_on_commit_callbacks)
    dopo = per_ambito(righe())
    assert letti(dopo[ambito.pk]) == attesi(ambito) != letti(intermedio[ambito.pk])
    assert dopo[altro.pk] == per_ambito(prima)[altro.pk] != attesi(altro)


def test_progress_api_of_many_ambiti_reads_its_list_as_one_entry(
    molise, utente_regione, monkeypatch, django_capture_on_commit_callbacks
):
    """The joined rows of a user's Ambiti are kept in the process's memory under the
    epoch of the indicators: while nothing changes, the next request reads the epoch
    from the shared cache, not the generation and the entry of each Ambito. A change in
    an Ambito moves the epoch: the generations of the user's Ambiti are read, and only
    the entry of the one that changed is sought in the shared cache (then computed)."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(utente_regione)
    prima = api.get("/api/v1/avanzamento/").json()
    letti = []
    get_many = cache.get_many
    monkeypatch.setattr(
        cache, "get_many", lambda chiavi: letti.append(len(chiavi)) or get_many(chiavi)
    )
    assert api.get("/api/v1/avanzamento/").json() == prima
    assert letti == [1]  # the epoch

    def dopo_un_cambio(ambito_id):
        with django_capture_on_commit_callbacks(execute=True):
            invalida_cache_ambito(ambito_id, INDICATORI)
        # Committed: the renewal ran and is no longer pending (Django's capture leaves
        # it in the test's transaction).
        connection.run_on_commit.clear()
        letti.clear()
        assert api.get("/api/v1/avanzamento/").json() == prima
        return letti

    # A change anywhere: the generations (the reference data's, each Ambito's); in one
    # of his Ambiti, that one's entry too, the others' are the process's copies.
    assert dopo_un_cambio(max(a.pk for a in molise) + 1) == [1, 1 + len(molise), 0]
    assert dopo_un_cambio(molise[1].pk) == [1, 1 + len(molise), 1]


def test_a_change_not_yet_committed_is_read_by_its_own_transaction(
    molise, utente_regione, amministratore, django_capture_on_commit_callbacks
):
    """The transaction that approved a value, not committed yet, reads its own Ambito's
    rows past the cache (the other processes keep the old generation until the commit),
    and the other Ambiti's from the cache."""
    from rest_framework.test import APIClient

    from indicatori.services import valori_approve

    api = APIClient()
    api.force_authenticate(utente_regione)
    ambito = molise[0]
    periodo, indicatore = _da_approvare(ambito, django_capture_on_commit_callbacks)
    # Committed: its renewals ran, and none is pending any more (Django's capture
    # leaves them in the test's transaction).
    connection.run_on_commit.clear()

    def riga():
        righe = api.get("/api/v1/avanzamento/").json()
        return next(r for r in righe if r["indicatore"] == indicatore.pk)

    inviato = riga()
    udp = user_with_role(Ruolo.UFFICIO_PIANO, ambito, username="udp.molise")
    # Not captured: the renewal waits for the test's transaction, which never commits.
    valori_approve(user=udp, periodo=periodo, valori=Valore.objects.filter(indicatore=indicatore))
    approvato = riga()
    [atteso] = [
        a
        for a in selectors.avanzamento_indicatori.__wrapped__(
            fetched_by=amministratore, ambito=ambito
        )
        if a.indicatore.pk == indicatore.pk
    ]
    assert approvato != inviato
    assert Decimal(approvato["valore"]) == atteso.valore
