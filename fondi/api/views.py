"""API of the fondi app. Scoping and write permission come from the common base
viewsets; every write is a service call; aggregates come from the selectors."""

from collections import defaultdict

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.decorators import action
from rest_framework.response import Response

from ambito.filtersets import SCHEMA_ANNO, AnnoFilter
from ambito.platform.api.filters import ha_filtri
from ambito.platform.api.righe import elenchi_per_ambito
from ambito.platform.api.viewsets import ScopedDestroyMixin, ScopedModelViewSet, as_api_error
from ambito.platform.cache import FONDI

from .. import models, selectors, services
from ..filtersets import (
    AssegnazioneFilterSet,
    AttoFilterSet,
    CandidaturaFilterSet,
    ProgettoFilterSet,
)
from . import serializers


class FonteFinanziamentoViewSet(ScopedModelViewSet):
    """Funding sources: the national reference tree (no `ambito`, read by everyone,
    changed only by the superuser) and the own funds of an Ambito (read by it and its
    partners, written by its Ufficio di Piano)."""

    queryset = models.FonteFinanziamento.objects.order_by("ordine", "codice")
    permission_required = {"create": "fondi.crea_fontefinanziamento"}
    serializer_class = serializers.FonteFinanziamentoSerializer
    filterset_fields = ["livello", "codice", "ambito"]
    ordering_fields = ["ordine", "codice", "nome"]

    def perform_save(self, serializer):
        fonte = serializer.instance or models.FonteFinanziamento()
        for campo, valore in serializer.validated_data.items():
            setattr(fonte, campo, valore)
        return services.fonte_save(fonte=fonte)


class LineaFinanziamentoViewSet(ScopedModelViewSet):
    """Funding lines: national, or of an Ambito's own source (the line takes the
    source's Ambito)."""

    queryset = models.LineaFinanziamento.objects.select_related("fonte", "parent").order_by(
        "codice"
    )
    permission_required = {"create": "fondi.crea_lineafinanziamento"}
    serializer_class = serializers.LineaFinanziamentoSerializer
    filterset_fields = ["fonte", "parent", "codice", "ambito"]
    ordering_fields = ["codice", "nome"]

    def perform_save(self, serializer):
        linea = serializer.instance or models.LineaFinanziamento()
        for campo, valore in serializer.validated_data.items():
            setattr(linea, campo, valore)
        return services.linea_save(linea=linea)


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
        return selectors.progetti_per_api(fetched_by=self.request.user)

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


class CandidaturaViewSet(ScopedModelViewSet):
    """Candidatures to a notice with their totals: the one computed from the amounts
    per investment, the decree's printed total and their difference. Visible to the
    capofila and the partner Ambiti; written by the capofila's Ufficio di Piano."""

    queryset = models.Candidatura.objects.all()
    permission_required = {"create": "fondi.crea_candidatura"}
    serializer_class = serializers.CandidaturaSerializer
    filterset_class = CandidaturaFilterSet
    ordering_fields = ["titolo", "data_presentazione", "totale_decreto"]
    ordering = ["-data_presentazione", "titolo", "pk"]

    def get_queryset(self):
        return selectors.candidature_per_elenco(fetched_by=self.request.user)

    def perform_save(self, serializer):
        candidatura = serializer.instance or models.Candidatura()
        for campo, valore in serializer.validated_data.items():
            setattr(candidatura, campo, valore)
        candidatura = services.candidatura_save(candidatura=candidatura)
        return self.get_queryset().get(pk=candidatura.pk)  # with its totals

    @extend_schema(
        responses=serializers.CandidaturaTotaliSerializer,
        description="Totali della candidatura: per investimento, per fonte e per Ambito.",
    )
    @action(detail=True, methods=["get"])
    def totali(self, request, pk=None):
        candidatura = self.get_object()
        user = request.user
        dati = {
            "candidatura": candidatura,
            "linee": selectors.candidatura_linee(fetched_by=user, candidatura=candidatura),
            "per_fonte": selectors.candidatura_per_fonte(fetched_by=user, candidatura=candidatura),
            "per_ambito": selectors.candidatura_per_ambito(
                fetched_by=user, candidatura=candidatura
            ),
        }
        return Response(serializers.CandidaturaTotaliSerializer(dati).data)


