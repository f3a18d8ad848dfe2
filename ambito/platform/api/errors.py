"""One error format for the whole API: RFC 9457 problem details, in Italian.

Every error answers `application/problem+json`:

    {"type": "urn:zonale:errore:dati-non-validi", "title": "Dati non validi",
     "status": 400, "detail": "...", "errors": [{"field": "nome", "message": "...",
     "code": "required"}]}

`errors` lists the messages of a 400 one by one; `field` names the request field the
message is about, or is null (a rule of the whole object, a workflow step). The same
shape for validation, workflow, permission, not-found, parse, method, format,
precondition and throttling errors, and for unknown /api/ URLs (`api_not_found`).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

PROBLEM_MEDIA_TYPE = "application/problem+json"
NON_FIELD = {api_settings.NON_FIELD_ERRORS_KEY, "__all__"}


class ProblemRenderer(JSONRenderer):
    media_type = PROBLEM_MEDIA_TYPE


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = gettext_lazy(
        "L'elemento è stato modificato da altri dopo la lettura (If-Match non corrisponde "
        "all'ETag attuale): rileggerlo e ripetere la modifica."
    )
    default_code = "precondition_failed"


# status → (slug of the type, title)
TITOLI = {
    400: ("dati-non-validi", gettext_lazy("Dati non validi")),
    401: ("non-autenticato", gettext_lazy("Autenticazione richiesta")),
    403: ("permesso-negato", gettext_lazy("Permesso negato")),
    404: ("non-trovato", gettext_lazy("Risorsa non trovata")),
    405: ("metodo-non-consentito", gettext_lazy("Metodo non consentito")),
    406: ("formato-non-disponibile", gettext_lazy("Formato di risposta non disponibile")),
    412: ("versione-non-corrispondente", gettext_lazy("Versione non corrispondente")),
    415: ("formato-non-supportato", gettext_lazy("Formato della richiesta non supportato")),
    428: ("precondizione-richiesta", gettext_lazy("Precondizione richiesta")),
    429: ("troppe-richieste", gettext_lazy("Troppe richieste")),
}
PARSE_ERROR = ("richiesta-non-leggibile", gettext_lazy("Richiesta non leggibile"))


def _type(slug: str) -> str:
    return f"urn:zonale:errore:{slug}"


def problem(status_code: int, detail: str, errors=None, *, slug=None, title=None) -> dict:
    default_slug, default_title = TITOLI.get(status_code, ("errore", _("Errore")))
    return {
        "type": _type(slug or default_slug),
        "title": str(title or default_title),
        "status": status_code,
        "detail": str(detail),
        "errors": errors or [],
    }


def _field_errors(detail, prefix=""):
    """DRF's nested error detail as a flat list of {field, message, code}."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = None if key in NON_FIELD else f"{prefix}{key}"
            out += _field_errors(value, f"{name}." if name else prefix)
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):  # an item of a list field: its index
                out += _field_errors(value, f"{prefix}{index}.")
            else:
                out += _field_errors(value, prefix)
        return out
    field = prefix[:-1] if prefix else None
    return [{"field": field, "message": str(detail), "code": getattr(detail, "code", "invalid")}]


MESSAGGI = {
    exceptions.NotAuthenticated: gettext_lazy("Credenziali non fornite."),
    exceptions.AuthenticationFailed: gettext_lazy("Credenziali non valide."),
    exceptions.NotFound: gettext_lazy("L'elemento richiesto non esiste o non è visibile."),
}


def _message(exc) -> str:
    for kind, text in MESSAGGI.items():
        # DRF's English default (Http404 included) becomes ours; a message of our own stays.
        if type(exc) is kind and str(exc.detail) == str(kind.default_detail):
            return str(text)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _("Il metodo %(metodo)s non è consentito su questo indirizzo.") % {
            "metodo": exc.args[0] if exc.args else ""
        }
    if isinstance(exc, exceptions.NotAcceptable):
        return _("Il formato richiesto (Accept o ?format=) non è disponibile: usare JSON o CSV.")
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return _("Il corpo della richiesta deve essere JSON (Content-Type: application/json).")
    if isinstance(exc, exceptions.Throttled):
        return _("Troppe richieste: riprovare tra %(secondi)s secondi.") % {
            "secondi": exc.wait and int(exc.wait + 0.999)
        }
    if isinstance(exc, exceptions.PermissionDenied) and exc.detail == str(
        exceptions.PermissionDenied.default_detail
    ):
        return _("Non hai i permessi per questa operazione.")
    detail = exc.detail
    return str(detail) if not isinstance(detail, dict | list) else ""


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error as problem details (see the module)."""
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, DjangoValidationError):
        from .viewsets import as_api_error

        exc = as_api_error(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    slug = title = None
    errors = []
    if isinstance(exc, exceptions.ParseError):
        slug, title = PARSE_ERROR
        detail = str(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        detail = (
            errors[0]["message"]
            if len(errors) == 1
            else _("La richiesta contiene %(n)d errori: vedere «errors».") % {"n": len(errors)}
        )
    else:
        detail = _message(exc)
    response.data = problem(response.status_code, detail, errors, slug=slug, title=title)
    request = context.get("request")
    if request is not None:
        # Errors are JSON whatever the client asked (a CSV download included).
        request.accepted_renderer = ProblemRenderer()
        request.accepted_media_type = PROBLEM_MEDIA_TYPE
    return response


def api_not_found(request, exception=None):
    """handler404 of the project: unknown /api/ URLs answer the same JSON problem."""
    if request.path.startswith("/api/"):
        dati = problem(404, _("Nessuna risorsa dell'API a questo indirizzo."))
        return JsonResponse(dati, status=404, content_type=PROBLEM_MEDIA_TYPE)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
