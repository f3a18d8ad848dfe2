"""Import of indicator values from Excel (issue 27): upload + dry run + apply.

    DATABASE_URL=postgres://.../zonale_x .venv/bin/python tests/benchmarks/importazione.py

Needs `manage.py carica_dati` on that database; everything it creates (a period, the
indicators, the values) is rolled back at the end. Two cases, as the Ufficio di Piano
through the real pages (Django test client, in process):

1. the period's template for 11 Comuni × 60 indicators (660 rows), downloaded, filled
   with openpyxl, uploaded (dry run) and confirmed: budget 5 s;
2. a file of 10.000 rows (11 Comuni × 910 indicators, cut at 10.000): budget 30 s.

Prints the time of each step and the peak memory of the process so far (ru_maxrss):
that it barely grows from 660 to 10.000 rows shows the streamed read.
"""

import datetime
import io
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ambito.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from ambito.models import Ambito, Comune, Importazione, Incarico  # noqa: E402
from ambito.roles import Ruolo  # noqa: E402
from indicatori.choices import Livello, Periodicita, TipoIndicatore, UnitaMisura  # noqa: E402
from indicatori.models import Indicatore, Periodo, Valore  # noqa: E402
from programmi.models import PianoDiZona  # noqa: E402


class _Annulla(Exception):
    pass


def _indicatori(piano, n, prefisso):
    return Indicatore.objects.bulk_create(
        Indicatore(
            piano=piano,
            codice=f"{prefisso}.{i:04d}",
            nome=f"Indicatore di carico {i}",
            tipo=TipoIndicatore.OUTPUT,
            unita=UnitaMisura.CONTEGGIO,
            livello=Livello.COMUNE,
            periodicita=Periodicita.SEMESTRALE,
            rilevazione_dal=datetime.date(2022, 1, 1),
            ordine=9000 + i,
        )
        for i in range(n)
    )


def _misura(etichetta, funzione):
    inizio = time.perf_counter()
    risultato = funzione()
    durata = time.perf_counter() - inizio
    picco = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {etichetta}: {durata:.2f} s, picco di memoria del processo finora {picco:.0f} MB")
    return risultato, durata


def _carica_e_conferma(client, ambito, periodo, contenuto, nome):
    def carica():
        risposta = client.post(
            "/importazioni/valori/",
            {
                "ambito": ambito.pk,
                "periodo": periodo.pk,
                "file": SimpleUploadedFile(nome, contenuto),
            },
        )
        assert risposta.status_code == 303, risposta.content[:500]
        return Importazione.objects.latest("pk")

    importazione, t_carica = _misura("caricamento e prova", carica)
    riepilogo = importazione.riepilogo
    assert not riepilogo["errori"] and not riepilogo["conteggi"]["rifiutata"], riepilogo

    def conferma():
        risposta = client.post(importazione.get_absolute_url())
        assert risposta.status_code == 303, risposta.content.decode()[-3000:]

    _r, t_conferma = _misura("conferma (nuova prova e scrittura)", conferma)
    print(f"  righe: {riepilogo['conteggi']}; totale {t_carica + t_conferma:.2f} s")
    return t_carica + t_conferma


def main():
    from django.contrib.auth import get_user_model

    ambito = Ambito.objects.get(codice="visconteo-sud-milano")
    piano = PianoDiZona.objects.get(ambito=ambito, anno_inizio=2025)
    comuni = list(Comune.objects.filter(ambito=ambito).order_by("nome"))
    try:
        with transaction.atomic():
            user, _ = get_user_model().objects.get_or_create(username="bench.importazione")
            Incarico.objects.get_or_create(user=user, ambito=ambito, ruolo=Ruolo.UFFICIO_PIANO)
            client = Client()
            client.force_login(user)
            # An empty future period: only the benchmark's indicators are due in it, with
            # the plan's own half-yearly ones.
            periodo = Periodo.objects.create(
                ambito=ambito,
                codice="bench-2026-s2",
                nome="Semestre di carico",
                tipo=Periodicita.SEMESTRALE,
                data_inizio=datetime.date(2026, 7, 1),
                data_fine=datetime.date(2026, 12, 31),
                scadenza=datetime.date(2027, 1, 31),
            )
            _indicatori(piano, 60, "BENCH")

            print(f"1. Modello di {len(comuni)} Comuni × 60 indicatori (più quelli del Piano)")
            risposta, _t = _misura(
                "scaricamento del modello",
                lambda: client.get(
                    "/importazioni/valori/modello/", {"ambito": ambito.pk, "periodo": periodo.pk}
                ),
            )
            libro = load_workbook(io.BytesIO(risposta.content))
            foglio = libro.worksheets[0]
            colonne = {c.value: i for i, c in enumerate(foglio[1])}
            compilate = 0
            for n, riga in enumerate(foglio.iter_rows(min_row=2)):
                if str(riga[colonne["Codice indicatore"]].value).startswith("BENCH."):
                    riga[colonne["Valore"]].value = n % 50 + 1
                    compilate += 1
            out = io.BytesIO()
            libro.save(out)
            print(f"  {foglio.max_row - 1} righe nel modello, {compilate} compilate")
            totale_1 = _carica_e_conferma(client, ambito, periodo, out.getvalue(), "modello.xlsx")
            assert Valore.objects.filter(periodo=periodo).count() == compilate

            print("2. File di 10.000 righe (11 Comuni × 910 indicatori)")
            altri = _indicatori(piano, 910, "CARICO")
            libro = Workbook(write_only=True)
            foglio = libro.create_sheet("Dati")
            foglio.append(["Codice ISTAT", "Codice indicatore", "Valore", "Commento"])
            righe = 0
            for comune in comuni:
                for i, indicatore in enumerate(altri):
                    if righe == 10_000:
                        break
                    foglio.append([comune.codice_istat, indicatore.codice, i % 90 + 1, ""])
                    righe += 1
            out = io.BytesIO()
            libro.save(out)
            print(f"  {righe} righe, {len(out.getvalue()) / 1024:.0f} KB")
            totale_2 = _carica_e_conferma(client, ambito, periodo, out.getvalue(), "grande.xlsx")
            print(
                f"Esito: 660 righe {totale_1:.2f} s (budget 5 s), "
                f"10.000 righe {totale_2:.2f} s (budget 30 s)"
            )
            raise _Annulla
    except _Annulla:
        print("(tutto annullato: il database è come prima)")


if __name__ == "__main__":
    main()
