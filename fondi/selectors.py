"""Reads of the fondi app, aggregated in SQL. Pages, API and (later) PDF reports call
these same functions, so they always show the same numbers.

Every function takes the user who looks (`fetched_by`) and applies visibility itself;
callers may pass an already filtered queryset (e.g. a FilterSet's), which is then
narrowed to what the user may see.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import chain

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.translation import gettext as _

from ambito.models import Ambito
from ambito.platform.compilate import Compilata, campi, istanze_unite
from ambito.platform.querysets import CompilataVisibile

from .choices import LivelloFonte, StatoProgetto
from .models import (
    Assegnazione,
    Atto,
    AttoProgetto,
    AvanzamentoFinanziario,
    Candidatura,
    FinanziamentoProgetto,
    FonteFinanziamento,
    LineaCandidatura,
    LineaFinanziamento,
    PartecipazioneCandidatura,
    PartnerProgetto,
    Progetto,
    TotaleRiportato,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)


def _assegnazioni(fetched_by, assegnazioni=None):
    queryset = Assegnazione.objects.all() if assegnazioni is None else assegnazioni
    return queryset.visible_to(fetched_by)


def _progetti(fetched_by, progetti=None):
    queryset = Progetto.objects.all() if progetti is None else progetti
    return queryset.visible_to(fetched_by)


# --- Allocations (fondi in gestione) -------------------------------------------------


def _per_anno(visibili):
    """Rows {ambito, anno, totale} summed in SQL."""
    rows = (
        visibili.values("ambito", "anno").annotate(totale=Sum("importo")).order_by("ambito", "anno")
    )
    return rows


def _per_livello(visibili):
    """Rows {ambito, anno, livello, totale}: EU, national, regional, municipal, other."""
    rows = (
        visibili.values("ambito", "anno", livello=F("linea__fonte__livello"))
        .annotate(totale=Sum("importo"))
        .order_by("ambito", "anno", "livello")
    )
    return rows


def _per_fonte(visibili):
    """Rows {ambito, anno, fonte, fonte_codice, fonte_nome, livello, totale}."""
    rows = (
        visibili.values(
            "ambito",
            "anno",
            fonte=F("linea__fonte"),
            fonte_codice=F("linea__fonte__codice"),
            fonte_nome=F("linea__fonte__nome"),
            livello=F("linea__fonte__livello"),
            ordine=F("linea__fonte__ordine"),
        )
        .annotate(totale=Sum("importo"))
        .order_by("ambito", "anno", "ordine", "fonte_codice")
    )
    return rows


def _per_linea(visibili):
    """Rows {ambito, anno, linea, linea_codice, linea_nome, fonte_codice, totale}."""
    rows = (
        visibili.values(
            "ambito",
            "anno",
            "linea",
            linea_codice=F("linea__codice"),
            linea_nome=F("linea__nome"),
            fonte_codice=F("linea__fonte__codice"),
            ordine=F("linea__fonte__ordine"),
        )
        .annotate(totale=Sum("importo"))
        .order_by("ambito", "anno", "ordine", "linea_codice")
    )
    return rows


def _compilata(raggruppa) -> Compilata:
    """A grouping over the allocations of a list of Ambiti, compiled once per shape:
    the same SQL as `raggruppa`'s, its rows as tuples in the same columns."""

    def costruisci(ambiti):
        righe = raggruppa(Assegnazione.objects.nei_ambiti(ambiti))
        return righe.values_list(*_colonne(righe))

    return Compilata(Assegnazione, costruisci)


def _colonne(righe) -> list[str]:
    """The keys of a values() queryset's dicts, in the order of its columns."""
    query = righe.query
    return [*query.extra_select, *query.values_select, *query.annotation_select]


# Building the four groupings through the ORM cost more CPU than PostgreSQL spends
# running them: for a user who reads whole Ambiti, unfiltered, they run compiled.
_RAGGRUPPAMENTI = {
    raggruppa: (_compilata(raggruppa), _colonne(raggruppa(Assegnazione.objects.all())))
    for raggruppa in (_per_anno, _per_livello, _per_fonte, _per_linea)
}


def _ambiti_compilati(fetched_by, assegnazioni) -> list[int] | None:
    """The Ambiti whose allocations the groupings read compiled: those the user reads,
    when no other filter is given; else None (through the ORM)."""
    if assegnazioni is not None:
        return None
    return Assegnazione.objects.ambiti_letti_per_intero(fetched_by)


def _righe(raggruppa, visibili, ambiti) -> list[dict]:
    """The grouping's rows, as dicts: over `visibili` through the ORM, or, given the
    ids of the Ambiti the user reads (and no other filter), compiled."""
    if ambiti is None:
        return list(raggruppa(visibili))
    compilata, colonne = _RAGGRUPPAMENTI[raggruppa]
    return [dict(zip(colonne, riga, strict=True)) for riga in compilata.righe(ambiti)]


def fondi_totali_per_anno(*, fetched_by, assegnazioni=None) -> list[dict]:
    return list(_per_anno(_assegnazioni(fetched_by, assegnazioni)))


def fondi_totali_per_livello(*, fetched_by, assegnazioni=None) -> list[dict]:
    return list(_per_livello(_assegnazioni(fetched_by, assegnazioni)))


def _differenza(calcolato, stampato: Decimal | None) -> Decimal | None:
    """Computed minus printed total: how far the Piano's printed figure is off."""
    return None if stampato is None else (calcolato or ZERO) - stampato


def _variazione(importi: dict, anno, precedente) -> Decimal | None:
    """Change of a year's amount over the previous year's (missing amounts count 0)."""
    if precedente is None:
        return None
    return (importi.get(anno) or ZERO) - (importi.get(precedente) or ZERO)


def _con_confronti(per_anno: list[dict], riportati) -> list[dict]:
    """Each {ambito, anno, totale} row with the printed total of its year (when known),
    the difference from it and the change over the Ambito's previous year. `riportati`:
    (ambito id, anno, importo, documento) of the printed totals, in `_riportati` order."""
    stampati = {
        (ambito, anno): (importo, documento) for ambito, anno, importo, documento in riportati
    }
    precedente = {}
    for riga in per_anno:  # ordered by Ambito and year
        importo, documento = stampati.get((riga["ambito"], riga["anno"]), (None, None))
        prima = precedente.get(riga["ambito"])
        riga["totale_riportato"] = importo
        riga["documento"] = documento
        riga["differenza"] = _differenza(riga["totale"], importo)
        riga["variazione"] = None if prima is None else riga["totale"] - prima
        precedente[riga["ambito"]] = riga["totale"]
    return per_anno


