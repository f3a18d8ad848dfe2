from datetime import date, datetime
from decimal import Decimal, getcontext

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.fields import SkipField, empty
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from ..models import Ambito, Comune, DatiDemografici, Ente


def importo(**kwargs):
    """Euro with cents. No min_value: a negative amount gets the service's message."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


class ScopedChoicesMixin:
    """Related-object choices limited like the forms': Ambiti the user may edit, other
    scoped models what he may see (anything else answers "does not exist").

    `scoped_fields` names the limited fields and their rule ("visible" or "editable");
    without it, every writable related field over a scoped model is limited (Ambiti to
    those editable). Reads skip this: showing an object looks up no choices.
    """

    scoped_fields: dict[str, str] | None = None

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and request.method in ("GET", "HEAD"):
            return fields
        user = getattr(request, "user", None)
        for name, field in fields.items():
            target = getattr(field, "child_relation", field)
            queryset = getattr(target, "queryset", None)
            if field.read_only or not hasattr(queryset, "visible_to"):
                continue
            if self.scoped_fields is None:
                rule = "editable" if queryset.model is Ambito else "visible"
            else:
                rule = self.scoped_fields.get(name)
            if rule == "editable":
                target.queryset = queryset.editable_by(user)
            elif rule == "visible":
                target.queryset = queryset.visible_to(user)
        return fields


class CampiDelModelloUnaVoltaMixin:
    """A ModelSerializer that works out each model field's serializer field (class and
    arguments: DRF's `build_field`) once per class, not for every serializer made.

    DRF derives them from the model for every instance: a list of 50 values spent about
    as long deriving its 18 fields as writing its rows. The result depends only on the
    class and the model (`Meta`, the field mappings), so it is kept; the fields are
    still made new for each serializer, from a copy of the arguments (DRF's
    `include_extra_kwargs` edits them)."""

    _campi_costruiti: dict = {}  # (class, source, depth) -> (field class, kwargs)

    def build_field(self, source, info, model_class, nested_depth):
        chiave = (type(self), source, nested_depth)
        costruito = self._campi_costruiti.get(chiave)
        if costruito is None:
            costruito = super().build_field(source, info, model_class, nested_depth)
            CampiDelModelloUnaVoltaMixin._campi_costruiti[chiave] = costruito
        classe, argomenti = costruito
        return classe, dict(argomenti)


#: Fields whose value is the model attribute converted by the field alone: a read can
#: take the attribute itself (DRF's get_attribute tests each step for a callable).
_CAMPI_SEMPLICI = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.IntegerField,
)


_ASSENTE = object()  # an attribute or key that is not there (DRF: default or skip)


class LetturaRapidaMixin:
    """Serializes a row as DRF does (same dict, same values: tests compare them) in a
    plan made once per serializer: the primary key of a foreign key from its `<name>_id`
    column, the keys of a many-to-many from its `<name>_chiavi` list when the selector
    read one, plain attributes without DRF's per-step checks, anything else (nested
    serializers, methods, defaults, a None on the way) through the field itself. A list
    of 50 rows of 30 fields spent most of its time in that per-field machinery.

    `letto_senza_contesto = True` says that the serializer reads a row the same in any
    context (request, user): its plan is then made once per class, and its fields are
    not built again for every request (a list of projects spent 0,4 ms building them).
    Its readable fields must be of the kinds that read nothing of the context
    (`_senza_contesto`), or the first read raises."""

    letto_senza_contesto = False

    def to_representation(self, instance):
        piano = self.__dict__.get("_piano_lettura")
        if piano is None:
            piano = self.__dict__["_piano_lettura"] = _piano(self)
        ret = {}
        for nome, leggi in piano:
            try:
                ret[nome] = leggi(instance)
            except SkipField:
                continue
        return ret


# The plans made once per class (`_piano`).
_PIANI_DI_CLASSE: dict[type, list] = {}


def _piano(serializer) -> list:
    """The plan of a serializer: each readable field's reader (`_lettore`).

    A plain Serializer (its fields the declared ones, as declared) whose fields are all
    of the simple kinds themselves (`_CAMPI_SEMPLICI`, no default) reads a row the same
    whatever its context: its plan is made once per class, from an instance with no
    context, and DRF's copy of every declared field (0,2 ms for 16 of them) is not
    made again at every request. Any other serializer makes its own."""
    classe = type(serializer)
    piano = _PIANI_DI_CLASSE.get(classe)
    if piano is not None:
        return piano
    if classe.letto_senza_contesto:
        campi = list(classe()._readable_fields)
        if altri := [f.field_name for f in campi if not _senza_contesto(f)]:
            raise ImproperlyConfigured(f"{classe.__name__}: {altri} may read the context")
        piano = _PIANI_DI_CLASSE[classe] = [_lettore(field) for field in campi]
        return piano
    if (
        classe.get_fields is serializers.Serializer.get_fields
        and classe.__init__ is serializers.BaseSerializer.__init__
        and classe._readable_fields is serializers.Serializer._readable_fields
    ):
        campi = list(classe()._readable_fields)
        if all(type(f) in _CAMPI_SEMPLICI and f.default is empty for f in campi):
            piano = _PIANI_DI_CLASSE[classe] = [_lettore(field) for field in campi]
            return piano
    return [_lettore(field) for field in serializer._readable_fields]


def _senza_contesto(field) -> bool:
    """Whether a field reads a row without its serializer's context: a simple field
    whose default is a value (a callable one may be the current user), a primary key
    or a list of them, a choice's label, a nested serializer or field that says so."""
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    if getattr(field, "letto_senza_contesto", False) or isinstance(field, ChoiceLabelField):
        return True
    if type(field) is serializers.PrimaryKeyRelatedField:
        return not field.pk_field
    semplici = (*_CAMPI_SEMPLICI, serializers.BigIntegerField)
    return type(field) in semplici and (field.default is empty or not callable(field.default))


