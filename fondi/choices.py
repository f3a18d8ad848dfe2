from django.db import models
from django.utils.translation import gettext_lazy as _


class LivelloFonte(models.TextChoices):
    UE = "ue", _("Unione Europea")
    NAZIONALE = "nazionale", _("Nazionale")
    REGIONALE = "regionale", _("Regionale")
    COMUNALE = "comunale", _("Comunale")
    ALTRO = "altro", _("Altro")


class StatoProgetto(models.TextChoices):
    CANDIDATO = "candidato", _("Candidato")
    IDONEO_NON_FINANZIATO = "idoneo_non_finanziato", _("Idoneo non finanziato")
    AMMESSO = "ammesso", _("Ammesso e finanziato")
    IN_CORSO = "in_corso", _("In corso")
    CONCLUSO = "concluso", _("Concluso")
    REVOCATO = "revocato", _("Revocato")


# The life of a project: candidato -> idoneo non finanziato | ammesso e finanziato ->
# in corso -> concluso; revocato from any state, and final. An "idoneo non finanziato"
# project may still be admitted when the ranking slides (scorrimento della graduatoria,
# common with the PNRR calls), so idoneo_non_finanziato -> ammesso is allowed too.
TRANSIZIONI_STATO: dict[str, frozenset[str]] = {
    StatoProgetto.CANDIDATO: frozenset(
        {StatoProgetto.IDONEO_NON_FINANZIATO, StatoProgetto.AMMESSO, StatoProgetto.REVOCATO}
    ),
    StatoProgetto.IDONEO_NON_FINANZIATO: frozenset({StatoProgetto.AMMESSO, StatoProgetto.REVOCATO}),
    StatoProgetto.AMMESSO: frozenset({StatoProgetto.IN_CORSO, StatoProgetto.REVOCATO}),
    StatoProgetto.IN_CORSO: frozenset({StatoProgetto.CONCLUSO, StatoProgetto.REVOCATO}),
    StatoProgetto.CONCLUSO: frozenset({StatoProgetto.REVOCATO}),
    StatoProgetto.REVOCATO: frozenset(),
}


# Worked out once: the API lists them for every project it shows, and
# `StatoProgetto.values` rebuilds the choices (a label each) at every read.
_SUCCESSIVI: dict[str, tuple[str, ...]] = {
    stato: tuple(value for value in StatoProgetto.values if value in ammessi)
    for stato, ammessi in TRANSIZIONI_STATO.items()
}


def stati_successivi(stato: str) -> list[str]:
    """The states a project in `stato` may move to, in the order of the choices."""
    return list(_SUCCESSIVI.get(stato, ()))


class TipoAtto(models.TextChoices):
    """Decisions that change a project after its start (decree, resolution, determina)."""

    AMMISSIONE = "ammissione", _("Ammissione a finanziamento")
    PROROGA = "proroga", _("Proroga")
    INTEGRAZIONE = "integrazione", _("Integrazione / rifinanziamento")
    RIMODULAZIONE = "rimodulazione", _("Rimodulazione")
    REVOCA = "revoca", _("Revoca")
    ALTRO = "altro", _("Altro")


class PrecisioneData(models.TextChoices):
    """How exact the date of a progress snapshot is: a day, or a ReGiS reporting period
    (four months closing on 30/04, 31/08 and 31/12), recorded as its closing date."""

    GIORNO = "giorno", _("Giorno")
    QUADRIMESTRE = "quadrimestre", _("Quadrimestre")


# --- PNRR reporting (ReGiS) --------------------------------------------------------------


class TipoObiettivo(models.TextChoices):
    MILESTONE = "milestone", _("Milestone")
    TARGET = "target", _("Target")


class StatoObiettivo(models.TextChoices):
    """Where a milestone or target stands against its deadline (computed, never stored)."""

    RAGGIUNTO = "raggiunto", _("Raggiunto")
    IN_LINEA = "in_linea", _("In linea")
    IN_RITARDO = "in_ritardo", _("In ritardo")
    NON_RILEVATO = "non_rilevato", _("Non ancora rilevato")
    SCADUTO = "scaduto_non_raggiunto", _("Scaduto non raggiunto")


class TipoDocumentoSpesa(models.TextChoices):
    FATTURA = "fattura", _("Fattura")
    NOTA_DEBITO = "nota_debito", _("Nota di debito")
    RICEVUTA = "ricevuta", _("Ricevuta")
    CEDOLINO = "cedolino", _("Cedolino / costo del personale")
    PARCELLA = "parcella", _("Parcella / notula")
    ALTRO = "altro", _("Altro documento")


class StatoRendicontazione(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    INVIATA = "inviata", _("Inviata")
    VALIDATA = "validata", _("Validata")
    RESPINTA = "respinta", _("Respinta")


# A domanda di rimborso is prepared (bozza), sent (inviata, only with every control
# attested), then validated or sent back; a rejected one is reopened as a draft to be
# corrected and sent again. A validated one is final.
TRANSIZIONI_RENDICONTAZIONE: dict[str, frozenset[str]] = {
    StatoRendicontazione.BOZZA: frozenset({StatoRendicontazione.INVIATA}),
    StatoRendicontazione.INVIATA: frozenset(
        {StatoRendicontazione.VALIDATA, StatoRendicontazione.RESPINTA}
    ),
    StatoRendicontazione.RESPINTA: frozenset({StatoRendicontazione.BOZZA}),
    StatoRendicontazione.VALIDATA: frozenset(),
}


class ControlloRegis(models.TextChoices):
    """The controls a soggetto attuatore attests on each domanda di rimborso."""

    DOPPIO_FINANZIAMENTO = "doppio_finanziamento", _("Assenza di doppio finanziamento")
    CONFLITTO_INTERESSI = "conflitto_interessi", _("Assenza di conflitto di interessi")
    TITOLARE_EFFETTIVO = "titolare_effettivo", _("Titolare effettivo verificato")
    DNSH = "dnsh", _("Rispetto del principio DNSH (non arrecare danno significativo)")


class EsitoCandidatura(models.TextChoices):
    """The outcome of one investment of a candidature (one project)."""

    IN_ATTESA = "in_attesa", _("In attesa di esito")
    AMMESSO = "ammesso", _("Ammesso e finanziato")
    IDONEO_NON_FINANZIATO = "idoneo_non_finanziato", _("Idoneo non finanziato")
    NON_AMMESSO = "non_ammesso", _("Non ammesso")


class RuoloPartner(models.TextChoices):
    """The role of a body (ASST, housing company, association, Comune) in a project."""

    CAPOFILA = "capofila", _("Capofila")
    PARTNER = "partner", _("Partner")
    SOGGETTO_ATTUATORE = "soggetto_attuatore", _("Soggetto attuatore")
    COFINANZIATORE = "cofinanziatore", _("Co-finanziatore")
