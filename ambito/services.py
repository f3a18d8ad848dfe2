"""Writes of the territory app."""

import hashlib
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import Ruolo
from .models import (
    Ambito,
    CalendarioPromemoria,
    Comune,
    DatiDemografici,
    Esportazione,
    Incarico,
    Notifica,
    PreferenzeNotifiche,
    TokenAPI,
)
from .platform import esportazioni, jobs
from .platform.cache import invalida_cache_ambito
from .platform.services import instance_save

logger = logging.getLogger(__name__)


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


# --- Users and roles of an Ambito ------------------------------------------------------


class InvitoTokenGenerator(PasswordResetTokenGenerator):
    """The one-time link of an invitation: Django's password-reset token (it dies once
    the password is set, or after PASSWORD_RESET_TIMEOUT), salted apart from the reset's."""

    key_salt = "zonale.ambito.invito"


invito_token = InvitoTokenGenerator()


def _con_motivo(user, motivo: str):
    """The reason the audit trail shows next to the version this save writes."""
    user._change_reason = motivo
    return user


def invito_link(utente) -> str:
    uid = urlsafe_base64_encode(force_bytes(utente.pk))
    return assoluto(reverse("invito_conferma", args=[uid, invito_token.make_token(utente)]))


def invito_send(*, utente, invitato_da) -> None:
    """E-mail the invitation (again): a link to choose the password, valid once."""
    if utente.has_usable_password():
        raise ValidationError(_("L'utente ha già scelto la sua password: non serve un invito."))
    ambiti = sorted({str(i.ambito) for i in utente.incarichi.select_related("ambito")})
    giorni = settings.PASSWORD_RESET_TIMEOUT // 86400
    context = {
        "utente": utente,
        "invitato_da": invitato_da,
        "ambiti": ambiti,
        "link": invito_link(utente),
        "giorni": giorni,
        "sito_url": settings.SITE_URL,
    }
    try:
        _email(
            to=utente.email,
            oggetto=_("[Zonale] Invito a Zonale: scegli la tua password"),
            testo=render_to_string("ambito/email/invito.txt", context),
            html=render_to_string("ambito/email/invito.html", context),
        )
    except (OSError, smtplib.SMTPException) as error:  # no server, refused, timed out
        logger.warning("Invito a %s non spedito: %s", utente.email, error)
        raise ValidationError(
            _(
                "L'e-mail di invito non è partita (il server di posta non risponde): "
                "riprova tra qualche minuto."
            )
        ) from error


def _controlla_incarico(*, da, incarico: Incarico) -> None:
    """Who gives or takes away an Incarico: never his own, only in his own Ambiti."""
    if incarico.user_id == da.pk:
        raise ValidationError(
            _("Non puoi modificare i tuoi incarichi: chiedi a un altro Ufficio di Piano.")
        )
    if not da.has_perm("ambito.assegna_incarico", incarico):
        raise PermissionDenied(_("Puoi gestire solo gli incarichi del tuo Ambito."))


@transaction.atomic
def incarico_assign(*, assegnato_da, utente, ambito: Ambito, ruolo: str, comune=None) -> Incarico:
    """Give a user a role in an Ambito (an Operatore: in one of its Comuni)."""
    incarico = Incarico(
        user=utente,
        ambito=ambito,
        ruolo=ruolo,
        comune=comune if ruolo == Ruolo.OPERATORE else None,
    )
    _controlla_incarico(da=assegnato_da, incarico=incarico)
    if ruolo == Ruolo.OPERATORE and comune is None:
        raise ValidationError({"comune": _("Indica il Comune dell'Operatore.")})
    if Incarico.objects.filter(
        user=utente, ambito=ambito, ruolo=ruolo, comune=incarico.comune
    ).exists():
        raise ValidationError(_("L'utente ha già questo incarico."))
    return instance_save(incarico, validate_unique=False)


def _ultimo_ufficio_piano(ambito_id, *, senza_incarico=None, senza_utente=None) -> bool:
    """Whether the Ambito would be left without an active Ufficio di Piano."""
    rimasti = Incarico.objects.select_for_update().filter(
        ambito_id=ambito_id, ruolo=Ruolo.UFFICIO_PIANO, user__is_active=True
    )
    if senza_incarico is not None:
        rimasti = rimasti.exclude(pk=senza_incarico.pk)
    if senza_utente is not None:
        rimasti = rimasti.exclude(user=senza_utente)
    return not list(rimasti.values_list("pk", flat=True))


