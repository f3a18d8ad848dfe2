"""Pages: scope (404 / 403), the entry grid, the review grid, bounded queries."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from ambito.choices import Ruolo
from ambito.models import Ambito, Comune
from indicatori import services
from indicatori.choices import Livello, StatoPeriodo, StatoValore
from indicatori.models import Categoria, EventoPeriodo, Indicatore, Periodo, Valore
from indicatori.services import Cella, chiave_cella
from programmi.models import PianoDiZona

from ..factories import user_with_role
from .factories import IndicatoreFactory, PeriodoFactory

pytestmark = pytest.mark.django_db


def griglia(periodo, comune=None):
    if comune is None:
        return reverse("indicatori:inserimento_ambito", args=[periodo.pk])
    return reverse("indicatori:inserimento", args=[periodo.pk, comune.pk])


def campo(indicatore, categoria=None):
    return "v-" + chiave_cella(indicatore.pk, categoria.pk if categoria else None)


def versione(indicatore, categoria=None):
    return "ver-" + chiave_cella(indicatore.pk, categoria.pk if categoria else None)


# --- every page answers --------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["ufficio_piano", "operatore_rozzano", "revisore"])
def test_pages_answer_for_every_role(request, as_user, fixture, aperto, indicatore):
    client = as_user(request.getfixturevalue(fixture))
    for url in [
        reverse("indicatori:index"),
        reverse("indicatori:avanzamento"),
        reverse("indicatori:contesto"),
        reverse("indicatori:indicatore_list"),
        reverse("indicatori:indicatore_detail", args=[indicatore("4.OUT.4").pk]),
        reverse("indicatori:valore_list"),
        reverse("indicatori:completezza", args=[aperto.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_anonymous_goes_to_login(client, aperto, rozzano):
    response = client.get(griglia(aperto, rozzano))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_index_shows_the_operator_his_comune(as_user, operatore_rozzano, aperto, rozzano):
    html = as_user(operatore_rozzano).get(reverse("indicatori:index")).content.decode()
    assert griglia(aperto, rozzano) in html
    assert reverse("indicatori:revisione", args=[aperto.pk]) not in html


def test_context_page_shows_computed_and_printed(as_user, revisore):
    html = as_user(revisore).get(reverse("indicatori:contesto")).content.decode()
    assert "3.020" in html  # Tab. 14 total RdC applications, computed and printed
    assert "Ambito (come stampato nel Piano)" in html and "diverso dal calcolato" in html


# --- scope ------------------------------------------------------------------------------


def test_operator_cannot_read_or_write_another_comunes_draft(
    as_user, operatore_rozzano, operatore_binasco, binasco, aperto, indicatore
):
    (bozza,) = services.valori_save(
        user=operatore_binasco,
        periodo=aperto,
        comune=binasco,
        celle=[Cella(indicatore("1.OUT.1"), valore_numerico=Decimal(4))],
    )
    client = as_user(operatore_rozzano)
    assert client.get(reverse("indicatori:valore_detail", args=[bozza.pk])).status_code == 404
    assert client.get(griglia(aperto, binasco)).status_code == 404
    response = client.post(
        griglia(aperto, binasco),
        {campo(bozza.indicatore): "99", versione(bozza.indicatore): "1", "azione": "salva"},
    )
    assert response.status_code == 404
    listed = client.get(reverse("indicatori:valore_list")).context["object_list"]
    assert bozza not in listed
    bozza.refresh_from_db()
    assert bozza.valore_numerico == 4


def test_operator_cannot_write_into_a_closed_period(
    as_user, operatore_rozzano, rozzano, chiuso, indicatore
):
    pis = indicatore("SRV.PIS")
    prima = list(
        Valore.objects.filter(periodo=chiuso, comune=rozzano).values_list("pk", "versione")
    )
    response = as_user(operatore_rozzano).post(
        griglia(chiuso, rozzano), {campo(pis): "1", versione(pis): "1", "azione": "salva"}
    )
    assert response.status_code == 400
    assert "è chiuso: i valori non si possono modificare" in response.content.decode()
    dopo = list(Valore.objects.filter(periodo=chiuso, comune=rozzano).values_list("pk", "versione"))
    assert prima == dopo


def test_the_auditor_cannot_write(as_user, revisore, rozzano, aperto, indicatore):
    client = as_user(revisore)
    assert client.get(griglia(aperto, rozzano)).status_code == 200  # reads
    contatti = indicatore("1.OUT.1")
    response = client.post(griglia(aperto, rozzano), {campo(contatti): "3", "azione": "salva"})
    assert response.status_code == 403
    revisione = reverse("indicatori:revisione", args=[aperto.pk])
    assert client.get(revisione).status_code == 200
    assert client.post(revisione, {"azione": "chiudi", "motivo": "x"}).status_code == 403
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()


def test_operator_does_not_review(as_user, operatore_rozzano, aperto, rozzano, binasco):
    client = as_user(operatore_rozzano)
    assert client.get(reverse("indicatori:revisione", args=[aperto.pk])).status_code == 403
    assert client.get(griglia(aperto)).status_code == 403
    url = reverse("indicatori:revisione_comune", args=[aperto.pk, binasco.pk])
    assert client.get(url).status_code == 404


def test_another_ambito_sees_nothing(as_user, ufficio_piano_altro, aperto, rozzano):
    client = as_user(ufficio_piano_altro)
    assert client.get(griglia(aperto, rozzano)).status_code == 404
    assert client.get(reverse("indicatori:revisione", args=[aperto.pk])).status_code == 404


# --- the entry grid -------------------------------------------------------------------


def test_grid_lists_every_indicator_the_comune_reports(as_user, operatore_rozzano, rozzano, aperto):
    response = as_user(operatore_rozzano).get(griglia(aperto, rozzano))
    righe = [
        r.indicatore.codice
        for g in response.context["gruppi"]
        for r in (x["riga"] for x in g["righe"])
    ]
    dovuti = Indicatore.objects.dovuti_nel(aperto).filter(livello=Livello.COMUNE)
    assert sorted(righe) == sorted(dovuti.values_list("codice", flat=True))
    html = response.content.decode()
    # Every input has its label; the previous approved value is shown for reference.
    contatti = Indicatore.objects.get(codice="1.OUT.1")
    etichetta = f'<label for="id_{campo(contatti)}" class="visually-hidden">'
    assert etichetta + "Numero contatti tra servizi</label>" in html
    assert "Salva bozza" in html and "Salva e invia all'Ufficio di Piano" in html


def test_save_draft_then_submit(as_user, operatore_rozzano, rozzano, aperto, indicatore):
    client = as_user(operatore_rozzano)
    contatti, beneficiari = indicatore("1.OUT.1"), indicatore("4.OUT.4")
    anziani = beneficiari.categorie.get(codice="anziani")
    response = client.post(
        griglia(aperto, rozzano),
        {
            campo(contatti): "25",
            f"n-{chiave_cella(contatti.pk)}": "Dati del registro",
            campo(beneficiari): "12",
            campo(beneficiari, anziani): "3",
            "azione": "salva",
        },
    )
    assert response.status_code == 302
    valori = Valore.objects.filter(periodo=aperto, comune=rozzano)
    assert valori.count() == 3
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.BOZZA}
    assert valori.get(indicatore=contatti).commento == "Dati del registro"

    response = client.post(griglia(aperto, rozzano), {"azione": "invia"})
    assert response.status_code == 302
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.INVIATO}


def test_errors_next_to_the_cells_and_nothing_saved(
    as_user, operatore_rozzano, rozzano, aperto, indicatore
):
    contatti, partecipanti, beneficiari = (
        indicatore("1.OUT.1"),
        indicatore("1.PRO.2"),
        indicatore("4.OUT.4"),
    )
    anziani = beneficiari.categorie.get(codice="anziani")
    response = as_user(operatore_rozzano).post(
        griglia(aperto, rozzano),
        {
            campo(contatti): "-3",
            campo(partecipanti): "abc",
            campo(beneficiari): "2",
            campo(beneficiari, anziani): "5",
            campo(indicatore("1.IMP.1")): "4",
            "azione": "salva",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[campo(contatti)] == ["Il valore non può essere negativo."]
    assert form.errors[campo(partecipanti)] == ["Inserire un numero (es. 12 oppure 12,5)."]
    assert form.errors[campo(beneficiari)] == ["La somma delle categorie (5) supera il totale (2)."]
    html = response.content.decode()
    assert f'id="id_{campo(contatti)}_errors"' in html and 'aria-invalid="true"' in html
    assert "Nessun valore è stato salvato." in html
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()


def test_far_from_history_needs_the_confirmation_box(
    as_user, operatore_rozzano, rozzano, aperto, indicatore
):
    client = as_user(operatore_rozzano)
    pis = indicatore("SRV.PIS")
    response = client.post(griglia(aperto, rozzano), {campo(pis): "40", "azione": "salva"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "è più del triplo della mediana dei periodi precedenti (5)" in html
    assert 'name="conferma_anomalie"' in html
    assert not Valore.objects.filter(periodo=aperto, comune=rozzano).exists()
    response = client.post(
        griglia(aperto, rozzano), {campo(pis): "40", "conferma_anomalie": "on", "azione": "salva"}
    )
    assert response.status_code == 302
    assert Valore.objects.get(periodo=aperto, comune=rozzano).anomalia_confermata


def test_grid_rows_show_categories_status_and_reason_of_a_returned_value(
    as_user, operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    """The rows written by `righe_inserimento`: a category's own row, the status badge,
    the reason of a returned value and its read-only comment once sent."""
    contatti, beneficiari = indicatore("1.OUT.1"), indicatore("4.OUT.4")
    anziani = beneficiari.categorie.get(codice="anziani")
    services.valori_save(
        user=operatore_rozzano,
        periodo=aperto,
        comune=rozzano,
        celle=[
            Cella(contatti, valore_numerico=Decimal(10), commento="Dal <registro>"),
            Cella(beneficiari, valore_numerico=Decimal(12)),
            Cella(beneficiari, categoria=anziani, valore_numerico=Decimal(3)),
        ],
        invia=True,
    )
    services.valori_reject(
        user=ufficio_piano,
        periodo=aperto,
        valori=Valore.objects.filter(periodo=aperto, comune=rozzano, indicatore=beneficiari),
        motivo="Manca <il> totale",
    )
    html = as_user(operatore_rozzano).get(griglia(aperto, rozzano)).content.decode()
    assert (
        f'<tr class="riga-categoria">\n        <th scope="row"><span class="di-cui">{anziani.nome}'
        in html
    )
    assert (
        '<span class="badge bg-danger">Respinto</span>'
        '<span class="d-block small text-danger">Manca &lt;il&gt; totale</span>'
    ) in html
    assert '<span class="badge bg-primary">Inviato</span>' in html
    assert "<small>Dal &lt;registro&gt;</small>" in html  # sent: the comment is read-only


def test_the_second_editor_is_refused(
    as_user, operatore_rozzano, ufficio_piano, rozzano, aperto, indicatore
):
    contatti = indicatore("1.OUT.1")
    services.valori_save(
        user=operatore_rozzano,
        periodo=aperto,
        comune=rozzano,
        celle=[Cella(contatti, valore_numerico=Decimal(10))],
    )
    # Both open the grid and see version 1.
    udp = as_user(ufficio_piano).get(griglia(aperto, rozzano)).context["form"]
    assert udp[versione(contatti)].value() == 1
    services.valori_save(
        user=operatore_rozzano,
        periodo=aperto,
        comune=rozzano,
        celle=[Cella(contatti, valore_numerico=Decimal(11), versione=1)],
    )
    response = as_user(ufficio_piano).post(
        griglia(aperto, rozzano),
        {campo(contatti): "12", versione(contatti): "1", "azione": "salva"},
    )
    assert response.status_code == 400
    assert "Nel frattempo un altro utente ha modificato questo valore" in response.content.decode()
    assert Valore.objects.get(periodo=aperto, comune=rozzano).valore_numerico == 11


def test_sent_values_are_read_only_in_the_grid(as_user, ufficio_piano, aperto, indicatore):
    opera = Comune.objects.get(nome="Opera")  # sent, waiting for review
    form = as_user(ufficio_piano).get(griglia(aperto, opera)).context["form"]
    assert campo(indicatore("1.OUT.1")) not in form.fields


# --- review -------------------------------------------------------------------------------


def test_review_grid_and_bulk_approval(as_user, ufficio_piano, aperto):
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione", args=[aperto.pk])
    response = client.get(url)
    righe = {r.comune.nome: r for r in response.context["righe"]}
    assert len(righe) == 11
    assert righe["Opera"].da_approvare == 18 + 3  # 18 indicators, 4.OUT.4 has 3 categories
    assert {c.stato for c in righe["Basiglio"].celle} == {StatoValore.APPROVATO}
    assert {c.stato for c in righe["Rozzano"].celle} == {None}
    opera = Comune.objects.get(nome="Opera")
    response = client.post(url, {"azione": "approva_comune", "comune": opera.pk})
    assert response.status_code == 302
    valori = Valore.objects.filter(periodo=aperto, comune=opera)
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.APPROVATO}
    assert set(valori.values_list("approvato_da", flat=True)) == {ufficio_piano.pk}


def test_review_grid_heads_are_short_names_and_rows_can_be_reached(
    as_user, ufficio_piano, aperto, indicatore
):
    """Column heads: the code and a short name, the full name in the abbr's title; a
    "Vai al Comune" list links to every row (the grid has over 200 links)."""
    html = as_user(ufficio_piano).get(reverse("indicatori:revisione", args=[aperto.pk]))
    html = html.content.decode()
    lungo = indicatore("1.IMP.1")
    assert len(lungo.nome) > 40
    testa = html[html.index('<th scope="col" class="intestazione-indicatore">') :]
    testa = testa[: testa.index("</tr>")]
    assert (
        f'<abbr title="1.IMP.1 {lungo.nome}"><span class="d-block fw-bold">1.IMP.1</span> '
        f'<span class="d-block fw-normal small">{lungo.nome[:23].rstrip()}…</span></abbr>'
    ) in testa
    brevi = re.findall(r'<span class="d-block fw-normal small">([^<]*)</span>', testa)
    assert len(brevi) == testa.count("<abbr ") > 15
    assert all(len(b) <= 24 for b in brevi)
    salto = html[html.index('aria-labelledby="vai-al-comune-titolo"') :]
    salto = salto[: salto.index("</nav>")]
    for comune in Comune.objects.filter(ambito=aperto.ambito):
        assert f'<a href="#comune-{comune.pk}">{comune.nome}</a>' in salto
        assert f'<th scope="row" id="comune-{comune.pk}" tabindex="-1">{comune.nome}</th>' in html
    assert html.index("vai-al-comune-titolo") < html.index('class="table-responsive"')


def test_review_grid_rows_link_each_value_and_name_the_comune_to_screen_readers(
    as_user, ufficio_piano, revisore, aperto, indicatore
):
    """The rows written by `righe_revisione`: the actions and every status letter link
    with the Comune (and the indicator) in hidden text; only who approves sees
    "Approva tutti"."""
    opera = Comune.objects.get(nome="Opera")
    contatti = Valore.objects.get(
        periodo=aperto, comune=opera, indicatore=indicatore("1.OUT.1"), categoria=None
    )
    url = reverse("indicatori:revisione", args=[aperto.pk])
    html = as_user(ufficio_piano).get(url).content.decode()
    approva = reverse("indicatori:approva_tutti", args=[aperto.pk, opera.pk])
    dettaglio = reverse("indicatori:revisione_comune", args=[aperto.pk, opera.pk])
    assert f'href="{approva}">Approva tutti<span class="visually-hidden"> Opera</span></a>' in html
    assert f'href="{dettaglio}">Dettaglio<span class="visually-hidden"> Opera</span></a>' in html
    assert (
        f'<td><a href="{reverse("indicatori:valore_detail", args=[contatti.pk])}">'
        '<span class="badge bg-primary sigla" title="Inviato"><span aria-hidden="true">I</span>'
        '<span class="visually-hidden">Inviato</span></span>'
        '<span class="visually-hidden"> 1.OUT.1 Opera</span></a></td>'
    ) in html
    html = as_user(revisore).get(url).content.decode()
    assert approva not in html and dettaglio in html


def _opera_con_scostamento(aperto, indicatore):
    """Opera's submitted values, one of them flagged as far from the history."""
    opera = Comune.objects.get(nome="Opera")
    segnalato = Valore.objects.get(periodo=aperto, comune=opera, indicatore=indicatore("1.OUT.1"))
    Valore.objects.filter(pk=segnalato.pk).update(anomalia_confermata=True)
    return opera, segnalato, Valore.objects.filter(periodo=aperto, comune=opera)


