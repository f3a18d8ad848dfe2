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
from .choices import TRANSIZIONI_STATO, StatoProgetto, TipoAtto
from .models import (
    Assegnazione,
    Atto,
    AttoProgetto,
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
    """A new project, always «candidato»: later states come through
    `progetto_transition`, or `progetto_import_with_history` for an existing one."""
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
    stato = progetto.stato
    # Every rule (the transition included) is checked at once, for the messages; the
    # change of state itself is then the one of progetto_transition.
    progetto_validate(
        progetto=progetto,
        ambiti_partner=list(ambiti_partner),
        comuni=list(comuni),
        stato_precedente=stato_precedente,
    )
    progetto.stato = stato_precedente
    _progetto_save(progetto, ambiti_partner, comuni, stato_precedente)
    if stato != stato_precedente:
        progetto_transition(progetto=progetto, stato=stato)
    return progetto


@transaction.atomic
def progetto_transition(*, progetto: Progetto, stato: str, motivo: str = "") -> Progetto:
    """Move a project to another state, if the transition is allowed; `motivo` goes
    into the audit trail as the change reason."""
    stato_precedente = _stato_salvato(progetto, lock=True)
    progetto.stato = stato
    progetto_validate(progetto=progetto, stato_precedente=stato_precedente)
    version_bump(progetto)
    if motivo:
        progetto._change_reason = motivo
    progetto.save(update_fields=["stato", "versione"])
    invalida_cache_di(progetto)
    return progetto


def percorso_stati(da: str, a: str) -> list[str]:
    """The shortest chain of allowed transitions from `da` to `a` (without `da`)."""
    visti, coda = {da: []}, [da]
    while coda:
        stato = coda.pop(0)
        if stato == a:
            return visti[stato]
        for successivo in sorted(TRANSIZIONI_STATO.get(stato, ())):
            if successivo not in visti:
                visti[successivo] = [*visti[stato], successivo]
                coda.append(successivo)
    raise ValidationError({"stato": _("Stato non raggiungibile da «Candidato».")})


@transaction.atomic
def progetto_import_with_history(
    *,
    progetto: Progetto,
    motivo: str,
    stato: str | None = None,
    storia: Iterable[str] | None = None,
    ambiti_partner: Iterable[Ambito] = (),
    comuni: Iterable[Comune] = (),
) -> Progetto:
    """The audited import path for a project that already has a life (e.g. loaded from
    the Piano or a file): it is created as «candidato», then walks the state machine up
    to `stato` (the shortest chain, or the states of `storia` in order), each step a
    checked transition whose history row carries `motivo`."""
    if not (motivo or "").strip():
        raise ValidationError({"motivo": _("Indicare il motivo dell'importazione.")})
    arrivo = stato or progetto.stato
    progetto.stato = StatoProgetto.CANDIDATO
    progetto._change_reason = motivo
    progetto_create(progetto=progetto, ambiti_partner=ambiti_partner, comuni=comuni)
    passi = list(storia) if storia is not None else percorso_stati(StatoProgetto.CANDIDATO, arrivo)
    for passo in passi:
        progetto_transition(progetto=progetto, stato=passo, motivo=motivo)
    return progetto


@transaction.atomic
def progetto_delete(*, progetto: Progetto) -> None:
    """Delete a project registered by mistake: its amounts go with it; one with
    financial progress already recorded is kept (its history is the monitoring's)."""
    if progetto.avanzamenti.exists() or progetto.atti.exists():
        raise ValidationError(
            _(
                "Il progetto ha già avanzamenti finanziari o atti registrati: non si può "
                "eliminare "
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


def _effetto_errori(errore: ValidationError, progetto, raggruppa: bool) -> ValidationError:
    """An act's per-project errors: next to their fields for a single project (the
    page), else under `progetti`, each naming its project."""
    if not raggruppa:
        return errore
    return ValidationError(
        {
            "progetti": [
                f"{progetto.titolo}: {messaggio}"
                for messaggi in errore.message_dict.values()
                for messaggio in messaggi
            ]
        }
    )


@transaction.atomic
def atto_progetto_add(
    *,
    atto: Atto,
    progetto: Progetto,
    importo=None,
    linea: LineaFinanziamento | None = None,
    nuova_data_fine=None,
    nota: str = "",
) -> AttoProgetto:
    """Record what an act decides for one project: a new end date and/or a top-up,
    saved as a funding row of the project linked to the act (counted once)."""
    effetto = AttoProgetto(atto=atto, progetto=progetto, nuova_data_fine=nuova_data_fine, nota=nota)
    errors = {}
    try:
        instance_validate(effetto)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if importo is not None and importo < 0:
        errors.setdefault("importo", []).append(_("L'importo non può essere negativo."))
    if atto.tipo == TipoAtto.INTEGRAZIONE and not importo:
        errors.setdefault("importo", []).append(
            _("Un'integrazione deve indicare l'importo concesso al progetto.")
        )
    if errors:
        raise ValidationError(errors)
    version_bump(effetto)
    effetto.save()
    if importo:
        finanziamento = FinanziamentoProgetto(
            progetto=progetto,
            linea=linea or progetto.linea,
            importo=importo,
            integrazione=True,
            atto_progetto=effetto,
            nota=str(atto)[:500],
        )
        try:
            instance_save(finanziamento)
        except ValidationError as error:
            # The funding row's own messages belong to the act's fields.
            raise ValidationError(
                {("linea" if k == "linea" else "importo"): v for k, v in error.message_dict.items()}
            ) from error
    invalida_cache_di(progetto)
    return effetto


@transaction.atomic
def atto_register(*, atto: Atto, effetti: Iterable[dict], raggruppa_errori=None) -> Atto:
    """Register an act and its effect on each project (dicts with the arguments of
    `atto_progetto_add`): all of them or nothing. The errors of the projects are under
    `progetti` when several are given (or `raggruppa_errori`)."""
    effetti = list(effetti)
    if not effetti:
        raise ValidationError(
            {"progetti": _("Indicare almeno un progetto a cui si applica l'atto.")}
        )
    raggruppa = len(effetti) > 1 if raggruppa_errori is None else raggruppa_errori
    instance_save(atto)
    for effetto in effetti:
        progetto = effetto["progetto"]
        try:
            if progetto.ambito_id != atto.ambito_id:
                raise ValidationError(
                    {"progetto": _("Il progetto non è dell'Ambito che registra l'atto.")}
                )
            atto_progetto_add(atto=atto, **effetto)
        except ValidationError as error:
            raise _effetto_errori(error, progetto, raggruppa) from error
    return atto


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
