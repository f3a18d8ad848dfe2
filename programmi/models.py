import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ambito.models import ANNO_VALIDATORS
from ambito.platform.querysets import ScopedManager
from ambito.platform.versioning import Versioned

from .choices import ELENCHI, Adeguatezza, CoincidenzaRisorse, StatoPiano, TipoVoce

MSG_PERCENTUALE = _("La percentuale deve essere compresa tra 0 e 100.")
MSG_GRADO = _("Il grado di raggiungimento deve essere compreso tra 0 e 100.")
PERCENTUALE_VALIDATORS = [
    MinValueValidator(0, MSG_PERCENTUALE),
    MaxValueValidator(100, MSG_PERCENTUALE),
]
NUMERO_OBIETTIVO_RE = re.compile(r"^\d{1,4}(\.\d{1,4})?$")


def chiave_ordinamento(numero: str) -> str:
    """'7.3' -> '00007.00003', so that 10 sorts after 9 and 1.10 after 1.9."""
    if not NUMERO_OBIETTIVO_RE.match(numero or ""):
        return numero or ""
    return ".".join(f"{int(parte):05d}" for parte in numero.split("."))


def si_no(verbose_name):
    """A yes/no answer that may also be unknown (the Piano does not always say)."""
    return models.BooleanField(verbose_name, null=True, blank=True)


class PianoDiZona(Versioned, models.Model):
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
    note = models.TextField(_("note"), blank=True)
    condiviso = models.BooleanField(
        _("condiviso con gli altri Ambiti"),
        default=False,
        help_text=_(
            "Se attivo, gli Uffici di Piano degli altri Ambiti possono partire dalla struttura "
            "di questo Piano (macro-aree, obiettivi, schede, indicatori; mai i valori)."
        ),
    )

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Piano di Zona")
        verbose_name_plural = _("Piani di Zona")
        ordering = ["ambito__nome", "-anno_inizio"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "anno_inizio"],
                name="%(app_label)s_%(class)s_periodo_unico",
                violation_error_message=_("Esiste già un Piano di Zona che inizia in quell'anno."),
            ),
            models.CheckConstraint(
                condition=Q(anno_fine__gte=models.F("anno_inizio")),
                name="%(app_label)s_%(class)s_periodo_valido",
                violation_error_message=_("L'ultimo anno non può precedere il primo."),
            ),
        ]

    def __str__(self):
        return f"{_('Piano di Zona')} {self.periodo}"

    def get_absolute_url(self):
        return reverse("programmi:piano_detail", args=[self.pk])

    @property
    def periodo(self):
        return f"{self.anno_inizio}-{self.anno_fine}"

    def clean(self):
        errors = {}
        if self.anno_inizio and self.anno_fine and self.anno_fine < self.anno_inizio:
            errors["anno_fine"] = _("L'ultimo anno non può precedere il primo.")
        if self.data_approvazione and self.stato == StatoPiano.BOZZA:
            errors["data_approvazione"] = _(
                "Un Piano in bozza non ha ancora una data di approvazione: "
                "cambiare lo stato o togliere la data."
            )
        if errors:
            raise ValidationError(errors)


class MacroArea(Versioned, models.Model):
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
                fields=["piano", "lettera"],
                name="%(app_label)s_%(class)s_lettera_unica",
                violation_error_message=_("Questa lettera è già usata in questo Piano."),
            ),
        ]

    def __str__(self):
        return f"{self.lettera}. {self.nome}"


class Obiettivo(Versioned, models.Model):
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
        help_text=_("Vuoto per un obiettivo generale; per uno specifico, il suo generale."),
    )
    numero = models.CharField(
        _("numero"), max_length=20, help_text=_("Ad esempio 1 (generale) o 1.2 (specifico).")
    )
    titolo = models.CharField(_("titolo"), max_length=500)
    tema = models.CharField(
        _("tema"),
        max_length=200,
        blank=True,
        help_text=_("Sottotitolo della macro-area, se il Piano lo indica (es. Rete antiviolenza)."),
    )
    note = models.TextField(_("note"), blank=True)
    # Derived from `numero` on save: zero-padded, so that 10 sorts after 9.
    ordinamento = models.CharField(max_length=50, editable=False, default="", db_index=True)

    scope_ambito = "piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("obiettivo")
        verbose_name_plural = _("obiettivi")
        ordering = ["piano", "ordinamento"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "numero"],
                name="%(app_label)s_%(class)s_numero_unico",
                violation_error_message=_("Esiste già un obiettivo con questo numero nel Piano."),
            ),
        ]

    def __str__(self):
        return f"{self.numero} {self.titolo}"

    def save(self, *args, **kwargs):
        self.ordinamento = chiave_ordinamento(self.numero)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("programmi:obiettivo_detail", args=[self.pk])

    @property
    def is_generale(self):
        return self.parent_id is None


