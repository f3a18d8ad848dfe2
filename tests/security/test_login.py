"""Login hardening: lockout after repeated failures (django-axes), password rules."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

PASSWORD = "Password-di-prova-1"  # tests.factories.UserFactory


@pytest.fixture
def utente(db):
    return UserFactory(username="mario.rossi")


def login(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    for _ in range(times):
        response = login(client, username, "sbagliata", **extra)
    return response


def test_wrong_password_shows_an_italian_error(client, utente):
    response = login(client, "mario.rossi", "sbagliata")
    assert response.status_code == 200
    assert "Nome utente o password non corretti" in response.content.decode()


def test_lockout_after_five_failures_with_an_italian_message(client, utente, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    response = fail(client, "mario.rossi", 4)
    assert response.status_code == 200
    response = fail(client, "mario.rossi", 1)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Accesso temporaneamente bloccato" in html
    assert "Riprova tra 15 minuti" in html
    assert 'value="mario.rossi"' in html  # the login form is still there

    # Even the right password is refused while locked out.
    response = login(client, "mario.rossi", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, utente):
    altro = UserFactory(username="laura.bianchi")
    fail(client, "mario.rossi", 5)
    assert login(client, altro.username, PASSWORD).status_code == 302  # others unaffected
    other_office = Client(REMOTE_ADDR="10.1.2.3")
    assert login(other_office, "mario.rossi", PASSWORD).status_code == 302


def test_forged_forwarded_for_does_not_reset_the_count(client, utente):
    for n in range(5):
        login(client, "mario.rossi", "sbagliata", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert login(client, "mario.rossi", PASSWORD).status_code == 429


def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(client, utente, settings):
    settings.PROXY_COUNT = 1
    fail(client, "mario.rossi", 5, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7")
    # Same real client (last entry), forged first entry changed: still locked out.
    response = login(client, "mario.rossi", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7")
    assert response.status_code == 429
    # Another client behind the same proxy is not.
    response = login(client, "mario.rossi", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert response.status_code == 302


def test_lockout_ends_after_the_cool_off(client, utente, settings):
    fail(client, "mario.rossi", 5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )
    assert login(client, "mario.rossi", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, utente):
    fail(client, "mario.rossi", 4)
    assert login(client, "mario.rossi", PASSWORD).status_code == 302
    client.logout()
    fail(client, "mario.rossi", 4)
    assert login(client, "mario.rossi", PASSWORD).status_code == 302


def test_admin_login_is_locked_out_too(client, utente):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "mario.rossi", "password": "x"})
    response = client.post(reverse("login"), {"username": "mario.rossi", "password": PASSWORD})
    assert response.status_code == 429


def test_test_client_login_and_force_login_still_work(client, utente):
    """Axes needs the request to count; the test client's helpers bypass it cleanly."""
    assert client.login(username="mario.rossi", password=PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    other = Client()
    other.force_login(utente)
    assert other.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "password, message",
    [
        ("Corta-1", "troppo corta"),
        ("12345678901234", "interamente numerica"),
        ("password123456", "troppo comune"),
        ("mario.rossi.2025", "troppo simile"),
    ],
)
def test_weak_passwords_are_refused_in_italian(utente, password, message):
    with translation.override("it"), pytest.raises(ValidationError) as error:
        validate_password(password, user=utente)
    assert message in " ".join(error.value.messages)


def test_a_long_enough_password_is_accepted(utente):
    validate_password("Visconteo-Sud-Milano-2025", user=utente)
