"""Factories of the indicators app."""

import datetime

import factory

from indicatori.choices import Livello, Periodicita, StatoValore, TipoIndicatore, UnitaMisura
from indicatori.models import Categoria, Indicatore, Periodo, Valore


class IndicatoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicatore

    codice = factory.Sequence(lambda n: f"T.{n}")
    nome = factory.Sequence(lambda n: f"Indicatore di prova {n}")
    tipo = TipoIndicatore.OUTPUT
    unita = UnitaMisura.CONTEGGIO
    livello = Livello.COMUNE
    periodicita = Periodicita.SEMESTRALE
    rilevazione_dal = datetime.date(2022, 1, 1)
    ordine = 999


class CategoriaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Categoria

    codice = factory.Sequence(lambda n: f"cat-{n}")
    nome = factory.Sequence(lambda n: f"Categoria {n}")


class PeriodoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Periodo

    codice = factory.Sequence(lambda n: f"p-{n}")
    nome = factory.Sequence(lambda n: f"Periodo {n}")
    tipo = Periodicita.SEMESTRALE
    data_inizio = datetime.date(2026, 1, 1)
    data_fine = datetime.date(2026, 6, 30)
    scadenza = datetime.date(2026, 7, 31)


class ValoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Valore

    stato = StatoValore.BOZZA
