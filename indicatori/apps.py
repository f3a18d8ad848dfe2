from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatoriConfig(AppConfig):
    name = "indicatori"
    verbose_name = _("Indicatori")

    def ready(self):
        from . import esportazioni  # noqa: F401 - registers the values export
