import hashlib

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Comune, DatiDemografici, PreferenzeNotifiche
from .platform.forms import ScopedModelForm, StyledFormMixin


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
