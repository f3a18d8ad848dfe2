"""Checks of the statistical tables of the Piano: every printed figure against the rows.

Four kinds of flag, each with an Italian explanation and the two numbers side by side:
- STAMPATO: a printed total, average, percentage, change or ratio the table's rows do
  not give, within the printed precision (half a unit of the last printed digit);
- DISCORDANZA: the same, when the rows come from another table (two tables disagree
  on the same quantity, e.g. a count and the count implied by a percentage);
- PARTE: a part larger than its whole (a subgroup above the population it belongs to);
- UNITA: a value impossible for its unit (a percentage over 100, a negative count, an
  average outside the range of the Comuni it summarises).

Three queries in all (measures, rows, printed figures of the Ambito), whatever the
number of tables; the arithmetic runs on the rows in memory.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatchcase

from django.utils.translation import gettext as _

from ambito.models import Comune
from ambito.templatetags.zonale import numero

from .choices import Territorio, TipoAffermazione, TipoStampato, UnitaStatistica
from .models import Affermazione, DatoStampatoTabella, MisuraTabella, ValoreTabella
from .verifiche import (
    AFFERMAZIONE,
    CONCORDA,
    DIFFERISCE,
    DISCORDANZA,
    PARTE,
    STAMPATO,
    UNITA,
    Verifica,
)

_CONFRONTO = (Territorio.LOMBARDIA, Territorio.ITALIA)


@dataclass(frozen=True)
class Riga:
    misura_id: int
    territorio: str
    comune_id: int | None
    anno: int | None
    categoria: str
    valore: Decimal


def _fmt(valore, decimali=0):
    return "—" if valore is None else numero(valore, decimali)


def tolleranza(decimali: int) -> Decimal:
    """Half a unit of the last printed digit: "18%" covers 17,5-18,5."""
    return Decimal(5).scaleb(-int(decimali) - 1)


def concorda(stampato, calcolato, decimali) -> bool:
    return calcolato is not None and abs(stampato - calcolato) <= tolleranza(decimali)


class Dati:
    """The rows of an Ambito's tables, indexed by measure (one query)."""

    def __init__(self, ambito):
        self.ambito, self._comuni = ambito, None
        self.misure = {
            m.pk: m
            for m in MisuraTabella.objects.filter(tabella__ambito=ambito).select_related("tabella")
        }
        self.righe = defaultdict(list)
        # The rows of a measure in a year, without Lombardia/Italia: what a check reads.
        self._per_anno = defaultdict(list)
        valori = ValoreTabella.objects.filter(misura__tabella__ambito=ambito).values_list(
            "misura_id", "territorio", "comune_id", "anno", "categoria", "valore"
        )
        for valore in valori:
            riga = Riga(*valore)
            self.righe[riga.misura_id].append(riga)
            if riga.territorio not in _CONFRONTO:
                self._per_anno[(riga.misura_id, riga.anno)].append(riga)

    def nomi_comuni(self):
        if self._comuni is None:
            self._comuni = dict(Comune.objects.filter(ambito=self.ambito).values_list("pk", "nome"))
        return self._comuni

    def righe_di(self, misura_id, *, anno=None, categorie=(), comune_id=None):
        """The rows a figure summarises: the Comuni's when the measure has them for that
        year (one Comune's when asked), else the Ambito-level ones; never Lombardia/Italia."""
        candidate = (
            self.righe.get(misura_id, [])
            if anno is None
            else self._per_anno.get((misura_id, anno), [])
        )
        righe = [
            r
            for r in candidate
            if r.territorio not in _CONFRONTO
            and (comune_id is None or r.comune_id == comune_id)
            and (not categorie or any(fnmatchcase(r.categoria, c) for c in categorie))
        ]
        comunali = [r for r in righe if r.territorio == Territorio.COMUNE]
        return comunali or righe

    def somma(self, misura_id, **filtro):
        righe = self.righe_di(misura_id, **filtro)
        return sum((r.valore for r in righe), Decimal(0)) if righe else None


@dataclass
class Calcolo:
    valore: Decimal | None
    nota: str = ""
    media_semplice: Decimal | None = None
    media_ponderata: Decimal | None = None
    righe: list | None = None


def _rapporto(a, b, fattore=1):
    if a is None or not b:
        return None
    return a * fattore / b


