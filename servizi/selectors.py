"""Reads of the servizi app. Every count and total is computed in SQL from the rows
(units, yearly figures, quote); what the Piano prints is only compared with it."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambito.models import Comune, DatiDemografici
from ambito.selectors import popolazione_di_riferimento

from .choices import AreaUtenza, Gestione, Misura, TipoQuota
from .controlli import controlli_tabelle
from .models import (
    Avviso,
    DatoAnnuale,
    DatoStampatoTabella,
    DatoStampatoUnita,
    Grandezza,
    MisuraTabella,
    QuotaAvviso,
    Servizio,
    Tabella,
    TotaleStampato,
    UnitaOfferta,
    ValoreTabella,
)
from .verifiche import CONCORDA, DIFFERISCE, NON_VERIFICABILE, TIPI_CONTROLLO, Verifica

MILLE = Decimal(1000)


# --- Services and measures ------------------------------------------------------------


def servizi_per_elenco(*, fetched_by, servizi=None):
    """Services and measures with area, managing body and their Comuni/lines in 3 queries."""
    servizi = Servizio.objects.visible_to(fetched_by) if servizi is None else servizi
    return (
        servizi.select_related("area", "ente_gestore", "ambito")
        .prefetch_related(
            Prefetch("comuni", queryset=Comune.objects.order_by("nome")),
            "linee",
        )
        .annotate(n_avvisi=Count("avvisi", distinct=True))
    )


@dataclass
class SerieGrandezza:
    """A figure of a service with its rows and yearly totals (computed, and as printed)."""

    grandezza: Grandezza
    anni: list[int]
    righe: list[dict]  # {"etichetta": str, "valori": {anno: Decimal}}
    totali: dict  # {anno: Decimal}, sum of the rows
    stampati: dict  # {anno: Decimal}, as the Piano prints them

    @property
    def ha_dettaglio(self):
        return any(r["etichetta"] for r in self.righe)

    def discordanze(self):
        return {
            anno: (valore, self.totali.get(anno))
            for anno, valore in self.stampati.items()
            if self.totali.get(anno) != valore
        }


def servizio_grandezze(*, fetched_by, servizio) -> list[SerieGrandezza]:
    """The service's figures as year-by-row tables; totals summed in SQL."""
    grandezze = list(Grandezza.objects.visible_to(fetched_by).filter(servizio=servizio))
    dati = (
        DatoAnnuale.objects.filter(grandezza__in=grandezze)
        .select_related("comune")
        .order_by("grandezza_id", "comune__nome", "categoria", "anno")
    )
    totali = (
        DatoAnnuale.objects.filter(grandezza__in=grandezze)
        .values("grandezza_id", "anno")
        .annotate(totale=Sum("valore"))
        .order_by()
    )
    stampati = TotaleStampato.objects.filter(grandezza__in=grandezze)
    per_grandezza = defaultdict(dict)
    anni = defaultdict(set)
    for dato in dati:
        etichetta = " · ".join(filter(None, [dato.comune and dato.comune.nome, dato.categoria]))
        riga = per_grandezza[dato.grandezza_id].setdefault(
            etichetta, {"etichetta": etichetta, "valori": {}, "note": []}
        )
        riga["valori"][dato.anno] = dato.valore
        if dato.nota:
            riga["note"].append(f"{dato.anno}: {dato.nota}")
        anni[dato.grandezza_id].add(dato.anno)
    somme = defaultdict(dict)
    for row in totali:
        somme[row["grandezza_id"]][row["anno"]] = row["totale"]
    stampe = defaultdict(dict)
    for stampato in stampati:
        stampe[stampato.grandezza_id][stampato.anno] = stampato.valore
        anni[stampato.grandezza_id].add(stampato.anno)
    return [
        SerieGrandezza(
            grandezza=g,
            anni=sorted(anni[g.pk]),
            righe=list(per_grandezza[g.pk].values()),
            totali=somme[g.pk],
            stampati=stampe[g.pk],
        )
        for g in grandezze
    ]


def avvisi_con_risorse(*, fetched_by, avvisi=None):
    """Calls with `risorse_erogate` and `risorse_riprogrammate` summed in SQL from quote."""
    avvisi = Avviso.objects.visible_to(fetched_by) if avvisi is None else avvisi
    return (
        avvisi.select_related("servizio")
        .annotate(
            risorse_erogate=Sum("quote__importo", filter=Q(quote__tipo=TipoQuota.EROGATA)),
            risorse_riprogrammate=Sum(
                "quote__importo", filter=Q(quote__tipo=TipoQuota.RIPROGRAMMATA)
            ),
        )
        .prefetch_related(Prefetch("quote", queryset=QuotaAvviso.objects.order_by("tipo", "pk")))
    )


