"""Import of indicator values from the .xlsx template of a period (issue 27).

One row per Comune × indicator × categoria (the total has the categoria empty; the
Ambito's own indicators have the Codice ISTAT empty): the simplest shape for a
spreadsheet (filter, sort, paste) and the shape of the entry grid's cells. Each row
becomes a `services.Cella`; the cells of each Comune are checked by
`services.valori_validate` (dry run) and saved by `services.valori_save` (confirm),
the same service as the entry grid, so every rule and message is the grid's: units,
categories within the total, closed period, submitted or approved values, values far
from the history (a tick on the dry-run page confirms them).

A Comune or an indicator outside the user's scope reads exactly as one that does
not exist. Registered with the mechanism in ambito/platform/importazioni.py.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito.models import Comune
from ambito.platform.esportazioni import Tabella
from ambito.platform.importazioni import Colonna, EsitoRiga, Importatore, importatore
from ambito.templatetags.zonale import numero as formato_numero
from ambito.validators import e_un_id

from . import services
from .choices import Livello, UnitaMisura
from .models import Indicatore, Periodo, Valore
from .selectors import ORDINE_INDICATORI, ultimi_approvati

COLONNE = [
    Colonna("codice_istat", gettext_lazy("Codice ISTAT")),
    Colonna("comune", gettext_lazy("Comune")),
    Colonna("codice", gettext_lazy("Codice indicatore"), obbligatoria=True),
    Colonna("indicatore", gettext_lazy("Indicatore")),
    Colonna("categoria", gettext_lazy("Categoria")),
    Colonna("unita", gettext_lazy("Unità di misura")),
    Colonna("ultimo_approvato", gettext_lazy("Ultimo valore approvato")),
    Colonna("stato", gettext_lazy("Stato")),
    Colonna("valore", gettext_lazy("Valore"), "decimale"),
    Colonna("valore_testo", gettext_lazy("Valore (testo)")),
    Colonna("commento", gettext_lazy("Commento")),
]


def _codice_istat(testo) -> str:
    """Excel drops the leading zeros of a code typed as a number (015192 -> 15192)."""
    testo = str(testo or "").strip()
    return testo.zfill(6) if testo.isdigit() else testo


class _Ambito:
    """What the rows of one upload are checked against: only what the user may write."""

    def __init__(self, *, user, periodo):
        self.periodo = periodo
        self.comuni = {
            c.codice_istat: c
            for c in Comune.objects.filter(ambito_id=periodo.ambito_id).order_by("nome")
            if user.has_perm("indicatori.inserisce_valori", c)
        }
        self.scrive_ambito = user.has_perm("indicatori.inserisce_valori", periodo)
        self.indicatori = {
            i.codice: i
            for i in Indicatore.objects.visible_to(user)
            .dovuti_nel(periodo)
            .select_related("piano", "scheda")
            .prefetch_related("categorie")
            .order_by(*ORDINE_INDICATORI)
            if not i.calcolato
        }


def _periodo(user, ambito, pk) -> Periodo:
    if not e_un_id(str(pk)):
        raise Http404
    try:
        return Periodo.objects.visible_to(user).select_related("ambito").get(pk=pk, ambito=ambito)
    except Periodo.DoesNotExist:
        raise Http404 from None


@importatore("valori")
class ValoriImportatore(Importatore):
    titolo = gettext_lazy("Importa i valori degli indicatori")
    colonne = COLONNE
    permesso = "indicatori.importa_valori"
    etichetta_conferma = gettext_lazy(
        "sono corretti anche se più del triplo della mediana dei periodi precedenti"
    )

    def campi(self, *, user, ambito):
        periodi = Periodo.objects.visible_to(user).filter(ambito=ambito).order_by("-data_inizio")
        scelte = [(str(p.pk), p.nome) for p in periodi if p.aperto]
        return {
            "periodo": forms.ChoiceField(
                label=_("Periodo"),
                choices=scelte,
                help_text=_("Solo i periodi aperti accettano valori."),
            )
        }

    def parametri(self, *, user, ambito, dati):
        return {"periodo": _periodo(user, ambito, dati["periodo"]).pk}

    def descrivi(self, *, periodo=None, **_parametri):
        periodo = Periodo.objects.filter(pk=periodo).first() if periodo else None
        return {_("Periodo"): periodo.nome} if periodo else {}

    # --- The template ---------------------------------------------------------------

    def modello(self, *, ambito, user, periodo, **_parametri) -> Tabella:
        periodo = _periodo(user, ambito, periodo)
        contesto = _Ambito(user=user, periodo=periodo)
        indicatori = list(contesto.indicatori.values())
        ultimi = ultimi_approvati(fetched_by=user, periodo=periodo, indicatori=indicatori)
        presenti = {
            (v.comune_id, v.indicatore_id, v.categoria_id): v
            for v in Valore.objects.visible_to(user).filter(
                periodo=periodo, indicatore__in=indicatori
            )
        }
        righe = []
        territori = [(c, Livello.COMUNE) for c in contesto.comuni.values()]
        if contesto.scrive_ambito:
            territori.append((None, Livello.AMBITO))
        for comune, livello in territori:
            for indicatore in indicatori:
                if indicatore.livello != livello:
                    continue
                celle = [] if indicatore.categorie_esaustive else [None]
                celle += sorted(indicatore.categorie.all(), key=lambda c: (c.ordine, c.pk))
                for categoria in celle:
                    chiave = (
                        comune.pk if comune else None,
                        indicatore.pk,
                        categoria and categoria.pk,
                    )
                    valore = presenti.get(chiave)
                    righe.append(
                        [
                            comune.codice_istat if comune else "",
                            comune.nome if comune else _("Ambito"),
                            indicatore.codice,
                            indicatore.nome,
                            categoria.nome if categoria else "",
                            indicatore.get_unita_display(),
                            ultimi.get(chiave),
                            valore.get_stato_display() if valore else "",
                            valore.valore_numerico if valore else None,
                            valore.valore_testo if valore else "",
                            valore.commento if valore else "",
                        ]
                    )
        return Tabella(
            titolo=_("Valori %(periodo)s · %(ambito)s")
            % {
                "periodo": periodo.nome,
                "ambito": ambito.nome,
            },
            colonne=[str(c.etichetta) for c in COLONNE],
            righe=righe,
            parametri={_("Periodo"): periodo.nome},
        )

    # --- Dry run and apply ------------------------------------------------------------

    def _celle(self, righe, contesto):
        """Each row to (comune, Cella), or an EsitoRiga "rifiutata" saying why."""
        gia_viste: dict[tuple, int] = {}
        for riga in righe:
            errori = list(riga.errori)
            celle = riga.celle
            codice_istat = _codice_istat(celle.get("codice_istat"))
            comune = None
            if codice_istat:
                comune = contesto.comuni.get(codice_istat)
                if comune is None:
                    errori.append(
                        _(
                            "Comune con codice ISTAT «%(codice)s» sconosciuto: usare i codici "
                            "del modello scaricato."
                        )
                        % {"codice": codice_istat}
                    )
            elif not contesto.scrive_ambito:
                errori.append(_("Manca il codice ISTAT del Comune."))
            codice = str(celle.get("codice") or "").strip()
            indicatore = contesto.indicatori.get(codice)
            livello_atteso = Livello.COMUNE if codice_istat else Livello.AMBITO
            if codice and (indicatore is None or indicatore.livello != livello_atteso):
                errori.append(
                    _(
                        "Indicatore «%(codice)s» sconosciuto per questo periodo: usare i codici "
                        "del modello scaricato."
                    )
                    % {"codice": codice}
                )
                indicatore = None
            categoria = None
            nome_categoria = str(celle.get("categoria") or "").strip()
            if indicatore is not None and nome_categoria:
                categoria = next(
                    (
                        c
                        for c in indicatore.categorie.all()
                        if c.nome.strip().lower() == nome_categoria.lower()
                    ),
                    None,
                )
                if categoria is None:
                    errori.append(
                        _(
                            "La categoria «%(categoria)s» non è prevista per "
                            "l'indicatore %(codice)s."
                        )
                        % {"categoria": nome_categoria, "codice": codice}
                    )
            elif indicatore is not None and indicatore.categorie_esaustive:
                errori.append(
                    _("L'indicatore %(codice)s si compila per categoria: indicare la categoria.")
                    % {"codice": codice}
                )
            descrizione = " · ".join(
                str(p)
                for p in (
                    comune.nome if comune else (_("Ambito") if not codice_istat else codice_istat),
                    codice,
                    nome_categoria,
                )
                if p
            )
            if errori:
                yield EsitoRiga(riga.numero, "rifiutata", descrizione, errori), None, None
                continue
            chiave = (comune and comune.pk, indicatore.pk, categoria and categoria.pk)
            if chiave in gia_viste:
                messaggio = _("La stessa cella è già alla riga %(n)s.") % {"n": gia_viste[chiave]}
                yield EsitoRiga(riga.numero, "rifiutata", descrizione, [messaggio]), None, None
                continue
            gia_viste[chiave] = riga.numero
            numero = celle.get("valore")
            testo = str(celle.get("valore_testo") or "").strip()
            if indicatore.unita == UnitaMisura.TESTO and numero is not None and not testo:
                testo, numero = str(numero), None
            cella = services.Cella(
                indicatore=indicatore,
                categoria=categoria,
                valore_numerico=numero if isinstance(numero, Decimal) or numero is None else None,
                valore_testo=testo,
                commento=str(celle.get("commento") or ""),
            )
            yield EsitoRiga(riga.numero, "", descrizione), comune, cella

    def prova(self, righe, *, ambito, user, periodo, conferma=False, **_parametri):
        periodo = _periodo(user, ambito, periodo)
        contesto = _Ambito(user=user, periodo=periodo)
        esiti: list[EsitoRiga] = []
        per_comune: dict[object, list[tuple[EsitoRiga, services.Cella]]] = defaultdict(list)
        for esito, comune, cella in self._celle(righe, contesto):
            esiti.append(esito)
            if cella is not None:
                per_comune[comune].append((esito, cella))
        esistenti = _esistenti(periodo, per_comune)
        for comune, coppie in per_comune.items():
            for esito, cella in coppie:
                attuale = esistenti.get((comune and comune.pk, cella.chiave))
                cella.versione = attuale.versione if attuale else 0
                if services.cella_invariata(cella, attuale):
                    esito.azione = "invariata"
                else:
                    esito.azione = "modifica" if attuale else "crea"
                    esito.descrizione += ": " + _cambio(attuale, cella)
                esito.dati = (comune, cella)
            self._verifica(user, periodo, comune, coppie, conferma)
        return esiti

    def _verifica(self, user, periodo, comune, coppie, conferma):
        """The entry grid's rules on the cells of one Comune; messages onto their rows."""
        try:
            services.valori_validate(
                user=user,
                periodo=periodo,
                comune=comune,
                celle=[c for _e, c in coppie],
                conferma_anomalie=conferma,
            )
        except PermissionDenied:
            for esito, _c in coppie:
                esito.azione = "rifiutata"
                esito.messaggi.append(_("Non hai i permessi per inserire questi valori."))
        except services.ErroriValori as errore:
            per_chiave = defaultdict(list)
            for e in errore.errori:
                per_chiave[e.chiave].append(e)
            for esito, cella in coppie:
                propri = per_chiave.get(cella.chiave, [])
                if errore.solo_anomalie:
                    if propri:
                        esito.da_confermare = True
                        esito.messaggi.extend(e.messaggio for e in propri)
                    continue
                generali = per_chiave.get("", [])
                messaggi = [e.messaggio for e in generali + propri if not e.anomalia]
                if messaggi:
                    esito.azione = "rifiutata"
                    esito.messaggi.extend(messaggi)
                elif esito.azione != "invariata":
                    # All or nothing per Comune, as in the grid: say why this row waits.
                    esito.azione = "rifiutata"
                    esito.messaggi.append(
                        _("Non si importa finché le altre righe dello stesso Comune hanno errori.")
                    )

    def applica(self, esiti, *, ambito, user, motivo, periodo, conferma=False, **_parametri):
        periodo = _periodo(user, ambito, periodo)
        per_comune = defaultdict(list)
        for esito in esiti:
            comune, cella = esito.dati
            per_comune[comune].append(cella)
        for comune, celle in per_comune.items():
            services.valori_save(
                user=user,
                periodo=periodo,
                comune=comune,
                celle=celle,
                conferma_anomalie=conferma,
                motivo=motivo,
            )


def _testo_valore(numero, testo) -> str:
    if numero is not None:
        return formato_numero(numero, 0 if numero == numero.to_integral_value() else 2)
    return testo or _("vuoto")


def _cambio(attuale, cella) -> str:
    """What the row changes, as the dry run shows it: «5 → 6»."""
    nuovo = _testo_valore(cella.valore_numerico, cella.valore_testo.strip())
    if attuale is None:
        return nuovo
    vecchio = _testo_valore(attuale.valore_numerico, attuale.valore_testo)
    return f"{vecchio} → {nuovo}" if vecchio != nuovo else _("commento modificato")


def _esistenti(periodo, per_comune) -> dict:
    """The stored values of the Comuni of the file, in one query."""
    comuni = [c.pk for c in per_comune if c is not None]
    territorio = Q(comune_id__in=comuni)
    if None in per_comune:
        territorio |= Q(comune__isnull=True)
    valori = Valore.objects.filter(territorio, periodo=periodo)
    return {
        (v.comune_id, services.chiave_cella(v.indicatore_id, v.categoria_id)): v for v in valori
    }