def calcola(stampato: DatoStampatoTabella, dati: Dati) -> Calcolo:
    """What the rows give for a printed figure."""
    filtro = {
        "anno": stampato.anno,
        "categorie": stampato.elenco_categorie,
        "comune_id": stampato.comune_id,
    }
    anno_den = stampato.anno_denominatore or stampato.anno
    if stampato.tipo == TipoStampato.TOTALE:
        return Calcolo(dati.somma(stampato.misura_id, **filtro))
    if stampato.tipo in (TipoStampato.PERCENTUALE, TipoStampato.RAPPORTO):
        num = dati.somma(stampato.misura_id, **filtro)
        den = (
            dati.somma(stampato.denominatore_id, anno=anno_den, comune_id=stampato.comune_id)
            if stampato.denominatore_id
            else None
        )
        fattore = 100 if stampato.tipo == TipoStampato.PERCENTUALE else 1
        nota = _("%(num)s su %(den)s") % {"num": _fmt(num), "den": _fmt(den)}
        return Calcolo(_rapporto(num, den, fattore), nota)
    if stampato.tipo == TipoStampato.VARIAZIONE:
        ora = dati.somma(stampato.misura_id, **filtro)
        prima = dati.somma(stampato.misura_id, **{**filtro, "anno": stampato.anno_base})
        nota = _("da %(prima)s (%(a0)s) a %(ora)s (%(a1)s)") % {
            "prima": _fmt(prima),
            "ora": _fmt(ora),
            "a0": stampato.anno_base,
            "a1": stampato.anno,
        }
        differenza = None if ora is None or prima is None else ora - prima
        return Calcolo(_rapporto(differenza, prima, 100), nota)
    # MEDIA: the simple mean of the rows and, with weights, the weighted one.
    righe = dati.righe_di(stampato.misura_id, **filtro)
    if not righe:
        return Calcolo(None)
    semplice = sum(r.valore for r in righe) / len(righe)
    ponderata = None
    if stampato.denominatore_id:
        pesi = {
            r.comune_id: r.valore
            for r in dati.righe_di(stampato.denominatore_id, anno=anno_den)
            if r.comune_id
        }
        if all(r.comune_id in pesi for r in righe):
            ponderata = _rapporto(
                sum(r.valore * pesi[r.comune_id] for r in righe),
                sum(pesi[r.comune_id] for r in righe),
            )
    return Calcolo(semplice, media_semplice=semplice, media_ponderata=ponderata, righe=righe)


def _altre_tabelle(stampato, dati) -> list[str]:
    codici = {dati.misure[stampato.misura_id].tabella.codice}
    if stampato.denominatore_id:
        codici.add(dati.misure[stampato.denominatore_id].tabella.codice)
    codici.discard(stampato.tabella.codice)
    return sorted(codici)


def _quantizza(valore, decimali):
    if valore is None:
        return None
    return valore.quantize(Decimal(1).scaleb(-(int(decimali) + 1)))


def _nome_misura(dati, misura_id):
    misura = dati.misure[misura_id]
    return f"{misura.nome} ({misura.tabella.codice})"


def _verifica(
    tabella, descrizione, stampato, calcolato, esito, nota, tipo, decimali, decimali_calcolato=None
):
    return Verifica(
        decimali=decimali,
        decimali_calcolato=decimali_calcolato,
        sezione=tabella.codice,
        descrizione=descrizione,
        stampato=stampato,
        calcolato=calcolato,
        esito=esito,
        nota=nota,
        tipo=tipo,
    )


