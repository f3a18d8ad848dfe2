"""A new Ufficio di Piano of an empty Ambito walks the "Primi passi" guide to its first
Relazione: the Piano from the template, the periods, a value entered by the Operatore
of a Comune, submitted, approved, and the Relazione asked for and registered.

Screenshots of the new pages at 390 and 1366 px go to test-artifacts/.
"""

import re

import pytest

from ambito.choices import Ruolo
from ambito.dati import DEMO_PASSWORD
from ambito.models import ReportGenerato
from indicatori.choices import StatoValore
from indicatori.models import Periodo, Valore
from programmi.choices import StatoPiano
from programmi.models import PianoDiZona
from tests.factories import AmbitoFactory, ComuneFactory, user_with_role

from .conftest import axe_violations, login

ANNO = 2026


@pytest.fixture
def ambito_vuoto(dati):
    ambito = AmbitoFactory(nome="Ambito della Valle Nuova", codice="valle-nuova")
    comuni = [
        ComuneFactory(ambito=ambito, nome="Borgo Alto", codice_istat="099101"),
        ComuneFactory(ambito=ambito, nome="Borgo Basso", codice_istat="099102"),
    ]
    udp = user_with_role(Ruolo.UFFICIO_PIANO, ambito, username="udp.valle")
    operatore = user_with_role(Ruolo.OPERATORE, ambito, comuni[0], username="op.borgoalto")
    for user in (udp, operatore):
        user.set_password(DEMO_PASSWORD)
        user.save()
    return ambito, comuni[0]


def _larghezze(page, nome):
    """The page at phone and desktop width: screenshots, and no sideways scrolling."""
    for larghezza in (390, 1366):
        page.set_viewport_size({"width": larghezza, "height": 900})
        page.shots.take(page, f"{nome} {larghezza}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
            f"{nome} scorre di lato a {larghezza} px"
        )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_primi_passi_dall_ambito_vuoto_alla_relazione(page, ambito_vuoto):
    ambito, comune = ambito_vuoto

    # 1. The Ufficio di Piano finds the guide on the home page and creates the Piano.
    login(page, "udp.valle")
    page.locator(".alert").get_by_role("link", name="Primi passi").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Primi passi"
    assert axe_violations(page) == []
    _larghezze(page, "primi passi")
    page.get_by_role("link", name="Crea il primo Piano").click()
    page.get_by_label("Primo anno").fill(str(ANNO))
    page.get_by_label("Ultimo anno").fill(str(ANNO + 2))
    _larghezze(page, "primo piano")
    page.get_by_role("button", name="Salva").click()
    piano = PianoDiZona.objects.get(ambito=ambito)
    assert piano.stato == StatoPiano.BOZZA
    assert axe_violations(page) == []
    _larghezze(page, "piano in bozza")
    # Deleting a macro-area asks for confirmation first (not confirmed here).
    page.get_by_role("link", name="Elimina B. Politiche abitative").click()
    _larghezze(page, "conferma eliminazione")
    page.get_by_role("link", name="Annulla").click()
    page.get_by_role("link", name="Attiva il Piano").click()
    _larghezze(page, "attiva il piano")
    page.get_by_role("button", name="Attiva il Piano").click()
    piano.refresh_from_db()
    assert piano.stato == StatoPiano.IN_VIGORE

    # 2. The periods of the year, for the starter indicator of beneficiaries.
    page.goto("/indicatori/periodi/")
    page.get_by_role("link", name="Crea i periodi di un anno").click()
    page.get_by_label("Anno").fill(str(ANNO))
    page.get_by_label("Durata dei periodi").select_option("semestrale")
    page.locator("label", has_text="BEN.1 Persone").click()  # the label draws the box
    assert page.get_by_label(re.compile(r"BEN\.1 Persone")).is_checked()
    assert axe_violations(page) == []
    _larghezze(page, "calendario")
    page.get_by_role("button", name="Crea i periodi").click()
    assert "2 periodi creati." in page.get_by_role("alert").first.inner_text()
    _larghezze(page, "elenco periodi")
    periodo = Periodo.objects.get(ambito=ambito, codice=f"{ANNO}-s1")
    page.get_by_role("button", name="Esci").click()

    # 3. The Operatore of Borgo Alto enters a value and submits it.
    login(page, "op.borgoalto")
    page.goto(f"/indicatori/periodi/{periodo.pk}/comuni/{comune.pk}/")
    page.get_by_role("textbox", name=re.compile("Persone beneficiarie")).first.fill("17")
    page.get_by_role("button", name="Salva e invia all'Ufficio di Piano").click()
    valore = Valore.objects.get(periodo=periodo, comune=comune)
    assert (valore.valore_numerico, valore.stato) == (17, StatoValore.INVIATO)
    page.get_by_role("button", name="Esci").click()

    # 4. The Ufficio di Piano approves it and asks for the Relazione.
    login(page, "udp.valle")
    page.goto(f"/indicatori/periodi/{periodo.pk}/revisione/")
    page.get_by_role("link", name="Approva tutti Borgo Alto").click()
    page.get_by_role("button", name=re.compile(r"^Approva \d+ valor[ei]$")).click()
    valore.refresh_from_db()
    assert valore.stato == StatoValore.APPROVATO
    page.goto("/indicatori/cruscotto/")
    page.get_by_role("button", name="Genera la Relazione di monitoraggio (PDF)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica la Relazione di monitoraggio (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    assert ReportGenerato.objects.filter(ambito=ambito, tipo=ReportGenerato.Tipo.RELAZIONE).exists()
