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

from . import models, services
from .choices import Gestione, Misura
from .tabelle import RigaLetta

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
    tabelle, valori, stampati_tabelle = carica_contesto()
    stdout.write(
        f"Servizi: {aree} aree, {servizi} servizi e misure ({righe} valori annuali, "
        f"{avvisi} avvisi), {unita} unità d'offerta, {stampati} dati stampati; "
        f"contesto: {tabelle} tabelle, {valori} valori, {stampati_tabelle} dati stampati."
    )


# --- Context analysis: the statistical tables of the Piano (fixtures/servizi/contesto.yaml)


def _righe_contesto(spec, comuni_nomi):
    """The fixture's blocks of one table as `RigaLetta` records (the upload's format)."""
    righe = []

    def riga(misura, valore, *, territorio, chiave="", anno=None, categoria="", luogo=""):
        if valore is None:
            return
        comune = chiave if territorio == "comune" else ""
        righe.append(
            RigaLetta(
                numero=len(righe) + 1,
                misura=misura,
                territorio=territorio,
                comune=comune,
                luogo=luogo,
                anno=anno,
                categoria=categoria,
                valore=Decimal(str(valore)),
            )
        )

    for blocco in spec.get("blocchi", []):
        territorio = blocco.get("territorio", "comune")
        for chiave, valori in blocco["righe"].items():
            for colonna, valore in zip(blocco["colonne"], valori, strict=True):
                if blocco.get("colonne_categorie"):
                    categoria = f"{chiave} · {colonna}" if blocco.get("suffissi") else colonna
                    riga(
                        blocco["misura"],
                        valore,
                        territorio=territorio,
                        chiave=chiave,
                        anno=blocco.get("anno"),
                        categoria=categoria,
                    )
                else:
                    categoria = "" if territorio == "comune" else str(chiave)
                    riga(
                        blocco["misura"],
                        valore,
                        territorio=territorio,
                        chiave=chiave,
                        anno=colonna,
                        categoria=categoria,
                    )
    if blocco := spec.get("righe_per_misura"):
        territorio = blocco.get("territorio", "comune")
        for chiave, valori in blocco["righe"].items():
            for misura, valore in zip(blocco["colonne"], valori, strict=True):
                riga(
                    misura,
                    valore,
                    territorio=territorio,
                    chiave=chiave,
                    anno=blocco.get("anno"),
                    categoria=chiave if blocco.get("categorie") else "",
                )
    if blocco := spec.get("righe_per_anno"):
        for anno, valori in blocco["righe"].items():
            for misura, valore in zip(blocco["colonne"], valori, strict=True):
                riga(misura, valore, territorio=blocco["territorio"], anno=anno)
    if blocco := spec.get("presidi"):
        for luogo, nome, valore, _percentuale in blocco["righe"]:
            riga(
                blocco["m"],
                valore,
                territorio="altro",
                anno=blocco["a"],
                categoria=nome,
                luogo=luogo,
            )
    return righe


def _stampati_contesto(spec):
    """The printed figures of one table, the per-row ones expanded."""
    stampati = list(spec.get("stampati", []))
    if blocco := spec.get("percentuali_per_comune"):
        for comune, valori in blocco["righe"].items():
            for anno, valore in zip(blocco["colonne"], valori, strict=True):
                stampati.append(
                    {
                        "e": f"{blocco['e']} {comune} {anno}",
                        "t": "percentuale",
                        "m": blocco["m"],
                        "a": anno,
                        "den": blocco["den"],
                        "comune": comune,
                        "v": valore,
                        "d": blocco["d"],
                    }
                )
    if blocco := spec.get("totali_per_riga"):
        for chiave, valore in blocco["righe"].items():
            categorie = "|".join(f"{chiave} · {c}" for c in blocco["colonne"])
            stampati.append(
                {
                    "e": f"Totale {chiave}",
                    "t": "totale",
                    "m": blocco["m"],
                    "a": blocco["a"],
                    "cat": categorie,
                    "v": valore,
                }
            )
    if blocco := spec.get("presidi"):
        for luogo, nome, _valore, percentuale in blocco["righe"]:
            stampati.append(
                {
                    "e": f"% {nome} ({luogo})",
                    "t": "percentuale",
                    "m": blocco["m"],
                    "a": blocco["a"],
                    "cat": nome,
                    "den": "Tab. 18/ricoveri",
                    "v": percentuale,
                }
            )
    return stampati


