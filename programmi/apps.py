from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammiConfig(AppConfig):
    name = "programmi"
    verbose_name = _("Programmazione")
