"""ORM queries compiled once per process and database, then run with new parameters.

Building a query costs Django more Python than running it costs PostgreSQL: the
user's roles, read by every request (three tables joined, twelve columns), take
0,86 ms of CPU through the ORM and 0,09 ms as the same SQL run directly. A query of
fixed shape that every request runs is written with the ORM as usual, compiled once
per database alias with stand-ins for its parameters, and run again with the real
ones: the SQL is the ORM's own, only its building is not repeated. Rows come back as
the database gives them: for `values_list` of plain columns (no converters).
"""

from django.db import connections, router


class Compilata:
    """`Compilata(model, lambda user_id: Model.objects.filter(...).values_list(...))`,
    then `.righe(user.pk)`: the builder's parameters are the query's, in order."""

    def __init__(self, modello, costruisci):
        self.modello = modello
        self._costruisci = costruisci
        self._sql = {}

    def righe(self, *valori) -> list[tuple]:
        alias = router.db_for_read(self.modello) or "default"
        sql = self._sql.get(alias)
        if sql is None:
            segnaposto = tuple(-1 - i for i in range(len(valori)))
            query = self._costruisci(*segnaposto).query
            sql, parametri = query.get_compiler(alias).as_sql()
            if tuple(parametri) != segnaposto:
                raise ValueError("the query's parameters must be the builder's, in order")
            self._sql[alias] = sql
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, valori)
            return cursor.fetchall()
