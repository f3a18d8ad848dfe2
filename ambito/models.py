import re
from decimal import Decimal

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .choices import (
    FormatoEsportazione,
    InvioEmail,
    Ruolo,
    StatoLavoro,
    TipoEnte,
    TipoEsportazione,
)
from .platform.querysets import ScopedManager
from .validators import (
    codice_fiscale_checksum_ok,
    codice_fiscale_ente_validator,
    codice_istat_validator,
)

ANNO_VALIDATORS = [
    MinValueValidator(1900, _("L'anno deve essere compreso tra 1900 e 2100.")),
    MaxValueValidator(2100, _("L'anno deve essere compreso tra 1900 e 2100.")),
]


# "Ambito Territoriale Sociale", "Ambito territoriale", "Ambito" (and "di"), any case.
_PREFISSO_AMBITO = re.compile(r"^ambito(\s+territoriale(\s+sociale)?)?(\s+di)?\s+", re.IGNORECASE)


class Ambito(models.Model):
    nome = models.CharField(_("nome"), max_length=200)
    codice = models.SlugField(
        _("codice"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("Esiste già un Ambito con questo codice.")},
    )
    regione = models.CharField(_("regione"), max_length=100)
    ente_capofila = models.ForeignKey(
        "Ente",
        verbose_name=_("ente capofila"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    scope_ambito = None  # the Ambito is its own scope
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Ambito territoriale sociale")
        verbose_name_plural = _("Ambiti territoriali sociali")
        ordering = ["nome"]

    def __str__(self):
        return self.nome

    @property
    def nome_breve(self) -> str:
        return self.abbrevia(self.nome)

    @staticmethod
    def abbrevia(nome: str) -> str:
        """The name without "Ambito territoriale sociale" (for lists labelled "Ambito",
        where the full name would be cut): "Visconteo Sud Milano"."""
        return _PREFISSO_AMBITO.sub("", nome) or nome


class Comune(models.Model):
    codice_istat = models.CharField(
        _("codice ISTAT"),
        max_length=6,
        unique=True,
        validators=[codice_istat_validator],
        error_messages={"unique": _("Esiste già un Comune con questo codice ISTAT.")},
    )
    nome = models.CharField(_("nome"), max_length=200)
    sigla_provincia = models.CharField(_("provincia"), max_length=2, blank=True)
    ambito = models.ForeignKey(
        Ambito, verbose_name=_("Ambito"), on_delete=models.PROTECT, related_name="comuni"
    )

    scope_ambito = "ambito"
    scope_comune = "pk"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Comune")
        verbose_name_plural = _("Comuni")
        ordering = ["nome"]
        constraints = [
            models.CheckConstraint(
                condition=Q(codice_istat__regex=r"^[0-9]{6}$"),
                name="%(app_label)s_%(class)s_codice_istat_6_cifre",
            ),
        ]

    def __str__(self):
        return self.nome

    def get_absolute_url(self):
        return reverse("ambito:comune_detail", args=[self.pk])


class Ente(models.Model):
    nome = models.CharField(_("nome"), max_length=255)
    tipo = models.CharField(_("tipo"), max_length=20, choices=TipoEnte.choices)
    codice_fiscale = models.CharField(
        _("codice fiscale"),
        max_length=11,
        blank=True,
        validators=[codice_fiscale_ente_validator],
    )
    ambito = models.ForeignKey(
        Ambito, verbose_name=_("Ambito"), on_delete=models.PROTECT, related_name="enti"
    )
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enti",
        help_text=_("Solo per gli enti di tipo Comune."),
    )

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("Ente")
        verbose_name_plural = _("Enti")
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
        if (
            self.codice_fiscale
            and len(self.codice_fiscale) == 11
            and self.codice_fiscale.isdigit()
            and not codice_fiscale_checksum_ok(self.codice_fiscale)
        ):
            errors["codice_fiscale"] = _(
                "Il codice fiscale non è valido: la cifra di controllo non corrisponde."
            )
        if self.comune_id and self.tipo != TipoEnte.COMUNE:
            errors["comune"] = _("Indicare il Comune solo per gli enti di tipo Comune.")
        if self.comune_id and self.ambito_id and self.comune.ambito_id != self.ambito_id:
            errors["comune"] = _("Il Comune non appartiene all'Ambito dell'ente.")
        if errors:
            raise ValidationError(errors)


class DatiDemografici(models.Model):
    """Yearly demographic figures of a Comune (Tab. 2, 7 and 8 of the Piano).

    Each figure may be unknown for a year (the Piano gives families for 2020-2022 and
    residents for 2021-2023). Ambito totals are always computed from these rows.
    """

    comune = models.ForeignKey(
        Comune,
        verbose_name=_("Comune"),
        on_delete=models.CASCADE,
        related_name="dati_demografici",
    )
    anno = models.PositiveSmallIntegerField(_("anno"), validators=ANNO_VALIDATORS)
    residenti = models.PositiveIntegerField(_("popolazione residente"), null=True, blank=True)
    famiglie = models.PositiveIntegerField(_("numero di famiglie"), null=True, blank=True)
    componenti_medi = models.DecimalField(
        _("componenti medi per famiglia"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, _("Il valore non può essere negativo."))],
    )
    stranieri = models.PositiveIntegerField(
        _("popolazione straniera residente"), null=True, blank=True
    )
    stranieri_minori = models.PositiveIntegerField(
        _("popolazione straniera minorile"), null=True, blank=True
    )
    fonte = models.CharField(_("fonte"), max_length=255, blank=True, default="ISTAT")

    scope_ambito = "comune__ambito"
    scope_comune = "comune"
    scope_operatore_edit = True
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dati demografici")
        verbose_name_plural = _("dati demografici")
        ordering = ["comune__nome", "anno"]
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "anno"],
                name="%(app_label)s_%(class)s_comune_anno_unico",
                violation_error_message=_(
                    "I dati demografici di questo Comune per questo anno esistono già."
                ),
            ),
            models.CheckConstraint(
                condition=Q(anno__gte=1900, anno__lte=2100),
                name="%(app_label)s_%(class)s_anno_valido",
            ),
            models.CheckConstraint(
                condition=Q(stranieri_minori__lte=models.F("stranieri")),
                name="%(app_label)s_%(class)s_minori_entro_stranieri",
                violation_error_message=_(
                    "Gli stranieri minorenni non possono superare la popolazione straniera."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.comune} {self.anno}"

    @property
    def quota_stranieri(self):
        """Foreign residents as a percentage of residents, or None when unknown."""
        if self.stranieri is None or not self.residenti:
            return None
        return Decimal(self.stranieri) * 100 / Decimal(self.residenti)

    def clean(self):
        errors = {}
        if (
            self.residenti is not None
            and self.stranieri is not None
            and self.stranieri > self.residenti
        ):
            errors["stranieri"] = _(
                "La popolazione straniera non può superare la popolazione residente."
            )
        duplicate = DatiDemografici.objects.filter(comune_id=self.comune_id, anno=self.anno)
        if self.comune_id and duplicate.exclude(pk=self.pk).exists():
            errors["anno"] = _("I dati di questo Comune per l'anno %(anno)s esistono già.") % {
                "anno": self.anno
            }
        if errors:
            raise ValidationError(errors)


class Incarico(models.Model):
    """A user's role in an Ambito (and, for an Operatore, in one Comune)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utente"),
        on_delete=models.CASCADE,
        related_name="incarichi",
    )
    ambito = models.ForeignKey(
        Ambito, verbose_name=_("Ambito"), on_delete=models.CASCADE, related_name="incarichi"
    )
    ruolo = models.CharField(_("ruolo"), max_length=20, choices=Ruolo.choices)
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("Comune"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="incarichi",
    )

    scope_ambito = "ambito"
    objects = ScopedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incarico")
        verbose_name_plural = _("incarichi")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "ambito", "ruolo", "comune"],
                name="%(app_label)s_%(class)s_unico",
            ),
            models.CheckConstraint(
                condition=(Q(ruolo=Ruolo.OPERATORE) & Q(comune__isnull=False))
                | (~Q(ruolo=Ruolo.OPERATORE) & Q(comune__isnull=True)),
                name="%(app_label)s_%(class)s_comune_solo_operatore",
                violation_error_message=_(
                    "Il Comune va indicato per l'Operatore comunale e solo per lui."
                ),
            ),
        ]

    def __str__(self):
        label = f"{self.user} - {self.get_ruolo_display()} - {self.ambito}"
        return f"{label} ({self.comune})" if self.comune_id else label

    def clean(self):
        if self.comune_id and self.ambito_id and self.comune.ambito_id != self.ambito_id:
            raise ValidationError({"comune": _("Il Comune non appartiene all'Ambito.")})


class ReportGenerato(models.Model):
    """The register of generated PDF reports, for auditors to prove a copy's origin."""

    class Tipo(models.TextChoices):
        RELAZIONE = "relazione", _("Relazione di monitoraggio")
        SCHEDA_PROGETTO = "scheda_progetto", _("Scheda progetto")
        SCHEDA_COMUNE = "scheda_comune", _("Scheda Comune")
        REGIONE = "regione", _("Cruscotto regionale")
        ESPORTAZIONE_VALORI = "esportazione_valori", _("Esportazione dei valori")
        ESPORTAZIONE_REGISTRO = "esportazione_registro", _("Esportazione del registro")
        CAPITOLO_CONTESTO = "capitolo_contesto", _("Capitolo di contesto dai dati")
        ESPORTAZIONE_REGIS = "esportazione_regis", _("Esportazione dei dati ReGiS")

    tipo = models.CharField(_("tipo"), max_length=30, choices=Tipo.choices)
    titolo = models.CharField(_("titolo"), max_length=500)
    ambito = models.ForeignKey(
        Ambito, verbose_name=_("Ambito"), on_delete=models.PROTECT, related_name="report"
    )
    comune = models.ForeignKey(
        Comune,
        verbose_name=_("Comune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report",
    )
    parametri = models.JSONField(_("parametri"), default=dict, blank=True)
    generato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generato da"),
        on_delete=models.PROTECT,
        related_name="report_generati",
    )
    generato_il = models.DateTimeField(_("generato il"))
    sha256 = models.CharField(_("SHA-256 del file"), max_length=64, blank=True, db_index=True)
    sha256_dati = models.CharField(_("SHA-256 dei dati"), max_length=64)
    pagine = models.PositiveIntegerField(_("pagine"), default=0)
    dimensione = models.PositiveIntegerField(_("dimensione (byte)"), default=0)
    # The file itself (PDF, or an export's CSV), kept so that whoever may see the
    # report can download it again.
    file = models.FileField(_("file"), upload_to="report/%Y/%m/", blank=True)
    formato = models.CharField(_("formato"), max_length=10, default="pdf")

    # Operators see only the reports of their own Comune (Scheda Comune).
    scope_ambito = "ambito"
    scope_comune = "comune"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("report generato")
        verbose_name_plural = _("report generati")
        ordering = ["-generato_il", "-pk"]

    def __str__(self):
        return f"{self.numero} {self.titolo}"

    @property
    def numero(self):
        return f"R-{self.pk:06d}"

    @property
    def nome_file(self):
        return f"{self.tipo}-{self.numero}.{self.formato}"


class Notifica(models.Model):
    """A notice to one user: a row first (shown in the app), an e-mail second.

    `chiave` names the event (e.g. "restituito:<periodo>:<comune>:<valori>:<utente>"):
    unique, so the same event never gives two notices nor two e-mails, however many
    times a scheduler or a retried task asks for it.
    """

    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utente"),
        on_delete=models.CASCADE,
        related_name="notifiche",
    )
    chiave = models.CharField(_("evento"), max_length=200, unique=True)
    tipo = models.CharField(_("tipo"), max_length=30)
    titolo = models.CharField(_("titolo"), max_length=300)
    testo = models.TextField(_("testo"), blank=True)
    link = models.CharField(_("collegamento"), max_length=500, blank=True)
    creata_il = models.DateTimeField(_("creata il"), auto_now_add=True)
    letta_il = models.DateTimeField(_("letta il"), null=True, blank=True)
    spedita_il = models.DateTimeField(_("e-mail spedita il"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifica")
        verbose_name_plural = _("notifiche")
        ordering = ["-creata_il", "-pk"]
        indexes = [models.Index(fields=["utente", "letta_il"], name="ambito_notifica_da_leggere")]

    def __str__(self):
        return self.titolo


class PreferenzeNotifiche(models.Model):
    """A user's choices about e-mail (the defaults apply while he has no row)."""

    utente = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utente"),
        on_delete=models.CASCADE,
        related_name="preferenze_notifiche",
    )
    invii = models.CharField(
        _("invii dei Comuni (Ufficio di Piano)"),
        max_length=20,
        choices=InvioEmail.choices,
        default=InvioEmail.SUBITO,
    )
    restituzioni = models.BooleanField(
        _("e-mail per i valori restituiti (Operatore)"), default=True
    )
    scadenze = models.BooleanField(_("promemoria delle scadenze (Operatore)"), default=True)
    report_pronti = models.BooleanField(_("e-mail quando un report è pronto"), default=False)

    class Meta:
        verbose_name = _("preferenze di notifica")
        verbose_name_plural = _("preferenze di notifica")

    def __str__(self):
        return str(self.utente)


class StoricoUtente(HistoricalRecords):
    """The users' trail (invited, renamed, deactivated...): a login alone, which only
    stamps `last_login`, is not a change worth a version."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields and set(update_fields) <= {"last_login"}:
            return
        super().post_save(instance, created, using=using, **kwargs)


# Password hashes and login stamps stay out of the trail; a password change is a version
# with its reason ("Password cambiata") and no field shown.
simple_history.register(
    get_user_model(),
    app="ambito",
    records_class=StoricoUtente,
    excluded_fields=["password", "last_login"],
)


class Lavoro(models.Model):
    """A job a worker does for a user (a report, an export): the common part.

    `chiave` is the idempotency key of the request (the form's one-time token, with the
    user): the same request asked twice (a double click, a reload) is the same job. The
    file is registered only complete, in one transaction with `stato = pronto`
    (ambito/platform/jobs.py). Each kind adds `richiesta_da` and `report` with its own
    reverse names, and its parameters.
    """

    stato = models.CharField(
        _("stato"), max_length=20, choices=StatoLavoro.choices, default=StatoLavoro.IN_CODA
    )
    ambito = models.ForeignKey(
        Ambito, verbose_name=_("Ambito"), on_delete=models.CASCADE, related_name="+"
    )
    parametri = models.JSONField(_("parametri"), default=dict, blank=True)
    chiave = models.CharField(_("chiave della richiesta"), max_length=64, unique=True)
    errore = models.TextField(_("errore"), blank=True)
    tentativi = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    creata_il = models.DateTimeField(_("richiesta il"), default=timezone.now)
    iniziata_il = models.DateTimeField(_("iniziata il"), null=True, blank=True)
    terminata_il = models.DateTimeField(_("terminata il"), null=True, blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()

    class Meta:
        abstract = True
        ordering = ["-creata_il", "-pk"]

    def __str__(self):
        return f"{self.ambito} {self.creata_il:%d/%m/%Y %H:%M}"

    @property
    def in_attesa(self) -> bool:
        return self.stato in (StatoLavoro.IN_CODA, StatoLavoro.IN_CORSO)


class Esportazione(Lavoro):
    """A large export (values, audit trail) written by a worker into the register."""

    richiesta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("richiesta da"),
        on_delete=models.CASCADE,
        related_name="esportazioni",
    )
    tipo = models.CharField(_("contenuto"), max_length=20, choices=TipoEsportazione.choices)
    formato = models.CharField(
        _("formato"),
        max_length=10,
        choices=FormatoEsportazione.choices,
        default=FormatoEsportazione.CSV,
    )
    report = models.OneToOneField(
        ReportGenerato,
        verbose_name=_("file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="esportazione",
    )

    class Meta(Lavoro.Meta):
        verbose_name = _("esportazione")
        verbose_name_plural = _("esportazioni")

    def get_absolute_url(self):
        return reverse("report:esportazione_detail", args=[self.pk])


class Importazione(models.Model):
    """An uploaded file to import (ambito/platform/importazioni.py): kept with its
    SHA-256 so that the confirmation applies exactly the file of the dry run."""

    class Stato(models.TextChoices):
        PROVA = "prova", _("In prova")
        APPLICATA = "applicata", _("Applicata")
        ANNULLATA = "annullata", _("Annullata")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("Ambito"), on_delete=models.CASCADE, related_name="+"
    )
    tipo = models.CharField(_("tabella"), max_length=30)
    nome_file = models.CharField(_("nome del file"), max_length=255)
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64)
    dimensione = models.PositiveIntegerField(_("dimensione (byte)"), default=0)
    contenuto = models.BinaryField(_("contenuto"), blank=True)
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caricata da"),
        on_delete=models.CASCADE,
        related_name="importazioni",
    )
    parametri = models.JSONField(_("parametri"), default=dict, blank=True)
    stato = models.CharField(_("stato"), max_length=20, choices=Stato.choices, default=Stato.PROVA)
    riepilogo = models.JSONField(_("riepilogo"), default=dict, blank=True)
    caricata_il = models.DateTimeField(_("caricata il"), default=timezone.now)
    applicata_il = models.DateTimeField(_("applicata il"), null=True, blank=True)

    scope_ambito = "ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("importazione")
        verbose_name_plural = _("importazioni")
        ordering = ["-caricata_il", "-pk"]

    def __str__(self):
        return self.nome_file

    def get_absolute_url(self):
        return reverse("importazioni:importazione_detail", args=[self.tipo, self.pk])


class CalendarioPromemoria(models.Model):
    """When an Ambito's Operatori are reminded of a period's deadline (set by the UdP).

    Without a row the defaults apply (settings.PROMEMORIA_GIORNI_PRIMA / _DOPO, and the
    day itself). Celery beat runs the reminders daily (django-celery-beat).
    """

    ambito = models.OneToOneField(
        Ambito,
        verbose_name=_("Ambito"),
        on_delete=models.CASCADE,
        related_name="calendario_promemoria",
    )
    giorni_prima = models.PositiveSmallIntegerField(
        _("giorni prima della scadenza"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("Indicare almeno un giorno.")),
            MaxValueValidator(60, _("Al massimo 60 giorni.")),
        ],
        help_text=_("Vuoto: nessun promemoria prima della scadenza."),
    )
    giorno_scadenza = models.BooleanField(_("promemoria il giorno della scadenza"), default=True)
    giorni_dopo = models.PositiveSmallIntegerField(
        _("giorni dopo la scadenza"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("Indicare almeno un giorno.")),
            MaxValueValidator(60, _("Al massimo 60 giorni.")),
        ],
        help_text=_("Vuoto: nessun sollecito dopo la scadenza."),
    )

    scope_ambito = "ambito"
    objects = ScopedManager()

    class Meta:
        verbose_name = _("calendario dei promemoria")
        verbose_name_plural = _("calendari dei promemoria")

    def __str__(self):
        return str(self.ambito)


class TokenAPIQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own tokens (every token for a superuser): nobody reads another's."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_superuser else self.filter(utente=user)


class TokenAPI(models.Model):
    """A personal API token: the secret is shown once and stored only as its SHA-256.

    The secret is 256 random bits, so a plain SHA-256 is enough (a slow password hash
    guards guessable secrets, and would cost every API request). `prefisso` is the
    beginning of the secret, kept to tell tokens apart in the list.
    """

    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utente"),
        on_delete=models.CASCADE,
        related_name="token_api",
    )
    nome = models.CharField(
        _("nome"), max_length=100, help_text=_("Per riconoscerlo, ad esempio «Script Excel».")
    )
    prefisso = models.CharField(_("prefisso"), max_length=16)
    chiave_hash = models.CharField(_("impronta della chiave"), max_length=64, unique=True)
    giorni_validita = models.PositiveSmallIntegerField(_("validità (giorni)"))
    creato_il = models.DateTimeField(_("creato il"))
    scade_il = models.DateTimeField(_("scade il"))
    ultimo_uso = models.DateTimeField(_("ultimo uso"), null=True, blank=True)
    revocato_il = models.DateTimeField(_("revocato il"), null=True, blank=True)

    objects = TokenAPIQuerySet.as_manager()
    # Creation, rotation (a new prefix) and revocation are in the audit trail; the
    # hash is not, and the last use is written with update() (no history row).
    history = HistoricalRecords(excluded_fields=["chiave_hash", "ultimo_uso"])

    class Meta:
        verbose_name = _("token dell'API")
        verbose_name_plural = _("token dell'API")
        ordering = ["-creato_il", "-pk"]

    def __str__(self):
        return f"{self.nome} ({self.prefisso}…)"

    @property
    def revocato(self) -> bool:
        return self.revocato_il is not None

    def scaduto(self, adesso=None) -> bool:
        return self.scade_il <= (adesso or timezone.now())

    def attivo(self, adesso=None) -> bool:
        return not self.revocato and not self.scaduto(adesso)
