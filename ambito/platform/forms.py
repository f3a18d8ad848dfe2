"""Form machinery: Bootstrap Italia styling, the Italian amount and year fields,
scoped choice lists and the entities' named validators on forms."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ambito.models import ANNO_VALIDATORS, Ambito

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
    """Bootstrap Italia classes on every widget; aria links to errors once validated.

    A field in error gets `aria-invalid="true"` and `aria-describedby` pointing at its
    message (`<id>_errors`, rendered by templates/includes/form_fields.html); the page's
    error summary and the "Errore:" title come from base.html (`moduli_con_errori`).
    """
    errors = form._errors or {}  # never trigger validation from here
    for name, field in form.fields.items():
        widget = field.widget
        styled = not isinstance(
            widget, forms.CheckboxInput | forms.Select | forms.CheckboxSelectMultiple
        )
        if styled:
            widget.attrs.setdefault("class", "form-control")
        if name in errors:
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"{form[name].auto_id}_errors"
        else:  # a form validated twice (e.g. corrected) loses its old marks
            widget.attrs.pop("aria-invalid", None)
            if widget.attrs.get("aria-describedby", "").endswith("_errors"):
                widget.attrs.pop("aria-describedby")
    return form


@dataclass
class ErroriPagina:
    """The bound forms of a page that have errors, for base.html: "Errore:" in the
    title and a focused summary linking to the fields."""

    moduli: list

    def __bool__(self):
        return bool(self.moduli)

    @property
    def da_riepilogare(self):
        """Forms whose template shows no summary of its own (`riepilogo_proprio`)."""
        return [m for m in self.moduli if not getattr(m, "riepilogo_proprio", False)]


def moduli_con_errori(context) -> ErroriPagina:
    """Every bound form with errors in a template context: any form in it (`form`,
    `motivo_form`...) and the filters' form (`filterset.form`). Generic on purpose:
    forms added later get the error pattern without code of their own."""
    trovati = []
    for chiave, valore in context.flatten().items():
        candidati = [valore]
        if chiave == "filterset":
            candidati = [getattr(valore, "form", None)]
        for modulo in candidati:
            if (
                isinstance(modulo, forms.BaseForm)
                and modulo.is_bound
                and modulo.errors
                and all(modulo is not t for t in trovati)
            ):
                trovati.append(modulo)
    return ErroriPagina(trovati)


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
