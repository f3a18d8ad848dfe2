"""The deadline reminders' schedule: set per Ambito by its Ufficio di Piano, run daily
by celery beat (django-celery-beat), never twice for the same moment (eager tasks,
locmem mail)."""

import datetime
import html
import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from ambito.celery import app as celery_app
from ambito.models import CalendarioPromemoria
from indicatori import services
from indicatori.tasks import promemoria_scadenze

from .factories import PeriodoFactory

pytestmark = pytest.mark.django_db

MIGRAZIONE = "ambito.migrations.0007_esportazione_calendariopromemoria_attivita_periodiche"


@pytest.fixture
def periodo(visconteo):
    return PeriodoFactory(
        ambito=visconteo,
        nome="1° semestre 2030",
        data_inizio=datetime.date(2030, 1, 1),
        data_fine=datetime.date(2030, 6, 30),
        scadenza=datetime.date(2030, 7, 31),
    )


@pytest.fixture
def con_email(operatore_rozzano):
    operatore_rozzano.email = "op.rozzano@comune.example"
    operatore_rozzano.save()
    return operatore_rozzano


def test_the_ufficio_di_piano_sets_the_schedule(as_user, ufficio_piano, visconteo):
    client = as_user(ufficio_piano)
    url = reverse("ambito:calendariopromemoria", args=[visconteo.pk])
    pagina = client.get(url).content.decode()
    # The defaults while never changed: 7 days before, the day itself, 3 days after.
    assert 'name="giorni_prima" value="7"' in pagina
    assert 'name="giorni_dopo" value="3"' in pagina
    # The preferences page links it for the Ufficio di Piano.
    assert url in client.get(reverse("ambito:preferenze")).content.decode()

    risposta = client.post(url, {"giorni_prima": "0", "giorno_scadenza": "on", "giorni_dopo": ""})
    assert risposta.status_code == 200
    assert "Indicare almeno un giorno." in html.unescape(risposta.content.decode())
    assert not CalendarioPromemoria.objects.exists()

    risposta = client.post(url, {"giorni_prima": "10", "giorni_dopo": "5"})
    assert risposta.status_code == 302
    calendario = CalendarioPromemoria.objects.get(ambito=visconteo)
    assert (calendario.giorni_prima, calendario.giorno_scadenza, calendario.giorni_dopo) == (
        10,
        False,
        5,
    )
    assert "Calendario dei promemoria salvato." in client.get(url).content.decode()


def test_the_revisore_and_the_operatore_may_not_change_it(
    as_user, revisore, operatore_rozzano, visconteo
):
    url = reverse("ambito:calendariopromemoria", args=[visconteo.pk])
    for user in (revisore, operatore_rozzano):
        assert as_user(user).post(url, {"giorni_prima": "1"}).status_code == 403
    assert not CalendarioPromemoria.objects.exists()


def test_reminders_follow_the_ambito_schedule_and_never_twice(
    con_email, visconteo, periodo, django_capture_on_commit_callbacks
):
    CalendarioPromemoria.objects.create(
        ambito=visconteo, giorni_prima=10, giorno_scadenza=False, giorni_dopo=5
    )
    scadenza = periodo.scadenza

    def giorno(data):
        with django_capture_on_commit_callbacks(execute=True):
            services.promemoria_scadenze_send(oggi=data)
        return [m.subject for m in mail.outbox if m.to == ["op.rozzano@comune.example"]]

    assert giorno(scadenza - datetime.timedelta(days=7)) == []  # the default: not here
    assert giorno(scadenza - datetime.timedelta(days=10)) == [
        "[Zonale] Promemoria: 1° semestre 2030 scade il 31/07/2030"
    ]
    assert len(giorno(scadenza - datetime.timedelta(days=10))) == 1  # the scheduler twice
    assert len(giorno(scadenza)) == 1  # the day itself switched off
    dopo = giorno(scadenza + datetime.timedelta(days=5))
    assert len(dopo) == 2 and dopo[-1].startswith("[Zonale] Scadenza superata: 1° semestre")
    assert len(giorno(scadenza + datetime.timedelta(days=3))) == 2  # the default: not here


def test_beat_running_the_task_twice_sends_one_reminder(
    con_email, visconteo, django_capture_on_commit_callbacks
):
    oggi = timezone.localdate()
    PeriodoFactory(ambito=visconteo, nome="Oggi", scadenza=oggi)
    with django_capture_on_commit_callbacks(execute=True):
        primo = promemoria_scadenze.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        secondo = promemoria_scadenze.delay().get()
    assert primo >= 1 and secondo == 0
    (messaggio,) = [m for m in mail.outbox if m.to == ["op.rozzano@comune.example"]]
    assert messaggio.subject == "[Zonale] Promemoria: Oggi scade oggi"


def test_the_periodic_tasks_are_in_the_database_for_beat():
    compiti = dict(PeriodicTask.objects.values_list("name", "task"))
    assert compiti["Promemoria delle scadenze"] == "indicatori.tasks.promemoria_scadenze"
    assert compiti["Riepilogo giornaliero degli invii"] == "indicatori.tasks.riepilogo_invii"
    promemoria = PeriodicTask.objects.get(name="Promemoria delle scadenze")
    assert (promemoria.crontab.hour, promemoria.crontab.minute) == ("7", "0")
    # Beat's scheduler (the one the Procfile and the systemd unit start) reads them:
    # daily at 7, Italian time.
    voce = DatabaseScheduler.Entry(promemoria, app=celery_app)
    assert voce.task == "indicatori.tasks.promemoria_scadenze"
    assert (voce.schedule.hour, voce.schedule.minute) == ({7}, {0})
    assert str(voce.schedule.tz) == "Europe/Rome"
    # The migration's step run again creates nothing more (idempotent).
    prima = PeriodicTask.objects.count()
    importlib.import_module(MIGRAZIONE).crea_attivita_periodiche(apps, None)
    assert PeriodicTask.objects.count() == prima
