"""API: same scoping, FilterSets, rules and messages as the pages; aggregates."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from ambito.models import Comune
from indicatori import selectors
from indicatori.choices import StatoPeriodo, StatoValore
from indicatori.models import Valore
from tests.problemi import errori

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


def url(nome, *args):
    return reverse(nome, args=args)


LISTA = "valore-list"


def _inserisci(client, indicatore, periodo, comune, valore, **altri):
    """POST one new value (a Comune's figure for a period) to the API."""
    dati = {
        "indicatore": indicatore.pk,
        "periodo": periodo.pk,
        "comune": comune.pk,
        "valore_numerico": valore,
    }
    return client.post(url(LISTA), {**dati, **altri}, format="json")


def test_anonymous_is_refused(aperto):
    assert APIClient().get(url(LISTA)).status_code == 401


def test_operator_lists_only_his_comune(api, operatore_rozzano, chiuso, rozzano):
    response = api(operatore_rozzano).get(url(LISTA), {"periodo": chiuso.pk, "page_size": 500})
    assert response.status_code == 200
    comuni = {r["comune"] for r in response.data["results"]}
    assert comuni == {rozzano.pk}


def test_filters_are_the_pages_filterset(api, ufficio_piano, chiuso, rozzano, indicatore):
    contatti = indicatore("1.OUT.1")
    response = api(ufficio_piano).get(
        url(LISTA),
        {
            "indicatore": contatti.pk,
            "comune": rozzano.pk,
            "periodo": chiuso.pk,
            "stato": "approvato",
        },
    )
    (riga,) = response.data["results"]
    assert riga["valore_numerico"] == "30.00" and riga["stato"] == StatoValore.APPROVATO
    bozze = api(ufficio_piano).get(url(LISTA), {"stato": "bozza"}).data["results"]
    assert {r["stato"] for r in bozze} == {"bozza"}
    assert api(ufficio_piano).get(url(LISTA), {"stato": "sbagliato"}).status_code == 400


def test_binasco_draft_is_404_for_rozzano(
    api, operatore_rozzano, operatore_binasco, aperto, binasco, indicatore
):
    creato = _inserisci(api(operatore_binasco), indicatore("1.OUT.1"), aperto, binasco, "4")
    assert creato.status_code == 201, creato.data
    pk = creato.data["id"]
    client = api(operatore_rozzano)
    assert client.get(url("valore-detail", pk)).status_code == 404
    assert (
        client.patch(
            url("valore-detail", pk), {"valore_numerico": "9", "versione": 1}, format="json"
        ).status_code
        == 404
    )
    assert Valore.objects.get(pk=pk).valore_numerico == 4


def test_operator_writes_his_comune_and_submits(
    api, operatore_rozzano, aperto, rozzano, indicatore
):
    client = api(operatore_rozzano)
    response = _inserisci(
        client, indicatore("1.OUT.1"), aperto, rozzano, "21", commento="Da registro"
    )
    assert response.status_code == 201
    assert (response.data["stato"], response.data["versione"]) == ("bozza", 1)
    pk = response.data["id"]
    response = client.patch(
        url("valore-detail", pk), {"valore_numerico": "22", "versione": 1}, format="json"
    )
    assert response.status_code == 200 and response.data["versione"] == 2
    assert response.data["commento"] == "Da registro"  # partial update keeps the rest
    response = client.post(
        url("valore-invia"), {"periodo": aperto.pk, "comune": rozzano.pk}, format="json"
    )
    assert response.status_code == 200 and response.data == {"inviati": 1}
    assert Valore.objects.get(pk=pk).stato == StatoValore.INVIATO


@pytest.mark.parametrize(
    "valore, campo, messaggio",
    [
        ("-1", "valore_numerico", "Il valore non può essere negativo."),
        ("2.5", "valore_numerico", "Un conteggio deve essere un numero intero."),
    ],
)
def test_bad_values_are_400_with_the_pages_messages(
    api, operatore_rozzano, aperto, rozzano, indicatore, valore, campo, messaggio
):
    response = _inserisci(api(operatore_rozzano), indicatore("1.OUT.1"), aperto, rozzano, valore)
    assert response.status_code == 400
    assert errori(response) == {campo: [messaggio]}
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()


def test_categories_over_the_total_is_400(api, operatore_rozzano, aperto, rozzano, indicatore):
    client = api(operatore_rozzano)
    beneficiari = indicatore("4.OUT.4")
    cella = {"indicatore": beneficiari.pk, "periodo": aperto.pk, "comune": rozzano.pk}
    assert (
        client.post(url(LISTA), {**cella, "valore_numerico": "2"}, format="json").status_code == 201
    )
    anziani = beneficiari.categorie.get(codice="anziani")
    response = client.post(
        url(LISTA), {**cella, "categoria": anziani.pk, "valore_numerico": "5"}, format="json"
    )
    assert response.status_code == 400
    assert errori(response) == {"categoria": ["La somma delle categorie (5) supera il totale (2)."]}


def test_closed_period_is_400(api, operatore_rozzano, chiuso, rozzano, indicatore):
    response = _inserisci(api(operatore_rozzano), indicatore("SRV.PIS"), chiuso, rozzano, "1")
    assert response.status_code == 400
    assert "è chiuso" in errori(response)["periodo"][0]


def test_far_from_history_needs_confirmation(api, operatore_rozzano, aperto, rozzano, indicatore):
    dati = {
        "indicatore": indicatore("SRV.PIS").pk,
        "periodo": aperto.pk,
        "comune": rozzano.pk,
        "valore_numerico": "40",
    }
    client = api(operatore_rozzano)
    response = client.post(url(LISTA), dati, format="json")
    assert response.status_code == 400
    assert list(errori(response)) == ["conferma_anomalia"]
    response = client.post(url(LISTA), {**dati, "conferma_anomalia": True}, format="json")
    assert response.status_code == 201 and response.data["anomalia_confermata"] is True


def test_updates_need_the_version_read(
    api, operatore_rozzano, ufficio_piano, aperto, rozzano, indicatore
):
    creato = _inserisci(api(operatore_rozzano), indicatore("1.OUT.1"), aperto, rozzano, "3")
    dettaglio = url("valore-detail", creato.data["id"])
    response = api(ufficio_piano).patch(dettaglio, {"valore_numerico": "4"}, format="json")
    assert response.status_code == 400 and "versione" in errori(response)
    assert (
        api(ufficio_piano)
        .patch(dettaglio, {"valore_numerico": "4", "versione": 1}, format="json")
        .status_code
        == 200
    )
    response = api(operatore_rozzano).patch(
        dettaglio, {"valore_numerico": "5", "versione": 1}, format="json"
    )
    assert response.status_code == 400
    assert errori(response)["versione"][0].startswith("Nel frattempo un altro utente")
    assert Valore.objects.get(pk=creato.data["id"]).valore_numerico == 4


def test_creating_an_existing_cell_is_400(api, ufficio_piano, aperto, indicatore):
    basiglio = Comune.objects.get(nome="Basiglio")  # its 2025 S2 values exist
    response = _inserisci(api(ufficio_piano), indicatore("1.OUT.1"), aperto, basiglio, "3")
    assert response.status_code == 400
    assert "esiste già" in errori(response)["versione"][0]


def test_the_auditor_cannot_write(api, revisore, aperto, rozzano, indicatore, chiuso):
    client = api(revisore)
    response = _inserisci(client, indicatore("1.OUT.1"), aperto, rozzano, "3")
    assert response.status_code == 403
    valore = Valore.objects.filter(periodo=chiuso, comune=rozzano).first()
    assert (
        client.patch(
            url("valore-detail", valore.pk),
            {"valore_numerico": "1", "versione": valore.versione},
            format="json",
        ).status_code
        == 403
    )
    assert (
        client.post(url("periodo-chiudi", aperto.pk), {"motivo": "x"}, format="json").status_code
        == 403
    )
    assert client.get(url("valore-detail", valore.pk)).status_code == 200


def test_approve_and_return(api, ufficio_piano, operatore_rozzano, aperto):
    opera = Comune.objects.get(nome="Opera")
    valori = Valore.objects.filter(periodo=aperto, comune=opera, stato=StatoValore.INVIATO)
    primo, secondo = valori.order_by("pk")[:2]
    assert api(operatore_rozzano).post(url("valore-approva", primo.pk)).status_code == 404
    response = api(ufficio_piano).post(url("valore-approva", primo.pk))
    assert response.status_code == 200 and response.data["stato"] == StatoValore.APPROVATO
    response = api(ufficio_piano).post(
        url("valore-respingi", secondo.pk), {"motivo": ""}, format="json"
    )
    assert response.status_code == 400 and "motivo" in errori(response)
    response = api(ufficio_piano).post(
        url("valore-respingi", secondo.pk), {"motivo": "Verificare"}, format="json"
    )
    assert response.data["stato"] == StatoValore.RESPINTO
    assert response.data["motivo_respingimento"] == "Verificare"
    response = api(ufficio_piano).post(
        url("valore-approva-comune"), {"periodo": aperto.pk, "comune": opera.pk}, format="json"
    )
    assert response.status_code == 200 and response.data["approvati"] == 21 - 2


def test_close_and_reopen(api, ufficio_piano, operatore_rozzano, periodo_2026):
    assert (
        api(operatore_rozzano)
        .post(url("periodo-chiudi", periodo_2026.pk), {"motivo": "x"}, format="json")
        .status_code
        == 403
    )
    client = api(ufficio_piano)
    response = client.post(url("periodo-chiudi", periodo_2026.pk), {"motivo": ""}, format="json")
    assert response.status_code == 400 and "motivo" in errori(response)
    response = client.post(
        url("periodo-chiudi", periodo_2026.pk), {"motivo": "Fine"}, format="json"
    )
    assert response.status_code == 200 and response.data["stato"] == StatoPeriodo.CHIUSO
    response = client.post(
        url("periodo-chiudi", periodo_2026.pk), {"motivo": "Di nuovo"}, format="json"
    )
    # A workflow rule: it names no field of the request (there is no "stato" to send).
    assert response.status_code == 400
    assert errori(response) == {"non_field_errors": ["Il periodo è già chiuso."]}
    response = client.post(
        url("periodo-riapri", periodo_2026.pk), {"motivo": "Correzione"}, format="json"
    )
    assert response.data["stato"] == StatoPeriodo.RIAPERTO


def test_other_ambito_gets_404(api, ufficio_piano_altro, aperto, chiuso, rozzano):
    client = api(ufficio_piano_altro)
    valore = Valore.objects.filter(periodo=chiuso, comune=rozzano).first()
    assert client.get(url("valore-detail", valore.pk)).status_code == 404
    assert client.get(url("periodo-detail", aperto.pk)).status_code == 404
    # A parameter naming a period out of scope is a bad parameter, as in a FilterSet.
    response = client.get(url("completezza-list"), {"periodo": aperto.pk})
    assert response.status_code == 400 and list(errori(response)) == ["periodo"]


def test_indicators_and_periods(api, operatore_rozzano, indicatore):
    client = api(operatore_rozzano)
    response = client.get(
        url("indicatore-list"), {"scheda": indicatore("4.OUT.4").scheda_id, "page_size": 100}
    )
    codici = {r["codice"] for r in response.data["results"]}
    assert "4.OUT.4" in codici and "1.OUT.1" not in codici
    dettaglio = client.get(url("indicatore-detail", indicatore("4.OUT.4").pk)).data
    assert dettaglio["valore_atteso"] == "82.00"
    assert [c["codice"] for c in dettaglio["categorie"]] == ["anziani", "disabili", "minori"]
    periodi = client.get(url("periodo-list"), {"stato": "aperto"}).data["results"]
    assert [p["codice"] for p in periodi] == ["2025-s2"]


# --- aggregates ----------------------------------------------------------------------


def test_progress_endpoint_equals_the_selector(api, ufficio_piano, piano):
    al = "2026-11-23"
    response = api(ufficio_piano).get(url("avanzamento-list"), {"piano": piano.pk, "al": al})
    assert response.status_code == 200 and len(response.data) == 82 - 22 - 4
    riga = next(r for r in response.data if r["codice"] == "4.OUT.4")
    assert (riga["valore"], riga["atteso"], riga["percentuale"], riga["stato"]) == (
        "56.00",
        "82.00",
        "68.3",
        "a_rischio",
    )
    attesi = selectors.avanzamento_indicatori(
        fetched_by=ufficio_piano, piano=piano, al=datetime.date(2026, 11, 23)
    )
    assert [r["stato"] for r in response.data] == [a.stato for a in attesi]
    assert api(ufficio_piano).get(url("avanzamento-list"), {"al": "ieri"}).status_code == 400


def test_completeness_endpoint(api, ufficio_piano, operatore_rozzano, aperto):
    response = api(ufficio_piano).get(url("completezza-list"), {"periodo": aperto.pk})
    assert len(response.data) == 11
    basiglio = next(r for r in response.data if r["comune_nome"] == "Basiglio")
    assert (basiglio["attesi"], basiglio["inviati"], basiglio["in_ritardo"]) == (18, 18, False)
    assert [
        r["comune_nome"]
        for r in api(operatore_rozzano).get(url("completezza-list"), {"periodo": aperto.pk}).data
    ] == ["Rozzano"]
    assert api(ufficio_piano).get(url("completezza-list")).status_code == 400


def test_beneficiaries_endpoint(api, ufficio_piano, operatore_rozzano, chiuso):
    risposta = api(ufficio_piano).get(url("beneficiari-list"), {"periodo": chiuso.pk}).data
    per_comune = {r["comune_nome"]: r["totale"] for r in risposta["results"]}
    assert per_comune["Rozzano"] == "18"  # 2 housing + 16 poverty centre
    assert len(per_comune) == risposta["count"] == 11
    # Paginated like every list (a national deployment has tens of thousands of rows),
    # in a stable order: by period, then Comune name.
    pagine = [
        api(ufficio_piano).get(url("beneficiari-list"), {"page_size": 4, "page": n}).data
        for n in (1, 2)
    ]
    assert len(pagine[0]["results"]) == 4 and pagine[0]["next"]
    nomi = [r["comune_nome"] for p in pagine for r in p["results"]]
    assert len(set(nomi)) == 8
    suoi = api(operatore_rozzano).get(url("beneficiari-list"), {"periodo": chiuso.pk}).data
    assert [r["comune_nome"] for r in suoi["results"]] == ["Rozzano"]


def test_a_beneficiaries_page_reads_its_rows_with_their_names(
    api, ufficio_piano, visconteo, chiuso
):
    """A page is written from the aggregate rows, which carry the names of their period
    and Comune: no lookup of the periods and Comuni of the page."""
    client = api(ufficio_piano)
    client.get(url("beneficiari-list"), {"ambito": visconteo.pk})  # the user's roles, cached
    with CaptureQueriesContext(connection) as letti:
        risposta = client.get(url("beneficiari-list"), {"ambito": visconteo.pk, "page_size": 4})
    assert len(risposta.data["results"]) == 4
    righe = selectors.beneficiari_di(
        selectors.beneficiari_per_comune_righe(fetched_by=ufficio_piano, ambito=visconteo)
    )[:4]
    assert [
        (r["periodo"], r["periodo_nome"], r["comune"], r["comune_nome"])
        for r in risposta.data["results"]
    ] == [(r.periodo.pk, r.periodo.nome, r.comune.pk, r.comune.nome) for r in righe]
    cercati = [q["sql"] for q in letti if 'FROM "indicatori_periodo"' in q["sql"]]
    cercati += [q["sql"] for q in letti if 'FROM "ambito_comune"' in q["sql"]]
    assert not cercati


def test_aggregates_by_area(api, ufficio_piano, chiuso, aperto):
    from servizi.models import AreaIntervento

    client = api(ufficio_piano)
    aree = {a.codice: a.pk for a in AreaIntervento.objects.all()}
    per_area = {
        codice: {
            r["comune_nome"]: r["totale"]
            for r in client.get(
                url("beneficiari-list"), {"periodo": chiuso.pk, "area": aree[codice]}
            ).data["results"]
        }
        for codice in ("politiche-abitative", "poverta-inclusione", "famiglia-minori")
    }
    # Rozzano's 18 = 2 housing (scheda 3) + 16 poverty centre (scheda 4).
    assert per_area["politiche-abitative"]["Rozzano"] == "2"
    assert per_area["poverta-inclusione"]["Rozzano"] == "16"
    assert per_area["famiglia-minori"] == {}

    abitare = client.get(url("avanzamento-list"), {"area": aree["politiche-abitative"]}).data
    assert abitare and {r["codice"][:2] for r in abitare} == {"3."}
    dovuti = client.get(
        url("completezza-list"), {"periodo": aperto.pk, "area": aree["politiche-abitative"]}
    ).data
    assert {r["attesi"] for r in dovuti} == {
        selectors.indicatori_comunali_dovuti(aperto)
        .filter(area__codice="politiche-abitative")
        .count()
    }
    assert client.get(url("avanzamento-list"), {"area": "casa"}).status_code == 400
    assert client.get(url("avanzamento-list"), {"area": 99999}).status_code == 400


@pytest.mark.parametrize(
    "nome, params",
    [
        ("valore-list", {"page_size": 200}),
        ("indicatore-list", {}),
        ("periodo-list", {}),
        ("avanzamento-list", {}),
        ("beneficiari-list", {}),
    ],
)
def test_api_lists_run_few_queries(api, ufficio_piano, nome, params, django_assert_max_num_queries):
    client = api(ufficio_piano)
    with django_assert_max_num_queries(10):
        assert client.get(url(nome), params).status_code == 200


def test_schema_documents_the_indicator_endpoints(client, ufficio_piano):
    client.force_login(ufficio_piano)
    response = client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    for path in [
        "/api/v1/valori/",
        "/api/v1/valori/{id}/",
        "/api/v1/valori/{id}/approva/",
        "/api/v1/valori/{id}/respingi/",
        "/api/v1/valori/invia/",
        "/api/v1/valori/approva-comune/",
        "/api/v1/periodi/{id}/chiudi/",
        "/api/v1/periodi/{id}/riapri/",
        "/api/v1/indicatori/",
        "/api/v1/avanzamento/",
        "/api/v1/completezza/",
        "/api/v1/beneficiari/",
    ]:
        assert path in schema["paths"], path


def test_a_periods_values_are_the_filtersets_list(
    api, monkeypatch, ufficio_piano, operatore_rozzano, visconteo, chiuso, aperto
):
    """`?periodo=` alone is read by compiled queries: the same answer as the FilterSet's
    list (rows, count, links, 400 and 404), for users of each kind, on any page."""
    from ambito.choices import Ruolo
    from indicatori.api import views
    from tests.factories import user_with_role

    compilati = []
    originale = views._valori_del_periodo

    def spia(request):
        elenco = originale(request)
        compilati.append(elenco is not None)
        return elenco

    monkeypatch.setattr(views, "_valori_del_periodo", spia)
    regione = user_with_role(Ruolo.REGIONE, visconteo)
    pagine = [{}, {"page_size": 7}, {"page_size": 7, "page": 2}, {"page": "last", "page_size": 7}]
    pagine += [{"page": 99}, {"page": 0}, {"page_size": 501}]
    for user in (ufficio_piano, operatore_rozzano, regione):
        client = api(user)
        for periodo in (chiuso.pk, aperto.pk, 10**17):
            for parametri in pagine:
                dati = {"periodo": periodo, **parametri}
                compilata = client.get(url(LISTA), dati)
                with monkeypatch.context() as solo_orm:
                    solo_orm.setattr(views, "_valori_del_periodo", lambda request: None)
                    orm = client.get(url(LISTA), dati)
                assert compilata.status_code == orm.status_code, (user, dati)
                assert compilata.json() == orm.json(), (user, dati)
    assert compilati.count(True) == 3 * 2 * len(pagine)  # not the period out of sight


def test_a_periods_values_are_counted_and_paged(api, ufficio_piano, chiuso, periodo_2026):
    client = api(ufficio_piano)
    n = Valore.objects.filter(periodo=chiuso).count()
    assert n > 10
    with CaptureQueriesContext(connection) as eseguite:  # roles, period, count, page
        prima = client.get(url(LISTA), {"periodo": chiuso.pk, "page_size": 4}).json()
    assert len(eseguite) <= 4
    assert prima["count"] == n and prima["previous"] is None
    assert prima["next"].endswith(f"page=2&page_size=4&periodo={chiuso.pk}")
    seconda = client.get(prima["next"]).json()
    assert seconda["previous"].endswith(f"page_size=4&periodo={chiuso.pk}")
    assert {r["id"] for r in prima["results"]}.isdisjoint(r["id"] for r in seconda["results"])
    ultima = client.get(url(LISTA), {"periodo": chiuso.pk, "page_size": 4, "page": "last"})
    assert len(ultima.json()["results"]) == n - 4 * ((n - 1) // 4) and not ultima.json()["next"]
    oltre = client.get(url(LISTA), {"periodo": chiuso.pk, "page_size": 4, "page": (n + 3) // 4 + 1})
    assert oltre.status_code == 404
    # A short first page is the count: no COUNT query; an empty period, an empty page.
    with CaptureQueriesContext(connection) as eseguite:
        tutta = client.get(url(LISTA), {"periodo": chiuso.pk, "page_size": 500}).json()
    assert tutta["count"] == len(tutta["results"]) == n
    assert not any("COUNT(" in q["sql"] for q in eseguite)
    vuoto = client.get(url(LISTA), {"periodo": periodo_2026.pk}).json()
    assert vuoto == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(url(LISTA), {"periodo": periodo_2026.pk, "page": 2}).status_code == 404


def test_a_beneficiaries_page_reads_only_its_blocks_of_the_cached_list(
    api, ufficio_piano, visconteo, monkeypatch, django_capture_on_commit_callbacks
):
    """The cached list is kept in blocks: every page (any size, across two blocks, the
    last) is the list's own slice, read from the blocks it spans, with no aggregate
    query; an approval in the Ambito gives the fresh list at once."""
    from django.core.cache import cache

    from ambito.platform import cache as memoria
    from ambito.platform.cache import INDICATORI, invalida_cache_ambito

    monkeypatch.setattr(memoria, "BLOCCO", 3)
    client = api(ufficio_piano)
    tutte = client.get(url("beneficiari-list"), {"page_size": 500}).data["results"]
    assert len(tutte) > 7  # three blocks at least
    letti = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda k: letti.append(len(k)) or get_many(k))
    for quante, pagina in ((2, 1), (4, 1), (4, 2), (3, 3), (5, "last")):
        letti.clear()
        with CaptureQueriesContext(connection) as query:
            risposta = client.get(url("beneficiari-list"), {"page_size": quante, "page": pagina})
        numero = risposta.data["count"] // quante + 1 if pagina == "last" else pagina
        inizio = (numero - 1) * quante
        assert risposta.data["results"] == tutte[inizio : inizio + quante]
        assert risposta.data["count"] == len(tutte)
        blocchi = letti[-1]  # the generations first, then the blocks
        assert blocchi == (inizio + len(risposta.data["results"]) - 1) // 3 - inizio // 3 + 1
        assert not [q for q in query if "indicatori_valore" in q["sql"]]

    Valore.objects.filter(stato=StatoValore.APPROVATO, comune__isnull=False).filter(
        indicatore__conta_beneficiari=True
    ).update(valore_numerico=0)
    with django_capture_on_commit_callbacks(execute=True):
        invalida_cache_ambito(visconteo.pk, INDICATORI)
    connection.run_on_commit.clear()  # committed
    dopo = client.get(url("beneficiari-list"), {"page_size": 4, "page": 2}).data["results"]
    assert [r["totale"] for r in dopo] == ["0"] * 4
