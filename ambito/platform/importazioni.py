"""Imports from .xlsx (and CSV) files: the reader, the register of importers, the flow.

Contract (issue 27, /work/wt/issues/CONTRACT27.md), shared by every table imported:

- `leggi_file(file, colonne=[Colonna(...)], max_bytes=, max_righe=) -> Lettura` reads an
  uploaded file, recognised by its content (not its name): .xlsx with openpyxl in
  read-only mode (streamed), or a CSV («;» or «,», UTF-8 with or without BOM). Every
  bad file gives an Italian message in `Lettura.errori` and no rows: not an .xlsx, a
  renamed CSV, the old .xls, a macro-enabled workbook, an empty sheet, missing or
  unknown columns, merged cells, too large, too many rows. Cells are converted by the
  column's type ("testo", "intero", "decimale", "data", "booleano"), also when typed as
  text in Italian format ("1.234,5", "31/12/2025"); a formula gives its cached value,
  or the row is refused saying so. Per-row errors are in `RigaFile.errori`.
- An `Importatore` per table, registered with `@importatore("valori")` by the app that
  owns the table (in its AppConfig.ready, like the exports): `titolo`, `colonne`,
  `permesso` (django-rules permission checked on the Ambito), `campi()` (form fields
  of its parameters), `parametri()` (those fields to a JSON-able dict, 404 for objects
  the user may not see), `modello()` (the pre-filled template as a `Tabella`, written
  by esportazioni.FORMATI["xlsx"]), `prova()` (no writes: an `EsitoRiga` per row) and
  `applica()` (writes through the app's services; called inside one transaction).
  The mechanism passes `conferma` (bool: the user ticked the confirmation of the
  rows flagged `da_confermare`) among the parameters of `prova` and `applica`.
- `importazione_carica` stores each upload as an `Importazione` (the file itself, its
  SHA-256, who, which parameters) and returns its dry run; `importazione_applica`
  re-reads the stored file, re-checks every row against the database of now and
  applies all rows in one transaction, or nothing (any rejected row, a missing
  confirmation or a service error). Applying a file whose rows are all unchanged
  changes nothing: the importers compare with what is stored.

The pages are in ambito/views.py (namespace `importazioni:`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .api.renderers import FORMULA_START
from .esportazioni import Tabella

#: Default limits of an upload (an importer may set its own).
MAX_BYTES = 5 * 1024 * 1024
MAX_RIGHE = 10_000

TIPI_COLONNA = ("testo", "intero", "decimale", "data", "booleano")


@dataclass(frozen=True)
class Colonna:
    chiave: str
    etichetta: str
    tipo: str = "testo"
    obbligatoria: bool = False

    def __post_init__(self):
        assert self.tipo in TIPI_COLONNA, self.tipo


@dataclass
class RigaFile:
    numero: int  # the row number the spreadsheet shows (the header is row 1)
    celle: dict[str, object]
    errori: list[str] = field(default_factory=list)


@dataclass
class Lettura:
    righe: list[RigaFile] = field(default_factory=list)
    errori: list[str] = field(default_factory=list)  # of the file itself: no rows then
    formato: str = ""  # "xlsx" or "csv"


class FileNonValido(Exception):
    """A file that cannot be read at all; the message is for the user."""


# --- Reading ---------------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) container
_SPAZI = re.compile(r"\s+")
_MIGLIAIA = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_DATA_IT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_DATA_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _normale(testo) -> str:
    return _SPAZI.sub(" ", str(testo or "")).strip().lower()


def leggi_file(
    file, *, colonne: list[Colonna], max_bytes: int = MAX_BYTES, max_righe: int = MAX_RIGHE
) -> Lettura:
    """The rows of an uploaded file (Django UploadedFile, or any object with read())."""
    nome = getattr(file, "name", "") or ""
    try:
        contenuto = _leggi_byte(file, max_bytes)
        if contenuto.startswith(_ZIP):
            return _leggi_xlsx(contenuto, colonne, max_righe)
        if contenuto.startswith(_OLE):
            raise FileNonValido(
                _(
                    "Il file è nel vecchio formato di Excel (.xls) o non è un foglio di "
                    "calcolo: aprirlo in Excel e salvarlo come «Cartella di lavoro di "
                    "Excel (.xlsx)»."
                )
            )
        testo = _testo(contenuto)
        if not nome.lower().endswith(".csv"):
            raise FileNonValido(
                _(
                    "Il file «%(nome)s» non è un vero .xlsx: è un file di testo (forse un "
                    "CSV con l'estensione cambiata). Caricare il modello .xlsx scaricato "
                    "da questa pagina, oppure lo stesso file con estensione .csv."
                )
                % {"nome": nome}
            )
        return _leggi_csv(testo, colonne, max_righe)
    except FileNonValido as errore:
        return Lettura(errori=[str(errore)])


def _leggi_byte(file, max_bytes: int) -> bytes:
    dimensione = getattr(file, "size", None)
    if dimensione is not None and dimensione > max_bytes:
        raise FileNonValido(_limite_superato(max_bytes))
    if hasattr(file, "seek"):
        file.seek(0)
    contenuto = file.read(max_bytes + 1)
    if len(contenuto) > max_bytes:
        raise FileNonValido(_limite_superato(max_bytes))
    if not contenuto.strip():
        raise FileNonValido(_("Il file è vuoto."))
    return contenuto


def _limite_superato(max_bytes: int) -> str:
    return _(
        "Il file supera il limite di %(limite)s: dividerlo in più file o togliere i fogli "
        "e le righe che non servono."
    ) % {"limite": filesizeformat(max_bytes)}


def _testo(contenuto: bytes) -> str:
    if b"\x00" in contenuto[:4096]:
        raise FileNonValido(_non_foglio())
    try:
        return contenuto.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return contenuto.decode("cp1252")
        except UnicodeDecodeError:
            raise FileNonValido(_non_foglio()) from None


def _non_foglio() -> str:
    return _(
        "Il file non è un foglio Excel (.xlsx) né un CSV: caricare il modello .xlsx "
        "scaricato da questa pagina."
    )


def _leggi_xlsx(contenuto: bytes, colonne, max_righe) -> Lettura:
    from openpyxl import load_workbook

    try:
        archivio = zipfile.ZipFile(io.BytesIO(contenuto))
        nomi = set(archivio.namelist())
    except zipfile.BadZipFile:
        raise FileNonValido(_non_foglio()) from None
    if "xl/vbaProject.bin" in nomi or b"macroEnabled" in _parte(archivio, "[Content_Types].xml"):
        raise FileNonValido(
            _(
                "Il file contiene macro (.xlsm): per sicurezza non si importa. Salvarlo "
                "in Excel come «Cartella di lavoro di Excel (.xlsx)», senza macro."
            )
        )
    if "xl/workbook.xml" not in nomi:
        raise FileNonValido(_non_foglio())
    try:
        valori = load_workbook(io.BytesIO(contenuto), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise FileNonValido(
            _("Il file .xlsx è danneggiato e non si può leggere: salvarlo di nuovo da Excel.")
        ) from None
    foglio = valori.worksheets[0] if valori.worksheets else None
    if foglio is None:
        raise FileNonValido(_("Il file non contiene fogli di lavoro."))
    xml_foglio = _parte(archivio, _percorso_foglio(archivio))
    if b"<mergeCell " in xml_foglio or b"<x:mergeCell " in xml_foglio:
        raise FileNonValido(
            _(
                "Il foglio «%(foglio)s» contiene celle unite: separarle (Home › Unisci e "
                "allinea al centro › Separa celle) e ripetere il valore in ogni riga."
            )
            % {"foglio": foglio.title}
        )
    formule = None
    if b"<f>" in xml_foglio or b"<f " in xml_foglio or b"<x:f" in xml_foglio:
        libro_formule = load_workbook(io.BytesIO(contenuto), read_only=True, data_only=False)
        formule = libro_formule.worksheets[0].iter_rows(values_only=True)
    righe = _con_formule(foglio.iter_rows(values_only=True), formule)
    lettura = _leggi_righe(righe, colonne, max_righe, foglio=foglio.title)
    lettura.formato = "xlsx"
    valori.close()
    return lettura


def _parte(archivio: zipfile.ZipFile, nome: str) -> bytes:
    try:
        return archivio.read(nome)
    except KeyError:
        return b""


def _percorso_foglio(archivio: zipfile.ZipFile) -> str:
    """The path of the workbook's first sheet inside the zip (the one openpyxl reads)."""
    libro = _parte(archivio, "xl/workbook.xml").decode("utf-8", "replace")
    relazioni = _parte(archivio, "xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    primo = re.search(r"<(?:\w+:)?sheet\b[^>]*?r:id=\"([^\"]+)\"", libro)
    if primo:
        for rel in re.finditer(r"<Relationship\b[^>]*>", relazioni):
            if f'Id="{primo.group(1)}"' in rel.group(0):
                target = re.search(r'Target="([^"]+)"', rel.group(0))
                if target:
                    percorso = target.group(1)
                    return percorso.lstrip("/") if percorso.startswith("/") else f"xl/{percorso}"
    return "xl/worksheets/sheet1.xml"


