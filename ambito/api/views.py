"""Base API viewsets: the one place where the API applies scoping and permissions.

Like the pages: reads are limited to `visible_to(user)` (others answer 404); a write
on a visible row asks `user.has_perm(rule, obj)` (each app's rules.py; by default
`<app>.modifica_<model>`, i.e. the row is in `editable_by(user)`) and answers 403 when
refused; creating asks the "create" rule without an object; every write goes through
a service function whose ValidationError becomes a 400 with field names.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .. import selectors
from ..filtersets import ComuneFilterSet, DatiDemograficiFilterSet, EnteFilterSet
from ..models import Ambito, Comune, DatiDemografici, Ente
from ..rules import perm_name
from . import serializers


def as_api_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's Django ValidationError as DRF's 400, keeping the field names."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                "non_field_errors" if field == "__all__" else field: [
                    str(m) for e in errs for m in e.messages
                ]
                for field, errs in error.error_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


MSG_SOLO_UDP = "Solo l'Ufficio di Piano può inserire nuovi dati."
MSG_NON_MODIFICABILE = "Non hai i permessi per modificare questo elemento."


class ScopedViewSetMixin:
    queryset = None
    #: The rule of each write action, e.g. {"chiudi": "indicatori.chiude_periodo"}.
    #: "create" is asked without an object (none by default: the serializer's choices
    #: and the service decide where a row may go); any other write on its object
    #: (by default `<app>.modifica_<model>`, i.e. the row is in `editable_by(user)`).
    permission_required: dict = {}

    def permission_for(self, action):
        if action in self.permission_required or action == "create":
            return self.permission_required.get(action)
        return perm_name(self.queryset.model, "modifica")

    def check_perm(self, perm, obj=None, message=MSG_NON_MODIFICABILE):
        """403 unless `user.has_perm(perm, obj)`."""
        if not self.request.user.has_perm(perm, obj):
            raise exceptions.PermissionDenied(message)

    def get_queryset(self):
        return self.queryset.all().visible_to(self.request.user)

    def paginate_queryset(self, queryset):
        # A CSV download is the whole current filter, not one page.
        if getattr(self.request, "accepted_renderer", None) and (
            self.request.accepted_renderer.format == "csv"
        ):
            return None
        return super().paginate_queryset(queryset)

    def get_object(self):
        obj = super().get_object()  # 404 when not visible
        if self.request.method not in SAFE_METHODS:
            self.check_perm(self.permission_for(self.action), obj)
        return obj


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Create and update through `perform_save(serializer)`, a service call."""

    def perform_save(self, serializer):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        perm = self.permission_for("create")
        if perm is not None:
            self.check_perm(perm, message=MSG_SOLO_UDP)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        try:
            serializer.instance = self.perform_save(serializer)
        except DjangoValidationError as error:
            raise as_api_error(error) from error


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
