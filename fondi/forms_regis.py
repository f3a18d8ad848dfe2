"""Forms of the PNRR reporting (ReGiS). They only collect input: the rules are the
services' (fondi/rendicontazione.py), whose messages appear next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.platform.forms import EuroField, ScopedModelForm, StyledFormMixin

from .choices import ControlloRegis, StatoRendicontazione
from .forms import DateInput
from .models import (
    AvanzamentoObiettivo,
    FinanziamentoProgetto,
    Giustificativo,
    ObiettivoProgetto,
    Rendicontazione,
)
from .selectors_regis import periodi_del_progetto


def _scelte_periodi(progetto):
    return [("", "---------")] + [
        (d.isoformat(), d.strftime("%d/%m/%Y")) for d in periodi_del_progetto(progetto)
    ]


class PeriodoRegisField(forms.TypedChoiceField):
    """A ReGiS closing date chosen among the project's periods."""

    def __init__(self, **kwargs):
        super().__init__(coerce=forms.DateField().clean, **kwargs)


class ObiettivoProgettoForm(ScopedModelForm):
    valore_obiettivo = forms.DecimalField(
        label=_("Valore obiettivo"), max_digits=14, decimal_places=2, localize=True
    )

    class Meta:
        model = ObiettivoProgetto
        fields = ["tipo", "codice", "descrizione", "unita_misura", "valore_obiettivo", "scadenza"]
        widgets = {"scadenza": DateInput()}

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto


class AvanzamentoObiettivoForm(ScopedModelForm):
    valore_raggiunto = forms.DecimalField(
        label=_("Valore raggiunto"), max_digits=14, decimal_places=2, localize=True
    )

    class Meta:
        model = AvanzamentoObiettivo
        fields = ["periodo", "valore_raggiunto", "nota"]

    def __init__(self, *args, obiettivo, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.obiettivo = obiettivo
        self.fields["periodo"] = PeriodoRegisField(
            label=_("Periodo di rilevazione ReGiS"),
            choices=_scelte_periodi(obiettivo.progetto),
            help_text=AvanzamentoObiettivo._meta.get_field("periodo").help_text,
        )
        if self.instance.pk:
            self.initial["periodo"] = self.instance.periodo.isoformat()


class GiustificativoForm(ScopedModelForm):
    imponibile = EuroField(label=_("Imponibile (€)"))
    iva = EuroField(label=_("IVA (€)"))

    class Meta:
        model = Giustificativo
        fields = [
            "finanziamento",
            "tipo_documento",
            "numero_documento",
            "data_documento",
            "fornitore",
            "partita_iva",
            "imponibile",
            "iva",
            "cup",
            "rendicontazione",
        ]
        widgets = {"data_documento": DateInput()}
        help_texts = {"cup": _("Vuoto: quello del progetto.")}

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
        self.fields["finanziamento"].queryset = FinanziamentoProgetto.objects.filter(
            progetto=progetto
        ).select_related("linea")
        self.fields["finanziamento"].label_from_instance = lambda f: f.linea.codice
        self.fields["rendicontazione"].queryset = Rendicontazione.objects.filter(
            progetto=progetto, stato=StatoRendicontazione.BOZZA
        )
        self.fields["rendicontazione"].help_text = _(
            "Le domande in bozza del progetto; vuoto: spesa non ancora rendicontata."
        )


class RendicontazioneForm(ScopedModelForm):
    class Meta:
        model = Rendicontazione
        fields = ["periodo", "titolo"]

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
        self.fields["periodo"] = PeriodoRegisField(
            label=_("Periodo di riferimento"),
            choices=_scelte_periodi(progetto),
            help_text=Rendicontazione._meta.get_field("periodo").help_text,
        )
        if self.instance.pk:
            self.initial["periodo"] = self.instance.periodo.isoformat()


class CambioStatoRendicontazioneForm(StyledFormMixin, forms.Form):
    stato = forms.ChoiceField(choices=StatoRendicontazione.choices)
    nota = forms.CharField(
        label=_("Nota sull'esito"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obbligatoria se la domanda è respinta."),
    )


class ControlloForm(StyledFormMixin, forms.Form):
    controllo = forms.ChoiceField(choices=ControlloRegis.choices, widget=forms.HiddenInput)
    azione = forms.ChoiceField(
        choices=[("attesta", _("Attesta")), ("revoca", _("Revoca"))], widget=forms.HiddenInput
    )
