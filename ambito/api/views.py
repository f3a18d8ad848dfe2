"""The territory's API: Ambiti, Comuni, population, Enti."""

from django.urls import URLResolver, reverse
from django.urls.resolvers import RoutePattern
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from ..filtersets import ComuneFilterSet, DatiDemograficiFilterSet, EnteFilterSet
from ..models import Ambito, Comune, DatiDemografici, Ente
from ..platform.api.viewsets import ScopedReadOnlyViewSet
from . import serializers


class AmbitoViewSet(ScopedReadOnlyViewSet):
    queryset = Ambito.objects.select_related("ente_capofila")
    serializer_class = serializers.AmbitoSerializer
    ordering_fields = ["nome", "codice"]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "anno", OpenApiTypes.INT, description="Anno della popolazione di riferimento."
            )
        ],
        responses=serializers.AmbitoTotaliSerializer,
    )
    @action(detail=True, url_path="totali", filter_backends=[], pagination_class=None)
    def totali(self, request, pk=None):
        """The Ambito's population by year and the one that stands for `anno`: the
        figures of the home page, the territory page and the dashboard. Operators see
        them too (Ambito aggregates, not other Comuni's rows)."""
        ambito = self.get_object()
        richiesta = serializers.AnnoSerializer(data=request.query_params)
        richiesta.is_valid(raise_exception=True)
        per_anno = selectors.popolazione_totale_per_anno(ambito=ambito)
        riferimento = selectors.popolazione_di_riferimento(
            ambito=ambito, anno=richiesta.validated_data.get("anno")
        )
        dati = {
            "ambito": ambito.pk,
            "popolazione_per_anno": [
                {"anno": a, "residenti": residenti} for a, residenti in sorted(per_anno.items())
            ],
            "popolazione_di_riferimento": riferimento,
        }
        return Response(serializers.AmbitoTotaliSerializer(dati).data)


class ComuneViewSet(ScopedReadOnlyViewSet):
    queryset = Comune.objects.all()  # the serializer shows the Ambito's id only
    serializer_class = serializers.ComuneSerializer
    filterset_class = ComuneFilterSet
    ordering_fields = ["nome", "codice_istat"]


class DatiDemograficiViewSet(ScopedReadOnlyViewSet):
    queryset = DatiDemografici.objects.select_related("comune")
    serializer_class = serializers.DatiDemograficiSerializer
    filterset_class = DatiDemograficiFilterSet
    ordering_fields = ["anno", "comune__nome"]


class EnteViewSet(ScopedReadOnlyViewSet):
    queryset = Ente.objects.select_related("ambito", "comune")
    serializer_class = serializers.EnteSerializer
    filterset_class = EnteFilterSet
    ordering_fields = ["nome", "tipo"]


def _elenchi(patterns, prefix=""):
    """The routes of the API that list something: the routers' collections (named
    "<model>-list") and the summaries declared with `path()`; no detail, no action."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _elenchi(pattern.url_patterns, route)
        elif route and (
            (pattern.name or "").endswith("-list") or isinstance(pattern.pattern, RoutePattern)
        ):
            yield route


class RadiceApiView(APIView):
    """The API root: its version, schema and every resource and summary it offers."""

    @extend_schema(responses=serializers.RadiceApiSerializer)
    def get(self, request):
        from . import urls

        risorse = sorted(dict.fromkeys(_elenchi(urls.urlpatterns)))
        dati = {
            "versione": "v1",
            "schema": request.build_absolute_uri(reverse("schema")),
            "documentazione": request.build_absolute_uri(reverse("api_docs")),
            "risorse": [
                {"nome": r.rstrip("/"), "url": request.build_absolute_uri(f"{request.path}{r}")}
                for r in risorse
            ],
        }
        return Response(serializers.RadiceApiSerializer(dati).data)