def _lettore(field):
    nome, attrs = field.field_name, field.source_attrs
    if (
        type(field) is serializers.PrimaryKeyRelatedField
        and len(attrs) == 1
        and not (field.pk_field)
    ):
        colonna = f"{attrs[0]}_id"

        def chiave_esterna(obj):
            if type(obj) is dict:  # a row of `values()`: its columns by attname
                valore = obj.get(colonna, _ASSENTE)
                return _come_drf(field, obj) if valore is _ASSENTE else valore
            return getattr(obj, colonna)

        return nome, chiave_esterna
    if isinstance(field, serializers.ManyRelatedField) and (
        type(field.child_relation) is serializers.PrimaryKeyRelatedField
        and not field.child_relation.pk_field
        and len(attrs) == 1
    ):
        lette = f"{attrs[0]}_chiavi"

        def chiavi(obj):
            # The keys a selector read for the rows (`<name>_chiavi`, a list of them):
            # no related manager, no model instance per row.
            elenco = getattr(obj, lette, None)
            if elenco is None:
                return [riga.pk for riga in getattr(obj, attrs[0]).all()]
            return elenco

        return nome, chiavi
    if isinstance(field, _CAMPI_SEMPLICI) and attrs and not isinstance(field, ChoiceLabelField):
        converti = _convertitore(field)

        def semplice(obj):
            valore = obj
            for attr in attrs:
                if valore is None:  # on the way: the field's default, null or skip
                    return _come_drf(field, obj)
                if type(valore) is dict:  # the rows of an aggregate (DRF: any Mapping)
                    valore = valore.get(attr, _ASSENTE)
                else:
                    valore = getattr(valore, attr, _ASSENTE)
                if valore is _ASSENTE or callable(valore):
                    return _come_drf(field, obj)
            return None if valore is None else converti(valore)

        return nome, semplice
    return nome, lambda obj: _come_drf(field, obj)