class Valutazione(Versioned, models.Model):
    """Evaluation of an objective of a past plan (Piano § 1.2, regional template).

    The Piano gives the % reached and the resources per general objective and splits
    the qualitative answers per specific objective where it can: each objective,
    general or specific, has at most one evaluation with the parts that apply.
    """

    obiettivo = models.OneToOneField(
        Obiettivo,
        verbose_name=_("obiettivo"),
        on_delete=models.CASCADE,
        related_name="valutazione",
    )
    grado_raggiungimento = models.PositiveSmallIntegerField(
        _("grado di raggiungimento (%)"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, MSG_GRADO),
            MaxValueValidator(100, MSG_GRADO),
        ],
        help_text=_("Rispetto a ciò che era stato definito nella programmazione, da 0 a 100."),
    )
    risorse_personale = models.TextField(_("risorse di personale dedicate"), blank=True)
    adeguatezza_risorse = models.PositiveSmallIntegerField(
        _("adeguatezza delle risorse umane e strumentali"),
        choices=Adeguatezza.choices,
        null=True,
        blank=True,
    )
    adeguatezza_note = models.TextField(_("adeguatezza: osservazioni"), blank=True)
    coincidenza_risorse = models.SmallIntegerField(
        _("coincidenza tra risorse stanziate e impegnate/liquidate"),
        choices=CoincidenzaRisorse.choices,
        null=True,
        blank=True,
    )
    criticita = models.TextField(_("criticità rilevate"), blank=True)
    risposto_bisogno = si_no(_("ha risposto adeguatamente al bisogno"))
    risposto_bisogno_note = models.TextField(_("risposta al bisogno: motivazione"), blank=True)
    continuita = si_no(_("in continuità con la programmazione precedente"))
    continuita_note = models.TextField(_("continuità: motivazione"), blank=True)
    riproposto = si_no(_("riproposto nella programmazione successiva"))
    riproposto_note = models.TextField(_("riproposizione: motivazione"), blank=True)

    # The answers of the regional template, in its order, and their two kinds.
    RISPOSTE = [
        "grado_raggiungimento",
        "risorse_personale",
        "adeguatezza_risorse",
        "adeguatezza_note",
        "coincidenza_risorse",
        "criticita",
        "risposto_bisogno",
        "risposto_bisogno_note",
        "continuita",
        "continuita_note",
        "riproposto",
        "riproposto_note",
    ]
    TESTI = [
        "risorse_personale",
        "adeguatezza_note",
        "criticita",
        "risposto_bisogno_note",
        "continuita_note",
        "riproposto_note",
    ]
    SI_NO = ["risposto_bisogno", "continuita", "riproposto"]

    scope_ambito = "obiettivo__piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valutazione di un obiettivo")
        verbose_name_plural = _("valutazioni degli obiettivi")
        ordering = ["obiettivo__piano", "obiettivo__ordinamento"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grado_raggiungimento__isnull=True)
                | Q(grado_raggiungimento__gte=0, grado_raggiungimento__lte=100),
                name="%(app_label)s_%(class)s_grado_percentuale",
                violation_error_message=MSG_GRADO,
            ),
            models.CheckConstraint(
                condition=Q(coincidenza_risorse__isnull=True)
                | Q(coincidenza_risorse__in=CoincidenzaRisorse.values),
                name="%(app_label)s_%(class)s_coincidenza_valida",
            ),
        ]

    def __str__(self):
        return f"{_('Valutazione')} {self.obiettivo.numero}"


class ProgettoPremiale(models.Model):
    """A premial project of a past plan (Piano § 1.1) with its monitoring sheet."""

    piano = models.ForeignKey(
        PianoDiZona,
        verbose_name=_("Piano"),
        on_delete=models.CASCADE,
        related_name="progetti_premiali",
    )
    numero = models.PositiveSmallIntegerField(_("numero"))
    titolo = models.CharField(_("titolo"), max_length=500)
    descrizione = models.TextField(_("descrizione"), blank=True)

    scope_ambito = "piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progetto premiale")
        verbose_name_plural = _("progetti premiali")
        ordering = ["piano", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "numero"], name="%(app_label)s_%(class)s_numero_unico"
            ),
        ]

    def __str__(self):
        return f"{self.numero}) {self.titolo}"


