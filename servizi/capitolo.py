"""The context chapter of the next Piano, written from the tables: for a range of years,
each measure laid out per Comune with the Ambito's figure computed from the rows, its
change, and Italian sentences generated from templates over the same numbers (trend,
Comuni that rise or fall, highest and lowest Comune, comparison with Lombardia), so no
sentence can contradict its table. The page and the Relazione's PDF section use it."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambito.templatetags.zonale import numero

from .choices import Territorio, UnitaStatistica
from .models import MisuraTabella, Tabella, ValoreTabella


@dataclass
class MisuraCapitolo:
    tabella: Tabella
    misura: MisuraTabella
    anni: list
    righe: list  # (Comune, [value per year])
    ambito: list  # the Ambito's figure per year, computed from the Comuni
    lombardia: list
    variazione: Decimal | None
    frasi: list = field(default_factory=list)

    @property
    def decimali_ambito(self):
        return self.misura.decimali + (self.misura.unita != UnitaStatistica.CONTEGGIO)

    @property
    def aggregato(self):
        if self.misura.unita == UnitaStatistica.CONTEGGIO:
            return _("Totale Ambito")
        return _("Media dei Comuni")


def _variazione(prima, dopo):
    if prima in (None, 0) or dopo is None:
        return None
    return (dopo - prima) * 100 / prima


def _verbo(variazione, soglia=Decimal("0.5")):
    if variazione is None:
        return None
    if abs(variazione) < soglia:
        return _("resta sostanzialmente invariato")
    return _("cresce") if variazione > 0 else _("diminuisce")


def _frasi(m: MisuraCapitolo) -> list[str]:
    d = m.misura.decimali
    # The Ambito's mean of a rate gets one more digit than the Comuni's values.
    da = d if m.misura.unita == UnitaStatistica.CONTEGGIO else d + 1
    primo, ultimo = m.anni[0], m.anni[-1]
    frasi = []
    nome = m.misura.nome
    if m.variazione is not None:
        frasi.append(
            _(
                "Dal %(a0)s al %(a1)s il dato «%(nome)s» dell'Ambito %(verbo)s: da %(v0)s a "
                "%(v1)s (%(var)s%%)."
            )
            % {
                "a0": primo,
                "a1": ultimo,
                "nome": nome,
                "verbo": _verbo(m.variazione),
                "v0": numero(m.ambito[0], da),
                "v1": numero(m.ambito[-1], da),
                "var": ("+" if m.variazione > 0 else "") + numero(m.variazione, 1),
            }
        )
        su = [c for c, v in m.righe if None not in (v[0], v[-1]) and v[-1] > v[0]]
        giu = [c for c, v in m.righe if None not in (v[0], v[-1]) and v[-1] < v[0]]
        totale = len(m.righe)
        if su:
            frasi.append(
                ngettext(
                    "Aumenta in %(n)d Comune su %(tot)d (%(elenco)s).",
                    "Aumenta in %(n)d Comuni su %(tot)d (%(elenco)s).",
                    len(su),
                )
                % {"n": len(su), "tot": totale, "elenco": ", ".join(su)}
            )
        if giu:
            frasi.append(
                ngettext(
                    "Diminuisce in %(n)d Comune su %(tot)d (%(elenco)s).",
                    "Diminuisce in %(n)d Comuni su %(tot)d (%(elenco)s).",
                    len(giu),
                )
                % {"n": len(giu), "tot": totale, "elenco": ", ".join(giu)}
            )
    ultimi = [(c, v[-1]) for c, v in m.righe if v[-1] is not None]
    if len(ultimi) > 1:
        alto = max(ultimi, key=lambda cv: cv[1])
        basso = min(ultimi, key=lambda cv: cv[1])
        frasi.append(
            _(
                "Nel %(anno)s il valore più alto è di %(alto)s (%(va)s), il più basso di "
                "%(basso)s (%(vb)s)."
            )
            % {
                "anno": ultimo,
                "alto": alto[0],
                "va": numero(alto[1], d),
                "basso": basso[0],
                "vb": numero(basso[1], d),
            }
        )
    lombardia = _variazione(m.lombardia[0], m.lombardia[-1]) if m.lombardia else None
    if lombardia is not None and m.variazione is not None:
        confronto = (
            _("più che in Lombardia")
            if m.variazione > lombardia
            else _("meno che in Lombardia")
            if m.variazione < lombardia
            else _("come in Lombardia")
        )
        frasi.append(
            _("In Lombardia lo stesso dato varia del %(var)s%%: l'Ambito varia %(confronto)s.")
            % {
                "var": ("+" if lombardia > 0 else "") + numero(lombardia, 1),
                "confronto": confronto,
            }
        )
    return frasi


def capitolo_contesto(*, fetched_by, ambito, dal=None, al=None) -> list[MisuraCapitolo]:
    """Every measure with values per Comune in the years asked (one query for all rows)."""
    valori = (
        ValoreTabella.objects.visible_to(fetched_by)
        .filter(misura__tabella__ambito=ambito, anno__isnull=False)
        .filter(territorio__in=[Territorio.COMUNE, Territorio.LOMBARDIA])
        .select_related("misura__tabella", "comune")
        .order_by("misura__tabella__ordine", "misura__ordine", "comune__nome", "anno")
    )
    if dal:
        valori = valori.filter(anno__gte=dal)
    if al:
        valori = valori.filter(anno__lte=al)
    per_misura = {}
    for v in valori:
        voce = per_misura.setdefault(v.misura_id, {"misura": v.misura, "c": {}, "l": {}})
        if v.territorio == Territorio.LOMBARDIA:
            voce["l"][v.anno] = v.valore
        else:
            voce["c"].setdefault(v.comune.nome, {})[v.anno] = v.valore
    capitolo = []
    for voce in per_misura.values():
        misura = voce["misura"]
        if not voce["c"]:
            continue
        anni = sorted({a for valori_c in voce["c"].values() for a in valori_c})
        righe = [(c, [valori_c.get(a) for a in anni]) for c, valori_c in voce["c"].items()]
        ambito_anni = []
        for i, _anno in enumerate(anni):
            colonna = [v[i] for _c, v in righe if v[i] is not None]
            if not colonna:
                ambito_anni.append(None)
            elif misura.unita == UnitaStatistica.CONTEGGIO:
                ambito_anni.append(sum(colonna))
            else:
                ambito_anni.append(sum(colonna) / len(colonna))
        lombardia = [voce["l"][a] for a in anni if a in voce["l"]]
        m = MisuraCapitolo(
            tabella=misura.tabella,
            misura=misura,
            anni=anni,
            righe=righe,
            ambito=ambito_anni,
            lombardia=lombardia if len(lombardia) == len(anni) else [],
            variazione=_variazione(ambito_anni[0], ambito_anni[-1]) if len(anni) > 1 else None,
        )
        m.frasi = _frasi(m)
        capitolo.append(m)
    return capitolo
