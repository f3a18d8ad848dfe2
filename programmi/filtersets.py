"""FilterSets of the programmi app: the same class serves a page and its API list."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ambito.filtersets import AmbitoFilterSet, AnnoFilter

from .choices import Adeguatezza, CoincidenzaRisorse, StatoPiano
from .models import MacroArea, Obiettivo, PianoDiZona, Scheda, Valutazione

LIVELLI = [("generale", _("Obiettivi generali")), ("specifico", _("Obiettivi specifici"))]
SI_NO = [("si", _("Sì")), ("no", _("No"))]


def _livello(queryset, prefix, value):
    if value == "generale":
        return queryset.filter(**{f"{prefix}parent__isnull": True})
    if value == "specifico":
        return queryset.filter(**{f"{prefix}parent__isnull": False})
    return queryset


class PianoDiZonaFilterSet(AmbitoFilterSet):
    stato = django_filters.ChoiceFilter(choices=StatoPiano.choices, label=_("Stato"))
    anno = AnnoFilter(method="filter_anno", label=_("Anno compreso"))

    class Meta:
        model = PianoDiZona
        fields = ["ambito", "stato", "anno"]

    def filter_anno(self, queryset, name, value):
        return queryset.filter(anno_inizio__lte=value, anno_fine__gte=value)


class MacroAreaFilterSet(AmbitoFilterSet):
    ambito_field = "piano__ambito"
    piano = django_filters.ModelChoiceFilter(queryset=PianoDiZona.objects.all(), label=_("Piano"))

    class Meta:
        model = MacroArea
        fields = ["ambito", "piano", "lettera"]


class ObiettivoFilterSet(AmbitoFilterSet):
    ambito_field = "piano__ambito"
    piano = django_filters.ModelChoiceFilter(queryset=PianoDiZona.objects.all(), label=_("Piano"))
    macro_area = django_filters.ModelChoiceFilter(
        queryset=MacroArea.objects.all(), label=_("Macro-area")
    )
    livello = django_filters.ChoiceFilter(
        choices=LIVELLI, method="filter_livello", label=_("Livello")
    )

    class Meta:
        model = Obiettivo
        fields = ["ambito", "piano", "macro_area", "livello", "parent", "numero"]

    def filter_livello(self, queryset, name, value):
        return _livello(queryset, "", value)


class ValutazioneFilterSet(AmbitoFilterSet):
    """Evaluations of objectives: by plan, macro-area, level, resources and % reached.

    `coincidenza_risorse` is an ordered value (-1 <100%, 0 100%, 1 >100%): besides the
    exact match it filters with `coincidenza_min` / `coincidenza_max`.
    """

    ambito_field = "obiettivo__piano__ambito"
    piano = django_filters.ModelChoiceFilter(
        field_name="obiettivo__piano", queryset=PianoDiZona.objects.all(), label=_("Piano")
    )
    macro_area = django_filters.ModelChoiceFilter(
        field_name="obiettivo__macro_area",
        queryset=MacroArea.objects.all(),
        label=_("Macro-area"),
    )
    livello = django_filters.ChoiceFilter(
        choices=LIVELLI, method="filter_livello", label=_("Livello")
    )
    coincidenza_risorse = django_filters.ChoiceFilter(
        choices=CoincidenzaRisorse.choices, label=_("Coincidenza delle risorse")
    )
    coincidenza_min = django_filters.ChoiceFilter(
        field_name="coincidenza_risorse",
        lookup_expr="gte",
        choices=CoincidenzaRisorse.choices,
        label=_("Coincidenza almeno"),
    )
    coincidenza_max = django_filters.ChoiceFilter(
        field_name="coincidenza_risorse",
        lookup_expr="lte",
        choices=CoincidenzaRisorse.choices,
        label=_("Coincidenza al più"),
    )
    adeguatezza_risorse = django_filters.ChoiceFilter(
        choices=Adeguatezza.choices, label=_("Adeguatezza delle risorse")
    )
    grado_min = django_filters.NumberFilter(
        field_name="grado_raggiungimento", lookup_expr="gte", label=_("Raggiungimento da (%)")
    )
    grado_max = django_filters.NumberFilter(
        field_name="grado_raggiungimento", lookup_expr="lte", label=_("Raggiungimento fino a (%)")
    )
    riproposto = django_filters.ChoiceFilter(
        choices=SI_NO, method="filter_si_no", label=_("Riproposto")
    )
    ordina = django_filters.OrderingFilter(
        fields=(
            ("obiettivo__ordinamento", "numero"),
            ("grado_raggiungimento", "grado"),
            ("coincidenza_risorse", "coincidenza"),
            ("adeguatezza_risorse", "adeguatezza"),
            ("obiettivo__macro_area__lettera", "macro_area"),
        ),
        field_labels={
            "obiettivo__ordinamento": _("Numero"),
            "grado_raggiungimento": _("Grado di raggiungimento"),
            "coincidenza_risorse": _("Coincidenza delle risorse"),
            "adeguatezza_risorse": _("Adeguatezza delle risorse"),
            "obiettivo__macro_area__lettera": _("Macro-area"),
        },
        label=_("Ordina per"),
    )

    class Meta:
        model = Valutazione
        fields = ["ambito", "piano", "macro_area", "livello", "obiettivo"]

    def filter_livello(self, queryset, name, value):
        return _livello(queryset, "obiettivo__", value)

    def filter_si_no(self, queryset, name, value):
        return queryset.filter(**{name: value == "si"}) if value else queryset


class SchedaFilterSet(AmbitoFilterSet):
    ambito_field = "piano__ambito"
    piano = django_filters.ModelChoiceFilter(queryset=PianoDiZona.objects.all(), label=_("Piano"))
    coprogettato_ets = django_filters.BooleanFilter(label=_("Co-progettata con il Terzo Settore"))
    coprogrammato_ets = django_filters.BooleanFilter(label=_("Co-programmata con il Terzo Settore"))
    con_progetto = django_filters.BooleanFilter(
        field_name="progetto", lookup_expr="isnull", exclude=True, label=_("Con progetto PNRR")
    )

    class Meta:
        model = Scheda
        fields = ["ambito", "piano", "numero", "obiettivo", "progetto"]
