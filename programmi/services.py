"""Writes of the programmi app: validate everything, then save, in one transaction.

Pages, API and the data loader call these functions, so every rule (and its Italian
message, attached to the field) is the same everywhere.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from ambito.platform.cache import invalida_cache_di
from ambito.platform.services import instance_save
from ambito.platform.versioning import version_bump

from . import models, validators
from .choices import ELENCHI, StatoPiano


@transaction.atomic
def piano_save(*, piano: models.PianoDiZona) -> models.PianoDiZona:
    return instance_save(piano)


@transaction.atomic
def macro_area_save(*, macro_area: models.MacroArea) -> models.MacroArea:
    return instance_save(macro_area)


@transaction.atomic
def obiettivo_save(*, obiettivo: models.Obiettivo) -> models.Obiettivo:
    """A specific objective without a macro-area takes its general objective's."""
    if obiettivo.parent_id and not obiettivo.macro_area_id:
        parent = obiettivo.parent
        if parent.piano_id == obiettivo.piano_id:
            obiettivo.macro_area_id = parent.macro_area_id
    return instance_save(obiettivo, validators=validators.OBIETTIVO)


@transaction.atomic
def valutazione_save(*, valutazione: models.Valutazione) -> models.Valutazione:
    return instance_save(valutazione)


@transaction.atomic
def progetto_premiale_save(
    *, progetto: models.ProgettoPremiale, attivita: list[dict] | None = None
) -> models.ProgettoPremiale:
    """Save a premial project and, if given, its activity lines in that order.

    `attivita`: dicts with `attivita`, `percentuale`, `risultato`.
    """
    instance_save(progetto)
    if attivita is not None:
        for ordine, dati in enumerate(attivita, start=1):
            riga = models.AttivitaPremiale.objects.filter(progetto=progetto, ordine=ordine).first()
            riga = riga or models.AttivitaPremiale(progetto=progetto, ordine=ordine)
            for campo in ("attivita", "percentuale", "risultato"):
                setattr(riga, campo, dati.get(campo, ""))
            try:
                instance_save(riga)
            except ValidationError as error:
                messaggio = _("Riga %(n)s: %(errore)s") % {"n": ordine, "errore": _testo(error)}
                raise ValidationError({"attivita": messaggio}) from error
        models.AttivitaPremiale.objects.filter(progetto=progetto, ordine__gt=len(attivita)).delete()
    return progetto


def _testo(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def voci_clean(righe: Iterable[str], *, campo: str) -> list[str]:
    """The items of a list as they will be stored: trimmed, without empty ones.

    An item is one paragraph: a line break inside it is refused, because the form edits
    a list as one item per line and must show back exactly what was saved.
    """
    voci = []
    for riga in righe:
        testo = (riga or "").strip()
        if not testo:
            continue
        if "\n" in testo or "\r" in testo:
            raise ValidationError({campo: _("Ogni voce dell'elenco deve stare su una sola riga.")})
        voci.append(testo)
    return voci


def _sostituisci_voci(scheda: models.Scheda, tipo: str, testi: list[str]) -> None:
    """Rewrite one list keeping row identity by position (the history stays readable)."""
    esistenti = {v.ordine: v for v in models.VoceScheda.objects.filter(scheda=scheda, tipo=tipo)}
    for ordine, testo in enumerate(testi, start=1):
        voce = esistenti.get(ordine)
        if voce is None:
            models.VoceScheda.objects.create(scheda=scheda, tipo=tipo, ordine=ordine, testo=testo)
        elif voce.testo != testo:
            voce.testo = testo
            voce.save(update_fields=["testo"])
    models.VoceScheda.objects.filter(scheda=scheda, tipo=tipo, ordine__gt=len(testi)).delete()


@transaction.atomic
def scheda_save(
    *,
    scheda: models.Scheda,
    servizi: Iterable | None = None,
    voci: dict[str, list[str]] | None = None,
) -> models.Scheda:
    """Save a scheda, its services and (when given) its ordered lists.

    `voci` maps a list name of `ELENCHI` (obiettivi, azioni, ...) to its items in
    order; a list not named is left as it is.
    """
    errors = {}
    voci_pulite = {}
    for nome, testi in (voci or {}).items():
        if nome not in ELENCHI:
            errors[nome] = _("Elenco sconosciuto.")
            continue
        try:
            voci_pulite[nome] = voci_clean(testi, campo=nome)
        except ValidationError as error:
            errors.update(error.message_dict)
    servizi = list(servizi) if servizi is not None else None
    if servizi and scheda.piano_id:
        ambito_id = scheda.piano.ambito_id
        if any(servizio.ambito_id != ambito_id for servizio in servizi):
            errors["servizi"] = _("I servizi devono essere dell'Ambito del Piano di Zona.")
    try:
        scheda.full_clean()
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    version_bump(scheda)
    scheda.save()
    invalida_cache_di(scheda)
    if servizi is not None:
        scheda.servizi.set(servizi)
    for nome, testi in voci_pulite.items():
        _sostituisci_voci(scheda, ELENCHI[nome], testi)
    return scheda


# --- Deleting rows of a plan ------------------------------------------------------------


def _elimina(instance, messaggio: str) -> None:
    """Delete a row; when other rows still point to it (PROTECT), refuse with a message."""
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as error:
        legati = sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects})
        raise ValidationError(messaggio % {"legati": ", ".join(legati)}) from error
    invalida_cache_di(instance)


