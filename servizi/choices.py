from django.db import models
from django.utils.translation import gettext_lazy as _


class TipoServizio(models.TextChoices):
    SERVIZIO = "servizio", _("Servizio")
    MISURA = "misura", _("Misura")


class StatoServizio(models.TextChoices):
    IN_AVVIO = "in_avvio", _("In avvio")
    ATTIVO = "attivo", _("Attivo")
    SOSPESO = "sospeso", _("Sospeso")
    CONCLUSO = "concluso", _("Concluso")


class UnitaGrandezza(models.TextChoices):
    CONTEGGIO = "conteggio", _("Numero")
    EURO = "euro", _("Euro")
    ORE = "ore", _("Ore")
    PERCENTUALE = "percentuale", _("Percentuale")


class TipoQuota(models.TextChoices):
    EROGATA = "erogata", _("Risorse erogate")
    RIPROGRAMMATA = "riprogrammata", _("Risorse riprogrammate")


class AreaUtenza(models.TextChoices):
    """The areas by which the Piano groups the unità d'offerta (§ 3.1 and § 3.2)."""

    PRIMA_INFANZIA = "prima_infanzia", _("Prima infanzia")
    MINORI = "minori", _("Minori")
    DISABILITA = "disabilita", _("Persone con disabilità")
    ANZIANI = "anziani", _("Anziani")
    DIPENDENZE = "dipendenze", _("Dipendenze")
    MATERNO_INFANTILE = "materno_infantile", _("Materno infantile")
    SALUTE_MENTALE = "salute_mentale", _("Salute mentale")
    CURE_PALLIATIVE = "cure_palliative", _("Cure palliative")
    PREVENZIONE = "prevenzione", _("Prevenzione")


class Natura(models.TextChoices):
    SOCIALE = "sociale", _("Sociale")
    SOCIOSANITARIA = "sociosanitaria", _("Socio-sanitaria")


class Gestione(models.TextChoices):
    PUBBLICA = "pubblica", _("Pubblica")
    PRIVATA = "privata", _("Privata")
    NON_INDICATA = "non_indicata", _("Non indicata")


class Misura(models.TextChoices):
    """What a printed figure of the unità d'offerta counts (data check)."""

    UNITA = "unita", _("Numero di unità")
    PUBBLICHE = "pubbliche", _("Unità pubbliche")
    PRIVATE = "private", _("Unità private")
    POSTI = "posti", _("Posti")


class UnitaStatistica(models.TextChoices):
    """What a measure of a statistical table counts, and so which values it may take."""

    CONTEGGIO = "conteggio", _("conteggio")
    PERCENTUALE = "percentuale", _("percentuale")
    PER_MILLE = "per_mille", _("tasso per 1.000 abitanti")
    INDICE = "indice", _("indice per 100")
    MEDIA = "media", _("valore medio")


class Territorio(models.TextChoices):
    COMUNE = "comune", _("Comune")
    AMBITO = "ambito", _("Ambito")
    LOMBARDIA = "lombardia", _("Lombardia")
    ITALIA = "italia", _("Italia")
    ALTRO = "altro", _("altro luogo")


class TipoStampato(models.TextChoices):
    """How a printed figure follows from the rows it summarises."""

    TOTALE = "totale", _("totale")
    MEDIA = "media", _("media")
    PERCENTUALE = "percentuale", _("percentuale")
    VARIAZIONE = "variazione", _("variazione %")
    RAPPORTO = "rapporto", _("rapporto")


class TipoAffermazione(models.TextChoices):
    """What a sentence of the Piano states about a table."""

    AUMENTO = "aumento", _("aumenta")
    DIMINUZIONE = "diminuzione", _("diminuisce")
    INVARIATO = "invariato", _("resta invariato")
    MASSIMO = "massimo", _("ha il valore più alto")
    VALORE = "valore", _("vale")