_COLONNE_RIPORTATI = ("ambito_id", "anno", "importo", "documento")

# The printed totals compared with the yearly ones, compiled as the groupings above.
_RIPORTATI = Compilata(
    TotaleRiportato,
    lambda ambiti: _riportati(TotaleRiportato.objects.nei_ambiti(ambiti)).values_list(
        *_COLONNE_RIPORTATI
    ),
)


def fondi_totali(*, fetched_by, assegnazioni=None) -> dict[str, list[dict]]:
    """The four groupings above, the allocations scoped once for all of them; the
    yearly totals carry the printed total, the difference and the yearly change."""
    ambiti = _ambiti_compilati(fetched_by, assegnazioni)
    visibili = None if ambiti is not None else _assegnazioni(fetched_by, assegnazioni)
    return _totali(visibili, ambiti, _stampati(fetched_by))


def ambiti_dei_totali(*, fetched_by) -> list[int] | None:
    """The ids of the Ambiti whose funds the user reads whole (every one, for the
    superuser), in the order of the totals' rows: `fondi_totali_degli_ambiti` of them is
    his `fondi_totali`. None when he reads them otherwise."""
    if fetched_by.is_superuser:
        return list(Ambito.objects.order_by("pk").values_list("pk", flat=True))
    ambiti = Assegnazione.objects.ambiti_letti_per_intero(fetched_by)
    return None if ambiti is None else sorted(ambiti)


def fondi_totali_degli_ambiti(ambiti) -> dict[str, list[dict]]:
    """`fondi_totali` of whole Ambiti (their ids), unfiltered: for a user who reads each
    of them whole (the API keeps them in the cache per Ambito)."""
    return _totali(None, ambiti, _RIPORTATI.righe(ambiti))


def _totali(visibili, ambiti, stampati) -> dict[str, list[dict]]:
    return {
        "per_anno": _con_confronti(_righe(_per_anno, visibili, ambiti), stampati),
        "per_livello": _righe(_per_livello, visibili, ambiti),
        "per_fonte": _righe(_per_fonte, visibili, ambiti),
        "per_linea": _righe(_per_linea, visibili, ambiti),
    }


def _stampati(fetched_by):
    """(ambito id, anno, importo, documento) of the printed totals the user reads (not
    filtered: the yearly totals are compared with them), compiled when they are the rows
    of a list of Ambiti."""
    ambiti = TotaleRiportato.objects.ambiti_letti_per_intero(fetched_by)
    if ambiti is not None:
        return _RIPORTATI.righe(ambiti)
    visibili = TotaleRiportato.objects.visible_to(fetched_by)
    return _riportati(visibili).values_list(*_COLONNE_RIPORTATI)


def _riportati(queryset):
    """In the order of the Ambiti and years; of two documents of a year, the later one
    is compared (`_con_confronti`)."""
    return queryset.order_by("ambito", "anno", "documento")


@dataclass
class RigaProspetto:
    """One allocation row (a funding line) of the table, with its amount per year."""

    assegnazioni: dict = field(default_factory=dict)  # anno -> Assegnazione
    linea: LineaFinanziamento | None = None
    celle: list = field(default_factory=list)  # Assegnazione or None, one per year

    def importo(self, anno):
        assegnazione = self.assegnazioni.get(anno)
        return assegnazione.importo if assegnazione else None

    @property
    def importi(self) -> list:
        """The amount of each year of the table (None where the line has none)."""
        return [cella.importo if cella else None for cella in self.celle]

    @property
    def interventi(self) -> list[str]:
        """The interventions of the latest year that lists them."""
        for anno in sorted(self.assegnazioni, reverse=True):
            elenco = self.assegnazioni[anno].elenco_interventi
            if elenco:
                return elenco
        return []


@dataclass
class Prospetto:
    """The table "Fondi in gestione" of one Ambito: rows, totals per year, per source
    level and per source, and the printed totals with their differences."""

    ambito: Ambito
    anni: list[int]
    righe: list[RigaProspetto]
    totali: dict[int, Decimal]
    per_livello: list[dict]  # {livello, etichetta, importi: {anno: Decimal}}
    per_fonte: list[dict]  # {fonte_codice, fonte_nome, livello, importi: {anno: Decimal}}
    riportati: list[dict]  # {anno, documento, riportato, calcolato, differenza}
    note: dict[int, list[str]]  # anno -> the distinct notes on where the figures come from
    # Change of the last year over the one before (None with a single year); each
    # per_livello and per_fonte entry carries its own "variazione" too.
    variazione_totale: Decimal | None = None

    @property
    def colonne_totali(self) -> list:
        return [self.totali.get(anno) for anno in self.anni]

    @property
    def discordanze(self):
        return [r for r in self.riportati if r["differenza"] != 0]


def _prospetto_per_livello(livelli, ambito_id) -> list[dict]:
    per_livello = []
    for livello in LivelloFonte:
        importi = {
            r["anno"]: r["totale"]
            for r in livelli
            if r["ambito"] == ambito_id and r["livello"] == livello
        }
        if importi:
            per_livello.append(
                {"livello": livello.value, "etichetta": livello.label, "importi": importi}
            )
    return per_livello


def _prospetto_per_fonte(fonti, ambito_id) -> list[dict]:
    per_fonte: dict[str, dict] = {}
    for r in fonti:
        if r["ambito"] != ambito_id:
            continue
        voce = per_fonte.setdefault(
            r["fonte_codice"],
            {
                "fonte_codice": r["fonte_codice"],
                "fonte_nome": r["fonte_nome"],
                "livello": LivelloFonte(r["livello"]).label,
                "importi": {},
            },
        )
        voce["importi"][r["anno"]] = r["totale"]
    return list(per_fonte.values())


