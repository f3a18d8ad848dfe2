"""A user's roles, read once per request as plain rows (ambito/roles.py)."""

from decimal import Decimal

import pytest
from django.db.models import BooleanField, Case, Count, FloatField, Q, Sum, Value, When
from django.db.models.functions import Cast, Coalesce

from ambito.choices import Ruolo
from ambito.models import Ambito, Comune, DatiDemografici, Incarico
from ambito.platform.compilate import Compilata
from ambito.roles import Ruoli
from tests.factories import user_with_role


def test_roles_are_the_users_incarichi_with_their_ambito_and_comune(
    operatore_rozzano, rozzano, visconteo, altro_ambito, django_assert_num_queries
):
    Incarico.objects.create(user=operatore_rozzano, ambito=altro_ambito, ruolo=Ruolo.REVISORE)
    ruoli = Ruoli(operatore_rozzano)
    with django_assert_num_queries(1):
        letti = [(i.ruolo, i.ambito_id, i.comune_id) for i in ruoli.incarichi]
        # The Ambiti and the Comune come from the same row: no query each.
        assert ruoli.ambiti == [visconteo, altro_ambito]
        assert [a.nome for a in ruoli.ambiti] == [visconteo.nome, altro_ambito.nome]
        assert ruoli.comune == rozzano and ruoli.comune.nome == rozzano.nome
    assert letti == list(
        operatore_rozzano.incarichi.order_by("pk").values_list("ruolo", "ambito_id", "comune_id")
    )
    assert ruoli.etichetta == "Operatore comunale, Revisore"


def test_a_regional_role_reaches_every_ambito_of_its_region(visconteo, altro_ambito, db):
    lombardi = Ambito.objects.filter(regione=visconteo.regione)
    utente = user_with_role(Ruolo.REGIONE, visconteo)
    ruoli = Ruoli(utente)
    assert {i.ambito_id for i in ruoli.incarichi} == set(lombardi.values_list("pk", flat=True))
    assert {i.ruolo for i in ruoli.incarichi} == {Ruolo.REGIONE}
    assert ruoli.regioni == [visconteo.regione]
    # And exactly the Ambiti the scoping mechanism lets him read.
    assert sorted(a.pk for a in ruoli.ambiti) == sorted(
        Ambito.objects.visible_to(utente).values_list("pk", flat=True)
    )


def test_a_compiled_query_takes_only_its_builders_parameters(visconteo):
    compilata = Compilata(Ambito, lambda pk: Ambito.objects.filter(pk=pk).values_list("nome"))
    assert compilata.righe(visconteo.pk) == [(visconteo.nome,)]
    assert compilata.righe(-5) == []
    # A builder whose query has a parameter of its own cannot be compiled once.
    fissa = Compilata(Ambito, lambda pk: Ambito.objects.filter(pk=pk, nome="x").values_list("pk"))
    with pytest.raises(ValueError):
        fissa.righe(visconteo.pk)


