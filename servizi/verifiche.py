"""The row of the data check: a printed figure (or a value), what the rows give, the
outcome, the kind of check. Shared by the checks of units, services and tables."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

STAMPATO = "stampato"
DISCORDANZA = "discordanza"
PARTE = "parte"
UNITA = "unita"
TIPI_CONTROLLO = {
    STAMPATO: _("Dato stampato non ricavabile dalle righe"),
    DISCORDANZA: _("Tabelle in disaccordo"),
    PARTE: _("Parte maggiore del tutto"),
    UNITA: _("Valore impossibile per l'unità"),
}

CONCORDA = "concorda"
DIFFERISCE = "differisce"
NON_VERIFICABILE = "non_verificabile"


@dataclass
class Verifica:
    sezione: str
    descrizione: str
    stampato: Decimal | int
    calcolato: Decimal | int | None
    esito: str
    nota: str = ""
    # "stampato", "discordanza", "parte", "unita" (controlli.TIPI_CONTROLLO)
    tipo: str = "stampato"

    @property
    def differenza(self):
        if self.calcolato is None:
            return None
        return self.calcolato - self.stampato

    @property
    def tipo_display(self):
        return TIPI_CONTROLLO[self.tipo]
