from django.db import models
from django.utils.translation import gettext_lazy as _


class StatoPiano(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    APPROVATO = "approvato", _("Approvato")
    IN_VIGORE = "in_vigore", _("In vigore")
    CONCLUSO = "concluso", _("Concluso")


class CoincidenzaRisorse(models.IntegerChoices):
    """Resources spent compared with resources allocated (regional template, § 1.2).

    Stored as -1 / 0 / 1 so that rows sort and filter by it (e.g. `< 0`: underspent).
    """

    INFERIORE = -1, _("<100%")
    PARI = 0, _("100%")
    SUPERIORE = 1, _(">100%")


class Adeguatezza(models.IntegerChoices):
    """Adequacy of staff and means for the objective, from worst to best."""

    INSUFFICIENTE = 1, _("Insufficiente")
    SUFFICIENTE = 2, _("Sufficientemente adeguato")
    ADEGUATO = 3, _("Adeguato")


class TipoVoce(models.TextChoices):
    """The lists of a scheda (regional template, § 7.1), each kept in its order."""

    OBIETTIVO = "obiettivo", _("Obiettivi da raggiungere")
    AZIONE = "azione", _("Azioni programmate")
    DESTINATARIO = "destinatario", _("Target destinatari dell'intervento")
    PERSONALE = "personale", _("Risorse di personale dedicate")
    AREA_POLICY = "area_policy", _("Aree di policy integrate")
    PUNTO_CHIAVE = "punto_chiave", _("Punti chiave dell'intervento")


# The lists of a scheda by the name that forms, API and fixture use for them.
ELENCHI = {
    "obiettivi": TipoVoce.OBIETTIVO,
    "azioni": TipoVoce.AZIONE,
    "destinatari": TipoVoce.DESTINATARIO,
    "personale": TipoVoce.PERSONALE,
    "aree_policy": TipoVoce.AREA_POLICY,
    "punti_chiave": TipoVoce.PUNTO_CHIAVE,
}
