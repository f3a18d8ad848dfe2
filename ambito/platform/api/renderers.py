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
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

SEPARATOR_PARAM = "sep"
SEPARATORS = {"semicolon": ";", "puntoevirgola": ";", ";": ";", "comma": ",", ",": ","}
# `?format=csv&variante=it`: the Italian CSV of the pages' exports (`;`, decimal comma,
# Sì/No, dd/mm/yyyy, names instead of ids where the serializer has both). Without it
# the CSV stays machine-readable (`,`, decimal point, true/false, ISO dates, ids).
VARIANT_PARAM = "variante"
ITALIAN_VARIANT = "it"


# A cell starting with one of these is a formula for Excel/LibreOffice ("=HYPERLINK(...)",
# "+cmd|...", "@SUM(...)"; tab and carriage return too): such text gets a leading
# apostrophe, so spreadsheets show it as text. Plain numbers ("-12.50") stay numbers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?([eE][+-]?\d+)?")


def neutralise_formula(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


# --- Column labels: the serializer's fields, i.e. the models' verbose names ------------
#
# Explicit labels (ModelSerializer takes them from the models' verbose names) are used
# as they are. Labels DRF makes up from a field's name ("Cup", "Linea codice", "Stato
# display") are replaced: from the model along the field's source ("linea.codice" ->
# "Linea di finanziamento (codice)", "comune.nome" -> "Comune"), else from the name's
# pattern ("fonte_nome" -> "Fonte", "fonte" beside it -> "Fonte (id)"). A choice's
# label written beside its value ("stato_display") is left out: the value's column
# already shows the label.

LABEL_SUFFIXES = ("_display", "_label")
ID_PARTS = ("pk", "id")


def _auto_label(field, name) -> bool:
    """Whether DRF made the label up from the field's name."""
    return field.label is None or str(field.label) == name.replace("_", " ").capitalize()


def _humanize(name):
    return capfirst(name.replace("_", " "))


def _model_path(serializer, source):
    """The model fields along a source ("linea.fonte.livello"), or None."""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is None or not source or source == "*":
        return None
    path = []
    for part in source.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001 - a property or a method, not a field
            return None
        if not hasattr(field, "verbose_name"):
            return None  # a reverse relation
        path.append(field)
        model = field.related_model if field.is_relation else None
    return path


def _path_label(serializer, source):
    parts = (source or "").split(".")
    if len(parts) > 1 and parts[-1] in ID_PARTS:
        parts = parts[:-1]
    path = _model_path(serializer, ".".join(parts))
    if not path:
        return None
    last = path[-1]
    if last.is_relation:
        return f"{capfirst(last.verbose_name)} (id)"
    if len(path) == 1:
        return capfirst(last.verbose_name)
    owner = capfirst(path[-2].verbose_name)
    return owner if last.name == "nome" else f"{owner} ({last.verbose_name})"


def _base_of(name, field=None):
    """The field whose label a label field shows ("stato" for "stato_display")."""
    base = getattr(field, "field_name_of_choices", None)
    if base is None:
        base = next((name[: -len(s)] for s in LABEL_SUFFIXES if name.endswith(s)), None)
    if base is None and name == "etichetta":
        base = "stato"
    return base


def _name_label(name, names, label_of=lambda name: None) -> str:
    """A label from the name alone, its siblings telling ids from names."""
    base_label = None
    for suffix in (*LABEL_SUFFIXES, "_nome", "_codice"):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            base_label = (label_of(base) or _humanize(base)).removesuffix(" (id)")
            return f"{base_label} (codice)" if suffix == "_codice" else base_label
    if name in ID_PARTS:
        return "ID"
    if f"{name}_nome" in names or f"{name}_codice" in names:
        return f"{_humanize(name)} (id)"
    return _humanize(name)


class Colonna:
    """How one key of a row is written: its header and how its values read (`kind`:
    the Python type its JSON text stands for, for the Italian variant)."""

    def __init__(self, label, choices=None, skip=False, kind=None):
        self.label = label
        self.choices = choices or {}
        self.skip = skip
        self.kind = kind

    def italian_cell(self, value):
        """The cell as the pages' Italian exports write it."""
        from ambito.platform.esportazioni import cella_italiana

        value = self.cell(value)
        if isinstance(value, str) and value and self.kind is not None and not self.choices:
            try:
                if self.kind is Decimal:
                    value = Decimal(value)
                elif self.kind is datetime:
                    value = datetime.fromisoformat(value.replace("Z", "+00:00"))
                elif self.kind is date:
                    value = date.fromisoformat(value)
            except (ValueError, InvalidOperation):
                pass  # not what the field says it holds: written as it came
        return cella_italiana(value)

    def cell(self, value):
        if value is None:
            return ""
        if self.choices and isinstance(value, str | int) and value in self.choices:
            return str(self.choices[value])
        if isinstance(value, list):
            return " | ".join(_testo(v) for v in value)
        return value


def _testo(value):
    """A list item inside a cell: a value, or the values of a small object, readable."""
    if isinstance(value, dict):
        return " – ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)


def _kind(field):
    """The Python type behind a field's JSON text (decimals come as strings)."""
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.DecimalField | serializers.FloatField):
        return Decimal
    if isinstance(field, serializers.DateTimeField):
        return datetime
    if isinstance(field, serializers.DateField):
        return date
    return None


