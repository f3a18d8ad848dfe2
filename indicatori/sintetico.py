"""Synthetic indicators at national scale, for benchmarks (called by `genera_italia`).

For every synthetic Ambito ("sint-..."): one Piano di Zona, `indicatori_per_ambito`
indicators, quarterly periods over `anni` years, and a value for every Comune,
indicator and period (600 Ambiti x 40 indicators x 20 periods ~ 6,3 million values).
Deterministic for a given rng. The values go in with `copia_righe` (COPY on
PostgreSQL).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from ambito.models import Ambito, Comune
from ambito.platform.copia import copia_righe
from programmi.models import PianoDiZona

from .models import Indicatore, Periodo, Valore

INDICATORI_PER_AMBITO = 40
ANNI = 5
PRIMO_ANNO = 2021
TIPI = ["output", "input", "processo", "outcome"]
STATI = ["approvato"] * 6 + ["inviato"] * 2 + ["bozza", "respinto"]
COLONNE = [
    "indicatore_id",
    "periodo_id",
    "comune_id",
    "valore_numerico",
    "valore_testo",
    "commento",
    "stato",
    "motivo_respingimento",
    "anomalia_confermata",
    "versione",
    "dimostrativo",
    "aggiornato_il",
]


def _trimestri(anni):
    for anno in range(PRIMO_ANNO, PRIMO_ANNO + anni):
        for q in range(4):
            inizio = datetime.date(anno, 3 * q + 1, 1)
            fine = (
                datetime.date(anno, 3 * q + 4, 1) - datetime.timedelta(days=1)
                if q < 3
                else datetime.date(anno, 12, 31)
            )
            yield anno, q + 1, inizio, fine


def genera(*, rng, stdout, indicatori_per_ambito=INDICATORI_PER_AMBITO, anni=ANNI, max_ambiti=None):
    ambiti = list(Ambito.objects.filter(codice__startswith="sint-").order_by("codice"))
    if max_ambiti is not None:
        ambiti = ambiti[:max_ambiti]
    PianoDiZona.objects.bulk_create(
        [
            PianoDiZona(ambito=a, anno_inizio=PRIMO_ANNO, anno_fine=PRIMO_ANNO + anni - 1)
            for a in ambiti
        ],
        batch_size=1000,
    )
    piani = {
        p.ambito_id: p
        for p in PianoDiZona.objects.filter(ambito__in=ambiti, anno_inizio=PRIMO_ANNO)
    }
    trimestri = list(_trimestri(anni))
    indicatori, periodi = [], []
    for a in ambiti:
        for i in range(indicatori_per_ambito):
            indicatori.append(
                Indicatore(
                    piano=piani[a.pk],
                    codice=f"S{i + 1:02d}",
                    nome=f"Indicatore sintetico {i + 1}",
                    tipo=TIPI[i % len(TIPI)],
                    unita="conteggio",
                    periodicita="trimestrale",
                    valore_atteso=Decimal(rng.randint(50, 5000)),
                    conta_beneficiari=i % 5 == 0,
                    rilevazione_dal=datetime.date(PRIMO_ANNO, 1, 1),
                    ordine=i,
                )
            )
        for anno, q, inizio, fine in trimestri:
            periodi.append(
                Periodo(
                    ambito=a,
                    codice=f"{anno}-t{q}",
                    nome=f"{q}° trimestre {anno}",
                    tipo="trimestrale",
                    data_inizio=inizio,
                    data_fine=fine,
                    scadenza=fine + datetime.timedelta(days=30),
                    stato="chiuso" if anno < PRIMO_ANNO + anni - 1 else "aperto",
                )
            )
    Indicatore.objects.bulk_create(indicatori, batch_size=2000)
    Periodo.objects.bulk_create(periodi, batch_size=2000)
    # Re-read the ids (bulk_create does not return them on every backend).
    ind_per_ambito, per_per_ambito = {}, {}
    for pk, ambito_id in Indicatore.objects.filter(piano__ambito__in=ambiti).values_list(
        "pk", "piano__ambito_id"
    ):
        ind_per_ambito.setdefault(ambito_id, []).append(pk)
    for pk, ambito_id in Periodo.objects.filter(ambito__in=ambiti).values_list("pk", "ambito_id"):
        per_per_ambito.setdefault(ambito_id, []).append(pk)
    comuni_per_ambito = {}
    for pk, ambito_id in Comune.objects.filter(ambito__in=ambiti).values_list("pk", "ambito_id"):
        comuni_per_ambito.setdefault(ambito_id, []).append(pk)

    adesso = timezone.now()

    def righe():
        for a in ambiti:
            comuni = sorted(comuni_per_ambito.get(a.pk, []))
            periodi_a = sorted(per_per_ambito[a.pk])
            for ind in sorted(ind_per_ambito[a.pk]):
                base = rng.randint(1, 400)
                for per in periodi_a:
                    for com in comuni:
                        stato = STATI[rng.randrange(len(STATI))]
                        yield (
                            ind,
                            per,
                            com,
                            Decimal(max(0, base + rng.randint(-base // 2, base // 2))),
                            "",
                            "",
                            stato,
                            "Dato da verificare" if stato == "respinto" else "",
                            False,
                            1,
                            False,
                            adesso,
                        )

    n = copia_righe(Valore, COLONNE, righe())
    stdout.write(
        f"Indicatori sintetici: {len(piani)} Piani, {len(indicatori)} indicatori, "
        f"{len(periodi)} periodi, {n} valori."
    )
    return n
