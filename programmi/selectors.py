"""Reads of the programmi app, with totals and averages computed in SQL.

Pages, API and (later) PDF reports call these, so they always show the same numbers.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from . import models
from .choices import StatoPiano

ZERO = Decimal("0.00")


def piani_per_elenco(*, fetched_by):
    """Visible plans, each with `numero_schede` and `budget_schede` (sum, in SQL)."""
    schede = models.Scheda.objects.filter(piano=OuterRef("pk")).order_by().values("piano")
    return (
        models.PianoDiZona.objects.visible_to(fetched_by)
        .select_related("ambito")
        .annotate(
            numero_schede=Coalesce(Subquery(schede.annotate(n=Count("pk")).values("n")), Value(0)),
            budget_schede=Coalesce(
                Subquery(schede.annotate(totale=Sum("budget")).values("totale")), Value(ZERO)
            ),
        )
        .order_by("ambito__nome", "-anno_inizio")
    )


def piano_corrente(*, fetched_by) -> models.PianoDiZona | None:
    """The plan a user means by "the plan": the newest in force, else the newest one."""
    piani = models.PianoDiZona.objects.visible_to(fetched_by).select_related("ambito")
    vigenti = piani.filter(stato__in=[StatoPiano.IN_VIGORE, StatoPiano.APPROVATO])
    return (
        vigenti.order_by("ambito__nome", "-anno_inizio").first()
        or piani.order_by("ambito__nome", "-anno_inizio").first()
    )


def totale_budget_schede(*, piano) -> Decimal:
    totale = models.Scheda.objects.filter(piano=piano).aggregate(totale=Sum("budget"))["totale"]
    return totale if totale is not None else ZERO


@dataclass
class GruppoObiettivi:
    """The general objectives of one macro-area (or of none: transversal ones)."""

    macro_area: models.MacroArea | None
    obiettivi: list


def obiettivi_per_macro_area(*, piano) -> list[GruppoObiettivi]:
    """General objectives with their specific ones, grouped by macro-area (3 queries)."""
    generali = (
        models.Obiettivo.objects.filter(piano=piano, parent__isnull=True)
        .select_related("valutazione")
        .prefetch_related(
            Prefetch(
                "specifici",
                queryset=models.Obiettivo.objects.select_related("valutazione").order_by(
                    "ordinamento"
                ),
            )
        )
        .order_by("ordinamento")
    )
    gruppi = {area.pk: GruppoObiettivi(area, []) for area in piano.macro_aree.order_by("lettera")}
    senza_area = GruppoObiettivi(None, [])
    for obiettivo in generali:
        gruppi.get(obiettivo.macro_area_id, senza_area).obiettivi.append(obiettivo)
    risultato = list(gruppi.values())
    if senza_area.obiettivi:
        risultato.append(senza_area)
    return risultato


def schede_del_piano(*, piano):
    return (
        models.Scheda.objects.filter(piano=piano)
        .select_related("obiettivo", "progetto")
        .order_by("numero")
    )


def scheda_dettaglio(*, fetched_by, pk) -> models.Scheda:
    """One scheda with everything its page shows; `Scheda.DoesNotExist` outside scope."""
    return (
        models.Scheda.objects.visible_to(fetched_by)
        .select_related("piano__ambito", "obiettivo", "progetto")
        .prefetch_related(
            Prefetch("voci", queryset=models.VoceScheda.objects.order_by("tipo", "ordine")),
            "servizi",
        )
        .get(pk=pk)
    )


def schede_per_elenco(*, fetched_by):
    """Visible schede with their ordered lists and services prefetched (API list)."""
    return (
        models.Scheda.objects.visible_to(fetched_by)
        .select_related("piano", "obiettivo", "progetto")
        .prefetch_related(
            Prefetch("voci", queryset=models.VoceScheda.objects.order_by("tipo", "ordine")),
            "servizi",
        )
    )


def valutazioni_per_elenco(*, fetched_by):
    """Visible evaluations with their objective and, for a general objective, how many
    of its specific objectives are evaluated and proposed again (subqueries, no join
    fan-out)."""
    specifici = (
        models.Valutazione.objects.filter(obiettivo__parent=OuterRef("obiettivo"))
        .order_by()
        .values("obiettivo__parent")
    )
    return (
        models.Valutazione.objects.visible_to(fetched_by)
        .select_related("obiettivo__macro_area", "obiettivo__piano", "obiettivo__parent")
        .annotate(
            specifici_valutati=Coalesce(
                Subquery(specifici.annotate(n=Count("pk")).values("n")), Value(0)
            ),
            specifici_riproposti=Coalesce(
                Subquery(specifici.annotate(n=Count("pk", filter=Q(riproposto=True))).values("n")),
                Value(0),
            ),
        )
    )


def _arrotonda(valore, cifre=1) -> Decimal | None:
    if valore is None:
        return None
    quanto = Decimal(1).scaleb(-cifre)
    return Decimal(str(valore)).quantize(quanto, rounding=ROUND_HALF_UP)


@dataclass
class MediaMacroArea:
    lettera: str
    nome: str
    obiettivi: int
    media: Decimal | None

    @property
    def etichetta(self):
        return f"{self.lettera}. {self.nome}" if self.lettera else self.nome


def media_raggiungimento_per_macro_area(*, piano) -> list[MediaMacroArea]:
    """Average % reached by macro-area over the plan's evaluated objectives (SQL Avg)."""
    righe = (
        models.Valutazione.objects.filter(
            obiettivo__piano=piano, grado_raggiungimento__isnull=False
        )
        .values("obiettivo__macro_area__lettera", "obiettivo__macro_area__nome")
        .annotate(media=Avg("grado_raggiungimento"), obiettivi=Count("pk"))
        .order_by("obiettivo__macro_area__lettera")
    )
    return [
        MediaMacroArea(
            lettera=riga["obiettivo__macro_area__lettera"] or "",
            nome=riga["obiettivo__macro_area__nome"] or "Senza macro-area",
            obiettivi=riga["obiettivi"],
            media=_arrotonda(riga["media"]),
        )
        for riga in righe
    ]


def media_raggiungimento(*, piano) -> Decimal | None:
    media = models.Valutazione.objects.filter(
        obiettivo__piano=piano, grado_raggiungimento__isnull=False
    ).aggregate(media=Avg("grado_raggiungimento"))["media"]
    return _arrotonda(media)


def progetti_premiali(*, piano):
    """Premial projects with their activity lines and average completion (SQL Avg)."""
    return (
        models.ProgettoPremiale.objects.filter(piano=piano)
        .annotate(
            media_completamento=Avg("attivita__percentuale"),
            numero_attivita=Count("attivita"),
        )
        .prefetch_related(
            Prefetch("attivita", queryset=models.AttivitaPremiale.objects.order_by("ordine"))
        )
        .order_by("numero")
    )
