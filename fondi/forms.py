"""Forms of the fondi app. They only collect input: the rules are checked by the
models' clean() and the services, whose messages appear next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune, Ente
from ambito.platform.forms import EuroField, ScopedModelForm

from .choices import StatoProgetto
from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    Candidatura,
    FinanziamentoProgetto,
    FonteFinanziamento,
    LineaCandidatura,
    LineaFinanziamento,
    PartecipazioneCandidatura,
    PartnerProgetto,
    Progetto,
)


def _linee_field_queryset(user):
    """The national lines and the own lines the user may see."""
    return LineaFinanziamento.objects.visible_to(user).select_related("fonte").order_by("codice")


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
        self.fields["linea"].queryset = _linee_field_queryset(self.user)


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
        self.fields["linea"].queryset = _linee_field_queryset(self.user)
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
        self.fields["linea"].queryset = _linee_field_queryset(self.user)


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


class QuotaField(EuroField):
    """A share in per cent typed the Italian way ("33,33", "25 %"); its bounds are the
    model's, with their Italian message next to the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 5)
        super().__init__(**kwargs)
        self.error_messages["invalid"] = _("Inserire una percentuale, ad esempio 33,33.")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("%", "")
        return super().to_python(value)


class CandidaturaForm(ScopedModelForm):
    totale_decreto = EuroField(
        label=_("Totale ammesso nel decreto (€)"),
        required=False,
        help_text=Candidatura._meta.get_field("totale_decreto").help_text,
    )

    class Meta:
        model = Candidatura
        fields = [
            "avviso",
            "titolo",
            "ambito",
            "ente_capofila",
            "data_presentazione",
            "decreto",
            "totale_decreto",
            "nota",
        ]
        widgets = {"data_presentazione": DateInput(), "nota": forms.Textarea(attrs={"rows": 4})}


class PartecipazioneCandidaturaForm(ScopedModelForm):
    quota = QuotaField(
        label=_("Quota (%)"),
        help_text=PartecipazioneCandidatura._meta.get_field("quota").help_text,
    )

    class Meta:
        model = PartecipazioneCandidatura
        fields = ["ambito", "quota"]

    def __init__(self, *args, candidatura, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.candidatura = candidatura
        # Any Ambito of Italy may be a partner: the list of Ambiti is public.
        self.fields["ambito"].queryset = Ambito.objects.exclude(pk=candidatura.ambito_id).order_by(
            "nome"
        )


class LineaCandidaturaForm(ScopedModelForm):
    importo = EuroField(
        label=_("Importo (€)"),
        required=False,
        help_text=LineaCandidatura._meta.get_field("importo").help_text,
    )

    class Meta:
        model = LineaCandidatura
        fields = ["linea", "importo", "esito", "nota_esito", "progetto"]

    def __init__(self, *args, candidatura, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.candidatura = candidatura
        self.fields["linea"].queryset = _linee_field_queryset(self.user)
        self.fields["progetto"].queryset = (
            Progetto.objects.editable_by(self.user)
            .filter(ambito_id=candidatura.ambito_id)
            .order_by("titolo")
        )


class PartnerProgettoForm(ScopedModelForm):
    importo = EuroField(label=_("Importo (€)"), required=False)
    quota = QuotaField(label=_("Quota (%)"))

    class Meta:
        model = PartnerProgetto
        fields = ["ente", "ruolo", "importo", "quota", "nota"]

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
        self.fields["ente"].queryset = Ente.objects.visible_to(self.user).order_by("nome")


class FonteFinanziamentoForm(ScopedModelForm):
    """An own source of an Ambito: the Ambito is required (the national tree is the
    superuser's, through the admin)."""

    class Meta:
        model = FonteFinanziamento
        fields = ["ambito", "codice", "nome", "livello", "ordine"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ambito"].required = True


class LineaFinanziamentoForm(ScopedModelForm):
    """A line under one of the Ambito's own sources."""

    class Meta:
        model = LineaFinanziamento
        fields = ["fonte", "parent", "codice", "nome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fonte"].queryset = FonteFinanziamento.objects.editable_by(self.user).order_by(
            "codice"
        )
        self.fields["parent"].queryset = LineaFinanziamento.objects.editable_by(self.user).order_by(
            "codice"
        )
