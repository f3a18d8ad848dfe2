from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.settings import api_settings

from ambito.filtersets import FilterSet

from .pagination import Paginazione
from .renderers import SEPARATOR_PARAM

# The query parameters of the pagination, the ordering and the renderers: never filters.
PARAMETRI_NON_FILTRI = {
    Paginazione.page_query_param,
    Paginazione.page_size_query_param,
    api_settings.ORDERING_PARAM,
    api_settings.URL_FORMAT_OVERRIDE,
    SEPARATOR_PARAM,
}


def ha_filtri(request) -> bool:
    """Whether the request has a filter parameter. Without one a FilterSet would filter
    nothing, but it would still build its form and its scoped choice querysets."""
    return not request.query_params.keys() <= PARAMETRI_NON_FILTRI


class FilterSetApi(FilterSet, filters.FilterSet):
    """What a view's `filterset_fields` become: DRF's FilterSet with our year filter."""


def filtri_nominati(filterset_class, request) -> frozenset:
    """The filters of `filterset_class` the request may set: those with a parameter
    named as the filter or starting with its name (widgets of several inputs read
    `<name>_min`, `<name>_after`, `<name>_0`...)."""
    parametri = request.query_params.keys()
    return frozenset(
        nome
        for nome in filterset_class.base_filters
        if any(parametro.startswith(nome) for parametro in parametri)
    )


class FiltriBackend(filters.DjangoFilterBackend):
    """The view's FilterSet, built only when the request has a filter parameter, and
    only with the filters the request names.

    A filter without its parameter filters nothing (no filter of ours is required, and
    django-filter skips empty values), but a FilterSet copies every filter, scopes each
    choice queryset to the user, and builds a form field and a copy of its queryset for
    each: for a list of values filtered by period, most of the filtering's time went to
    the indicator, Comune and Ambito filters the request did not use. The API never
    shows the filter form, so its other fields are not needed.
    """

    filterset_base = FilterSetApi

    def filter_queryset(self, request, queryset, view):
        if not ha_filtri(request):
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        nominati = filtri_nominati(filterset_class, request)
        filterset = filterset_class.__new__(filterset_class)
        # The FilterSet copies its filters from `base_filters` (django-filter's
        # BaseFilterSet.__init__): read from the instance, only the named ones.
        filterset.base_filters = {
            nome: filtro
            for nome, filtro in filterset_class.base_filters.items()
            if nome in nominati
        }
        filterset.__init__(**self.get_filterset_kwargs(request, queryset, view))
        return filterset


class OrdinamentoBackend(OrderingFilter):
    """DRF's ordering, strict: an unknown field answers 400 with the allowed ones (DRF
    ignores it), and the schema lists them as an enum."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {
            name for name, _label in self.get_valid_fields(queryset, view, {"request": request})
        }
        invalid = [term for term in fields if term.lstrip("-") not in valid]
        if invalid:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Ordinamento non ammesso: %(campi)s. Valori ammessi: %(ammessi)s.")
                        % {
                            "campi": ", ".join(invalid) or "«»",
                            "ammessi": ", ".join(sorted(valid)),
                        }
                    ]
                },
                code="invalid_choice",
            )
        return fields

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, list | tuple):
            return super().get_schema_operation_parameters(view)
        valori = [v for f in fields for v in (f, f"-{f}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Campo di ordinamento (prefisso «-» per l'ordine decrescente; più campi "
                    "separati da virgole). Ammessi: " + ", ".join(fields) + "."
                ),
                "schema": {"type": "string", "enum": valori},
            }
        ]
