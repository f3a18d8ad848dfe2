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


def stati_successivi(stato: str) -> list[str]:
    """The states a project in `stato` may move to, in the order of the choices."""
    ammessi = TRANSIZIONI_STATO.get(stato, frozenset())
    return [value for value in StatoProgetto.values if value in ammessi]


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
