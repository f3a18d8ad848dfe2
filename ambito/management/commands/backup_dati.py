"""Saves the whole database (data, users, audit trail) to one XML file.

XML rather than JSON: Django's JSON serializer cuts times to the millisecond, and the
audit trail must come back exactly as it was.
"""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

FORMATI = (".xml", ".xml.gz", ".xml.bz2", ".xml.xz")

# Rebuilt by `migrate` in any database (and referred to by natural keys in the file),
# or worthless after a restore (open sessions).
# celery beat's change marker (one row, rewritten whenever a periodic task is saved)
# is not data either.
ESCLUSI = ["contenttypes", "auth.permission", "sessions", "django_celery_beat.periodictasks"]


class Command(BaseCommand):
    help = (
        "Salva tutti i dati in un file XML (anche compresso: .xml.gz, .xml.bz2, .xml.xz): "
        "dati dei Piani, utenti e incarichi, registro delle modifiche. Si ripristina con "
        "ripristina_dati in un database vuoto, anche di tipo diverso (SQLite o PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="File da scrivere.")

    def handle(self, *args, output, **options):
        path = Path(output)
        if not path.name.endswith(FORMATI):
            raise CommandError(
                f"Il file deve avere una di queste estensioni: {', '.join(FORMATI)}."
            )
        if not path.parent.is_dir():
            raise CommandError(f"La cartella {path.parent} non esiste.")
        # One transaction, so every table is read at the same instant even while the
        # app is in use (on PostgreSQL the snapshot must be asked for explicitly).
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                format="xml",
                exclude=ESCLUSI,
                natural_foreign=True,
                output=str(path),
                verbosity=0,
            )
        self.stdout.write(f"Copia dei dati salvata in {path} ({path.stat().st_size:,} byte).")
