from decimal import Decimal

import pytest

from ambito.templatetags.zonale import euro, numero, percentuale


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("1090000"), "€ 1.090.000,00"),
        (Decimal("104394.83"), "€ 104.394,83"),
        (Decimal("5544651.00"), "€ 5.544.651,00"),
        (Decimal("0.005"), "€ 0,01"),  # half-up, never truncated
        (Decimal("-12.5"), "€ -12,50"),
        (None, "—"),
    ],
)
def test_euro(value, expected):
    assert euro(value) == expected


def test_numero_groups_thousands_and_rounds():
    assert numero(124421) == "124.421"
    assert numero(Decimal("2.25"), 1) == "2,3"
    assert numero("") == "—"


def test_percentuale_rounds_half_up_with_fixed_decimals():
    assert percentuale(Decimal("21.5")) == "21,5%"
    assert percentuale(Decimal("11.75093")) == "11,8%"  # Django alone would truncate to 11,7
    assert percentuale(Decimal("12.04")) == "12,0%"
    assert percentuale(100, 0) == "100%"
