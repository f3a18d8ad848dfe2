"""Unità d'offerta: the fixture of § 3.1-3.2, the summary, places per 1.000 residents,
the data check, the forms and the API."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from ambito.models import Comune
from servizi import selectors
from servizi.models import DatoStampatoUnita, TipoUnitaOfferta, UnitaOfferta
from tests.problemi import errori


@pytest.fixture
def sistema(django_user_model):
    return django_user_model(is_superuser=True, is_active=True)


def test_nursery_places_total_1037_as_the_piano_prints(visconteo, ufficio_piano):
    unita = UnitaOfferta.objects.filter(ambito=visconteo, tipo__codice="asilo-nido")
    riepilogo = selectors.riepilogo_unita(fetched_by=ufficio_piano, unita=unita)
    [natura] = riepilogo["nature"]
    [area] = natura["aree"]
    [nidi] = area.tipi
    assert (nidi["unita"], nidi["posti"]) == (29, 1037)
    # Rozzano: 60+60+22+44+48+28+40, as the Piano's "CAPIENZA TOT." column.
    rozzano = unita.filter(comune__nome="Rozzano")
    assert sum(u.posti for u in rozzano) == 302


def test_count_by_area_matches_the_units_loaded(visconteo, ufficio_piano):
    riepilogo = selectors.riepilogo_unita(
        fetched_by=ufficio_piano, unita=UnitaOfferta.objects.filter(ambito=visconteo)
    )
    per_area = {
        (n["natura"], a.area): a.totale["unita"] for n in riepilogo["nature"] for a in n["aree"]
    }
    for (natura, area), count in per_area.items():
        assert (
            count
            == UnitaOfferta.objects.filter(ambito=visconteo, area=area, tipo__natura=natura).count()
        )
    assert per_area[("sociale", "prima_infanzia")] == 39
    assert per_area[("sociale", "minori")] == 40
    assert per_area[("sociale", "disabilita")] == 16  # the Piano prints 18
    assert per_area[("sociale", "anziani")] == 14
    assert riepilogo["totale"]["unita"] == UnitaOfferta.objects.filter(ambito=visconteo).count()


def test_data_check_lists_each_mismatch_and_none_where_figures_agree(visconteo, sistema):
    verifiche = selectors.verifica_unita(fetched_by=sistema, ambito=visconteo)
    assert len(verifiche) == DatoStampatoUnita.objects.filter(ambito=visconteo).count()
    differiscono = [v for v in verifiche if v.esito == selectors.DIFFERISCE]
    assert [(v.descrizione, v.stampato, v.calcolato) for v in differiscono] == [
        ("Numero di unità · sociale · area Persone con disabilità", 18, 16)
    ]
    posti = {v.descrizione: v for v in verifiche if v.descrizione.startswith("Posti")}
    assert posti["Posti · Asilo Nido"].esito == selectors.CONCORDA
    assert posti["Posti · Asilo Nido · Rozzano"].calcolato == 302
    # Public/private of the two mixed types cannot be checked unit by unit.
    incerte = {v.descrizione for v in verifiche if v.esito == selectors.NON_VERIFICABILE}
    assert "Unità pubbliche · Asilo Nido" in incerte


def test_data_check_reports_a_new_mismatch(visconteo, sistema, rozzano):
    unita = UnitaOfferta.objects.get(nome="Nido Alice")
    unita.posti = 50  # the Piano says 48
    unita.save()
    verifiche = selectors.verifica_unita(fetched_by=sistema, ambito=visconteo)
    nuove = {v.descrizione: v for v in verifiche if v.esito == selectors.DIFFERISCE}
    assert nuove["Posti · Asilo Nido"].calcolato == 1039
    assert nuove["Posti · Asilo Nido · Rozzano"].differenza == 2


def test_data_check_command_prints_the_mismatches(visconteo, capsys):
    call_command("verifica_piano")
    out = capsys.readouterr().out
    assert "area Persone con disabilità: stampato 18, calcolato 16" in out
    assert "Posti · Asilo Nido:" not in out  # agrees: listed only with --tutti


def test_places_per_thousand_residents_use_the_territory_population(visconteo, ufficio_piano):
    dati = selectors.posti_per_comune(fetched_by=ufficio_piano, ambito=visconteo)
    assert dati["anno"] == 2023
    rozzano = next(r for r in dati["righe"] if r["comune"].nome == "Rozzano")
    posti = sum(
        u.posti or 0 for u in UnitaOfferta.objects.filter(ambito=visconteo, comune__nome="Rozzano")
    )
    residenti = rozzano["residenti"]
    assert rozzano["posti"] == posti
    expected = (Decimal(posti) * 1000 / Decimal(residenti)).quantize(Decimal("0.01"))
    assert rozzano["per_mille"] == expected
    assert dati["totale"]["residenti"] == 124421
    totale = sum(u.posti or 0 for u in UnitaOfferta.objects.filter(ambito=visconteo))
    assert dati["totale"]["posti"] == totale


def test_operator_sees_his_comune_row_and_the_ambito_total(visconteo, operatore_rozzano):
    dati = selectors.posti_per_comune(fetched_by=operatore_rozzano, ambito=visconteo)
    assert [r["comune"].nome for r in dati["righe"]] == ["Rozzano"]
    assert dati["totale"]["residenti"] == 124421


@pytest.mark.parametrize(
    "url", ["servizi:unita_list", "servizi:unita_riepilogo", "servizi:verifica"]
)
def test_pages_show_the_computed_figures(as_user, revisore, url):
    html = as_user(revisore).get(reverse(url)).content.decode()
    if url == "servizi:verifica":
        assert "Differisce" in html and "Persone con disabilità" in html
    else:
        assert "1.037" in html  # nursery places, computed


def test_unit_list_filters(as_user, ufficio_piano, rozzano):
    tipo = TipoUnitaOfferta.objects.get(codice="asilo-nido")
    response = as_user(ufficio_piano).get(
        reverse("servizi:unita_list"), {"tipo": tipo.pk, "comune": rozzano.pk}
    )
    assert response.context["paginator"].count == 7
    response = as_user(ufficio_piano).get(reverse("servizi:unita_list"), {"gestione": "privata"})
    assert all(u.gestione == "privata" for u in response.context["object_list"])


def _dati_form(visconteo, **override):
    tipo = TipoUnitaOfferta.objects.get(codice="centro-socio-educativo")
    comune = Comune.objects.get(nome="Opera")
    return {
        "ambito": visconteo.pk,
        "area": "disabilita",
        "tipo": tipo.pk,
        "nome": "CSE Nuovo",
        "comune": comune.pk,
        "posti": "20",
        "gestione": "pubblica",
        **override,
    }


def test_ufficio_di_piano_adds_a_unit_and_totals_follow(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    response = client.post(reverse("servizi:unita_create"), _dati_form(visconteo))
    assert response.status_code == 302
    riepilogo = selectors.riepilogo_unita(
        fetched_by=ufficio_piano,
        unita=UnitaOfferta.objects.filter(tipo__codice="centro-socio-educativo"),
    )
    assert riepilogo["totale"]["posti"] == 21 + 20 + 20


@pytest.mark.parametrize(
    ("override", "campo", "messaggio"),
    [
        ({"posti": "-3"}, "posti", "maggiore o uguale a 0"),
        ({"comune": "999999"}, "comune", "Scegli un'opzione valida"),
        ({"area": "anziani"}, "tipo", "appartiene all'area Persone con disabilità"),
        ({"nome": ""}, "nome", "obbligatorio"),
    ],
)
def test_bad_input_gets_an_italian_message_and_saves_nothing(
    as_user, ufficio_piano, visconteo, override, campo, messaggio
):
    prima = UnitaOfferta.objects.count()
    response = as_user(ufficio_piano).post(
        reverse("servizi:unita_create"), _dati_form(visconteo, **override)
    )
    assert response.status_code == 200
    assert messaggio in " ".join(response.context["form"].errors[campo])
    assert UnitaOfferta.objects.count() == prima


def test_comune_of_another_ambito_is_refused(as_user, ufficio_piano, visconteo, altro_ambito):
    lodi = Comune.objects.get(nome="Lodi")
    response = as_user(ufficio_piano).post(
        reverse("servizi:unita_create"), _dati_form(visconteo, comune=lodi.pk)
    )
    assert response.status_code == 200
    assert "comune" in response.context["form"].errors


@pytest.mark.parametrize("fixture", ["operatore_rozzano", "revisore"])
def test_operators_and_auditors_read_only(request, as_user, fixture, visconteo):
    client = as_user(request.getfixturevalue(fixture))
    assert client.get(reverse("servizi:unita_list")).status_code == 200
    assert client.post(reverse("servizi:unita_create"), _dati_form(visconteo)).status_code == 403
    unita = UnitaOfferta.objects.filter(ambito=visconteo).first()
    assert client.get(reverse("servizi:unita_update", args=[unita.pk])).status_code == 403


def test_out_of_scope_unit_is_404(as_user, ufficio_piano_altro, visconteo):
    unita = UnitaOfferta.objects.filter(ambito=visconteo).first()
    client = as_user(ufficio_piano_altro)
    assert client.get(reverse("servizi:unita_update", args=[unita.pk])).status_code == 404
    assert client.get(reverse("unitaofferta-detail", args=[unita.pk])).status_code == 404


def _molte_unita(visconteo, n):
    tipo = TipoUnitaOfferta.objects.get(codice="asilo-nido")
    comuni = list(Comune.objects.filter(ambito=visconteo))
    UnitaOfferta.objects.bulk_create(
        UnitaOfferta(
            ambito=visconteo,
            area=tipo.area,
            tipo=tipo,
            nome=f"Nido {i}",
            comune=comuni[i % 11],
            posti=10,
        )
        for i in range(n)
    )


@pytest.mark.parametrize("n", [0, 300])
@pytest.mark.parametrize(
    "url", ["servizi:unita_list", "servizi:unita_riepilogo", "servizi:verifica", "servizi:index"]
)
def test_query_count_does_not_grow_with_the_rows(
    as_user, ufficio_piano, visconteo, django_assert_max_num_queries, n, url
):
    _molte_unita(visconteo, n)
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(16):
        assert client.get(reverse(url)).status_code == 200


def test_api_units_write_through_the_service(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    url = reverse("unitaofferta-list")
    dati = _dati_form(visconteo, posti=-1)
    response = client.post(url, dati, content_type="application/json")
    assert response.status_code == 400
    assert "maggiore o uguale a 0" in str(errori(response)["posti"])
    response = client.post(url, _dati_form(visconteo, posti=20), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert UnitaOfferta.objects.get(pk=response.json()["id"]).posti == 20


def test_api_aggregates_equal_the_page(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    riepilogo = client.get(reverse("servizi-unita-riepilogo")).json()
    nidi = next(r for r in riepilogo["righe"] if r["tipo_nome"] == "Asilo Nido")
    assert (nidi["unita"], nidi["posti"]) == (29, 1037)
    posti = client.get(reverse("servizi-posti"), {"ambito": visconteo.pk}).json()
    pagina = selectors.posti_per_comune(fetched_by=ufficio_piano, ambito=visconteo)
    assert posti["ambito"]["posti"] == pagina["totale"]["posti"]
    assert Decimal(posti["ambito"]["posti_per_mille"]) == pagina["totale"]["per_mille"]


def test_places_per_thousand_take_the_nearest_population_year(visconteo, ufficio_piano):
    """A year without residents uses the reference population of every other page:
    the latest earlier year, else the earliest later one (not always the latest)."""
    prima = selectors.posti_per_comune(fetched_by=ufficio_piano, ambito=visconteo, anno=2019)
    assert (prima["anno"], prima["totale"]["residenti"]) == (2021, 124835)
    dopo = selectors.posti_per_comune(fetched_by=ufficio_piano, ambito=visconteo, anno=2030)
    assert (dopo["anno"], dopo["totale"]["residenti"]) == (2023, 124421)
