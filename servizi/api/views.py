"""API of the servizi app: catalogue, yearly figures, calls, unità d'offerta (written
by the Ufficio di Piano through the same service as the pages) and the aggregates of
the summary page (counts and places by area and type, places per 1.000 residents)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, viewsets
from rest_framework.response import Response

from ambito.filtersets import SCHEMA_ANNO
from ambito.platform.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from ambito.selectors import ambito_scelto

from .. import selectors, services
from ..filtersets import (
    AvvisoFilterSet,
    DatoAnnualeFilterSet,
    ServizioFilterSet,
    UnitaOffertaFilterSet,
)
from ..forms import PostiPerMilleForm
from ..models import AreaIntervento, Avviso, DatoAnnuale, Servizio, TipoUnitaOfferta, UnitaOfferta
from . import serializers


class AreaInterventoViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas of intervention: reference data, readable by every signed-in user."""

    queryset = AreaIntervento.objects.all()
    serializer_class = serializers.AreaInterventoSerializer
    pagination_class = None


class TipoUnitaOffertaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TipoUnitaOfferta.objects.all()
    serializer_class = serializers.TipoUnitaOffertaSerializer
    filterset_fields = ["area", "natura"]
    pagination_class = None


class ServizioViewSet(ScopedReadOnlyViewSet):
    queryset = Servizio.objects.all()
    serializer_class = serializers.ServizioSerializer
    filterset_class = ServizioFilterSet
    ordering_fields = ["nome", "area__ordine", "tipo", "stato"]
    ordering = ["area__ordine", "nome"]

    def get_queryset(self):
        return selectors.servizi_per_elenco(fetched_by=self.request.user)


class DatoAnnualeViewSet(ScopedReadOnlyViewSet):
    """Yearly figures of the services, one row per year, Comune and category."""

    queryset = DatoAnnuale.objects.select_related("grandezza__servizio", "comune")
    serializer_class = serializers.DatoAnnualeSerializer
    filterset_class = DatoAnnualeFilterSet
    ordering_fields = ["anno", "valore"]
    ordering = ["grandezza__servizio__nome", "grandezza__ordine", "anno", "pk"]


class AvvisoViewSet(ScopedReadOnlyViewSet):
    """Public calls of the measures, with resources summed from their quote."""

    queryset = Avviso.objects.all()
    serializer_class = serializers.AvvisoSerializer
    filterset_class = AvvisoFilterSet
    ordering_fields = ["numero", "data_apertura"]
    ordering = ["servizio__nome", "numero"]

    def get_queryset(self):
        return selectors.avvisi_con_risorse(fetched_by=self.request.user)


class UnitaOffertaViewSet(ScopedModelViewSet):
    permission_required = {"create": "servizi.crea_unitaofferta"}
    queryset = UnitaOfferta.objects.select_related("tipo", "comune")
    serializer_class = serializers.UnitaOffertaSerializer
    filterset_class = UnitaOffertaFilterSet
    ordering_fields = ["nome", "posti", "comune__nome", "tipo__ordine"]
    ordering = ["tipo__ordine", "comune__nome", "nome", "pk"]

    def perform_save(self, serializer):
        unita = serializer.instance or UnitaOfferta()
        for campo, valore in serializer.validated_data.items():
            setattr(unita, campo, valore)
        return services.unita_save(unita=unita)


AMBITO = OpenApiParameter("ambito", OpenApiTypes.INT, description="Id dell'Ambito.")


def _testo(decimale):
    """Rates as strings with two decimals, like every decimal of the API."""
    return None if decimale is None else str(decimale)


class RiepilogoUnitaView(generics.GenericAPIView):
    """Counts (public, private, not stated) and places of the unità d'offerta by nature,
    area and type, as on the summary page; the list filters apply."""

    queryset = UnitaOfferta.objects.all()
    filterset_class = UnitaOffertaFilterSet
    pagination_class = None

    @extend_schema(
        responses=serializers.RiepilogoUnitaSerializer,
        description="Riepilogo a dimensione fissa, non paginato.",
    )
    def get(self, request):
        unita = self.filter_queryset(UnitaOfferta.objects.visible_to(request.user))
        riepilogo = selectors.riepilogo_unita(fetched_by=request.user, unita=unita)
        righe = [
            {
                "natura": natura["natura"],
                "area": area.area,
                "tipo": t["tipo_id"],
                "tipo_nome": t["tipo__nome"],
                **{campo: t[campo] or 0 for campo in selectors.CAMPI},
            }
            for natura in riepilogo["nature"]
            for area in natura["aree"]
            for t in area.tipi
        ]
        return Response({"righe": righe, "totale": riepilogo["totale"]})


class PostiPerMilleView(generics.GenericAPIView):
    """Places of the unità d'offerta by Comune and area, and places per 1.000 residents
    (population of `anno`, default the latest year available)."""

    queryset = UnitaOfferta.objects.all()
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[AMBITO, OpenApiParameter("anno", SCHEMA_ANNO)],
        responses=serializers.PostiPerMilleSerializer,
        description="Riepilogo a dimensione fissa, non paginato: una riga per Comune.",
    )
    def get(self, request):
        form = PostiPerMilleForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        ambito = ambito_scelto(fetched_by=request.user, pk=request.query_params.get("ambito"))
        if ambito is None:
            return Response({"anno": None, "comuni": [], "ambito": None})
        dati = selectors.posti_per_comune(
            fetched_by=request.user, ambito=ambito, anno=form.cleaned_data["anno"]
        )
        aree = [codice for codice, _nome in dati["aree"]]
        return Response(
            {
                "anno": dati["anno"],
                "comuni": [
                    {
                        "comune": riga["comune"].pk,
                        "comune_nome": riga["comune"].nome,
                        "posti_per_area": dict(zip(aree, riga["per_area"], strict=True)),
                        "posti": riga["posti"],
                        "residenti": riga["residenti"],
                        "posti_per_mille": _testo(riga["per_mille"]),
                    }
                    for riga in dati["righe"]
                ],
                "ambito": {
                    "id": ambito.pk,
                    "posti_per_area": dict(zip(aree, dati["totale"]["per_area"], strict=True)),
                    "posti": dati["totale"]["posti"],
                    "residenti": dati["totale"]["residenti"],
                    "posti_per_mille": _testo(dati["totale"]["per_mille"]),
                },
            }
        )
