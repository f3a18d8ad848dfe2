"""Writes of the programmi app: validate everything, then save, in one transaction.

Pages, API and the data loader call these functions, so every rule (and its Italian
message, attached to the field) is the same everywhere.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ambito.platform.cache import invalida_cache_di
from ambito.platform.services import instance_save
from ambito.platform.versioning import version_bump

from . import models, validators
from .choices import ELENCHI


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