class _Formula:
    """A formula cell without a cached value (never computed, e.g. written by a script)."""

    def __init__(self, testo):
        self.testo = str(getattr(testo, "text", testo))


def _con_formule(valori: Iterator[tuple], formule: Iterator[tuple] | None) -> Iterator[tuple]:
    """The cached values; a formula without one becomes `_Formula` (refused by row)."""
    if formule is None:
        yield from valori
        return
    for riga_valori, riga_formule in zip(valori, formule, strict=False):
        yield tuple(
            _Formula(f) if v is None and _e_formula(f) else v
            for v, f in zip(riga_valori, riga_formule, strict=False)
        )


def _e_formula(cella) -> bool:
    return (isinstance(cella, str) and cella.startswith("=")) or hasattr(cella, "text")


def _leggi_csv(testo: str, colonne, max_righe) -> Lettura:
    righe = testo.splitlines()
    prima = righe[0] if righe else ""
    separatore = ";" if prima.count(";") >= prima.count(",") else ","
    lettore = csv.reader(io.StringIO(testo), delimiter=separatore)
    lettura = _leggi_righe((tuple(r) for r in lettore), colonne, max_righe, foglio="")
    lettura.formato = "csv"
    return lettura


def _leggi_righe(righe: Iterator[tuple], colonne, max_righe, *, foglio) -> Lettura:
    intestazione = next(righe, None)
    if intestazione is None or not any(_vuota(c) is False for c in intestazione):
        raise FileNonValido(
            _("Il foglio «%(foglio)s» è vuoto: manca anche la riga d'intestazione.")
            % {"foglio": foglio}
            if foglio
            else _("Il file è vuoto: manca anche la riga d'intestazione.")
        )
    posizioni = _posizioni(intestazione, colonne)
    lettura = Lettura()
    for numero, grezza in enumerate(righe, start=2):
        if all(_vuota(c) for c in grezza):
            continue
        if len(lettura.righe) >= max_righe:
            raise FileNonValido(
                _(
                    "Il file ha più di %(n)s righe di dati: dividerlo in più file di "
                    "%(n)s righe al massimo."
                )
                % {"n": f"{max_righe:,}".replace(",", ".")}
            )
        lettura.righe.append(_riga(numero, grezza, posizioni))
    if not lettura.righe:
        raise FileNonValido(
            _("Il foglio non ha righe di dati sotto l'intestazione: non c'è nulla da importare.")
        )
    return lettura


