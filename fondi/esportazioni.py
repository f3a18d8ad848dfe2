"""The fondi data as files: the ReGiS data of one project (per CUP) as an export job,
and the columns and row of each fondi page's table (.xlsx and CSV of the pages,
ambito/platform/esportazioni.py; the rows are the pages' own querysets).

What a soggetto attuatore reports on ReGiS comes in five parts (anagrafica,
avanzamento finanziario, fisico, procedurale, spese); one flat table holds them with a
"Sezione" column, so the export mechanism writes it unchanged in every format. The
columns are listed in the README.
"""

from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito.platform.esportazioni import DATA, EURO, PERCENTUALE, TESTO, Colonna, Tabella, contenuto
from ambito.platform.mixins import get_visible_or_404
from ambito.validators import e_un_id

from . import selectors
from . import selectors_regis as regis
from .models import Giustificativo, Progetto, Rendicontazione

CENTESIMO = Decimal("0.01")


def colonne_regis() -> list[str]:
    return [
        _("Sezione"),
        _("CUP"),
        _("Voce"),
        _("Riferimento"),
        _("Linea di finanziamento"),
        _("Data"),
        _("Testo"),
        _("Unità di misura"),
        _("Valore atteso"),
        _("Valore"),
        _("Imponibile"),
        _("IVA"),
        _("Totale"),
        _("Stato"),
    ]


def _riga(sezione, cup, voce, **campi) -> list:
    chiavi = [
        "riferimento",
        "linea",
        "data",
        "testo",
        "unita",
        "atteso",
        "valore",
        "imponibile",
        "iva",
        "totale",
        "stato",
    ]
    valori = [campi.get(k) for k in chiavi]
    # Figures computed in SQL come back unscaled from SQLite (12 for 12,00): to the cent.
    valori = [v.quantize(CENTESIMO) if isinstance(v, Decimal) else v for v in valori]
    return [sezione, cup, voce, *valori]


def regis_righe(*, fetched_by, progetto) -> list[list]:
    """Every row of the export of one project, section by section (a bounded number
    of queries: each part is one selector)."""
    cup = progetto.cup or ""
    righe = []

    sezione = _("Anagrafica")
    anagrafica = [
        (_("Titolo"), progetto.titolo),
        (_("Codice locale"), progetto.codice_locale),
        (_("Linea di finanziamento"), f"{progetto.linea.codice} - {progetto.linea.nome}"),
        (_("Soggetto attuatore"), str(progetto.soggetto_attuatore or "")),
        (_("Ambito capofila"), progetto.ambito.nome),
        (_("Ambiti partner"), ", ".join(a.nome for a in progetto.ambiti_partner.order_by("nome"))),
        (_("Comuni coinvolti"), ", ".join(c.nome for c in progetto.comuni.order_by("nome"))),
        (_("RUP"), progetto.rup),
    ]
    righe += [_riga(sezione, cup, voce, testo=valore) for voce, valore in anagrafica]

    sezione = _("Avanzamento finanziario")
    linee, totali = regis.progetto_spese_per_linea(fetched_by=fetched_by, progetto=progetto)
    for linea in linee:
        codice = linea.finanziamento.linea.codice
        righe += [
            _riga(sezione, cup, _("Importo ammesso"), linea=codice, valore=linea.ammesso),
            _riga(sezione, cup, _("Spese registrate"), linea=codice, valore=linea.speso),
            _riga(
                sezione,
                cup,
                _("Spese in domande inviate"),
                linea=codice,
                valore=linea.in_domande_inviate,
            ),
            _riga(sezione, cup, _("Spese validate"), linea=codice, valore=linea.validato),
        ]
    righe.append(_riga(sezione, cup, _("Totale ammesso"), valore=totali["ammesso"]))
    righe.append(_riga(sezione, cup, _("Totale spese registrate"), valore=totali["speso"]))
    stadi = [
        ("programmato", _("Importo programmato")),
        ("ammesso", _("Ammesso a finanziamento")),
        ("vincolante", _("Giuridicamente vincolante")),
        ("erogato", _("Erogato")),
    ]
    for avanzamento in reversed(
        selectors.progetto_avanzamenti(fetched_by=fetched_by, progetto=progetto)
    ):
        righe += [
            _riga(
                sezione,
                cup,
                etichetta,
                data=avanzamento.data,
                valore=getattr(avanzamento, campo),
                testo=avanzamento.nota,
            )
            for campo, etichetta in stadi
        ]

    sezione = _("Fisico (milestone e target)")
    for obiettivo in regis.progetto_obiettivi(fetched_by=fetched_by, progetto=progetto):
        righe.append(
            _riga(
                sezione,
                cup,
                obiettivo.get_tipo_display(),
                riferimento=obiettivo.codice,
                data=obiettivo.scadenza,
                testo=obiettivo.descrizione,
                unita=obiettivo.unita_misura,
                atteso=obiettivo.valore_obiettivo,
                valore=obiettivo.ultimo_valore,
                stato=str(obiettivo.stato.label),
            )
        )
        righe += [
            _riga(
                sezione,
                cup,
                _("Valore raggiunto nel periodo"),
                riferimento=obiettivo.codice,
                data=valore.periodo,
                testo=valore.nota,
                unita=obiettivo.unita_misura,
                valore=valore.valore_raggiunto,
            )
            for valore in obiettivo.avanzamenti.all()
        ]

    sezione = _("Procedurale")
    stato = progetto.get_stato_display()
    righe += [
        _riga(sezione, cup, _("Data di inizio"), data=progetto.data_inizio, stato=stato),
        _riga(sezione, cup, _("Data di fine"), data=progetto.data_fine, stato=stato),
        _riga(sezione, cup, _("Scadenza"), data=progetto.data_scadenza, stato=stato),
    ]
    rendicontazioni = regis.rendicontazioni_con_totali(
        fetched_by=fetched_by, rendicontazioni=Rendicontazione.objects.filter(progetto=progetto)
    ).order_by("numero")
    for r in rendicontazioni:
        righe.append(
            _riga(
                sezione,
                cup,
                str(r),
                riferimento=str(r.numero),
                data=r.periodo,
                testo=r.titolo,
                totale=r.totale,
                stato=r.get_stato_display(),
            )
        )

    sezione = _("Spese")
    giustificativi = regis.giustificativi_per_elenco(
        fetched_by=fetched_by, giustificativi=Giustificativo.objects.filter(progetto=progetto)
    ).order_by("data_documento", "pk")
    for g in giustificativi:
        righe.append(
            _riga(
                sezione,
                g.cup or cup,
                g.get_tipo_documento_display(),
                riferimento=g.numero_documento,
                linea=g.finanziamento.linea.codice,
                data=g.data_documento,
                testo=g.fornitore,
                imponibile=g.imponibile,
                iva=g.iva,
                totale=g.totale,
                stato=str(g.rendicontazione) if g.rendicontazione_id else _("Non rendicontato"),
            )
        )
    return righe