def controlli_tabelle(*, fetched_by, ambito) -> list[Verifica]:
    """Every check of the Ambito's statistical tables, as `Verifica` rows."""
    dati = Dati(ambito)
    stampati = list(
        DatoStampatoTabella.objects.visible_to(fetched_by)
        .filter(tabella__ambito=ambito)
        .select_related("tabella", "comune")
        .order_by("tabella__ordine", "ordine", "pk")
    )
    risultati = []
    for s in stampati:
        d = s.decimali
        calcolo = calcola(s, dati)
        altre = _altre_tabelle(s, dati)
        tipo = DISCORDANZA if altre else STAMPATO
        descrizione = s.etichetta
        if s.tipo == TipoStampato.MEDIA:
            ok_s = concorda(s.valore, calcolo.media_semplice, d)
            ok_p = concorda(s.valore, calcolo.media_ponderata, d)
            tipo = STAMPATO
            if ok_p and not ok_s:
                nota, valore = _("È la media ponderata sulla popolazione."), calcolo.media_ponderata
            elif ok_s:
                nota, valore = _("È la media semplice dei Comuni."), calcolo.media_semplice
            else:
                valore = calcolo.media_semplice
                if calcolo.media_ponderata is not None:
                    nota = _(
                        "Nessuna media la dà: media semplice dei Comuni %(s)s, media "
                        "ponderata sulla popolazione %(p)s."
                    ) % {
                        "s": _fmt(calcolo.media_semplice, d + 1),
                        "p": _fmt(calcolo.media_ponderata, d + 1),
                    }
                else:
                    nota = _(
                        "Nessuna media la dà: media semplice dei Comuni %(s)s (la media "
                        "ponderata non si può calcolare: manca la popolazione dell'anno)."
                    ) % {"s": _fmt(calcolo.media_semplice, d + 1)}
            esito = CONCORDA if ok_s or ok_p else DIFFERISCE
            risultati.append(
                _verifica(
                    s.tabella, descrizione, s.valore, _quantizza(valore, d), esito, nota, tipo, d
                )
            )
            if calcolo.righe:
                minimo = min(r.valore for r in calcolo.righe)
                massimo = max(r.valore for r in calcolo.righe)
                if not minimo <= s.valore <= massimo:
                    limite = massimo if s.valore > massimo else minimo
                    risultati.append(
                        _verifica(
                            s.tabella,
                            descrizione,
                            s.valore,
                            limite,
                            DIFFERISCE,
                            _(
                                "La media stampata è fuori dall'intervallo dei Comuni che "
                                "riassume (da %(min)s a %(max)s)."
                            )
                            % {"min": _fmt(minimo, d), "max": _fmt(massimo, d)},
                            UNITA,
                            d,
                            d,
                        )
                    )
            continue
        ok = concorda(s.valore, calcolo.valore, d)
        if calcolo.valore is None:
            nota = _("Le righe non bastano per calcolarlo.")
        elif ok:
            nota = calcolo.nota
        else:
            nota = _("Le righe danno %(c)s (%(dettaglio)s), tolleranza ±%(t)s.") % {
                "c": _fmt(calcolo.valore, d + 1),
                "dettaglio": calcolo.nota or _nome_misura(dati, s.misura_id),
                "t": _fmt(tolleranza(d), d + 1),
            }
            if altre:
                nota += " " + _("Righe prese da: %(t)s.") % {"t": ", ".join(altre)}
        risultati.append(
            _verifica(
                s.tabella,
                descrizione,
                s.valore,
                _quantizza(calcolo.valore, d),
                CONCORDA if ok else DIFFERISCE,
                nota,
                tipo,
                d,
                d if s.tipo == TipoStampato.TOTALE else None,
            )
        )
        risultati.extend(_parte_stampata(s, dati))
        if s.tipo == TipoStampato.PERCENTUALE and not 0 <= s.valore <= 100:
            risultati.append(
                _verifica(
                    s.tabella,
                    descrizione,
                    s.valore,
                    Decimal(100),
                    DIFFERISCE,
                    _("Una percentuale deve stare tra 0 e 100."),
                    UNITA,
                    d,
                    0,
                )
            )
    risultati.extend(_controlli_righe(dati))
    risultati.extend(controlli_affermazioni(fetched_by=fetched_by, ambito=ambito, dati=dati))
    return risultati


def _parte_stampata(s, dati):
    """A printed total of a subgroup above its whole (the measure over all categories,
    or the measure it is part of)."""
    if s.tipo != TipoStampato.TOTALE:
        return []
    misura = dati.misure[s.misura_id]
    tutto, nome = None, ""
    if s.elenco_categorie:
        tutto = dati.somma(s.misura_id, anno=s.anno, comune_id=s.comune_id)
        nome = _nome_misura(dati, s.misura_id)
    elif misura.parte_di_id:
        tutto = dati.somma(misura.parte_di_id, anno=s.anno, comune_id=s.comune_id)
        nome = _nome_misura(dati, misura.parte_di_id)
    if tutto is None or s.valore <= tutto:
        return []
    return [
        _verifica(
            s.tabella,
            s.etichetta,
            s.valore,
            tutto,
            DIFFERISCE,
            _("Il dato stampato supera il totale di cui è parte: %(nome)s, %(anno)s.")
            % {"nome": nome, "anno": s.anno or ""},
            PARTE,
            s.decimali,
            s.decimali,
        )
    ]


