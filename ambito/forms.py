import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import TipoEsportazione
from .models import Ambito, CalendarioPromemoria, Comune, DatiDemografici, PreferenzeNotifiche
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


class CalendarioPromemoriaForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = CalendarioPromemoria
        fields = ["giorni_prima", "giorno_scadenza", "giorni_dopo"]


class EsportazioneForm(forms.Form):
    """The "Esporta" buttons' hidden fields; the parameters of each kind are read by
    its own function (platform/esportazioni.py)."""

    ambito = forms.ModelChoiceField(queryset=Ambito.objects.none())
    tipo = forms.ChoiceField(choices=TipoEsportazione.choices)
    richiesta = forms.CharField(max_length=64, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambito"].queryset = Ambito.objects.visible_to(user)
