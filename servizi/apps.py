from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiziConfig(AppConfig):
    name = "servizi"
    verbose_name = _("Servizi")

    def ready(self):
        from . import importazioni  # noqa: F401 - registers the spreadsheet imports
