"""The calendar of the periods: created a year at a time, no overlap, deleted only when
empty; the entry grid and the reminders follow it."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from ambito.models import Notifica
from indicatori import services
from indicatori.models import EventoPeriodo, Indicatore, Periodo
from tests.indicatori.factories import IndicatoreFactory, PeriodoFactory, ValoreFactory
from tests.programmi.factories import PianoFactory

pytestmark = pytest.mark.django_db


def _crea(client, ambito, **dati):
    return client.post(
        reverse("indicatori:periodo_calendario"),
        {"ambito": ambito.pk, "anno": 2031, "tipo": "trimestrale", "giorni_scadenza": 30, **dati},
    )


def test_a_year_of_quarters_with_deadlines(as_user, ufficio_piano, visconteo):
    piano = PianoFactory(ambito=visconteo, anno_inizio=2031, anno_fine=2033)
    indicatore = IndicatoreFactory(
        piano=piano, periodicita="annuale", rilevazione_dal=datetime.date(2031, 1, 1)
    )
    response = _crea(as_user(ufficio_piano), visconteo, indicatori=[indicatore.pk])
    assert response.status_code == 302
    periodi = list(
        Periodo.objects.filter(ambito=visconteo, tipo="trimestrale").order_by("data_inizio")
    )
    assert [(p.codice, p.data_inizio, p.data_fine, p.scadenza) for p in periodi] == [
        (
            "2031-t1",
            datetime.date(2031, 1, 1),
            datetime.date(2031, 3, 31),
            datetime.date(2031, 4, 30),
        ),
        (
            "2031-t2",
            datetime.date(2031, 4, 1),
            datetime.date(2031, 6, 30),
            datetime.date(2031, 7, 30),
        ),
        (
            "2031-t3",
            datetime.date(2031, 7, 1),
            datetime.date(2031, 9, 30),
            datetime.date(2031, 10, 30),
        ),
        (
            "2031-t4",
            datetime.date(2031, 10, 1),
            datetime.date(2031, 12, 31),
            datetime.date(2032, 1, 30),
        ),
    ]
    assert [p.nome for p in periodi][0] == "1° trimestre 2031"
    # The chosen indicator follows the calendar: due in each quarter of the year.
    indicatore.refresh_from_db()
    assert indicatore.periodicita == "trimestrale"
    for periodo in periodi:
        assert indicatore in Indicatore.objects.dovuti_nel(periodo)


@pytest.mark.parametrize(
    ("tipo", "numero", "primo"),
    [
        ("mensile", 12, "Gennaio 2031"),
        ("semestrale", 2, "1° semestre 2031"),
        ("annuale", 1, "Anno 2031"),
    ],
)
def test_every_periodicity(tipo, numero, primo, visconteo, ufficio_piano):
    creati = services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo=tipo, giorni_scadenza=10
    )
    assert len(creati) == numero
    assert creati[0].nome == primo
    assert creati[-1].data_fine == datetime.date(2031, 12, 31)
    assert creati[-1].scadenza == datetime.date(2032, 1, 10)


def test_overlap_with_a_period_of_the_same_kind_is_refused_and_nothing_saved(
    as_user, ufficio_piano, visconteo
):
    PeriodoFactory(
        ambito=visconteo,
        codice="vecchio",
        nome="Trimestre già creato",
        tipo="trimestrale",
        data_inizio=datetime.date(2031, 7, 1),
        data_fine=datetime.date(2031, 9, 30),
        scadenza=datetime.date(2031, 10, 31),
    )
    prima = Periodo.objects.count()
    response = _crea(as_user(ufficio_piano), visconteo)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Si sovrappone al periodo «Trimestre già creato»" in html
    assert 'id="id_anno_errors"' in html  # next to the year
    assert Periodo.objects.count() == prima  # the first two quarters were not kept either
    # Another kind of period over the same months is allowed.
    assert _crea(as_user(ufficio_piano), visconteo, tipo="semestrale").status_code == 302


def test_editing_a_period_into_an_overlap_is_refused(as_user, ufficio_piano, visconteo):
    primo, secondo = services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo="semestrale"
    )
    response = as_user(ufficio_piano).post(
        reverse("indicatori:periodo_update", args=[secondo.pk]),
        {
            "nome": secondo.nome,
            "data_inizio": "2031-06-01",
            "data_fine": "2031-12-31",
            "scadenza": "2032-01-30",
        },
    )
    assert "Si sovrappone al periodo «1° semestre 2031»" in response.content.decode()
    secondo.refresh_from_db()
    assert secondo.data_inizio == datetime.date(2031, 7, 1)


def test_delete_refused_with_values_allowed_without(as_user, ufficio_piano, visconteo, rozzano):
    vuoto, pieno = services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo="semestrale"
    )
    ValoreFactory(
        indicatore=IndicatoreFactory(piano=PianoFactory(ambito=visconteo)),
        periodo=pieno,
        comune=rozzano,
        valore_numerico=Decimal(4),
    )
    client = as_user(ufficio_piano)
    response = client.post(reverse("indicatori:periodo_delete", args=[pieno.pk]))
    assert response.status_code == 200
    assert "ha 1 valore inserito e non si può eliminare" in response.content.decode()
    assert Periodo.objects.filter(pk=pieno.pk).exists()
    assert client.post(reverse("indicatori:periodo_delete", args=[vuoto.pk])).status_code == 302
    assert not Periodo.objects.filter(pk=vuoto.pk).exists()


def test_close_and_reopen_with_a_reason_recorded(as_user, ufficio_piano, visconteo):
    (periodo,) = services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo="annuale"
    )
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione", args=[periodo.pk])
    client.post(url, {"azione": "chiudi", "motivo": "Fine della rilevazione."})
    senza_motivo = client.post(url, {"azione": "riapri", "motivo": ""})
    assert senza_motivo.status_code == 400
    client.post(url, {"azione": "riapri", "motivo": "Correzione di Rozzano."})
    periodo.refresh_from_db()
    assert periodo.stato == "riaperto"
    assert list(
        EventoPeriodo.objects.filter(periodo=periodo)
        .order_by("quando")
        .values_list("azione", "motivo")
    ) == [("chiusura", "Fine della rilevazione."), ("riapertura", "Correzione di Rozzano.")]
    assert periodo.history.filter(history_change_reason="Correzione di Rozzano.").exists()


def test_review_page_lists_the_closings_and_reopenings_newest_first(
    as_user, ufficio_piano, visconteo
):
    (periodo,) = services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo="annuale"
    )
    client = as_user(ufficio_piano)
    url = reverse("indicatori:revisione", args=[periodo.pk])
    client.post(url, {"azione": "chiudi", "motivo": "Fine della rilevazione."})
    client.post(url, {"azione": "riapri", "motivo": "Correzione di Rozzano."})
    eventi = list(EventoPeriodo.objects.filter(periodo=periodo).select_related("utente"))
    chi = ufficio_piano.get_full_name() or ufficio_piano.username
    righe = [
        f"<tr><td>{localtime(e.quando).strftime('%d/%m/%Y %H:%M')}</td>"
        f"<td>{e.get_azione_display()}</td><td>{chi}</td><td>{e.motivo}</td></tr>"
        for e in eventi
    ]
    assert [e.motivo for e in eventi] == ["Correzione di Rozzano.", "Fine della rilevazione."]
    assert "".join(righe) in client.get(url).content.decode()


def test_reminders_follow_the_calendar(visconteo, ufficio_piano, operatore_rozzano):
    (periodo,) = services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo="annuale", giorni_scadenza=45
    )
    assert periodo.scadenza == datetime.date(2032, 2, 14)
    services.promemoria_scadenze_send(oggi=periodo.scadenza)
    assert Notifica.objects.filter(
        utente=operatore_rozzano, chiave__contains=f":{periodo.pk}:"
    ).exists()


def test_list_page_queries_are_bounded(
    as_user, ufficio_piano, visconteo, django_assert_max_num_queries
):
    client = as_user(ufficio_piano)
    services.periodi_calendar_create(
        user=ufficio_piano, ambito=visconteo, anno=2031, tipo="mensile"
    )
    with django_assert_max_num_queries(15):
        response = client.get(reverse("indicatori:periodo_list"))
    assert response.status_code == 200
    assert "Dicembre 2031" in response.content.decode()


def test_only_the_ufficio_di_piano_creates_periods(as_user, operatore_rozzano, revisore):
    for user in (operatore_rozzano, revisore):
        assert as_user(user).get(reverse("indicatori:periodo_calendario")).status_code == 403


def test_a_compiled_query_takes_dates_and_gives_them_back_as_dates(visconteo, aperto, chiuso):
    """A date parameter's stand-in comes back from the compiler as the backend adapts it
    (SQLite: a text) and is recognised; the real date is adapted the same way."""
    from ambito.platform.compilate import Compilata

    def costruisci(ambito, al):
        return (
            Periodo.objects.filter(ambito_id=ambito, data_fine__lte=al)
            .order_by("data_fine")
            .values_list("pk", "data_fine")
        )

    compilata = Compilata(Periodo, costruisci)
    for al in (chiuso.data_fine, aperto.data_fine, datetime.date(1900, 1, 1)):
        righe = compilata.righe(visconteo.pk, al)
        assert righe == list(costruisci(visconteo.pk, al))
        assert all(type(data) is datetime.date for _pk, data in righe)
    pks = [pk for pk, _data in compilata.righe(visconteo.pk, chiuso.data_fine)]
    assert chiuso.pk in pks
    assert aperto.pk not in pks
    with pytest.raises(TypeError):  # a datetime is not a date's stand-in
        Compilata(Periodo, costruisci).righe(visconteo.pk, datetime.datetime(2025, 1, 1))  # noqa: DTZ001


def test_the_completeness_counts_the_indicators_due_in_the_period(
    ufficio_piano, visconteo, aperto, chiuso
):
    """The ids due, read through a compiled query, are those of `dovuti_nel`."""
    from indicatori import selectors

    for periodo in Periodo.objects.filter(ambito=visconteo):
        attesi = selectors.indicatori_comunali_dovuti(periodo).count()
        righe = selectors.completezza_periodo(fetched_by=ufficio_piano, periodo=periodo)
        assert {r.attesi for r in righe} == {attesi}
