"""Sections of the Relazione di monitoraggio from the servizi app: the unità d'offerta
summary, from the same selectors (and partial template) as the summary page."""

from django.utils.translation import gettext as _

from ambito.models import ReportGenerato
from ambito.platform.pdf import report_generate

from . import selectors
from .capitolo import capitolo_contesto
from .models import UnitaOfferta


def report_sezioni(*, fetched_by, ambito) -> list[dict]:
    return _sezione_contesto(fetched_by=fetched_by, ambito=ambito) + _sezione_unita(
        fetched_by=fetched_by, ambito=ambito
    )


def _sezione_contesto(*, fetched_by, ambito, dal=None, al=None) -> list[dict]:
    """The context chapter written from the tables, over the years asked (all by default)."""
    capitolo = capitolo_contesto(fetched_by=fetched_by, ambito=ambito, dal=dal, al=al)
    if not capitolo:
        return []
    anni = [a for m in capitolo for a in m.anni if a is not None]
    return [
        {
            "id": "contesto",
            "titolo": _("Analisi di contesto dai dati"),
            "template": "report/_contesto.html",
            "capitolo": capitolo,
            "dal": dal or min(anni),
            "al": al or max(anni),
            "impronta": [
                [m.tabella.codice, m.misura.codice, [str(v) for v in m.ambito], m.righe]
                for m in capitolo
            ],
        }
    ]


def capitolo_contesto_pdf(*, user, ambito, dal=None, al=None):
    """The context chapter on its own: the same section the Relazione carries."""
    sezioni = _sezione_contesto(fetched_by=user, ambito=ambito, dal=dal, al=al)
    sezione = sezioni[0] if sezioni else {"capitolo": [], "dal": dal, "al": al, "impronta": []}
    titolo = f"{_('Capitolo di contesto dai dati')} – {ambito.nome}"
    return report_generate(
        tipo=ReportGenerato.Tipo.CAPITOLO_CONTESTO,
        titolo=titolo,
        template="report/capitolo_contesto.html",
        context={"titolo": titolo, "ambito": ambito, "s": sezione},
        dati=sezione["impronta"],
        user=user,
        ambito=ambito,
        parametri={"ambito": ambito.nome, "dal": dal or "", "al": al or ""},
    )


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
