from django_filters import rest_framework as filters
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