def _choices(serializer, field):
    if isinstance(field, serializers.ChoiceField):
        return dict(field.choices)
    if isinstance(field, serializers.RelatedField | serializers.ManyRelatedField):
        return {}
    path = _model_path(serializer, getattr(field, "source", None))
    if path and not path[-1].is_relation and path[-1].choices:
        return dict(path[-1].flatchoices)
    return {}


def _label(serializer, name, field, fields) -> str:
    if not _auto_label(field, name):
        label = str(field.label)
    else:
        source = getattr(field, "source", None)
        label = _path_label(serializer, source if source not in (None, "*") else name)
        if label is None and source and source.split(".")[-1] in ID_PARTS and "." in source:
            label = f"{_humanize(name)} (id)"
        if label is None:
            base = _base_of(name, field)
            if base is not None and base in fields and not _auto_label(fields[base], base):
                label = str(fields[base].label)
            else:
                label = _name_label(
                    name, fields, lambda n: _path_label(serializer, n) if n in fields else None
                )
    if isinstance(field, serializers.RelatedField | serializers.ManyRelatedField):
        if not label.endswith("(id)"):
            label = f"{label} (id)"
    return label


def _colonne(serializer) -> dict:
    """{key: Colonna} for the fields of a serializer (nested ones as "parent.child")."""
    fields = getattr(serializer, "fields", None)
    if fields is None:
        return {}
    columns = {}
    for name, field in fields.items():
        label = _label(serializer, name, field, fields)
        if isinstance(field, serializers.BaseSerializer) and getattr(field, "child", None) is None:
            for key, column in _colonne(field).items():
                sub = label if key == "nome" else f"{label}: {column.label}"
                columns[f"{name}.{key}"] = Colonna(sub, column.choices, column.skip, column.kind)
        columns[name] = Colonna(label, choices=_choices(serializer, field), kind=_kind(field))
    # A label beside its value: left out when the value's column shows the label;
    # otherwise kept, the value's column then named as a code.
    for name, field in fields.items():
        base = _base_of(name, field)
        if base is None or base not in columns or base == name:
            continue
        if columns[base].choices:
            columns[name].skip = True
        else:
            columns[name].label = columns[base].label
            columns[base].label = f"{columns[base].label.removesuffix(' (id)')} (codice)"
    return columns


# --- Rows: the records of a list, or the tables of a summary -------------------------


def _flatten(row, prefix=""):
    flat = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _tabelle(data: dict, columns: dict, children: dict, scelta: str | None):
    """A summary object ({"per_anno": [...], "per_fonte": [...], "totale": {...}}) as
    rows: each list of objects is a table, an object beside them a one-row table, and
    plain values are repeated on every row. Tables share their columns by name (every
    "totale" in one column); with several tables a first column says which table a
    row belongs to, and `?tabella=<name>` keeps one. Returns (rows, columns)."""
    tables = {
        k: v
        for k, v in data.items()
        if (isinstance(v, list) and v and all(isinstance(i, dict) for i in v))
        or isinstance(v, dict)
    }
    if not any(isinstance(v, list) for v in tables.values()):
        return [], columns  # a plain object: one row
    if scelta in tables:
        tables = {scelta: tables[scelta]}
    contesto = {k: v for k, v in data.items() if k not in tables and not isinstance(v, list | dict)}
    merged = {k: c for k, c in columns.items() if k in contesto}
    rows = []
    for name, table in tables.items():
        for key, column in children.get(name, {}).items():
            merged.setdefault(key, column)
        for item in table if isinstance(table, list) else [table]:
            row = dict(contesto)
            if len(tables) > 1:
                row[TABLE_KEY] = columns.get(name, Colonna(_humanize(name))).label
            row.update(_flatten(item))
            rows.append(row)
    return rows, merged


