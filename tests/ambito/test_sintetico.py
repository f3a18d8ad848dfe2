import random
from io import StringIO

from ambito import sintetico
from ambito.models import Ambito, Comune


def test_synthetic_territory_is_italy_sized_and_deterministic(visconteo, tmp_path):
    # A slice of the real ISTAT file keeps the test quick; the logic is the same.
    rows = sintetico.read_comuni()
    sample = tmp_path / "comuni.csv"
    header = sintetico.ISTAT_CSV.read_text(encoding="utf-8").splitlines()[0] + "\n"
    keep = [r for r in rows if r["sigla_provincia"] in {"MI", "LO", "PV"}]
    sample.write_text(
        header + "".join(",".join(r[k] for k in r) + "\n" for r in keep), encoding="utf-8"
    )
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
