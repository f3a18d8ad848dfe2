"""API of the fondi app: scoping (404/403), the same 400 messages as the pages,
aggregates equal to the pages' figures, bounded query counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from ambito.choices import Ruolo
from ambito.models import Incarico
from fondi.models import Assegnazione, AvanzamentoFinanziario, FinanziamentoProgetto, Progetto
from tests.factories import user_with_role
from tests.problemi import errori

from .factories import MSG_CUP, PROGETTO_NON_VALIDO, AvanzamentoFactory, ProgettoFactory, linea


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def test_anonymous_gets_401(client, visconteo):
    response = client.get("/api/v1/progetti/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize(
    "url, conteggio",
    [("/api/v1/fonti/", 16), ("/api/v1/linee-finanziamento/", 28)],
)
def test_reference_data_is_readable_by_everyone_signed_in(api, ufficio_piano_altro, url, conteggio):
    response = api(ufficio_piano_altro).get(url)
    assert response.status_code == 200
    assert response.json()["count"] == conteggio


def test_project_list_has_amounts_and_latest_progress(api, revisore, progetto_pnrr):
    AvanzamentoFactory(
        progetto=progetto_pnrr,
        data=datetime.date(2025, 9, 30),
        ammesso=Decimal("1090000"),
        vincolante=Decimal("900000"),
        erogato=Decimal("234350"),
    )
    response = api(revisore).get("/api/v1/progetti/", {"linea": linea("PNRR-M5C2-1.3.2").pk})
    [dati] = response.json()["results"]
    assert dati["importo_finanziato"] == "1194394.83"
    assert [(f["linea_codice"], f["importo"]) for f in dati["finanziamenti"]] == [
        ("PNRR-M5C2-1.3.2", "1090000.00"),
        ("GSE", "104394.83"),
    ]
    assert dati["ultimo_avanzamento"]["erogato"] == "234350.00"
    assert dati["ultimo_avanzamento"]["data"] == "2025-09-30"
    assert dati["percentuale_erogato"] == "21.50"
    assert dati["stati_successivi"] == ["concluso", "revocato"]


def test_project_without_progress_has_no_latest_snapshot_and_its_status_label(
    api, revisore, progetto_pnrr
):
    response = api(revisore).get("/api/v1/progetti/", {"linea": linea("PNRR-M5C2-1.3.2").pk})
    [dati] = response.json()["results"]
    assert dati["ultimo_avanzamento"] is None
    assert dati["percentuale_erogato"] is None
    assert (dati["stato"], dati["stato_display"]) == ("in_corso", "In corso")


def test_list_endpoints_use_the_pages_filtersets(api, ufficio_piano, progetto_con_partner):
    client = api(ufficio_piano)
    assert client.get("/api/v1/progetti/").json()["count"] == 4
    risposta = client.get("/api/v1/progetti/", {"linea": linea("PNRR-M5C2-1.3").pk}).json()
    assert risposta["count"] == 2
    assert client.get("/api/v1/progetti/", {"stato": "candidato"}).json()["count"] == 0
    assert client.get("/api/v1/progetti/", {"anno": 2026}).json()["count"] == 3
    assert client.get("/api/v1/assegnazioni/", {"anno": 2022}).json()["count"] == 15
    regionali = client.get("/api/v1/assegnazioni/", {"livello": "regionale", "anno": 2023})
    assert sum(Decimal(r["importo"]) for r in regionali.json()["results"]) == Decimal("1470712.00")
    ordinati = client.get("/api/v1/assegnazioni/", {"anno": 2023, "ordering": "-importo"}).json()
    assert ordinati["results"][0]["linea_codice"] == "COFINANZIAMENTO-COMUNALE"


def test_invalid_filter_answers_400(api, ufficio_piano):
    response = api(ufficio_piano).get("/api/v1/fondi/totali/", {"anno": "duemila"})
    assert response.status_code == 400
    assert "anno" in errori(response)


# --- Aggregates ------------------------------------------------------------------------


def test_funds_totals_equal_the_piano_and_the_page(api, ufficio_piano, visconteo):
    client = api(ufficio_piano)
    dati = client.get("/api/v1/fondi/totali/").json()
    assert [
        (r["anno"], r["totale"], r["totale_riportato"], r["differenza"]) for r in dati["per_anno"]
    ] == [
        (2022, "5111878.00", "5111878.00", "0.00"),
        (2023, "5544651.00", "5544651.00", "0.00"),
    ]
    [prospetto] = client.get(reverse("fondi:index")).context["prospetti"]
    for riga in dati["per_anno"]:
        assert Decimal(riga["totale"]) == prospetto.totali[riga["anno"]]
    livelli = {(r["anno"], r["livello"]): r["totale"] for r in dati["per_livello"]}
    assert livelli[(2022, "ue")] == "92856.00"
    linee = {(r["anno"], r["linea_codice"]): r["totale"] for r in dati["per_linea"]}
    assert linee[(2023, "FNPS")] == "653552.00"
    fonti = {(r["anno"], r["fonte_codice"]): r["totale"] for r in dati["per_fonte"]}
    assert fonti[(2023, "FNA")] == "549329.00"
    filtrati = client.get("/api/v1/fondi/totali/", {"anno": 2023, "livello": "comunale"}).json()
    assert [r["totale"] for r in filtrati["per_anno"]] == ["1946144.00"]


def test_funds_totals_of_another_ambito_are_empty(api, ufficio_piano_altro):
    dati = api(ufficio_piano_altro).get("/api/v1/fondi/totali/").json()
    assert dati == {"per_anno": [], "per_livello": [], "per_fonte": [], "per_linea": []}


def test_project_progress_aggregate(api, operatore_rozzano, visconteo):
    dati = api(operatore_rozzano).get("/api/v1/fondi/avanzamento-progetti/").json()
    assert dati["numero_progetti"] == 3
    assert dati["finanziato_totale"] == "2261893.83"
    pnrr = {r["fonte_codice"]: r["totale"] for r in dati["finanziato_per_fonte"]}
    assert pnrr == {"PNRR": "2157499.00", "GSE": "104394.83"}
    gse_esclusa = api(operatore_rozzano).get(
        "/api/v1/fondi/avanzamento-progetti/", {"linea": linea("PNRR-M5C2-1.2").pk}
    )
    assert gse_esclusa.json()["finanziato_totale"] == "357499.00"


# --- Scope: 404 outside, 403 visible but not editable --------------------------------------


def _urls(progetto):
    return {
        "progetto": f"/api/v1/progetti/{progetto.pk}/",
        "finanziamento": f"/api/v1/finanziamenti-progetto/{progetto.finanziamenti.first().pk}/",
        "avanzamento": f"/api/v1/avanzamenti/{progetto.avanzamenti.first().pk}/",
    }


@pytest.mark.parametrize(
    "ruolo, lettura, scrittura",
    [
        ("ufficio_piano", 200, 200),
        ("operatore_rozzano", 200, 403),
        ("revisore", 200, 403),
        ("ufficio_piano_altro", 200, 403),  # partner: reads, does not write
    ],
)
def test_project_endpoints_permission_matrix(
    request, api, progetto_con_partner, ruolo, lettura, scrittura
):
    client = api(request.getfixturevalue(ruolo))
    for nome, url in _urls(progetto_con_partner).items():
        assert client.get(url).status_code == lettura, nome
        assert (
            _patch(client, url, {"nota": "x"} if nome != "progetto" else {"rup": "x"}).status_code
            == scrittura
        ), nome
    cambio = _post(
        client, f"{_urls(progetto_con_partner)['progetto']}cambia-stato/", {"stato": "concluso"}
    )
    assert cambio.status_code == scrittura
    progetto_con_partner.refresh_from_db()
    assert progetto_con_partner.stato == ("concluso" if scrittura == 200 else "in_corso")


def test_objects_outside_scope_answer_404(api, ufficio_piano_altro, progetto_pnrr, visconteo):
    AvanzamentoFactory(progetto=progetto_pnrr)
    client = api(ufficio_piano_altro)
    for url in _urls(progetto_pnrr).values():
        assert client.get(url).status_code == 404
        assert _patch(client, url, {"nota": "x"}).status_code == 404
    assegnazione = Assegnazione.objects.filter(ambito=visconteo).first()
    assert client.get(f"/api/v1/assegnazioni/{assegnazione.pk}/").status_code == 404
    assert client.get("/api/v1/progetti/").json()["count"] == 0
    # creating a snapshot on an invisible project: the project "does not exist"
    response = _post(
        client,
        "/api/v1/avanzamenti/",
        {
            "progetto": progetto_pnrr.pk,
            "data": "2025-01-01",
            "programmato": "1",
            "ammesso": "1",
            "vincolante": "0",
            "erogato": "0",
        },
    )
    assert response.status_code == 400 and "progetto" in errori(response)
    assert not progetto_pnrr.avanzamenti.filter(data="2025-01-01").exists()


@pytest.mark.parametrize("ruolo", ["operatore_rozzano", "revisore"])
@pytest.mark.parametrize("url", ["/api/v1/progetti/", "/api/v1/assegnazioni/"])
def test_only_the_ufficio_di_piano_creates(request, api, visconteo, ruolo, url):
    prima = Progetto.objects.count(), Assegnazione.objects.count()
    response = _post(api(request.getfixturevalue(ruolo)), url, {"titolo": "x"})
    assert response.status_code == 403
    assert (Progetto.objects.count(), Assegnazione.objects.count()) == prima


def test_partner_cannot_add_snapshots(api, ufficio_piano_altro, progetto_con_partner):
    response = _post(
        api(ufficio_piano_altro),
        "/api/v1/avanzamenti/",
        {
            "progetto": progetto_con_partner.pk,
            "data": "2025-01-01",
            "programmato": "1",
            "ammesso": "1",
            "vincolante": "0",
            "erogato": "0",
        },
    )
    assert response.status_code == 403
    assert progetto_con_partner.avanzamenti.count() == 1


# --- Writes: same services, same Italian messages as the pages -------------------------------


def _progetto(visconteo, **campi):
    return {
        "titolo": "Dimissioni protette",
        "linea": linea("PNRR-M5C2-1.1.3").pk,
        "ambito": visconteo.pk,
    } | campi


def test_ufficio_piano_creates_and_updates_a_project(
    api, ufficio_piano, visconteo, altro_ambito, rozzano
):
    client = api(ufficio_piano)
    response = _post(
        client,
        "/api/v1/progetti/",
        _progetto(
            visconteo,
            cup="b49j17000130006",
            comuni=[rozzano.pk],
            ambiti_partner=[altro_ambito.pk],
            data_inizio="2024-01-01",
        ),
    )
    assert response.status_code == 201, response.json()
    dati = response.json()
    assert dati["cup"] == "B49J17000130006"
    assert dati["stato"] == "candidato" and dati["importo_finanziato"] == "0.00"
    # The relations as the API shows them (read from the lists the selector prefetches).
    assert dati["ambiti_partner"] == [altro_ambito.pk] and dati["comuni"] == [rozzano.pk]
    progetto = Progetto.objects.get(pk=dati["id"])
    assert list(progetto.ambiti_partner.all()) == [altro_ambito]
    response = _patch(client, f"/api/v1/progetti/{progetto.pk}/", {"rup": "Giulia Ferrari"})
    assert response.status_code == 200
    assert response.json()["comuni"] == [rozzano.pk]
    righe = client.get("/api/v1/progetti/").json()["results"]
    riga = next(r for r in righe if r["id"] == progetto.pk)
    assert riga["ambiti_partner"] == [altro_ambito.pk] and riga["comuni"] == [rozzano.pk]
    progetto.refresh_from_db()
    assert progetto.rup == "Giulia Ferrari"
    assert list(progetto.comuni.all()) == [rozzano]  # untouched by a partial update


@pytest.mark.parametrize(
    "campi, campo, messaggio",
    [*PROGETTO_NON_VALIDO, ({"cup": "B49J17000130006B49J17000130006X"}, "cup", MSG_CUP)],
)
def test_bad_project_input_answers_400_with_the_pages_message(
    api, ufficio_piano, visconteo, campi, campo, messaggio
):
    prima = Progetto.objects.count()
    response = _post(api(ufficio_piano), "/api/v1/progetti/", _progetto(visconteo, **campi))
    assert response.status_code == 400
    assert errori(response)[campo] == [messaggio]
    assert Progetto.objects.count() == prima


def test_duplicate_cup_answers_400(api, ufficio_piano, visconteo):
    ProgettoFactory(ambito=visconteo, cup="B49J17000130006")
    prima = Progetto.objects.count()
    response = _post(
        api(ufficio_piano), "/api/v1/progetti/", _progetto(visconteo, cup="B49J17000130006")
    )
    assert response.status_code == 400
    assert errori(response) == {"cup": ["Esiste già un progetto con questo CUP."]}
    assert Progetto.objects.count() == prima


def test_project_in_an_ambito_not_managed_answers_400(api, ufficio_piano, altro_ambito):
    response = _post(api(ufficio_piano), "/api/v1/progetti/", _progetto(altro_ambito))
    assert response.status_code == 400 and "ambito" in errori(response)
    assert not Progetto.objects.filter(ambito=altro_ambito).exists()


def test_status_changes_through_the_api(api, ufficio_piano, progetto_pnrr):
    client = api(ufficio_piano)
    url = f"/api/v1/progetti/{progetto_pnrr.pk}/cambia-stato/"
    response = _post(client, url, {"stato": "ammesso"})
    assert response.status_code == 400
    assert errori(response) == {
        "stato": [
            "Passaggio di stato non consentito: da «In corso» a «Ammesso e finanziato». "
            "Stati possibili: Concluso, Revocato."
        ]
    }
    progetto_pnrr.refresh_from_db()
    assert progetto_pnrr.stato == "in_corso"
    response = _patch(client, f"/api/v1/progetti/{progetto_pnrr.pk}/", {"stato": "candidato"})
    assert response.status_code == 400 and "stato" in errori(response)
    response = _post(client, url, {"stato": "concluso"})
    assert response.status_code == 200
    assert response.json()["stato"] == "concluso"
    assert response.json()["stati_successivi"] == ["revocato"]
    assert _post(client, url, {"stato": "in_corso"}).status_code == 400
    assert _post(client, url, {"stato": "revocato"}).status_code == 200
    assert _post(client, url, {"stato": "boh"}).status_code == 400
    progetto_pnrr.refresh_from_db()
    assert progetto_pnrr.stato == "revocato"


def test_allocations_through_the_api(api, ufficio_piano, visconteo):
    client = api(ufficio_piano)
    dati = {"ambito": visconteo.pk, "linea": linea("FSE-PLUS").pk, "anno": 2024}
    response = _post(client, "/api/v1/assegnazioni/", dati | {"importo": "-1.00"})
    assert response.status_code == 400
    assert errori(response) == {"importo": ["L'importo non può essere negativo."]}
    response = _post(client, "/api/v1/assegnazioni/", dati | {"importo": "1500.25"})
    assert response.status_code == 201
    response = _post(client, "/api/v1/assegnazioni/", dati | {"importo": "1"})
    assert response.status_code == 400
    assert errori(response)["anno"][0].startswith("Esiste già un'assegnazione di questa linea")
    assert Assegnazione.objects.get(linea__codice="FSE-PLUS").importo == Decimal("1500.25")
    totali = client.get("/api/v1/fondi/totali/", {"anno": 2024}).json()
    assert totali["per_anno"][0]["totale"] == "1500.25"
    assert totali["per_anno"][0]["totale_riportato"] is None


def _avanzamento(progetto):
    """A valid progress snapshot of the project (erogato <= vincolante <= ammesso)."""
    return {
        "progetto": progetto.pk,
        "data": "2025-06-30",
        "programmato": "1194394.83",
        "ammesso": "1090000.00",
        "vincolante": "500000.00",
        "erogato": "250000.00",
    }


@pytest.mark.parametrize(
    "importi, campo, messaggio",
    [
        (
            {"erogato": "500000.01"},
            "erogato",
            "L'importo erogato non può superare l'importo giuridicamente vincolante.",
        ),
        (
            {"vincolante": "1090000.01", "erogato": "0"},
            "vincolante",
            "L'importo giuridicamente vincolante non può superare l'importo ammesso a "
            "finanziamento.",
        ),
        (
            {"ammesso": "-1", "vincolante": "0", "erogato": "0"},
            "ammesso",
            "L'importo non può essere negativo.",
        ),
    ],
)
def test_bad_snapshots_answer_400(api, ufficio_piano, progetto_pnrr, importi, campo, messaggio):
    dati = _avanzamento(progetto_pnrr)
    response = _post(api(ufficio_piano), "/api/v1/avanzamenti/", dati | importi)
    assert response.status_code == 400
    assert errori(response)[campo] == [messaggio]
    assert not AvanzamentoFinanziario.objects.filter(progetto=progetto_pnrr).exists()


def test_snapshot_and_amount_writes(api, ufficio_piano, progetto_pnrr):
    client = api(ufficio_piano)
    dati = _avanzamento(progetto_pnrr)
    response = _post(client, "/api/v1/avanzamenti/", dati)
    assert response.status_code == 201
    assert response.json()["percentuale_erogato"] == "22.94"
    assert errori(_post(client, "/api/v1/avanzamenti/", dati))["data"][0].startswith("Esiste già")
    url = f"/api/v1/avanzamenti/{response.json()['id']}/"
    assert _patch(client, url, {"erogato": "600000"}).status_code == 400
    assert _patch(client, url, {"erogato": "400000"}).status_code == 200
    assert AvanzamentoFinanziario.objects.get(pk=response.json()["id"]).erogato == Decimal(
        "400000.00"
    )
    response = _post(
        client,
        "/api/v1/finanziamenti-progetto/",
        {"progetto": progetto_pnrr.pk, "linea": linea("GSE").pk, "importo": "1"},
    )
    assert response.status_code == 400 and "linea" in errori(response)
    response = _post(
        client,
        "/api/v1/finanziamenti-progetto/",
        {"progetto": progetto_pnrr.pk, "linea": linea("FSE-PLUS").pk, "importo": "-2"},
    )
    assert errori(response) == {"importo": ["L'importo non può essere negativo."]}
    assert FinanziamentoProgetto.objects.filter(progetto=progetto_pnrr).count() == 2


# --- Query counts --------------------------------------------------------------------------


@pytest.mark.parametrize("numero", [5, 200])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/progetti/",
        "/api/v1/avanzamenti/",
        "/api/v1/finanziamenti-progetto/",
        "/api/v1/assegnazioni/",
        "/api/v1/fondi/totali/",
        "/api/v1/fondi/avanzamento-progetti/",
        "/api/v1/linee-finanziamento/",
    ],
)
def test_api_query_counts_are_bounded(
    api, ufficio_piano, molti_progetti, django_assert_max_num_queries, numero, url
):
    molti_progetti(numero)
    client = api(ufficio_piano)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_partner_rows_are_not_duplicated_in_lists(api, ufficio_piano_altro, molti_progetti):
    molti_progetti(7)
    client = api(ufficio_piano_altro)
    assert client.get("/api/v1/progetti/").json()["count"] == 7
    assert client.get("/api/v1/avanzamenti/").json()["count"] == 14
    assert client.get("/api/v1/fondi/avanzamento-progetti/").json()["numero_progetti"] == 7


def test_schema_documents_the_fondi_endpoints(api, ufficio_piano):
    schema = api(ufficio_piano).get("/api/schema/", {"format": "json"}).json()
    for path in [
        "/api/v1/progetti/",
        "/api/v1/progetti/{id}/cambia-stato/",
        "/api/v1/assegnazioni/",
        "/api/v1/avanzamenti/",
        "/api/v1/fondi/totali/",
        "/api/v1/fondi/avanzamento-progetti/",
    ]:
        assert path in schema["paths"], path


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/progetti/",
        "/api/v1/assegnazioni/",
        "/api/v1/finanziamenti-progetto/",
        "/api/v1/avanzamenti/",
        "/api/v1/linee-finanziamento/",
        "/api/v1/fonti/",
        "/api/v1/atti/",
        "/api/v1/candidature/",
        "/api/v1/partner-progetto/",
    ],
)
def test_lists_read_quickly_say_what_drf_would(
    api, ufficio_piano, progetto_con_partner, monkeypatch, url
):
    """The serializers' fast read (LetturaRapidaMixin) answers exactly DRF's own."""
    from rest_framework import serializers

    from ambito.api.serializers import LetturaRapidaMixin
    from fondi import models

    from ..factories import EnteFactory

    visconteo, progetto = progetto_con_partner.ambito, progetto_con_partner
    atto = models.Atto.objects.create(
        ambito=visconteo, tipo="proroga", numero="12", data=datetime.date(2024, 5, 2)
    )
    models.AttoProgetto.objects.create(
        atto=atto, progetto=progetto, nuova_data_fine=datetime.date(2027, 6, 30)
    )
    ente = EnteFactory(ambito=visconteo, nome="ASST di prova", tipo="asst")
    candidatura = models.Candidatura.objects.create(
        avviso="Avviso 1/2022", titolo="Domanda", ambito=visconteo, ente_capofila=ente
    )
    models.LineaCandidatura.objects.create(
        candidatura=candidatura, linea=linea("PNRR-M5C2-1.2"), importo=Decimal("211500.00")
    )
    models.PartecipazioneCandidatura.objects.create(
        candidatura=candidatura, ambito=progetto.ambiti_partner.get(), quota=Decimal("40")
    )
    models.PartnerProgetto.objects.create(
        progetto=progetto, ente=ente, ruolo="partner", quota=Decimal("20.00")
    )
    client = api(ufficio_piano)
    veloce = client.get(url, {"page_size": 500}).json()
    assert veloce["results"]
    monkeypatch.setattr(
        LetturaRapidaMixin, "to_representation", serializers.Serializer.to_representation
    )
    assert client.get(url, {"page_size": 500}).json() == veloce


def test_a_serializer_read_once_per_class_refuses_a_field_that_reads_the_context():
    """A serializer whose rows read the same in any context has its plan made once per
    class; a field that may read the request (a method, a default computed from it)
    is refused at the first read, not served from another request's plan."""
    from django.core.exceptions import ImproperlyConfigured
    from rest_framework import serializers

    from ambito.api.serializers import LetturaRapidaMixin

    class ConMetodo(LetturaRapidaMixin, serializers.Serializer):
        letto_senza_contesto = True
        nome = serializers.CharField()
        chi = serializers.SerializerMethodField()

        def get_chi(self, obj):
            return self.context["request"].user.username

    class ConValoreFisso(LetturaRapidaMixin, serializers.Serializer):
        letto_senza_contesto = True
        nome = serializers.CharField()
        nota = serializers.CharField(default="")

    with pytest.raises(ImproperlyConfigured, match="chi"):
        ConMetodo({"nome": "x"}).data  # noqa: B018
    assert ConValoreFisso({"nome": "x", "nota": "y"}).data == {"nome": "x", "nota": "y"}


