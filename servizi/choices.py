from django.db import models
from django.utils.translation import gettext_lazy as _


class TipoServizio(models.TextChoices):
    SERVIZIO = "servizio", _("Servizio")
    MISURA = "misura", _("Misura")