def test_approve_all_asks_to_tick_each_flagged_value(as_user, ufficio_piano, aperto, indicatore):
    opera, segnalato, valori = _opera_con_scostamento(aperto, indicatore)
    client = as_user(ufficio_piano)
    url = reverse("indicatori:approva_tutti", args=[aperto.pk, opera.pk])
    response = client.get(url)
    assert len(response.context["righe"]) == 21  # every value it includes is listed
    [riga] = response.context["segnalati"]
    assert riga.valore == segnalato and riga.mediana is not None and riga.precedente is not None
    assert f'name="scostamenti" value="{segnalato.pk}"' in response.content.decode()

    # Without the tick nothing is approved, and the page says why.
    response = client.post(url, {"azione": "approva_comune"})
    assert response.status_code == 400
    assert "1 valore è segnalato come scostamento dallo storico" in response.content.decode()
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.INVIATO}

    response = client.post(url, {"azione": "approva_comune", "scostamenti": [segnalato.pk]})
    assert response.status_code == 302
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.APPROVATO}


def test_approve_all_post_of_the_grid_without_the_ticks_approves_nothing(
    as_user, ufficio_piano, aperto, indicatore
):
    opera, segnalato, valori = _opera_con_scostamento(aperto, indicatore)
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione", args=[aperto.pk])
    response = client.post(url, {"azione": "approva_comune", "comune": opera.pk}, follow=True)
    assert "Nessun valore è stato approvato: 1 valore è segnalato" in response.content.decode()
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.INVIATO}
    client.post(url, {"azione": "approva_comune", "comune": opera.pk, "scostamenti": segnalato.pk})
    assert set(valori.values_list("stato", flat=True)) == {StatoValore.APPROVATO}


