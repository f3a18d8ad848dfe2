"""Generates a PDF report from the command line, registered like one from the pages."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ambito.models import Ambito, Comune
from indicatori import reports
from indicatori.models import Periodo


class Command(BaseCommand):
    help = "Genera la Relazione di monitoraggio o la Scheda Comune in PDF."

    def add_arguments(self, parser):
        parser.add_argument("tipo", choices=["relazione", "scheda_comune"])
        parser.add_argument("--utente", required=True, help="chi genera il report (username)")
        parser.add_argument("--ambito", help="codice dell'Ambito (relazione)")
        parser.add_argument("--comune", help="codice ISTAT del Comune (scheda_comune)")
        parser.add_argument("--periodo", help="codice del periodo (es. 2025-s2)")
        parser.add_argument("--output", required=True, help="file PDF da scrivere")

    def handle(self, *args, tipo, utente, ambito, comune, periodo, output, **options):
        try:
            user = get_user_model().objects.get(username=utente)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"Utente inesistente: {utente}") from error
        # The same scoping as the pages: the user must be able to see what he asks for.
        if tipo == "relazione":
            ambito_obj = Ambito.objects.visible_to(user).filter(codice=ambito).first()
            if ambito_obj is None:
                raise CommandError(f"Ambito non trovato o non visibile a {utente}: {ambito}")
            periodo_obj = self._periodo(user, ambito_obj.pk, periodo) if periodo else None
            report = reports.relazione_pdf(user=user, ambito=ambito_obj, periodo=periodo_obj)
        else:
            comune_obj = Comune.objects.visible_to(user).filter(codice_istat=comune).first()
            if comune_obj is None:
                raise CommandError(f"Comune non trovato o non visibile a {utente}: {comune}")
            if not periodo:
                raise CommandError("Indicare --periodo per la Scheda Comune.")
            periodo_obj = self._periodo(user, comune_obj.ambito_id, periodo)
            report = reports.scheda_comune_pdf(user=user, comune=comune_obj, periodo=periodo_obj)
        Path(output).write_bytes(report.contenuto)
        r = report.registro
        self.stdout.write(f"{r.numero}: {output} ({r.pagine} pagine), SHA-256 {r.sha256}")

    def _periodo(self, user, ambito_id, codice):
        periodo = (
            Periodo.objects.visible_to(user).filter(ambito_id=ambito_id, codice=codice).first()
        )
        if periodo is None:
            raise CommandError(f"Periodo non trovato: {codice}")
        return periodo
