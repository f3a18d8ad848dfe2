"""Aggregates in Django's cache, never older than the data they come from.

`CACHES` comes from the environment (README, "Cache"): Redis when `REDIS_URL` is set,
one cache shared by every gunicorn worker; the memory of each process otherwise
(`make run`, the tests).

Each section of an Ambito's data (its indicators, its funds) has a *generation*, a
random number kept in the cache itself (key `zonale:generazione:<id>:<section>`;
`zonale:generazione:0` for the reference data of no Ambito, which every figure reads).
`@memorizzato` caches a selector's result under a key made of its arguments, the user's
roles, the language, the day and the generations of the sections it reads in the
user's Ambiti. The services that change an Ambito's figures call
`invalida_cache_ambito(ambito_id, section)` (every section when they name none): when
their transaction commits the Ambito gets a new generation, so the next read in any
process misses the old entries (which expire after `DURATA`); it renews the section's
*epoch* too (`zonale:epoca:<section>`), one generation for every Ambito at once, which
keys what a user of many Ambiti reads while nothing changed anywhere. Until the
commit, reads of that Ambito in the writing transaction skip the cache: they see their
own change, and no other process is ever served data that is not committed (or rolled
back). Since an entry's key names the data it comes from, a process may also keep its
own copy of the entries it reads most (`_Copie`). Writes that bypass the services (raw
SQL, a restore) are bounded by `DURATA` (and the copies' own minute); bulk loads call
`invalida_cache()`. `@memorizzato` does not cache what superusers read.
"""

import functools
import hashlib
import secrets
import threading
import time
from collections import OrderedDict, defaultdict
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import get_language

from ambito.roles import ruoli

DURATA = 300  # seconds
RIFERIMENTO = 0  # the generation of the reference data (areas, funding sources...)
_ASSENTE = object()


# An Ambito's data come in sections, each with its own generation: approving a value
# renews the indicators' only, and the funds' figures of the same Ambito stay cached.
# A service that changes anything else (the territory, the plan) renews every section.
INDICATORI, FONDI = "indicatori", "fondi"
SEZIONI = (INDICATORI, FONDI)


def _chiave_generazione(ambito_id: int, sezione: str = "") -> str:
    return f"zonale:generazione:{ambito_id}" + (f":{sezione}" if sezione else "")


def _chiave_epoca(sezione: str) -> str:
    """The generation of a section across every Ambito: renewed with any Ambito's."""
    return f"zonale:epoca:{sezione}"


def _nuovo_token() -> int:
    # Random rather than a counter: a generation lost by the cache (evicted, flushed)
    # never comes back with a value used before with other data. An integer: Redis
    # keeps it as it is, where a string would be pickled and unpickled at each read
    # (a user of 200 Ambiti reads 201 of them per request).
    return secrets.randbits(63)


class _Rinnovo:
    """New generations for sections of an Ambito's data, run when the writing
    transaction commits."""

    def __init__(self, ambito_id: int, sezioni):
        self.ambito_id = ambito_id
        if ambito_id == RIFERIMENTO:  # part of every figure: every epoch too
            self.chiavi = [_chiave_generazione(RIFERIMENTO), *map(_chiave_epoca, SEZIONI)]
        else:
            self.chiavi = [_chiave_generazione(ambito_id, sezione) for sezione in sezioni]
            self.chiavi += map(_chiave_epoca, sezioni)

    def __call__(self):
        # One MSET: a reader who sees the new epoch sees the new generations too.
        cache.set_many(dict.fromkeys(self.chiavi, _nuovo_token()), None)


def invalida_cache_ambito(ambito_id: int | None, sezione: str = "") -> None:
    """The Ambito's figures changed: those of one section (`SEZIONI`), or all of them
    (None: the reference data, every Ambito's figures)."""
    transaction.on_commit(_Rinnovo(ambito_id or RIFERIMENTO, [sezione] if sezione else SEZIONI))


def invalida_cache_di(record) -> None:
    """A record was saved or deleted: its Ambito's figures changed (see `ambito_di`)."""
    invalida_cache_ambito(ambito_di(record))


def invalida_cache() -> None:
    """Every cached aggregate: after a bulk load, a restore, an edit in the admin."""
    invalida_cache_ambito(None)


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


