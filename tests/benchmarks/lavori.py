"""Background jobs under load: `make bench-jobs` (not part of `make test`).

1. The request that asks for a Relazione (POST /report/relazione/, the production
   WSGI application in process, as an Ufficio di Piano) must answer in under 200 ms:
   it only records the job and queues it on Redis.
2. Two Celery workers (one process each, `--pool=solo`, as many as the cores) write 20
   Relazioni of 20 different Ambiti of the synthetic dataset: none may be lost (20 jobs
   "pronto", 20 register rows whose stored PDF has the registered SHA-256), and the peak
   memory of each worker (VmHWM of its process) must stay under 400 MB.

Runs on DATABASE_URL (the bench database, with `genera_italia` data) and the Redis db
in BENCH_REDIS_URL (default redis://127.0.0.1:6379/12, emptied first).
"""

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

RADICE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RADICE))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
MEDIA = tempfile.mkdtemp(prefix="zonale-bench-jobs-")
os.environ.update(
    {"DJANGO_SETTINGS_MODULE": "ambito.settings", "REDIS_URL": REDIS_URL, "MEDIA_ROOT": MEDIA}
)
os.environ.setdefault("CACHE_KEY_PREFIX", "bench-jobs")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from ambito.choices import Ruolo, StatoLavoro  # noqa: E402
from ambito.models import Ambito, Incarico  # noqa: E402
from indicatori.models import RichiestaRelazione  # noqa: E402

N_RELAZIONI = int(os.environ.get("BENCH_RELAZIONI", "20"))
N_WORKER = 2
LIMITE_MS = 200
LIMITE_MB = 400


def _utente(ambiti):
    user, _ = get_user_model().objects.get_or_create(username="bench.lavori")
    for ambito in ambiti:
        Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=Ruolo.UFFICIO_PIANO)
    return user


def _avvia_worker(n):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ambito", "worker", "--pool=solo",
         "--without-gossip", "--without-mingle", "-n", f"bench{n}@%h", "-l", "WARNING"],
        cwd=RADICE,
        env={**os.environ, "PYTHONPATH": str(RADICE)},
    )  # fmt: skip


def _picco_mb(pid) -> float:
    for riga in Path(f"/proc/{pid}/status").read_text().splitlines():
        if riga.startswith("VmHWM:"):
            return int(riga.split()[1]) / 1024
    return float("nan")


def main():
    redis.Redis.from_url(REDIS_URL).flushdb()
    ambiti = list(
        Ambito.objects.filter(periodi__valori__isnull=False).distinct().order_by("pk")[:N_RELAZIONI]
    )
    assert len(ambiti) == N_RELAZIONI, f"only {len(ambiti)} Ambiti with values"
    user = _utente(ambiti)
    RichiestaRelazione.objects.filter(richiesta_da=user).delete()
    client = Client()
    client.force_login(user)
    url = reverse("report:relazione")
    client.post(url, {"ambito": ambiti[0].pk, "richiesta": "riscaldamento"})  # warm-up
    RichiestaRelazione.objects.filter(richiesta_da=user).delete()
    redis.Redis.from_url(REDIS_URL).flushdb()

    workers = [_avvia_worker(n) for n in range(N_WORKER)]
    time.sleep(8)  # the workers start (Django, WeasyPrint) before the requests
    durate_ms, jobs = [], []
    inizio = time.perf_counter()
    for ambito in ambiti:
        t = time.perf_counter()
        risposta = client.post(url, {"ambito": ambito.pk, "richiesta": uuid.uuid4().hex})
        durate_ms.append((time.perf_counter() - t) * 1000)
        assert risposta.status_code == 303, risposta.status_code
        jobs.append(int(risposta["Location"].rstrip("/").rsplit("/", 1)[1]))
    try:
        limite = time.monotonic() + 1800
        while time.monotonic() < limite:
            finiti = RichiestaRelazione.objects.filter(
                pk__in=jobs, stato__in=(StatoLavoro.PRONTO, StatoLavoro.FALLITO)
            ).count()
            if finiti == len(jobs):
                break
            time.sleep(1)
        totale_s = time.perf_counter() - inizio
        picchi = [_picco_mb(w.pid) for w in workers]
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=60)

    pronti = list(
        RichiestaRelazione.objects.filter(pk__in=jobs, stato=StatoLavoro.PRONTO).select_related(
            "report"
        )
    )
    integri = sum(
        1
        for job in pronti
        if job.report and hashlib.sha256(job.report.file.read()).hexdigest() == job.report.sha256
    )
    pagine = [job.report.pagine for job in pronti if job.report]
    durate_job = [(job.terminata_il - job.iniziata_il).total_seconds() for job in pronti]
    print(f"Richiesta che avvia una Relazione ({len(durate_ms)} richieste, 2 worker al lavoro):")
    print(
        f"  mediana {statistics.median(durate_ms):.0f} ms, "
        f"p95 {sorted(durate_ms)[int(len(durate_ms) * 0.95) - 1]:.0f} ms, "
        f"max {max(durate_ms):.0f} ms (limite {LIMITE_MS} ms)"
    )
    print(f"{N_RELAZIONI} Relazioni di {N_RELAZIONI} Ambiti su {N_WORKER} worker:")
    print(f"  pronte {len(pronti)}/{len(jobs)}, file integri (SHA-256) {integri}")
    print(f"  tempo totale {totale_s:.0f} s; per Relazione mediana "
          f"{statistics.median(durate_job):.1f} s, max {max(durate_job):.1f} s; "
          f"pagine {min(pagine)}-{max(pagine)}")  # fmt: skip
    print(f"  memoria di picco per worker: {', '.join(f'{p:.0f} MB' for p in picchi)} "
          f"(limite {LIMITE_MB} MB)")  # fmt: skip
    ok = (
        max(durate_ms) < LIMITE_MS
        and len(pronti) == integri == len(jobs)
        and max(picchi) < LIMITE_MB
    )
    print("ESITO:", "entro i limiti" if ok else "FUORI DAI LIMITI")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
