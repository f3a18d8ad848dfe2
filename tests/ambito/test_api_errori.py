"""One error format across the API (RFC 9457 problem details, in Italian): one example
of each kind of error, the strict parameters and the API root."""

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from fondi.models import Progetto
from tests.problemi import errori, problema

PROGETTI = "/api/v1/progetti/"


def _detail(progetto):
    return f"{PROGETTI}{progetto.pk}/"


@pytest.fixture
def progetto(visconteo):
    return Progetto.objects.filter(ambito=visconteo).order_by("pk").first()


def test_validation_error_names_the_field(as_user, ufficio_piano, progetto):
    response = as_user(ufficio_piano).patch(
        _detail(progetto), {"cup": "B49J1700013"}, content_type="application/json"
    )
    assert response.status_code == 400
    body = problema(response)
    assert (
        body["title"] == "Dati non validi" and body["type"] == "urn:zonale:errore:dati-non-validi"
    )
    assert body["errors"] == [
        {
            "field": "cup",
            "message": "Il CUP deve essere composto da esattamente 15 lettere maiuscole e cifre.",
            "code": "invalid",
        }
    ]
    assert body["detail"] == body["errors"][0]["message"]


def test_workflow_error_names_no_field(as_user, ufficio_piano, visconteo):
    from indicatori.models import Periodo

    chiuso = Periodo.objects.get(ambito=visconteo, codice="2025-s1")
    response = as_user(ufficio_piano).post(
        f"/api/v1/periodi/{chiuso.pk}/chiudi/", {"motivo": "Fine"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert errori(response) == {"non_field_errors": ["Il periodo è già chiuso."]}


def test_permission_error(as_user, operatore_rozzano, progetto):
    response = as_user(operatore_rozzano).patch(
        _detail(progetto), {"titolo": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    body = problema(response)
    assert (body["title"], body["errors"]) == ("Permesso negato", [])


def test_not_found_is_italian(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/valori/999999999/")
    assert response.status_code == 404
    body = problema(response)
    assert body["title"] == "Risorsa non trovata"
    assert body["detail"] == "L'elemento richiesto non esiste o non è visibile."


def test_unknown_api_url_answers_the_json_problem(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/non-esiste/")
    assert response.status_code == 404
    assert problema(response)["detail"] == "Nessuna risorsa dell'API a questo indirizzo."
    # Outside /api/ the 404 stays the page.
    pagina = as_user(ufficio_piano).get("/non-esiste/")
    assert pagina.status_code == 404 and pagina["Content-Type"].startswith("text/html")


def test_parse_error(as_user, ufficio_piano, progetto):
    response = as_user(ufficio_piano).patch(
        _detail(progetto), "{non json", content_type="application/json"
    )
    assert response.status_code == 400
    body = problema(response)
    assert body["title"] == "Richiesta non leggibile"
    assert body["detail"].startswith("Il corpo della richiesta non è un JSON valido")


def test_form_bodies_are_refused(as_user, ufficio_piano, progetto):
    response = as_user(ufficio_piano).patch(
        _detail(progetto), "titolo=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert problema(response)["title"] == "Formato della richiesta non supportato"


def test_method_not_allowed(as_user, ufficio_piano):
    response = as_user(ufficio_piano).delete("/api/v1/comuni/")
    assert response.status_code == 405
    assert problema(response)["detail"] == "Il metodo DELETE non è consentito su questo indirizzo."


def test_not_acceptable(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/comuni/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert problema(response)["title"] == "Formato di risposta non disponibile"


def test_an_error_of_a_csv_download_is_json(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/comuni/", {"format": "csv", "ordering": "x"})
    assert response.status_code == 400
    assert list(errori(response)) == ["ordering"]


def test_stale_if_match_is_412(as_user, ufficio_piano, progetto):
    client = as_user(ufficio_piano)
    letto = client.get(_detail(progetto))
    etag = letto["ETag"]
    assert etag == f'"{progetto.versione}"'
    ok = client.patch(
        _detail(progetto),
        {"titolo": "Nuovo titolo"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert ok.status_code == 200 and ok["ETag"] == f'"{progetto.versione + 1}"'
    response = client.patch(
        _detail(progetto),
        {"titolo": "Vecchio"},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 412
    assert problema(response)["title"] == "Versione non corrispondente"
    progetto.refresh_from_db()
    assert progetto.titolo == "Nuovo titolo"
    # "*" and a list containing the current tag match.
    etag = ok["ETag"]
    for if_match in ("*", '"0", {etag}'):
        risposta = client.patch(
            _detail(progetto),
            {"note": ""},
            content_type="application/json",
            HTTP_IF_MATCH=if_match.format(etag=etag),
        )
        assert risposta.status_code == 200, if_match
        etag = risposta["ETag"]


class _Sempre(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 30


class _Limitata(APIView):
    permission_classes = []
    throttle_classes = [_Sempre]

    def get(self, request):
        return Response({})


def test_throttled_is_429_with_the_same_shape():
    response = _Limitata.as_view()(APIRequestFactory().get("/api/v1/prova/"))
    response.render()
    assert response.status_code == 429 and response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/problem+json"
    assert response.data["title"] == "Troppe richieste"
    assert response.data["detail"] == "Troppe richieste: riprovare tra 30 secondi."


def test_anonymous_gets_the_problem(client):
    response = client.get("/api/v1/progetti/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert problema(response)["detail"] == "Credenziali non fornite."


# --- strict parameters -------------------------------------------------------------------


def test_unknown_ordering_lists_the_allowed_fields(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get(PROGETTI, {"ordering": "-segreto"})
    assert response.status_code == 400
    assert errori(response) == {
        "ordering": [
            "Ordinamento non ammesso: -segreto. Valori ammessi: cup, data_fine, "
            "data_scadenza, stato, titolo."
        ]
    }
    assert as_user(ufficio_piano).get(PROGETTI, {"ordering": "-cup,titolo"}).status_code == 200


@pytest.mark.parametrize("page_size", ["0", "-1", "x", "501"])
def test_invalid_page_size_is_400(as_user, ufficio_piano, page_size):
    response = as_user(ufficio_piano).get(PROGETTI, {"page_size": page_size})
    assert response.status_code == 400
    assert errori(response) == {"page_size": ["Indicare un numero intero da 1 a 500."]}


def test_invalid_page_is_400_and_a_page_past_the_last_404(as_user, ufficio_piano):
    assert as_user(ufficio_piano).get(PROGETTI, {"page": "x"}).status_code == 400
    response = as_user(ufficio_piano).get(PROGETTI, {"page": 99})
    assert response.status_code == 404
    assert problema(response)["detail"] == "La pagina 99 non esiste: le pagine sono 1."


def test_aggregate_parameters_are_validated_like_filters(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/completezza/", {"periodo": 999999})
    assert response.status_code == 400
    assert errori(response) == {"periodo": ["Nessun elemento visibile con id 999999."]}


def test_the_api_root_lists_the_resources(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    nomi = [r["nome"] for r in body["risorse"]]
    assert {"progetti", "valori", "completezza", "fondi/totali", "comuni"} <= set(nomi)
    assert body["schema"] == "http://testserver/api/schema/"
    progetti = next(r for r in body["risorse"] if r["nome"] == "progetti")
    assert progetti["url"] == "http://testserver/api/v1/progetti/"