def _controlli_righe(dati):
    """Rows impossible for their unit, and rows above the whole they are part of."""
    risultati = []
    for misura_id, righe in dati.righe.items():
        misura = dati.misure[misura_id]
        tabella = misura.tabella
        for r in righe:
            fuori = None
            if misura.unita == UnitaStatistica.PERCENTUALE and not 0 <= r.valore <= 100:
                fuori = (
                    Decimal(100) if r.valore > 100 else Decimal(0),
                    _("Una percentuale deve stare tra 0 e 100."),
                )
            elif r.valore < 0:
                fuori = (Decimal(0), _("Un valore di questa unità non può essere negativo."))
            if fuori:
                risultati.append(
                    _verifica(
                        tabella,
                        _descrizione_riga(misura, r, dati),
                        r.valore,
                        fuori[0],
                        DIFFERISCE,
                        fuori[1],
                        UNITA,
                        misura.decimali,
                        misura.decimali,
                    )
                )
        if not misura.parte_di_id:
            continue
        gruppi = defaultdict(Decimal)
        for r in dati.righe_di(misura_id):
            gruppi[(r.comune_id, r.anno)] += r.valore
        for (comune_id, anno), parte in gruppi.items():
            tutto = dati.somma(misura.parte_di_id, anno=anno, comune_id=comune_id)
            if tutto is not None and parte > tutto:
                r = Riga(misura_id, "", comune_id, anno, "", parte)
                risultati.append(
                    _verifica(
                        tabella,
                        _descrizione_riga(misura, r, dati),
                        parte,
                        tutto,
                        DIFFERISCE,
                        _("La parte supera il tutto: %(tutto)s.")
                        % {"tutto": _nome_misura(dati, misura.parte_di_id)},
                        PARTE,
                        misura.decimali,
                        misura.decimali,
                    )
                )
    return risultati


def _descrizione_riga(misura, riga, dati):
    parti = [misura.nome]
    if riga.categoria:
        parti.append(riga.categoria)
    if riga.comune_id:
        parti.append(dati.nomi_comuni().get(riga.comune_id, ""))
    if riga.anno:
        parti.append(str(riga.anno))
    return " · ".join(parti)


# --- Claims: the sentences of the Piano about its tables ----------------------------------


def _aggregato(dati, a, anno, comune_id=None, categorie=None):
    """The value a claim speaks of, for a Comune or (comune_id None) the Ambito: a share
    when the claim has a denominator, else the sum of a count or the simple mean of a
    rate over the Comuni."""
    categorie = a.elenco_categorie if categorie is None else categorie
    if a.denominatore_id:
        num = dati.somma(a.misura_id, anno=anno, categorie=categorie, comune_id=comune_id)
        den = dati.somma(a.denominatore_id, anno=anno, comune_id=comune_id)
        return _rapporto(num, den, 100)
    righe = dati.righe_di(a.misura_id, anno=anno, categorie=categorie, comune_id=comune_id)
    if not righe:
        return None
    totale = sum(r.valore for r in righe)
    if dati.misure[a.misura_id].unita == UnitaStatistica.CONTEGGIO:
        return totale
    return totale / len(righe)


def _soggetti(dati, a):
    """(label, comune_id or None) of what the claim names."""
    if not a.soggetti:
        return [(_("Ambito"), None)]
    nomi = dati.nomi_comuni()
    if a.soggetti == "tutti":
        presenti = {r.comune_id for r in dati.righe_di(a.misura_id) if r.comune_id}
        return sorted((nomi[c], c) for c in presenti)
    per_nome = {n.casefold(): c for c, n in nomi.items()}
    return [(n, per_nome.get(n.casefold())) for n in a.elenco_soggetti]


def _verifica_affermazione(a, stampato, calcolato, ok, nota, decimali):
    return Verifica(
        sezione=a.tabella.codice,
        descrizione=a.testo,
        stampato=stampato,
        calcolato=calcolato,
        esito=CONCORDA if ok else DIFFERISCE,
        nota=nota,
        tipo=AFFERMAZIONE,
        decimali=decimali,
        decimali_calcolato=decimali,
    )


