"""FilterSets of the fondi app: the same classes serve the pages and the API."""

import django_filters
from django.db.models import IntegerField, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField, ModelChoiceIterator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ambito.filtersets import AmbitoFilterSet, AnnoFilter
from ambito.platform.compilate import Compilata

from .choices import EsitoCandidatura, LivelloFonte, StatoProgetto, TipoAtto
from .models import (
    Assegnazione,
    Atto,
    Candidatura,
    FinanziamentoProgetto,
    FonteFinanziamento,
    LineaCandidatura,
    LineaFinanziamento,
    PartecipazioneCandidatura,
    Progetto,
)
from .selectors import data_fine_attuale, linee_discendenti


class _OpzioniDaValori(ModelChoiceIterator):
    """The options of a choice list read as (pk, label) from `values_list`: the same
    <option>s as the model instances give, without building one per option (and
    without the server-side cursor of `QuerySet.iterator()`)."""

    def __iter__(self):
        field = self.field
        if field.empty_label is not None:
            yield ("", field.empty_label)
        if field.null_label is not None:
            yield (field.null_value, field.null_label)
        if field.mie is None:
            righe = self.queryset.values_list("pk", *field.campi_etichetta)
        else:
            righe = field.opzioni(field.mie)
        for pk, *valori in righe:
            yield (pk, field.etichetta(*valori))


class _SceltaDaValori(ModelChoiceField):
    iterator = _OpzioniDaValori

    def __init__(self, *args, campi_etichetta, etichetta, opzioni, mie=None, **kwargs):
        self.campi_etichetta, self.etichetta = campi_etichetta, etichetta
        self.opzioni, self.mie = opzioni, mie
        super().__init__(*args, **kwargs)


class SceltaFondoFilter(django_filters.ModelChoiceFilter):
    """A choice of a funding source or line; the choice list is written from the
    label's fields (`campi_etichetta`, composed by `etichetta` as the model's __str__
    does), the chosen value is still a model instance. For a user of some Ambiti the
    list is read by `opzioni`, compiled: the FilterSet (AmbitoFilterSet) scopes the
    choices with `visible_to`, which is `dei_ambiti` of the user's."""

    field_class = _SceltaDaValori

    def __init__(self, *args, queryset, campi_etichetta, **kwargs):
        compilata = Compilata(
            queryset.model,
            lambda mie: queryset.dei_ambiti(mie).values_list("pk", *campi_etichetta),
        )

        def opzioni(mie):  # a function: copied with the filter, it keeps what it compiled
            return compilata.righe(mie)

        super().__init__(
            *args, queryset=queryset, campi_etichetta=campi_etichetta, opzioni=opzioni, **kwargs
        )

    @property
    def field(self):
        if not hasattr(self, "_field"):
            user = getattr(self.get_request(), "user", None)
            self.extra["mie"] = self.queryset.ambiti_letti(user)
        return super().field


def _fonte_filter(**kwargs):
    return SceltaFondoFilter(
        field_name="linea__fonte",
        queryset=FonteFinanziamento.objects.order_by("ordine", "codice"),
        label=_("Fonte"),
        campi_etichetta=("nome",),
        etichetta=FonteFinanziamento.etichetta,
        **kwargs,
    )


def _linea_filter(label=None):
    return SceltaFondoFilter(
        queryset=LineaFinanziamento.objects.order_by("codice"),
        label=label or _("Linea (con le sottolinee)"),
        method="filter_linea",
        campi_etichetta=("codice", "nome"),
        etichetta=LineaFinanziamento.etichetta,
    )


class AssegnazioneFilterSet(AmbitoFilterSet):
    anno = AnnoFilter(label=_("Anno"))
    livello = django_filters.ChoiceFilter(
        field_name="linea__fonte__livello", choices=LivelloFonte.choices, label=_("Livello")
    )
    fonte = _fonte_filter()
    linea = _linea_filter()

    class Meta:
        model = Assegnazione
        fields = ["ambito", "anno", "livello", "fonte", "linea"]

    def filter_linea(self, queryset, name, value):
        return queryset.filter(linea__in=linee_discendenti(value)) if value else queryset


