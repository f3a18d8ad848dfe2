"""The servizi pages' tables as .xlsx and CSV (ambito/platform/esportazioni.py): the
columns and the row of one object; the rows are the pages' own querysets."""

from django.utils.translation import gettext_lazy as _

from ambito.platform.esportazioni import DECIMALE, INTERO, SI_NO, TESTO, Colonna, Tabella

from .verifiche import CONCORDA, DIFFERISCE, NON_VERIFICABILE

SERVIZI_COLONNE = [
    Colonna(_("Area di intervento")),
    Colonna(_("Nome")),
    Colonna(_("Tipo")),
    Colonna(_("LEPS"), SI_NO),
    Colonna(_("Stato")),
    Colonna(_("Ente gestore")),
    Colonna(_("Ambito")),
    Colonna(_("Comuni")),
    Colonna(_("Linee di finanziamento")),
    Colonna(_("Avvisi"), INTERO),
]


def servizio_riga(s) -> list:
    return [
        s.area.nome if s.area_id else "",
        s.nome,
        s.get_tipo_display(),
        s.leps,
        s.get_stato_display(),
        s.ente_gestore.nome if s.ente_gestore_id else "",
        s.ambito.nome,
        ", ".join(c.nome for c in s.comuni.all()),
        ", ".join(f"{linea.codice} {linea.nome}" for linea in s.linee.all()),
        s.n_avvisi,
    ]


UNITA_COLONNE = [
    Colonna(_("Denominazione")),
    Colonna(_("Località")),
    Colonna(_("Tipologia")),
    Colonna(_("Sigla"), TESTO),
    Colonna(_("Natura")),
    Colonna(_("Area")),
    Colonna(_("Comune")),
    Colonna(_("Codice ISTAT"), TESTO),
    Colonna(_("Gestione")),
    Colonna(_("Posti"), INTERO),
]


def unita_riga(u) -> list:
    return [
        u.nome,
        u.localita,
        u.tipo.nome,
        u.tipo.sigla,
        u.tipo.get_natura_display(),
        u.get_area_display(),
        u.comune.nome if u.comune_id else "",
        u.comune.codice_istat if u.comune_id else "",
        u.get_gestione_display(),
        u.posti,
    ]


VERIFICA_COLONNE = [
    Colonna(_("Sezione")),
    Colonna(_("Dato")),
    Colonna(_("Nota")),
    Colonna(_("Controllo")),
    Colonna(_("Stampato"), DECIMALE),
    Colonna(_("Calcolato"), DECIMALE),
    Colonna(_("Differenza"), DECIMALE),
    Colonna(_("Esito")),
]

_ESITI = {
    CONCORDA: _("Concorda"),
    DIFFERISCE: _("Differisce"),
    NON_VERIFICABILE: _("Non verificabile"),
}


def verifica_riga(v) -> list:
    return [
        v.sezione,
        v.descrizione,
        v.nota,
        "" if v.esito == CONCORDA else v.tipo_display,
        v.stampato,
        v.calcolato,
        v.differenza,
        _ESITI.get(v.esito, v.esito),
    ]


def verifica_tabella(*, ambito, verifiche) -> Tabella:
    """The verification page's full list (every printed figure, checked or not)."""
    return Tabella(
        titolo=str(_("Verifica dei dati del Piano")),
        colonne=VERIFICA_COLONNE,
        righe=[verifica_riga(v) for v in verifiche],
        parametri={str(_("Ambito")): ambito.nome} if ambito else {},
    )