MSG_ULTIMO_UDP = _(
    "%(utente)s è l'ultimo Ufficio di Piano attivo dell'Ambito %(ambito)s: "
    "assegna prima l'incarico di Ufficio di Piano a un'altra persona."
)


@transaction.atomic
def incarico_revoke(*, revocato_da, incarico: Incarico) -> None:
    """Take a role away; the last active Ufficio di Piano of an Ambito stays."""
    if incarico.user_id == revocato_da.pk:
        raise ValidationError(
            _("Non puoi modificare i tuoi incarichi: chiedi a un altro Ufficio di Piano.")
        )
    if not revocato_da.has_perm("ambito.revoca_incarico", incarico):
        raise PermissionDenied(_("Puoi gestire solo gli incarichi del tuo Ambito."))
    if (
        incarico.ruolo == Ruolo.UFFICIO_PIANO
        and incarico.user.is_active
        and _ultimo_ufficio_piano(incarico.ambito_id, senza_incarico=incarico)
    ):
        raise ValidationError(
            MSG_ULTIMO_UDP % {"utente": _nome(incarico.user), "ambito": incarico.ambito}
        )
    incarico.delete()
    invalida_cache_ambito(incarico.ambito_id)


def _nome(utente) -> str:
    return utente.get_full_name() or utente.username


def _email_libera(email: str, *, tranne=None) -> None:
    altri = get_user_model().objects.filter(email__iexact=email)
    if tranne is not None:
        altri = altri.exclude(pk=tranne.pk)
    if altri.exists():
        raise ValidationError(
            {"email": _("Questo indirizzo e-mail è già usato da un altro utente.")}
        )