def _vuota(cella) -> bool:
    return cella is None or (isinstance(cella, str) and not cella.strip())


def _posizioni(intestazione: tuple, colonne: list[Colonna]) -> list[tuple[int, Colonna]]:
    per_nome = {}
    for colonna in colonne:
        per_nome[_normale(colonna.etichetta)] = colonna
        per_nome[_normale(colonna.chiave)] = colonna
    posizioni, estranee, viste = [], [], set()
    for indice, titolo in enumerate(intestazione):
        if _vuota(titolo):
            continue
        colonna = per_nome.get(_normale(titolo))
        if colonna is None or colonna.chiave in viste:
            estranee.append(str(titolo).strip())
            continue
        viste.add(colonna.chiave)
        posizioni.append((indice, colonna))
    errori = []
    mancanti = [c.etichetta for c in colonne if c.obbligatoria and c.chiave not in viste]
    if mancanti:
        errori.append(
            ngettext(
                "Manca la colonna %(colonne)s.",
                "Mancano le colonne %(colonne)s.",
                len(mancanti),
            )
            % {"colonne": ", ".join(f"«{m}»" for m in mancanti)}
        )
    if estranee:
        errori.append(
            ngettext(
                "La colonna %(colonne)s non è prevista.",
                "Le colonne %(colonne)s non sono previste.",
                len(estranee),
            )
            % {"colonne": ", ".join(f"«{e}»" for e in estranee)}
        )
    if errori:
        errori.append(
            _("Colonne previste, nella prima riga: %(colonne)s.")
            % {"colonne": ", ".join(f"«{c.etichetta}»" for c in colonne)}
        )
        raise FileNonValido(" ".join(errori))
    return posizioni


