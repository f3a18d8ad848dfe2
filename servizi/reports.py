"""Sections of the Relazione di monitoraggio from the servizi app: the unità d'offerta
summary, from the same selectors (and partial template) as the summary page."""

from django.utils.translation import gettext as _

from . import selectors
from .capitolo import capitolo_contesto
from .models import UnitaOfferta


def report_sezioni(*, fetched_by, ambito) -> list[dict]:
    return _sezione_contesto(fetched_by=fetched_by, ambito=ambito) + _sezione_unita(
        fetched_by=fetched_by, ambito=ambito
    )


def _sezione_contesto(*, fetched_by, ambito) -> list[dict]:
    """The context chapter written from the tables, over all the years they hold."""
    capitolo = capitolo_contesto(fetched_by=fetched_by, ambito=ambito)
    if not capitolo:
        return []
    anni = [a for m in capitolo for a in m.anni]
    return [
        {
            "id": "contesto",
            "titolo": _("Analisi di contesto dai dati"),
            "template": "report/_contesto.html",
            "capitolo": capitolo,
            "dal": min(anni),
            "al": max(anni),
            "impronta": [[str(v) for v in m.ambito] for m in capitolo],
        }
    ]


def _sezione_unita(*, fetched_by, ambito) -> list[dict]:
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
