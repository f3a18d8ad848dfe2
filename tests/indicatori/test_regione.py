"""The regional dashboard: a small synthetic region (Molise), its figures against each
Ambito's own selectors, the Regione's scope, and queries that do not grow with Ambiti."""

import random
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambito import sintetico as territorio_sintetico
from ambito.choices import Ruolo
from ambito.models import Ambito
from ambito.selectors import popolazione_di_riferimento
from fondi import sintetico as fondi_sintetico
from fondi.models import Progetto
from fondi.reports import cruscotto_fondi
from fondi.selectors import progetti_riepilogo
from indicatori import regione, selectors
from indicatori import sintetico as indicatori_sintetico
from indicatori.choices import StatoValore
from indicatori.models import Indicatore, Periodo, Valore
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


def test_an_approval_shows_in_the_next_request(
    molise, utente_regione, amministratore, django_capture_on_commit_callbacks
):
    """The counts of indicators per status are kept per Ambito under its data
    generation: no batch job, the approval itself makes the next request recompute."""
    from ambito.platform.cache import invalida_cache_ambito
    from indicatori.services import valori_approve

    ambito = molise[0]
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
    udp = user_with_role(Ruolo.UFFICIO_PIANO, ambito, username="udp.molise")
    with django_capture_on_commit_callbacks(execute=True):
        valori_approve(
            user=udp,
            periodo=periodo,
            valori=Valore.objects.filter(indicatore=indicatore, periodo=periodo),
        )
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


def test_page_api_and_pdf(client, molise, utente_regione, monkeypatch):
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

    import ambito.platform.pdf

    monkeypatch.setattr(ambito.platform.pdf, "render_pdf", lambda t, c: (b"%PDF-", 1))
    pdf = client.post(reverse("report:regione"), {"anno": 2025})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


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
