"""Reading statistical-table rows from a file: the parser layer of the upload.

It turns a CSV (an .xlsx is first read by the shared reader of
ambito/platform/importazioni.py and written out as the same CSV) into `RigaLetta`
records with the errors found in each row; it knows nothing of the database. The
service `tabella_valori_importa` (services.py) checks the rows against the table and
writes them, in one transaction, or only tells what it would do (dry run).
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from ambito.platform.importazioni import Colonna, leggi_file

from .choices import Territorio

COLONNE = ("misura", "territorio", "comune", "luogo", "anno", "categoria", "valore")
OBBLIGATORIE = ("misura", "valore")
_MIGLIAIA = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


@dataclass
class RigaLetta:
    numero: int
    misura: str = ""
    territorio: str = ""
    comune: str = ""
    luogo: str = ""
    anno: int | None = None
    categoria: str = ""
    valore: Decimal | None = None
    errori: list[str] = field(default_factory=list)


def numero_italiano(testo: str) -> Decimal:
    """A number as the Piano prints it: "124.835" and "21,5" as well as "21.5"."""
    testo = testo.strip().replace(" ", "").replace("%", "")
    if "," in testo:
        testo = testo.replace(".", "").replace(",", ".")
    elif _MIGLIAIA.match(testo):
        testo = testo.replace(".", "")
    return Decimal(testo)


def leggi_righe(righe: Iterable[Mapping[str, object]], *, primo_numero: int = 2) -> list[RigaLetta]:
    """Rows as dicts (column name -> cell) to `RigaLetta`, with per-row errors."""
    lette = []
    territori = dict(Territorio.choices)
    for numero, grezza in enumerate(righe, start=primo_numero):
        cella = {
            str(k).strip().lower(): ("" if v is None else str(v).strip())
            for k, v in grezza.items()
            if k is not None
        }
        if not any(cella.values()):
            continue
        riga = RigaLetta(numero=numero)
        riga.misura = cella.get("misura", "")
        riga.comune = cella.get("comune", "")
        riga.luogo = cella.get("luogo", "")
        riga.categoria = cella.get("categoria", "")
        territorio = cella.get("territorio", "").lower()
        if not territorio:
            territorio = Territorio.COMUNE if riga.comune else Territorio.AMBITO
        if territorio not in territori:
            riga.errori.append(
                _("Territorio «%(t)s» non valido: usare %(scelte)s.")
                % {"t": territorio, "scelte": ", ".join(territori)}
            )
        riga.territorio = territorio
        if not riga.misura:
            riga.errori.append(_("Manca la misura."))
        anno = cella.get("anno", "")
        if anno:
            if anno.isdigit() and 1990 <= int(anno) <= 2100:
                riga.anno = int(anno)
            else:
                riga.errori.append(_("Anno «%(a)s» non valido.") % {"a": anno})
        valore = cella.get("valore", "")
        if not valore:
            riga.errori.append(_("Manca il valore."))
        else:
            try:
                riga.valore = numero_italiano(valore)
                if not riga.valore.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                riga.errori.append(_("Valore «%(v)s» non numerico.") % {"v": valore})
        lette.append(riga)
    return lette


def leggi_csv(contenuto: str) -> tuple[list[RigaLetta], list[str]]:
    """The rows of a CSV text (separator «;» or «,»), and the errors of the file itself."""
    contenuto = contenuto.lstrip("\ufeff")
    if not contenuto.strip():
        return [], [_("Il file è vuoto.")]
    prima = contenuto.splitlines()[0]
    separatore = ";" if prima.count(";") >= prima.count(",") else ","
    lettore = csv.DictReader(io.StringIO(contenuto), delimiter=separatore)
    intestazione = [c.strip().lower() for c in lettore.fieldnames or []]
    mancanti = [c for c in OBBLIGATORIE if c not in intestazione]
    if mancanti:
        return [], [
            _("Mancano le colonne: %(c)s. Colonne previste: %(tutte)s.")
            % {"c": ", ".join(mancanti), "tutte": ", ".join(COLONNE)}
        ]
    return leggi_righe(lettore), []


COLONNE_XLSX = [
    Colonna("misura", "misura", obbligatoria=True),
    Colonna("territorio", "territorio"),
    Colonna("comune", "comune"),
    Colonna("luogo", "luogo"),
    Colonna("anno", "anno", "intero"),
    Colonna("categoria", "categoria"),
    Colonna("valore", "valore", "decimale", obbligatoria=True),
]


def xlsx_come_csv(file, *, max_bytes: int) -> tuple[str, list[str]]:
    """An uploaded .xlsx (or CSV) read by the shared reader, as the CSV text that
    `leggi_csv` reads (what the confirmation form carries), and the file's errors."""
    lettura = leggi_file(file, colonne=COLONNE_XLSX, max_bytes=max_bytes)
    errori = list(lettura.errori) + [
        _("Riga %(n)s: %(errore)s") % {"n": riga.numero, "errore": errore}
        for riga in lettura.righe
        for errore in riga.errori
    ]
    if errori:
        return "", errori
    out = io.StringIO()
    scrittore = csv.writer(out, delimiter=";", lineterminator="\n")
    scrittore.writerow(COLONNE)
    for riga in lettura.righe:
        scrittore.writerow([_cella_csv(riga.celle.get(c)) for c in COLONNE])
    return out.getvalue(), []


def _cella_csv(valore) -> str:
    if valore is None:
        return ""
    if isinstance(valore, Decimal):
        return str(valore).replace(".", ",")  # read back by `numero_italiano`
    return str(valore)
