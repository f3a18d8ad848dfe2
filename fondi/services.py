"""Writes of the fondi app: validate everything, then save, in one transaction.

Forms, the Django admin and the API call these functions, so every rule (and its
Italian message, attached to the field) is the same wherever the data come from.
"""

from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from ambito.models import Ambito, Comune
from ambito.platform.cache import invalida_cache_di
from ambito.platform.services import instance_save, instance_validate
from ambito.platform.versioning import version_bump

from . import validators
from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    Candidatura,
    FinanziamentoProgetto,
    FonteFinanziamento,
    LineaCandidatura,
    LineaFinanziamento,
    PartecipazioneCandidatura,
    PartnerProgetto,
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
    progetto.delete()
    invalida_cache_di(progetto)


@transaction.atomic
def finanziamento_save(*, finanziamento: FinanziamentoProgetto) -> FinanziamentoProgetto:
    return instance_save(finanziamento)


@transaction.atomic
def avanzamento_save(*, avanzamento: AvanzamentoFinanziario) -> AvanzamentoFinanziario:
    """Record (or correct) a dated progress snapshot; earlier snapshots stay."""
    return instance_save(avanzamento)


# --- Own funds, candidatures, partner bodies ---------------------------------------------


@transaction.atomic
def fonte_save(*, fonte: FonteFinanziamento) -> FonteFinanziamento:
    """A funding source: an Ambito's own (pages, API) or national (superuser, admin)."""
    return instance_save(fonte)


@transaction.atomic
def candidatura_save(*, candidatura: Candidatura) -> Candidatura:
    return instance_save(candidatura)


def _quote_altrui(righe, pk, campo="quota"):
    """The sum of the other rows' shares (None counts as 0)."""
    return righe.exclude(pk=pk).aggregate(totale=Sum(campo))["totale"] or 0


def _validate_quota_somma(riga, altre, messaggio) -> None:
    """The row's share plus the other rows' stays within 100%."""
    if riga.quota is None or riga.quota < 0 or riga.quota > 100:
        return  # no share, or already refused by the field's own validator
    if riga.quota + _quote_altrui(altre, riga.pk) > 100:
        raise ValidationError({"quota": messaggio})


def validate_partecipazione(partecipazione: PartecipazioneCandidatura) -> None:
    errors = {}
    candidatura = partecipazione.candidatura
    if partecipazione.ambito_id and partecipazione.ambito_id == candidatura.ambito_id:
        errors["ambito"] = _("L'Ambito capofila non può essere anche partner della candidatura.")
    elif partecipazione.ambito_id:
        doppione = PartecipazioneCandidatura.objects.filter(
            candidatura_id=candidatura.pk, ambito_id=partecipazione.ambito_id
        ).exclude(pk=partecipazione.pk)
        if doppione.exists():
            errors["ambito"] = _("L'Ambito è già partner di questa candidatura.")
    try:
        _validate_quota_somma(
            partecipazione,
            PartecipazioneCandidatura.objects.filter(candidatura_id=candidatura.pk),
            _(
                "Con questa quota le quote degli Ambiti partner superano il 100% del totale "
                "della candidatura."
            ),
        )
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def partecipazione_save(*, partecipazione: PartecipazioneCandidatura) -> PartecipazioneCandidatura:
    """A partner Ambito of a candidature; the shares together stay within 100%."""
    # Lock the candidature: two partners saved at once must not both pass the sum.
    Candidatura.objects.select_for_update().filter(pk=partecipazione.candidatura_id).first()
    return instance_save(partecipazione, validators=[validate_partecipazione])


@transaction.atomic
def partecipazione_delete(*, partecipazione: PartecipazioneCandidatura) -> None:
    partecipazione.delete()
    invalida_cache_di(partecipazione)


def validate_linea_candidatura(riga: LineaCandidatura) -> None:
    errors = {}
    candidatura = riga.candidatura
    if riga.linea_id:
        doppione = LineaCandidatura.objects.filter(
            candidatura_id=candidatura.pk, linea_id=riga.linea_id
        ).exclude(pk=riga.pk)
        if doppione.exists():
            errors["linea"] = _(
                "La candidatura comprende già questo investimento: modificare quello."
            )
    if riga.progetto_id and riga.progetto.ambito_id != candidatura.ambito_id:
        errors["progetto"] = _("Il progetto deve avere come capofila l'Ambito della candidatura.")
    elif riga.progetto_id:
        altra = LineaCandidatura.objects.filter(progetto_id=riga.progetto_id).exclude(pk=riga.pk)
        if altra.exists():
            errors["progetto"] = _("Il progetto è già collegato a un'altra candidatura.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def linea_candidatura_save(*, riga: LineaCandidatura) -> LineaCandidatura:
    """One investment of a candidature (amount, outcome, project)."""
    return instance_save(riga, validators=[validate_linea_candidatura])


@transaction.atomic
def linea_candidatura_delete(*, riga: LineaCandidatura) -> None:
    riga.delete()
    invalida_cache_di(riga)


def validate_partner_progetto(partner: PartnerProgetto) -> None:
    _validate_quota_somma(
        partner,
        PartnerProgetto.objects.filter(progetto_id=partner.progetto_id),
        _("Con questa quota le quote degli enti del progetto superano il 100%."),
    )


@transaction.atomic
def partner_progetto_save(*, partner: PartnerProgetto) -> PartnerProgetto:
    """A body (ASST, association, Comune...) in a project; shares stay within 100%."""
    Progetto.objects.select_for_update().filter(pk=partner.progetto_id).first()
    return instance_save(partner, validators=[validate_partner_progetto])


@transaction.atomic
def partner_progetto_delete(*, partner: PartnerProgetto) -> None:
    partner.delete()
    invalida_cache_di(partner)
