"""The dashboards show the selectors' figures, scoped like everything else."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from ambito import selectors as territorio
from indicatori import selectors
from indicatori.cruscotto import cruscotto_ambito
from indicatori.models import Periodo

URL = reverse("indicatori:cruscotto")


def test_ambito_dashboard_key_figures_come_from_the_selectors(as_user, ufficio_piano, visconteo):
    response = as_user(ufficio_piano).get(URL)
    assert response.status_code == 200
    dati = response.context["dati"]
    assert dati.residenti == territorio.popolazione_totale_per_anno(ambito=visconteo)[2023]
    assert dati.residenti == 124_421
    attesi = selectors.conteggio_stati(selectors.avanzamento_indicatori(fetched_by=ufficio_piano))
    assert dati.stati == attesi
    righe = selectors.completezza_periodo(fetched_by=ufficio_piano, periodo=dati.periodo)
    assert dati.completezza == selectors.completezza_ambito(righe)
    html = response.content.decode()
    assert "124.421" in html
    # Funds of the latest year with allocations (2023), summed from the rows.
    assert dati.fondi["anno"] == 2023 and "€ 5.544.651,00" in html
    assert dati.fondi["progetti_pnrr"] == 3
    # Every chart comes with a table of its numbers.
    assert html.count("<svg") == html.count("Tabella dei dati del grafico") >= 1


def test_filters_change_the_figures(as_user, revisore, visconteo, rozzano):
    client = as_user(revisore)
    periodi = list(Periodo.objects.filter(ambito=visconteo).order_by("data_fine"))
    primo = client.get(URL, {"ambito": visconteo.pk, "periodo": periodi[0].pk}).context["dati"]
    ultimo = client.get(URL, {"ambito": visconteo.pk, "periodo": periodi[-1].pk}).context["dati"]
    assert (primo.periodo, ultimo.periodo) == (periodi[0], periodi[-1])
    solo = client.get(URL, {"ambito": visconteo.pk, "comune": rozzano.pk}).context["dati"]
    assert {r.comune for r in solo.completezza_righe} == {rozzano}


def test_filters_outside_scope_are_ignored(as_user, ufficio_piano_altro, visconteo):
    response = as_user(ufficio_piano_altro).get(URL, {"ambito": visconteo.pk})
    assert response.status_code == 200
    assert response.context["dati"].ambito != visconteo
    assert "ambito" in response.context["form"].errors


def test_operator_gets_his_comune_dashboard(as_user, operatore_rozzano, rozzano):
    response = as_user(operatore_rozzano).get(URL)
    assert response.status_code == 200
    dati = response.context["dati"]
    assert dati.comune == rozzano
    assert all(v.comune_id == rozzano.pk for v in dati.da_completare + dati.respinti)
    assert "Binasco" not in response.content.decode()


def test_dashboard_query_count_is_bounded(
    as_user, ufficio_piano, visconteo, django_assert_max_num_queries
):
    from ambito.platform.cache import invalida_cache_ambito
    from tests.factories import ComuneFactory, DatiDemograficiFactory

    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(50):
        client.get(URL)
    for comune in ComuneFactory.create_batch(100, ambito=visconteo):
        DatiDemograficiFactory(comune=comune, anno=2023)
    invalida_cache_ambito(visconteo.pk)  # factories write without the services
    with django_assert_max_num_queries(50):
        response = client.get(URL)
    assert len(response.context["dati"].completezza_righe) == 111


def test_the_filter_form_reads_each_list_once(as_user, ufficio_piano, visconteo):
    """The choices of the filters are read once per page: the default Ambito, the
    years and the rendered options share them (the figures come from the cache)."""
    client = as_user(ufficio_piano)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    tabelle = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries.captured_queries]
    for tabella in ('"ambito_ambito"', '"indicatori_periodo"', '"ambito_comune"'):
        assert tabelle.count(tabella) == 1, tabelle
    form = response.context["form"]
    assert form.ambito_predefinito == visconteo
    assert [a for a, _etichetta in form.fields["anno"].choices[1:]] == sorted(
        {p.data_fine.year for p in Periodo.objects.filter(ambito=visconteo)}, reverse=True
    )
    html = response.content.decode()
    for periodo in Periodo.objects.filter(ambito=visconteo):
        assert f'<option value="{periodo.pk}">{escape(periodo.nome)}</option>' in html


def _letture_dei_periodi(queries):
    """The queries that read whole Periodo rows (not the selectors' own columns)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "indicatori_periodo"."id", "indicatori_periodo"."ambito_id"')
    ]


def test_computing_the_figures_reads_the_periods_of_the_form(as_user, ufficio_piano, visconteo):
    """After an approval the figures are computed again: with the periods the filter
    form has read for its choices, not a second read of the same list."""
    from ambito.platform.cache import INDICATORI, invalida_cache_ambito

    client = as_user(ufficio_piano)
    client.get(URL)
    invalida_cache_ambito(visconteo.pk, INDICATORI)  # pending: the figures are computed
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert len(_letture_dei_periodi(queries)) == 1
    assert response.context["dati"].periodi == list(
        Periodo.objects.filter(ambito=visconteo).order_by("-data_fine")
    )


