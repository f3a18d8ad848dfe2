import hashlib
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .models import Ambito, Comune, DatiDemografici, PreferenzeNotifiche
from .services import run_validators


class EuroInput(forms.TextInput):
    """Shows 1090000.5 as "1090000,50" (Italian decimal comma, no grouping to retype)."""

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return number_format(Decimal(value), 2, use_l10n=True)
        return super().format_value(value)


class EuroField(forms.DecimalField):
    """An amount in euro typed the Italian way: "1.090.000,00", "€ 104.394,83",
    "357499" or "357499.00" are all accepted."""

    widget = EuroInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.error_messages["invalid"] = _("Inserire un importo in euro, ad esempio 1.090.000,00.")

    def to_python(self, value):
        if isinstance(value, str):
            testo = value.replace("€", "").replace(" ", "").replace("\u00a0", "").strip()
            if "," in testo:
                testo = testo.replace(".", "").replace(",", ".")
            value = testo
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)  # negative amounts get the service's Italian message
        return attrs


def style_form(form):
    """Bootstrap Italia classes on every widget; aria links to errors once validated."""
    errors = form._errors or {}  # never trigger validation from here
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        if not isinstance(widget, forms.Select | forms.CheckboxSelectMultiple):
            widget.attrs.setdefault("class", "form-control")
        if name in errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{form[name].auto_id}_errors"
    return form


class ValidatorsFormMixin:
    """A ModelForm (the admin's) that also runs the service's named validators, so
    their messages appear next to the fields before the service saves."""

    validators = ()

    def _post_clean(self):
        super()._post_clean()
        try:
            run_validators(self.instance, self.validators)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self):
        super().full_clean()
        style_form(self)


class ScopedModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm whose choice lists hold only what the user may use.

    Ambiti are limited to those the user may edit, every other related model to what
    he may see: the same scoping as pages and API.
    """

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not hasattr(queryset, "visible_to"):
                continue
            if queryset.model is Ambito:
                field.queryset = queryset.editable_by(user)
            else:
                field.queryset = queryset.visible_to(user)
            if len(field.queryset) == 1 and field.required and not self.instance.pk:
                field.initial = field.queryset[0].pk


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
