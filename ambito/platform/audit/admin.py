"""The Django admin's history pages made read-only and safe."""

from __future__ import annotations

from functools import wraps

from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_safe


def admin_storico_in_sola_lettura(urls):
    """The admin's URLs with simple-history's pages made safe for every model admin.

    - The version form is simple-history's "revert" (a POST saving an old version
      back). SIMPLE_HISTORY_REVERT_DISABLED only hides its button; this refuses the
      POST too, so nobody edits data through the trail.
    - The history page reads its id straight into a query: an id that is not one
      (`/admin/app/model/1/change/history/`) answers 404 instead of a server error.
    """
    patterns, app_name, namespace = urls

    def walk(items):
        for item in items:
            if isinstance(item, URLResolver):
                walk(item.url_patterns)
            elif isinstance(item, URLPattern) and (item.name or "").endswith("_simple_history"):
                item.callback = require_safe(item.callback)
            elif isinstance(item, URLPattern) and (item.name or "").endswith("_history"):
                item.callback = _id_valido_o_404(item.callback)

    walk(patterns)
    return patterns, app_name, namespace


def _id_valido_o_404(view):
    model_admin = getattr(view, "model_admin", None)
    if model_admin is None:
        return view
    chiave = model_admin.model._meta.pk

    @wraps(view)
    def history_view(request, object_id, *args, **kwargs):
        try:
            chiave.to_python(unquote(object_id))
        except ValidationError as error:
            raise Http404 from error
        return view(request, object_id, *args, **kwargs)

    return history_view