@pytest.mark.parametrize("url", ["/api/v1/fondi/totali/", "/api/v1/fondi/avanzamento-progetti/"])
def test_aggregates_read_quickly_say_what_drf_would(
    api, ufficio_piano, progetto_con_partner, monkeypatch, url
):
    """The aggregates' rows (dicts) read by the fast path answer exactly DRF's own."""
    from rest_framework import serializers

    from ambito.api.serializers import LetturaRapidaMixin

    client = api(ufficio_piano)
    veloce = client.get(url).json()
    assert any(isinstance(v, list) and v for v in veloce.values())  # rows to read
    monkeypatch.setattr(
        LetturaRapidaMixin, "to_representation", serializers.Serializer.to_representation
    )
    cache.clear()  # written again, not read from the cache
    assert client.get(url).json() == veloce


def test_funds_totals_are_each_users_own_and_follow_a_change_at_once(
    api,
    visconteo,
    altro_ambito,
    ufficio_piano,
    revisore,
    operatore_rozzano,
    ufficio_piano_altro,
    admin_user,
    django_capture_on_commit_callbacks,
):
    """The totals kept in the cache per Ambito (as JSON) are what the selector gives
    each kind of user, read twice; a new allocation shows in the next request."""
    from fondi.api.serializers import FondiTotaliSerializer
    from fondi.selectors import fondi_totali
    from fondi.services import assegnazione_save

    regione = user_with_role(Ruolo.REGIONE, visconteo, username="regione.fondi")
    consorzio = user_with_role(Ruolo.UFFICIO_PIANO, visconteo, username="udp.consorzio")
    Incarico.objects.create(user=consorzio, ambito=altro_ambito, ruolo=Ruolo.UFFICIO_PIANO)
    utenti = [
        ufficio_piano,
        revisore,
        operatore_rozzano,
        ufficio_piano_altro,
        admin_user,
        regione,
        consorzio,
    ]

    def attesi(user):
        return json.loads(json.dumps(FondiTotaliSerializer(fondi_totali(fetched_by=user)).data))

    def letti(user):
        client = api(user)
        return [client.get("/api/v1/fondi/totali/").json() for _volta in (1, 2)]

    assegnazione = Assegnazione.objects.filter(ambito=visconteo).first()
    Assegnazione.objects.create(
        ambito=altro_ambito, linea=assegnazione.linea, anno=2023, importo=Decimal("100.00")
    )
    for user in utenti:
        assert letti(user) == [attesi(user)] * 2, user
    ambiti = {r["ambito"] for r in letti(consorzio)[0]["per_anno"]}
    assert ambiti == {visconteo.pk, altro_ambito.pk}

    with django_capture_on_commit_callbacks(execute=True):
        assegnazione_save(
            assegnazione=Assegnazione(
                ambito=visconteo, linea=assegnazione.linea, anno=2031, importo=Decimal("7.50")
            )
        )
    connection.run_on_commit.clear()  # committed
    for user in utenti:
        assert letti(user) == [attesi(user)] * 2, user
    nuove = [r for r in letti(consorzio)[0]["per_anno"] if r["anno"] == 2031]
    assert [(r["ambito"], r["totale"]) for r in nuove] == [(visconteo.pk, "7.50")]
