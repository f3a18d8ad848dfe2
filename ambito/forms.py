import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .choices import FormatoEsportazione, Ruolo, TipoEsportazione
from .models import Ambito, CalendarioPromemoria, Comune, DatiDemografici, PreferenzeNotifiche
from .platform.forms import AnnoField, ScopedModelForm, StyledFormMixin


class AmbitoChoiceField(forms.ModelChoiceField):
    """A choice of Ambito listed by its short name (the field's label says "Ambito")."""

    def label_from_instance(self, obj):
        return obj.nome_breve


class ComuneForm(ScopedModelForm):
    class Meta:
        model = Comune
        fields = ["codice_istat", "nome", "sigla_provincia", "ambito"]
        widgets = {"codice_istat": forms.TextInput(attrs={"inputmode": "numeric"})}


class DatiDemograficiForm(ScopedModelForm):
    class Meta:
        model = DatiDemografici
        fields = [
            "anno",
            "residenti",
            "famiglie",
            "componenti_medi",
            "stranieri",
            "stranieri_minori",
            "fonte",
        ]
        error_messages = {
            field: {"min_value": _("Il valore non può essere negativo.")}
            for field in ["residenti", "famiglie", "stranieri", "stranieri_minori"]
        }

    def __init__(self, *args, comune, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.comune = comune


class VerificaReportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File PDF da verificare"),
        help_text=_("Il file non viene conservato: se ne calcola solo l'impronta SHA-256."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        self.cleaned_data["impronta"] = digest.hexdigest()
        return upload


class PreferenzeNotificheForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = PreferenzeNotifiche
        fields = ["invii", "restituzioni", "scadenze", "report_pronti"]


# --- Users and roles ---------------------------------------------------------------------


class IncaricoForm(StyledFormMixin, forms.Form):
    """A role to give: the Ambito (among those the user manages), the role and, for an
    Operatore, his Comune."""

    ambito = AmbitoChoiceField(label=_("Ambito"), queryset=Ambito.objects.none())
    ruolo = forms.ChoiceField(label=_("Incarico"), choices=[("", "---------"), *Ruolo.choices])
    comune = forms.ModelChoiceField(
        label=_("Comune"),
        queryset=Comune.objects.none(),
        required=False,
        help_text=_("Solo per l'Operatore comunale: il Comune di cui inserisce i dati."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ambiti = Ambito.objects.editable_by(user).order_by("nome")
        self.fields["ambito"].queryset = ambiti
        self.fields["comune"].queryset = Comune.objects.filter(ambito__in=ambiti).order_by("nome")
        if len(ambiti) == 1:
            self.fields["ambito"].initial = ambiti[0].pk

    def clean(self):
        data = super().clean()
        ambito, ruolo, comune = data.get("ambito"), data.get("ruolo"), data.get("comune")
        if ruolo == Ruolo.OPERATORE:
            if comune is None and "comune" not in self.errors:
                self.add_error("comune", _("Indica il Comune dell'Operatore."))
            elif comune is not None and ambito is not None and comune.ambito_id != ambito.pk:
                self.add_error("comune", _("Il Comune non appartiene all'Ambito scelto."))
        elif ruolo and comune is not None:
            self.add_error("comune", _("Il Comune si indica solo per l'Operatore comunale."))
        return data


class InvitoForm(IncaricoForm):
    email = forms.EmailField(
        label=_("Indirizzo e-mail"),
        help_text=_(
            "Sarà anche il suo nome utente; riceverà qui il collegamento per scegliere la password."
        ),
    )
    first_name = forms.CharField(label=_("Nome"), max_length=150)
    last_name = forms.CharField(label=_("Cognome"), max_length=150)

    field_order = ["email", "first_name", "last_name", "ambito", "ruolo", "comune"]


class ProfiloForm(StyledFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Nome"), max_length=150)
    last_name = forms.CharField(label=_("Cognome"), max_length=150)
    email = forms.EmailField(
        label=_("Indirizzo e-mail"),
        help_text=_("Qui arrivano le notifiche e il collegamento per reimpostare la password."),
    )


# --- Passwords: Django's forms, styled, with the rules written under the field ----------


class _RegolePassword:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "new_password1"
        ].help_text = password_validation.password_validators_help_text_html()


class CambioPasswordForm(_RegolePassword, StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class NuovaPasswordForm(_RegolePassword, StyledFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordDimenticataForm(StyledFormMixin, auth_forms.PasswordResetForm):
    pass


# --- Setting up an Ambito ------------------------------------------------------------------


class AmbitoForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Ambito
        fields = ["nome", "codice", "regione"]
        help_texts = {"codice": _("Breve, senza spazi: ad esempio «visconteo-sud-milano».")}


class PopolazioneForm(StyledFormMixin, forms.Form):
    anno = AnnoField(help_text=_("L'anno a cui si riferiscono i residenti del file."))
    file = forms.FileField(
        label=_("File CSV dell'ISTAT"),
        help_text=_(
            "Il file della popolazione residente per Comune scaricato da demo.istat.it "
            "(«Popolazione residente al 1° gennaio»), anche di una provincia intera: "
            "si leggono le righe dei Comuni dell'Ambito."
        ),
    )


class CalendarioPromemoriaForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarioPromemoria
        fields = ["giorni_prima", "giorno_scadenza", "giorni_dopo"]


class EsportazioneForm(forms.Form):
    """The "Esporta" buttons' hidden fields; the parameters of each kind are read by
    its own function (platform/esportazioni.py)."""

    ambito = forms.ModelChoiceField(queryset=Ambito.objects.none())
    tipo = forms.ChoiceField(choices=TipoEsportazione.choices)
    formato = forms.ChoiceField(choices=FormatoEsportazione.choices, required=False)
    richiesta = forms.CharField(max_length=64, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambito"].queryset = Ambito.objects.visible_to(user)


DURATE_TOKEN = [30, 90, 180, 365]


class TokenAPIForm(StyledFormMixin, forms.Form):
    nome = forms.CharField(
        label=_("Nome"),
        max_length=100,
        help_text=_("Per riconoscerlo, ad esempio «Script Excel» o «Gestionale del Comune»."),
    )
    giorni_validita = forms.TypedChoiceField(
        label=_("Validità"),
        coerce=int,
        help_text=_("Alla scadenza il token smette di funzionare: se ne crea uno nuovo."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        massimo = settings.API_TOKEN_GIORNI_MASSIMI
        durate = sorted({d for d in DURATE_TOKEN if d <= massimo} | {massimo})
        self.fields["giorni_validita"].choices = [
            (d, ngettext("%(n)s giorno", "%(n)s giorni", d) % {"n": d}) for d in durate
        ]
        self.fields["giorni_validita"].initial = min(settings.API_TOKEN_GIORNI_DEFAULT, massimo)


class ImportazioneForm(StyledFormMixin, forms.Form):
    """Upload of a file to import: the Ambito, the importer's parameters, the file."""

    ambito = forms.ModelChoiceField(label=_("Ambito"), queryset=Ambito.objects.none())
    file = forms.FileField(
        label=_("File"),
        help_text=_("Il modello .xlsx compilato (o un CSV con le stesse colonne)."),
    )

    def __init__(self, *args, user, importatore, ambito=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The Ambito is chosen before (the page's `?ambito=`): the parameters'
        # choices (e.g. its periods) depend on it.
        self.fields["ambito"].queryset = Ambito.objects.visible_to(user)
        self.fields["ambito"].widget = forms.HiddenInput()
        self.fields["ambito"].initial = ambito
        campi = importatore.campi(user=user, ambito=ambito)
        file = self.fields.pop("file")
        self.fields.update(campi)
        self.fields["file"] = file
