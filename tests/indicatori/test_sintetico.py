import random
from io import StringIO

from indicatori import sintetico
from indicatori.models import Indicatore, Periodo, Valore
from programmi.models import PianoDiZona


def _istantanea():
    return sorted(
        Valore.objects.filter(periodo__ambito__codice__startswith="sint-").values_list(
            "periodo__ambito__codice",
            "indicatore__codice",
            "periodo__codice",
            "comune__codice_istat",
            "valore_numerico",
            "stato",
        )
    )


def _cancella():
    Valore.objects.filter(periodo__ambito__codice__startswith="sint-").delete()
    Indicatore.objects.filter(piano__ambito__codice__startswith="sint-").delete()
    Periodo.objects.filter(ambito__codice__startswith="sint-").delete()
    PianoDiZona.objects.filter(ambito__codice__startswith="sint-").delete()


def test_synthetic_indicators_tiny_and_deterministic(visconteo, territorio_ridotto):
    out = StringIO()
    n = sintetico.genera(
        rng=random.Random(7), stdout=out, indicatori_per_ambito=3, anni=1, max_ambiti=2
    )
    valori = _istantanea()
    ambiti = {v[0] for v in valori}
    assert len(ambiti) == 2
    assert PianoDiZona.objects.filter(ambito__codice__startswith="sint-").count() == 2
    assert Indicatore.objects.filter(piano__ambito__codice__startswith="sint-").count() == 6
    assert Periodo.objects.filter(ambito__codice__startswith="sint-").count() == 8
    # One value per Comune x indicator x quarter.
    comuni = {(v[0], v[3]) for v in valori}
    assert n == len(valori) == len(comuni) * 3 * 4
    assert all(v[4] >= 0 for v in valori)
    assert f"{n} valori" in out.getvalue()
    # Visconteo's real data is untouched.
    assert not Valore.objects.filter(periodo__ambito=visconteo, indicatore__codice="S01").exists()

    _cancella()
    sintetico.genera(
        rng=random.Random(7), stdout=StringIO(), indicatori_per_ambito=3, anni=1, max_ambiti=2
    )
    assert _istantanea() == valori
