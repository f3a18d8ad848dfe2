"""Open data: every API list as CSV (?format=csv), for Excel and for the public.

Ours rather than djangorestframework-csv (3.0.2, the usual choice): that renderer
writes cells as they are, with no neutralisation of formulas (the point of
`neutralise_formula` below), sorts the columns alphabetically instead of keeping the
serializer's order, has no byte-order mark for Excel and no `?sep=` switch, and still
depends on `six`. Adding those to it would leave more code than this module.
"""

import csv
import io
import re

from rest_framework.renderers import BaseRenderer

SEPARATOR_PARAM = "sep"
SEPARATORS = {"semicolon": ";", "puntoevirgola": ";", ";": ";", "comma": ",", ",": ","}


# A cell starting with one of these is a formula for Excel/LibreOffice ("=HYPERLINK(...)",
# "+cmd|...", "@SUM(...)"; tab and carriage return too): such text gets a leading
# apostrophe, so spreadsheets show it as text. Plain numbers ("-12.50") stay numbers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def _flatten(row, prefix=""):
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            flat[name] = " | ".join(str(v) for v in value)
        else:
            flat[name] = "" if value is None else value
    return flat


def _labels(view):
    """Italian column headers: the serializer's field labels (the models' verbose names)."""
    try:
        fields = view.get_serializer().fields
    except Exception:  # noqa: BLE001 - headers fall back to field names
        return {}
    return {name: str(field.label or name) for name, field in fields.items()}


class CSVRenderer(BaseRenderer):
    """UTF-8 CSV with BOM (Excel opens it right); `sep=semicolon` for Italian Excel."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        request = renderer_context.get("request")
        view = renderer_context.get("view")
        sep = ","
        if request is not None:
            sep = SEPARATORS.get(request.query_params.get(SEPARATOR_PARAM, ","), ",")
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        rows = [_flatten(r) for r in (data if isinstance(data, list) else [data or {}])]
        columns = list(dict.fromkeys(key for row in rows for key in row))
        labels = _labels(view) if view is not None else {}
        out = io.StringIO()
        writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
        writer.writerow([neutralise_formula(labels.get(c, c)) for c in columns])
        for row in rows:
            writer.writerow([neutralise_formula(row.get(c, "")) for c in columns])
        response = renderer_context.get("response")
        if response is not None and view is not None:
            name = getattr(view, "basename", None) or "dati"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return ("\ufeff" + out.getvalue()).encode("utf-8")