def _sospesi(ambiti) -> set:
    """Those of these Ambiti whose data this transaction changed and has not committed
    yet: all of them if it changed the reference data, part of every figure.

    The pending invalidations are the transaction's own on-commit callbacks: Django
    drops them with a rolled-back transaction or savepoint, so nothing is left behind.
    """
    sospesi = {
        callback.ambito_id
        for _sids, callback, _robust in connection.run_on_commit
        if isinstance(callback, _Rinnovo)
    }
    return set(ambiti) if RIFERIMENTO in sospesi else sospesi.intersection(ambiti)


def generazioni(ambito_ids, sezioni=SEZIONI) -> tuple:
    """The current generations of sections of the Ambiti's data and of the reference
    data (one cache read): ((RIFERIMENTO, token), ((ambito id, section), token), ...)."""
    chiavi = {RIFERIMENTO: _chiave_generazione(RIFERIMENTO)}
    for ambito_id in sorted(set(ambito_ids) - {RIFERIMENTO}):
        for sezione in sezioni:
            chiavi[ambito_id, sezione] = _chiave_generazione(ambito_id, sezione)
    return _leggi_generazioni(chiavi)


def _leggi_generazioni(chiavi: dict) -> tuple:
    """((name, token), ...) of the generations kept under `chiavi` ({name: key}), one
    cache read; one never written, or evicted, starts."""
    valori = cache.get_many(chiavi.values())
    risultato = []
    for nome, chiave in chiavi.items():
        valore = valori.get(chiave)
        if valore is None:
            valore = _nuovo_token()
            if not cache.add(chiave, valore, None):  # another process was first
                valore = cache.get(chiave, valore)
        risultato.append((nome, valore))
    return tuple(risultato)


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


def _chiave(funzione, sezioni, user, kwargs) -> str | None:
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    try:
        argomenti = sorted((nome, _parte(v)) for nome, v in kwargs.items())
    except _NonMemorizzabile:
        return None
    incarichi = ruoli(user).incarichi
    ambiti = {i.ambito_id for i in incarichi}
    if _sospesi({*ambiti, RIFERIMENTO}):
        return None
    parti = (
        funzione.__module__,
        funzione.__qualname__,
        user.is_active,
        _incarichi(user),
        get_language(),
        timezone.localdate().isoformat(),
        argomenti,
        generazioni(ambiti, sezioni),
    )
    return "zonale:" + hashlib.sha256(repr(parti).encode()).hexdigest()


def memorizzato(funzione=None, *, sezioni=SEZIONI, a_pagine=False):
    """Cache a selector (keyword arguments, `fetched_by` the user) until its data change:
    the data of the `sezioni` it reads (`@memorizzato(sezioni=[FONDI])`), all of them
    by default. `a_pagine`: a list read a page at a time, kept in blocks (`_Blocchi`)."""
    if funzione is None:
        return functools.partial(memorizzato, sezioni=sezioni, a_pagine=a_pagine)

    @functools.wraps(funzione)
    def selettore(*, fetched_by, **kwargs):
        chiave = _chiave(funzione, sezioni, fetched_by, kwargs)
        if a_pagine and chiave:
            return _Blocchi(chiave, functools.partial(funzione, fetched_by=fetched_by, **kwargs))
        risultato = cache.get(chiave, _ASSENTE) if chiave else _ASSENTE
        if risultato is _ASSENTE:
            risultato = funzione(fetched_by=fetched_by, **kwargs)
            if chiave:
                cache.set(chiave, risultato, DURATA)
        return risultato

    return selettore


BLOCCO = 500  # rows per cache entry of a list read a page at a time (at most a page)


