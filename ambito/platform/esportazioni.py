"""Large exports as jobs: what each kind contains, and how each format writes it.

A kind of export (`TipoEsportazione`) is a function from the job to a `Tabella`
(Italian column labels and rows of Python values), registered by the app that owns
the data (`@contenuto("valori")` in indicatori/esportazioni.py), so this package
imports no app. A format is one function from a `Tabella` to bytes in `FORMATI`:
the .xlsx of issue 27 is one more entry. Exports are always jobs, whatever their
size (one path to test, and the register keeps every file with its SHA-256).
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from .api.renderers import neutralise_formula


@dataclass
class Tabella:
    titolo: str
    colonne: list[str]
    righe: Iterable[list]
    # What was asked for, as the register shows it ({"Periodo": "2° semestre 2025"}).
    parametri: dict[str, str] = field(default_factory=dict)


_CONTENUTI: dict[str, Callable] = {}
_PARAMETRI: dict[str, Callable] = {}


def _nessun_parametro(*, user, ambito, dati) -> dict:
    return {}


def contenuto(tipo: str, *, parametri: Callable = _nessun_parametro):
    """Register the function that builds the `Tabella` of an export kind, and the one
    that reads its parameters from the request (`parametri(user=, ambito=, dati=)`,
    404 for an object the user may not see), so a job never starts on bad input."""

    def registra(funzione):
        _CONTENUTI[tipo] = funzione
        _PARAMETRI[tipo] = parametri
        return funzione

    return registra


def parametri_of(tipo: str, *, user, ambito, dati) -> dict:
    return _PARAMETRI[tipo](user=user, ambito=ambito, dati=dati)


def tabella_of(job) -> Tabella:
    return _CONTENUTI[job.tipo](job)


# --- Formats ---------------------------------------------------------------------------


def cella_italiana(value) -> str:
    """A value as an Italian spreadsheet reads it: decimal comma, Sì/No, dd/mm/yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Sì") if value else _("No")
    if isinstance(value, Decimal | float | int):
        return str(value).replace(".", ",")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise_formula(str(value))


def scrivi_csv(tabella: Tabella) -> bytes:
    """UTF-8 with BOM (Excel opens it right), `;` separator, Italian cells."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise_formula(c) for c in tabella.colonne])
    for riga in tabella.righe:
        writer.writerow([cella_italiana(v) for v in riga])
    return out.getvalue().encode("utf-8")


def scrivi_xlsx(tabella: Tabella) -> bytes:
    """An .xlsx (openpyxl, streamed: write-only mode) with numbers as numbers and dates
    as dates, in Italian display formats; text cells defused like the CSV's."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    libro = Workbook(write_only=True)
    foglio = libro.create_sheet(title=_("Dati"))
    foglio.append([neutralise_formula(c) for c in tabella.colonne])
    for riga in tabella.righe:
        celle = []
        for value in riga:
            if isinstance(value, datetime):
                value = timezone.localtime(value).replace(tzinfo=None)
            elif isinstance(value, str):
                value = neutralise_formula(value)
            cella = WriteOnlyCell(foglio, value=value)
            cella.number_format = _FORMATO_XLSX.get(type(value), "General")
            celle.append(cella)
        foglio.append(celle)
    out = io.BytesIO()
    libro.save(out)
    return out.getvalue()


# Display formats of the .xlsx cells by Python type (the file stores plain numbers).
_FORMATO_XLSX = {
    Decimal: "#,##0.00",
    int: "#,##0",
    float: "#,##0.##",
    date: "DD/MM/YYYY",
    datetime: "DD/MM/YYYY HH:MM",
}

#: format code -> function writing a Tabella (FormatoEsportazione's values).
FORMATI: dict[str, Callable[[Tabella], bytes]] = {"csv": scrivi_csv, "xlsx": scrivi_xlsx}


def esportazione_scrivi(job):
    """Write the export's file and register it (in the caller's transaction)."""
    from ambito.models import ReportGenerato

    tabella = tabella_of(job)
    contenuto_file = FORMATI[job.formato](tabella)
    impronta = hashlib.sha256(contenuto_file).hexdigest()
    registro = ReportGenerato.objects.create(
        tipo=f"esportazione_{job.tipo}",
        titolo=tabella.titolo,
        ambito=job.ambito,
        parametri=tabella.parametri,
        generato_da=job.richiesta_da,
        generato_il=timezone.now(),
        sha256=impronta,
        sha256_dati=impronta,
        dimensione=len(contenuto_file),
        formato=job.formato,
    )
    registro.file.save(registro.nome_file, ContentFile(contenuto_file), save=False)
    registro.save(update_fields=["file"])
    return registro