class AttivitaPremiale(models.Model):
    """One activity line of a premial project's monitoring sheet, in its order."""

    progetto = models.ForeignKey(
        ProgettoPremiale,
        verbose_name=_("progetto premiale"),
        on_delete=models.CASCADE,
        related_name="attivita",
    )
    ordine = models.PositiveSmallIntegerField(_("ordine"))
    attivita = models.TextField(_("attività specifica"))
    percentuale = models.PositiveSmallIntegerField(
        _("raggiungimento da cronoprogramma (%)"), validators=PERCENTUALE_VALIDATORS
    )
    risultato = models.TextField(_("risultato raggiunto"), blank=True)

    scope_ambito = "progetto__piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attività di un progetto premiale")
        verbose_name_plural = _("attività dei progetti premiali")
        ordering = ["progetto", "ordine"]
        constraints = [
            models.UniqueConstraint(
                fields=["progetto", "ordine"], name="%(app_label)s_%(class)s_ordine_unico"
            ),
            models.CheckConstraint(
                condition=Q(percentuale__gte=0, percentuale__lte=100),
                name="%(app_label)s_%(class)s_percentuale_valida",
                violation_error_message=MSG_PERCENTUALE,
            ),
        ]

    def __str__(self):
        return self.attivita[:80]


class Scheda(Versioned, models.Model):
    """Scheda of an innovative objective of the plan (section 7.1 of the Piano).

    Mirrors the regional template: the lists (goals, actions, targets, staff, policy
    areas, key points) are `VoceScheda` rows kept in order; each yes/no question has
    a free-text answer beside it (`DOMANDE`).
    """

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
    titolo = models.CharField(_("titolo intervento"), max_length=500)
    sottotitolo = models.CharField(
        _("sottotitolo"),
        max_length=255,
        blank=True,
        help_text=_("Ad esempio la linea PNRR: Missione 5 Componente 2 Investimento 1.2."),
    )
    budget = models.DecimalField(
        _("risorse economiche preventivate"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("Il budget non può essere negativo."))],
    )
    note_risorse = models.TextField(
        _("risorse economiche: precisazioni"),
        blank=True,
        help_text=_("Fonte e durata del finanziamento, cofinanziamenti."),
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
    integrata_altre_aree = si_no(
        _("L'obiettivo è trasversale e integrato con altre aree di policy?")
    )
    asst_analisi = si_no(
        _("Prevede il coinvolgimento di ASST nell'analisi del bisogno e nella programmazione?")
    )
    asst_analisi_note = models.TextField(_("ASST nell'analisi: risposta"), blank=True)
    asst_realizzazione = si_no(
        _(
            "Prevede il coinvolgimento di ASST nella realizzazione dell'intervento e azioni "
            "congiunte Ambito-ASST?"
        )
    )
    asst_realizzazione_note = models.TextField(_("ASST nella realizzazione: risposta"), blank=True)
    cooperazione_ambiti = si_no(_("L'intervento è realizzato in cooperazione con altri Ambiti?"))
    cooperazione_ambiti_note = models.TextField(
        _("cooperazione con altri Ambiti: risposta"), blank=True
    )
    continuita = si_no(_("È in continuità con la programmazione precedente?"))
    continuita_note = models.TextField(_("continuità: risposta"), blank=True)
    continuita_premiale = si_no(
        _(
            "L'obiettivo è in continuità e/o rappresenta il potenziamento di un progetto "
            "premiale della programmazione precedente?"
        )
    )
    continuita_premiale_note = models.TextField(_("progetto premiale: risposta"), blank=True)
    coprogrammato_ets = si_no(_("L'intervento è formalmente co-programmato con il Terzo Settore?"))
    coprogrammato_ets_note = models.TextField(_("co-programmazione: risposta"), blank=True)
    coprogettato_ets = si_no(_("L'intervento è formalmente co-progettato con il Terzo Settore?"))
    coprogettato_ets_note = models.TextField(_("co-progettazione: risposta"), blank=True)
    coinvolgimento_ets = models.TextField(
        _(
            "Se l'intervento non prevede processi di co-progettazione e/o co-programmazione "
            "formalizzati, modalità di coinvolgimento del Terzo Settore"
        ),
        blank=True,
    )
    altri_attori = si_no(
        _(
            "L'intervento prevede il coinvolgimento di altri attori della rete territoriale "
            "(oltre ad ASST e ETS)?"
        )
    )
    altri_attori_note = models.TextField(_("altri attori: risposta"), blank=True)
    bisogno_precedente = models.TextField(
        _(
            "Il bisogno rilevato era già stato affrontato nella precedente programmazione o può "
            "essere definito come nuovo bisogno emerso nella precedente triennalità?"
        ),
        blank=True,
    )
    promozionale = models.BooleanField(_("promozionale"), default=False)
    preventivo = models.BooleanField(_("preventivo"), default=False)
    riparativo = models.BooleanField(_("riparativo"), default=False)
    tipo_obiettivo_note = models.TextField(_("tipo di obiettivo: risposta"), blank=True)
    innovativo = si_no(
        _(
            "L'obiettivo presenta modelli innovativi di presa in carico, di risposta al bisogno "
            "e cooperazione con altri attori della rete?"
        )
    )
    innovativo_note = models.TextField(_("modelli innovativi: risposta"), blank=True)
    digitalizzazione = si_no(
        _("L'obiettivo presenta degli aspetti inerenti alla digitalizzazione?")
    )
    digitalizzazione_note = models.TextField(_("digitalizzazione: risposta"), blank=True)

    # The yes/no questions of the regional template, in its order: (answer, free text).
    DOMANDE = [
        ("asst_analisi", "asst_analisi_note"),
        ("asst_realizzazione", "asst_realizzazione_note"),
        ("cooperazione_ambiti", "cooperazione_ambiti_note"),
        ("continuita", "continuita_note"),
        ("continuita_premiale", "continuita_premiale_note"),
        ("coprogrammato_ets", "coprogrammato_ets_note"),
        ("coprogettato_ets", "coprogettato_ets_note"),
        ("altri_attori", "altri_attori_note"),
        ("innovativo", "innovativo_note"),
        ("digitalizzazione", "digitalizzazione_note"),
    ]
    # The template's answers after the lists: the questions, then the kind of objective.
    RISPOSTE = [
        *[campo for coppia in DOMANDE for campo in coppia],
        "coinvolgimento_ets",
        "bisogno_precedente",
        "promozionale",
        "preventivo",
        "riparativo",
        "tipo_obiettivo_note",
    ]

    scope_ambito = "piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords(m2m_fields=[servizi])

    class Meta:
        verbose_name = _("scheda obiettivo")
        verbose_name_plural = _("schede obiettivo")
        ordering = ["piano", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "numero"],
                name="%(app_label)s_%(class)s_numero_unico",
                violation_error_message=_("Esiste già una scheda con questo numero nel Piano."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="%(app_label)s_%(class)s_budget_non_negativo"
            ),
        ]

    def __str__(self):
        return f"{self.numero}. {self.titolo}"

    def get_absolute_url(self):
        return reverse("programmi:scheda_detail", args=[self.pk])

    @property
    def elenchi(self) -> dict[str, list[str]]:
        """Each list's items in order, by name (`obiettivi`, `azioni`, ...).

        Reads `voci.all()`, so a prefetch of `voci` serves every scheda of a page.
        """
        per_tipo = {tipo: nome for nome, tipo in ELENCHI.items()}
        elenchi = {nome: [] for nome in ELENCHI}
        for voce in sorted(self.voci.all(), key=lambda v: (v.tipo, v.ordine)):
            elenchi[per_tipo[voce.tipo]].append(voce.testo)
        return elenchi

    @property
    def tipo_obiettivo(self):
        """'Promozionale, preventivo' from the three flags (empty when none applies)."""
        tipi = [
            str(self._meta.get_field(nome).verbose_name)
            for nome in ("promozionale", "preventivo", "riparativo")
            if getattr(self, nome)
        ]
        return ", ".join(tipi).capitalize()

    def clean(self):
        errors = {}
        if self.obiettivo_id and self.piano_id and self.obiettivo.piano_id != self.piano_id:
            errors["obiettivo"] = _(
                "L'obiettivo deve appartenere allo stesso Piano di Zona della scheda."
            )
        if errors:
            raise ValidationError(errors)


class VoceScheda(models.Model):
    """One item of one of a scheda's lists, at its place (`ordine` from 1)."""

    scheda = models.ForeignKey(
        Scheda, verbose_name=_("scheda"), on_delete=models.CASCADE, related_name="voci"
    )
    tipo = models.CharField(_("elenco"), max_length=20, choices=TipoVoce.choices)
    ordine = models.PositiveSmallIntegerField(_("ordine"))
    testo = models.TextField(_("testo"))

    scope_ambito = "scheda__piano__ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("voce di una scheda")
        verbose_name_plural = _("voci delle schede")
        ordering = ["scheda", "tipo", "ordine"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheda", "tipo", "ordine"], name="%(app_label)s_%(class)s_posto_unico"
            ),
        ]

    def __str__(self):
        return self.testo[:80]
