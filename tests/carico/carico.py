"""Load run: N simulated users (threads) against gunicorn on 127.0.0.1, bounded in time.

Most users are Operatori of one synthetic Comune (token auth): 80% reads (values list of
its Comune, the Ambito progress), 20% value submissions (PATCH with the version it
holds). One user in ten is a Regione user reading its regional dashboard (the API, the
same figures as the page) and the progress of one of its Ambiti. Prints throughput,
latency percentiles and errors; exits 1 on any error or a p95 over 1 s. `make carico`.
"""

import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from ambito.models import Ambito, Incarico, TokenAPI  # noqa: E402
from ambito.services import token_create  # noqa: E402
from indicatori.models import Periodo, Valore  # noqa: E402

BASE = os.environ.get("CARICO_URL", "http://127.0.0.1:8765")
UTENTI = int(os.environ.get("CARICO_UTENTI", "50"))
DURATA = float(os.environ.get("CARICO_SECONDI", "60"))
assert BASE.startswith("http://127.0.0.1"), "solo loopback"


REGIONALI = max(1, UTENTI // 10)
P95_MASSIMO_MS = 1000


def _token(username, ambito, ruolo, comune=None):
    user, _ = get_user_model().objects.get_or_create(username=username)
    Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=ruolo, comune=comune)
    TokenAPI.objects.filter(utente=user, nome="carico").delete()  # earlier runs'
    _token, segreto = token_create(utente=user, nome="carico", giorni_validita=1)
    return segreto


def prepara_regionali():
    """(token, regione, piano of one of its Ambiti) of a Regione user per region, the
    regions with the most Ambiti first."""
    from django.db.models import Count

    regioni = (
        Ambito.objects.filter(codice__startswith="sint-", piani__isnull=False)
        .values("regione")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "regione")[:REGIONALI]
    )
    utenti = []
    for i, r in enumerate(regioni):
        ambito = Ambito.objects.filter(regione=r["regione"], piani__isnull=False).order_by(
            "codice"
        )[0]
        utenti.append(
            (
                _token(f"carico.regione.{i:02d}", ambito, "regione"),
                r["regione"],
                ambito.piani.first().pk,
            )
        )
    return utenti


def prepara():
    utenti = []
    ambiti = Ambito.objects.filter(codice__startswith="sint-", piani__isnull=False).order_by(
        "codice"
    )[: UTENTI - REGIONALI]
    for i, ambito in enumerate(ambiti):
        periodo = Periodo.objects.filter(ambito=ambito, stato="aperto").order_by("-data_fine")[0]
        comune = ambito.comuni.order_by("codice_istat").first()
        segreto = _token(f"carico.{i:02d}", ambito, "operatore", comune)
        celle = list(
            Valore.objects.filter(periodo=periodo, comune=comune, stato="bozza").values_list(
                "pk", "versione"
            )
        )
        piano = ambito.piani.first()
        utenti.append((segreto, periodo.pk, comune.pk, piano.pk, dict(celle)))
    return utenti


def richiesta(token, metodo, url, corpo=None):
    dati = json.dumps(corpo).encode() if corpo is not None else None
    req = urllib.request.Request(BASE + url, data=dati, method=metodo)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Accept", "application/json")
    if dati:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def operatore(dati, passo):
    """One step of an Operatore: a submission in five, else a read; its kind."""
    token, periodo, comune, piano, celle = dati
    if passo % 5 == 0 and celle:
        pk = sorted(celle)[passo % len(celle)]
        _, body = richiesta(
            token,
            "PATCH",
            f"/api/v1/valori/{pk}/",
            {
                "valore_numerico": str(100 + passo % 50),
                "versione": celle[pk],
                "conferma_anomalia": True,
            },
        )
        celle[pk] = body["versione"]
        return "scrittura"
    if passo % 2:
        richiesta(token, "GET", f"/api/v1/valori/?periodo={periodo}&comune={comune}")
        return "lettura valori"
    richiesta(token, "GET", f"/api/v1/avanzamento/?piano={piano}")
    return "lettura avanzamento"


def regionale(dati, passo):
    """One step of a Regione user: its regional dashboard, or one Ambito's progress."""
    token, regione, piano = dati
    if passo % 2:
        richiesta(token, "GET", f"/api/v1/regione/?regione={urllib.parse.quote(regione)}")
        return "cruscotto regionale"
    richiesta(token, "GET", f"/api/v1/avanzamento/?piano={piano}")
    return "lettura avanzamento"


def utente(n, passo_di, dati, fine, risultati, errori):
    """A simulated user: its steps one after the other until the end, each timed."""
    passo = 0
    while time.monotonic() < fine:
        passo += 1
        t0 = time.perf_counter()
        try:
            tipo = passo_di(dati, passo)
            risultati.append((tipo, (time.perf_counter() - t0) * 1000))
        except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
            dettaglio = exc.read()[:200] if hasattr(exc, "read") else b""
            errori.append(f"utente {n} ({passo_di.__name__}): {exc!r} {dettaglio!r}")


def pct(valori, q):
    s = sorted(valori)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))] if s else 0.0


def main():
    utenti = [(operatore, u) for u in prepara()] + [(regionale, u) for u in prepara_regionali()]
    risultati, errori = [], []
    fine = time.monotonic() + DURATA
    threads = [
        threading.Thread(target=utente, args=(i, passo_di, u, fine, risultati, errori))
        for i, (passo_di, u) in enumerate(utenti)
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    durata = time.monotonic() - t0
    print(
        f"{len(utenti)} utenti, {durata:.0f} s, {len(risultati)} richieste, "
        f"{len(risultati) / durata:.1f} richieste/s, errori: {len(errori)}"
    )
    print(f"{'tipo':<24}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}")
    for tipo in sorted({r[0] for r in risultati}) + ["tutte"]:
        tempi = [r[1] for r in risultati if tipo in ("tutte", r[0])]
        print(
            f"{tipo:<24}{len(tempi):>7}{pct(tempi, 0.5):>7.0f}ms{pct(tempi, 0.95):>7.0f}ms"
            f"{pct(tempi, 0.99):>7.0f}ms"
        )
    for e in errori[:10]:
        print(e)
    p95 = pct([r[1] for r in risultati], 0.95)
    print(
        f"Budget (0 errori, p95 < {P95_MASSIMO_MS} ms): "
        + ("rispettato" if not errori and p95 < P95_MASSIMO_MS else "NON rispettato")
    )
    sys.exit(1 if errori or p95 >= P95_MASSIMO_MS else 0)


if __name__ == "__main__":
    main()
