"""The business rules of a project, one named function each.

Each validator raises a ValidationError keyed by the field its message belongs next
to. `services.progetto_validate` runs them after the field checks, with what the rules
need beyond the row: the stored state (the state machine) and the relations.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import TRANSIZIONI_STATO, StatoProgetto, stati_successivi
from .models import Progetto


def validate_progetto_date(progetto) -> None:
    """End and deadline do not precede the start."""
    errors = {}
    inizio = progetto.data_inizio
    if inizio and progetto.data_fine and progetto.data_fine < inizio:
        errors["data_fine"] = _("La data di fine non può precedere la data di inizio.")
    if inizio and progetto.data_scadenza and progetto.data_scadenza < inizio:
        errors["data_scadenza"] = _("La scadenza non può precedere la data di inizio.")
    if errors:
        raise ValidationError(errors)


def validate_progetto_codice_locale(progetto) -> None:
    """The local code is unique within the Ambito (the message next to the field)."""
    if not (progetto.codice_locale and progetto.ambito_id):
        return
    doppione = Progetto.objects.filter(
        ambito_id=progetto.ambito_id, codice_locale=progetto.codice_locale
    ).exclude(pk=progetto.pk)
    if doppione.exists():
        raise ValidationError(
            {"codice_locale": _("Esiste già un progetto dell'Ambito con questo codice locale.")}
        )


def errore_transizione(precedente: str | None, stato: str) -> str | None:
    """The message when state `precedente` may not become `stato`, else None."""
    if precedente is None or precedente == stato:
        return None
    if stato in TRANSIZIONI_STATO.get(precedente, frozenset()):
        return None
    consentiti = stati_successivi(precedente)
    da, a = StatoProgetto(precedente).label, StatoProgetto(stato).label
    if not consentiti:
        return _(
            "Passaggio di stato non consentito: un progetto «%(da)s» non può più cambiare stato."
        ) % {"da": da}
    return _(
        "Passaggio di stato non consentito: da «%(da)s» a «%(a)s». Stati possibili: %(consentiti)s."
    ) % {
        "da": da,
        "a": a,
        "consentiti": ", ".join(str(StatoProgetto(s).label) for s in consentiti),
    }


def validate_progetto_transizione(progetto, *, stato_precedente: str | None) -> None:
    """A new project starts as candidato; a change of state follows the state machine
    (TRANSIZIONI_STATO)."""
    if progetto.pk is None and progetto.stato != StatoProgetto.CANDIDATO:
        raise ValidationError(
            {
                "stato": _(
                    "Un nuovo progetto si registra come «Candidato»: gli stati successivi si "
                    "raggiungono con i passaggi di stato (o con l'importazione con lo storico)."
                )
            }
        )
    errore = errore_transizione(stato_precedente, progetto.stato)
    if errore:
        raise ValidationError({"stato": errore})


def validate_progetto_relazioni(progetto, *, ambiti_partner: Iterable, comuni: Iterable) -> None:
    """Partners differ from the lead; Comuni and soggetto attuatore belong to the lead
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


PROGETTO = (validate_progetto_date, validate_progetto_codice_locale)
