"""OpenAPI schema additions (drf-spectacular postprocessing hook)."""

from .renderers import SEPARATOR_PARAM, TABLE_PARAM

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