def regis_parametri(*, user, ambito, dati) -> dict:
    """The project asked for: one the user sees, led by the Ambito of the export."""
    progetto = (dati.get("progetto") or "").strip()
    if not e_un_id(progetto):
        raise Http404
    return {"progetto": get_visible_or_404(Progetto, user, pk=progetto, ambito=ambito).pk}


@contenuto("regis", parametri=regis_parametri)
def regis_tabella(job) -> Tabella:
    progetto = (
        Progetto.objects.visible_to(job.richiesta_da)
        .select_related("ambito", "linea", "soggetto_attuatore")
        .get(pk=job.parametri["progetto"], ambito=job.ambito)
    )
    cup = progetto.cup or _("senza CUP")
    return Tabella(
        titolo=_("Dati ReGiS · %(cup)s · %(titolo)s") % {"cup": cup, "titolo": progetto.titolo},
        colonne=colonne_regis(),
        parametri={_("CUP"): cup, _("Progetto"): progetto.titolo},
        righe=regis_righe(fetched_by=job.richiesta_da, progetto=progetto),
    )


# --- The pages' tables -------------------------------------------------------------

ASSEGNAZIONI_COLONNE = [
    Colonna(gettext_lazy("Anno")),
    Colonna(gettext_lazy("Codice linea"), TESTO),
    Colonna(gettext_lazy("Linea di finanziamento")),
    Colonna(gettext_lazy("Fonte")),
    Colonna(gettext_lazy("Livello della fonte")),
    Colonna(gettext_lazy("Ambito")),
    Colonna(gettext_lazy("Importo"), EURO),
    Colonna(gettext_lazy("Nota sulla fonte del dato")),
]


def assegnazione_riga(a) -> list:
    return [
        a.anno,
        a.linea.codice,
        a.linea.nome,
        a.linea.fonte.nome,
        a.linea.fonte.get_livello_display(),
        a.ambito.nome,
        a.importo,
        a.nota_fonte,
    ]


PROGETTI_COLONNE = [
    Colonna(gettext_lazy("Progetto")),
    Colonna(gettext_lazy("Codice locale"), TESTO),
    Colonna(gettext_lazy("CUP"), TESTO),
    Colonna(gettext_lazy("Codice linea"), TESTO),
    Colonna(gettext_lazy("Linea di finanziamento")),
    Colonna(gettext_lazy("Ambito capofila")),
    Colonna(gettext_lazy("Ambiti partner")),
    Colonna(gettext_lazy("Stato")),
    Colonna(gettext_lazy("Importo concesso"), EURO),
    # The percentage and the two amounts it is computed from (erogato / ammesso).
    Colonna(gettext_lazy("Ammesso (ultima rilevazione)"), EURO),
    Colonna(gettext_lazy("Erogato (ultima rilevazione)"), EURO),
    Colonna(gettext_lazy("% erogato sull'ammesso"), PERCENTUALE),
    Colonna(gettext_lazy("Scadenza"), DATA),
]


def progetto_riga(p) -> list:
    """A row of `selectors.progetti_per_tabella` (the list page's projects)."""
    return [
        p.titolo,
        p.codice_locale,
        p.cup,
        p.linea.codice,
        p.linea.nome,
        p.ambito.nome,
        ", ".join(a.nome for a in p.ambiti_partner_elenco),
        p.get_stato_display(),
        p.importo_finanziato,
        p.ultimo_ammesso,
        p.ultimo_erogato,
        p.percentuale_erogato,
        p.data_scadenza,
    ]
