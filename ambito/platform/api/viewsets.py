"""Base API viewsets: the one place where the API applies scoping and permissions.

Like the pages: reads are limited to `visible_to(user)` (others answer 404); a write
on a visible row asks `user.has_perm(rule, obj)` (each app's rules.py; by default
`<app>.modifica_<model>`, i.e. the row is in `editable_by(user)`) and answers 403 when
refused; creating asks the "create" rule without an object; every write goes through
a service function whose ValidationError becomes a 400 with field names.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.exceptions import ErrorDetail
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings

from ambito.rules import perm_name

from .errors import PreconditionFailed


def _details(error: DjangoValidationError) -> list[ErrorDetail]:
    return [
        ErrorDetail(str(message), code=e.code or "invalid")
        for e in error.error_list
        for message in e.messages
    ]


def as_api_error(error: DjangoValidationError, fields=None) -> exceptions.ValidationError:
    """A service's Django ValidationError as DRF's 400, keeping the field names and codes.

    With `fields` (the names the request may send) a message about anything else (the
    state of a workflow, a rule of the whole object) names no field.
    """
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({non_field: _details(error)})
    detail: dict = {}
    for field, errors in error.error_dict.items():
        if field == NON_FIELD_ERRORS or (fields is not None and field not in fields):
            field = non_field
        for e in errors:
            detail.setdefault(field, []).extend(_details(e))
    return exceptions.ValidationError(detail)


def writable_fields(serializer) -> set[str]:
    return {name for name, field in serializer.fields.items() if not field.read_only}


def etag_of(obj) -> str | None:
    """The strong entity tag of a row: its `versione` (None for rows without one)."""
    versione = getattr(obj, "versione", None)
    return None if versione is None else f'"{versione}"'


def if_match_allows(header: str, current: str) -> bool:
    """RFC 9110 If-Match with the strong comparison: "*" or one of the listed tags."""
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or current in tags


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
            if self.action in ("update", "partial_update", "destroy"):
                self.check_if_match(obj)
        return obj

    def check_if_match(self, obj):
        """412 when `If-Match` names another version than the stored one. The row is
        locked until the write's transaction ends (`update`/`destroy` hold one), so
        two clients that read the same version cannot both write."""
        header = self.request.headers.get("If-Match")
        if header is None or not hasattr(obj, "versione"):
            return  # no precondition: the write is unconditional (see README)
        versione = (
            type(obj)
            ._base_manager.select_for_update()
            .filter(pk=obj.pk)
            .order_by()  # the model's ordering may join other tables: lock this row only
            .values_list("versione", flat=True)
            .first()
        )
        obj.versione = versione
        if not if_match_allows(header, etag_of(obj)):
            raise PreconditionFailed()

    def retrieve(self, request, *args, **kwargs):
        self.etag_source = self.get_object()
        return Response(self.get_serializer(self.etag_source).data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        source = getattr(self, "etag_source", None)
        if source is not None and 200 <= response.status_code < 300:
            etag = etag_of(source)
            if etag is not None:
                response["ETag"] = etag
        return response


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

    def update(self, request, *args, **kwargs):
        with transaction.atomic():  # the If-Match check's row lock lasts until saved
            return super().update(request, *args, **kwargs)

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer):
        try:
            serializer.instance = self.perform_save(serializer)
        except DjangoValidationError as error:
            raise as_api_error(error, writable_fields(serializer)) from error
        self.etag_source = serializer.instance


class ScopedDestroyMixin:
    """DELETE through `perform_delete(instance)`, a service call; the rule is the
    "destroy" entry of `permission_required` (by default the edit rule)."""

    def perform_delete(self, instance):
        raise NotImplementedError

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            try:
                self.perform_delete(instance)
            except DjangoValidationError as error:
                raise as_api_error(error, fields=()) from error
        return Response(status=status.HTTP_204_NO_CONTENT)
