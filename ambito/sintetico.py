"""Synthetic Italy-sized territory: ~600 Ambiti over the 7.904 real Comuni (ISTAT 2020).

Used by `genera_italia` for benchmarks. Deterministic for a given seed. The real
Comuni already in the database (e.g. Visconteo's) keep their Ambito.
"""

import csv
import math
from collections import defaultdict

from django.conf import settings

from .models import Ambito, Comune, DatiDemografici

# ISTAT, CC BY 3.0 IT: see fixtures/reference/README.md.
ISTAT_CSV = settings.BASE_DIR / "fixtures" / "reference" / "comuni-istat-2020.csv"
AMBITI_ITALIA = 600
ANNI = (2021, 2022, 2023)


def read_comuni(path=ISTAT_CSV):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _ambiti_per_provincia(per_provincia, totale):
    """Split `totale` Ambiti among provinces in proportion to their Comuni (largest rest)."""
    n = sum(len(c) for c in per_provincia.values())
    quote = {p: len(c) * totale / n for p, c in per_provincia.items()}
    alloc = {p: max(1, math.floor(q)) for p, q in quote.items()}
    resto = totale - sum(alloc.values())
    for p in sorted(quote, key=lambda p: quote[p] - math.floor(quote[p]), reverse=True):
        if resto <= 0:
            break
        alloc[p] += 1
        resto -= 1
    return alloc


def genera(*, rng, stdout, totale_ambiti=AMBITI_ITALIA, path=ISTAT_CSV):
    righe = read_comuni(path)
    esistenti = set(Comune.objects.values_list("codice_istat", flat=True))
    per_provincia = defaultdict(list)
    for riga in righe:
        if riga["codice_istat"] not in esistenti:
            per_provincia[riga["sigla_provincia"] or riga["provincia"]].append(riga)
    alloc = _ambiti_per_provincia(per_provincia, totale_ambiti - Ambito.objects.count())

    ambiti, comuni = [], []
    for provincia in sorted(per_provincia):
        lista = sorted(per_provincia[provincia], key=lambda r: r["codice_istat"])
        k = alloc[provincia]
        for i in range(k):
            gruppo = lista[i * len(lista) // k : (i + 1) * len(lista) // k]
            if not gruppo:
                continue
            ambito = Ambito(
                codice=f"sint-{provincia.lower()}-{i + 1:02d}",
                nome=f"Ambito sintetico {gruppo[0]['provincia']} {i + 1}",
                regione=gruppo[0]["regione"],
            )
            ambiti.append(ambito)
            comuni.extend((ambito, r) for r in gruppo)
    Ambito.objects.bulk_create(ambiti, batch_size=1000)

    nuovi = [
        Comune(
            codice_istat=r["codice_istat"],
            nome=r["nome"],
            sigla_provincia=r["sigla_provincia"][:2],
            ambito=ambito,
        )
        for ambito, r in comuni
    ]
    Comune.objects.bulk_create(nuovi, batch_size=2000)
    popolazione = {r["codice_istat"]: int(r["popolazione_censimento_2011"] or 0) for r in righe}
    dati = []
    for comune in nuovi:
        residenti = max(30, popolazione.get(comune.codice_istat, 1000))
        for anno in ANNI:
            residenti = max(30, round(residenti * rng.uniform(0.985, 1.012)))
            stranieri = round(residenti * rng.uniform(0.02, 0.15))
            dati.append(
                DatiDemografici(
                    comune=comune,
                    anno=anno,
                    residenti=residenti,
                    stranieri=stranieri,
                    stranieri_minori=round(stranieri * rng.uniform(0.15, 0.3)),
                    fonte="Sintetico (base: censimento ISTAT 2011)",
                )
            )
    DatiDemografici.objects.bulk_create(dati, batch_size=5000)
    stdout.write(
        f"Territorio sintetico: {len(ambiti)} Ambiti, {len(nuovi)} Comuni, "
        f"{len(dati)} righe di dati demografici."
    )
    return ambiti
