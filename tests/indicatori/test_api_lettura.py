"""The API's light read path (LetturaRapidaMixin) answers exactly what DRF's own
`to_representation` answers, row by row, on the Visconteo's real data."""

import json

import pytest
from rest_framework import serializers

from indicatori import selectors
from indicatori.api.serializers import (
    AvanzamentoSerializer,
    BeneficiariSerializer,
    CompletezzaSerializer,
    ValoreSerializer,
)
from indicatori.models import Valore

pytestmark = pytest.mark.django_db


def _come_drf(classe, righe):
    """The same serializer through DRF's generic path."""

    class Drf(classe):
        def to_representation(self, instance):
            return serializers.Serializer.to_representation(self, instance)

    return Drf(righe, many=True).data


def _json(dati):
    return json.dumps(dati, default=str)


def test_the_light_path_gives_drfs_json(ufficio_piano, visconteo, chiuso):
    valori = list(Valore.objects.visible_to(ufficio_piano).order_by("pk"))
    avanzamenti = selectors.avanzamento_indicatori(fetched_by=ufficio_piano, ambito=visconteo)
    completezza = selectors.completezza_periodo(fetched_by=ufficio_piano, periodo=chiuso)
    beneficiari = selectors.beneficiari_per_comune(fetched_by=ufficio_piano, ambito=visconteo)
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