def _prospetto_confronti(riportati, totali_ambito, ambito_id) -> list[dict]:
    """The printed totals of one Ambito beside the ones its rows give. `riportati`:
    (ambito id, anno, importo, documento), as `_stampati` reads them."""
    return [
        {
            "anno": anno,
            "documento": documento,
            "riportato": importo,
            "calcolato": totali_ambito.get(anno, ZERO),
            "differenza": _differenza(totali_ambito.get(anno), importo),
        }
        for ambito, anno, importo, documento in riportati
        if ambito == ambito_id
    ]


def _prospetto_note(righe, anni) -> dict[int, list[str]]:
    return {
        anno: sorted(
            {
                a.nota_fonte
                for riga in righe
                for a in [riga.assegnazioni.get(anno)]
                if a is not None and a.nota_fonte
            }
        )
        for anno in anni
    }


def _prospetto(ambito, rows, gruppi, riportati) -> Prospetto:
    """The Prospetto of one Ambito from the rows and groupings of every Ambito."""
    totali, livelli, fonti = gruppi
    righe: dict[int, RigaProspetto] = {}
    for row in rows:
        if row.ambito_id == ambito.pk:
            righe.setdefault(row.linea_id, RigaProspetto(linea=row.linea)).assegnazioni[
                row.anno
            ] = row
    anni = sorted({anno for riga in righe.values() for anno in riga.assegnazioni})
    ultimo, precedente = anni[-1], (anni[-2] if len(anni) >= 2 else None)
    totali_ambito = {r["anno"]: r["totale"] for r in totali if r["ambito"] == ambito.pk}
    per_livello = _prospetto_per_livello(livelli, ambito.pk)
    per_fonte = _prospetto_per_fonte(fonti, ambito.pk)
    for riga in righe.values():
        riga.celle = [riga.assegnazioni.get(anno) for anno in anni]
    for voce in [*per_livello, *per_fonte]:
        voce["valori"] = [voce["importi"].get(anno) for anno in anni]
        voce["variazione"] = _variazione(voce["importi"], ultimo, precedente)
    return Prospetto(
        ambito=ambito,
        anni=anni,
        righe=list(righe.values()),
        totali=totali_ambito,
        per_livello=per_livello,
        per_fonte=per_fonte,
        riportati=_prospetto_confronti(riportati, totali_ambito, ambito.pk),
        note=_prospetto_note(righe.values(), anni),
        variazione_totale=_variazione(totali_ambito, ultimo, precedente),
    )


def fondi_prospetto(*, fetched_by, assegnazioni=None) -> list[Prospetto]:
    """One Prospetto per visible Ambito that has allocations, in a fixed number of
    queries whatever the number of rows."""
    ambiti_compilati = _ambiti_compilati(fetched_by, assegnazioni)
    visibili = None if ambiti_compilati is not None else _assegnazioni(fetched_by, assegnazioni)
    rows = _righe_prospetto(visibili, ambiti_compilati)
    gruppi = tuple(
        _righe(raggruppa, visibili, ambiti_compilati)
        for raggruppa in (_per_anno, _per_livello, _per_fonte)
    )
    ambiti = {}
    for row in rows:
        ambiti.setdefault(row.ambito_id, row.ambito)
    riportati = _stampati(fetched_by)
    return [_prospetto(ambito, rows, gruppi, riportati) for ambito in ambiti.values()]


_ORDINE_PROSPETTO = ("ambito__nome", "linea__fonte__ordine", "linea__codice", "anno")
# An allocation with its Ambito, its line and the line's source, as the prospetto reads
# them (select_related); compiled, every column of each in turn (`istanze_unite`).
_MODELLI_PROSPETTO = (Assegnazione, Ambito, LineaFinanziamento, FonteFinanziamento)
_RIGHE_PROSPETTO = Compilata(
    Assegnazione,
    lambda ambiti: (
        Assegnazione.objects.nei_ambiti(ambiti)
        .order_by(*_ORDINE_PROSPETTO)
        .values_list(
            *campi(Assegnazione),
            *campi(Ambito, "ambito__"),
            *campi(LineaFinanziamento, "linea__"),
            *campi(FonteFinanziamento, "linea__fonte__"),
        )
    ),
)


def _righe_prospetto(visibili, ambiti) -> list[Assegnazione]:
    """The allocations of the tables, with their Ambito, line and source: over
    `visibili` through the ORM, or, given the ids of the Ambiti the user reads (and no
    other filter), compiled."""
    if ambiti is None:
        return list(visibili.select_related("ambito", "linea__fonte").order_by(*_ORDINE_PROSPETTO))
    righe = []
    for assegnazione, ambito, linea, fonte in istanze_unite(
        _RIGHE_PROSPETTO.righe(ambiti), *_MODELLI_PROSPETTO
    ):
        linea.fonte, assegnazione.ambito, assegnazione.linea = fonte, ambito, linea
        righe.append(assegnazione)
    return righe


@dataclass
class TotaliPerAmbito:
    """The allocations of many Ambiti side by side: one row per Ambito (a queryset of
    dicts, to paginate and sort in SQL), a column per year, and the sums of all."""

    anni: list[int]
    righe: object  # QuerySet of {ambito, ambito_nome, totale, variazione, anno_<y>...}
    totali: dict  # {totale, variazione, anno_<y>..., ambiti (how many)} over every row

    def valori(self, riga) -> list:
        """A row's (or the totals') amounts in the order of `anni`."""
        return [riga[f"anno_{anno}"] for anno in self.anni]


