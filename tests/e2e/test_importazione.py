"""Importing values from Excel in the browser: from the entry grid, download the
template, fill it in, upload it, read the dry run, confirm (issue 27)."""

import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from ambito.models import Comune
from indicatori.models import Periodo, Valore

from .conftest import axe_violations, login


def test_modello_scaricato_compilato_verificato_e_importato(page, tmp_path):
    periodo = Periodo.objects.get(codice="2025-s2")
    rozzano = Comune.objects.get(nome="Rozzano")
    login(page, "operatore.rozzano")
    page.goto(f"/indicatori/periodi/{periodo.pk}/comuni/{rozzano.pk}/")

    with page.expect_download() as scaricato:
        page.get_by_role("link", name="Scarica il modello Excel da compilare").click()
    percorso = tmp_path / "modello.xlsx"
    scaricato.value.save_as(percorso)
    libro = load_workbook(percorso)
    foglio = libro.worksheets[0]
    colonne = {c.value: i for i, c in enumerate(foglio[1])}
    for riga in foglio.iter_rows(min_row=2):
        if riga[colonne["Codice indicatore"]].value == "SRV.PIS":
            riga[colonne["Valore"]].value = 6
            riga[colonne["Commento"]].value = "Dal gestionale del Comune"
    libro.save(percorso)

    page.get_by_role("link", name="Importa i valori da Excel").click()
    expect(page.get_by_role("heading", name="Importa i valori degli indicatori")).to_be_visible()
    expect(page.get_by_label("Periodo")).to_have_value(str(periodo.pk))
    page.get_by_label("File").set_input_files(percorso)
    page.shots.take(page, "caricamento")
    page.get_by_role("button", name="Carica e verifica").click()

    expect(page.locator("#conteggi")).to_contain_text("1 nuovo")
    expect(page.locator("#esiti tr.esito-crea")).to_contain_text("SRV.PIS")
    assert not Valore.objects.filter(periodo=periodo, comune=rozzano).exists()
    page.shots.take(page, "prova")
    assert axe_violations(page) == []

    page.get_by_role("button", name=re.compile("Conferma e importa 1 riga")).click()
    expect(page.get_by_role("alert").first).to_contain_text("Importazione completata")
    valore = Valore.objects.get(periodo=periodo, comune=rozzano, indicatore__codice="SRV.PIS")
    assert valore.valore_numerico == 6 and valore.commento == "Dal gestionale del Comune"
    page.shots.take(page, "applicata")

    page.goto(f"/indicatori/periodi/{periodo.pk}/comuni/{rozzano.pk}/")
    expect(page.locator("input[value='6']").first).to_be_visible()
