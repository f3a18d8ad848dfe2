"""Login throttling, Content-Security-Policy, production settings."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_login_is_locked_after_repeated_failures(client, ufficio_piano):
    url = reverse("login")
    for _ in range(4):
        response = client.post(url, {"username": ufficio_piano.username, "password": "sbagliata"})
        assert "Nome utente o password non corretti" in response.content.decode()
    response = client.post(url, {"username": ufficio_piano.username, "password": "sbagliata"})
    assert response.status_code == 429  # the fifth failure locks
    # Even the right password is refused while the lock lasts, with an Italian page.
    response = client.post(
        url, {"username": ufficio_piano.username, "password": "Password-di-prova-1"}
    )
    assert response.status_code == 429
    assert "Accesso temporaneamente bloccato" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_works(client, ufficio_piano):
    response = client.post(
        reverse("login"), {"username": ufficio_piano.username, "password": "Password-di-prova-1"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ufficio_piano.pk)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/territorio/",
        "/indicatori/cruscotto/",
        "/indicatori/",
        "/fondi/",
        "/fondi/progetti/",
        "/report/",
    ],
)
def test_pages_send_csp_and_have_no_inline_script(as_user, ufficio_piano, url):
    response = as_user(ufficio_piano).get(url)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    inline = [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
    assert inline == []
    assert not re.search(r"\son[a-z]+=\"", html)  # no inline event handlers


def test_check_deploy_reports_nothing_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "zonale.example.it",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "x"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
