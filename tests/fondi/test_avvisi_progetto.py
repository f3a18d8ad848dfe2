"""The warnings a reviewer wants, computed in SQL for a queryset of projects, shown on
the project page and in the data-quality chapter of the Relazione."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from fondi import selectors, services
from fondi.models import Atto, Progetto
from indicatori.reports import relazione_monitoraggio

from .factories import AvanzamentoFactory, FinanziamentoFactory, ProgettoFactory

OGGI = datetime.date(2026, 1, 15)


def _avvisi(user, progetto):
    annotato = selectors.progetti_con_avvisi(
        fetched_by=user, progetti=Progetto.objects.filter(pk=progetto.pk), oggi=OGGI
    ).get()
    return {
        codice for codice in selectors.messaggi_avvisi() if getattr(annotato, f"avviso_{codice}")
    }


def test_concluded_project_without_amounts(ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="concluso")
    assert _avvisi(ufficio_piano, progetto) == {"concluso_senza_importi"}
    AvanzamentoFactory(progetto=progetto, erogato=Decimal("100"))
    assert _avvisi(ufficio_piano, progetto) == set()


def test_paid_without_committed(ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="ammesso")
    AvanzamentoFactory(progetto=progetto, vincolante=None, erogato=Decimal("10.00"))
    assert _avvisi(ufficio_piano, progetto) == {"erogato_senza_vincolante"}
    AvanzamentoFactory(
        progetto=progetto,
        data=datetime.date(2025, 7, 31),
        vincolante=Decimal("10.00"),
        erogato=Decimal("10.00"),
    )
    assert _avvisi(ufficio_piano, progetto) == set()


def test_end_passed_while_running_counts_the_extension(ufficio_piano, visconteo):
    progetto = ProgettoFactory(
        ambito=visconteo, stato="in_corso", data_fine=datetime.date(2025, 12, 31)
    )
    assert _avvisi(ufficio_piano, progetto) == {"fine_superata"}
    services.atto_register(
        atto=Atto(ambito=visconteo, tipo="proroga", data=datetime.date(2025, 11, 1), ente="R"),
        effetti=[{"progetto": progetto, "nuova_data_fine": datetime.date(2026, 6, 30)}],
    )
    assert _avvisi(ufficio_piano, progetto) == set()


def test_top_up_without_act(ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="candidato")
    FinanziamentoFactory(progetto=progetto)
    assert _avvisi(ufficio_piano, progetto) == set()
    FinanziamentoFactory(progetto=progetto, integrazione=True, importo=Decimal("5.00"))
    assert _avvisi(ufficio_piano, progetto) == {"integrazione_senza_atto"}


def test_warnings_on_the_page_and_in_the_relazione(as_user, ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="concluso", titolo="Chiuso a vuoto")
    html = as_user(ufficio_piano).get(progetto.get_absolute_url()).content.decode()
    assert "Progetto concluso senza importo ammesso o erogato" in html
    relazione = relazione_monitoraggio(fetched_by=ufficio_piano, ambito=visconteo)
    titoli = {p.titolo: p.avvisi for p in relazione.avvisi_progetti}
    assert titoli["Chiuso a vuoto"] == [
        "Progetto concluso senza importo ammesso o erogato nell'ultimo avanzamento."
    ]


def test_visconteo_projects_have_no_false_warnings(ufficio_piano, visconteo):
    avvisi = selectors.progetti_avvisi(
        fetched_by=ufficio_piano, progetti=visconteo.progetti.all(), oggi=datetime.date(2025, 6, 1)
    )
    assert avvisi == []


@pytest.mark.parametrize("n", [3, 12])
def test_warnings_selector_query_count_is_constant(
    ufficio_piano, visconteo, django_assert_max_num_queries, n
):
    for _ in range(n):
        ProgettoFactory(ambito=visconteo, stato="concluso")
    with django_assert_max_num_queries(3):
        avvisi = selectors.progetti_avvisi(
            fetched_by=ufficio_piano, progetti=visconteo.progetti.all(), oggi=OGGI
        )
    assert len(avvisi) >= n


def test_top_up_entered_on_the_page_without_act_is_flagged(as_user, ufficio_piano, visconteo):
    progetto = ProgettoFactory(ambito=visconteo, stato="ammesso", titolo="Integrato a mano")
    FinanziamentoFactory(progetto=progetto, importo=Decimal("1000.00"))
    client = as_user(ufficio_piano)
    response = client.post(
        reverse("fondi:finanziamento_create", args=[progetto.pk]),
        {"linea": progetto.linea.pk, "importo": "250,50", "integrazione": "on"},
    )
    assert response.status_code == 302
    pagina = client.get(progetto.get_absolute_url())
    assert "Integrazione del finanziamento senza l&#x27;atto che la concede." in (
        pagina.content.decode()
    )
    assert pagina.context["totale_finanziato"] == Decimal("1250.50")
