"""Pages of the Piano di Zona: content, scope (404/403), forms and their messages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from programmi.models import Obiettivo, PianoDiZona, Scheda, Valutazione

from .factories import ObiettivoFactory, SchedaFactory, ValutazioneFactory, VoceSchedaFactory


def dati_del_form(form):
    """POST data that re-submits a form exactly as the page shows it."""
    dati = {}
    for nome, campo in form.fields.items():
        valore = campo.prepare_value(form[nome].value())
        widget = campo.widget
        if getattr(widget, "allow_multiple_selected", False):
            dati[nome] = [str(v.pk if hasattr(v, "pk") else v) for v in (valore or [])]
        elif widget.input_type == "checkbox" if hasattr(widget, "input_type") else False:
            if valore:
                dati[nome] = "on"
        elif valore is True:
            dati[nome] = "true"
        elif valore is False:
            dati[nome] = "false"
        elif valore is None:
            dati[nome] = ""
        else:
            dati[nome] = str(valore.pk if hasattr(valore, "pk") else valore)
    return dati


# ---- overview -------------------------------------------------------------------


def test_index_is_the_current_plan_overview(as_user, ufficio_piano, piano_2025):
    response = as_user(ufficio_piano).get(reverse("programmi:index"))
    assert response.status_code == 200
    assert response.context["piano"] == piano_2025
    html = response.content.decode()
    assert "Piano di Zona 2025-2027" in html
    assert "€ 2.472.499,00" in html  # total of the five schede, computed
    assert "€ 1.090.000,00" in html
    assert "Consolidamento e coordinamento dei luoghi di comunità" in html
    assert "Piano di Zona 2022-2024" in html  # the other plan is linked


def test_overview_of_the_previous_plan_shows_the_objective_tree(as_user, revisore, piano_2022):
    response = as_user(revisore).get(reverse("programmi:piano_detail", args=[piano_2022.pk]))
    assert response.status_code == 200
    gruppi = response.context["gruppi"]
    assert [g.macro_area.lettera for g in gruppi] == ["A", "B", "C", "D", "E"]
    assert [o.numero for o in gruppi[1].obiettivi] == ["2", "3", "4"]
    html = response.content.decode()
    assert "Esiti degli obiettivi" in html
    assert "Modifica il Piano" not in html  # read-only for the auditor


def test_plan_list_shows_budget_totals(as_user, operatore_rozzano):
    response = as_user(operatore_rozzano).get(reverse("programmi:piano_list"))
    piani = {p.anno_inizio: p for p in response.context["piani"]}
    assert piani[2025].budget_schede == Decimal("2472499.00")
    assert piani[2025].numero_schede == 5
    assert piani[2022].numero_schede == 0
    assert "Nuovo Piano di Zona" not in response.content.decode()


def test_index_without_plans(as_user, ufficio_piano_altro):
    response = as_user(ufficio_piano_altro).get(reverse("programmi:index"))
    assert response.status_code == 200
    assert "Non ci sono ancora Piani di Zona" in response.content.decode()


# ---- evaluation -----------------------------------------------------------------


def test_evaluation_table_sorts_by_percentage(as_user, revisore, piano_2022):
    url = reverse("programmi:valutazione_list", args=[piano_2022.pk])
    client = as_user(revisore)
    response = client.get(url)
    righe = [(v.obiettivo.numero, v.grado_raggiungimento) for v in response.context["valutazioni"]]
    assert [n for n, _ in righe] == [str(n) for n in range(1, 11)]
    response = client.get(url, {"ordina": "-grado"})
    righe = [(v.obiettivo.numero, v.grado_raggiungimento) for v in response.context["valutazioni"]]
    assert righe[0] == ("8", 90)
    assert [g for _, g in righe] == sorted((g for _, g in righe), reverse=True)
    assert [n for n, g in righe if g == 60] == ["2", "3", "9"]  # ties keep the Piano order
    html = response.content.decode()
    assert 'aria-sort="descending"' in html


def test_evaluation_filters_by_resources_spent(as_user, revisore, piano_2022):
    url = reverse("programmi:valutazione_list", args=[piano_2022.pk])
    response = as_user(revisore).get(url, {"coincidenza_risorse": "-1"})
    assert [v.obiettivo.numero for v in response.context["valutazioni"]] == ["5", "6"]
    response = as_user(revisore).get(url, {"riproposto": "si", "macro_area": ""})
    assert "8" in [v.obiettivo.numero for v in response.context["valutazioni"]]


def test_evaluation_chart_and_its_table_show_the_same_averages(as_user, revisore, piano_2022):
    response = as_user(revisore).get(reverse("programmi:valutazione_list", args=[piano_2022.pk]))
    medie = {m.lettera: m.media for m in response.context["medie"]}
    assert medie == {
        "A": Decimal("80.0"),
        "B": Decimal("56.7"),
        "C": Decimal("58.5"),
        "D": Decimal("84.0"),
        "E": Decimal("55.0"),
    }
    svg = response.context["grafico"]
    assert svg.startswith("<svg") and "<title>" in svg
    for etichetta in ("A. Contrasto alle povertà", "E. Azioni di sistema"):
        assert etichetta in svg
    html = response.content.decode()
    assert "56,7%" in html and "58,5%" in html
    assert 'id="tabella-medie"' in html
    assert response.context["media_generale"] == Decimal("64.5")


def test_evaluation_page_shows_the_premial_projects(as_user, revisore, piano_2022):
    response = as_user(revisore).get(reverse("programmi:valutazione_list", args=[piano_2022.pk]))
    html = response.content.decode()
    assert "La Vita Indipendente si A.M.A." in html
    assert "Formazione volontari" in html
    assert "87,5%" in html  # average completion of the co-housing project


def test_objective_page_shows_the_split_evaluation(as_user, operatore_rozzano, piano_2022):
    obiettivo = Obiettivo.objects.get(piano=piano_2022, numero="5")
    response = as_user(operatore_rozzano).get(obiettivo.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "67%" in html and "&lt;100%" in html
    assert "5.4" in html and "Per difficoltà nell&#x27;attuazione" in html
    assert "Modifica la valutazione" not in html


# ---- scheda -----------------------------------------------------------------------


def test_scheda_page_mirrors_the_regional_template(as_user, operatore_binasco, scheda_1):
    response = as_user(operatore_binasco).get(
        reverse("programmi:scheda_detail", args=[scheda_1.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quali obiettivi vuole raggiungere" in html
    assert '<ol type="a">' in html
    assert "€ 195.000,00" in html
    assert "Prevede il coinvolgimento di ASST nell&#x27;analisi del bisogno" in html
    assert "Promozionale, preventivo" in html
    assert html.index("Realizzare una Cabina di regia") < html.index("Creare uno strumento")
    assert "data-stampa" in html and "js/programmi.js" in html
    assert "Modifica la scheda" not in html


def test_ordered_lists_keep_their_order_through_edit_and_save(as_user, ufficio_piano, scheda_1):
    client = as_user(ufficio_piano)
    url = reverse("programmi:scheda_update", args=[scheda_1.pk])
    form = client.get(url).context["form"]
    originali = scheda_1.elenchi
    dati = dati_del_form(form)
    assert dati["obiettivi"] == "\n".join(originali["obiettivi"])  # shown as saved

    nuovi = list(reversed(originali["obiettivi"]))
    nuovi.insert(1, "Nuovo obiettivo inserito al secondo posto")
    dati["obiettivi"] = "\r\n".join(nuovi) + "\r\n\r\n"
    response = client.post(url, dati)
    assert response.status_code == 302, response.context["form"].errors

    scheda = Scheda.objects.get(pk=scheda_1.pk)
    assert scheda.elenchi["obiettivi"] == nuovi
    assert scheda.elenchi["azioni"] == originali["azioni"]
    assert scheda.elenchi["destinatari"] == originali["destinatari"]
    assert scheda.budget == Decimal("195000.00")
    # Edit again without touching anything: the same lists come back.
    dati = dati_del_form(client.get(url).context["form"])
    assert dati["obiettivi"] == "\n".join(nuovi)
    assert client.post(url, dati).status_code == 302
    assert Scheda.objects.get(pk=scheda_1.pk).elenchi == scheda.elenchi


def test_budget_typed_the_italian_way(as_user, ufficio_piano, scheda_1):
    client = as_user(ufficio_piano)
    url = reverse("programmi:scheda_update", args=[scheda_1.pk])
    dati = dati_del_form(client.get(url).context["form"])
    assert dati["budget"] == "195000,00"
    dati["budget"] = "€ 1.250.000,50"
    assert client.post(url, dati).status_code == 302
    assert Scheda.objects.get(pk=scheda_1.pk).budget == Decimal("1250000.50")


def test_negative_budget_gets_a_message_next_to_the_field(as_user, ufficio_piano, scheda_1):
    client = as_user(ufficio_piano)
    url = reverse("programmi:scheda_update", args=[scheda_1.pk])
    dati = dati_del_form(client.get(url).context["form"])
    dati["budget"] = "-10"
    dati["obiettivi"] = "Non deve essere salvato"
    response = client.post(url, dati)
    assert response.status_code == 200
    assert response.context["form"].errors["budget"] == ["Il budget non può essere negativo."]
    assert "Il budget non può essere negativo." in response.content.decode()
    scheda = Scheda.objects.get(pk=scheda_1.pk)
    assert scheda.budget == Decimal("195000.00")
    assert scheda.elenchi["obiettivi"][0].startswith("Sviluppare la governance")


def test_percentage_outside_0_100_gets_a_message(as_user, ufficio_piano, piano_2022):
    obiettivo = Obiettivo.objects.get(piano=piano_2022, numero="3")
    client = as_user(ufficio_piano)
    url = reverse("programmi:valutazione_update", args=[obiettivo.pk])
    dati = dati_del_form(client.get(url).context["form"])
    assert dati["grado_raggiungimento"] == "60"
    for valore in ("120", "-5"):
        dati["grado_raggiungimento"] = valore
        response = client.post(url, dati)
        assert response.status_code == 200
        assert response.context["form"].errors["grado_raggiungimento"] == [
            "Il grado di raggiungimento deve essere compreso tra 0 e 100."
        ]
        assert 'aria-invalid="true"' in response.content.decode()
    assert Valutazione.objects.get(obiettivo=obiettivo).grado_raggiungimento == 60


def test_evaluation_of_a_new_objective_is_created(as_user, ufficio_piano, piano_2025):
    obiettivo = Obiettivo.objects.get(piano=piano_2025, numero="1")
    response = as_user(ufficio_piano).post(
        reverse("programmi:valutazione_update", args=[obiettivo.pk]),
        {"grado_raggiungimento": "35", "coincidenza_risorse": "-1", "riproposto": "true"},
    )
    assert response.status_code == 302
    valutazione = Valutazione.objects.get(obiettivo=obiettivo)
    assert (valutazione.grado_raggiungimento, valutazione.coincidenza_risorse) == (35, -1)
    assert valutazione.riproposto is True


def test_specific_objective_under_another_plan_gets_a_message(
    as_user, ufficio_piano, piano_2022, piano_2025
):
    generale_2022 = Obiettivo.objects.get(piano=piano_2022, numero="1")
    response = as_user(ufficio_piano).post(
        reverse("programmi:obiettivo_create", args=[piano_2025.pk]),
        {"numero": "1.5", "titolo": "Obiettivo specifico", "parent": generale_2022.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"] == [
        "L'obiettivo generale deve appartenere allo stesso Piano di Zona dell'obiettivo specifico."
    ]
    assert not Obiettivo.objects.filter(piano=piano_2025, numero="1.5").exists()


def test_ufficio_piano_adds_a_specific_objective(as_user, ufficio_piano, piano_2025):
    generale = Obiettivo.objects.get(piano=piano_2025, numero="2")
    client = as_user(ufficio_piano)
    url = reverse("programmi:obiettivo_create", args=[piano_2025.pk])
    assert client.get(url, {"parent": generale.pk}).context["form"].initial["parent"] == generale.pk
    response = client.post(url, {"numero": "2.1", "titolo": "Sostenibilità", "parent": generale.pk})
    nuovo = Obiettivo.objects.get(piano=piano_2025, numero="2.1")
    assert response.url == nuovo.get_absolute_url()
    assert nuovo.parent == generale
    assert nuovo.history.first().history_user == ufficio_piano


def test_ufficio_piano_updates_the_plan(as_user, ufficio_piano, piano_2025):
    response = as_user(ufficio_piano).post(
        reverse("programmi:piano_update", args=[piano_2025.pk]),
        {
            "anno_inizio": 2025,
            "anno_fine": 2027,
            "stato": "in_vigore",
            "data_approvazione": "2025-01-30",
            "atto_approvazione": "Accordo di Programma",
        },
    )
    assert response.status_code == 302
    piano_2025.refresh_from_db()
    assert piano_2025.data_approvazione.isoformat() == "2025-01-30"
    assert piano_2025.ambito.codice == "visconteo-sud-milano"


def test_ufficio_piano_creates_a_plan_only_in_his_ambito(
    as_user, ufficio_piano, visconteo, altro_ambito
):
    client = as_user(ufficio_piano)
    url = reverse("programmi:piano_create")
    assert list(client.get(url).context["form"].fields["ambito"].queryset) == [visconteo]
    dati = {"ambito": altro_ambito.pk, "anno_inizio": 2028, "anno_fine": 2030, "stato": "bozza"}
    response = client.post(url, dati)
    assert "ambito" in response.context["form"].errors
    assert not PianoDiZona.objects.filter(anno_inizio=2028).exists()
    response = client.post(url, {**dati, "ambito": visconteo.pk})
    assert response.status_code == 302
    assert PianoDiZona.objects.get(ambito=visconteo, anno_inizio=2028).stato == "bozza"


def test_ufficio_piano_creates_a_scheda_with_its_lists(as_user, ufficio_piano, piano_2025):
    response = as_user(ufficio_piano).post(
        reverse("programmi:scheda_create", args=[piano_2025.pk]),
        {
            "numero": "6",
            "titolo": "Nuova scheda",
            "budget": "10.000,00",
            "obiettivi": "Primo\nSecondo",
            "azioni": "a\nb\nc",
            "asst_analisi": "unknown",
        },
    )
    assert response.status_code == 302
    scheda = Scheda.objects.get(piano=piano_2025, numero=6)
    assert scheda.budget == Decimal("10000.00")
    assert scheda.elenchi["obiettivi"] == ["Primo", "Secondo"]
    assert scheda.elenchi["azioni"] == ["a", "b", "c"]


# ---- scope and permissions -----------------------------------------------------------


def _url_pagine(piano_2022, piano_2025):
    obiettivo = Obiettivo.objects.get(piano=piano_2022, numero="1")
    scheda = Scheda.objects.get(piano=piano_2025, numero=1)
    area = piano_2022.macro_aree.first()
    return {
        "lettura": [
            reverse("programmi:piano_detail", args=[piano_2025.pk]),
            reverse("programmi:valutazione_list", args=[piano_2022.pk]),
            reverse("programmi:obiettivo_detail", args=[obiettivo.pk]),
            reverse("programmi:scheda_detail", args=[scheda.pk]),
        ],
        "moduli": [
            reverse("programmi:piano_update", args=[piano_2025.pk]),
            reverse("programmi:macroarea_create", args=[piano_2022.pk]),
            reverse("programmi:macroarea_update", args=[area.pk]),
            reverse("programmi:obiettivo_create", args=[piano_2022.pk]),
            reverse("programmi:obiettivo_update", args=[obiettivo.pk]),
            reverse("programmi:valutazione_update", args=[obiettivo.pk]),
            reverse("programmi:scheda_create", args=[piano_2025.pk]),
            reverse("programmi:scheda_update", args=[scheda.pk]),
        ],
    }


@pytest.mark.parametrize(
    "utente, lettura, moduli",
    [
        ("ufficio_piano", 200, 200),
        ("operatore_rozzano", 200, 403),
        ("revisore", 200, 403),
        ("ufficio_piano_altro", 404, 404),  # another Ambito's plan: ids do not leak
    ],
)
def test_scope_of_every_page(request, as_user, piano_2022, piano_2025, utente, lettura, moduli):
    client = as_user(request.getfixturevalue(utente))
    url = _url_pagine(piano_2022, piano_2025)
    assert [client.get(u).status_code for u in url["lettura"]] == [lettura] * 4
    assert [client.get(u).status_code for u in url["moduli"]] == [moduli] * 8


@pytest.mark.parametrize("utente", ["operatore_rozzano", "revisore"])
def test_read_only_roles_cannot_write(request, as_user, scheda_1, piano_2022, utente):
    client = as_user(request.getfixturevalue(utente))
    response = client.post(
        reverse("programmi:scheda_update", args=[scheda_1.pk]),
        {"numero": 1, "titolo": "Cambiato", "budget": "1"},
    )
    assert response.status_code == 403
    assert Scheda.objects.get(pk=scheda_1.pk).titolo.startswith("Sviluppare un sistema")
    assert client.get(reverse("programmi:piano_create")).status_code == 403
    obiettivo = Obiettivo.objects.get(piano=piano_2022, numero="1")
    response = client.post(
        reverse("programmi:valutazione_update", args=[obiettivo.pk]), {"grado_raggiungimento": 1}
    )
    assert response.status_code == 403
    assert Valutazione.objects.get(obiettivo=obiettivo).grado_raggiungimento == 80


def test_anonymous_is_sent_to_login(client, piano_2025):
    response = client.get(reverse("programmi:piano_detail", args=[piano_2025.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# ---- query counts ----------------------------------------------------------------------


def _riempi(piano, n):
    """n general objectives with 2 specific ones and evaluations, n schede with lists."""
    area = piano.macro_aree.first()
    for i in range(n):
        generale = ObiettivoFactory(piano=piano, numero=str(500 + i), macro_area=area)
        ValutazioneFactory(obiettivo=generale, grado_raggiungimento=i % 101)
        for j in (1, 2):
            specifico = ObiettivoFactory(
                piano=piano, numero=f"{500 + i}.{j}", parent=generale, macro_area=area
            )
            ValutazioneFactory(obiettivo=specifico, grado_raggiungimento=None, riproposto=True)
        scheda = SchedaFactory(piano=piano, numero=500 + i)
        VoceSchedaFactory(scheda=scheda, ordine=1)


@pytest.mark.parametrize(
    "nome_url, piano_fixture, massimo",
    [
        ("programmi:piano_detail", "piano_2022", 15),
        ("programmi:valutazione_list", "piano_2022", 13),
        ("programmi:piano_list", None, 6),
    ],
)
def test_page_query_counts_do_not_grow_with_rows(
    request, as_user, ufficio_piano, django_assert_max_num_queries, nome_url, piano_fixture, massimo
):
    piano = request.getfixturevalue(piano_fixture or "piano_2022")
    url = reverse(nome_url, args=[piano.pk] if piano_fixture else [])
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(massimo):
        assert client.get(url).status_code == 200
    _riempi(piano, 60)
    with django_assert_max_num_queries(massimo):
        response = client.get(url)
    assert response.status_code == 200
    assert "Obiettivo di prova" in response.content.decode() or nome_url == "programmi:piano_list"


def test_scheda_page_query_count(as_user, ufficio_piano, scheda_1, django_assert_max_num_queries):
    client = as_user(ufficio_piano)
    for n in range(50):
        VoceSchedaFactory(scheda=scheda_1, tipo="azione", ordine=100 + n)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("programmi:scheda_detail", args=[scheda_1.pk]))
    assert len(response.context["elenchi"]["azioni"]) == 58
