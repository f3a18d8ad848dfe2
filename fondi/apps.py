from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FondiConfig(AppConfig):
    name = "fondi"
    verbose_name = _("Fondi")

    def ready(self):
        # Registrations: the ReGiS export per CUP and the spreadsheet imports.
        from . import esportazioni, importazioni  # noqa: F401