def test_return_a_value_with_a_reason(as_user, ufficio_piano, aperto, indicatore):
    opera = Comune.objects.get(nome="Opera")
    valore = Valore.objects.get(periodo=aperto, comune=opera, indicatore=indicatore("1.OUT.1"))
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione_comune", args=[aperto.pk, opera.pk])
    response = client.post(url, {"valori": [valore.pk], "motivo": "", "azione": "respingi"})
    assert response.status_code == 400
    assert "Indicare il motivo della restituzione." in response.content.decode()
    response = client.post(
        url, {"valori": [valore.pk], "motivo": "Dato da verificare", "azione": "respingi"}
    )
    assert response.status_code == 302
    valore.refresh_from_db()
    assert (valore.stato, valore.motivo_respingimento) == (
        StatoValore.RESPINTO,
        "Dato da verificare",
    )
    detail = client.get(reverse("indicatori:valore_detail", args=[valore.pk])).content.decode()
    assert "Restituito: Dato da verificare" in detail  # in the history table


def test_close_and_reopen_from_the_review_page(as_user, ufficio_piano, periodo_2026):
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione", args=[periodo_2026.pk])
    response = client.post(url, {"azione": "chiudi", "motivo": ""})
    assert response.status_code == 400
    periodo_2026.refresh_from_db()
    assert periodo_2026.stato == StatoPeriodo.APERTO
    assert client.post(url, {"azione": "chiudi", "motivo": "Fine rilevazione"}).status_code == 302
    assert client.post(url, {"azione": "riapri", "motivo": "Correzione"}).status_code == 302
    periodo_2026.refresh_from_db()
    assert periodo_2026.stato == StatoPeriodo.RIAPERTO
    html = client.get(url).content.decode()
    assert "Fine rilevazione" in html and "Correzione" in html
    assert EventoPeriodo.objects.filter(periodo=periodo_2026).count() == 2


