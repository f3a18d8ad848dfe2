"""Base view mixins: the only place where pages apply scoping and action permissions.

- objects outside `visible_to(user)` answer 404 (ids do not leak);
- objects visible on which `user.has_perm(permission_required, obj)` fails answer 403
  (the rules: each app's rules.py; by default `<app>.modifica_<model>`, i.e. the row
  is in `editable_by(user)`);
- creating asks `has_perm` without an object (by default `<app>.crea_<model>`: the
  Ufficio di Piano of at least one Ambito), else 403;
- every write goes through a service function; its ValidationError is shown next to
  the fields of the form and nothing is saved.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from ambito.rules import perm_name

from . import esportazioni

#: The query parameter of a page's export buttons (?esporta=xlsx, ?esporta=csv).
ESPORTA_PARAM = "esporta"


def dati_filtro(request):
    """The page's GET parameters as its filter form's data, without the export switch
    (so a page and its export bind the form alike), or None when nothing is asked."""
    dati = request.GET.copy()
    dati.pop(ESPORTA_PARAM, None)
    dati.pop("page", None)
    return dati or None


def filtri_applicati(form) -> dict[str, str]:
    """{label: value as shown} of the filters that restrict a page (the "Filtri" sheet)."""
    if form is None or not form.is_bound or not form.is_valid():
        return {}
    applicati = {}
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        if hasattr(value, "__iter__") and not isinstance(value, str):
            testo = ", ".join(str(v) for v in value)
        elif hasattr(field, "choices") and not hasattr(field, "queryset"):
            testo = str(dict(field.choices).get(value, dict(field.choices).get(str(value), value)))
        elif isinstance(value, bool):
            testo = str(_("Sì") if value else _("No"))
        else:
            testo = str(value)
        applicati[str(field.label or name)] = testo
    return applicati


class EsportaMixin:
    """The page's table as .xlsx or CSV (`?esporta=xlsx|csv`), from the same function
    that gives the page its rows (for a list, `get_queryset()`: same scope, same
    filters, no pagination). Pages implement `get_tabella_esportazione()`, or, for a
    list, `colonne_esportazione` and `riga_esportazione(obj)`."""

    titolo_esportazione = None
    colonne_esportazione: list = []

    def get(self, request, *args, **kwargs):
        formato = request.GET.get(ESPORTA_PARAM)
        if formato in esportazioni.FORMATI_PAGINA:
            self.kwargs = kwargs
            return esportazioni.risposta_esportazione(
                self.get_tabella_esportazione(), formato, user=request.user
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(esportabile=True, **kwargs)

    def riga_esportazione(self, obj) -> list:
        raise NotImplementedError

    def get_tabella_esportazione(self) -> esportazioni.Tabella:
        queryset = self.get_queryset()
        # Chunks of 2.000 rows: flat memory, and prefetches run once per chunk.
        righe = (self.riga_esportazione(o) for o in queryset.iterator(chunk_size=2000))
        filterset = getattr(self, "filterset", None)
        return esportazioni.Tabella(
            titolo=str(self.titolo_esportazione),
            colonne=list(self.colonne_esportazione),
            righe=righe,
            parametri=filtri_applicati(filterset.form if filterset is not None else None),
        )


class ScopedMixin(LoginRequiredMixin):
    """List and detail views: the queryset is what the user may see."""

    model = None

    def get_base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        return self.get_base_queryset().visible_to(self.request.user)


class FilteredListMixin(ScopedMixin):
    """A list view filtered by the app's FilterSet (the same one the API uses)."""

    filterset_class = None

    def get_queryset(self):
        queryset = super().get_queryset()
        self.filterset = self.filterset_class(
            dati_filtro(self.request), queryset=queryset, request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filterset=self.filterset, **kwargs)


class ServiceFormMixin(LoginRequiredMixin):
    """Create/update views whose save is a service function.

    Subclasses implement `perform_save(form)` and return the saved object.
    """

    success_message = _("Dati salvati.")

    def perform_save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.perform_save(form)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


def add_service_error(form, error: ValidationError):
    """A service's ValidationError next to the form's fields (else at the top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ScopedUpdateMixin(ServiceFormMixin):
    model = None
    permission_required = None  # default: "<app>.modifica_<model>"

    def get_object(self, queryset=None):
        return get_editable_or_403(
            self.model, self.request.user, perm=self.permission_required, pk=self.kwargs["pk"]
        )


class ScopedCreateMixin(ServiceFormMixin):
    """Creating a record: `has_perm(permission_required)` (by default
    `<app>.crea_<model>`: the Ufficio di Piano; its form offers only its own Ambiti)."""

    permission_required = None

    def dispatch(self, request, *args, **kwargs):
        perm = self.permission_required or perm_name(self.model, "crea")
        if request.user.is_authenticated and not request.user.has_perm(perm):
            raise PermissionDenied(_("Solo l'Ufficio di Piano può inserire nuovi dati."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


def get_visible_or_404(model, user, **lookup):
    return get_object_or_404(model.objects.visible_to(user), **lookup)


def get_editable_or_403(model, user, *, perm=None, **lookup):
    """The object if the user may act on it; 404 when he cannot see it, else 403.

    `perm` is the rule asked (default `<app>.modifica_<model>`).
    """
    obj = get_visible_or_404(model, user, **lookup)
    check_perm(user, perm or perm_name(model, "modifica"), obj)
    return obj


def check_perm(user, perm, obj=None, message=None):
    """403 unless `user.has_perm(perm, obj)`."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(message or _("Non hai i permessi per modificare questo elemento."))


class ScopedDeleteMixin(LoginRequiredMixin):
    """Deleting a row: a confirmation page (GET), then the service (POST).

    The row must be editable (`<app>.elimina_<model>` by default); a refusal of the
    service (e.g. the row still has values) is shown on the page and nothing changes.
    """

    model = None
    permission_required = None
    template_name = "conferma_elimina.html"
    success_message = _("Eliminato.")

    def get_object(self):
        return get_editable_or_403(
            self.model,
            self.request.user,
            perm=self.permission_required or perm_name(self.model, "elimina"),
            pk=self.kwargs["pk"],
        )

    def perform_delete(self, obj):
        raise NotImplementedError

    def get_success_url(self):
        raise NotImplementedError

    def get_cancel_url(self):
        return self.get_success_url()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        success_url = self.get_success_url()
        try:
            self.perform_delete(self.object)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(errori=error.messages))
        messages.success(request, self.success_message)
        return HttpResponseRedirect(success_url)

    def get_context_data(self, **kwargs):
        return super().get_context_data(object=self.object, annulla=self.get_cancel_url(), **kwargs)
