"""What the funds contribute to the dashboard and to the PDF reports.

Only composition of `selectors.py`: the page, the API and the PDF show the same sums.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ambito.platform.cache import FONDI, memorizzato
from ambito.platform.charts import Grafico, bar_chart

from . import selectors
from .choices import LivelloFonte
from .models import Assegnazione, Candidatura, PartnerProgetto, Progetto


def _pnrr(progetti):
    return progetti.filter(linea__codice__startswith="PNRR")


@memorizzato(sezioni=[FONDI])
def cruscotto_fondi(*, fetched_by, ambito, anno) -> dict:
    """Key figures and charts of the funds for the Cruscotto dell'Ambito (cached on its
    own: approving a value, which renews the dashboard, leaves the funds as they were)."""
    assegnazioni = Assegnazione.objects.filter(ambito=ambito)
    totali = {
        r["anno"]: r["totale"]
        for r in selectors.fondi_totali_per_anno(fetched_by=fetched_by, assegnazioni=assegnazioni)
    }
    anno_fondi = max((a for a in totali if a <= anno), default=max(totali, default=None))
    progetti = Progetto.objects.filter(ambito=ambito)
    pnrr = selectors.progetti_riepilogo(fetched_by=fetched_by, progetti=_pnrr(progetti))
    grafici = []
    livelli = selectors.fondi_totali_per_livello(fetched_by=fetched_by, assegnazioni=assegnazioni)
    anni = sorted(totali)
    if anni:
        serie = {}
        for livello in LivelloFonte:
            importi = {r["anno"]: r["totale"] for r in livelli if r["livello"] == livello}
            if importi:
                serie[str(livello.label)] = [importi.get(a) for a in anni]
        titolo = _("Fondi gestiti per anno e livello della fonte (euro)")
        grafici.append(
            Grafico(
                id="fondi",
                titolo=titolo,
                svg=bar_chart([str(a) for a in anni], serie, title=titolo, stacked=True),
                colonne=[_("Livello"), *[str(a) for a in anni]],
                righe=[[nome, *valori] for nome, valori in serie.items()],
                csv_url=f"/api/v1/fondi/totali/?format=csv&sep=semicolon&ambito={ambito.pk}",
                nota=_(
                    "Somma delle assegnazioni all'Ambito per anno, divisa per livello della "
                    "fonte (europea, nazionale, regionale…); ogni colore è un livello."
                ),
            )
        )
    elenco = list(selectors.progetti_con_avanzamento(fetched_by=fetched_by, progetti=progetti))
    if elenco:
        titolo = _("Avanzamento finanziario dei progetti: finanziato ed erogato (euro)")
        etichette = [p.codice_locale or p.linea.codice for p in elenco]
        senza_erogato = sum(1 for p in elenco if not p.ultimo_erogato)
        nota = _(
            "Per ogni progetto (codice locale o linea di finanziamento; il titolo è nella "
            "tabella): l'importo finanziato e l'erogato dell'ultimo avanzamento registrato."
        )
        if senza_erogato == len(elenco):
            nota += " " + _(
                "Nessun progetto ha ancora un importo erogato registrato: il grafico mostra "
                "solo il finanziato."
            )
        elif senza_erogato:
            nota += " " + _("%(n)s progetti non hanno ancora un importo erogato registrato.") % {
                "n": senza_erogato
            }
        grafici.append(
            Grafico(
                id="progetti",
                titolo=titolo,
                svg=bar_chart(
                    etichette,
                    {
                        _("Finanziato"): [p.importo_finanziato for p in elenco],
                        _("Erogato"): [p.ultimo_erogato for p in elenco],
                    },
                    title=titolo,
                ),
                colonne=[_("Progetto"), _("Finanziato"), _("Erogato")],
                righe=[[p.titolo, p.importo_finanziato, p.ultimo_erogato] for p in elenco],
                csv_url="/api/v1/fondi/avanzamento-progetti/?format=csv&sep=semicolon",
                nota=nota,
            )
        )
    candidature = selectors.candidature_riepilogo(
        fetched_by=fetched_by, candidature=Candidatura.objects.filter(ambito=ambito)
    )
    return {
        "candidature": candidature,
        "anno": anno_fondi,
        "totale_anno": totali.get(anno_fondi),
        "progetti_pnrr": pnrr["numero_progetti"],
        "percentuale_erogata": pnrr["avanzamento"]["percentuale_erogato"],
        "grafici": grafici,
    }


def report_sezioni(*, fetched_by, ambito, anno, indicatori=(), progetti=None) -> list[dict]:
    """Sections of the Relazione di monitoraggio: funds, then one sheet per project.

    `indicatori` are the progress rows of the plan's indicators; a project's sheet
    shows those of the scheda that the project implements.
    """
    prospetti = selectors.fondi_prospetto(
        fetched_by=fetched_by, assegnazioni=Assegnazione.objects.filter(ambito=ambito)
    )
    prospetto = prospetti[0] if prospetti else None
    scelti = Progetto.objects.filter(ambito=ambito)
    if progetti is not None:
        scelti = Progetto.objects.filter(pk__in=progetti)
    progetti = list(
        selectors.progetti_per_elenco(fetched_by=fetched_by, progetti=scelti)
        .prefetch_related(
            Prefetch("partner_enti", queryset=PartnerProgetto.objects.select_related("ente"))
        )
        .order_by("linea__codice")
    )
    per_progetto = {}
    for avanzamento in indicatori:
        scheda = avanzamento.indicatore.scheda
        chiave = avanzamento.indicatore.progetto_id or (scheda.progetto_id if scheda else None)
        if chiave:
            per_progetto.setdefault(chiave, []).append(avanzamento)
    for progetto in progetti:
        progetto.indicatori_avanzamento = per_progetto.get(progetto.pk, [])
    sezioni = []
    if prospetto is not None:
        sezioni.append(
            {
                "id": "fondi",
                "titolo": _("Fondi gestiti dall'Ambito"),
                "template": "report/_fondi.html",
                "prospetto": prospetto,
                "impronta": [(str(a), prospetto.totali.get(a)) for a in prospetto.anni],
            }
        )
    if progetti:
        sezioni.append(
            {
                "id": "progetti",
                "titolo": _("Progetti finanziati"),
                "template": "report/_progetti.html",
                "progetti": progetti,
                "impronta": [(p.cup or p.titolo, p.importo_finanziato) for p in progetti],
            }
        )
    return sezioni
