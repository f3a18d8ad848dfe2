"""PDF reports: Relazione di monitoraggio of an Ambito and Scheda Comune.

A report is a plain view model built from the same selectors as the dashboard, the
pages and the API (see `cruscotto.py`), rendered by a template and registered with its
SHA-256 by `ambito.platform.pdf.report_generate`. The funds, projects and units sections come
from the fondi and servizi apps when they provide `report_sezioni(...)`.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.models import Comune, ReportGenerato
from ambito.platform.pdf import report_generate
from ambito.selectors import popolazione_di_riferimento
from fondi import reports as fondi_reports
from fondi import selectors as fondi_selectors
from fondi.models import Progetto
from servizi import reports as servizi_reports
from servizi import selectors as servizi_selectors

from . import cruscotto, selectors
from .models import EventoPeriodo, Valore
from .regione import ORDINAMENTI


@dataclass
class Relazione:
    titolo: str
    ambito: object
    periodo: object
    anno: int
    comuni: list
    generato_da: object
    generato_il: object
    dati: cruscotto.Cruscotto
    avanzamenti_per_scheda: list
    beneficiari: list
    anomalie: list
    eventi: list
    contesto_differenze: list
    verifica_piano: object  # servizi.selectors.VerificaPiano
    sezioni: list = field(default_factory=list)  # from other apps: dicts with template
    avvisi_progetti: list = field(default_factory=list)  # fondi projects with warnings

    @property
    def indice(self):
        voci = [
            {"id": "sintesi", "titolo": _("Sintesi")},
            *({"id": s["id"], "titolo": s["titolo"]} for s in self.sezioni),
            {"id": "indicatori", "titolo": _("Indicatori per scheda")},
            {"id": "beneficiari", "titolo": _("Beneficiari per Comune")},
            {"id": "completezza", "titolo": _("Completezza della rilevazione")},
            {"id": "qualita", "titolo": _("Note sulla qualità dei dati")},
        ]
        return voci


def relazione_monitoraggio(*, fetched_by, ambito, periodo=None) -> Relazione:
    dati = cruscotto.cruscotto_ambito(fetched_by=fetched_by, ambito=ambito, periodo=periodo)
    periodo = dati.periodo
    avanzamenti = dati.avanzamenti
    anomalie = list(
        Valore.objects.visible_to(fetched_by)
        .filter(periodo__ambito=ambito, anomalia_confermata=True)
        .select_related("indicatore", "comune", "periodo")
        .order_by("periodo__data_fine", "indicatore__codice")
    )
    eventi = list(
        EventoPeriodo.objects.filter(periodo__ambito=ambito)
        .select_related("periodo", "utente")
        .order_by("quando")
    )
    contesto = [
        t
        for t in selectors.tabelle_contesto(fetched_by=fetched_by, ambito=ambito)
        if any(t.differenze)
    ]
    return Relazione(
        titolo=_("Relazione di monitoraggio"),
        ambito=ambito,
        periodo=periodo,
        anno=dati.anno,
        comuni=list(Comune.objects.visible_to(fetched_by).filter(ambito=ambito)),
        generato_da=fetched_by,
        generato_il=timezone.now(),
        dati=dati,
        avanzamenti_per_scheda=selectors.riepilogo_schede(avanzamenti),
        beneficiari=dati.beneficiari,
        anomalie=anomalie,
        eventi=eventi,
        contesto_differenze=contesto,
        verifica_piano=servizi_selectors.verifica_piano(fetched_by=fetched_by, ambito=ambito),
        avvisi_progetti=fondi_selectors.progetti_avvisi(
            fetched_by=fetched_by, progetti=Progetto.objects.filter(ambito=ambito)
        ),
        sezioni=[
            *fondi_reports.report_sezioni(
                fetched_by=fetched_by, ambito=ambito, anno=dati.anno, indicatori=avanzamenti
            ),
            *servizi_reports.report_sezioni(fetched_by=fetched_by, ambito=ambito),
        ],
    )


def relazione_pdf(*, user, ambito, periodo=None):
    relazione = relazione_monitoraggio(fetched_by=user, ambito=ambito, periodo=periodo)
    quando = relazione.periodo.nome if relazione.periodo else str(relazione.anno)
    titolo = f"{relazione.titolo} – {ambito.nome} – {quando}"
    return report_generate(
        tipo=ReportGenerato.Tipo.RELAZIONE,
        titolo=titolo,
        template="report/relazione.html",
        context={"titolo": titolo, "ambito": ambito, "r": relazione, "indice": relazione.indice},
        dati=_impronta_relazione(relazione),
        user=user,
        ambito=ambito,
        parametri={
            "periodo": relazione.periodo.nome if relazione.periodo else "",
            "anno": relazione.anno,
        },
    )


def _impronta_relazione(r: Relazione):
    """The figures a Relazione shows, as plain data for its fingerprint."""
    return {
        "residenti": r.dati.residenti,
        "stati": r.dati.stati,
        "completezza": [
            (c.comune.codice_istat, c.inviati, c.attesi) for c in r.dati.completezza_righe
        ],
        "beneficiari": [(b.comune.codice_istat, b.totale) for b in r.beneficiari],
        "indicatori": [
            (a.indicatore.codice, a.valore, a.atteso, a.stato)
            for g in r.avanzamenti_per_scheda
            for a in g.avanzamenti
        ],
        "sezioni": [s.get("impronta") for s in r.sezioni],
        "avvisi_progetti": [(p.pk, tuple(p.avvisi)) for p in r.avvisi_progetti],
        "verifica_piano": [
            (v.descrizione, v.stampato, v.calcolato) for v in r.verifica_piano.da_controllare
        ],
    }


@dataclass
class SchedaComune:
    titolo: str
    comune: object
    periodo: object
    righe: list  # grid groups of the entry screen: indicator x category, value, status
    residenti: int | None
    anno_residenti: int | None


def scheda_comune(*, fetched_by, comune, periodo) -> SchedaComune:
    gruppi = selectors.griglia_inserimento(fetched_by=fetched_by, periodo=periodo, comune=comune)
    popolazione = popolazione_di_riferimento(
        ambito=comune.ambito, comune=comune, anno=periodo.data_fine.year
    )
    return SchedaComune(
        titolo=_("Scheda Comune"),
        comune=comune,
        periodo=periodo,
        righe=gruppi,
        residenti=popolazione.residenti,
        anno_residenti=popolazione.anno,
    )


def scheda_comune_pdf(*, user, comune, periodo):
    scheda = scheda_comune(fetched_by=user, comune=comune, periodo=periodo)
    titolo = f"{scheda.titolo} – {comune.nome} – {periodo.nome}"
    impronta = [
        (
            r.indicatore.codice,
            [
                (c.categoria and c.categoria.pk, c.valore and c.valore.valore_numerico)
                for c in r.celle
            ],
        )
        for g in scheda.righe
        for r in g.righe
    ]
    return report_generate(
        tipo=ReportGenerato.Tipo.SCHEDA_COMUNE,
        titolo=titolo,
        template="report/scheda_comune.html",
        context={"titolo": titolo, "ambito": comune.ambito, "s": scheda},
        dati=impronta,
        user=user,
        ambito=comune.ambito,
        comune=comune,
        parametri={"comune": comune.nome, "periodo": periodo.nome},
    )


def scheda_progetto_pdf(*, user, progetto):
    """One project's sheet: the same sheet as in the Relazione, with its indicators."""
    avanzamenti = selectors.avanzamento_indicatori(fetched_by=user, ambito=progetto.ambito)
    sezioni = fondi_reports.report_sezioni(
        fetched_by=user,
        ambito=progetto.ambito,
        anno=timezone.localdate().year,
        indicatori=avanzamenti,
        progetti=[progetto.pk],
    )
    sezione = next(s for s in sezioni if s["id"] == "progetti")
    titolo = f"{_('Scheda progetto')} – {progetto.titolo}"
    return report_generate(
        tipo=ReportGenerato.Tipo.SCHEDA_PROGETTO,
        titolo=titolo,
        template="report/scheda_progetto.html",
        context={"titolo": titolo, "ambito": progetto.ambito, "s": sezione},
        dati=sezione["impronta"],
        user=user,
        ambito=progetto.ambito,
        # Names a reader recognises, not database ids (shown on the report's last page).
        parametri={
            "progetto": progetto.titolo,
            "codice": progetto.cup or progetto.codice_locale or "",
        },
    )


def regione_pdf(*, user, dati):
    """The regional dashboard as a PDF (registered under the region's first Ambito)."""
    titolo = f"{_('Cruscotto regionale')} – {dati.regione} – {dati.anno}"
    impronta = [
        (r.ambito.codice, r.residenti, r.fondi, r.ammesso, r.erogato, r.inviati, r.stati)
        for r in dati.righe
    ]
    return report_generate(
        tipo=ReportGenerato.Tipo.REGIONE,
        titolo=titolo,
        template="report/regione.html",
        context={"titolo": titolo, "dati": dati, "ordinamenti": ORDINAMENTI},
        dati=impronta,
        user=user,
        ambito=min((r.ambito for r in dati.righe), key=lambda a: a.pk),
        parametri={"regione": dati.regione, "anno": dati.anno},
    )
