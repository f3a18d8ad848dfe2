"""Funding sources and lines, yearly allocations, projects (CUP) and their progress.

Rules with a message for the user live in each model's `clean()`, attached to the
field; the database constraints named `fondi_<model>_<rule>` repeat the rules that
must never break. Services (`services.py`) call `full_clean()` before every save.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.choices import etichetta_di
from ambito.models import ANNO_VALIDATORS
from ambito.platform.querysets import ScopedManager
from ambito.platform.versioning import Versioned

from .choices import (
    ControlloRegis,
    EsitoCandidatura,
    LivelloFonte,
    PrecisioneData,
    RuoloPartner,
    StatoProgetto,
    StatoRendicontazione,
    TipoAtto,
    TipoDocumentoSpesa,
    TipoObiettivo,
    stati_successivi,
)
from .querysets import CandidaturaScopedManager, FondoManager, ProgettoScopedManager

cup_validator = RegexValidator(
    r"^[A-Z0-9]{15}\Z",
    _("Il CUP deve essere composto da esattamente 15 lettere maiuscole e cifre."),
)

MSG_IMPORTO_NEGATIVO = _("L'importo non può essere negativo.")


def importo_field(verbose_name, **kwargs):
    """Euro with cents, never negative."""
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), MSG_IMPORTO_NEGATIVO)],
        **kwargs,
    )


class RulesInCleanMixin:
    """The constraints of these models repeat rules that `clean()` or the named
    validators of `validators.py` already check with the message next to the field:
    Django would repeat each one as a form-wide error. They stay in the database as
    the backstop; only their validation is skipped."""

    def validate_constraints(self, exclude=None):
        return None


class FonteFinanziamento(models.Model):
    """A funding source: national reference data (PNRR, FNPS, FNA, FAMI: no `ambito`),
    or a source of an Ambito's own (`ambito` set), seen by it and its partners."""

    codice = models.CharField(_("codice"), max_length=50, unique=True)
    nome = models.CharField(_("nome"), max_length=255)
    livello = models.CharField(_("livello"), max_length=20, choices=LivelloFonte.choices)
    ordine = models.PositiveSmallIntegerField(
        _("ordine"), default=100, help_text=_("Posizione nei prospetti (prima i numeri bassi).")
    )
    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito proprietario"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fonti_proprie",
        help_text=_(
            "Vuoto per le fonti nazionali di riferimento; l'Ambito per i suoi fondi propri "
            "(asse PON Metro, avviso regionale, bando di fondazione)."
        ),
    )

    scope_ambito = "ambito"
    objects = FondoManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fonte di finanziamento")
        verbose_name_plural = _("fonti di finanziamento")
        ordering = ["ordine", "codice"]

    def __str__(self):
        return self.etichetta(self.nome)

    @staticmethod
    def etichetta(nome):
        """The label (also of the choice lists, which read only this field)."""
        return nome

    get_livello_display = etichetta_di("livello", LivelloFonte)


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
    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito proprietario"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linee_proprie",
        help_text=_("Vuoto per le linee nazionali; l'Ambito per le linee dei suoi fondi propri."),
    )

    scope_ambito = "ambito"
    objects = FondoManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("linea di finanziamento")
        verbose_name_plural = _("linee di finanziamento")
        ordering = ["codice"]

    def __str__(self):
        return self.etichetta(self.codice, self.nome)

    @staticmethod
    def etichetta(codice, nome):
        """The label (also of the choice lists, which read only these fields)."""
        return f"{codice} - {nome}"

    def clean(self):
        if self.fonte_id:
            # A line belongs where its source does: national, or the same Ambito's own.
            self.ambito_id = self.fonte.ambito_id
        if self.parent_id is None:
            return
        if self.parent.fonte_id != self.fonte_id:
            raise ValidationError(
                {"parent": _("La linea superiore deve appartenere alla stessa fonte.")}
            )
        antenato, visti = self.parent, set()
        while antenato is not None and antenato.pk not in visti:
            if self.pk and antenato.pk == self.pk:
                raise ValidationError(
                    {"parent": _("Una linea non può stare sotto sé stessa o una sua sottolinea.")}
                )
            visti.add(antenato.pk)
            antenato = antenato.parent


