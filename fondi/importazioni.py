"""Imports of the fondi app's tables from the Ufficio di Piano's spreadsheets: yearly
allocations, projects, and their financial progress snapshots (issue 27).

Each row is checked by the same service as the forms (`services.py`), so a refusal
carries the form's Italian message. Lines and projects are named in the file by code
(or name), never by id; a project of another Ambito is "sconosciuto".
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambito.models import Comune, Ente
from ambito.platform.esportazioni import Tabella
from ambito.platform.importazioni import Colonna, importatore
from ambito.platform.importazioni_tabelle import (
    ImportatoreTabella,
    RigaRifiutata,
    normalizza,
    per_nome,
    scelta,
)
from ambito.platform.services import instance_validate
from ambito.templatetags.zonale import euro

from . import services
from .choices import StatoProgetto
from .models import Assegnazione, AvanzamentoFinanziario, LineaFinanziamento, Progetto

SEPARATORE_ELENCO = ";"


def _testo(valore) -> str:
    return str(valore).strip() if valore is not None else ""


def _linee() -> dict:
    """Lines by code and by name: the national tree is public reference data."""
    return per_nome(LineaFinanziamento.objects.all(), "codice", "nome")


def _linea(celle, linee, *, etichetta):
    testo = _testo(celle.get("linea"))
    if not testo:
        raise RigaRifiutata(_("%(colonna)s: manca la linea.") % {"colonna": etichetta})
    linea = linee.get(normalizza(testo))
    if linea is None:
        raise RigaRifiutata(_("Linea di finanziamento «%(linea)s» sconosciuta.") % {"linea": testo})
    return linea


# --- Yearly allocations ----------------------------------------------------------------


@importatore("assegnazioni")
class AssegnazioniImportatore(ImportatoreTabella):
    """One row per funding line and year: the amount the Ambito manages (Piano, § 2.5)."""

    titolo = gettext_lazy("Assegnazioni di fondi")
    permesso = "fondi.importa_assegnazioni"
    model = Assegnazione
    colonne = [
        Colonna("anno", gettext_lazy("Anno"), "intero", obbligatoria=True),
        Colonna("linea", gettext_lazy("Codice linea"), "testo", obbligatoria=True),
        Colonna("nome_linea", gettext_lazy("Linea di finanziamento (solo lettura)"), "testo"),
        Colonna("importo", gettext_lazy("Importo (€)"), "decimale", obbligatoria=True),
        Colonna("interventi", gettext_lazy("Interventi finanziati"), "testo"),
        Colonna("nota_fonte", gettext_lazy("Nota sulla fonte del dato"), "testo"),
    ]

    def modello(self, *, ambito, user, **parametri) -> Tabella:
        assegnazioni = (
            Assegnazione.objects.visible_to(user)
            .filter(ambito=ambito)
            .select_related("linea")
            .order_by("anno", "linea__codice")
        )
        return Tabella(
            titolo=str(self.titolo),
            colonne=[str(c.etichetta) for c in self.colonne],
            righe=(
                [a.anno, a.linea.codice, a.linea.nome, a.importo, a.interventi, a.nota_fonte]
                for a in assegnazioni
            ),
            parametri={_("Ambito"): ambito.nome},
        )

    def contesto(self, **kwargs):
        return {**super().contesto(**kwargs), "linee": _linee()}

    def esistenti(self, contesto):
        righe = Assegnazione.objects.filter(ambito=contesto["ambito"]).select_related("linea")
        return {(a.linea.codice, a.anno): [a] for a in righe.order_by("pk")}

    def leggi_riga(self, celle, contesto):
        linea = _linea(celle, contesto["linee"], etichetta=self.colonne[1].etichetta)
        anno = celle.get("anno")
        valori = {
            "importo": celle.get("importo"),
            "interventi": _testo(celle.get("interventi")),
            "nota_fonte": _testo(celle.get("nota_fonte")),
        }
        return (linea.codice, anno), valori, {}

    def nuovo(self, chiave, contesto):
        codice, anno = chiave
        linea = contesto["linee"][normalizza(codice)]
        return Assegnazione(ambito=contesto["ambito"], linea=linea, anno=anno)

    def valida(self, modifica, contesto):
        instance_validate(modifica.instance)

    def salva(self, modifica, contesto):
        services.assegnazione_save(assegnazione=modifica.instance)

    def descrivi_riga(self, assegnazione):
        return f"{assegnazione.linea.codice} {assegnazione.anno}: {euro(assegnazione.importo)}"


# --- Projects ----------------------------------------------------------------------------


def _cup(valore) -> str:
    """A CUP as the model stores it (spaces removed, upper case), "" when not given."""
    return _testo(valore).replace(" ", "").upper()


class ProgettiDellAmbito:
    """The lead Ambito's projects by CUP, local code and title: how a row names one."""

    def __init__(self, ambito, *, prefetch=()):
        self.tutti = list(
            Progetto.objects.filter(ambito=ambito)
            .select_related("linea", "soggetto_attuatore")
            .prefetch_related(*prefetch)
            .order_by("pk")
        )
        self.stati = {p.pk: p.stato for p in self.tutti}
        self.per_cup = {p.cup: p for p in self.tutti if p.cup}
        self.per_codice = {normalizza(p.codice_locale): p for p in self.tutti if p.codice_locale}
        self.per_titolo: dict = {}
        for progetto in self.tutti:
            self.per_titolo.setdefault(normalizza(progetto.titolo), []).append(progetto)

    def trova(self, celle) -> Progetto | None:
        """The project a row names (CUP, else local code, else title), None if none."""
        cup, codice = _cup(celle.get("cup")), _testo(celle.get("codice_locale"))
        if cup and cup in self.per_cup:
            return self.per_cup[cup]
        if codice and normalizza(codice) in self.per_codice:
            return self.per_codice[normalizza(codice)]
        if cup or codice:
            # A CUP or a code not yet recorded may still name a project by its title.
            omonimi = [
                p
                for p in self.per_titolo.get(normalizza(celle.get("titolo")), [])
                if not (cup and p.cup) and not (codice and p.codice_locale)
            ]
        else:
            omonimi = self.per_titolo.get(normalizza(celle.get("titolo")), [])
        if len(omonimi) > 1:
            raise RigaRifiutata(
                _(
                    "Più progetti dell'Ambito hanno il titolo «%(titolo)s»: indicare il CUP "
                    "o il codice locale."
                )
                % {"titolo": _testo(celle.get("titolo"))}
            )
        return omonimi[0] if omonimi else None

    def stato_salvato(self, progetto) -> str | None:
        """The state stored before the import (None for a new project)."""
        return self.stati.get(progetto.pk)