def fondi_per_ambito(*, fetched_by, assegnazioni=None, ordina="nome") -> TotaliPerAmbito:
    """Per visible Ambito with allocations: the total of each year, of all years, and
    the change of the last year over the one before, summed in SQL (three queries,
    whatever the number of Ambiti; the rows are a queryset, one page at a time),
    sorted by `ordina`: "nome", "totale", "variazione" or "anno_<y>", "-" before it
    for descending."""
    visibili = _assegnazioni(fetched_by, assegnazioni).order_by()
    anni = sorted(visibili.values_list("anno", flat=True).distinct())
    per_anno = {f"anno_{anno}": Sum("importo", filter=Q(anno=anno)) for anno in anni}
    somme = {"totale": Sum("importo"), **per_anno}
    if len(anni) >= 2:  # the change of the last year over the one before
        somme["variazione"] = Coalesce(
            per_anno[f"anno_{anni[-1]}"], Value(ZERO), output_field=MONEY
        ) - Coalesce(per_anno[f"anno_{anni[-2]}"], Value(ZERO), output_field=MONEY)
    righe = visibili.values("ambito", ambito_nome=F("ambito__nome")).annotate(**somme)
    chiave = ordina.removeprefix("-")
    if chiave != "nome" and chiave not in somme:  # nome, totale, variazione, anno_<y>
        ordina = chiave = "nome"
    campo = "ambito_nome" if chiave == "nome" else chiave
    ordine = F(campo).desc(nulls_last=True) if ordina[0] == "-" else F(campo).asc(nulls_last=True)
    # With the number of Ambiti: the page's paginator needs no COUNT query of its own.
    totali = visibili.aggregate(**somme, ambiti=Count("ambito", distinct=True))
    return TotaliPerAmbito(
        anni=anni, righe=righe.order_by(ordine, "ambito_nome", "ambito"), totali=totali
    )


# --- Projects and their financial progress -------------------------------------------


def _ultimo_avanzamento(campo):
    """A field of the project's latest snapshot, or an expression over its fields."""
    ultimi = AvanzamentoFinanziario.objects.filter(progetto=OuterRef("pk")).order_by("-data", "-pk")
    if isinstance(campo, str):
        return Subquery(ultimi.values(campo)[:1])
    return Subquery(ultimi.values(valore=campo)[:1])


ULTIMO_TUTTO = ("data", "programmato", "ammesso", "vincolante", "erogato")


def _somma_finanziamenti(**filtri):
    righe = (
        FinanziamentoProgetto.objects.filter(progetto=OuterRef("pk"), **filtri)
        .order_by()
        .values("progetto")
        .annotate(totale=Sum("importo"))
        .values("totale")
    )
    return Coalesce(Subquery(righe, output_field=MONEY), Value(ZERO))


def data_fine_attuale():
    """The current end date of a project (an expression over Progetto): the latest one
    set by its acts (an extension never shortens it), else the sheet's."""
    prorogata = (
        AttoProgetto.objects.filter(progetto=OuterRef("pk"), nuova_data_fine__isnull=False)
        .order_by("-nuova_data_fine")
        .values("nuova_data_fine")[:1]
    )
    return Coalesce(Subquery(prorogata, output_field=DateField()), F("data_fine"))


def progetti_con_avanzamento(*, fetched_by, progetti=None, ultimo=ULTIMO_TUTTO):
    """Projects the user may see, each annotated in SQL with the total granted
    (`importo_finanziato` = `importo_originario` + `importo_integrazioni`, the top-ups
    granted by later acts, each funding row counted once), the current end date
    (`data_fine_attuale`, after the extensions), the latest progress snapshot
    (`ultimo_*`, the fields named in `ultimo`, which always include ammesso and erogato)
    and the % paid of the amount admitted (`percentuale_erogato`). Subqueries, not
    joins: one row per project and a constant number of queries."""
    if progetti is None:
        return _progetti_annotati(tuple(ultimo)).visible_to(fetched_by)
    annotazioni, percentuale = _annotazioni_avanzamento(tuple(ultimo))
    return _progetti(fetched_by, progetti).annotate(**annotazioni).annotate(**percentuale)


@cache
def _progetti_annotati(ultimo):
    """Every project with the annotations of `progetti_con_avanzamento`, built once per
    `ultimo`: annotate() resolved the ten expressions at every request, and the scope
    filtered afterwards writes the same SQL. Never evaluated itself: each request
    filters (clones) it."""
    annotazioni, percentuale = _annotazioni_avanzamento(ultimo)
    return Progetto.objects.annotate(**annotazioni).annotate(**percentuale)


@cache
def _annotazioni_avanzamento(ultimo):
    """The expressions of `progetti_con_avanzamento`, built once per `ultimo`: they hold
    no per-request value, and annotate() resolves a copy of each, never the original."""
    annotazioni = {
        "importo_finanziato": _somma_finanziamenti(),
        "importo_originario": _somma_finanziamenti(integrazione=False),
        "importo_integrazioni": _somma_finanziamenti(integrazione=True),
        "data_fine_attuale": data_fine_attuale(),
        **{f"ultimo_{campo}": _ultimo_avanzamento(campo) for campo in ultimo},
    }
    # A ratio, not money: computed in floating point so that SQLite, which stores
    # whole-euro decimals as integers, does not divide as integers. Computed on the
    # latest snapshot inside one subquery: written over the annotations above, it
    # repeated their subqueries (three, each compiled by Django at every request).
    percentuale = {
        "percentuale_erogato": _ultimo_avanzamento(
            Case(
                When(
                    ammesso__gt=0,
                    then=Cast("erogato", FloatField())
                    * Value(100.0)
                    / Cast("ammesso", FloatField()),
                ),
                default=None,
                output_field=FloatField(),
            )
        )
    }
    return annotazioni, percentuale


def ultimi_avanzamenti_per_ambito(*, fetched_by, progetti=None) -> dict[int, dict]:
    """{lead Ambito id: {n, ammesso, erogato}}: the number of the visible projects and
    the sums of their latest snapshot's amounts, grouped in SQL (the regional dashboard:
    thousands of projects, only these two of `progetti_con_avanzamento`'s figures)."""
    return {
        r["ambito_id"]: r
        for r in _progetti(fetched_by, progetti)
        .annotate(
            ultimo_ammesso=_ultimo_avanzamento("ammesso"),
            ultimo_erogato=_ultimo_avanzamento("erogato"),
        )
        .values("ambito_id")
        .annotate(n=Count("pk"), ammesso=Sum("ultimo_ammesso"), erogato=Sum("ultimo_erogato"))
        .order_by()
    }


