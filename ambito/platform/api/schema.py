"""The OpenAPI schema as a generated client needs it (drf-spectacular's AutoSchema).

On every operation: the error responses with the one problem-details body
(`errors.py`), the CSV variant of a GET as `text/csv` text, and, on the resources with
a `versione`, the `ETag` response header and the `If-Match` request header.
"""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .errors import PROBLEM_MEDIA_TYPE
from .renderers import ITALIAN_VARIANT, SEPARATOR_PARAM, TABLE_PARAM, VARIANT_PARAM, CSVRenderer


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="Il campo della richiesta a cui si riferisce il messaggio; null se nessuno.",
    )
    message = serializers.CharField(help_text="Il messaggio, in italiano.")
    code = serializers.CharField(help_text="Codice stabile dell'errore (es. «required»).")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details: the body of every error of the API."""

    type = serializers.CharField(help_text="URI del tipo di errore (urn:zonale:errore:…).")
    title = serializers.CharField(help_text="Titolo del tipo di errore, in italiano.")
    status = serializers.IntegerField(help_text="Lo stesso codice HTTP della risposta.")
    detail = serializers.CharField(help_text="Spiegazione di questo caso, in italiano.")
    errors = FieldErrorSerializer(many=True, help_text="Gli errori dei dati, uno per messaggio.")


DESCRIZIONI = {
    "400": "Dati o parametri non validi (elencati in «errors»).",
    "401": "Credenziali mancanti o non valide.",
    "403": "Permesso negato.",
    "404": "Elemento inesistente o non visibile all'utente.",
    "406": "Formato di risposta non disponibile.",
    "412": "If-Match non corrisponde all'ETag attuale: l'elemento è cambiato.",
    "415": "Il corpo della richiesta non è JSON.",
    "429": "Troppe richieste.",
}

ETAG_HEADER = {
    "schema": {"type": "string"},
    "description": "Versione dell'elemento, da rimandare in If-Match per modificarlo.",
}


def is_versioned(view) -> bool:
    model = getattr(getattr(view, "queryset", None), "model", None)
    return model is not None and any(f.name == "versione" for f in model._meta.concrete_fields)


class AutoSchema(openapi.AutoSchema):
    def _writes_versioned(self) -> bool:
        return self.method in ("PUT", "PATCH", "DELETE") and is_versioned(self.view)

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._writes_versioned():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    required=False,
                    description=(
                        "L'ETag letto (es. \"3\"): se l'elemento è cambiato nel frattempo "
                        "la modifica è rifiutata con 412. Senza, la modifica è incondizionata."
                    ),
                )
            )
        if self.method == "GET" and CSVRenderer in self.view.renderer_classes:
            parameters.append(
                OpenApiParameter(
                    "format",
                    str,
                    enum=["json", "csv"],
                    description="csv: la stessa risposta come CSV (text/csv, UTF-8 con BOM).",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for response in responses.values():
            content = response.get("content") or {}
            if CSVRenderer.media_type in content:
                content[CSVRenderer.media_type] = {"schema": {"type": "string"}}
        if is_versioned(self.view) and (
            self.method in ("PUT", "PATCH")
            or (self.method == "GET" and "{" in self.path)
            or (self.method == "POST" and self._is_create_operation())
        ):
            for code in ("200", "201"):
                if code in responses:
                    responses[code].setdefault("headers", {})["ETag"] = ETAG_HEADER
        problem = self.resolve_serializer(ProblemSerializer, "response").ref
        codes = ["400", "401", "403", "404", "406", "429"]
        if self._writes_versioned():
            codes.append("412")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        for code in codes:
            responses.setdefault(
                code,
                {
                    "description": DESCRIZIONI[code],
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": problem}},
                },
            )
        return dict(sorted(responses.items()))


def postprocess_schema(result, generator, **kwargs):
    """The error format in the API's description too."""
    result.setdefault("info", {})["description"] = (
        result["info"].get("description", "")
        + "\n\nOgni errore risponde `application/problem+json` (RFC 9457) con il corpo "
        "`Problem`: `type`, `title`, `status`, `detail` in italiano e `errors`, l'elenco dei "
        "messaggi sui dati con il campo (`field`, null se nessuno) e un codice (`code`). "
        "Ogni elemento modificabile ha un ETag: rimandarlo in If-Match (PUT, PATCH, DELETE) "
        "evita di sovrascrivere modifiche altrui (412)."
    )
    return result


DESCRIZIONE_FORMAT = (
    "`json` (predefinito) oppure `csv`: la lista intera con il filtro corrente (senza "
    "paginazione), UTF-8 con BOM, intestazioni in italiano come nelle pagine; i riepiloghi "
    "sono tabelle, una riga per voce, con la colonna «Tabella» quando sono più d'una."
)
PARAMETRI_CSV = [
    {
        "in": "query",
        "name": SEPARATOR_PARAM,
        "required": False,
        "description": (
            "Solo con `format=csv`: il separatore delle colonne, `comma` (virgola, "
            "predefinito) o `semicolon` (punto e virgola, per Excel in italiano)."
        ),
        "schema": {"type": "string", "enum": ["comma", "semicolon"]},
    },
    {
        "in": "query",
        "name": VARIANT_PARAM,
        "required": False,
        "description": (
            "Solo con `format=csv`: `it` per il CSV all'italiana delle esportazioni delle "
            "pagine (separatore `;`, virgola decimale, Sì/No, date gg/mm/aaaa, i nomi o i "
            "codici al posto degli id quando la risposta li contiene). Senza, il CSV resta "
            "leggibile dalle macchine: `,`, punto decimale, true/false, date ISO, id."
        ),
        "schema": {"type": "string", "enum": [ITALIAN_VARIANT]},
    },
    {
        "in": "query",
        "name": TABLE_PARAM,
        "required": False,
        "description": (
            "Solo con `format=csv` sui riepiloghi fatti di più tabelle (es. `fondi/totali`): "
            "il nome di una sola tabella da scaricare (es. `per_fonte`)."
        ),
        "schema": {"type": "string"},
    },
]


def parametri_csv(result, generator, request, public):
    """Every operation that offers `?format=csv` documents it, with `sep` and `tabella`."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.get("parameters") if isinstance(operation, dict) else None
            if not parameters:
                continue
            formato = next(
                (p for p in parameters if p.get("in") == "query" and p.get("name") == "format"),
                None,
            )
            if formato is None or "csv" not in formato.get("schema", {}).get("enum", []):
                continue
            formato["description"] = DESCRIZIONE_FORMAT
            names = {p.get("name") for p in parameters}
            parameters.extend(p for p in PARAMETRI_CSV if p["name"] not in names)
    return result


def lib_doc_excludes():
    """Classes whose docstrings are not component descriptions: DRF's (drf-spectacular's
    default) and our mixins, whose docstrings speak to developers."""
    from drf_spectacular.plumbing import get_lib_doc_excludes

    from ambito.api.serializers import ScopedChoicesMixin

    return [*get_lib_doc_excludes(), ScopedChoicesMixin]
