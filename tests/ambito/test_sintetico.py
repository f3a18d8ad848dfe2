import random
from io import StringIO

from ambito import sintetico
from ambito.models import Ambito, Comune


def test_synthetic_territory_is_italy_sized_and_deterministic(visconteo, comuni_csv):
    sample, keep = comuni_csv("MI", "LO", "PV")
    ambiti = sintetico.genera(
        rng=random.Random(1), stdout=StringIO(), totale_ambiti=31, path=sample
    )
    assert Ambito.objects.count() == 31
    # Every Comune of the file exists once; Visconteo's real ones stayed in their Ambito.
    assert Comune.objects.count() == len(keep)
    assert Comune.objects.get(codice_istat="015189").ambito == visconteo
    assert all(a.comuni.exists() for a in ambiti)
    first = sorted(
        Comune.objects.exclude(ambito=visconteo).values_list("codice_istat", "ambito__codice")
    )
    Comune.objects.exclude(ambito=visconteo).delete()
    Ambito.objects.exclude(pk=visconteo.pk).delete()
    sintetico.genera(rng=random.Random(1), stdout=StringIO(), totale_ambiti=31, path=sample)
    again = sorted(
        Comune.objects.exclude(ambito=visconteo).values_list("codice_istat", "ambito__codice")
    )
    assert first == again