# --- Unità d'offerta: summary ------------------------------------------------------------


def unita_per_elenco(*, fetched_by, unita=None):
    unita = UnitaOfferta.objects.visible_to(fetched_by) if unita is None else unita
    return unita.select_related("tipo", "comune")


def _conteggi():
    return {
        "unita": Count("pk"),
        "pubbliche": Count("pk", filter=Q(gestione=Gestione.PUBBLICA)),
        "private": Count("pk", filter=Q(gestione=Gestione.PRIVATA)),
        "non_indicate": Count("pk", filter=Q(gestione=Gestione.NON_INDICATA)),
        "posti_totali": Sum("posti"),
        "senza_posti": Count("pk", filter=Q(posti__isnull=True)),
    }


CAMPI = ("unita", "pubbliche", "private", "non_indicate", "posti", "senza_posti")


def _somma(righe):
    return {c: sum(r[c] or 0 for r in righe) for c in CAMPI}


@dataclass
class AreaRiepilogo:
    area: str
    nome: str
    tipi: list[dict] = field(default_factory=list)

    @property
    def totale(self):
        return _somma(self.tipi)


def riepilogo_unita(*, fetched_by, unita=None) -> dict:
    """Counts and places by area and type, one SQL query; subtotals are sums of rows."""
    unita = UnitaOfferta.objects.visible_to(fetched_by) if unita is None else unita
    rows = (
        unita.values("area", "tipo_id", "tipo__nome", "tipo__sigla", "tipo__natura")
        .annotate(**_conteggi())
        .order_by("tipo__natura", "tipo__ordine")
    )
    etichette = dict(AreaUtenza.choices)
    ordine_aree = list(etichette)
    per_natura = {}
    for row in rows:
        row["posti"] = row.pop("posti_totali") or 0
        aree = per_natura.setdefault(row["tipo__natura"], {})
        area = aree.setdefault(row["area"], AreaRiepilogo(row["area"], etichette[row["area"]]))
        area.tipi.append(row)
    nature = []
    for natura in sorted(per_natura, key=lambda n: n != "sociale"):
        aree = sorted(per_natura[natura].values(), key=lambda a: ordine_aree.index(a.area))
        nature.append({"natura": natura, "aree": aree, "totale": _somma([a.totale for a in aree])})
    return {"nature": nature, "totale": _somma([n["totale"] for n in nature])}


