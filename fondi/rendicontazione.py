"""Writes of the PNRR reporting (ReGiS): milestone and target with their values per
reporting period, spending records, domande di rimborso with their state machine and
the checklist of attested controls.

Each function validates everything, then saves, in one transaction (nothing is half
saved); forms, admin and API call these same functions, so the Italian messages are
the same everywhere, attached to the field they are about.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito.platform.cache import invalida_cache_di
from ambito.platform.services import instance_save, instance_validate
from ambito.platform.versioning import version_bump

from .choices import (
    TRANSIZIONI_RENDICONTAZIONE,
    ControlloRegis,
    StatoRendicontazione,
)
from .models import (
    AvanzamentoObiettivo,
    ControlloRendicontazione,
    FinanziamentoProgetto,
    Giustificativo,
    ObiettivoProgetto,
    Rendicontazione,
    is_chiusura_regis,
)

MSG_PERIODO = gettext_lazy("Indicare una chiusura ReGiS: 30/04, 31/08 o 31/12.")


# --- Milestone and target ---------------------------------------------------------------


@transaction.atomic
def obiettivo_save(*, obiettivo: ObiettivoProgetto) -> ObiettivoProgetto:
    return instance_save(obiettivo)


def validate_avanzamento_obiettivo(avanzamento: AvanzamentoObiettivo) -> None:
    errors = {}
    if avanzamento.periodo and not is_chiusura_regis(avanzamento.periodo):
        errors["periodo"] = str(MSG_PERIODO)
    elif avanzamento.obiettivo_id and avanzamento.periodo:
        doppione = AvanzamentoObiettivo.objects.filter(
            obiettivo_id=avanzamento.obiettivo_id, periodo=avanzamento.periodo
        ).exclude(pk=avanzamento.pk)
        if doppione.exists():
            errors["periodo"] = _(
                "Il valore di questo periodo è già registrato: modificare quello."
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def avanzamento_obiettivo_save(*, avanzamento: AvanzamentoObiettivo) -> AvanzamentoObiettivo:
    """Record (or correct) the value achieved at a ReGiS closing date."""
    return instance_save(avanzamento, validators=[validate_avanzamento_obiettivo])


# --- Spending records -----------------------------------------------------------------


def _bloccata(rendicontazione_id) -> bool:
    """Whether the domanda di rimborso is no longer a draft (its records are frozen)."""
    if rendicontazione_id is None:
        return False
    stato = (
        Rendicontazione.objects.filter(pk=rendicontazione_id)
        .values_list("stato", flat=True)
        .first()
    )
    return stato not in (None, StatoRendicontazione.BOZZA)


def validate_giustificativo(giustificativo: Giustificativo) -> None:
    """Line and domanda of the same project; the CUP is the project's; the records of
    a line never exceed the amount admitted on it (the line row is locked by the
    caller, so two concurrent records cannot both pass)."""
    errors = {}
    if not giustificativo.progetto_id:
        return  # the field's own message
    progetto = giustificativo.progetto
    doppione = Giustificativo.objects.filter(
        progetto_id=giustificativo.progetto_id,
        fornitore=giustificativo.fornitore,
        tipo_documento=giustificativo.tipo_documento,
        numero_documento=giustificativo.numero_documento,
    ).exclude(pk=giustificativo.pk)
    if doppione.exists():
        errors["numero_documento"] = _(
            "Questo documento del fornitore è già registrato nel progetto."
        )
    finanziamento = giustificativo.finanziamento if giustificativo.finanziamento_id else None
    if finanziamento is not None and finanziamento.progetto_id != giustificativo.progetto_id:
        errors["finanziamento"] = _("La linea di finanziamento non è di questo progetto.")
    rendicontazione_id = giustificativo.rendicontazione_id
    if rendicontazione_id is not None:
        if giustificativo.rendicontazione.progetto_id != giustificativo.progetto_id:
            errors["rendicontazione"] = _("La domanda di rimborso non è di questo progetto.")
        elif giustificativo.rendicontazione.stato != StatoRendicontazione.BOZZA:
            errors["rendicontazione"] = _(
                "La domanda di rimborso è già stata inviata: si aggiungono spese solo a una "
                "domanda in bozza."
            )
    if progetto.cup and giustificativo.cup and giustificativo.cup != progetto.cup:
        errors["cup"] = _(
            "Il CUP del documento (%(cup)s) non è quello del progetto (%(progetto)s)."
        ) % {
            "cup": giustificativo.cup,
            "progetto": progetto.cup,
        }
    if (
        finanziamento is not None
        and "finanziamento" not in errors
        and giustificativo.totale is not None
    ):
        altri = Giustificativo.objects.filter(finanziamento_id=finanziamento.pk).exclude(
            pk=giustificativo.pk
        ).aggregate(totale=Sum("totale"))["totale"] or Decimal("0")
        if altri + giustificativo.totale > finanziamento.importo:
            disponibile = max(finanziamento.importo - altri, Decimal("0"))
            errors["imponibile"] = _(
                "La spesa supera l'importo ammesso sulla linea %(linea)s: ammesso "
                "€ %(ammesso)s, già rendicontato € %(altri)s, disponibile € %(disponibile)s."
            ) % {
                "linea": finanziamento.linea.codice,
                "ammesso": _euro(finanziamento.importo),
                "altri": _euro(altri),
                "disponibile": _euro(disponibile),
            }
    if errors:
        raise ValidationError(errors)


def _euro(valore: Decimal) -> str:
    """1234567.8 -> 1.234.567,80 (the message's figure, as the pages show it)."""
    testo = f"{valore:,.2f}"
    return testo.replace(",", "_").replace(".", ",").replace("_", ".")


def _totale(giustificativo: Giustificativo) -> Decimal | None:
    """Imponibile plus IVA; None while either is missing or not an amount (the field
    checks then say why)."""
    try:
        addendi = [
            Giustificativo._meta.get_field(campo).to_python(getattr(giustificativo, campo))
            for campo in ("imponibile", "iva")
        ]
    except ValidationError:
        return None
    return None if None in addendi else addendi[0] + addendi[1]


def _lock_finanziamento(giustificativo: Giustificativo) -> None:
    if giustificativo.finanziamento_id:
        list(
            FinanziamentoProgetto.objects.select_for_update()
            .filter(pk=giustificativo.finanziamento_id)
            .order_by()
            .values_list("pk", flat=True)
        )


@transaction.atomic
def giustificativo_save(*, giustificativo: Giustificativo) -> Giustificativo:
    """Record (or correct) a spending record: the total is imponibile plus IVA, the
    CUP is the project's when left blank; the records of a domanda already sent stay
    as they were sent."""
    if giustificativo.pk:
        salvata = (
            Giustificativo.objects.filter(pk=giustificativo.pk)
            .values_list("rendicontazione_id", flat=True)
            .first()
        )
        if _bloccata(salvata):
            raise ValidationError(
                _(
                    "Il giustificativo fa parte di una domanda di rimborso già inviata: "
                    "non si può modificare."
                ),
                code="bloccato",
            )
    giustificativo.cup = (giustificativo.cup or "").replace(" ", "").upper()
    if not giustificativo.cup and giustificativo.progetto_id:
        giustificativo.cup = giustificativo.progetto.cup or ""
    giustificativo.totale = _totale(giustificativo)
    _lock_finanziamento(giustificativo)
    # The total is the service's, never input: its checks are those of its addends.
    return instance_save(giustificativo, validators=[validate_giustificativo], exclude={"totale"})


@transaction.atomic
def giustificativo_delete(*, giustificativo: Giustificativo) -> None:
    if _bloccata(giustificativo.rendicontazione_id):
        raise ValidationError(
            _(
                "Il giustificativo fa parte di una domanda di rimborso già inviata: "
                "non si può eliminare."
            ),
            code="bloccato",
        )
    giustificativo.delete()
    invalida_cache_di(giustificativo)


# --- Domande di rimborso ------------------------------------------------------------------


def validate_rendicontazione(rendicontazione: Rendicontazione) -> None:
    if rendicontazione.periodo and not is_chiusura_regis(rendicontazione.periodo):
        raise ValidationError({"periodo": str(MSG_PERIODO)})


@transaction.atomic
def rendicontazione_create(*, rendicontazione: Rendicontazione) -> Rendicontazione:
    """A new draft domanda, numbered after the project's last one."""
    rendicontazione.stato = StatoRendicontazione.BOZZA
    if rendicontazione.progetto_id:
        # Lock the project row: two drafts created at once must not share a number.
        type(rendicontazione.progetto).objects.select_for_update().filter(
            pk=rendicontazione.progetto_id
        ).order_by().values_list("pk", flat=True).first()
        ultimo = Rendicontazione.objects.filter(progetto_id=rendicontazione.progetto_id).aggregate(
            n=Max("numero")
        )["n"]
        rendicontazione.numero = (ultimo or 0) + 1
    return instance_save(rendicontazione, validators=[validate_rendicontazione])


@transaction.atomic
def rendicontazione_update(*, rendicontazione: Rendicontazione) -> Rendicontazione:
    if _bloccata(rendicontazione.pk):
        raise ValidationError(
            _("La domanda di rimborso è già stata inviata: non si può modificare."),
            code="bloccata",
        )
    salvato = Rendicontazione.objects.filter(pk=rendicontazione.pk).values_list(
        "progetto_id", flat=True
    )
    if salvato.first() != rendicontazione.progetto_id:
        raise ValidationError(
            {"progetto": _("Una domanda di rimborso non si sposta a un altro progetto.")}
        )
    return instance_save(rendicontazione, validators=[validate_rendicontazione])


def controlli_mancanti(rendicontazione: Rendicontazione) -> list[str]:
    """The controls not yet attested, in the order of the checklist."""
    fatti = set(rendicontazione.controlli.values_list("controllo", flat=True))
    return [c for c in ControlloRegis.values if c not in fatti]


def _stato_bloccato(rendicontazione: Rendicontazione) -> str:
    return (
        Rendicontazione.objects.select_for_update()
        .filter(pk=rendicontazione.pk)
        .order_by()
        .values_list("stato", flat=True)
        .get()
    )


def rendicontazione_transizione_ammessa(da: str, a: str) -> bool:
    return a in TRANSIZIONI_RENDICONTAZIONE.get(da, frozenset())


@transaction.atomic
def rendicontazione_transition(
    *, rendicontazione: Rendicontazione, stato: str, nota: str = ""
) -> Rendicontazione:
    """Move a domanda di rimborso along bozza → inviata → validata | respinta → bozza.

    Sending needs at least one spending record and every control attested; a domanda
    sent back (respinta) needs the reason."""
    precedente = _stato_bloccato(rendicontazione)  # row lock: one transition at a time
    etichette = dict(StatoRendicontazione.choices)
    if not rendicontazione_transizione_ammessa(precedente, stato):
        raise ValidationError(
            {
                "stato": _("Passaggio non consentito: da «%(da)s» a «%(a)s».")
                % {"da": etichette.get(precedente, precedente), "a": etichette.get(stato, stato)}
            }
        )
    errors = {}
    if stato == StatoRendicontazione.INVIATA:
        mancanti = controlli_mancanti(rendicontazione)
        if mancanti:
            nomi = dict(ControlloRegis.choices)
            errors["controlli"] = _(
                "Prima dell'invio vanno attestati tutti i controlli. Mancano: %(mancanti)s."
            ) % {"mancanti": "; ".join(str(nomi[c]) for c in mancanti)}
        if not rendicontazione.giustificativi.exists():
            errors["giustificativi"] = _(
                "La domanda di rimborso non contiene giustificativi di spesa."
            )
    if stato == StatoRendicontazione.RESPINTA and not nota.strip():
        errors["nota"] = _("Indicare il motivo per cui la domanda è stata respinta.")
    if errors:
        raise ValidationError(errors)
    adesso = timezone.now()
    rendicontazione.stato = stato
    campi = ["stato", "versione"]
    if stato == StatoRendicontazione.INVIATA:
        rendicontazione.inviata_il = adesso
        campi.append("inviata_il")
    elif stato in (StatoRendicontazione.VALIDATA, StatoRendicontazione.RESPINTA):
        rendicontazione.esito_il = adesso
        rendicontazione.nota_esito = nota.strip()
        campi += ["esito_il", "nota_esito"]
    version_bump(rendicontazione)
    rendicontazione.save(update_fields=campi)
    invalida_cache_di(rendicontazione)
    return rendicontazione


@transaction.atomic
def controllo_attesta(
    *, rendicontazione: Rendicontazione, controllo: str, user, nota: str = ""
) -> ControlloRendicontazione:
    """Tick a control of the checklist in the name of `user` (audited: who and when)."""
    stato = _stato_bloccato(rendicontazione)
    if stato != StatoRendicontazione.BOZZA:
        raise ValidationError({"controllo": _("I controlli si attestano sulla domanda in bozza.")})
    if controllo not in ControlloRegis.values:
        raise ValidationError({"controllo": _("Controllo sconosciuto.")})
    esistente = rendicontazione.controlli.filter(controllo=controllo).first()
    if esistente is not None:
        raise ValidationError(
            {
                "controllo": _("Controllo già attestato da %(utente)s il %(data)s.")
                % {
                    "utente": esistente.attestato_da,
                    "data": timezone.localtime(esistente.attestato_il).strftime("%d/%m/%Y %H:%M"),
                }
            }
        )
    voce = ControlloRendicontazione(
        rendicontazione=rendicontazione,
        controllo=controllo,
        attestato_da=user,
        attestato_il=timezone.now(),
        nota=nota.strip(),
    )
    instance_validate(voce, validate_constraints=False)
    voce._history_user = user
    voce.save()
    return voce


@transaction.atomic
def controllo_revoca(*, rendicontazione: Rendicontazione, controllo: str, user) -> None:
    """Untick a control while the domanda is a draft (the trail keeps who ticked it)."""
    if _stato_bloccato(rendicontazione) != StatoRendicontazione.BOZZA:
        raise ValidationError(
            {"controllo": _("I controlli si revocano solo sulla domanda in bozza.")}
        )
    voce = rendicontazione.controlli.filter(controllo=controllo).first()
    if voce is None:
        raise ValidationError({"controllo": _("Il controllo non è attestato.")})
    voce._history_user = user
    voce.delete()
