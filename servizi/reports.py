"""Sections of the Relazione di monitoraggio from the servizi app: the unità d'offerta
summary, from the same selectors (and partial template) as the summary page."""

from django.utils.translation import gettext as _

from . import selectors
from .models import UnitaOfferta


def report_sezioni(*, fetched_by, ambito) -> list[dict]:
    unita = UnitaOfferta.objects.visible_to(fetched_by).filter(ambito=ambito)
    if not unita.exists():
        return []
    riepilogo = selectors.riepilogo_unita(fetched_by=fetched_by, unita=unita)
    posti = selectors.posti_per_comune(fetched_by=fetched_by, ambito=ambito)
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
