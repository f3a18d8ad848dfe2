from django.db import models
from django.utils.translation import gettext_lazy as _


class LivelloFonte(models.TextChoices):
    UE = "ue", _("Unione Europea")
    NAZIONALE = "nazionale", _("Nazionale")
    REGIONALE = "regionale", _("Regionale")
    COMUNALE = "comunale", _("Comunale")
    ALTRO = "altro", _("Altro")


class StatoProgetto(models.TextChoices):
    CANDIDATO = "candidato", _("Candidato")
    IDONEO_NON_FINANZIATO = "idoneo_non_finanziato", _("Idoneo non finanziato")
    AMMESSO = "ammesso", _("Ammesso e finanziato")
    IN_CORSO = "in_corso", _("In corso")
    CONCLUSO = "concluso", _("Concluso")
    REVOCATO = "revocato", _("Revocato")
