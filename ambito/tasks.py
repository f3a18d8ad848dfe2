"""Background tasks of the territory app: thin, each calls a service."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notifica_email_send(notifica_id: int) -> bool:
    """E-mail a notice (retried on network errors; never sent twice, see the service)."""
    return services.notifica_email_send(notifica_id=notifica_id)


@shared_task
def esportazione_generate(job_id: int) -> str | None:
    """Write and register a queued export (idempotent: a finished job is left alone)."""
    job = services.esportazione_run(job_id=job_id)
    return job.stato if job is not None else None
