"""Users and roles of an Ambito, passwords and profile, through the pages (issue 29)."""

import html
import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from ambito.choices import Ruolo
from ambito.models import Incarico, PreferenzeNotifiche
from tests.factories import UserFactory, user_with_role

User = get_user_model()
PASSWORD = "Cammino-Lungo-2026!"


def link_in(message) -> str:
    """The path of the first link of an e-mail's text."""
    url = re.search(r"https?://\S+", message.body).group(0)
    return urlparse(url).path


def text(response) -> str:
    return html.unescape(response.content.decode())


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def choose_password(client, path, password):
    """Follow a one-time link (it redirects to a URL without the token) and post."""
    first = client.get(path)
    assert first.status_code == 302, first.content.decode()[:500]
    form_url = first["Location"]
    page = client.get(form_url)
    assert page.status_code == 200
    return form_url, client.post(form_url, {"new_password1": password, "new_password2": password})


def invite(client, visconteo, comune, email="nuovo.operatore@comune.example", **extra):
    data = {
        "email": email,
        "first_name": "Nadia",
        "last_name": "Rossi",
        "ambito": visconteo.pk,
        "ruolo": Ruolo.OPERATORE,
        "comune": comune.pk if comune else "",
        **extra,
    }
    return client.post(reverse("utenti:utente_invite"), data)


# --- invitation ------------------------------------------------------------------------


def test_invited_operatore_sets_his_password_once_and_logs_in(
    client, ufficio_piano, visconteo, rozzano
):
    client.force_login(ufficio_piano)
    response = invite(client, visconteo, rozzano)
    nuovo = User.objects.get(email="nuovo.operatore@comune.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("utenti:utente_detail", args=[nuovo.pk])
    assert nuovo.username == "nuovo.operatore@comune.example"
    assert not nuovo.has_usable_password()
    assert list(nuovo.incarichi.values_list("ruolo", "comune")) == [(Ruolo.OPERATORE, rozzano.pk)]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["nuovo.operatore@comune.example"]
    assert "Il tuo nome utente è: nuovo.operatore@comune.example" in email.body
    link = link_in(email)

    client.logout()
    form_url, weak = choose_password(client, link, "password1234")
    assert weak.status_code == 200
    errors = weak.context["form"].errors["new_password2"]
    assert any("troppo comune" in e for e in errors), errors
    short = client.post(form_url, {"new_password1": "Abc-12", "new_password2": "Abc-12"})
    assert any("almeno 12 caratteri" in e for e in short.context["form"].errors["new_password2"])
    # The rules are written under the field before anyone gets them wrong.
    assert "almeno 12 caratteri" in client.get(form_url).content.decode()

    done = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    # One time only: the same link is dead once the password is set.
    again = client.get(link)
    assert again.status_code == 200
    assert "non è valido" in again.content.decode()

    assert login(client, "nuovo.operatore@comune.example", PASSWORD)["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"].pk == nuovo.pk
    # The audit trail: the user invited, his Incarico created, by the Ufficio di Piano.
    versioni = list(nuovo.history.order_by("history_id"))
    assert versioni[0].history_change_reason == "Invitato"
    assert versioni[0].history_user == ufficio_piano
    assert versioni[-1].history_change_reason == "Password scelta dall'invito"
    incarico = Incarico.history.filter(user_id=nuovo.pk, history_type="+").get()
    assert incarico.history_user == ufficio_piano


def test_invitation_refusals_are_next_to_the_field(
    client, ufficio_piano, operatore_rozzano, visconteo, rozzano, altro_ambito
):
    client.force_login(ufficio_piano)
    senza_comune = invite(client, visconteo, None)
    assert "Indica il Comune dell'Operatore." in senza_comune.context["form"].errors["comune"]
    lodi = altro_ambito.comuni.get()
    fuori = invite(client, visconteo, lodi)
    assert "comune" in fuori.context["form"].errors  # not among the UdP's Comuni
    altro = invite(client, altro_ambito, rozzano)
    assert "ambito" in altro.context["form"].errors  # not an Ambito he manages
    operatore_rozzano.email = "gia.usato@comune.example"
    operatore_rozzano.save()
    doppio = invite(client, visconteo, rozzano, email="Gia.Usato@comune.example")
    assert (
        "Questo indirizzo e-mail è già usato da un altro utente."
        in (doppio.context["form"].errors["email"])
    )
    assert not mail.outbox
    assert not User.objects.filter(first_name="Nadia").exists()  # nothing half-saved


def test_an_invitation_that_cannot_be_mailed_creates_nobody(
    client, settings, ufficio_piano, visconteo, rozzano
):
    # A real SMTP connection to a port where nothing listens: refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    client.force_login(ufficio_piano)
    response = invite(client, visconteo, rozzano)
    assert response.status_code == 200
    assert "L'e-mail di invito non è partita" in text(response)
    assert any(
        "e-mail di invito non è partita" in e for e in response.context["form"].non_field_errors()
    )
    assert not User.objects.filter(first_name="Nadia").exists()  # nothing half-saved


def test_only_the_ufficio_di_piano_invites(client, operatore_rozzano, revisore, visconteo, rozzano):
    for user in (operatore_rozzano, revisore):
        client.force_login(user)
        assert invite(client, visconteo, rozzano).status_code == 403
    assert not mail.outbox


# --- the list, the scope -----------------------------------------------------------------


def test_list_shows_the_ambito_users_only_in_bounded_queries(
    client,
    ufficio_piano,
    operatore_rozzano,
    operatore_binasco,
    revisore,
    ufficio_piano_altro,
    django_assert_max_num_queries,
):
    client.force_login(ufficio_piano)
    for i in range(15):
        user_with_role(Ruolo.REVISORE, revisore.incarichi.get().ambito, username=f"rev{i}")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("utenti:utente_list"))
    utenti = {u.username for u in response.context["object_list"]}
    assert {"udp", "op.rozzano", "op.binasco", "revisore.test", "rev14"} <= utenti
    assert "udp.lodi" not in utenti
    pagina = response.content.decode()
    assert "Operatore comunale – Rozzano" in pagina
    assert response.context["object_list"][0].incarichi_visibili is not None


