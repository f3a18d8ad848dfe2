"""Dashboard aggregates are cached, and never outlive the data they come from."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ambito.models import RevisioneDati
from ambito.revisioni import revisioni
from indicatori import selectors
from indicatori.choices import StatoValore
from indicatori.models import Valore
from indicatori.services import valori_approve

URL = reverse("indicatori:cruscotto")


def _approvati(dati):
    return {r.comune.pk: r.approvati for r in dati.completezza_righe}


def _get(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["dati"], len(queries)


def test_dashboard_comes_from_the_cache_until_values_are_approved(
    as_user, ufficio_piano, visconteo, aperto
):
    client = as_user(ufficio_piano)
    params = {"ambito": visconteo.pk, "periodo": aperto.pk}
    prima, query_prima = _get(client, params)
    seconda, query_seconda = _get(client, params)
    # The second request runs none of the aggregate queries.
    assert query_seconda <= query_prima - 10
    assert _approvati(seconda) == _approvati(prima)

    # A bulk approval (no model signal: the service renews the revision itself).
    inviati = Valore.objects.filter(periodo=aperto, stato=StatoValore.INVIATO)
    comune_id = inviati.values_list("comune_id", flat=True).first()
    approvati = valori_approve(
        user=ufficio_piano, periodo=aperto, valori=inviati.filter(comune_id=comune_id)
    )
    assert approvati > 0

    dopo, _ = _get(client, params)
    atteso = selectors.completezza_periodo.__wrapped__(fetched_by=ufficio_piano, periodo=aperto)
    assert _approvati(dopo) == {r.comune.pk: r.approvati for r in atteso}
    assert _approvati(dopo)[comune_id] > _approvati(prima)[comune_id]


def test_a_dashboard_computed_afresh_reads_the_revisions_once(
    as_user, ufficio_piano, visconteo, aperto
):
    """Its nested cached selectors (progress, completeness, beneficiaries, funds...)
    share the revisions read for the dashboard itself."""
    client = as_user(ufficio_piano)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, {"ambito": visconteo.pk}).status_code == 200
    letture = [q for q in queries if 'FROM "ambito_revisionedati"' in q["sql"]]
    assert len(letture) == 1


def test_api_progress_follows_a_saved_value_at_once(ufficio_piano, piano, chiuso):
    api = APIClient()
    api.force_authenticate(ufficio_piano)
    url = "/api/v1/avanzamento/"
    prima = {r["indicatore"]: r for r in api.get(url, {"piano": piano.pk}).json()}
    valore = (
        Valore.objects.filter(periodo=chiuso, stato=StatoValore.APPROVATO, categoria__isnull=True)
        .exclude(valore_numerico=None)
        .select_related("indicatore")
        .first()
    )
    valore.valore_numerico += 1000
    valore.save()  # an edit through the ORM (the admin, say): the signal renews it
    dopo = {r["indicatore"]: r for r in api.get(url, {"piano": piano.pk}).json()}
    assert dopo != prima
    fresco = selectors.avanzamento_indicatori.__wrapped__(fetched_by=ufficio_piano, piano=piano)
    attesi = {a.indicatore.pk: a.valore for a in fresco}
    assert Decimal(str(dopo[valore.indicatore_id]["valore"])) == attesi[valore.indicatore_id]


def test_roles_and_rolled_back_changes_give_their_own_figures(
    as_user, ufficio_piano, operatore_rozzano, rozzano, visconteo, chiuso
):
    tutti = selectors.beneficiari_per_comune(
        fetched_by=ufficio_piano, ambito=visconteo, periodi=[chiuso]
    )
    solo_rozzano = selectors.beneficiari_per_comune(
        fetched_by=operatore_rozzano, ambito=visconteo, periodi=[chiuso]
    )
    assert len(tutti) > 1 and {r.comune for r in solo_rozzano} == {rozzano}

    revisione = revisioni([visconteo.pk])
    with pytest.raises(RuntimeError), transaction.atomic():
        Valore.objects.filter(periodo=chiuso, comune=rozzano).first().save()
        assert revisioni([visconteo.pk]) != revisione
        raise RuntimeError("rollback")
    # The rolled-back change took its new revision with it: the cache still holds.
    assert revisioni([visconteo.pk]) == revisione


def test_reference_data_and_each_ambito_have_their_revision(visconteo, altro_ambito):
    from servizi.models import AreaIntervento

    prima = dict(revisioni([visconteo.pk, altro_ambito.pk]))
    area = AreaIntervento.objects.first()
    area.save()
    dopo = dict(revisioni([visconteo.pk, altro_ambito.pk]))
    assert dopo[0] != prima[0]  # reference data: every Ambito's aggregates
    assert dopo[visconteo.pk] == prima[visconteo.pk]
    altro_ambito.save()
    assert dict(revisioni([visconteo.pk]))[visconteo.pk] == prima[visconteo.pk]
    assert RevisioneDati.objects.get(pk=altro_ambito.pk).numero != prima[altro_ambito.pk]
