"""Large exports as jobs: what each kind contains, and how each format writes it.

A kind of export (`TipoEsportazione`) is a function from the job to a `Tabella`
(Italian column labels and rows of Python values), registered by the app that owns
the data (`@contenuto("valori")` in indicatori/esportazioni.py), so this package
imports no app. A format is one function from a `Tabella` to bytes in `FORMATI`:
the .xlsx of issue 27 is one more entry. Exports are always jobs, whatever their
size (one path to test, and the register keeps every file with its SHA-256).

List pages and tables export the same `Tabella` synchronously (`risposta_esportazione`,
used by `EsportaMixin` in mixins.py): the CSV is a `StreamingHttpResponse` written row
by row, the .xlsx is written by openpyxl in write-only mode (each row goes to a
temporary file as it comes) and served from disk; neither holds the rows in memory.
"""

import csv
import hashlib
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .api.renderers import neutralise_formula

# The kinds of a column, i.e. how its values are written: in the .xlsx a number
# format (the cell keeps a real number), in the Italian CSV the text Excel reads.
EURO = "euro"  # € 1.234,56
PERCENTUALE = "percentuale"  # 21,5%: the row holds 21.5, the .xlsx cell 0.215
INTERO = "intero"  # 1.234
DECIMALE = "decimale"  # 1.234,5
DATA = "data"  # 31/03/2026
DATA_ORA = "data_ora"  # 31/03/2026 14:05
SI_NO = "si_no"  # Sì / No
TESTO = "testo"
AUTO = "auto"  # from the value's Python type (the kinds written before typed columns)

# The .xlsx number formats: codes of the file format, shown by an Italian Excel with
# its own separators (€ 1.234,56).
FORMATO_XLSX = {
    EURO: '"€" #,##0.00',
    PERCENTUALE: "0.0%",
    INTERO: "#,##0",
    DECIMALE: "#,##0.##",
    DATA: "DD/MM/YYYY",
    DATA_ORA: "DD/MM/YYYY HH:MM",
    TESTO: "@",
    SI_NO: "General",
}


@dataclass(frozen=True)
class Colonna:
    """A column of an export: its Italian header and the kind of its values."""

    etichetta: str
    formato: str = AUTO


@dataclass(frozen=True)
class Cella:
    """A value whose kind is its own, not its column's (a column of values measured
    in different units: counts, percentages, euro)."""

    valore: object
    formato: str = AUTO


@dataclass
class Tabella:
    titolo: str
    colonne: list  # of Colonna, or plain labels (the kind then follows each value)
    righe: Iterable[list]
    # What was asked for, as the register shows it ({"Periodo": "2° semestre 2025"});
    # for a page, the filters applied (the "Filtri" sheet of the .xlsx).
    parametri: dict[str, str] = field(default_factory=dict)
    utente: str = ""
    estratto_il: datetime | None = None

    @property
    def colonne_tipizzate(self) -> list[Colonna]:
        return [c if isinstance(c, Colonna) else Colonna(str(c)) for c in self.colonne]

    def intestazioni(self) -> list[str]:
        return [neutralise_formula(str(c.etichetta)) for c in self.colonne_tipizzate]


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


def cella_italiana(value, formato: str = AUTO) -> str:
    """A value as an Italian spreadsheet reads it: decimal comma, Sì/No, dd/mm/yyyy."""
    if isinstance(value, Cella):
        value, formato = value.valore, value.formato
    if isinstance(value, Promise):
        value = str(value)  # a lazy translation
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or formato == SI_NO:
        return _("Sì") if value else _("No")
    if isinstance(value, Decimal | float | int):
        if formato == EURO:
            value = Decimal(value).quantize(Decimal("0.01"))
        elif formato == INTERO:
            value = int(value)
        elif formato == PERCENTUALE:
            value = round(Decimal(str(value)), 1)
        return format(value, "f" if isinstance(value, Decimal) else "").replace(".", ",")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return neutralise_formula(str(value))


class _Eco:
    """A file-like object whose write returns what it got (csv.writer row by row)."""

    def write(self, value):
        return value


def righe_csv(tabella: Tabella) -> Iterator[str]:
    """The Italian CSV, one line at a time: `;` separator, decimal comma, Sì/No,
    dd/mm/yyyy, a BOM first so Excel reads UTF-8. Data only (header and rows): the
    filters go in the .xlsx's "Filtri" sheet, so any CSV reader reads the table as is."""
    writer = csv.writer(_Eco(), delimiter=";", lineterminator="\r\n")
    formati = [c.formato for c in tabella.colonne_tipizzate]
    yield "\ufeff" + writer.writerow(tabella.intestazioni())
    for riga in tabella.righe:
        yield writer.writerow([cella_italiana(v, f) for v, f in zip(riga, formati, strict=False)])