@transaction.atomic
def utente_invite(
    *,
    invitato_da,
    email: str,
    first_name: str,
    last_name: str,
    ambito: Ambito,
    ruolo: str,
    comune=None,
):
    """A new user of the Ambito with his first Incarico, and the e-mail that lets him
    choose his password (his user name is his e-mail address)."""
    email = email.strip().lower()
    _email_libera(email)
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=email).exists():
        raise ValidationError(
            {"email": _("Questo indirizzo e-mail è già usato da un altro utente.")}
        )
    utente = user_model(
        username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    utente.set_unusable_password()
    instance_save(_con_motivo(utente, _("Invitato")))
    incarico_assign(
        assegnato_da=invitato_da, utente=utente, ambito=ambito, ruolo=ruolo, comune=comune
    )
    # Last, inside the transaction: if the e-mail cannot leave, nobody is created.
    invito_send(utente=utente, invitato_da=invitato_da)
    return utente


def _gestibile(da, utente) -> None:
    if utente.pk == da.pk:
        raise ValidationError(_("Non puoi disattivare o riattivare il tuo stesso utente."))
    if not da.has_perm("ambito.modifica_utente", utente):
        raise PermissionDenied(_("Puoi gestire solo gli utenti del tuo Ambito."))


def _solo_nei_propri_ambiti(da, utente) -> list[Incarico]:
    """The user's Incarichi, if all are in Ambiti `da` manages: his account opens every
    Ambito he works in, so only who manages them all (or a superuser) locks or unlocks it."""
    incarichi = list(utente.incarichi.select_related("ambito"))
    if not da.is_superuser:
        gestiti = set(Ambito.objects.editable_by(da).values_list("pk", flat=True))
        altrove = sorted({str(i.ambito) for i in incarichi if i.ambito_id not in gestiti})
        if altrove:
            raise ValidationError(
                _(
                    "L'utente ha incarichi anche in altri Ambiti (%(ambiti)s): revoca i suoi "
                    "incarichi in questo Ambito invece di disattivarlo o riattivarlo."
                )
                % {"ambiti": ", ".join(altrove)}
            )
    return incarichi


@transaction.atomic
def utente_deactivate(*, disattivato_da, utente) -> None:
    """Lock a user out (his roles stay, for his reactivation); refused when he holds
    roles in an Ambito the deactivating user does not manage, or is the last active
    Ufficio di Piano of one."""
    _gestibile(disattivato_da, utente)
    incarichi = _solo_nei_propri_ambiti(disattivato_da, utente)
    for incarico in incarichi:
        if incarico.ruolo == Ruolo.UFFICIO_PIANO and _ultimo_ufficio_piano(
            incarico.ambito_id, senza_utente=utente
        ):
            raise ValidationError(
                MSG_ULTIMO_UDP % {"utente": _nome(utente), "ambito": incarico.ambito}
            )
    utente.is_active = False
    _con_motivo(utente, _("Disattivato")).save()
    for ambito_id in {i.ambito_id for i in incarichi}:
        invalida_cache_ambito(ambito_id)


@transaction.atomic
def utente_reactivate(*, riattivato_da, utente) -> None:
    _gestibile(riattivato_da, utente)
    _solo_nei_propri_ambiti(riattivato_da, utente)
    utente.is_active = True
    _con_motivo(utente, _("Riattivato")).save()


@transaction.atomic
def profilo_save(*, utente, first_name: str, last_name: str, email: str):
    """The user's own name and e-mail address."""
    email = email.strip().lower()
    if email:
        _email_libera(email, tranne=utente)
    utente.first_name, utente.last_name, utente.email = first_name.strip(), last_name.strip(), email
    instance_save(_con_motivo(utente, _("Profilo aggiornato")))
    return utente


# --- Setting up an Ambito (superuser) ----------------------------------------------------


@transaction.atomic
def ambito_create(*, ambito: Ambito) -> Ambito:
    return instance_save(ambito)


@transaction.atomic
def comuni_add(*, ambito: Ambito, codici: list[str]) -> list[Comune]:
    """Put Comuni of the ISTAT list in the Ambito; all or nothing. A Comune already in
    another Ambito is refused (a Comune belongs to one Ambito)."""
    from .istat import comuni_istat

    elenco = comuni_istat()
    esistenti = {
        c.codice_istat: c
        for c in Comune.objects.select_for_update()
        .select_related("ambito")
        .filter(codice_istat__in=codici)
    }
    errori, nuovi = [], []
    for codice in dict.fromkeys(codici):
        voce = elenco.get(codice)
        if voce is None:
            errori.append(_("Il codice %(codice)s non è nell'elenco ISTAT.") % {"codice": codice})
        elif codice in esistenti and esistenti[codice].ambito_id != ambito.pk:
            errori.append(
                _("%(comune)s fa già parte dell'Ambito %(ambito)s.")
                % {"comune": voce.nome, "ambito": esistenti[codice].ambito}
            )
        elif codice not in esistenti:
            nuovi.append(
                Comune(
                    codice_istat=codice,
                    nome=voce.nome,
                    sigla_provincia=voce.sigla_provincia,
                    ambito=ambito,
                )
            )
    if errori:
        raise ValidationError(errori)
    return [instance_save(comune) for comune in nuovi]


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
    *, user, ambito, tipo: str, parametri: dict, formato: str = "csv", richiesta: str = ""
) -> tuple[Esportazione, bool]:
    """Queue an export (or return the job of the same request); (job, created)."""
    if not user.has_perm("ambito.esporta_dati", ambito):
        raise PermissionDenied(
            _("Le esportazioni sono riservate all'Ufficio di Piano e ai Revisori dell'Ambito.")
        )
    richiesta = richiesta or (
        f"{tipo}:{formato}:{ambito.pk}:{parametri}:{timezone.now():%Y%m%d%H%M}"
    )
    return jobs.lavoro_request(
        Esportazione,
        user=user,
        richiesta=f"esportazione:{richiesta}",
        accoda=_accoda_esportazione,
        ambito=ambito,
        tipo=tipo,
        formato=formato,
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


def lavoro_pronto_notify(job, *, evento: str, titolo: str) -> None:
    """Tell a job's requester that its file is ready: a notice in the app, and an e-mail
    after commit if he chose so (the Relazione and the exports alike)."""
    notifica = notifica_create(
        utente=job.richiesta_da,
        chiave=f"{evento}:{job.pk}",  # one notice per job, however often it is run
        tipo="report",
        titolo=titolo,
        testo=job.report.titolo,
        link=job.get_absolute_url(),
    )
    if notifica is not None and preferenze_of(job.richiesta_da).report_pronti:
        from . import tasks

        transaction.on_commit(lambda: tasks.notifica_email_send.delay(notifica.pk))


def _esportazione_pronta(job) -> None:
    lavoro_pronto_notify(
        job,
        evento="esportazione",
        titolo=_("L'esportazione %(numero)s è pronta") % {"numero": job.report.numero},
    )


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