def macro_area_delete(*, macro_area: models.MacroArea) -> None:
    _elimina(
        macro_area,
        _("La macro-area non si può eliminare: ha ancora %(legati)s. Spostali o eliminali prima."),
    )


def obiettivo_delete(*, obiettivo: models.Obiettivo) -> None:
    _elimina(
        obiettivo,
        _("L'obiettivo non si può eliminare: ha ancora %(legati)s. Spostali o eliminali prima."),
    )


def scheda_delete(*, scheda: models.Scheda) -> None:
    _elimina(
        scheda,
        _("La scheda non si può eliminare: ha ancora %(legati)s. Spostali o eliminali prima."),
    )


# --- A new plan: from the previous one, from a shared one, from the template -------------


@dataclass
class MappaPiano:
    """Old row -> new row of a copied plan, for the apps that copy their own rows."""

    macro_aree: dict = field(default_factory=dict)
    obiettivi: dict = field(default_factory=dict)
    schede: dict = field(default_factory=dict)


class EstensionePiano(Protocol):
    """What an app above programmi (indicatori) adds to a plan's copy and activation."""

    def copia(self, *, origine, nuovo, mappa: MappaPiano, con_target: bool) -> None: ...

    def da_modello(self, *, nuovo, modello: dict, mappa: MappaPiano) -> None: ...

    def attiva(self, *, nuovo, precedenti: list) -> None: ...


#: Filled by the apps' AppConfig.ready() (programmi must not import the apps above it).
ESTENSIONI_PIANO: list[EstensionePiano] = []

MODELLO_PIANO = Path(settings.BASE_DIR) / "fixtures" / "programmi" / "modello.yaml"


def _nuovo_piano(*, ambito, anno_inizio, anno_fine, note="") -> models.PianoDiZona:
    piano = models.PianoDiZona(
        ambito=ambito,
        anno_inizio=anno_inizio,
        anno_fine=anno_fine,
        stato=StatoPiano.BOZZA,
        note=note,
    )
    try:
        return instance_save(piano)
    except ValidationError as error:
        # "A plan already starts in that year" belongs next to the first year.
        errori = error.message_dict
        generali = errori.pop(NON_FIELD_ERRORS, [])
        if generali:
            errori.setdefault("anno_inizio", []).extend(generali)
        raise ValidationError(errori) from error


@transaction.atomic
def piano_copy(
    *,
    piano: models.PianoDiZona,
    anno_inizio: int,
    anno_fine: int,
    con_target: bool = False,
    ambito=None,
) -> models.PianoDiZona:
    """A draft plan with the structure of `piano` (macro-areas, objectives, schede and,
    through the extensions, indicators): never its values nor its evaluations; targets
    only with `con_target`. `ambito` (default: the plan's) takes a shared plan elsewhere.
    """
    ambito = ambito or piano.ambito
    stesso_ambito = ambito.pk == piano.ambito_id
    nuovo = _nuovo_piano(
        ambito=ambito,
        anno_inizio=anno_inizio,
        anno_fine=anno_fine,
        note=_("Struttura copiata dal %(piano)s (%(ambito)s).")
        % {"piano": piano, "ambito": piano.ambito},
    )
    mappa = MappaPiano()
    for area in piano.macro_aree.order_by("lettera"):
        mappa.macro_aree[area.pk] = models.MacroArea.objects.create(
            piano=nuovo, lettera=area.lettera, nome=area.nome
        )
    # General objectives first: the specific ones point to them.
    for obiettivo in piano.obiettivi.order_by(F("parent").asc(nulls_first=True), "ordinamento"):
        mappa.obiettivi[obiettivo.pk] = models.Obiettivo.objects.create(
            piano=nuovo,
            macro_area=mappa.macro_aree.get(obiettivo.macro_area_id),
            parent=mappa.obiettivi.get(obiettivo.parent_id),
            numero=obiettivo.numero,
            titolo=obiettivo.titolo,
            tema=obiettivo.tema,
            note=obiettivo.note,
        )
    campi_scheda = [
        f.name
        for f in models.Scheda._meta.concrete_fields
        if f.name not in ("id", "piano", "obiettivo", "progetto", "budget")
    ]
    for scheda in piano.schede.prefetch_related("voci", "servizi").order_by("numero"):
        copia = models.Scheda(
            piano=nuovo,
            obiettivo=mappa.obiettivi.get(scheda.obiettivo_id),
            progetto_id=scheda.progetto_id if stesso_ambito else None,
            budget=scheda.budget if con_target else None,
            **{nome: getattr(scheda, nome) for nome in campi_scheda},
        )
        copia.save()
        if stesso_ambito:
            copia.servizi.set(scheda.servizi.all())
        models.VoceScheda.objects.bulk_create(
            models.VoceScheda(scheda=copia, tipo=v.tipo, ordine=v.ordine, testo=v.testo)
            for v in scheda.voci.all()
        )
        mappa.schede[scheda.pk] = copia
    for estensione in ESTENSIONI_PIANO:
        estensione.copia(origine=piano, nuovo=nuovo, mappa=mappa, con_target=con_target)
    invalida_cache_di(nuovo)
    return nuovo


