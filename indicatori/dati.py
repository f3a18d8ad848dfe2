"""Loads indicators, context tables, history and the demo set from fixtures/indicatori/.

Idempotent: rows are found by their natural keys and saved only when something
changed (so a second run adds no history). The demo values are created once and
then left alone, so what a user entered or approved survives a reload; the states
of the periods too.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils.dateparse import parse_datetime

from ambito.dati import CODICE_AMBITO, read_yaml
from ambito.models import Ambito, Comune
from ambito.platform.services import instance_validate
from programmi.models import PianoDiZona, Scheda

from . import validators
from .choices import (
    AggregazioneComuni,
    Livello,
    Periodicita,
    StatoPeriodo,
    StatoValore,
    TipoIndicatore,
    UnitaMisura,
)
from .models import Categoria, Indicatore, IndicatoreContesto, Periodo, Valore, ValoreContesto

# The named rules the services check for each model (the others have field checks only).
REGOLE = {Indicatore: validators.INDICATORE, Valore: validators.VALORE}


def _valida(obj):
    instance_validate(
        obj,
        validators=REGOLE.get(type(obj), ()),
        validate_unique=False,
        validate_constraints=False,
    )


CARTELLA = settings.BASE_DIR / "fixtures" / "indicatori"
CAMPI_INDICATORE = [
    "nome",
    "descrizione",
    "tipo",
    "unita",
    "valore_atteso",
    "valore_atteso_testo",
    "data_target",
    "baseline",
    "baseline_nota",
    "aggregazione_comuni",
    "aggregazione_periodi",
    "periodicita",
    "livello",
    "categorie_esaustive",
    "conta_beneficiari",
    "previsto_dal_piano",
    "rilevazione_dal",
    "fonte",
]


def _salva_se_cambiato(model, lookup: dict, valori: dict, *, solo_creazione=()):
    """get-or-create by natural key; update and save only the fields that differ.

    Fields in `solo_creazione` are set when the row is created and never again.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **valori)
        _valida(obj)
        obj.save()
        return obj, True
    cambiati = [k for k, v in valori.items() if k not in solo_creazione and getattr(obj, k) != v]
    if cambiati:
        for k in cambiati:
            setattr(obj, k, valori[k])
        _valida(obj)
        obj.save()
    return obj, False


def _decimale(valore):
    return None if valore is None else Decimal(str(valore))


def _aware(valore):
    if valore is None:
        return None
    if isinstance(valore, datetime.datetime):
        return valore
    return parse_datetime(str(valore))


def carica(stdout):
    ambito = Ambito.objects.get(codice=CODICE_AMBITO)
    n_indicatori = _carica_indicatori(ambito)
    n_contesto = _carica_contesto(ambito)
    n_storico = _carica_storico(ambito)
    n_demo = _carica_demo(ambito)
    stdout.write(
        f"Indicatori: {n_indicatori} indicatori, {n_contesto} valori di contesto, "
        f"{n_storico} valori storici, {n_demo} valori dimostrativi."
    )


def _spec_indicatore(item, *, scheda_spec=None):
    tipo = item["tipo"]
    spec = {
        "nome": item["nome"],
        "descrizione": item.get("descrizione", ""),
        "tipo": tipo,
        "unita": item.get("unita", UnitaMisura.TESTO),
        "valore_atteso": _decimale(item.get("valore_atteso")),
        "valore_atteso_testo": item.get("valore_atteso_testo", ""),
        "data_target": item.get("data_target", (scheda_spec or {}).get("data_target")),
        "baseline": _decimale(item.get("baseline")),
        "baseline_nota": item.get("baseline_nota", ""),
        "aggregazione_periodi": item.get("aggregazione_periodi", "somma"),
        "periodicita": item.get(
            "periodicita", (scheda_spec or {}).get("periodicita", Periodicita.ANNUALE)
        ),
        "livello": item.get("livello", Livello.AMBITO),
        "categorie_esaustive": item.get("categorie_esaustive", False),
        "conta_beneficiari": item.get("conta_beneficiari", False),
        "previsto_dal_piano": item.get("previsto_dal_piano", True),
        "rilevazione_dal": item.get("rilevazione_dal", (scheda_spec or {}).get("rilevazione_dal")),
        "fonte": item.get("fonte", ""),
    }
    if tipo == TipoIndicatore.INPUT:
        # A need the plan answers: a yearly qualitative note of the Ufficio di Piano.
        spec.update(
            periodicita=Periodicita.ANNUALE,
            livello=Livello.AMBITO,
            valore_atteso_testo=spec["valore_atteso_testo"]
            or "Indicatore di input: descrive il bisogno a cui l'obiettivo risponde.",
        )
    spec["aggregazione_comuni"] = item.get(
        "aggregazione_comuni",
        AggregazioneComuni.NESSUNA if spec["unita"] == UnitaMisura.TESTO else "somma",
    )
    return spec


