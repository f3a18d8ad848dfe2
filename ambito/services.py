"""Writes of the territory app: validate everything, then save, in one transaction."""

from django.db import transaction

from .cache import invalida_cache_di
from .models import Comune, DatiDemografici


def _save(instance, *, exclude=None):
    instance.full_clean(exclude=exclude)
    instance.save()
    invalida_cache_di(instance)
    return instance


@transaction.atomic
def comune_save(*, comune: Comune) -> Comune:
    return _save(comune)


@transaction.atomic
def dati_demografici_save(*, dati: DatiDemografici) -> DatiDemografici:
    return _save(dati)