def _riga(numero: int, grezza: tuple, posizioni) -> RigaFile:
    riga = RigaFile(numero=numero, celle={})
    for indice, colonna in posizioni:
        cella = grezza[indice] if indice < len(grezza) else None
        if isinstance(cella, _Formula):
            riga.errori.append(
                _(
                    "%(colonna)s: la formula «%(formula)s» non ha un valore calcolato "
                    "(il file non è stato salvato da Excel): aprirlo e salvarlo in Excel, "
                    "oppure scrivere il valore al posto della formula."
                )
                % {"colonna": colonna.etichetta, "formula": cella.testo}
            )
            riga.celle[colonna.chiave] = None
            continue
        try:
            valore = converti(cella, colonna.tipo)
        except ValueError as errore:
            riga.errori.append(f"{colonna.etichetta}: {errore}")
            valore = None
        if valore in (None, "") and colonna.obbligatoria:
            riga.errori.append(_("Manca «%(colonna)s».") % {"colonna": colonna.etichetta})
        riga.celle[colonna.chiave] = valore
    return riga


# --- Cells by type ---------------------------------------------------------------------


def converti(cella, tipo: str):
    """A cell as the column's type; ValueError with an Italian message when it is not."""
    if _vuota(cella):
        return "" if tipo == "testo" else None
    return _CONVERTITORI[tipo](cella)


def _testo_cella(cella) -> str:
    if isinstance(cella, float) and cella.is_integer():
        return str(int(cella))
    if isinstance(cella, datetime):
        return cella.strftime("%d/%m/%Y %H:%M") if cella.time() else cella.strftime("%d/%m/%Y")
    if isinstance(cella, date):
        return cella.strftime("%d/%m/%Y")
    testo = str(cella).strip()
    # The exports defuse text that Excel would take for a formula with a leading «'».
    if testo.startswith("'") and testo[1:].startswith(FORMULA_START):
        testo = testo[1:]
    return testo


def numero_italiano(testo: str) -> Decimal:
    """ "1.234,5", "21,5", "21.5", "124.835" (thousands), "€ 1.234,56", "21,5%"."""
    pulito = testo.strip().replace("€", "").replace("%", "").replace(" ", "").replace("\xa0", "")
    if "," in pulito:
        pulito = pulito.replace(".", "").replace(",", ".")
    elif _MIGLIAIA.match(pulito):
        pulito = pulito.replace(".", "")
    numero = Decimal(pulito)
    if not numero.is_finite():
        raise InvalidOperation
    return numero


def _decimale(cella) -> Decimal:
    if isinstance(cella, bool):
        raise ValueError(_("«%(v)s» non è un numero.") % {"v": cella})
    if isinstance(cella, int | Decimal):
        return Decimal(cella)
    if isinstance(cella, float):
        return Decimal(repr(cella))
    if isinstance(cella, date):
        raise ValueError(
            _(
                "la cella contiene la data %(d)s, non un numero: Excel ha letto il numero "
                "come data. Formattare la cella come «Numero» e riscrivere il valore."
            )
            % {"d": cella.strftime("%d/%m/%Y")}
        )
    try:
        return numero_italiano(str(cella))
    except (InvalidOperation, ValueError):
        raise ValueError(
            _("«%(v)s» non è un numero (scrivere ad esempio 1.234,5).") % {"v": cella}
        ) from None


def _intero(cella) -> int:
    numero = _decimale(cella)
    if numero != numero.to_integral_value():
        raise ValueError(_("«%(v)s» non è un numero intero.") % {"v": cella})
    return int(numero)


def _data(cella) -> date:
    if isinstance(cella, datetime):
        return cella.date()
    if isinstance(cella, date):
        return cella
    testo = str(cella).strip()
    try:
        if trovata := _DATA_IT.match(testo):
            giorno, mese, anno = (int(g) for g in trovata.groups())
            return date(anno, mese, giorno)
        if trovata := _DATA_ISO.match(testo):
            return date(*(int(g) for g in trovata.groups()))
    except ValueError:
        pass
    raise ValueError(_("«%(v)s» non è una data (scrivere ad esempio 31/12/2025).") % {"v": cella})


_SI = {"sì", "si", "s", "vero", "x", "1", "true", "yes"}
_NO = {"no", "n", "falso", "0", "false"}