def modello_piano() -> dict:
    """The template of a first plan (fixtures/programmi/modello.yaml)."""
    with MODELLO_PIANO.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


@transaction.atomic
def piano_from_template(*, ambito, anno_inizio: int, anno_fine: int) -> models.PianoDiZona:
    """A draft first plan from the template: the macro-areas of the regional guidelines,
    the system objectives and (through the extensions) a starter set of indicators."""
    modello = modello_piano()
    nuovo = _nuovo_piano(
        ambito=ambito,
        anno_inizio=anno_inizio,
        anno_fine=anno_fine,
        note=_("Creato dal modello: %(fonte)s") % {"fonte": modello["fonte"]},
    )
    mappa = MappaPiano()
    for area in modello["macro_aree"]:
        mappa.macro_aree[area["lettera"]] = models.MacroArea.objects.create(
            piano=nuovo, lettera=area["lettera"], nome=area["nome"]
        )
    for dati in modello["obiettivi"]:
        mappa.obiettivi[dati["numero"]] = models.Obiettivo.objects.create(
            piano=nuovo,
            numero=dati["numero"],
            titolo=dati["titolo"],
            macro_area=mappa.macro_aree.get(dati.get("macro_area")),
            parent=mappa.obiettivi.get(dati.get("parent")),
            tema=dati.get("tema", ""),
        )
    for estensione in ESTENSIONI_PIANO:
        estensione.da_modello(nuovo=nuovo, modello=modello, mappa=mappa)
    invalida_cache_di(nuovo)
    return nuovo


def piani_condivisi(*, per_ambito):
    """The plans other Ambiti share, to start a first plan of `per_ambito` from."""
    return (
        models.PianoDiZona.objects.filter(condiviso=True)
        .exclude(ambito=per_ambito)
        .select_related("ambito")
        .order_by("ambito__nome", "-anno_inizio")
    )


@transaction.atomic
def piano_activate(*, piano: models.PianoDiZona) -> models.PianoDiZona:
    """A draft plan comes into force; the plan in force before it is concluded (still
    readable with its values) and its indicators stop being collected after it."""
    piano = models.PianoDiZona.objects.select_for_update().get(pk=piano.pk)
    if piano.stato != StatoPiano.BOZZA:
        raise ValidationError(
            {
                "stato": _("Solo un Piano in bozza si può attivare: questo è già %(stato)s.")
                % {"stato": piano.get_stato_display().lower()}
            }
        )
    precedenti = list(
        models.PianoDiZona.objects.select_for_update()
        .filter(
            ambito_id=piano.ambito_id,
            stato__in=(StatoPiano.APPROVATO, StatoPiano.IN_VIGORE),
            anno_inizio__lt=piano.anno_inizio,
        )
        .exclude(pk=piano.pk)
    )
    sovrapposti = models.PianoDiZona.objects.filter(
        ambito_id=piano.ambito_id,
        stato__in=(StatoPiano.APPROVATO, StatoPiano.IN_VIGORE),
        anno_inizio__gte=piano.anno_inizio,
    ).exclude(pk=piano.pk)
    if sovrapposti.exists():
        raise ValidationError(
            {"stato": _("C'è già un Piano in vigore che inizia nello stesso anno o dopo.")}
        )
    for precedente in precedenti:
        precedente.stato = StatoPiano.CONCLUSO
        instance_save(precedente)
    piano.stato = StatoPiano.IN_VIGORE
    instance_save(piano)
    for estensione in ESTENSIONI_PIANO:
        estensione.attiva(nuovo=piano, precedenti=precedenti)
    return piano
