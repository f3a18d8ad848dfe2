"""Lists where a figure printed in the Piano differs from what the rows add up to."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ambito.models import Ambito
from servizi import selectors


class Command(BaseCommand):
    help = (
        "Confronta i conteggi e i totali stampati nel Piano di Zona (unità d'offerta, "
        "dati dei servizi, risorse degli avvisi) con quanto risulta dalle righe registrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ambito", default="visconteo-sud-milano", help="Codice dell'Ambito.")
        parser.add_argument(
            "--tutti", action="store_true", help="Elenca anche i dati che concordano."
        )

    def handle(self, *args, ambito, tutti, **options):
        try:
            ambito = Ambito.objects.get(codice=ambito)
        except Ambito.DoesNotExist:
            raise CommandError(f"Ambito sconosciuto: {ambito}") from None
        # A management command runs with full rights: a superuser sees every row.
        sistema = get_user_model()(is_superuser=True, is_active=True)
        verifica = selectors.verifica_piano(fetched_by=sistema, ambito=ambito)
        verifiche, discordanti = verifica.verifiche, verifica.da_controllare
        for v in verifiche if tutti else discordanti:
            self.stdout.write(
                f"[{v.esito}] {v.sezione} | {v.descrizione}: stampato {v.stampato_testo}, "
                f"calcolato {v.calcolato_testo}" + (f" ({v.nota})" if v.nota else "")
            )
        self.stdout.write(
            f"{len(discordanti)} dati da controllare su {len(verifiche)} dati stampati."
        )
