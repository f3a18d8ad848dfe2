import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .models import Ambito, Comune, DatiDemografici, Ente
from .platform.forms import ANNO_MASSIMO, ANNO_MINIMO, AnnoField, style_form
from .roles import ruoli

# How the API documents a year parameter.
SCHEMA_ANNO = {"type": "integer", "minimum": ANNO_MINIMO, "maximum": ANNO_MASSIMO, "example": 2024}


@extend_schema_field(SCHEMA_ANNO)
class AnnoFilter(django_filters.NumberFilter):
    """The one year filter of every FilterSet: an integer from 1900 to 2100 (AnnoField).

    A year out of range, with decimals or in exponent form is a field error (400 in the
    API, a message next to the field on the page), never a date nobody can build.
    """

    field_class = AnnoField

    def get_max_validator(self):
        return None  # AnnoField already bounds the year


def _e_anno(nome: str) -> bool:
    return nome == "anno" or nome.startswith("anno_")


class FilterSet(django_filters.FilterSet):
    """Base of every FilterSet: a model field named `anno` (or `anno_...`) listed in
    Meta.fields is filtered with AnnoFilter, as the declared year filters are."""

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        if _e_anno(field.name) and lookup_expr in (None, "exact", "gt", "gte", "lt", "lte"):
            return AnnoFilter(
                field_name=field_name,
                lookup_expr=lookup_expr or "exact",
                label=field.verbose_name.capitalize(),
            )
        return super().filter_for_field(field, field_name, lookup_expr)


class SiNoWidget(BooleanWidget):
    """A yes/no filter: "Tutti", "Sì", "No" (django's own says "Sconosciuto")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Tutti")), ("true", _("Sì")), ("false", _("No"))]


def filter_form_labels(form):
    """One look for every filter form: yes/no filters as "Tutti / Sì / No", and the
    empty option of a choice list reads "Tutti" instead of "---------"."""
    for field in form.fields.values():
        if isinstance(field, forms.NullBooleanField):
            if not isinstance(field.widget, SiNoWidget):
                field.widget = SiNoWidget(attrs=field.widget.attrs)
        elif hasattr(field, "empty_label"):  # model choices and django-filter's choices
            if field.empty_label is not None:
                field.empty_label = _("Tutti")
                field.widget.choices = field.choices  # the widget keeps its own copy
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if choices and choices[0][0] == "":
                field.choices = [("", _("Tutti")), *choices[1:]]
    return form


class AmbitoFilterSet(FilterSet):
    """Adds the `ambito` filter to any FilterSet, and limits every choice filter over a
    scoped model (Ambiti, Comuni, periods, services...) to what the user may see: a
    choice list never names another Ambito's objects, and such an id is refused.

    Subclasses set `ambito_field` to the model's path to its Ambito.
    """

    ambito_field = "ambito"
    #: Choice filters over the objects of an Ambito, with their model's path to it
    #: ({"comune": "ambito"}). For a user of several Ambiti a page lists only those of
    #: the chosen Ambito (and the choice already made): a national user would get
    #: every Comune, indicator and period of Italy, megabytes of options. What a
    #: filter accepts does not change (any visible id, as in the API).
    scelte_nell_ambito: dict[str, str] = {}

    ambito = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            queryset=Ambito.objects.all(), label=_("Ambito"), method="filter_ambito"
        )
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for filtro in self.filters.values():
            queryset = getattr(filtro, "queryset", None)
            if hasattr(queryset, "visible_to"):
                filtro.queryset = queryset.visible_to(user)

    @property
    def form(self):
        form = super().form  # one per filterset, read several times by a page
        validato = hasattr(form, "cleaned_data") or not form.is_bound
        if self.scelte_nell_ambito and validato and not getattr(form, "ristretto", False):
            self._scelte_nell_ambito(form, getattr(form, "cleaned_data", {}))
            form.ristretto = True
        return style_form(filter_form_labels(form))

    def _scelte_nell_ambito(self, form, dati):
        """Once the filters are applied, narrow the lists the page shows (see
        `scelte_nell_ambito`); a user of one Ambito keeps the whole lists."""
        user = getattr(self.request, "user", None)
        if user is None or not ruoli(user).piu_ambiti:
            return
        ambito = dati.get("ambito")
        for nome, percorso in self.scelte_nell_ambito.items():
            campo = form.fields.get(nome)
            if campo is None:  # the API's FilterSet has only the filters it was given
                continue
            scelto = dati.get(nome)
            condizione = Q(**{percorso: ambito}) if ambito else Q(pk__in=[])
            if scelto is not None:
                condizione |= Q(pk=scelto.pk)
            campo.queryset = campo.queryset.filter(condizione)
            if not ambito:
                campo.label = _("%(campo)s (scegliere prima l'Ambito)") % {"campo": campo.label}

    def filter_ambito(self, queryset, name, value):
        return queryset.filter(**{self.ambito_field: value}) if value else queryset


class ComuneFilterSet(AmbitoFilterSet):
    nome = django_filters.CharFilter(lookup_expr="icontains", label=_("Nome"))

    class Meta:
        model = Comune
        fields = ["ambito", "nome", "codice_istat"]


class EnteFilterSet(AmbitoFilterSet):
    nome = django_filters.CharFilter(lookup_expr="icontains", label=_("Nome"))

    class Meta:
        model = Ente
        fields = ["ambito", "tipo", "nome"]


class DatiDemograficiFilterSet(AmbitoFilterSet):
    ambito_field = "comune__ambito"

    class Meta:
        model = DatiDemografici
        fields = ["ambito", "comune", "anno"]
