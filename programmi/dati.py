"""Loads the Piani di Zona of Ambito Visconteo Sud Milano from fixtures/programmi/."""

from decimal import Decimal

from django.conf import settings

from ambito.dati import read_yaml
from ambito.models import Ambito
from fondi.models import Progetto

from .models import PianoDiZona, Scheda

FIXTURE = settings.BASE_DIR / "fixtures" / "programmi" / "piani.yaml"


def carica(stdout):
    data = read_yaml(FIXTURE)
    ambito = Ambito.objects.get(codice=data["ambito"])
    schede = 0
    for spec in data["piani"]:
        piano, _ = PianoDiZona.objects.update_or_create(
            ambito=ambito,
            anno_inizio=spec["anno_inizio"],
            defaults={"anno_fine": spec["anno_fine"], "stato": spec["stato"]},
        )
        for item in spec.get("schede", []):
            progetto = None
            if "progetto_linea" in item:
                progetto = Progetto.objects.get(ambito=ambito, linea__codice=item["progetto_linea"])
            Scheda.objects.update_or_create(
                piano=piano,
                numero=item["numero"],
                defaults={
                    "titolo": item["titolo"],
                    "budget": Decimal(item["budget"]),
                    "progetto": progetto,
                },
            )
            schede += 1
    stdout.write(f"Programmazione: {len(data['piani'])} piani, {schede} schede.")
