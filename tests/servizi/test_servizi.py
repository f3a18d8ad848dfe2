"""Services and measures of § 4.4-4.5: catalogue, yearly figures as numbers, calls with
resources summed from their quote, forms and API."""

from decimal import Decimal

import pytest
from django.urls import reverse

from servizi import selectors
from servizi.models import Avviso, DatoAnnuale, Servizio


@pytest.fixture
def pis(visconteo):
    return Servizio.objects.get(ambito=visconteo, nome="Pronto Intervento Sociale")


@pytest.fixture
def locazione(visconteo):
    return Servizio.objects.get(
        ambito=visconteo, nome__startswith="Misura di sostegno alla locazione"
    )


def test_pis_2023_interventions_by_comune_sum_to_the_printed_15(pis, ufficio_piano):
    serie = {
        s.grandezza.codice: s
        for s in selectors.servizio_grandezze(fetched_by=ufficio_piano, servizio=pis)
    }
    interventi = next(s for s in serie.values() if 2023 in s.stampati and s.stampati[2023] == 15)
    per_comune = {r["etichetta"]: r["valori"][2023] for r in interventi.righe}
    assert per_comune["Rozzano"] == 11 and per_comune["Opera"] == 2
    assert interventi.totali[2023] == 15
    assert interventi.discordanze() == {}


def test_b2_beneficiaries_by_category(visconteo):
    righe = DatoAnnuale.objects.filter(
        grandezza__servizio__nome="Misura B2",
        anno=2023,
        categoria__in=["anziani", "disabili", "minori"],
    )
    assert {r.categoria: r.valore for r in righe} == {
        "anziani": Decimal(33),
        "disabili": Decimal(53),
        "minori": Decimal(73),
    }


def test_misura_unica_calls_4_5_6_with_resources_from_their_quote(locazione, ufficio_piano):
    avvisi = {
        a.numero: a
        for a in selectors.avvisi_con_risorse(
            fetched_by=ufficio_piano, avvisi=Avviso.objects.filter(servizio=locazione)
        )
    }
    assert sorted(avvisi) == [4, 5, 6]
    assert avvisi[4].risorse_erogate == Decimal("410535.97")  # 381.265,27 + 29.270,70
    assert avvisi[4].domande_finanziate == 237
    assert avvisi[5].riferimento == "D.G.R. n. 6970/2022"
    assert avvisi[5].risorse_erogate == Decimal("588150.00")
    assert (avvisi[6].domande_finanziate, avvisi[6].domande_in_attesa) == (187, 225)


def test_indicator_of_the_piano_is_linked_to_its_service(visconteo):
    b2 = Servizio.objects.get(ambito=visconteo, nome="Misura B2")
    assert b2.indicatori.filter(codice="SRV.B2").exists()


def test_catalogue_groups_by_area_and_filters(as_user, revisore, visconteo):
    client = as_user(revisore)
    response = client.get(reverse("servizi:index"))
    aree = [area.ordine for area, _servizi in response.context["per_area"]]
    assert aree == sorted(aree)
    assert (
        sum(len(s) for _a, s in response.context["per_area"])
        == Servizio.objects.filter(ambito=visconteo).count()
    )
    response = client.get(reverse("servizi:index"), {"tipo": "misura"})
    servizi = [s for _a, lista in response.context["per_area"] for s in lista]
    assert servizi and all(s.tipo == "misura" for s in servizi)


def test_service_page_shows_figures_lines_and_calls(as_user, operatore_rozzano, locazione, pis):
    client = as_user(operatore_rozzano)
    html = client.get(reverse("servizi:servizio_detail", args=[pis.pk])).content.decode()
    assert "Pronto Intervento Sociale" in html and "Totale (calcolato)" in html
    html = client.get(reverse("servizi:servizio_detail", args=[locazione.pk])).content.decode()
    assert "€ 410.535,97" in html and "D.G.R. n. 6970/2022" in html


def test_out_of_scope_service_is_404(as_user, ufficio_piano_altro, pis):
    client = as_user(ufficio_piano_altro)
    assert client.get(reverse("servizi:servizio_detail", args=[pis.pk])).status_code == 404
    assert client.get(reverse("servizio-detail", args=[pis.pk])).status_code == 404


