from django.db import models
from django.utils.translation import gettext_lazy as _


class TipoIndicatore(models.TextChoices):
    INPUT = "input", _("Input (bisogno)")
    OUTPUT = "output", _("Output (risultato)")
    PROCESSO = "processo", _("Processo")
    OUTCOME = "outcome", _("Outcome (impatto)")


class UnitaMisura(models.TextChoices):
    CONTEGGIO = "conteggio", _("Conteggio")
    PERCENTUALE = "percentuale", _("Percentuale")
    EURO = "euro", _("Euro")
    TESTO = "testo", _("Testo qualitativo")


class Direzione(models.TextChoices):
    CRESCENTE = "crescente", _("Più alto è meglio")
    DECRESCENTE = "decrescente", _("Più basso è meglio")


class AggregazioneComuni(models.TextChoices):
    SOMMA = "somma", _("Somma")
    MEDIA_PESATA = "media_pesata", _("Media pesata per popolazione")
    NESSUNA = "nessuna", _("Nessuna")


class AggregazionePeriodi(models.TextChoices):
    SOMMA = "somma", _("Somma")
    ULTIMO = "ultimo", _("Ultimo valore")


class Periodicita(models.TextChoices):
    ANNUALE = "annuale", _("Annuale")
    SEMESTRALE = "semestrale", _("Semestrale")
    TRIMESTRALE = "trimestrale", _("Trimestrale")
    MENSILE = "mensile", _("Mensile")


# Months in which a period must end for an indicator of that periodicity to be due.
MESI_DI_CHIUSURA = {
    Periodicita.ANNUALE: {12},
    Periodicita.SEMESTRALE: {6, 12},
    Periodicita.TRIMESTRALE: {3, 6, 9, 12},
    Periodicita.MENSILE: set(range(1, 13)),
}


class Livello(models.TextChoices):
    COMUNE = "comune", _("Per Comune")
    AMBITO = "ambito", _("Solo per l'Ambito")


class StatoPeriodo(models.TextChoices):
    APERTO = "aperto", _("Aperto")
    CHIUSO = "chiuso", _("Chiuso")
    RIAPERTO = "riaperto", _("Riaperto")


class AzionePeriodo(models.TextChoices):
    CHIUSURA = "chiusura", _("Chiusura")
    RIAPERTURA = "riapertura", _("Riapertura")


class StatoValore(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    INVIATO = "inviato", _("Inviato")
    APPROVATO = "approvato", _("Approvato")
    RESPINTO = "respinto", _("Respinto")


class FonteContesto(models.TextChoices):
    ISTAT = "istat", _("ISTAT")
    ATS = "ats", _("ATS")
    UDP = "udp", _("Ufficio di Piano")


class StatoAvanzamento(models.TextChoices):
    IN_LINEA = "in_linea", _("In linea")
    A_RISCHIO = "a_rischio", _("A rischio")
    CRITICO = "critico", _("Critico")
    NON_VALUTABILE = "non_valutabile", _("Non valutabile")
