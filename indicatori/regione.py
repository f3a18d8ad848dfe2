"""The regional dashboard: every Ambito of a region side by side, and its Comuni.

Live SQL aggregates, no summary table: each measure is one query grouped by Ambito (or
by Comune) over the whole region, so the number of queries does not depend on the
number of Ambiti, and an approval shows in the next request (README, "Regione").
Only approved values count. Ambiti whose data are incomplete are marked, not ranked;
the region's quartiles are computed over the complete ones.
"""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambito import selectors as territorio
from ambito.models import Ambito, Comune, DatiDemografici
from ambito.platform.cache import INDICATORI, per_ambito
from ambito.platform.compilate import Compilata, campi, istanze
from ambito.platform.querysets import CompilataVisibile
from ambito.roles import ruoli
from fondi.models import Assegnazione, Progetto
from fondi.selectors import ultimi_avanzamenti_per_ambito

from . import selectors
from .choices import Livello, StatoAvanzamento, StatoValore, UnitaMisura
from .models import Indicatore, Periodo, Valore
from .querysets import periodicita_dovute

#: The value of the form's `regione` for every region at once (the national view).
TUTTE = "tutte"
MILLE = Decimal(1000)
CENTO = Decimal(100)
#: The columns the table sorts by (?ordina=<name>, "-<name>" descending).
ORDINAMENTI = {
    "nome": _("Ambito"),
    "residenti": _("Residenti"),
    "fondi_per_residente": _("Fondi per residente"),
    "percentuale_erogato": _("PNRR: erogato su ammesso"),
    "completezza": _("Completezza"),
    "critici": _("Indicatori critici"),
}


@dataclass
class Quartili:
    q1: Decimal | None
    mediana: Decimal | None
    q3: Decimal | None
    n: int


def quartili(valori) -> Quartili:
    """The region's quartiles of a measure (over the values given, None left out)."""
    numeri = sorted(Decimal(v) for v in valori if v is not None)
    if not numeri:
        return Quartili(None, None, None, 0)
    if len(numeri) == 1:
        return Quartili(numeri[0], numeri[0], numeri[0], 1)
    q1, mediana, q3 = statistics.quantiles(numeri, n=4, method="inclusive")
    return Quartili(q1, mediana, q3, len(numeri))


@dataclass
class RigaAmbito:
    ambito: Ambito
    provincia: str = ""
    residenti: int | None = None
    anno_residenti: int | None = None
    anno_fondi: int | None = None
    fondi: Decimal | None = None
    progetti_pnrr: int = 0
    ammesso: Decimal = Decimal(0)
    erogato: Decimal = Decimal(0)
    periodo: Periodo | None = None
    comuni: int = 0
    comuni_completi: int = 0
    in_ritardo: int = 0
    attesi: int = 0
    inviati: int = 0
    approvati: int = 0
    stati: dict = field(default_factory=lambda: {s: 0 for s in StatoAvanzamento.values})
    posizione: int | None = None  # in the sorted table, among the complete Ambiti only

    @property
    def fondi_per_residente(self) -> Decimal | None:
        if self.fondi is None or not self.residenti:
            return None
        return (self.fondi / self.residenti).quantize(Decimal("0.01"))

    @property
    def percentuale_erogato(self) -> Decimal | None:
        return self.erogato * CENTO / self.ammesso if self.ammesso else None

    @property
    def completezza(self) -> Decimal | None:
        return Decimal(self.inviati) * CENTO / self.attesi if self.attesi else None

    @property
    def critici(self) -> int:
        return self.stati[StatoAvanzamento.CRITICO]

    @property
    def completo(self) -> bool:
        """Fit for ranking: residents known and every Comune's values of the period sent."""
        return (
            bool(self.residenti)
            and self.periodo is not None
            and self.comuni_completi == (self.comuni)
        )

    @property
    def mancanze(self) -> list[str]:
        motivi = []
        if not self.residenti:
            motivi.append(str(_("residenti non noti")))
        if self.periodo is None:
            motivi.append(str(_("nessun periodo")))
        elif self.comuni_completi < self.comuni:
            motivi.append(
                str(_("%(n)s Comuni su %(tot)s non hanno inviato tutto"))
                % {"n": self.comuni - self.comuni_completi, "tot": self.comuni}
            )
        return motivi


