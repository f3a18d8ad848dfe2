"""API of the programmi app: scope, ordered lists, filters, writes through the services."""

import pytest
from django.urls import reverse

from programmi.models import Obiettivo, Scheda, Valutazione
from tests.problemi import errori

from .factories import SchedaFactory, ValutazioneFactory, VoceSchedaFactory


def _lista(client, nome, **params):
    response = client.get(reverse(f"{nome}-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_plans_list_with_budget_totals(as_user, ufficio_piano):
    dati = _lista(as_user(ufficio_piano), "piano", ordering="anno_inizio")
    assert [p["periodo"] for p in dati["results"]] == ["2022-2024", "2025-2027"]
    assert dati["results"][1]["budget_schede"] == "2472499.00"
    assert dati["results"][1]["numero_schede"] == 5


def test_plan_summary_aggregates(as_user, revisore, piano_2022, piano_2025):
    client = as_user(revisore)
    riepilogo = client.get(reverse("piano-riepilogo", args=[piano_2022.pk])).json()
    assert riepilogo["media_raggiungimento"] == "64.5"
    assert [
        (m["lettera"], m["media"]) for m in riepilogo["media_raggiungimento_per_macro_area"]
    ] == [
        ("A", "80.0"),
        ("B", "56.7"),
        ("C", "58.5"),
        ("D", "84.0"),
        ("E", "55.0"),
    ]
    riepilogo = client.get(reverse("piano-riepilogo", args=[piano_2025.pk])).json()
    assert riepilogo["totale_budget_schede"] == "2472499.00"


def test_schede_have_their_ordered_lists(as_user, operatore_rozzano, piano_2025):
    dati = _lista(as_user(operatore_rozzano), "scheda", piano=piano_2025.pk, ordering="numero")
    schede = dati["results"]
    assert [s["numero"] for s in schede] == [1, 2, 3, 4, 5]
    assert [s["budget"] for s in schede] == [
        "195000.00",
        "357499.00",
        "710000.00",
        "1090000.00",
        "120000.00",
    ]
    assert schede[1]["obiettivi"][0] == "Coinvolgimento di due gruppi di tre beneficiari ciascuno;"
    assert len(schede[1]["azioni"]) == 8
    assert schede[0]["asst_realizzazione"] is True and schede[0]["asst_analisi"] is False


def test_evaluations_filter_and_sort_on_comparable_values(as_user, revisore, piano_2022):
    client = as_user(revisore)
    dati = _lista(client, "valutazione", piano=piano_2022.pk, coincidenza_max=-1)
    assert sorted(v["obiettivo_numero"] for v in dati["results"]) == ["5", "6"]
    assert {v["coincidenza_risorse_display"] for v in dati["results"]} == {"<100%"}
    dati = _lista(client, "valutazione", livello="generale", ordering="-grado_raggiungimento")
    assert [v["grado_raggiungimento"] for v in dati["results"]][:3] == [90, 80, 78]
    dati = _lista(client, "valutazione", coincidenza_min=1)
    assert [v["obiettivo_numero"] for v in dati["results"]] == ["7"]


def test_objectives_filter_by_level(as_user, revisore, piano_2022):
    dati = _lista(as_user(revisore), "obiettivo", piano=piano_2022.pk, livello="generale")
    assert dati["count"] == 10
    assert all(o["livello"] == "generale" for o in dati["results"])


def test_another_ambito_sees_nothing_and_gets_404(as_user, ufficio_piano_altro, scheda_1):
    client = as_user(ufficio_piano_altro)
    for nome in ("piano", "macroarea", "obiettivo", "valutazione", "scheda", "progettopremiale"):
        assert _lista(client, nome)["count"] == 0
    assert client.get(reverse("scheda-detail", args=[scheda_1.pk])).status_code == 404
    assert client.get(reverse("piano-detail", args=[scheda_1.piano_id])).status_code == 404
    response = client.patch(
        reverse("scheda-detail", args=[scheda_1.pk]),
        {"titolo": "X"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_ufficio_piano_rewrites_a_list_in_a_new_order(as_user, ufficio_piano, scheda_1):
    url = reverse("scheda-detail", args=[scheda_1.pk])
    originali = scheda_1.elenchi
    nuovi = list(reversed(originali["azioni"]))
    response = as_user(ufficio_piano).patch(url, {"azioni": nuovi}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["azioni"] == nuovi
    scheda = Scheda.objects.get(pk=scheda_1.pk)
    assert scheda.elenchi["azioni"] == nuovi
    assert scheda.elenchi["obiettivi"] == originali["obiettivi"]


@pytest.mark.parametrize("utente", ["operatore_rozzano", "revisore"])
def test_read_only_roles_get_403(request, as_user, scheda_1, piano_2025, utente):
    client = as_user(request.getfixturevalue(utente))
    response = client.patch(
        reverse("scheda-detail", args=[scheda_1.pk]),
        {"titolo": "X"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = client.post(
        reverse("obiettivo-list"),
        {"piano": piano_2025.pk, "numero": "9", "titolo": "X"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert Scheda.objects.get(pk=scheda_1.pk).titolo != "X"
    assert not Obiettivo.objects.filter(piano=piano_2025, numero="9").exists()


def test_bad_inputs_answer_400_with_the_pages_messages(
    as_user, ufficio_piano, piano_2022, scheda_1
):
    client = as_user(ufficio_piano)
    valutazione = Valutazione.objects.get(obiettivo__piano=piano_2022, obiettivo__numero="1")
    response = client.patch(
        reverse("valutazione-detail", args=[valutazione.pk]),
        {"grado_raggiungimento": 150},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert errori(response) == {
        "grado_raggiungimento": ["Il grado di raggiungimento deve essere compreso tra 0 e 100."]
    }
    response = client.patch(
        reverse("scheda-detail", args=[scheda_1.pk]),
        {"budget": "-1.00"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert errori(response)["budget"] == ["Il budget non può essere negativo."]
    generale_2022 = Obiettivo.objects.get(piano=piano_2022, numero="2")
    response = client.post(
        reverse("obiettivo-list"),
        {"piano": scheda_1.piano_id, "numero": "2.5", "titolo": "X", "parent": generale_2022.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "stesso Piano di Zona" in errori(response)["parent"][0]
    valutazione.refresh_from_db()
    scheda_1.refresh_from_db()
    assert valutazione.grado_raggiungimento == 80
    assert str(scheda_1.budget) == "195000.00"
    assert not Obiettivo.objects.filter(numero="2.5").exists()


def test_ufficio_piano_creates_an_evaluation(as_user, ufficio_piano, piano_2025):
    obiettivo = Obiettivo.objects.get(piano=piano_2025, numero="3")
    response = as_user(ufficio_piano).post(
        reverse("valutazione-list"),
        {"obiettivo": obiettivo.pk, "grado_raggiungimento": 40, "coincidenza_risorse": 1},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["coincidenza_risorse_display"] == ">100%"
    assert obiettivo.valutazione.grado_raggiungimento == 40


def test_premial_projects_with_their_activities(as_user, revisore):
    dati = _lista(as_user(revisore), "progettopremiale")
    assert [p["numero"] for p in dati["results"]] == [1, 2, 3]
    assert dati["results"][1]["media_completamento"] == 87.5
    assert [a["ordine"] for a in dati["results"][2]["attivita"]] == list(range(1, 15))


@pytest.mark.parametrize(
    "nome, massimo", [("piano", 6), ("obiettivo", 6), ("valutazione", 6), ("scheda", 8)]
)
def test_list_query_counts_do_not_grow_with_rows(
    as_user, ufficio_piano, piano_2025, django_assert_max_num_queries, nome, massimo
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(massimo):
        client.get(reverse(f"{nome}-list"))
    for i in range(40):
        scheda = SchedaFactory(piano=piano_2025, numero=200 + i)
        VoceSchedaFactory(scheda=scheda, ordine=1)
        VoceSchedaFactory(scheda=scheda, tipo="azione", ordine=1)
        ValutazioneFactory(obiettivo__piano=piano_2025)
    with django_assert_max_num_queries(massimo):
        response = client.get(reverse(f"{nome}-list"))
    assert response.status_code == 200
