"""Import of the unità d'offerta from the Ufficio di Piano's spreadsheet (issue 27).

A row names its unit by type, Comune and name (never by id). The Piano lists some
units twice with the same three (two sites of one nursery): the n-th such row of the
file is the n-th such unit already recorded, further ones are new. Every row is
checked by the same service as the form (`services.unita_save`).
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

from . import services
from .choices import AreaUtenza, Gestione
from .models import TipoUnitaOfferta, UnitaOfferta


@importatore("unita-offerta")
class UnitaOffertaImportatore(ImportatoreTabella):
    titolo = gettext_lazy("Unità d'offerta")
    permesso = "servizi.importa_unitaofferta"
    model = UnitaOfferta
    chiave_unica = False
    colonne = [
        Colonna("area", gettext_lazy("Area"), "testo", obbligatoria=True),
        Colonna("tipo", gettext_lazy("Tipologia"), "testo", obbligatoria=True),
        Colonna("nome", gettext_lazy("Denominazione"), "testo", obbligatoria=True),
        Colonna("comune", gettext_lazy("Comune"), "testo"),
        Colonna("localita", gettext_lazy("Località e gestore come indicati nel Piano"), "testo"),
        Colonna("posti", gettext_lazy("Posti"), "intero"),
        Colonna("gestione", gettext_lazy("Gestione"), "testo"),
        Colonna("ente_gestore", gettext_lazy("Ente gestore"), "testo"),
        Colonna("note", gettext_lazy("Note"), "testo"),
    ]

    def modello(self, *, ambito, user, **parametri) -> Tabella:
        unita = (
            UnitaOfferta.objects.visible_to(user)
            .filter(ambito=ambito)
            .select_related("tipo", "comune", "ente_gestore")
            .order_by("tipo__ordine", "comune__nome", "nome", "pk")
        )
        return Tabella(
            titolo=str(self.titolo),
            colonne=[str(c.etichetta) for c in self.colonne],
            righe=(
                [
                    u.get_area_display(),
                    u.tipo.nome,
                    u.nome,
                    u.comune.nome if u.comune else "",
                    u.localita,
                    u.posti,
                    u.get_gestione_display(),
                    u.ente_gestore.nome if u.ente_gestore else "",
                    u.note,
                ]
                for u in unita
            ),
            parametri={_("Ambito"): ambito.nome},
        )

    def contesto(self, *, ambito, **kwargs):
        return {
            **super().contesto(ambito=ambito, **kwargs),
            "tipi": per_nome(TipoUnitaOfferta.objects.all(), "nome", "sigla", "codice"),
            "comuni": per_nome(Comune.objects.filter(ambito=ambito), "nome", "codice_istat"),
            "enti": per_nome(Ente.objects.filter(ambito=ambito), "nome"),
        }

    def esistenti(self, contesto):
        esistenti: dict = {}
        unita = (
            UnitaOfferta.objects.filter(ambito=contesto["ambito"])
            .select_related("tipo", "comune", "ente_gestore")
            .order_by("pk")
        )
        for u in unita:
            esistenti.setdefault((u.tipo_id, u.comune_id, normalizza(u.nome)), []).append(u)
        return esistenti

    def leggi_riga(self, celle, contesto):
        errori = []

        def trova(chiave, mappa, messaggio):
            testo = str(celle.get(chiave) or "").strip()
            if not testo:
                return None
            trovato = contesto[mappa].get(normalizza(testo))
            if trovato is None:
                errori.append(messaggio % {"nome": testo})
            return trovato

        tipo = trova("tipo", "tipi", _("Tipologia «%(nome)s» sconosciuta."))
        comune = trova("comune", "comuni", _("Comune «%(nome)s» sconosciuto nell'Ambito."))
        ente = trova("ente_gestore", "enti", _("Ente gestore «%(nome)s» sconosciuto nell'Ambito."))
        area = gestione = None
        try:
            area = scelta(AreaUtenza, celle.get("area"), etichetta=_("Area"))
        except RigaRifiutata as rifiuto:
            errori += rifiuto.messaggi
        try:
            gestione = (
                scelta(Gestione, celle["gestione"], etichetta=_("Gestione"))
                if celle.get("gestione")
                else Gestione.NON_INDICATA
            )
        except RigaRifiutata as rifiuto:
            errori += rifiuto.messaggi
        if errori:
            raise RigaRifiutata(*errori)
        valori = {
            "area": area,
            "tipo": tipo,
            "nome": str(celle.get("nome") or "").strip(),
            "comune": comune,
            "localita": celle.get("localita") or "",
            "posti": celle.get("posti"),
            "gestione": gestione,
            "ente_gestore": ente,
            "note": celle.get("note") or "",
        }
        chiave = (tipo.pk, comune.pk if comune else None, normalizza(valori["nome"]))
        return chiave, valori, {}

    def nuovo(self, chiave, contesto):
        return UnitaOfferta(ambito=contesto["ambito"])

    def chiave_leggibile(self, chiave):
        return chiave[2]

    def valida(self, modifica, contesto):
        instance_validate(modifica.instance)

    def salva(self, modifica, contesto):
        services.unita_save(unita=modifica.instance)

    def descrivi_riga(self, unita):
        luogo = f" ({unita.comune.nome})" if unita.comune else ""
        return f"{unita.tipo.nome}: {unita.nome}{luogo}"
