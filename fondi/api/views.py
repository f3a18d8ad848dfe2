"""API of the fondi app. Scoping and write permission come from the common base
viewsets; every write is a service call; aggregates come from the selectors."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ambito.filtersets import SCHEMA_ANNO, AnnoFilter
from ambito.platform.api.filters import ha_filtri
from ambito.platform.api.viewsets import ScopedDestroyMixin, ScopedModelViewSet, as_api_error

from .. import models, selectors, services
from ..filtersets import AssegnazioneFilterSet, AttoFilterSet, ProgettoFilterSet
from . import serializers


class FonteFinanziamentoViewSet(viewsets.ReadOnlyModelViewSet):
    """Funding sources: national reference data, readable by every signed-in user."""

    queryset = models.FonteFinanziamento.objects.order_by("ordine", "codice")
    serializer_class = serializers.FonteFinanziamentoSerializer
    filterset_fields = ["livello", "codice"]
    ordering_fields = ["ordine", "codice", "nome"]


class LineaFinanziamentoViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = models.LineaFinanziamento.objects.select_related("fonte", "parent").order_by(
        "codice"
    )
    serializer_class = serializers.LineaFinanziamentoSerializer
    filterset_fields = ["fonte", "parent", "codice"]
    ordering_fields = ["codice", "nome"]


class AssegnazioneViewSet(ScopedModelViewSet):
    queryset = models.Assegnazione.objects.select_related("ambito", "linea__fonte")
    permission_required = {"create": "fondi.crea_assegnazione"}
    serializer_class = serializers.AssegnazioneSerializer
    filterset_class = AssegnazioneFilterSet
    ordering_fields = ["anno", "importo", "linea__codice"]
    ordering = ["-anno", "linea__fonte__ordine", "linea__codice"]

    def perform_save(self, serializer):
        assegnazione = serializer.instance or models.Assegnazione()
        for campo, valore in serializer.validated_data.items():
            setattr(assegnazione, campo, valore)
        return services.assegnazione_save(assegnazione=assegnazione)


class ProgettoViewSet(ScopedDestroyMixin, ScopedModelViewSet):
    """Projects with their amounts per line and latest financial progress. Visible to
    the lead and the partner Ambiti; written (and deleted, while no financial progress
    is recorded) by the lead's Ufficio di Piano."""

    queryset = models.Progetto.objects.all()
    permission_required = {
        "create": "fondi.crea_progetto",
        "cambia_stato": "fondi.modifica_progetto",
    }
    serializer_class = serializers.ProgettoSerializer
    filterset_class = ProgettoFilterSet
    ordering_fields = ["titolo", "cup", "data_fine", "data_scadenza", "stato"]
    ordering = ["titolo", "pk"]

    def get_queryset(self):
        return selectors.progetti_per_elenco(fetched_by=self.request.user)

    def perform_save(self, serializer):
        dati = dict(serializer.validated_data)
        relazioni = {k: dati.pop(k) for k in ("ambiti_partner", "comuni") if k in dati}
        progetto = serializer.instance or models.Progetto()
        for campo, valore in dati.items():
            setattr(progetto, campo, valore)
        if serializer.instance is None:
            progetto = services.progetto_create(progetto=progetto, **relazioni)
        else:
            progetto = services.progetto_update(progetto=progetto, **relazioni)
        # Answer with the annotated row (amounts and latest progress).
        return self.get_queryset().get(pk=progetto.pk)

    def perform_delete(self, instance):
        services.progetto_delete(progetto=instance)

    @extend_schema(
        request=serializers.CambioStatoSerializer,
        responses=serializers.ProgettoSerializer,
        description="Cambia lo stato del progetto, se il passaggio è consentito.",
    )
    @action(detail=True, methods=["post"], url_path="cambia-stato")
    def cambia_stato(self, request, pk=None):
        progetto = self.get_object()  # 404 outside scope, 403 when not editable
        richiesta = serializers.CambioStatoSerializer(data=request.data)
        richiesta.is_valid(raise_exception=True)
        try:
            services.progetto_transition(progetto=progetto, stato=richiesta.validated_data["stato"])
        except DjangoValidationError as error:
            raise as_api_error(error, richiesta.fields) from error
        aggiornato = self.get_queryset().get(pk=progetto.pk)
        return Response(self.get_serializer(aggiornato).data)


class ProgettoChildViewSet(ScopedModelViewSet):
    """Amounts and snapshots of a project: created only on a project the user may edit
    (its lead Ambito's Ufficio di Piano)."""

    def perform_create(self, serializer):
        progetto = serializer.validated_data["progetto"]  # already limited to visible ones
        self.check_perm("fondi.modifica_progetto", progetto)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        nuovo = serializer.validated_data.get("progetto")
        if nuovo is not None and nuovo.pk != serializer.instance.progetto_id:
            self.check_perm("fondi.modifica_progetto", nuovo)
        super().perform_update(serializer)

    def _instance(self, serializer):
        obj = serializer.instance or self.queryset.model()
        for campo, valore in serializer.validated_data.items():
            setattr(obj, campo, valore)
        return obj


