"""Writes of the territory app."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    CalendarioPromemoria,
    Comune,
    DatiDemografici,
    Esportazione,
    Notifica,
    PreferenzeNotifiche,
)
from .platform import esportazioni, jobs
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


@transaction.atomic
def calendario_promemoria_save(*, calendario: CalendarioPromemoria) -> CalendarioPromemoria:
    return instance_save(calendario)


def calendario_predefinito(ambito=None) -> CalendarioPromemoria:
    """The reminder schedule of an Ambito whose UdP never changed it (unsaved)."""
    return CalendarioPromemoria(
        ambito=ambito,
        giorni_prima=settings.PROMEMORIA_GIORNI_PRIMA,
        giorno_scadenza=True,
        giorni_dopo=settings.PROMEMORIA_GIORNI_DOPO,
    )


def calendario_promemoria_of(ambito) -> CalendarioPromemoria:
    """The Ambito's reminder schedule (the defaults while the UdP never changed it)."""
    try:
        return ambito.calendario_promemoria
    except CalendarioPromemoria.DoesNotExist:
        return calendario_predefinito(ambito)


# Large exports as jobs (ambito/tasks.py runs `esportazione_run`; the mechanism common
# to every job is platform/jobs.py, the contents and formats platform/esportazioni.py).


def _accoda_esportazione(job_id) -> None:
    from . import tasks

    tasks.esportazione_generate.delay(job_id)


def esportazione_request(
    *, user, ambito, tipo: str, parametri: dict, richiesta: str = ""
) -> tuple[Esportazione, bool]:
    """Queue an export (or return the job of the same request); (job, created)."""
    if not user.has_perm("ambito.esporta_dati", ambito):
        raise PermissionDenied(
            _("Le esportazioni sono riservate all'Ufficio di Piano e ai Revisori dell'Ambito.")
        )
    richiesta = richiesta or f"{tipo}:{ambito.pk}:{parametri}:{timezone.now():%Y%m%d%H%M}"
    return jobs.lavoro_request(
        Esportazione,
        user=user,
        richiesta=f"esportazione:{richiesta}",
        accoda=_accoda_esportazione,
        ambito=ambito,
        tipo=tipo,
        parametri=parametri,
    )


esportazione_retryable = jobs.lavoro_retryable


def esportazione_retry(*, user, job: Esportazione) -> Esportazione:
    return jobs.lavoro_retry(
        user=user,
        job=job,
        accoda=_accoda_esportazione,
        solo_chi_ha_chiesto=_("Solo chi ha chiesto l'esportazione può riprovare."),
        niente=_("L'esportazione non è in errore: non c'è nulla da riprovare."),
    )


def _esportazione_pronta(job) -> None:
    notifica = notifica_create(
        utente=job.richiesta_da,
        chiave=f"esportazione:{job.pk}",
        tipo="report",
        titolo=_("L'esportazione %(numero)s è pronta") % {"numero": job.report.numero},
        testo=job.report.titolo,
        link=job.get_absolute_url(),
    )
    if notifica is not None and preferenze_of(job.richiesta_da).report_pronti:
        from . import tasks

        transaction.on_commit(lambda: tasks.notifica_email_send.delay(notifica.pk))


def esportazione_run(*, job_id: int) -> Esportazione | None:
    """Write a queued export's file and register it, all or nothing."""
    return jobs.lavoro_run(
        Esportazione,
        job_id=job_id,
        scrivi=esportazioni.esportazione_scrivi,
        pronto=_esportazione_pronta,
        errore=_(
            "L'esportazione non è stata generata per un errore imprevisto (%(tipo)s). "
            "Si può riprovare; se l'errore si ripete, avvisare l'assistenza."
        ),
    )
