"""The audit trail: every write recorded with its user, browsed per object and per user,
scoped like the data, and impossible to change through the application."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from simple_history.manager import HistoryManager

from ambito.models import Comune, DatiDemografici, Ente
from ambito.platform.audit import registry, selectors
from tests.factories import DatiDemograficiFactory, EnteFactory, api_token


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("admin.test", "a@example.it", "x-y-z-123456")


@pytest.fixture
def dati_rozzano(rozzano):
    return DatiDemografici.objects.get(comune=rozzano, anno=2023)


def oggetto_url(obj):
    return reverse("registro:oggetto", args=[obj._meta.label_lower, obj.pk])


# --- every write is recorded, whatever the door ----------------------------------------


def test_a_change_through_a_page_is_recorded_with_its_user(
    as_user, operatore_rozzano, dati_rozzano
):
    before = dati_rozzano.residenti
    response = as_user(operatore_rozzano).post(
        reverse("ambito:datidemografici_update", args=[dati_rozzano.pk]),
        {"anno": 2023, "residenti": 41_400, "stranieri": 5062, "fonte": "ISTAT"},
    )
    assert response.status_code == 302
    ultima = dati_rozzano.history.first()
    assert ultima.history_user == operatore_rozzano
    assert ultima.history_type == "~"
    delta = ultima.diff_against(ultima.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("residenti", before, 41_400),
        ("stranieri_minori", 1357, None),
    ]


@pytest.mark.urls("tests.security.urls_api_scrittura")
def test_a_change_through_the_api_is_recorded_with_its_user(
    client, operatore_rozzano, ufficio_piano, dati_rozzano, rozzano
):
    token = api_token(operatore_rozzano)
    url = f"/prova-scrittura/dati-demografici/{dati_rozzano.pk}/"
    response = client.patch(
        url,
        {"residenti": 41_401},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    assert dati_rozzano.history.first().history_user == operatore_rozzano

    client.force_login(ufficio_piano)  # the session door too, creating a record
    response = client.post(
        "/prova-scrittura/dati-demografici/",
        {"comune": rozzano.pk, "anno": 2030, "residenti": 41_500},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    creato = DatiDemografici.objects.get(comune=rozzano, anno=2030)
    record = creato.history.get()
    assert (record.history_type, record.history_user) == ("+", ufficio_piano)


def test_changes_and_deletions_through_the_admin_are_recorded(client, superuser, rozzano):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:ambito_comune_change", args=[rozzano.pk]),
        {
            "codice_istat": rozzano.codice_istat,
            "nome": "Rozzano (MI)",
            "sigla_provincia": "MI",
            "ambito": rozzano.ambito_id,
        },
    )
    assert response.status_code == 302
    ultima = rozzano.history.first()
    assert (ultima.history_user, ultima.nome) == (superuser, "Rozzano (MI)")

    ente = EnteFactory(ambito=rozzano.ambito)
    response = client.post(reverse("admin:ambito_ente_delete", args=[ente.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Ente.objects.filter(pk=ente.pk).exists()
    eliminazione = Ente.history.filter(id=ente.pk).first()
    assert (eliminazione.history_type, eliminazione.history_user) == ("-", superuser)


# --- the Revisore browses it -----------------------------------------------------------


def test_revisore_reads_the_history_of_an_object_old_and_new_values(
    as_user, operatore_rozzano, revisore, dati_rozzano
):
    as_user(operatore_rozzano).post(
        reverse("ambito:datidemografici_update", args=[dati_rozzano.pk]),
        {"anno": 2023, "residenti": 41_400, "stranieri": 5062, "stranieri_minori": 1357},
    )
    response = as_user(revisore).get(oggetto_url(dati_rozzano))
    assert response.status_code == 200
    voci = response.context["voci"]
    assert [v.tipo for v in voci] == ["Modifica", "Creazione"]
    modifica = voci[0]
    assert modifica.utente == operatore_rozzano
    assert [(m.campo, m.prima, m.dopo) for m in modifica.modifiche] == [
        ("Popolazione residente", "41370", "41400"),
    ]
    html = response.content.decode()
    assert "Cronologia di Rozzano 2023" in html
    assert "op.rozzano" in html


def test_revisore_reads_the_changes_of_a_user(as_user, operatore_rozzano, revisore, dati_rozzano):
    as_user(operatore_rozzano).post(
        reverse("ambito:datidemografici_update", args=[dati_rozzano.pk]),
        {"anno": 2023, "residenti": 41_400, "fonte": "ISTAT"},
    )
    response = as_user(revisore).get(reverse("registro:utente", args=[operatore_rozzano.pk]))
    assert response.status_code == 200
    voci = response.context["voci"]
    assert len(voci) == 1
    assert (voci[0].etichetta, voci[0].utente) == ("Rozzano 2023", operatore_rozzano)
    assert "Modifiche di op.rozzano" in response.content.decode()


def test_labels_show_names_choices_and_italian_formats(as_user, ufficio_piano, visconteo, rozzano):
    ente = EnteFactory(ambito=visconteo, tipo="ets")
    ente.tipo, ente.comune = "comune", rozzano
    ente.save()
    dati = DatiDemograficiFactory(comune=rozzano, anno=2031, componenti_medi="2.3")
    response = as_user(ufficio_piano).get(oggetto_url(ente))
    modifica = response.context["voci"][0]
    assert {(m.campo, m.prima, m.dopo) for m in modifica.modifiche} == {
        ("Comune", "—", "Rozzano"),
        ("Tipo", "Ente del Terzo Settore / cooperativa", "Comune"),
    }
    creazione = as_user(ufficio_piano).get(oggetto_url(dati)).context["voci"][0]
    assert ("Componenti medi per famiglia", "—", "2,3") in {
        (m.campo, m.prima, m.dopo) for m in creazione.modifiche
    }


def test_history_of_a_deleted_record_stays_readable(as_user, revisore, visconteo):
    ente = EnteFactory(ambito=visconteo, nome="Cooperativa chiusa")
    pk = ente.pk
    ente.delete()
    response = as_user(revisore).get(reverse("registro:oggetto", args=["ambito.ente", pk]))
    assert response.status_code == 200
    assert [v.tipo for v in response.context["voci"]] == ["Eliminazione", "Creazione"]
    assert response.context["eliminato"]
    assert "Cooperativa chiusa" in response.content.decode()


def test_the_list_filters_by_kind_operation_and_date(as_user, ufficio_piano, dati_rozzano):
    dati_rozzano.residenti = 1
    dati_rozzano.save()
    client = as_user(ufficio_piano)
    oggi = timezone.localdate()
    response = client.get(
        reverse("registro:index"),
        {"modello": "ambito.datidemografici", "tipo": "~", "dal": oggi, "al": oggi},
    )
    voci = response.context["voci"]
    assert [(v.tracciato.chiave, v.oggetto_id, v.tipo) for v in voci] == [
        ("ambito.datidemografici", dati_rozzano.pk, "Modifica")
    ]
    # Before any change of the test data (yesterday would not do: the data may have
    # been loaded before midnight).
    prima = datetime.date(2000, 1, 1)
    response = client.get(reverse("registro:index"), {"tipo": "~", "al": prima})
    assert response.context["voci"] == []


def test_a_bad_filter_is_explained_and_ignored(as_user, ufficio_piano):
    response = as_user(ufficio_piano).get(
        reverse("registro:index"),
        {"dal": "2026-03-31", "al": "2026-03-01", "modello": "nessuno.modello"},
    )
    assert response.status_code == 200
    errors = response.context["filterset"].form.errors
    assert "La data finale non può precedere quella iniziale." in errors["al"]
    assert "modello" in errors
    assert response.context["page_obj"].paginator.count > 0


def test_the_trail_covers_every_model_with_history():
    """Generic: models of every app (and of apps added later) are found by themselves."""
    with_history = {
        m._meta.label_lower
        for m in apps.get_models()
        if isinstance(getattr(m, "history", None), HistoryManager)
    }
    assert set(registry.registro()) == with_history
    assert {"ambito.datidemografici", "fondi.progetto", "programmi.scheda"} <= with_history


def test_many_to_many_changes_are_shown(as_user, ufficio_piano, visconteo):
    from programmi.models import Scheda
    from servizi.models import AreaIntervento, Servizio

    scheda = Scheda.objects.filter(piano__ambito=visconteo).first()
    area = AreaIntervento.objects.create(codice="prova", nome="Area di prova")
    servizio = Servizio.objects.create(ambito=visconteo, nome="Sportello stranieri", area=area)
    scheda.servizi.add(servizio)
    response = as_user(ufficio_piano).get(oggetto_url(scheda))
    assert response.status_code == 200
    modifica = response.context["voci"][0]
    assert ("Servizi", "—", "Sportello stranieri") in {
        (m.campo, m.prima, m.dopo) for m in modifica.modifiche
    }


# --- scoped like the data --------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, status",
    [
        ("revisore", 200),
        ("ufficio_piano", 200),
        ("ufficio_piano_altro", 404),
        ("operatore_rozzano", 403),  # the trail is for the UdP and the Revisori
        ("operatore_binasco", 403),
    ],
)
def test_object_history_is_scoped(request, as_user, dati_rozzano, fixture, status):
    user = request.getfixturevalue(fixture)
    assert as_user(user).get(oggetto_url(dati_rozzano)).status_code == status


def test_out_of_scope_rows_never_appear_in_lists(as_user, ufficio_piano_altro, altro_ambito):
    response = as_user(ufficio_piano_altro).get(reverse("registro:index"))
    voci = response.context["voci"]
    assert voci, "the other Ambito sees its own history"
    visconteo_comuni = set(Comune.objects.exclude(ambito=altro_ambito).values_list("pk", flat=True))
    for voce in voci:
        if voce.tracciato.chiave == "ambito.comune":
            assert voce.oggetto_id not in visconteo_comuni


def test_unknown_model_or_object_is_404(as_user, revisore):
    client = as_user(revisore)
    assert client.get(reverse("registro:oggetto", args=["ambito.nulla", 1])).status_code == 404
    assert (
        client.get(reverse("registro:oggetto", args=["ambito.comune", 999999])).status_code == 404
    )
    assert client.get(reverse("registro:utente", args=[999999])).status_code == 404


def test_history_visibility_reuses_the_scope_paths(revisore, operatore_rozzano, rozzano, binasco):
    """The Revisore reads every Comune's rows of his Ambito; an Operatore reads none."""
    storico = selectors.storico_visibile(registry.registro()["ambito.datidemografici"], revisore)
    assert storico.filter(comune=binasco).exists()
    assert not selectors.storico_visibile(
        registry.registro()["ambito.datidemografici"], operatore_rozzano
    ).exists()


