import random
from io import StringIO

import pytest

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


def _chiavi_esterne(model):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [model._meta.db_table],
        )
        return cursor.fetchall()


def test_copia_righe_inserts_and_keeps_every_foreign_key(visconteo):
    from django.db import IntegrityError, connection, transaction

    from ambito.models import DatiDemografici
    from ambito.platform.copia import copia_righe

    postgres = connection.vendor == "postgresql"
    prima = _chiavi_esterne(DatiDemografici) if postgres else None
    comune = visconteo.comuni.order_by("codice_istat").first()
    colonne = ["comune_id", "anno", "residenti", "famiglie", "fonte"]
    righe = [(comune.pk, anno, 1000 + anno, 400, "prova") for anno in (2001, 2002)]
    assert copia_righe(DatiDemografici, colonne, iter(righe)) == 2
    assert sorted(
        DatiDemografici.objects.filter(comune=comune, fonte="prova").values_list(
            "anno", "residenti"
        )
    ) == [(2001, 3001), (2002, 3002)]
    if postgres:
        # Dropped for the COPY, back exactly as they were (same names, deferrable).
        assert _chiavi_esterne(DatiDemografici) == prima
        # A row naming no Comune fails the whole copy, when the key is added back.
        with pytest.raises(IntegrityError), transaction.atomic():
            copia_righe(DatiDemografici, colonne, iter([(10**9, 2003, 1, 1, "prova")]))
        assert not DatiDemografici.objects.filter(anno=2003).exists()
        assert _chiavi_esterne(DatiDemografici) == prima