class Assegnazione(RulesInCleanMixin, Versioned, models.Model):
    """The amount of a funding line that an Ambito manages in a year (Piano, § 2.5)."""

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.PROTECT,
        related_name="assegnazioni",
    )
    linea = models.ForeignKey(
        LineaFinanziamento,
        verbose_name=_("linea di finanziamento"),
        on_delete=models.PROTECT,
        related_name="assegnazioni",
    )
    anno = models.PositiveSmallIntegerField(_("anno"), validators=ANNO_VALIDATORS)
    importo = importo_field(_("importo"))
    interventi = models.TextField(
        _("interventi finanziati"), blank=True, help_text=_("Uno per riga.")
    )
    nota_fonte = models.CharField(
        _("nota sulla fonte del dato"),
        max_length=500,
        blank=True,
        help_text=_("Ad esempio: dati estratti dalla rendicontazione della Spesa Sociale."),
    )

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assegnazione")
        verbose_name_plural = _("assegnazioni")
        ordering = ["-anno", "linea__fonte__ordine", "linea__codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "linea", "anno"],
                name="%(app_label)s_%(class)s_linea_anno_unica",
            ),
            models.CheckConstraint(
                condition=Q(importo__gte=0),
                name="%(app_label)s_%(class)s_importo_non_negativo",
            ),
            models.CheckConstraint(
                condition=Q(anno__gte=1900, anno__lte=2100),
                name="%(app_label)s_%(class)s_anno_valido",
            ),
        ]

    def __str__(self):
        return f"{self.linea.codice} {self.anno}"

    @property
    def elenco_interventi(self) -> list[str]:
        return [riga.strip(" •-") for riga in self.interventi.splitlines() if riga.strip(" •-")]

    def clean(self):
        if self.ambito_id and self.linea_id and self.anno:
            doppione = Assegnazione.objects.filter(
                ambito_id=self.ambito_id, linea_id=self.linea_id, anno=self.anno
            ).exclude(pk=self.pk)
            if doppione.exists():
                raise ValidationError(
                    {
                        "anno": _(
                            "Esiste già un'assegnazione di questa linea all'Ambito per il "
                            "%(anno)s: modificare quella."
                        )
                        % {"anno": self.anno}
                    }
                )


class TotaleRiportato(models.Model):
    """A yearly total as printed in a document (e.g. the Piano), kept only to check it
    against the total the app computes from the allocations. Never used as a figure."""

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.CASCADE,
        related_name="totali_riportati",
    )
    anno = models.PositiveSmallIntegerField(_("anno"), validators=ANNO_VALIDATORS)
    importo = importo_field(_("totale riportato"))
    documento = models.CharField(_("documento"), max_length=255)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("totale riportato nel documento")
        verbose_name_plural = _("totali riportati nei documenti")
        ordering = ["ambito", "anno"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "anno", "documento"],
                name="%(app_label)s_%(class)s_unico",
            ),
        ]

    def __str__(self):
        return f"{self.documento} {self.anno}"