def _controlla(a, dati) -> Verifica:
    d = dati.misure[a.misura_id].decimali if not a.denominatore_id else 1
    if a.tipo == TipoAffermazione.VALORE:
        calcolato = _aggregato(dati, a, a.anno)
        ok = concorda(a.valore, calcolato, a.decimali)
        conteggio = dati.misure[a.misura_id].unita == UnitaStatistica.CONTEGGIO
        dc = a.decimali if conteggio and not a.denominatore_id else a.decimali + 1
        nota = _("I dati danno %(c)s nel %(anno)s.") % {"c": _fmt(calcolato, dc), "anno": a.anno}
        verifica = _verifica_affermazione(
            a, a.valore, _quantizza(calcolato, a.decimali), ok, nota, a.decimali
        )
        verifica.decimali_calcolato = dc
        return verifica
    if a.tipo == TipoAffermazione.MASSIMO:
        return _controlla_massimo(a, dati, d)
    smentite = []
    for nome, comune_id in _soggetti(dati, a):
        prima = _aggregato(dati, a, a.anno_base, comune_id)
        dopo = _aggregato(dati, a, a.anno, comune_id)
        if prima is None or dopo is None:
            smentite.append((nome, prima, dopo))
            continue
        variazione = (dopo - prima) * 100 / prima if prima else Decimal(0)
        vero = {
            TipoAffermazione.AUMENTO: dopo > prima,
            TipoAffermazione.DIMINUZIONE: dopo < prima,
            TipoAffermazione.INVARIATO: abs(variazione) <= a.soglia,
        }[a.tipo]
        if not vero:
            smentite.append((nome, prima, dopo))
    if not smentite:
        return _verifica_affermazione(a, None, None, True, "", d)
    dettagli = "; ".join(
        f"{nome}: {_fmt(prima, d)} → {_fmt(dopo, d)}" for nome, prima, dopo in smentite
    )
    nota = _("Dal %(a0)s al %(a1)s il dato non %(verbo)s per: %(dettagli)s.") % {
        "a0": a.anno_base,
        "a1": a.anno,
        "verbo": a.get_tipo_display(),
        "dettagli": dettagli,
    }
    _nome, prima, dopo = smentite[0]
    return _verifica_affermazione(a, prima, dopo, False, nota, d)


def _controlla_massimo(a, dati, d):
    """The named Comuni (or categories) are, in this order, the highest of each year."""
    nomi = dati.nomi_comuni()
    anni = range(a.anno_base or a.anno, a.anno + 1)
    attesi = a.elenco_soggetti
    for anno in anni:
        righe = dati.righe_di(a.misura_id, anno=anno)
        if any(r.comune_id for r in righe):
            valori = {nomi[c]: _aggregato(dati, a, anno, c) for c in {r.comune_id for r in righe}}
        else:
            valori = _per_categoria(dati, a, anno, righe, attesi[0])
        if not valori:
            continue
        classifica = sorted(valori, key=lambda k: valori[k], reverse=True)
        if [n.casefold() for n in classifica[: len(attesi)]] != [n.casefold() for n in attesi]:
            nominato = next((k for k in valori if k.casefold() == attesi[0].casefold()), None)
            nota = _(
                "Nel %(anno)s il valore più alto è di %(primo)s (%(v1)s), non di %(atteso)s "
                "(%(v2)s)."
            ) % {
                "anno": anno,
                "primo": classifica[0],
                "v1": _fmt(valori[classifica[0]], d),
                "atteso": attesi[0],
                "v2": _fmt(valori.get(nominato), d),
            }
            return _verifica_affermazione(
                a, valori.get(nominato), valori[classifica[0]], False, nota, d
            )
    return _verifica_affermazione(a, None, None, True, "", d)


def _per_categoria(dati, a, anno, righe, nominato):
    """The value of each category; when the categories are split by a second dimension
    ("75-79 · Uomini") and the claim names one part ("75-79", "Donne"), the rows are
    grouped by that part: "the 75-79 class is the highest" sums men and women."""
    parti = [r.categoria.split(" · ") for r in righe]
    posizione = next(
        (
            i
            for p in parti
            if len(p) > 1
            for i, nome in enumerate(p)
            if nome.casefold() == nominato.casefold()
        ),
        None,
    )
    if posizione is None:
        return {c: _aggregato(dati, a, anno, categorie=[c]) for c in {r.categoria for r in righe}}
    gruppi = defaultdict(list)
    for r, p in zip(righe, parti, strict=True):
        if len(p) > posizione:
            gruppi[p[posizione]].append(r.categoria)
    return {g: _aggregato(dati, a, anno, categorie=c) for g, c in gruppi.items()}


def controlli_affermazioni(*, fetched_by, ambito, dati=None) -> list[Verifica]:
    dati = dati or Dati(ambito)
    affermazioni = (
        Affermazione.objects.visible_to(fetched_by)
        .filter(tabella__ambito=ambito)
        .select_related("tabella")
        .order_by("tabella__ordine", "ordine", "pk")
    )
    return [_controlla(a, dati) for a in affermazioni]
