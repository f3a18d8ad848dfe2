"""The admin site of Zonale: Django's, with cached aggregates renewed after each change."""

import functools

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

from .cache import invalida_cache


class ZonaleAdminSite(AdminSite):
    """Every POST through the admin may change any figure (the admin edits models
    directly, not through the services), so it renews every cached aggregate.

    It speaks as Zonale (Django's defaults say "Amministrazione Django"); the
    third-party apps' labels are translated in locale/it/LC_MESSAGES/django.po."""

    site_header = _("Zonale – amministrazione")
    site_title = _("Zonale – amministrazione")
    index_title = _("Dati e utenti")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def wrapper(request, *args, **kwargs):
            response = inner(request, *args, **kwargs)
            if request.method == "POST":
                invalida_cache()
            return response

        return wrapper
