"""Synthetic funds at national scale, for benchmarks (called by `genera_italia`).

For every synthetic Ambito ("sint-..."), ordered by code: yearly allocations on the
national funding lines (amounts proportional to the residents), and on average
`progetti_per_ambito` projects (~10.000 nationally) with their funding and quarterly
financial-progress snapshots. Deterministic for a given rng (snapshot dates are fixed,
not relative to today). Bulk only: bulk_create in batches, `copia_righe` (COPY on
PostgreSQL) for the snapshots.
"""

import datetime
from decimal import Decimal

from django.db.models import Sum

from ambito.models import Ambito, DatiDemografici
from ambito.platform.copia import copia_righe

from .choices import StatoProgetto
from .models import (
    Assegnazione,
    AvanzamentoFinanziario,
    FinanziamentoProgetto,
    LineaFinanziamento,
    Progetto,
)

PROGETTI_PER_AMBITO = 17
ANNI = (2021, 2022, 2023, 2024, 2025)
# The last snapshot: a fixed date, so that the dataset does not depend on today.
ULTIMA_RILEVAZIONE = datetime.date(2025, 9, 30)
# Yearly euro per resident of each national line (order of magnitude of the real ones).
PRO_CAPITE = {
    "FNPS": Decimal("6.5"),
    "FNA-B2": Decimal("9.0"),
    "FONDO-POVERTA-QSF": Decimal("7.5"),
    "FSR": Decimal("3.0"),
    "DOPO-DI-NOI": Decimal("1.2"),
    "FAMI": Decimal("0.8"),
}
LINEE_PROGETTI = [
    "PNRR-M5C2-1.1.1",
    "PNRR-M5C2-1.1.2",
    "PNRR-M5C2-1.1.3",
    "PNRR-M5C2-1.1.4",
    "PNRR-M5C2-1.2",
    "PNRR-M5C2-1.3.1",
    "PNRR-M5C2-1.3.2",
    "PON-INCLUSIONE",
    "FAMI",
    "DOPO-DI-NOI",
]
STATI = (
    [StatoProgetto.IN_CORSO] * 8
    + [StatoProgetto.CONCLUSO] * 4
    + [StatoProgetto.AMMESSO] * 2
    + [StatoProgetto.CANDIDATO, StatoProgetto.IDONEO_NON_FINANZIATO, StatoProgetto.REVOCATO]
)
CON_AVANZAMENTO = {StatoProgetto.IN_CORSO, StatoProgetto.CONCLUSO, StatoProgetto.REVOCATO}
COLONNE_AVANZAMENTO = [
    "progetto_id",
    "data",
    "programmato",
    "ammesso",
    "vincolante",
    "erogato",
    "nota",
    "versione",
    "precisione",
]
CENT = Decimal("0.01")


def _trimestri(inizio, fine):
    """Quarter ends from the first after `inizio` up to `fine`."""
    anno, q = inizio.year, (inizio.month - 1) // 3 + 1
    while True:
        mese = 3 * q
        data = datetime.date(anno, mese, 31 if mese in (3, 12) else 30)
        if data > fine:
            return
        yield data
        q += 1
        if q == 5:
            anno, q = anno + 1, 1


def _euro(valore) -> Decimal:
    return Decimal(valore).quantize(CENT)