def test_users_of_another_ambito_answer_404(client, ufficio_piano_altro, operatore_rozzano):
    client.force_login(ufficio_piano_altro)
    url = reverse("utenti:utente_detail", args=[operatore_rozzano.pk])
    assert client.get(url).status_code == 404
    deactivate = reverse("utenti:utente_deactivate", args=[operatore_rozzano.pk])
    assert client.post(deactivate).status_code == 404
    incarico = operatore_rozzano.incarichi.get()
    assert client.post(reverse("utenti:incarico_revoke", args=[incarico.pk])).status_code == 404
    operatore_rozzano.refresh_from_db()
    assert operatore_rozzano.is_active and operatore_rozzano.incarichi.exists()


# --- assigning and revoking ----------------------------------------------------------------


def test_assign_and_revoke_an_incarico(client, ufficio_piano, operatore_rozzano, visconteo):
    client.force_login(ufficio_piano)
    url = reverse("utenti:utente_detail", args=[operatore_rozzano.pk])
    response = client.post(url, {"ambito": visconteo.pk, "ruolo": Ruolo.REVISORE, "comune": ""})
    assert response.status_code == 302
    nuovo = operatore_rozzano.incarichi.get(ruolo=Ruolo.REVISORE)
    assert "Revisore" in client.get(url).content.decode()
    doppio = client.post(url, {"ambito": visconteo.pk, "ruolo": Ruolo.REVISORE, "comune": ""})
    assert "L'utente ha già questo incarico." in doppio.context["form"].non_field_errors()
    revoca = reverse("utenti:incarico_revoke", args=[nuovo.pk])
    assert "Revocare a" in client.get(revoca).content.decode()
    assert client.post(revoca).status_code == 302
    assert not operatore_rozzano.incarichi.filter(ruolo=Ruolo.REVISORE).exists()
    tipi = list(
        Incarico.history.filter(id=nuovo.pk)
        .order_by("history_id")
        .values_list("history_type", "history_user")
    )
    assert tipi == [("+", ufficio_piano.pk), ("-", ufficio_piano.pk)]


