"""Writes of the indicators app, with every business rule, in one transaction.

The entry grid, the admin and the API all save values through `valori_save`; the
review page and the API approve, return, close and reopen through the functions
below. A submission with any error saves nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ambito import tasks as ambito_tasks
from ambito.choices import InvioEmail, Ruolo
from ambito.platform import jobs
from ambito.platform.cache import INDICATORI, invalida_cache_ambito
from ambito.platform.querysets import ScopedQuerySet
from ambito.platform.services import instance_save, instance_validate
from ambito.services import (
    calendario_predefinito,
    lavoro_pronto_notify,
    notifica_create,
    notifiche_digest_send,
    preferenze_of,
)

from . import validators
from .choices import AzionePeriodo, StatoPeriodo, StatoValore, UnitaMisura
from .models import (
    Categoria,
    EventoPeriodo,
    Indicatore,
    Periodo,
    RichiestaRegione,
    RichiestaRelazione,
    Valore,
)

logger = logging.getLogger(__name__)

# A value is "far from the Comune's history" above this multiple of the median of
# its approved values in the previous periods.
SOGLIA_ANOMALIA = Decimal(3)

MODIFICABILI = (StatoValore.BOZZA, StatoValore.RESPINTO)


@dataclass
class Cella:
    """One cell of a submission: an indicator's total or one of its categories."""

    indicatore: Indicatore
    categoria: object = None  # Categoria or None for the total
    valore_numerico: Decimal | None = None
    valore_testo: str = ""
    commento: str = ""
    versione: int = 0  # the version the form showed; 0 when the cell was empty

    @property
    def chiave(self) -> str:
        return chiave_cella(self.indicatore.pk, self.categoria.pk if self.categoria else None)

    @property
    def vuota(self) -> bool:
        return self.valore_numerico is None and not self.valore_testo.strip()


def _area_dal_servizio(indicatore: Indicatore) -> None:
    """An indicator of a service without an area of its own takes the service's."""
    if indicatore.servizio_id and indicatore.area_id is None:
        indicatore.area_id = indicatore.servizio.area_id


@transaction.atomic
def indicatore_save(*, indicatore: Indicatore, **options) -> Indicatore:
    """Save an indicator after its field checks and the rules of `validators.INDICATORE`."""
    _area_dal_servizio(indicatore)
    return instance_save(indicatore, validators=validators.INDICATORE, **options)


def chiave_cella(indicatore_id, categoria_id=None) -> str:
    return f"{indicatore_id}-{categoria_id or 'tot'}"


@dataclass
class ErroreCella:
    chiave: str
    campo: str
    messaggio: str
    anomalia: bool = False


class ErroriValori(ValidationError):
    """Errors of a submission, each tied to a cell and to a field of the value.

    As a ValidationError its dict is keyed by the value's field names (what the API
    returns); `errori` keeps the cell of every message (what the grid shows).
    """

    def __init__(self, errori: list[ErroreCella]):
        self.errori = errori
        per_campo: dict[str, list[str]] = {}
        for errore in errori:
            per_campo.setdefault(errore.campo, []).append(errore.messaggio)
        super().__init__(per_campo)

    @property
    def solo_anomalie(self) -> bool:
        return all(e.anomalia for e in self.errori)


def _messaggio(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("valore_numerico" if field == "__all__" else field): [
                m for e in errs for m in e.messages
            ]
            for field, errs in error.error_dict.items()
        }
    return {"valore_numerico": error.messages}


def puo_gestire(user, periodo) -> bool:
    """Whether the user manages the period's Ambito (indicatori/rules.py; no query)."""
    return user.has_perm("indicatori.approva_valore", periodo)


def _verifica_scrittura(user, periodo, comune):
    """Permission to write values of this Comune (or of the Ambito) in this period."""
    if comune is not None and comune.ambito_id != periodo.ambito_id:
        raise PermissionDenied(_("Il Comune non appartiene all'Ambito del periodo."))
    if not Valore.objects.can_create(
        user, ambito_id=periodo.ambito_id, comune_id=comune.pk if comune else None
    ):
        raise PermissionDenied(_("Non hai i permessi per inserire questi valori."))


def _periodo_bloccato(periodo) -> Periodo:
    """The period re-read under a row lock, so that a closing cannot slip in between."""
    return Periodo.objects.select_for_update().get(pk=periodo.pk)


def _periodo_condiviso(periodo) -> Periodo:
    """The period re-read under a shared row lock (PostgreSQL's FOR SHARE): the saves of
    two Comuni do not wait on each other, while a closing, which takes the exclusive
    lock, waits for them and they for it. SQLite locks the whole database anyway."""
    if connection.vendor != "postgresql":
        return Periodo.objects.get(pk=periodo.pk)
    tabella = connection.ops.quote_name(Periodo._meta.db_table)
    return Periodo.objects.raw(f"SELECT * FROM {tabella} WHERE id = %s FOR SHARE", [periodo.pk])[0]


def _errore_periodo_chiuso(periodo) -> str:
    return _(
        "Il periodo «%(periodo)s» è chiuso: i valori non si possono modificare. "
        "Chiedere all'Ufficio di Piano di riaprirlo."
    ) % {"periodo": periodo.nome}


def _errore_concorrenza() -> str:
    return _(
        "Nel frattempo un altro utente ha modificato questo valore: il tuo salvataggio "
        "non è stato eseguito per non sovrascriverlo. Ricarica la pagina e ripeti la modifica."
    )


def mediane_storiche(periodo, comune, chiavi: set[str]) -> dict[str, Decimal]:
    """Median of the approved values of previous periods, per cell."""
    indicatori = {int(k.split("-")[0]) for k in chiavi}
    righe = Valore.objects.filter(
        indicatore_id__in=indicatori,
        periodo__ambito_id=periodo.ambito_id,
        periodo__data_fine__lt=periodo.data_inizio,
        comune=comune,
        stato=StatoValore.APPROVATO,
        valore_numerico__isnull=False,
    ).values_list("indicatore_id", "categoria_id", "valore_numerico")
    storico: dict[str, list[Decimal]] = {}
    for indicatore_id, categoria_id, numero in righe:
        storico.setdefault(chiave_cella(indicatore_id, categoria_id), []).append(numero)
    return {k: median(v) for k, v in storico.items() if k in chiavi}


