import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .forms import style_form
from .models import Ambito, Comune, Ente


class AmbitoFilterSet(django_filters.FilterSet):
    """Adds the `ambito` filter to any FilterSet, and limits every choice filter over a
    scoped model (Ambiti, Comuni, periods, services...) to what the user may see: a
    choice list never names another Ambito's objects, and such an id is refused.

    Subclasses set `ambito_field` to the model's path to its Ambito.
    """

    ambito_field = "ambito"

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
        return style_form(super().form)

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
