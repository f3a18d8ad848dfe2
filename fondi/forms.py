"""Forms of the fondi app. They only collect input: the rules are checked by the
models' clean() and the services, whose messages appear next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ambito.models import Ambito, Comune, Ente
from ambito.platform.forms import EuroField, ScopedModelForm, StyledFormMixin

from .choices import PrecisioneData, StatoProgetto
from .models import (
    Assegnazione,
    Atto,
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
        if not self.instance.pk:
            # A new project is «candidato»: later states come through the transitions.
            del self.fields["stato"]
        else:
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
        fields = ["linea", "importo", "integrazione", "nota"]

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
        self.fields["linea"].queryset = _linee_field_queryset(self.user)


class AvanzamentoFinanziarioForm(ScopedModelForm):
    # Each stage may be left empty: not recorded in this period.
    programmato = EuroField(label=_("Importo programmato (€)"), required=False)
    ammesso = EuroField(label=_("Ammesso a finanziamento (€)"), required=False)
    vincolante = EuroField(
        label=_("Giuridicamente vincolante (€)"),
        required=False,
        help_text=AvanzamentoFinanziario._meta.get_field("vincolante").help_text,
    )
    erogato = EuroField(
        label=_("Erogato (€)"),
        required=False,
        help_text=AvanzamentoFinanziario._meta.get_field("erogato").help_text,
    )

    class Meta:
        model = AvanzamentoFinanziario
        fields = ["data", "precisione", "programmato", "ammesso", "vincolante", "erogato", "nota"]
        widgets = {"data": DateInput()}

    def __init__(self, *args, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.progetto = progetto
        self.fields["precisione"].required = False

    def clean_precisione(self):
        return self.cleaned_data.get("precisione") or PrecisioneData.GIORNO


class AttoProgettoForm(StyledFormMixin, forms.Form):
    """An act on a project: a new act (type, number, date, body) or one already
    registered for other projects of the Ambito, with its effect on this project."""

    atto_esistente = forms.ModelChoiceField(
        label=_("Atto già registrato"),
        queryset=Atto.objects.none(),
        required=False,
        help_text=_(
            "Per un atto che riguarda più progetti (es. una delibera che ne rifinanzia "
            "quattro): sceglierlo qui e lasciare vuoti i dati del nuovo atto."
        ),
    )
    tipo = forms.ChoiceField(
        label=Atto._meta.get_field("tipo").verbose_name.capitalize(),
        choices=[("", "---------"), *Atto._meta.get_field("tipo").choices],
        required=False,
    )
    numero = forms.CharField(label=_("Numero"), max_length=100, required=False)
    data = forms.DateField(label=_("Data dell'atto"), required=False, widget=DateInput())
    ente = forms.CharField(
        label=_("Ente emittente"),
        max_length=255,
        required=False,
        help_text=Atto._meta.get_field("ente").help_text,
    )
    oggetto = forms.CharField(
        label=_("Oggetto e note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    importo = EuroField(
        label=_("Importo concesso al progetto (€)"),
        required=False,
        help_text=_(
            "Per un'integrazione: diventa un finanziamento del progetto, contato una volta."
        ),
    )
    linea = forms.ModelChoiceField(
        label=_("Linea di finanziamento dell'importo"),
        queryset=LineaFinanziamento.objects.none(),
        required=False,
        help_text=_("Se vuota, la linea del progetto."),
    )
    nuova_data_fine = forms.DateField(
        label=_("Nuova data di fine"), required=False, widget=DateInput()
    )
    nota = forms.CharField(label=_("Nota"), max_length=500, required=False)

    def __init__(self, *args, user, progetto, **kwargs):
        super().__init__(*args, **kwargs)
        self.progetto = progetto
        self.fields["atto_esistente"].queryset = (
            Atto.objects.visible_to(user)
            .filter(ambito_id=progetto.ambito_id)
            .exclude(effetti__progetto=progetto)
        )
        self.fields["linea"].queryset = _linee_field_queryset(user)

    def clean(self):
        dati = super().clean()
        if not dati.get("atto_esistente"):
            for campo in ("tipo", "data", "ente"):
                if not dati.get(campo) and campo not in self.errors:
                    self.add_error(campo, _("Obbligatorio per un nuovo atto."))
        return dati

    def effetto(self) -> dict:
        """The arguments of services.atto_progetto_add for this project."""
        dati = self.cleaned_data
        return {
            "progetto": self.progetto,
            "importo": dati.get("importo"),
            "linea": dati.get("linea"),
            "nuova_data_fine": dati.get("nuova_data_fine"),
            "nota": dati.get("nota") or "",
        }

    def nuovo_atto(self) -> Atto:
        dati = self.cleaned_data
        return Atto(
            ambito_id=self.progetto.ambito_id,
            **{c: dati.get(c) or "" for c in ("tipo", "numero", "ente", "oggetto")},
            data=dati.get("data"),
        )


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