def _nome_progetto(celle) -> str:
    return (
        _cup(celle.get("cup")) or _testo(celle.get("codice_locale")) or _testo(celle.get("titolo"))
    )


COLONNE_PROGETTO = [
    Colonna("cup", gettext_lazy("CUP"), "testo"),
    Colonna("codice_locale", gettext_lazy("Codice locale"), "testo"),
    Colonna("titolo", gettext_lazy("Titolo del progetto"), "testo", obbligatoria=True),
]


def _data(valore):
    return valore.strftime("%d/%m/%Y") if valore else ""


@importatore("progetti")
class ProgettiImportatore(ImportatoreTabella):
    """One row per project of the Ambito (lead). A new project may start in any state
    (projects with a history are registered admitted or running: this import, with its
    audit reason, is that explicit path); an existing project changes state only by an
    allowed transition, through `services.progetto_transition`."""

    titolo = gettext_lazy("Progetti")
    permesso = "fondi.importa_progetti"
    model = Progetto
    colonne = [
        *COLONNE_PROGETTO,
        Colonna("linea", gettext_lazy("Codice linea"), "testo", obbligatoria=True),
        Colonna("stato", gettext_lazy("Stato"), "testo", obbligatoria=True),
        Colonna("soggetto_attuatore", gettext_lazy("Soggetto attuatore"), "testo"),
        Colonna("rup", gettext_lazy("RUP"), "testo"),
        Colonna("anno_finanziamento", gettext_lazy("Anno del finanziamento"), "intero"),
        Colonna("data_inizio", gettext_lazy("Data di inizio"), "data"),
        Colonna("data_fine", gettext_lazy("Data di fine"), "data"),
        Colonna("data_scadenza", gettext_lazy("Scadenza"), "data"),
        Colonna("comuni", gettext_lazy("Comuni coinvolti (separati da ;)"), "testo"),
    ]

    def modello(self, *, ambito, user, **parametri) -> Tabella:
        progetti = (
            Progetto.objects.visible_to(user)
            .filter(ambito=ambito)
            .select_related("linea", "soggetto_attuatore")
            .prefetch_related("comuni")
            .order_by("titolo", "pk")
        )
        return Tabella(
            titolo=str(self.titolo),
            colonne=[str(c.etichetta) for c in self.colonne],
            righe=(
                [
                    p.cup or "",
                    p.codice_locale,
                    p.titolo,
                    p.linea.codice,
                    p.get_stato_display(),
                    p.soggetto_attuatore.nome if p.soggetto_attuatore else "",
                    p.rup,
                    p.anno_finanziamento,
                    p.data_inizio,
                    p.data_fine,
                    p.data_scadenza,
                    f"{SEPARATORE_ELENCO} ".join(sorted(c.nome for c in p.comuni.all())),
                ]
                for p in progetti
            ),
            parametri={_("Ambito"): ambito.nome},
        )

    def contesto(self, *, ambito, **kwargs):
        progetti = ProgettiDellAmbito(ambito, prefetch=("comuni", "ambiti_partner"))
        partner = {a.pk for p in progetti.tutti for a in p.ambiti_partner.all()}
        return {
            **super().contesto(ambito=ambito, **kwargs),
            "linee": _linee(),
            "progetti": progetti,
            "enti": per_nome(Ente.objects.filter(ambito=ambito), "nome"),
            # The lead Ambito's Comuni first: a name repeated in a partner Ambito is its own.
            "comuni": per_nome(
                sorted(
                    Comune.objects.filter(ambito_id__in={ambito.pk, *partner}),
                    key=lambda c: (c.ambito_id != ambito.pk, c.nome),
                ),
                "nome",
                "codice_istat",
            ),
        }

    def esistenti(self, contesto):
        return {("progetto", p.pk): [p] for p in contesto["progetti"].tutti}

    def leggi_riga(self, celle, contesto):
        errori = []
        progetto = contesto["progetti"].trova(celle)
        try:
            linea = _linea(celle, contesto["linee"], etichetta=self.colonne[3].etichetta)
        except RigaRifiutata as rifiuto:
            errori += rifiuto.messaggi
            linea = None
        try:
            stato = scelta(StatoProgetto, celle.get("stato"), etichetta=_("Stato"))
        except RigaRifiutata as rifiuto:
            errori += rifiuto.messaggi
            stato = None
        ente = None
        if nome_ente := _testo(celle.get("soggetto_attuatore")):
            ente = contesto["enti"].get(normalizza(nome_ente))
            if ente is None:
                errori.append(
                    _("Soggetto attuatore «%(ente)s» sconosciuto nell'Ambito.")
                    % {"ente": nome_ente}
                )
        comuni = set()
        for nome in (
            _testo(celle.get("comuni")).replace(",", SEPARATORE_ELENCO).split(SEPARATORE_ELENCO)
        ):
            if not nome.strip():
                continue
            comune = contesto["comuni"].get(normalizza(nome))
            if comune is None:
                errori.append(_("Comune «%(comune)s» sconosciuto.") % {"comune": nome.strip()})
            else:
                comuni.add(comune)
        if errori:
            raise RigaRifiutata(*errori)
        valori = {
            "cup": _cup(celle.get("cup")) or None,
            "codice_locale": _testo(celle.get("codice_locale")),
            "titolo": _testo(celle.get("titolo")),
            "linea": linea,
            "stato": stato,
            "soggetto_attuatore": ente,
            "rup": _testo(celle.get("rup")),
            "anno_finanziamento": celle.get("anno_finanziamento"),
            "data_inizio": celle.get("data_inizio"),
            "data_fine": celle.get("data_fine"),
            "data_scadenza": celle.get("data_scadenza"),
        }
        chiave = (
            ("progetto", progetto.pk) if progetto else ("nuovo", normalizza(_nome_progetto(celle)))
        )
        return chiave, valori, {"comuni": frozenset(comuni)}

    def nuovo(self, chiave, contesto):
        return Progetto(ambito=contesto["ambito"])

    def relazioni_di(self, progetto, contesto):
        return {"comuni": frozenset(progetto.comuni.all())}

    def chiave_leggibile(self, chiave):
        return _("lo stesso progetto")

    def _partner(self, progetto):
        return list(progetto.ambiti_partner.all()) if progetto.pk else []

    def valida(self, modifica, contesto):
        progetto = modifica.instance
        stato = progetto.stato
        if not progetto.pk:
            # Checked as it is created («candidato»): `salva` then walks it to its state.
            progetto.stato = StatoProgetto.CANDIDATO
        try:
            services.progetto_validate(
                progetto=progetto,
                ambiti_partner=self._partner(progetto),
                comuni=modifica.relazioni["comuni"],
                stato_precedente=contesto["progetti"].stato_salvato(progetto),
            )
        finally:
            progetto.stato = stato

    def salva(self, modifica, contesto):
        progetto, comuni = modifica.instance, modifica.relazioni["comuni"]
        if not progetto.pk:
            # The explicit, audited path of a project that already has a history.
            services.progetto_import_with_history(
                progetto=progetto, motivo=progetto._change_reason, comuni=comuni
            )
            return
        stato = progetto.stato
        progetto.stato = contesto["progetti"].stato_salvato(progetto)
        services.progetto_update(progetto=progetto, comuni=comuni)
        if stato != progetto.stato:
            services.progetto_transition(progetto=progetto, stato=stato)

    def descrivi_riga(self, progetto):
        return " – ".join(filter(None, [progetto.cup or progetto.codice_locale, progetto.titolo]))


