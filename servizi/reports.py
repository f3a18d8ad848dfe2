"""Sections of the Relazione di monitoraggio from the servizi app: the unità d'offerta
summary (the same selectors as the summary page) and the check of the figures the Piano
prints against the rows (the same as the data-check page)."""

from django.utils.translation import gettext as _

from . import selectors
from .models import UnitaOfferta


def report_sezioni(*, fetched_by, ambito, anno=None) -> list[dict]:
    unita = UnitaOfferta.objects.visible_to(fetched_by).filter(ambito=ambito)
    if not unita.exists():
        return []
    riepilogo = selectors.riepilogo_unita(fetched_by=fetched_by, unita=unita)
    posti = selectors.posti_per_comune(fetched_by=fetched_by, ambito=ambito, anno=anno)
    totale = riepilogo["totale"]
    return [
        {
            "id": "unita",
            "titolo": _("Unità d'offerta"),
            "template": "report/_unita.html",
            "riepilogo": riepilogo,
            "posti": posti,
            "impronta": [totale["unita"], totale["posti"], posti["anno"]],
        }
    ]


def verifica_piano(*, fetched_by, ambito) -> dict:
    """The printed figures that differ from the rows or cannot be checked, and how many
    were compared (for the data-quality notes)."""
    verifiche = selectors.verifica_unita(
        fetched_by=fetched_by, ambito=ambito
    ) + selectors.verifica_servizi(fetched_by=fetched_by, ambito=ambito)
    return {
        "confrontati": len(verifiche),
        "da_controllare": [v for v in verifiche if v.esito != selectors.CONCORDA],
    }
