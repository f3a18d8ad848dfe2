"""ORM queries compiled once per process and database, then run with new parameters.

Building a query costs Django more Python than running it costs PostgreSQL: the
user's roles, read by every request (three tables joined, twelve columns), take
0,86 ms of CPU through the ORM and 0,09 ms as the same SQL run directly. A query of
fixed shape that every request runs is written with the ORM as usual, compiled once
per database alias with stand-ins for its parameters, and run again with the real
ones: the SQL is the ORM's own, only its building is not repeated. A list read a
page at a time (`pagina`) takes the page's LIMIT and OFFSET as two more parameters
(the ORM writes them as constants: one compiled query per page otherwise).

A parameter is an integer, a text, a date or a list of them (an `__in` lookup),
used once or more by the query, in any order. The query's own constants stay as
compiled when they cannot hide a stand-in (`_costante`: a boolean, a decimal, a
float, None, a whole number from 0); a text or a date the query needs is a parameter
of the builder (a text may be a stand-in the ORM changed: a LIKE pattern). A date's
stand-in is a day of year 1, recognised also as the text a backend adapts it to
(SQLite's ISO string), and the real date is then adapted the same way; a list's
length is part of the shape, so a query is compiled once for each length it meets
(the last `FORME` shapes met are kept); on PostgreSQL its `IN (%s, ...)` runs as
`= ANY(%s)`, one array parameter. Rows come back as tuples, through the converters
the ORM would apply (SQLite's decimals and dates); none, for plain columns on
PostgreSQL. A shape the stand-ins cannot compile (an empty list, a stand-in out of
its field's range) runs through the ORM, as built for the real values.
"""

import contextlib
import datetime
import re
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections, router

FORME = 64  # compiled shapes kept per query (per database alias and list lengths)
_GIORNO_ZERO = datetime.date(1, 1, 1)  # dates' stand-ins: days of year 1, never real


def _segnaposto(valori):
    """A stand-in for each value, distinct from every other, of the value's type: the
    query's parameters must all come back as these."""
    piatti = []

    def uno(valore):
        n = len(piatti)
        if isinstance(valore, bool | datetime.datetime) or not isinstance(
            valore, int | str | datetime.date
        ):
            raise TypeError(f"a compiled query's parameter is an int, str or date: {valore!r}")
        if isinstance(valore, int):
            segnaposto = -1 - n
        elif isinstance(valore, str):
            segnaposto = f"\x00{n}"
        else:
            segnaposto = _GIORNO_ZERO + datetime.timedelta(days=n)
        piatti.append(segnaposto)
        return segnaposto

    segnaposti = [
        [uno(v) for v in valore] if isinstance(valore, list | tuple) else uno(valore)
        for valore in valori
    ]
    return segnaposti, tuple(piatti)


def campi(modello, percorso="") -> list[str]:
    """The columns of a model's instance, in the order `from_db` takes them (its primary
    key first), read through `percorso` ("linea__"): a compiled query that selects
    `values_list(*campi(modello))` gives the rows of `istanze`."""
    return [percorso + campo.attname for campo in modello._meta.concrete_fields]


def istanze(modello, righe) -> list:
    """The model's instances of the rows of `values_list(*campi(modello))`, made as the
    ORM makes them (`from_db`)."""
    alias = router.db_for_read(modello) or "default"
    nomi = campi(modello)
    return [modello.from_db(alias, nomi, riga) for riga in righe]


def istanze_unite(righe, *modelli):
    """For each row that reads every column of each of `modelli` in turn (`campi`, with
    the paths of their relations), the instances of those models, as select_related()
    builds them: one per model and primary key, so that a line on many rows is built
    once."""
    alias = router.db_for_read(modelli[0]) or "default"
    nomi = [(modello, campi(modello)) for modello in modelli]
    fatte = {}
    for riga in righe:
        unite, inizio = [], 0
        for modello, colonne in nomi:
            valori = riga[inizio : inizio + len(colonne)]
            inizio += len(colonne)
            istanza = fatte.get((modello, valori[0]))
            if istanza is None:
                istanza = fatte[modello, valori[0]] = modello.from_db(alias, colonne, valori)
            unite.append(istanza)
        yield unite


