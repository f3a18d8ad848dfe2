"""Own funds of an Ambito (PON Metro axis, regional FSE+ call, foundation grant): added
by its Ufficio di Piano through the pages and the API, seen only by it and its
partners; the national tree stays reference data that only the superuser changes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fondi.models import FonteFinanziamento, LineaFinanziamento
from tests.problemi import errori

from .factories import FinanziamentoFactory, ProgettoFactory


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def pon_metro(visconteo):
    fonte = FonteFinanziamento.objects.create(
        codice="PONMETRO-VSM", nome="PON Metro 2014-2020", livello="ue", ambito=visconteo
    )
    linea = LineaFinanziamento.objects.create(
        fonte=fonte,
        codice="PONMETRO-VSM-3.1.1",
        nome="Asse 3 - Servizi per l'inclusione",
        ambito=visconteo,
    )
    return fonte, linea


def test_existing_sources_and_lines_stay_national(db):
    assert FonteFinanziamento.objects.filter(ambito__isnull=False).count() == 0
    assert LineaFinanziamento.objects.filter(ambito__isnull=False).count() == 0
    assert FonteFinanziamento.objects.count() == 16


def test_own_source_and_line_through_the_api(api, ufficio_piano, visconteo, ufficio_piano_altro):
    client = api(ufficio_piano)
    r = _post(
        client,
        "/api/v1/fonti/",
        {
            "codice": "FSE-RL-2024",
            "nome": "Avviso regionale FSE+",
            "livello": "regionale",
            "ambito": visconteo.pk,
        },
    )
    assert r.status_code == 201, r.content
    fonte = r.json()["id"]
    r = _post(
        client,
        "/api/v1/linee-finanziamento/",
        {"codice": "FSE-RL-2024-A", "nome": "Azione A", "fonte": fonte},
    )
    assert r.status_code == 201, r.content
    assert r.json()["ambito"] == visconteo.pk
    linea = r.json()["id"]
    progetto = ProgettoFactory(ambito=visconteo)
    r = _post(
        client,
        "/api/v1/finanziamenti-progetto/",
        {"progetto": progetto.pk, "linea": linea, "importo": "48750.35"},
    )
    assert r.status_code == 201, r.content
    totali = client.get("/api/v1/fondi/avanzamento-progetti/").json()
    per_fonte = {f["fonte_codice"]: f["totale"] for f in totali["finanziato_per_fonte"]}
    assert per_fonte["FSE-RL-2024"] == "48750.35"

    # Another Ambito neither sees it nor may use it.
    altro = api(ufficio_piano_altro)
    assert altro.get(f"/api/v1/fonti/{fonte}/").status_code == 404
    assert altro.get(f"/api/v1/linee-finanziamento/{linea}/").status_code == 404
    assert "FSE-RL-2024" not in {
        f["codice"] for f in altro.get("/api/v1/fonti/?page_size=100").json()["results"]
    }
    progetto_altrui = ProgettoFactory(ambito=ufficio_piano_altro.incarichi.get().ambito)
    r = _post(
        altro,
        "/api/v1/finanziamenti-progetto/",
        {"progetto": progetto_altrui.pk, "linea": linea, "importo": "1.00"},
    )
    assert r.status_code == 400
    assert "linea" in errori(r)


def test_partner_ambito_sees_the_own_funds_of_the_lead(
    api, ufficio_piano_altro, visconteo, altro_ambito, pon_metro
):
    fonte, linea = pon_metro
    client = api(ufficio_piano_altro)
    assert client.get(f"/api/v1/fonti/{fonte.pk}/").status_code == 404
    progetto = ProgettoFactory(ambito=visconteo)
    progetto.ambiti_partner.add(altro_ambito)
    FinanziamentoFactory(progetto=progetto, linea=linea, importo=Decimal("10"))
    assert client.get(f"/api/v1/fonti/{fonte.pk}/").status_code == 200
    assert client.get(f"/api/v1/linee-finanziamento/{linea.pk}/").status_code == 200
    # ... but does not change it.
    r = client.patch(f"/api/v1/fonti/{fonte.pk}/", {"nome": "x"}, content_type="application/json")
    assert r.status_code == 403


def test_national_tree_is_the_superusers_only(api, ufficio_piano, visconteo, django_user_model):
    fnps = FonteFinanziamento.objects.get(codice="FNPS")
    client = api(ufficio_piano)
    r = client.patch(f"/api/v1/fonti/{fnps.pk}/", {"nome": "x"}, content_type="application/json")
    assert r.status_code == 403
    r = _post(
        client, "/api/v1/linee-finanziamento/", {"codice": "FNPS-X", "nome": "x", "fonte": fnps.pk}
    )
    assert r.status_code == 400
    assert "fonte" in errori(r)
    assert client.get(reverse("fondi:fonte_update", args=[fnps.pk])).status_code == 403
    superuser = django_user_model.objects.create_superuser("admin.fondi", "a@example.org", "x")
    r = api(superuser).patch(
        f"/api/v1/fonti/{fnps.pk}/",
        {"nome": "Fondo Nazionale Politiche Sociali"},
        content_type="application/json",
    )
    assert r.status_code == 200


def test_own_funds_through_the_pages(as_user, ufficio_piano, visconteo, ufficio_piano_altro):
    client = as_user(ufficio_piano)
    r = client.post(
        reverse("fondi:fonte_create"),
        {
            "ambito": visconteo.pk,
            "codice": "FOND-CARIPLO",
            "nome": "Bando Fondazione Cariplo",
            "livello": "altro",
            "ordine": 200,
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    fonte = FonteFinanziamento.objects.get(codice="FOND-CARIPLO")
    assert fonte.ambito == visconteo
    r = client.post(
        reverse("fondi:linea_create"),
        {
            "fonte": fonte.pk,
            "parent": "",
            "codice": "FOND-CARIPLO-2024",
            "nome": "Welfare in azione",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    assert LineaFinanziamento.objects.get(codice="FOND-CARIPLO-2024").ambito == visconteo
    pagina = client.get(reverse("fondi:fonte_list"))
    assert "Welfare in azione" in pagina.content.decode()
    # Bad input: the message next to the field, nothing saved.
    r = client.post(
        reverse("fondi:fonte_create"),
        {"ambito": "", "codice": "FOND-X", "nome": "X", "livello": "altro", "ordine": 1},
    )
    assert r.status_code == 200
    assert "ambito" in r.context["form"].errors
    assert not FonteFinanziamento.objects.filter(codice="FOND-X").exists()

    altro = as_user(ufficio_piano_altro)
    assert "Welfare in azione" not in altro.get(reverse("fondi:fonte_list")).content.decode()
    assert altro.get(reverse("fondi:fonte_update", args=[fonte.pk])).status_code == 404
    linea = LineaFinanziamento.objects.get(codice="FOND-CARIPLO-2024")
    assert altro.get(reverse("fondi:linea_update", args=[linea.pk])).status_code == 404


def test_the_filters_list_the_sources_and_lines_each_user_reads_compiled(
    rf, pon_metro, visconteo, altro_ambito, ufficio_piano, ufficio_piano_altro, django_user_model
):
    """The choice lists of sources and lines are read by a compiled query for a user of
    some Ambiti: the same options as through the ORM over `visible_to`."""
    from fondi.filtersets import AssegnazioneFilterSet
    from fondi.models import Assegnazione

    progetto = ProgettoFactory(ambito=visconteo)
    progetto.ambiti_partner.add(altro_ambito)  # Lodi reads Visconteo's own funds
    superuser = django_user_model.objects.create_superuser("root.fonti", password="x")
    for user in (ufficio_piano, ufficio_piano_altro, superuser):
        request = rf.get("/fondi/")
        request.user = user
        filtri = AssegnazioneFilterSet(None, queryset=Assegnazione.objects.all(), request=request)
        form = filtri.form
        for nome, proprio in zip(("fonte", "linea"), pon_metro, strict=True):
            campo = form.fields[nome]
            assert (campo.mie is None) == user.is_superuser
            compilate = list(campo.choices)
            campo.mie = None  # through the ORM
            assert compilate == list(campo.choices)
            assert proprio.pk in [valore for valore, _etichetta in compilate]
