"""API of the programmi app. Scoping and write permission come from the common base
viewsets; every write is a service call; aggregates come from the selectors."""

from django.db.models import Avg, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from ambito.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet

from .. import models, selectors, services
from ..filtersets import (
    MacroAreaFilterSet,
    ObiettivoFilterSet,
    PianoDiZonaFilterSet,
    SchedaFilterSet,
    ValutazioneFilterSet,
)
from . import serializers


def _assegna(instance, dati):
    for campo, valore in dati.items():
        setattr(instance, campo, valore)
    return instance


class PianoDiZonaViewSet(ScopedModelViewSet):
    """Plans of the visible Ambiti, with the number of schede and their budget total."""

    queryset = models.PianoDiZona.objects.all()
    permission_required = {"create": "programmi.crea_pianodizona"}
    serializer_class = serializers.PianoDiZonaSerializer
    filterset_class = PianoDiZonaFilterSet
    ordering_fields = ["anno_inizio", "stato", "budget_schede"]

    def get_queryset(self):
        return selectors.piani_per_elenco(fetched_by=self.request.user)

    def perform_save(self, serializer):
        dati = dict(serializer.validated_data)
        istanza = serializer.instance
        if istanza is not None and "ambito" in dati and dati["ambito"].pk != istanza.ambito_id:
            raise exceptions.ValidationError(
                {"ambito": ["Un Piano di Zona non può passare a un altro Ambito."]}
            )
        piano = services.piano_save(piano=_assegna(istanza or models.PianoDiZona(), dati))
        return self.get_queryset().get(pk=piano.pk)

    @extend_schema(
        responses=serializers.RiepilogoPianoSerializer,
        description=(
            "Riepilogo del Piano: totale dei budget delle schede, grado medio di "
            "raggiungimento per macro-area e complessivo (calcolati in SQL)."
        ),
    )
    @action(detail=True, methods=["get"])
    def riepilogo(self, request, pk=None):
        piano = self.get_object()
        dati = {
            "piano": piano.pk,
            "periodo": piano.periodo,
            "totale_budget_schede": selectors.totale_budget_schede(piano=piano),
            "media_raggiungimento": selectors.media_raggiungimento(piano=piano),
            "media_raggiungimento_per_macro_area": selectors.media_raggiungimento_per_macro_area(
                piano=piano
            ),
        }
        return Response(serializers.RiepilogoPianoSerializer(dati).data)


class PianoChildViewSet(ScopedModelViewSet):
    """Rows inside a plan: written only in a plan the user may edit, never moved out."""

    campo_piano = "piano"

    def _piano_di(self, dati):
        return dati.get(self.campo_piano)

    def perform_create(self, serializer):
        piano = self._piano_di(serializer.validated_data)
        if piano is not None:
            self.check_perm("programmi.modifica_pianodizona", piano)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        nuovo = serializer.validated_data.get(self.campo_piano)
        if nuovo is not None and nuovo.pk != getattr(serializer.instance, f"{self.campo_piano}_id"):
            raise exceptions.ValidationError(
                {self.campo_piano: ["Non si può spostare in un altro Piano di Zona."]}
            )
        super().perform_update(serializer)


class MacroAreaViewSet(PianoChildViewSet):
    queryset = models.MacroArea.objects.select_related("piano")
    permission_required = {"create": "programmi.crea_macroarea"}
    serializer_class = serializers.MacroAreaSerializer
    filterset_class = MacroAreaFilterSet
    ordering_fields = ["lettera", "nome"]
    ordering = ["piano", "lettera"]

    def perform_save(self, serializer):
        istanza = _assegna(serializer.instance or models.MacroArea(), serializer.validated_data)
        return services.macro_area_save(macro_area=istanza)


class ObiettivoViewSet(PianoChildViewSet):
    queryset = models.Obiettivo.objects.select_related("piano", "macro_area", "parent")
    permission_required = {"create": "programmi.crea_obiettivo"}
    serializer_class = serializers.ObiettivoSerializer
    filterset_class = ObiettivoFilterSet
    ordering_fields = ["ordinamento", "titolo"]
    ordering = ["piano", "ordinamento"]

    def perform_save(self, serializer):
        istanza = _assegna(serializer.instance or models.Obiettivo(), serializer.validated_data)
        return services.obiettivo_save(obiettivo=istanza)


class ValutazioneViewSet(ScopedModelViewSet):
    """Evaluations of objectives (Piano § 1.2). Filters and ordering are the ones of the
    evaluation page (e.g. `?coincidenza_max=-1`: resources spent under 100%)."""

    queryset = models.Valutazione.objects.all()
    permission_required = {"create": "programmi.crea_valutazione"}
    serializer_class = serializers.ValutazioneSerializer
    filterset_class = ValutazioneFilterSet
    ordering_fields = ["grado_raggiungimento", "coincidenza_risorse", "obiettivo__ordinamento"]
    ordering = ["obiettivo__piano", "obiettivo__ordinamento"]

    def get_queryset(self):
        return selectors.valutazioni_per_elenco(fetched_by=self.request.user)

    def perform_create(self, serializer):
        self.check_perm("programmi.modifica_obiettivo", serializer.validated_data["obiettivo"])
        super().perform_create(serializer)

    def perform_update(self, serializer):
        nuovo = serializer.validated_data.get("obiettivo")
        if nuovo is not None and nuovo.pk != serializer.instance.obiettivo_id:
            raise exceptions.ValidationError(
                {"obiettivo": ["La valutazione non può passare a un altro obiettivo."]}
            )
        super().perform_update(serializer)

    def perform_save(self, serializer):
        istanza = _assegna(serializer.instance or models.Valutazione(), serializer.validated_data)
        valutazione = services.valutazione_save(valutazione=istanza)
        return self.get_queryset().get(pk=valutazione.pk)


class SchedaViewSet(PianoChildViewSet):
    """Schede of the innovative objectives with their ordered lists (goals, actions,
    targets, staff, policy areas, key points) as arrays of strings in order."""

    queryset = models.Scheda.objects.all()
    permission_required = {"create": "programmi.crea_scheda"}
    serializer_class = serializers.SchedaSerializer
    filterset_class = SchedaFilterSet
    ordering_fields = ["numero", "budget"]
    ordering = ["piano", "numero"]

    def get_queryset(self):
        return selectors.schede_per_elenco(fetched_by=self.request.user)

    def perform_save(self, serializer):
        dati = dict(serializer.validated_data)
        voci = dati.pop("elenchi", None)
        servizi = dati.pop("servizi", None)
        istanza = _assegna(serializer.instance or models.Scheda(), dati)
        scheda = services.scheda_save(scheda=istanza, servizi=servizi, voci=voci)
        return self.get_queryset().get(pk=scheda.pk)


class ProgettoPremialeViewSet(ScopedReadOnlyViewSet):
    """Premial projects of a past plan (Piano § 1.1) with their activity lines."""

    queryset = models.ProgettoPremiale.objects.all()
    serializer_class = serializers.ProgettoPremialeSerializer
    filterset_fields = ["piano"]
    ordering_fields = ["numero"]
    ordering = ["piano", "numero"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(media_completamento=Avg("attivita__percentuale"))
            .prefetch_related(
                Prefetch("attivita", queryset=models.AttivitaPremiale.objects.order_by("ordine"))
            )
        )