@dataclass
class RigaComune:
    comune_id: int
    nome: str
    ambito_id: int
    ambito_nome: str
    regione: str
    valore: Decimal | None
    residenti: int | None
    per_mille: Decimal | None


@dataclass
class CruscottoRegione:
    regione: str  # its name, or "Tutte le regioni" in the national view
    anno: int
    aggiornato_al: object
    righe: list[RigaAmbito]
    quartili: dict[str, Quartili]
    province: list[str]
    indicatori: list[tuple[str, str]]
    indicatore: str | None = None
    unita: str | None = None
    per_mille: bool = False
    comuni: list[RigaComune] = field(default_factory=list)
    quartili_comuni: Quartili | None = None
    nazionale: bool = False  # every region at once: one row per Ambito, its region shown

    @property
    def classificati(self) -> list[RigaAmbito]:
        return [r for r in self.righe if r.completo]

    @property
    def incompleti(self) -> list[RigaAmbito]:
        return [r for r in self.righe if not r.completo]


def regioni_visibili(*, fetched_by) -> list[str]:
    return ruoli(fetched_by).regioni


# The queries below take the ids of the region's Ambiti (~90, 600 in the national
# view) and run compiled (`Compilata`), once per number of Ambiti: building them through
# the ORM, each id checked and adapted one by one, cost more CPU than PostgreSQL spends
# running them.

_PROVINCE = Compilata(
    Comune,
    lambda ambiti: (
        Comune.objects.filter(ambito_id__in=ambiti)
        .values_list("ambito_id", "sigla_provincia")
        .annotate(n=Count("pk"))
        .order_by()
    ),
)


def _province(ambiti) -> dict[int, str]:
    """The province of most of each Ambito's Comuni (one query)."""
    conteggi = {}
    for ambito_id, sigla, n in _PROVINCE.righe([a.pk for a in ambiti]):
        conteggi.setdefault(ambito_id, []).append((n, sigla))
    return {a: max(v)[1] for a, v in conteggi.items()}


def _periodi_scelti(periodi, ambiti, oggi):
    """Each Ambito's first period of `periodi` in the order of `_periodi_correnti`."""
    iniziato = Case(When(data_inizio__lte=oggi, then=F("data_fine")))
    return (
        periodi.filter(ambito_id__in=ambiti)
        .annotate(
            scelta=Window(
                RowNumber(),
                partition_by=F("ambito_id"),
                order_by=[iniziato.desc(nulls_last=True), F("data_fine").asc(), F("pk").asc()],
            )
        )
        .filter(scelta=1)
        .values_list(*campi(Periodo))
    )


_PERIODI_SCELTI = CompilataVisibile(Periodo, _periodi_scelti)


def _periodi_correnti(fetched_by, ambiti) -> dict[int, Periodo]:
    """Each Ambito's current period, as its own dashboard picks it (one query): the
    latest begun by today, else the earliest. Picked in SQL: a region has ~20 periods
    per Ambito (12.000 in Italy), and making an object of each was a sixth of the
    regional API's time. Among the periods the user reads (`visible_to`'s rule, compiled)."""
    righe = _PERIODI_SCELTI.righe(fetched_by, [a.pk for a in ambiti], timezone.localdate())
    periodi = istanze(Periodo, righe)
    return {periodo.ambito_id: periodo for periodo in periodi}


def _dovuti_q(periodi, area=None):
    """The indicators due in any of the periods, as one condition (see `dovuti_nel`)."""
    condizione = Q(pk__in=[])
    for p in periodi:
        condizione |= Q(
            Q(rilevazione_al__isnull=True) | Q(rilevazione_al__gte=p.data_inizio),
            piano__ambito_id=p.ambito_id,
            rilevazione_dal__lte=p.data_fine,
            periodicita__in=periodicita_dovute(p),
        )
    dovuti = Indicatore.objects.filter(condizione).da_compilare().filter(livello=Livello.COMUNE)
    return dovuti.filter(area=area) if area is not None else dovuti


