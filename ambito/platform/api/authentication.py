"""API authentication: personal tokens (`Authorization: Bearer <token>`) and the session.

The token class comes first in the settings, so that DRF answers a request without
valid credentials with 401 and `WWW-Authenticate: Bearer realm="api"` (DRF takes the
header from the first class; the session's has none, which makes DRF answer 403).
A token acts exactly as its user's session: same roles, same scoping.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ambito.models import TokenAPI
from ambito.services import token_hash, token_mark_used

from .throttling import TokenNonValidoThrottle

KEYWORDS = ("bearer", "token")  # "Token" is what DRF's own token scheme used


class TokenAPIAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise self._guess(request, _("Intestazione Authorization non valida."))
        # Repeated invalid tokens from one address are refused for a while, valid ones
        # too: a guesser must not learn that a guess was right while he is throttled.
        throttle = TokenNonValidoThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(wait=throttle.wait())
        try:
            segreto = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise self._guess(request, _("Token non valido.")) from None
        token = (
            TokenAPI.objects.select_related("utente").filter(chiave_hash=token_hash(segreto))
        ).first()
        adesso = timezone.now()
        if token is None:
            raise self._guess(request, _("Token non valido."))
        # A revoked or expired token was a real secret, not a guess: refused, not counted.
        if token.revocato:
            raise exceptions.AuthenticationFailed(_("Token revocato."))
        if token.scaduto(adesso):
            raise exceptions.AuthenticationFailed(_("Token scaduto."))
        if not token.utente.is_active:
            raise exceptions.AuthenticationFailed(_("Utente disattivato."))
        token_mark_used(token=token, adesso=adesso)
        return token.utente, token

    def _guess(self, request, message):
        """An unknown token: counted against the address (TokenNonValidoThrottle)."""
        throttle = TokenNonValidoThrottle()
        if not throttle.allow_request(request, None):
            return exceptions.Throttled(wait=throttle.wait())
        return exceptions.AuthenticationFailed(message)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenAPIScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: HTTP bearer (generated clients send it)."""

    target_class = TokenAPIAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Token personale, creato dalla pagina Profilo → Token dell'API: "
                "`Authorization: Bearer <token>` (vale anche `Token <token>`)."
            ),
        }