# --- Financial progress snapshots ----------------------------------------------------------


@importatore("avanzamenti")
class AvanzamentiImportatore(ImportatoreTabella):
    """One row per project and date: the four stages of the monitoring portals. Earlier
    snapshots stay; a row with the date of a recorded one corrects it."""

    titolo = gettext_lazy("Avanzamento finanziario dei progetti")
    permesso = "fondi.importa_progetti"
    model = AvanzamentoFinanziario
    colonne = [
        *COLONNE_PROGETTO,
        Colonna("data", gettext_lazy("Data di rilevazione"), "data", obbligatoria=True),
        Colonna(
            "programmato", gettext_lazy("Importo programmato (€)"), "decimale", obbligatoria=True
        ),
        Colonna(
            "ammesso", gettext_lazy("Ammesso a finanziamento (€)"), "decimale", obbligatoria=True
        ),
        Colonna(
            "vincolante",
            gettext_lazy("Giuridicamente vincolante (€)"),
            "decimale",
            obbligatoria=True,
        ),
        Colonna("erogato", gettext_lazy("Erogato (€)"), "decimale", obbligatoria=True),
        Colonna("nota", gettext_lazy("Nota"), "testo"),
    ]

    def modello(self, *, ambito, user, **parametri) -> Tabella:
        avanzamenti = (
            AvanzamentoFinanziario.objects.visible_to(user)
            .filter(progetto__ambito=ambito)
            .select_related("progetto")
            .order_by("progetto__titolo", "progetto_id", "data")
        )
        return Tabella(
            titolo=str(self.titolo),
            colonne=[str(c.etichetta) for c in self.colonne],
            righe=(
                [
                    a.progetto.cup or "",
                    a.progetto.codice_locale,
                    a.progetto.titolo,
                    a.data,
                    a.programmato,
                    a.ammesso,
                    a.vincolante,
                    a.erogato,
                    a.nota,
                ]
                for a in avanzamenti
            ),
            parametri={_("Ambito"): ambito.nome},
        )

    def contesto(self, *, ambito, **kwargs):
        return {
            **super().contesto(ambito=ambito, **kwargs),
            "progetti": ProgettiDellAmbito(ambito),
        }

    def esistenti(self, contesto):
        righe = AvanzamentoFinanziario.objects.filter(
            progetto__ambito=contesto["ambito"]
        ).select_related("progetto")
        return {(a.progetto_id, a.data): [a] for a in righe.order_by("pk")}

    def leggi_riga(self, celle, contesto):
        progetto = contesto["progetti"].trova(celle)
        if progetto is None:
            raise RigaRifiutata(
                _("Progetto «%(progetto)s» sconosciuto nell'Ambito.")
                % {"progetto": _nome_progetto(celle)}
            )
        valori = {
            campo: celle.get(campo) for campo in ("programmato", "ammesso", "vincolante", "erogato")
        }
        valori["nota"] = _testo(celle.get("nota"))
        return (progetto.pk, celle.get("data")), valori, {}

    def nuovo(self, chiave, contesto):
        progetto_id, data = chiave
        progetto = next(p for p in contesto["progetti"].tutti if p.pk == progetto_id)
        return AvanzamentoFinanziario(progetto=progetto, data=data)

    def chiave_leggibile(self, chiave):
        progetto_id, data = chiave
        return _("la rilevazione del %(data)s dello stesso progetto") % {"data": _data(data)}

    def valida(self, modifica, contesto):
        instance_validate(modifica.instance)

    def salva(self, modifica, contesto):
        services.avanzamento_save(avanzamento=modifica.instance)

    def descrivi_riga(self, avanzamento):
        return _("%(progetto)s al %(data)s: erogato %(erogato)s") % {
            "progetto": avanzamento.progetto.titolo,
            "data": _data(avanzamento.data),
            "erogato": euro(avanzamento.erogato),
        }