def _aggiorna(model, defaults, **lookup):
    """update_or_create that writes only what changed (no new history on a second load)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults)
    cambiati = [k for k, v in defaults.items() if getattr(obj, k) != v]
    if cambiati:
        for campo in cambiati:
            setattr(obj, campo, defaults[campo])
        obj.save(update_fields=cambiati)
    return obj


def carica_contesto():
    path = CARTELLA / "contesto.yaml"
    data = read_yaml(path)
    ambito = Ambito.objects.get(codice=data["ambito"])
    comuni = _comuni_by_name(ambito)
    tabelle, misure = {}, {}
    for ordine, spec in enumerate(data["tabelle"], start=1):
        tabella = _aggiorna(
            models.Tabella,
            ambito=ambito,
            codice=spec["codice"],
            defaults={
                "ordine": ordine,
                "titolo": spec["titolo"],
                "sezione": spec.get("sezione", ""),
                "fonte": spec.get("fonte", ""),
                "data_riferimento": str(spec.get("data", "")),
            },
        )
        tabelle[tabella.codice] = tabella
        for posizione, (codice, nome, unita, decimali, *_resto) in enumerate(spec["misure"], 1):
            misura = _aggiorna(
                models.MisuraTabella,
                tabella=tabella,
                codice=codice,
                defaults={"nome": nome, "unita": unita, "decimali": decimali, "ordine": posizione},
            )
            misure[(tabella.codice, codice)] = misura

    def trova(riferimento, tabella):
        codice_tabella, _, codice = riferimento.rpartition("/")
        return misure[(codice_tabella or tabella.codice, codice)]

    valori = stampati = 0
    for spec in data["tabelle"]:
        tabella = tabelle[spec["codice"]]
        for codice, _nome, _unita, _decimali, *resto in spec["misure"]:
            misura = misure[(tabella.codice, codice)]
            parte_di = trova(resto[0], tabella) if resto else None
            if misura.parte_di_id != (parte_di and parte_di.pk):
                misura.parte_di = parte_di
                misura.save(update_fields=["parte_di"])
        esito = services.tabella_valori_importa(
            tabella=tabella, righe=_righe_contesto(spec, comuni), conferma=True
        )
        if esito.errori:
            raise ValueError(f"{tabella.codice}: {esito.errori}")
        valori += esito.righe
        for ordine, item in enumerate(_stampati_contesto(spec), start=1):
            _aggiorna(
                models.DatoStampatoTabella,
                tabella=tabella,
                etichetta=item["e"],
                defaults={
                    "tipo": item["t"],
                    "misura": trova(item["m"], tabella),
                    "anno": item.get("a"),
                    "anno_base": item.get("ab"),
                    "categorie": item.get("cat", ""),
                    "comune": _comune(comuni, item.get("comune")),
                    "denominatore": trova(item["den"], tabella) if "den" in item else None,
                    "anno_denominatore": item.get("ad"),
                    "valore": Decimal(str(item["v"])),
                    "decimali": item.get("d", 0),
                    "ordine": ordine,
                },
            )
            stampati += 1
        for ordine, item in enumerate(spec.get("affermazioni", []), start=1):
            _aggiorna(
                models.Affermazione,
                tabella=tabella,
                testo=item["x"],
                defaults={
                    "tipo": item["t"],
                    "misura": trova(item["m"], tabella),
                    "denominatore": trova(item["den"], tabella) if "den" in item else None,
                    "categorie": item.get("cat", ""),
                    "soggetti": item.get("s", ""),
                    "anno_base": item.get("ab"),
                    "anno": item.get("a"),
                    "valore": Decimal(str(item["v"])) if "v" in item else None,
                    "decimali": item.get("d", 0),
                    "soglia": Decimal(str(item.get("soglia", 0))),
                    "ordine": ordine,
                },
            )
    return len(tabelle), valori, stampati