def test_a_compiled_query_keeps_the_constants_that_cannot_hide_a_stand_in(
    visconteo, rozzano, binasco
):
    """A boolean, a decimal, a float, None or a whole number from 0 (psycopg's Int2 of
    the year on PostgreSQL) of the query's own stays as compiled, a decimal equal to a
    stand-in too; the rows are the ORM's for every value of the parameter."""
    DatiDemografici.objects.create(
        comune=rozzano, anno=2099, componenti_medi=Decimal("2.30"), fonte="prova"
    )
    DatiDemografici.objects.create(comune=binasco, anno=2099, fonte="prova")

    def costruisci(ambito):
        return (
            DatiDemografici.objects.filter(comune__ambito_id=ambito, anno=2099)
            .annotate(
                componenti=Coalesce("componenti_medi", Value(Decimal("0.00"))),
                # Equal to the stand-in of the builder's parameter (-1), not it.
                meno_uno=Value(Decimal("-1")),
                doppi=Cast("componenti_medi", FloatField()) * Value(2.0),
                noto=Case(
                    When(componenti_medi__isnull=False, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                ),
            )
            .order_by("comune__nome")
            .values_list("comune__nome", "componenti", "doppi", "noto", "meno_uno")
        )

    compilata = Compilata(DatiDemografici, costruisci)
    for ambito in (visconteo.pk, visconteo.pk + 1000):
        assert compilata.righe(ambito) == list(costruisci(ambito))
    assert [riga[1] for riga in compilata.righe(visconteo.pk)] == [Decimal("0.00"), Decimal("2.30")]
    assert any(forma is not None for forma in compilata._forme.values())  # compiled


def test_a_compiled_query_takes_lists_and_texts_and_converts_its_columns(
    visconteo, rozzano, binasco
):
    """A list's length is part of the shape; a parameter may come twice, in any order
    (the Ambito in the SELECT's filter, then in the WHERE); the columns come back as
    the ORM gives them (SQLite's sums of decimals as Decimal)."""
    for comune, componenti in ((rozzano, "2.3"), (binasco, "2.5")):
        DatiDemografici.objects.create(
            comune=comune, anno=2099, componenti_medi=Decimal(componenti), fonte="prova"
        )
    compilata = Compilata(
        DatiDemografici,
        lambda ambito, comuni, fonte, escluso: (
            DatiDemografici.objects.filter(
                comune__ambito_id=ambito, comune_id__in=comuni, fonte=fonte
            )
            .exclude(comune__nome=escluso)
            .values_list("fonte")
            .annotate(
                somma=Sum("componenti_medi"), n=Count("pk", filter=Q(comune__ambito_id=ambito))
            )
            .order_by()
        ),
    )
    entrambi = compilata.righe(visconteo.pk, [rozzano.pk, binasco.pk], "prova", "nessuno")
    assert entrambi == [("prova", Decimal("4.8"), 2)]
    assert type(entrambi[0][1]) is Decimal
    assert compilata.righe(visconteo.pk, [rozzano.pk], "prova", "nessuno") == [
        ("prova", Decimal("2.3"), 1)
    ]
    assert compilata.righe(visconteo.pk, [rozzano.pk, binasco.pk], "prova", binasco.nome) == [
        ("prova", Decimal("2.3"), 1)
    ]
    assert compilata.righe(visconteo.pk, [], "prova", "nessuno") == []  # no Comune, no row


def test_a_shape_the_stand_ins_cannot_compile_runs_through_the_orm(rozzano):
    """A negative stand-in for a positive field matches nothing for the ORM: that shape
    is not compiled, and gives the rows of the real values."""
    DatiDemografici.objects.create(comune=rozzano, anno=2099, fonte="prova")
    compilata = Compilata(
        DatiDemografici,
        lambda anno: DatiDemografici.objects.filter(anno=anno).values_list("comune_id"),
    )
    assert compilata.righe(2099) == [(rozzano.pk,)]


def test_a_compiled_list_of_any_length_gives_the_orms_rows(visconteo, altro_ambito):
    """On PostgreSQL a list is one array parameter (`= ANY(%s)`, no reparsing of a query
    of hundreds of parameters), also where the ORM negates it; on both databases the
    rows are the ORM's, for lists of 1 to 300 ids with repeats and unknown ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def costruisci(ambiti, esclusi):
        return (
            Ambito.objects.filter(pk__in=ambiti)
            .exclude(pk__in=esclusi)
            .order_by("pk")
            .values_list("pk", "nome")
        )

    compilata = Compilata(Ambito, costruisci)
    for ambiti, esclusi in (
        ([visconteo.pk], [-1]),
        ([visconteo.pk, altro_ambito.pk, visconteo.pk], [altro_ambito.pk]),
        ([*range(-300, 0), altro_ambito.pk], [visconteo.pk, *range(-60, 0)]),
    ):
        with CaptureQueriesContext(connection) as eseguite:
            righe = compilata.righe(ambiti, esclusi)
        assert righe == list(costruisci(ambiti, esclusi))
        assert righe  # each case finds a row: the comparison is not of two empty lists
        if connection.vendor == "postgresql":
            assert eseguite[0]["sql"].count("= ANY(") == 2
            # Each array of the column's own type, which PostgreSQL hashes: psycopg's
            # smallint[] of small ids was scanned whole at each row of a bigint column.
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (VERBOSE) " + eseguite[0]["sql"])
                piano = " ".join(riga for (riga,) in cursor.fetchall())
            assert "::bigint[]" in piano and "smallint" not in piano


def test_a_compiled_query_reads_a_page_as_the_orms_slice(rozzano):
    """A page (`pagina=(inizio, quante)`) is the ORM's slice [inizio : inizio + quante]:
    one compiled query for every page (LIMIT and OFFSET are parameters), also past the
    end; a shape run through the ORM is sliced there; a builder that slices its own
    query has no pages."""

    def costruisci(escluso):
        return Comune.objects.exclude(pk=escluso).order_by("nome", "pk").values_list("pk", "nome")

    compilata = Compilata(Comune, costruisci)
    tutte = list(costruisci(rozzano.pk))
    assert len(tutte) >= 10
    for inizio, quante in ((0, 1), (1, 2), (2, 1000), (len(tutte) - 1, 5), (len(tutte), 5)):
        pagina = compilata.righe(rozzano.pk, pagina=(inizio, quante))
        assert pagina == tutte[inizio : inizio + quante], (inizio, quante)
    assert compilata.righe(rozzano.pk) == tutte  # the same shape, without a page
    assert len(compilata._forme) == 1 and None not in compilata._forme.values()

    for anno in (2098, 2099):
        DatiDemografici.objects.create(comune=rozzano, anno=anno, fonte="prova")
    per_orm = Compilata(  # a negative year matches nothing for the ORM: not compiled
        DatiDemografici,
        lambda anno: (
            DatiDemografici.objects.filter(anno__gte=anno).order_by("anno").values_list("anno")
        ),
    )
    assert per_orm.righe(2098, pagina=(1, 5)) == [(2099,)]
    assert list(per_orm._forme.values()) == [None]

    prima = Compilata(Comune, lambda escluso: costruisci(escluso)[:1])
    assert prima.righe(rozzano.pk) == tutte[:1]
    with pytest.raises(ValueError):
        prima.righe(rozzano.pk, pagina=(0, 1))