# --- nobody edits the trail ------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_history_pages_refuse_writes(as_user, revisore, ufficio_piano, dati_rozzano, method):
    for user in (revisore, ufficio_piano):
        client = as_user(user)
        for url in (
            reverse("registro:index"),
            oggetto_url(dati_rozzano),
            reverse("registro:utente", args=[user.pk]),
        ):
            assert getattr(client, method)(url).status_code == 405
    assert dati_rozzano.history.count() == 1


def test_admin_has_no_page_for_history_tables_and_no_revert(client, superuser, rozzano):
    historical = {t.storico for t in registry.registro().values()}
    assert not historical & set(admin.site._registry)
    client.force_login(superuser)
    record = rozzano.history.first()
    url = reverse("admin:ambito_comune_simple_history", args=[rozzano.pk, record.history_id])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content  # no "Revert" button
    assert b'name="_change_history"' not in response.content
    response = client.post(url, {"nome": "Rinominato", "codice_istat": "015189", "ambito": 1})
    assert response.status_code == 405
    rozzano.refresh_from_db()
    assert rozzano.nome == "Rozzano"
    assert rozzano.history.count() == 1


def test_admin_history_page_answers_404_to_an_id_that_is_not_one(client, superuser, rozzano):
    """simple-history's page reads its id straight into a query; a wrong one is a 404."""
    client.force_login(superuser)
    history = reverse("admin:ambito_comune_history", args=[rozzano.pk])
    assert client.get(history).status_code == 200
    for wrong in (f"{rozzano.pk}/change", "abc", "9" * 30):
        url = history.replace(f"/{rozzano.pk}/", f"/{wrong}/")
        assert client.get(url).status_code == 404, url


