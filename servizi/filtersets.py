"""FilterSets of the servizi app: the same classes serve the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambito.filtersets import AmbitoFilterSet, AnnoFilter
from ambito.models import Comune

from .choices import AreaUtenza, Gestione, Natura, StatoServizio, TipoServizio
from .models import AreaIntervento, Avviso, DatoAnnuale, Servizio, TipoUnitaOfferta, UnitaOfferta


class ServizioFilterSet(AmbitoFilterSet):
    q = django_filters.CharFilter(label=_("Cerca (nome, descrizione)"), method="filter_q")
    area = django_filters.ModelChoiceFilter(
        queryset=AreaIntervento.objects.all(), label=_("Area di intervento")
    )
    tipo = django_filters.ChoiceFilter(choices=TipoServizio.choices, label=_("Tipo"))
    stato = django_filters.ChoiceFilter(choices=StatoServizio.choices, label=_("Stato"))
    leps = django_filters.BooleanFilter(label=_("LEPS"))
    comune = django_filters.ModelChoiceFilter(
        field_name="comuni", queryset=Comune.objects.order_by("nome"), label=_("Attivo nel Comune")
    )
    linea = django_filters.ModelChoiceFilter(
        field_name="linee",
        # The funding lines are fondi's: reached through the relation, not imported
        # (servizi may not import fondi; see the README's design section).
        queryset=Servizio.linee.field.related_model.objects.order_by("codice"),
        label=_("Linea di finanziamento"),
    )

    class Meta:
        model = Servizio
        fields = ["ambito", "q", "area", "tipo", "stato", "leps", "comune", "linea"]

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(nome__icontains=value) | Q(descrizione__icontains=value))


class AvvisoFilterSet(AmbitoFilterSet):
    ambito_field = "servizio__ambito"
    servizio = django_filters.ModelChoiceFilter(
        queryset=Servizio.objects.filter(tipo=TipoServizio.MISURA), label=_("Misura")
    )
    anno = AnnoFilter(field_name="data_apertura", lookup_expr="year", label=_("Anno di apertura"))

    class Meta:
        model = Avviso
        fields = ["ambito", "servizio", "anno"]


class DatoAnnualeFilterSet(AmbitoFilterSet):
    ambito_field = "grandezza__servizio__ambito"
    servizio = django_filters.ModelChoiceFilter(
        field_name="grandezza__servizio", queryset=Servizio.objects.all(), label=_("Servizio")
    )
    area = django_filters.ModelChoiceFilter(
        field_name="grandezza__servizio__area",
        queryset=AreaIntervento.objects.all(),
        label=_("Area di intervento"),
    )
    grandezza = django_filters.CharFilter(field_name="grandezza__codice", label=_("Dato (codice)"))
    comune = django_filters.ModelChoiceFilter(
        queryset=Comune.objects.order_by("nome"), label=_("Comune")
    )

    class Meta:
        model = DatoAnnuale
        fields = ["ambito", "servizio", "area", "grandezza", "anno", "comune", "categoria"]


class UnitaOffertaFilterSet(AmbitoFilterSet):
    q = django_filters.CharFilter(
        field_name="nome", lookup_expr="icontains", label=_("Cerca per denominazione")
    )
    natura = django_filters.ChoiceFilter(
        field_name="tipo__natura", choices=Natura.choices, label=_("Natura")
    )
    area = django_filters.ChoiceFilter(choices=AreaUtenza.choices, label=_("Area"))
    tipo = django_filters.ModelChoiceFilter(
        queryset=TipoUnitaOfferta.objects.all(), label=_("Tipologia")
    )
    comune = django_filters.ModelChoiceFilter(
        queryset=Comune.objects.order_by("nome"), label=_("Comune")
    )
    gestione = django_filters.ChoiceFilter(choices=Gestione.choices, label=_("Gestione"))

    class Meta:
        model = UnitaOfferta
        fields = ["ambito", "q", "natura", "area", "tipo", "comune", "gestione"]
