"""FilterSets of the PNRR reporting (ReGiS) lists, shared by the API and the pages."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ambito.filtersets import AmbitoFilterSet

from .choices import StatoRendicontazione, TipoDocumentoSpesa, TipoObiettivo
from .models import (
    AvanzamentoObiettivo,
    Giustificativo,
    ObiettivoProgetto,
    Progetto,
    Rendicontazione,
)


def _progetti():
    return Progetto.objects.order_by("titolo")


class ObiettivoProgettoFilterSet(AmbitoFilterSet):
    ambito_field = "progetto__ambito"
    progetto = django_filters.ModelChoiceFilter(queryset=_progetti(), label=_("Progetto"))
    cup = django_filters.CharFilter(field_name="progetto__cup", label=_("CUP"))
    tipo = django_filters.ChoiceFilter(choices=TipoObiettivo.choices, label=_("Tipo"))
    scadenza_dal = django_filters.DateFilter(
        field_name="scadenza", lookup_expr="gte", label=_("Scadenza dal")
    )
    scadenza_al = django_filters.DateFilter(
        field_name="scadenza", lookup_expr="lte", label=_("Scadenza al")
    )

    class Meta:
        model = ObiettivoProgetto
        fields = ["ambito", "progetto", "cup", "tipo", "scadenza_dal", "scadenza_al"]


class AvanzamentoObiettivoFilterSet(AmbitoFilterSet):
    ambito_field = "obiettivo__progetto__ambito"
    obiettivo = django_filters.ModelChoiceFilter(
        queryset=ObiettivoProgetto.objects.order_by("pk"), label=_("Milestone o target")
    )
    progetto = django_filters.ModelChoiceFilter(
        field_name="obiettivo__progetto", queryset=_progetti(), label=_("Progetto")
    )

    class Meta:
        model = AvanzamentoObiettivo
        fields = ["ambito", "obiettivo", "progetto", "periodo"]


class GiustificativoFilterSet(AmbitoFilterSet):
    ambito_field = "progetto__ambito"
    progetto = django_filters.ModelChoiceFilter(queryset=_progetti(), label=_("Progetto"))
    rendicontazione = django_filters.ModelChoiceFilter(
        queryset=Rendicontazione.objects.order_by("pk"), label=_("Domanda di rimborso")
    )
    non_rendicontati = django_filters.BooleanFilter(
        field_name="rendicontazione", lookup_expr="isnull", label=_("Non ancora in una domanda")
    )
    tipo_documento = django_filters.ChoiceFilter(
        choices=TipoDocumentoSpesa.choices, label=_("Tipo di documento")
    )
    fornitore = django_filters.CharFilter(lookup_expr="icontains", label=_("Fornitore"))
    data_dal = django_filters.DateFilter(
        field_name="data_documento", lookup_expr="gte", label=_("Data dal")
    )
    data_al = django_filters.DateFilter(
        field_name="data_documento", lookup_expr="lte", label=_("Data al")
    )

    class Meta:
        model = Giustificativo
        fields = [
            "ambito",
            "progetto",
            "cup",
            "finanziamento",
            "rendicontazione",
            "non_rendicontati",
            "tipo_documento",
            "fornitore",
            "data_dal",
            "data_al",
        ]


class RendicontazioneFilterSet(AmbitoFilterSet):
    ambito_field = "progetto__ambito"
    progetto = django_filters.ModelChoiceFilter(queryset=_progetti(), label=_("Progetto"))
    cup = django_filters.CharFilter(field_name="progetto__cup", label=_("CUP"))
    stato = django_filters.ChoiceFilter(choices=StatoRendicontazione.choices, label=_("Stato"))

    class Meta:
        model = Rendicontazione
        fields = ["ambito", "progetto", "cup", "stato", "periodo"]
