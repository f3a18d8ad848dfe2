"""Forms of the fondi app. They only collect input: the rules are checked by the
models' clean() and the services, whose messages appear next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune
from ambito.platform.forms import EuroField, ScopedModelForm

from .choices import StatoProgetto
from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    FinanziamentoProgetto,
    LineaFinanziamento,
    Progetto,
)


def _linee_field_queryset():
    return LineaFinanziamento.objects.select_related("fonte").order_by("codice")


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes with the markup of Bootstrap Italia (input followed by its label)."""

    template_name = "fondi/widgets/checkbox_select.html"
    option_template_name = "fondi/widgets/checkbox_option.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AssegnazioneForm(ScopedModelForm):
    importo = EuroField(label=_("Importo (€)"))

    class Meta:
        model = Assegnazione
        fields = ["ambito", "linea", "anno", "importo", "interventi", "nota_fonte"]
        widgets = {
            "anno": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "interventi": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linea"].queryset = _linee_field_queryset()


class ProgettoForm(ScopedModelForm):
    # No length here: spaces are removed and the format (15 characters) is the model's
    # rule, with its message.
    cup = forms.CharField(
        label=_("CUP"),
        required=False,
        help_text=Progetto._meta.get_field("cup").help_text,
    )

    class Meta:
        model = Progetto
        fields = [
            "titolo",
            "cup",
            "codice_locale",
            "ambito",
            "linea",
            "stato",
            "soggetto_attuatore",
            "rup",
            "anno_finanziamento",
            "data_inizio",
            "data_fine",
            "data_scadenza",
            "ambiti_partner",
            "comuni",
            "descrizione",
        ]
        widgets = {
            "cup": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
            "data_inizio": DateInput(),
            "data_fine": DateInput(),
            "data_scadenza": DateInput(),
            "anno_finanziamento": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "comuni": CheckboxList(),
            "descrizione": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linea"].queryset = _linee_field_queryset()
        # Any Ambito of Italy may be a partner: the list of Ambiti is public.
        self.fields["ambiti_partner"].queryset = Ambito.objects.exclude(
            pk=self.instance.ambito_id
        ).order_by("nome")
        self.fields["ambiti_partner"].help_text = _(
            "Ambiti che partecipano al progetto: i loro utenti lo vedono, senza modificarlo."
        )
        comuni = Comune.objects.visible_to(self.user)
        if self.instance.pk:
            comuni = comuni | Comune.objects.filter(
                ambito__in=self.instance.ambiti_partner.values("pk")
            )
        self.fields["comuni"].queryset = comuni.order_by("nome")
        if self.instance.pk:
            successivi = self.instance.stati_successivi
            self.fields["stato"].help_text = (
                _("Da «%(stato)s» si può passare a: %(successivi)s.")
                % {
                    "stato": StatoProgetto(self.instance.stato).label,
                    "successivi": ", ".join(str(s.label) for s in successivi),
                }
                if successivi
                else _("Lo stato «%(stato)s» è definitivo.")
                % {"stato": StatoProgetto(self.instance.stato).label}
            )


class FinanziamentoProgettoForm(ScopedModelForm):
    importo = EuroField(label=_("Importo concesso (€)"))

    class Meta:
        model = FinanziamentoProgetto
        fields = ["linea", "importo", "nota"]

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
        self.fields["linea"].queryset = _linee_field_queryset()


class AvanzamentoFinanziarioForm(ScopedModelForm):
    programmato = EuroField(label=_("Importo programmato (€)"))
    ammesso = EuroField(label=_("Ammesso a finanziamento (€)"))
    vincolante = EuroField(
        label=_("Giuridicamente vincolante (€)"),
        help_text=AvanzamentoFinanziario._meta.get_field("vincolante").help_text,
    )
    erogato = EuroField(
        label=_("Erogato (€)"),
        help_text=AvanzamentoFinanziario._meta.get_field("erogato").help_text,
    )

    class Meta:
        model = AvanzamentoFinanziario
        fields = ["data", "programmato", "ammesso", "vincolante", "erogato", "nota"]
        widgets = {"data": DateInput()}

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
