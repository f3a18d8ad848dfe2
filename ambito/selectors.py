"""Reads of the territory app, with the aggregates computed in SQL."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Sum
from django.http import Http404

from .models import Ambito, Comune, DatiDemografici, Incarico
from .platform.compilate import Compilata
from .validators import e_un_id


def ambito_scelto(*, fetched_by, pk=None):
    """The Ambito a page or an aggregate is about: the one asked for (404 when it is
    not visible or not an id), else the first of the user's Ambiti."""
    ambiti = Ambito.objects.visible_to(fetched_by).order_by("nome")
    if not pk:
        return ambiti.first()
    if not e_un_id(pk):
        raise Http404
    ambito = ambiti.filter(pk=pk).first()
    if ambito is None:
        raise Http404
    return ambito


def popolazione_per_comune(*, fetched_by, ambito=None):
    """Comuni visible to the user, each with `residenti` = {anno: residents}.

    A Comune's population rows are visible exactly when the Comune is: the years of
    these `residenti` are the years the user has data for.
    """
    comuni = Comune.objects.visible_to(fetched_by)
    if ambito is not None:
        comuni = comuni.filter(ambito=ambito)
    comuni = list(comuni)
    by_comune = {c.pk: {} for c in comuni}
    rows = DatiDemografici.objects.filter(comune__in=by_comune, residenti__isnull=False)
    for comune_id, anno, residenti in rows.values_list("comune_id", "anno", "residenti"):
        by_comune[comune_id][anno] = residenti
    for comune in comuni:
        comune.residenti = by_comune[comune.pk]
    return comuni


def popolazione_totale_per_anno(*, ambito) -> dict[int, int]:
    """Residents of the whole Ambito per year, summed over its Comuni in SQL.

    Only the Ambito's own rows count; the caller decides whether the user may see
    the Ambito (operators see the Ambito total, not the other Comuni's rows).
    """
    return popolazione_totale_per_ambito(ambiti=[ambito])[ambito.pk]


# Compiled once per number of Ambiti (a region's ~90: each id checked and adapted by the
# ORM cost more CPU than running the query).
_TOTALI_PER_ANNO = Compilata(
    DatiDemografici,
    lambda ambiti: (
        DatiDemografici.objects.filter(comune__ambito_id__in=ambiti, residenti__isnull=False)
        .values_list("comune__ambito", "anno")
        .annotate(totale=Sum("residenti"))
        .order_by("anno")
    ),
)


def popolazione_totale_per_ambito(*, ambiti) -> dict[int, dict[int, int]]:
    """`popolazione_totale_per_anno` of several Ambiti in one query: {ambito id: {anno: total}}."""
    totali = {ambito.pk: {} for ambito in ambiti}
    for ambito_id, anno, totale in _TOTALI_PER_ANNO.righe(list(totali)):
        totali[ambito_id][anno] = totale
    return totali


@dataclass(frozen=True)
class Popolazione:
    """The residents that stand for a year, and the year they are of."""

    anno: int | None
    residenti: int | None


def anno_di_riferimento(anni, anno=None) -> int | None:
    """The available year that stands for `anno`: `anno` itself, else the latest
    earlier one, else the earliest later one (the Piano gives residents for 2021-2023
    only); without `anno`, the latest. The population weights of the indicators
    (`indicatori.selectors.peso_residenti`) apply the same rule in SQL."""
    anni = sorted(anni)
    if not anni:
        return None
    if anno is None:
        return anni[-1]
    if anno in anni:
        return anno
    prima = [a for a in anni if a < anno]
    return prima[-1] if prima else anni[0]


def popolazione_di_riferimento_per_ambito(*, ambiti, anno=None) -> dict[int, Popolazione]:
    """`popolazione_di_riferimento` of several Ambiti in one query: {ambito id: Popolazione}."""
    totali = popolazione_totale_per_ambito(ambiti=ambiti)
    scelte = {}
    for ambito_id, per_anno in totali.items():
        scelto = anno_di_riferimento(per_anno, anno)
        scelte[ambito_id] = Popolazione(anno=scelto, residenti=per_anno.get(scelto))
    return scelte


def popolazione_di_riferimento(*, ambito, anno=None, comune=None) -> Popolazione:
    """ "The" population of an Ambito (or of one of its Comuni) for a year, by the
    rule of `anno_di_riferimento`: the one figure home page, dashboard, Relazione,
    Scheda Comune, services and API show for that year."""
    if comune is None:
        return popolazione_di_riferimento_per_ambito(ambiti=[ambito], anno=anno)[ambito.pk]
    per_anno = dict(
        DatiDemografici.objects.filter(comune=comune, residenti__isnull=False).values_list(
            "anno", "residenti"
        )
    )
    scelto = anno_di_riferimento(per_anno, anno)
    return Popolazione(anno=scelto, residenti=per_anno.get(scelto))


def utenti_gestiti(*, fetched_by):
    """The users holding a role in an Ambito the viewer manages as Ufficio di Piano
    (every user, for a superuser), each with `incarichi_visibili`: his roles in those
    Ambiti only. Two queries, however many users."""
    ambiti = Ambito.objects.editable_by(fetched_by).values("pk")
    incarichi = (
        Incarico.objects.filter(ambito__in=ambiti)
        .select_related("ambito", "comune")
        .order_by("ambito__nome", "ruolo", "comune__nome")
    )
    utenti = get_user_model().objects.all()
    if not fetched_by.is_superuser:
        utenti = utenti.filter(pk__in=Incarico.objects.filter(ambito__in=ambiti).values("user_id"))
    return utenti.prefetch_related(
        Prefetch("incarichi", queryset=incarichi, to_attr="incarichi_visibili")
    ).order_by("last_name", "first_name", "username")
