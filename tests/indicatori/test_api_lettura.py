"""The API's light read path (LetturaRapidaMixin) answers exactly what DRF's own
`to_representation` answers, row by row, on the Visconteo's real data."""

import datetime
import json
from decimal import Decimal

import pytest
from rest_framework import serializers

from ambito.api.serializers import LetturaRapidaMixin, _convertitore
from indicatori import selectors
from indicatori.api.serializers import (
    AvanzamentoSerializer,
    BeneficiariSerializer,
    CompletezzaSerializer,
    ValoreSerializer,
)
from indicatori.models import Valore


def _come_drf(classe, righe):
    """The same serializer through DRF's generic path."""

    class Drf(classe):
        def to_representation(self, instance):
            return serializers.Serializer.to_representation(self, instance)

    return Drf(righe, many=True).data


def _json(dati):
    return json.dumps(dati, default=str)


@pytest.mark.django_db
def test_the_light_path_gives_drfs_json(ufficio_piano, visconteo, chiuso):
    valori = list(Valore.objects.visible_to(ufficio_piano).order_by("pk"))
    avanzamenti = selectors.avanzamento_indicatori(fetched_by=ufficio_piano, ambito=visconteo)
    completezza = selectors.completezza_periodo(fetched_by=ufficio_piano, periodo=chiuso)
    # The API writes the SQL rows themselves (ids and names), not their objects.
    beneficiari = list(
        selectors.beneficiari_per_comune_righe(fetched_by=ufficio_piano, ambito=visconteo)
    )
    # Rows with and without the related objects: a value of the Ambito (no Comune),
    # approved ones (dates and users), service indicators (no scheda on the path).
    assert any(v.comune_id is None for v in valori)
    assert any(v.approvato_il is not None for v in valori)
    assert any(a.indicatore.scheda_id is None for a in avanzamenti)
    assert any(a.indicatore.scheda_id is not None for a in avanzamenti)
    for classe, righe in (
        (ValoreSerializer, valori),
        (AvanzamentoSerializer, avanzamenti),
        (CompletezzaSerializer, completezza),
        (BeneficiariSerializer, beneficiari),
    ):
        assert righe, classe
        serializer = classe()
        serializer.to_representation(righe[0])
        assert "_piano_lettura" in serializer.__dict__  # the light path is taken
        leggero = classe(righe, many=True).data
        assert _json(leggero) == _json(_come_drf(classe, righe)), classe
        leggibili = [nome for nome, campo in classe().fields.items() if not campo.write_only]
        assert list(leggero[0]) == leggibili  # the schema's fields, in order


@pytest.mark.parametrize(
    "campo, valori",
    [
        (
            serializers.DecimalField(max_digits=14, decimal_places=2),
            [Decimal("1.005"), Decimal("-1.005"), Decimal("12"), Decimal("0E-7"), 3, 2.675, "7.1"],
        ),
        (
            serializers.DecimalField(max_digits=6, decimal_places=1),
            [Decimal("99.95"), Decimal("33.333333333333333333"), Decimal("-0.05")],
        ),
        (serializers.DecimalField(max_digits=20, decimal_places=0), [Decimal("2.5"), Decimal(7)]),
        (serializers.IntegerField(), [3, Decimal("4"), True]),
        (serializers.CharField(), ["testo", 5, Decimal("1.50")]),
        (
            serializers.DateField(),
            [datetime.date(2025, 12, 31), "2025-01-01"],
        ),
        (
            serializers.DateTimeField(),
            [
                datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC),  # winter
                datetime.datetime(2025, 7, 1, 8, 15, 3, 250, tzinfo=datetime.UTC),  # summer
                datetime.datetime(
                    2025, 3, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
                ),
                datetime.datetime(2025, 3, 1, 12),  # naive
                "2025-03-01T12:00:00",
            ],
        ),
    ],
)
def test_the_light_path_converts_values_as_the_fields_do(campo, valori):
    """The conversions made once per field (a decimal's context and exponent, int, str,
    a date's isoformat) give what the field's own to_representation gives."""
    converti = _convertitore(campo)
    for valore in valori:
        assert converti(valore) == campo.to_representation(valore), valore


