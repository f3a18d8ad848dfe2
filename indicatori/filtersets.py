"""FilterSets of the indicators app: the same classes serve the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ambito.filtersets import AmbitoFilterSet
from ambito.models import Comune
from programmi.models import Scheda
from servizi.models import AreaIntervento

from .choices import Livello, StatoValore, TipoIndicatore, UnitaMisura
from .models import Indicatore, Periodo, Valore


class IndicatoreFilterSet(AmbitoFilterSet):
    ambito_field = "piano__ambito"

    q = django_filters.CharFilter(method="filter_q", label=_("Cerca"))
    scheda = django_filters.ModelChoiceFilter(
        queryset=Scheda.objects.select_related("piano"), label=_("Scheda")
    )
    tipo = django_filters.ChoiceFilter(choices=TipoIndicatore.choices, label=_("Tipo"))
    unita = django_filters.ChoiceFilter(choices=UnitaMisura.choices, label=_("Unità di misura"))
    livello = django_filters.ChoiceFilter(choices=Livello.choices, label=_("Rilevazione"))
    area = django_filters.ModelChoiceFilter(
        queryset=AreaIntervento.objects.all(), label=_("Area di intervento")
    )

    class Meta:
        model = Indicatore
        fields = ["ambito", "q", "scheda", "area", "tipo", "unita", "livello"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(nome__icontains=value) | queryset.filter(codice__icontains=value)


class ValoreFilterSet(AmbitoFilterSet):
    """Values by indicator, Comune, period and status (pages and API)."""

    ambito_field = "periodo__ambito"
    scelte_nell_ambito = {
        "indicatore": "piano__ambito",
        "comune": "ambito",
        "periodo": "ambito",
    }

    indicatore = django_filters.ModelChoiceFilter(
        queryset=Indicatore.objects.all(), label=_("Indicatore")
    )
    comune = django_filters.ModelChoiceFilter(queryset=Comune.objects.all(), label=_("Comune"))
    periodo = django_filters.ModelChoiceFilter(queryset=Periodo.objects.all(), label=_("Periodo"))
    stato = django_filters.ChoiceFilter(choices=StatoValore.choices, label=_("Stato"))
    solo_ambito = django_filters.BooleanFilter(
        field_name="comune", lookup_expr="isnull", label=_("Solo valori dell'Ambito")
    )

    class Meta:
        model = Valore
        fields = ["ambito", "indicatore", "comune", "periodo", "stato", "solo_ambito"]


class PeriodoFilterSet(AmbitoFilterSet):
    class Meta:
        model = Periodo
        fields = ["ambito", "stato", "tipo", "dimostrativo"]
