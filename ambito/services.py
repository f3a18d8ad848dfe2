"""Writes of the territory app."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Comune, DatiDemografici, Notifica, PreferenzeNotifiche, TokenAPI
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


# --- Personal API tokens ---------------------------------------------------------------

#: Every secret starts with this, so a leaked one is recognisable (secret scanners).
PREFISSO_TOKEN = "zon_"


def token_hash(segreto: str) -> str:
    return hashlib.sha256(segreto.encode()).hexdigest()


def _nuovo_segreto(token: TokenAPI) -> str:
    segreto = PREFISSO_TOKEN + secrets.token_urlsafe(32)
    token.prefisso = segreto[: len(PREFISSO_TOKEN) + 8]
    token.chiave_hash = token_hash(segreto)
    return segreto


def _valida_giorni(giorni: int) -> None:
    massimo = settings.API_TOKEN_GIORNI_MASSIMI
    if not 1 <= giorni <= massimo:
        raise ValidationError(
            {
                "giorni_validita": _("La validità va da 1 a %(massimo)s giorni.")
                % {"massimo": massimo}
            }
        )


@transaction.atomic
def token_create(*, utente, nome: str, giorni_validita: int) -> tuple[TokenAPI, str]:
    """A new token of the user; returns it with its secret (shown once, never stored)."""
    _valida_giorni(giorni_validita)
    attivi = TokenAPI.objects.filter(
        utente=utente, revocato_il__isnull=True, scade_il__gt=timezone.now()
    ).count()
    if attivi >= settings.API_TOKEN_MASSIMI_PER_UTENTE:
        raise ValidationError(
            ngettext(
                "Hai già %(n)s token attivo: revocalo prima di crearne un altro.",
                "Hai già %(n)s token attivi: revocane uno prima di crearne un altro.",
                attivi,
            )
            % {"n": attivi}
        )
    adesso = timezone.now()
    token = TokenAPI(
        utente=utente,
        nome=nome,
        giorni_validita=giorni_validita,
        creato_il=adesso,
        scade_il=adesso + timedelta(days=giorni_validita),
    )
    segreto = _nuovo_segreto(token)
    instance_save(token)
    return token, segreto


@transaction.atomic
def token_rotate(*, token: TokenAPI) -> str:
    """A new secret for an active token (the old one stops at once), valid again for
    the token's number of days; returns the new secret."""
    if not token.attivo():
        raise ValidationError(_("Il token è scaduto o revocato: creane uno nuovo."))
    segreto = _nuovo_segreto(token)
    token.scade_il = timezone.now() + timedelta(days=token.giorni_validita)
    instance_save(token)
    return segreto


@transaction.atomic
def token_revoke(*, token: TokenAPI) -> TokenAPI:
    """Revoke a token for good (a revoked token stays listed, for the record)."""
    if token.revocato_il is None:
        token.revocato_il = timezone.now()
        instance_save(token)
    return token


def token_mark_used(*, token: TokenAPI, adesso) -> None:
    """Record the use of a token, at most once a minute (not a write per request)."""
    if token.ultimo_uso is None or adesso - token.ultimo_uso >= timedelta(minutes=1):
        TokenAPI.objects.filter(pk=token.pk).update(ultimo_uso=adesso)
        token.ultimo_uso = adesso