class CandidaturaChildViewSet(ScopedDestroyMixin, ScopedModelViewSet):
    """Rows of a candidature: written only on a candidature the user may edit."""

    def perform_create(self, serializer):
        self.check_perm("fondi.modifica_candidatura", serializer.validated_data["candidatura"])
        super().perform_create(serializer)

    def perform_update(self, serializer):
        nuova = serializer.validated_data.get("candidatura")
        if nuova is not None and nuova.pk != serializer.instance.candidatura_id:
            self.check_perm("fondi.modifica_candidatura", nuova)
        super().perform_update(serializer)

    def _instance(self, serializer):
        obj = serializer.instance or self.queryset.model()
        for campo, valore in serializer.validated_data.items():
            setattr(obj, campo, valore)
        return obj


class PartecipazioneCandidaturaViewSet(CandidaturaChildViewSet):
    queryset = models.PartecipazioneCandidatura.objects.select_related("ambito")
    serializer_class = serializers.PartecipazioneCandidaturaSerializer
    filterset_fields = ["candidatura", "ambito"]
    ordering_fields = ["quota"]
    ordering = ["candidatura", "ambito__nome"]

    def perform_save(self, serializer):
        return services.partecipazione_save(partecipazione=self._instance(serializer))

    def perform_delete(self, instance):
        services.partecipazione_delete(partecipazione=instance)


class LineaCandidaturaViewSet(CandidaturaChildViewSet):
    queryset = models.LineaCandidatura.objects.select_related("linea__fonte", "progetto")
    serializer_class = serializers.LineaCandidaturaSerializer
    filterset_fields = ["candidatura", "linea", "esito", "progetto"]
    ordering_fields = ["importo", "linea__codice"]
    ordering = ["candidatura", "linea__codice"]

    def perform_save(self, serializer):
        return services.linea_candidatura_save(riga=self._instance(serializer))

    def perform_delete(self, instance):
        services.linea_candidatura_delete(riga=instance)


class PartnerProgettoViewSet(ScopedDestroyMixin, ProgettoChildViewSet):
    """Bodies that are not Ambiti (ASST, housing company, association, Comune) in a
    project, with their role and amount or share."""

    queryset = models.PartnerProgetto.objects.select_related("ente", "progetto")
    serializer_class = serializers.PartnerProgettoSerializer
    filterset_fields = ["progetto", "ente", "ruolo"]
    ordering_fields = ["ruolo", "importo", "quota"]
    ordering = ["progetto", "ruolo", "ente__nome"]

    def perform_save(self, serializer):
        return services.partner_progetto_save(partner=self._instance(serializer))

    def perform_delete(self, instance):
        services.partner_progetto_delete(partner=instance)


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
        if ha_filtri(request):
            assegnazioni = _filtra(AssegnazioneFilterSet, request, self.get_queryset())
            dati = selectors.fondi_totali(fetched_by=user, assegnazioni=assegnazioni)
            return Response(self.get_serializer(dati).data)
        ambiti = selectors.ambiti_dei_totali(fetched_by=user)
        if ambiti is None:
            dati = selectors.fondi_totali(fetched_by=user)
            return Response(self.get_serializer(dati).data)

        def calcola(ids):
            # Each Ambito's rows apart, cached as JSON: a Regione's ~90 Ambiti are 7.000
            # rows to serialize again at every request.
            per_ambito = defaultdict(lambda: defaultdict(list))
            for elenco, righe in selectors.fondi_totali_degli_ambiti(ids).items():
                for riga in righe:
                    per_ambito[riga["ambito"]][elenco].append(riga)
            return per_ambito

        return elenchi_per_ambito(
            request, "api:fondi-totali", ambiti, calcola, self.serializer_class, sezioni=[FONDI]
        )


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
        progetti = None  # unfiltered: the selector may run its queries compiled
        if ha_filtri(request):
            progetti = _filtra(ProgettoFilterSet, request, self.get_queryset())
        riepilogo = selectors.progetti_riepilogo(fetched_by=request.user, progetti=progetti)
        return Response(self.get_serializer(riepilogo).data)
