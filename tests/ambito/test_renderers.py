"""The form renderer writes inputs, selects and options in Python: the markup must be
the very markup of Django's own templates, for every kind of widget and value."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe

from ambito.platform.renderers import WRITERS, FormRenderer


class Tutto(forms.Form):
    testo = forms.CharField(widget=forms.TextInput(attrs={"class": "form-control"}))
    numero = forms.DecimalField(
        localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    intero = forms.IntegerField()
    nascosto = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(required=False)
    data = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ora = forms.DateTimeField(required=False)
    spunta = forms.BooleanField(required=False)
    nota = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    scelta = forms.ChoiceField(
        choices=[
            ("", "Tutti"),
            ("a", "Anna & <Bruno>"),
            (2025, 2025),
            ("s", mark_safe("<b>sì</b>")),
        ]
    )
    gruppi = forms.ChoiceField(
        choices=[("Nord", [("mi", "Milano"), ("to", "Torino")]), ("Sud", [("na", "Napoli")])]
    )
    multipla = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    ternaria = forms.NullBooleanField()
    disattivo = forms.CharField(disabled=True, required=False)


VALORI = {
    "testo": 'Via "Roma" <1> & co.',
    "numero": Decimal("1234.50"),
    "intero": 7,
    "nascosto": 3,
    "data": datetime.date(2025, 12, 31),
    "ora": datetime.datetime(2025, 6, 30, 9, 5, tzinfo=datetime.UTC),
    "spunta": True,
    "nota": "riga uno\n<riga due> & tre",
    "scelta": 2025,
    "gruppi": "to",
    "multipla": ["x", "z"],
    "ternaria": False,
    "disattivo": mark_safe("già &amp; salvato"),
}


def _renderizza(form, renderer):
    form.renderer = renderer
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda: Tutto(), id="vuoto"),
        pytest.param(lambda: Tutto(initial=VALORI), id="valori iniziali"),
        pytest.param(lambda: Tutto(data={"numero": "12,5x", "scelta": "a"}), id="con errori"),
    ],
)
def test_the_python_written_widgets_are_the_markup_of_djangos_templates(form):
    python = _renderizza(form(), FormRenderer())
    django = _renderizza(form(), DjangoTemplates())
    assert python == django


def test_the_project_renders_its_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_every_written_template_is_one_of_djangos():
    renderer = DjangoTemplates()
    for template_name in WRITERS:
        renderer.get_template(template_name)  # raises if Django has no such template


def test_an_overridden_or_unknown_widget_template_still_goes_through_the_templates():
    class OpzioniProprie(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class Radio(forms.Form):
        scelta = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        propria = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=OpzioniProprie)

    python = _renderizza(Radio(initial={"scelta": "b"}), FormRenderer())
    assert python == _renderizza(Radio(initial={"scelta": "b"}), DjangoTemplates())
    assert 'type="radio"' in python["scelta"] and "<select" in python["propria"]
