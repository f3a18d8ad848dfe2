"""The context chapter of the next Piano, written from the tables: for a range of years,
each measure laid out per Comune (or per category, or for the Ambito alone) with the
Ambito's figure computed from the rows, its change, and Italian sentences generated from
templates over the same numbers (trend, Comuni that rise or fall, highest and lowest,
comparison with Lombardia), so no sentence can contradict its table. The page, the
chapter's own PDF and the Relazione's section use it.

The Ambito's figure of a count is the sum of its Comuni; of a rate, percentage or index
it is the mean of the Comuni weighted by their population (the sum of the numerators over
the sum of the denominators), of an average per family weighted by the families: never
the simple mean of the Comuni, which gives a village the weight of a city.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambito.templatetags.zonale import numero

from .choices import Territorio, TipoStampato, UnitaStatistica
from .models import DatoStampatoTabella, MisuraTabella, ValoreTabella

COMUNI, CATEGORIE, AMBITO = "comuni", "categorie", "ambito"


@dataclass
class Frase:
    """A generated sentence and what it states, so a test can hold it against the rows:
    `tipo` is "andamento", "aumenta", "diminuisce", "estremi" or "lombardia"."""

    testo: str
    tipo: str
    dati: dict = field(default_factory=dict)

    def __str__(self):
        return self.testo


@dataclass
class MisuraCapitolo:
    tabella: object
    misura: MisuraTabella
    anni: list  # years (None: a table without years)
    righe: list  # (Comune or category, [value per year])
    ambito: list  # the Ambito's figure per year, computed from the rows (None: not summable)
    lombardia: list
    variazione: Decimal | None
    tipo_righe: str = COMUNI
    pesi: MisuraTabella | None = None
    anni_pesi: dict = field(default_factory=dict)  # year -> year of the weights used
    frasi: list = field(default_factory=list)

    @property
    def conteggio(self):
        return self.misura.unita == UnitaStatistica.CONTEGGIO

    @property
    def decimali_ambito(self):
        return self.misura.decimali + (not self.conteggio and self.tipo_righe == COMUNI)

    @property
    def intestazione(self):
        return {COMUNI: _("Comune"), CATEGORIE: _("Voce"), AMBITO: ""}[self.tipo_righe]

    @property
    def aggregato(self):
        if self.tipo_righe == AMBITO:
            return _("Ambito")
        if self.conteggio:
            return _("Totale Ambito")
        if self.pesi is not None:
            return _("Ambito (media dei Comuni ponderata: %(pesi)s)") % {
                "pesi": self.pesi.nome.lower()
            }
        return _("Ambito")

    @property
    def nota_pesi(self):
        """Years whose weights come from another year, said once under the table."""
        altri = {a: p for a, p in self.anni_pesi.items() if a != p}
        if not altri:
            return ""
        return _("Pesi dell'anno più vicino disponibile: %(elenco)s.") % {
            "elenco": ", ".join(_("%(a)s con %(p)s") % {"a": a, "p": p} for a, p in altri.items())
        }

    @property
    def has_ambito(self):
        return any(v is not None for v in self.ambito)


def variazione(prima, dopo):
    if prima in (None, 0) or dopo is None:
        return None
    return (dopo - prima) * 100 / prima


def _verbo(var, soglia=Decimal("0.5")):
    if abs(var) < soglia:
        return _("resta sostanzialmente invariato")
    return _("cresce") if var > 0 else _("diminuisce")


def _segno(valore):
    return ("+" if valore > 0 else "") + numero(valore, 1)


def _frasi(m: MisuraCapitolo) -> list[Frase]:
    d = m.misura.decimali
    da = m.decimali_ambito
    frasi = []
    nome = m.misura.nome
    anni = [a for a in m.anni if a is not None]
    if m.variazione is not None:
        primo, ultimo = m.anni[0], m.anni[-1]
        frasi.append(
            Frase(
                _(
                    "Dal %(a0)s al %(a1)s il dato «%(nome)s» dell'Ambito %(verbo)s: da %(v0)s "
                    "a %(v1)s (%(var)s%%)."
                )
                % {
                    "a0": primo,
                    "a1": ultimo,
                    "nome": nome,
                    "verbo": _verbo(m.variazione),
                    "v0": numero(m.ambito[0], da),
                    "v1": numero(m.ambito[-1], da),
                    "var": _segno(m.variazione),
                },
                "andamento",
                {"prima": m.ambito[0], "dopo": m.ambito[-1], "variazione": m.variazione},
            )
        )
    if len(anni) > 1 and m.tipo_righe != AMBITO:
        su = [c for c, v in m.righe if None not in (v[0], v[-1]) and v[-1] > v[0]]
        giu = [c for c, v in m.righe if None not in (v[0], v[-1]) and v[-1] < v[0]]
        totale = len(m.righe)
        for tipo, elenco in (("aumenta", su), ("diminuisce", giu)):
            if not elenco:
                continue
            if m.tipo_righe == COMUNI:
                testo = (
                    ngettext(
                        "Aumenta in %(n)d Comune su %(tot)d (%(elenco)s).",
                        "Aumenta in %(n)d Comuni su %(tot)d (%(elenco)s).",
                        len(elenco),
                    )
                    if tipo == "aumenta"
                    else ngettext(
                        "Diminuisce in %(n)d Comune su %(tot)d (%(elenco)s).",
                        "Diminuisce in %(n)d Comuni su %(tot)d (%(elenco)s).",
                        len(elenco),
                    )
                )
            else:
                testo = (
                    ngettext(
                        "Aumenta per %(n)d voce su %(tot)d (%(elenco)s).",
                        "Aumenta per %(n)d voci su %(tot)d (%(elenco)s).",
                        len(elenco),
                    )
                    if tipo == "aumenta"
                    else ngettext(
                        "Diminuisce per %(n)d voce su %(tot)d (%(elenco)s).",
                        "Diminuisce per %(n)d voci su %(tot)d (%(elenco)s).",
                        len(elenco),
                    )
                )
            frasi.append(
                Frase(
                    testo % {"n": len(elenco), "tot": totale, "elenco": ", ".join(elenco)},
                    tipo,
                    {"soggetti": elenco},
                )
            )
    ultimi = [(c, v[-1]) for c, v in m.righe if v[-1] is not None]
    if len(ultimi) > 1 and len({v for _c, v in ultimi}) > 1:
        alto = max(ultimi, key=lambda cv: cv[1])
        basso = min(ultimi, key=lambda cv: cv[1])
        quando = (
            _("Nel %(anno)s") % {"anno": m.anni[-1]} if m.anni[-1] is not None else _("Nei dati")
        )
        frasi.append(
            Frase(
                _(
                    "%(quando)s il valore più alto è di %(alto)s (%(va)s), il più basso di "
                    "%(basso)s (%(vb)s)."
                )
                % {
                    "quando": quando,
                    "alto": alto[0],
                    "va": numero(alto[1], d),
                    "basso": basso[0],
                    "vb": numero(basso[1], d),
                },
                "estremi",
                {"alto": alto, "basso": basso},
            )
        )
    lombardia = variazione(m.lombardia[0], m.lombardia[-1]) if len(m.lombardia) > 1 else None
    if lombardia is not None and m.variazione is not None:
        confronto = (
            _("superiore a quella lombarda")
            if m.variazione > lombardia
            else _("inferiore a quella lombarda")
            if m.variazione < lombardia
            else _("uguale a quella lombarda")
        )
        frasi.append(
            Frase(
                _(
                    "In Lombardia lo stesso dato varia del %(var)s%%, nell'Ambito del "
                    "%(var_ambito)s%%: una variazione %(confronto)s."
                )
                % {
                    "var": _segno(lombardia),
                    "var_ambito": _segno(m.variazione),
                    "confronto": confronto,
                },
                "lombardia",
                {"lombardia": lombardia, "ambito": m.variazione},
            )
        )
    return frasi


def _anno_vicino(anni_disponibili, anno):
    """The year of the weights for `anno`: itself, else the nearest (the earlier on a tie)."""
    if anno in anni_disponibili:
        return anno
    if not anni_disponibili or anno is None:
        return None
    return min(anni_disponibili, key=lambda a: (abs(a - anno), a))


def _misura_pesi(misura, misure, denominatori, popolazione):
    """What a rate of the Comuni is weighted by: the families (the count of its own table)
    for an average per family, else the weights the Piano's printed mean names, else
    the residents."""
    if misura.unita == UnitaStatistica.MEDIA:
        for altra in misure:
            if altra.tabella_id == misura.tabella_id and altra.unita == UnitaStatistica.CONTEGGIO:
                return altra
    return denominatori.get(misura.pk) or popolazione


def _media_ponderata(righe, anni, pesi_per_comune):
    ambito, anni_pesi = [], {}
    anni_pesi_disponibili = sorted({a for valori in pesi_per_comune.values() for a in valori})
    for i, anno in enumerate(anni):
        anno_pesi = _anno_vicino(anni_pesi_disponibili, anno)
        coppie = [
            (v[i], pesi_per_comune.get(c, {}).get(anno_pesi)) for c, v in righe if v[i] is not None
        ]
        if not coppie or any(p is None for _v, p in coppie):
            ambito.append(None)
            continue
        anni_pesi[anno] = anno_pesi
        ambito.append(sum(v * p for v, p in coppie) / sum(p for _v, p in coppie))
    return ambito, anni_pesi


def capitolo_contesto(*, fetched_by, ambito, dal=None, al=None) -> list[MisuraCapitolo]:
    """Every measure of the Ambito's tables in the years asked: two queries (the rows of
    every table, the weights the printed means name)."""
    valori = (
        ValoreTabella.objects.visible_to(fetched_by)
        .filter(misura__tabella__ambito=ambito)
        .select_related("misura__tabella", "comune")
        .order_by("misura__tabella__ordine", "misura__ordine", "comune__nome", "anno", "pk")
    )
    denominatori = dict(
        DatoStampatoTabella.objects.visible_to(fetched_by)
        .filter(tabella__ambito=ambito, tipo=TipoStampato.MEDIA, denominatore__isnull=False)
        .values_list("misura_id", "denominatore_id")
        .distinct()
    )
    per_misura, comunali = {}, {}
    for v in valori:
        voce = per_misura.setdefault(
            v.misura_id, {"misura": v.misura, "c": {}, "k": {}, "a": {}, "l": {}}
        )
        if v.territorio == Territorio.COMUNE:
            # A Comune's row split by category (Tab. 1: its size class) is one row each.
            nome = f"{v.comune.nome} ({v.categoria})" if v.categoria else v.comune.nome
            voce["c"].setdefault(nome, {})[v.anno] = v.valore
            comunali.setdefault(v.misura_id, {}).setdefault(v.comune.nome, {})[v.anno] = v.valore
        elif v.territorio == Territorio.LOMBARDIA and not v.categoria:
            voce["l"][v.anno] = v.valore
        elif v.territorio in (Territorio.AMBITO, Territorio.ALTRO) and v.categoria:
            voce["k"].setdefault(v.categoria, {})[v.anno] = (v.valore, v.territorio)
        elif v.territorio == Territorio.AMBITO:
            voce["a"][v.anno] = v.valore
    misure = [voce["misura"] for voce in per_misura.values()]
    popolazione = next((m for m in misure if m.codice == "popolazione" and m.pk in comunali), None)
    pesi_per_pk = {m.pk: m for m in misure}

    def nell_intervallo(anno):
        if anno is None:
            return not (dal or al)
        return (not dal or anno >= dal) and (not al or anno <= al)

    capitolo = []
    for voce in per_misura.values():
        misura = voce["misura"]
        conteggio = misura.unita == UnitaStatistica.CONTEGGIO
        pesi, anni_pesi = None, {}
        if voce["c"]:
            tipo_righe, fonte = COMUNI, voce["c"]
        elif voce["k"]:
            tipo_righe = CATEGORIE
            fonte = {k: {a: vt[0] for a, vt in anni.items()} for k, anni in voce["k"].items()}
        elif voce["a"]:
            tipo_righe, fonte = AMBITO, {"": voce["a"]}
        else:
            continue
        anni = sorted(
            {a for valori_k in fonte.values() for a in valori_k if nell_intervallo(a)},
            key=lambda a: (a is not None, a or 0),
        )
        if not anni:
            continue
        righe = [(k, [valori_k.get(a) for a in anni]) for k, valori_k in fonte.items()]
        if tipo_righe == COMUNI:
            if conteggio:
                ambito_anni = [
                    sum(col) if (col := [v[i] for _c, v in righe if v[i] is not None]) else None
                    for i in range(len(anni))
                ]
            else:
                pesi = _misura_pesi(
                    misura,
                    misure,
                    {k: pesi_per_pk.get(p) for k, p in denominatori.items()},
                    popolazione,
                )
                ambito_anni, anni_pesi = _media_ponderata(
                    righe, anni, comunali.get(pesi.pk, {}) if pesi else {}
                )
        elif tipo_righe == CATEGORIE:
            # A count split by category adds up to the Ambito's; a place other than the
            # Ambito (the hospitals of Tab. 19) or a rate per category does not.
            sommabile = conteggio and all(
                t == Territorio.AMBITO for anni_k in voce["k"].values() for _v, t in anni_k.values()
            )
            ambito_anni = [
                sum(col)
                if sommabile and (col := [v[i] for _c, v in righe if v[i] is not None])
                else None
                for i in range(len(anni))
            ]
        else:
            ambito_anni, righe = righe[0][1], []
        lombardia = [voce["l"].get(a) for a in anni]
        m = MisuraCapitolo(
            tabella=misura.tabella,
            misura=misura,
            anni=anni,
            righe=righe,
            ambito=ambito_anni,
            lombardia=lombardia if None not in lombardia else [],
            variazione=variazione(ambito_anni[0], ambito_anni[-1])
            if len(anni) > 1 and None not in anni
            else None,
            tipo_righe=tipo_righe,
            pesi=pesi,
            anni_pesi=anni_pesi,
        )
        m.frasi = _frasi(m)
        capitolo.append(m)
    return capitolo
