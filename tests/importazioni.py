"""Helpers of the import tests: download a template, edit it, upload it, confirm."""

import html
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scarica_modello(client, tipo, ambito, **parametri):
    """The pre-filled template as an openpyxl workbook (its first sheet is the data)."""
    response = client.get(
        reverse("importazioni:modello", args=[tipo]), {"ambito": ambito.pk, **parametri}
    )
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def righe(libro) -> list[dict]:
    """The data rows of a template as {header: value}."""
    foglio = libro.worksheets[0]
    valori = list(foglio.iter_rows(values_only=True))
    return [dict(zip(valori[0], riga, strict=False)) for riga in valori[1:]]


def riga_di(libro, **cerca) -> int:
    """The sheet row number (1-based) of the first data row matching `cerca`."""
    for numero, riga in enumerate(righe(libro), start=2):
        if all(riga.get(k) == v for k, v in cerca.items()):
            return numero
    raise AssertionError(f"no row {cerca}")


def imposta(libro, numero: int, colonna: str, valore) -> None:
    foglio = libro.worksheets[0]
    intestazione = [c.value for c in foglio[1]]
    foglio.cell(row=numero, column=intestazione.index(colonna) + 1, value=valore)


def aggiungi(libro, **valori) -> None:
    foglio = libro.worksheets[0]
    intestazione = [c.value for c in foglio[1]]
    foglio.append([valori.get(c) for c in intestazione])


def nuovo_libro(intestazione, *righe_dati):
    libro = Workbook()
    foglio = libro.active
    foglio.append(list(intestazione))
    for riga in righe_dati:
        foglio.append(list(riga))
    return libro


def come_file(libro, nome="dati.xlsx") -> SimpleUploadedFile:
    out = io.BytesIO()
    libro.save(out)
    return SimpleUploadedFile(nome, out.getvalue(), content_type=XLSX)


def carica(client, tipo, ambito, file, **dati):
    """Upload a file: the dry-run page (followed)."""
    response = client.post(
        reverse("importazioni:importazione_create", args=[tipo]),
        {"ambito": ambito.pk, "file": file, **dati},
    )
    assert response.status_code == 303, (
        getattr(response, "context", None) and response.context.get("form").errors
    )
    return client.get(response["Location"])


def conferma(client, prova_response):
    """Confirm the dry run shown: the page after the confirmation (followed)."""
    url = prova_response.request["PATH_INFO"]
    response = client.post(url)
    if response.status_code == 303:
        return client.get(response["Location"])
    return response


def esiti(prova_response) -> list:
    return prova_response.context["prova"].esiti


def conteggi(prova_response) -> dict:
    return prova_response.context["prova"].conteggi


def leggibile(response) -> str:
    return html.unescape(response.content.decode())
