"""Reads of the territory app, with the aggregates computed in SQL."""

from django.db.models import Sum
from django.http import Http404

from .models import Ambito, Comune, DatiDemografici


def ambito_scelto(*, fetched_by, pk=None):
    """The Ambito a page or an aggregate is about: the one asked for (404 when it is
    not visible or not an id), else the first of the user's Ambiti."""
    ambiti = Ambito.objects.visible_to(fetched_by).order_by("nome")
    if not pk:
        return ambiti.first()
    if not str(pk).isdigit():
        raise Http404
    ambito = ambiti.filter(pk=pk).first()
    if ambito is None:
        raise Http404
    return ambito


def anni_popolazione(*, fetched_by, ambito=None) -> list[int]:
    qs = DatiDemografici.objects.visible_to(fetched_by).filter(residenti__isnull=False)
    if ambito is not None:
        qs = qs.filter(comune__ambito=ambito)
    return sorted(set(qs.values_list("anno", flat=True)))


def popolazione_per_comune(*, fetched_by, ambito=None):
    """Comuni visible to the user, each with `residenti` = {anno: residents}."""
    comuni = Comune.objects.visible_to(fetched_by).select_related("ambito")
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
    rows = (
        DatiDemografici.objects.filter(comune__ambito=ambito, residenti__isnull=False)
        .values("anno")
        .annotate(totale=Sum("residenti"))
        .order_by("anno")
    )
    return {row["anno"]: row["totale"] for row in rows}
