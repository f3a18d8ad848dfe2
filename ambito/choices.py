from django.db import models
from django.utils.translation import gettext_lazy as _


class Ruolo(models.TextChoices):
    UFFICIO_PIANO = "ufficio_piano", _("Ufficio di Piano")
    OPERATORE = "operatore", _("Operatore comunale")
    REVISORE = "revisore", _("Revisore")


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