def fetta(queryset, pagina):
    """The queryset's rows of a page (`pagina=(inizio, quante)`), or all of them (None)."""
    if pagina is None:
        return queryset
    inizio, quante = pagina
    return queryset[inizio : inizio + quante]


def _costante(parametro) -> bool:
    """Whether a parameter that is none of the stand-ins is a constant of the query's
    own, kept as compiled: one of a type no stand-in has (a boolean, a decimal, a float,
    None) or a whole number from 0 (the integers' stand-ins are negative). A text or a
    date may be a stand-in the ORM changed (a LIKE pattern): not a constant."""
    if parametro is None or isinstance(parametro, bool | float | Decimal):
        return True
    return isinstance(parametro, int) and parametro >= 0  # psycopg's Int2 too


def _come_segnaposto(parametro) -> bool:
    """Whether a parameter is of a stand-in's type: an integer (psycopg's Int2, Int4...
    too, the ORM's adapted integers), a text, a date; not a boolean, a decimal or a
    float, whatever its value (Decimal(-1) == -1, a stand-in)."""
    if isinstance(parametro, bool | datetime.datetime):
        return False
    return isinstance(parametro, int | str | datetime.date)


def _piatti(valori) -> list:
    parametri = []
    for valore in valori:
        if isinstance(valore, list | tuple):
            parametri.extend(valore)
        else:
            parametri.append(valore)
    return parametri


_SEGNAPOSTO = re.compile(r"%[%s]")


def _array(valori):
    """A list of `_come_array` as its one parameter. Integers go as an untyped literal,
    which PostgreSQL reads as an array of the column's own type: psycopg types a list by
    its largest value (int2[] for small ids), and PostgreSQL does not hash an array of
    another type than the column's (bigint = ANY(int2[])), so a filter over thousands of
    ids scanned the whole array at each row: quadratic (2,4 s for the values of 50
    Ambiti, 0,4 s as bigint[])."""
    if all(type(valore) is int for valore in valori):
        return "{" + ",".join(map(str, valori)) + "}"
    return valori


def _come_array(sql, posizioni, valori):
    """PostgreSQL: each list's `IN (%s, %s, ...)` as `= ANY(%s)`, one array parameter.
    psycopg parses again at every run a query of more than 50 parameters (a region's
    ~90 Ambiti, a list of 200): an array is one parameter, and one plan for any length.
    A list the SQL holds otherwise keeps its parameters one by one."""
    segnaposti = [m.start() for m in _SEGNAPOSTO.finditer(sql) if m.group() == "%s"]
    dove = defaultdict(list)  # a parameter's places in the query (it may come twice)
    for j, (i, _adattato) in enumerate(posizioni):
        dove[i].append(j)
    sostituzioni, inizio = [], 0
    for valore in valori:
        n = len(valore) if isinstance(valore, list | tuple) else 1
        if isinstance(valore, list | tuple) and n:
            for j in dove[inizio]:  # where the list's first value is: linear in its length
                corsa = posizioni[j : j + n]
                if [i for i, _adattato in corsa] != list(range(inizio, inizio + n)):
                    continue
                primo, ultimo = segnaposti[j], segnaposti[j + n - 1]
                if sql[primo - 4 : primo] == "IN (" and sql[ultimo + 2 : ultimo + 3] == ")":
                    if sql[primo : ultimo + 2] == ", ".join(["%s"] * n):
                        sostituzioni.append((j, n, primo - 4, ultimo + 3, inizio))
                        break
        inizio += n
    for j, n, da, a, inizio in sorted(sostituzioni, reverse=True):
        sql = sql[:da] + "= ANY(%s)" + sql[a:]
        # (start, slice): the list's values, as one parameter
        posizioni = [*posizioni[:j], (inizio, slice(inizio, inizio + n)), *posizioni[j + n :]]
    return sql, posizioni