# --- query counts ----------------------------------------------------------------------


def test_list_pages_query_count_is_bounded(
    as_user, ufficio_piano, visconteo, operatore_rozzano, django_assert_max_num_queries
):
    """A few queries per kind of record on the page (rows, previous versions, names of
    related objects), never per row: 18 on the real data's first page (7 kinds), 7 on a
    page of 50 changes to one kind."""
    client = as_user(ufficio_piano)
    urls = [reverse("registro:index"), reverse("registro:utente", args=[operatore_rozzano.pk])]
    for url in urls:
        with django_assert_max_num_queries(25):
            client.get(url)
    from tests.factories import ComuneFactory

    for comune in ComuneFactory.create_batch(60, ambito=visconteo):
        dati = DatiDemograficiFactory(comune=comune, anno=2023)
        dati._history_user = operatore_rozzano
        for residenti in (1, 2):
            dati.residenti = residenti
            dati.save()
    for url in urls:
        with django_assert_max_num_queries(25):
            response = client.get(url)
        assert len(response.context["voci"]) == registry.PER_PAGINA


def test_object_page_query_count_is_bounded(
    as_user, ufficio_piano, dati_rozzano, django_assert_max_num_queries
):
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(14):
        client.get(oggetto_url(dati_rozzano))
    for residenti in range(80):
        dati_rozzano.residenti = residenti
        dati_rozzano.save()
    with django_assert_max_num_queries(14):
        response = client.get(oggetto_url(dati_rozzano))
    assert len(response.context["voci"]) == registry.PER_PAGINA