class Progetto(RulesInCleanMixin, Versioned, models.Model):
    """A funded project (CUP), led by one Ambito with possible partner Ambiti."""

    cup = models.CharField(
        _("CUP"),
        max_length=15,
        null=True,
        blank=True,
        unique=True,
        validators=[cup_validator],
        error_messages={"unique": _("Esiste già un progetto con questo CUP.")},
        help_text=_("Codice Unico di Progetto: 15 lettere maiuscole e cifre, se assegnato."),
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
    ambiti_partner = models.ManyToManyField(
        "ambito.Ambito",
        verbose_name=_("Ambiti partner"),
        blank=True,
        related_name="progetti_partner",
    )
    soggetto_attuatore = models.ForeignKey(
        "ambito.Ente",
        verbose_name=_("soggetto attuatore"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progetti_attuati",
    )
    comuni = models.ManyToManyField(
        "ambito.Comune",
        verbose_name=_("Comuni coinvolti"),
        blank=True,
        related_name="progetti",
    )
    rup = models.CharField(
        _("RUP"),
        max_length=200,
        blank=True,
        help_text=_("Responsabile unico del progetto: nome, cognome e ufficio."),
    )
    anno_finanziamento = models.PositiveSmallIntegerField(
        _("anno del finanziamento"), null=True, blank=True, validators=ANNO_VALIDATORS
    )
    stato = models.CharField(
        _("stato"),
        max_length=30,
        choices=StatoProgetto.choices,
        default=StatoProgetto.CANDIDATO,
    )
    data_inizio = models.DateField(_("data di inizio"), null=True, blank=True)
    data_fine = models.DateField(_("data di fine"), null=True, blank=True)
    data_scadenza = models.DateField(
        _("scadenza"),
        null=True,
        blank=True,
        help_text=_("Termine entro cui concludere e rendicontare (es. 31/03/2026 per il PNRR)."),
    )

    scope_ambito = "ambito"
    scope_progetto = ""
    objects = ProgettoScopedManager()
    history = HistoricalRecords(m2m_fields=[ambiti_partner, comuni])

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
            models.CheckConstraint(
                condition=Q(data_scadenza__isnull=True)
                | Q(data_inizio__isnull=True)
                | Q(data_scadenza__gte=models.F("data_inizio")),
                name="%(app_label)s_%(class)s_scadenza_dopo_inizio",
            ),
            models.CheckConstraint(
                condition=Q(cup__isnull=True) | Q(cup__regex=r"^[A-Z0-9]{15}$"),
                name="%(app_label)s_%(class)s_cup_formato",
            ),
            models.UniqueConstraint(
                fields=["ambito", "codice_locale"],
                condition=~Q(codice_locale=""),
                name="%(app_label)s_%(class)s_codice_locale_unico",
            ),
        ]

    def __str__(self):
        return self.titolo

    def get_absolute_url(self):
        return reverse("fondi:progetto_detail", args=[self.pk])

    get_stato_display = etichetta_di("stato", StatoProgetto)

    @property
    def stati_successivi(self):
        return [StatoProgetto(s) for s in stati_successivi(self.stato)]

    def clean_fields(self, exclude=None):
        # Users type CUPs in lower case or with spaces; a blank CUP is "not assigned".
        self.cup = (self.cup or "").replace(" ", "").upper() or None
        self.codice_locale = (self.codice_locale or "").strip()
        exclude = set(exclude or ())
        errors = {}
        if "cup" not in exclude and self.cup is not None:
            try:
                cup_validator(self.cup)
            except ValidationError as error:
                errors["cup"] = error.error_list
        exclude.add("cup")  # checked above, once: the format includes the length
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class FinanziamentoProgetto(RulesInCleanMixin, Versioned, models.Model):
    """The amount granted to a project by one funding line (e.g. PNRR plus GSE)."""

    progetto = models.ForeignKey(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.CASCADE,
        related_name="finanziamenti",
    )
    linea = models.ForeignKey(
        LineaFinanziamento,
        verbose_name=_("linea di finanziamento"),
        on_delete=models.PROTECT,
        related_name="finanziamenti_progetto",
    )
    importo = importo_field(_("importo concesso"))
    nota = models.CharField(_("nota"), max_length=500, blank=True)
    # A later top-up is a row of its own, flagged and linked to the act that grants
    # it: the project's total is the sum of the rows, so no amount is counted twice.
    integrazione = models.BooleanField(
        _("integrazione successiva"),
        default=False,
        help_text=_("Importo aggiunto dopo il finanziamento originario (rifinanziamento)."),
    )
    atto_progetto = models.ForeignKey(
        "AttoProgetto",
        verbose_name=_("atto"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="finanziamenti",
        help_text=_("L'atto che concede l'integrazione."),
    )

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finanziamento del progetto")
        verbose_name_plural = _("finanziamenti del progetto")
        ordering = ["progetto", "linea__fonte__ordine", "linea__codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["progetto", "linea"],
                condition=Q(integrazione=False),
                name="%(app_label)s_%(class)s_linea_unica",
            ),
            models.UniqueConstraint(
                fields=["atto_progetto", "linea"],
                name="%(app_label)s_%(class)s_linea_unica_per_atto",
            ),
            models.CheckConstraint(
                condition=Q(importo__gte=0),
                name="%(app_label)s_%(class)s_importo_non_negativo",
            ),
            models.CheckConstraint(
                condition=Q(atto_progetto__isnull=True) | Q(integrazione=True),
                name="%(app_label)s_%(class)s_atto_solo_per_integrazioni",
            ),
        ]

    def __str__(self):
        return f"{self.progetto} - {self.linea.codice}"

    def clean(self):
        if self.atto_progetto_id is not None:
            self.integrazione = True
            if self.progetto_id and self.atto_progetto.progetto_id != self.progetto_id:
                raise ValidationError({"atto_progetto": _("L'atto non riguarda questo progetto.")})
        if self.progetto_id and self.linea_id and not self.integrazione:
            doppione = FinanziamentoProgetto.objects.filter(
                progetto_id=self.progetto_id, linea_id=self.linea_id, integrazione=False
            ).exclude(pk=self.pk)
            if doppione.exists():
                raise ValidationError(
                    {
                        "linea": _(
                            "Il progetto ha già un finanziamento su questa linea: "
                            "modificare quello."
                        )
                    }
                )


def quadrimestre_di(data) -> int:
    """1, 2 or 3: the ReGiS four-month period of a date."""
    return (data.month - 1) // 4 + 1


def inizio_quadrimestre(data):
    return data.replace(month=(quadrimestre_di(data) - 1) * 4 + 1, day=1)


def fine_quadrimestre(data):
    """30/04, 31/08 or 31/12 of the date's year."""
    mese, giorno = {1: (4, 30), 2: (8, 31), 3: (12, 31)}[quadrimestre_di(data)]
    return data.replace(month=mese, day=giorno)


class AvanzamentoFinanziario(RulesInCleanMixin, Versioned, models.Model):
    """A dated snapshot of a project's financial progress, as the monitoring portals
    report it. Snapshots are never overwritten by later ones: the history stays."""

    progetto = models.ForeignKey(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.CASCADE,
        related_name="avanzamenti",
    )
    data = models.DateField(_("data di rilevazione"))
    programmato = importo_field(_("importo programmato"), null=True, blank=True)
    ammesso = importo_field(_("ammesso a finanziamento"), null=True, blank=True)
    vincolante = importo_field(
        _("giuridicamente vincolante"),
        null=True,
        blank=True,
        help_text=_("Obbligazioni giuridicamente vincolanti assunte (contratti, impegni)."),
    )
    erogato = importo_field(
        _("erogato"), null=True, blank=True, help_text=_("Importo liquidato o pagato.")
    )
    precisione = models.CharField(
        _("riferimento"),
        max_length=20,
        choices=PrecisioneData.choices,
        default=PrecisioneData.GIORNO,
        help_text=_(
            "«Quadrimestre»: la rilevazione vale per il periodo di rendicontazione che "
            "contiene la data (chiusure al 30/04, 31/08 e 31/12)."
        ),
    )
    nota = models.CharField(
        _("nota"), max_length=500, blank=True, help_text=_("Ad esempio: dati ReGiS al giorno.")
    )

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avanzamento finanziario")
        verbose_name_plural = _("avanzamenti finanziari")
        ordering = ["progetto", "-data", "-pk"]
        get_latest_by = ["data", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["progetto", "data"], name="%(app_label)s_%(class)s_data_unica"
            ),
            models.CheckConstraint(
                condition=Q(programmato__gte=0, ammesso__gte=0, vincolante__gte=0, erogato__gte=0),
                name="%(app_label)s_%(class)s_importi_non_negativi",
            ),
            models.CheckConstraint(
                condition=Q(erogato__lte=F("vincolante")),
                name="%(app_label)s_%(class)s_erogato_entro_vincolante",
            ),
            models.CheckConstraint(
                condition=Q(vincolante__lte=F("ammesso")),
                name="%(app_label)s_%(class)s_vincolante_entro_ammesso",
            ),
        ]

    def __str__(self):
        return f"{self.progetto} - {self.periodo_display}"

    @property
    def periodo_display(self) -> str:
        """«al 30/06/2025» or «2° quadrimestre 2025»."""
        if self.precisione == PrecisioneData.QUADRIMESTRE and self.data:
            return _("%(n)s° quadrimestre %(anno)s") % {
                "n": quadrimestre_di(self.data),
                "anno": self.data.year,
            }
        return _("al %(data)s") % {"data": f"{self.data:%d/%m/%Y}"} if self.data else ""

    @property
    def percentuale_erogato(self):
        """Paid as a percentage of the amount admitted, or None when nothing is admitted."""
        if not self.ammesso or self.erogato is None:
            return None
        return self.erogato * 100 / self.ammesso

    def clean_fields(self, exclude=None):
        # A four-month period is stored as its closing date: one row per period.
        if self.precisione == PrecisioneData.QUADRIMESTRE and self.data:
            self.data = fine_quadrimestre(self.data)
        super().clean_fields(exclude=exclude)

    def clean(self):
        errors = {}

        def confrontabili(*valori):
            # A missing or negative amount already has its own message.
            return all(v is not None and v >= 0 for v in valori)

        if confrontabili(self.erogato, self.vincolante) and self.erogato > self.vincolante:
            errors["erogato"] = _(
                "L'importo erogato non può superare l'importo giuridicamente vincolante."
            )
        if confrontabili(self.vincolante, self.ammesso) and self.vincolante > self.ammesso:
            errors["vincolante"] = _(
                "L'importo giuridicamente vincolante non può superare l'importo ammesso a "
                "finanziamento."
            )
        inizio = self.data
        if self.data and self.precisione == PrecisioneData.QUADRIMESTRE:
            inizio = inizio_quadrimestre(self.data)
        if self.data and inizio > timezone.localdate():
            errors["data"] = _("La data di rilevazione non può essere futura.")
        elif self.progetto_id and self.data:
            doppione = AvanzamentoFinanziario.objects.filter(
                progetto_id=self.progetto_id, data=self.data
            ).exclude(pk=self.pk)
            if doppione.exists():
                errors["data"] = _(
                    "Esiste già una rilevazione del progetto con questa data: modificare quella."
                )
        if errors:
            raise ValidationError(errors)