# --- bounded queries, 11 and 200 Comuni -----------------------------------------------


@pytest.fixture
def grande(db):
    """An Ambito of 200 Comuni, each with 15 values in one period."""
    ambito = Ambito.objects.create(nome="Ambito grande", codice="grande", regione="Lombardia")
    Comune.objects.bulk_create(
        Comune(ambito=ambito, nome=f"Comune {n:03d}", codice_istat=f"{800000 + n}")
        for n in range(200)
    )
    comuni = list(Comune.objects.filter(ambito=ambito))
    piano = PianoDiZona.objects.create(ambito=ambito, anno_inizio=2025, anno_fine=2027)
    indicatori = [IndicatoreFactory(piano=piano) for _ in range(13)]
    con_categorie = IndicatoreFactory(piano=piano)
    categorie = [
        Categoria.objects.create(indicatore=con_categorie, codice=c, nome=c, ordine=i)
        for i, c in enumerate(["anziani", "disabili", "minori"])
    ]
    di_ambito = IndicatoreFactory(piano=piano, livello=Livello.AMBITO)
    periodo = PeriodoFactory(ambito=ambito)
    stati = [StatoValore.BOZZA, StatoValore.INVIATO, StatoValore.APPROVATO]
    valori = [
        Valore(indicatore=i, periodo=periodo, comune=c, valore_numerico=n % 7, stato=stati[n % 3])
        for n, c in enumerate(comuni)
        for i in [*indicatori, con_categorie]
    ]
    valori += [
        Valore(
            indicatore=con_categorie, periodo=periodo, comune=c, categoria=cat, valore_numerico=0
        )
        for c in comuni
        for cat in categorie
    ]
    valori.append(Valore(indicatore=di_ambito, periodo=periodo, valore_numerico=3))
    Valore.objects.bulk_create(valori)
    udp = user_with_role(Ruolo.UFFICIO_PIANO, ambito, username="udp.grande")
    return {"periodo": periodo, "comune": comuni[0], "udp": udp, "n": len(comuni)}


