"""Personal API tokens: created, used, rotated and revoked from the user's pages; 401
with WWW-Authenticate; throttles per token, per user and for invalid tokens."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambito.models import TokenAPI
from tests.factories import api_token

SEGRETO = re.compile(r'value="(zon_[A-Za-z0-9_-]{20,})"')


def _api(segreto=None, schema="Bearer", **extra):
    """An API client of a script: no session, only the token."""
    client = Client()
    if segreto is not None:
        extra["HTTP_AUTHORIZATION"] = f"{schema} {segreto}"
    return lambda path, **params: client.get(path, params, **extra)


def _segreto(response):
    assert response.status_code == 200, response.status_code
    match = SEGRETO.search(response.content.decode())
    assert match, "the secret is shown on the page"
    return match.group(1)


@pytest.mark.django_db
def test_token_lifecycle_through_the_pages(as_user, operatore_rozzano, rozzano, binasco):
    pages = as_user(operatore_rozzano)
    assert pages.get(reverse("token:tokenapi_create")).status_code == 200
    response = pages.post(
        reverse("token:tokenapi_create"), {"nome": "Foglio Excel", "giorni_validita": "90"}
    )
    segreto = _segreto(response)
    assert "no-store" in response["Cache-Control"]
    token = TokenAPI.objects.get(utente=operatore_rozzano)
    assert token.chiave_hash != segreto and segreto not in token.chiave_hash  # stored hashed
    assert segreto.startswith(token.prefisso)
    assert (token.scade_il - token.creato_il).days == 90

    # The token sees what the user sees: his Comune only; another Comune is 404.
    comuni = _api(segreto)("/api/v1/comuni/").json()
    assert [c["nome"] for c in comuni["results"]] == ["Rozzano"]
    assert _api(segreto)(f"/api/v1/comuni/{binasco.pk}/").status_code == 404
    assert _api(segreto, schema="Token")("/api/v1/comuni/").status_code == 200

    elenco = pages.get(reverse("token:tokenapi_list")).content.decode()
    assert "Foglio Excel" in elenco and token.prefisso in elenco
    assert segreto not in elenco  # shown once, never again
    token.refresh_from_db()
    assert token.ultimo_uso is not None

    # Rotation: a new secret; the old one stops at once.
    assert pages.get(reverse("token:tokenapi_rotate", args=[token.pk])).status_code == 200
    nuovo = _segreto(pages.post(reverse("token:tokenapi_rotate", args=[token.pk])))
    assert nuovo != segreto
    vecchio = _api(segreto)("/api/v1/comuni/")
    assert vecchio.status_code == 401
    assert vecchio["WWW-Authenticate"] == 'Bearer realm="api"'
    assert _api(nuovo)("/api/v1/comuni/").status_code == 200

    # Revocation: nothing works any more, the token stays listed as revoked.
    response = pages.post(reverse("token:tokenapi_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert _api(nuovo)("/api/v1/comuni/").status_code == 401
    assert "revocato il" in pages.get(reverse("token:tokenapi_list")).content.decode()

    # The audit trail holds creation, rotation and revocation, by the user.
    storia = list(token.history.order_by("history_date"))
    assert [h.history_type for h in storia] == ["+", "~", "~"]
    assert {h.history_user for h in storia} == {operatore_rozzano}
    assert storia[1].prefisso == nuovo[: len(token.prefisso)]
    assert storia[2].revocato_il is not None


@pytest.mark.django_db
def test_another_users_token_cannot_be_rotated_or_revoked(as_user, ufficio_piano, revisore):
    api_token(revisore)
    token = TokenAPI.objects.get(utente=revisore)
    client = as_user(ufficio_piano)
    assert client.post(reverse("token:tokenapi_rotate", args=[token.pk])).status_code == 404
    assert client.post(reverse("token:tokenapi_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revocato_il is None


@pytest.mark.django_db
def test_create_form_refuses_bad_input_next_to_the_field(as_user, revisore, settings):
    client = as_user(revisore)
    response = client.post(reverse("token:tokenapi_create"), {"nome": "", "giorni_validita": "999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_nome_errors"' in html and 'id="id_giorni_validita_errors"' in html
    assert not TokenAPI.objects.exists()

    settings.API_TOKEN_MASSIMI_PER_UTENTE = 1
    api_token(revisore)
    response = client.post(
        reverse("token:tokenapi_create"), {"nome": "Secondo", "giorni_validita": "30"}
    )
    assert "Hai già 1 token attivo" in response.content.decode()
    assert TokenAPI.objects.count() == 1


@pytest.mark.django_db
def test_expired_token_is_refused(revisore):
    segreto = api_token(revisore, giorni=30)
    TokenAPI.objects.update(scade_il=timezone.now() - datetime.timedelta(seconds=1))
    response = _api(segreto)("/api/v1/comuni/")
    assert response.status_code == 401
    assert "scaduto" in response.content.decode()


@pytest.mark.django_db
def test_inactive_users_tokens_stop_working(revisore):
    segreto = api_token(revisore)
    assert _api(segreto)("/api/v1/comuni/").status_code == 200
    revisore.is_active = False
    revisore.save()
    assert _api(segreto)("/api/v1/comuni/").status_code == 401


@pytest.mark.django_db
def test_last_use_is_written_at_most_once_a_minute(revisore):
    segreto = api_token(revisore)
    token = TokenAPI.objects.get()
    _api(segreto)("/api/v1/ambiti/")
    token.refresh_from_db()
    primo = token.ultimo_uso
    assert primo is not None
    _api(segreto)("/api/v1/ambiti/")
    token.refresh_from_db()
    assert token.ultimo_uso == primo  # not a write per request
    TokenAPI.objects.update(ultimo_uso=primo - datetime.timedelta(minutes=2))
    _api(segreto)("/api/v1/ambiti/")
    token.refresh_from_db()
    assert token.ultimo_uso > primo - datetime.timedelta(seconds=1)


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", [None, "Bearer zon_sbagliato", "Bearer", "Basic eDp5"])
def test_missing_or_invalid_credentials_answer_401_with_www_authenticate(visconteo, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().get("/api/v1/comuni/", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
def test_authenticated_user_without_permission_gets_403(operatore_rozzano, visconteo):
    segreto = api_token(operatore_rozzano)
    response = Client().post(
        "/api/v1/progetti/",
        {"titolo": "x"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {segreto}",
    )
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response


@pytest.mark.django_db
def test_token_list_page_queries_are_bounded(as_user, revisore, django_assert_max_num_queries):
    for n in range(8):
        api_token(revisore, nome=f"Token {n}")
    client = as_user(revisore)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("token:tokenapi_list"))
    assert response.content.decode().count("Rigenera") == 8


# --- Throttling (rates lowered per test: nothing depends on the clock or on load) -------

LIMITI = {"utente": "1000/min", "token": "1000/min", "token_non_valido": "1000/min"}


@pytest.mark.django_db
def test_token_over_its_rate_gets_429_with_retry_after(revisore, settings):
    settings.API_LIMITI = {**LIMITI, "token": "3/min"}
    segreto = api_token(revisore)
    altro = api_token(revisore, nome="Altro")
    api = _api(segreto)
    assert [api("/api/v1/ambiti/").status_code for _ in range(3)] == [200, 200, 200]
    response = api("/api/v1/ambiti/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert _api(altro)("/api/v1/ambiti/").status_code == 200  # per token


@pytest.mark.django_db
def test_user_over_his_rate_gets_429_whatever_the_means(as_user, revisore, settings):
    settings.API_LIMITI = {**LIMITI, "utente": "3/hour"}
    sessione = as_user(revisore)
    assert sessione.get("/api/v1/ambiti/").status_code == 200
    assert sessione.get("/api/v1/ambiti/").status_code == 200
    assert _api(api_token(revisore))("/api/v1/ambiti/").status_code == 200
    response = sessione.get("/api/v1/ambiti/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 60  # an hourly rate


@pytest.mark.django_db
def test_repeated_invalid_tokens_from_one_address_are_throttled(revisore, settings):
    settings.API_LIMITI = {**LIMITI, "token_non_valido": "3/hour"}
    segreto = api_token(revisore)
    revocato = api_token(revisore, nome="Revocato")
    TokenAPI.objects.filter(nome="Revocato").update(revocato_il=timezone.now())
    da = {"REMOTE_ADDR": "192.0.2.7"}
    # A revoked token is refused but is no guess: it does not count.
    assert {_api(revocato, **da)("/api/v1/ambiti/").status_code for _ in range(5)} == {401}
    codici = [_api(f"zon_tentativo{n}", **da)("/api/v1/ambiti/").status_code for n in range(4)]
    assert codici == [401, 401, 401, 429]
    # From that address even a good token waits: a guesser learns nothing meanwhile.
    response = _api(segreto, **da)("/api/v1/ambiti/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert _api(segreto, REMOTE_ADDR="192.0.2.8")("/api/v1/ambiti/").status_code == 200
