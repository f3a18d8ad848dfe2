"""Fixtures of the indicator tests: the real plan's indicators and the demo periods."""

import datetime

import pytest

from indicatori.models import Indicatore, Periodo
from programmi.models import PianoDiZona

from .factories import IndicatoreFactory, PeriodoFactory


@pytest.fixture
def piano(visconteo):
    return PianoDiZona.objects.get(ambito=visconteo, anno_inizio=2025)


@pytest.fixture
def indicatore(piano):
    """Look an indicator of the loaded plan up by its code."""

    def trova(codice):
        return Indicatore.objects.select_related("piano").get(piano=piano, codice=codice)

    return trova


@pytest.fixture
def aperto(visconteo):
    """2025 S2: open, with the demo values of nine Comuni (none for Rozzano, Binasco)."""
    return Periodo.objects.get(ambito=visconteo, codice="2025-s2")


@pytest.fixture
def chiuso(visconteo):
    return Periodo.objects.get(ambito=visconteo, codice="2025-s1")


@pytest.fixture
def periodo_2026(visconteo):
    """An empty open period after the demo ones (no other value in it)."""
    return PeriodoFactory(
        ambito=visconteo,
        codice="2026-s1",
        nome="1° semestre 2026",
        data_inizio=datetime.date(2026, 1, 1),
        data_fine=datetime.date(2026, 6, 30),
        scadenza=datetime.date(2026, 7, 31),
    )


@pytest.fixture
def conteggio(piano):
    """A per-Comune half-yearly count without categories, to test rules in isolation."""
    return IndicatoreFactory(piano=piano, codice="T.CONT", nome="Conteggio di prova")
