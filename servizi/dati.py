"""Loads the areas of intervention, the services and measures with their yearly figures
and calls (§ 4.4, § 4.5) and the unità d'offerta (§ 3.1, § 3.2) of Ambito Visconteo
Sud Milano from fixtures/servizi/. Idempotent: a second run changes nothing."""

from datetime import date
from decimal import Decimal
from functools import partial

from django.conf import settings

from ambito.dati import read_yaml
from ambito.models import Ambito, Comune, Ente
from ambito.platform.services import instance_save

from . import models
from .choices import Gestione, Misura

CARTELLA = settings.BASE_DIR / "fixtures" / "servizi"

AREE = [
    (
        "poverta-inclusione",
        "Contrasto alla povertà e all'emarginazione sociale e promozione dell'inclusione attiva",
    ),
    ("politiche-abitative", "Politiche abitative"),
    (
        "domiciliarita-anziani-disabilita",
        "Domiciliarità, anziani e interventi a favore delle persone con disabilità",
    ),
    ("famiglia-minori", "Interventi per la famiglia e i minori"),
    ("politiche-giovanili", "Politiche giovanili"),
    ("azioni-di-sistema", "Azioni di sistema"),
]


def _data(value):
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _comuni_by_name(ambito):
    return {c.nome.casefold(): c for c in Comune.objects.filter(ambito=ambito)}


def _comune(comuni, nome):
    if nome is None:
        return None
    try:
        return comuni[nome.casefold()]
    except KeyError:
        raise ValueError(f"Comune sconosciuto nei dati dei servizi: {nome!r}") from None


def carica_aree():
    for ordine, (codice, nome) in enumerate(AREE, start=1):
        models.AreaIntervento.objects.update_or_create(
            codice=codice, defaults={"nome": nome, "ordine": ordine}
        )
    return len(AREE)


# The loader's save: the shared validate-then-save, the constraints left to the database.
_save = partial(instance_save, validate_constraints=False)


def _carica_grandezze(servizio, specs, comuni):
    righe = 0
    for ordine, spec in enumerate(specs, start=1):
        grandezza, _ = models.Grandezza.objects.update_or_create(
            servizio=servizio,
            codice=spec["codice"],
            defaults={
                "nome": spec["nome"],
                "unita": spec.get("unita", "conteggio"),
                "ordine": ordine,
            },
        )
        for item in spec.get("dati", []):
            models.DatoAnnuale.objects.update_or_create(
                grandezza=grandezza,
                anno=item["anno"],
                comune=_comune(comuni, item.get("comune")),
                categoria=item.get("categoria") or "",
                defaults={"valore": Decimal(str(item["valore"])), "nota": item.get("nota") or ""},
            )
            righe += 1
        for item in spec.get("stampati", []):
            models.TotaleStampato.objects.update_or_create(
                grandezza=grandezza,
                anno=item["anno"],
                defaults={"valore": Decimal(str(item["valore"]))},
            )
    return righe


def _carica_avvisi(servizio, specs):
    for spec in specs:
        avviso = models.Avviso.objects.filter(servizio=servizio, numero=spec["numero"]).first()
        avviso = avviso or models.Avviso(servizio=servizio, numero=spec["numero"])
        avviso.titolo = spec["titolo"]
        avviso.riferimento = spec.get("riferimento") or ""
        avviso.data_apertura = _data(spec.get("apertura"))
        avviso.data_chiusura = _data(spec.get("chiusura"))
        avviso.domande_finanziate = spec.get("domande_finanziate")
        avviso.domande_scorrimento = spec.get("domande_scorrimento")
        avviso.domande_in_attesa = spec.get("domande_in_attesa")
        stampate = spec.get("risorse_erogate_stampate")
        avviso.risorse_erogate_stampate = Decimal(str(stampate)) if stampate else None
        avviso.nota = spec.get("nota") or ""
        _save(avviso)
        quote = [
            (quota["tipo"], quota.get("riferimento") or "", Decimal(str(quota["importo"])))
            for quota in spec.get("quote", [])
        ]
        if list(avviso.quote.values_list("tipo", "riferimento", "importo")) != quote:
            avviso.quote.all().delete()
            for tipo, riferimento, importo in quote:
                _save(
                    models.QuotaAvviso(
                        avviso=avviso, tipo=tipo, riferimento=riferimento, importo=importo
                    )
                )
    return len(specs)


def carica_servizi():
    path = CARTELLA / "servizi.yaml"
    if not path.exists():
        return 0, 0, 0
    data = read_yaml(path)
    ambito = Ambito.objects.get(codice=data["ambito"])
    comuni = _comuni_by_name(ambito)
    for item in data.get("enti", []):
        Ente.objects.get_or_create(
            ambito=ambito, nome=item["nome"], defaults={"tipo": item["tipo"]}
        )
    aree = {a.codice: a for a in models.AreaIntervento.objects.all()}
    righe = avvisi = 0
    for spec in data["servizi"]:
        servizio = models.Servizio.objects.filter(ambito=ambito, nome=spec["nome"]).first()
        servizio = servizio or models.Servizio(ambito=ambito, nome=spec["nome"])
        servizio.tipo = spec["tipo"]
        servizio.area = aree[spec["area"]]
        servizio.sezione = str(spec.get("sezione") or "")
        servizio.leps = bool(spec.get("leps"))
        servizio.stato = spec.get("stato", "attivo")
        servizio.data_avvio = _data(spec.get("data_avvio"))
        servizio.descrizione = (spec.get("descrizione") or "").strip()
        servizio.sviluppo_futuro = (spec.get("sviluppo_futuro") or "").strip()
        ente = spec.get("ente_gestore")
        servizio.ente_gestore = Ente.objects.get(ambito=ambito, nome=ente) if ente else None
        _save(servizio)
        nomi = spec.get("comuni") or []
        servizio.comuni.set(
            comuni.values() if nomi == "tutti" else [_comune(comuni, n) for n in nomi]
        )
        servizio.linee.set(servizio.linee.model.objects.filter(codice__in=spec.get("linee") or []))
        righe += _carica_grandezze(servizio, spec.get("grandezze") or [], comuni)
        avvisi += _carica_avvisi(servizio, spec.get("avvisi") or [])
    return len(data["servizi"]), righe, avvisi