def _convertitore(field):
    """The field's to_representation of a value that is not None, without the steps that
    give the same result for every value: an integer is int(), a text str(), a date in
    ISO 8601 its isoformat(), an aware instant its isoformat() in the current time zone,
    a decimal quantized with a context made once (DRF copies the context and computes
    the exponent for each value)."""
    tipo = type(field)
    if tipo is serializers.IntegerField:
        return int
    if tipo is serializers.CharField:
        return str
    if tipo is serializers.DateField and _iso(field, api_settings.DATE_FORMAT):

        def data(valore):
            if type(valore) is not date:
                return field.to_representation(valore)  # a string, a datetime (refused)
            return valore.isoformat()

        return data
    if (
        tipo is serializers.DateTimeField
        and _iso(field, api_settings.DATETIME_FORMAT)
        and not hasattr(field, "timezone")
    ):

        def istante(valore):
            # DRF: the current time zone, then ISO 8601 with "Z" for UTC; anything
            # else (naive, USE_TZ off, a string) through the field itself.
            if type(valore) is not datetime or valore.tzinfo is None or not settings.USE_TZ:
                return field.to_representation(valore)
            testo = valore.astimezone(timezone.get_current_timezone()).isoformat()
            return testo[:-6] + "Z" if testo.endswith("+00:00") else testo

        return istante
    if (
        tipo is serializers.DecimalField
        and field.decimal_places is not None
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.normalize_output
        and not field.localize
    ):
        esponente = Decimal(".1") ** field.decimal_places
        contesto = getcontext().copy()
        if field.max_digits is not None:
            contesto.prec = field.max_digits
        rounding = field.rounding

        def decimale(valore):
            if type(valore) is not Decimal:
                return field.to_representation(valore)
            return f"{valore.quantize(esponente, rounding=rounding, context=contesto):f}"

        return decimale
    return field.to_representation


def _iso(field, default) -> bool:
    formato = getattr(field, "format", default)
    return isinstance(formato, str) and formato.lower() == ISO_8601


def _come_drf(field, obj):
    """One field as DRF's Serializer.to_representation writes it."""
    attributo = field.get_attribute(obj)  # may raise SkipField
    vuoto = attributo.pk if isinstance(attributo, PKOnlyObject) else attributo
    return None if vuoto is None else field.to_representation(attributo)


class ChoiceLabelField(serializers.CharField):
    """The label of a model's choice field ("in_corso" -> "In corso"), read-only.

    Written as `CharField(source="get_stato_display")`, DRF runs inspect.signature()
    on the method for every row (about 0,5 ms each: it is a partialmethod).
    """

    def __init__(self, field_name, **kwargs):
        self.field_name_of_choices = field_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        return getattr(instance, f"get_{self.field_name_of_choices}_display")()


class AmbitoSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ambito
        fields = ["id", "nome", "codice", "regione", "ente_capofila"]


class ComuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comune
        fields = ["id", "codice_istat", "nome", "sigla_provincia", "ambito"]


class DatiDemograficiSerializer(serializers.ModelSerializer):
    class Meta:
        model = DatiDemografici
        fields = [
            "id",
            "comune",
            "anno",
            "residenti",
            "famiglie",
            "componenti_medi",
            "stranieri",
            "stranieri_minori",
            "fonte",
        ]


class EnteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ente
        fields = ["id", "nome", "tipo", "codice_fiscale", "ambito", "comune"]


class AnnoSerializer(serializers.Serializer):
    """The optional `?anno=` of an aggregate."""

    anno = serializers.IntegerField(min_value=1990, max_value=2100, required=False)


class PopolazioneSerializer(serializers.Serializer):
    anno = serializers.IntegerField(allow_null=True)
    residenti = serializers.IntegerField(allow_null=True)


class AmbitoTotaliSerializer(serializers.Serializer):
    """The Ambito's totals as the pages show them, summed over its Comuni in SQL."""

    ambito = serializers.IntegerField()
    popolazione_per_anno = PopolazioneSerializer(
        many=True, help_text="Residenti dell'Ambito per anno, somma dei Comuni."
    )
    popolazione_di_riferimento = PopolazioneSerializer(
        help_text="Residenti dell'anno richiesto, o dell'anno disponibile più vicino "
        "(il precedente, altrimenti il successivo); senza anno, dell'ultimo."
    )


class RisorsaSerializer(serializers.Serializer):
    nome = serializers.CharField(help_text="Il percorso della risorsa, es. «progetti».")
    url = serializers.URLField()


class RadiceApiSerializer(serializers.Serializer):
    versione = serializers.CharField()
    schema = serializers.URLField(help_text="Lo schema OpenAPI 3.")
    documentazione = serializers.URLField()
    risorse = RisorsaSerializer(many=True)