def progetti_con_avvisi(*, fetched_by, progetti=None, oggi=None):
    """The visible projects annotated in SQL with the warnings a reviewer wants
    (`avviso_<codice>`, booleans) and `data_fine_attuale`; see `messaggi_avvisi`."""
    oggi = oggi or timezone.localdate()
    ultimi = AvanzamentoFinanziario.objects.filter(progetto=OuterRef("pk")).order_by("-data", "-pk")

    def ultimo(campo):
        return Coalesce(Subquery(ultimi.values(campo)[:1], output_field=MONEY), Value(ZERO))

    senza_atto = FinanziamentoProgetto.objects.filter(
        progetto=OuterRef("pk"), integrazione=True, atto_progetto__isnull=True
    )

    def flag(condizione):
        return Case(
            When(condizione, then=Value(True)), default=Value(False), output_field=BooleanField()
        )

    return (
        _progetti(fetched_by, progetti)
        .annotate(
            data_fine_attuale=data_fine_attuale(),
            _ammesso=ultimo("ammesso"),
            _vincolante=ultimo("vincolante"),
            _erogato=ultimo("erogato"),
        )
        .annotate(
            avviso_concluso_senza_importi=flag(
                Q(stato=StatoProgetto.CONCLUSO) & (Q(_ammesso=0) | Q(_erogato=0))
            ),
            avviso_erogato_senza_vincolante=flag(Q(_erogato__gt=0, _vincolante=0)),
            avviso_fine_superata=flag(Q(stato=StatoProgetto.IN_CORSO, data_fine_attuale__lt=oggi)),
            avviso_integrazione_senza_atto=flag(Exists(senza_atto)),
        )
    )


def messaggi_avvisi() -> dict[str, str]:
    """The warning codes and their messages (translated when read)."""
    return {
        "concluso_senza_importi": _(
            "Progetto concluso senza importo ammesso o erogato nell'ultimo avanzamento."
        ),
        "erogato_senza_vincolante": _(
            "Importo erogato senza alcun importo giuridicamente vincolante."
        ),
        "fine_superata": _("Data di fine superata ma il progetto risulta ancora in corso."),
        "integrazione_senza_atto": _("Integrazione del finanziamento senza l'atto che la concede."),
    }


def avvisi_di(progetto) -> list[str]:
    """The messages of the warnings of a project annotated by `progetti_con_avvisi`."""
    return [
        messaggio
        for codice, messaggio in messaggi_avvisi().items()
        if getattr(progetto, f"avviso_{codice}", False)
    ]


def progetti_avvisi(*, fetched_by, progetti=None, oggi=None) -> list:
    """Only the projects with at least one warning, each with `.avvisi` (messages)."""
    queryset = progetti_con_avvisi(fetched_by=fetched_by, progetti=progetti, oggi=oggi).filter(
        Q(avviso_concluso_senza_importi=True)
        | Q(avviso_erogato_senza_vincolante=True)
        | Q(avviso_fine_superata=True)
        | Q(avviso_integrazione_senza_atto=True)
    )
    risultato = list(queryset.order_by("titolo", "pk"))
    for progetto in risultato:
        progetto.avvisi = avvisi_di(progetto)
    return risultato


def progetto_atti(*, fetched_by, progetto) -> list[AttoProgetto]:
    """The acts on a project, oldest first, each with `importo` (the funding rows it
    granted to the project, summed in SQL)."""
    return list(
        AttoProgetto.objects.visible_to(fetched_by)
        .filter(progetto=progetto)
        .select_related("atto")
        .annotate(importo=Coalesce(Sum("finanziamenti__importo"), Value(ZERO), output_field=MONEY))
        .order_by("atto__data", "pk")
    )


def atti_per_elenco(*, fetched_by, atti=None):
    """The acts the user may see, each with `importo_totale` (the funding rows it
    granted, summed in SQL) and its effects per project (`effetti`, with `importo`)."""
    queryset = Atto.objects.all() if atti is None else atti
    totale = (
        FinanziamentoProgetto.objects.filter(atto_progetto__atto=OuterRef("pk"))
        .order_by()
        .values("atto_progetto__atto")
        .annotate(totale=Sum("importo"))
        .values("totale")
    )
    effetti = (
        AttoProgetto.objects.select_related("progetto")
        .annotate(importo=Sum("finanziamenti__importo"))
        .order_by("progetto__titolo", "pk")
    )
    return (
        queryset.visible_to(fetched_by)
        .annotate(importo_totale=Coalesce(Subquery(totale, output_field=MONEY), Value(ZERO)))
        .prefetch_related(Prefetch("effetti", queryset=effetti))
    )


def progetti_per_tabella(*, fetched_by, progetti=None):
    """The projects with what the list page's table shows: lead Ambito, line and
    partner Ambiti (the list `ambiti_partner_elenco`: no related manager per row; the
    Comuni and the amounts per line are left to the API), and of the latest snapshot
    only the amount paid and its %."""
    return (
        progetti_con_avanzamento(
            fetched_by=fetched_by, progetti=progetti, ultimo=("ammesso", "erogato")
        )
        .select_related("ambito", "linea")
        .prefetch_related(Prefetch("ambiti_partner", to_attr="ambiti_partner_elenco"))
    )


def progetti_per_api(*, fetched_by, progetti=None):
    """The projects with what the API shows: the annotations of
    `progetti_con_avanzamento`, the lead Ambito and the implementing body as their ids
    (no joined row, no model instance), the line for its code, the keys of the partner
    Ambiti and of the Comuni (`<relation>_chiavi`, what the serializer reads) and the
    amounts per line with their line and source (`finanziamenti_elenco`).

    The queryset is the visible (and filtered) projects, not annotated: filtered,
    ordered, counted and paginated, it builds a small query of their ids; only when
    its rows are fetched (`_ConElenchi`) are the annotated rows of those ids read, by a
    query compiled once (Django built the page's ten annotations at every request)."""
    queryset = _progetti(fetched_by, progetti)
    # Django's own hook for how a queryset's rows come back (values() sets it too); kept
    # by the clones that filter, order and paginate it.
    queryset._iterable_class = _ConElenchi
    return queryset


class _ConElenchi(ModelIterable):
    """The projects of the queryset's ids (its scope, filters, order and slice), in
    their order, read by `_progetti_per_id`, each with the lists `progetti_per_api`
    names, read for all the rows by two compiled queries: Django's prefetch built,
    compiled and ran three querysets per page (and a model instance per partner Ambito
    and Comune), a third of the API's time."""

    def __iter__(self):
        progetti = _progetti_per_id(list(self.queryset.values_list("pk", flat=True)))
        if progetti:
            _aggiungi_elenchi(progetti)
        return iter(progetti)


