"""Indicators of the Piano di Zona, reporting periods and the values the Comuni report.

Totals across Comuni or periods are never stored: `selectors.py` computes them in SQL.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.models import Lavoro
from ambito.platform.querysets import ScopedManager

from .choices import (
    AggregazioneComuni,
    AggregazionePeriodi,
    AzionePeriodo,
    Direzione,
    FonteContesto,
    Livello,
    Periodicita,
    StatoPeriodo,
    StatoValore,
    TipoIndicatore,
    UnitaMisura,
)
from .querysets import IndicatoreManager, ValoreManager, periodicita_dovute

NON_NEGATIVO = [MinValueValidator(0, _("Il valore non può essere negativo."))]


def _importo(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, null=True, blank=True, **kwargs
    )


class Indicatore(models.Model):
    """An indicator of the plan (section 7.2 of the Piano) or of a service it monitors."""

    piano = models.ForeignKey(
        "programmi.PianoDiZona",
        verbose_name=_("Piano di Zona"),
        on_delete=models.PROTECT,
        related_name="indicatori",
    )
    scheda = models.ForeignKey(
        "programmi.Scheda",
        verbose_name=_("scheda obiettivo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicatori",
    )
    obiettivo = models.ForeignKey(
        "programmi.Obiettivo",
        verbose_name=_("obiettivo"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicatori",
    )
    progetto = models.ForeignKey(
        "fondi.Progetto",
        verbose_name=_("progetto"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicatori",
    )
    servizio = models.ForeignKey(
        "servizi.Servizio",
        verbose_name=_("servizio o misura"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicatori",
    )
    area = models.ForeignKey(
        "servizi.AreaIntervento",
        verbose_name=_("area di intervento"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicatori",
        help_text=_("L'area del Piano a cui l'indicatore si riferisce (filtro del cruscotto)."),
    )
    codice = models.CharField(_("codice"), max_length=30)
    nome = models.CharField(_("nome"), max_length=500)
    descrizione = models.TextField(_("descrizione"), blank=True)
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoIndicatore.choices)
    unita = models.CharField(_("unità di misura"), max_length=20, choices=UnitaMisura.choices)
    valore_atteso = _importo(_("valore atteso"), validators=NON_NEGATIVO)
    valore_atteso_testo = models.CharField(
        _("valore atteso (descrizione)"),
        max_length=500,
        blank=True,
        help_text=_("Per i risultati qualitativi, o per dire come il Piano formula il valore."),
    )
    data_target = models.DateField(_("data del valore atteso"), null=True, blank=True)
    baseline = _importo(_("valore di partenza"), validators=NON_NEGATIVO)
    baseline_nota = models.CharField(
        _("riferimento del valore di partenza"), max_length=200, blank=True
    )
    direzione = models.CharField(
        _("direzione"), max_length=20, choices=Direzione.choices, default=Direzione.CRESCENTE
    )
    aggregazione_comuni = models.CharField(
        _("aggregazione tra Comuni"),
        max_length=20,
        choices=AggregazioneComuni.choices,
        default=AggregazioneComuni.SOMMA,
    )
    aggregazione_periodi = models.CharField(
        _("aggregazione tra periodi"),
        max_length=20,
        choices=AggregazionePeriodi.choices,
        default=AggregazionePeriodi.SOMMA,
    )
    periodicita = models.CharField(
        _("periodicità"), max_length=20, choices=Periodicita.choices, default=Periodicita.ANNUALE
    )
    livello = models.CharField(
        _("livello di rilevazione"), max_length=20, choices=Livello.choices, default=Livello.COMUNE
    )
    categorie_esaustive = models.BooleanField(
        _("le categorie compongono il totale"),
        default=False,
        help_text=_(
            "Se attivo il totale è la somma delle categorie e non si inserisce; altrimenti "
            "le categorie sono voci «di cui» che non possono superare il totale."
        ),
    )
    numeratore = models.ForeignKey(
        "self",
        verbose_name=_("numeratore"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Per una percentuale calcolata: l'indicatore di conteggio al numeratore."),
    )
    denominatore = models.ForeignKey(
        "self",
        verbose_name=_("denominatore"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    conta_beneficiari = models.BooleanField(
        _("conta beneficiari"),
        default=False,
        help_text=_("I valori sono persone beneficiarie (entrano nel totale per Comune)."),
    )
    previsto_dal_piano = models.BooleanField(
        _("previsto dal Piano"),
        default=True,
        help_text=_("Disattivo per gli indicatori aggiunti per calcolare una percentuale."),
    )
    rilevazione_dal = models.DateField(_("rilevato dal"))
    rilevazione_al = models.DateField(_("rilevato fino al"), null=True, blank=True)
    fonte = models.CharField(_("riferimento nel Piano"), max_length=255, blank=True)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "piano__ambito"
    objects = IndicatoreManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicatore")
        verbose_name_plural = _("indicatori")
        ordering = ["piano", "scheda__numero", "ordine", "codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "codice"],
                name="%(app_label)s_%(class)s_codice_unico",
                violation_error_message=_("Esiste già un indicatore con questo codice nel Piano."),
            ),
            models.CheckConstraint(
                condition=Q(valore_atteso__gte=0) | Q(valore_atteso__isnull=True),
                name="%(app_label)s_%(class)s_valore_atteso_non_negativo",
            ),
            models.CheckConstraint(
                condition=Q(numeratore__isnull=True, denominatore__isnull=True)
                | Q(numeratore__isnull=False, denominatore__isnull=False, unita="percentuale"),
                name="%(app_label)s_%(class)s_percentuale_calcolata",
                violation_error_message=_(
                    "Una percentuale calcolata richiede sia il numeratore sia il denominatore."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rilevazione_al__isnull=True)
                | Q(rilevazione_al__gte=F("rilevazione_dal")),
                name="%(app_label)s_%(class)s_finestra_valida",
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.nome}"

    def get_absolute_url(self):
        return reverse("indicatori:indicatore_detail", args=[self.pk])

    @property
    def calcolato(self) -> bool:
        return self.numeratore_id is not None

    @property
    def numerico(self) -> bool:
        return self.unita != UnitaMisura.TESTO

    @property
    def per_comune(self) -> bool:
        return self.livello == Livello.COMUNE

    @property
    def decimali(self) -> int:
        return {UnitaMisura.CONTEGGIO: 0, UnitaMisura.PERCENTUALE: 1}.get(self.unita, 2)

    def dovuto_nel(self, periodo) -> bool:
        return (
            self.periodicita in periodicita_dovute(periodo)
            and self.rilevazione_dal <= periodo.data_fine
            and (self.rilevazione_al is None or self.rilevazione_al >= periodo.data_inizio)
        )


class Categoria(models.Model):
    """A disaggregation of an indicator (e.g. beneficiaries: anziani, disabili, minori)."""

    indicatore = models.ForeignKey(
        Indicatore, verbose_name=_("indicatore"), on_delete=models.CASCADE, related_name="categorie"
    )
    codice = models.SlugField(_("codice"), max_length=50)
    nome = models.CharField(_("nome"), max_length=200)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "indicatore__piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("categoria")
        verbose_name_plural = _("categorie")
        ordering = ["indicatore", "ordine", "nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicatore", "codice"], name="%(app_label)s_%(class)s_codice_unico"
            ),
        ]

    def __str__(self):
        return self.nome


class Periodo(models.Model):
    """A reporting period of an Ambito (a year, a half-year, ...) with its deadline."""

    ambito = models.ForeignKey(
        "ambito.Ambito", verbose_name=_("Ambito"), on_delete=models.PROTECT, related_name="periodi"
    )
    codice = models.SlugField(_("codice"), max_length=30)
    nome = models.CharField(_("nome"), max_length=100)
    tipo = models.CharField(_("durata"), max_length=20, choices=Periodicita.choices)
    data_inizio = models.DateField(_("inizio"))
    data_fine = models.DateField(_("fine"))
    scadenza = models.DateField(_("scadenza per l'invio"))
    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoPeriodo.choices, default=StatoPeriodo.APERTO
    )
    dimostrativo = models.BooleanField(
        _("dati dimostrativi"),
        default=False,
        help_text=_("I valori di questo periodo sono inventati per mostrare i cruscotti."),
    )
    note = models.TextField(_("note"), blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("periodo di rilevazione")
        verbose_name_plural = _("periodi di rilevazione")
        ordering = ["ambito", "-data_fine", "codice"]
        indexes = [
            # The most recent periods first (lists of values across many Ambiti): a
            # nested loop from this index reads the values of one period at a time
            # instead of sorting millions of joined rows (selectors.ORDINE_VALORI).
            models.Index(fields=["-data_fine", "-id"], name="indicatori_periodo_recenti"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "codice"],
                name="%(app_label)s_%(class)s_codice_unico",
                violation_error_message=_("Esiste già un periodo con questo codice."),
            ),
            models.CheckConstraint(
                condition=Q(data_fine__gte=F("data_inizio")),
                name="%(app_label)s_%(class)s_date_valide",
                violation_error_message=_("La fine del periodo non può precedere l'inizio."),
            ),
            models.CheckConstraint(
                condition=Q(scadenza__gte=F("data_fine")),
                name="%(app_label)s_%(class)s_scadenza_dopo_fine",
                violation_error_message=_("La scadenza non può precedere la fine del periodo."),
            ),
        ]

    def __str__(self):
        return self.nome

    @property
    def aperto(self) -> bool:
        return self.stato != StatoPeriodo.CHIUSO

    @property
    def anno(self) -> int:
        return self.data_fine.year

    def scaduto(self, oggi=None) -> bool:
        return (oggi or timezone.localdate()) > self.scadenza


class EventoPeriodo(models.Model):
    """A closing or reopening of a period: who, when and why."""

    periodo = models.ForeignKey(
        Periodo, verbose_name=_("periodo"), on_delete=models.CASCADE, related_name="eventi"
    )
    azione = models.CharField(_("azione"), max_length=20, choices=AzionePeriodo.choices)
    motivo = models.TextField(_("motivo"))
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utente"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quando = models.DateTimeField(_("quando"), default=timezone.now)

    scope_ambito = "periodo__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chiusura o riapertura")
        verbose_name_plural = _("chiusure e riaperture")
        ordering = ["periodo", "-quando"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(motivo=""), name="%(app_label)s_%(class)s_motivo_obbligatorio"
            ),
        ]

    def __str__(self):
        return f"{self.get_azione_display()} {self.periodo}"


class Valore(models.Model):
    """A value reported for one indicator, one Comune (or the Ambito) and one period.

    `versione` grows at every change: a form carries the version it showed, and the
    save is refused when the row has moved on meanwhile (no lost update).
    """

    # Bookkeeping the audit trail does not show to people (registry.Tracciato).
    campi_tecnici = ("versione",)

    indicatore = models.ForeignKey(
        Indicatore, verbose_name=_("indicatore"), on_delete=models.PROTECT, related_name="valori"
    )
    periodo = models.ForeignKey(
        Periodo, verbose_name=_("periodo"), on_delete=models.PROTECT, related_name="valori"
    )
    comune = models.ForeignKey(
        "ambito.Comune",
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="valori_indicatori",
        help_text=_("Vuoto per i valori rilevati per l'intero Ambito."),
    )
    categoria = models.ForeignKey(
        Categoria,
        verbose_name=_("categoria"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="valori",
        help_text=_("Vuoto per il totale."),
    )
    valore_numerico = _importo(_("valore"))
    valore_testo = models.TextField(_("valore (testo)"), blank=True)
    commento = models.TextField(_("commento"), blank=True)
    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoValore.choices, default=StatoValore.BOZZA
    )
    motivo_respingimento = models.TextField(_("motivo della restituzione"), blank=True)
    anomalia_confermata = models.BooleanField(
        _("scostamento confermato"),
        default=False,
        help_text=_("Chi ha inserito il valore ha confermato che è molto lontano dallo storico."),
    )
    versione = models.PositiveIntegerField(_("versione"), default=1)
    dimostrativo = models.BooleanField(_("dato dimostrativo"), default=False)
    inserito_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inserito da"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    aggiornato_il = models.DateTimeField(_("aggiornato il"), default=timezone.now)
    inviato_il = models.DateTimeField(_("inviato il"), null=True, blank=True)
    approvato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approvato da"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approvato_il = models.DateTimeField(_("approvato il"), null=True, blank=True)

    # What the person reporting a value fills in, and the workflow's trace (read-only).
    CAMPI_RILEVAZIONE = [
        "indicatore",
        "periodo",
        "comune",
        "categoria",
        "valore_numerico",
        "valore_testo",
        "commento",
    ]
    CAMPI_FLUSSO = [
        "stato",
        "motivo_respingimento",
        "anomalia_confermata",
        "dimostrativo",
        "inserito_da",
        "aggiornato_il",
        "inviato_il",
        "approvato_da",
        "approvato_il",
    ]

    scope_ambito = "periodo__ambito"
    scope_comune = "comune"
    scope_operatore_edit = True
    # A Regione reads the approved values only (ambito/rules.py LEGGE_SOLO_APPROVATI):
    # the values of the approved rows, by field.
    scope_solo_approvati = {"stato": StatoValore.APPROVATO}
    objects = ValoreManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valore")
        verbose_name_plural = _("valori")
        ordering = ["periodo", "indicatore", "comune__nome", "categoria__ordine"]
        indexes = [
            # The approved totals per indicator and period of many Ambiti at once (the
            # regional dashboard's progress), read from the index alone.
            models.Index(
                fields=["indicatore", "periodo"],
                include=["comune", "categoria", "valore_numerico"],
                condition=Q(stato="approvato"),
                name="indicatori_valore_approvati",
            ),
            # The last approval of each period: one index probe per period.
            models.Index(
                F("periodo"),
                Coalesce("approvato_il", "aggiornato_il").desc(),
                condition=Q(stato="approvato"),
                name="indicatori_valore_ultima_appr",
            ),
        ]
        constraints = [
            # One value per cell; the four variants because NULLs are distinct in a
            # plain unique index (Comune or Ambito, total or category).
            models.UniqueConstraint(
                fields=["indicatore", "periodo", "comune", "categoria"],
                condition=Q(comune__isnull=False, categoria__isnull=False),
                name="%(app_label)s_%(class)s_unico_comune_categoria",
            ),
            models.UniqueConstraint(
                fields=["indicatore", "periodo", "comune"],
                condition=Q(comune__isnull=False, categoria__isnull=True),
                name="%(app_label)s_%(class)s_unico_comune_totale",
            ),
            models.UniqueConstraint(
                fields=["indicatore", "periodo", "categoria"],
                condition=Q(comune__isnull=True, categoria__isnull=False),
                name="%(app_label)s_%(class)s_unico_ambito_categoria",
            ),
            models.UniqueConstraint(
                fields=["indicatore", "periodo"],
                condition=Q(comune__isnull=True, categoria__isnull=True),
                name="%(app_label)s_%(class)s_unico_ambito_totale",
            ),
            models.CheckConstraint(
                condition=Q(valore_numerico__gte=0) | Q(valore_numerico__isnull=True),
                name="%(app_label)s_%(class)s_non_negativo",
                violation_error_message=_("Il valore non può essere negativo."),
            ),
            models.CheckConstraint(
                condition=Q(valore_numerico__isnull=True) | Q(valore_testo=""),
                name="%(app_label)s_%(class)s_numero_o_testo",
            ),
            models.CheckConstraint(
                condition=~Q(stato="respinto") | ~Q(motivo_respingimento=""),
                name="%(app_label)s_%(class)s_motivo_se_respinto",
                violation_error_message=_("Indicare il motivo della restituzione."),
            ),
        ]

    def __str__(self):
        dove = self.comune or _("Ambito")
        categoria = f" - {self.categoria}" if self.categoria_id else ""
        return f"{self.indicatore.codice} {dove} {self.periodo}{categoria}"

    def get_absolute_url(self):
        return reverse("indicatori:valore_detail", args=[self.pk])

    @property
    def vuoto(self) -> bool:
        return self.valore_numerico is None and not self.valore_testo.strip()


class IndicatoreContesto(models.Model):
    """A context indicator of section 2 of the Piano (ISTAT, ATS or UdP data)."""

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.PROTECT,
        related_name="indicatori_contesto",
    )
    codice = models.SlugField(_("codice"), max_length=50)
    nome = models.CharField(_("nome"), max_length=255)
    descrizione = models.TextField(_("definizione"), blank=True)
    unita = models.CharField(_("unità di misura"), max_length=100)
    decimali = models.PositiveSmallIntegerField(_("decimali"), default=1)
    aggregazione = models.CharField(
        _("aggregazione tra Comuni"),
        max_length=20,
        choices=AggregazioneComuni.choices,
        default=AggregazioneComuni.MEDIA_PESATA,
    )
    fonte = models.CharField(_("fonte"), max_length=20, choices=FonteContesto.choices)
    fonte_nota = models.CharField(_("nota sulla fonte"), max_length=500, blank=True)
    data_riferimento = models.DateField(_("data di riferimento della fonte"))
    tabella = models.CharField(_("tabella del Piano"), max_length=20, blank=True)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicatore di contesto")
        verbose_name_plural = _("indicatori di contesto")
        ordering = ["ambito", "ordine", "nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "codice"], name="%(app_label)s_%(class)s_codice_unico"
            ),
        ]

    def __str__(self):
        return self.nome


class ValoreContesto(models.Model):
    """A context figure for one Comune and one time span.

    Rows without a Comune keep the Ambito figure *as printed* in the Piano, so that
    pages can show it beside the one computed from the Comuni and flag differences.
    Public statistics: every user of the Ambito sees every Comune's row.
    """

    indicatore = models.ForeignKey(
        IndicatoreContesto,
        verbose_name=_("indicatore"),
        on_delete=models.CASCADE,
        related_name="valori",
    )
    comune = models.ForeignKey(
        "ambito.Comune",
        verbose_name=_("Comune"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="valori_contesto",
        help_text=_("Vuoto per il dato dell'Ambito come stampato nel Piano."),
    )
    data_inizio = models.DateField(_("dal"))
    data_fine = models.DateField(_("al"))
    valore = models.DecimalField(
        _("valore"), max_digits=14, decimal_places=2, validators=NON_NEGATIVO
    )

    scope_ambito = "indicatore__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valore di contesto")
        verbose_name_plural = _("valori di contesto")
        ordering = ["indicatore", "data_inizio", "comune__nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicatore", "comune", "data_inizio", "data_fine"],
                condition=Q(comune__isnull=False),
                name="%(app_label)s_%(class)s_unico_comune",
            ),
            models.UniqueConstraint(
                fields=["indicatore", "data_inizio", "data_fine"],
                condition=Q(comune__isnull=True),
                name="%(app_label)s_%(class)s_unico_ambito",
            ),
            models.CheckConstraint(
                condition=Q(data_fine__gte=F("data_inizio")),
                name="%(app_label)s_%(class)s_date_valide",
            ),
            models.CheckConstraint(
                condition=Q(valore__gte=0), name="%(app_label)s_%(class)s_non_negativo"
            ),
        ]

    def __str__(self):
        return f"{self.indicatore} {self.comune or _('Ambito')} {self.etichetta_periodo}"

    @property
    def etichetta_periodo(self) -> str:
        return etichetta_periodo(self.data_inizio, self.data_fine)


def etichetta_periodo(inizio, fine) -> str:
    """'2023' for a calendar year, else '01/03/2019 - 31/12/2023'."""
    if inizio.year == fine.year and (inizio.month, inizio.day, fine.month, fine.day) == (
        1,
        1,
        12,
        31,
    ):
        return str(inizio.year)
    return f"{inizio:%d/%m/%Y} - {fine:%d/%m/%Y}"


class RichiestaRelazione(Lavoro):
    """A Relazione di monitoraggio asked for and written by a worker (a job).

    The job's states, idempotency key and all-or-nothing registration are the common
    ones of `ambito.models.Lavoro`; this job adds the period of the Relazione.
    """

    richiesta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("richiesta da"),
        on_delete=models.CASCADE,
        related_name="richieste_relazione",
    )
    periodo = models.ForeignKey(
        Periodo,
        verbose_name=_("periodo"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    report = models.OneToOneField(
        "ambito.ReportGenerato",
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="richiesta",
    )

    class Meta(Lavoro.Meta):
        verbose_name = _("richiesta di relazione")
        verbose_name_plural = _("richieste di relazione")

    def get_absolute_url(self):
        return reverse("report:richiesta_detail", args=[self.pk])


class RichiestaRegione(Lavoro):
    """The regional dashboard's PDF asked for and written by a worker (a job).

    `parametri` holds the dashboard's filters as its form validated them (regione,
    anno, provincia, area, indicatore, ordina): the worker draws the same figures with
    them. `ambito` is the region's first Ambito the user reads (the job's scope).
    """

    richiesta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("richiesta da"),
        on_delete=models.CASCADE,
        related_name="richieste_regione",
    )
    report = models.OneToOneField(
        "ambito.ReportGenerato",
        verbose_name=_("report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="richiesta_regione",
    )

    class Meta(Lavoro.Meta):
        verbose_name = _("richiesta di PDF regionale")
        verbose_name_plural = _("richieste di PDF regionale")

    def get_absolute_url(self):
        return reverse("report:richiesta_regione_detail", args=[self.pk])

    @property
    def regione(self) -> str:
        return self.parametri.get("regione", "")
