"""E-mail notices (eager tasks, locmem mail): recipients, subject, body; never twice."""

import datetime
import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambito.choices import InvioEmail, Ruolo
from ambito.models import Comune, Notifica, PreferenzeNotifiche
from indicatori import services
from indicatori.models import Valore
from indicatori.services import Cella
from tests.factories import user_with_role

from .factories import PeriodoFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def con_email(operatore_rozzano, ufficio_piano):
    for user in (operatore_rozzano, ufficio_piano):
        user.email = f"{user.username}@comune.example"
        user.save()


def _invia(operatore, periodo, comune, indicatore, valore=9):
    services.valori_save(
        user=operatore,
        periodo=periodo,
        comune=comune,
        celle=[Cella(indicatore("1.OUT.1"), valore_numerico=valore)],
        invia=True,
    )


def test_returned_value_mails_the_operatore_with_the_reason_once(
    con_email,
    operatore_rozzano,
    ufficio_piano,
    rozzano,
    aperto,
    indicatore,
    django_capture_on_commit_callbacks,
):
    _invia(operatore_rozzano, aperto, rozzano, indicatore)
    mail.outbox.clear()
    valori = Valore.objects.filter(periodo=aperto, comune=rozzano)
    with django_capture_on_commit_callbacks(execute=True):
        services.valori_reject(
            user=ufficio_piano, periodo=aperto, valori=valori, motivo="Manca il registro."
        )
    (messaggio,) = mail.outbox
    assert messaggio.to == ["op.rozzano@comune.example"]
    assert messaggio.subject == f"[Zonale] Rozzano: 1 valore restituito ({aperto.nome})"
    assert "Motivo: Manca il registro." in messaggio.body
    assert "1.OUT.1" in messaggio.body
    link = "http://127.0.0.1:8000" + reverse("indicatori:inserimento", args=[aperto.pk, rozzano.pk])
    assert link in messaggio.body
    assert reverse("ambito:preferenze") in messaggio.body  # the preference link
    html, tipo = messaggio.alternatives[0]
    assert tipo == "text/html" and f'href="{link}"' in html
    # The same e-mail task run again (a retried task) sends nothing new.
    from ambito.tasks import notifica_email_send

    notifica = Notifica.objects.get(utente=operatore_rozzano, tipo="restituito")
    assert notifica_email_send.delay(notifica.pk).get() is False
    assert len(mail.outbox) == 1


def test_operatore_may_turn_off_the_returns_mail(
    con_email,
    operatore_rozzano,
    ufficio_piano,
    rozzano,
    aperto,
    indicatore,
    django_capture_on_commit_callbacks,
):
    PreferenzeNotifiche.objects.create(utente=operatore_rozzano, restituzioni=False)
    _invia(operatore_rozzano, aperto, rozzano, indicatore)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.valori_reject(
            user=ufficio_piano,
            periodo=aperto,
            valori=Valore.objects.filter(periodo=aperto, comune=rozzano),
            motivo="Rivedere.",
        )
    assert mail.outbox == []
    # The notice is still in the app.
    assert Notifica.objects.filter(utente=operatore_rozzano, tipo="restituito").count() == 1