def test_nobody_gives_himself_a_role_or_a_wider_scope(
    client, ufficio_piano, revisore, visconteo, altro_ambito
):
    client.force_login(ufficio_piano)
    proprio = reverse("utenti:utente_detail", args=[ufficio_piano.pk])
    pagina = client.get(proprio)
    assert pagina.status_code == 200
    assert "Questo sei tu" in pagina.content.decode()
    response = client.post(proprio, {"ambito": visconteo.pk, "ruolo": Ruolo.REVISORE, "comune": ""})
    assert "Non puoi modificare i tuoi incarichi" in str(
        response.context["form"].non_field_errors()
    )
    # Another Ambito is not among the choices: the form refuses it.
    altro = client.post(
        reverse("utenti:utente_detail", args=[revisore.pk]),
        {"ambito": altro_ambito.pk, "ruolo": Ruolo.UFFICIO_PIANO, "comune": ""},
    )
    assert "ambito" in altro.context["form"].errors
    # A Revisore cannot reach the pages at all.
    client.force_login(revisore)
    assert client.get(reverse("utenti:utente_list")).status_code == 403
    assert list(ufficio_piano.incarichi.values_list("ruolo", flat=True)) == [Ruolo.UFFICIO_PIANO]
    assert list(revisore.incarichi.values_list("ruolo", flat=True)) == [Ruolo.REVISORE]


def test_the_last_active_ufficio_di_piano_stays(client, ufficio_piano, visconteo):
    secondo = user_with_role(Ruolo.UFFICIO_PIANO, visconteo, username="udp.due")
    client.force_login(secondo)
    # Two of them: the second may take the first one's role away...
    incarico = ufficio_piano.incarichi.get()
    assert client.post(reverse("utenti:incarico_revoke", args=[incarico.pk])).status_code == 302
    assert not ufficio_piano.incarichi.exists()
    # ...and then he is the last one: a superuser cannot remove or deactivate him.
    admin = User.objects.create_superuser("capo", password=PASSWORD)
    client.force_login(admin)
    ultimo = secondo.incarichi.get()
    response = client.post(reverse("utenti:incarico_revoke", args=[ultimo.pk]), follow=True)
    assert "è l'ultimo Ufficio di Piano attivo dell'Ambito" in text(response)
    response = client.post(reverse("utenti:utente_deactivate", args=[secondo.pk]), follow=True)
    assert "è l'ultimo Ufficio di Piano attivo dell'Ambito" in text(response)
    secondo.refresh_from_db()
    assert secondo.is_active and secondo.incarichi.exists()


# --- deactivating ---------------------------------------------------------------------------


def test_deactivate_and_reactivate(client, ufficio_piano, operatore_rozzano):
    client.force_login(ufficio_piano)
    url = reverse("utenti:utente_deactivate", args=[operatore_rozzano.pk])
    assert client.post(url).status_code == 302
    operatore_rozzano.refresh_from_db()
    assert not operatore_rozzano.is_active
    assert operatore_rozzano.history.first().history_change_reason == "Disattivato"
    other = type(client)()
    assert login(other, "op.rozzano", "Password-di-prova-1").status_code == 200  # refused
    client.post(reverse("utenti:utente_reactivate", args=[operatore_rozzano.pk]))
    assert login(other, "op.rozzano", "Password-di-prova-1").status_code == 302


def test_a_user_of_two_ambiti_is_not_deactivated_by_one(
    client, ufficio_piano, altro_ambito, revisore
):
    Incarico.objects.create(user=revisore, ambito=altro_ambito, ruolo=Ruolo.REVISORE)
    client.force_login(ufficio_piano)
    response = client.post(reverse("utenti:utente_deactivate", args=[revisore.pk]), follow=True)
    assert "ha incarichi anche in altri Ambiti (Ambito di Lodi)" in text(response)
    revisore.refresh_from_db()
    assert revisore.is_active
    # Deactivated by a superuser, he is not reactivated by one of the two Ambiti either.
    revisore.is_active = False
    revisore.save()
    response = client.post(reverse("utenti:utente_reactivate", args=[revisore.pk]), follow=True)
    assert "ha incarichi anche in altri Ambiti (Ambito di Lodi)" in text(response)
    revisore.refresh_from_db()
    assert not revisore.is_active


def test_invitation_sent_again(client, ufficio_piano, visconteo, rozzano):
    client.force_login(ufficio_piano)
    invite(client, visconteo, rozzano)
    nuovo = User.objects.get(email="nuovo.operatore@comune.example")
    client.post(reverse("utenti:utente_reinvite", args=[nuovo.pk]))
    assert len(mail.outbox) == 2
    path = link_in(mail.outbox[1])
    client.logout()
    _form_url, done = choose_password(client, path, PASSWORD)
    assert done.status_code == 302


# --- passwords ------------------------------------------------------------------------------