class Atto(RulesInCleanMixin, Versioned, models.Model):
    """A decision on one or more projects (decree, regional resolution, determina):
    admission, extension, top-up, revocation. Its effect on each project is an
    `AttoProgetto`; the money it grants is the `FinanziamentoProgetto` rows linked to
    those, so the act never holds an amount of its own."""

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.PROTECT,
        related_name="atti",
        help_text=_("L'Ambito che registra l'atto."),
    )
    tipo = models.CharField(_("tipo di atto"), max_length=20, choices=TipoAtto.choices)
    numero = models.CharField(_("numero"), max_length=100, blank=True)
    data = models.DateField(_("data dell'atto"))
    ente = models.CharField(
        _("ente emittente"),
        max_length=255,
        help_text=_("Ad esempio: Regione Lombardia - Giunta regionale, Ministero del Lavoro."),
    )
    oggetto = models.TextField(_("oggetto e note"), blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("atto")
        verbose_name_plural = _("atti")
        ordering = ["-data", "-pk"]

    def __str__(self):
        numero = f" n. {self.numero}" if self.numero else ""
        return f"{self.get_tipo_display()}{numero} del {self.data:%d/%m/%Y} ({self.ente})"


class AttoProgetto(RulesInCleanMixin, Versioned, models.Model):
    """What one act decides for one project: a new end date and/or (through the linked
    funding rows) an amount."""

    atto = models.ForeignKey(
        Atto, verbose_name=_("atto"), on_delete=models.CASCADE, related_name="effetti"
    )
    progetto = models.ForeignKey(
        Progetto, verbose_name=_("progetto"), on_delete=models.CASCADE, related_name="atti"
    )
    nuova_data_fine = models.DateField(_("nuova data di fine"), null=True, blank=True)
    nota = models.CharField(_("nota"), max_length=500, blank=True)

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("atto del progetto")
        verbose_name_plural = _("atti del progetto")
        ordering = ["progetto", "atto__data", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["atto", "progetto"], name="%(app_label)s_%(class)s_progetto_unico"
            ),
        ]

    def __str__(self):
        return f"{self.atto} - {self.progetto}"

    def data_fine_attuale(self):
        """The project's end date before this act: the latest one set by its other acts,
        else the one of the project sheet."""
        altre = (
            AttoProgetto.objects.filter(progetto_id=self.progetto_id, nuova_data_fine__isnull=False)
            .exclude(pk=self.pk)
            .order_by("-nuova_data_fine")
            .values_list("nuova_data_fine", flat=True)
            .first()
        )
        return altre or self.progetto.data_fine

    def clean(self):
        errors = {}
        if self.atto_id and self.atto.tipo == TipoAtto.PROROGA and not self.nuova_data_fine:
            errors["nuova_data_fine"] = _("Una proroga deve indicare la nuova data di fine.")
        if self.nuova_data_fine and self.progetto_id:
            attuale = self.data_fine_attuale()
            if attuale and self.nuova_data_fine < attuale:
                errors["nuova_data_fine"] = _(
                    "La nuova data di fine (%(nuova)s) precede la data di fine attuale del "
                    "progetto (%(attuale)s): una proroga non può anticipare la conclusione."
                ) % {"nuova": f"{self.nuova_data_fine:%d/%m/%Y}", "attuale": f"{attuale:%d/%m/%Y}"}
        if self.atto_id and self.progetto_id:
            doppione = AttoProgetto.objects.filter(
                atto_id=self.atto_id, progetto_id=self.progetto_id
            ).exclude(pk=self.pk)
            if doppione.exists():
                errors["progetto"] = _("L'atto è già registrato per questo progetto.")
        if errors:
            raise ValidationError(errors)


