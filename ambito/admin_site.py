"""The admin site of Zonale: Django's, with cached aggregates renewed after each change."""

import functools

from django.contrib.admin import AdminSite

from .cache import invalida_cache


class ZonaleAdminSite(AdminSite):
    """Every POST through the admin may change any figure (the admin edits models
    directly, not through the services), so it renews every cached aggregate."""

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def wrapper(request, *args, **kwargs):
            response = inner(request, *args, **kwargs)
            if request.method == "POST":
                invalida_cache()
            return response

        return wrapper