def test_yearly_value_form_rejects_negative_and_duplicates(as_user, ufficio_piano, pis):
    grandezza = pis.grandezze.first()
    client = as_user(ufficio_piano)
    url = reverse("servizi:dato_create", args=[pis.pk])
    prima = DatoAnnuale.objects.count()
    response = client.post(url, {"grandezza": grandezza.pk, "anno": 2024, "valore": "-1"})
    assert "maggiore o uguale a 0" in " ".join(response.context["form"].errors["valore"])
    assert DatoAnnuale.objects.count() == prima
    response = client.post(url, {"grandezza": grandezza.pk, "anno": 2024, "valore": "7"})
    assert response.status_code == 302
    response = client.post(url, {"grandezza": grandezza.pk, "anno": 2024, "valore": "8"})
    assert response.status_code == 200  # the same row twice: refused
    assert DatoAnnuale.objects.count() == prima + 1


def test_call_form_saves_the_call_and_its_quote_together(as_user, ufficio_piano, locazione):
    client = as_user(ufficio_piano)
    url = reverse("servizi:avviso_create", args=[locazione.pk])
    dati = {
        "numero": 7,
        "titolo": "7° Avviso",
        "data_apertura": "2025-03-01",
        "data_chiusura": "2025-02-01",
        "quote-TOTAL_FORMS": "2",
        "quote-INITIAL_FORMS": "0",
        "quote-0-tipo": "erogata",
        "quote-0-importo": "1.000,50",
        "quote-1-tipo": "erogata",
        "quote-1-importo": "",
    }
    response = client.post(url, dati)
    assert response.status_code == 200
    assert "chiusura non può precedere" in " ".join(
        response.context["form"].errors["data_chiusura"]
    )
    assert not Avviso.objects.filter(servizio=locazione, numero=7).exists()
    response = client.post(url, {**dati, "data_chiusura": "2025-04-30"})
    assert response.status_code == 302
    [avviso] = selectors.avvisi_con_risorse(
        fetched_by=ufficio_piano, avvisi=Avviso.objects.filter(servizio=locazione, numero=7)
    )
    assert avviso.risorse_erogate == Decimal("1000.50")


def test_operator_cannot_write_services(as_user, operatore_rozzano, pis):
    client = as_user(operatore_rozzano)
    assert client.get(reverse("servizi:servizio_update", args=[pis.pk])).status_code == 403
    assert client.get(reverse("servizi:dato_create", args=[pis.pk])).status_code == 403


def test_api_lists_services_figures_and_calls(as_user, revisore, locazione):
    client = as_user(revisore)
    servizi = client.get(reverse("servizio-list"), {"tipo": "misura"}).json()
    assert (
        servizi["count"] == Servizio.objects.filter(tipo="misura", ambito=locazione.ambito).count()
    )
    avvisi = client.get(reverse("avviso-list"), {"servizio": locazione.pk}).json()["results"]
    assert [a["numero"] for a in avvisi] == [4, 5, 6]
    assert avvisi[0]["risorse_erogate"] == "410535.97"
    dati = client.get(reverse("datoannuale-list"), {"servizio": locazione.pk, "format": "csv"})
    assert dati.status_code == 200


@pytest.mark.parametrize(
    "url", ["servizio-list", "datoannuale-list", "avviso-list", "unitaofferta-list"]
)
def test_api_lists_run_a_bounded_number_of_queries(
    as_user, ufficio_piano, django_assert_max_num_queries, url
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(url)).status_code == 200


def test_filters_read_tutti_si_no_never_sconosciuto_or_dashes(as_user, ufficio_piano):
    client = as_user(ufficio_piano)
    html = client.get(reverse("servizi:index")).content.decode()
    assert "Sconosciuto" not in html and "---------" not in html
    assert '<option value="true">Sì</option>' in html
    assert '<option value="false">No</option>' in html
    response = client.get(reverse("servizi:index"), {"leps": "false"})
    servizi = list(response.context["object_list"])
    assert servizi and not any(s.leps for s in servizi)
    assert len(servizi) == Servizio.objects.visible_to(ufficio_piano).filter(leps=False).count()
