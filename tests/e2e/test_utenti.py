"""The Ufficio di Piano invites an Operatore; the Operatore follows the link of the
e-mail, chooses his password, logs in and enters a value in the entry grid (issue 29).
Also the new pages at 390 and 1366 px (screenshots in test-artifacts/)."""

import re
from urllib.parse import urlparse

from django.core import mail

from ambito.models import Comune
from indicatori.choices import StatoValore
from indicatori.models import Periodo, Valore

from .conftest import axe_violations, login

PASSWORD = "Cammino-Lungo-2026!"
EMAIL = "nadia.rossi@comune.rozzano.example"


def test_invited_operatore_enters_a_value(page):
    rozzano = Comune.objects.get(codice_istat="015189")
    periodo = Periodo.objects.get(ambito=rozzano.ambito, codice="2025-s2")
    login(page, "ufficio.piano")
    page.goto("/utenti/")
    page.get_by_role("link", name="Invita un utente").click()
    page.get_by_label("Indirizzo e-mail").fill(EMAIL)
    page.get_by_label("Nome", exact=True).fill("Nadia")
    page.get_by_label("Cognome").fill("Rossi")
    page.get_by_label("Incarico").select_option(label="Operatore comunale")
    page.get_by_label("Comune").select_option(label="Rozzano")
    assert axe_violations(page) == []
    page.shots.take(page, "invito")
    page.get_by_role("button", name="Invita").click()
    assert f"Invito spedito a {EMAIL}" in page.locator(".alert-success").inner_text()
    page.shots.take(page, "utente invitato")
    page.get_by_role("button", name="Esci").click()

    assert [m.to for m in mail.outbox] == [[EMAIL]]
    link = urlparse(re.search(r"https?://\S+", mail.outbox[0].body).group(0)).path
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Benvenuto in Zonale"
    assert "almeno 12 caratteri" in page.locator("main").inner_text()
    page.locator("#id_new_password1").fill("corta")
    page.locator("#id_new_password2").fill("corta")
    page.get_by_role("button", name="Salva la password").click()
    assert "troppo corta" in page.locator("#id_new_password2_errors").inner_text()
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    assert axe_violations(page) == []
    page.shots.take(page, "scelta password")
    page.get_by_role("button", name="Salva la password").click()
    assert "Password salvata" in page.locator(".alert-success").inner_text()

    login(page, EMAIL, PASSWORD)
    page.goto("/indicatori/cruscotto/")
    page.get_by_role("link", name=f"Compila {periodo.nome}").click()
    cella = page.locator("input[inputmode=numeric]").first
    cella.fill("7")
    page.get_by_role("button", name="Salva bozza").click()
    page.shots.take(page, "valore inserito dall'invitato")
    valore = Valore.objects.get(comune=rozzano, periodo=periodo)
    assert valore.stato == StatoValore.BOZZA
    assert valore.inserito_da.username == EMAIL


def test_user_pages_at_phone_and_desktop_widths(page):
    login(page, "ufficio.piano")
    operatore = Comune.objects.get(codice_istat="015189").incarichi.get().user
    pagine = [
        ("utenti", "/utenti/"),
        ("utente", f"/utenti/{operatore.pk}/"),
        ("invito", "/utenti/invita/"),
        ("profilo", "/profilo/"),
        ("password", "/profilo/password/"),
    ]
    for larghezza in (390, 1366):
        page.set_viewport_size({"width": larghezza, "height": 900})
        for nome, url in pagine:
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= larghezza, url
            page.shots.take(page, f"{nome}-{larghezza}")
    page.get_by_role("button", name="Esci").click()
    login(page, "amministratore")
    visconteo = Comune.objects.get(codice_istat="015189").ambito
    for larghezza in (390, 1366):
        page.set_viewport_size({"width": larghezza, "height": 900})
        for nome, url in [
            ("ambiti", "/ambiti/"),
            ("impostazione", f"/ambiti/{visconteo.pk}/?q=binasco"),
            ("popolazione", f"/ambiti/{visconteo.pk}/popolazione/"),
        ]:
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= larghezza, url
            page.shots.take(page, f"{nome}-{larghezza}")
    page.goto("/accesso/password-dimenticata/")
    page.shots.take(page, "password-dimenticata")