def test_the_light_path_writes_an_instant_as_drf_in_utc_too(settings):
    """«Z» for UTC, and the naive instants of a deployment without time zones."""
    campo = serializers.DateTimeField()
    istanti = [
        datetime.datetime(2025, 1, 31, 23, 30, tzinfo=datetime.UTC),
        datetime.datetime(2025, 1, 31, 23, 30),
    ]
    settings.TIME_ZONE = "UTC"
    for istante in istanti:
        assert _convertitore(campo)(istante) == campo.to_representation(istante)
    assert _convertitore(campo)(istanti[0]) == "2025-01-31T23:30:00Z"
    settings.USE_TZ = False
    for istante in istanti:
        assert _convertitore(campo)(istante) == campo.to_representation(istante)


def test_the_light_path_refuses_a_datetime_for_a_date_as_drf():
    with pytest.raises(AssertionError):
        _convertitore(serializers.DateField())(datetime.datetime(2025, 1, 1, 12))


def test_the_light_path_reads_the_rows_of_an_aggregate_as_dicts():
    class Riga(LetturaRapidaMixin, serializers.Serializer):
        anno = serializers.IntegerField()
        totale = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
        nota = serializers.CharField(required=False)
        livello = serializers.CharField(default="nazionale")

    righe = [
        {"anno": 2025, "totale": Decimal("10.5"), "nota": "x", "livello": "ue"},
        {"anno": 2026, "totale": None},  # a null, a key missing (skipped), a default
    ]
    assert Riga(righe, many=True).data == _come_drf(Riga, righe)
    assert Riga(righe, many=True).data[1] == {"anno": 2026, "totale": None, "livello": "nazionale"}


def test_the_model_fields_worked_out_once_are_drfs():
    """CampiDelModelloUnaVoltaMixin: the same fields, arguments and validators as DRF
    derives for each serializer, new objects every time."""

    class Drf(ValoreSerializer):
        def build_field(self, *args):
            return serializers.ModelSerializer.build_field(self, *args)

    def campi(serializer):
        return {nome: repr(campo) for nome, campo in serializer.fields.items()}

    for _ in range(2):  # the first derives and keeps them, the second reuses them
        assert campi(ValoreSerializer()) == campi(Drf())
        assert campi(ValoreSerializer(instance=Valore(pk=1))) == campi(Drf(instance=Valore(pk=1)))
    uno, due = ValoreSerializer().fields, ValoreSerializer().fields
    for nome, campo in uno.items():
        assert campo is not due[nome], nome
        assert campo.validators is not due[nome].validators, nome


def test_a_plan_of_simple_fields_is_made_once_per_class():
    """Serializers of plain values share their class's plan: the second one copies no
    field (DRF's `fields`) and writes DRF's rows; a field that is not a plain value (a
    method, a default) keeps the plan per serializer."""

    class Semplice(LetturaRapidaMixin, serializers.Serializer):
        anno = serializers.IntegerField()
        totale = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)

    class ConMetodo(Semplice):
        doppio = serializers.SerializerMethodField()

        def get_doppio(self, riga):
            return riga["anno"] * self.context["fattore"]

    class ConDefault(Semplice):
        livello = serializers.CharField(default="nazionale")

    righe = [{"anno": 2025, "totale": Decimal("10.5")}, {"anno": 2026, "totale": None}]
    assert Semplice(righe, many=True).data == _come_drf(Semplice, righe)
    secondo = Semplice(righe, many=True)
    assert secondo.data == _come_drf(Semplice, righe)
    assert "fields" not in secondo.child.__dict__  # the class's plan: no copy
    for fattore in (2, 3):  # each serializer its own plan, its own context
        con_metodo = ConMetodo(righe, many=True, context={"fattore": fattore})
        assert [r["doppio"] for r in con_metodo.data] == [2025 * fattore, 2026 * fattore]
        assert "fields" in con_metodo.child.__dict__
    con_default = ConDefault(righe, many=True)
    assert con_default.data == _come_drf(ConDefault, righe)
    assert "fields" in con_default.child.__dict__
