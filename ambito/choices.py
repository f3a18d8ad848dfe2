from django.db import models
from django.utils.translation import gettext_lazy as _


def etichetta_di(campo: str, scelte):
    """A `get_<campo>_display` that reads the label of the value only: Django's own
    makes every label of the choices hashable (one translation each) at every call, and
    lists and the API show the label on every row. `get_stato_display =
    etichetta_di("stato", StatoProgetto)` in the model's body."""
    etichette = dict(scelte.choices)  # lazy: translated when shown

    def get_display(self) -> str:
        valore = getattr(self, campo)
        return str(etichette.get(valore, valore))

    get_display.__name__ = f"get_{campo}_display"
    return get_display


class Ruolo(models.TextChoices):
    UFFICIO_PIANO = "ufficio_piano", _("Ufficio di Piano")
    OPERATORE = "operatore", _("Operatore comunale")
    REVISORE = "revisore", _("Revisore")
    REGIONE = "regione", _("Regione")


class TipoEnte(models.TextChoices):
    ATS = "ats", _("ATS - Agenzia di Tutela della Salute")
    ASST = "asst", _("ASST - Azienda Socio Sanitaria Territoriale")
    COMUNE = "comune", _("Comune")
    ETS = "ets", _("Ente del Terzo Settore / cooperativa")
    AZIENDA = "azienda", _("Azienda / società")
    ALTRO = "altro", _("Altro")


class InvioEmail(models.TextChoices):
    """How an Ufficio di Piano hears of the Comuni's submissions by e-mail."""

    SUBITO = "subito", _("Una e-mail per ogni invio")
    RIEPILOGO = "riepilogo", _("Un riepilogo al giorno")
    MAI = "mai", _("Nessuna e-mail (solo nell'applicazione)")


class StatoLavoro(models.TextChoices):
    """The state of a background job (a report or an export written by a worker)."""

    IN_CODA = "in_coda", _("In coda")
    IN_CORSO = "in_corso", _("In corso")
    PRONTO = "pronto", _("Pronto")
    FALLITO = "fallito", _("Non riuscito")


class TipoEsportazione(models.TextChoices):
    """What an export job writes (each kind's rows: ambito/platform/esportazioni.py)."""

    VALORI = "valori", _("Valori degli indicatori")
    REGISTRO = "registro", _("Registro delle modifiche")
    REGIS = "regis", _("Dati ReGiS del progetto (per CUP)")


class FormatoEsportazione(models.TextChoices):
    """The file format of an export (each format is one function in esportazioni.py)."""

    CSV = "csv", _("CSV (Excel, separatore punto e virgola)")
    XLSX = "xlsx", _("Excel (.xlsx)")