def _booleano(cella) -> bool:
    if isinstance(cella, bool):
        return cella
    testo = _normale(cella)
    if testo in _SI:
        return True
    if testo in _NO:
        return False
    raise ValueError(_("«%(v)s» non è un valore valido: scrivere Sì o No.") % {"v": cella})


_CONVERTITORI: dict[str, Callable] = {
    "testo": _testo_cella,
    "intero": _intero,
    "decimale": _decimale,
    "data": _data,
    "booleano": _booleano,
}


# --- Importers -------------------------------------------------------------------------

AZIONI = ("crea", "modifica", "invariata", "rifiutata")


@dataclass
class EsitoRiga:
    numero: int
    azione: str  # one of AZIONI
    descrizione: str = ""
    messaggi: list[str] = field(default_factory=list)
    dati: object = None  # what `applica` needs; not shown
    da_confermare: bool = False  # applied only when the user ticks the confirmation


class Importatore:
    """One table that can be imported; subclass and register with `@importatore(tipo)`."""

    tipo: str = ""
    titolo: str = ""
    colonne: list[Colonna] = []
    permesso: str = ""  # a django-rules permission, asked on the Ambito
    max_bytes: int = MAX_BYTES
    max_righe: int = MAX_RIGHE
    #: the label of the tick shown when rows need a confirmation.
    etichetta_conferma: str = ""

    def campi(self, *, user, ambito) -> dict:
        """Form fields of the parameters (e.g. the period), shown on the upload page."""
        return {}

    def parametri(self, *, user, ambito, dati) -> dict:
        """The cleaned fields as a JSON-able dict (ids); 404 for what the user may not see."""
        return {}

    def descrivi(self, **parametri) -> dict[str, str]:
        """The parameters as the pages show them ({"Periodo": "2° semestre 2025"})."""
        return {}

    def modello(self, *, ambito, user, **parametri) -> Tabella:
        raise NotImplementedError

    def leggi(self, file, *, ambito, **parametri) -> Lettura:
        """The rows of the file: the template's columns (an importer that also takes
        another format, e.g. ISTAT's population CSV, reads it here)."""
        return leggi_file(
            file, colonne=self.colonne, max_bytes=self.max_bytes, max_righe=self.max_righe
        )

    def prova(self, righe: list[RigaFile], *, ambito, user, **parametri) -> list[EsitoRiga]:
        raise NotImplementedError

    def applica(self, esiti: list[EsitoRiga], *, ambito, user, motivo, **parametri) -> None:
        raise NotImplementedError


_IMPORTATORI: dict[str, Importatore] = {}


def importatore(tipo: str):
    """Class decorator: register an `Importatore` subclass under `tipo` (URL part)."""

    def registra(classe):
        istanza = classe()
        istanza.tipo = tipo
        _IMPORTATORI[tipo] = istanza
        return classe

    return registra


def importatore_of(tipo: str) -> Importatore | None:
    return _IMPORTATORI.get(tipo)


def importatori() -> dict[str, Importatore]:
    return dict(_IMPORTATORI)


# --- The flow: upload (dry run), confirm -------------------------------------------------


@dataclass
class Prova:
    """The dry run of a stored upload, as the page shows it."""

    importazione: object
    errori: list[str]  # of the file: nothing can be applied
    esiti: list[EsitoRiga]

    @property
    def conteggi(self) -> dict[str, int]:
        conteggi = dict.fromkeys(AZIONI, 0)
        for esito in self.esiti:
            conteggi[esito.azione] += 1
        return conteggi

    @property
    def da_confermare(self) -> int:
        return sum(1 for e in self.esiti if e.da_confermare and e.azione != "rifiutata")

    @property
    def applicabile(self) -> bool:
        conteggi = self.conteggi
        return not self.errori and not conteggi["rifiutata"] and bool(self.esiti)

    @property
    def modifiche(self) -> int:
        conteggi = self.conteggi
        return conteggi["crea"] + conteggi["modifica"]

    def riepilogo(self) -> dict:
        return {"errori": self.errori, "conteggi": self.conteggi}


def motivo_of(importazione) -> str:
    """The audit reason of the changes an import makes."""
    utente = importazione.utente.get_full_name() or importazione.utente.get_username()
    nome = importazione.nome_file
    motivo = _("Importato dal file «%(nome)s» da %(utente)s")
    # The audit trail keeps 100 characters: a long file name is shortened, not the user.
    spazio = 100 - len(motivo % {"nome": "", "utente": utente})
    if len(nome) > spazio:
        nome = nome[: max(spazio - 1, 8)] + "…"
    return (motivo % {"nome": nome, "utente": utente})[:100]


