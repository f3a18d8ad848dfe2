import pytest

from programmi.models import PianoDiZona, Scheda


@pytest.fixture
def piano_2022(visconteo):
    return PianoDiZona.objects.get(ambito=visconteo, anno_inizio=2022)


@pytest.fixture
def piano_2025(visconteo):
    return PianoDiZona.objects.get(ambito=visconteo, anno_inizio=2025)


@pytest.fixture
def scheda_1(piano_2025):
    return Scheda.objects.get(piano=piano_2025, numero=1)
