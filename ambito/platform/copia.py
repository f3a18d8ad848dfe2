"""Writing millions of generated rows fast (the synthetic national dataset).

On PostgreSQL the rows go in with COPY, and the table's foreign keys are dropped for
the copy and added back after it: PostgreSQL then checks each key once, with one join
over the whole table, instead of queueing a deferred trigger per row and key until the
commit (6,3 million values x 5 keys made the commit of `genera_italia` the slowest
part of it). The keys are added back exactly as they were (same name, same
`DEFERRABLE INITIALLY DEFERRED`), in the same transaction: a row that breaks one fails
the whole generation. Elsewhere (SQLite, the small datasets of the tests) the rows go
in with bulk_create in batches.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

BATCH = 5000


def copia_righe(model, colonne: Sequence[str], righe: Iterable[tuple]) -> int:
    """Insert the rows (tuples in the order of `colonne`); the number inserted."""
    if connection.vendor != "postgresql":
        return _bulk_create(model, colonne, righe)
    tabella = model._meta.db_table
    n = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [tabella],
        )
        chiavi = cursor.fetchall()
        quote = connection.ops.quote_name
        # Altering the keys alters the tables they reference, which PostgreSQL refuses
        # while checks of rows written earlier in the transaction are pending: run them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for nome, _definizione in chiavi:
            cursor.execute(f"ALTER TABLE {quote(tabella)} DROP CONSTRAINT {quote(nome)}")
        with cursor.cursor.copy(f"COPY {quote(tabella)} ({', '.join(colonne)}) FROM STDIN") as copy:
            for riga in righe:
                copy.write_row(riga)
                n += 1
        for nome, definizione in chiavi:
            cursor.execute(
                f"ALTER TABLE {quote(tabella)} ADD CONSTRAINT {quote(nome)} {definizione}"
            )
    return n


def _bulk_create(model, colonne, righe) -> int:
    n, batch = 0, []
    for riga in righe:
        batch.append(model(**dict(zip(colonne, riga, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            n, batch = n + len(batch), []
    model.objects.bulk_create(batch)
    return n + len(batch)
