import random
from io import StringIO

from fondi import sintetico
from fondi.models import Assegnazione, AvanzamentoFinanziario, FinanziamentoProgetto, Progetto


def _istantanea():
    sint = {"progetto__ambito__codice__startswith": "sint-"}
    return (
        sorted(
            Assegnazione.objects.filter(ambito__codice__startswith="sint-").values_list(
                "ambito__codice", "linea__codice", "anno", "importo"
            )
        ),
        sorted(
            Progetto.objects.filter(ambito__codice__startswith="sint-").values_list(
                "ambito__codice", "codice_locale", "cup", "stato", "linea__codice", "data_inizio"
            ),
            key=str,
        ),
        sorted(
            AvanzamentoFinanziario.objects.filter(**sint).values_list(
                "progetto__cup", "data", "ammesso", "vincolante", "erogato"
            )
        ),
    )


def _cancella():
    sint = {"progetto__ambito__codice__startswith": "sint-"}
    AvanzamentoFinanziario.objects.filter(**sint).delete()
    FinanziamentoProgetto.objects.filter(**sint).delete()
    Progetto.objects.filter(ambito__codice__startswith="sint-").delete()
    Assegnazione.objects.filter(ambito__codice__startswith="sint-").delete()


def test_synthetic_funds_tiny_and_deterministic(visconteo, territorio_ridotto):
    out = StringIO()
    n = sintetico.genera(rng=random.Random(7), stdout=out, max_ambiti=2, progetti_per_ambito=6)
    assegnazioni, progetti, avanzamenti = _istantanea()
    assert n == len(progetti) > 0
    assert {p[0] for p in progetti} == {a[0] for a in assegnazioni}
    assert len({p[0] for p in progetti}) == 2
    assert all(a[3] > 0 for a in assegnazioni)
    # Snapshots respect the model's rules: erogato <= vincolante <= ammesso.
    assert avanzamenti
    assert all(e <= v <= a for _c, _d, a, v, e in avanzamenti)
    for snapshot in AvanzamentoFinanziario.objects.filter(
        progetto__ambito__codice__startswith="sint-"
    )[:20]:
        snapshot.full_clean()
    assert f"{n} progetti" in out.getvalue()
    # Visconteo's real projects are untouched.
    assert not visconteo.progetti.filter(codice_locale__startswith="SINT-").exists()

    _cancella()
    sintetico.genera(rng=random.Random(7), stdout=StringIO(), max_ambiti=2, progetti_per_ambito=6)
    assert _istantanea() == (assegnazioni, progetti, avanzamenti)
