from collections.abc import Mapping
from functools import cached_property

from rest_framework import serializers
from rest_framework.fields import empty

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


class LetturaRapidaMixin:
    """The same JSON as DRF's `to_representation`, without its per-row machinery.

    DRF asks every field of every row for its attribute through `get_attribute` (a
    generator of readable fields, a `PKOnlyObject` per relation, isinstance checks):
    on a page of 500 values, or the progress of 8.000 indicators, that was most of the
    response's Python time. Here the plan (name, attribute path, conversion) is made
    once per serializer: each field keeps its own `to_representation`, a primary-key
    relation reads the row's `<name>_id`. Anything else (nested serializers, methods,
    callables, a missing object on the path) goes DRF's own way, so the fields, the
    schema and the output stay DRF's.
    """

    @cached_property
    def _piano_lettura(self):
        model = getattr(getattr(self, "Meta", None), "model", None)
        piano = []
        for field in self._readable_fields:
            if field.source == "*" or isinstance(
                field,
                serializers.BaseSerializer
                | serializers.ManyRelatedField
                | serializers.SerializerMethodField,
            ):
                return None
            if isinstance(field, serializers.RelatedField):
                if (
                    type(field) is not serializers.PrimaryKeyRelatedField
                    or field.pk_field is not None
                    or model is None
                    or len(field.source_attrs) != 1
                ):
                    return None
                colonna = model._meta.get_field(field.source)
                if not getattr(colonna, "concrete", False):
                    return None
                piano.append((field.field_name, (colonna.attname,), None, True))
            else:
                piano.append(
                    (
                        field.field_name,
                        tuple(field.source_attrs),
                        field.to_representation,
                        field.allow_null and field.default is empty,
                    )
                )
        return piano

    def to_representation(self, instance):
        piano = self._piano_lettura
        if piano is None or isinstance(instance, Mapping):
            return super().to_representation(instance)
        riga = {}
        for nome, percorso, converti, nullo in piano:
            valore = instance
            for attributo in percorso:
                if valore is None:  # an object missing on the path
                    if not nullo:
                        return super().to_representation(instance)
                    break
                valore = getattr(valore, attributo)
            if valore is None:
                riga[nome] = None
            elif callable(valore):
                return super().to_representation(instance)
            else:
                riga[nome] = valore if converti is None else converti(valore)
        return riga


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
