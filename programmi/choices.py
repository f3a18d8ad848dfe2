from django.db import models
from django.utils.translation import gettext_lazy as _


class StatoPiano(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    APPROVATO = "approvato", _("Approvato")
    IN_VIGORE = "in_vigore", _("In vigore")
    CONCLUSO = "concluso", _("Concluso")
