"""The personal API tokens' pages in the browser: from the profile to a token used on the
API, at phone, tablet and desktop widths (screenshots in test-artifacts/)."""

import re

from django.test import Client
from playwright.sync_api import expect

from .conftest import axe_violations, login

LARGHEZZE = [390, 768, 1366]


def _senza_scorrimento_laterale(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_token_creato_usato_e_revocato(page):
    login(page, "operatore.rozzano")
    page.locator("a[href='/profilo/']").first.click()
    page.get_by_role("link", name="Token API").click()
    expect(page.get_by_role("heading", name="Token dell'API")).to_be_visible()
    page.get_by_role("link", name="Nuovo token").click()
    page.get_by_label("Nome").fill("Foglio Excel del Comune")
    page.get_by_label("Validità").select_option("30")
    page.get_by_role("button", name="Crea il token").click()
    segreto = page.get_by_label("Token").input_value()
    assert re.fullmatch(r"zon_[\w-]{40,}", segreto)
    for larghezza in LARGHEZZE:
        page.set_viewport_size({"width": larghezza, "height": 900})
        assert _senza_scorrimento_laterale(page), larghezza
        page.shots.take(page, f"segreto-{larghezza}")

    # A script with the token only (no session): the API answers with his Comune.
    risposta = Client().get("/api/v1/comuni/", HTTP_AUTHORIZATION=f"Bearer {segreto}")
    assert [c["nome"] for c in risposta.json()["results"]] == ["Rozzano"]

    page.get_by_role("link", name="Torna ai token").click()
    riga = page.get_by_role("row", name=re.compile("Foglio Excel del Comune"))
    expect(riga).to_contain_text("attivo")
    for larghezza in LARGHEZZE:
        page.set_viewport_size({"width": larghezza, "height": 900})
        assert _senza_scorrimento_laterale(page), larghezza
        page.shots.take(page, f"elenco-{larghezza}")
    assert axe_violations(page) == []

    riga.get_by_role("link", name=re.compile("Revoca")).click()
    page.shots.take(page, "conferma-revoca")
    page.get_by_role("button", name="Revoca").click()
    expect(page.get_by_role("alert")).to_contain_text("revocato")
    expect(page.get_by_role("row", name=re.compile("Foglio Excel"))).to_contain_text("revocato il")
    page.shots.take(page, "revocato")
