from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FondiConfig(AppConfig):
    name = "fondi"
    verbose_name = _("Fondi")

    def ready(self):
        from . import esportazioni  # noqa: F401 - registers the ReGiS export per CUP
