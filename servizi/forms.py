"""Forms of the servizi app. They only collect input: the rules are checked by the
models' clean() and the services, whose messages appear next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.platform.forms import AnnoField, EuroField, ScopedModelForm, StyledFormMixin

from .models import Avviso, DatoAnnuale, Grandezza, QuotaAvviso, Servizio, UnitaOfferta


class PostiPerMilleForm(forms.Form):
    """The population year of the places per 1.000 residents (summary page and API)."""

    anno = AnnoField(required=False, label=_("Anno della popolazione"))


class ServizioForm(ScopedModelForm):
    class Meta:
        model = Servizio
        fields = [
            "ambito",
            "nome",
            "tipo",
            "area",
            "stato",
            "leps",
            "ente_gestore",
            "data_avvio",
            "sezione",
            "comuni",
            "linee",
            "descrizione",
            "sviluppo_futuro",
        ]
        widgets = {
            "comuni": forms.CheckboxSelectMultiple,
            "data_avvio": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "descrizione": forms.Textarea(attrs={"rows": 5}),
            "sviluppo_futuro": forms.Textarea(attrs={"rows": 4}),
        }


class UnitaOffertaForm(ScopedModelForm):
    class Meta:
        model = UnitaOfferta
        fields = [
            "ambito",
            "area",
            "tipo",
            "nome",
            "comune",
            "posti",
            "gestione",
            "ente_gestore",
            "localita",
            "note",
        ]
        widgets = {
            "posti": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Negative places get the model's Italian message, not the browser's.
        self.fields["posti"].widget.attrs.pop("min", None)


class DatoAnnualeForm(ScopedModelForm):
    valore = forms.DecimalField(label=_("Valore"), max_digits=14, decimal_places=2, localize=True)

    class Meta:
        model = DatoAnnuale
        fields = ["grandezza", "anno", "comune", "categoria", "valore", "nota"]

    def __init__(self, *args, servizio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grandezza"].queryset = Grandezza.objects.filter(servizio=servizio)
        self.fields["comune"].queryset = self.fields["comune"].queryset.filter(
            ambito=servizio.ambito
        )


class AvvisoForm(ScopedModelForm):
    class Meta:
        model = Avviso
        fields = [
            "numero",
            "titolo",
            "riferimento",
            "data_apertura",
            "data_chiusura",
            "domande_finanziate",
            "domande_scorrimento",
            "domande_in_attesa",
            "nota",
        ]
        widgets = {
            "data_apertura": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "data_chiusura": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "nota": forms.Textarea(attrs={"rows": 3}),
        }


class QuotaAvvisoForm(StyledFormMixin, forms.ModelForm):
    importo = EuroField(label=_("Importo (€)"))

    class Meta:
        model = QuotaAvviso
        fields = ["tipo", "riferimento", "importo"]


QuotaFormSet = forms.inlineformset_factory(
    Avviso, QuotaAvviso, form=QuotaAvvisoForm, extra=2, can_delete=True
)
