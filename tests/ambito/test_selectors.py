from decimal import Decimal

import pytest

from ambito import selectors
from ambito.models import Comune, DatiDemografici


def test_visconteo_fixture_has_11_comuni_with_istat_codes(visconteo):
    comuni = Comune.objects.filter(ambito=visconteo)
    assert comuni.count() == 11
    assert comuni.get(nome="Rozzano").codice_istat == "015189"
    assert comuni.get(nome="Zibido San Giacomo").codice_istat == "015247"


def test_ambito_totals_are_computed_from_the_comuni(visconteo):
    totali = selectors.popolazione_totale_per_anno(ambito=visconteo)
    # Tab. 2 of the Piano prints 124.835 (2021), 124.425 (2022), 124.421 (2023).
    assert totali[2021] == 124_835
    assert totali[2022] == 124_425
    assert totali[2023] == 124_421


def test_total_follows_a_changed_row(visconteo, rozzano):
    DatiDemografici.objects.filter(comune=rozzano, anno=2023).update(residenti=41_371)
    assert selectors.popolazione_totale_per_anno(ambito=visconteo)[2023] == 124_422


def test_other_ambiti_do_not_enter_the_total(visconteo, altro_ambito):
    lodi = altro_ambito.comuni.get()
    DatiDemografici.objects.create(comune=lodi, anno=2023, residenti=45_000)
    assert selectors.popolazione_totale_per_anno(ambito=visconteo)[2023] == 124_421
    assert selectors.popolazione_totale_per_anno(ambito=altro_ambito) == {2023: 45_000}


def test_totals_of_several_ambiti_in_one_query(visconteo, altro_ambito, django_assert_num_queries):
    DatiDemografici.objects.create(comune=altro_ambito.comuni.get(), anno=2023, residenti=45_000)
    with django_assert_num_queries(1):
        totali = selectors.popolazione_totale_per_ambito(ambiti=[visconteo, altro_ambito])
    assert totali == {
        visconteo.pk: selectors.popolazione_totale_per_anno(ambito=visconteo),
        altro_ambito.pk: {2023: 45_000},
    }


def test_families_and_foreign_residents_loaded(rozzano, visconteo):
    dati = DatiDemografici.objects.get(comune=rozzano, anno=2022)
    assert dati.famiglie == 18_343
    assert str(dati.componenti_medi) == "2.2"
    assert (dati.stranieri, dati.stranieri_minori) == (4_869, 1_311)
    # Tab. 8 prints 12,2% for Rozzano in 2022, but 4.869 / 41.435 is 11,75%: the app
    # computes the share from the rows instead of copying the printed percentage.
    assert round(dati.quota_stranieri, 2) == round(Decimal("11.75"), 2)


def test_carica_dati_is_idempotent(visconteo):
    from django.core.management import call_command

    before = (Comune.objects.count(), DatiDemografici.objects.count())
    call_command("carica_dati", "--utenti-demo", stdout=open("/dev/null", "w"))
    call_command("carica_dati", "--utenti-demo", stdout=open("/dev/null", "w"))
    assert (Comune.objects.count(), DatiDemografici.objects.count()) == before
    assert selectors.popolazione_totale_per_anno(ambito=visconteo)[2023] == 124_421


# --- "The" population of a year: one rule for every page, the API and the PDFs ---------


@pytest.mark.parametrize(
    "anno, atteso",
    [
        (2022, 2022),  # the year itself
        (2025, 2023),  # later than the data: the latest earlier year
        (2019, 2021),  # earlier than the data: the earliest later year
        (None, 2023),  # no year asked: the latest
    ],
)
def test_anno_di_riferimento(anno, atteso):
    assert selectors.anno_di_riferimento([2023, 2021, 2022], anno) == atteso


def test_anno_di_riferimento_prefers_the_earlier_year_in_a_gap():
    assert selectors.anno_di_riferimento([2020, 2024], 2023) == 2020
    assert selectors.anno_di_riferimento([], 2023) is None


def test_popolazione_di_riferimento_of_the_ambito(visconteo):
    assert selectors.popolazione_di_riferimento(
        ambito=visconteo, anno=2026
    ) == selectors.Popolazione(anno=2023, residenti=124_421)
    assert selectors.popolazione_di_riferimento(ambito=visconteo, anno=2022).residenti == 124_425


def test_popolazione_di_riferimento_of_a_comune_follows_its_own_years(visconteo, rozzano):
    DatiDemografici.objects.filter(comune=rozzano, anno=2023).delete()
    popolazione = selectors.popolazione_di_riferimento(ambito=visconteo, comune=rozzano, anno=2024)
    assert popolazione.anno == 2022
    assert popolazione.residenti == DatiDemografici.objects.get(comune=rozzano, anno=2022).residenti


def test_popolazione_di_riferimento_without_data(altro_ambito):
    assert selectors.popolazione_di_riferimento(ambito=altro_ambito, anno=2023) == (
        selectors.Popolazione(anno=None, residenti=None)
    )


def test_several_ambiti_in_one_query(visconteo, altro_ambito, django_assert_num_queries):
    with django_assert_num_queries(1):
        scelte = selectors.popolazione_di_riferimento_per_ambito(ambiti=[visconteo, altro_ambito])
    assert scelte[visconteo.pk].anno == 2023
    assert scelte[altro_ambito.pk].residenti is None
