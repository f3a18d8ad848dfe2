from django_filters.rest_framework import DjangoFilterBackend

# Query parameters of the pagination, of the ordering and of the renderers: never filters.
PARAMETRI_NON_FILTRI = {"page", "page_size", "ordering", "format", "sep"}


class FiltriBackend(DjangoFilterBackend):
    """The view's FilterSet, built only when the request has a filter parameter.

    Without one the FilterSet would filter nothing, but it would still build its
    form and its scoped choice querysets.
    """

    def filter_queryset(self, request, queryset, view):
        if request.query_params.keys() <= PARAMETRI_NON_FILTRI:
            return queryset
        return super().filter_queryset(request, queryset, view)