class FinanziamentoProgettoViewSet(ProgettoChildViewSet):
    queryset = models.FinanziamentoProgetto.objects.select_related("linea__fonte", "progetto")
    serializer_class = serializers.FinanziamentoProgettoSerializer
    filterset_fields = ["progetto", "linea"]
    ordering_fields = ["importo", "linea__codice"]
    ordering = ["progetto", "linea__fonte__ordine", "linea__codice"]

    def perform_save(self, serializer):
        return services.finanziamento_save(finanziamento=self._instance(serializer))


class AvanzamentoFinanziarioViewSet(ProgettoChildViewSet):
    queryset = models.AvanzamentoFinanziario.objects.select_related("progetto")
    serializer_class = serializers.AvanzamentoFinanziarioSerializer
    filterset_fields = ["progetto", "data"]
    ordering_fields = ["data", "erogato"]
    ordering = ["progetto", "-data", "-pk"]

    def perform_save(self, serializer):
        return services.avanzamento_save(avanzamento=self._instance(serializer))


class AttoViewSet(ScopedModelViewSet):
    """Acts on projects (admission, extension, top-up, revocation). One act may apply
    to several projects of the Ambito, each with its own amount and new end date;
    the amounts become funding rows of the projects, counted once."""

    queryset = models.Atto.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    permission_required = {"create": "fondi.crea_atto"}
    serializer_class = serializers.AttoSerializer
    filterset_class = AttoFilterSet
    ordering_fields = ["data", "tipo"]
    ordering = ["-data", "-pk"]

    def get_queryset(self):
        return selectors.atti_per_elenco(fetched_by=self.request.user)

    def perform_save(self, serializer):
        dati = dict(serializer.validated_data)
        effetti = dati.pop("effetti", [])
        # Only projects the user may edit are accepted by the serializer.
        atto = services.atto_register(
            atto=models.Atto(**dati), effetti=effetti, raggruppa_errori=True
        )
        return self.get_queryset().get(pk=atto.pk)


def _parametri(filterset_class):
    """The FilterSet's filters as documented query parameters of an aggregate."""
    return [
        OpenApiParameter(nome, _tipo(filtro), description=str(filtro.label or nome))
        for nome, filtro in filterset_class.base_filters.items()
    ]


def _tipo(filtro):
    if isinstance(filtro, AnnoFilter):
        return SCHEMA_ANNO
    if isinstance(filtro, django_filters.NumberFilter | django_filters.ModelChoiceFilter):
        return OpenApiTypes.INT
    return OpenApiTypes.STR


def _filtra(filterset_class, request, queryset):
    if not ha_filtri(request):
        return queryset
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise exceptions.ValidationError(filterset.errors)
    return filterset.qs


class FondiTotaliView(generics.GenericAPIView):
    """Funds per year: totals by Ambito and year (with the total printed in the Piano,
    when known, the difference and the change over the previous year), by source level,
    by source and by line. Accepts the same filters as /assegnazioni/."""

    serializer_class = serializers.FondiTotaliSerializer
    filterset_class = AssegnazioneFilterSet
    pagination_class = None

    def get_queryset(self):
        # Not scoped here: the selectors scope the rows themselves (fetched_by), so each
        # of their queries writes the visibility condition once, not twice.
        return models.Assegnazione.objects.all()

    def filter_queryset(self, queryset):
        return queryset  # filtered explicitly in get(), shared with the selectors

    @extend_schema(parameters=_parametri(AssegnazioneFilterSet))
    def get(self, request):
        user = request.user
        assegnazioni = _filtra(AssegnazioneFilterSet, request, self.get_queryset())
        dati = selectors.fondi_totali(fetched_by=user, assegnazioni=assegnazioni)
        return Response(self.get_serializer(dati).data)


class ProgettiAvanzamentoView(generics.GenericAPIView):
    """Financial progress over the projects: number per state, amount granted per
    source, sums of the latest snapshots and % paid. Same filters as /progetti/."""

    serializer_class = serializers.ProgettiAvanzamentoSerializer
    filterset_class = ProgettoFilterSet
    pagination_class = None

    def get_queryset(self):
        return models.Progetto.objects.all()  # scoped by the selector, as above

    def filter_queryset(self, queryset):
        return queryset

    @extend_schema(parameters=_parametri(ProgettoFilterSet))
    def get(self, request):
        progetti = _filtra(ProgettoFilterSet, request, self.get_queryset())
        riepilogo = selectors.progetti_riepilogo(fetched_by=request.user, progetti=progetti)
        return Response(self.get_serializer(riepilogo).data)
