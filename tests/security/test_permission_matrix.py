"""Every URL of the project, every method, seven users, in and out of scope.

The expected statuses live in `matrix.py`. Pages answering 200 with HTML are also
checked against the Content-Security-Policy: no inline script and no inline style
(`inline.py`; the policy allows neither, see test_csp.py).
"""

import json
from fnmatch import fnmatchcase
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

import ambito.platform.pdf
from ambito.choices import Ruolo
from ambito.models import Comune
from tests.factories import user_with_role

from .inline import csp_allows_inline_styles, inline_code
from .matrix import MATRIX, ROLES, MatrixData, all_urls, entry_for

URLS = all_urls()


@pytest.fixture
def matrix_data(
    visconteo,
    rozzano,
    binasco,
    altro_ambito,
    operatore_rozzano,
    operatore_binasco,
    ufficio_piano,
    ufficio_piano_altro,
    revisore,
):
    lodi = Comune.objects.get(ambito=altro_ambito)
    # The Regione reads the Ambito's region, not the other Ambito's.
    altro_ambito.regione = "Emilia-Romagna"
    altro_ambito.save(update_fields=["regione"])
    regione = user_with_role(Ruolo.REGIONE, visconteo, username="regione.matrice")
    return MatrixData(
        ambito={"in": visconteo, "out": altro_ambito},
        comune={"in": rozzano, "out": lodi},
        comune_b=binasco,
        users={
            "anon": None,
            "op_a": operatore_rozzano,
            "op_b": operatore_binasco,
            "udp": ufficio_piano,
            "udp_x": ufficio_piano_altro,
            "rev": revisore,
            "reg": regione,
        },
    )


@pytest.fixture(autouse=True)
def pdf_senza_impaginazione(monkeypatch):
    """The PDF reports (report:*) still gather their data and render their template, but
    WeasyPrint's layout is skipped: it took most of this file's time (~5 s a report) and
    says nothing about who may download it (tests/indicatori/test_reports.py and
    tests/ambito/test_pdf.py check the real PDFs)."""

    def render_pdf(template, context):
        render_to_string(template, context)
        return b"%PDF-1.7 matrix", 1

    monkeypatch.setattr(ambito.platform.pdf, "render_pdf", render_pdf)


@pytest.fixture
def clients(matrix_data):
    """One client per role, logged in once; `send` restores the session after a logout."""
    result = {}
    for role, user in matrix_data.users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        result[role] = client
    return result


def send(client, method, path, body):
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if path.startswith("/api/"):
        data, content_type = json.dumps(body or {}), "application/json"
    else:
        data, content_type = urlencode(body or {}), "application/x-www-form-urlencoded"
    with transaction.atomic():
        response = client.generic(method, path, data=data, content_type=content_type)
        transaction.set_rollback(True)
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    return response


def build_path(info, entry, data, scope):
    if entry.url is not None:
        return entry.url(data, scope, info)
    kwargs = entry.kwargs(data, scope) if entry.kwargs else {}
    return reverse(info.name, kwargs=kwargs)


@pytest.mark.parametrize("info", URLS, ids=[u.key for u in URLS])
def test_permission_matrix(info, matrix_data, clients):
    entry = entry_for(info, MATRIX)
    assert entry is not None, (
        f"URL {info.key!r} ({info.route}) has no entry in tests/security/matrix.py: "
        "add one with the expected status for every role, method and scope."
    )
    expected = entry.parsed()
    styles_allowed = csp_allows_inline_styles()
    mismatches, csp_problems = [], []
    for scope in entry.scopes():
        path = build_path(info, entry, matrix_data, scope)
        for method in entry.methods:
            for role in ROLES:
                body = entry.body(matrix_data, scope, method) if entry.body else None
                response = send(clients[role], method, path, body)
                want = expected[method][scope][role]
                if response.status_code != want:
                    mismatches.append(
                        f"{method:6} {path} [{scope}] as {role}: "
                        f"expected {want}, got {response.status_code}"
                    )
                if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                    csp_problems += [
                        f"{method} {path} as {role}: {p}"
                        for p in inline_code(
                            response.content.decode(), styles_allowed=styles_allowed
                        )
                    ]
    assert not mismatches, f"{info.key}: status not as in the matrix\n" + "\n".join(mismatches)
    assert not csp_problems, f"{info.key}: inline code the CSP blocks\n" + "\n".join(
        sorted(set(csp_problems))
    )


def test_every_matrix_entry_names_an_existing_url():
    """Entries of URLs that were renamed or removed are not left behind."""
    keys = {u.key for u in URLS}
    stale = [
        k
        for k in MATRIX
        if ("*" in k and not any(fnmatchcase(u, k) for u in keys))
        or ("*" not in k and k not in keys)
    ]
    assert not stale, f"matrix entries without a URL: {stale}"


def test_every_entry_is_well_formed():
    for key, entry in MATRIX.items():
        try:
            entry.parsed()
        except ValueError as error:
            pytest.fail(f"{key}: {error}")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_no_url_accepts_a_write_without_csrf_token(method, matrix_data, ufficio_piano):
    """A browser session (cookie) cannot write anything without the CSRF token."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(ufficio_piano)
    accepted = []
    for info in URLS:
        entry = entry_for(info, MATRIX)
        if entry is None or method not in entry.methods:
            continue  # reported by test_permission_matrix / a method-blind wildcard entry
        path = build_path(info, entry, matrix_data, "in")
        response = send(client, method, path, None)
        if response.status_code != 403:
            accepted.append(f"{method} {path}: {response.status_code}")
    assert not accepted, "answered without a CSRF token:\n" + "\n".join(accepted)


def test_unknown_role_code_is_rejected():
    from .matrix import Entry

    with pytest.raises(ValueError):
        Entry(expect={"GET": "200 200"}).parsed()
    with pytest.raises(ValueError):
        Entry(expect={"GET": "200 200 200 200 200 200"}).parsed()  # POST... missing


def test_inline_code_finder_spots_what_the_csp_blocks():
    html = (
        '<p style="color:red">x</p><script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)" onclick="x()">y</a>'
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
    )
    assert len(inline_code(html)) == 5
    # With style-src 'unsafe-inline' only the inline script and handlers remain.
    assert len(inline_code(html, styles_allowed=True)) == 3
    assert inline_code('<script src="/static/a.js"></script><p class="x">ok</p>') == []
