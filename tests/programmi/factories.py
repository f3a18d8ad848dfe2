"""factory_boy factories of the programmi app."""

import factory

from programmi.models import MacroArea, Obiettivo, PianoDiZona, Scheda, Valutazione, VoceScheda
from tests.factories import AmbitoFactory


class PianoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PianoDiZona

    ambito = factory.SubFactory(AmbitoFactory)
    anno_inizio = factory.Sequence(lambda n: 1950 + 3 * n)
    anno_fine = factory.LazyAttribute(lambda o: o.anno_inizio + 2)


class MacroAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MacroArea

    piano = factory.SubFactory(PianoFactory)
    lettera = factory.Sequence(lambda n: f"Z{n % 10}")
    nome = factory.Sequence(lambda n: f"Macro-area di prova {n}")


class ObiettivoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obiettivo

    piano = factory.SubFactory(PianoFactory)
    numero = factory.Sequence(lambda n: str(100 + n))
    titolo = factory.Sequence(lambda n: f"Obiettivo di prova {n}")


class ValutazioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Valutazione

    obiettivo = factory.SubFactory(ObiettivoFactory)
    grado_raggiungimento = 50
    coincidenza_risorse = 0


class SchedaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheda

    piano = factory.SubFactory(PianoFactory)
    numero = factory.Sequence(lambda n: 100 + n)
    titolo = factory.Sequence(lambda n: f"Scheda di prova {n}")
    budget = 1000


class VoceSchedaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoceScheda

    scheda = factory.SubFactory(SchedaFactory)
    tipo = "obiettivo"
    ordine = factory.Sequence(lambda n: n + 1)
    testo = factory.Sequence(lambda n: f"Voce {n}")
