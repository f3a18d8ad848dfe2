"""Writes of the territory app."""

from django.db import transaction

from .models import Comune, DatiDemografici
from .platform.services import instance_save


@transaction.atomic
def comune_save(*, comune: Comune) -> Comune:
    return instance_save(comune)


@transaction.atomic
def dati_demografici_save(*, dati: DatiDemografici) -> DatiDemografici:
    return instance_save(dati)