def carica_tipi(tipi):
    for ordine, (codice, (nome, sigla, area, natura)) in enumerate(tipi.items(), start=1):
        models.TipoUnitaOfferta.objects.update_or_create(
            codice=codice,
            defaults={
                "nome": nome,
                "sigla": sigla,
                "area": area,
                "natura": natura,
                "ordine": ordine,
            },
        )


def _unita_specs(gruppo, tipo):
    """The units of one type in the fixture, expanded: one dict per unit."""
    gestione = gruppo.get("gestione", Gestione.NON_INDICATA)
    for comune in gruppo.get("domiciliare", []):
        yield {"comune": comune, "nome": f"{tipo.nome} - {comune}", "gestione": gestione}
    for item in gruppo.get("elenco", []):
        quanti = item.get("quanti", 1)
        for numero in range(1, quanti + 1):
            nome = item["nome"] if quanti == 1 else f"{item['nome']} ({numero} di {quanti})"
            yield {**item, "nome": nome, "gestione": item.get("gestione", gestione)}


def carica_unita():
    data = read_yaml(CARTELLA / "unita.yaml")
    ambito = Ambito.objects.get(codice=data["ambito"])
    comuni = _comuni_by_name(ambito)
    carica_tipi(data["tipi"])
    tipi = {t.codice: t for t in models.TipoUnitaOfferta.objects.all()}
    enti = {e.nome: e for e in Ente.objects.filter(ambito=ambito)}
    # Units are matched on (type, Comune, name) in load order, since two units may share
    # a name (two "Asilo Nido Happy Child" in Basiglio); only changed units are saved.
    esistenti = {}
    for unita in models.UnitaOfferta.objects.filter(ambito=ambito).order_by("pk"):
        esistenti.setdefault((unita.tipo_id, unita.comune_id, unita.nome), []).append(unita)
    caricate = 0
    for gruppo in data["unita"]:
        tipo = tipi[gruppo["tipo"]]
        for spec in _unita_specs(gruppo, tipo):
            comune = _comune(comuni, spec.get("comune"))
            valori = {
                "area": tipo.area,
                "localita": spec.get("localita") or "",
                "posti": spec.get("posti"),
                "gestione": spec["gestione"],
                "ente_gestore": enti[spec["ente"]] if "ente" in spec else None,
            }
            trovate = esistenti.get((tipo.pk, comune and comune.pk, spec["nome"]))
            unita = trovate.pop(0) if trovate else None
            if unita is None:
                unita = models.UnitaOfferta(
                    ambito=ambito, tipo=tipo, comune=comune, nome=spec["nome"]
                )
            elif all(getattr(unita, campo) == valore for campo, valore in valori.items()):
                caricate += 1
                continue
            for campo, valore in valori.items():
                setattr(unita, campo, valore)
            _save(unita)
            caricate += 1
    for avanzate in esistenti.values():
        for unita in avanzate:
            unita.delete()
    return caricate, _carica_stampati(ambito, data["stampati"], tipi, comuni)


def _carica_stampati(ambito, stampati, tipi, comuni):
    fonte = stampati["fonte"]
    righe = []

    def riga(misura, valore, **filtro):
        righe.append(
            models.DatoStampatoUnita(
                ambito=ambito, misura=misura, valore=valore, fonte=fonte, **filtro
            )
        )

    for codice, (totale, pubbliche, private) in stampati["per_tipo"].items():
        tipo = tipi[codice]
        riga(Misura.UNITA, totale, tipo=tipo)
        riga(Misura.PUBBLICHE, pubbliche, tipo=tipo)
        riga(Misura.PRIVATE, private, tipo=tipo)
    for area, (totale, pubbliche, private) in stampati["per_area"].items():
        # The summary table of § 3.1 counts the social units only.
        riga(Misura.UNITA, totale, area=area, natura="sociale")
        riga(Misura.PUBBLICHE, pubbliche, area=area, natura="sociale")
        riga(Misura.PRIVATE, private, area=area, natura="sociale")
    for codice, posti in stampati["posti_per_tipo"].items():
        riga(Misura.POSTI, posti, tipo=tipi[codice])
    for codice, per_comune in stampati["posti_per_comune"].items():
        for nome, posti in per_comune.items():
            riga(Misura.POSTI, posti, tipo=tipi[codice], comune=_comune(comuni, nome))
    models.DatoStampatoUnita.objects.filter(ambito=ambito).delete()
    models.DatoStampatoUnita.objects.bulk_create(righe)
    return len(righe)


def carica(stdout):
    aree = carica_aree()
    servizi, righe, avvisi = carica_servizi()
    unita, stampati = carica_unita()
    stdout.write(
        f"Servizi: {aree} aree, {servizi} servizi e misure ({righe} valori annuali, "
        f"{avvisi} avvisi), {unita} unità d'offerta, {stampati} dati stampati."
    )
