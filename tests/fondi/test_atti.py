"""Acts on projects: extensions and top-ups, one act over several projects; the
current end date and the total follow from the acts, each amount counted once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fondi import selectors, services
from fondi.models import Atto, AttoProgetto, FinanziamentoProgetto, Progetto
from tests.problemi import errori

from .factories import FinanziamentoFactory, ProgettoFactory, linea

MSG_PROROGA = (
    "La nuova data di fine (30/06/2025) precede la data di fine attuale del progetto "
    "(31/12/2025): una proroga non può anticipare la conclusione."
)


@pytest.fixture
def quattro_progetti(visconteo):
    """Four running projects of the Ambito, each with its original funding."""
    progetti = []
    for i, importo in enumerate(["100000.00", "200000.50", "150000.25", "80000.00"]):
        progetto = ProgettoFactory(
            ambito=visconteo,
            stato="in_corso",
            titolo=f"Progetto regionale {i}",
            data_inizio=datetime.date(2024, 1, 1),
            data_fine=datetime.date(2025, 12, 31),
        )
        FinanziamentoFactory(progetto=progetto, importo=Decimal(importo))
        progetti.append(progetto)
    return progetti


def _annotato(user, progetto):
    return selectors.progetti_con_avanzamento(fetched_by=user).get(pk=progetto.pk)


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_one_resolution_tops_up_four_projects_through_the_api(
    client, ufficio_piano, quattro_progetti
):
    client.force_login(ufficio_piano)
    regionale = linea("FNPS")
    response = _post(
        client,
        "/api/v1/atti/",
        {
            "ambito": quattro_progetti[0].ambito_id,
            "tipo": "integrazione",
            "numero": "XII/1234",
            "data": "2025-06-10",
            "ente": "Regione Lombardia - Giunta regionale",
            "oggetto": "Prosecuzione di quattro progetti",
            "progetti": [
                {
                    "progetto": p.pk,
                    "importo": importo,
                    "linea": regionale.pk,
                    "nuova_data_fine": "2026-12-31",
                }
                for p, importo in zip(
                    quattro_progetti,
                    ["125000.10", "125000.20", "125000.30", "125000.40"],
                    strict=True,
                )
            ],
        },
    )
    assert response.status_code == 201, response.json()
    dati = response.json()
    assert dati["importo_totale"] == "500001.00"
    assert [e["importo"] for e in dati["progetti"]] == [
        "125000.10",
        "125000.20",
        "125000.30",
        "125000.40",
    ]
    primo = client.get(f"/api/v1/progetti/{quattro_progetti[1].pk}/").json()
    assert primo["importo_originario"] == "200000.50"
    assert primo["importo_integrazioni"] == "125000.20"
    assert primo["importo_finanziato"] == "325000.70"  # original + top-up, once
    assert primo["data_fine_attuale"] == "2026-12-31"
    # The sum over every project equals original funding plus the act's amount.
    riepilogo = selectors.progetti_riepilogo(
        fetched_by=ufficio_piano,
        progetti=Progetto.objects.filter(titolo__startswith="Progetto reg"),
    )
    assert riepilogo["finanziato_totale"] == Decimal("530000.75") + Decimal("500001.00")
    assert FinanziamentoProgetto.objects.filter(integrazione=True).count() == 4
    elenco = client.get("/api/v1/atti/", {"progetto": quattro_progetti[2].pk}).json()
    assert elenco["count"] == 1 and elenco["results"][0]["numero"] == "XII/1234"


def test_act_with_a_bad_project_saves_nothing_through_the_api(
    client, ufficio_piano, quattro_progetti
):
    client.force_login(ufficio_piano)
    response = _post(
        client,
        "/api/v1/atti/",
        {
            "ambito": quattro_progetti[0].ambito_id,
            "tipo": "proroga",
            "data": "2025-06-10",
            "ente": "Regione Lombardia",
            "progetti": [
                {"progetto": quattro_progetti[0].pk, "nuova_data_fine": "2026-06-30"},
                {"progetto": quattro_progetti[1].pk, "nuova_data_fine": "2025-06-30"},
            ],
        },
    )
    assert response.status_code == 400
    assert errori(response)["progetti"] == [f"Progetto regionale 1: {MSG_PROROGA}"]
    assert not Atto.objects.exists() and not AttoProgetto.objects.exists()


def test_other_ambito_cannot_register_acts_on_our_projects(
    client, ufficio_piano_altro, quattro_progetti
):
    client.force_login(ufficio_piano_altro)
    response = _post(
        client,
        "/api/v1/atti/",
        {
            "ambito": quattro_progetti[0].ambito_id,
            "tipo": "proroga",
            "data": "2025-06-10",
            "ente": "Regione Lombardia",
            "progetti": [{"progetto": quattro_progetti[0].pk, "nuova_data_fine": "2026-06-30"}],
        },
    )
    assert response.status_code == 400
    assert not Atto.objects.exists()


def test_extension_and_top_up_on_the_page(as_user, ufficio_piano, quattro_progetti):
    progetto = quattro_progetti[0]
    client = as_user(ufficio_piano)
    url = reverse("fondi:atto_create", args=[progetto.pk])
    assert client.get(url).status_code == 200
    dati = {
        "tipo": "proroga",
        "numero": "45",
        "data": "2025-05-20",
        "ente": "Ministero del Lavoro",
        "nuova_data_fine": "2025-06-30",
    }
    response = client.post(url, dati)
    assert response.status_code == 200
    assert response.context["form"].errors["nuova_data_fine"] == [MSG_PROROGA]
    assert not Atto.objects.exists()

    response = client.post(url, dati | {"nuova_data_fine": "2026-03-31"})
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "tipo": "integrazione",
            "numero": "XII/99",
            "data": "2025-09-01",
            "ente": "Regione Lombardia",
            "importo": "1.234,56",
        },
    )
    assert response.status_code == 302
    annotato = _annotato(ufficio_piano, progetto)
    assert annotato.data_fine_attuale == datetime.date(2026, 3, 31)
    assert annotato.importo_originario == Decimal("100000.00")
    assert annotato.importo_integrazioni == Decimal("1234.56")
    assert annotato.importo_finanziato == Decimal("101234.56")
    pagina = client.get(progetto.get_absolute_url())
    html = pagina.content.decode()
    assert "31/03/2026" in html and "XII/99" in html and "€ 101.234,56" in html
    assert [e.importo for e in pagina.context["atti"]] == [Decimal("0"), Decimal("1234.56")]

    # The same resolution applied to a second project, chosen among the registered acts.
    secondo = quattro_progetti[1]
    atto = Atto.objects.get(numero="XII/99")
    response = client.post(
        reverse("fondi:atto_create", args=[secondo.pk]),
        {"atto_esistente": atto.pk, "importo": "500"},
    )
    assert response.status_code == 302
    assert selectors.atti_per_elenco(fetched_by=ufficio_piano).get(
        pk=atto.pk
    ).importo_totale == Decimal("1734.56")


def test_new_act_needs_type_date_and_body_on_the_page(as_user, ufficio_piano, quattro_progetti):
    client = as_user(ufficio_piano)
    response = client.post(reverse("fondi:atto_create", args=[quattro_progetti[0].pk]), {})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"tipo", "data", "ente"} <= set(errors)
    assert errors["ente"] == ["Obbligatorio per un nuovo atto."]


def test_top_up_without_amount_and_proroga_without_date_are_refused(ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, data_fine=datetime.date(2025, 12, 31))
    atto = Atto(ambito=visconteo, tipo="integrazione", data=datetime.date(2025, 1, 1), ente="R")
    with pytest.raises(ValidationError) as error:
        services.atto_register(atto=atto, effetti=[{"progetto": progetto}])
    assert "importo" in error.value.message_dict
    atto = Atto(ambito=visconteo, tipo="proroga", data=datetime.date(2025, 1, 1), ente="R")
    with pytest.raises(ValidationError) as error:
        services.atto_register(atto=atto, effetti=[{"progetto": progetto}])
    assert error.value.message_dict["nuova_data_fine"] == [
        "Una proroga deve indicare la nuova data di fine."
    ]


def test_operatore_and_revisore_cannot_record_acts(
    as_user, operatore_rozzano, revisore, quattro_progetti
):
    url = reverse("fondi:atto_create", args=[quattro_progetti[0].pk])
    assert as_user(operatore_rozzano).get(url).status_code == 403
    assert as_user(revisore).get(url).status_code == 403


def test_acts_api_list_has_bounded_queries(
    client, ufficio_piano, quattro_progetti, django_assert_max_num_queries
):
    for i in range(5):
        atto = Atto(
            ambito=quattro_progetti[0].ambito, tipo="integrazione", data="2025-01-01", ente=f"E{i}"
        )
        services.atto_register(
            atto=atto,
            effetti=[
                {"progetto": p, "importo": Decimal("10"), "linea": linea("FNPS")}
                for p in quattro_progetti
            ],
        )
    client.force_login(ufficio_piano)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/atti/")
    assert response.json()["count"] == 5
    assert {a["importo_totale"] for a in response.json()["results"]} == {"40.00"}


def test_visconteo_figures_are_unchanged(ufficio_piano, progetto_pnrr):
    annotato = _annotato(ufficio_piano, progetto_pnrr)
    assert annotato.importo_finanziato == Decimal("1194394.83")
    assert annotato.importo_originario == Decimal("1194394.83")
    assert annotato.importo_integrazioni == Decimal("0")
    assert annotato.data_fine_attuale == progetto_pnrr.data_fine
