from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Zonale's own apps, in the order their data are loaded (each may depend on the former).
ZONALE_APPS = ["ambito", "fondi", "servizi", "programmi", "indicatori"]


class AmbitoConfig(AppConfig):
    default = True  # "ambito" in INSTALLED_APPS; AxesConfig below is named explicitly
    name = "ambito"
    verbose_name = _("Territorio")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .revisioni import dopo_modifica

        post_save.connect(dopo_modifica, dispatch_uid="zonale_revisione_salvataggio")
        post_delete.connect(dopo_modifica, dispatch_uid="zonale_revisione_cancellazione")


class AxesConfig(axes_apps.AppConfig):
    """django-axes under an Italian name (its own AppConfig has none to translate)."""

    default = False
    verbose_name = _("Sicurezza degli accessi")
