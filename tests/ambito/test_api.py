import csv
import io

import pytest
from django.urls import reverse

from ambito.models import Comune
from tests.factories import api_token
from tests.problemi import errori


def test_api_requires_authentication(client, visconteo):
    assert client.get("/api/v1/comuni/").status_code == 401


def test_token_authentication(client, ufficio_piano):
    token = api_token(ufficio_piano)
    response = client.get("/api/v1/comuni/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["count"] == 11


@pytest.mark.parametrize(
    "fixture, expected",
    [("ufficio_piano", 11), ("revisore", 11), ("operatore_rozzano", 1), ("ufficio_piano_altro", 1)],
)
def test_comuni_visible_set(request, as_user, fixture, expected):
    response = as_user(request.getfixturevalue(fixture)).get("/api/v1/comuni/")
    assert response.json()["count"] == expected


def test_out_of_scope_comune_is_404(as_user, operatore_rozzano, binasco, rozzano):
    client = as_user(operatore_rozzano)
    assert client.get(f"/api/v1/comuni/{binasco.pk}/").status_code == 404
    assert client.get(f"/api/v1/comuni/{rozzano.pk}/").json()["codice_istat"] == "015189"


def test_population_filter_and_ordering(as_user, ufficio_piano, rozzano):
    response = as_user(ufficio_piano).get(
        "/api/v1/dati-demografici/", {"comune": rozzano.pk, "ordering": "-anno"}
    )
    anni = [row["anno"] for row in response.json()["results"]]
    assert anni == [2023, 2022, 2021, 2020]


def test_csv_export_round_trips_the_filtered_rows(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    as_json = client.get("/api/v1/comuni/", {"ordering": "nome", "page_size": 5}).json()
    response = client.get(
        "/api/v1/comuni/", {"ordering": "nome", "format": "csv", "sep": "semicolon"}
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["ID", "Codice ISTAT", "Nome"]
    # The whole filter, not one page: all 11 Comuni, in the same order as the JSON.
    assert len(rows) == 1 + 11
    assert [r[2] for r in rows[1:6]] == [c["nome"] for c in as_json["results"][:5]]
    assert {r[1] for r in rows[1:]} == set(
        Comune.objects.filter(ambito=visconteo).values_list("codice_istat", flat=True)
    )


def test_schema_is_generated(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get(reverse("schema"))
    assert response.status_code == 200
    assert b"/api/v1/comuni/" in response.content


def test_api_list_query_count_is_bounded(
    as_user, ufficio_piano, visconteo, django_assert_max_num_queries
):
    from tests.factories import ComuneFactory

    client = as_user(ufficio_piano)
    ComuneFactory.create_batch(200, ambito=visconteo)
    # session, user, roles, COUNT, the page
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/comuni/", {"page_size": 100})
    assert response.json()["count"] == 211


def test_api_short_first_page_is_counted_without_a_count_query(
    as_user, ufficio_piano, django_assert_max_num_queries
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(4):  # session, user, roles, the page
        body = client.get("/api/v1/comuni/").json()
    assert body["count"] == len(body["results"]) == 11
    assert body["next"] is None and body["previous"] is None
    full = client.get("/api/v1/comuni/", {"page_size": 11}).json()
    assert full["count"] == 11 and full["next"] is None
    first = client.get("/api/v1/comuni/", {"page_size": 5, "page": 1}).json()
    assert first["count"] == 11 and first["next"].endswith("page=2&page_size=5")
    last = client.get("/api/v1/comuni/", {"page_size": 5, "page": "last"}).json()
    assert [c["nome"] for c in last["results"]] == [full["results"][-1]["nome"]]
    assert client.get("/api/v1/comuni/", {"page": 2}).status_code == 404


def test_api_filters_apply_with_pagination_parameters(as_user, ufficio_piano):
    client = as_user(ufficio_piano)
    body = client.get("/api/v1/comuni/", {"nome": "rozz", "page": 1, "page_size": 5}).json()
    assert [c["nome"] for c in body["results"]] == ["Rozzano"]
    assert body["count"] == 1


def test_ambito_totals_give_the_population_by_year_and_of_reference(
    as_user, operatore_rozzano, visconteo
):
    """Operators see the Ambito totals (not the other Comuni's rows), as on the pages."""
    url = reverse("ambito-totali", kwargs={"pk": visconteo.pk})
    dati = as_user(operatore_rozzano).get(url, {"anno": 2025}).json()
    assert dati["ambito"] == visconteo.pk
    per_anno = {r["anno"]: r["residenti"] for r in dati["popolazione_per_anno"]}
    # Tab. 2 of the Piano.
    assert (per_anno[2021], per_anno[2022], per_anno[2023]) == (124_835, 124_425, 124_421)
    assert dati["popolazione_di_riferimento"] == {"anno": 2023, "residenti": 124_421}


def test_ambito_totals_reject_a_bad_year(as_user, ufficio_piano, visconteo):
    url = reverse("ambito-totali", kwargs={"pk": visconteo.pk})
    response = as_user(ufficio_piano).get(url, {"anno": "duemila"})
    assert response.status_code == 400
    assert "anno" in errori(response)


@pytest.mark.parametrize("anno", ["²", "1989", "99999999999999999999"])
def test_ambito_totals_reject_years_out_of_range(as_user, ufficio_piano, visconteo, anno):
    url = reverse("ambito-totali", kwargs={"pk": visconteo.pk})
    assert as_user(ufficio_piano).get(url, {"anno": anno}).status_code == 400
