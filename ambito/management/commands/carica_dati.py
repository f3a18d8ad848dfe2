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

ZONALE_APPS = ["ambito", "fondi", "servizi", "programmi", "indicatori"]

DEMO_PASSWORD = "Visconteo-Demo-2025"
DEMO_USERS = [
    # username, first name, last name, role, ISTAT code of the Comune (operators)
    ("ufficio.piano", "Giulia", "Ferrari", "ufficio_piano", None),
    ("operatore.rozzano", "Marco", "Colombo", "operatore", "015189"),
    ("operatore.binasco", "Laura", "Bianchi", "operatore", "015024"),
    ("revisore", "Paolo", "Ricci", "revisore", None),
]


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
            if utenti_demo:
                self.crea_utenti_demo()

    def crea_utenti_demo(self):
        from django.contrib.auth import get_user_model

        from ambito.dati import CODICE_AMBITO
        from ambito.models import Ambito, Comune, Incarico

        if not settings.DEBUG:
            self.stderr.write("Utenti dimostrativi non creati: DEBUG è disattivato.")
            return
        user_model = get_user_model()
        ambito = Ambito.objects.get(codice=CODICE_AMBITO)
        self.stdout.write("\nUtenti dimostrativi (password uguale per tutti):")
        for username, first, last, ruolo, istat in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"first_name": first, "last_name": last}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            comune = Comune.objects.get(codice_istat=istat) if istat else None
            Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=ruolo, comune=comune)
            self.stdout.write(f"  {username:<20} password: {DEMO_PASSWORD}   ({ruolo})")
