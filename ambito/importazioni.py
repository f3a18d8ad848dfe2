"""Import of the population by Comune and year (issue 27): the template's columns, or
ISTAT's resident population CSV («Popolazione residente al 1° gennaio», demo.istat.it:
Codice comune, Comune, Età, Maschi, Femmine, Totale), read by `istat.leggi_popolazione`.

The ISTAT file carries no year (it is in its title): the upload asks for it. Its rows of
Comuni outside the Ambito (a whole province's file) are left out; in the template, a
Comune outside the Ambito is refused as unknown. Each row is checked and saved by the
form's service (`services.dati_demografici_save`).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Comune, DatiDemografici
from .platform.esportazioni import Tabella
from .platform.forms import AnnoField
from .platform.importazioni import Colonna, Lettura, RigaFile, importatore, leggi_file
from .platform.importazioni_tabelle import ImportatoreTabella, RigaRifiutata, normalizza, per_nome
from .platform.services import instance_validate
from .templatetags.zonale import numero

CAMPI = ("residenti", "famiglie", "componenti_medi", "stranieri", "stranieri_minori")


@importatore("popolazione")
class PopolazioneImportatore(ImportatoreTabella):
    titolo = gettext_lazy("Popolazione per Comune e anno")
    permesso = "ambito.carica_popolazione"
    model = DatiDemografici
    colonne = [
        Colonna("codice_istat", gettext_lazy("Codice ISTAT"), "testo"),
        Colonna("comune", gettext_lazy("Comune"), "testo"),
        Colonna("anno", gettext_lazy("Anno"), "intero", obbligatoria=True),
        Colonna("residenti", gettext_lazy("Popolazione residente"), "intero"),
        Colonna("famiglie", gettext_lazy("Numero di famiglie"), "intero"),
        Colonna("componenti_medi", gettext_lazy("Componenti medi per famiglia"), "decimale"),
        Colonna("stranieri", gettext_lazy("Popolazione straniera residente"), "intero"),
        Colonna("stranieri_minori", gettext_lazy("Popolazione straniera minorile"), "intero"),
        Colonna("fonte", gettext_lazy("Fonte"), "testo"),
    ]

    def campi(self, *, user, ambito) -> dict:
        return {
            "anno": AnnoField(
                required=False,
                label=_("Anno dei residenti"),
                help_text=_(
                    "Solo per il file CSV dell'ISTAT «Popolazione residente al 1° gennaio», "
                    "che non ha la colonna dell'anno. Il modello ha la sua colonna «Anno»."
                ),
            )
        }

    def parametri(self, *, user, ambito, dati) -> dict:
        return {"anno": dati.get("anno")}

    def descrivi(self, **parametri) -> dict[str, str]:
        return {_("Anno dei residenti"): str(parametri["anno"])} if parametri.get("anno") else {}

    def leggi(self, file, *, ambito, anno=None, **parametri) -> Lettura:
        """The template; failing that, ISTAT's CSV (the rows of the Ambito's Comuni)."""
        lettura = leggi_file(
            file, colonne=self.colonne, max_bytes=self.max_bytes, max_righe=self.max_righe
        )
        if not lettura.errori or lettura.formato == "xlsx":
            return lettura
        from .istat import leggi_popolazione

        file.seek(0)
        try:
            residenti = leggi_popolazione(file)
        except ValidationError as error:
            # Neither: what the template expects, and what ISTAT's file lacks.
            return Lettura(
                errori=[
                    *lettura.errori,
                    _("Come file dell'ISTAT: %(errore)s") % {"errore": " ".join(error.messages)},
                ],
                formato="csv",
            )
        if not anno:
            return Lettura(
                errori=[
                    _("È un file dell'ISTAT: indicare l'anno dei residenti e caricarlo di nuovo.")
                ],
                formato="csv",
            )
        comuni = Comune.objects.filter(ambito=ambito).order_by("nome")
        righe = [
            RigaFile(
                numero=numero,
                celle={
                    "codice_istat": c.codice_istat,
                    "anno": anno,
                    "residenti": residenti[c.codice_istat],
                },
            )
            for numero, c in enumerate((c for c in comuni if c.codice_istat in residenti), start=2)
        ]
        if not righe:
            return Lettura(
                errori=[
                    _("Il file non contiene nessuno dei Comuni dell'Ambito %(ambito)s.")
                    % {"ambito": ambito}
                ],
                formato="csv",
            )
        return Lettura(righe=righe, formato="csv")

    def modello(self, *, ambito, user, **parametri) -> Tabella:
        dati = (
            DatiDemografici.objects.visible_to(user)
            .filter(comune__ambito=ambito)
            .select_related("comune")
            .order_by("comune__nome", "anno")
        )
        return Tabella(
            titolo=str(self.titolo),
            colonne=[str(c.etichetta) for c in self.colonne],
            righe=(
                [
                    d.comune.codice_istat,
                    d.comune.nome,
                    d.anno,
                    *(getattr(d, c) for c in CAMPI),
                    d.fonte,
                ]
                for d in dati
            ),
            parametri={_("Ambito"): ambito.nome},
        )

    def contesto(self, *, ambito, **kwargs):
        comuni = Comune.objects.filter(ambito=ambito)
        return {
            **super().contesto(ambito=ambito, **kwargs),
            "per_codice": {c.codice_istat: c for c in comuni},
            "per_nome": per_nome(comuni, "nome"),
        }

    def esistenti(self, contesto):
        righe = DatiDemografici.objects.filter(comune__ambito=contesto["ambito"]).select_related(
            "comune"
        )
        return {(d.comune_id, d.anno): [d] for d in righe}

    def leggi_riga(self, celle, contesto):
        codice = str(celle.get("codice_istat") or "").strip()
        nome = str(celle.get("comune") or "").strip()
        if codice:
            # A spreadsheet drops the leading zeros of "015189".
            comune = contesto["per_codice"].get(codice.zfill(6)) if codice.isdigit() else None
        else:
            comune = contesto["per_nome"].get(normalizza(nome))
        if comune is None:
            raise RigaRifiutata(
                _("Comune «%(comune)s» sconosciuto nell'Ambito.") % {"comune": codice or nome}
                if codice or nome
                else _("Indicare il Comune (codice ISTAT o nome).")
            )
        # The ISTAT file gives only the residents: the other figures stay as they are.
        valori = {c: celle[c] for c in CAMPI if c in celle}
        if "fonte" in celle:
            valori["fonte"] = celle.get("fonte") or ""
        return (comune.pk, celle.get("anno")), valori, {}

    def nuovo(self, chiave, contesto):
        comune_id, anno = chiave
        comune = next(c for c in contesto["per_codice"].values() if c.pk == comune_id)
        return DatiDemografici(comune=comune, anno=anno, fonte="ISTAT")

    def chiave_leggibile(self, chiave):
        return _("lo stesso Comune e anno")

    def valida(self, modifica, contesto):
        instance_validate(modifica.instance)

    def salva(self, modifica, contesto):
        from .services import dati_demografici_save

        dati_demografici_save(dati=modifica.instance)

    def descrivi_riga(self, dati):
        return _("%(comune)s %(anno)s: %(residenti)s residenti") % {
            "comune": dati.comune.nome,
            "anno": dati.anno,
            "residenti": numero(dati.residenti),
        }
