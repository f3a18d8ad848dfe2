"""Writes of the servizi app: validate everything, then save, in one transaction.

Forms, the Django admin and the API call these functions, so every rule (and its
Italian message, attached to the field) is the same wherever the data come from.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ambito.models import Comune
from ambito.platform.services import instance_save

from .models import Avviso, DatoAnnuale, QuotaAvviso, Servizio, UnitaOfferta


@transaction.atomic
def servizio_save(*, servizio: Servizio, comuni: Iterable[Comune], linee=()) -> Servizio:
    comuni = list(comuni)
    estranei = sorted(c.nome for c in comuni if c.ambito_id != servizio.ambito_id)
    if estranei:
        raise ValidationError(
            {
                "comuni": _("Non appartengono all'Ambito del servizio: %(comuni)s.")
                % {"comuni": ", ".join(estranei)}
            }
        )
    instance_save(servizio)
    servizio.comuni.set(comuni)
    servizio.linee.set(list(linee))
    return servizio


@transaction.atomic
def unita_save(*, unita: UnitaOfferta) -> UnitaOfferta:
    return instance_save(unita)


@transaction.atomic
def dato_annuale_save(*, dato: DatoAnnuale) -> DatoAnnuale:
    return instance_save(dato)


@transaction.atomic
def avviso_save(
    *, avviso: Avviso, quote: Iterable[QuotaAvviso] = (), eliminate: Iterable[QuotaAvviso] = ()
) -> Avviso:
    """The call and its resources together: the total is always the sum of the quote."""
    instance_save(avviso)
    for quota in eliminate:
        quota.delete()
    for quota in quote:
        quota.avviso = avviso
        instance_save(quota)
    return avviso
