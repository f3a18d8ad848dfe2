"""Every main page of each role at phone, tablet, desktop and wide widths (320 to 1920 px)
and at 200% zoom.

At each width: the page never scrolls sideways, no drop-down cuts its chosen text, "Esci"
is on screen, and under 992 px
the menu button opens the off-canvas navigation with every top-level link on screen
(closed, its links are hidden, so keyboard focus cannot land on them). axe runs at the
narrowest and the widest width. Each page is loaded once and the window resized, which
keeps the browser work within the CI budget. Screenshots go to test-artifacts/.
"""

import pytest

from ambito.models import Comune
from indicatori.models import Periodo

from .conftest import axe_violations, login

# (label, CSS width): 1280 px at 200% zoom lays the page out in 640 CSS pixels.
LARGHEZZE = [("320", 320), ("390", 390), ("768", 768), ("1280-zoom-200", 640), ("1366", 1366)]
LARGHEZZE += [("1920", 1920)]
# Every top-level page of the menu, for every role, besides each role's own pages.
PAGINE_MENU = [
    "/indicatori/cruscotto/",
    "/territorio/",
    "/fondi/",
    "/servizi/",
    "/programmazione/",
    "/indicatori/",
    "/report/",
]
MENU_COMPLETO = ["Cruscotto", "Territorio", "Fondi", "Servizi", "Programmazione"]
MENU_COMPLETO += ["Indicatori", "Report"]


def _pagine(ruolo):
    rozzano = Comune.objects.get(codice_istat="015189")
    periodo = Periodo.objects.get(ambito=rozzano.ambito, codice="2025-s2")
    proprie = {
        "ufficio.piano": [
            "/",
            "/fondi/assegnazioni/",
            "/registro/",
            f"/indicatori/periodi/{periodo.pk}/revisione/",
            f"/indicatori/periodi/{periodo.pk}/ambito/",
            "/indicatori/da-fare/",
            "/utenti/",
            "/profilo/",
        ],
        "operatore.rozzano": [
            f"/indicatori/periodi/{periodo.pk}/comuni/{rozzano.pk}/",
            "/servizi/unita/",
        ],
        "revisore": ["/registro/"],
    }
    if ruolo == "regione.lombardia":
        return ["/indicatori/regione/"]  # the menu's pages are the Revisore's
    return proprie[ruolo][:1] + PAGINE_MENU + proprie[ruolo][1:]


def _voci_menu(ruolo):
    if ruolo == "operatore.rozzano":
        return MENU_COMPLETO
    if ruolo == "regione.lombardia":
        return MENU_COMPLETO  # not the audit trail, which shows drafts
    return MENU_COMPLETO + ["Registro modifiche"] + (["Utenti"] if ruolo == "ufficio.piano" else [])


# The visible drop-downs whose chosen text is wider than the room inside them (measured
# with the select's own font on a canvas): the user would read "Ambito Territoriale Soc".
SELECT_TAGLIATE = """() => {
  const ctx = document.createElement("canvas").getContext("2d");
  return [...document.querySelectorAll("select")].filter((s) => s.offsetParent).flatMap((s) => {
    const st = getComputedStyle(s);
    ctx.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    const testo = s.selectedIndex >= 0 ? s.options[s.selectedIndex].text : "";
    const spazio = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    return ctx.measureText(testo).width > spazio + 1 ? [`${s.name}: «${testo}»`] : [];
  });
}"""


def _verifica_menu(page, ruolo, larghezza):
    links = page.locator("#menu-principale .nav-link")
    toggler = page.get_by_role("button", name="Mostra o nascondi il menu")
    width = page.evaluate("window.innerWidth")
    if larghezza >= 992:
        assert not toggler.is_visible()
    else:
        assert toggler.is_visible()
        # Closed: the links are not rendered, so Tab cannot reach them.
        assert not links.first.is_visible()
        toggler.click()
        links.last.wait_for(state="visible")
        # The panel slides in from the left.
        page.wait_for_function(
            "() => document.querySelector('#menu-principale .nav-link')"
            ".getBoundingClientRect().left >= 0"
        )
    assert links.all_inner_texts() == _voci_menu(ruolo)
    for link in links.all():
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= width, (
            link.inner_text(),
            box,
        )
    if larghezza < 992:
        page.screenshot(path=str(page.shots.folder / f"menu-aperto-{larghezza}.png"))
        page.get_by_role("button", name="Chiudi il menu").click()
        links.first.wait_for(state="hidden")


@pytest.mark.parametrize(
    "ruolo", ["ufficio.piano", "operatore.rozzano", "revisore", "regione.lombardia"]
)
def test_pagine_a_ogni_larghezza(page, ruolo):
    login(page, ruolo)
    problemi = []
    for numero, path in enumerate(_pagine(ruolo)):
        page.set_viewport_size({"width": LARGHEZZE[-1][1], "height": 900})
        response = page.goto(path)
        assert response.status == 200, path
        for etichetta, larghezza in LARGHEZZE:
            page.set_viewport_size({"width": larghezza, "height": 900})
            page.wait_for_function("w => window.innerWidth === w", arg=larghezza)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > larghezza:
                problemi.append(f"{path} a {etichetta}: la pagina è larga {scroll} px")
            for select in page.evaluate(SELECT_TAGLIATE):
                problemi.append(f"{path} a {etichetta}: testo tagliato in {select}")
            esci = page.get_by_role("button", name="Esci").bounding_box()
            assert esci and esci["x"] + esci["width"] <= larghezza, (path, etichetta, esci)
            if numero == 0:
                _verifica_menu(page, ruolo, larghezza)
            if larghezza in (320, 1366):
                problemi += [f"{path} a {etichetta}: {v}" for v in axe_violations(page)]
            page.shots.take(page, f"{path} {etichetta}")
    assert problemi == []