def genera(*, rng, stdout, max_ambiti=None, progetti_per_ambito=PROGETTI_PER_AMBITO):
    ambiti = list(Ambito.objects.filter(codice__startswith="sint-").order_by("codice"))
    if max_ambiti is not None:
        ambiti = ambiti[:max_ambiti]
    linee = LineaFinanziamento.objects.in_bulk(
        list(PRO_CAPITE) + LINEE_PROGETTI, field_name="codice"
    )
    if not linee:
        stdout.write("Fondi sintetici: nessuna linea di finanziamento (carica_dati?): saltati.")
        return 0
    residenti = dict(
        DatiDemografici.objects.filter(comune__ambito__in=ambiti, anno=2023)
        .values_list("comune__ambito_id")
        .annotate(n=Sum("residenti"))
        .order_by()
    )

    assegnazioni = []
    for ambito in ambiti:
        pop = residenti.get(ambito.pk) or 50000
        for codice, quota in PRO_CAPITE.items():
            if codice not in linee:
                continue
            for anno in ANNI:
                assegnazioni.append(
                    Assegnazione(
                        ambito=ambito,
                        linea=linee[codice],
                        anno=anno,
                        importo=_euro(pop * quota * Decimal(rng.uniform(0.85, 1.15))),
                        nota_fonte="Sintetico",
                    )
                )
    Assegnazione.objects.bulk_create(assegnazioni, batch_size=2000)

    codici = [c for c in LINEE_PROGETTI if c in linee]
    progetti, importi = [], []
    n_cup = 0
    for ambito in ambiti:
        for i in range(max(1, round(progetti_per_ambito * rng.uniform(0.5, 1.5)))):
            linea = linee[codici[rng.randrange(len(codici))]]
            stato = STATI[rng.randrange(len(STATI))]
            inizio = datetime.date(rng.choice(ANNI[:4]), rng.choice((1, 4, 7, 10)), 1)
            fine = inizio + datetime.timedelta(days=rng.randint(365, 1460))
            finanziato = stato not in (StatoProgetto.CANDIDATO, StatoProgetto.IDONEO_NON_FINANZIATO)
            cup = None
            if finanziato:
                n_cup += 1
                cup = f"S{n_cup:014d}"
            progetti.append(
                Progetto(
                    cup=cup,
                    codice_locale=f"SINT-{i + 1:03d}",
                    titolo=f"Progetto sintetico {i + 1} - {ambito.nome}",
                    linea=linea,
                    ambito=ambito,
                    stato=stato,
                    anno_finanziamento=inizio.year if finanziato else None,
                    data_inizio=inizio if stato != StatoProgetto.CANDIDATO else None,
                    data_fine=fine if stato != StatoProgetto.CANDIDATO else None,
                    data_scadenza=fine + datetime.timedelta(days=90)
                    if stato != StatoProgetto.CANDIDATO
                    else None,
                )
            )
            importi.append(_euro(rng.uniform(40_000, 2_500_000)))
    Progetto.objects.bulk_create(progetti, batch_size=2000)
    # Re-read the ids (bulk_create does not return them on every backend).
    ids = {
        (a, c): pk
        for pk, a, c in Progetto.objects.filter(
            ambito__in=ambiti, codice_locale__startswith="SINT-"
        ).values_list("pk", "ambito_id", "codice_locale")
    }
    finanziamenti, righe = [], []
    for progetto, importo in zip(progetti, importi, strict=True):
        pk = ids[(progetto.ambito_id, progetto.codice_locale)]
        if progetto.cup is None:
            continue
        finanziamenti.append(
            FinanziamentoProgetto(progetto_id=pk, linea=progetto.linea, importo=importo)
        )
        if progetto.stato not in CON_AVANZAMENTO:
            continue
        fine = min(progetto.data_fine, ULTIMA_RILEVAZIONE)
        date = list(_trimestri(progetto.data_inizio, fine))
        vincolante = erogato = Decimal(0)
        for k, data in enumerate(date, start=1):
            quota = Decimal(k) / Decimal(len(date))
            vincolante = max(
                vincolante, min(importo, _euro(importo * quota * Decimal(rng.uniform(0.9, 1.1))))
            )
            erogato = max(
                erogato, min(vincolante, _euro(vincolante * Decimal(rng.uniform(0.4, 0.95))))
            )
            righe.append(
                (pk, data, importo, importo, vincolante, erogato, "Sintetico", 1, "giorno")
            )
    FinanziamentoProgetto.objects.bulk_create(finanziamenti, batch_size=5000)

    copia_righe(AvanzamentoFinanziario, COLONNE_AVANZAMENTO, righe)
    stdout.write(
        f"Fondi sintetici: {len(assegnazioni)} assegnazioni, {len(progetti)} progetti, "
        f"{len(finanziamenti)} finanziamenti, {len(righe)} rilevazioni di avanzamento."
    )
    return len(progetti)
