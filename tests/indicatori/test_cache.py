"""Dashboard aggregates are cached, and never outlive the data they come from."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ambito.platform import cache as cache_module
from ambito.platform.cache import RIFERIMENTO, SEZIONI, generazioni
from ambito.services import dati_demografici_save
from indicatori import selectors
from indicatori.choices import StatoValore
from indicatori.models import Valore
from indicatori.services import valori_approve

URL = reverse("indicatori:cruscotto")
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _approvati(dati):
    return {r.comune.pk: r.approvati for r in dati.completezza_righe}


def _get(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["dati"], len(queries)


def test_dashboard_comes_from_the_cache_until_values_are_approved(
    as_user, ufficio_piano, visconteo, aperto, django_capture_on_commit_callbacks
):
    client = as_user(ufficio_piano)
    params = {"ambito": visconteo.pk, "periodo": aperto.pk}
    prima, query_prima = _get(client, params)
    seconda, query_seconda = _get(client, params)
    # The second request runs none of the aggregate queries.
    assert query_seconda <= query_prima - 10
    assert _approvati(seconda) == _approvati(prima)

    # A bulk approval: the service renews the Ambito's generation when it commits.
    inviati = Valore.objects.filter(periodo=aperto, stato=StatoValore.INVIATO)
    comune_id = inviati.values_list("comune_id", flat=True).first()
    generazione = generazioni([visconteo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        approvati = valori_approve(
            user=ufficio_piano, periodo=aperto, valori=inviati.filter(comune_id=comune_id)
        )
    assert approvati > 0
    assert generazioni([visconteo.pk]) != generazione

    dopo, _ = _get(client, params)
    atteso = selectors.completezza_periodo.__wrapped__(fetched_by=ufficio_piano, periodo=aperto)
    assert _approvati(dopo) == {r.comune.pk: r.approvati for r in atteso}
    assert _approvati(dopo)[comune_id] > _approvati(prima)[comune_id]


def test_the_cache_adds_no_query(as_user, ufficio_piano, visconteo, aperto, settings):
    """A dashboard computed afresh runs the queries it runs with no cache at all: the
    generations of the Ambiti live in the cache, not in the database."""
    client = as_user(ufficio_piano)
    params = {"ambito": visconteo.pk, "periodo": aperto.pk}
    _dati, freddo = _get(client, params)
    settings.CACHES = DUMMY
    _dati, senza_cache = _get(client, params)
    assert freddo == senza_cache


def test_api_progress_follows_an_approval_at_once(
    ufficio_piano, piano, aperto, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(ufficio_piano)
    url = "/api/v1/avanzamento/"
    prima = {r["indicatore"]: r for r in api.get(url, {"piano": piano.pk}).json()}
    valore = (
        Valore.objects.filter(
            periodo=aperto,
            stato=StatoValore.INVIATO,
            categoria__isnull=True,
            indicatore__piano=piano,
        )
        .exclude(valore_numerico=None)
        .exclude(valore_numerico=0)
        .select_related("indicatore")
        .first()
    )
    with django_capture_on_commit_callbacks(execute=True):
        valori_approve(
            user=ufficio_piano, periodo=aperto, valori=Valore.objects.filter(pk=valore.pk)
        )
    dopo = {r["indicatore"]: r for r in api.get(url, {"piano": piano.pk}).json()}
    assert dopo != prima
    fresco = selectors.avanzamento_indicatori.__wrapped__(fetched_by=ufficio_piano, piano=piano)
    attesi = {a.indicatore.pk: a.valore for a in fresco}
    assert Decimal(str(dopo[valore.indicatore_id]["valore"])) == attesi[valore.indicatore_id]


def test_roles_and_rolled_back_changes_give_their_own_figures(
    ufficio_piano, operatore_rozzano, rozzano, visconteo, chiuso, aperto
):
    tutti = selectors.beneficiari_per_comune(
        fetched_by=ufficio_piano, ambito=visconteo, periodi=[chiuso]
    )
    solo_rozzano = selectors.beneficiari_per_comune(
        fetched_by=operatore_rozzano, ambito=visconteo, periodi=[chiuso]
    )
    assert len(tutti) > 1 and {r.comune for r in solo_rozzano} == {rozzano}

    def completezza():
        return selectors.completezza_periodo(fetched_by=ufficio_piano, periodo=aperto)

    in_cache = completezza()
    generazione = generazioni([visconteo.pk])
    inviati = Valore.objects.filter(periodo=aperto, stato=StatoValore.INVIATO)
    with pytest.raises(RuntimeError), transaction.atomic():
        valori_approve(user=ufficio_piano, periodo=aperto, valori=inviati)
        # Not committed: the writing transaction reads its own change, past the cache...
        assert sum(r.approvati for r in completezza()) > sum(r.approvati for r in in_cache)
        # ...and the other processes keep the generation (nothing to see yet).
        assert generazioni([visconteo.pk]) == generazione
        raise RuntimeError("rollback")
    # The rolled-back change took its invalidation with it: the cache still holds.
    assert generazioni([visconteo.pk]) == generazione
    with CaptureQueriesContext(connection) as queries:
        assert completezza() == in_cache
    assert len(queries) <= 1  # the user's roles, if not read yet; no aggregate


def test_reference_data_and_each_ambito_have_their_generation(
    visconteo, altro_ambito, admin_client, django_capture_on_commit_callbacks
):
    from ambito.models import DatiDemografici
    from servizi.models import AreaIntervento

    prima = dict(generazioni([visconteo.pk, altro_ambito.pk]))
    dati = DatiDemografici(comune=altro_ambito.comuni.get(), anno=2024, residenti=43000)
    with django_capture_on_commit_callbacks(execute=True):
        dati_demografici_save(dati=dati)
    dopo = dict(generazioni([visconteo.pk, altro_ambito.pk]))
    # The residents are read by the indicators' rates and the funds per resident:
    # every section of that Ambito is renewed, and nothing of the other.
    for sezione in SEZIONI:
        assert dopo[altro_ambito.pk, sezione] != prima[altro_ambito.pk, sezione]
        assert dopo[visconteo.pk, sezione] == prima[visconteo.pk, sezione]
    assert dopo[RIFERIMENTO] == prima[RIFERIMENTO]

    # The admin edits models directly: each POST renews the reference data's
    # generation, part of every cached figure.
    area = AreaIntervento.objects.first()
    pagina = reverse("admin:servizi_areaintervento_change", args=[area.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(pagina, {"nome": area.nome, "codice": area.codice, "ordine": area.ordine})
    assert dict(generazioni([visconteo.pk]))[RIFERIMENTO] != dopo[RIFERIMENTO]


def test_api_progress_rows_are_cached_per_role_in_the_ambito(
    ufficio_piano, operatore_rozzano, revisore, piano, django_assert_max_num_queries
):
    """The progress rows are kept per Ambito and per the reader's roles there (an
    Operatore never gets another role's entry, should their figures ever differ); each
    reads what his own selector computes, and the second request reads the cache."""

    def righe(user):
        api = APIClient()
        api.force_authenticate(user)
        risposta = api.get("/api/v1/avanzamento/", {"format": "json"})
        assert risposta.status_code == 200
        return {r["indicatore"]: r["valore"] for r in risposta.json()}

    def dal_selettore(user):
        return {
            a.indicatore.pk: None if a.valore is None else f"{a.valore:.2f}"
            for a in selectors.avanzamento_indicatori.__wrapped__(fetched_by=user, piano=piano)
        }

    for user in (ufficio_piano, operatore_rozzano, revisore):
        attesi = dal_selettore(user)
        assert righe(user) == attesi
        with django_assert_max_num_queries(3):  # the plan, the roles: no aggregate
            assert righe(user) == attesi


def test_an_approval_leaves_the_funds_of_the_dashboard_in_the_cache(
    as_user, ufficio_piano, visconteo, aperto, django_capture_on_commit_callbacks
):
    """Approving a value renews the indicators' section of the Ambito's data only: the
    next dashboard computes the indicators again and reads the funds' figures from the
    cache. A change to the funds renews them in turn, at once."""
    from fondi.models import Assegnazione
    from fondi.services import assegnazione_save

    client = as_user(ufficio_piano)
    params = {"ambito": visconteo.pk, "periodo": aperto.pk}

    def cruscotto():
        with CaptureQueriesContext(connection) as queries:
            dati, _ = _get(client, params)
        return dati, " ".join(q["sql"] for q in queries.captured_queries)

    def commit(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            service(**kwargs)
        # As after a real commit (the test's transaction never commits): the renewals
        # ran and are no longer pending, which would keep the cache out of the Ambito.
        connection.run_on_commit.clear()

    prima, _sql = cruscotto()
    inviati = Valore.objects.filter(periodo=aperto, stato=StatoValore.INVIATO)
    comune_id = inviati.values_list("comune_id", flat=True)[0]
    commit(
        valori_approve,
        user=ufficio_piano,
        periodo=aperto,
        valori=inviati.filter(comune_id=comune_id),
    )
    dopo, sql = cruscotto()
    assert "indicatori_valore" in sql and "fondi_assegnazione" not in sql
    assert _approvati(dopo) != _approvati(prima)
    assert dopo.fondi == prima.fondi

    assegnazione = Assegnazione.objects.filter(ambito=visconteo, anno=prima.fondi["anno"])[0]
    assegnazione.importo += Decimal("1000.00")
    commit(assegnazione_save, assegnazione=assegnazione)
    rinnovato, sql = cruscotto()
    assert "fondi_assegnazione" in sql
    assert rinnovato.fondi["totale_anno"] == prima.fondi["totale_anno"] + Decimal("1000.00")


def test_api_completeness_follows_an_approval_and_is_cached_per_role(
    ufficio_piano,
    operatore_rozzano,
    revisore,
    aperto,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    """The completeness rows are kept as JSON per Ambito and reader's roles there: each
    user reads the rows his own selector computes (the Operatore his Comune's only),
    the second request reads the cache, and an approval shows at once."""

    def righe(user):
        api = APIClient()
        api.force_authenticate(user)
        risposta = api.get("/api/v1/completezza/", {"periodo": aperto.pk, "format": "json"})
        assert risposta.status_code == 200
        return {r["comune"]: (r["inviati"], r["approvati"]) for r in risposta.json()}

    def dal_selettore(user):
        fresche = selectors.completezza_periodo.__wrapped__(fetched_by=user, periodo=aperto)
        return {r.comune.pk: (r.inviati, r.approvati) for r in fresche}

    for user in (ufficio_piano, operatore_rozzano, revisore):
        attesi = dal_selettore(user)
        assert righe(user) == attesi
        with django_assert_max_num_queries(3):  # the period, the roles: no count
            assert righe(user) == attesi
    assert len(righe(operatore_rozzano)) == 1 < len(righe(ufficio_piano))

    valore = Valore.objects.filter(
        periodo=aperto, stato=StatoValore.INVIATO, comune__isnull=False
    ).first()
    prima = righe(ufficio_piano)[valore.comune_id]
    with django_capture_on_commit_callbacks(execute=True):
        valori_approve(
            user=ufficio_piano, periodo=aperto, valori=Valore.objects.filter(pk=valore.pk)
        )
    dopo = righe(ufficio_piano)
    assert dopo == dal_selettore(ufficio_piano)
    assert dopo[valore.comune_id] != prima


def test_the_processs_copies_keep_the_most_recently_read_within_their_size():
    copie = cache_module._Copie(capienza=10, durata=60)
    copie.set_many({"a": b"aaaaa", "b": b"bbb"})
    assert copie.get_many(["a"]) == {"a": b"aaaaa"}  # now the most recently read
    copie.set_many({"c": {"campo": b"cc", "altro": b"c"}})  # 11 bytes in all: "b" goes
    assert copie.get_many(["a", "b", "c"]) == {"a": b"aaaaa", "c": {"campo": b"cc", "altro": b"c"}}
    copie.set_many({"d": b"d" * 11})  # larger than the whole: not kept, nothing dropped
    assert copie.get_many(["a", "c", "d"]).keys() == {"a", "c"}

    scadute = cache_module._Copie(capienza=10, durata=-1)
    scadute.set_many({"a": b"a"})
    assert scadute.get_many(["a"]) == {}