class ProgettoFilterSet(AmbitoFilterSet):
    q = django_filters.CharFilter(label=_("Cerca (titolo, CUP, codice)"), method="filter_q")
    stato = django_filters.ChoiceFilter(choices=StatoProgetto.choices, label=_("Stato"))
    fonte = _fonte_filter(method="filter_fonte")
    linea = _linea_filter()
    anno = AnnoFilter(label=_("Attivo nell'anno"), method="filter_anno")

    class Meta:
        model = Progetto
        fields = ["q", "ambito", "stato", "fonte", "linea", "anno"]

    def filter_ambito(self, queryset, name, value):
        """Projects of that Ambito as lead OR as partner (subquery: no duplicate rows)."""
        if not value:
            return queryset
        partner = Progetto.ambiti_partner.through.objects.filter(ambito=value)
        return queryset.filter(Q(ambito=value) | Q(pk__in=partner.values("progetto_id")))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(titolo__icontains=value)
            | Q(cup__iexact=value.replace(" ", ""))
            | Q(codice_locale__icontains=value)
        )

    def filter_linea(self, queryset, name, value):
        if not value:
            return queryset
        ids = linee_discendenti(value)
        finanziati = FinanziamentoProgetto.objects.filter(linea__in=ids).values("progetto_id")
        return queryset.filter(Q(linea__in=ids) | Q(pk__in=finanziati))

    def filter_fonte(self, queryset, name, value):
        if not value:
            return queryset
        finanziati = FinanziamentoProgetto.objects.filter(linea__fonte=value).values("progetto_id")
        return queryset.filter(Q(linea__fonte=value) | Q(pk__in=finanziati))

    def filter_anno(self, queryset, name, value):
        """Active in the year: started (or, without a start date, funded) by then and not
        ended before it."""
        if value is None:
            return queryset
        inizio = Coalesce(
            ExtractYear("data_inizio"), "anno_finanziamento", output_field=IntegerField()
        )
        # A project with neither a start date nor a funding year is not known to be
        # active in any year, so it is left out.
        # The end date after the extensions recorded as acts.
        return queryset.alias(anno_inizio=inizio, fine=data_fine_attuale()).filter(
            Q(anno_inizio__lte=value),
            Q(fine__isnull=True) | Q(fine__year__gte=value),
        )


class AttoFilterSet(AmbitoFilterSet):
    tipo = django_filters.ChoiceFilter(choices=TipoAtto.choices, label=_("Tipo di atto"))
    progetto = extend_schema_field(OpenApiTypes.INT)(
        django_filters.ModelChoiceFilter(
            queryset=Progetto.objects.all(), label=_("Progetto"), method="filter_progetto"
        )
    )
    data_dal = django_filters.DateFilter(field_name="data", lookup_expr="gte", label=_("Dal"))
    data_al = django_filters.DateFilter(field_name="data", lookup_expr="lte", label=_("Al"))

    class Meta:
        model = Atto
        fields = ["ambito", "tipo", "progetto", "data_dal", "data_al"]

    def filter_progetto(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(effetti__progetto=value).distinct()


class CandidaturaFilterSet(AmbitoFilterSet):
    q = django_filters.CharFilter(label=_("Cerca (avviso, titolo)"), method="filter_q")
    linea = extend_schema_field(OpenApiTypes.INT)(_linea_filter(label=_("Investimento")))
    esito = django_filters.ChoiceFilter(
        choices=EsitoCandidatura.choices, label=_("Esito di un investimento"), method="filter_esito"
    )

    class Meta:
        model = Candidatura
        fields = ["q", "ambito", "linea", "esito"]

    def filter_ambito(self, queryset, name, value):
        """Candidatures of that Ambito as capofila OR as partner (subquery)."""
        if not value:
            return queryset
        partner = PartecipazioneCandidatura.objects.filter(ambito=value)
        return queryset.filter(Q(ambito=value) | Q(pk__in=partner.values("candidatura_id")))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(avviso__icontains=value) | Q(titolo__icontains=value))

    def filter_linea(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=value.linee_candidatura.values("candidatura_id"))

    def filter_esito(self, queryset, name, value):
        if not value:
            return queryset
        righe = LineaCandidatura.objects.filter(esito=value)
        return queryset.filter(pk__in=righe.values("candidatura_id"))
