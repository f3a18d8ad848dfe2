"""Loads the real data of Ambito Visconteo Sud Milano; safe to run any number of times.

Each Zonale app contributes its own data through a `dati` module with a
`carica(stdout)` function; apps are loaded in the order of INSTALLED_APPS, so a
later app can refer to what an earlier one loaded.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from ambito.apps import ZONALE_APPS
from ambito.dati import crea_utenti_demo
from ambito.platform.cache import invalida_cache


class Command(BaseCommand):
    help = "Carica i dati reali dell'Ambito Visconteo Sud Milano (idempotente)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--utenti-demo",
            action="store_true",
            help="Crea un utente dimostrativo per ruolo e ne stampa le credenziali.",
        )

    def handle(self, *args, utenti_demo=False, **options):
        with transaction.atomic():
            for app in ZONALE_APPS:
                if not apps.is_installed(app) or find_spec(f"{app}.dati") is None:
                    continue
                import_module(f"{app}.dati").carica(stdout=self.stdout)
            invalida_cache()  # when the load commits
            if utenti_demo and not settings.DEBUG:
                self.stderr.write("Utenti dimostrativi non creati: DEBUG è disattivato.")
            elif utenti_demo:
                crea_utenti_demo(stdout=self.stdout)
