"""Services and measures run by the Ambito (§ 4.4 and § 4.5 of the Piano), their yearly
figures and calls, and the unità d'offerta of the territory (§ 3.1 and § 3.2).

Figures are rows, never totals: a service's yearly figure is the sum of its rows (by
Comune or category), an avviso's resources the sum of its quote, the capacity of an
area the sum of its units' places. What the Piano prints is kept apart, "as printed",
for the data check.

A service's named figure (`Grandezza`) has the shape of an indicator of the indicatori
app (code, name, unit, values by year, Comune and category): moving the series there
is one row per value, with no change of meaning.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.platform.querysets import ScopedManager
from ambito.platform.versioning import Versioned

from .choices import (
    AreaUtenza,
    Gestione,
    Misura,
    Natura,
    StatoServizio,
    Territorio,
    TipoAffermazione,
    TipoQuota,
    TipoServizio,
    TipoStampato,
    UnitaGrandezza,
    UnitaStatistica,
)

ANNO_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


def _stesso_ambito(errors, field, obj, ambito_id, message):
    if obj is not None and ambito_id and obj.ambito_id != ambito_id:
        errors[field] = message


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
    sviluppo_futuro = models.TextField(_("sviluppo futuro"), blank=True)
    ente_gestore = models.ForeignKey(
        "ambito.Ente",
        verbose_name=_("ente gestore"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="servizi_gestiti",
    )
    leps = models.BooleanField(
        _("LEPS"), default=False, help_text=_("Livello essenziale delle prestazioni sociali.")
    )
    comuni = models.ManyToManyField(
        "ambito.Comune",
        verbose_name=_("Comuni in cui è attivo"),
        blank=True,
        related_name="servizi",
    )
    linee = models.ManyToManyField(
        "fondi.LineaFinanziamento",
        verbose_name=_("linee di finanziamento"),
        blank=True,
        related_name="servizi",
    )
    data_avvio = models.DateField(_("data di avvio"), null=True, blank=True)
    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoServizio.choices, default=StatoServizio.ATTIVO
    )
    sezione = models.CharField(
        _("sezione del Piano"), max_length=20, blank=True, help_text=_("Ad esempio 4.4.")
    )

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords(m2m_fields=[comuni, linee])

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

    def clean(self):
        errors = {}
        _stesso_ambito(
            errors,
            "ente_gestore",
            self.ente_gestore,
            self.ambito_id,
            _("L'ente gestore deve essere un ente dell'Ambito del servizio."),
        )
        if errors:
            raise ValidationError(errors)


class Grandezza(models.Model):
    """A named yearly figure of a service (e.g. "interventi realizzati")."""

    servizio = models.ForeignKey(
        Servizio, verbose_name=_("servizio"), on_delete=models.CASCADE, related_name="grandezze"
    )
    codice = models.SlugField(_("codice"), max_length=60)
    nome = models.CharField(_("nome"), max_length=255)
    unita = models.CharField(
        _("unità di misura"),
        max_length=20,
        choices=UnitaGrandezza.choices,
        default=UnitaGrandezza.CONTEGGIO,
    )
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "servizio__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dato del servizio")
        verbose_name_plural = _("dati del servizio")
        ordering = ["servizio", "ordine", "nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["servizio", "codice"], name="%(app_label)s_%(class)s_codice_unico"
            ),
        ]

    def __str__(self):
        return self.nome


class DatoAnnuale(models.Model):
    """One row of a figure: a year, optionally a Comune and a category, a value."""

    grandezza = models.ForeignKey(
        Grandezza, verbose_name=_("dato"), on_delete=models.CASCADE, related_name="dati"
    )
    anno = models.PositiveSmallIntegerField(_("anno"), validators=ANNO_VALIDATORS)
    comune = models.ForeignKey(
        "ambito.Comune",
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dati_servizi",
    )
    categoria = models.CharField(
        _("categoria"), max_length=60, blank=True, help_text=_("Ad esempio anziani, minori.")
    )
    valore = models.DecimalField(
        _("valore"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    nota = models.CharField(_("nota"), max_length=255, blank=True)

    scope_ambito = "grandezza__servizio__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valore annuale")
        verbose_name_plural = _("valori annuali")
        ordering = ["grandezza", "anno", "comune__nome", "categoria"]
        constraints = [
            models.UniqueConstraint(
                fields=["grandezza", "anno", "comune", "categoria"],
                condition=Q(comune__isnull=False),
                name="%(app_label)s_%(class)s_riga_comune_unica",
            ),
            models.UniqueConstraint(
                fields=["grandezza", "anno", "categoria"],
                condition=Q(comune__isnull=True),
                name="%(app_label)s_%(class)s_riga_ambito_unica",
            ),
            models.CheckConstraint(
                condition=Q(valore__gte=0), name="%(app_label)s_%(class)s_valore_non_negativo"
            ),
        ]

    def __str__(self):
        return f"{self.grandezza} {self.anno}: {self.valore}"

    def clean(self):
        if self.comune_id and self.grandezza_id:
            if self.comune.ambito_id != self.grandezza.servizio.ambito_id:
                raise ValidationError(
                    {"comune": _("Il Comune non appartiene all'Ambito del servizio.")}
                )


class TotaleStampato(models.Model):
    """The yearly total of a figure as the Piano prints it (for the data check)."""

    grandezza = models.ForeignKey(
        Grandezza,
        verbose_name=_("dato"),
        on_delete=models.CASCADE,
        related_name="totali_stampati",
    )
    anno = models.PositiveSmallIntegerField(_("anno"), validators=ANNO_VALIDATORS)
    valore = models.DecimalField(_("valore stampato"), max_digits=14, decimal_places=2)

    scope_ambito = "grandezza__servizio__ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("totale stampato nel Piano")
        verbose_name_plural = _("totali stampati nel Piano")
        ordering = ["grandezza", "anno"]
        constraints = [
            models.UniqueConstraint(
                fields=["grandezza", "anno"], name="%(app_label)s_%(class)s_unico"
            ),
        ]

    def __str__(self):
        return f"{self.grandezza} {self.anno}: {self.valore} ({_('come stampato')})"


class Avviso(models.Model):
    """A public call of a measure (avviso pubblico)."""

    servizio = models.ForeignKey(
        Servizio, verbose_name=_("misura"), on_delete=models.CASCADE, related_name="avvisi"
    )
    numero = models.PositiveSmallIntegerField(_("numero"), validators=[MinValueValidator(1)])
    titolo = models.CharField(_("titolo"), max_length=255)
    riferimento = models.CharField(
        _("riferimento normativo"),
        max_length=255,
        blank=True,
        help_text=_("Ad esempio D.G.R. n. 6970/2022."),
    )
    data_apertura = models.DateField(_("data di apertura"), null=True, blank=True)
    data_chiusura = models.DateField(_("data di chiusura"), null=True, blank=True)
    domande_finanziate = models.PositiveIntegerField(_("domande finanziate"), null=True, blank=True)
    domande_scorrimento = models.PositiveIntegerField(
        _("domande finanziate per scorrimento della graduatoria"), null=True, blank=True
    )
    domande_in_attesa = models.PositiveIntegerField(
        _("domande in lista d'attesa"), null=True, blank=True
    )
    risorse_erogate_stampate = models.DecimalField(
        _("risorse erogate (come stampate nel Piano)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    nota = models.TextField(_("nota"), blank=True)

    scope_ambito = "servizio__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("avviso pubblico")
        verbose_name_plural = _("avvisi pubblici")
        ordering = ["servizio", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["servizio", "numero"], name="%(app_label)s_%(class)s_numero_unico"
            ),
            models.CheckConstraint(
                condition=Q(data_chiusura__isnull=True)
                | Q(data_apertura__isnull=True)
                | Q(data_chiusura__gte=models.F("data_apertura")),
                name="%(app_label)s_%(class)s_date_ordinate",
            ),
        ]

    def __str__(self):
        return self.titolo

    def clean(self):
        errors = {}
        if self.data_apertura and self.data_chiusura and self.data_chiusura < self.data_apertura:
            errors["data_chiusura"] = _("La chiusura non può precedere l'apertura.")
        if self.servizio_id and self.servizio.tipo != TipoServizio.MISURA:
            errors["servizio"] = _(
                "Gli avvisi pubblici appartengono a una misura, non a un servizio."
            )
        if errors:
            raise ValidationError(errors)


class QuotaAvviso(models.Model):
    """An amount of an avviso's resources, with the act that provides it."""

    avviso = models.ForeignKey(
        Avviso, verbose_name=_("avviso"), on_delete=models.CASCADE, related_name="quote"
    )
    tipo = models.CharField(
        _("tipo"), max_length=20, choices=TipoQuota.choices, default=TipoQuota.EROGATA
    )
    riferimento = models.CharField(_("riferimento"), max_length=255, blank=True)
    importo = models.DecimalField(
        _("importo (€)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    scope_ambito = "avviso__servizio__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quota di risorse")
        verbose_name_plural = _("quote di risorse")
        ordering = ["avviso", "tipo", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(importo__gte=0), name="%(app_label)s_%(class)s_importo_non_negativo"
            ),
        ]

    def __str__(self):
        return f"{self.get_tipo_display()} {self.importo}"


class TipoUnitaOfferta(models.Model):
    """A kind of unità d'offerta (Asilo Nido, CSE, RSA ...), in one area (reference data)."""

    codice = models.SlugField(_("codice"), max_length=60, unique=True)
    nome = models.CharField(_("nome"), max_length=255)
    sigla = models.CharField(_("sigla"), max_length=20, blank=True)
    area = models.CharField(_("area"), max_length=30, choices=AreaUtenza.choices)
    natura = models.CharField(_("natura"), max_length=20, choices=Natura.choices)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("tipologia di unità d'offerta")
        verbose_name_plural = _("tipologie di unità d'offerta")
        ordering = ["ordine", "nome"]

    def __str__(self):
        return self.nome


class UnitaOfferta(Versioned, models.Model):
    """A facility or a home-care service of the territory, with its capacity."""

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.PROTECT,
        related_name="unita_offerta",
    )
    area = models.CharField(_("area"), max_length=30, choices=AreaUtenza.choices)
    tipo = models.ForeignKey(
        TipoUnitaOfferta,
        verbose_name=_("tipologia"),
        on_delete=models.PROTECT,
        related_name="unita",
    )
    nome = models.CharField(_("denominazione"), max_length=255)
    comune = models.ForeignKey(
        "ambito.Comune",
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unita_offerta",
        help_text=_("Vuoto se il Piano non indica un Comune dell'Ambito."),
    )
    localita = models.CharField(
        _("località e gestore come indicati nel Piano"), max_length=255, blank=True
    )
    posti = models.PositiveIntegerField(
        _("posti"), null=True, blank=True, help_text=_("Vuoto se la capienza non è nota.")
    )
    gestione = models.CharField(
        _("gestione"), max_length=20, choices=Gestione.choices, default=Gestione.NON_INDICATA
    )
    ente_gestore = models.ForeignKey(
        "ambito.Ente",
        verbose_name=_("ente gestore"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unita_gestite",
    )
    note = models.TextField(_("note"), blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unità d'offerta")
        verbose_name_plural = _("unità d'offerta")
        ordering = ["tipo__ordine", "comune__nome", "nome"]
        indexes = [models.Index(fields=["ambito", "area", "tipo"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(posti__isnull=True) | Q(posti__gte=0),
                name="%(app_label)s_%(class)s_posti_non_negativi",
            ),
        ]

    def __str__(self):
        return self.nome

    @property
    def natura(self):
        return self.tipo.natura

    def clean(self):
        errors = {}
        if self.tipo_id and self.area and self.tipo.area != self.area:
            errors["tipo"] = _(
                "La tipologia %(tipo)s appartiene all'area %(area_tipo)s, non all'area %(area)s."
            ) % {
                "tipo": self.tipo.nome,
                "area_tipo": self.tipo.get_area_display(),
                "area": self.get_area_display(),
            }
        if self.comune_id and self.ambito_id and self.comune.ambito_id != self.ambito_id:
            errors["comune"] = _("Il Comune non appartiene all'Ambito dell'unità d'offerta.")
        _stesso_ambito(
            errors,
            "ente_gestore",
            self.ente_gestore,
            self.ambito_id,
            _("L'ente gestore deve essere un ente dell'Ambito."),
        )
        if errors:
            raise ValidationError(errors)


class DatoStampatoUnita(models.Model):
    """A count or total of the unità d'offerta as the Piano prints it (data check).

    It says what it counts (`misura`) and over what: social or socio-sanitary units,
    an area, a type, a Comune, or any combination; empty means "all".
    """

    ambito = models.ForeignKey(
        "ambito.Ambito",
        verbose_name=_("Ambito"),
        on_delete=models.CASCADE,
        related_name="dati_stampati_unita",
    )
    misura = models.CharField(_("misura"), max_length=20, choices=Misura.choices)
    natura = models.CharField(_("natura"), max_length=20, choices=Natura.choices, blank=True)
    area = models.CharField(_("area"), max_length=30, choices=AreaUtenza.choices, blank=True)
    tipo = models.ForeignKey(
        TipoUnitaOfferta,
        verbose_name=_("tipologia"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    comune = models.ForeignKey(
        "ambito.Comune", verbose_name=_("Comune"), on_delete=models.CASCADE, null=True, blank=True
    )
    valore = models.PositiveIntegerField(_("valore stampato"))
    fonte = models.CharField(_("fonte"), max_length=255, blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("dato stampato delle unità d'offerta")
        verbose_name_plural = _("dati stampati delle unità d'offerta")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_misura_display()}: {self.valore} ({_('come stampato')})"


# --- Statistical tables of the Piano's context analysis (chapter "Dati di contesto") -------


class Tabella(models.Model):
    """A statistical table of the Piano ("Tab. 3"): measures, rows of values by
    territory, year and category, and the figures printed under them kept apart."""

    ambito = models.ForeignKey(
        "ambito.Ambito", verbose_name=_("Ambito"), on_delete=models.CASCADE, related_name="tabelle"
    )
    codice = models.CharField(_("codice"), max_length=20, help_text=_("Ad esempio «Tab. 3»."))
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)
    titolo = models.CharField(_("titolo"), max_length=300)
    sezione = models.CharField(_("sezione del Piano"), max_length=20, blank=True)
    fonte = models.CharField(_("fonte"), max_length=300, blank=True)
    data_riferimento = models.CharField(
        _("data di riferimento"), max_length=60, blank=True, help_text=_("Come stampata.")
    )

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tabella statistica")
        verbose_name_plural = _("tabelle statistiche")
        ordering = ["ordine", "codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "codice"], name="%(app_label)s_%(class)s_codice_unico"
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.titolo}"


class MisuraTabella(models.Model):
    """A measure (column) of a table, with its unit and printed precision."""

    tabella = models.ForeignKey(
        Tabella, verbose_name=_("tabella"), on_delete=models.CASCADE, related_name="misure"
    )
    codice = models.SlugField(_("codice"), max_length=60)
    nome = models.CharField(_("nome"), max_length=200)
    unita = models.CharField(
        _("unità"), max_length=20, choices=UnitaStatistica.choices, default="conteggio"
    )
    decimali = models.PositiveSmallIntegerField(_("decimali stampati"), default=0)
    parte_di = models.ForeignKey(
        "self",
        verbose_name=_("parte di"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parti",
        help_text=_("La misura di cui questa è una parte (es. minori stranieri di stranieri)."),
    )
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "tabella__ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("misura di tabella")
        verbose_name_plural = _("misure di tabella")
        ordering = ["tabella", "ordine", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tabella", "codice"], name="%(app_label)s_%(class)s_codice_unico"
            ),
        ]

    def __str__(self):
        return f"{self.tabella.codice} · {self.nome}"


class ValoreTabella(models.Model):
    """One value of a table: a measure for a territory, a year and a category."""

    misura = models.ForeignKey(
        MisuraTabella, verbose_name=_("misura"), on_delete=models.CASCADE, related_name="valori"
    )
    territorio = models.CharField(
        _("territorio"), max_length=20, choices=Territorio.choices, default="comune"
    )
    comune = models.ForeignKey(
        "ambito.Comune", verbose_name=_("Comune"), on_delete=models.PROTECT, null=True, blank=True
    )
    luogo = models.CharField(_("luogo"), max_length=120, blank=True)
    anno = models.PositiveSmallIntegerField(
        _("anno"), null=True, blank=True, validators=ANNO_VALIDATORS
    )
    categoria = models.CharField(_("categoria"), max_length=120, blank=True)
    valore = models.DecimalField(_("valore"), max_digits=16, decimal_places=4)

    scope_ambito = "misura__tabella__ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("valore di tabella")
        verbose_name_plural = _("valori di tabella")
        ordering = ["misura", "anno", "categoria", "comune__nome", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(territorio="comune", comune__isnull=False)
                | (~Q(territorio="comune") & Q(comune__isnull=True)),
                name="%(app_label)s_%(class)s_comune_se_territorio_comune",
            ),
        ]

    def __str__(self):
        return f"{self.misura}: {self.valore}"

    def clean(self):
        errors = {}
        if self.territorio == Territorio.COMUNE and self.comune_id is None:
            errors["comune"] = _("Indicare il Comune.")
        if self.territorio != Territorio.COMUNE and self.comune_id is not None:
            errors["comune"] = _("Il Comune si indica solo per il territorio «Comune».")
        if self.comune_id and self.misura_id:
            if self.comune.ambito_id != self.misura.tabella.ambito_id:
                errors["comune"] = _("Il Comune non appartiene all'Ambito della tabella.")
        if errors:
            raise ValidationError(errors)


class DatoStampatoTabella(models.Model):
    """A figure printed in a table (total, average, percentage, change, ratio), kept as
    printed and checked against the rows it summarises: the rows of `misura` in the
    year (and categories, Comune) it names, over those of `denominatore` if any."""

    tabella = models.ForeignKey(
        Tabella, verbose_name=_("tabella"), on_delete=models.CASCADE, related_name="stampati"
    )
    etichetta = models.CharField(_("etichetta"), max_length=200)
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoStampato.choices)
    misura = models.ForeignKey(
        MisuraTabella,
        verbose_name=_("misura delle righe"),
        on_delete=models.CASCADE,
        related_name="stampati",
    )
    anno = models.PositiveSmallIntegerField(_("anno"), null=True, blank=True)
    anno_base = models.PositiveSmallIntegerField(
        _("anno di confronto"), null=True, blank=True, help_text=_("Per le variazioni.")
    )
    categorie = models.CharField(
        _("categorie"),
        max_length=500,
        blank=True,
        help_text=_("Separate da «|»; vuoto: tutte."),
    )
    comune = models.ForeignKey(
        "ambito.Comune", verbose_name=_("Comune"), on_delete=models.PROTECT, null=True, blank=True
    )
    denominatore = models.ForeignKey(
        MisuraTabella,
        verbose_name=_("misura del denominatore o dei pesi"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    anno_denominatore = models.PositiveSmallIntegerField(
        _("anno del denominatore"), null=True, blank=True
    )
    valore = models.DecimalField(_("valore stampato"), max_digits=16, decimal_places=4)
    decimali = models.PositiveSmallIntegerField(_("decimali stampati"), default=0)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "tabella__ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("dato stampato di tabella")
        verbose_name_plural = _("dati stampati di tabella")
        ordering = ["tabella", "ordine", "pk"]

    def __str__(self):
        return f"{self.tabella.codice} · {self.etichetta}: {self.valore}"

    @property
    def elenco_categorie(self) -> list[str]:
        return [c.strip() for c in self.categorie.split("|") if c.strip()]


class Affermazione(models.Model):
    """A sentence of the Piano that states a fact about a table, held as a claim the
    data can confirm or contradict: "the population grows in Binasco", "Pieve Emanuele
    has the highest share of young people", "14% of the minors are foreign".

    `soggetti`: the Comuni (or categories, for MASSIMO) it names, separated by "|";
    "tutti" for every Comune; empty for the Ambito as a whole.
    """

    tabella = models.ForeignKey(
        Tabella, verbose_name=_("tabella"), on_delete=models.CASCADE, related_name="affermazioni"
    )
    testo = models.TextField(_("testo del Piano"))
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoAffermazione.choices)
    misura = models.ForeignKey(
        MisuraTabella, verbose_name=_("misura"), on_delete=models.CASCADE, related_name="+"
    )
    denominatore = models.ForeignKey(
        MisuraTabella,
        verbose_name=_("denominatore"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    categorie = models.CharField(_("categorie"), max_length=500, blank=True)
    soggetti = models.CharField(_("Comuni o categorie"), max_length=500, blank=True)
    anno_base = models.PositiveSmallIntegerField(_("dall'anno"), null=True, blank=True)
    anno = models.PositiveSmallIntegerField(_("all'anno"), null=True, blank=True)
    valore = models.DecimalField(
        _("valore affermato"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    decimali = models.PositiveSmallIntegerField(_("decimali"), default=0)
    soglia = models.DecimalField(
        _("soglia di invarianza (%)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_("Variazione entro cui un dato si dice invariato."),
    )
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    scope_ambito = "tabella__ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("affermazione del Piano")
        verbose_name_plural = _("affermazioni del Piano")
        ordering = ["tabella", "ordine", "pk"]

    def __str__(self):
        return self.testo[:80]

    @property
    def elenco_categorie(self) -> list[str]:
        return [c.strip() for c in self.categorie.split("|") if c.strip()]

    @property
    def elenco_soggetti(self) -> list[str]:
        return [c.strip() for c in self.soggetti.split("|") if c.strip()]
