"""Base API viewsets: the one place where the API applies scoping.

Like the pages: reads are limited to `visible_to(user)` (others answer 404), writes
to `editable_by(user)` (visible but not editable answers 403), and every write goes
through a service function whose ValidationError becomes a 400 with field names.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, mixins, viewsets
from rest_framework.permissions import SAFE_METHODS

from ..filtersets import ComuneFilterSet, DatiDemograficiFilterSet, EnteFilterSet
from ..models import Ambito, Comune, DatiDemografici, Ente
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


class ScopedViewSetMixin:
    queryset = None

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
            editable = self.queryset.model.objects.editable_by(self.request.user)
            if not editable.filter(pk=obj.pk).exists():
                raise exceptions.PermissionDenied(
                    "Non hai i permessi per modificare questo elemento."
                )
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
