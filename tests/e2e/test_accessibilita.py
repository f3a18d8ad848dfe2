"""Accessibility checks the width sweep does not make: the focused error summary, the
English API documentation, the review grid and the dashboard charts on a phone."""

from django.urls import reverse

from ambito.models import Comune
from indicatori.models import Periodo
from programmi.models import PianoDiZona

from .conftest import axe_violations, login


def test_a_form_in_error_moves_the_focus_to_its_summary(page):
    login(page, "ufficio.piano")
    piano = PianoDiZona.objects.get(anno_inizio=2025)
    page.goto(reverse("programmi:obiettivo_create", args=[piano.pk]))
    assert not page.title().startswith("Errore")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_load_state()
    assert page.title().startswith("Errore: ")
    assert page.evaluate("document.activeElement.id") == "riepilogo-errori"
    page.shots.take(page, "riepilogo errori")
    assert axe_violations(page) == []
    riepilogo = page.locator("#riepilogo-errori")
    link = riepilogo.get_by_role("link").first
    destinazione = link.get_attribute("href").lstrip("#")
    link.click()
    assert page.evaluate("document.activeElement.id") == destinazione
    campo = page.locator(f"#{destinazione}")
    assert campo.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{campo.get_attribute('aria-describedby')}").is_visible()


def test_api_docs_are_english_and_pass_axe(page):
    page.goto("/api/docs/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.locator(".models .model-box").first.click()
    for larghezza in (390, 1366):
        page.set_viewport_size({"width": larghezza, "height": 900})
        assert axe_violations(page) == [], larghezza
    page.shots.take(page, "documentazione API")


def test_review_grid_on_a_phone(page):
    """At 390 px: the hint, the Comune column kept in view while the grid scrolls, and
    the "Vai al Comune" links reached with the keyboard."""
    periodo = Periodo.objects.get(codice="2025-s2")
    rozzano = Comune.objects.get(codice_istat="015189")
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "ufficio.piano")
    page.goto(reverse("indicatori:revisione", args=[periodo.pk]))
    box = page.locator(".table-responsive:has(table.matrice)")
    avviso = page.locator(".tabella-scorre-avviso").first
    assert avviso.is_visible() and "scorrila in orizzontale" in avviso.inner_text()
    prima = page.locator("table.matrice tbody th[scope=row]").first
    sinistra = prima.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = 600; }")
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    assert abs(prima.bounding_box()["x"] - sinistra) < 1  # sticky
    page.shots.take(page, "revisione scorsa")
    link = page.locator(".vai-al-comune").get_by_role("link", name="Rozzano")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("id => location.hash === '#comune-' + id", arg=rozzano.pk)
    riga = page.locator(f"#comune-{rozzano.pk}")
    assert riga.is_visible() and riga.inner_text() == "Rozzano"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_dashboard_charts_are_readable_on_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "ufficio.piano")
    page.goto("/indicatori/cruscotto/")
    grafico = page.locator("figure.grafico .grafico-svg").first
    grafico.wait_for()
    svg = grafico.locator("svg")
    assert svg.bounding_box()["width"] >= 640  # text at a readable size
    assert grafico.evaluate("g => g.scrollWidth > g.clientWidth")  # scrolls in its box
    assert grafico.get_attribute("role") == "region" and grafico.get_attribute("tabindex") == "0"
    assert grafico.get_attribute("aria-label") == svg.get_attribute("aria-label")
    avviso = page.locator(f"#{grafico.get_attribute('aria-describedby')}")
    assert "scorrilo in orizzontale" in avviso.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.shots.take(page, "cruscotto 390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.wait_for_function(
        "() => !document.querySelector('.grafico-svg').classList.contains('tabella-scorre')"
    )
    assert grafico.get_attribute("role") is None  # wide screen: the whole chart fits