#: The completeness figures of a row, kept per Ambito in the cache (`_completezza`).
CAMPI_COMPLETEZZA = ("comuni", "comuni_completi", "in_ritardo", "attesi", "inviati", "approvati")


def _completezza(righe: dict[int, RigaAmbito], periodi: dict[int, Periodo], area, oggi):
    """Completeness of each Ambito's current period: the same for every reader of the
    Ambito, so kept per Ambito in the cache under its data generation (`per_ambito`),
    like the indicators per status; the Ambiti missing from it computed together."""

    def calcola(ambito_ids):
        parziali = {a: RigaAmbito(ambito=righe[a].ambito) for a in ambito_ids}
        _completezza_sql(parziali, {a: periodi[a] for a in ambito_ids if a in periodi}, area, oggi)
        return {a: {c: getattr(r, c) for c in CAMPI_COMPLETEZZA} for a, r in parziali.items()}

    area_id = area.pk if area is not None else None
    for ambito_id, figure in per_ambito(
        "regione:completezza", righe, calcola, area_id, sezioni=[INDICATORI]
    ).items():
        for campo, valore in figure.items():
            setattr(righe[ambito_id], campo, valore)


def _completezza_sql(righe: dict[int, RigaAmbito], periodi: dict[int, Periodo], area, oggi):
    """Per Ambito, `completezza_periodo` of its current period summed as
    `completezza_ambito` does: two queries for all the Ambiti given."""
    if not periodi:
        return
    dovuti = _dovuti_q(periodi.values(), area)
    attesi = {
        r["piano__ambito_id"]: r["n"]
        for r in dovuti.values("piano__ambito_id").annotate(n=Count("pk")).order_by()
    }
    inviati_q = Q(stato__in=[StatoValore.INVIATO, StatoValore.APPROVATO])
    per_comune = {
        (r["periodo__ambito_id"], r["comune_id"]): r
        for r in Valore.objects.filter(
            periodo__in=[p.pk for p in periodi.values()],
            indicatore__in=dovuti.values("pk"),
            comune__isnull=False,
        )
        .values("periodo__ambito_id", "comune_id")
        .annotate(
            inviati=Count("indicatore_id", distinct=True, filter=inviati_q),
            approvati=Count("indicatore_id", distinct=True, filter=Q(stato=StatoValore.APPROVATO)),
            ultimo=Max("inviato_il", filter=inviati_q),
        )
        .order_by()
    }
    comuni_per_ambito = {}
    for ambito_id, comune_id in Comune.objects.filter(ambito__in=list(righe)).values_list(
        "ambito_id", "pk"
    ):
        comuni_per_ambito.setdefault(ambito_id, []).append(comune_id)
    for ambito_id, riga in righe.items():
        periodo = periodi.get(ambito_id)
        if periodo is None:
            continue
        n_attesi = attesi.get(ambito_id, 0)
        scaduto = oggi > periodo.scadenza
        for comune_id in comuni_per_ambito.get(ambito_id, []):
            r = per_comune.get((ambito_id, comune_id), {})
            inviati = r.get("inviati", 0)
            riga.comuni += 1
            riga.attesi += n_attesi
            riga.inviati += min(inviati, n_attesi)
            riga.approvati += min(r.get("approvati", 0), n_attesi)
            if n_attesi and inviati >= n_attesi:
                riga.comuni_completi += 1
                ultimo = r.get("ultimo")
                if ultimo and timezone.localtime(ultimo).date() > periodo.scadenza:
                    riga.in_ritardo += 1
            elif scaduto:
                riga.in_ritardo += 1


