"""Reads of the PNRR reporting (ReGiS), aggregated in SQL: the pages, the API and the
export per CUP call these same functions, so they always show the same figures."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import ControlloRegis, StatoObiettivo, StatoRendicontazione, TipoObiettivo
from .models import (
    AvanzamentoObiettivo,
    FinanziamentoProgetto,
    Giustificativo,
    ObiettivoProgetto,
    Rendicontazione,
)
from .selectors import MONEY, ZERO

CHIUSURE_REGIS = ((4, 30), (8, 31), (12, 31))


# --- ReGiS reporting periods ----------------------------------------------------------


def chiusura_regis(data: datetime.date) -> datetime.date:
    """The closing date of the four-month ReGiS period that contains `data`."""
    for mese, giorno in CHIUSURE_REGIS:
        chiusura = datetime.date(data.year, mese, giorno)
        if data <= chiusura:
            return chiusura
    raise AssertionError("31/12 closes every year")  # pragma: no cover


def ultima_chiusura(oggi: datetime.date) -> datetime.date:
    """The latest ReGiS closing on or before `oggi` (the last period due)."""
    chiusura = chiusura_regis(oggi)
    if chiusura == oggi:
        return oggi
    precedenti = [datetime.date(oggi.year, m, g) for m, g in CHIUSURE_REGIS]
    precedenti = [d for d in precedenti if d < oggi]
    return precedenti[-1] if precedenti else datetime.date(oggi.year - 1, 12, 31)


def periodi_regis(inizio: datetime.date, fine: datetime.date) -> list[datetime.date]:
    """The closing dates of every ReGiS period from `inizio` to `fine`, both included."""
    periodi, chiusura = [], chiusura_regis(inizio)
    fine = chiusura_regis(fine)
    while chiusura <= fine:
        periodi.append(chiusura)
        chiusura = chiusura_regis(chiusura + datetime.timedelta(days=1))
    return periodi


def periodi_del_progetto(progetto, *, oggi=None) -> list[datetime.date]:
    """The periods a project reports in: from its start (or the first PNRR year) to its
    deadline or end (or today), latest first, as a form offers them."""
    oggi = oggi or timezone.localdate()
    inizio = progetto.data_inizio or datetime.date(2021, 1, 1)
    fine = progetto.data_scadenza or progetto.data_fine or oggi
    fine = max(fine, oggi) if fine < inizio else fine
    return list(reversed(periodi_regis(inizio, max(fine, inizio))))


# --- Milestone and target ---------------------------------------------------------------


def stato_obiettivo(
    *,
    tipo: str,
    valore_obiettivo: Decimal,
    ultimo_valore: Decimal | None,
    scadenza: datetime.date,
    inizio: datetime.date | None,
    oggi: datetime.date,
) -> StatoObiettivo:
    """Where a milestone or target stands against its deadline.

    Reached when the latest value is at least the target; past the deadline it is
    "scaduto non raggiunto"; with no value yet "non rilevato"; a target whose latest
    value is below the straight line from the project's start (0) to the deadline
    (the target), taken at the last ReGiS closing, is "in ritardo"; else "in linea".
    A milestone is done or not, so it has no straight line.
    """
    if ultimo_valore is not None and ultimo_valore >= valore_obiettivo:
        return StatoObiettivo.RAGGIUNTO
    if oggi > scadenza:
        return StatoObiettivo.SCADUTO
    if ultimo_valore is None:
        return StatoObiettivo.NON_RILEVATO
    if tipo == TipoObiettivo.TARGET and inizio is not None and inizio < scadenza:
        riferimento = min(max(ultima_chiusura(oggi), inizio), scadenza)
        quota = Decimal((riferimento - inizio).days) / Decimal((scadenza - inizio).days)
        if ultimo_valore < valore_obiettivo * quota:
            return StatoObiettivo.IN_RITARDO
    return StatoObiettivo.IN_LINEA


def obiettivi_con_avanzamento(*, fetched_by, obiettivi=None):
    """Milestone and target the user may see, annotated in SQL with the latest value
    achieved (`ultimo_valore`) and its period (`ultimo_periodo`)."""
    queryset = ObiettivoProgetto.objects.all() if obiettivi is None else obiettivi
    ultimi = AvanzamentoObiettivo.objects.filter(obiettivo=OuterRef("pk")).order_by("-periodo")
    return (
        queryset.visible_to(fetched_by)
        .annotate(
            # output_field: SQLite returns a whole value as an int otherwise.
            ultimo_valore=Subquery(ultimi.values("valore_raggiunto")[:1], output_field=MONEY),
            ultimo_periodo=Subquery(ultimi.values("periodo")[:1]),
        )
        .select_related("progetto")
    )


def con_stato(obiettivo, *, oggi=None):
    """The annotated milestone or target with its `stato` (and label) set."""
    obiettivo.stato = stato_obiettivo(
        tipo=obiettivo.tipo,
        valore_obiettivo=obiettivo.valore_obiettivo,
        ultimo_valore=obiettivo.ultimo_valore,
        scadenza=obiettivo.scadenza,
        inizio=obiettivo.progetto.data_inizio,
        oggi=oggi or timezone.localdate(),
    )
    return obiettivo


def progetto_obiettivi(*, fetched_by, progetto, oggi=None) -> list[ObiettivoProgetto]:
    """The milestone and target of a project with their values per period and status."""
    queryset = obiettivi_con_avanzamento(
        fetched_by=fetched_by, obiettivi=ObiettivoProgetto.objects.filter(progetto=progetto)
    ).prefetch_related("avanzamenti")
    return [con_stato(o, oggi=oggi) for o in queryset.order_by("scadenza", "pk")]


# --- Spending records and domande di rimborso ---------------------------------------------


def giustificativi_per_elenco(*, fetched_by, giustificativi=None):
    queryset = Giustificativo.objects.all() if giustificativi is None else giustificativi
    return queryset.visible_to(fetched_by).select_related(
        "finanziamento__linea", "rendicontazione", "progetto"
    )


def rendicontazioni_con_totali(*, fetched_by, rendicontazioni=None):
    """Domande di rimborso with their total (sum of their records, in SQL), number of
    records and of controls attested."""
    queryset = Rendicontazione.objects.all() if rendicontazioni is None else rendicontazioni
    giustificativi = (
        Giustificativo.objects.filter(rendicontazione=OuterRef("pk"))
        .order_by()
        .values("rendicontazione")
    )
    return (
        queryset.visible_to(fetched_by)
        .annotate(
            totale=Coalesce(
                Subquery(giustificativi.annotate(t=Sum("totale")).values("t"), output_field=MONEY),
                Value(ZERO),
            ),
            numero_giustificativi=Coalesce(
                Subquery(giustificativi.annotate(n=Count("pk")).values("n")), Value(0)
            ),
            controlli_attestati=Count("controlli", distinct=True),
        )
        .select_related("progetto")
    )


@dataclass
class SpesaLinea:
    finanziamento: FinanziamentoProgetto
    ammesso: Decimal
    speso: Decimal
    in_domande_inviate: Decimal
    validato: Decimal

    @property
    def disponibile(self) -> Decimal:
        return self.ammesso - self.speso


def progetto_spese_per_linea(*, fetched_by, progetto) -> tuple[list[SpesaLinea], dict]:
    """Per funding line of the project: amount admitted, spending recorded, of which in
    domande sent (inviata or validata) and validated; and their totals. One query."""
    inviate = [StatoRendicontazione.INVIATA, StatoRendicontazione.VALIDATA]
    righe = (
        FinanziamentoProgetto.objects.visible_to(fetched_by)
        .filter(progetto=progetto)
        .select_related("linea")
        .annotate(
            speso=Coalesce(Sum("giustificativi__totale"), Value(ZERO), output_field=MONEY),
            inviato=Coalesce(
                Sum(
                    "giustificativi__totale",
                    filter=Q(giustificativi__rendicontazione__stato__in=inviate),
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            validato=Coalesce(
                Sum(
                    "giustificativi__totale",
                    filter=Q(giustificativi__rendicontazione__stato=StatoRendicontazione.VALIDATA),
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
        )
        .order_by("linea__fonte__ordine", "linea__codice")
    )
    linee = [
        SpesaLinea(
            finanziamento=f,
            ammesso=f.importo,
            speso=f.speso,
            in_domande_inviate=f.inviato,
            validato=f.validato,
        )
        for f in righe
    ]
    totali = {
        "ammesso": sum((r.ammesso for r in linee), ZERO),
        "speso": sum((r.speso for r in linee), ZERO),
        "in_domande_inviate": sum((r.in_domande_inviate for r in linee), ZERO),
        "validato": sum((r.validato for r in linee), ZERO),
    }
    totali["disponibile"] = totali["ammesso"] - totali["speso"]
    return linee, totali


def checklist(rendicontazione) -> list[dict]:
    """Every control of the checklist, with who attested it and when (or nothing yet).
    Reads the prefetched `controlli` when present."""
    fatti = {c.controllo: c for c in rendicontazione.controlli.all()}
    return [
        {"controllo": valore, "etichetta": etichetta, "attestazione": fatti.get(valore)}
        for valore, etichetta in ControlloRegis.choices
    ]