def test_submission_mails_the_ufficio_di_piano_at_once(
    con_email,
    operatore_rozzano,
    ufficio_piano,
    rozzano,
    aperto,
    indicatore,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _invia(operatore_rozzano, aperto, rozzano, indicatore)
    (messaggio,) = [m for m in mail.outbox if m.to == ["udp@comune.example"]]
    assert messaggio.subject == f"[Zonale] Rozzano ha inviato 1 valore ({aperto.nome})"
    assert "Rozzano ha inviato 1 valore del periodo" in messaggio.body
    assert reverse("indicatori:revisione_comune", args=[aperto.pk, rozzano.pk]) in messaggio.body


def test_submission_digest_once_a_day_by_preference(
    con_email,
    operatore_rozzano,
    ufficio_piano,
    rozzano,
    binasco,
    aperto,
    indicatore,
    django_capture_on_commit_callbacks,
):
    PreferenzeNotifiche.objects.create(utente=ufficio_piano, invii=InvioEmail.RIEPILOGO)
    operatore_binasco = user_with_role(Ruolo.OPERATORE, rozzano.ambito, binasco)
    with django_capture_on_commit_callbacks(execute=True):
        _invia(operatore_rozzano, aperto, rozzano, indicatore)
        _invia(operatore_binasco, aperto, binasco, indicatore)
    assert [m for m in mail.outbox if m.to == ["udp@comune.example"]] == []
    from indicatori.tasks import riepilogo_invii

    riepilogo_invii.delay()
    riepilogo_invii.delay()  # beat running twice: nothing new
    (messaggio,) = [m for m in mail.outbox if m.to == ["udp@comune.example"]]
    assert messaggio.subject == "[Zonale] Riepilogo degli invii dei Comuni"
    assert "Rozzano ha inviato 1 valore" in messaggio.body
    assert "Binasco ha inviato 1 valore" in messaggio.body


def test_deadline_reminders_before_on_and_after_the_day_never_twice(
    con_email,
    operatore_rozzano,
    rozzano,
    binasco,
    visconteo,
    indicatore,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PROMEMORIA_GIORNI_PRIMA = 7
    settings.PROMEMORIA_GIORNI_DOPO = 3
    scadenza = datetime.date(2030, 7, 31)
    periodo = PeriodoFactory(
        ambito=visconteo,
        nome="1° semestre 2030",
        data_inizio=datetime.date(2030, 1, 1),
        data_fine=datetime.date(2030, 6, 30),
        scadenza=scadenza,
    )
    operatore_binasco = user_with_role(Ruolo.OPERATORE, visconteo, binasco)
    operatore_binasco.email = "op.binasco@comune.example"
    operatore_binasco.save()
    # Binasco submits: only Rozzano's Operatore is reminded.
    _invia(operatore_binasco, periodo, binasco, indicatore)
    mail.outbox.clear()

    def giorno(data):
        with django_capture_on_commit_callbacks(execute=True):
            services.promemoria_scadenze_send(oggi=data)
        return [m for m in mail.outbox if m.to == ["op.rozzano@comune.example"]]

    assert giorno(scadenza - datetime.timedelta(days=8)) == []
    (prima,) = giorno(scadenza - datetime.timedelta(days=7))
    assert prima.subject == "[Zonale] Promemoria: 1° semestre 2030 scade il 31/07/2030"
    assert "Il Comune di Rozzano non ha ancora inviato" in prima.body
    assert len(giorno(scadenza - datetime.timedelta(days=7))) == 1  # the scheduler twice
    assert giorno(scadenza)[-1].subject == "[Zonale] Promemoria: 1° semestre 2030 scade oggi"
    assert giorno(scadenza + datetime.timedelta(days=3))[-1].subject.startswith(
        "[Zonale] Scadenza superata: 1° semestre 2030"
    )
    assert len(giorno(scadenza + datetime.timedelta(days=3))) == 3
    assert not [m for m in mail.outbox if m.to == ["op.binasco@comune.example"]]


def test_notices_page_and_preferences(as_user, operatore_rozzano):
    Notifica.objects.create(
        utente=operatore_rozzano, chiave="prova", tipo="prova", titolo="Una notizia", link="/"
    )
    client = as_user(operatore_rozzano)
    assert "Una notizia" in client.get(reverse("ambito:notifica_list")).content.decode()
    client.post(reverse("ambito:notifica_list"))
    assert Notifica.objects.get(chiave="prova").letta_il is not None
    response = client.post(
        reverse("ambito:preferenze"),
        {"invii": InvioEmail.MAI, "restituzioni": "", "scadenze": "on", "report_pronti": "on"},
    )
    assert response.status_code == 302
    preferenze = PreferenzeNotifiche.objects.get(utente=operatore_rozzano)
    assert (preferenze.invii, preferenze.restituzioni, preferenze.report_pronti) == (
        InvioEmail.MAI,
        False,
        True,
    )


def test_da_fare_per_role(
    as_user,
    operatore_rozzano,
    ufficio_piano,
    rozzano,
    aperto,
    indicatore,
    django_assert_max_num_queries,
):
    _invia(operatore_rozzano, aperto, rozzano, indicatore)
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(12):
        pagina = client.get(reverse("indicatori:da_fare")).content.decode()
    assert f"Valori da rivedere – {aperto.nome}" in pagina
    assert reverse("indicatori:revisione", args=[aperto.pk]) in pagina
    services.valori_reject(
        user=ufficio_piano,
        periodo=aperto,
        valori=Valore.objects.filter(periodo=aperto, comune=rozzano),
        motivo="Rivedere.",
    )
    frammento = as_user(operatore_rozzano).get(
        reverse("indicatori:da_fare"), headers={"HX-Request": "true"}
    )
    testo = frammento.content.decode()
    assert f"Valori restituiti da correggere – {aperto.nome}" in testo
    assert "<html" not in testo  # the fragment the home page loads
    assert "Valori da rivedere" not in testo


def test_da_fare_lists_the_periods_closing_this_week(
    as_user,
    operatore_rozzano,
    ufficio_piano,
    visconteo,
    rozzano,
    django_assert_max_num_queries,
):
    oggi = timezone.localdate()
    vicino = PeriodoFactory(
        ambito=visconteo,
        codice="settimana",
        nome="Periodo che chiude",
        scadenza=oggi + datetime.timedelta(days=3),
    )
    PeriodoFactory(
        ambito=visconteo,
        codice="lontano",
        nome="Periodo lontano",
        scadenza=oggi + datetime.timedelta(days=30),
    )
    n_comuni = Comune.objects.filter(ambito=visconteo).count()
    data = vicino.scadenza.strftime("%d/%m")
    client = as_user(ufficio_piano)
    with django_assert_max_num_queries(9):
        pagina = html.unescape(client.get(reverse("indicatori:da_fare")).content.decode())
    riga = f"In scadenza il {data} – Periodo che chiude: Comuni che non hanno ancora inviato"
    assert riga in pagina
    assert f"{n_comuni}</span>" in pagina.split(riga)[1].split("</li>")[0]
    assert "Periodo lontano" not in pagina
    client = as_user(operatore_rozzano)
    with django_assert_max_num_queries(9):
        frammento = client.get(reverse("indicatori:da_fare"), headers={"HX-Request": "true"})
    testo = html.unescape(frammento.content.decode())
    assert f"Da inviare entro il {data} – Periodo che chiude (Rozzano)" in testo
    assert "3 giorni" in testo
    assert reverse("indicatori:inserimento", args=[vicino.pk, rozzano.pk]) in testo