class _Blocchi:
    """The rows of a list kept in the cache in blocks of BLOCCO, with their number: a
    page reads the one or two blocks it spans, not the whole list (a region's 23.608
    rows of beneficiaries took 26 ms to unpickle for a page of 50). Counted and sliced
    as the queryset it stands for (by the paginator), or read whole."""

    def __init__(self, chiave, calcola):
        self._chiave, self._calcola = chiave, calcola
        self._righe = self._quante = None

    def _tutte(self) -> list:
        if self._righe is None:
            self._righe = list(self._calcola())
            self._quante = len(self._righe)
            blocchi = {  # block 0 even for no rows: the first page is always found
                self._blocco(i // BLOCCO): self._righe[i : i + BLOCCO]
                for i in range(0, max(self._quante, 1), BLOCCO)
            }
            cache.set_many({self._chiave: self._quante, **blocchi}, DURATA)
        return self._righe

    def _blocco(self, numero) -> str:
        return f"{self._chiave}:{numero}"

    def count(self) -> int:
        if self._quante is None:
            self._quante = cache.get(self._chiave)
        if self._quante is None:
            self._tutte()
        return self._quante

    __len__ = count

    def __iter__(self):
        return iter(self[0 : self.count()])

    def __getitem__(self, fetta: slice) -> list:
        inizio, fine = fetta.start or 0, fetta.stop
        if fine is None:
            return self._tutte()[inizio:]
        if self._righe is None and fine > inizio:
            primo = inizio // BLOCCO
            chiavi = [self._blocco(n) for n in range(primo, (fine - 1) // BLOCCO + 1)]
            trovati = cache.get_many(chiavi)
            if len(trovati) == len(chiavi):  # else evicted, or past the end: computed
                righe = [riga for chiave in chiavi for riga in trovati[chiave]]
                return righe[inizio - primo * BLOCCO : fine - primo * BLOCCO]
        return self._tutte()[inizio:fine]


def _incarichi(user) -> list:
    """What a user reads depends on: his roles, each with its Ambito and Comune."""
    if user.is_superuser:
        return ["superuser"]
    return sorted((i.ruolo, i.ambito_id, i.comune_id or 0) for i in ruoli(user).incarichi)


def _ruoli_per_ambito(user, ambito_ids) -> dict:
    """{Ambito id: the user's roles there}; the superuser reads everything everywhere."""
    if user.is_superuser:
        return dict.fromkeys(ambito_ids, "superuser")
    ruoli_in = defaultdict(list)
    for incarico in ruoli(user).incarichi:
        ruoli_in[incarico.ambito_id].append((incarico.ruolo, incarico.comune_id or 0))
    return {a: sorted(r) for a, r in ruoli_in.items()}


def per_ambito(
    nome: str, ambito_ids, calcola, *parti, lettore=None, sezioni=SEZIONI, copie=None
) -> dict:
    """{Ambito id: value}, each from the cache under that Ambito's own generation.

    `calcola(ids)` returns {id: value} for the Ambiti missing from the cache only, and
    they are stored. An approval renews its own Ambito's generation when it commits, so
    the next request computes that one Ambito again and reads the others from the
    cache: no batch job between the approval and the figures, and no figure older than
    its data. An Ambito changed by the transaction in progress is computed, neither
    read from the cache nor stored. `parti`: whatever else the value depends on (filters), hashable.

    Without `lettore` the value is the same for every reader of an Ambito (the regional
    dashboard's figures). With it, each Ambito's value depends on what that user may
    read there, his roles in that Ambito: users with the same roles in an Ambito share
    its entry, whatever their other Ambiti. `sezioni`: the sections of the Ambiti's
    data that the value reads (all by default). `copie`: this process's copies
    (`_Copie`), read first, for values that nobody changes.
    """
    chiavi = _chiavi(*_descrizioni(nome, ambito_ids, parti, lettore, sezioni))
    return _da_cache(chiavi, calcola, _sospesi(ambito_ids), copie)


def unione_per_ambito(
    nome: str, ambito_ids, calcola, unisci, *parti, lettore=None, sezioni=SEZIONI
):
    """`unisci([value of each Ambito, in the order of ambito_ids])`, the values as
    `per_ambito` gives them: texts (bytes) or dicts of texts, which nobody changes.

    Each Ambito's value is in the shared cache, and this process keeps copies of the
    values it read or wrote and of their unions (`_Copie`). A union is keyed by the
    sections' epochs (renewed by a change in any Ambito): while nothing changes, a user
    of 200 Ambiti reads one key, the epoch, not 201 generations and 200 entries; after
    a change, anywhere, the generations of his Ambiti, and computes only the Ambiti
    whose generation changed. An Ambito changed by the transaction in progress is
    computed, and neither read from nor stored in either cache."""

    def valori():
        calcolati = per_ambito(
            nome, ambito_ids, calcola, *parti, lettore=lettore, sezioni=sezioni, copie=_copie
        )
        return unisci([calcolati[a] for a in ambito_ids])

    if _sospesi(ambito_ids) or len(set(ambito_ids)) <= 1:
        return valori()
    epoche = _leggi_generazioni({s: _chiave_epoca(s) for s in sezioni})
    chiave = _hash(
        (nome, get_language(), timezone.localdate().isoformat(), parti, ambito_ids, epoche)
        + ((_incarichi(lettore),) if lettore is not None else ())
    )
    unione = _copie.get_many([chiave]).get(chiave)
    if unione is None:
        unione = valori()
        _copie.set_many({chiave: unione})
    return unione


def _descrizioni(nome, ambito_ids, parti, lettore, sezioni) -> tuple:
    """What the keys of `per_ambito` are made of: the part common to every Ambito, and
    {Ambito id: its own part (its generations, the reader's roles there)}."""
    ids = sorted(set(ambito_ids))
    generazione = dict(generazioni(ids, sezioni))
    comune = (
        nome,
        get_language(),
        timezone.localdate().isoformat(),
        generazione[RIFERIMENTO],
        parti,
    )
    ruoli_in = _ruoli_per_ambito(lettore, ids) if lettore is not None else {}
    return comune, {a: (a, [generazione[a, s] for s in sezioni], ruoli_in.get(a)) for a in ids}


def _hash(parti) -> str:
    return "zonale:" + hashlib.sha256(repr(parti).encode()).hexdigest()


def _chiavi(comune, descrizioni) -> dict:
    """{Ambito id: the key of its entry}."""
    return {a: _hash((comune, *descrizione)) for a, descrizione in descrizioni.items()}


def _da_cache(chiavi: dict, calcola, sospesi, copie=None) -> dict:
    """{Ambito id: its value}, read under `chiavi` (from this process's `copie` first,
    if given) or computed by `calcola` and stored; those `sospesi` (changed by the
    transaction in progress) computed only."""
    da_leggere = {chiave: a for a, chiave in chiavi.items() if a not in sospesi}
    trovati = copie.get_many(da_leggere) if copie else {}
    dalla_cache = cache.get_many([chiave for chiave in da_leggere if chiave not in trovati])
    trovati |= dalla_cache
    risultato = {da_leggere[chiave]: valore for chiave, valore in trovati.items()}
    mancanti = [a for a in chiavi if a not in risultato]
    nuovi = {}
    if mancanti:
        calcolati = calcola(mancanti)
        risultato.update(calcolati)
        nuovi = {chiavi[a]: v for a, v in calcolati.items() if a not in sospesi}
        if len(nuovi) == 1:  # one SET: set_many is a MULTI/EXEC pipeline of two
            cache.set(*next(iter(nuovi.items())), DURATA)
        elif nuovi:
            cache.set_many(nuovi, DURATA)
    if copie:
        copie.set_many(dalla_cache | nuovi)
    return risultato


class _Copie:
    """This process's own copies of cache entries whose value never changes under their
    key (the key holds the generations of the data they come from, so new data are new
    keys): read again without a round trip to Redis and without unpickling. Only for
    values that nobody changes, texts (bytes) or dicts of texts: they are shared, not
    copied, by every request of the process.

    At most `capienza` bytes, the least recently read dropped first, each kept for
    `durata` seconds: a write that bypasses the services (SQL by hand), which renews no
    generation, shows after DURATA + `durata` at most.
    """

    def __init__(self, capienza: int, durata: int):
        self.capienza, self.durata = capienza, durata
        self._voci = OrderedDict()  # key: (deadline, size, value), least recent first
        self._occupati = 0
        self._lock = threading.Lock()

    def get_many(self, chiavi) -> dict:
        adesso = time.monotonic()
        trovati = {}
        with self._lock:
            for chiave in chiavi:
                voce = self._voci.get(chiave)
                if voce is None:
                    continue
                if voce[0] < adesso:
                    self._togli(chiave)
                else:
                    self._voci.move_to_end(chiave)
                    trovati[chiave] = voce[2]
        return trovati

    def set_many(self, valori: dict) -> None:
        scadenza = time.monotonic() + self.durata
        with self._lock:
            for chiave, valore in valori.items():
                peso = len(valore) if isinstance(valore, bytes) else sum(map(len, valore.values()))
                if chiave in self._voci:
                    self._togli(chiave)
                if peso > self.capienza:
                    continue
                self._voci[chiave] = (scadenza, peso, valore)
                self._occupati += peso
            while self._occupati > self.capienza:
                self._togli(next(iter(self._voci)))

    def _togli(self, chiave) -> None:
        self._occupati -= self._voci.pop(chiave)[1]


# 64 MB: the national list of the superuser is about 6 MB, a Regione's 1 MB.
_copie = _Copie(capienza=64 * 2**20, durata=60)
