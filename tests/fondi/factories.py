"""factory_boy factories of the fondi app (lines come from the loaded fixtures)."""

import datetime
from decimal import Decimal

import factory

from fondi.models import (
    Assegnazione,
    AvanzamentoFinanziario,
    FinanziamentoProgetto,
    LineaFinanziamento,
    Progetto,
)
from tests.factories import AmbitoFactory


def linea(codice):
    return LineaFinanziamento.objects.get(codice=codice)


MSG_CUP = "Il CUP deve essere composto da esattamente 15 lettere maiuscole e cifre."
# Bad project input that the page and the API refuse alike: (fields, field, message).
PROGETTO_NON_VALIDO = [
    ({"cup": "B49J1700013"}, "cup", MSG_CUP),
    ({"cup": "B49J17000130*06"}, "cup", MSG_CUP),
    (
        {"data_inizio": "2025-01-01", "data_fine": "2024-12-31"},
        "data_fine",
        "La data di fine non può precedere la data di inizio.",
    ),
]


def dati_progetto(ambito, **campi):
    """The POST data of a valid new project on the page, with `campi` changed."""
    dati = {
        "titolo": "Dimissioni protette",
        "cup": "",
        "codice_locale": "",
        "ambito": ambito.pk,
        "linea": linea("PNRR-M5C2-1.1.3").pk,
        "stato": "candidato",
        "rup": "",
        "descrizione": "",
    }
    return dati | campi


class ProgettoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Progetto

    titolo = factory.Sequence(lambda n: f"Progetto di prova {n:04d}")
    linea = factory.LazyFunction(lambda: linea("PNRR-M5C2-1.1.1"))
    ambito = factory.SubFactory(AmbitoFactory)
    stato = "candidato"


class FinanziamentoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinanziamentoProgetto

    progetto = factory.SubFactory(ProgettoFactory)
    linea = factory.LazyAttribute(lambda o: o.progetto.linea)
    importo = Decimal("100000.00")


class AvanzamentoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvanzamentoFinanziario

    progetto = factory.SubFactory(ProgettoFactory)
    data = datetime.date(2025, 6, 30)
    programmato = Decimal("100000.00")
    ammesso = Decimal("100000.00")
    vincolante = Decimal("80000.00")
    erogato = Decimal("25000.00")


class AssegnazioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assegnazione

    ambito = factory.SubFactory(AmbitoFactory)
    linea = factory.LazyFunction(lambda: linea("FNPS"))
    anno = 2024
    importo = Decimal("1000.00")
