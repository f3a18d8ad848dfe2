"""Journey 4: anyone — a wrong password, a page out of scope, logout."""

from ambito.models import Comune

from .conftest import axe_violations, login


def test_wrong_password_out_of_scope_page_and_logout(page):
    page.goto("/")
    assert "/accesso/" in page.url  # anonymous users are sent to the login page
    assert axe_violations(page) == []
    page.shots.take(page, "login")

    login(page, "operatore.rozzano", "password-sbagliata")
    assert page.get_by_role("alert").inner_text().startswith("Nome utente o password non corretti")
    page.shots.take(page, "password errata")

    login(page, "operatore.rozzano")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Benvenuto")
    page.shots.take(page, "pagina iniziale")

    binasco = Comune.objects.get(codice_istat="015024")
    response = page.goto(f"/territorio/comuni/{binasco.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Pagina non trovata"
    page.shots.take(page, "fuori ambito 404")

    page.get_by_role("button", name="Esci").click()
    assert "/accesso/" in page.url
    page.goto("/territorio/")
    assert "/accesso/" in page.url
    page.shots.take(page, "dopo uscita")