def _carica_indicatori(ambito) -> int:
    from servizi.models import AreaIntervento, Servizio

    data = read_yaml(CARTELLA / "indicatori.yaml")
    piano = PianoDiZona.objects.get(ambito=ambito, anno_inizio=data["piano"])
    calcolati = []
    ordine = 0
    for scheda_spec in data["schede"]:
        scheda = Scheda.objects.get(piano=piano, numero=scheda_spec["numero"])
        for item in scheda_spec["indicatori"]:
            ordine += 1
            spec = _spec_indicatore(item, scheda_spec=scheda_spec)
            spec.update(
                scheda=scheda,
                area=AreaIntervento.objects.get(codice=scheda_spec["area"]),
                ordine=ordine,
                fonte=spec["fonte"] or f"Piano di Zona 2025-2027, par. 7.2, scheda {scheda.numero}",
            )
            indicatore = _indicatore(piano, item, spec)
            if "numeratore" in item:
                calcolati.append((indicatore, item))
    for item in data["servizi"]:
        ordine += 1
        spec = _spec_indicatore(item)
        servizio = Servizio.objects.filter(ambito=ambito, nome__iexact=item["servizio"]).first()
        spec.update(ordine=ordine, servizio=servizio, area=servizio and servizio.area)
        _indicatore(piano, item, spec)
    for indicatore, item in calcolati:
        numeratore = Indicatore.objects.get(piano=piano, codice=item["numeratore"])
        denominatore = Indicatore.objects.get(piano=piano, codice=item["denominatore"])
        if (indicatore.numeratore_id, indicatore.denominatore_id) != (
            numeratore.pk,
            denominatore.pk,
        ):
            indicatore.numeratore, indicatore.denominatore = numeratore, denominatore
            _valida(indicatore)
            indicatore.save(update_fields=["numeratore", "denominatore"])
    return Indicatore.objects.filter(piano=piano).count()


def _indicatore(piano, item, spec):
    indicatore, _created = _salva_se_cambiato(
        Indicatore, {"piano": piano, "codice": item["codice"]}, spec
    )
    for posizione, categoria in enumerate(item.get("categorie", []), start=1):
        _salva_se_cambiato(
            Categoria,
            {"indicatore": indicatore, "codice": categoria["codice"]},
            {"nome": categoria["nome"], "ordine": posizione},
        )
    return indicatore


def _carica_contesto(ambito) -> int:
    data = read_yaml(CARTELLA / "contesto.yaml")
    comuni = [Comune.objects.get(ambito=ambito, nome=nome) for nome in data["comuni"]]
    righe = 0

    def indicatore_di(posizione, item):
        campi = {
            k: item[k]
            for k in ("nome", "unita", "decimali", "aggregazione", "fonte", "fonte_nota", "tabella")
        }
        campi.update(
            descrizione=item.get("descrizione", ""),
            data_riferimento=item["data_riferimento"],
            ordine=posizione,
        )
        return _salva_se_cambiato(
            IndicatoreContesto, {"ambito": ambito, "codice": item["codice"]}, campi
        )[0]

    def valori(indicatore, dal, al, per_comune, stampato):
        nonlocal righe
        for comune, numero in zip(comuni, per_comune, strict=True):
            _salva_se_cambiato(
                ValoreContesto,
                {"indicatore": indicatore, "comune": comune, "data_inizio": dal, "data_fine": al},
                {"valore": _decimale(numero)},
            )
            righe += 1
        _salva_se_cambiato(
            ValoreContesto,
            {"indicatore": indicatore, "comune": None, "data_inizio": dal, "data_fine": al},
            {"valore": _decimale(stampato)},
        )

    posizione = 0
    for item in data["indicatori"]:
        posizione += 1
        indicatore = indicatore_di(posizione, item)
        for anno, riga in item["anni"].items():
            valori(
                indicatore,
                datetime.date(anno, 1, 1),
                datetime.date(anno, 12, 31),
                riga["comuni"],
                riga["ambito_stampato"],
            )
    for item in data["periodi"]:
        posizione += 1
        indicatore = indicatore_di(posizione, item)
        valori(indicatore, item["dal"], item["al"], item["comuni"], item["ambito_stampato"])
    return righe


def _periodo(ambito, spec, *, dimostrativo=False, stato=StatoPeriodo.CHIUSO):
    return _salva_se_cambiato(
        Periodo,
        {"ambito": ambito, "codice": str(spec["codice"])},
        {
            "nome": spec["nome"],
            "tipo": spec["tipo"],
            "data_inizio": spec["data_inizio"],
            "data_fine": spec["data_fine"],
            "scadenza": spec["scadenza"],
            "stato": spec.get("stato", stato),
            "dimostrativo": dimostrativo,
            "note": spec.get("note", ""),
        },
        solo_creazione=("stato",),
    )[0]


