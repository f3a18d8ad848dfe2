"""Production settings and the security headers every response carries."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("check", deploy=True, fail_level="DEBUG")  # any message at all fails
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "STATICFILES_STORAGE": settings.STORAGES["staticfiles"]["BACKEND"],
    "WHITENOISE_USE_FINDERS": settings.WHITENOISE_USE_FINDERS,
}))
"""


def run_with(env_overrides, code):
    # The browser tests allow sync ORM calls in this process; a deployment must not.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "ambito.settings", **env_overrides}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_with(
        {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "zonale.example.it",
        },
        PRODUCTION_PROBE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "System check identified no issues (0 silenced)."
    values = json.loads(lines[-1])
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "WHITENOISE_USE_FINDERS": False,
    }


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with({"DEBUG": "false", "SECRET_KEY": ""}, "import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("url_name", ["login", "home", "registro:index"])
def test_pages_carry_the_security_headers(as_user, ufficio_piano, url_name):
    response = as_user(ufficio_piano).get(reverse(url_name))
    assert response.status_code == 200
    csp = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no CDN
    # No inline style either (the inlined SVG charts carry presentation attributes), no CDN.
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_responses_carry_the_headers_too(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get("/api/v1/comuni/")
    assert response["Content-Type"] == "application/json"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_short_lived(client, db):
    from tests.factories import UserFactory

    UserFactory(username="cookie.test")
    client.post(reverse("login"), {"username": "cookie.test", "password": "Password-di-prova-1"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 8 * 60 * 60


def test_static_files_are_served_by_the_app_with_whitenoise(client):
    assert settings.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") == 1
    # The web fonts come from a static stylesheet, not from Bootstrap Italia's
    # loadFonts(), which would inject an inline <style> the CSP blocks.
    page = client.get(reverse("login")).content.decode()
    assert "/static/css/fonts.css" in page
    assert "/static/js/bootstrap-italia-config.js" in page
    assert page.index("bootstrap-italia-config.js") < page.index("bootstrap-italia.bundle.min.js")
    css = b"".join(client.get("/static/css/fonts.css").streaming_content).decode()
    font = css.split('url("../')[1].split('"')[0]
    assert client.get(f"/static/{font}").status_code == 200


def test_the_api_documentation_needs_no_inline_script(client):
    page = client.get(reverse("api_docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html
    script = client.get(reverse("api_docs") + "?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
