"""Fixtures of the statistical tables' tests."""

import pytest

from tests.factories import ComuneFactory


@pytest.fixture
def sistema(django_user_model):
    """Full rights, as a management command runs."""
    return django_user_model(is_superuser=True, is_active=True)


@pytest.fixture
def due_comuni(altro_ambito):
    lodi = altro_ambito.comuni.get()
    return lodi, ComuneFactory(ambito=altro_ambito, nome="Codogno", codice_istat="098019")
