"""ISTAT files: the list of the Italian Comuni (fixtures/reference) and the resident
population CSV a user uploads (demo.istat.it)."""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .sintetico import ISTAT_CSV, read_comuni

MAX_DIMENSIONE = 20 * 1024 * 1024  # a whole region's file is a few MB


@dataclass(frozen=True)
class ComuneIstat:
    codice_istat: str
    nome: str
    sigla_provincia: str
    regione: str


def _piatto(testo: str) -> str:
    """Lower case without accents, for searching "agliè" as "aglie"."""
    return unicodedata.normalize("NFKD", testo).encode("ascii", "ignore").decode().casefold()


@cache
def comuni_istat() -> dict[str, ComuneIstat]:
    return {
        r["codice_istat"]: ComuneIstat(
            r["codice_istat"], r["nome"], r["sigla_provincia"], r["regione"]
        )
        for r in read_comuni(ISTAT_CSV)
    }


def cerca_comuni(testo: str, limite: int = 40) -> list[ComuneIstat]:
    """Comuni whose ISTAT code starts with the digits typed, or whose name contains the
    words typed (accents ignored)."""
    testo = (testo or "").strip()
    if not testo:
        return []
    if testo.isdigit():
        trovati = [c for c in comuni_istat().values() if c.codice_istat.startswith(testo)]
    else:
        parole = _piatto(testo).split()
        trovati = [c for c in comuni_istat().values() if all(p in _piatto(c.nome) for p in parole)]
        trovati.sort(key=lambda c: (not _piatto(c.nome).startswith(parole[0]), c.nome))
    return trovati[:limite]


# --- The resident population file --------------------------------------------------------

_CODICE = ("codice comune", "codice istat", "codice istat comune", "codice_istat", "itter107")
_TOTALE = ("totale", "popolazione", "popolazione residente", "residenti", "obs_value", "value")
_ETA = ("eta", "età")
ETA_TOTALE = {"999", "totale", "total"}


def _intestazione(valore: str) -> str:
    return re.sub(r"\s+", " ", valore.strip().strip('"').strip().casefold())


def _testo(upload) -> str:
    if (getattr(upload, "size", None) or 0) > MAX_DIMENSIONE:
        raise ValidationError(_("Il file è troppo grande (al massimo 20 MB)."))
    grezzo = upload.read()
    if b"\x00" in grezzo[:4096]:
        raise ValidationError(_("Il file non è un CSV: salvalo come testo CSV e riprova."))
    for codifica in ("utf-8-sig", "cp1252"):
        try:
            return grezzo.decode(codifica)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("Il file non è un testo leggibile (UTF-8 o Windows)."))


def leggi_popolazione(upload) -> dict[str, int]:
    """{ISTAT code: residents} from an ISTAT CSV: one row per Comune with a total, or one
    row per Comune and age (the total is the row of age 999, else the sum of the ages).

    Title lines above the header are skipped; ',' or ';' separators; codes that lost
    their leading zeros in a spreadsheet ("15189") are read as "015189".
    """
    righe = _testo(upload).splitlines()
    inizio = None
    for numero, riga in enumerate(righe[:20]):
        celle = [_intestazione(c) for c in re.split(r"[;,\t]", riga)]
        if any(c in _CODICE for c in celle):
            inizio = numero
            break
    if inizio is None:
        raise ValidationError(
            _(
                "Nel file non c'è la colonna del codice del Comune («Codice comune»): "
                "è il file della popolazione residente dell'ISTAT?"
            )
        )
    separatore = max(";,\t", key=righe[inizio].count)
    lettore = csv.reader(io.StringIO("\n".join(righe[inizio:])), delimiter=separatore)
    intestazione = [_intestazione(c) for c in next(lettore)]
    colonna = {nome: i for i, nome in reversed(list(enumerate(intestazione)))}
    i_codice = next(colonna[n] for n in _CODICE if n in colonna)
    i_totale = next((colonna[n] for n in _TOTALE if n in colonna), None)
    if i_totale is None:
        raise ValidationError(_("Nel file non c'è la colonna del totale dei residenti («Totale»)."))
    i_eta = next((colonna[n] for n in _ETA if n in colonna), None)
    totali: dict[str, int] = {}
    per_eta: dict[str, int] = {}
    errori = []
    for numero, celle in enumerate(lettore, start=inizio + 2):
        if not any(c.strip() for c in celle):
            continue
        if len(celle) <= max(i_codice, i_totale):
            errori.append(_("Riga %(n)d: mancano delle colonne.") % {"n": numero})
            continue
        codice = celle[i_codice].strip()
        if not codice.isdigit() or len(codice) > 6:
            continue  # notes and totals of the province at the bottom of ISTAT's files
        codice = codice.zfill(6)
        valore = celle[i_totale].strip().replace(".", "").replace(" ", "")
        if not valore.isdigit():
            errori.append(
                _("Riga %(n)d: il totale «%(valore)s» non è un numero intero.")
                % {"n": numero, "valore": celle[i_totale].strip()[:30]}
            )
            continue
        if i_eta is None or celle[i_eta].strip().casefold() in ETA_TOTALE:
            totali[codice] = int(valore)
        else:
            per_eta[codice] = per_eta.get(codice, 0) + int(valore)
        if len(errori) >= 10:
            break
    if errori:
        raise ValidationError(errori)
    risultato = {**per_eta, **totali}
    if not risultato:
        raise ValidationError(_("Il file non contiene righe di Comuni."))
    return risultato