# --- PNRR reporting (ReGiS): milestone and target, spending records, domande di rimborso


def is_chiusura_regis(data) -> bool:
    """ReGiS closes its reporting periods every four months: 30/04, 31/08, 31/12."""
    return (data.month, data.day) in ((4, 30), (8, 31), (12, 31))


class ObiettivoProgetto(RulesInCleanMixin, Versioned, models.Model):
    """A milestone or target of a project as fixed in the convention (ReGiS "fisico")."""

    progetto = models.ForeignKey(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.CASCADE,
        related_name="obiettivi",
    )
    tipo = models.CharField(
        _("tipo"), max_length=10, choices=TipoObiettivo.choices, default=TipoObiettivo.TARGET
    )
    codice = models.CharField(
        _("codice"), max_length=50, blank=True, help_text=_("Ad esempio M5C2-11 o T1.")
    )
    descrizione = models.CharField(_("descrizione"), max_length=500)
    unita_misura = models.CharField(
        _("unità di misura"), max_length=100, help_text=_("Ad esempio: persone, alloggi, %.")
    )
    valore_obiettivo = models.DecimalField(
        _("valore obiettivo"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), _("Il valore non può essere negativo."))],
    )
    scadenza = models.DateField(_("scadenza"))

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone o target")
        verbose_name_plural = _("milestone e target")
        ordering = ["progetto", "scadenza", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valore_obiettivo__gte=0),
                name="%(app_label)s_%(class)s_valore_non_negativo",
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.descrizione}".strip()