# --- one operation, one entry ----------------------------------------------------------


def _approvazione_in_blocco(operatore, ufficio, comune, ambito, n=4):
    """Four values of one Comune sent, then approved together with "Approva tutti"."""
    from indicatori import services as indicatori_services
    from indicatori.models import Indicatore, Periodo
    from indicatori.services import Cella

    periodo = Periodo.objects.get(ambito=ambito, codice="2025-s2")
    indicatori = Indicatore.objects.filter(
        piano__ambito=ambito,
        categorie__isnull=True,
        unita="conteggio",
        livello="comune",
        periodicita="semestrale",
    ).order_by("codice")[:n]
    celle = [Cella(i, valore_numerico=Decimal(i.pk % 7 + 1)) for i in indicatori]
    indicatori_services.valori_save(
        user=operatore, periodo=periodo, comune=comune, celle=celle, invia=True
    )
    indicatori_services.valori_approve_comune(user=ufficio, periodo=periodo, comune=comune)
    return [c.indicatore for c in celle]


def test_a_bulk_approval_is_one_entry_that_opens_to_its_rows(
    as_user, operatore_rozzano, ufficio_piano, rozzano, visconteo
):
    ufficio_piano.first_name, ufficio_piano.last_name = "Giulia", "Ferraris"
    ufficio_piano.save()
    indicatori = _approvazione_in_blocco(operatore_rozzano, ufficio_piano, rozzano, visconteo)
    response = as_user(ufficio_piano).get(reverse("registro:index"))
    prima = response.context["operazioni"][0]
    assert prima.righe == len(indicatori) == 4 and prima.tipo == "Modifica"
    assert prima.utente == ufficio_piano and prima.motivo == "Approvato"
    html = response.content.decode()
    riga = html[html.index("<tbody>") : html.index("</tr>", html.index("<tbody>"))]
    assert "<details>" in riga
    assert "Valore: 4 elementi in una sola operazione" in riga
    assert ">Giulia Ferraris</a>" in riga and f">{ufficio_piano.username}<" not in riga
    assert riga.count('<li class="border-top') == 4
    # Italian labels, no bookkeeping fields
    assert '<strong>Stato</strong>: <span class="visually-hidden">prima</span> Inviato' in riga
    assert '<strong>Approvato da</strong>: <span class="visually-hidden">prima</span> — ' in riga
    assert "</span> Giulia Ferraris</li>" in riga  # the approver by name in the values too
    assert "Versione" not in html and "versione" not in riga
    # each single save stays its own entry: the four sends were one submit too
    invio = response.context["operazioni"][1]
    assert invio.righe == 4 and invio.utente == operatore_rozzano


def test_the_list_is_paged_by_operations(
    as_user, operatore_rozzano, ufficio_piano, rozzano, visconteo, django_assert_max_num_queries
):
    _approvazione_in_blocco(operatore_rozzano, ufficio_piano, rozzano, visconteo)
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("registro:index"))
    pagina = response.context["page_obj"]
    totale_righe = sum(
        storico.objects.count() for storico in (t.storico for t in registry.registro().values())
    )
    # 12 history rows (four values saved in one grid, sent, approved) counted as 3 entries.
    assert pagina.paginator.count == totale_righe - 9
    assert len(response.context["operazioni"]) == registry.PER_PAGINA
