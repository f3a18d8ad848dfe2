"""Bad input on the territory forms: an Italian message next to the field, nothing saved."""

import pytest
from django.urls import reverse

from ambito.models import Comune, DatiDemografici


def comune_data(ambito, **overrides):
    return {
        "codice_istat": "015146",
        "nome": "Milano",
        "sigla_provincia": "MI",
        "ambito": ambito.pk,
        **overrides,
    }


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"codice_istat": "015189"},
            "codice_istat",
            "Esiste già un Comune con questo codice ISTAT.",
        ),
        ({"codice_istat": "15146"}, "codice_istat", "esattamente 6 cifre"),
        ({"codice_istat": "0151460"}, "codice_istat", "6 caratteri"),
        ({"codice_istat": "01514A"}, "codice_istat", "esattamente 6 cifre"),
        ({"nome": ""}, "nome", "Campo obbligatorio."),
    ],
)
def test_bad_comune_is_rejected(as_user, ufficio_piano, visconteo, overrides, field, message):
    before = list(Comune.objects.values_list("pk", "codice_istat", "nome"))
    response = as_user(ufficio_piano).post(
        reverse("ambito:comune_create"), comune_data(visconteo, **overrides)
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert list(Comune.objects.values_list("pk", "codice_istat", "nome")) == before


def test_good_comune_is_saved(as_user, ufficio_piano, visconteo):
    response = as_user(ufficio_piano).post(reverse("ambito:comune_create"), comune_data(visconteo))
    assert response.status_code == 302
    assert Comune.objects.get(codice_istat="015146").ambito == visconteo


def dati_snapshot():
    return list(DatiDemografici.objects.order_by("pk").values_list())


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"anno": 2024, "residenti": -5}, "residenti", "non può essere negativo"),
        ({"anno": 2024, "residenti": 100, "famiglie": -1}, "famiglie", "non può essere negativo"),
        ({"anno": 1899, "residenti": 100}, "anno", "L'anno deve essere compreso tra 1900 e 2100."),
        ({"anno": 2101, "residenti": 100}, "anno", "L'anno deve essere compreso tra 1900 e 2100."),
        ({"anno": 2023, "residenti": 100}, "anno", "esistono già"),
        ({"anno": "duemila", "residenti": 100}, "anno", "Inserisci un numero intero."),
        (
            {"anno": 2024, "residenti": 100, "stranieri": 200},
            "stranieri",
            "non può superare la popolazione residente",
        ),
    ],
)
def test_bad_population_is_rejected(as_user, ufficio_piano, rozzano, data, field, message):
    before = dati_snapshot()
    response = as_user(ufficio_piano).post(
        reverse("ambito:datidemografici_create", args=[rozzano.pk]), {"fonte": "ISTAT", **data}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert dati_snapshot() == before


def test_good_population_is_saved(as_user, ufficio_piano, rozzano, visconteo):
    response = as_user(ufficio_piano).post(
        reverse("ambito:datidemografici_create", args=[rozzano.pk]),
        {"anno": 2024, "residenti": 41_000, "fonte": "ISTAT"},
    )
    assert response.status_code == 302
    assert DatiDemografici.objects.get(comune=rozzano, anno=2024).residenti == 41_000


def test_ente_codice_fiscale_is_validated(visconteo):
    from django.core.exceptions import ValidationError

    from ambito.models import Ente

    ente = Ente(nome="Coop", tipo="ets", ambito=visconteo, codice_fiscale="12345678901")
    with pytest.raises(ValidationError) as error:
        ente.full_clean()
    assert "cifra di controllo" in str(error.value)
    ente.codice_fiscale = "1234567890"
    with pytest.raises(ValidationError) as error:
        ente.full_clean()
    assert "11 cifre" in str(error.value)
    ente.codice_fiscale = "00000000000"
    ente.full_clean()