class AvanzamentoObiettivo(RulesInCleanMixin, models.Model):
    """The value of a milestone or target achieved at a ReGiS closing date."""

    obiettivo = models.ForeignKey(
        ObiettivoProgetto,
        verbose_name=_("milestone o target"),
        on_delete=models.CASCADE,
        related_name="avanzamenti",
    )
    periodo = models.DateField(
        _("periodo di rilevazione ReGiS"),
        help_text=_("Data di chiusura del quadrimestre: 30/04, 31/08 o 31/12."),
    )
    valore_raggiunto = models.DecimalField(
        _("valore raggiunto"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), _("Il valore non può essere negativo."))],
    )
    nota = models.CharField(_("nota"), max_length=500, blank=True)

    scope_ambito = "obiettivo__progetto__ambito"
    scope_progetto = "obiettivo__progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valore raggiunto")
        verbose_name_plural = _("valori raggiunti")
        ordering = ["obiettivo", "periodo"]
        constraints = [
            models.UniqueConstraint(
                fields=["obiettivo", "periodo"], name="%(app_label)s_%(class)s_periodo_unico"
            ),
            models.CheckConstraint(
                condition=Q(valore_raggiunto__gte=0),
                name="%(app_label)s_%(class)s_valore_non_negativo",
            ),
        ]

    def __str__(self):
        return f"{self.obiettivo} al {self.periodo:%d/%m/%Y}"


class Rendicontazione(RulesInCleanMixin, Versioned, models.Model):
    """A domanda di rimborso: spending records of a project sent together to ReGiS."""

    progetto = models.ForeignKey(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.PROTECT,
        related_name="rendicontazioni",
    )
    numero = models.PositiveSmallIntegerField(_("numero"), editable=False)
    titolo = models.CharField(_("descrizione"), max_length=255, blank=True)
    periodo = models.DateField(
        _("periodo di riferimento"),
        help_text=_("Data di chiusura del quadrimestre ReGiS: 30/04, 31/08 o 31/12."),
    )
    stato = models.CharField(
        _("stato"),
        max_length=10,
        choices=StatoRendicontazione.choices,
        default=StatoRendicontazione.BOZZA,
        editable=False,
    )
    inviata_il = models.DateTimeField(_("inviata il"), null=True, blank=True, editable=False)
    esito_il = models.DateTimeField(_("esito il"), null=True, blank=True, editable=False)
    nota_esito = models.TextField(_("nota sull'esito"), blank=True, editable=False)

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rendicontazione (domanda di rimborso)")
        verbose_name_plural = _("rendicontazioni (domande di rimborso)")
        ordering = ["progetto", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["progetto", "numero"], name="%(app_label)s_%(class)s_numero_unico"
            ),
        ]

    def __str__(self):
        return _("Domanda di rimborso n. %(numero)s") % {"numero": self.numero}

    def get_absolute_url(self):
        return reverse("fondi:rendicontazione_detail", args=[self.pk])

    get_stato_display = etichetta_di("stato", StatoRendicontazione)


class ControlloRendicontazione(models.Model):
    """One attested control of a domanda di rimborso, ticked by a named user."""

    rendicontazione = models.ForeignKey(
        Rendicontazione,
        verbose_name=_("rendicontazione"),
        on_delete=models.CASCADE,
        related_name="controlli",
    )
    controllo = models.CharField(_("controllo"), max_length=30, choices=ControlloRegis.choices)
    attestato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attestato da"),
        on_delete=models.PROTECT,
        related_name="controlli_attestati",
    )
    attestato_il = models.DateTimeField(_("attestato il"), default=timezone.now)
    nota = models.CharField(_("nota"), max_length=500, blank=True)

    scope_ambito = "rendicontazione__progetto__ambito"
    scope_progetto = "rendicontazione__progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("controllo attestato")
        verbose_name_plural = _("controlli attestati")
        ordering = ["rendicontazione", "controllo"]
        constraints = [
            models.UniqueConstraint(
                fields=["rendicontazione", "controllo"],
                name="%(app_label)s_%(class)s_controllo_unico",
            ),
        ]

    def __str__(self):
        return str(dict(ControlloRegis.choices).get(self.controllo, self.controllo))