def _stesso_contenuto(valore: Valore, cella: Cella) -> bool:
    return (
        valore.valore_numerico == cella.valore_numerico
        and valore.valore_testo.strip() == cella.valore_testo.strip()
        and valore.commento.strip() == cella.commento.strip()
    )


def _conflitto(cella: Cella, attuale: Valore | None) -> bool:
    """The form showed another version of the cell than the stored one."""
    if attuale is None:
        return bool(cella.versione)
    return attuale.versione != cella.versione


def _invariata(cella: Cella, attuale: Valore | None) -> bool:
    """Nothing to save: a new cell left empty, or the stored content unchanged."""
    if attuale is None:
        return cella.vuota and not cella.commento.strip()
    return _stesso_contenuto(attuale, cella)


def _errore_non_modificabile(cella: Cella, attuale: Valore) -> ErroreCella:
    return ErroreCella(
        cella.chiave,
        "stato",
        _(
            "Il valore è %(stato)s e non si può più modificare: per correggerlo "
            "l'Ufficio di Piano deve prima restituirlo."
        )
        % {"stato": attuale.get_stato_display().lower()},
    )


def _errori_valore(cella: Cella, periodo, comune) -> list[ErroreCella]:
    """The field checks and the named rules of the value the cell would become."""
    candidato = Valore(
        indicatore=cella.indicatore,
        periodo=periodo,
        comune=comune,
        categoria=cella.categoria,
        valore_numerico=cella.valore_numerico,
        valore_testo=cella.valore_testo.strip(),
        commento=cella.commento.strip(),
    )
    try:
        instance_validate(
            candidato,
            validators=validators.VALORE,
            # The related objects come resolved (and scoped) from the caller: checking
            # that they exist would cost three queries per cell.
            exclude=["inserito_da", "approvato_da", "indicatore", "periodo", "comune", "categoria"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        return [
            ErroreCella(cella.chiave, campo, m)
            for campo, messaggi in _messaggio(error).items()
            for m in messaggi
        ]
    if cella.vuota and cella.commento.strip():
        messaggio = _("Inserire il valore a cui si riferisce il commento.")
        return [ErroreCella(cella.chiave, "valore_numerico", messaggio)]
    return []


def cella_invariata(cella: Cella, attuale: Valore | None) -> bool:
    """Whether saving the cell would change nothing (what an import counts as unchanged)."""
    return _invariata(cella, attuale)


def _verifica_cella(cella: Cella, attuale: Valore | None, periodo, comune):
    """The errors of one cell ([] when it may be saved), or None when nothing changes."""
    if _conflitto(cella, attuale):
        return [ErroreCella(cella.chiave, "versione", _errore_concorrenza())]
    if _invariata(cella, attuale):
        return None
    if attuale is not None and attuale.stato not in MODIFICABILI:
        return [_errore_non_modificabile(cella, attuale)]
    return _errori_valore(cella, periodo, comune)


def _controlla(user, periodo, comune, celle, conferma_anomalie, esistenti):
    """Every rule on the cells of a submission; returns (errors, changes)."""
    if not periodo.aperto:
        return [ErroreCella("", "periodo", _errore_periodo_chiuso(periodo))], []
    errori: list[ErroreCella] = []
    modifiche: list[tuple[Cella, Valore | None]] = []
    for cella in celle:
        attuale = esistenti.get(cella.chiave)
        esito = _verifica_cella(cella, attuale, periodo, comune)
        if esito:
            errori.extend(esito)
        elif esito is not None:
            modifiche.append((cella, attuale))
    errori.extend(_errori_categorie(periodo, comune, celle, esistenti))
    if not errori and not conferma_anomalie:
        errori.extend(_anomalie(periodo, comune, [c for c, _a in modifiche]))
    return errori, modifiche


def _errori_categorie(periodo, comune, celle, esistenti) -> list[ErroreCella]:
    """The «di cui» categories of an indicator may not add up to more than its total."""
    finale: dict[str, Decimal | None] = {
        k: v.valore_numerico for k, v in esistenti.items() if v.valore_numerico is not None
    }
    for cella in celle:
        finale[cella.chiave] = cella.valore_numerico
    errori = []
    indicatori = {
        c.indicatore.pk: c.indicatore
        for c in celle
        if not c.indicatore.categorie_esaustive
        and c.indicatore.unita in (UnitaMisura.CONTEGGIO, UnitaMisura.EURO)
    }
    categorie_di = defaultdict(list)
    if indicatori:
        for categoria in Categoria.objects.filter(indicatore__in=list(indicatori)):
            categorie_di[categoria.indicatore_id].append(categoria)
    for indicatore in indicatori.values():
        categorie = categorie_di[indicatore.pk]
        if not categorie:
            continue
        totale = finale.get(chiave_cella(indicatore.pk))
        somma = sum(
            (finale.get(chiave_cella(indicatore.pk, cat.pk)) or Decimal(0) for cat in categorie),
            Decimal(0),
        )
        if somma and totale is None:
            errori.append(
                ErroreCella(
                    chiave_cella(indicatore.pk),
                    "categoria",
                    _("Inserire anche il totale: le categorie ne sono una parte («di cui»)."),
                )
            )
        elif totale is not None and totale >= 0 and somma > totale:
            errori.append(
                ErroreCella(
                    chiave_cella(indicatore.pk),
                    "categoria",
                    _("La somma delle categorie (%(somma)s) supera il totale (%(totale)s).")
                    % {"somma": _numero(somma), "totale": _numero(totale)},
                )
            )
    return errori


def _numero(value: Decimal) -> str:
    from ambito.templatetags.zonale import numero

    return numero(value, 0 if value == value.to_integral_value() else 2)


def _anomalie(periodo, comune, celle) -> list[ErroreCella]:
    numeriche = [c for c in celle if c.valore_numerico is not None]
    if not numeriche:
        return []
    mediane = mediane_storiche(periodo, comune, {c.chiave for c in numeriche})
    errori = []
    for cella in numeriche:
        mediana = mediane.get(cella.chiave)
        if mediana and cella.valore_numerico > SOGLIA_ANOMALIA * mediana:
            errori.append(
                ErroreCella(
                    cella.chiave,
                    "conferma_anomalia",
                    _(
                        "Il valore %(valore)s è più del triplo della mediana dei periodi "
                        "precedenti (%(mediana)s). Se è corretto, conferma lo scostamento."
                    )
                    % {"valore": _numero(cella.valore_numerico), "mediana": _numero(mediana)},
                    anomalia=True,
                )
            )
    return errori


def _esistenti(periodo, comune, celle) -> dict[str, Valore]:
    indicatori = {c.indicatore.pk for c in celle}
    esistenti = {}
    for v in Valore.objects.filter(periodo=periodo, comune=comune, indicatore_id__in=indicatori):
        v.periodo = periodo  # known: saving the cell needs no query to reach its Ambito
        esistenti[chiave_cella(v.indicatore_id, v.categoria_id)] = v
    return esistenti


def valori_validate(
    *, user, periodo: Periodo, comune, celle: list[Cella], conferma_anomalie: bool = False
) -> None:
    """Check a submission without saving it (the admin form uses it before saving)."""
    _verifica_scrittura(user, periodo, comune)
    esistenti = _esistenti(periodo, comune, celle)
    errori, _modifiche = _controlla(user, periodo, comune, celle, conferma_anomalie, esistenti)
    if errori:
        raise ErroriValori(errori)


@transaction.atomic
def valori_save(
    *,
    user,
    periodo: Periodo,
    comune,
    celle: list[Cella],
    conferma_anomalie: bool = False,
    invia: bool = False,
    motivo: str = "",
) -> list[Valore]:
    """Save the cells of one Comune (or of the Ambito, comune=None) in one period.

    All or nothing: any error (including an edit conflict) saves no cell. A value
    far from the history is saved only with `conferma_anomalie`. `motivo` is the
    reason the audit trail shows (e.g. the file of an import).
    """
    _verifica_scrittura(user, periodo, comune)
    periodo = _periodo_condiviso(periodo)
    invalida_cache_ambito(periodo.ambito_id, INDICATORI)
    esistenti = _esistenti(periodo, comune, celle)
    errori, modifiche = _controlla(user, periodo, comune, celle, conferma_anomalie, esistenti)
    if errori:
        raise ErroriValori(errori)
    anomale = (
        {e.chiave for e in _anomalie(periodo, comune, [c for c, _a in modifiche])}
        if conferma_anomalie
        else set()
    )
    adesso = timezone.now()
    cambiate = [(c, a) for c, a in modifiche if a is not None]
    _avanza_versioni(cambiate)
    salvati, nuovi = [], []
    for cella, attuale in modifiche:
        if cella.vuota and attuale is not None:
            attuale._history_user = user
            attuale._change_reason = motivo or None
            attuale.delete()
            continue
        valore = attuale or Valore(
            indicatore=cella.indicatore, periodo=periodo, comune=comune, categoria=cella.categoria
        )
        valore.versione = cella.versione + 1 if attuale is not None else 1
        valore.valore_numerico = cella.valore_numerico
        valore.valore_testo = cella.valore_testo.strip()
        valore.commento = cella.commento.strip()
        valore.stato = StatoValore.BOZZA
        valore.anomalia_confermata = cella.chiave in anomale
        valore.inserito_da = user
        valore.aggiornato_il = adesso
        (salvati if attuale is not None else nuovi).append(valore)
    # One UPDATE, one INSERT and one history INSERT for the whole grid, whatever its size.
    if salvati:
        bulk_update_with_history(
            salvati,
            Valore,
            CAMPI_SALVATI,
            default_user=user,
            default_change_reason=motivo or None,
            default_date=adesso,
        )
    if nuovi:
        try:
            with transaction.atomic():
                nuovi = bulk_create_with_history(
                    nuovi,
                    Valore,
                    default_user=user,
                    default_change_reason=motivo or None,
                    default_date=adesso,
                )
        except IntegrityError as error:
            # Someone else created one of these cells after the form was shown.
            raise ErroriValori(
                [
                    ErroreCella(c.chiave, "versione", _errore_concorrenza())
                    for c, a in modifiche
                    if a is None
                ]
            ) from error
    salvati += nuovi
    if invia:
        valori_submit(user=user, periodo=periodo, comune=comune)
        for valore in salvati:
            valore.refresh_from_db()
    return salvati


# What a grid save writes on an existing value (besides the version, moved first).
CAMPI_SALVATI = [
    "versione",
    "valore_numerico",
    "valore_testo",
    "commento",
    "stato",
    "anomalia_confermata",
    "inserito_da",
    "aggiornato_il",
]


def _avanza_versioni(cambiate: list[tuple[Cella, Valore]]) -> None:
    """Move every changed value to its next version in one conditional UPDATE: the lock
    of optimistic concurrency. Of two saves of the same version only one matches the
    row; the other matches fewer rows than it changes, and stops with the cells that
    moved meanwhile."""
    if not cambiate:
        return
    condizione = Q()
    for cella, attuale in cambiate:
        condizione |= Q(pk=attuale.pk, versione=cella.versione)
    aggiornate = Valore.objects.filter(condizione).update(versione=F("versione") + 1)
    if aggiornate == len(cambiate):
        return
    versioni = dict(
        Valore.objects.filter(pk__in=[a.pk for _c, a in cambiate]).values_list("pk", "versione")
    )
    spostate = [c for c, a in cambiate if versioni.get(a.pk) != c.versione + 1]
    # A row another save moved by exactly one version looks like ours: then name them all.
    raise ErroriValori(
        [
            ErroreCella(cella.chiave, "versione", _errore_concorrenza())
            for cella in spostate or [c for c, _a in cambiate]
        ]
    )


def _aggiorna_in_blocco(valori, campi, *, user, periodo, motivo):
    """Save a state change of many values at once, with their history.

    Every history row gets the same instant: the audit trail shows rows sharing author
    and instant as one operation (ambito/platform/audit/selectors.py `operazioni`)."""
    bulk_update_with_history(
        valori,
        Valore,
        campi,
        default_user=user,
        default_change_reason=motivo,
        default_date=timezone.now(),
    )
    invalida_cache_ambito(periodo.ambito_id, INDICATORI)


def _errore(campo, messaggio):
    return ValidationError({campo: messaggio})


@transaction.atomic
def valori_submit(*, user, periodo: Periodo, comune, vuoto_ammesso: bool = False) -> int:
    """Send the drafts (and the returned values) of a Comune to the Ufficio di Piano."""
    _verifica_scrittura(user, periodo, comune)
    periodo = _periodo_condiviso(periodo)
    if not periodo.aperto:
        raise _errore("periodo", _errore_periodo_chiuso(periodo))
    da_inviare = list(Valore.objects.filter(periodo=periodo, comune=comune, stato__in=MODIFICABILI))
    if not da_inviare:
        if vuoto_ammesso:
            return 0
        raise _errore("stato", _("Non ci sono valori in bozza da inviare."))
    adesso = timezone.now()
    for valore in da_inviare:
        valore.stato = StatoValore.INVIATO
        valore.inviato_il = adesso
        valore.versione += 1
    _aggiorna_in_blocco(
        da_inviare,
        ["stato", "inviato_il", "versione"],
        user=user,
        periodo=periodo,
        motivo=_("Inviato all'Ufficio di Piano"),
    )
    _notifica_invio(periodo=periodo, comune=comune, user=user, quando=adesso, n=len(da_inviare))
    return len(da_inviare)


def _verifica_gestione(user, periodo):
    if not puo_gestire(user, periodo):
        raise PermissionDenied(_("Solo l'Ufficio di Piano dell'Ambito può farlo."))


@transaction.atomic
def valori_approve(
    *,
    user,
    periodo: Periodo,
    valori: ScopedQuerySet | None = None,
    scostamenti_approvati: Collection[int] = (),
) -> int:
    """Approve submitted values of the period (all of `valori`, which must be sent).

    A value flagged as far from the history (`anomalia_confermata`) is approved only
    when its id is in `scostamenti_approvati`, i.e. someone ticked it; if any flagged
    value is not ticked, nothing is approved.
    """
    _verifica_gestione(user, periodo)
    periodo = _periodo_bloccato(periodo)
    if not periodo.aperto:
        raise _errore("periodo", _errore_periodo_chiuso(periodo))
    scelti = list((valori if valori is not None else Valore.objects).filter(periodo=periodo))
    non_inviati = [v for v in scelti if v.stato != StatoValore.INVIATO]
    if non_inviati:
        raise _errore(
            "stato",
            ngettext(
                "Si possono approvare solo valori inviati: %(n)s dei valori scelti non lo è.",
                "Si possono approvare solo valori inviati: %(n)s dei valori scelti non lo sono.",
                len(non_inviati),
            )
            % {"n": len(non_inviati)},
        )
    if not scelti:
        raise _errore("stato", _("Non ci sono valori inviati da approvare."))
    approvati = {int(pk) for pk in scostamenti_approvati}
    non_spuntati = [v for v in scelti if v.anomalia_confermata and v.pk not in approvati]
    if non_spuntati:
        n = len(non_spuntati)
        raise _errore(
            "scostamenti",
            ngettext(
                "Nessun valore è stato approvato: %(n)s valore è segnalato come scostamento "
                "dallo storico e va approvato spuntandolo.",
                "Nessun valore è stato approvato: %(n)s valori sono segnalati come scostamento "
                "dallo storico e vanno approvati spuntandoli uno per uno.",
                n,
            )
            % {"n": n},
        )
    adesso = timezone.now()
    for valore in scelti:
        valore.stato = StatoValore.APPROVATO
        valore.approvato_da = user
        valore.approvato_il = adesso
        valore.motivo_respingimento = ""
        valore.versione += 1
    _aggiorna_in_blocco(
        scelti,
        ["stato", "approvato_da", "approvato_il", "motivo_respingimento", "versione"],
        user=user,
        periodo=periodo,
        motivo=_("Approvato"),
    )
    return len(scelti)


def valori_approve_comune(
    *, user, periodo: Periodo, comune, scostamenti_approvati: Collection[int] = ()
) -> int:
    """Bulk approval: every submitted value of one Comune (or of the Ambito); the
    values flagged as far from the history only if ticked (see `valori_approve`)."""
    _verifica_gestione(user, periodo)
    inviati = Valore.objects.filter(comune=comune, stato=StatoValore.INVIATO)
    if not inviati.filter(periodo=periodo).exists():
        raise _errore("stato", _("Non ci sono valori inviati da approvare."))
    return valori_approve(
        user=user, periodo=periodo, valori=inviati, scostamenti_approvati=scostamenti_approvati
    )


@transaction.atomic
def valori_reject(*, user, periodo: Periodo, valori, motivo: str) -> int:
    """Return values to who entered them, with the reason (they become editable)."""
    _verifica_gestione(user, periodo)
    motivo = (motivo or "").strip()
    if not motivo:
        raise _errore("motivo", _("Indicare il motivo della restituzione."))
    periodo = _periodo_bloccato(periodo)
    if not periodo.aperto:
        raise _errore("periodo", _errore_periodo_chiuso(periodo))
    scelti = list(valori.filter(periodo=periodo))
    if not scelti:
        raise _errore("stato", _("Nessun valore scelto."))
    if any(v.stato not in (StatoValore.INVIATO, StatoValore.APPROVATO) for v in scelti):
        raise _errore("stato", _("Si possono restituire solo valori inviati o approvati."))
    for valore in scelti:
        valore.stato = StatoValore.RESPINTO
        valore.motivo_respingimento = motivo
        valore.approvato_da = None
        valore.approvato_il = None
        valore.versione += 1
    _aggiorna_in_blocco(
        scelti,
        ["stato", "motivo_respingimento", "approvato_da", "approvato_il", "versione"],
        user=user,
        periodo=periodo,
        motivo=_("Restituito: %(motivo)s") % {"motivo": motivo[:80]},
    )
    _notifica_restituzione(periodo=periodo, valori=scelti, motivo=motivo)
    return len(scelti)


def _cambia_stato_periodo(user, periodo, *, azione, stato, motivo) -> Periodo:
    invalida_cache_ambito(periodo.ambito_id, INDICATORI)
    periodo.stato = stato
    periodo._history_user = user
    periodo._change_reason = motivo[:100]
    periodo.save(update_fields=["stato"])
    evento = EventoPeriodo(periodo=periodo, azione=azione, motivo=motivo, utente=user)
    evento._history_user = user
    evento.full_clean()
    evento.save()
    return periodo


@transaction.atomic
def periodo_close(*, user, periodo: Periodo, motivo: str) -> Periodo:
    """Close a period: no value changes until someone reopens it, with a reason."""
    _verifica_gestione(user, periodo)
    motivo = (motivo or "").strip()
    if not motivo:
        raise _errore("motivo", _("Indicare il motivo della chiusura."))
    periodo = _periodo_bloccato(periodo)
    if not periodo.aperto:
        raise _errore("stato", _("Il periodo è già chiuso."))
    in_attesa = Valore.objects.filter(periodo=periodo, stato=StatoValore.INVIATO).count()
    if in_attesa:
        raise _errore(
            "stato",
            ngettext(
                "C'è %(n)s valore inviato in attesa di approvazione: approvarlo o "
                "restituirlo prima di chiudere il periodo.",
                "Ci sono %(n)s valori inviati in attesa di approvazione: approvarli o "
                "restituirli prima di chiudere il periodo.",
                in_attesa,
            )
            % {"n": in_attesa},
        )
    return _cambia_stato_periodo(
        user, periodo, azione=AzionePeriodo.CHIUSURA, stato=StatoPeriodo.CHIUSO, motivo=motivo
    )


@transaction.atomic
def periodo_reopen(*, user, periodo: Periodo, motivo: str) -> Periodo:
    _verifica_gestione(user, periodo)
    motivo = (motivo or "").strip()
    if not motivo:
        raise _errore("motivo", _("Indicare il motivo della riapertura."))
    periodo = _periodo_bloccato(periodo)
    if periodo.aperto:
        raise _errore("stato", _("Il periodo è già aperto."))
    return _cambia_stato_periodo(
        user, periodo, azione=AzionePeriodo.RIAPERTURA, stato=StatoPeriodo.RIAPERTO, motivo=motivo
    )


def valore_save(
    *,
    user,
    periodo: Periodo,
    comune,
    indicatore: Indicatore,
    categoria=None,
    valore_numerico=None,
    valore_testo="",
    commento="",
    versione=0,
    conferma_anomalia=False,
) -> Valore:
    """One cell, for the API and the admin: the same rules as the grid."""
    cella = Cella(
        indicatore=indicatore,
        categoria=categoria,
        valore_numerico=valore_numerico,
        valore_testo=valore_testo or "",
        commento=commento or "",
        versione=versione,
    )
    if cella.vuota:
        raise _errore("valore_numerico", _("Inserire un valore."))
    salvati = valori_save(
        user=user,
        periodo=periodo,
        comune=comune,
        celle=[cella],
        conferma_anomalie=conferma_anomalia,
    )
    if salvati:
        return salvati[0]
    return Valore.objects.get(
        Q(categoria=categoria) if categoria else Q(categoria__isnull=True),
        periodo=periodo,
        comune=comune,
        indicatore=indicatore,
    )


def _verifica_cella_libera(*, indicatore, periodo, comune, categoria) -> None:
    """A new value may not take a cell that has one already (in an open period)."""
    esistente = Valore.objects.filter(
        indicatore=indicatore, periodo=periodo, comune=comune, categoria=categoria
    ).first()
    if esistente is not None and periodo.aperto:
        raise _errore(
            "versione",
            _(
                "Il valore di questa cella esiste già (id %(id)s, versione %(versione)s): "
                "modificarlo con PATCH indicando la versione."
            )
            % {"id": esistente.pk, "versione": esistente.versione},
        )


def valore_create(*, periodo: Periodo, comune, indicatore: Indicatore, categoria=None, **campi):
    """A new value of one cell (the API's POST): refused when the cell has one already."""
    _verifica_cella_libera(
        indicatore=indicatore, periodo=periodo, comune=comune, categoria=categoria
    )
    return valore_save(
        periodo=periodo, comune=comune, indicatore=indicatore, categoria=categoria, **campi
    )


# Notices (a Notifica row first, in the caller's transaction; the e-mail after commit).


def _email_dopo_commit(notifica) -> None:
    if notifica is not None:
        transaction.on_commit(lambda: ambito_tasks.notifica_email_send.delay(notifica.pk))


def operatori_of(comune):
    return (
        get_user_model()
        .objects.filter(is_active=True, incarichi__ruolo=Ruolo.OPERATORE, incarichi__comune=comune)
        .distinct()
    )


def uffici_piano_of(ambito_id):
    return (
        get_user_model()
        .objects.filter(
            is_active=True, incarichi__ruolo=Ruolo.UFFICIO_PIANO, incarichi__ambito_id=ambito_id
        )
        .distinct()
    )


def _notifica_restituzione(*, periodo, valori, motivo) -> None:
    """Tell the Operatori of each Comune that values came back, with the reason."""
    per_comune = defaultdict(list)
    for valore in valori:
        if valore.comune_id is not None:
            per_comune[valore.comune_id].append(valore)
    for restituiti in per_comune.values():
        comune = restituiti[0].comune
        # The event: these values at these versions (a later return is a new event).
        evento = hashlib.sha256(
            ",".join(
                f"{v.pk}.{v.versione}" for v in sorted(restituiti, key=lambda v: v.pk)
            ).encode()
        ).hexdigest()[:32]
        link = reverse("indicatori:inserimento", args=[periodo.pk, comune.pk])
        context = {"periodo": periodo, "comune": comune, "valori": restituiti, "motivo": motivo}
        for operatore in operatori_of(comune):
            notifica = notifica_create(
                utente=operatore,
                chiave=f"restituito:{evento}:{operatore.pk}",
                tipo="restituito",
                titolo=ngettext(
                    "%(comune)s: %(n)s valore restituito (%(periodo)s)",
                    "%(comune)s: %(n)s valori restituiti (%(periodo)s)",
                    len(restituiti),
                )
                % {"comune": comune.nome, "n": len(restituiti), "periodo": periodo.nome},
                testo=render_to_string("indicatori/email/valori_restituiti.txt", context),
                link=link,
            )
            if preferenze_of(operatore).restituzioni:
                _email_dopo_commit(notifica)


def _notifica_invio(*, periodo, comune, user, quando, n) -> None:
    """Tell the Ufficio di Piano that a Comune submitted (now, or in the daily digest)."""
    nome = comune.nome if comune is not None else _("Ambito")
    link = reverse(
        "indicatori:revisione_comune" if comune is not None else "indicatori:revisione",
        kwargs={"pk": periodo.pk, **({"comune_pk": comune.pk} if comune is not None else {})},
    )
    context = {"periodo": periodo, "comune": comune, "nome": nome, "utente": user, "n": n}
    evento = f"invio:{periodo.pk}:{comune.pk if comune else 0}:{quando.timestamp()}"
    for ufficio in uffici_piano_of(periodo.ambito_id):
        notifica = notifica_create(
            utente=ufficio,
            chiave=f"{evento}:{ufficio.pk}",
            tipo="invio",
            titolo=ngettext(
                "%(nome)s ha inviato %(n)s valore (%(periodo)s)",
                "%(nome)s ha inviato %(n)s valori (%(periodo)s)",
                n,
            )
            % {"nome": nome, "n": n, "periodo": periodo.nome},
            testo=render_to_string("indicatori/email/invio_comune.txt", context),
            link=link,
        )
        if preferenze_of(ufficio).invii == InvioEmail.SUBITO:
            _email_dopo_commit(notifica)


def riepilogo_invii_send() -> int:
    """The daily digest of submissions, to each Ufficio di Piano who chose it."""
    inviate = 0
    utenti = (
        get_user_model()
        .objects.filter(
            is_active=True,
            preferenze_notifiche__invii=InvioEmail.RIEPILOGO,
            notifiche__tipo="invio",
            notifiche__spedita_il__isnull=True,
        )
        .distinct()
    )
    for utente in utenti:
        if notifiche_digest_send(
            utente=utente, tipo="invio", oggetto=_("Riepilogo degli invii dei Comuni")
        ):
            inviate += 1
    return inviate


# Deadline reminders: N days before, on the day, M days after, as each Ambito's Ufficio
# di Piano set them (ambito.CalendarioPromemoria; settings.PROMEMORIA_* without a row).


def _date_promemoria(calendario, oggi: date) -> dict[date, str]:
    """The deadlines reminded today under a schedule, and the moment of each."""
    momenti = {}
    if calendario.giorni_prima:
        momenti[oggi + timedelta(days=calendario.giorni_prima)] = "prima"
    if calendario.giorno_scadenza:
        momenti[oggi] = "giorno"
    if calendario.giorni_dopo:
        momenti[oggi - timedelta(days=calendario.giorni_dopo)] = "dopo"
    return momenti


def _periodi_da_ricordare(oggi: date) -> list[tuple[Periodo, str]]:
    """The open periods whose deadline is reminded today, with the moment: one query
    for the periods, whatever the number of Ambiti (one condition per schedule)."""
    from ambito.models import CalendarioPromemoria

    calendari = list(CalendarioPromemoria.objects.all())
    per_ambito = {c.ambito_id: _date_promemoria(c, oggi) for c in calendari}
    predefinito = _date_promemoria(calendario_predefinito(), oggi)
    condizione = Q(scadenza__in=list(predefinito)) & ~Q(ambito_id__in=list(per_ambito))
    for ambito_id, momenti in per_ambito.items():
        if momenti:
            condizione |= Q(ambito_id=ambito_id, scadenza__in=list(momenti))
    periodi = Periodo.objects.filter(condizione, stato=StatoPeriodo.APERTO).select_related("ambito")
    return [(p, per_ambito.get(p.ambito_id, predefinito)[p.scadenza]) for p in periodi]


def promemoria_scadenze_send(*, oggi: date | None = None) -> int:
    """Remind the Operatori of each Comune that has not submitted; notices created.

    Run daily by celery beat; run twice on a day it creates (and e-mails) nothing new:
    a reminder is one notice per period, Comune, moment and Operatore.
    """
    from ambito.models import Comune

    oggi = oggi or timezone.localdate()
    create = 0
    for periodo, momento in _periodi_da_ricordare(oggi):
        inviati = Valore.objects.filter(
            periodo=periodo, stato__in=(StatoValore.INVIATO, StatoValore.APPROVATO)
        ).values("comune_id")
        for comune in Comune.objects.filter(ambito=periodo.ambito).exclude(pk__in=inviati):
            context = {"periodo": periodo, "comune": comune, "momento": momento}
            for operatore in operatori_of(comune):
                with transaction.atomic():
                    notifica = notifica_create(
                        utente=operatore,
                        chiave=f"scadenza:{periodo.pk}:{comune.pk}:{momento}:{operatore.pk}",
                        tipo="scadenza",
                        titolo=render_to_string(
                            "indicatori/email/promemoria_scadenza_titolo.txt", context
                        ).strip(),
                        testo=render_to_string("indicatori/email/promemoria_scadenza.txt", context),
                        link=reverse("indicatori:inserimento", args=[periodo.pk, comune.pk]),
                    )
                    if notifica is not None:
                        create += 1
                        if preferenze_of(operatore).scadenze:
                            _email_dopo_commit(notifica)
    return create


# The Relazione di monitoraggio as a job (indicatori/tasks.py runs `relazione_run`;
# the mechanism, common to every job, is ambito/platform/jobs.py).


def puo_chiedere_relazione(user, ambito) -> bool:
    return user.has_perm("indicatori.genera_relazione", ambito)


def _accoda_relazione(job_id) -> None:
    from . import tasks

    tasks.relazione_generate.delay(job_id)


def relazione_request(
    *, user, ambito, periodo=None, richiesta: str = ""
) -> tuple[RichiestaRelazione, bool]:
    """Queue a Relazione (or return the job of the same request); (job, created).

    `richiesta` is the form's one-time token: the same form posted twice is one job.
    Without it, the same user, Ambito and period within the same minute are one job.
    """
    if not puo_chiedere_relazione(user, ambito):
        raise PermissionDenied(_("La relazione è riservata all'Ufficio di Piano e ai revisori."))
    richiesta = richiesta or (
        f"{ambito.pk}:{periodo.pk if periodo else 0}:{timezone.now():%Y%m%d%H%M}"
    )
    return jobs.lavoro_request(
        RichiestaRelazione,
        user=user,
        richiesta=richiesta,
        accoda=_accoda_relazione,
        ambito=ambito,
        periodo=periodo,
        parametri={"ambito": ambito.pk, "periodo": periodo.pk if periodo else None},
    )


relazione_retryable = jobs.lavoro_retryable


def relazione_retry(*, user, job: RichiestaRelazione) -> RichiestaRelazione:
    """Queue again a failed (or lost) job of the user."""
    return jobs.lavoro_retry(
        user=user,
        job=job,
        accoda=_accoda_relazione,
        solo_chi_ha_chiesto=_("Solo chi ha chiesto la relazione può riprovare."),
        niente=_("La relazione non è in errore: non c'è nulla da riprovare."),
    )


def _relazione_scrivi(job):
    from . import reports

    if job.periodo_id is not None:
        job.periodo = Periodo.objects.get(pk=job.periodo_id)
    return reports.relazione_pdf(
        user=job.richiesta_da, ambito=job.ambito, periodo=job.periodo
    ).registro


def _relazione_pronta(job) -> None:
    lavoro_pronto_notify(
        job,
        evento="relazione",
        titolo=_("La relazione %(numero)s è pronta") % {"numero": job.report.numero},
    )


def relazione_run(*, job_id: int) -> RichiestaRelazione | None:
    """Write the PDF of a queued Relazione and register it, all or nothing.

    The report row, its file and `stato = pronto` are committed together: a worker
    killed while rendering leaves the job "in corso" (retryable, redelivered by the
    broker) and no report in the register.
    """
    return jobs.lavoro_run(
        RichiestaRelazione,
        job_id=job_id,
        scrivi=_relazione_scrivi,
        pronto=_relazione_pronta,
        errore=_(
            "La relazione non è stata generata per un errore imprevisto (%(tipo)s). "
            "Si può riprovare; se l'errore si ripete, avvisare l'assistenza."
        ),
    )


# The regional dashboard's PDF as a job (indicatori/tasks.py runs `regione_pdf_run`),
# drawn by the worker from the dashboard's filters through the page's own path.


def _accoda_regione_pdf(job_id) -> None:
    from . import tasks

    tasks.regione_pdf_generate.delay(job_id)


def regione_pdf_request(*, user, parametri, richiesta: str = "") -> tuple[RichiestaRegione, bool]:
    """Queue the regional dashboard's PDF with the page's filters (or return the job of
    the same request); (job, created). Nothing is drawn here: the filters are only
    validated by the dashboard's form (not valid: a ValidationError with its errors).

    `richiesta` is the form's one-time token: the same form posted twice is one job.
    Without it, the same user and filters within the same minute are one job.
    """
    from ambito.models import Ambito

    from . import regione

    if not user.has_perm("ambito.genera_pdf_regione"):
        raise PermissionDenied(_("Il PDF del cruscotto regionale è riservato alla Regione."))
    form, filtri = regione.filtri_da_parametri(user=user, parametri=parametri)
    if filtri is None:
        raise ValidationError(form.errors)
    parametri = regione.parametri_di(filtri)
    # The job's scope: the region's first Ambito the user reads (as the register's row;
    # the national view's: the first of all).
    ambiti = Ambito.objects.visible_to(user)
    if parametri["regione"] != regione.TUTTE:
        ambiti = ambiti.filter(regione=parametri["regione"])
    ambito = ambiti.order_by("pk").first()
    if ambito is None:
        raise PermissionDenied(_("Nessun Ambito della regione è visibile all'utente."))
    richiesta = richiesta or f"{sorted(parametri.items())}:{timezone.now():%Y%m%d%H%M}"
    return jobs.lavoro_request(
        RichiestaRegione,
        user=user,
        richiesta=f"regione:{richiesta}",
        accoda=_accoda_regione_pdf,
        ambito=ambito,
        parametri=parametri,
    )


regione_pdf_retryable = jobs.lavoro_retryable


def regione_pdf_retry(*, user, job: RichiestaRegione) -> RichiestaRegione:
    """Queue again a failed (or lost) job of the user."""
    return jobs.lavoro_retry(
        user=user,
        job=job,
        accoda=_accoda_regione_pdf,
        solo_chi_ha_chiesto=_("Solo chi ha chiesto il PDF regionale può riprovare."),
        niente=_("Il PDF regionale non è in errore: non c'è nulla da riprovare."),
    )


def _regione_pdf_scrivi(job):
    """The dashboard of the stored filters, drawn as the page draws it, as a PDF.

    What may have changed since the request (the user's role, the region's Ambiti) is
    told in Italian (a ValidationError: the job's message), nothing is registered.
    """
    from . import regione, reports

    user = job.richiesta_da
    if not user.has_perm("ambito.genera_pdf_regione"):
        raise ValidationError(
            _(
                "Il PDF del cruscotto regionale è riservato alla Regione: "
                "l'utente non ha più il ruolo."
            )
        )
    form, dati = regione.da_parametri(user=user, parametri=job.parametri)
    if dati is None:
        raise ValidationError(
            _("I filtri del cruscotto non sono più validi: %(errori)s")
            % {"errori": " ".join(e for errori in form.errors.values() for e in errori)}
        )
    if not dati.righe:
        raise ValidationError(
            _(
                "Nessun Ambito della regione corrisponde ai filtri scelti: "
                "il PDF non è stato generato."
            )
        )
    return reports.regione_pdf(user=user, dati=dati).registro


def _regione_pdf_pronto(job) -> None:
    lavoro_pronto_notify(
        job,
        evento="regione",
        titolo=_("Il PDF del cruscotto regionale %(numero)s è pronto")
        % {"numero": job.report.numero},
    )


def regione_pdf_run(*, job_id: int) -> RichiestaRegione | None:
    """Draw and register the PDF of a queued regional job, all or nothing (as the
    Relazione: report row, file and `stato = pronto` in one transaction)."""
    return jobs.lavoro_run(
        RichiestaRegione,
        job_id=job_id,
        scrivi=_regione_pdf_scrivi,
        pronto=_regione_pdf_pronto,
        errore=_(
            "Il PDF del cruscotto regionale non è stato generato per un errore imprevisto "
            "(%(tipo)s). Si può riprovare; se l'errore si ripete, avvisare l'assistenza."
        ),
    )


# --- The calendar of the periods, and the catalogue of indicators -----------------------

MESI = [
    _("gennaio"), _("febbraio"), _("marzo"), _("aprile"), _("maggio"), _("giugno"),
    _("luglio"), _("agosto"), _("settembre"), _("ottobre"), _("novembre"), _("dicembre"),
]  # fmt: skip
# Months per period of each periodicity.
MESI_PER_PERIODO = {"mensile": 1, "trimestrale": 3, "semestrale": 6, "annuale": 12}


def _fine_mese(anno: int, mese: int) -> date:
    if mese == 12:
        return date(anno, 12, 31)
    return date(anno, mese + 1, 1) - timedelta(days=1)


def calendario_periodi(*, anno: int, tipo: str, giorni_scadenza: int) -> list[dict]:
    """The periods of a year for one periodicity: codice, nome, dates and deadline."""
    mesi = MESI_PER_PERIODO[tipo]
    periodi = []
    for n, primo_mese in enumerate(range(1, 13, mesi), start=1):
        inizio = date(anno, primo_mese, 1)
        fine = _fine_mese(anno, primo_mese + mesi - 1)
        if tipo == "annuale":
            codice, nome = f"{anno}", _("Anno %(anno)s") % {"anno": anno}
        elif tipo == "mensile":
            codice = f"{anno}-m{n:02d}"
            nome = f"{str(MESI[n - 1]).capitalize()} {anno}"
        else:
            lettera = "s" if tipo == "semestrale" else "t"
            codice = f"{anno}-{lettera}{n}"
            parola = _("semestre") if tipo == "semestrale" else _("trimestre")
            nome = f"{n}° {parola} {anno}"
        periodi.append(
            {
                "codice": codice,
                "nome": nome,
                "tipo": tipo,
                "data_inizio": inizio,
                "data_fine": fine,
                "scadenza": fine + timedelta(days=giorni_scadenza),
            }
        )
    return periodi


def periodi_sovrapposti(*, ambito, tipo, data_inizio, data_fine, escludi=None):
    """Periods of the same Ambito and periodicity whose dates overlap the given span."""
    periodi = Periodo.objects.filter(
        ambito=ambito, tipo=tipo, data_inizio__lte=data_fine, data_fine__gte=data_inizio
    )
    if escludi is not None:
        periodi = periodi.exclude(pk=escludi.pk)
    return periodi.order_by("data_inizio")


def _errore_sovrapposizione(esistente, campo) -> ValidationError:
    return ValidationError(
        {
            campo: _(
                "Si sovrappone al periodo «%(nome)s» (%(dal)s – %(al)s), della stessa durata: "
                "un Comune non può inviare due volte gli stessi mesi."
            )
            % {
                "nome": esistente.nome,
                "dal": f"{esistente.data_inizio:%d/%m/%Y}",
                "al": f"{esistente.data_fine:%d/%m/%Y}",
            }
        }
    )


@transaction.atomic
def periodi_calendar_create(
    *, user, ambito, anno: int, tipo: str, giorni_scadenza: int = 30, indicatori=()
) -> list[Periodo]:
    """Create a year's periods of one periodicity, all or none.

    The chosen indicators take that periodicity, so the entry grid and the reminders
    (which ask for the indicators due in each period) follow the new calendar.
    """
    if not user.has_perm("indicatori.crea_periodo", ambito):
        raise PermissionDenied(_("Solo l'Ufficio di Piano dell'Ambito crea i periodi."))
    if giorni_scadenza is None or giorni_scadenza < 0:
        raise _errore("giorni_scadenza", _("Indicare un numero di giorni pari o superiore a 0."))
    indicatori = list(indicatori)
    estranei = [i for i in indicatori if i.piano.ambito_id != ambito.pk]
    if estranei:
        raise _errore("indicatori", _("Gli indicatori devono essere dell'Ambito dei periodi."))
    creati = []
    for dati in calendario_periodi(anno=anno, tipo=tipo, giorni_scadenza=giorni_scadenza):
        esistente = periodi_sovrapposti(
            ambito=ambito, tipo=tipo, data_inizio=dati["data_inizio"], data_fine=dati["data_fine"]
        ).first()
        if esistente is not None:
            raise _errore_sovrapposizione(esistente, "anno")
        periodo = Periodo(ambito=ambito, **dati)
        periodo._history_user = user
        try:
            creati.append(instance_save(periodo))
        except ValidationError as error:
            raise _errore("anno", " ".join(error.messages)) from error
    for indicatore in indicatori:
        if indicatore.periodicita != tipo:
            indicatore.periodicita = tipo
            indicatore._history_user = user
            indicatore.save(update_fields=["periodicita"])
    invalida_cache_ambito(ambito.pk, INDICATORI)
    return creati


@transaction.atomic
def periodo_update(*, user, periodo: Periodo) -> Periodo:
    """Save a period's name, dates and deadline; no overlap with one of its kind."""
    esistente = periodi_sovrapposti(
        ambito=periodo.ambito,
        tipo=periodo.tipo,
        data_inizio=periodo.data_inizio,
        data_fine=periodo.data_fine,
        escludi=periodo,
    ).first()
    if esistente is not None:
        raise _errore_sovrapposizione(esistente, "data_inizio")
    periodo._history_user = user
    invalida_cache_ambito(periodo.ambito_id, INDICATORI)
    return instance_save(periodo)


@transaction.atomic
def periodo_delete(*, user, periodo: Periodo) -> None:
    """Delete a period without values (with values it is part of the record: refused)."""
    valori = Valore.objects.filter(periodo=periodo).count()
    if valori:
        raise ValidationError(
            ngettext(
                "Il periodo «%(nome)s» ha %(n)s valore inserito e non si può eliminare: "
                "chiuderlo, se non deve più ricevere dati.",
                "Il periodo «%(nome)s» ha %(n)s valori inseriti e non si può eliminare: "
                "chiuderlo, se non deve più ricevere dati.",
                valori,
            )
            % {"nome": periodo.nome, "n": valori}
        )
    periodo._history_user = user
    invalida_cache_ambito(periodo.ambito_id, INDICATORI)
    periodo.delete()


@transaction.atomic
def indicatore_delete(*, indicatore: Indicatore) -> None:
    """Delete an indicator without values and not used by a computed percentage."""
    valori = Valore.objects.filter(indicatore=indicatore).count()
    if valori:
        raise ValidationError(
            ngettext(
                "L'indicatore ha %(n)s valore inserito e non si può eliminare.",
                "L'indicatore ha %(n)s valori inseriti e non si può eliminare.",
                valori,
            )
            % {"n": valori}
        )
    if Indicatore.objects.filter(Q(numeratore=indicatore) | Q(denominatore=indicatore)).exists():
        raise ValidationError(
            _("L'indicatore è un termine di una percentuale calcolata: modificare quella prima.")
        )
    invalida_cache_ambito(indicatore.piano.ambito_id, INDICATORI)
    indicatore.delete()
