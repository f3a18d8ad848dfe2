"""Every main page sends the Content-Security-Policy and carries no inline script."""

import re

import pytest


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