class Giustificativo(RulesInCleanMixin, Versioned, models.Model):
    """A spending record (giustificativo di spesa) charged to one funding line of a
    project; grouped into a domanda di rimborso when it is reported."""

    progetto = models.ForeignKey(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.PROTECT,
        related_name="giustificativi",
    )
    finanziamento = models.ForeignKey(
        FinanziamentoProgetto,
        verbose_name=_("linea di finanziamento del progetto"),
        on_delete=models.PROTECT,
        related_name="giustificativi",
    )
    rendicontazione = models.ForeignKey(
        Rendicontazione,
        verbose_name=_("domanda di rimborso"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="giustificativi",
    )
    cup = models.CharField(
        _("CUP"),
        max_length=15,
        blank=True,
        help_text=_("Il CUP riportato sul documento: quello del progetto."),
    )
    tipo_documento = models.CharField(
        _("tipo di documento"), max_length=20, choices=TipoDocumentoSpesa.choices
    )
    numero_documento = models.CharField(_("numero del documento"), max_length=50)
    data_documento = models.DateField(_("data del documento"))
    fornitore = models.CharField(_("fornitore o percettore"), max_length=255)
    partita_iva = models.CharField(_("partita IVA o codice fiscale"), max_length=16, blank=True)
    imponibile = importo_field(_("imponibile"))
    iva = importo_field(_("IVA"))
    totale = importo_field(_("totale"), editable=False)

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("giustificativo di spesa")
        verbose_name_plural = _("giustificativi di spesa")
        ordering = ["progetto", "data_documento", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(imponibile__gte=0, iva__gte=0),
                name="%(app_label)s_%(class)s_importi_non_negativi",
            ),
            models.CheckConstraint(
                # Rounded: SQLite adds the two amounts in floating point.
                condition=Q(totale=Round(F("imponibile") + F("iva"), 2)),
                name="%(app_label)s_%(class)s_totale_somma",
            ),
            models.UniqueConstraint(
                fields=["progetto", "fornitore", "tipo_documento", "numero_documento"],
                name="%(app_label)s_%(class)s_documento_unico",
            ),
        ]

    def __str__(self):
        return f"{self.get_tipo_documento_display()} {self.numero_documento} - {self.fornitore}"


# Validators format their message with their params: the per cent sign is doubled.
MSG_QUOTA_OLTRE_100 = _("La quota non può superare il 100%%.")


def quota_field(verbose_name, **kwargs):
    """A share in per cent, two decimals, from 0 to 100."""
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0"), _("La quota non può essere negativa.")),
            MaxValueValidator(Decimal("100"), MSG_QUOTA_OLTRE_100),
        ],
        **kwargs,
    )


class Candidatura(RulesInCleanMixin, Versioned, models.Model):
    """A (joint) candidature to a notice, e.g. PNRR Avviso 1/2022: one capofila Ambito,
    partner Ambiti with their share, one row per investment line (`LineaCandidatura`).

    `totale_decreto` is the total granted as printed in the admission decree, kept only
    to be checked against the total computed from the lines (like TotaleRiportato)."""

    avviso = models.CharField(
        _("avviso"), max_length=255, help_text=_("Ad esempio: PNRR Avviso pubblico 1/2022.")
    )
    titolo = models.CharField(_("titolo"), max_length=500)
    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito capofila"),
        on_delete=models.PROTECT,
        related_name="candidature",
    )
    ente_capofila = models.ForeignKey(
        "ambito.Ente",
        verbose_name=_("ente capofila"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidature_guidate",
        help_text=_(
            "L'ente che presenta la domanda per l'Ambito (azienda consortile, Comune capofila)."
        ),
    )
    data_presentazione = models.DateField(_("data di presentazione"), null=True, blank=True)
    decreto = models.CharField(
        _("decreto di ammissione"),
        max_length=255,
        blank=True,
        help_text=_("Estremi del decreto, ad esempio: Decreto direttoriale n. 98 del 9/5/2022."),
    )
    totale_decreto = importo_field(
        _("totale ammesso nel decreto"),
        null=True,
        blank=True,
        help_text=_(
            "Il totale come stampato nel decreto: serve solo al confronto con il totale "
            "calcolato dagli importi per investimento."
        ),
    )
    nota = models.TextField(_("nota"), blank=True)

    scope_ambito = "ambito"
    scope_candidatura = ""
    objects = CandidaturaScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("candidatura")
        verbose_name_plural = _("candidature")
        ordering = ["-data_presentazione", "titolo", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(totale_decreto__isnull=True) | Q(totale_decreto__gte=0),
                name="%(app_label)s_%(class)s_totale_non_negativo",
            ),
        ]

    def __str__(self):
        return f"{self.avviso} - {self.titolo}"

    def get_absolute_url(self):
        return reverse("fondi:candidatura_detail", args=[self.pk])

    def clean(self):
        if self.ente_capofila_id and self.ambito_id:
            if self.ente_capofila.ambito_id != self.ambito_id:
                raise ValidationError(
                    {"ente_capofila": _("L'ente capofila deve appartenere all'Ambito capofila.")}
                )


