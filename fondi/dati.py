"""Loads funding sources and lines, the Piano's table of funds (section 2.5) and the
PNRR projects of Ambito Visconteo Sud Milano from fixtures/fondi/. Idempotent."""

from datetime import date
from decimal import Decimal

from django.conf import settings

from ambito.dati import read_yaml
from ambito.models import Ambito, Comune

from . import models, services

CARTELLA = settings.BASE_DIR / "fixtures" / "fondi"


def _data(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def carica_fonti():
    data = read_yaml(CARTELLA / "fonti.yaml")
    linee = 0
    for spec in data["fonti"]:
        fonte, _ = models.FonteFinanziamento.objects.update_or_create(
            codice=spec["codice"],
            defaults={"nome": spec["nome"], "livello": spec["livello"], "ordine": spec["ordine"]},
        )
        for item in spec["linee"]:
            parent = (
                models.LineaFinanziamento.objects.get(codice=item["parent"])
                if "parent" in item
                else None
            )
            models.LineaFinanziamento.objects.update_or_create(
                codice=item["codice"],
                defaults={"nome": item["nome"], "fonte": fonte, "parent": parent},
            )
            linee += 1
    return len(data["fonti"]), linee


def carica_assegnazioni():
    data = read_yaml(CARTELLA / "assegnazioni.yaml")
    ambito = Ambito.objects.get(codice=data["ambito"])
    righe = 0
    for item in data["righe"]:
        linea = models.LineaFinanziamento.objects.get(codice=item["linea"])
        for anno, importo in item["importi"].items():
            models.Assegnazione.objects.update_or_create(
                ambito=ambito,
                linea=linea,
                anno=int(anno),
                defaults={
                    "importo": Decimal(importo),
                    "interventi": item["interventi"].strip(),
                    "nota_fonte": data["note_anno"][anno],
                },
            )
            righe += 1
    for anno, importo in data["totali_riportati"].items():
        models.TotaleRiportato.objects.update_or_create(
            ambito=ambito,
            anno=int(anno),
            documento=data["documento"],
            defaults={"importo": Decimal(importo)},
        )
    return righe


def carica_progetti():
    data = read_yaml(CARTELLA / "progetti.yaml")
    ambito = Ambito.objects.get(codice=data["ambito"])
    for spec in data["progetti"]:
        linea = models.LineaFinanziamento.objects.get(codice=spec["linea"])
        valori = {
            "titolo": spec["titolo"],
            "descrizione": spec["descrizione"].strip(),
            "cup": spec.get("cup"),
            "codice_locale": spec.get("codice_locale", ""),
            "rup": spec.get("rup", ""),
            "soggetto_attuatore": ambito.ente_capofila,
            "anno_finanziamento": spec.get("anno_finanziamento"),
            "data_inizio": _data(spec.get("data_inizio")),
            "data_fine": _data(spec.get("data_fine")),
            "data_scadenza": _data(spec.get("data_scadenza")),
        }
        # Natural key: the Ambito's first project on that line (the Piano prints no
        # CUP). The state is set only on creation: afterwards it follows the workflow.
        progetto = models.Progetto.objects.filter(ambito=ambito, linea=linea).order_by("pk").first()
        comuni = Comune.objects.filter(codice_istat__in=spec.get("comuni", []))
        if progetto is None:
            # A project already under way: the audited import path walks it through
            # the state machine, each step recorded with the reason.
            progetto = models.Progetto(ambito=ambito, linea=linea, **valori)
            services.progetto_import_with_history(
                progetto=progetto,
                stato=spec["stato"],
                motivo=f"Caricamento dei dati: {data.get('documento', 'Piano di Zona')}",
                comuni=comuni,
            )
        else:
            for campo, valore in valori.items():
                setattr(progetto, campo, valore)
            services.progetto_validate(progetto=progetto, stato_precedente=progetto.stato)
            progetto.save()
            progetto.comuni.set(comuni)
        for item in spec["finanziamenti"]:
            models.FinanziamentoProgetto.objects.update_or_create(
                progetto=progetto,
                linea=models.LineaFinanziamento.objects.get(codice=item["linea"]),
                defaults={"importo": Decimal(item["importo"]), "nota": item.get("nota", "")},
            )
    return len(data["progetti"])


def carica(stdout):
    fonti, linee = carica_fonti()
    righe = carica_assegnazioni()
    progetti = carica_progetti()
    stdout.write(
        f"Fondi: {fonti} fonti, {linee} linee di finanziamento, {righe} assegnazioni "
        f"(Piano § 2.5), {progetti} progetti PNRR."
    )
