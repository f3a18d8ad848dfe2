from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _

# Zonale's own apps, in the order their data are loaded (each may depend on the former).
ZONALE_APPS = ["ambito", "fondi", "servizi", "programmi", "indicatori"]


class AmbitoConfig(AppConfig):
    default = True  # this module also holds the admin's config
    name = "ambito"
    verbose_name = _("Territorio")

    def ready(self):
        from . import importazioni  # noqa: F401 - registers the population import
        from .platform.audit import esportazione  # noqa: F401 - registers the trail export


class ZonaleAdminConfig(admin_apps.AdminConfig):
    """Django's admin with Zonale's site (platform/admin_site.py), named in INSTALLED_APPS."""

    default = False
    default_site = "ambito.platform.admin_site.ZonaleAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes under an Italian name (its own AppConfig has none to translate)."""

    default = False
    verbose_name = _("Sicurezza degli accessi")