_FONDI = Compilata(
    Assegnazione,
    lambda ambiti: (
        Assegnazione.objects.filter(ambito_id__in=ambiti)
        .values_list("ambito_id", "anno")
        .annotate(totale=Sum("importo"))
        .order_by()
    ),
)


def _fondi(righe, anno):
    """Funds of each Ambito in the year (or its latest earlier one), as its dashboard."""
    per_ambito = {}
    for ambito_id, anno_fondi, totale in _FONDI.righe(list(righe)):
        per_ambito.setdefault(ambito_id, {})[anno_fondi] = totale
    for ambito_id, totali in per_ambito.items():
        scelto = max((a for a in totali if a <= anno), default=max(totali))
        righe[ambito_id].anno_fondi = scelto
        righe[ambito_id].fondi = totali[scelto]


def _pnrr(fetched_by, righe):
    """Number of PNRR projects and the sums of their latest ammesso and erogato."""
    progetti = Progetto.objects.filter(
        ambito__in=list(righe), linea__codice__startswith="PNRR"
    ).order_by()
    # Summed per Ambito in SQL: a region has thousands of projects (1.558 in Piemonte),
    # one Python dict each was the largest part of the regional API's time.
    for ambito_id, r in ultimi_avanzamenti_per_ambito(
        fetched_by=fetched_by, progetti=progetti
    ).items():
        riga = righe[ambito_id]
        riga.progetti_pnrr += r["n"]
        riga.ammesso += r["ammesso"] or 0
        riga.erogato += r["erogato"] or 0


def _stati(fetched_by, righe, area):
    """Indicators on track / at risk / critical per Ambito: approved values only, so the
    same for every reader of the Ambito, hence kept per Ambito in the cache under its
    data generation (`per_ambito`): after an approval only that Ambito is computed again.
    """

    def calcola(ambito_ids):
        conteggi = {a: dict.fromkeys(StatoAvanzamento.values, 0) for a in ambito_ids}
        # The plan's indicators of these Ambiti as the selector reads them itself (no
        # second visibility query for their values), computed directly: the per-Ambito
        # cache keeps the counts, a copy of the list under the user's key would not be
        # renewed with these Ambiti's data (`__wrapped__`).
        for avanzamento in selectors.avanzamento_indicatori.__wrapped__(
            fetched_by=fetched_by, ambiti=ambito_ids, area=area
        ):
            conteggi[avanzamento.indicatore.piano.ambito_id][avanzamento.stato] += 1
        return conteggi

    area_id = area.pk if area is not None else None
    for ambito_id, conteggi in per_ambito(
        "regione:stati", righe, calcola, area_id, sezioni=[INDICATORI]
    ).items():
        righe[ambito_id].stati.update(conteggi)


def _residenti_comune(anno):
    """The residents of the Comune (OuterRef) in the year chosen as
    `territorio.anno_di_riferimento` does: the year itself, else the latest earlier one,
    else the earliest later one."""
    prima = Q(anno__lte=anno)
    return Subquery(
        DatiDemografici.objects.filter(comune=OuterRef("pk"), residenti__isnull=False)
        .order_by(
            Case(When(prima, then=Value(0)), default=Value(1)),
            Case(When(prima, then=-F("anno")), default=F("anno"), output_field=IntegerField()),
        )
        .values("residenti")[:1]
    )


