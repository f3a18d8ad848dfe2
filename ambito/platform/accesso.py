"""Login hardening hooks for django-axes (see settings, "Login lockout")."""

import rules
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.shortcuts import render
from django.utils.translation import ngettext


def accesso_bloccato(request, response=None, credentials=None):
    """The login page again, with an Italian message, when axes refuses a login (429)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    minuti = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": form,
        "bloccato": True,
        "minuti_blocco": minuti,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def indirizzo_client(request):
    """The client's address for the lockout count.

    REMOTE_ADDR, unless PROXY_COUNT trusted reverse proxies stand in front of the app:
    each appends the address it saw to X-Forwarded-For, so the client is the entry
    PROXY_COUNT places from the right. Entries further left are the client's own
    claims and are ignored (a forged header must not reset the count).
    """
    count = settings.PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [item.strip() for item in forwarded.split(",") if item.strip()]
        if len(addresses) >= count:
            return addresses[-count]
    return request.META.get("REMOTE_ADDR")


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when authenticate() gets no request.

    Every login form of the app (ours, the admin's, DRF's) passes the request, so
    the lockout always applies to them. Without a request there is nobody to lock
    out: only code such as the test client's `login()` calls authenticate() that
    way, and axes would otherwise raise instead of letting ModelBackend answer.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LunghezzaMinimaValidator(MinimumLengthValidator):
    """Django's minimum length rule, with its message in Italian.

    Django 5.2 changed the English text of this message and its Italian catalogue
    still carries the old one, so the stock validator answers in English.
    """

    def get_error_message(self):
        return ngettext(
            "Questa password è troppo corta: deve contenere almeno %(min_length)d carattere.",
            "Questa password è troppo corta: deve contenere almeno %(min_length)d caratteri.",
            self.min_length,
        ) % {"min_length": self.min_length}


class ModelPermissionBackend(ModelBackend):
    """Django's ModelBackend, asked only about Django's model permissions (the admin's).

    The action rules of each app's rules.py (`fondi.crea_progetto`...) have their own
    names, which no model permission can grant: answering them here would only cost
    two queries (the user's and his groups' permissions) on every page whose rule
    says no, e.g. the menu of an Operatore.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj=obj)