def test_change_own_password(client, revisore):
    client.force_login(revisore)
    url = reverse("password_change")
    page = client.get(url).content.decode()
    assert "almeno 12 caratteri" in page and "troppo comune" not in page
    wrong = client.post(
        url, {"old_password": "sbagliata", "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert "old_password" in wrong.context["form"].errors
    short = client.post(
        url,
        {
            "old_password": "Password-di-prova-1",
            "new_password1": "breve-1",
            "new_password2": "breve-1",
        },
    )
    assert "new_password2" in short.context["form"].errors
    done = client.post(
        url,
        {
            "old_password": "Password-di-prova-1",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert done["Location"] == reverse("profilo")
    assert client.get(reverse("profilo")).status_code == 200  # still logged in
    other = type(client)()
    assert login(other, "revisore.test", PASSWORD).status_code == 302
    assert revisore.history.first().history_change_reason == "Password cambiata"


def test_reset_by_email_does_not_reveal_whether_an_address_exists(client, revisore):
    revisore.email = "revisore@ambito.example"
    revisore.save()
    url = reverse("password_reset")
    assert "Password dimenticata?" in client.get(reverse("login")).content.decode()
    unknown = client.post(url, {"email": "nessuno@ambito.example"})
    known = client.post(url, {"email": "revisore@ambito.example"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["revisore@ambito.example"]
    assert mail.outbox[0].subject == "[Zonale] Nuova password"
    assert "Il tuo nome utente è: revisore.test" in mail.outbox[0].body
    done_page = client.get(reverse("password_reset_done")).content.decode()
    assert "Se l'indirizzo corrisponde a un utente attivo" in done_page
    _form_url, done = choose_password(client, link_in(mail.outbox[0]), PASSWORD)
    assert done["Location"] == reverse("password_reset_complete")
    assert login(client, "revisore.test", PASSWORD).status_code == 302


def test_lockout_keeps_working(client, settings, revisore):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "revisore.test", "sbagliata-di-nuovo").status_code == 200
    assert login(client, "revisore.test", "sbagliata-di-nuovo").status_code == 429
    locked = login(client, "revisore.test", "Password-di-prova-1")
    assert locked.status_code == 429
    assert "Accesso temporaneamente bloccato" in locked.content.decode()


# --- profile -----------------------------------------------------------------------------


def test_profile_name_email_and_notifications(client, operatore_rozzano, revisore):
    revisore.email = "occupato@ambito.example"
    revisore.save()
    client.force_login(operatore_rozzano)
    page = client.get(reverse("profilo")).content.decode()
    assert reverse("password_change") in page
    assert reverse("ambito:preferenze") in page  # the notification choices, folded in
    taken = client.post(
        reverse("profilo"),
        {"first_name": "Marco", "last_name": "Colombo", "email": "occupato@ambito.example"},
    )
    assert (
        "Questo indirizzo e-mail è già usato da un altro utente."
        in (taken.context["form"].errors["email"])
    )
    ok = client.post(
        reverse("profilo"),
        {"first_name": "Marco", "last_name": "Colombo", "email": "Marco@Rozzano.example"},
    )
    assert ok.status_code == 302
    operatore_rozzano.refresh_from_db()
    assert (operatore_rozzano.get_full_name(), operatore_rozzano.email) == (
        "Marco Colombo",
        "marco@rozzano.example",
    )
    saved = client.post(
        reverse("ambito:preferenze"),
        {"invii": "mai", "restituzioni": "", "scadenze": "on", "report_pronti": ""},
    )
    assert saved["Location"] == reverse("profilo") + "#notifiche"
    assert PreferenzeNotifiche.objects.get(utente=operatore_rozzano).restituzioni is False


def test_user_history_is_scoped_like_the_users(client, ufficio_piano_altro, operatore_rozzano):
    operatore_rozzano.first_name = "Cambiato"
    operatore_rozzano.save()
    url = reverse("registro:oggetto", args=["auth.user", operatore_rozzano.pk])
    client.force_login(ufficio_piano_altro)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("fixture", ["ufficio_piano", "revisore"])
def test_user_history_readable_in_the_ambito(request, client, fixture, operatore_rozzano):
    operatore_rozzano.first_name = "Cambiato"
    operatore_rozzano.save()
    client.force_login(request.getfixturevalue(fixture))
    url = reverse("registro:oggetto", args=["auth.user", operatore_rozzano.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Cambiato" in response.content.decode()
    assert "pbkdf2" not in response.content.decode() and "md5" not in response.content.decode()


def test_a_login_alone_writes_no_version(client, db):
    user = UserFactory(username="solo.accesso")
    before = user.history.count()
    login(client, "solo.accesso", "Password-di-prova-1")
    assert user.history.count() == before