class PartecipazioneCandidatura(RulesInCleanMixin, Versioned, models.Model):
    """A partner Ambito of a candidature, with its share of the total (per cent)."""

    candidatura = models.ForeignKey(
        Candidatura,
        verbose_name=_("candidatura"),
        on_delete=models.CASCADE,
        related_name="partecipazioni",
    )
    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito partner"),
        on_delete=models.PROTECT,
        related_name="partecipazioni_candidature",
    )
    quota = quota_field(
        _("quota (%)"),
        help_text=_("Percentuale del totale che spetta all'Ambito partner, se nota."),
    )

    scope_ambito = "candidatura__ambito"
    scope_candidatura = "candidatura"
    objects = CandidaturaScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Ambito partner della candidatura")
        verbose_name_plural = _("Ambiti partner della candidatura")
        ordering = ["candidatura", "ambito__nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidatura", "ambito"], name="%(app_label)s_%(class)s_ambito_unico"
            ),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(quota__gte=0, quota__lte=100),
                name="%(app_label)s_%(class)s_quota_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.candidatura} - {self.ambito}"


class LineaCandidatura(RulesInCleanMixin, Versioned, models.Model):
    """One investment of a candidature (e.g. PNRR-M5C2-1.1.3), with its amount when
    known, its own outcome and its project (which later gets its CUP)."""

    candidatura = models.ForeignKey(
        Candidatura,
        verbose_name=_("candidatura"),
        on_delete=models.CASCADE,
        related_name="linee",
    )
    linea = models.ForeignKey(
        LineaFinanziamento,
        verbose_name=_("investimento (linea di finanziamento)"),
        on_delete=models.PROTECT,
        related_name="linee_candidatura",
    )
    importo = importo_field(
        _("importo"),
        null=True,
        blank=True,
        help_text=_("Lasciare vuoto se il riparto per investimento non è noto."),
    )
    progetto = models.OneToOneField(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linea_candidatura",
    )
    esito = models.CharField(
        _("esito"),
        max_length=30,
        choices=EsitoCandidatura.choices,
        default=EsitoCandidatura.IN_ATTESA,
    )
    nota_esito = models.CharField(
        _("nota sull'esito"),
        max_length=500,
        blank=True,
        help_text=_("Ad esempio, per un idoneo non finanziato: il finanziamento alternativo."),
    )

    scope_ambito = "candidatura__ambito"
    scope_candidatura = "candidatura"
    objects = CandidaturaScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("investimento della candidatura")
        verbose_name_plural = _("investimenti della candidatura")
        ordering = ["candidatura", "linea__codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidatura", "linea"], name="%(app_label)s_%(class)s_linea_unica"
            ),
            models.CheckConstraint(
                condition=Q(importo__isnull=True) | Q(importo__gte=0),
                name="%(app_label)s_%(class)s_importo_non_negativo",
            ),
        ]

    def __str__(self):
        return f"{self.candidatura} - {self.linea.codice}"

    get_esito_display = etichetta_di("esito", EsitoCandidatura)


class PartnerProgetto(RulesInCleanMixin, Versioned, models.Model):
    """A body that is not an Ambito (ASST, housing company, association, Comune) in a
    project, with its role and, if known, its amount or share."""

    progetto = models.ForeignKey(
        Progetto,
        verbose_name=_("progetto"),
        on_delete=models.CASCADE,
        related_name="partner_enti",
    )
    ente = models.ForeignKey(
        "ambito.Ente",
        verbose_name=_("ente"),
        on_delete=models.PROTECT,
        related_name="partecipazioni_progetti",
    )
    ruolo = models.CharField(_("ruolo"), max_length=30, choices=RuoloPartner.choices)
    importo = importo_field(_("importo"), null=True, blank=True)
    quota = quota_field(_("quota (%)"))
    nota = models.CharField(_("nota"), max_length=500, blank=True)

    scope_ambito = "progetto__ambito"
    scope_progetto = "progetto"
    objects = ProgettoScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ente partner del progetto")
        verbose_name_plural = _("enti partner del progetto")
        ordering = ["progetto", "ruolo", "ente__nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["progetto", "ente", "ruolo"], name="%(app_label)s_%(class)s_unico"
            ),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(quota__gte=0, quota__lte=100),
                name="%(app_label)s_%(class)s_quota_0_100",
            ),
            models.CheckConstraint(
                condition=Q(importo__isnull=True) | Q(importo__gte=0),
                name="%(app_label)s_%(class)s_importo_non_negativo",
            ),
        ]

    def __str__(self):
        return f"{self.ente} ({self.get_ruolo_display()})"

    get_ruolo_display = etichetta_di("ruolo", RuoloPartner)
