import hashlib

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ANNO_VALIDATORS, Ambito, Comune, DatiDemografici

# The years the models accept (ANNO_VALIDATORS), for the forms and filters that ask one.
ANNO_MINIMO, ANNO_MASSIMO = (v.limit_value for v in ANNO_VALIDATORS)


class AnnoField(forms.IntegerField):
    """A year: a whole number between 1900 and 2100, with the messages in Italian.

    Every year a user types in a filter or a query parameter goes through this field,
    so "2025.5", "1e20", "0" or "99999999999" are refused here (400 in the API, an error
    next to the field on a page) and never reach a date or a query.
    """

    default_error_messages = {
        "invalid": _("Inserisci un anno, per esempio 2025."),
        "min_value": ANNO_VALIDATORS[0].message,
        "max_value": ANNO_VALIDATORS[1].message,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", ANNO_MINIMO)
        kwargs.setdefault("max_value", ANNO_MASSIMO)
        kwargs.setdefault("label", _("Anno"))
        super().__init__(**kwargs)


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
