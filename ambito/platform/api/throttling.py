"""API rate limits: a counter per user, per token and per address in Django's cache
(Redis when REDIS_URL is set, so every gunicorn worker counts the same requests).

A window opens with the first request of a key and lasts the rate's period: each request
increments the key's counter (an atomic increment, whatever the number of workers), and
past the rate the API answers 429 with Retry-After, the seconds left in the window.
DRF's own throttles keep instead the list of every request's time in the window and
rewrite it whole at each request (at 10.000 requests per hour, 10.000 numbers read and
written back per request), and two workers writing at once lose one of their counts.

The rates are read from the settings at each request (`API_LIMITI`, from the
environment), so that a test can lower them with `settings`.
"""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from ambito.platform.accesso import indirizzo_client

SECONDI = {"s": 1, "m": 60, "h": 3600, "d": 86400}  # of "10000/hour", "20/min"...


class _Limite(BaseThrottle):
    scope: str

    def __init__(self):
        self.rate = settings.API_LIMITI.get(self.scope)
        if self.rate is not None:
            numero, periodo = self.rate.split("/")
            self.num_requests, self.duration = int(numero), SECONDI[periodo[0]]

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self._conta() <= self.num_requests

    def _conta(self) -> int:
        """This request counted: the requests of the window so far."""
        try:
            return cache.incr(self.key)
        except ValueError:  # no open window: this request opens one
            if cache.add(self.key, 1, self.duration):
                cache.set(self._inizio, time.time(), self.duration)
                return 1
            return cache.incr(self.key)  # another worker opened it meanwhile

    @property
    def _inizio(self) -> str:
        return f"{self.key}:inizio"

    def wait(self):
        """The seconds left in the window (Retry-After)."""
        inizio = cache.get(self._inizio)
        if inizio is None:
            return self.duration
        return max(inizio + self.duration - time.time(), 1)


class UtenteThrottle(_Limite):
    """Requests of one user, whatever the means (session or any of his tokens)."""

    scope = "utente"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return f"limite:{self.scope}:{request.user.pk}"


class TokenThrottle(_Limite):
    """Requests made with one token."""

    scope = "token"

    def get_cache_key(self, request, view):
        from ambito.models import TokenAPI

        if not isinstance(request.auth, TokenAPI):
            return None
        return f"limite:{self.scope}:{request.auth.pk}"


class TokenNonValidoThrottle(_Limite):
    """Unknown tokens sent from one address, i.e. guesses (django-axes covers only the
    login form): past the rate, that address is refused for a while."""

    scope = "token_non_valido"

    def get_cache_key(self, request, view):
        return f"limite:{self.scope}:{indirizzo_client(request)}"

    def blocked(self, request) -> bool:
        """Whether the address is over the rate now, without counting this request."""
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, None)
        return cache.get(self.key, 0) >= self.num_requests