def _id_beside_name(key, keys) -> bool:
    """An id column whose object the row also names ("linea" beside "linea_codice",
    "fonte.id" beside "fonte.nome"): left out of the Italian variant."""
    parent, _dot, name = key.rpartition(".")
    if name in ID_PARTS and parent:
        return f"{parent}.nome" in keys or f"{parent}.codice" in keys
    return any(f"{key}{suffix}" in keys for suffix in ("_nome", "_codice", ".nome", ".codice"))


TABLE_KEY = "__tabella__"
TABLE_PARAM = "tabella"


def _serializer(view):
    """The serializer that describes the view's output, for the labels."""
    try:
        if hasattr(view, "get_serializer") and getattr(view, "serializer_class", None):
            return view.get_serializer()
        serializer_class = getattr(view, "serializer_class", None)
        return serializer_class() if serializer_class else None
    except Exception:  # noqa: BLE001 - headers fall back to humanized field names
        return None


def _table_children(serializer) -> dict:
    """{table field: its rows' columns} for the list and object fields of a summary."""
    children = {}
    for name, field in (getattr(serializer, "fields", None) or {}).items():
        child = getattr(field, "child", field)
        if isinstance(child, serializers.BaseSerializer):
            children[name] = _colonne(child)
    return children


class CSVRenderer(BaseRenderer):
    """UTF-8 CSV with BOM (Excel opens it right); `sep=semicolon` for Italian Excel."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        renderer_context = renderer_context or {}
        request = renderer_context.get("request")
        view = renderer_context.get("view")
        response = renderer_context.get("response")
        sep = ","
        scelta = None
        italian = False
        if request is not None:
            sep = SEPARATORS.get(request.query_params.get(SEPARATOR_PARAM, ","), ",")
            scelta = request.query_params.get(TABLE_PARAM)
            italian = request.query_params.get(VARIANT_PARAM) == ITALIAN_VARIANT
            if italian:
                sep = ";"
        failed = response is not None and response.status_code >= 400
        serializer = None if failed or view is None else _serializer(view)
        columns = _colonne(serializer) if serializer is not None else {}
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        rows = None
        if isinstance(data, dict) and not failed:
            rows, columns = _tabelle(data, columns, _table_children(serializer), scelta)
            rows = rows or None
        if rows is None:
            items = data if isinstance(data, list) else [data or {}]
            rows = [_flatten(r) if isinstance(r, dict) else {"valore": r} for r in items]
        keys = list(dict.fromkeys(key for row in rows for key in row))
        if not any(rows) and columns:  # no rows: the headers all the same
            keys = [k for k in columns if "." not in k]
        keys = [k for k in keys if not columns.get(k, Colonna("")).skip]
        if italian:
            keys = [k for k in keys if not _id_beside_name(k, keys)]
        out = io.StringIO()
        writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
        writer.writerow([neutralise_formula(self._header(k, columns, keys)) for k in keys])
        plain = Colonna("")
        for row in rows:
            if italian:
                cells = [columns.get(k, plain).italian_cell(row.get(k)) for k in keys]
            else:
                cells = [columns.get(k, plain).cell(row.get(k)) for k in keys]
            writer.writerow([neutralise_formula(c) for c in cells])
        if response is not None and view is not None:
            name = getattr(view, "basename", None) or "dati"
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return ("\ufeff" + out.getvalue()).encode("utf-8")

    @staticmethod
    def _header(key, columns, keys):
        if key == TABLE_KEY:
            return str(_("Tabella"))
        if key in columns:
            return columns[key].label
        *parent, name = key.split(".")
        siblings = {k.split(".")[-1] for k in keys if k.split(".")[:-1] == parent}
        return _name_label(name, siblings)
