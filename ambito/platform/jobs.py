"""Jobs a worker does for a user (a Relazione, an export): request, run, retry.

One mechanism for every kind of job (`ambito.models.Lavoro` subclasses): the request
is idempotent (a key per request), the task is queued after commit, the file and
`stato = pronto` are committed together (a worker killed mid-job leaves the job
"in corso", retryable, and nothing in the register), and a failure is told in Italian.
Each kind supplies only the function that writes its file and registers it.
"""

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ambito.choices import StatoLavoro

logger = logging.getLogger(__name__)

# A job "in corso" for longer than this is taken as lost (its worker died): retryable.
LAVORO_PERSO_DOPO = timedelta(minutes=15)


def chiave_lavoro(user, richiesta: str) -> str:
    """The idempotency key of a request: the form's one-time token, with the user."""
    return hashlib.sha256(f"{user.pk}:{richiesta}".encode()).hexdigest()


def lavoro_request(model, *, user, richiesta: str, accoda: Callable, **campi):
    """The job of this request, queued if new (after commit); (job, created)."""
    job, created = model.objects.get_or_create(
        chiave=chiave_lavoro(user, richiesta), defaults={"richiesta_da": user, **campi}
    )
    if created:
        transaction.on_commit(lambda: accoda(job.pk))
    return job, created


def lavoro_retryable(job, *, adesso=None) -> bool:
    """Failed, or "in corso" for so long that its worker must have died."""
    adesso = adesso or timezone.now()
    if job.stato == StatoLavoro.FALLITO:
        return True
    return job.stato == StatoLavoro.IN_CORSO and (
        job.iniziata_il is None or adesso - job.iniziata_il > LAVORO_PERSO_DOPO
    )


@transaction.atomic
def lavoro_retry(*, user, job, accoda: Callable, solo_chi_ha_chiesto: str, niente: str):
    """Queue again a failed (or lost) job of the user."""
    job = type(job).objects.select_for_update().get(pk=job.pk)
    if job.richiesta_da_id != user.pk:
        raise PermissionDenied(solo_chi_ha_chiesto)
    if not lavoro_retryable(job):
        raise ValidationError(niente)
    job.stato = StatoLavoro.IN_CODA
    job.errore = ""
    job.save(update_fields=["stato", "errore"])
    transaction.on_commit(lambda: accoda(job.pk))
    return job


def _lavoro_start(model, job_id):
    with transaction.atomic():
        job = (
            model.objects.select_for_update(of=("self",))
            .select_related("richiesta_da", "ambito")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.stato == StatoLavoro.PRONTO:
            return None  # already done: a redelivered message does nothing
        job.stato = StatoLavoro.IN_CORSO
        job.tentativi += 1
        job.iniziata_il = timezone.now()
        job.errore = ""
        job.save(update_fields=["stato", "tentativi", "iniziata_il", "errore"])
    return job


def lavoro_run(model, *, job_id: int, scrivi: Callable, pronto: Callable, errore: str):
    """Run a queued job: `scrivi(job)` writes and registers its file (a ReportGenerato);
    `pronto(job)` tells the user, in the same transaction; all or nothing.

    `errore` is the Italian message of an unexpected failure, with `%(tipo)s`; a
    `ValidationError` raised by `scrivi` is told with its own message.
    """
    job = _lavoro_start(model, job_id)
    if job is None:
        return None
    try:
        with transaction.atomic():
            job.report = scrivi(job)
            job.stato = StatoLavoro.PRONTO
            job.terminata_il = timezone.now()
            job.save(update_fields=["stato", "report", "terminata_il"])
            pronto(job)
    except ValidationError as error:
        # A failure `scrivi` foresaw (e.g. the request is no longer possible): its own
        # Italian message.
        logger.warning("%s %s non riuscito: %s", model.__name__, job_id, error.messages)
        _lavoro_fallito(model, job, " ".join(error.messages))
    except Exception as error:
        logger.exception("%s %s non riuscito", model.__name__, job_id)
        _lavoro_fallito(model, job, errore % {"tipo": type(error).__name__})
    return job


def _lavoro_fallito(model, job, messaggio: str) -> None:
    model.objects.filter(pk=job.pk).update(
        stato=StatoLavoro.FALLITO, terminata_il=timezone.now(), errore=messaggio
    )
    job.refresh_from_db()
