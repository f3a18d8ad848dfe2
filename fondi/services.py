"""Writes of the fondi app: validate everything, then save, in one transaction.

Forms, the Django admin and the API call these functions, so every rule (and its
Italian message, attached to the field) is the same wherever the data come from.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ambito.cache import invalida_cache_di
from ambito.models import Ambito, Comune

from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    FinanziamentoProgetto,
    LineaFinanziamento,
    Progetto,
)


def _save(instance):
    instance.full_clean()
    instance.save()
    invalida_cache_di(instance)
    return instance


@transaction.atomic
def linea_save(*, linea: LineaFinanziamento) -> LineaFinanziamento:
    return _save(linea)


@transaction.atomic
def assegnazione_save(*, assegnazione: Assegnazione) -> Assegnazione:
    return _save(assegnazione)


def verifica_partner_e_comuni(
    *, progetto: Progetto, ambiti_partner: Iterable[Ambito], comuni: Iterable[Comune]
) -> None:
    """Rules that involve the project's many-to-many relations (checked before saving):
    partners differ from the lead; Comuni and soggetto attuatore belong to the lead
    Ambito or to a partner."""
    ambiti_partner, comuni = list(ambiti_partner), list(comuni)
    errors = {}
    if progetto.ambito_id and any(a.pk == progetto.ambito_id for a in ambiti_partner):
        errors["ambiti_partner"] = _("L'Ambito capofila non può essere anche partner.")
    ammessi = {progetto.ambito_id, *(a.pk for a in ambiti_partner)}
    estranei = sorted(c.nome for c in comuni if c.ambito_id not in ammessi)
    if estranei:
        errors["comuni"] = _(
            "Non appartengono all'Ambito capofila né agli Ambiti partner: %(comuni)s."
        ) % {"comuni": ", ".join(estranei)}
    ente = progetto.soggetto_attuatore
    if ente is not None and ente.ambito_id not in ammessi:
        errors["soggetto_attuatore"] = _(
            "Il soggetto attuatore deve essere un ente dell'Ambito capofila o di un Ambito partner."
        )
    if errors:
        raise ValidationError(errors)


def _valida_progetto(progetto, ambiti_partner, comuni):
    errors = {}
    try:
        progetto.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        verifica_partner_e_comuni(progetto=progetto, ambiti_partner=ambiti_partner, comuni=comuni)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def progetto_create(
    *,
    progetto: Progetto,
    ambiti_partner: Iterable[Ambito] = (),
    comuni: Iterable[Comune] = (),
) -> Progetto:
    """A new project. Any initial state is allowed: projects are often registered when
    they are already admitted or running."""
    ambiti_partner, comuni = list(ambiti_partner), list(comuni)
    _valida_progetto(progetto, ambiti_partner, comuni)
    progetto.save()
    invalida_cache_di(progetto)
    progetto.ambiti_partner.set(ambiti_partner)
    progetto.comuni.set(comuni)
    return progetto


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
    ambiti_partner, comuni = list(ambiti_partner), list(comuni)
    # Lock the row: two concurrent state changes must not both pass the check.
    Progetto.objects.select_for_update().filter(pk=progetto.pk).exists()
    _valida_progetto(progetto, ambiti_partner, comuni)
    progetto.save()
    invalida_cache_di(progetto)
    progetto.ambiti_partner.set(ambiti_partner)
    progetto.comuni.set(comuni)
    return progetto


@transaction.atomic
def progetto_cambia_stato(*, progetto: Progetto, stato: str) -> Progetto:
    """Move a project to another state, if the transition is allowed."""
    Progetto.objects.select_for_update().filter(pk=progetto.pk).exists()
    progetto.stato = stato
    progetto.full_clean()
    progetto.save(update_fields=["stato"])
    invalida_cache_di(progetto)
    return progetto


@transaction.atomic
def finanziamento_save(*, finanziamento: FinanziamentoProgetto) -> FinanziamentoProgetto:
    return _save(finanziamento)


@transaction.atomic
def avanzamento_save(*, avanzamento: AvanzamentoFinanziario) -> AvanzamentoFinanziario:
    """Record (or correct) a dated progress snapshot; earlier snapshots stay."""
    return _save(avanzamento)
