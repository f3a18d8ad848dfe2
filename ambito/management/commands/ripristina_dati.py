"""Restores a file written by backup_dati into an empty, migrated database."""

from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ambito.platform.cache import invalida_cache

from .backup_dati import FORMATI

# Tables that `migrate` fills by itself: they do not make a database "not empty".
DI_SERVIZIO = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Apps whose rows a migration writes (the periodic tasks of celery beat): the restore
# overwrites them by id, and they do not make a database "not empty" either.
APP_DI_SERVIZIO = {"django_celery_beat"}


def _tabelle():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in DI_SERVIZIO
        and model._meta.managed
        and not model._meta.proxy
    ]


@contextmanager
def _senza_storico():
    prima = getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    settings.SIMPLE_HISTORY_ENABLED = False
    try:
        yield
    finally:
        settings.SIMPLE_HISTORY_ENABLED = prima


def tabelle_con_dati() -> list[str]:
    return [
        model._meta.label
        for model in _tabelle()
        if model._meta.app_label not in APP_DI_SERVIZIO and model._base_manager.exists()
    ]


class Command(BaseCommand):
    help = (
        "Ripristina in un database vuoto (creato con `migrate`) un file scritto da "
        "backup_dati: dati, utenti e registro delle modifiche, con gli stessi identificativi."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", "-i", required=True, help="File da leggere.")

    def handle(self, *args, input, **options):
        path = Path(input)
        if not path.name.endswith(FORMATI):
            raise CommandError(
                f"Il file deve avere una di queste estensioni: {', '.join(FORMATI)}."
            )
        if not path.is_file():
            raise CommandError(f"Il file {path} non esiste.")
        piene = tabelle_con_dati()
        if piene:
            raise CommandError(
                "Il database non è vuoto: il ripristino non sovrascrive dati esistenti. "
                f"Tabelle con dati: {', '.join(piene[:10])}"
                f"{' e altre' if len(piene) > 10 else ''}. "
                "Usa un database nuovo (manage.py migrate) oppure svuotalo con manage.py flush."
            )
        # loaddata saves rows as they are and resets the id sequences; all or nothing.
        # No new audit records: simple-history skips raw saves, but not the
        # many-to-many values loaddata sets afterwards (a project's partners would get
        # an extra "~" version each), so history is switched off while loading.
        with transaction.atomic(), _senza_storico():
            call_command("loaddata", str(path), verbosity=0)
            invalida_cache()  # when the restore commits
        righe = sum(model._base_manager.count() for model in _tabelle())
        self.stdout.write(f"Dati ripristinati da {path}: {righe:,} righe.")
