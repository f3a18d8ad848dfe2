"""The monitoring dashboards: the Ambito's (Ufficio di Piano, Revisori) and the Comune's.

Only composition: every figure comes from the selectors that also feed the API and the
PDF reports, so the three always agree. Charts are the server-side SVGs of
`ambito.platform.charts`, each shown with a table of the same numbers.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ambito import selectors as territorio
from ambito.models import Comune
from ambito.platform.cache import memorizzato
from ambito.platform.charts import Grafico, bar_chart
from fondi.reports import cruscotto_fondi

from . import selectors
from .choices import StatoAvanzamento, StatoPeriodo, StatoValore
from .models import Periodo, Valore


@dataclass
class Cruscotto:
    ambito: object
    anni: list[int]
    anno: int | None
    periodi: list
    periodo: object | None
    comune: object | None
    area: object | None = None
    residenti: int | None = None
    anno_residenti: int | None = None
    avanzamenti: list = field(default_factory=list)
    stati: dict = field(default_factory=dict)
    completezza: dict = field(default_factory=dict)
    completezza_righe: list = field(default_factory=list)
    beneficiari: list = field(default_factory=list)
    fondi: dict = field(default_factory=dict)
    grafici: list[Grafico] = field(default_factory=list)

    @property
    def stati_etichette(self):
        return [(StatoAvanzamento(s).label, s, n) for s, n in self.stati.items()]


def _filtro_area(area) -> str:
    return f"&area={area.pk}" if area is not None else ""


def grafico_avanzamento(avanzamenti, area=None) -> Grafico | None:
    valutabili = [a for a in avanzamenti if a.percentuale is not None]
    if not valutabili:
        return None
    etichette = [a.indicatore.codice for a in valutabili]
    titolo = _("Avanzamento degli indicatori rispetto al valore atteso")
    return Grafico(
        id="avanzamento",
        titolo=titolo,
        svg=bar_chart(
            etichette,
            {_("% raggiunta"): [min(a.percentuale, Decimal(150)) for a in valutabili]},
            title=titolo,
            percent=True,
            horizontal=True,
            height=max(2.5, 0.28 * len(valutabili) + 1),
        ),
        colonne=[_("Indicatore"), _("Valore"), _("Atteso"), _("% raggiunta"), _("Stato")],
        righe=[
            [
                f"{a.indicatore.codice} {a.indicatore.nome}",
                a.valore,
                a.atteso,
                a.percentuale,
                a.stato_label,
            ]
            for a in valutabili
        ],
        csv_url=f"/api/v1/avanzamento/?format=csv&sep=semicolon{_filtro_area(area)}",
    )


def grafico_beneficiari(righe, periodo, area=None) -> Grafico | None:
    if not righe:
        return None
    titolo = _("Beneficiari per Comune – %(periodo)s") % {"periodo": periodo.nome}
    return Grafico(
        id="beneficiari",
        titolo=titolo,
        svg=bar_chart(
            [r.comune.nome for r in righe],
            {_("Beneficiari"): [r.totale for r in righe]},
            title=titolo,
        ),
        colonne=[_("Comune"), _("Beneficiari")],
        righe=[[r.comune.nome, r.totale] for r in righe],
        csv_url=(
            f"/api/v1/beneficiari/?format=csv&sep=semicolon&periodo={periodo.pk}"
            f"{_filtro_area(area)}"
        ),
    )


@memorizzato
def cruscotto_ambito(
    *, fetched_by, ambito, anno=None, periodo=None, comune=None, area=None
) -> Cruscotto:
    """The Ambito's figures and charts. The area narrows what indicators measure
    (progress, completeness, beneficiaries); funds and residents stay Ambito-wide."""
    periodi = list(
        Periodo.objects.visible_to(fetched_by).filter(ambito=ambito).order_by("-data_fine")
    )
    anni = sorted({p.data_fine.year for p in periodi}, reverse=True)
    if periodo is None:
        # The last period whose reporting is under way or done: the one auditors ask about.
        oggi = timezone.localdate()
        periodo = next(
            (p for p in periodi if p.data_inizio <= oggi), periodi[-1] if periodi else None
        )
    anno = anno or (periodo.data_fine.year if periodo else timezone.localdate().year)
    cruscotto = Cruscotto(
        ambito=ambito,
        anni=anni,
        anno=anno,
        periodi=periodi,
        periodo=periodo,
        comune=comune,
        area=area,
    )

    popolazione = territorio.popolazione_di_riferimento(ambito=ambito, anno=anno)
    cruscotto.anno_residenti = popolazione.anno
    cruscotto.residenti = popolazione.residenti

    avanzamenti = selectors.avanzamento_indicatori(fetched_by=fetched_by, ambito=ambito, area=area)
    cruscotto.avanzamenti = avanzamenti
    cruscotto.stati = selectors.conteggio_stati(avanzamenti)

    if periodo is not None:
        righe = selectors.completezza_periodo(fetched_by=fetched_by, periodo=periodo, area=area)
        if comune is not None:
            righe = [r for r in righe if r.comune.pk == comune.pk]
        cruscotto.completezza_righe = righe
        cruscotto.completezza = selectors.completezza_ambito(righe)
        beneficiari = selectors.beneficiari_per_comune(
            fetched_by=fetched_by, ambito=ambito, periodi=[periodo], area=area
        )
        if comune is not None:
            beneficiari = [r for r in beneficiari if r.comune.pk == comune.pk]
        cruscotto.beneficiari = beneficiari

    cruscotto.fondi = cruscotto_fondi(fetched_by=fetched_by, ambito=ambito, anno=anno)
    cruscotto.grafici.extend(cruscotto.fondi["grafici"])

    for grafico in (
        grafico_avanzamento(avanzamenti, area),
        grafico_beneficiari(cruscotto.beneficiari, periodo, area) if periodo else None,
    ):
        if grafico is not None:
            cruscotto.grafici.append(grafico)
    return cruscotto


@dataclass
class CruscottoComune:
    comune: Comune
    periodi_aperti: list
    da_completare: list
    respinti: list
    serie: list  # (indicatore, [(periodo, valore)])
    periodi_serie: list


def cruscotto_comune(*, fetched_by, comune) -> CruscottoComune:
    """An operator's Comune: deadlines, what is pending, his values over time."""
    periodi = list(
        Periodo.objects.visible_to(fetched_by)
        .filter(ambito_id=comune.ambito_id)
        .order_by("data_fine")
    )
    aperti = [p for p in periodi if p.stato in (StatoPeriodo.APERTO, StatoPeriodo.RIAPERTO)]
    valori = list(
        Valore.objects.visible_to(fetched_by)
        .filter(comune=comune, categoria__isnull=True)
        .select_related("indicatore", "periodo")
        .order_by("indicatore__codice", "periodo__data_fine")
    )
    da_completare = [v for v in valori if v.stato == StatoValore.BOZZA]
    respinti = [v for v in valori if v.stato == StatoValore.RESPINTO]
    per_indicatore = {}
    for valore in valori:
        if valore.valore_numerico is None:
            continue
        per_indicatore.setdefault(valore.indicatore, {})[valore.periodo_id] = valore
    periodi_serie = [p for p in periodi if any(p.pk in s for s in per_indicatore.values())]
    serie = [
        (indicatore, [valori_periodo.get(p.pk) for p in periodi_serie])
        for indicatore, valori_periodo in per_indicatore.items()
    ]
    return CruscottoComune(
        comune=comune,
        periodi_aperti=aperti,
        da_completare=da_completare,
        respinti=respinti,
        serie=serie,
        periodi_serie=periodi_serie,
    )