def _carica_storico(ambito) -> int:
    data = read_yaml(CARTELLA / "storico.yaml")
    periodi = {
        str(spec["codice"]): _periodo(
            ambito,
            {**spec, "note": "Periodo storico: valori riportati nel Piano di Zona 2025-2027."},
        )
        for spec in data["periodi"]
    }
    indicatori = {i.codice: i for i in Indicatore.objects.filter(piano__ambito=ambito)}
    comuni = {c.nome: c for c in Comune.objects.filter(ambito=ambito)}
    righe = 0
    for item in data["valori"]:
        indicatore = indicatori[item["indicatore"]]
        periodo = periodi[str(item["periodo"])]
        comune_valori = item.get("comuni", {})
        for nome, numero in comune_valori.items():
            _valore(
                indicatore,
                periodo,
                comuni[nome],
                None,
                numero,
                {"commento": item.get("comune_commento", "")},
            )
            righe += 1
        categorie = {c.codice: c for c in indicatore.categorie.all()}
        for codice, numero in item.get("categorie", {}).items():
            _valore(
                indicatore,
                periodo,
                None,
                categorie[codice],
                numero,
                {"commento": item.get("commento", "") if codice == next(iter(categorie)) else ""},
            )
            righe += 1
    return righe


def _valore(indicatore, periodo, comune, categoria, contenuto, extra, *, solo_creazione=False):
    campi = {
        "valore_numerico": None,
        "valore_testo": "",
        "stato": StatoValore.APPROVATO,
        "commento": "",
        **extra,
    }
    if isinstance(contenuto, str):
        campi["valore_testo"] = contenuto
    else:
        campi["valore_numerico"] = _decimale(contenuto)
    lookup = {
        "indicatore": indicatore,
        "periodo": periodo,
        "comune": comune,
        "categoria": categoria,
    }
    if solo_creazione:
        if Valore.objects.filter(**lookup).exists():
            return None
    return _salva_se_cambiato(Valore, lookup, campi)[0]


def _carica_demo(ambito) -> int:
    data = read_yaml(CARTELLA / "demo.yaml")
    comuni = [Comune.objects.get(ambito=ambito, nome=nome) for nome in data["comuni"]]
    indicatori = {i.codice: i for i in Indicatore.objects.filter(piano__ambito=ambito)}
    righe = 0
    for spec in data["periodi"]:
        periodo = _periodo(ambito, spec, dimostrativo=True)
        stati = spec.get("stati_comuni", {})
        default = {
            "stato": StatoValore.APPROVATO,
            "inviato_il": _aware(spec.get("inviato_il")),
        }

        def extra_per(comune_nome, codice, spec=spec, stati=stati, default=default):
            stato_comune = stati.get(comune_nome, default)
            stato = stato_comune["stato"]
            respinti = stato_comune.get("respinti", {})
            extra = {
                "dimostrativo": True,
                "stato": stato,
                "inviato_il": _aware(stato_comune.get("inviato_il")),
            }
            if codice in respinti:
                extra.update(stato=StatoValore.RESPINTO, motivo_respingimento=respinti[codice])
            if extra["stato"] == StatoValore.APPROVATO:
                extra["approvato_il"] = _aware(spec.get("approvato_il"))
            return extra

        for codice, contenuto in spec.get("comuni", {}).items():
            indicatore = indicatori[codice]
            serie = contenuto if isinstance(contenuto, dict) else {"totale": contenuto}
            categorie = {c.codice: c for c in indicatore.categorie.all()}
            for chiave, numeri in serie.items():
                categoria = None if chiave == "totale" else categorie[chiave]
                for comune, numero in zip(comuni, numeri, strict=True):
                    if numero is None:
                        continue
                    creato = _valore(
                        indicatore,
                        periodo,
                        comune,
                        categoria,
                        numero,
                        extra_per(comune.nome, codice),
                        solo_creazione=True,
                    )
                    righe += creato is not None
        for codice, contenuto in spec.get("ambito", {}).items():
            indicatore = indicatori[codice]
            extra = {
                "dimostrativo": True,
                "stato": StatoValore.APPROVATO,
                "inviato_il": _aware(spec.get("approvato_il")),
                "approvato_il": _aware(spec.get("approvato_il")),
            }
            if isinstance(contenuto, dict):
                categorie = {c.codice: c for c in indicatore.categorie.all()}
                for chiave, numero in contenuto.items():
                    creato = _valore(
                        indicatore,
                        periodo,
                        None,
                        categorie[chiave],
                        numero,
                        extra,
                        solo_creazione=True,
                    )
                    righe += creato is not None
            else:
                creato = _valore(
                    indicatore, periodo, None, None, contenuto, extra, solo_creazione=True
                )
                righe += creato is not None
    return Valore.objects.filter(periodo__ambito=ambito, dimostrativo=True).count()
