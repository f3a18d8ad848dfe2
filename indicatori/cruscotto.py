"""The monitoring dashboards: the Ambito's (Ufficio di Piano, Revisori) and the Comune's.

Only composition: every figure comes from the selectors that also feed the API and the
PDF reports, so the three always agree. Charts are the server-side SVGs of
`ambito.platform.charts`, each shown with a table of the same numbers.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from ambito import selectors as territorio
from ambito.models import Comune
from ambito.platform.cache import memorizzato
from ambito.platform.charts import Grafico, Voce, bar_chart
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


# Status colours that stay apart in greyscale print: the hatching tells them apart too.
COLORI_STATO = {
    StatoAvanzamento.IN_LINEA: ("#00875a", ""),
    StatoAvanzamento.A_RISCHIO: ("#f29e00", "//"),
    StatoAvanzamento.CRITICO: ("#cc334d", "xx"),
    StatoAvanzamento.NON_VALUTABILE: ("#a9b7c4", ".."),
}
# The percentage axis stops here; a bar beyond it is drawn to the edge with its number.
TETTO_PERCENTUALE = 150
LUNGHEZZA_ETICHETTA = 38


LUNGHEZZA_INTESTAZIONE = 24


def accorcia(testo: str, lunghezza: int) -> str:
    """The text cut to `lunghezza` characters with an ellipsis (whole where shown in full)."""
    if len(testo) <= lunghezza:
        return testo
    return testo[: lunghezza - 1].rstrip() + "…"


def etichetta_indicatore(indicatore) -> str:
    """The code and the name, shortened to fit a chart's axis (the table has it whole)."""
    return accorcia(f"{indicatore.codice} {indicatore.nome}", LUNGHEZZA_ETICHETTA)


def grafico_avanzamento(avanzamenti, area=None) -> Grafico | None:
    valutabili = [a for a in avanzamenti if a.percentuale is not None]
    if not valutabili:
        return None
    titolo = _("Avanzamento degli indicatori rispetto al valore atteso")
    stati = [StatoAvanzamento(a.stato) for a in valutabili]
    oltre = [a for a in valutabili if a.percentuale > TETTO_PERCENTUALE]
    esclusi = len(avanzamenti) - len(valutabili)
    frasi = [
        _(
            "Ogni barra è la percentuale del valore atteso raggiunta da un indicatore, "
            "colorata secondo il suo stato; la linea tratteggiata segna il 100%."
        )
    ]
    if oltre:
        frasi.append(
            _(
                "Le barre oltre il %(tetto)s%% arrivano al bordo del grafico e ne è scritto "
                "il valore (%(n)s indicatori)."
            )
            % {"tetto": TETTO_PERCENTUALE, "n": len(oltre)}
        )
    if esclusi:
        frasi.append(
            _("Non sono riportati %(n)s indicatori non valutabili (senza valore o senza atteso).")
            % {"n": esclusi}
        )
    return Grafico(
        id="avanzamento",
        titolo=titolo,
        svg=bar_chart(
            [etichetta_indicatore(a.indicatore) for a in valutabili],
            {_("% raggiunta"): [a.percentuale for a in valutabili]},
            title=titolo,
            percent=True,
            horizontal=True,
            height=max(2.8, 0.3 * len(valutabili) + 1.4),
            width=8,
            bar_colors=tuple(COLORI_STATO[s][0] for s in stati),
            bar_hatches=tuple(COLORI_STATO[s][1] for s in stati),
            legend=tuple(
                Voce(str(stato.label), *COLORI_STATO[stato])
                for stato in StatoAvanzamento
                if stato in stati
            ),
            reference=100,
            reference_label=_("Valore atteso (100%)"),
            limit=TETTO_PERCENTUALE,
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
        nota=" ".join(frasi),
    )


def grafico_beneficiari(righe, periodo, area=None, comuni_visibili=None) -> Grafico | None:
    """`comuni_visibili`: how many Comuni the reader could see (to say who is missing)."""
    if not righe:
        return None
    titolo = _("Beneficiari per Comune – %(periodo)s") % {"periodo": periodo.nome}
    nota = _(
        "Persone raggiunte nel periodo da ciascun Comune: somma dei valori approvati "
        "degli indicatori che contano beneficiari."
    )
    mancanti = (comuni_visibili or 0) - len(righe)
    if mancanti > 0:
        nota += " " + _(
            "Non compaiono %(n)s Comuni su %(totale)s: per il periodo non hanno ancora "
            "valori approvati di questi indicatori."
        ) % {"n": mancanti, "totale": comuni_visibili}
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
        nota=nota,
    )


# These selectors are memoized on their own too; within the cached whole of
# `cruscotto_ambito` they are computed directly (`__wrapped__`): storing each part again
# would double the pickling and the cache writes of the first request after an approval.
# The funds (`cruscotto_fondi`) stay cached on their own: an approval leaves them valid.
_avanzamento_indicatori = selectors.avanzamento_indicatori.__wrapped__
_completezza_periodo = selectors.completezza_periodo.__wrapped__


@memorizzato
def cruscotto_ambito(
    *, fetched_by, ambito, anno=None, periodo=None, comune=None, area=None, periodi=None
) -> Cruscotto:
    """The Ambito's figures and charts. The area narrows what indicators measure
    (progress, completeness, beneficiaries); funds and residents stay Ambito-wide.

    `periodi`: the Ambito's periods the user sees, latest first, when the caller has
    read them already (the filter form's choices); read here otherwise."""
    if periodi is None:
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

    avanzamenti = _avanzamento_indicatori(fetched_by=fetched_by, ambito=ambito, area=area)
    cruscotto.avanzamenti = avanzamenti
    cruscotto.stati = selectors.conteggio_stati(avanzamenti)

    if periodo is not None:
        righe = _completezza_periodo(fetched_by=fetched_by, periodo=periodo, area=area)
        beneficiari = selectors.beneficiari_di(
            selectors.beneficiari_nei_periodi(
                fetched_by=fetched_by, ambito=ambito, periodi=[periodo], area=area
            ),
            periodi=[periodo],
            comuni=[r.comune for r in righe],
        )
        if comune is not None:
            righe = [r for r in righe if r.comune.pk == comune.pk]
            beneficiari = [r for r in beneficiari if r.comune.pk == comune.pk]
        cruscotto.completezza_righe = righe
        cruscotto.completezza = selectors.completezza_ambito(righe)
        cruscotto.beneficiari = beneficiari

    cruscotto.fondi = cruscotto_fondi(fetched_by=fetched_by, ambito=ambito, anno=anno)
    cruscotto.grafici.extend(cruscotto.fondi["grafici"])

    for grafico in (
        grafico_avanzamento(avanzamenti, area),
        grafico_beneficiari(cruscotto.beneficiari, periodo, area, len(cruscotto.completezza_righe))
        if periodo
        else None,
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
