"""The values of a period (or of every period of the Ambito) as an export job.

Registered with the export mechanism (ambito/platform/esportazioni.py) when the app
is ready; the worker writes the file in the job's format.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ambito.platform import esportazioni
from ambito.platform.esportazioni import Cella, Colonna, Tabella, contenuto
from ambito.platform.mixins import get_visible_or_404
from ambito.validators import e_un_id

from .choices import StatoValore, UnitaMisura
from .models import Periodo
from .selectors import valori_visibili


def _righe(valori):
    for v in valori.iterator(chunk_size=2000):
        yield [
            v.periodo.nome,
            v.comune.nome if v.comune_id else _("Ambito"),
            v.comune.codice_istat if v.comune_id else "",
            v.indicatore.codice,
            v.indicatore.nome,
            v.categoria.nome if v.categoria_id else "",
            v.valore_numerico,
            v.valore_testo,
            v.indicatore.get_unita_display(),
            v.get_stato_display(),
            v.anomalia_confermata,
            v.dimostrativo,
            v.commento,
            v.inviato_il,
            v.aggiornato_il,
        ]


def valori_parametri(*, user, ambito, dati) -> dict:
    """The period asked for (one the user sees, of the Ambito), or none: all periods."""
    periodo = (dati.get("periodo") or "").strip()
    if not periodo:
        return {"periodo": None}
    if not e_un_id(periodo):
        raise Http404
    return {"periodo": get_visible_or_404(Periodo, user, pk=periodo, ambito=ambito).pk}


@contenuto("valori", parametri=valori_parametri)
def valori_tabella(job) -> Tabella:
    """The values the requester may see, of the period asked for (or all of the Ambito)."""
    valori = valori_visibili(fetched_by=job.richiesta_da).filter(periodo__ambito=job.ambito)
    periodo_id = job.parametri.get("periodo")
    parametri = {_("Periodo"): _("tutti")}
    if periodo_id:
        periodo = Periodo.objects.get(pk=periodo_id, ambito=job.ambito)
        valori = valori.filter(periodo=periodo)
        parametri = {_("Periodo"): periodo.nome}
        titolo = _("Valori degli indicatori · %(ambito)s · %(periodo)s") % {
            "ambito": job.ambito.nome,
            "periodo": periodo.nome,
        }
    else:
        titolo = _("Valori degli indicatori · %(ambito)s") % {"ambito": job.ambito.nome}
    return Tabella(
        titolo=titolo,
        colonne=[
            _("Periodo"),
            _("Comune"),
            _("Codice ISTAT"),
            _("Codice indicatore"),
            _("Indicatore"),
            _("Categoria"),
            _("Valore"),
            _("Valore (testo)"),
            _("Unità di misura"),
            _("Stato"),
            _("Anomalia confermata"),
            _("Dato dimostrativo"),
            _("Commento"),
            _("Inviato il"),
            _("Aggiornato il"),
        ],
        parametri=parametri,
        righe=_righe(valori.order_by("periodo__data_inizio", "comune__nome", "indicatore__ordine")),
    )


# --- The list of values (/indicatori/valori/), as the page filters it -----------------

# How a value reads in a spreadsheet, by the indicator's unit.
_FORMATO_UNITA = {
    UnitaMisura.CONTEGGIO: esportazioni.DECIMALE,
    UnitaMisura.PERCENTUALE: esportazioni.PERCENTUALE,
    UnitaMisura.EURO: esportazioni.EURO,
}

VALORI_COLONNE = [
    Colonna(_l("Periodo")),
    Colonna(_l("Codice indicatore")),
    Colonna(_l("Indicatore")),
    Colonna(_l("Comune")),
    Colonna(_l("Codice ISTAT"), esportazioni.TESTO),
    Colonna(_l("Categoria")),
    Colonna(_l("Valore")),
    Colonna(_l("Valore (testo)")),
    Colonna(_l("Unità di misura")),
    Colonna(_l("Stato")),
    Colonna(_l("Dato dimostrativo"), esportazioni.SI_NO),
    Colonna(_l("Aggiornato il"), esportazioni.DATA_ORA),
]


def valore_riga(v) -> list:
    """One row of the values list (the rows come from the page's own queryset)."""
    return [
        v.periodo.nome,
        v.indicatore.codice,
        v.indicatore.nome,
        v.comune.nome if v.comune_id else _("Ambito"),
        v.comune.codice_istat if v.comune_id else "",
        v.categoria.nome if v.categoria_id else _("Totale"),
        Cella(v.valore_numerico, _FORMATO_UNITA.get(v.indicatore.unita, esportazioni.DECIMALE)),
        v.valore_testo,
        v.indicatore.get_unita_display(),
        v.get_stato_display(),
        v.dimostrativo,
        v.aggiornato_il,
    ]


# --- The review grid of a period (/indicatori/periodi/<pk>/revisione/) ---------------

REVISIONE_COLONNE = [
    Colonna(_l("Comune")),
    Colonna(_l("Codice ISTAT"), esportazioni.TESTO),
    Colonna(_l("Codice indicatore")),
    Colonna(_l("Indicatore")),
    Colonna(_l("Unità di misura")),
    Colonna(_l("Valore")),
    Colonna(_l("Stato")),
]


def revisione_tabella(*, periodo, righe, riga_ambito) -> Tabella:
    """The grid as a list, one row per Comune × indicator (then the Ambito's own
    indicators), from the rows the page shows (`selectors.griglia_revisione`)."""

    def scrivi(riga):
        comune = riga.comune
        for cella in riga.celle:
            indicatore = cella.indicatore
            yield [
                comune.nome if comune else _("Ambito"),
                comune.codice_istat if comune else "",
                indicatore.codice,
                indicatore.nome,
                indicatore.get_unita_display(),
                Cella(cella.valore, _FORMATO_UNITA.get(indicatore.unita, esportazioni.DECIMALE)),
                StatoValore(cella.stato).label if cella.stato else _("Non inserito"),
            ]

    tutte = [*righe, *([riga_ambito] if riga_ambito else [])]
    return Tabella(
        titolo=_("Revisione · %(periodo)s") % {"periodo": periodo.nome},
        colonne=REVISIONE_COLONNE,
        righe=[r for riga in tutte for r in scrivi(riga)],
        parametri={_("Ambito"): periodo.ambito.nome, _("Periodo"): periodo.nome},
    )


# --- The dashboard's tables (/indicatori/cruscotto/): each chart's, and completeness --

#: `?tabella=` of the completeness table (the charts are named by their id).
COMPLETEZZA = "completezza"


#: The table of an Operatore's dashboard: his Comune's values over time.
SERIE_COMUNE = "serie"


def cruscotto_comune_tabella(dati, parametri: dict) -> Tabella:
    """The values of the Operatore's Comune per indicator and period, as his dashboard
    shows them (`dati`: the page's own `CruscottoComune`)."""
    return Tabella(
        titolo=_("Valori del Comune di %(comune)s per indicatore e periodo")
        % {"comune": dati.comune.nome},
        colonne=[
            Colonna(_l("Codice")),
            Colonna(_l("Indicatore")),
            *(Colonna(p.nome, esportazioni.DECIMALE) for p in dati.periodi_serie),
        ],
        righe=[
            [indicatore.codice, indicatore.nome, *(v and v.valore_numerico for v in valori)]
            for indicatore, valori in dati.serie
        ],
        parametri=parametri,
    )


def cruscotto_tabella(dati, scelta: str, parametri: dict) -> Tabella | None:
    """One table of the dashboard as the page shows it (`dati`: the page's own
    `Cruscotto`), or None when there is no such table."""
    if scelta == COMPLETEZZA and dati.completezza_righe:
        return Tabella(
            titolo=_("Completezza della rilevazione per Comune – %(periodo)s")
            % {"periodo": dati.periodo.nome},
            colonne=[
                Colonna(_l("Comune")),
                Colonna(_l("Attesi"), esportazioni.INTERO),
                Colonna(_l("Inviati"), esportazioni.INTERO),
                Colonna(_l("Approvati"), esportazioni.INTERO),
                # Inviati / attesi: the two columns before it.
                Colonna(_l("% inviati sugli attesi"), esportazioni.PERCENTUALE),
                Colonna(_l("Stato")),
            ],
            righe=[
                [r.comune.nome, r.attesi, r.inviati, r.approvati, r.percentuale, r.stato]
                for r in dati.completezza_righe
            ],
            parametri=parametri,
        )
    grafico = next((g for g in dati.grafici if g.id == scelta), None)
    if grafico is None:
        return None
    return Tabella(
        titolo=grafico.titolo,
        colonne=[Colonna(str(c)) for c in grafico.colonne],
        righe=grafico.righe,
        parametri=parametri,
    )