class Compilata:
    """`Compilata(model, lambda user_id: Model.objects.filter(...).values_list(...))`,
    then `.righe(user.pk)`: the builder's parameters are the query's."""

    def __init__(self, modello, costruisci):
        self.modello = modello
        self._costruisci = costruisci
        self._forme = {}

    def _compila(self, alias, valori):
        segnaposti, attesi = _segnaposto(valori)
        compiler = self._costruisci(*segnaposti).query.get_compiler(alias)
        try:
            sql, parametri = compiler.as_sql()
        except EmptyResultSet:
            # An empty list, or a stand-in the ORM knows matches nothing (a negative
            # number for a positive field): this shape runs through the ORM.
            return None
        indice = {segnaposto: (i, False) for i, segnaposto in enumerate(attesi)}
        # A date may come back as the backend's own form of it (SQLite: a text).
        adatta = connections[alias].ops.adapt_datefield_value
        indice.update(
            {
                adatta(segnaposto): (i, True)
                for i, segnaposto in enumerate(attesi)
                if isinstance(segnaposto, datetime.date)
                and not isinstance(adatta(segnaposto), datetime.date)
            }
        )
        # Where each of the query's parameters comes from (one may come twice), and
        # whether it is a date to adapt; a constant of the query's own: (None, value).
        posizioni = []
        for parametro in parametri:
            if _come_segnaposto(parametro) and parametro in indice:
                posizioni.append(indice[parametro])
            elif _costante(parametro):
                posizioni.append((None, parametro))
            else:
                raise ValueError(f"a parameter of the query is not the builder's: {parametro!r}")
        if len({i for i, _adattato in posizioni if i is not None}) < len(attesi):
            # A value the SQL does not hold (a condition the ORM found always true for
            # its stand-in): the query would not depend on it. Through the ORM.
            return None
        if connections[alias].vendor == "postgresql":
            sql, posizioni = _come_array(sql, posizioni, valori)
        colonne = [s[0] for s in compiler.select[: compiler.col_count]]
        # A query with a LIMIT of its own has no pages (`pagina`).
        a_pagine = not compiler.query.is_sliced
        return sql, posizioni, list(compiler.get_converters(colonne).items()), a_pagine

    def righe(self, *valori, pagina=None) -> list[tuple]:
        """The rows for these values; `pagina=(inizio, quante)`: only `quante` rows from
        the `inizio`-th (0 first), as the ORM's slice [inizio : inizio + quante]."""
        alias = router.db_for_read(self.modello) or "default"
        forma = (alias, *(len(v) if isinstance(v, list | tuple) else -1 for v in valori))
        compilata = self._forme.get(forma, False)
        if compilata is False:
            compilata = self._forme[forma] = self._compila(alias, valori)
            if len(self._forme) > FORME:  # the oldest goes (unless a thread was first)
                with contextlib.suppress(RuntimeError, StopIteration):
                    self._forme.pop(next(iter(self._forme)), None)
        if compilata is None:
            return list(fetta(self._costruisci(*valori), pagina))
        sql, posizioni, convertitori, a_pagine = compilata
        if pagina is not None and not a_pagine:
            raise ValueError("a query sliced by its builder has no pages")
        piatti = _piatti(valori)
        connessione = connections[alias]
        adatta = connessione.ops.adapt_datefield_value
        parametri = []
        for i, come in posizioni:
            if i is None:  # a constant of the query's own
                parametri.append(come)
            elif isinstance(come, slice):  # a list as one array (`_come_array`)
                parametri.append(_array(piatti[come]))
            else:
                parametri.append(adatta(piatti[i]) if come else piatti[i])
        if pagina is not None:
            inizio, quante = pagina
            sql = f"{sql} LIMIT %s OFFSET %s"
            parametri += [quante, inizio]
        with connessione.cursor() as cursor:
            cursor.execute(sql, parametri)
            righe = cursor.fetchall()
        if not convertitori:
            return righe
        convertite = []
        for riga in righe:
            riga = list(riga)
            for posizione, (funzioni, espressione) in convertitori:
                valore = riga[posizione]
                for funzione in funzioni:
                    valore = funzione(valore, espressione, connessione)
                riga[posizione] = valore
            convertite.append(tuple(riga))
        return convertite
