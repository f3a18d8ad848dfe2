"""The row of the data check: a printed figure (or a value), what the rows give, the
outcome, the kind of check. Shared by the checks of units, services and tables."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext_lazy as _

from ambito.templatetags.zonale import numero

STAMPATO = "stampato"
DISCORDANZA = "discordanza"
PARTE = "parte"
UNITA = "unita"
AFFERMAZIONE = "affermazione"
TIPI_CONTROLLO = {
    STAMPATO: _("Dato stampato non ricavabile dalle righe"),
    DISCORDANZA: _("Tabelle in disaccordo"),
    PARTE: _("Parte maggiore del tutto"),
    UNITA: _("Valore impossibile per l'unità"),
    AFFERMAZIONE: _("Affermazione del testo smentita dai dati"),
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
    # Printed precision: the printed value is shown with it, the computed one with one
    # more digit (None: the figure is a count, shown as it is).
    decimali: int | None = None
    decimali_calcolato: int | None = None

    @property
    def differenza(self):
        if self.calcolato is None or self.stampato is None:
            return None
        return self.calcolato - self.stampato

    @cached_property
    def stampato_testo(self):
        return _numero(self.stampato, self.decimali)

    @cached_property
    def calcolato_testo(self):
        return _numero(self.calcolato, self._decimali_calcolato)

    @property
    def _decimali_calcolato(self):
        if self.decimali_calcolato is not None or self.decimali is None:
            return self.decimali_calcolato
        return self.decimali + 1

    @cached_property
    def differenza_testo(self):
        return _numero(self.differenza, self._decimali_calcolato)

    @property
    def tipo_display(self):
        return TIPI_CONTROLLO[self.tipo]


def _numero(valore, decimali):
    """Italian format; without a printed precision, as many decimals as the value has
    (at most two), as the counts and euro of units and services."""
    if valore is None:
        return "—"
    if decimali is None:
        valore = Decimal(valore)
        decimali = 0 if valore == valore.to_integral_value() else 2
    return numero(valore, decimali)