# The annotations of the API's projects, in the order of their columns (annotate()'s).
_ANNOTAZIONI_API = tuple(chain(*_annotazioni_avanzamento(ULTIMO_TUTTO)))
_MODELLI_API = (Progetto, LineaFinanziamento)  # a project and its line (`istanze_unite`)
_ANNOTATI_PER_ID = Compilata(
    Progetto,
    # Not scoped: the ids are those of a scoped query.
    lambda progetti: (
        _progetti_annotati(ULTIMO_TUTTO)
        .filter(pk__in=progetti)
        .values_list(*campi(Progetto), *campi(LineaFinanziamento, "linea__"), *_ANNOTAZIONI_API)
    ),
)


def _progetti_per_id(ids) -> list[Progetto]:
    """The projects of `ids`, in their order, with their line and the annotations of
    `progetti_con_avanzamento`, as the ORM would build them."""
    if not ids:
        return []
    righe = _ANNOTATI_PER_ID.righe(ids)
    per_id = {}
    for riga, (progetto, linea) in zip(righe, istanze_unite(righe, *_MODELLI_API), strict=True):
        progetto.linea = linea
        annotazioni = riga[len(riga) - len(_ANNOTAZIONI_API) :]
        for nome, valore in zip(_ANNOTAZIONI_API, annotazioni, strict=True):
            setattr(progetto, nome, valore)
        per_id[progetto.pk] = progetto
    return [per_id[pk] for pk in ids if pk in per_id]


def _molti_a_molti(progetti):
    """(progetto id, ambito id, comune id, nome): a partner Ambito (no Comune) or a
    Comune (no Ambito) of the projects, in the order of their names as Django's
    prefetch of the relations."""
    partner = (
        Progetto.ambiti_partner.through.objects.filter(progetto_id__in=progetti)
        .annotate(comune=Value(None, IntegerField()), nome=F("ambito__nome"))
        .values_list("progetto_id", "ambito_id", "comune", "nome")
    )
    comuni = (
        Progetto.comuni.through.objects.filter(progetto_id__in=progetti)
        .annotate(ambito=Value(None, IntegerField()), nome=F("comune__nome"))
        .values_list("progetto_id", "ambito", "comune_id", "nome")
    )
    return partner.union(comuni, all=True).order_by("nome")


_MOLTI_A_MOLTI = Compilata(Progetto.ambiti_partner.through, _molti_a_molti)

# A funding row with its line and the line's source (`istanze_unite`).
_MODELLI_FINANZIAMENTO = (FinanziamentoProgetto, LineaFinanziamento, FonteFinanziamento)
_FINANZIAMENTI = Compilata(
    FinanziamentoProgetto,
    lambda progetti: FinanziamentoProgetto.objects.filter(progetto_id__in=progetti).values_list(
        *campi(FinanziamentoProgetto),
        *campi(LineaFinanziamento, "linea__"),
        *campi(FonteFinanziamento, "linea__fonte__"),
    ),
)


def _aggiungi_elenchi(progetti):
    per_id = {}
    for progetto in progetti:
        progetto.ambiti_partner_chiavi, progetto.comuni_chiavi = [], []
        progetto.finanziamenti_elenco = []
        per_id[progetto.pk] = progetto
    chiavi = list(per_id)
    for progetto_id, ambito_id, comune_id, _nome in _MOLTI_A_MOLTI.righe(chiavi):
        progetto = per_id[progetto_id]
        if comune_id is None:
            progetto.ambiti_partner_chiavi.append(ambito_id)
        else:
            progetto.comuni_chiavi.append(comune_id)
    righe = _FINANZIAMENTI.righe(chiavi)
    for finanziamento, linea, fonte in istanze_unite(righe, *_MODELLI_FINANZIAMENTO):
        linea.fonte, finanziamento.linea = fonte, linea
        per_id[finanziamento.progetto_id].finanziamenti_elenco.append(finanziamento)


def progetti_per_elenco(*, fetched_by, progetti=None):
    """The projects with everything the report shows."""
    return (
        progetti_con_avanzamento(fetched_by=fetched_by, progetti=progetti)
        .select_related("ambito", "linea__fonte", "soggetto_attuatore")
        .prefetch_related(
            "ambiti_partner",
            "comuni",
            Prefetch(
                "finanziamenti",
                queryset=FinanziamentoProgetto.objects.select_related("linea__fonte"),
            ),
        )
    )


def progetto_avanzamenti(*, fetched_by, progetto) -> list[AvanzamentoFinanziario]:
    """Every progress snapshot of a project, the latest first."""
    return list(
        AvanzamentoFinanziario.objects.visible_to(fetched_by)
        .filter(progetto=progetto)
        .order_by("-data", "-pk")
    )


def progetto_finanziamenti(*, fetched_by, progetto):
    """The amounts granted to a project by each line, and their total (in SQL)."""
    queryset = (
        FinanziamentoProgetto.objects.visible_to(fetched_by)
        .filter(progetto=progetto)
        .select_related("linea__fonte")
        .order_by("linea__fonte__ordine", "linea__codice")
    )
    totale = queryset.aggregate(totale=Coalesce(Sum("importo"), Value(ZERO)))["totale"]
    return list(queryset), totale


_SOMMATI = ("programmato", "ammesso", "vincolante", "erogato")


def _per_stato(progetti):
    """(stato, number of projects, sums of their latest snapshots' four amounts, number
    of those with one) per state: the latest snapshot's amounts of each project are
    correlated subqueries (on the index (progetto, data)), summed per state."""
    return (
        progetti.order_by()
        .values("stato")
        .annotate(
            numero=Count("pk"),
            **{campo: Sum(_ultimo_avanzamento(campo)) for campo in _SOMMATI},
            progetti_rilevati=Count(_ultimo_avanzamento("pk")),
        )
        .values_list("stato", "numero", *_SOMMATI, "progetti_rilevati")
    )


def _finanziato_per_fonte(progetti):
    """The amounts granted to the projects, summed per funding source."""
    return (
        FinanziamentoProgetto.objects.filter(progetto__in=progetti.values("pk"))
        .order_by()
        .values(
            fonte_codice=F("linea__fonte__codice"),
            fonte_nome=F("linea__fonte__nome"),
            ordine=F("linea__fonte__ordine"),
        )
        .annotate(totale=Sum("importo"))
        .order_by("ordine", "fonte_codice")
        .values_list("fonte_codice", "fonte_nome", "ordine", "totale")
    )


