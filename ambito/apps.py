from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitoConfig(AppConfig):
    name = "ambito"
    verbose_name = _("Territorio")
