from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.querysets import ScopedManager

from .choices import LivelloFonte, StatoProgetto

cup_validator = RegexValidator(
    r"^[A-Z0-9]{15}\Z",
    _("Il CUP deve essere composto da esattamente 15 lettere maiuscole e cifre."),
)


class FonteFinanziamento(models.Model):
    """A funding source (PNRR, FNPS, FNA, ...): national reference data, not scoped."""

    codice = models.CharField(_("codice"), max_length=50, unique=True)
    nome = models.CharField(_("nome"), max_length=255)
    livello = models.CharField(_("livello"), max_length=20, choices=LivelloFonte.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fonte di finanziamento")
        verbose_name_plural = _("fonti di finanziamento")
        ordering = ["codice"]

    def __str__(self):
        return self.nome


class LineaFinanziamento(models.Model):
    """A funding line in the tree under a source, e.g. PNRR-M5C2-1.3.2."""

    fonte = models.ForeignKey(
        FonteFinanziamento,
        verbose_name=_("fonte"),
        on_delete=models.PROTECT,
        related_name="linee",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("linea superiore"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figli",
    )
    codice = models.CharField(
        _("codice"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("Esiste già una linea di finanziamento con questo codice.")},
    )
    nome = models.CharField(_("nome"), max_length=255)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("linea di finanziamento")
        verbose_name_plural = _("linee di finanziamento")
        ordering = ["codice"]

    def __str__(self):
        return f"{self.codice} - {self.nome}"


class Progetto(models.Model):
    """A funded project (CUP), led by one Ambito with possible partner Ambiti."""

    cup = models.CharField(
        _("CUP"),
        max_length=15,
        null=True,
        blank=True,
        unique=True,
        validators=[cup_validator],
        error_messages={"unique": _("Esiste già un progetto con questo CUP.")},
    )
    codice_locale = models.CharField(_("codice locale"), max_length=50, blank=True)
    titolo = models.CharField(_("titolo"), max_length=500)
    descrizione = models.TextField(_("descrizione"), blank=True)
    linea = models.ForeignKey(
        LineaFinanziamento,
        verbose_name=_("linea di finanziamento"),
        on_delete=models.PROTECT,
        related_name="progetti",
    )
    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito capofila"),
        on_delete=models.PROTECT,
        related_name="progetti",
    )
    stato = models.CharField(
        _("stato"),
        max_length=30,
        choices=StatoProgetto.choices,
        default=StatoProgetto.CANDIDATO,
    )
    data_inizio = models.DateField(_("data di inizio"), null=True, blank=True)
    data_fine = models.DateField(_("data di fine"), null=True, blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progetto")
        verbose_name_plural = _("progetti")
        ordering = ["titolo"]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_fine__isnull=True)
                | Q(data_inizio__isnull=True)
                | Q(data_fine__gte=models.F("data_inizio")),
                name="%(app_label)s_%(class)s_fine_dopo_inizio",
                violation_error_message=_("La data di fine non può precedere la data di inizio."),
            ),
        ]

    def __str__(self):
        return self.titolo