# Unfiltered, the two queries of the summary run compiled over the projects the user
# reads (visible_to's condition, the partner Ambiti among its ids): building them
# through the ORM cost more CPU than PostgreSQL spends running them.
_PER_STATO = CompilataVisibile(Progetto, _per_stato)
_FINANZIATO_PER_FONTE = CompilataVisibile(Progetto, _finanziato_per_fonte)


def progetti_riepilogo(*, fetched_by, progetti=None) -> dict:
    """Totals over the visible (and filtered) projects: number per state, amount granted
    per source, and the sums of their latest progress snapshots with the % paid."""
    if progetti is None:
        per_stato = _PER_STATO.righe(fetched_by)
        per_fonte = _FINANZIATO_PER_FONTE.righe(fetched_by)
    else:
        visibili = _progetti(fetched_by, progetti)
        per_stato, per_fonte = _per_stato(visibili), _finanziato_per_fonte(visibili)
    numeri, somme = {}, dict.fromkeys((*_SOMMATI, "progetti_rilevati"), 0)
    for stato, numero, *sommati in per_stato:
        numeri[stato] = numero
        for chiave, valore in zip(somme, sommati, strict=True):
            somme[chiave] += valore or 0
    for campo in _SOMMATI:  # money, also when there is none (0.00)
        somme[campo] = ZERO + somme[campo]
    somme["percentuale_erogato"] = (
        somme["erogato"] * 100 / somme["ammesso"] if somme["ammesso"] else None
    )
    per_fonte = [
        {"fonte_codice": codice, "fonte_nome": nome, "ordine": ordine, "totale": totale}
        for codice, nome, ordine, totale in per_fonte
    ]
    return {
        "numero_progetti": sum(numeri.values()),
        "per_stato": [
            {"stato": s.value, "etichetta": s.label, "numero": numeri.get(s.value, 0)}
            for s in StatoProgetto
        ],
        "finanziato_per_fonte": per_fonte,
        "finanziato_totale": sum((r["totale"] for r in per_fonte), ZERO),
        "avanzamento": somme,
    }


def totale_finanziato_da_fonte(*, fetched_by, fonte_codice, progetti=None) -> Decimal:
    """Sum of the amounts that one source grants to the visible projects."""
    visibili = _progetti(fetched_by, progetti)
    return FinanziamentoProgetto.objects.filter(
        progetto__in=visibili.values("pk"), linea__fonte__codice=fonte_codice
    ).aggregate(totale=Coalesce(Sum("importo"), Value(ZERO)))["totale"]


def linee_discendenti(linea: LineaFinanziamento) -> list[int]:
    """Ids of a line and of every line below it (one query over the small tree)."""
    figli = defaultdict(list)
    for pk, parent_id in LineaFinanziamento.objects.values_list("pk", "parent_id"):
        figli[parent_id].append(pk)
    ids, da_visitare = [], [linea.pk]
    while da_visitare:
        pk = da_visitare.pop()
        if pk in ids:
            continue
        ids.append(pk)
        da_visitare.extend(figli[pk])
    return ids


def albero_linee(*, fetched_by) -> list[dict]:
    """Sources with their lines as an indented tree, for the reference page: the
    national tree and the own funds the user may see."""
    fonti = list(
        FonteFinanziamento.objects.visible_to(fetched_by)
        .select_related("ambito")
        .order_by("ambito__nome", "ordine", "codice")
    )
    linee = list(LineaFinanziamento.objects.visible_to(fetched_by).order_by("codice"))
    figli = defaultdict(list)
    for linea in linee:
        figli[(linea.fonte_id, linea.parent_id)].append(linea)

    def visita(fonte_id, parent_id, profondita, out):
        for linea in figli[(fonte_id, parent_id)]:
            linea.profondita = profondita
            out.append(linea)
            visita(fonte_id, linea.pk, profondita + 1, out)
        return out

    return [{"fonte": fonte, "linee": visita(fonte.pk, None, 0, [])} for fonte in fonti]


# --- Candidatures (domande a un avviso) --------------------------------------------------

#: A percentage of an amount, to the cent. The divisor is a decimal literal so that
#: SQLite, which stores whole-euro decimals as integers, does not divide as integers.
CENTO = Value(Decimal("100.0"))


def _candidature(fetched_by, candidature=None):
    queryset = Candidatura.objects.all() if candidature is None else candidature
    return queryset.visible_to(fetched_by)


def _per_candidatura(queryset, **aggregati):
    """Correlated subqueries of aggregates over a candidature's rows (no join)."""
    righe = queryset.filter(candidatura=OuterRef("pk")).order_by().values("candidatura")
    return {
        nome: Subquery(righe.annotate(valore=aggregato).values("valore"), output_field=campo)
        for nome, (aggregato, campo) in aggregati.items()
    }