def _esegui_prova(importazione, *, conferma: bool = False) -> Prova:
    imp = importatore_of(importazione.tipo)
    if not importazione.contenuto and importazione.riepilogo.get("errori"):
        # A file refused before being stored (too large): its message, as at upload.
        return Prova(importazione, list(importazione.riepilogo["errori"]), [])
    lettura = imp.leggi(
        _NomeFile(bytes(importazione.contenuto or b""), importazione.nome_file),
        ambito=importazione.ambito,
        **importazione.parametri,
    )
    if lettura.errori:
        return Prova(importazione, lettura.errori, [])
    esiti = imp.prova(
        lettura.righe,
        ambito=importazione.ambito,
        user=importazione.utente,
        conferma=conferma,
        **importazione.parametri,
    )
    return Prova(importazione, [], esiti)


class _NomeFile(io.BytesIO):
    def __init__(self, contenuto: bytes, name: str):
        super().__init__(contenuto)
        self.name = name


def importazione_carica(*, user, ambito, tipo: str, file, parametri: dict) -> Prova:
    """Store an upload and return its dry run (nothing else is written)."""
    from ambito.models import Importazione

    imp = importatore_of(tipo)
    nome = (getattr(file, "name", "") or "file")[:255]
    lettura = None
    try:
        contenuto = _leggi_byte(file, imp.max_bytes)
    except FileNonValido as errore:
        contenuto, lettura = b"", Lettura(errori=[str(errore)])
    importazione = Importazione.objects.create(
        ambito=ambito,
        tipo=tipo,
        nome_file=nome,
        sha256=hashlib.sha256(contenuto).hexdigest(),
        dimensione=len(contenuto),
        contenuto=contenuto,
        utente=user,
        parametri=parametri,
    )
    if lettura is not None:
        prova = Prova(importazione, lettura.errori, [])
    else:
        prova = _esegui_prova(importazione)
    importazione.riepilogo = prova.riepilogo()
    importazione.save(update_fields=["riepilogo"])
    return prova


def importazione_prova(*, importazione, conferma: bool = False) -> Prova:
    """The dry run of a stored upload against the database of now."""
    return _esegui_prova(importazione, conferma=conferma)


def importazione_applica(*, user, importazione, conferma: bool = False) -> Prova:
    """Apply a stored upload: every row in one transaction, or nothing.

    Refused (ValidationError, nothing written) when the file has errors, a row is
    rejected, a flagged row is not confirmed, or the upload was already applied.
    """
    from ambito.models import Importazione

    if importazione.utente_id != user.pk:
        raise ValidationError(_("Solo chi ha caricato il file può confermarne l'importazione."))
    with transaction.atomic():
        importazione = Importazione.objects.select_for_update().get(pk=importazione.pk)
        if importazione.stato != Importazione.Stato.PROVA:
            raise ValidationError(
                _(
                    "Questo caricamento è già stato %(stato)s: per importare di nuovo "
                    "caricare il file."
                )
                % {"stato": importazione.get_stato_display().lower()}
            )
        prova = _esegui_prova(importazione, conferma=conferma)
        if not prova.applicabile:
            raise ValidationError(
                _(
                    "Nessuna modifica è stata fatta: il file ha righe rifiutate. Correggerle "
                    "nel file e caricarlo di nuovo."
                )
            )
        if prova.da_confermare and not conferma:
            raise ValidationError(
                ngettext(
                    "Nessuna modifica è stata fatta: %(n)s riga chiede una conferma "
                    "esplicita. Spuntare la conferma e ripetere.",
                    "Nessuna modifica è stata fatta: %(n)s righe chiedono una conferma "
                    "esplicita. Spuntare la conferma e ripetere.",
                    prova.da_confermare,
                )
                % {"n": prova.da_confermare}
            )
        importatore_of(importazione.tipo).applica(
            [e for e in prova.esiti if e.azione in ("crea", "modifica")],
            ambito=importazione.ambito,
            user=user,
            motivo=motivo_of(importazione),
            conferma=conferma,
            **importazione.parametri,
        )
        importazione.stato = Importazione.Stato.APPLICATA
        importazione.applicata_il = timezone.now()
        importazione.riepilogo = prova.riepilogo()
        importazione.save(update_fields=["stato", "applicata_il", "riepilogo"])
    return prova