def _comuni(fetched_by, ambiti, codice, anno) -> tuple[list[RigaComune], str | None, bool]:
    """Per Comune of the region: the approved total of the indicator in the periods
    ending in the year, and per 1.000 residents of that year where the unit is a count
    or an amount. Three queries; the Comuni as plain rows (~7.900 in the national view)."""
    unita = (
        Indicatore.objects.filter(piano__ambito__in=ambiti, codice=codice)
        .values_list("unita", flat=True)
        .first()
    )
    per_mille = unita in (UnitaMisura.CONTEGGIO, UnitaMisura.EURO)
    somme = dict(
        Valore.objects.visible_to(fetched_by)
        .righe_totale()
        .approvati()
        .filter(
            indicatore__codice=codice,
            periodo__ambito__in=ambiti,
            periodo__data_fine__year=anno,
            comune__isnull=False,
            valore_numerico__isnull=False,
        )
        .values("comune_id")
        .annotate(totale=Sum("valore_numerico"))
        .order_by()
        .values_list("comune_id", "totale")
    )
    righe = []
    for pk, nome, ambito_id, ambito_nome, regione, n in (
        Comune.objects.filter(ambito__in=ambiti)
        .annotate(residenti=_residenti_comune(anno))
        .order_by()
        .values_list("pk", "nome", "ambito_id", "ambito__nome", "ambito__regione", "residenti")
    ):
        valore = somme.get(pk)
        tasso = valore * MILLE / n if per_mille and valore is not None and n else None
        righe.append(RigaComune(pk, nome, ambito_id, ambito_nome, regione, valore, n, tasso))
    # The highest first; the Comuni without an approved value (or residents) last.
    misura = (lambda r: r.per_mille) if per_mille else (lambda r: r.valore)
    righe.sort(key=lambda r: (misura(r) is None, -(misura(r) or 0), r.nome))
    return righe, unita, per_mille


def _ultime_approvazioni(ambiti, approvato):
    ultima = Coalesce("approvato_il", "aggiornato_il")
    del_periodo = (
        Valore.objects.filter(periodo=OuterRef("pk"), stato=approvato)
        .order_by(ultima.desc())
        .values_list(ultima)[:1]
    )
    return (
        Periodo.objects.filter(ambito_id__in=ambiti)
        .annotate(del_periodo=Subquery(del_periodo))
        .order_by(F("del_periodo").desc(nulls_last=True))
        .values_list("del_periodo")[:1]
    )


_ULTIMA_APPROVAZIONE = Compilata(Periodo, _ultime_approvazioni)


def _ultima_approvazione(ambiti):
    """When the last value of the Ambiti was approved: the latest of each period's last
    approval, one probe per period of the index `indicatori_valore_ultima_appr` (the max
    over the approved values themselves read ~570.000 rows for 91 Ambiti)."""
    righe = _ULTIMA_APPROVAZIONE.righe([a.pk for a in ambiti], StatoValore.APPROVATO.value)
    return righe[0][0] if righe else None


def _ordina(righe, ordina):
    chiave = (ordina or "nome").lstrip("-")
    if chiave not in ORDINAMENTI:
        chiave = "nome"
    inverso = (ordina or "").startswith("-")
    if chiave == "nome":
        return sorted(righe, key=lambda r: r.ambito.nome.lower(), reverse=inverso)
    con = [r for r in righe if getattr(r, chiave) is not None]
    senza = [r for r in righe if getattr(r, chiave) is None]
    return sorted(con, key=lambda r: getattr(r, chiave), reverse=inverso) + senza


def _numera(righe):
    """Rank the complete Ambiti in the table's order; the others stay unranked."""
    posizione = 0
    for riga in righe:
        if riga.completo:
            posizione += 1
            riga.posizione = posizione
    return righe


#: The indicators of the Comuni a table of the region can show (code, name).
_INDICATORI_COMUNALI = Compilata(
    Indicatore,
    lambda ambiti, livello, testo: (
        Indicatore.objects.filter(
            piano__ambito_id__in=ambiti, livello=livello, numeratore__isnull=True
        )
        .exclude(unita=testo)
        .order_by("codice")
        .values_list("codice", "nome")
        .distinct()
    ),
)