def candidature_con_totali(*, fetched_by, candidature=None):
    """The visible candidatures annotated in SQL with the total computed from the
    amounts per investment (`totale_calcolato`), the number of investments and of those
    without an amount, the partners' shares, the difference from the decree's printed
    total (`differenza_decreto`) and whether the two disagree (`discordanza_decreto`:
    a difference, or investments whose amount is still missing)."""
    intero = DecimalField(max_digits=5, decimal_places=2)
    queryset = _candidature(fetched_by, candidature).annotate(
        **_per_candidatura(
            LineaCandidatura.objects,
            _totale=(Sum("importo"), MONEY),
            _linee=(Count("pk"), IntegerField()),
            _senza_importo=(Count("pk", filter=Q(importo__isnull=True)), IntegerField()),
        ),
        **_per_candidatura(
            PartecipazioneCandidatura.objects,
            _quote_partner=(Sum("quota"), intero),
            _partner=(Count("pk"), IntegerField()),
        ),
    )
    queryset = queryset.annotate(
        totale_calcolato=Coalesce("_totale", Value(ZERO), output_field=MONEY),
        numero_linee=Coalesce("_linee", Value(0)),
        linee_senza_importo=Coalesce("_senza_importo", Value(0)),
        numero_partner=Coalesce("_partner", Value(0)),
        quote_partner=Coalesce("_quote_partner", Value(Decimal("0.00")), output_field=intero),
    )
    return queryset.annotate(
        differenza_decreto=Case(
            When(totale_decreto__isnull=False, then=F("totale_decreto") - F("totale_calcolato")),
            default=None,
            output_field=MONEY,
        ),
        discordanza_decreto=Case(
            When(
                Q(totale_decreto__isnull=False)
                & (~Q(totale_decreto=F("totale_calcolato")) | Q(linee_senza_importo__gt=0)),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def candidature_per_elenco(*, fetched_by, candidature=None):
    """The candidatures with their totals and what the list and the API show."""
    return candidature_con_totali(fetched_by=fetched_by, candidature=candidature).select_related(
        "ambito", "ente_capofila"
    )


def candidatura_linee(*, fetched_by, candidatura) -> list[LineaCandidatura]:
    """The investments of a candidature with their line, source and project."""
    return list(
        LineaCandidatura.objects.visible_to(fetched_by)
        .filter(candidatura=candidatura)
        .select_related("linea__fonte", "progetto")
        .order_by("linea__codice")
    )


def candidatura_per_fonte(*, fetched_by, candidatura) -> list[dict]:
    """The amounts of a candidature summed per funding source (SQL)."""
    return list(
        LineaCandidatura.objects.visible_to(fetched_by)
        .filter(candidatura=candidatura)
        .order_by()
        .values(
            fonte_codice=F("linea__fonte__codice"),
            fonte_nome=F("linea__fonte__nome"),
            ordine=F("linea__fonte__ordine"),
        )
        .annotate(
            totale=Coalesce(Sum("importo"), Value(ZERO), output_field=MONEY),
            investimenti=Count("pk"),
        )
        .order_by("ordine", "fonte_codice")
    )


def candidatura_per_ambito(*, fetched_by, candidatura) -> list[dict]:
    """What each Ambito of a candidature takes: every partner its share of the computed
    total (to the cent, in SQL), the capofila the rest. Shares not given leave the
    amounts unknown (None). `candidatura` comes from `candidature_con_totali`."""
    partner = list(
        PartecipazioneCandidatura.objects.visible_to(fetched_by)
        .filter(candidatura=candidatura)
        .annotate(
            importo=Case(
                When(
                    quota__isnull=False,
                    then=Round(
                        Value(candidatura.totale_calcolato, output_field=MONEY)
                        * F("quota")
                        / CENTO,
                        2,
                    ),
                ),
                default=None,
                output_field=MONEY,
            )
        )
        .select_related("ambito")
        .order_by("ambito__nome")
    )
    quote_note = all(p.quota is not None for p in partner)
    assegnato_ai_partner = sum((p.importo for p in partner if p.importo is not None), ZERO)
    capofila = {
        "ambito": candidatura.ambito,
        "ruolo": "capofila",
        "quota": (Decimal("100") - candidatura.quote_partner) if quote_note else None,
        "importo": (candidatura.totale_calcolato - assegnato_ai_partner) if quote_note else None,
    }
    return [
        capofila,
        *(
            {"ambito": p.ambito, "ruolo": "partner", "quota": p.quota, "importo": p.importo}
            for p in partner
        ),
    ]


def candidature_per_linea(*, fetched_by, candidature=None) -> list[dict]:
    """Over the visible candidatures: per investment line, the number of candidatures,
    the amount requested (where known) and the amount of the admitted ones."""
    visibili = _candidature(fetched_by, candidature)
    return list(
        LineaCandidatura.objects.filter(candidatura__in=visibili.values("pk"))
        .order_by()
        .values(linea_codice=F("linea__codice"), linea_nome=F("linea__nome"))
        .annotate(
            candidature=Count("candidatura", distinct=True),
            totale=Coalesce(Sum("importo"), Value(ZERO), output_field=MONEY),
            ammesso=Coalesce(
                Sum("importo", filter=Q(esito="ammesso")), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by("linea_codice")
    )


def candidature_per_fonte(*, fetched_by, candidature=None) -> list[dict]:
    """Over the visible candidatures: the amount per funding source."""
    visibili = _candidature(fetched_by, candidature)
    return list(
        LineaCandidatura.objects.filter(candidatura__in=visibili.values("pk"))
        .order_by()
        .values(
            fonte_codice=F("linea__fonte__codice"),
            fonte_nome=F("linea__fonte__nome"),
            ordine=F("linea__fonte__ordine"),
        )
        .annotate(
            totale=Coalesce(Sum("importo"), Value(ZERO), output_field=MONEY),
            ammesso=Coalesce(
                Sum("importo", filter=Q(esito="ammesso")), Value(ZERO), output_field=MONEY
            ),
        )
        .order_by("ordine", "fonte_codice")
    )


def candidature_riepilogo(*, fetched_by, candidature=None) -> dict:
    """The visible candidatures in figures: how many, the computed total, the decree's
    printed total and how many disagree with it (SQL aggregates)."""
    visibili = _candidature(fetched_by, candidature)
    dati = visibili.aggregate(
        numero=Count("pk"),
        totale_decreto=Coalesce(Sum("totale_decreto"), Value(ZERO), output_field=MONEY),
    )
    dati["totale_calcolato"] = LineaCandidatura.objects.filter(
        candidatura__in=visibili.values("pk")
    ).aggregate(totale=Coalesce(Sum("importo"), Value(ZERO), output_field=MONEY))["totale"]
    dati["discordanti"] = (
        candidature_con_totali(fetched_by=fetched_by, candidature=candidature)
        .filter(discordanza_decreto=True)
        .count()
    )
    return dati


# --- Partner bodies of a project ---------------------------------------------------------


def progetto_partner_enti(*, fetched_by, progetto):
    """The bodies (not Ambiti) in a project with their role, amount and share, and the
    sums of the amounts and shares (SQL)."""
    queryset = (
        PartnerProgetto.objects.visible_to(fetched_by)
        .filter(progetto=progetto)
        .select_related("ente")
        .order_by("ruolo", "ente__nome")
    )
    somme = queryset.aggregate(
        importo=Coalesce(Sum("importo"), Value(ZERO), output_field=MONEY),
        quota=Sum("quota"),
    )
    return list(queryset), somme
