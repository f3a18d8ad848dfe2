from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatoriConfig(AppConfig):
    name = "indicatori"
    verbose_name = _("Indicatori")

    def ready(self):
        from programmi import services as programmi_services

        from .piani import IndicatoriDelPiano

        if not any(isinstance(e, IndicatoriDelPiano) for e in programmi_services.ESTENSIONI_PIANO):
            programmi_services.ESTENSIONI_PIANO.append(IndicatoriDelPiano())
        from . import (
            esportazioni,  # noqa: F401 - registers the values export
            importazioni,  # noqa: F401 - registers the values import
        )