def cruscotto_regione(
    *,
    fetched_by,
    regione,
    anno=None,
    provincia=None,
    area=None,
    indicatore=None,
    ordina=None,
) -> CruscottoRegione:
    """The figures of every Ambito of the region the user may read (filtered by
    province), and of its Comuni for one indicator: a fixed number of queries.
    `regione=None`: every Ambito the user may read, of every region (national view)."""
    oggi = timezone.localdate()
    anno = anno or oggi.year
    ambiti = Ambito.objects.visible_to(fetched_by)
    if regione is not None:
        ambiti = ambiti.filter(regione=regione)
    ambiti = list(ambiti.order_by("nome"))
    province = _province(ambiti)
    if provincia:
        ambiti = [a for a in ambiti if province.get(a.pk) == provincia]
    righe = {a.pk: RigaAmbito(ambito=a, provincia=province.get(a.pk, "")) for a in ambiti}
    if righe:
        for ambito_id, popolazione in territorio.popolazione_di_riferimento_per_ambito(
            ambiti=ambiti, anno=anno
        ).items():
            righe[ambito_id].residenti = popolazione.residenti
            righe[ambito_id].anno_residenti = popolazione.anno
        _fondi(righe, anno)
        _pnrr(fetched_by, righe)
        periodi = _periodi_correnti(fetched_by, ambiti)
        for ambito_id, periodo in periodi.items():
            righe[ambito_id].periodo = periodo
        _completezza(righe, periodi, area, oggi)
        _stati(fetched_by, righe, area)
    indicatori = _INDICATORI_COMUNALI.righe(
        [a.pk for a in ambiti], Livello.COMUNE.value, UnitaMisura.TESTO.value
    )
    codici = dict(indicatori)
    aggiornato_al = _ultima_approvazione(ambiti) if ambiti else None
    elenco = list(righe.values())
    completi = [r for r in elenco if r.completo]
    dati = CruscottoRegione(
        regione=regione or str(_("Tutte le regioni")),
        nazionale=regione is None,
        anno=anno,
        aggiornato_al=aggiornato_al,
        righe=_numera(_ordina(elenco, ordina)),
        quartili={
            "fondi_per_residente": quartili(r.fondi_per_residente for r in completi),
            "percentuale_erogato": quartili(r.percentuale_erogato for r in completi),
            "completezza": quartili(r.completezza for r in elenco),
        },
        province=sorted(set(province.values()) - {""}),
        indicatori=list(codici.items()),
    )
    if indicatore in codici:
        dati.indicatore = indicatore
        dati.comuni, dati.unita, dati.per_mille = _comuni(fetched_by, ambiti, indicatore, anno)
        dati.quartili_comuni = quartili(
            (c.per_mille if dati.per_mille else c.valore) for c in dati.comuni
        )
    return dati


def filtri_da_parametri(*, user, parametri):
    """(form, filters) from the query of a page, an API call or a PDF request: the
    filters are `cruscotto_regione`'s arguments, the region chosen (the first one the
    user reads by default); None, with the form's errors, when they are not valid."""
    from .forms import CruscottoRegioneForm

    if not user.has_perm("ambito.consulta_regione"):
        raise PermissionDenied
    regioni = regioni_visibili(fetched_by=user)
    form = CruscottoRegioneForm(
        parametri or None, regioni=regioni, tutte=ruoli(user).tutte_le_regioni
    )
    if form.is_bound and not form.is_valid():
        return form, None
    filtri = dict(form.cleaned_data) if form.is_bound else {}
    filtri["regione"] = filtri.get("regione") or (regioni[0] if regioni else None)
    if filtri["regione"] is None:
        raise Http404
    return form, filtri


def parametri_di(filtri) -> dict:
    """The filters as the form's parameters again, for JSON (a job's `parametri`): the
    area by id, empty ones left out. `da_parametri` reads them back."""
    return {
        nome: getattr(valore, "pk", valore)
        for nome, valore in filtri.items()
        if valore not in (None, "")
    }


def da_parametri(*, user, parametri):
    """(form, dashboard) from the query of a page, an API call or a PDF job: the
    form's errors and no dashboard when the parameters are not valid."""
    form, filtri = filtri_da_parametri(user=user, parametri=parametri)
    if filtri is None:
        return form, None
    scelta = filtri["regione"]
    dati = cruscotto_regione(
        fetched_by=user, **{**filtri, "regione": None if scelta == TUTTE else scelta}
    )
    form.offri(dati)
    return form, dati
