from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.models import ANNO_VALIDATORS
from ambito.querysets import ScopedManager

from .choices import StatoPiano


class PianoDiZona(models.Model):
    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.PROTECT,
        related_name="piani",
    )
    anno_inizio = models.PositiveSmallIntegerField(_("primo anno"), validators=ANNO_VALIDATORS)
    anno_fine = models.PositiveSmallIntegerField(_("ultimo anno"), validators=ANNO_VALIDATORS)
    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoPiano.choices, default=StatoPiano.BOZZA
    )
    data_approvazione = models.DateField(_("data di approvazione"), null=True, blank=True)
    atto_approvazione = models.CharField(_("atto di approvazione"), max_length=255, blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Piano di Zona")
        verbose_name_plural = _("Piani di Zona")
        ordering = ["ambito__nome", "-anno_inizio"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "anno_inizio"], name="%(app_label)s_%(class)s_periodo_unico"
            ),
            models.CheckConstraint(
                condition=Q(anno_fine__gte=models.F("anno_inizio")),
                name="%(app_label)s_%(class)s_periodo_valido",
                violation_error_message=_("L'ultimo anno non può precedere il primo."),
            ),
        ]

    def __str__(self):
        return f"{_('Piano di Zona')} {self.periodo}"

    @property
    def periodo(self):
        return f"{self.anno_inizio}-{self.anno_fine}"


class MacroArea(models.Model):
    piano = models.ForeignKey(
        PianoDiZona, verbose_name=_("Piano"), on_delete=models.CASCADE, related_name="macro_aree"
    )
    lettera = models.CharField(_("lettera"), max_length=2)
    nome = models.CharField(_("nome"), max_length=255)

    scope_ambito = "piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("macro-area")
        verbose_name_plural = _("macro-aree")
        ordering = ["piano", "lettera"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "lettera"], name="%(app_label)s_%(class)s_lettera_unica"
            ),
        ]

    def __str__(self):
        return f"{self.lettera}. {self.nome}"


class Obiettivo(models.Model):
    """A general objective (no parent) or a specific objective under one."""

    piano = models.ForeignKey(
        PianoDiZona, verbose_name=_("Piano"), on_delete=models.CASCADE, related_name="obiettivi"
    )
    macro_area = models.ForeignKey(
        MacroArea,
        verbose_name=_("macro-area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obiettivi",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("obiettivo generale"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="specifici",
    )
    numero = models.CharField(_("numero"), max_length=20)
    titolo = models.CharField(_("titolo"), max_length=500)

    scope_ambito = "piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obiettivo")
        verbose_name_plural = _("obiettivi")
        ordering = ["piano", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "numero"], name="%(app_label)s_%(class)s_numero_unico"
            ),
        ]

    def __str__(self):
        return f"{self.numero} {self.titolo}"


class Scheda(models.Model):
    """Scheda of an innovative objective of the plan (section 7.1 of the Piano)."""

    piano = models.ForeignKey(
        PianoDiZona, verbose_name=_("Piano"), on_delete=models.CASCADE, related_name="schede"
    )
    obiettivo = models.ForeignKey(
        Obiettivo,
        verbose_name=_("obiettivo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schede",
    )
    numero = models.PositiveSmallIntegerField(_("numero"))
    titolo = models.CharField(_("titolo"), max_length=500)
    budget = models.DecimalField(
        _("budget"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("Il budget non può essere negativo."))],
    )
    progetto = models.ForeignKey(
        "fondi.Progetto",
        verbose_name=_("progetto finanziato"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schede",
    )
    servizi = models.ManyToManyField(
        "servizi.Servizio", verbose_name=_("servizi"), blank=True, related_name="schede"
    )

    scope_ambito = "piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords(m2m_fields=[servizi])

    class Meta:
        verbose_name = _("scheda obiettivo")
        verbose_name_plural = _("schede obiettivo")
        ordering = ["piano", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "numero"], name="%(app_label)s_%(class)s_numero_unico"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="%(app_label)s_%(class)s_budget_non_negativo"
            ),
        ]

    def __str__(self):
        return f"{self.numero}. {self.titolo}"
