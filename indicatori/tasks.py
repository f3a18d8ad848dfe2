"""Background tasks of the indicators app: thin, each calls a service."""

from celery import shared_task

from . import services


@shared_task
def relazione_generate(job_id: int) -> str | None:
    """Render and register a queued Relazione (idempotent: a finished job is left alone)."""
    job = services.relazione_run(job_id=job_id)
    return job.stato if job is not None else None


@shared_task
def regione_pdf_generate(job_id: int) -> str | None:
    """Draw and register a queued regional PDF (idempotent, as `relazione_generate`)."""
    job = services.regione_pdf_run(job_id=job_id)
    return job.stato if job is not None else None


@shared_task
def promemoria_scadenze() -> int:
    """Daily (celery beat): the deadline reminders of the day."""
    return services.promemoria_scadenze_send()


@shared_task
def riepilogo_invii() -> int:
    """Daily (celery beat): the digest of the Comuni's submissions."""
    return services.riepilogo_invii_send()