def _per_mille(posti, residenti):
    if not residenti:
        return None
    return (Decimal(posti or 0) * MILLE / Decimal(residenti)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def posti_per_comune(*, fetched_by, ambito, anno=None, unita=None) -> dict:
    """Places by Comune and area, with places per 1.000 residents (population of `anno`).

    Comuni are those the user may see; the Ambito row covers every unit of the Ambito
    and its whole population (operators see Ambito totals too).
    """
    unita = UnitaOfferta.objects.visible_to(fetched_by) if unita is None else unita
    unita = unita.filter(ambito=ambito)
    popolazione = popolazione_di_riferimento(ambito=ambito, anno=anno)
    anno = popolazione.anno
    rows = unita.values("comune_id", "area").annotate(totale=Sum("posti"))
    # Columns only for the areas with places (home care and clinics have none).
    aree = [a for a in AreaUtenza if any(r["area"] == a and r["totale"] for r in rows)]
    per_comune = defaultdict(dict)
    for row in rows:
        per_comune[row["comune_id"]][row["area"]] = row["totale"] or 0
    residenti = dict(
        DatiDemografici.objects.filter(comune__ambito=ambito, anno=anno).values_list(
            "comune_id", "residenti"
        )
    )
    comuni = Comune.objects.visible_to(fetched_by).filter(ambito=ambito).order_by("nome")
    righe = []
    for comune in comuni:
        posti = per_comune.get(comune.pk, {})
        totale = sum(posti.values())
        righe.append(
            {
                "comune": comune,
                "per_area": [posti.get(a, 0) for a in aree],
                "posti": totale,
                "residenti": residenti.get(comune.pk),
                "per_mille": _per_mille(totale, residenti.get(comune.pk)),
            }
        )
    per_area = [sum(per_comune[c].get(a, 0) for c in per_comune) for a in aree]
    totale_posti = sum(per_area)
    residenti_ambito = popolazione.residenti
    senza_comune = per_comune.get(None, {})
    return {
        "anno": anno,
        "aree": [(a.value, a.label) for a in aree],
        "righe": righe,
        "senza_comune": [senza_comune.get(a, 0) for a in aree] if senza_comune else None,
        "senza_comune_posti": sum(senza_comune.values()),
        "totale": {
            "per_area": per_area,
            "posti": totale_posti,
            "residenti": residenti_ambito,
            "per_mille": _per_mille(totale_posti, residenti_ambito),
        },
    }


# --- Data check: printed figures against the rows -----------------------------------------


def _esito(stampato, calcolato, incerte=0):
    if calcolato == stampato:
        return CONCORDA, ""
    if incerte and calcolato <= stampato <= calcolato + incerte:
        nota = ngettext(
            "%(n)d unità senza gestione indicata: il dato non si può verificare.",
            "%(n)d unità senza gestione indicata: il dato non si può verificare.",
            incerte,
        ) % {"n": incerte}
        return NON_VERIFICABILE, nota
    return DIFFERISCE, ""


def _descrizione_stampato(dato, tipi, comuni):
    parti = [dato.get_misura_display()]
    if dato.natura:
        parti.append(dato.get_natura_display().lower())
    if dato.area:
        parti.append(_("area %(area)s") % {"area": dato.get_area_display()})
    if dato.tipo_id:
        parti.append(tipi[dato.tipo_id])
    if dato.comune_id:
        parti.append(comuni[dato.comune_id])
    return " · ".join(parti)


def _copre(dato, gruppo) -> bool:
    """Whether a group of units falls under a printed figure's nature, area, type, Comune."""
    return all(
        not atteso or gruppo[chiave] == atteso
        for chiave, atteso in (
            ("tipo__natura", dato.natura),
            ("area", dato.area),
            ("tipo_id", dato.tipo_id),
            ("comune_id", dato.comune_id),
        )
    )


# What each measure sums over the covered groups: (value of a group, counts it as
# uncertain when its management is not stated).
_MISURE = {
    Misura.POSTI: (lambda g: g["totale_posti"] or 0, False),
    Misura.PUBBLICHE: (lambda g: g["n"] if g["gestione"] == Gestione.PUBBLICA else 0, True),
    Misura.PRIVATE: (lambda g: g["n"] if g["gestione"] == Gestione.PRIVATA else 0, True),
}
_CONTEGGIO = (lambda g: g["n"], False)


def _calcola_stampato(dato, gruppi) -> tuple[int, int]:
    """The sum the rows give for a printed figure, and the units of unknown management."""
    coperti = [g for g in gruppi if _copre(dato, g)]
    valore, con_incerte = _MISURE.get(dato.misura, _CONTEGGIO)
    incerte = (
        sum(g["n"] for g in coperti if g["gestione"] == Gestione.NON_INDICATA) if con_incerte else 0
    )
    return sum(valore(g) for g in coperti), incerte


def verifica_unita(*, fetched_by, ambito) -> list[Verifica]:
    """Each count or total the Piano prints for the units, against the units' sum.

    One grouped query gives counts and places per (nature, area, type, Comune,
    management); each printed figure is then the sum of the groups it covers.
    """
    unita = UnitaOfferta.objects.visible_to(fetched_by).filter(ambito=ambito)
    gruppi = list(
        unita.values("tipo__natura", "area", "tipo_id", "comune_id", "gestione").annotate(
            n=Count("pk"), totale_posti=Sum("posti")
        )
    )
    stampati = list(
        DatoStampatoUnita.objects.visible_to(fetched_by)
        .filter(ambito=ambito)
        .select_related("tipo", "comune")
    )
    tipi = {d.tipo_id: d.tipo.nome for d in stampati if d.tipo_id}
    comuni = {d.comune_id: d.comune.nome for d in stampati if d.comune_id}
    risultati = []
    for dato in stampati:
        calcolato, incerte = _calcola_stampato(dato, gruppi)
        esito, nota = _esito(dato.valore, calcolato, incerte)
        risultati.append(
            Verifica(
                sezione=dato.fonte or _("Unità d'offerta"),
                descrizione=_descrizione_stampato(dato, tipi, comuni),
                stampato=dato.valore,
                calcolato=calcolato,
                esito=esito,
                nota=nota,
            )
        )
    return risultati


def verifica_servizi(*, fetched_by, ambito) -> list[Verifica]:
    """Printed yearly totals of the services' figures and printed resources of the
    calls, against the sums of their rows."""
    risultati = []
    stampati = (
        TotaleStampato.objects.visible_to(fetched_by)
        .filter(grandezza__servizio__ambito=ambito)
        .select_related("grandezza__servizio")
        .order_by("grandezza__servizio__nome", "grandezza__ordine", "anno")
    )
    somme = {
        (row["grandezza_id"], row["anno"]): row["totale"]
        for row in DatoAnnuale.objects.filter(grandezza__servizio__ambito=ambito)
        .values("grandezza_id", "anno")
        .annotate(totale=Sum("valore"))
        .order_by()
    }
    for stampato in stampati:
        calcolato = somme.get((stampato.grandezza_id, stampato.anno))
        esito, nota = _esito(stampato.valore, calcolato)
        risultati.append(
            Verifica(
                sezione=stampato.grandezza.servizio.nome,
                descrizione=f"{stampato.grandezza.nome}, {stampato.anno}",
                stampato=stampato.valore,
                calcolato=calcolato,
                esito=esito,
                nota=nota,
            )
        )
    avvisi = avvisi_con_risorse(
        fetched_by=fetched_by,
        avvisi=Avviso.objects.visible_to(fetched_by).filter(
            servizio__ambito=ambito, risorse_erogate_stampate__isnull=False
        ),
    ).order_by("servizio__nome", "numero")
    for avviso in avvisi:
        calcolato = avviso.risorse_erogate or Decimal("0.00")
        esito, nota = _esito(avviso.risorse_erogate_stampate, calcolato)
        risultati.append(
            Verifica(
                sezione=avviso.servizio.nome,
                descrizione=_("%(avviso)s: risorse erogate") % {"avviso": avviso.titolo},
                stampato=avviso.risorse_erogate_stampate,
                calcolato=calcolato,
                esito=esito,
                nota=nota,
            )
        )
    return risultati


@dataclass
class VerificaPiano:
    """Every printed figure of the Piano checked against the rows (units, services,
    calls): the page, the command and the Relazione show this same list."""

    verifiche: list[Verifica]

    @property
    def da_controllare(self) -> list[Verifica]:
        return [v for v in self.verifiche if v.esito != CONCORDA]

    @property
    def per_tipo(self) -> list[tuple[str, str, int]]:
        """(kind, label, number of flags) for every kind of check."""
        conteggi = Counter(v.tipo for v in self.da_controllare)
        return [(tipo, nome, conteggi[tipo]) for tipo, nome in TIPI_CONTROLLO.items()]


def verifica_piano(*, fetched_by, ambito) -> VerificaPiano:
    return VerificaPiano(
        verifica_unita(fetched_by=fetched_by, ambito=ambito)
        + verifica_servizi(fetched_by=fetched_by, ambito=ambito)
        + controlli_tabelle(fetched_by=fetched_by, ambito=ambito)
    )


# --- Statistical tables ------------------------------------------------------------------


def tabelle_per_elenco(*, fetched_by, ambito):
    """The Ambito's tables with their number of rows and printed figures (subqueries)."""
    valori = (
        ValoreTabella.objects.filter(misura__tabella=OuterRef("pk"))
        .order_by()
        .values("misura__tabella")
        .annotate(n=Count("pk"))
        .values("n")
    )
    stampati = (
        DatoStampatoTabella.objects.filter(tabella=OuterRef("pk"))
        .order_by()
        .values("tabella")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Tabella.objects.visible_to(fetched_by)
        .filter(ambito=ambito)
        .annotate(
            n_valori=Coalesce(Subquery(valori), 0), n_stampati=Coalesce(Subquery(stampati), 0)
        )
        .order_by("ordine", "codice")
    )


@dataclass
class Prospetto:
    """One measure of a table laid out as printed: a line per Comune or category, a
    column per year."""

    misura: MisuraTabella
    anni: list
    righe: list  # (label, [value or None per year])


def tabella_prospetti(*, fetched_by, tabella) -> list[Prospetto]:
    valori = (
        ValoreTabella.objects.visible_to(fetched_by)
        .filter(misura__tabella=tabella)
        .select_related("comune")
        .order_by("misura__ordine", "territorio", "comune__nome", "categoria", "anno")
    )
    per_misura = defaultdict(list)
    for valore in valori:
        per_misura[valore.misura_id].append(valore)
    prospetti = []
    for misura in tabella.misure.order_by("ordine", "pk"):
        righe_misura = per_misura.get(misura.pk, [])
        anni = sorted({v.anno for v in righe_misura if v.anno is not None})
        colonne = anni or [None]
        righe = {}
        for v in righe_misura:
            nome = v.comune.nome if v.comune_id else v.get_territorio_display()
            etichetta = " · ".join(p for p in (nome, v.luogo, v.categoria) if p)
            righe.setdefault(etichetta, dict())[v.anno] = v.valore
        prospetti.append(
            Prospetto(
                misura=misura,
                anni=anni,
                righe=[(e, [r.get(a) for a in colonne]) for e, r in righe.items()],
            )
        )
    return prospetti