def test_periods_of_an_ambito_out_of_scope_are_not_those_of_the_figures(
    as_user, ufficio_piano_altro, visconteo
):
    response = as_user(ufficio_piano_altro).get(URL, {"ambito": visconteo.pk})
    dati = response.context["dati"]
    assert dati.ambito != visconteo
    assert dati.periodi == list(Periodo.objects.filter(ambito=dati.ambito).order_by("-data_fine"))


def test_completeness_table_shows_each_comune_row(as_user, ufficio_piano, visconteo, chiuso):
    response = as_user(ufficio_piano).get(URL, {"ambito": visconteo.pk, "periodo": chiuso.pk})
    righe = response.context["dati"].completezza_righe
    html = response.content.decode()
    assert righe
    for r in righe:
        percentuale = f"{r.percentuale:.1f}%".replace(".", ",") if r.attesi else "—"
        assert (
            f'<tr><th scope="row">{escape(r.comune.nome)}</th><td class="num">{r.attesi}</td>'
            f'<td class="num">{r.inviati}</td><td class="num">{r.approvati}</td>'
            f'<td class="num">{percentuale}</td><td>{escape(r.stato)}</td></tr>'
        ) in html


def test_area_filter_narrows_indicators_completeness_and_beneficiaries(
    as_user, revisore, visconteo, chiuso
):
    from indicatori.choices import StatoValore
    from indicatori.models import Valore
    from servizi.models import AreaIntervento

    poverta = AreaIntervento.objects.get(codice="poverta-inclusione")
    client = as_user(revisore)
    tutte = client.get(URL, {"ambito": visconteo.pk, "periodo": chiuso.pk}).context["dati"]
    response = client.get(URL, {"ambito": visconteo.pk, "periodo": chiuso.pk, "area": poverta.pk})
    dati = response.context["dati"]
    assert dati.area == poverta
    assert escape(poverta.nome) in response.content.decode()

    # Progress: only the area's indicators (scheda 4 of the Piano and its services).
    avanzamento = next(g for g in dati.grafici if g.id == "avanzamento")
    codici = {riga[0].split()[0] for riga in avanzamento.righe}
    assert codici and all(c.startswith(("4.", "SRV.PIS")) for c in codici)
    assert sum(dati.stati.values()) < sum(tutte.stati.values())

    # Beneficiaries: only 4.OUT.4 counts in this area, summed here from its rows.
    attesi = {}
    for v in Valore.objects.filter(
        indicatore__codice="4.OUT.4",
        periodo=chiuso,
        stato=StatoValore.APPROVATO,
        categoria__isnull=True,
        comune__isnull=False,
    ):
        attesi[v.comune.nome] = attesi.get(v.comune.nome, 0) + v.valore_numerico
    assert {r.comune.nome: r.totale for r in dati.beneficiari} == attesi
    assert attesi and sum(attesi.values()) < sum(r.totale for r in tutte.beneficiari)

    # Completeness counts only the area's per-Comune indicators due in the period.
    dovuti = selectors.indicatori_comunali_dovuti(chiuso).filter(area=poverta).count()
    assert {r.attesi for r in dati.completezza_righe} == {dovuti}
    assert dovuti < tutte.completezza_righe[0].attesi
    # Funds stay the Ambito's.
    assert dati.fondi["totale_anno"] == tutte.fondi["totale_anno"]


def test_dashboard_residents_follow_the_reference_population_rule(ufficio_piano, visconteo):
    """The dashboard and the Relazione show the population that
    `popolazione_di_riferimento` picks for the year asked."""
    for anno, atteso in ((2022, 2022), (2026, 2023), (2019, 2021)):
        dati = cruscotto_ambito(fetched_by=ufficio_piano, ambito=visconteo, anno=anno)
        scelta = territorio.popolazione_di_riferimento(ambito=visconteo, anno=anno)
        assert (dati.anno_residenti, dati.residenti) == (scelta.anno, scelta.residenti)
        assert dati.anno_residenti == atteso


def test_charts_name_the_indicators_and_say_what_they_leave_out(
    as_user, revisore, visconteo, chiuso
):
    from indicatori.cruscotto import TETTO_PERCENTUALE, etichetta_indicatore

    response = as_user(revisore).get(URL, {"ambito": visconteo.pk, "periodo": chiuso.pk})
    dati = response.context["dati"]
    page = response.content.decode()
    grafici = {g.id: g for g in dati.grafici}
    avanzamento = grafici["avanzamento"]
    # The bars carry the code and (shortened) name; the table the whole name.
    primo = next(a for a in dati.avanzamenti if a.percentuale is not None)
    assert escape(etichetta_indicatore(primo.indicatore)) in avanzamento.svg
    assert etichetta_indicatore(primo.indicatore).startswith(primo.indicatore.codice + " ")
    assert avanzamento.righe[0][0] == f"{primo.indicatore.codice} {primo.indicatore.nome}"
    # A value over the axis's cap is written with its number.
    oltre = [a for a in dati.avanzamenti if (a.percentuale or 0) > TETTO_PERCENTUALE]
    for a in oltre:
        assert f"{a.percentuale:.0f}%" in avanzamento.svg
    # Every chart has its sentence, shown on the page under the chart.
    for grafico in dati.grafici:
        assert grafico.nota and escape(grafico.nota) in page
    mancanti = len(dati.completezza_righe) - len(dati.beneficiari)
    if mancanti:
        assert f"Non compaiono {mancanti} Comuni" in grafici["beneficiari"].nota
