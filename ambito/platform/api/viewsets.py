"""Base API viewsets: the one place where the API applies scoping and permissions.

Like the pages: reads are limited to `visible_to(user)` (others answer 404); a write
on a visible row asks `user.has_perm(rule, obj)` (each app's rules.py; by default
`<app>.modifica_<model>`, i.e. the row is in `editable_by(user)`) and answers 403 when
refused; creating asks the "create" rule without an object; every write goes through
a service function whose ValidationError becomes a 400 with field names.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, mixins, viewsets
from rest_framework.permissions import SAFE_METHODS

from ambito.rules import perm_name


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
