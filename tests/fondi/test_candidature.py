"""Joint candidatures to a PNRR notice: entered through the API and the pages, totals
per candidature, per investment, per source and per Ambito to the cent, the decree's
printed total checked against the computed one, scoping and bounded queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ambito.choices import Ruolo
from fondi.models import Candidatura, LineaCandidatura, PartecipazioneCandidatura
from tests.factories import AmbitoFactory, EnteFactory, user_with_role
from tests.problemi import errori

from .factories import ProgettoFactory, linea

MSG_QUOTA = "La quota non può superare il 100%."
MSG_SOMMA = (
    "Con questa quota le quote degli Ambiti partner superano il 100% del totale della candidatura."
)

# Avviso 1/2022: four investments, the decree's total, one amount not known at first.
IMPORTI = {
    "PNRR-M5C2-1.1.1": "246000.00",
    "PNRR-M5C2-1.1.2": None,  # the split is not in the public documents (yet)
    "PNRR-M5C2-1.1.3": "330000.00",
    "PNRR-M5C2-1.2": "211500.00",
}
IMPORTO_112 = "165000.00"
TOTALE_DECRETO = "952500.00"


@pytest.fixture
def api(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def terzo_ambito(db):
    return AmbitoFactory(nome="Ambito di Pavia", codice="pavia")


@pytest.fixture
def azienda_consortile(visconteo):
    return EnteFactory(ambito=visconteo, nome="Azienda Consortile Visconteo", tipo="azienda")


def _crea_via_api(client, visconteo, ente, partner):
    """The whole candidature through the API; returns its id and the ids of its rows."""
    risposta = _post(
        client,
        "/api/v1/candidature/",
        {
            "avviso": "PNRR Avviso pubblico 1/2022",
            "titolo": "Domanda congiunta Missione 5",
            "ambito": visconteo.pk,
            "ente_capofila": ente.pk,
            "data_presentazione": "2022-03-31",
            "decreto": "Decreto direttoriale n. 98 del 9/5/2022",
            "totale_decreto": TOTALE_DECRETO,
        },
    )
    assert risposta.status_code == 201, risposta.content
    pk = risposta.json()["id"]
    for ambito, quota in partner:
        r = _post(
            client,
            "/api/v1/partecipazioni-candidatura/",
            {"candidatura": pk, "ambito": ambito.pk, "quota": quota},
        )
        assert r.status_code == 201, r.content
    righe = {}
    for codice, importo in IMPORTI.items():
        progetto = ProgettoFactory(ambito=visconteo, linea=linea(codice), titolo=f"Prog {codice}")
        r = _post(
            client,
            "/api/v1/linee-candidatura/",
            {
                "candidatura": pk,
                "linea": linea(codice).pk,
                "importo": importo,
                "progetto": progetto.pk,
                "esito": "ammesso",
            },
        )
        assert r.status_code == 201, r.content
        righe[codice] = r.json()["id"]
    return pk, righe


def test_joint_candidature_through_the_api_totals_to_the_cent(
    api, ufficio_piano, visconteo, altro_ambito, terzo_ambito, azienda_consortile
):
    client = api(ufficio_piano)
    pk, righe = _crea_via_api(
        client,
        visconteo,
        azienda_consortile,
        [(altro_ambito, "33.33"), (terzo_ambito, "25.50")],
    )
    dati = client.get(f"/api/v1/candidature/{pk}/").json()
    # One amount is missing: the computed total falls short of the decree's, flagged.
    assert dati["totale_calcolato"] == "787500.00"
    assert dati["totale_decreto"] == TOTALE_DECRETO
    assert dati["differenza_decreto"] == "165000.00"
    assert dati["discordanza_decreto"] is True
    assert dati["linee_senza_importo"] == 1
    assert (dati["numero_linee"], dati["numero_partner"]) == (4, 2)

    r = _patch(
        client, f"/api/v1/linee-candidatura/{righe['PNRR-M5C2-1.1.2']}/", {"importo": IMPORTO_112}
    )
    assert r.status_code == 200, r.content
    dati = client.get(f"/api/v1/candidature/{pk}/").json()
    assert dati["totale_calcolato"] == TOTALE_DECRETO
    assert dati["differenza_decreto"] == "0.00"
    assert dati["discordanza_decreto"] is False

    totali = client.get(f"/api/v1/candidature/{pk}/totali/").json()
    assert [(f["fonte_codice"], f["totale"], f["investimenti"]) for f in totali["per_fonte"]] == [
        ("PNRR", TOTALE_DECRETO, 4)
    ]
    assert [
        (a["ambito_nome"], a["ruolo"], a["quota"], a["importo"]) for a in totali["per_ambito"]
    ] == [
        (visconteo.nome, "capofila", "41.17", "392144.25"),
        ("Ambito di Lodi", "partner", "33.33", "317468.25"),
        ("Ambito di Pavia", "partner", "25.50", "242887.50"),
    ]
    assert sum(Decimal(a["importo"]) for a in totali["per_ambito"]) == Decimal(TOTALE_DECRETO)
    assert [(r["linea_codice"], r["importo"]) for r in totali["linee"]] == [
        ("PNRR-M5C2-1.1.1", "246000.00"),
        ("PNRR-M5C2-1.1.2", "165000.00"),
        ("PNRR-M5C2-1.1.3", "330000.00"),
        ("PNRR-M5C2-1.2", "211500.00"),
    ]


def test_each_investment_has_its_own_outcome_and_project_cup(
    api, ufficio_piano, visconteo, azienda_consortile
):
    client = api(ufficio_piano)
    pk, righe = _crea_via_api(client, visconteo, azienda_consortile, [])
    r = _patch(
        client,
        f"/api/v1/linee-candidatura/{righe['PNRR-M5C2-1.2']}/",
        {"esito": "idoneo_non_finanziato", "nota_esito": "Finanziato con fondi FSE+ regionali"},
    )
    assert r.status_code == 200
    assert r.json()["esito_display"] == "Idoneo non finanziato"
    riga = LineaCandidatura.objects.get(pk=righe["PNRR-M5C2-1.1.1"])
    riga.progetto.cup = "B49J22000130006"
    riga.progetto.save()
    linee = {
        r["linea_codice"]: r
        for r in client.get(f"/api/v1/candidature/{pk}/totali/").json()["linee"]
    }
    assert linee["PNRR-M5C2-1.1.1"]["cup"] == "B49J22000130006"
    assert linee["PNRR-M5C2-1.2"]["nota_esito"] == "Finanziato con fondi FSE+ regionali"
    # Across candidatures: per line, the admitted amount leaves out the non-admitted one.
    pagina = client.get(reverse("fondi:candidatura_list"))
    per_linea = {r["linea_codice"]: r for r in pagina.context["per_linea"]}
    assert per_linea["PNRR-M5C2-1.2"]["totale"] == Decimal("211500.00")
    assert per_linea["PNRR-M5C2-1.2"]["ammesso"] == Decimal("0.00")
    [fonte] = pagina.context["per_fonte"]
    assert (fonte["totale"], fonte["ammesso"]) == (Decimal("787500.00"), Decimal("576000.00"))


def test_partner_share_over_100_is_refused_next_to_the_field(
    api, ufficio_piano, visconteo, altro_ambito, terzo_ambito, azienda_consortile
):
    client = api(ufficio_piano)
    pk, _righe = _crea_via_api(client, visconteo, azienda_consortile, [(altro_ambito, "60.00")])
    r = _post(
        client,
        "/api/v1/partecipazioni-candidatura/",
        {"candidatura": pk, "ambito": terzo_ambito.pk, "quota": "150.00"},
    )
    assert r.status_code == 400
    assert errori(r) == {"quota": [MSG_QUOTA]}
    r = _post(
        client,
        "/api/v1/partecipazioni-candidatura/",
        {"candidatura": pk, "ambito": terzo_ambito.pk, "quota": "40.01"},
    )
    assert r.status_code == 400
    assert errori(r) == {"quota": [MSG_SOMMA]}
    assert PartecipazioneCandidatura.objects.filter(candidatura_id=pk).count() == 1


def test_bad_candidature_input_gets_italian_messages(
    api, ufficio_piano, visconteo, altro_ambito, azienda_consortile
):
    client = api(ufficio_piano)
    pk, _righe = _crea_via_api(client, visconteo, azienda_consortile, [])
    r = _post(
        client,
        "/api/v1/linee-candidatura/",
        {"candidatura": pk, "linea": linea("PNRR-M5C2-1.1.1").pk, "importo": "-5.00"},
    )
    assert r.status_code == 400
    assert errori(r)["importo"] == ["L'importo non può essere negativo."]
    assert "La candidatura comprende già questo investimento" in errori(r)["linea"][0]
    r = _post(
        client,
        "/api/v1/partecipazioni-candidatura/",
        {"candidatura": pk, "ambito": visconteo.pk, "quota": "10"},
    )
    assert errori(r) == {
        "ambito": ["L'Ambito capofila non può essere anche partner della candidatura."]
    }
    ente_altrui = EnteFactory(ambito=visconteo, nome="Comune capofila")
    ente_altrui.ambito = altro_ambito
    ente_altrui.save()
    r = _patch(client, f"/api/v1/candidature/{pk}/", {"totale_decreto": "-1.00"})
    assert errori(r) == {"totale_decreto": ["L'importo non può essere negativo."]}
    assert Candidatura.objects.get(pk=pk).totale_decreto == Decimal(TOTALE_DECRETO)


def test_candidature_through_the_pages(
    as_user, ufficio_piano, visconteo, altro_ambito, terzo_ambito, azienda_consortile
):
    client = as_user(ufficio_piano)
    r = client.post(
        reverse("fondi:candidatura_create"),
        {
            "avviso": "PNRR Avviso pubblico 1/2022",
            "titolo": "Domanda congiunta",
            "ambito": visconteo.pk,
            "ente_capofila": azienda_consortile.pk,
            "data_presentazione": "2022-03-31",
            "decreto": "Decreto n. 98",
            "totale_decreto": "952.500,00",
            "nota": "",
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    candidatura = Candidatura.objects.get(titolo="Domanda congiunta")
    for ambito, quota in [(altro_ambito, "33,33"), (terzo_ambito, "25,5")]:
        r = client.post(
            reverse("fondi:partecipazione_create", args=[candidatura.pk]),
            {"ambito": ambito.pk, "quota": quota},
        )
        assert r.status_code == 302, r.context["form"].errors
    for codice, importo in IMPORTI.items():
        r = client.post(
            reverse("fondi:linea_candidatura_create", args=[candidatura.pk]),
            {
                "linea": linea(codice).pk,
                "importo": importo.replace(".", ",") if importo else "",
                "esito": "ammesso",
                "nota_esito": "",
                "progetto": "",
            },
        )
        assert r.status_code == 302, r.context["form"].errors
    pagina = client.get(reverse("fondi:candidatura_detail", args=[candidatura.pk]))
    assert pagina.context["object"].totale_calcolato == Decimal("787500.00")
    assert pagina.context["object"].discordanza_decreto is True
    assert 'id="discordanza-decreto"' in pagina.content.decode()

    riga = candidatura.linee.get(linea__codice="PNRR-M5C2-1.1.2")
    r = client.post(
        reverse("fondi:linea_candidatura_update", args=[riga.pk]),
        {"linea": riga.linea_id, "importo": "165.000,00", "esito": "ammesso", "nota_esito": ""},
    )
    assert r.status_code == 302, r.context["form"].errors
    pagina = client.get(reverse("fondi:candidatura_detail", args=[candidatura.pk]))
    assert pagina.context["object"].totale_calcolato == Decimal(TOTALE_DECRETO)
    assert pagina.context["object"].discordanza_decreto is False
    assert 'id="discordanza-decreto"' not in pagina.content.decode()
    assert [(r["ruolo"], r["quota"], r["importo"]) for r in pagina.context["per_ambito"]] == [
        ("capofila", Decimal("41.17"), Decimal("392144.25")),
        ("partner", Decimal("33.33"), Decimal("317468.25")),
        ("partner", Decimal("25.50"), Decimal("242887.50")),
    ]

    # A share over 100% on the page: the message next to the field, nothing saved.
    partecipazione = candidatura.partecipazioni.get(ambito=altro_ambito)
    r = client.post(
        reverse("fondi:partecipazione_update", args=[partecipazione.pk]),
        {"ambito": altro_ambito.pk, "quota": "120"},
    )
    assert r.status_code == 200
    assert r.context["form"].errors["quota"] == [MSG_QUOTA]
    r = client.post(
        reverse("fondi:partecipazione_update", args=[partecipazione.pk]),
        {"ambito": altro_ambito.pk, "quota": "80"},
    )
    assert r.context["form"].errors["quota"] == [MSG_SOMMA]
    partecipazione.refresh_from_db()
    assert partecipazione.quota == Decimal("33.33")


def test_partner_ambito_reads_the_candidature_and_others_get_404(
    api, ufficio_piano, visconteo, altro_ambito, terzo_ambito, azienda_consortile
):
    pk, righe = _crea_via_api(
        api(ufficio_piano), visconteo, azienda_consortile, [(altro_ambito, "30")]
    )
    partner = user_with_role(Ruolo.UFFICIO_PIANO, altro_ambito, username="udp.partner")
    estraneo = user_with_role(Ruolo.UFFICIO_PIANO, terzo_ambito, username="udp.estraneo")
    client = api(partner)
    assert client.get(f"/api/v1/candidature/{pk}/").status_code == 200
    assert client.get(reverse("fondi:candidatura_detail", args=[pk])).status_code == 200
    # A partner reads, the capofila writes.
    assert _patch(client, f"/api/v1/candidature/{pk}/", {"titolo": "x"}).status_code == 403
    riga = righe["PNRR-M5C2-1.1.1"]
    assert client.get(reverse("fondi:linea_candidatura_update", args=[riga])).status_code == 403
    client = api(estraneo)
    assert client.get(f"/api/v1/candidature/{pk}/").status_code == 404
    assert client.get(f"/api/v1/linee-candidatura/{riga}/").status_code == 404
    assert client.get(reverse("fondi:candidatura_detail", args=[pk])).status_code == 404
    assert client.get("/api/v1/candidature/").json()["count"] == 0


@pytest.mark.parametrize("numero", [1, 8])
def test_candidature_lists_have_bounded_queries(
    api, ufficio_piano, visconteo, altro_ambito, django_assert_max_num_queries, numero
):
    for n in range(numero):
        candidatura = Candidatura.objects.create(
            avviso="Avviso 1/2022", titolo=f"Domanda {n}", ambito=visconteo
        )
        PartecipazioneCandidatura.objects.create(
            candidatura=candidatura, ambito=altro_ambito, quota=Decimal("10")
        )
        for codice in ("PNRR-M5C2-1.1.1", "PNRR-M5C2-1.2"):
            LineaCandidatura.objects.create(
                candidatura=candidatura, linea=linea(codice), importo=Decimal("1000.50")
            )
    client = api(ufficio_piano)
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/candidature/")
    assert r.json()["count"] == numero
    with django_assert_max_num_queries(8):
        r = client.get("/api/v1/linee-candidatura/")
    assert r.json()["count"] == 2 * numero
    with django_assert_max_num_queries(15):
        r = client.get(reverse("fondi:candidatura_list"))
    assert r.status_code == 200
    assert r.context["per_fonte"][0]["totale"] == Decimal("2001.00") * numero
