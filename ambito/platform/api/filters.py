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


class FiltriBackend(filters.DjangoFilterBackend):
    """The view's FilterSet, built only when the request has a filter parameter."""

    filterset_base = FilterSetApi

    def filter_queryset(self, request, queryset, view):
        if not ha_filtri(request):
            return queryset
        return super().filter_queryset(request, queryset, view)


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
