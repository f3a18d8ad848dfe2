"""The fondi pages' tables as .xlsx and CSV (ambito/platform/esportazioni.py): the
columns and the row of one object; the rows are the pages' own querysets."""

from django.utils.translation import gettext_lazy as _

from ambito.platform.esportazioni import DATA, EURO, PERCENTUALE, TESTO, Colonna

ASSEGNAZIONI_COLONNE = [
    Colonna(_("Anno")),
    Colonna(_("Codice linea"), TESTO),
    Colonna(_("Linea di finanziamento")),
    Colonna(_("Fonte")),
    Colonna(_("Livello della fonte")),
    Colonna(_("Ambito")),
    Colonna(_("Importo"), EURO),
    Colonna(_("Nota sulla fonte del dato")),
]


def assegnazione_riga(a) -> list:
    return [
        a.anno,
        a.linea.codice,
        a.linea.nome,
        a.linea.fonte.nome,
        a.linea.fonte.get_livello_display(),
        a.ambito.nome,
        a.importo,
        a.nota_fonte,
    ]


PROGETTI_COLONNE = [
    Colonna(_("Progetto")),
    Colonna(_("Codice locale"), TESTO),
    Colonna(_("CUP"), TESTO),
    Colonna(_("Codice linea"), TESTO),
    Colonna(_("Linea di finanziamento")),
    Colonna(_("Ambito capofila")),
    Colonna(_("Ambiti partner")),
    Colonna(_("Stato")),
    Colonna(_("Importo concesso"), EURO),
    # The percentage and the two amounts it is computed from (erogato / ammesso).
    Colonna(_("Ammesso (ultima rilevazione)"), EURO),
    Colonna(_("Erogato (ultima rilevazione)"), EURO),
    Colonna(_("% erogato sull'ammesso"), PERCENTUALE),
    Colonna(_("Scadenza"), DATA),
]


def progetto_riga(p) -> list:
    return [
        p.titolo,
        p.codice_locale,
        p.cup,
        p.linea.codice,
        p.linea.nome,
        p.ambito.nome,
        ", ".join(a.nome for a in p.ambiti_partner.all()),
        p.get_stato_display(),
        p.importo_finanziato,
        p.ultimo_ammesso,
        p.ultimo_erogato,
        p.percentuale_erogato,
        p.data_scadenza,
    ]
