"""Aggregates cached until the data they come from changes.

Each Ambito has a revision (`RevisioneDati`): every save or delete of a Zonale record
gives the revision of its Ambito a new random value, in the same transaction as the
change; records of no Ambito (areas, funding sources: reference data) renew revision 0.
Bulk writes that send no signals (`QuerySet.update`, `bulk_update`) call
`segna_modifica` themselves.

`@memorizzato` caches a selector's result under a key made of its arguments, the
user's roles, the language, the day and the revisions of the user's Ambiti: a cached
figure is never older than the data, and any change gives a new key at once. Results
expire after `DURATA` seconds anyway, a bound for writes that bypass the ORM (raw SQL,
a restore). Superusers, who see every Ambito, are not cached.
"""

import functools
import hashlib
import secrets
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language

from .apps import ZONALE_APPS
from .roles import ruoli

DURATA = 300  # seconds
RIFERIMENTO = 0  # the revision of the data of no Ambito
_ASSENTE = object()
# The revisions read by the outermost cached selector being computed, shared by the
# cached selectors it calls (a dashboard calls five): {Ambito ids: revisions}.
_lette: ContextVar[dict | None] = ContextVar("revisioni_lette", default=None)


def _nuovo_numero() -> int:
    return secrets.randbits(62)


def segna_modifica(ambito_id: int | None) -> None:
    """Give the Ambito's data (None: the reference data) a new revision."""
    from .models import RevisioneDati

    chiave = ambito_id or RIFERIMENTO
    if not RevisioneDati.objects.filter(ambito_id=chiave).update(numero=_nuovo_numero()):
        RevisioneDati.objects.bulk_create(
            [RevisioneDati(ambito_id=chiave, numero=_nuovo_numero())], ignore_conflicts=True
        )


def revisioni(ambito_ids) -> tuple:
    """The current revisions of the Ambiti and of the reference data (one query)."""
    from .models import RevisioneDati

    chiavi = sorted({*ambito_ids, RIFERIMENTO})
    righe = dict(
        RevisioneDati.objects.filter(ambito_id__in=chiavi).values_list("ambito_id", "numero")
    )
    mancanti = [c for c in chiavi if c not in righe]
    if mancanti:  # data loaded in bulk: the first reader gives it a revision
        RevisioneDati.objects.bulk_create(
            [RevisioneDati(ambito_id=c, numero=_nuovo_numero()) for c in mancanti],
            ignore_conflicts=True,
        )
        righe = dict(
            RevisioneDati.objects.filter(ambito_id__in=chiavi).values_list("ambito_id", "numero")
        )
    return tuple((c, righe[c]) for c in chiavi)


def ambito_di(instance) -> int | None:
    """The id of the Ambito a record belongs to, following its `scope_ambito` path."""
    modello = type(instance)
    if not hasattr(modello, "scope_ambito"):
        return None  # reference data
    percorso = modello.scope_ambito
    if percorso is None:
        return instance.pk  # the Ambito itself
    *relazioni, ultimo = percorso.split("__")
    oggetto = instance
    for nome in relazioni:
        oggetto = getattr(oggetto, nome, None)
        if oggetto is None:
            return None
    return getattr(oggetto, f"{ultimo}_id", None)


def dopo_modifica(sender, instance, raw=False, **kwargs):
    """post_save / post_delete: a Zonale record changed, its Ambito's revision too."""
    meta = sender._meta
    if (
        raw  # fixtures being loaded
        or meta.app_label not in ZONALE_APPS
        or meta.model_name.startswith("historical")  # the audit trail, not the data
        or not getattr(sender, "revisione_dati", True)
    ):
        return
    segna_modifica(ambito_di(instance))


class _NonMemorizzabile(Exception):
    """An argument (a QuerySet, say) that cannot be part of a key: compute directly."""


def _parte(valore):
    if isinstance(valore, models.Model):
        return (valore._meta.label, valore.pk)
    if isinstance(valore, list | tuple | set | frozenset):
        return tuple(_parte(v) for v in valore)
    if isinstance(valore, date):
        return valore.isoformat()
    if valore is None or isinstance(valore, str | int | Decimal):
        return valore
    raise _NonMemorizzabile(type(valore))


def _chiave(funzione, user, kwargs) -> str | None:
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    try:
        argomenti = sorted((nome, _parte(v)) for nome, v in kwargs.items())
    except _NonMemorizzabile:
        return None
    incarichi = ruoli(user).incarichi
    ruoli_utente = sorted((i.ruolo, i.ambito_id, i.comune_id or 0) for i in incarichi)
    parti = (
        funzione.__module__,
        funzione.__qualname__,
        user.is_active,
        ruoli_utente,
        get_language(),
        timezone.localdate().isoformat(),
        argomenti,
        _revisioni_di(tuple(sorted({i.ambito_id for i in incarichi}))),
    )
    return "zonale:" + hashlib.sha256(repr(parti).encode()).hexdigest()


def _revisioni_di(ambiti: tuple) -> tuple:
    """The revisions, read once for a cached selector and the cached selectors it calls.

    A result computed from data newer than the revision in its key is only ever read
    with that older revision, which no request sees once the data changed.
    """
    lette = _lette.get()
    if lette is None:
        return revisioni(ambiti)
    if ambiti not in lette:
        lette[ambiti] = revisioni(ambiti)
    return lette[ambiti]


def memorizzato(funzione):
    """Cache a selector (keyword arguments, `fetched_by` the user) until its data change."""

    @functools.wraps(funzione)
    def selettore(*, fetched_by, **kwargs):
        esterno = _lette.get() is None
        token = _lette.set({}) if esterno else None
        try:
            chiave = _chiave(funzione, fetched_by, kwargs)
            risultato = cache.get(chiave, _ASSENTE) if chiave else _ASSENTE
            if risultato is _ASSENTE:
                risultato = funzione(fetched_by=fetched_by, **kwargs)
                if chiave:
                    cache.set(chiave, risultato, DURATA)
            return risultato
        finally:
            if esterno:
                _lette.reset(token)

    return selettore