MAX_GRIGLIA = 14
MAX_REVISIONE = 12


def test_entry_grid_queries_11_comuni(
    as_user, ufficio_piano, aperto, django_assert_max_num_queries
):
    opera = Comune.objects.get(nome="Opera")
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(MAX_GRIGLIA):
        assert client.get(griglia(aperto, opera)).status_code == 200


def test_entry_grid_queries_200_comuni(as_user, grande, django_assert_max_num_queries):
    client = as_user(grande["udp"])
    with django_assert_max_num_queries(MAX_GRIGLIA):
        response = client.get(griglia(grande["periodo"], grande["comune"]))
    assert response.status_code == 200
    assert sum(len(g["righe"]) for g in response.context["gruppi"]) == 14


def test_review_grid_queries_11_comuni(
    as_user, ufficio_piano, aperto, django_assert_max_num_queries
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(MAX_REVISIONE):
        response = client.get(reverse("indicatori:revisione", args=[aperto.pk]))
    assert len(response.context["righe"]) == 11


def test_review_grid_queries_200_comuni(as_user, grande, django_assert_max_num_queries):
    client = as_user(grande["udp"])
    with django_assert_max_num_queries(MAX_REVISIONE):
        response = client.get(reverse("indicatori:revisione", args=[grande["periodo"].pk]))
    assert len(response.context["righe"]) == 200
    assert response.context["riga_ambito"] is not None


@pytest.mark.parametrize(
    "nome, args",
    [
        ("indicatori:index", []),
        ("indicatori:avanzamento", []),
        ("indicatori:valore_list", []),
        ("indicatori:indicatore_list", []),
        ("indicatori:contesto", []),
    ],
)
def test_list_pages_run_few_queries(
    as_user, ufficio_piano, nome, args, django_assert_max_num_queries
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(nome, args=args)).status_code == 200


def test_completeness_page_queries(
    as_user, ufficio_piano, grande, aperto, django_assert_max_num_queries
):
    for user, periodo in [(ufficio_piano, aperto), (grande["udp"], grande["periodo"])]:
        client = as_user(user)
        with django_assert_max_num_queries(10):
            response = client.get(reverse("indicatori:completezza", args=[periodo.pk]))
        assert len(response.context["righe"]) in (11, 200)


def test_demo_period_is_flagged_on_the_pages(as_user, ufficio_piano, aperto):
    html = (
        as_user(ufficio_piano)
        .get(reverse("indicatori:revisione", args=[aperto.pk]))
        .content.decode()
    )
    assert "Dati dimostrativi." in html
    periodo = Periodo.objects.get(codice="2023")
    html = (
        as_user(ufficio_piano)
        .get(reverse("indicatori:completezza", args=[periodo.pk]))
        .content.decode()
    )
    assert "Dati dimostrativi." not in html


def test_dates_use_the_italian_format(as_user, ufficio_piano, aperto):
    html = as_user(ufficio_piano).get(reverse("indicatori:index")).content.decode()
    assert aperto.scadenza == datetime.date(2026, 1, 31)
    assert "31/01/2026" in html
