"""Writes of the fondi app: validate everything, then save, in one transaction.

Forms, the Django admin and the API call these functions, so every rule (and its
Italian message, attached to the field) is the same wherever the data come from.
"""

from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ambito.models import Ambito, Comune
from ambito.platform.cache import invalida_cache_di
from ambito.platform.services import instance_save, instance_validate
from ambito.platform.versioning import version_bump

from . import validators
from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    FinanziamentoProgetto,
    LineaFinanziamento,
    Progetto,
)


@transaction.atomic
def linea_save(*, linea: LineaFinanziamento) -> LineaFinanziamento:
    return instance_save(linea)


@transaction.atomic
def assegnazione_save(*, assegnazione: Assegnazione) -> Assegnazione:
    return instance_save(assegnazione)


def _stato_salvato(progetto: Progetto, *, lock: bool = False) -> str | None:
    """The project's stored state (None when new), read under a row lock if asked."""
    if not progetto.pk:
        return None
    righe = Progetto.objects.filter(pk=progetto.pk)
    if lock:
        righe = righe.select_for_update()
    return righe.values_list("stato", flat=True).first()


def progetto_validators(
    *,
    ambiti_partner: Iterable[Ambito] | None = None,
    comuni: Iterable[Comune] | None = None,
    stato_precedente: str | None = None,
) -> list:
    """The named rules of a project: `validators.PROGETTO`, the state machine (from
    `stato_precedente`) and, when given, the relations."""
    regole = [
        *validators.PROGETTO,
        partial(validators.validate_progetto_transizione, stato_precedente=stato_precedente),
    ]
    if ambiti_partner is not None or comuni is not None:
        regole.append(
            partial(
                validators.validate_progetto_relazioni,
                ambiti_partner=ambiti_partner or (),
                comuni=comuni or (),
            )
        )
    return regole


def progetto_validate(*, progetto: Progetto, **contesto) -> None:
    """Field checks, then the rules of `progetto_validators(**contesto)`."""
    instance_validate(progetto, validators=progetto_validators(**contesto))


def _progetto_save(progetto, ambiti_partner, comuni, stato_precedente) -> Progetto:
    ambiti_partner, comuni = list(ambiti_partner), list(comuni)
    progetto_validate(
        progetto=progetto,
        ambiti_partner=ambiti_partner,
        comuni=comuni,
        stato_precedente=stato_precedente,
    )
    version_bump(progetto)
    progetto.save()
    invalida_cache_di(progetto)
    progetto.ambiti_partner.set(ambiti_partner)
    progetto.comuni.set(comuni)
    return progetto


@transaction.atomic
def progetto_create(
    *,
    progetto: Progetto,
    ambiti_partner: Iterable[Ambito] = (),
    comuni: Iterable[Comune] = (),
) -> Progetto:
    """A new project. Any initial state is allowed: projects are often registered when
    they are already admitted or running."""
    return _progetto_save(progetto, ambiti_partner, comuni, stato_precedente=None)


@transaction.atomic
def progetto_update(
    *,
    progetto: Progetto,
    ambiti_partner: Iterable[Ambito] | None = None,
    comuni: Iterable[Comune] | None = None,
) -> Progetto:
    """Save a changed project; a change of state must be an allowed transition.
    Relations left as None keep their current value."""
    if ambiti_partner is None:
        ambiti_partner = progetto.ambiti_partner.all()
    if comuni is None:
        comuni = progetto.comuni.all()
    # The row lock: two concurrent state changes must not both pass the check.
    stato_precedente = _stato_salvato(progetto, lock=True)
    return _progetto_save(progetto, ambiti_partner, comuni, stato_precedente)


@transaction.atomic
def progetto_transition(*, progetto: Progetto, stato: str) -> Progetto:
    """Move a project to another state, if the transition is allowed."""
    stato_precedente = _stato_salvato(progetto, lock=True)
    progetto.stato = stato
    progetto_validate(progetto=progetto, stato_precedente=stato_precedente)
    version_bump(progetto)
    progetto.save(update_fields=["stato", "versione"])
    invalida_cache_di(progetto)
    return progetto


@transaction.atomic
def progetto_delete(*, progetto: Progetto) -> None:
    """Delete a project registered by mistake: its amounts go with it; one with
    financial progress already recorded is kept (its history is the monitoring's)."""
    if progetto.avanzamenti.exists():
        raise ValidationError(
            _(
                "Il progetto ha già avanzamenti finanziari registrati: non si può eliminare "
                "(cambiarne lo stato, ad esempio in «revocato»)."
            ),
            code="protetto",
        )
    if progetto.giustificativi.exists() or progetto.rendicontazioni.exists():
        raise ValidationError(
            _(
                "Il progetto ha già spese o domande di rimborso registrate: non si può "
                "eliminare (cambiarne lo stato, ad esempio in «revocato»)."
            ),
            code="protetto",
        )
    progetto.delete()
    invalida_cache_di(progetto)


@transaction.atomic
def finanziamento_save(*, finanziamento: FinanziamentoProgetto) -> FinanziamentoProgetto:
    return instance_save(finanziamento)


@transaction.atomic
def avanzamento_save(*, avanzamento: AvanzamentoFinanziario) -> AvanzamentoFinanziario:
    """Record (or correct) a dated progress snapshot; earlier snapshots stay."""
    return instance_save(avanzamento)