def scrivi_csv(tabella: Tabella) -> bytes:
    """UTF-8 with BOM (Excel opens it right), `;` separator, Italian cells."""
    return "".join(righe_csv(tabella)).encode("utf-8")


def _cella_xlsx(foglio, value, formato):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Cella):
        value, formato = value.valore, value.formato
    if isinstance(value, Promise):
        value = str(value)  # a lazy translation
    if isinstance(value, datetime):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, bool) or (formato == SI_NO and value is not None):
        value = _("Sì") if value else _("No")
    elif isinstance(value, str):
        value = neutralise_formula(value)
    elif formato == PERCENTUALE and isinstance(value, Decimal | float | int):
        value = Decimal(str(value)) / 100  # a fraction: Excel shows 0.215 as 21,5%
    if formato == AUTO or formato not in FORMATO_XLSX:
        numero = _FORMATO_XLSX.get(type(value), "General")
    elif formato == TESTO and not isinstance(value, str):
        numero = "General"
    else:
        numero = FORMATO_XLSX[formato]
    cella = WriteOnlyCell(foglio, value=value)
    cella.number_format = numero
    return cella


def _scrivi_libro(tabella: Tabella, destinazione) -> None:
    """The .xlsx into a path or file: the data sheet, then the "Filtri" sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    libro = Workbook(write_only=True)
    foglio = libro.create_sheet(title=_("Dati"))
    colonne = tabella.colonne_tipizzate
    grassetto = Font(bold=True)
    intestazione = []
    for etichetta in tabella.intestazioni():
        cella = WriteOnlyCell(foglio, value=etichetta)
        cella.font = grassetto
        intestazione.append(cella)
    foglio.freeze_panes = "A2"
    foglio.append(intestazione)
    for riga in tabella.righe:
        foglio.append(
            [_cella_xlsx(foglio, v, c.formato) for v, c in zip(riga, colonne, strict=False)]
        )
    filtri = libro.create_sheet(title=_("Filtri"))
    filtri.append([_("Tabella"), neutralise_formula(str(tabella.titolo))])
    for nome, valore in tabella.parametri.items():
        filtri.append([neutralise_formula(str(nome)), neutralise_formula(str(valore))])
    if tabella.utente:
        filtri.append([_("Estratto da"), neutralise_formula(tabella.utente)])
    if tabella.estratto_il:
        filtri.append(
            [
                _("Estratto il"),
                _cella_xlsx(filtri, tabella.estratto_il, DATA_ORA),
            ]
        )
    libro.save(destinazione)


def scrivi_xlsx(tabella: Tabella) -> bytes:
    """An .xlsx (openpyxl, streamed: write-only mode) with numbers as numbers and dates
    as dates, in Italian display formats; text cells defused like the CSV's."""
    out = io.BytesIO()
    _scrivi_libro(tabella, out)
    return out.getvalue()


# Display formats of the .xlsx cells by Python type (the file stores plain numbers).
_FORMATO_XLSX = {
    Decimal: "#,##0.00",
    int: "#,##0",
    float: "#,##0.##",
    date: "DD/MM/YYYY",
    datetime: "DD/MM/YYYY HH:MM",
}

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The formats a page offers (its "Esporta" buttons: ?esporta=xlsx, ?esporta=csv).
FORMATI_PAGINA = ("xlsx", "csv")


def nome_file(tabella: Tabella, formato: str) -> str:
    momento = timezone.localtime(tabella.estratto_il or timezone.now())
    base = slugify(tabella.titolo)[:60] or "esportazione"
    return f"{base}-{momento:%Y%m%d-%H%M}.{formato}"


def risposta_esportazione(tabella: Tabella, formato: str, *, user=None):
    """A page's table as a download, never the whole table in memory: the CSV
    streamed line by line, the .xlsx written row by row to a temporary file."""
    tabella.estratto_il = tabella.estratto_il or timezone.now()
    if user is not None and not tabella.utente:
        tabella.utente = user.get_full_name() or user.get_username()
    nome = nome_file(tabella, formato)
    if formato == "csv":
        response = StreamingHttpResponse(
            (riga.encode("utf-8") for riga in righe_csv(tabella)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{nome}"'
        return response
    # Deleted when the response closes the file (or at once on POSIX, once unlinked).
    file = tempfile.TemporaryFile(suffix=".xlsx")
    _scrivi_libro(tabella, file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=nome, content_type=XLSX_MEDIA_TYPE)


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
