"""The values list of a user of many Ambiti (Regione, superuser): the queries do not grow
with the Ambiti, the count and the pages stop at a limit, the filter lists follow the
chosen Ambito, the most recent periods come first."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambito.choices import Ruolo
from ambito.models import Ambito
from ambito.platform.paginazione import PaginatoreLimitato
from indicatori.choices import StatoValore
from indicatori.models import Indicatore, Valore
from tests.factories import user_with_role

from .test_regione import genera_regione  # noqa: F401  (a pytest fixture)

ELENCO = reverse("indicatori:valore_list")


@pytest.fixture
def due_ambiti(genera_regione):  # noqa: F811
    return genera_regione("IS", 2, fondi=False)


@pytest.fixture
def utente_regione(due_ambiti):
    return user_with_role(Ruolo.REGIONE, due_ambiti[0], username="regione.molise")


@pytest.fixture
def amministratore(db):
    return get_user_model().objects.create_superuser("admin.valori", password="x")


def _conta(client, url):
    with CaptureQueriesContext(connection) as contesto:
        risposta = client.get(url)
    assert risposta.status_code == 200
    return len(contesto.captured_queries)


def test_queries_do_not_grow_with_the_ambiti(
    client,
    due_ambiti,
    utente_regione,
    amministratore,
    genera_regione,  # noqa: F811
):
    conteggi = {}
    for utente in (utente_regione, amministratore):
        client.force_login(utente)
        conteggi[utente.pk] = (_conta(client, ELENCO), _conta(client, "/api/v1/valori/"))
        assert conteggi[utente.pk][0] <= 12
    genera_regione("CB", 3, fondi=False)
    assert Ambito.objects.visible_to(utente_regione).count() == 5
    for utente in (utente_regione, amministratore):
        client.force_login(utente)
        assert (_conta(client, ELENCO), _conta(client, "/api/v1/valori/")) == conteggi[utente.pk]


def test_the_most_recent_periods_come_first(client, due_ambiti, utente_regione):
    client.force_login(utente_regione)
    righe = client.get(ELENCO).context["object_list"]
    visibili = Valore.objects.visible_to(utente_regione)
    ultima = visibili.order_by("-periodo__data_fine").values_list("periodo__data_fine")[0][0]
    assert [v.periodo.data_fine for v in righe] == [ultima] * len(righe)
    assert all(v.stato == StatoValore.APPROVATO for v in righe)


def test_a_big_list_is_counted_and_paged_up_to_the_limit(
    client, due_ambiti, utente_regione, monkeypatch
):
    visibili = Valore.objects.visible_to(utente_regione).count()
    assert visibili > 80
    monkeypatch.setattr(PaginatoreLimitato, "limite", 80)
    client.force_login(utente_regione)
    html = client.get(ELENCO).content.decode()
    assert "Più di 80 valori: le pagine mostrano i primi 80" in html
    assert "Pagina 1 di 2" in html
    successiva = re.search(r'href="\?page=2">Successiva</a>', html)
    assert successiva
    seconda = client.get(ELENCO, {"page": 2})
    assert seconda.status_code == 200
    assert len(seconda.context["object_list"]) == 30  # rows 51 to 80
    assert "Successiva" not in seconda.content.decode()
    oltre = client.get(ELENCO, {"page": 3})
    assert oltre.status_code == 404
    assert "Pagina non trovata" in oltre.content.decode()


def test_a_list_within_the_limit_is_counted_exactly(client, due_ambiti, utente_regione):
    indicatore = Indicatore.objects.visible_to(utente_regione).order_by("pk").first()
    attesi = Valore.objects.visible_to(utente_regione).filter(indicatore=indicatore).count()
    client.force_login(utente_regione)
    risposta = client.get(
        ELENCO, {"ambito": indicatore.piano.ambito_id, "indicatore": indicatore.pk}
    )
    html = risposta.content.decode()
    assert f"{attesi} valori." in html and "Più di" not in html
    pagine = -(-attesi // 50)
    assert f"Pagina 1 di {pagine}" in html
    oltre = client.get(ELENCO, {"indicatore": indicatore.pk, "page": pagine + 1})
    assert oltre.status_code == 404


def _opzioni(html, nome):
    select = re.search(rf'<select name="{nome}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d*)"', select)


def test_filter_lists_follow_the_chosen_ambito(client, due_ambiti, utente_regione):
    primo, secondo = due_ambiti
    client.force_login(utente_regione)
    html = client.get(ELENCO).content.decode()
    assert _opzioni(html, "indicatore") == [""]  # "Tutti" only: choose the Ambito first
    assert _opzioni(html, "comune") == [""]
    # Said once per list, however many times the page reads the form.
    assert html.count("(scegliere prima l&#x27;Ambito)") == 3
    assert "Indicatore (scegliere prima l&#x27;Ambito)</label>" in html
    html = client.get(ELENCO, {"ambito": secondo.pk}).content.decode()
    suoi = Indicatore.objects.filter(piano__ambito=secondo)
    assert sorted(_opzioni(html, "indicatore")[1:]) == sorted(str(i.pk) for i in suoi)
    assert set(_opzioni(html, "comune")[1:]) == {str(c.pk) for c in secondo.comuni.all()}
    # A choice made without the Ambito (a link from an indicator) stays in its list,
    # and an indicator of another Ambito is still a valid filter.
    altro = Indicatore.objects.filter(piano__ambito=primo).first()
    risposta = client.get(ELENCO, {"indicatore": altro.pk})
    assert _opzioni(risposta.content.decode(), "indicatore") == ["", str(altro.pk)]
    assert {v.indicatore_id for v in risposta.context["object_list"]} == {altro.pk}


def test_a_user_of_one_ambito_keeps_the_whole_lists(client, due_ambiti):
    ambito = due_ambiti[0]
    client.force_login(user_with_role(Ruolo.UFFICIO_PIANO, ambito, username="udp.is"))
    html = client.get(ELENCO).content.decode()
    suoi = Indicatore.objects.filter(piano__ambito=ambito)
    assert sorted(_opzioni(html, "indicatore")[1:]) == sorted(str(i.pk) for i in suoi)
