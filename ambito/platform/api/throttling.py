"""API rate limits (DRF throttles on Django's cache: Redis when REDIS_URL is set, so
every gunicorn worker counts the same requests).

The rates are read from the settings at each request (`API_LIMITI`, from the
environment), not when the class is defined as DRF's own throttles do, so that a test
can lower them with `settings`.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from ambito.platform.accesso import indirizzo_client


class _Limite(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_LIMITI.get(self.scope)

    def __init__(self):
        # DRF reads the rate in __init__; ours is read here, from the settings of now.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_ident(self, request):
        return indirizzo_client(request)  # REMOTE_ADDR, or X-Forwarded-For by PROXY_COUNT


class UtenteThrottle(_Limite):
    """Requests of one user, whatever the means (session or any of his tokens)."""

    scope = "utente"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class TokenThrottle(_Limite):
    """Requests made with one token."""

    scope = "token"

    def get_cache_key(self, request, view):
        from ambito.models import TokenAPI

        if not isinstance(request.auth, TokenAPI):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class TokenNonValidoThrottle(_Limite):
    """Unknown tokens sent from one address, i.e. guesses (django-axes covers only the
    login form): past the rate, that address is refused for a while."""

    scope = "token_non_valido"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def blocked(self, request) -> bool:
        """Whether the address is over the rate now, without counting this request."""
        if self.rate is None:
            return False
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return len(self.history) >= self.num_requests
