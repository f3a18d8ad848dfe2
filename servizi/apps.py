from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiziConfig(AppConfig):
    name = "servizi"
    verbose_name = _("Servizi")
