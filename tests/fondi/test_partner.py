"""Bodies that are not Ambiti (ASST, housing company, association, Comune) in a project:
roles, amounts and shares through the API and the pages, shares within 100%."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fondi.models import PartnerProgetto
from tests.factories import EnteFactory
from tests.problemi import errori

from .factories import ProgettoFactory

MSG_QUOTA = "La quota non può superare il 100%."
MSG_SOMMA = "Con questa quota le quote degli enti del progetto superano il 100%."


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def enti(visconteo):
    return {
        "asst": EnteFactory(ambito=visconteo, nome="ASST di prova", tipo="asst"),
        "aler": EnteFactory(ambito=visconteo, nome="Azienda casa di prova", tipo="azienda"),
        "ets": EnteFactory(ambito=visconteo, nome="Associazione di prova", tipo="ets"),
        "comune": EnteFactory(ambito=visconteo, nome="Comune di Rozzano (ente)", tipo="comune"),
    }


@pytest.fixture
def progetto(visconteo):
    return ProgettoFactory(ambito=visconteo, titolo="Housing First")


def test_several_bodies_with_roles_through_the_api(api, ufficio_piano, progetto, enti):
    client = api(ufficio_piano)
    righe = [
        ("asst", "partner", None, "20.00"),
        ("aler", "soggetto_attuatore", "120000.50", "45.00"),
        ("ets", "partner", "15000.25", None),
        ("comune", "cofinanziatore", "30000.00", "35.00"),
    ]
    for chiave, ruolo, importo, quota in righe:
        r = client.post(
            "/api/v1/partner-progetto/",
            {
                "progetto": progetto.pk,
                "ente": enti[chiave].pk,
                "ruolo": ruolo,
                "importo": importo,
                "quota": quota,
            },
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
    dati = client.get("/api/v1/partner-progetto/", {"progetto": progetto.pk}).json()
    assert dati["count"] == 4
    assert {(d["ente_nome"], d["ruolo_display"]) for d in dati["results"]} == {
        ("ASST di prova", "Partner"),
        ("Azienda casa di prova", "Soggetto attuatore"),
        ("Associazione di prova", "Partner"),
        ("Comune di Rozzano (ente)", "Co-finanziatore"),
    }
    pagina = client.get(reverse("fondi:progetto_detail", args=[progetto.pk]))
    assert pagina.context["somme_partner_enti"] == {
        "importo": Decimal("165000.75"),
        "quota": Decimal("100.00"),
    }
    assert "Azienda casa di prova" in pagina.content.decode()


def test_share_over_100_refused_single_and_summed(api, ufficio_piano, progetto, enti):
    client = api(ufficio_piano)
    url = "/api/v1/partner-progetto/"
    dati = {"progetto": progetto.pk, "ente": enti["asst"].pk, "ruolo": "partner"}
    r = client.post(url, dati | {"quota": "100.01"}, content_type="application/json")
    assert r.status_code == 400
    assert errori(r) == {"quota": [MSG_QUOTA]}
    r = client.post(url, dati | {"quota": "70"}, content_type="application/json")
    assert r.status_code == 201
    dati = {"progetto": progetto.pk, "ente": enti["ets"].pk, "ruolo": "partner"}
    r = client.post(url, dati | {"quota": "30.01"}, content_type="application/json")
    assert r.status_code == 400
    assert errori(r) == {"quota": [MSG_SOMMA]}
    assert PartnerProgetto.objects.filter(progetto=progetto).count() == 1


def test_bodies_through_the_pages(as_user, ufficio_piano, progetto, enti):
    client = as_user(ufficio_piano)
    url = reverse("fondi:partner_progetto_create", args=[progetto.pk])
    r = client.post(
        url,
        {
            "ente": enti["aler"].pk,
            "ruolo": "soggetto_attuatore",
            "importo": "120.000,50",
            "quota": "60",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    r = client.post(
        url, {"ente": enti["ets"].pk, "ruolo": "partner", "importo": "", "quota": "40,01"}
    )
    assert r.status_code == 200
    assert r.context["form"].errors["quota"] == [MSG_SOMMA]
    r = client.post(
        url, {"ente": enti["ets"].pk, "ruolo": "partner", "importo": "", "quota": "101"}
    )
    assert r.context["form"].errors["quota"] == [MSG_QUOTA]
    assert PartnerProgetto.objects.filter(progetto=progetto).count() == 1
    riga = PartnerProgetto.objects.get(progetto=progetto)
    assert riga.importo == Decimal("120000.50")
    r = client.post(
        reverse("fondi:partner_progetto_update", args=[riga.pk]),
        {"ente": enti["aler"].pk, "ruolo": "capofila", "importo": "120.000,50", "quota": "100"},
    )
    assert r.status_code == 302, r.context["form"].errors
    riga.refresh_from_db()
    assert (riga.ruolo, riga.quota) == ("capofila", Decimal("100.00"))


def test_other_ambito_gets_404_and_revisore_403(api, ufficio_piano_altro, revisore, progetto, enti):
    riga = PartnerProgetto.objects.create(progetto=progetto, ente=enti["asst"], ruolo="partner")
    client = api(ufficio_piano_altro)
    assert client.get(f"/api/v1/partner-progetto/{riga.pk}/").status_code == 404
    assert client.get(reverse("fondi:partner_progetto_update", args=[riga.pk])).status_code == 404
    client = api(revisore)
    assert client.get(f"/api/v1/partner-progetto/{riga.pk}/").status_code == 200
    r = client.patch(
        f"/api/v1/partner-progetto/{riga.pk}/", {"quota": "5"}, content_type="application/json"
    )
    assert r.status_code == 403


@pytest.mark.parametrize("numero", [1, 10])
def test_partner_list_has_bounded_queries(
    api, ufficio_piano, visconteo, enti, django_assert_max_num_queries, numero
):
    for _ in range(numero):
        progetto = ProgettoFactory(ambito=visconteo)
        for ente in enti.values():
            PartnerProgetto.objects.create(progetto=progetto, ente=ente, ruolo="partner")
    client = api(ufficio_piano)
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/partner-progetto/")
    assert r.json()["count"] == 4 * numero
