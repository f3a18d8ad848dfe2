import pytest
from django.urls import reverse

from ambito.models import Comune, DatiDemografici


def test_anonymous_is_sent_to_login(client, visconteo):
    response = client.get(reverse("ambito:comune_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_ufficio_piano_sees_every_comune_and_the_total(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get(reverse("ambito:comune_list"))
    assert response.status_code == 200
    tabella = response.context["tabelle"][0]
    assert len(tabella["comuni"]) == 11
    html = response.content.decode()
    assert "124.421" in html and "124.835" in html
    assert "Binasco" in html and "Rozzano" in html


def test_revisore_sees_every_comune(as_user, revisore):
    response = as_user(revisore).get(reverse("ambito:comune_list"))
    assert len(response.context["tabelle"][0]["comuni"]) == 11


def test_operatore_sees_his_comune_and_the_ambito_total(as_user, operatore_rozzano):
    response = as_user(operatore_rozzano).get(reverse("ambito:comune_list"))
    tabella = response.context["tabelle"][0]
    assert [c.nome for c in tabella["comuni"]] == ["Rozzano"]
    assert tabella["totali"][2023] == 124_421
    assert "Binasco" not in response.content.decode()


def test_user_of_two_ambiti_sees_each_table_with_its_total(
    as_user, ufficio_piano, visconteo, altro_ambito
):
    from ambito.choices import Ruolo
    from ambito.models import Incarico

    Incarico.objects.create(user=ufficio_piano, ambito=altro_ambito, ruolo=Ruolo.REVISORE)
    lodi = altro_ambito.comuni.get()
    DatiDemografici.objects.create(comune=lodi, anno=2024, residenti=45_000)
    response = as_user(ufficio_piano).get(reverse("ambito:comune_list"))
    tabelle = {t["ambito"].codice: t for t in response.context["tabelle"]}
    assert [c.nome for c in tabelle["lodi"]["comuni"]] == ["Lodi"]
    assert tabelle["lodi"]["totali"] == {2024: 45_000}
    assert len(tabelle[visconteo.codice]["comuni"]) == 11
    assert response.context["anni"] == [2021, 2022, 2023, 2024]


def test_other_ambito_sees_nothing_of_visconteo(as_user, ufficio_piano_altro, rozzano):
    client = as_user(ufficio_piano_altro)
    response = client.get(reverse("ambito:comune_list"))
    assert [t["ambito"].codice for t in response.context["tabelle"]] == ["lodi"]
    assert client.get(reverse("ambito:comune_detail", args=[rozzano.pk])).status_code == 404


@pytest.mark.parametrize(
    "fixture, comune_fixture, status",
    [
        ("operatore_rozzano", "rozzano", 200),
        ("operatore_rozzano", "binasco", 404),
        ("operatore_binasco", "rozzano", 404),
        ("revisore", "binasco", 200),
        ("ufficio_piano", "binasco", 200),
        ("ufficio_piano_altro", "binasco", 404),
    ],
)
def test_comune_page_scope(request, as_user, fixture, comune_fixture, status):
    user = request.getfixturevalue(fixture)
    comune = request.getfixturevalue(comune_fixture)
    url = reverse("ambito:comune_detail", args=[comune.pk])
    assert as_user(user).get(url).status_code == status


@pytest.mark.parametrize(
    "fixture, comune_fixture, status",
    [
        ("ufficio_piano", "binasco", 200),
        ("operatore_rozzano", "binasco", 404),  # outside his scope: 404, ids do not leak
        ("operatore_rozzano", "rozzano", 403),  # his own Comune's registry is the UdP's
        ("revisore", "binasco", 403),
        ("ufficio_piano_altro", "binasco", 404),
    ],
)
def test_comune_edit_page_scope(request, as_user, fixture, comune_fixture, status):
    user = request.getfixturevalue(fixture)
    comune = request.getfixturevalue(comune_fixture)
    url = reverse("ambito:comune_update", args=[comune.pk])
    assert as_user(user).get(url).status_code == status


@pytest.mark.parametrize(
    "fixture, comune_fixture, status",
    [
        ("ufficio_piano", "binasco", 200),
        ("operatore_rozzano", "rozzano", 200),
        ("operatore_rozzano", "binasco", 404),
        ("revisore", "rozzano", 403),
    ],
)
def test_dati_demografici_edit_scope(request, as_user, fixture, comune_fixture, status):
    user = request.getfixturevalue(fixture)
    comune = request.getfixturevalue(comune_fixture)
    dati = DatiDemografici.objects.get(comune=comune, anno=2023)
    url = reverse("ambito:datidemografici_update", args=[dati.pk])
    assert as_user(user).get(url).status_code == status


def test_operatore_updates_his_comune_population(as_user, operatore_rozzano, rozzano):
    dati = DatiDemografici.objects.get(comune=rozzano, anno=2023)
    response = as_user(operatore_rozzano).post(
        reverse("ambito:datidemografici_update", args=[dati.pk]),
        {"anno": 2023, "residenti": 41_400, "fonte": "ISTAT"},
    )
    assert response.status_code == 302
    dati.refresh_from_db()
    assert dati.residenti == 41_400
    assert dati.history.first().history_user == operatore_rozzano


def test_creating_a_comune_is_for_the_ufficio_di_piano(as_user, operatore_rozzano, revisore):
    url = reverse("ambito:comune_create")
    assert as_user(operatore_rozzano).get(url).status_code == 403
    assert as_user(revisore).get(url).status_code == 403


def test_ufficio_piano_creates_a_comune_in_his_ambito_only(
    as_user, ufficio_piano, visconteo, altro_ambito
):
    client = as_user(ufficio_piano)
    response = client.get(reverse("ambito:comune_create"))
    assert list(response.context["form"].fields["ambito"].queryset) == [visconteo]
    response = client.post(
        reverse("ambito:comune_create"),
        {
            "codice_istat": "015146",
            "nome": "Milano",
            "sigla_provincia": "MI",
            "ambito": altro_ambito.pk,
        },
    )
    assert response.status_code == 200
    assert "ambito" in response.context["form"].errors
    assert not Comune.objects.filter(codice_istat="015146").exists()


def test_territorio_page_query_count_is_bounded(
    as_user, ufficio_piano, visconteo, django_assert_max_num_queries
):
    from tests.factories import ComuneFactory, DatiDemograficiFactory

    client = as_user(ufficio_piano)
    # session, user, roles, Comuni, their population, Ambiti, the Ambiti's totals
    with django_assert_max_num_queries(7):
        client.get(reverse("ambito:comune_list"))
    for comune in ComuneFactory.create_batch(200, ambito=visconteo):
        DatiDemograficiFactory(comune=comune, anno=2023)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("ambito:comune_list"))
    assert len(response.context["tabelle"][0]["comuni"]) == 211


def test_ente_list_is_scoped(as_user, ufficio_piano_altro, ufficio_piano):
    assert (
        as_user(ufficio_piano_altro).get(reverse("ambito:ente_list")).context["object_list"].count()
        == 0
    )
    response = as_user(ufficio_piano).get(reverse("ambito:ente_list"))
    assert response.context["paginator"].count == 17  # 16 of the territory + AFOL (servizi)


def test_home_shows_each_ambito_latest_population(
    as_user, ufficio_piano, visconteo, altro_ambito, django_assert_max_num_queries
):
    from ambito.choices import Ruolo
    from ambito.models import Incarico

    Incarico.objects.create(user=ufficio_piano, ambito=altro_ambito, ruolo=Ruolo.REVISORE)
    DatiDemografici.objects.create(comune=altro_ambito.comuni.get(), anno=2024, residenti=45_000)
    client = as_user(ufficio_piano)
    # session, user, roles, Ambiti, their totals
    with django_assert_max_num_queries(5):
        response = client.get(reverse("home"))
    righe = {r["ambito"].codice: (r["anno"], r["residenti"]) for r in response.context["riepilogo"]}
    assert righe == {"lodi": (2024, 45_000), visconteo.codice: (2023, 124_421)}


def _menu(response):
    return [(v.etichetta, v.attiva) for v in response.context["menu_principale"]]


def test_one_menu_entry_is_active_the_longest_matching_one(as_user, ufficio_piano):
    client = as_user(ufficio_piano)
    menu = dict(_menu(client.get(reverse("indicatori:cruscotto"))))
    assert menu["Cruscotto"] and not menu["Indicatori"]
    menu = dict(_menu(client.get(reverse("indicatori:index"))))
    assert menu["Indicatori"] and not menu["Cruscotto"]
    assert [label for label, attiva in _menu(client.get("/fondi/assegnazioni/")) if attiva] == [
        "Fondi"
    ]


def test_menu_has_the_toggler_and_the_audit_log_only_for_who_reads_it(
    as_user, operatore_rozzano, revisore
):
    client = as_user(operatore_rozzano)
    response = client.get(reverse("home"))
    assert "Registro modifiche" not in [label for label, _ in _menu(response)]
    assert b'data-bs-toggle="navbarcollapsible"' in response.content
    client = as_user(revisore)
    assert "Registro modifiche" in [label for label, _ in _menu(client.get(reverse("home")))]
