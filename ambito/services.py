"""Writes of the territory app."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Comune, DatiDemografici, Notifica, PreferenzeNotifiche
from .platform.services import instance_save


@transaction.atomic
def comune_save(*, comune: Comune) -> Comune:
    return instance_save(comune)


@transaction.atomic
def dati_demografici_save(*, dati: DatiDemografici) -> DatiDemografici:
    return instance_save(dati)


def preferenze_of(user) -> PreferenzeNotifiche:
    """The user's e-mail choices (unsaved defaults while he has never changed them)."""
    try:
        return user.preferenze_notifiche
    except PreferenzeNotifiche.DoesNotExist:
        return PreferenzeNotifiche(utente=user)


@transaction.atomic
def preferenze_save(*, preferenze: PreferenzeNotifiche) -> PreferenzeNotifiche:
    return instance_save(preferenze)


def assoluto(path: str) -> str:
    """A link for an e-mail: the site's address (SITE_URL) and the path."""
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else path


def notifica_create(
    *, utente, chiave: str, tipo: str, titolo: str, testo: str = "", link: str = ""
) -> Notifica | None:
    """The notice of an event to a user, once: None if that event was already noticed.

    The row comes first; the e-mail, if any, is sent afterwards from the row
    (`notifica_email_send`), so a retried task or a scheduler run twice sends nothing new.
    """
    try:
        with transaction.atomic():
            return Notifica.objects.create(
                utente=utente,
                chiave=chiave[:200],
                tipo=tipo,
                titolo=titolo[:300],
                testo=testo,
                link=link,
            )
    except IntegrityError:
        return None


def _email(*, to: str, oggetto: str, testo: str, html: str) -> None:
    message = EmailMultiAlternatives(
        subject=oggetto, body=testo, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _contesto_email(utente, **context) -> dict:
    return {
        "utente": utente,
        "preferenze_url": assoluto(reverse("ambito:preferenze")),
        "sito_url": settings.SITE_URL,
        **context,
    }


def notifica_email_send(*, notifica_id: int) -> bool:
    """E-mail one notice (text and HTML), unless already sent; True if sent now."""
    with transaction.atomic():
        notifica = (
            Notifica.objects.select_for_update(of=("self",))
            .select_related("utente")
            .filter(pk=notifica_id, spedita_il__isnull=True)
        ).first()
        if notifica is None or not notifica.utente.email:
            return False
        context = _contesto_email(
            notifica.utente,
            notifica=notifica,
            link=assoluto(notifica.link) if notifica.link else "",
        )
        _email(
            to=notifica.utente.email,
            oggetto=_("[Zonale] %(titolo)s") % {"titolo": notifica.titolo},
            testo=render_to_string("ambito/email/notifica.txt", context),
            html=render_to_string("ambito/email/notifica.html", context),
        )
        notifica.spedita_il = timezone.now()
        notifica.save(update_fields=["spedita_il"])
    return True


def notifiche_digest_send(*, utente, tipo: str, oggetto: str) -> int:
    """One e-mail listing the user's notices of a type not yet e-mailed; how many."""
    with transaction.atomic():
        notifiche = list(
            Notifica.objects.select_for_update()
            .filter(utente=utente, tipo=tipo, spedita_il__isnull=True)
            .order_by("creata_il", "pk")
        )
        if not notifiche or not utente.email:
            return 0
        context = _contesto_email(
            utente,
            notifiche=[(n, assoluto(n.link) if n.link else "") for n in notifiche],
            oggetto=oggetto,
        )
        _email(
            to=utente.email,
            oggetto=_("[Zonale] %(oggetto)s") % {"oggetto": oggetto},
            testo=render_to_string("ambito/email/riepilogo.txt", context),
            html=render_to_string("ambito/email/riepilogo.html", context),
        )
        Notifica.objects.filter(pk__in=[n.pk for n in notifiche]).update(spedita_il=timezone.now())
    return len(notifiche)


def notifiche_mark_read(*, utente, pk: int | None = None) -> int:
    """Mark one notice (or all) of the user as read."""
    notifiche = Notifica.objects.filter(utente=utente, letta_il__isnull=True)
    if pk is not None:
        notifiche = notifiche.filter(pk=pk)
    return notifiche.update(letta_il=timezone.now())
