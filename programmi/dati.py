"""Loads the Piani di Zona of Ambito Visconteo Sud Milano from fixtures/programmi/.

Idempotent: every row is found by its natural key (plan by Ambito and first year,
macro-area by letter, objective by number, scheda and premial project by number,
activity and list item by position) and updated; rows saved through the services, so
the fixture obeys the same rules as the pages.
"""

from decimal import Decimal

from django.conf import settings

from ambito.dati import read_yaml
from ambito.models import Ambito

from . import services
from .choices import ELENCHI, Adeguatezza, CoincidenzaRisorse
from .models import MacroArea, Obiettivo, PianoDiZona, ProgettoPremiale, Scheda, Valutazione

FIXTURE = settings.BASE_DIR / "fixtures" / "programmi" / "piani.yaml"

ADEGUATEZZA = {
    "insufficiente": Adeguatezza.INSUFFICIENTE,
    "sufficiente": Adeguatezza.SUFFICIENTE,
    "adeguato": Adeguatezza.ADEGUATO,
}
COINCIDENZA = {str(c.label): c.value for c in CoincidenzaRisorse}
CAMPI_SCHEDA = ["sottotitolo", "note_risorse", "integrata_altre_aree", *Scheda.RISPOSTE]


def _testo(valore) -> str:
    return (valore or "").strip()


def _carica_valutazione(obiettivo, spec):
    valutazione = Valutazione.objects.filter(obiettivo=obiettivo).first()
    valutazione = valutazione or Valutazione(obiettivo=obiettivo)
    valutazione.grado_raggiungimento = spec.get("grado_raggiungimento")
    valutazione.adeguatezza_risorse = ADEGUATEZZA.get(spec.get("adeguatezza_risorse"))
    valutazione.coincidenza_risorse = COINCIDENZA.get(spec.get("coincidenza_risorse"))
    for campo in Valutazione.TESTI:
        setattr(valutazione, campo, _testo(spec.get(campo)))
    for campo in Valutazione.SI_NO:
        setattr(valutazione, campo, spec.get(campo))
    services.valutazione_save(valutazione=valutazione)


def _carica_obiettivo(piano, spec, *, aree, parent=None):
    obiettivo = Obiettivo.objects.filter(piano=piano, numero=spec["numero"]).first()
    obiettivo = obiettivo or Obiettivo(piano=piano, numero=spec["numero"])
    obiettivo.parent = parent
    obiettivo.macro_area = aree.get(spec.get("macro_area")) if parent is None else None
    obiettivo.titolo = _testo(spec["titolo"])
    obiettivo.tema = spec.get("tema", "")
    obiettivo.note = _testo(spec.get("note"))
    services.obiettivo_save(obiettivo=obiettivo)
    if "valutazione" in spec:
        _carica_valutazione(obiettivo, spec["valutazione"])
    for figlio in spec.get("specifici", []):
        _carica_obiettivo(piano, figlio, aree=aree, parent=obiettivo)
    return 1 + len(spec.get("specifici", []))


def _progetto(ambito, codice_linea, stdout):
    """The Ambito's project on that funding line, if the fondi data holds it."""
    from fondi.models import Progetto

    progetto = Progetto.objects.filter(ambito=ambito, linea__codice=codice_linea).first()
    if progetto is None:
        stdout.write(f"  (nessun progetto sulla linea {codice_linea}: scheda non collegata)")
    return progetto


def _carica_scheda(piano, spec, stdout):
    scheda = Scheda.objects.filter(piano=piano, numero=spec["numero"]).first()
    scheda = scheda or Scheda(piano=piano, numero=spec["numero"])
    scheda.titolo = _testo(spec["titolo"])
    scheda.budget = Decimal(spec["budget"]) if spec.get("budget") is not None else None
    scheda.obiettivo = (
        Obiettivo.objects.get(piano=piano, numero=spec["obiettivo"])
        if spec.get("obiettivo")
        else None
    )
    if "progetto_linea" in spec:
        scheda.progetto = _progetto(piano.ambito, spec["progetto_linea"], stdout)
    field_defaults = {f.name: f.get_default() for f in Scheda._meta.fields}
    for campo in CAMPI_SCHEDA:
        valore = spec.get(campo, field_defaults[campo])
        setattr(scheda, campo, _testo(valore) if isinstance(valore, str) else valore)
    voci = {nome: [_testo(v) for v in spec.get(nome, [])] for nome in ELENCHI}
    services.scheda_save(scheda=scheda, voci=voci)


def _carica_premiale(piano, spec):
    progetto = ProgettoPremiale.objects.filter(piano=piano, numero=spec["numero"]).first()
    progetto = progetto or ProgettoPremiale(piano=piano, numero=spec["numero"])
    progetto.titolo = _testo(spec["titolo"])
    progetto.descrizione = _testo(spec.get("descrizione"))
    attivita = [
        {
            "attivita": _testo(riga["attivita"]),
            "percentuale": riga["percentuale"],
            "risultato": _testo(riga.get("risultato")),
        }
        for riga in spec.get("attivita", [])
    ]
    services.progetto_premiale_save(progetto=progetto, attivita=attivita)


def carica(stdout):
    data = read_yaml(FIXTURE)
    ambito = Ambito.objects.get(codice=data["ambito"])
    conteggi = {"obiettivi": 0, "schede": 0, "premiali": 0}
    for spec in data["piani"]:
        piano = PianoDiZona.objects.filter(ambito=ambito, anno_inizio=spec["anno_inizio"]).first()
        piano = piano or PianoDiZona(ambito=ambito, anno_inizio=spec["anno_inizio"])
        piano.anno_fine = spec["anno_fine"]
        piano.stato = spec["stato"]
        piano.data_approvazione = spec.get("data_approvazione")
        piano.atto_approvazione = _testo(spec.get("atto_approvazione"))
        piano.note = _testo(spec.get("note"))
        services.piano_save(piano=piano)
        aree = {}
        for item in spec.get("macro_aree", []):
            area = MacroArea.objects.filter(piano=piano, lettera=item["lettera"]).first()
            area = area or MacroArea(piano=piano, lettera=item["lettera"])
            area.nome = _testo(item["nome"])
            aree[item["lettera"]] = services.macro_area_save(macro_area=area)
        for item in spec.get("obiettivi", []):
            conteggi["obiettivi"] += _carica_obiettivo(piano, item, aree=aree)
        for item in spec.get("schede", []):
            _carica_scheda(piano, item, stdout)
            conteggi["schede"] += 1
        for item in spec.get("progetti_premiali", []):
            _carica_premiale(piano, item)
            conteggi["premiali"] += 1
    stdout.write(
        f"Programmazione: {len(data['piani'])} piani, {conteggi['obiettivi']} obiettivi, "
        f"{conteggi['schede']} schede, {conteggi['premiali']} progetti premiali."
    )
