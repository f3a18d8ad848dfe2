from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.querysets import ScopedManager

from .choices import TipoServizio


class AreaIntervento(models.Model):
    """An area of intervention as in the Piano (reference data, not scoped)."""

    codice = models.SlugField(_("codice"), max_length=50, unique=True)
    nome = models.CharField(_("nome"), max_length=255)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("area di intervento")
        verbose_name_plural = _("aree di intervento")
        ordering = ["ordine", "nome"]

    def __str__(self):
        return self.nome


class Servizio(models.Model):
    """A service run jointly by the Ambito, or a support measure."""

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.PROTECT,
        related_name="servizi",
    )
    nome = models.CharField(_("nome"), max_length=255)
    tipo = models.CharField(
        _("tipo"), max_length=20, choices=TipoServizio.choices, default=TipoServizio.SERVIZIO
    )
    area = models.ForeignKey(
        AreaIntervento,
        verbose_name=_("area di intervento"),
        on_delete=models.PROTECT,
        related_name="servizi",
    )
    descrizione = models.TextField(_("descrizione"), blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("servizio o misura")
        verbose_name_plural = _("servizi e misure")
        ordering = ["nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "nome"], name="%(app_label)s_%(class)s_nome_unico"
            ),
        ]

    def __str__(self):
        return self.nome
